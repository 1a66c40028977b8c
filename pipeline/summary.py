"""Summaries of claim records: terminal tables and headless matplotlib figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .records import CERTAINTIES, STANCES, ClaimRecord

BY = ("actor", "region", "section")
STANCE_COLOURS = {"convergent": "#1b9e77", "divergent": "#d95f02", "neutral": "#9e9e9e"}
POLARITY_COLOURS = {"cooperative": "#1b9e77", "hostile": "#d62728"}


def stance_counts(records: list[ClaimRecord], by: str) -> dict[str, Counter]:
    """Claims per group (actor, region or section) and stance label."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        if by == "actor":
            keys = [a.id for a in r.actors]
        elif by == "region":
            keys = [g.id for g in r.regions]
        else:
            keys = [r.section or "(none)"]
        for key in keys:
            counts[key][r.stance.label] += 1
    return counts


def relation_counts(records: list[ClaimRecord]) -> Counter:
    return Counter((rel.source, rel.target, rel.polarity) for r in records for rel in r.relations)


def render(records: list[ClaimRecord], by: str = "actor", top: int = 15) -> str:
    """The summary as compact terminal tables."""
    lines = [f"{len(records)} claims in {len({r.doc_id for r in records})} documents", ""]
    counts = stance_counts(records, by)
    header = f"{by:<28}{'claims':>7}" + "".join(f"{s[:10]:>11}" for s in STANCES)
    lines.append(header)
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    for key, c in ranked[:top]:
        row = f"{key[:27]:<28}{sum(c.values()):>7}" + "".join(f"{c[s]:>11}" for s in STANCES)
        lines.append(row)
    if len(ranked) > top:
        lines.append(f"... {len(ranked) - top} more")
    lines.append("")
    certainty = Counter(r.certainty.label for r in records)
    lines.append("certainty " + "  ".join(f"{c}: {certainty[c]}" for c in CERTAINTIES))
    bands = Counter(
        r.certainty.probability.term.lower() for r in records if r.certainty.probability
    )
    if bands:
        lines.append("estimative " + "  ".join(f"{t}: {n}" for t, n in bands.most_common()))
    lines.append("")
    lines.append(f"{'top relations':<40}{'claims':>7}")
    for (source, target, polarity), n in relation_counts(records).most_common(top):
        lines.append(f"{f'{source} -> {target} ({polarity})':<40}{n:>7}")
    return "\n".join(lines)


def plot_all(records: list[ClaimRecord], folder: Path) -> list[Path]:
    """Write network.png, stance_by_section.png and certainty.png into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    folder.mkdir(parents=True, exist_ok=True)
    return [
        plot_network(records, folder / "network.png"),
        plot_stance_by_section(records, folder / "stance_by_section.png"),
        plot_certainty(records, folder / "certainty.png"),
    ]


def short_name(name: str, limit: int = 22) -> str:
    """A label that fits: long names become their capitals' initials ("SCO")."""
    if len(name) <= limit:
        return name
    initials = "".join(w[0] for w in name.split() if w[:1].isupper())
    return initials if len(initials) >= 2 else name[: limit - 1] + "."


def plot_network(records: list[ClaimRecord], path: Path) -> Path:
    """The signed actor network: the two most connected actors in the centre, the others on
    a ring; edges coloured by polarity, width by number of claims, nodes labelled by name."""
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    names = {a.id: a.name for r in records for a in r.actors}
    counts = relation_counts(records)
    g = nx.DiGraph()
    for (source, target, polarity), n in counts.items():
        g.add_edge(source, target, polarity=polarity, weight=n)
    fig, ax = plt.subplots(figsize=(12, 10), dpi=120)
    if g.number_of_nodes():
        degree = dict(g.degree(weight="weight"))
        ranked = sorted(g, key=lambda n: (-degree[n], n))
        centre, ring = ranked[:2], sorted(ranked[2:])
        pos = nx.shell_layout(g, nlist=[centre, ring] if ring else [centre], scale=1.0)
        if len(centre) == 2:
            pos[centre[0]], pos[centre[1]] = (-0.22, 0.0), (0.22, 0.0)
        nx.draw_networkx_nodes(
            g, pos, ax=ax, node_color="#dbe9f6", edgecolors="#4a6fa5",
            node_size=[300 + 60 * degree[n] for n in g],
        )  # fmt: skip
        for polarity, colour in POLARITY_COLOURS.items():
            edges = [(u, v) for u, v, d in g.edges(data=True) if d["polarity"] == polarity]
            nx.draw_networkx_edges(
                g, pos, ax=ax, edgelist=edges, edge_color=colour, arrows=True, arrowsize=12,
                width=[0.8 + 1.2 * g.edges[e]["weight"] for e in edges],
                connectionstyle="arc3,rad=0.08", node_size=600, alpha=0.75,
            )  # fmt: skip
        labels = {n: short_name(names.get(n, n)) for n in g}
        for node, (x, y) in pos.items():
            offset = 0.0 if node in centre else 0.07 * (1 if y >= 0 else -1)
            ax.text(
                x * (1.08 if node not in centre else 1), y + offset, labels[node],
                ha="center", va="center", fontsize=10, fontweight="bold",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
            )  # fmt: skip
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.25, 1.25)
    handles = [Line2D([0], [0], color=c, lw=3, label=p) for p, c in POLARITY_COLOURS.items()]
    ax.legend(handles=handles, loc="lower left", title="relation (width = claims)")
    ax.set_title("Actor network: relations asserted in the claims", fontsize=14)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_stance_by_section(records: list[ClaimRecord], path: Path) -> Path:
    """Horizontal stacked bars: stance labels per section."""
    import matplotlib.pyplot as plt

    counts = stance_counts(records, "section")
    first_seen: dict[str, tuple[str, int]] = {}
    for r in records:
        first_seen.setdefault(r.section or "(none)", (r.doc_id, r.start))
    sections = sorted(counts, key=lambda s: first_seen[s])
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.5 * max(1, len(sections))), dpi=120)
    left = [0] * len(sections)
    for stance in STANCES:
        values = [counts[s][stance] for s in sections]
        ax.barh(sections, values, left=left, color=STANCE_COLOURS[stance], label=stance)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("claims")
    ax.set_title("Stance toward the focal pair, by section (in document order)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


ICD_SCALE = (
    ("almost no chance", 0.01, 0.05),
    ("very unlikely", 0.05, 0.2),
    ("unlikely", 0.2, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.8),
    ("very likely", 0.8, 0.95),
    ("almost certain", 0.95, 0.99),
)


def plot_certainty(records: list[ClaimRecord], path: Path) -> Path:
    """The certainty mix, and hedged claims placed on the ICD 203 probability scale."""
    import matplotlib.pyplot as plt

    labels = list(CERTAINTIES)
    counts = Counter(r.certainty.label for r in records)
    bands = Counter(
        (r.certainty.probability.low, r.certainty.probability.high)
        for r in records
        if r.certainty.probability
    )
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    bars = left.bar(labels, [counts[x] for x in labels], color=["#4a6fa5", "#e6ab02", "#7570b3"])
    left.bar_label(bars)
    left.set_title("Certainty of claims")
    left.set_ylabel("claims")
    names = [f"{term} ({low:.2f}-{high:.2f})" for term, low, high in ICD_SCALE]
    values = [bands[(low, high)] for _, low, high in ICD_SCALE]
    bars = right.barh(names, values, color="#e6ab02")
    right.bar_label(bars)
    right.invert_yaxis()
    right.set_title("Estimative language on the ICD 203 scale")
    right.set_xlabel("claims")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
