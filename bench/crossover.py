"""Where `claims run --jobs 2` starts to pay on this machine (make bench).

Runs `claims run` end to end (model load, fork of the workers, writing) on inputs of
growing size with one and two processes, the two taking turns, and writes the median wall
seconds to bench/crossover.md. The default of `--jobs` (pipeline/corpus/runs.py,
AUTO_PARALLEL_BYTES) is set from this table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from run_bench import PYTHON, ROOT, WORK, chapters, kjv_text, timed

SIZES = (2, 8, 32, 128)  # chapters per input (a chapter is about 4 KB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="turns of each timed run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "crossover.md")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    chaps = chapters(kjv_text())
    rows = []
    for size in SIZES:
        path = WORK / f"crossover-{size}.jsonl"
        with open(path, "w", encoding="utf-8") as handle:
            for i, text in enumerate(chaps[:size]):
                handle.write(json.dumps({"doc_id": f"c{i:04d}", "text": text}) + "\n")
        seconds: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeats):
            for jobs in (1, 2):
                cmd = [PYTHON, "-m", "pipeline.cli", "run", str(path), "--quiet", "--jobs",
                       str(jobs), "-o", str(WORK / "crossover-out.jsonl")]  # fmt: skip
                seconds[jobs].append(timed(cmd)[0])
        one, two = (statistics.median(seconds[j]) for j in (1, 2))
        rows.append((size, path.stat().st_size, one, two))
    lines = [
        "# --jobs 1 against --jobs 2, end to end",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` "
        f"(bench/crossover.py): median wall seconds of {args.repeats} turns of `claims run` "
        "on KJV chapters, model load included.",
        "",
        "| documents | input bytes | --jobs 1 (s) | --jobs 2 (s) | jobs 2 / jobs 1 |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {size} | {nbytes:,} | {one:.2f} | {two:.2f} | {two / one:.2f} |"
            for size, nbytes, one, two in rows
        ),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
