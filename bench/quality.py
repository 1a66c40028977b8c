"""Score the pipeline on the seed gold, dev-tune and dev-test; write bench/quality.md.

Needs ../shared beside the repository (the dev gold points at the Factbook texts there).
Agreement is annotations/dev/agreement/b (the second annotator) scored against
annotations/dev/agreement/a (the first annotator's work on the same documents, before
adjudication); the adjudicated result is in annotations/dev.
Also writes bench/quality.json (every figure) and, for rule writing, the dev-tune
differences to bench/work/tune-diff.txt. Dev-test differences are never written: the test
part is scored, not read.

    python bench/quality.py          # or: make quality
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import errors  # noqa: E402
from pipeline.evaluate import differences  # noqa: E402
from pipeline.gazetteer import load_gazetteer  # noqa: E402
from pipeline.gold import load_gold  # noqa: E402
from pipeline.io import write_text_atomic  # noqa: E402
from pipeline.quality import agreement, load_split, render_markdown, score_part  # noqa: E402
from pipeline.render import render_diff  # noqa: E402
from pipeline.run import predict_gold  # noqa: E402

SHARED = ROOT.parent / "shared"
SEED = ROOT / "annotations"
DEV = ROOT / "annotations" / "dev"
AGREEMENT = DEV / "agreement"
OUT = ROOT / "bench"


def main() -> int:
    if not (SHARED / "corpora" / "factbook").is_dir():
        print(
            f"make quality needs ../shared beside the repository ({SHARED}/corpora/factbook "
            "not found): the dev gold set points at the Factbook texts there",
            file=sys.stderr,
        )
        return 2
    try:
        report, tune_diff = build()
    except errors.ClaimsError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 2
    parts, agree, notes = report
    write_text_atomic(OUT / "quality.md", render_markdown(parts, agree, notes))
    data = {"parts": parts, "agreement": agree}
    write_text_atomic(OUT / "quality.json", json.dumps(data, indent=1) + "\n")
    write_text_atomic(OUT / "work" / "tune-diff.txt", render_diff(tune_diff) + "\n")
    print(f"wrote {OUT / 'quality.md'}")
    return 0


def build():
    gazetteer = load_gazetteer()
    seed, dev = load_gold(SEED), load_gold(DEV)
    split = load_split(DEV / "split.json", dev)
    seed_views, dev_views = predict_gold(seed), predict_gold(dev)
    tune, test = dev.subset(split["tune"]), dev.subset(split["test"])
    parts = {
        "seed": score_part(seed, seed_views, gazetteer),
        "dev-tune": score_part(tune, dev_views, gazetteer),
        "dev-test": score_part(test, dev_views, gazetteer),
    }
    agree = None
    if (AGREEMENT / "b" / "claims.jsonl").is_file():
        first, second = load_gold(AGREEMENT / "a"), load_gold(AGREEMENT / "b")
        agree = agreement(first, second, gazetteer)
    kinds = {"factbook": 0, "written": 0}
    for doc_id in dev.documents:
        kinds["factbook" if doc_id.startswith("factbook-") else "written"] += 1
    notes = [
        f"Dev gold: {len(dev.claims)} claims in {len(dev.documents)} documents "
        f"({kinds['factbook']} Factbook backgrounds, {kinds['written']} articles written by "
        f"the team); tune {len(tune.documents)} documents / {len(tune.claims)} claims, test "
        f"{len(test.documents)} / {len(test.claims)}. Seed gold: {len(seed.claims)} claims.",
        "Written by `make quality` (bench/quality.py); the split is annotations/dev/split.json. "
        "Rules are written from dev-tune only; dev-test is scored, never read.",
    ]
    tune_views = [v for v in dev_views if v.doc_id in tune.documents]
    return (parts, agree, notes), differences(tune, tune_views)


if __name__ == "__main__":
    sys.exit(main())
