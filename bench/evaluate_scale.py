"""Time of `claims evaluate` as the number of documents grows (issue 19: 1,500 in < 60 s).

A gold folder of N documents is built from the seed: each document is the seed's text with
a line of its own appended (so every text, and its sha256, differs), with the seed's 68
gold claims. The predictions are the pipeline's records of the seed (one `claims run`),
copied to every document under its doc_id and text hash, so they pair by sha256 as real
records do. Each figure is one fresh `claims evaluate --gold G --pred P --json` process,
end to end (loading the gold, pairing, scoring); loading the gold alone is timed beside it.
Writes bench/evaluate.md.

    .venv/bin/python bench/evaluate_scale.py             # 100, 400 and 1,500 documents
    .venv/bin/python bench/evaluate_scale.py 1500        # chosen sizes
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = Path(sys.executable).with_name("claims")
GOLD = ROOT / "annotations"
SIZES = (100, 400, 1500)
LIMIT_SECONDS = 60  # for 1,500 documents (issue 19)


def seed_records(folder: Path) -> list[dict]:
    out = folder / "seed.jsonl"
    seed = str(GOLD / "documents.jsonl")  # its text is in seeds/, beside annotations/
    subprocess.run(
        [str(CLAIMS), "run", seed, "-o", str(out), "--quiet", "--allow-outside-paths"],
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def build(n: int, folder: Path, records: list[dict]) -> tuple[Path, Path]:
    """A gold folder of ``n`` seed copies and the predictions for it."""
    (document,) = [json.loads(line) for line in (GOLD / "documents.jsonl").open()]
    claims = [json.loads(line) for line in (GOLD / "claims.jsonl").open()]
    text = (GOLD / document["path"]).read_text(encoding="utf-8")
    gold = folder / f"gold-{n}"
    (gold / "texts").mkdir(parents=True)
    docs, gold_lines, pred_lines = [], [], []
    for i in range(n):
        doc_id = f"copy-{i:05d}"
        raw = f"{text}\nCopy {i}.\n".encode()
        (gold / "texts" / f"{doc_id}.txt").write_bytes(raw)
        sha = hashlib.sha256(raw).hexdigest()
        docs.append({**document, "doc_id": doc_id, "path": f"texts/{doc_id}.txt", "sha256": sha})
        gold_lines += [{**c, "doc_id": doc_id} for c in claims]
        for r in records:
            provenance = {**r["provenance"], "doc_sha256": sha}
            pred_lines.append({**r, "doc_id": doc_id, "provenance": provenance})
    for name, rows in (("documents.jsonl", docs), ("claims.jsonl", gold_lines)):
        (gold / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pred = folder / f"pred-{n}.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in pred_lines), encoding="utf-8")
    return gold, pred


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def load_only(gold: Path) -> float:
    script = "import sys; from pipeline.evaluation.gold import load_gold; load_gold(sys.argv[1])"
    return timed([sys.executable, "-c", script, str(gold)])


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = seed_records(folder)
        for n in sizes:
            gold, pred = build(n, folder, records)
            seconds = timed(
                [str(CLAIMS), "evaluate", "--gold", str(gold), "--pred", str(pred), "--json"]
            )
            rows.append((n, n * len(records), seconds, load_only(gold)))
            print(f"{n} documents: {seconds:.1f} s", file=sys.stderr)
    lines = [
        "# claims evaluate and the number of documents",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by bench/evaluate_scale.py on "
        f"{platform.machine()}, Python {platform.python_version()}: each figure one "
        "`claims evaluate --gold G --pred P --json` process, end to end. Every document is "
        "the seed with a line of its own, with its 68 gold claims and the pipeline's "
        "records of the seed as predictions (paired by sha256).",
        "",
        "| documents | gold claims | predicted claims | evaluate | loading the gold alone |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, predicted, seconds, load in rows:
        lines.append(f"| {n:,} | {n * 68:,} | {predicted:,} | {seconds:.1f} s | {load:.1f} s |")
    big = [seconds for n, _, seconds, _ in rows if n == 1500]
    if big:
        verdict = "met" if big[0] < LIMIT_SECONDS else "not met"
        lines += ["", f"1,500 documents: {big[0]:.1f} s, target < {LIMIT_SECONDS} s: {verdict}."]
    (ROOT / "bench" / "evaluate.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
