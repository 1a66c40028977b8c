"""Peak memory and time of `claims run` on one huge document: 0.1, 1 and 5 MB.

Each size is one text file built from the seed and the dev articles, repeated; each run is
a fresh `claims run FILE -o OUT --jobs 1` process, its peak RSS read from the kernel's
accounting of that child (``os.wait4``). Writes bench/huge.md.

    .venv/bin/python bench/huge.py            # 0.1, 1 and 5 MB
    .venv/bin/python bench/huge.py 0.1 1      # chosen sizes (MB)
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = Path(sys.executable).with_name("claims")
SIZES_MB = (0.1, 1.0, 5.0)


def source_text() -> str:
    files = [ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"]
    files += sorted((ROOT / "annotations" / "dev" / "texts").glob("*.txt"))
    return "\n\n".join(f.read_text(encoding="utf-8").strip() for f in files) + "\n\n"


def build(size_mb: float, folder: Path) -> Path:
    unit = source_text()
    target = int(size_mb * 1_000_000)
    text = (unit * (target // len(unit.encode("utf-8")) + 1)).encode("utf-8")[:target]
    path = folder / f"huge-{size_mb:g}mb.txt"
    path.write_bytes(text.decode("utf-8", "ignore").encode("utf-8"))
    return path


def measure(path: Path, folder: Path) -> dict:
    out = folder / (path.stem + ".jsonl")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(CLAIMS), "run", str(path), "-o", str(out), "--jobs", "1", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"claims run failed on {path.name}: {stderr.strip()}")
    claims = sum(1 for _ in out.open(encoding="utf-8"))
    return {
        "size": path.stat().st_size,
        "words": len(path.read_text(encoding="utf-8").split()),
        "claims": claims,
        "seconds": seconds,
        "rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
    }


def main(argv: list[str]) -> None:
    sizes = [float(x) for x in argv] or list(SIZES_MB)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in sizes:
            row = measure(build(size, folder), folder)
            rows.append(row)
            print(f"{size:g} MB: {row['rss_mib']:.0f} MiB, {row['seconds']:.1f} s", flush=True)
    from pipeline import __version__
    from pipeline.corpus.runner import CHUNK_CHARS

    lines = [
        "# One huge document: peak memory and time",
        "",
        f"`python bench/huge.py` on {os.cpu_count()} cores, Python {platform.python_version()},"
        f" claims {__version__}: `claims run FILE -o OUT --jobs 1`, one fresh process per size,"
        f" documents longer than {CHUNK_CHARS:,} characters processed in chunks of at most"
        " that size. Peak RSS is the whole process (model included).",
        "",
        "| document | words | claims | peak RSS | time | words/s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['size'] / 1e6:g} MB | {row['words']:,} | {row['claims']:,} | "
            f"{row['rss_mib']:,.0f} MiB | {row['seconds']:.1f} s | "
            f"{row['words'] / row['seconds']:,.0f} |"
        )
    (ROOT / "bench" / "huge.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
