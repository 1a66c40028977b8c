"""Date-aware actors, measured: the pipeline on the dev documents whose gold has a date
(the usgov estimates and fact sheets, 1956-2024), run once with each document's date and
once as the pipeline was before it read dates (no input date, claims_dates and claims_eras
off), scored against the same gold; the dated training documents the same way (the trained
components learned from them, so that row is in-sample for them). Writes bench/dates.md.
Needs ../shared (the gold texts).

    python bench/dates.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.corpus.runner import predict_gold  # noqa: E402
from pipeline.evaluation.gold import load_gold  # noqa: E402
from pipeline.evaluation.quality import load_split  # noqa: E402
from pipeline.evaluation.scoring import evaluate  # noqa: E402
from pipeline.gazetteer import load_gazetteer  # noqa: E402
from pipeline.io import write_text_atomic  # noqa: E402
from pipeline.nlp import build_nlp  # noqa: E402

ANNOTATIONS = ROOT / "annotations"
OUT = ROOT / "bench" / "dates.md"
COLD_WAR_END = "1992"  # documents dated before it name the Soviet Union's era


def figures(report: dict) -> tuple[float, float, float]:
    return report["actors"]["f"], report["relations"]["f"], report["stance"]["macro_f1"]


def row(label: str, gold, n: int, without: dict, with_dates: dict) -> str:
    cells = " | ".join(
        f"{a:.3f} / {b:.3f}" for a, b in zip(figures(without), figures(with_dates), strict=True)
    )
    return f"| {label} | {n} | {len(gold.claims)} | {cells} |"


def main() -> int:
    seed, dev, train = (load_gold(ANNOTATIONS / p) for p in ("", "dev", "train"))
    split = load_split(ANNOTATIONS / "split.json", seed, dev, train)
    dated = [d.doc_id for d in dev.documents.values() if d.date]
    assert set(dated) <= set(split["test"]) | set(split["tune"])
    parts = {
        "dated dev documents": dated,
        f"of them dated before {COLD_WAR_END}": [
            d for d in dated if dev.documents[d].date < COLD_WAR_END
        ],
    }
    gazetteer = load_gazetteer()
    undated, with_dates = build_nlp(), build_nlp()
    for name in ("claims_dates", "claims_eras"):
        undated.disable_pipe(name)

    def runs(gold) -> dict:
        return {
            False: predict_gold(gold, nlp=undated, dates=False),
            True: predict_gold(gold, nlp=with_dates),
        }

    dev_runs = runs(dev.subset(dated))
    trained = [d.doc_id for d in train.documents.values() if d.date]
    train_runs = runs(train.subset(trained))
    lines = [
        "# Date-aware actors",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
        "`python bench/dates.py`: the default pipeline on the dev documents whose gold has a "
        "date (all of them dev-test documents), without dates (no input date, claims_dates "
        "and claims_eras off: the pipeline "
        "before it read dates) / with them (the input line's `date`, as `claims run` reads "
        "it). Each cell is without / with.",
        "",
        "| documents | n | claims | actors F1 | relations F1 | stance macro-F1 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, ids in parts.items():
        gold = dev.subset(ids)
        reports = [
            evaluate(gold, [v for v in dev_runs[flag] if v.doc_id in ids], gazetteer, False)
            for flag in (False, True)
        ]
        lines.append(row(label, gold, len(ids), *reports))
    gold = train.subset(trained)
    reports = [evaluate(gold, train_runs[flag], gazetteer, False) for flag in (False, True)]
    lines.append(row("dated train documents (in-sample)", gold, len(trained), *reports))
    write_text_atomic(OUT, "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
