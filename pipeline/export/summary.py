"""Summaries of claim records: terminal tables and headless matplotlib figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from ..errors import count
from ..models import CERTAINTIES, STANCES, ClaimRecord

BY = ("actor", "region", "section")
SOURCE_KINDS = ("author", "actor", "unnamed")
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


def claim_year(record: ClaimRecord) -> int | None:
    """The year a claim is placed in over time: the year its content holds (its time's
    start, else its end), else the document's date's year; None when neither is known."""
    time = record.time
    found = (time.start or time.end) if time else None
    found = found or record.provenance.date
    return int(found[:4]) if found else None


def stance_by_year(records: list[ClaimRecord]) -> dict[int, Counter]:
    """Claims per year (``claim_year``) and stance label; claims without a year left out."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for r in records:
        year = claim_year(r)
        if year is not None:
            counts[year][r.stance.label] += 1
    return dict(sorted(counts.items()))


def relation_counts(records: list[ClaimRecord]) -> Counter:
    return Counter((rel.source, rel.target, rel.polarity) for r in records for rel in r.relations)


def focal_label(focal: list[str] | tuple[str, ...]) -> str:
    return " and ".join(focal) if focal else "(no focal pair)"


def by_focal(records: list[ClaimRecord]) -> dict[tuple[str, ...], list[ClaimRecord]]:
    """Records grouped by the focal pair their stance was tagged against, in first-seen
    order: stance toward RUS and IRN and stance toward USA and CHN do not add up."""
    groups: dict[tuple[str, ...], list[ClaimRecord]] = {}
    for r in records:
        groups.setdefault(tuple(r.stance.focal), []).append(r)
    return groups


def stance_table(records: list[ClaimRecord], by: str, top: int) -> list[str]:
    """Claims per group and stance; the first column as wide as its longest key."""
    counts = stance_counts(records, by)
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    width = max([len(by), *(len(key) for key, _ in ranked[:top])]) + 2
    lines = [f"{by:<{width}}{'claims':>7}" + "".join(f"{s[:10]:>11}" for s in STANCES)]
    for key, c in ranked[:top]:
        lines.append(
            f"{key:<{width}}{sum(c.values()):>7}" + "".join(f"{c[s]:>11}" for s in STANCES)
        )
    if len(ranked) > top:
        lines.append(f"... {len(ranked) - top} more")
    return lines


def year_table(records: list[ClaimRecord], top: int) -> list[str]:
    """Stance by year (the last ``top`` years with claims), or nothing without years."""
    counts = stance_by_year(records)
    if not counts:
        return []
    shown = list(counts.items())[-top:]
    lines = ["", f"{'year':<8}{'claims':>7}" + "".join(f"{s[:10]:>11}" for s in STANCES)]
    for year, c in shown:
        lines.append(f"{year:<8}{sum(c.values()):>7}" + "".join(f"{c[s]:>11}" for s in STANCES))
    undated = len(records) - sum(sum(c.values()) for c in counts.values())
    if undated:
        lines.append(f"(no year: {count(undated, 'claim')})")
    return lines


def render(records: list[ClaimRecord], by: str = "actor", top: int = 15) -> str:
    """The summary as compact terminal tables (stance tables one per focal pair)."""
    lines = [
        f"{count(len(records), 'claim')} in {count(len({r.doc_id for r in records}), 'document')}"
    ]
    for focal, group in by_focal(records).items():
        documents = len({r.doc_id for r in group})
        lines += ["", f"stance toward {focal_label(focal)}: {count(len(group), 'claim')} in "
                  f"{count(documents, 'document')}"]  # fmt: skip
        lines += stance_table(group, by, top)
        lines += year_table(group, top)
    lines.append("")
    sources = Counter(r.source.kind for r in records if r.source)
    if sources:
        lines.append("source " + "  ".join(f"{k}: {sources[k]}" for k in SOURCE_KINDS))
    lines.append("")
    certainty = Counter(r.certainty.label for r in records)
    lines.append("certainty " + "  ".join(f"{c}: {certainty[c]}" for c in CERTAINTIES))
    bands = Counter(
        r.certainty.probability.term.lower() for r in records if r.certainty.probability
    )
    if bands:
        lines.append("estimative " + "  ".join(f"{t}: {n}" for t, n in bands.most_common()))
    relations = relation_counts(records).most_common(top)
    texts = [f"{source} -> {target} ({polarity})" for (source, target, polarity), _ in relations]
    width = max([len("top relations"), *map(len, texts)]) + 2
    lines += ["", f"{'top relations':<{width}}{'claims':>7}"]
    lines += [f"{text:<{width}}{n:>7}" for text, (_, n) in zip(texts, relations, strict=True)]
    return "\n".join(lines)


