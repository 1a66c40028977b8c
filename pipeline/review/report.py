"""The review report: one self-contained HTML file (no network, no external assets).

The article as written, with claim spans coloured by stance, actor and region mentions
marked with their IDs (on hover), certainty cues underlined and lead-in sections shown;
beside it one row per claim. With a gold set: the evaluation scores at the top and, per
claim, what differs from gold, with a filter to show only disagreements; a document the
gold set does not hold says so instead of showing scores. Everything from the article is
escaped, so an article containing markup shows as text and runs nothing; bidirectional
control characters are shown as ``<U+202E>`` instead of reordering the text; a Content
Security Policy lets only the report's own script and style run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from importlib.resources import files

from .. import errors
from ..corpus.documents import SourceDocument
from ..evaluation.gold import GoldSet
from ..evaluation.render import figure
from ..evaluation.scoring import ClaimView, differences, evaluate, match_claims
from ..gazetteer import load_gazetteer
from ..models import ClaimRecord
from .csp import csp_hash

SCRIPT = """
document.getElementById('only-diff')?.addEventListener('change', e => {
  document.body.classList.toggle('only-disagreements', e.target.checked);
});
"""

# Bidirectional controls (embeddings, overrides, isolates, marks): raw, they reorder the
# text around them, so a claim or an ID could read differently from what it is.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NA = '<span class="na" title="n/a: nothing to score">\u2013</span>'


def codepoint(match: re.Match) -> str:
    return f"&lt;U+{ord(match.group()):04X}&gt;"


def show(value: str) -> str:
    """Text for an element: escaped, bidi controls shown as a visible ``<U+202E>``."""
    return BIDI.sub(lambda m: f'<span class="ctl">{codepoint(m)}</span>', escape(value))


def breakable(actor_id: str) -> str:
    """An ID that may wrap after its ':' and '-' ("region:" "central-" "asia"), not inside
    a word."""
    return re.sub("([:-])", r"\1<wbr>", show(actor_id))


def attr(value: str) -> str:
    """Text for an attribute value: escaped (quotes too), bidi controls spelled out."""
    return BIDI.sub(codepoint, escape(value, quote=True))


def fmt(value: float | None) -> str:
    return NA if value is None else f"{value:.3f}"


def scores_html(report: dict) -> str:
    """The evaluation figures as two small tables (the numbers `claims evaluate` prints)."""
    rows = [
        ("claims (lenient)", report["claims"]["lenient"]),
        ("claims (strict)", report["claims"]["strict"]),
        ("actors", report["actors"]),
        ("actors, states", report["actors"].get("states")),
        ("regions", report["regions"]),
        ("regions, parents", report["regions"].get("parents")),
        ("relations", report["relations"]),
    ]
    prf = "".join(
        f"<tr><td>{name}</td>" + "".join(f"<td>{fmt(figure(s, k))}</td>" for k in "prf") + "</tr>"
        for name, s in rows
    )
    labels = "".join(
        f"<tr><td>{name}</td>"
        + "".join(
            f"<td>{fmt(figure(report[name], k))}</td>" for k in ("accuracy", "macro_f1", "kappa")
        )
        + "</tr>"
        for name in ("stance", "certainty")
    )
    counts = report["counts"]
    return (
        '<div class="scores"><table id="scores"><tr><th></th><th>P</th><th>R</th><th>F</th></tr>'
        f"{prf}</table><table><tr><th></th><th>accuracy</th><th>macro-F1</th><th>kappa</th></tr>"
        f"{labels}<tr><td>section</td><td>{fmt(report.get('section_accuracy'))}</td>"
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
        out.append(show(text[pos:start]))
        if what == "topic":
            out.append(f'<span class="topic">{show(text[start:end])}</span>')
        else:
            out.append(claim_html(text, what, what.claim_id in disagree))
        pos = end
    out.append(show(text[pos:]))
    return "".join(out)


def claim_html(text: str, record: ClaimRecord, disagree: bool) -> str:
    title = f"{record.stance.label}, {record.certainty.label}"
    classes = f"claim s-{record.stance.label}" + (" disagree" if disagree else "")
    parts, pos = [], record.start
    for start, end, kind, tip in inline_marks(record):
        parts.append(show(text[pos:start]))
        parts.append(f'<span class="{kind}" title="{attr(tip)}">{show(text[start:end])}</span>')
        pos = end
    parts.append(show(text[pos : record.end]))
    return (
        f'<mark class="{classes}" id="{attr(record.claim_id)}" title="{attr(title)}">'
        f"{''.join(parts)}</mark>"
    )


def ids_html(ids: list[str], kind: str) -> str:
    if not ids:
        return ""
    chips = " ".join(f'<span class="id">{breakable(i)}</span>' for i in ids)
    return f'<div class="ids {kind}s" title="{kind}s">{chips}</div>'


def claim_row(n: int, r: ClaimRecord, diffs: list[dict], kind: str) -> str:
    """One claim of the table: text (under its section), labels, IDs, relations, and for a
    document with gold ("matched" or "extra"), what differs from gold."""
    band = r.certainty.probability
    certainty = r.certainty.label + (
        f" ({band.term}: {band.low:.2f}-{band.high:.2f})" if band else ""
    )
    relations = "".join(
        f'<div class="{rel.polarity}">{show(item_text((rel.source, rel.target, rel.polarity)))}'
        "</div>"
        for rel in r.relations
    )
    notes = "".join(f'<div class="diff">{show(diff_text(d))}</div>' for d in diffs)
    if kind == "extra":
        notes = '<div class="diff">extra: no gold claim here</div>'
    status = "agree" if kind == "matched" and not diffs else "disagree"
    gold_cell = f"<td>{notes or '<span class=ok>as gold</span>'}</td>" if kind != "plain" else ""
    section = f'<div class="section">{show(r.section)}</div>' if r.section else ""
    return (
        f'<tr class="{status} {kind}"><td>{n}</td><td>{section}<a href="#{attr(r.claim_id)}">'
        f"{show(r.text)}</a></td>"
        f'<td><span class="stance s-{r.stance.label}">{show(r.stance.label)}</span>'
        f'<div class="certainty">{show(certainty)}</div></td>'
        f"<td>{ids_html([a.id for a in r.actors], 'actor')}"
        f"{ids_html([g.id for g in r.regions], 'region')}</td>"
        f'<td class="relations">{relations}</td>{gold_cell}</tr>'
    )


def missed_row(d: dict) -> str:
    return (
        f'<tr class="disagree missed"><td>\u2013</td><td>{show(d["text"])}</td>'
        '<td colspan="3"></td><td><div class="diff">missed: a gold claim the pipeline did '
        "not find</div></td></tr>"
    )


def item_text(item) -> str:
    """An ID, or a relation triple as "RUS -> SYR (cooperative)"."""
    if isinstance(item, (tuple, list)):
        return f"{item[0]} -> {item[1]} ({item[2]})"
    return str(item)


def diff_text(d: dict) -> str:
    """A wrong field: "actors: missing RUS; extra USA" (an empty side left out), or
    "stance: gold 'neutral', predicted 'convergent'"."""
    if "missing" in d:
        parts = [
            f"{side} {', '.join(map(item_text, d[side]))}"
            for side in ("missing", "extra")
            if d[side]
        ]
        return f"{d['field']}: {'; '.join(parts) or 'differs'}"
    return f"{d['field']}: gold {d['gold']!r}, predicted {d['pred']!r}"


@dataclass
class GoldContext:
    """The gold side of a report: which input documents have gold, and every difference."""

    gold: GoldSet
    matched: dict[str, str] = field(default_factory=dict)  # input doc_id -> gold doc_id
    diffs: list[dict] = field(default_factory=list)


def gold_matches(sources: list[SourceDocument], gold: GoldSet) -> dict[str, str]:
    """Input doc_id -> gold doc_id, for the documents the gold set holds (same doc_id or
    same text); the others have no gold."""
    matched = {}
    for source in sources:
        found = gold.find(source.doc_id, source.sha256)
        if found:
            matched[source.doc_id] = found
    return matched


def gold_header(
    sources: list[SourceDocument], records: dict[str, list[ClaimRecord]], gold: GoldSet
) -> tuple[str, GoldContext]:
    """The scores over the documents with gold (or a note that none has gold), the filter,
    and the context the document sections need."""
    context = GoldContext(gold, gold_matches(sources, gold))
    if not context.matched:
        what = "this document" if len(sources) == 1 else "these documents"
        note = errors.NO_GOLD_FOR_DOCUMENT.replace("this document", what)
        return (
            f'<p class="no-gold" id="no-gold">{show(note)} in {show(str(gold.folder))}</p>',
            context,
        )
    wanted = set(context.matched.values())
    views = [
        ClaimView.from_record(r.model_copy(update={"doc_id": context.matched[d]}))
        for d, rs in records.items()
        if d in context.matched
        for r in rs
    ]
    subset = GoldSet(
        folder=gold.folder,
        documents={k: v for k, v in gold.documents.items() if k in wanted},
        texts=gold.texts,
        claims=[c for c in gold.claims if c.doc_id in wanted],
    )
    context.diffs = differences(subset, views)
    parts = [scores_html(evaluate(subset, views, load_gazetteer()))]
    missing = len(sources) - len(context.matched)
    if missing:
        parts.append(
            f'<p class="meta no-gold">scores over the {len(context.matched)} documents with '
            f"gold; {errors.NO_GOLD_FOR_DOCUMENT} for {missing} more (marked below)</p>"
        )
    parts.append('<label><input type="checkbox" id="only-diff"> show only disagreements</label>')
    return "".join(parts), context


def gold_rows(recs: list[ClaimRecord], context: GoldContext, gold_id: str) -> tuple[list, set]:
    """Table rows of a document with gold: each claim with what differs, then the missed."""
    by_start: dict[int, list[dict]] = {}
    missed = [d for d in context.diffs if d["doc_id"] == gold_id and d["kind"] == "missed"]
    for d in context.diffs:
        if d["doc_id"] == gold_id and d["kind"] == "wrong":
            by_start.setdefault(d["start"], []).append(d)
    gold_views = [ClaimView.from_gold(c) for c in context.gold.claims_of(gold_id)]
    pred_views = [ClaimView.from_record(r.model_copy(update={"doc_id": gold_id})) for r in recs]
    gold_of = {pi: gold_views[gi].start for gi, pi in match_claims(gold_views, pred_views)}
    rows, disagree = [], set()
    for i, r in enumerate(recs):
        kind, diffs = ("matched", by_start.get(gold_of[i], [])) if i in gold_of else ("extra", [])
        if kind == "extra" or diffs:
            disagree.add(r.claim_id)
        rows.append(claim_row(i + 1, r, diffs, kind))
    return rows + [missed_row(d) for d in missed], disagree


COLUMNS = ("n", "claim", "labels", "ids", "relations")


def document_html(source: SourceDocument, recs: list[ClaimRecord], context: GoldContext | None):
    """One document: its article beside its claim table."""
    gold_id = context.matched.get(source.doc_id) if context else None
    if gold_id:
        rows, disagree = gold_rows(recs, context, gold_id)
    else:
        rows, disagree = [claim_row(n, r, [], "plain") for n, r in enumerate(recs, 1)], set()
    columns = COLUMNS + (("gold",) if gold_id else ())
    gold_head = "<th>versus gold</th>" if gold_id else ""
    focal = ", ".join(recs[0].stance.focal) if recs else ""
    no_gold = ""
    if context and not gold_id:
        no_gold = f'; <span class="no-gold">{errors.NO_GOLD_FOR_DOCUMENT}</span>'
    return (
        f'<section class="doc" id="doc-{attr(source.doc_id)}"><div class="article-pane">'
        f"<h2>{show(source.title or source.doc_id)}</h2>"
        f'<p class="meta">{show(source.doc_id)}; focal pair: {show(focal)}; '
        f"{len(recs)} claims{no_gold}</p>"
        f'<div class="article">{article_html(source.text, recs, disagree)}</div></div>'
        '<div class="claims-pane"><table class="claims"><colgroup>'
        + "".join(f'<col class="c-{c}">' for c in columns)
        + "</colgroup><tr><th>#</th><th>claim</th><th>stance, certainty</th>"
        f"<th>actors, regions</th><th>relations</th>{gold_head}</tr>"
        f"{''.join(rows)}</table></div></section>"
    )


LEGEND = (
    '<p class="legend"><span><mark class="claim s-convergent">convergent</mark></span>'
    '<span><mark class="claim s-divergent">divergent</mark></span>'
    '<span><mark class="claim s-neutral">neutral</mark></span>'
    '<span class="actor">actor</span> <span class="region">region</span> '
    '<span class="cue">certainty cue</span> <span class="candidate">unlinked entity</span></p>'
)


def header_html(records: dict[str, list[ClaimRecord]]) -> list[str]:
    header = ["<h1>Claims review</h1>"]
    first = next((r for rs in records.values() for r in rs), None)
    if first is not None:
        p = first.provenance
        header.append(
            f'<p class="meta">claims {show(p.pipeline_version)}, model '
            f"{show(p.model_name)} {show(p.model_version)}</p>"
        )
    return [*header, LEGEND]


def page(body: str) -> str:
    """The HTML page around ``body``, with the report's style and script allowed by hash
    and nothing else (no network, no other script, no plugins, no forms, no base URL)."""
    css = files("pipeline.review").joinpath("static/report.css").read_text("utf-8")
    policy = (
        f"default-src 'none'; script-src {csp_hash(SCRIPT)}; style-src {csp_hash(css)}; "
        "base-uri 'none'; form-action 'none'"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Claims review</title><style>{css}</style></head><body>{body}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def build_report(
    sources: list[SourceDocument],
    records: dict[str, list[ClaimRecord]],
    gold: GoldSet | None = None,
) -> str:
    """The whole report as one HTML string."""
    header = header_html(records)
    context = None
    if gold is not None:
        block, context = gold_header(sources, records, gold)
        header.append(block)
    sections = [document_html(s, records.get(s.doc_id, []), context) for s in sources]
    return page("<header>" + "".join(header) + "</header>" + "".join(sections))
