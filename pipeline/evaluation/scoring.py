"""Scoring predicted claims against a gold set (annotation spec, "Scoring").

Claims are matched one-to-one per document, best overlap first: leniently when the spans
overlap by at least half of the longer span, strictly when the spans are identical. Fields
are compared over the lenient pairs. P/R/F come from spaCy's ``PRFScore``; accuracy,
macro-F1, Cohen's kappa and confusion matrices from scikit-learn (imported when first
used: the trained components import this module, and scikit-learn would otherwise cost
every start of the pipeline about a second).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.scorer import PRFScore

from .. import errors
from ..gazetteer import Gazetteer
from ..io import iter_jsonl, parse
from ..models import CERTAINTIES, STANCES, ClaimRecord, GoldClaim
from .gold import GoldSet, check_span, with_text

LABEL_FIELDS = {"stance": STANCES, "certainty": CERTAINTIES}
SET_FIELDS = ("actors", "regions", "relations")
OPTIONAL_FIELDS = ("source", "time")  # scored where gold has them (spec, "Source and time")


@dataclass(frozen=True)
class ClaimView:
    """What scoring compares: a claim's span and its label sets, from gold or a record."""

    doc_id: str
    start: int
    end: int
    text: str
    section: str | None
    actors: frozenset[str]
    regions: frozenset[str]
    stance: str
    certainty: str
    relations: frozenset[tuple[str, str, str]]
    source: tuple[str, str | None] | None = None  # (kind, actor)
    time: tuple[str, str | None, str | None] | None = None  # (relative, start, end)

    @classmethod
    def from_gold(cls, claim: GoldClaim) -> ClaimView:
        return cls(
            doc_id=claim.doc_id,
            start=claim.start,
            end=claim.end,
            text=claim.text,
            section=claim.section,
            actors=frozenset(claim.actors),
            regions=frozenset(claim.regions),
            stance=claim.stance,
            certainty=claim.certainty,
            relations=frozenset((r.source, r.target, r.polarity) for r in claim.relations),
            source=source_key(claim.source),
            time=time_key(claim.time),
        )

    @classmethod
    def from_record(cls, record: ClaimRecord) -> ClaimView:
        return cls(
            doc_id=record.doc_id,
            start=record.start,
            end=record.end,
            text=record.text,
            section=record.section,
            actors=frozenset(a.id for a in record.actors),
            regions=frozenset(r.id for r in record.regions),
            stance=record.stance.label,
            certainty=record.certainty.label,
            relations=frozenset((r.source, r.target, r.polarity) for r in record.relations),
            source=source_key(record.source),
            time=time_key(record.time),
        )


def source_key(source) -> tuple[str, str | None] | None:
    """(kind, actor) of a gold or predicted source, as the two are compared."""
    return (source.kind, source.actor) if source else None


def time_key(time) -> tuple[str, str | None, str | None] | None:
    """(relative, start, end) of a gold or predicted time, as the two are compared."""
    return (time.relative, time.start, time.end) if time else None


@dataclass
class Predictions:
    """Predicted claims paired with gold documents, and what did not pair."""

    views: list[ClaimView]
    unpaired: list[str]  # doc_ids of predictions for documents not in the gold set
    unpredicted: list[str]  # gold documents no prediction pairs with

    def warnings(self) -> list[str]:
        """One line per kind of document that was left out of the scores."""
        out = []
        if self.unpaired:
            out.append(errors.UNPAIRED_PREDICTIONS.format(ids=errors.shown(self.unpaired)))
        if self.unpredicted:
            out.append(errors.UNPREDICTED_GOLD.format(ids=errors.shown(self.unpredicted)))
        return out


def record_view(record: ClaimRecord, gold: GoldSet, index: dict | None = None) -> ClaimView:
    """A record's view, its doc_id replaced by the gold document with the same text
    (sha256) or, failing that, the same doc_id (``index``: ``gold.sha_index()``)."""
    view = ClaimView.from_record(record)
    found = gold.find(record.doc_id, record.provenance.doc_sha256, index)
    return dataclasses.replace(view, doc_id=found) if found else view


