"""Source and time, measured where rules may be written: the training documents whose gold
has source and time (annotations/train, GUIDELINES G12.14-20) and dev-tune. Dev-test is
never loaded here (`make quality` scores it). Prints and writes bench/source_time.md (the
figures, beside the baseline in bench/source_time.json when there is one) and, for rule
writing, every wrong source or time with its cues to bench/work/source-time-diff.txt.
Needs ../shared (the gold texts).

    python bench/source_time.py              # figures and differences
    python bench/source_time.py --baseline   # also record them as the baseline
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.corpus.runner import predict_records  # noqa: E402
from pipeline.evaluation.gold import load_gold  # noqa: E402
from pipeline.evaluation.scoring import (  # noqa: E402
    ClaimView,
    match_claims,
    source_time_scores,
)
from pipeline.io import write_text_atomic  # noqa: E402

ANNOTATIONS = ROOT / "annotations"
OUT = ROOT / "bench"
BASELINE = OUT / "source_time.json"


def parts() -> dict:
    """The gold sets measured: annotated training documents and dev-tune."""
    train, dev = load_gold(ANNOTATIONS / "train"), load_gold(ANNOTATIONS / "dev")
    split = json.loads((ANNOTATIONS / "split.json").read_text())
    annotated = {c.doc_id for c in train.claims if c.source is not None or c.time is not None}
    return {"train (annotated)": train.subset(annotated), "dev-tune": dev.subset(split["tune"])}


def cue_text(text: str, cue) -> str | None:
    """The text of a gold cue ([start, end]) or a record's (a Cue)."""
    if cue is None:
        return None
    start, end = (cue.start, cue.end) if hasattr(cue, "start") else cue
    return text[start:end]


def shown(field, text: str) -> str:
    """A source or time with its cue's text."""
    if field is None:
        return "-"
    values = {k: v for k, v in field.model_dump().items() if k != "cue"}
    return f"{values} cue={cue_text(text, field.cue)!r}"


def measure(gold) -> tuple[dict, list[str]]:
    """Scores over the matched claims, and one block per wrong source or time."""
    records = predict_records(gold)
    gold_views = [ClaimView.from_gold(c) for c in gold.claims]
    pred_views = [ClaimView.from_record(r) for r in records]
    pairs = match_claims(gold_views, pred_views)
    scores = source_time_scores([(gold_views[g], pred_views[p]) for g, p in pairs])
    rows = []
    for gi, pi in pairs:
        g, p, claim, record = gold_views[gi], pred_views[pi], gold.claims[gi], records[pi]
        wrong = [n for n in ("source", "time") if getattr(g, n) and getattr(g, n) != getattr(p, n)]
        if not wrong:
            continue
        text = gold.texts[claim.doc_id]
        date = gold.documents[claim.doc_id].date
        rows.append(f"{claim.doc_id} {claim.start} [date {date}] {' '.join(wrong)}: {g.text!r}")
        for name in wrong:
            rows.append(f"    gold {name}: {shown(getattr(claim, name), text)}")
            rows.append(f"    pred {name}: {shown(getattr(record, name), text)}")
    return scores, rows


def figures(scores: dict) -> dict:
    source, time = scores["source"], scores["time"]
    return {
        "source": [round(source["accuracy"] * source["n"]), source["n"]],
        "relative": [round(time["relative_accuracy"] * time["n"]), time["n"]],
        "years": [round(time["year_agreement"] * time["n_years"]), time["n_years"]],
    }


def cell(hits_total) -> str:
    hits, total = hits_total
    return f"{hits / total:.3f} ({hits}/{total})" if total else "-"


def render(now: dict, before: dict | None) -> str:
    lines = [
        "# Source and time on the annotated training documents and dev-tune",
        "",
        "Written by `python bench/source_time.py` (dev-test is scored by `make quality` only).",
        "",
        "| part | run | source accuracy | time relative accuracy | year agreement |",
        "|---|---|---|---|---|",
    ]
    for part, values in now.items():
        runs = [("baseline", before[part])] if before and part in before else []
        for run, v in [*runs, ("now", values)]:
            lines.append(
                f"| {part} | {run} | {cell(v['source'])} | {cell(v['relative'])} "
                f"| {cell(v['years'])} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    now, diff = {}, []
    for name, gold in parts().items():
        scores, rows = measure(gold)
        now[name] = figures(scores)
        diff += [f"## {name}", *rows, ""]
    if "--baseline" in sys.argv[1:]:
        write_text_atomic(BASELINE, json.dumps(now, indent=1) + "\n")
    before = json.loads(BASELINE.read_text()) if BASELINE.is_file() else None
    table = render(now, before)
    write_text_atomic(OUT / "source_time.md", table)
    write_text_atomic(OUT / "work" / "source-time-diff.txt", "\n".join(diff) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