def plot_all(records: list[ClaimRecord], folder: Path) -> list[Path]:
    """Write network.png, stance_by_section.png, stance_over_time.png and certainty.png into
    ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    folder.mkdir(parents=True, exist_ok=True)
    return [
        plot_network(records, folder / "network.png"),
        plot_stance_by_section(records, folder / "stance_by_section.png"),
        plot_stance_over_time(records, folder / "stance_over_time.png"),
        plot_certainty(records, folder / "certainty.png"),
    ]


def short_name(name: str, limit: int = 22) -> str:
    """A label that fits: long names become their capitals' initials ("SCO")."""
    if len(name) <= limit:
        return name
    initials = "".join(w[0] for w in name.split() if w[:1].isupper())
    return initials if len(initials) >= 2 else name[: limit - 1] + "."


def network(records: list[ClaimRecord]):
    """The relations as a ``networkx.MultiDiGraph``: one edge per (source, target, polarity),
    keyed by polarity, with the number of relations as ``weight``; so a pair with both
    cooperative and hostile relations has both edges."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for (source, target, polarity), n in sorted(relation_counts(records).items()):
        g.add_edge(source, target, key=polarity, polarity=polarity, weight=n)
    return g


# Each polarity has its own curvature, so the four edges a pair can have (two directions,
# two polarities) are four distinct arcs.
POLARITY_RAD = {"cooperative": 0.1, "hostile": 0.28}


def edge_width(n: int) -> float:
    return 0.8 + 1.2 * n


def network_layout(g) -> tuple[dict, list[str]]:
    """The two most connected actors in the centre, the others on a ring around them."""
    import networkx as nx

    degree = dict(g.degree(weight="weight"))
    ranked = sorted(g, key=lambda n: (-degree[n], n))
    centre, ring = ranked[:2], sorted(ranked[2:])
    pos = nx.shell_layout(g, nlist=[centre, ring] if ring else [centre], scale=1.0)
    if len(centre) == 2:
        pos[centre[0]], pos[centre[1]] = (-0.3, 0.0), (0.3, 0.0)
    return pos, centre


def draw_network(ax, g, names: dict[str, str]) -> None:
    import networkx as nx

    pos, centre = network_layout(g)
    degree = dict(g.degree(weight="weight"))
    nodes = list(g)
    sizes = [300 + 60 * degree[n] for n in nodes]
    nx.draw_networkx_nodes(
        g, pos, ax=ax, nodelist=nodes, node_color="#dbe9f6", edgecolors="#4a6fa5",
        node_size=sizes,
    )  # fmt: skip
    for polarity, colour in POLARITY_COLOURS.items():
        edges = [(u, v, k) for u, v, k in g.edges(keys=True) if k == polarity]
        if not edges:
            continue
        widths = [edge_width(g.edges[e]["weight"]) for e in edges]
        nx.draw_networkx_edges(
            g, pos, ax=ax, edgelist=edges, edge_color=colour, arrows=True, width=widths,
            arrowsize=[10 + 1.5 * w for w in widths],
            connectionstyle=f"arc3,rad={POLARITY_RAD[polarity]}", nodelist=nodes,
            node_size=sizes, alpha=0.75,
        )  # fmt: skip
    for node, (x, y) in pos.items():
        offset = 0.0 if node in centre else 0.07 * (1 if y >= 0 else -1)
        ax.text(
            x * (1.08 if node not in centre else 1), y + offset, short_name(names.get(node, node)),
            ha="center", va="center", fontsize=10, fontweight="bold",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
        )  # fmt: skip


def network_figure(records: list[ClaimRecord]):
    """The signed actor network: the two most connected actors in the centre, the others
    on a ring; one curved edge per direction and polarity (cooperative and hostile
    relations of one pair both shown), coloured by polarity, width by number of relations,
    nodes labelled by name."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    g = network(records)
    fig, ax = plt.subplots(figsize=(12, 10), dpi=120)
    if g.number_of_nodes():
        draw_network(ax, g, {a.id: a.name for r in records for a in r.actors})
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.25, 1.25)
    handles = [Line2D([0], [0], color=c, lw=3, label=p) for p, c in POLARITY_COLOURS.items()]
    handles += [
        Line2D([0], [0], color="#777", lw=edge_width(n), label=count(n, "relation"))
        for n in (1, 5, 10)
    ]
    ax.legend(handles=handles, loc="lower left", title="relations (width = count)", handlelength=4)
    ax.set_title("Actor network: relations asserted in the claims", fontsize=14)
    ax.axis("off")
    fig.tight_layout()
    return fig