def gold_view(claim: GoldClaim, gold: GoldSet, path: Path, line: int) -> ClaimView:
    """A gold-format prediction's view (paired by doc_id), its text filled in."""
    if claim.doc_id in gold.texts:
        claim = with_text(claim, gold.texts[claim.doc_id], path, line)
    return ClaimView.from_gold(claim)


def load_predictions(path: str | Path, gold: GoldSet) -> Predictions:
    """Read predicted claims (claim records of ``claims run``, or gold-format lines) and
    pair them with ``gold``'s documents; offsets of paired claims are checked against
    the gold text. Raises when no prediction pairs with any gold document."""
    path = Path(path)
    views = []
    index = gold.sha_index()
    for line, obj in iter_jsonl(path):
        if "claim_id" in obj:
            view = record_view(parse(ClaimRecord, obj, path, line), gold, index)
        else:
            view = gold_view(parse(GoldClaim, obj, path, line), gold, path, line)
        if view.doc_id in gold.texts:
            check_span(view, gold.texts[view.doc_id], view.doc_id, path, line)
        views.append(view)
    paired = {v.doc_id for v in views if v.doc_id in gold.documents}
    if not paired:
        raise errors.ClaimsError(errors.NOTHING_PAIRS.format(gold=gold.folder), path)
    unpaired = sorted({v.doc_id for v in views} - paired)
    unpredicted = sorted(set(gold.documents) - paired)
    return Predictions([v for v in views if v.doc_id in paired], unpaired, unpredicted)


def overlap(a: ClaimView, b: ClaimView) -> int:
    """Characters shared by two spans."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def match_claims(
    gold: Sequence[ClaimView], pred: Sequence[ClaimView], strict: bool = False
) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs, best overlap first, same document only:
    claims are paired within each document, so the work grows with the documents, not
    with the square of all their claims."""
    by_doc: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for gi, g in enumerate(gold):
        by_doc[g.doc_id][0].append(gi)
    for pi, p in enumerate(pred):
        if p.doc_id in by_doc:
            by_doc[p.doc_id][1].append(pi)
    pairs = []
    for gold_ids, pred_ids in by_doc.values():
        pairs.extend(match_document(gold, pred, gold_ids, pred_ids, strict))
    return sorted(pairs)


def match_document(
    gold: Sequence[ClaimView],
    pred: Sequence[ClaimView],
    gold_ids: list[int],
    pred_ids: list[int],
    strict: bool,
) -> list[tuple[int, int]]:
    """The pairs of one document's claims (given by index), best overlap first. Only
    overlapping spans are compared: a sweep in start order keeps the predictions that
    reach the current gold claim."""
    candidates = []
    waiting = deque(sorted(pred_ids, key=lambda i: pred[i].start))
    reaching: list[int] = []
    for gi in sorted(gold_ids, key=lambda i: gold[i].start):
        g = gold[gi]
        while waiting and pred[waiting[0]].start < g.end:
            reaching.append(waiting.popleft())
        reaching = [pi for pi in reaching if pred[pi].end > g.start]
        for pi in reaching:
            p = pred[pi]
            shared = overlap(g, p)
            if strict:
                ok = (g.start, g.end) == (p.start, p.end)
            else:
                ok = 2 * shared >= max(g.end - g.start, p.end - p.start)
            if ok and shared:
                candidates.append((-shared, gi, pi))
    return one_to_one(candidates)


