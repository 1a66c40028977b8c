"""The learning curve: the trained components' dev-test figures against the share of
train+tune they learn from (25%, 50%, 100% of the documents, a seeded draw), beside the
rules alone. Writes bench/learning_curve.json, which `make quality` renders in
bench/quality.md. Needs ../shared (the gold texts). Each point is a full `claims train`
(cross-validation included), so this takes a while (about 15 minutes a point on 2 cores).

    python bench/learning_curve.py           # or: make curves
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.corpus.runner import predict_gold  # noqa: E402
from pipeline.evaluation.gold import load_gold  # noqa: E402
from pipeline.evaluation.quality import load_split, score_part  # noqa: E402
from pipeline.gazetteer import load_gazetteer  # noqa: E402
from pipeline.io import write_text_atomic  # noqa: E402
from pipeline.nlp import build_nlp, load_config  # noqa: E402
from pipeline.training.examples import examples  # noqa: E402
from pipeline.training.train import Settings, train  # noqa: E402

ANNOTATIONS = ROOT / "annotations"
OUT = ROOT / "bench" / "learning_curve.json"
FRACTIONS = (0.25, 0.5, 1.0)
SEED = 20261207


def figures(report: dict) -> dict:
    return {
        "actors_f": report["actors"]["f"],
        "relations_f": report["relations"]["f"],
        "stance_macro_f1": report["stance"]["macro_f1"],
    }


def main() -> int:
    seed, dev, train_gold = (load_gold(ANNOTATIONS / p) for p in ("", "dev", "train"))
    split = load_split(ANNOTATIONS / "split.json", seed, dev, train_gold)
    test = dev.subset(split["test"])
    pool = split["train"] + split["tune"]
    order = sorted(pool)
    random.Random(SEED).shuffle(order)
    golds = (seed, dev, train_gold)
    gazetteer = load_gazetteer()
    rules = build_nlp()
    for name in [n for n in rules.pipe_names if n.endswith("_model")]:
        rules.disable_pipe(name)
    rows = [
        {"label": "rules only", "documents": 0, "claims": 0,
         **figures(score_part(test, predict_gold(test, nlp=rules), gazetteer))}
    ]  # fmt: skip
    for fraction in FRACTIONS:
        chosen = set(order[: round(fraction * len(order))])
        parts = [gold.subset([d for d in gold.documents if d in chosen]) for gold in golds]
        nlp = build_nlp()
        started = time.time()
        train(nlp, examples(nlp, parts), Settings.from_config(load_config()), log=lambda m: None)
        report = score_part(test, predict_gold(test, nlp=nlp), gazetteer)
        claims = sum(len(p.claims) for p in parts)
        rows.append(
            {"label": f"{round(fraction * 100)}%", "documents": len(chosen), "claims": claims,
             **figures(report)}
        )  # fmt: skip
        print(f"{fraction:.0%}: {rows[-1]} ({time.time() - started:.0f} s)", flush=True)
    notes = [
        f"Each row trains the actor, stance and relation models (`claims train`, the default "
        f"config) on a seeded draw of that share of the {len(order)} train+tune documents and "
        f"scores the pipeline on dev-test ({len(test.documents)} documents, "
        f"{len(test.claims)} claims); `rules only` switches the trained components off. "
        "Written by bench/learning_curve.py (`make curves`)."
    ]
    write_text_atomic(OUT, json.dumps({"notes": notes, "rows": rows}, indent=1) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