def plot_network(records: list[ClaimRecord], path: Path) -> Path:
    return save(network_figure(records), path)


def save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path)
    plt.close(fig)
    return path


def stance_by_section_figure(records: list[ClaimRecord]):
    """Horizontal stacked bars: stance labels per section, in document order; with several
    focal pairs, a section's bar per pair (stance toward different pairs does not add up)."""
    import matplotlib.pyplot as plt

    groups = by_focal(records)
    counts: dict[str, Counter] = {}
    first_seen: dict[str, tuple[int, str, int]] = {}
    for i, (focal, group) in enumerate(groups.items()):
        prefix = f"{'-'.join(focal) or '(none)'}: " if len(groups) > 1 else ""
        counts.update({prefix + k: c for k, c in stance_counts(group, "section").items()})
        for r in group:
            first_seen.setdefault(prefix + (r.section or "(none)"), (i, r.doc_id, r.start))
    sections = sorted(counts, key=lambda s: first_seen[s])
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.5 * max(1, len(sections))), dpi=120)
    left = [0] * len(sections)
    for stance in STANCES:
        values = [counts[s][stance] for s in sections]
        ax.barh(sections, values, left=left, color=STANCE_COLOURS[stance], label=stance)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("claims")
    toward = focal_label(next(iter(groups))) if len(groups) == 1 else "each focal pair"
    ax.set_title(f"Stance toward {toward}, by section (in document order)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def plot_stance_by_section(records: list[ClaimRecord], path: Path) -> Path:
    return save(stance_by_section_figure(records), path)


def stance_over_time_figure(records: list[ClaimRecord]):
    """Stance toward the focal pair over time: per year (the year a claim's content holds,
    else its document's), stacked bars of convergent, divergent and neutral claims, one
    panel per focal pair (stance toward different pairs does not add up); claims with no
    year are counted in the title."""
    import matplotlib.pyplot as plt

    groups = list(by_focal(records).items()) or [((), [])]
    fig, axes = plt.subplots(len(groups), 1, figsize=(10, 3.2 * len(groups) + 0.6), dpi=120,
                             squeeze=False)  # fmt: skip
    for ax, (focal, group) in zip(axes[:, 0], groups, strict=True):
        counts = stance_by_year(group)
        years = list(counts)
        bottom = [0] * len(years)
        for stance in STANCES:
            values = [counts[y][stance] for y in years]
            ax.bar(years, values, bottom=bottom, color=STANCE_COLOURS[stance], label=stance)
            bottom = [a + b for a, b in zip(bottom, values, strict=True)]
        undated = len(group) - sum(bottom)
        missing = f" ({count(undated, 'claim')} without a year)" if undated else ""
        ax.set_title(f"Stance toward {focal_label(focal)} over time{missing}")
        ax.set_ylabel("claims")
        ax.xaxis.get_major_locator().set_params(integer=True)
        if not years:
            ax.text(0.5, 0.5, "no claim has a year", ha="center", va="center",
                    transform=ax.transAxes)  # fmt: skip
    axes[0, 0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    axes[-1, 0].set_xlabel("year (the claim's time, else the document's date)")
    fig.tight_layout()
    return fig


def plot_stance_over_time(records: list[ClaimRecord], path: Path) -> Path:
    return save(stance_over_time_figure(records), path)


ICD_SCALE = (
    ("almost no chance", 0.01, 0.05),
    ("very unlikely", 0.05, 0.2),
    ("unlikely", 0.2, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.8),
    ("very likely", 0.8, 0.95),
    ("almost certain", 0.95, 0.99),
)


def certainty_figure(records: list[ClaimRecord]):
    """The certainty mix, and hedged claims placed on the ICD 203 probability scale; each
    bar labelled with its count, clear of the axis (a zero too)."""
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
    left.bar_label(bars, padding=3)
    left.margins(y=0.12)
    left.set_title("Certainty of claims")
    left.set_ylabel("claims")
    names = [f"{term} ({low:.2f}-{high:.2f})" for term, low, high in ICD_SCALE]
    values = [bands[(low, high)] for _, low, high in ICD_SCALE]
    bars = right.barh(names, values, color="#e6ab02")
    right.bar_label(bars, padding=6)
    right.set_xlim(0, max([*values, 1]) * 1.12)
    right.invert_yaxis()
    right.set_title("Estimative language on the ICD 203 scale")
    right.set_xlabel("claims")
    fig.tight_layout()
    return fig


def plot_certainty(records: list[ClaimRecord], path: Path) -> Path:
    return save(certainty_figure(records), path)