def one_to_one(candidates: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(gold, pred) pairs from (-overlap, gold, pred) candidates, best overlap first, each
    claim in one pair at most."""
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def prf(score: PRFScore, defined: bool = True) -> dict[str, float | None]:
    """P/R/F of a PRFScore. Nothing to score (no matched claims, or nothing to find and
    nothing found) is undefined (None), as in spaCy's Scorer, not perfect."""
    if not defined or score.tp + score.fp + score.fn == 0:
        return {"p": None, "r": None, "f": None}
    return {"p": score.precision, "r": score.recall, "f": score.fscore}


def label_scores(gold: list[str], pred: list[str], labels: Sequence[str]) -> dict:
    """Accuracy, macro-F1 (over labels present), Cohen's kappa and confusion matrix."""
    from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix, f1_score

    matrix = confusion_matrix(gold, pred, labels=list(labels)).tolist() if gold else []
    result = {"accuracy": None, "macro_f1": None, "kappa": None}
    if gold:
        present = sorted(set(gold) | set(pred))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kappa is undefined when one label covers all
            kappa = cohen_kappa_score(gold, pred, labels=list(labels))
        if math.isnan(kappa):
            kappa = 1.0 if gold == pred else 0.0
        result = {
            "accuracy": float(accuracy_score(gold, pred)),
            "macro_f1": float(f1_score(gold, pred, labels=present, average="macro")),
            "kappa": float(kappa),
        }
    return {**result, "confusion": {"labels": list(labels), "matrix": matrix}}


def years(time: tuple | None) -> tuple[str | None, str | None] | None:
    """The (start, end) years of a time view (None: no time)."""
    if time is None:
        return None
    return tuple(value[:4] if value else None for value in time[1:])


def source_time_scores(pairs: list[tuple[ClaimView, ClaimView]]) -> dict:
    """Over matched claims whose gold has the field: source accuracy of (kind, actor); time
    accuracy of ``relative``, and year agreement where gold has a start or an end (the
    same start and end years)."""
    sources = [(g.source, p.source) for g, p in pairs if g.source is not None]
    times = [(g.time, p.time) for g, p in pairs if g.time is not None]
    dated = [(g, p) for g, p in times if g[1] or g[2]]

    def share(hits: int, total: int) -> float | None:
        return hits / total if total else None

    return {
        "source": {
            "accuracy": share(sum(g == p for g, p in sources), len(sources)),
            "kind_accuracy": share(
                sum(p is not None and g[0] == p[0] for g, p in sources), len(sources)
            ),
            "n": len(sources),
        },
        "time": {
            "relative_accuracy": share(
                sum(p is not None and g[0] == p[0] for g, p in times), len(times)
            ),
            "n": len(times),
            "year_agreement": share(sum(years(g) == years(p) for g, p in dated), len(dated)),
            "n_years": len(dated),
        },
    }


def score(gold: Sequence[ClaimView], pred: Sequence[ClaimView], gazetteer: Gazetteer) -> dict:
    """Every figure of the spec's scoring section for one set of documents."""
    lenient = match_claims(gold, pred)
    strict = match_claims(gold, pred, strict=True)
    claim_scores = {}
    for name, pairs in (("lenient", lenient), ("strict", strict)):
        claim_scores[name] = prf(
            PRFScore(tp=len(pairs), fp=len(pred) - len(pairs), fn=len(gold) - len(pairs))
        )
    sets = {name: PRFScore() for name in (*SET_FIELDS, "states", "parents")}
    labels: dict[str, tuple[list[str], list[str]]] = {f: ([], []) for f in LABEL_FIELDS}
    sections_right = 0
    for gi, pi in lenient:
        g, p = gold[gi], pred[pi]
        for name in SET_FIELDS:
            sets[name].score_set(set(getattr(p, name)), set(getattr(g, name)))
        sets["states"].score_set(
            gazetteer.roll_up_actors(p.actors), gazetteer.roll_up_actors(g.actors)
        )
        sets["parents"].score_set(
            gazetteer.roll_up_regions(p.regions), gazetteer.roll_up_regions(g.regions)
        )
        for name, (gold_labels, pred_labels) in labels.items():
            gold_labels.append(getattr(g, name))
            pred_labels.append(getattr(p, name))
        sections_right += g.section == p.section
    some = bool(lenient)
    return {
        "counts": {"gold": len(gold), "pred": len(pred), "matched": len(lenient)},
        "claims": claim_scores,
        "actors": {**prf(sets["actors"], some), "states": prf(sets["states"], some)},
        "regions": {**prf(sets["regions"], some), "parents": prf(sets["parents"], some)},
        "relations": prf(sets["relations"], some),
        **{
            name: label_scores(*labels[name], LABEL_FIELDS[name])  # type: ignore[misc]
            for name in LABEL_FIELDS
        },
        "section_accuracy": sections_right / len(lenient) if lenient else None,
        **source_time_scores([(gold[gi], pred[pi]) for gi, pi in lenient]),
    }


def evaluate(
    gold: GoldSet, pred: Iterable[ClaimView], gazetteer: Gazetteer, per_document: bool = True
) -> dict:
    """Overall and (unless ``per_document`` is false, as in training's many evaluations)
    per-document scores of ``pred`` against ``gold`` (gold documents only)."""
    gold_views = [ClaimView.from_gold(c) for c in gold.claims]
    pred_views = [p for p in pred if p.doc_id in gold.documents]
    by_doc: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for view in gold_views:
        by_doc[view.doc_id][0].append(view)
    for view in pred_views:
        by_doc[view.doc_id][1].append(view)
    report = score(gold_views, pred_views, gazetteer)
    if not per_document:
        return report
    report["per_document"] = {
        doc_id: score(*by_doc[doc_id], gazetteer) for doc_id in sorted(gold.documents)
    }
    return report


def differences(gold: GoldSet, pred: Iterable[ClaimView]) -> list[dict]:
    """Every missed claim, extra claim and wrong field, for ``--diff`` and the review report."""
    gold_views = [ClaimView.from_gold(c) for c in gold.claims]
    pred_views = sorted(
        (p for p in pred if p.doc_id in gold.documents), key=lambda v: (v.doc_id, v.start)
    )
    pairs = match_claims(gold_views, pred_views)
    matched_g = {gi for gi, _ in pairs}
    matched_p = {pi for _, pi in pairs}
    out = []
    for gi, g in enumerate(gold_views):
        if gi not in matched_g:
            out.append({"kind": "missed", "doc_id": g.doc_id, "start": g.start, "text": g.text})
    for pi, p in enumerate(pred_views):
        if pi not in matched_p:
            out.append({"kind": "extra", "doc_id": p.doc_id, "start": p.start, "text": p.text})
    for gi, pi in pairs:
        g, p = gold_views[gi], pred_views[pi]
        if (g.start, g.end) != (p.start, p.end):
            out.append(diff_row(g, "span", (g.start, g.end), (p.start, p.end)))
        for name in ("section", *SET_FIELDS, *LABEL_FIELDS):
            if getattr(g, name) != getattr(p, name):
                out.append(diff_row(g, name, getattr(g, name), getattr(p, name)))
        for name in OPTIONAL_FIELDS:  # where gold has them
            if getattr(g, name) is not None and getattr(g, name) != getattr(p, name):
                out.append(diff_row(g, name, getattr(g, name), getattr(p, name)))
    return sorted(out, key=lambda d: (d["doc_id"], d["start"]))


def diff_row(g: ClaimView, name: str, gold_value, pred_value) -> dict:
    """One wrong field of a matched claim, with sets shown as missing/extra members."""
    row = {"kind": "wrong", "doc_id": g.doc_id, "start": g.start, "text": g.text, "field": name}
    if isinstance(gold_value, frozenset):
        row["missing"] = sorted(gold_value - pred_value)
        row["extra"] = sorted(pred_value - gold_value)
    else:
        row["gold"] = gold_value
        row["pred"] = pred_value
    return row


def documents_in_common(a: GoldSet, b: GoldSet) -> dict[str, str]:
    """Map doc_ids of ``b`` to those of ``a`` (same doc_id or same text hash)."""
    mapping = {}
    index = a.sha_index()
    for doc in b.documents.values():
        found = a.find(doc.doc_id, doc.sha256, index)
        if found:
            mapping[doc.doc_id] = found
    if not mapping:
        raise errors.ClaimsError(errors.NO_DOCUMENTS, b.folder)
    return mapping
