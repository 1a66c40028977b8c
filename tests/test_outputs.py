"""Where a run writes: only regular files or new paths, one run per output at a time, and
a resume that refuses other settings and leaves out what the inputs no longer hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.corpus.sink import RecordSink
from tests.conftest import ROOT

TEXTS = [
    "Russia arms Syria. Iran backs Hezbollah in Lebanon.",
    "Turkey opposes the PKK. China supports Pakistan.",
    "India rivals Pakistan. NATO deters Russia in the Baltic.",
    "Israel strikes Hezbollah. Iran warns Israel.",
]
NOT_REGULAR = "not a regular file: an output is written only to a regular file or a new path"


def corpus(folder: Path, texts=TEXTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(texts):
        (folder / f"d{i}.txt").write_text(text, encoding="utf-8")
    return folder


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def special(kind: str, path: Path, tmp_path: Path) -> Path:
    """A FIFO, a symbolic link to a file, a folder or a character device at ``path``."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        (tmp_path / "target.txt").write_text("keep", encoding="utf-8")
        path.symlink_to(tmp_path / "target.txt")
    elif kind == "folder":
        path.mkdir()
    else:
        try:
            os.mknod(path, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 3))  # /dev/null's
        except PermissionError:
            pytest.skip("making a device node needs root")
    return path


def kind_of(path: Path) -> int:
    return os.lstat(path).st_mode


KINDS = [
    ("fifo", "is a FIFO (named pipe)"),
    ("symlink", "is a symbolic link"),
    ("folder", "is a folder"),
    ("device", "is a character device"),
]


# -- item 2: -o never replaces (or writes through) anything but a regular file ----------


