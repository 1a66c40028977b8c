"""`claims summary`: stance tables per focal pair, full IDs, and the figures it draws."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from pipeline.export.summary import (
    POLARITY_COLOURS,
    plot_certainty,
    plot_network,
    relation_counts,
    render,
)
from pipeline.export.tables import load_records
from pipeline.models import ActorRecord
from tests.test_export import seed_records_file


@pytest.fixture
def seed(tmp_path):
    return load_records(seed_records_file(tmp_path))


@pytest.fixture
def drawn(monkeypatch):
    """The figure a plot function saves (kept open for inspection)."""
    from matplotlib.figure import Figure

    figures = []
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: figures.append(fig))
    yield figures
    import matplotlib.pyplot as plt

    plt.close("all")


def table(output: str, title_start: str) -> dict[str, list[int]]:
    """The rows of the stance table under the heading starting with ``title_start``."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title_start)) + 2
    rows = {}
    for line in lines[start:]:
        if not line.strip() or line.startswith(("...", "stance toward")):
            break
        key, *numbers = line.split()
        rows[key] = [int(n) for n in numbers]
    return rows


def test_summary_stance_is_tabled_per_focal_pair(seed):
    other = [
        r.model_copy(
            update={
                "doc_id": "other",
                "claim_id": r.claim_id + "x",
                "stance": r.stance.model_copy(update={"focal": ["USA", "TUR"]}),
            }
        )
        for r in seed[:10]
    ]
    output = render(seed + other, by="actor", top=50)
    alone = table(render(seed, by="actor", top=50), "stance toward RUS and IRN")
    assert table(output, "stance toward RUS and IRN: 68 claims in 1 document") == alone
    expected = Counter(a.id for r in seed[:10] for a in r.actors)
    rows = table(output, "stance toward USA and TUR: 10 claims in 1 document")
    assert {key: row[0] for key, row in rows.items()} == dict(expected)


@pytest.mark.parametrize("by", ["actor", "region", "section"])
def test_summary_long_ids_are_shown_whole(seed, by):
    long_id = "person:kassym-jomart-tokayev"
    first = next(r for r in seed if r.regions)
    record = first.model_copy(
        update={
            "actors": [
                *first.actors,
                ActorRecord(
                    id=long_id,
                    type="person",
                    name="Kassym-Jomart Tokayev",
                    country="KAZ",
                    mentions=[],
                ),
            ],
            "regions": [first.regions[0].model_copy(update={"id": "region:" + "x" * 40})],
            "section": "A section heading that is much longer than the column",
        }
    )
    output = render([record, *(r for r in seed if r is not first)], by=by, top=100)
    key = {"actor": long_id, "region": "region:" + "x" * 40}.get(by, record.section)
    line = next(line for line in output.splitlines() if line.startswith(key))
    assert line[len(key)] == " "  # the key whole, then the counts
    assert int(line[len(key) :].split()[0]) >= 1


def test_summary_network_draws_both_polarities_with_width_by_count(seed, tmp_path, drawn):
    from matplotlib.colors import to_rgb
    from matplotlib.patches import FancyArrowPatch

    counts = relation_counts(seed)
    assert counts["IRN", "RUS", "cooperative"] and counts["IRN", "RUS", "hostile"]
    plot_network(seed, tmp_path / "network.png")
    arrows = [p for p in drawn[0].axes[0].patches if isinstance(p, FancyArrowPatch)]
    for polarity, colour in POLARITY_COLOURS.items():
        widths = [a.get_linewidth() for a in arrows if a.get_edgecolor()[:3] == to_rgb(colour)]
        wanted = [n for (_, _, p), n in counts.items() if p == polarity]
        assert len(widths) == len(wanted), polarity  # one arrow per source, target, polarity
        # width grows with the number of relations: equal counts, equal widths
        pairs = list(zip(sorted(wanted), sorted(widths), strict=True))
        for (n1, w1), (n2, w2) in pairwise(pairs):
            assert w1 < w2 if n1 < n2 else w1 == w2, (n1, w1, n2, w2)


def test_summary_certainty_counts_clear_the_axes(seed, tmp_path, drawn):
    hedged = [r for r in seed if r.certainty.probability]
    assert hedged  # the seed has 'likely' claims; every other band is 0 and labelled so
    plot_certainty(seed, tmp_path / "certainty.png")
    fig = drawn[0]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    vertical, horizontal = fig.axes
    bottom = vertical.spines["bottom"].get_window_extent(renderer)
    left = horizontal.spines["left"].get_window_extent(renderer)
    labels = {ax: [t for t in ax.texts if t.get_text().isdigit()] for ax in fig.axes}
    assert "0" in [t.get_text() for t in labels[horizontal]]
    for text in labels[vertical]:
        assert text.get_window_extent(renderer).y0 > bottom.y1 + 1, text.get_text()
    for text in labels[horizontal]:
        assert text.get_window_extent(renderer).x0 > left.x1 + 2, text.get_text()
    for ax in fig.axes:  # and inside the plot, not over its frame
        box = ax.get_window_extent(renderer)
        for text in labels[ax]:
            extent = text.get_window_extent(renderer)
            assert extent.x1 < box.x1 and extent.y1 < box.y1, text.get_text()


def test_summary_plot_writes_four_figures(seed, tmp_path):
    from pipeline.export.summary import plot_all

    paths = plot_all(seed, tmp_path / "figures")
    assert [p.name for p in paths] == [
        "network.png",
        "stance_by_section.png",
        "stance_over_time.png",
        "certainty.png",
    ]
    assert all(Path(p).read_bytes()[:4] == b"\x89PNG" for p in paths)


def test_summary_stance_figure_keeps_focal_pairs_apart(seed, tmp_path, drawn):
    from pipeline.export.summary import plot_stance_by_section

    other = [
        r.model_copy(
            update={
                "doc_id": "other",
                "stance": r.stance.model_copy(update={"focal": ["USA", "TUR"]}),
            }
        )
        for r in seed
        if r.section == "Syria"
    ]
    plot_stance_by_section(seed + other, tmp_path / "stance.png")
    ax = drawn[0].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "RUS-IRN: Syria" in labels and "USA-TUR: Syria" in labels
    totals = Counter()
    for bar in ax.patches:  # stacked bars: one per label and stance
        totals[labels[round(bar.get_y() + bar.get_height() / 2)]] += bar.get_width()
    syria = sum(1 for r in seed if r.section == "Syria")
    assert totals["RUS-IRN: Syria"] == totals["USA-TUR: Syria"] == syria
