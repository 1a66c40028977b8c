"""Throughput on real prose: claims run against the bare model on the World Factbook.

The 261 country backgrounds of ../shared/corpora/factbook (about 72,000 words of
geopolitical prose nobody here wrote) are run through the bare en_core_web_sm and the
claims pipeline side by side in one process, batch by batch, taking turns (the
SIDE_BY_SIDE script of run_bench.py); the figure is the median ratio of the turns.
Writes bench/prose.md. Needs ../shared beside the repository.

    python bench/prose.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run_bench import PYTHON, SIDE_BY_SIDE, WORK  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "factbook" / "backgrounds.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "prose.md")
    parser.add_argument("--config", help="a config, config name or saved pipeline to measure")
    args = parser.parse_args()
    if not CORPUS.is_file():
        print(f"bench/prose.py needs ../shared beside the repository ({CORPUS} not found)",
              file=sys.stderr)  # fmt: skip
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    corpus = WORK / "factbook.jsonl"
    lines = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").split("\n") if line]
    rows = [{"doc_id": d["doc_id"], "title": d["title"], "text": d["text"]} for d in lines]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    words = sum(len(d["text"].split()) for d in lines)
    ratios, rates = [], []
    for _ in range(args.repeats):
        extra = [args.config] if args.config else []
        out = subprocess.run([PYTHON, "-c", SIDE_BY_SIDE, str(corpus), *extra], cwd=ROOT,
                             capture_output=True, text=True, check=True)  # fmt: skip
        bare, claims = map(float, out.stdout.split()[-2:])
        ratios.append(bare / claims)
        rates.append((words / bare, words / claims))
    ratio = statistics.median(ratios)
    bare_wps, claims_wps = rates[ratios.index(ratio)]
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    args.out.write_text(
        "# Throughput on real prose\n\n"
        f"Measured {stamp} by `python bench/prose.py`: the {len(lines)} World Factbook "
        f"backgrounds ({words:,} words), bare en_core_web_sm and claims run side by side in one "
        f"process, median of {args.repeats} runs.\n\n"
        "| figure | measured | target |\n| --- | --- | --- |\n"
        f"| throughput, claims / bare model | {ratio:.2f} ({claims_wps:,.0f} / {bare_wps:,.0f} "
        "words/s) | >= 0.85 |\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
