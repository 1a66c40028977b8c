"""The quality report: the pipeline scored on the seed gold and the dev split, with the
annotators' agreement beside it (``make quality`` writes ``bench/quality.md``).

Every figure comes from :mod:`pipeline.evaluation.scoring`; this module only groups the gold
documents (seed, dev-tune, dev-test), counts the errors by kind and renders Markdown.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .. import errors
from .gold import GoldSet
from .scoring import ClaimView, differences, evaluate

SPLITS = ("train", "tune", "test")
HEADLINE = (
    ("claims F1", lambda r: r["claims"]["lenient"]["f"]),
    ("strict F1", lambda r: r["claims"]["strict"]["f"]),
    ("actors F1", lambda r: r["actors"]["f"]),
    ("regions F1", lambda r: r["regions"]["f"]),
    ("relations P", lambda r: r["relations"]["p"]),
    ("relations R", lambda r: r["relations"]["r"]),
    ("relations F1", lambda r: r["relations"]["f"]),
    ("stance mF1", lambda r: r["stance"]["macro_f1"]),
    ("stance kappa", lambda r: r["stance"]["kappa"]),
    ("certainty acc", lambda r: r["certainty"]["accuracy"]),
    ("section acc", lambda r: r["section_accuracy"]),
    ("source acc", lambda r: (r.get("source") or {}).get("accuracy")),
    ("time relative acc", lambda r: (r.get("time") or {}).get("relative_accuracy")),
    ("time year agreement", lambda r: (r.get("time") or {}).get("year_agreement")),
)
TARGETS = {
    "claims F1": 0.95,
    "actors F1": 0.92,
    "regions F1": 0.85,
    "relations F1": 0.70,
    "stance mF1": 0.80,
    "certainty acc": 0.90,
    "source acc": 0.85,
    "time relative acc": 0.85,
    "time year agreement": 0.80,
}


def read_split(path: Path) -> dict:
    """The JSON of a split file (a one-line error naming it if it is missing or broken)."""
    if not path.is_file():
        raise errors.ClaimsError(errors.MISSING_FILE, path)
    try:
        split = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise errors.ClaimsError(errors.BAD_JSON.format(detail=exc.msg), path) from None
    if not isinstance(split, dict):
        raise errors.ClaimsError(errors.BAD_SPLIT.format(detail="not a JSON object"), path)
    return split


def load_split(path: Path, *golds: GoldSet) -> dict[str, list[str]]:
    """``split.json``: every document of the gold folders in exactly one of train, tune and
    test, none unknown, and no two documents with the same text."""
    split = read_split(path)
    documents = {d: doc for gold in golds for d, doc in gold.documents.items()}
    named = [d for name in SPLITS for d in split.get(name, [])]
    unknown = sorted(set(named) - set(documents))
    unassigned = sorted(set(documents) - set(named))
    if unknown or unassigned or len(named) != len(set(named)):
        detail = f"unknown {unknown}, unassigned {unassigned}, or a document in two parts"
        raise errors.ClaimsError(errors.BAD_SPLIT.format(detail=detail), path)
    by_text: dict[str, str] = {}
    for doc_id, doc in sorted(documents.items()):
        if doc.sha256 in by_text:
            detail = f"{by_text[doc.sha256]} and {doc_id} have the same text"
            raise errors.ClaimsError(errors.BAD_SPLIT.format(detail=detail), path)
        by_text[doc.sha256] = doc_id
    return {name: list(split.get(name, [])) for name in SPLITS}


def error_counts(rows: list[dict]) -> Counter:
    """Errors by kind from :func:`differences` rows: missed/extra claims, missing/extra set
    members per field, and gold->predicted label confusions."""
    counts: Counter = Counter()
    for row in rows:
        if row["kind"] in ("missed", "extra"):
            counts[f"claims {row['kind']}"] += 1
        elif "missing" in row:
            counts[f"{row['field']} missed"] += len(row["missing"])
            counts[f"{row['field']} extra"] += len(row["extra"])
        elif row["field"] in ("stance", "certainty"):
            counts[f"{row['field']} {row['gold']} -> {row['pred']}"] += 1
        elif row["field"] == "source":
            counts[f"source {row['gold'][0]} -> {row['pred'][0] if row['pred'] else None}"] += 1
        elif row["field"] == "time":
            counts[time_error(row["gold"], row["pred"])] += 1
        else:
            counts[f"{row['field']} wrong"] += 1
    return counts


def time_error(gold: tuple, pred: tuple | None) -> str:
    """The kind of a time difference: the relative label, else the years (else finer)."""
    from .scoring import years

    if pred is None or gold[0] != pred[0]:
        return f"time {gold[0]} -> {pred[0] if pred else None}"
    if (gold[1] or gold[2]) and years(gold) != years(pred):
        return "time years wrong"
    return "time month or day wrong"


def score_part(gold: GoldSet, views: list[ClaimView], gazetteer) -> dict:
    """Scores and error counts of one part (its documents only)."""
    mine = [v for v in views if v.doc_id in gold.documents]
    report = evaluate(gold, mine, gazetteer)
    report["errors"] = dict(sorted(error_counts(differences(gold, mine)).items()))
    return report


def agreement(first: GoldSet, second: GoldSet, gazetteer) -> dict:
    """The second annotator's claims scored against the first's, on shared documents."""
    from .scoring import documents_in_common

    mapping = documents_in_common(first, second)
    views = [
        ClaimView.from_gold(c.model_copy(update={"doc_id": mapping[c.doc_id]}))
        for c in second.claims
        if c.doc_id in mapping
    ]
    return score_part(first.subset(mapping.values()), views, gazetteer)


def read_throughput(path: Path) -> str | None:
    """The throughput line of bench/results.md, if the benchmark has been run."""
    if not path.is_file():
        return None
    return next((ln for ln in path.read_text().splitlines() if "throughput" in ln.lower()), None)


def fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def headline_table(parts: dict[str, dict]) -> list[str]:
    """One row per metric, one column per part, plus the target."""
    names = list(parts)
    lines = ["| metric | " + " | ".join(names) + " | target |"]
    lines.append("| --- " * (len(names) + 2) + "|")
    for metric, get in HEADLINE:
        cells = [fmt(get(parts[n])) for n in names]
        target = TARGETS.get(metric)
        lines.append(f"| {metric} | " + " | ".join(cells) + f" | {fmt(target)} |")
    counts = [str(parts[n]["counts"]["gold"]) for n in names]
    lines.append("| gold claims | " + " | ".join(counts) + " | |")
    for label, key, field in (
        ("with gold source", "source", "n"),
        ("with gold time", "time", "n"),
        ("with gold years", "time", "n_years"),
    ):
        cells = [str((parts[n].get(key) or {}).get(field, "-")) for n in names]
        lines.append(f"| ({label}) | " + " | ".join(cells) + " | |")
    return lines


def per_document_table(report: dict) -> list[str]:
    lines = [
        "| document | gold | claims F1 | actors F1 | regions F1 | relations F1 |"
        " stance acc | certainty acc |"
    ]
    lines.append("| --- " * 8 + "|")
    for doc_id, s in report["per_document"].items():
        lines.append(
            f"| {doc_id} | {s['counts']['gold']} | {fmt(s['claims']['lenient']['f'])} | "
            f"{fmt(s['actors']['f'])} | {fmt(s['regions']['f'])} | {fmt(s['relations']['f'])} | "
            f"{fmt(s['stance']['accuracy'])} | {fmt(s['certainty']['accuracy'])} |"
        )
    return lines


def errors_table(parts: dict[str, dict]) -> list[str]:
    kinds = sorted({k for p in parts.values() for k in p["errors"]})
    names = list(parts)
    lines = ["| error | " + " | ".join(names) + " |", "| --- " * (len(names) + 1) + "|"]
    for kind in kinds:
        cells = [str(parts[n]["errors"].get(kind, 0)) for n in names]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines


def gold_counts(gold: GoldSet) -> str:
    """Claims by stance, by certainty, and relations by polarity."""
    stance = Counter(c.stance for c in gold.claims)
    certainty = Counter(c.certainty for c in gold.claims)
    polarity = Counter(r.polarity for c in gold.claims for r in c.relations)

    def show(counts: Counter) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))

    return f"stance {show(stance)}; certainty {show(certainty)}; relations {show(polarity)}"


def curve_table(curves: dict) -> list[str]:
    """The learning curve: dev-test figures of models trained on part of train+tune."""
    keys = ("actors_f", "relations_f", "stance_macro_f1")
    lines = ["| training data | documents | claims | " + " | ".join(keys) + " |"]
    lines.append("| --- " * (len(keys) + 3) + "|")
    for row in curves["rows"]:
        cells = " | ".join(fmt(row.get(k)) for k in keys)
        lines.append(f"| {row['label']} | {row['documents']} | {row['claims']} | {cells} |")
    return lines


def render_markdown(
    parts: dict[str, dict], agree: dict | None, notes: list[str], curves: dict | None = None
) -> str:
    """bench/quality.md: headline figures, agreement, learning curve, errors by kind,
    per-document scores."""
    out = ["# Quality: the pipeline against the gold sets", "", *notes, ""]
    out += ["## Headline figures", "", *headline_table(parts), ""]
    for name, report in (agree or {}).items():
        out += [f"## Inter-annotator agreement: {name} (second annotator against the first)", ""]
        out += [*headline_table({"agreement": report}), ""]
        out += ["Disagreements, by kind:", "", *errors_table({"agreement": report}), ""]
    if curves:
        out += ["## Learning curve (dev-test, trained on part of train+tune)", ""]
        out += [*curves.get("notes", []), "", *curve_table(curves), ""]
    scored = {n: p for n, p in parts.items() if "errors" in p}
    out += ["## Errors by kind (gold -> predicted)", "", *errors_table(scored), ""]
    for name, report in parts.items():
        if "per_document" in report:
            out += [f"## Per document: {name}", "", *per_document_table(report), ""]
    return "\n".join(out)
