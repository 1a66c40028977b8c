"""The review report: one self-contained HTML file (no network, no external assets).

The article as written, with claim spans coloured by stance, actor and region mentions
marked with their IDs (on hover), certainty cues underlined and lead-in sections shown;
beside it one row per claim. With a gold set: the evaluation scores at the top and, per
claim, what differs from gold, with a filter to show only disagreements. Everything from
the article is escaped, so an article containing markup shows as text and runs nothing.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files

from ..documents import SourceDocument
from ..evaluate import ClaimView, differences, evaluate, match_claims
from ..gazetteer import load_gazetteer
from ..gold import GoldSet
from ..records import ClaimRecord

SCRIPT = """
document.getElementById('only-diff')?.addEventListener('change', e => {
  document.body.classList.toggle('only-disagreements', e.target.checked);
});
"""


def attr(value: str) -> str:
    return escape(value, quote=True)


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def scores_html(report: dict) -> str:
    """The evaluation figures as two small tables (the numbers `claims evaluate` prints)."""
    rows = [
        ("claims (lenient)", report["claims"]["lenient"]),
        ("claims (strict)", report["claims"]["strict"]),
        ("actors", report["actors"]),
        ("actors, states", report["actors"]["states"]),
        ("regions", report["regions"]),
        ("regions, parents", report["regions"]["parents"]),
        ("relations", report["relations"]),
    ]
    prf = "".join(
        f"<tr><td>{name}</td><td>{fmt(s['p'])}</td><td>{fmt(s['r'])}</td><td>{fmt(s['f'])}</td></tr>"
        for name, s in rows
    )
    labels = "".join(
        f"<tr><td>{name}</td><td>{fmt(report[name]['accuracy'])}</td>"
        f"<td>{fmt(report[name]['macro_f1'])}</td><td>{fmt(report[name]['kappa'])}</td></tr>"
        for name in ("stance", "certainty")
    )
    counts = report["counts"]
    return (
        '<div class="scores"><table id="scores"><tr><th></th><th>P</th><th>R</th><th>F</th></tr>'
        f"{prf}</table><table><tr><th></th><th>accuracy</th><th>macro-F1</th><th>kappa</th></tr>"
        f"{labels}<tr><td>section</td><td>{fmt(report['section_accuracy'])}</td>"
        f'<td></td><td></td></tr></table><p class="meta">{counts["gold"]} gold claims, '
        f"{counts['pred']} predicted, {counts['matched']} matched</p></div>"
    )


def inline_marks(record: ClaimRecord) -> list[tuple[int, int, str, str]]:
    """Non-overlapping (start, end, class, title) marks inside a claim: mentions, cues."""
    by_span: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for actor in record.actors:
        for m in actor.mentions:
            by_span.setdefault((m.start, m.end), []).append(
                ("actor", f"{actor.id} ({actor.name}, {m.resolved_by})")
            )
    for region in record.regions:
        for m in region.mentions:
            by_span.setdefault((m.start, m.end), []).append(
                ("region", f"{region.id} ({region.name})")
            )
    for c in record.candidates:
        by_span.setdefault((c.start, c.end), []).append(("candidate", f"unlinked {c.label}"))
    for cue in record.certainty.cues:
        by_span.setdefault((cue.start, cue.end), []).append(
            ("cue", f"{record.certainty.label} cue")
        )
    marks, last_end = [], -1
    for (start, end), items in sorted(by_span.items()):
        if start < last_end or start < record.start or end > record.end:
            continue
        classes = " ".join(sorted({kind for kind, _ in items}))
        marks.append((start, end, classes, "; ".join(title for _, title in items)))
        last_end = end
    return marks


def article_html(text: str, records: list[ClaimRecord], disagree: set[str]) -> str:
    """The article with claims, mentions, cues and lead-in topics marked up, all escaped."""
    out, pos = [], 0
    topics = set()
    for r in records:  # a section's topic stands before its first claim, on the same line
        if r.section:
            line_start = text.rfind("\n", 0, r.start) + 1
            at = text.find(r.section, line_start, r.start)
            if at >= 0:
                topics.add((at, at + len(r.section)))
    events = sorted([(s, e, "topic") for s, e in topics] + [(r.start, r.end, r) for r in records],
                    key=lambda x: x[0])  # fmt: skip
    for start, end, what in events:
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        if what == "topic":
            out.append(f'<span class="topic">{escape(text[start:end])}</span>')
        else:
            out.append(claim_html(text, what, what.claim_id in disagree))
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def claim_html(text: str, record: ClaimRecord, disagree: bool) -> str:
    title = f"{record.stance.label}, {record.certainty.label}"
    classes = f"claim s-{record.stance.label}" + (" disagree" if disagree else "")
    parts, pos = [], record.start
    for start, end, kind, tip in inline_marks(record):
        parts.append(escape(text[pos:start]))
        parts.append(f'<span class="{kind}" title="{attr(tip)}">{escape(text[start:end])}</span>')
        pos = end
    parts.append(escape(text[pos : record.end]))
    return (
        f'<mark class="{classes}" id="{attr(record.claim_id)}" title="{attr(title)}">'
        f"{''.join(parts)}</mark>"
    )


def ids_html(ids: list[str]) -> str:
    return " ".join(f'<span class="id">{escape(i)}</span>' for i in ids)


def claim_row(n: int, r: ClaimRecord, diffs: list[dict], kind: str) -> str:
    band = r.certainty.probability
    certainty = r.certainty.label + (
        f" ({band.term}: {band.low:.2f}-{band.high:.2f})" if band else ""
    )
    relations = "<br>".join(
        escape(f"{rel.source} -> {rel.target} ({rel.polarity})") for rel in r.relations
    )
    notes = "".join(f'<div class="diff">{escape(diff_text(d))}</div>' for d in diffs)
    if kind == "extra":
        notes = '<div class="diff">extra: no gold claim here</div>'
    status = "agree" if kind == "matched" and not diffs else "disagree"
    gold_cell = f"<td>{notes or '<span class=ok>as gold</span>'}</td>" if kind != "plain" else ""
    return (
        f'<tr class="{status} {kind}"><td>{n}</td><td><a href="#{attr(r.claim_id)}">'
        f"{escape(r.text)}</a></td><td>{escape(r.section or '')}</td>"
        f"<td>{ids_html([a.id for a in r.actors])}</td>"
        f"<td>{ids_html([g.id for g in r.regions])}</td>"
        f"<td>{escape(r.stance.label)}</td><td>{escape(certainty)}</td><td>{relations}</td>"
        f"{gold_cell}</tr>"
    )


def item_text(item) -> str:
    """An ID, or a relation triple as "RUS -> SYR (cooperative)"."""
    if isinstance(item, (tuple, list)):
        return f"{item[0]} -> {item[1]} ({item[2]})"
    return str(item)


def diff_text(d: dict) -> str:
    if "missing" in d:
        missing = ", ".join(map(item_text, d["missing"])) or "-"
        extra = ", ".join(map(item_text, d["extra"])) or "-"
        return f"{d['field']}: missing {missing}; extra {extra}"
    return f"{d['field']}: gold {d['gold']!r}, predicted {d['pred']!r}"


def build_report(
    sources: list[SourceDocument],
    records: dict[str, list[ClaimRecord]],
    gold: GoldSet | None = None,
) -> str:
    """The whole report as one HTML string."""
    gazetteer = load_gazetteer()
    header = ["<h1>Claims review</h1>"]
    first = next((r for rs in records.values() for r in rs), None)
    if first is not None:
        p = first.provenance
        header.append(
            f'<p class="meta">claims {escape(p.pipeline_version)}, model '
            f"{escape(p.model_name)} {escape(p.model_version)}</p>"
        )
    header.append(
        '<p class="legend"><span><mark class="claim s-convergent">convergent</mark></span>'
        '<span><mark class="claim s-divergent">divergent</mark></span>'
        '<span><mark class="claim s-neutral">neutral</mark></span>'
        '<span class="actor">actor</span> <span class="region">region</span> '
        '<span class="cue">certainty cue</span> <span class="candidate">unlinked entity</span></p>'
    )
    matched: dict[str, str] = {}
    if gold is not None:
        for source in sources:
            found = gold.find(source.doc_id, source.sha256)
            if found:
                matched[source.doc_id] = found
        views = [
            ClaimView.from_record(r.model_copy(update={"doc_id": matched[d]}))
            for d, rs in records.items()
            if d in matched
            for r in rs
        ]
        subset = GoldSet(
            folder=gold.folder,
            documents={k: v for k, v in gold.documents.items() if k in matched.values()},
            texts=gold.texts,
            claims=[c for c in gold.claims if c.doc_id in matched.values()],
        )
        header.append(scores_html(evaluate(subset, views, gazetteer)))
        header.append(
            '<label><input type="checkbox" id="only-diff"> show only disagreements</label>'
        )
        diff_rows = differences(subset, views)
    sections = []
    for source in sources:
        recs = records.get(source.doc_id, [])
        gold_id = matched.get(source.doc_id)
        by_start: dict[int, list[dict]] = {}
        missed: list[dict] = []
        if gold_id:
            for d in diff_rows:
                if d["doc_id"] != gold_id:
                    continue
                if d["kind"] == "missed":
                    missed.append(d)
                elif d["kind"] == "wrong":
                    by_start.setdefault(d["start"], []).append(d)
        rows, disagree = [], set()
        gold_of: dict[int, int] = {}  # index of a predicted claim -> start of its gold claim
        if gold_id:
            gold_views = [ClaimView.from_gold(c) for c in gold.claims_of(gold_id)]
            pred_views = [
                ClaimView.from_record(r.model_copy(update={"doc_id": gold_id})) for r in recs
            ]
            for gi, pi in match_claims(gold_views, pred_views):
                gold_of[pi] = gold_views[gi].start
        for n, r in enumerate(recs, 1):
            if not gold_id:
                rows.append(claim_row(n, r, [], "plain"))
                continue
            if n - 1 not in gold_of:
                kind, diffs = "extra", []
            else:
                kind, diffs = "matched", by_start.get(gold_of[n - 1], [])
            if kind == "extra" or diffs:
                disagree.add(r.claim_id)
            rows.append(claim_row(n, r, diffs, kind))
        for d in missed:
            rows.append(
                f'<tr class="disagree missed"><td>-</td><td>{escape(d["text"])}</td>'
                '<td colspan="6"></td><td><div class="diff">missed: a gold claim the pipeline did '
                "not find</div></td></tr>"
            )
        gold_head = "<th>versus gold</th>" if gold_id else ""
        title = source.title or source.doc_id
        focal = ", ".join(recs[0].stance.focal) if recs else ""
        sections.append(
            f'<section class="doc" id="doc-{attr(source.doc_id)}"><div><h2>{escape(title)}</h2>'
            f'<p class="meta">{escape(source.doc_id)}; focal pair: {escape(focal)}; '
            f"{len(recs)} claims</p>"
            f'<div class="article">{article_html(source.text, recs, disagree)}</div></div>'
            '<div><table class="claims"><tr><th>#</th><th>claim</th><th>section</th><th>actors</th>'
            f"<th>regions</th><th>stance</th><th>certainty</th><th>relations</th>{gold_head}</tr>"
            f"{''.join(rows)}</table></div></section>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<title>Claims review</title><style>"
        + files("pipeline.review").joinpath("static/report.css").read_text("utf-8")
        + "</style></head><body><header>"
        + "".join(header)
        + "</header>"
        + "".join(sections)
        + "<script>"
        + SCRIPT
        + "</script></body></html>\n"
    )
