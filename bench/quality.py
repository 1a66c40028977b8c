"""Score the pipeline on the seed gold, dev-tune and dev-test; write bench/quality.md.

Needs ../shared beside the repository (the gold folders point at the Factbook and usgov texts
there). The parts come from annotations/split.json: train (annotations/train and the seed),
tune and test (annotations/dev). The trained components learn from train and tune, so their
figures there are the cross-validated ones ``claims train`` recorded
(pipeline/trained/training.json); tune and test are also scored with the pipeline itself,
and with the rules alone (the trained components switched off) for comparison. Agreement:
the second annotator against the first, for the dev study (annotations/dev/agreement), the
usgov study (annotations/train/agreement), the Factbook round's study
(annotations/train/agreement-factbook) and the source-and-time study
(annotations/agreement-source-time).
Also writes bench/quality.json (every figure) and, for rule writing, the dev-tune
differences to bench/work/tune-diff.txt. Dev-test differences are never written: the test
part is scored, not read.

    python bench/quality.py          # or: make quality
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import errors  # noqa: E402
from pipeline.corpus.runner import predict_gold  # noqa: E402
from pipeline.evaluation.gold import load_gold  # noqa: E402
from pipeline.evaluation.quality import (  # noqa: E402
    agreement,
    gold_counts,
    load_split,
    render_markdown,
    score_part,
)
from pipeline.evaluation.render import render_diff  # noqa: E402
from pipeline.evaluation.scoring import differences  # noqa: E402
from pipeline.gazetteer import load_gazetteer  # noqa: E402
from pipeline.io import write_text_atomic  # noqa: E402
from pipeline.nlp import TRAINED  # noqa: E402

SHARED = ROOT.parent / "shared"
ANNOTATIONS = ROOT / "annotations"
AGREEMENTS = {
    "dev": ANNOTATIONS / "dev" / "agreement",
    "usgov": ANNOTATIONS / "train" / "agreement",
    "factbook": ANNOTATIONS / "train" / "agreement-factbook",
    "source-time": ANNOTATIONS / "agreement-source-time",
}
OUT = ROOT / "bench"
CURVES = OUT / "learning_curve.json"


def main() -> int:
    if not (SHARED / "corpora" / "factbook").is_dir():
        print(
            f"make quality needs ../shared beside the repository ({SHARED}/corpora "
            "not found): the gold sets point at the Factbook and usgov texts there",
            file=sys.stderr,
        )
        return 2
    try:
        parts, agree, notes, tune_diff = build()
    except errors.ClaimsError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 2
    curves = json.loads(CURVES.read_text()) if CURVES.is_file() else None
    write_text_atomic(OUT / "quality.md", render_markdown(parts, agree, notes, curves))
    data = {"parts": parts, "agreement": agree}
    write_text_atomic(OUT / "quality.json", json.dumps(data, indent=1) + "\n")
    write_text_atomic(OUT / "work" / "tune-diff.txt", render_diff(tune_diff) + "\n")
    print(f"wrote {OUT / 'quality.md'}")
    return 0


def rules_only():
    """The pipeline with its trained components switched off: the rules alone."""
    from pipeline.nlp import build_nlp

    nlp = build_nlp()
    trained = [n for n in nlp.pipe_names if n.endswith("_model")]
    for name in trained:
        nlp.disable_pipe(name)
    return nlp


def build():
    gazetteer = load_gazetteer()
    seed, dev, train = (load_gold(ANNOTATIONS / p) for p in ("", "dev", "train"))
    split = load_split(ANNOTATIONS / "split.json", seed, dev, train)
    tune, test = dev.subset(split["tune"]), dev.subset(split["test"])
    usgov = [d for d in split["test"] if d.startswith("usgov-")]
    older = [d for d in split["test"] if not d.startswith("usgov-")]
    seed_views, dev_views = predict_gold(seed), predict_gold(dev)
    rule_views = predict_gold(dev, nlp=rules_only())
    parts = {"seed": score_part(seed, seed_views, gazetteer)}
    trained = TRAINED / "training.json"
    if trained.is_file():
        stages = json.loads(trained.read_text())["stages"]
        parts["train+tune (cross-validated)"] = stages[-1]["report"]
    parts.update(
        {
            "dev-tune": score_part(tune, dev_views, gazetteer),
            "dev-test": score_part(test, dev_views, gazetteer),
            "dev-test (rules only)": score_part(test, rule_views, gazetteer),
            "dev-test: articles+Factbook": score_part(dev.subset(older), dev_views, gazetteer),
            "dev-test: usgov": score_part(dev.subset(usgov), dev_views, gazetteer),
            "dev-test: usgov (rules only)": score_part(dev.subset(usgov), rule_views, gazetteer),
        }
    )
    agree = {}
    for name, folder in AGREEMENTS.items():
        if (folder / "b" / "claims.jsonl").is_file():
            agree[name] = agreement(load_gold(folder / "a"), load_gold(folder / "b"), gazetteer)
    notes = describe(seed, dev, train, split, tune, test)
    tune_views = [v for v in dev_views if v.doc_id in tune.documents]
    return parts, agree, notes, differences(tune, tune_views)


def describe(seed, dev, train, split, tune, test) -> list[str]:
    kinds = Counter(kind_of(d) for d in train.documents)
    usgov_claims = sum(1 for c in train.claims if c.doc_id.startswith("usgov-"))
    counts = gold_counts(train)
    return [
        f"Gold: seed {len(seed.claims)} claims; train {len(train.claims)} claims in "
        f"{len(train.documents)} documents ({kinds['usgov']} usgov texts, {usgov_claims} "
        f"claims; {kinds['factbook']} Factbook backgrounds; {kinds['written']} articles "
        f"written by the team); tune {len(tune.documents)} documents / {len(tune.claims)} "
        f"claims; test {len(test.documents)} / {len(test.claims)} "
        f"({sum(d.startswith('usgov-') for d in test.documents)} usgov texts).",
        f"Train labels: {counts}.",
        "Written by `make quality` (bench/quality.py); the split is annotations/split.json. "
        "Rules are written from dev-tune only; models are chosen by cross-validation on "
        "train+tune; dev-test is scored, never read.",
    ]


def kind_of(doc_id: str) -> str:
    if doc_id.startswith("usgov-"):
        return "usgov"
    return "factbook" if doc_id.startswith("factbook-") else "written"


if __name__ == "__main__":
    sys.exit(main())