@pytest.mark.parametrize(("kind", "said"), KINDS, ids=[k for k, _ in KINDS])
def test_outputs_run_refuses_a_special_output(runner, tmp_path, kind, said):
    out = special(kind, tmp_path / "out.jsonl", tmp_path)
    before = kind_of(out)
    result = runner.invoke(main, ["run", str(corpus(tmp_path / "c")), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == f"Error: {out}: {said}, {NOT_REGULAR} (-o - writes to stdout)\n"
    assert kind_of(out) == before
    assert not (tmp_path / "out.jsonl.partial").exists()
    if kind == "symlink":
        assert (tmp_path / "target.txt").read_text() == "keep"


@pytest.mark.parametrize("suffix", [".partial", ".progress.jsonl", ".errors.jsonl", ".lock"])
def test_outputs_run_refuses_a_link_beside_the_output(runner, tmp_path, suffix):
    link = special("symlink", tmp_path / f"out.jsonl{suffix}", tmp_path)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["run", str(corpus(tmp_path / "c")), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == f"Error: {link}: is a symbolic link, {NOT_REGULAR}\n"
    assert link.is_symlink() and (tmp_path / "target.txt").read_text() == "keep"
    assert not out.exists()


@pytest.mark.parametrize(("kind", "said"), KINDS, ids=[k for k, _ in KINDS])
def test_outputs_review_refuses_a_special_output(runner, tmp_path, kind, said):
    folder = corpus(tmp_path / "c", TEXTS[:1])
    claims = tmp_path / "claims.jsonl"
    assert runner.invoke(main, ["run", str(folder), "-o", str(claims)]).exit_code == 0
    out = special(kind, tmp_path / "report.html", tmp_path)
    before = kind_of(out)
    result = runner.invoke(main, ["review", str(folder), "--records", str(claims), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == f"Error: {out}: {said}, {NOT_REGULAR}\n"
    assert kind_of(out) == before


def test_outputs_run_replaces_a_regular_file_and_writes_stdout(runner, tmp_path):
    folder = corpus(tmp_path / "c", TEXTS[:1])
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    assert runner.invoke(main, ["run", str(folder), "-o", str(out)]).exit_code == 0
    assert records(out)[0]["doc_id"] == "d0"
    result = runner.invoke(main, ["run", str(folder), "-o", "-"])
    assert result.exit_code == 0 and '"doc_id":"d0"' in result.output


# -- item 4: one run per output ------------------------------------------------------------


def attach_writer(fifo: Path, proc: subprocess.Popen, timeout: float = 120) -> int:
    """The write end of ``fifo``, once ``proc`` has opened it to read (its run is then
    under way: OUT locked, the model loaded, the input being read)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.05)
    pytest.fail(f"the first run never read its input: {proc.poll()}")


def test_outputs_second_run_on_an_output_in_use_fails_at_once(runner, tmp_path):
    """A run that waits for more input (a FIFO) holds OUT; a second run on OUT, plain or
    --resume, fails at once and touches nothing; the first then completes."""
    fifo = tmp_path / "slow.jsonl"
    os.mkfifo(fifo)
    out = tmp_path / "out.jsonl"
    script = Path(sys.executable).parent / "claims"
    first = subprocess.Popen(
        [str(script), "run", str(fifo), "-o", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        writer = attach_writer(fifo, first)
        folder = corpus(tmp_path / "c")
        for extra in ([], ["--resume"]):
            result = runner.invoke(main, ["run", str(folder), "-o", str(out), *extra])
            assert result.exit_code == 2
            assert result.output == (
                f"Error: {out}: another claims run is writing this output; wait for it to "
                "end, or choose another -o\n"
            )
        assert not out.exists() and out.with_name("out.jsonl.partial").exists()
        os.write(writer, json.dumps({"doc_id": "slow", "text": TEXTS[0]}).encode() + b"\n")
        os.close(writer)
        _, stderr = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, stderr
    assert {r["doc_id"] for r in records(out)} == {"slow"}
    assert not out.with_name("out.jsonl.lock").exists()


def test_outputs_lock_file_left_by_a_killed_run_does_not_block(runner, tmp_path):
    out = tmp_path / "out.jsonl"
    out.with_name("out.jsonl.lock").write_text("", encoding="utf-8")  # its lock went with it
    result = runner.invoke(main, ["run", str(corpus(tmp_path / "c")), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len({r["doc_id"] for r in records(out)}) == 4


# -- item 5: resume checks its settings and follows the inputs ----------------------------


def interrupted(runner, monkeypatch, args: list[str], after: int = 2) -> None:
    """Run ``claims ARGS``, stopped (as by Ctrl-C) when ``after`` documents are written."""
    write, calls = RecordSink.write, []

    def stop(self, *rest):
        if len(calls) == after:
            raise KeyboardInterrupt
        calls.append(rest)
        write(self, *rest)

    monkeypatch.setattr(RecordSink, "write", stop)
    result = runner.invoke(main, args)
    monkeypatch.setattr(RecordSink, "write", write)
    assert result.exit_code == 2 and "interrupted" in result.output, result.output


def changed_config(tmp_path: Path, what: str) -> list[str]:
    """Options building another pipeline: a setting, a lexicon or a gazetteer extension."""
    config = (ROOT / "pipeline" / "config.cfg").read_text("utf-8")
    if what == "config":
        config = config.replace("min_tokens = 3", "min_tokens = 4")
    elif what == "lexicons":
        lexicon = json.loads((ROOT / "pipeline/components/certainty.json").read_text("utf-8"))
        lexicon["hedge_phrases"] = [*lexicon["hedge_phrases"], "iran"]
        (tmp_path / "certainty.json").write_text(json.dumps(lexicon), "utf-8")
        config = config.replace(
            "[initialize.components.claims_certainty]\nlexicon = null",
            f'[initialize.components.claims_certainty]\nlexicon = "{tmp_path / "certainty.json"}"',
        )
    else:
        extra = tmp_path / "extra.toml"
        extra.write_text('[persons]\n"person:ivan-testov" = { name = "Ivan Testov" }\n', "utf-8")
        return ["--gazetteer", str(extra)]
    (tmp_path / "my.cfg").write_text(config, "utf-8")
    return ["--config", str(tmp_path / "my.cfg")]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--focal", "RUS,IRN"], "focal pair per document then, RUS,IRN now"),
        (["--date", "1962"], "--date per document then, 1962 now"),
        ("config", "config "),
        ("lexicons", "lexicons "),
        ("gazetteer", "gazetteer extension none then, "),
    ],
    ids=["focal", "date", "config", "lexicons", "gazetteer"],
)
def test_outputs_resume_with_other_settings_is_refused(
    runner, tmp_path, monkeypatch, options, said
):
    folder = corpus(tmp_path / "c")
    out = tmp_path / "out.jsonl"
    interrupted(runner, monkeypatch, ["run", str(folder), "-o", str(out)])
    partial = out.with_name("out.jsonl.partial")
    ledger = out.with_name("out.jsonl.progress.jsonl")
    before = partial.read_bytes(), ledger.read_bytes()
    if isinstance(options, str):
        options = changed_config(tmp_path, options)
    result = runner.invoke(main, ["run", str(folder), "-o", str(out), "--resume", *options])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: {out}: --resume with other settings than the run it ")
    assert said in line and "run without --resume to start afresh" in line
    assert len(line.split(" then, ")) == 2  # one difference, named alone
    assert (partial.read_bytes(), ledger.read_bytes()) == before


def test_outputs_resume_of_a_finished_output_checks_its_provenance(runner, tmp_path):
    folder = corpus(tmp_path / "c")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(main, ["run", str(folder), "-o", str(out)]).exit_code == 0
    rows = records(out)
    rows[0]["provenance"]["pipeline_version"] = "0.0.1"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(main, ["run", str(folder), "-o", str(out), "--resume"])
    assert result.exit_code == 2
    assert "claims version 0.0.1 then, 0.1.0 now" in result.output


def doc_records(path: Path) -> dict[str, set[str]]:
    """doc_id -> the text hashes its records carry."""
    found: dict[str, set[str]] = {}
    for record in records(path):
        found.setdefault(record["doc_id"], set()).add(record["provenance"]["doc_sha256"])
    return found


@pytest.mark.parametrize("finished", [False, True], ids=["interrupted", "finished"])
def test_outputs_resume_reruns_changed_and_drops_removed_documents(
    runner, tmp_path, monkeypatch, finished
):
    folder = corpus(tmp_path / "c")
    out = tmp_path / "out.jsonl"
    args = ["run", str(folder), "-o", str(out)]
    if finished:
        assert runner.invoke(main, args).exit_code == 0
    else:
        interrupted(runner, monkeypatch, args, after=3)
    (folder / "d1.txt").write_text("Egypt mediates between Israel and Hamas.", encoding="utf-8")
    (folder / "d0.txt").unlink()
    result = runner.invoke(main, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    assert "Warning: resume: 1 document changed since the earlier run" in result.output
    assert "their earlier records were left out: d1" in result.output
    assert (
        "Warning: resume: 1 document of the earlier run no longer in the inputs, "
        "their records left out: d0" in result.output
    )
    fresh = tmp_path / "fresh.jsonl"
    assert runner.invoke(main, ["run", str(folder), "-o", str(fresh)]).exit_code == 0
    assert doc_records(out) == doc_records(fresh)
    key = lambda r: r["claim_id"]  # noqa: E731
    assert sorted(records(out), key=key) == sorted(records(fresh), key=key)
    assert not out.with_name("out.jsonl.partial").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
