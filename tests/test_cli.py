"""``claims run`` inputs and messages: unique claim ids, duplicate doc_ids, metadata carried
into records, sha256 and focal checks, broken or unreadable inputs as per-input failures,
and one-line errors (no traceback, no empty output) when nothing can be done."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from pipeline.cli import main

IRAN = "Iran backs Hezbollah."
TURKEY = "Turkey opposes the PKK."


def jsonl(path: Path, *rows: dict | str) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), "utf-8"
    )
    return path


def records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").split("\n") if x]


def run(runner, tmp_path: Path, *inputs: Path | str, args=()):
    out = tmp_path / "out" / "claims.jsonl"
    result = runner.invoke(main, ["run", *map(str, inputs), "-o", str(out), *args])
    return result, out


def errors_of(out: Path) -> list[dict]:
    return records(out.with_name(out.name + ".errors.jsonl"))


# -- ids and records ----------------------------------------------------------------------


def test_cli_claim_ids_are_unique_per_doc_id_for_one_text(runner, tmp_path):
    corpus = jsonl(
        tmp_path / "in.jsonl",
        {"doc_id": "a", "text": f"{IRAN} {TURKEY}"},
        {"doc_id": "b", "text": f"{IRAN} {TURKEY}"},
    )
    result, out = run(runner, tmp_path, corpus)
    assert result.exit_code == 0, result.output
    rows = records(out)
    assert [r["doc_id"] for r in rows] == ["a", "a", "b", "b"]
    assert len({r["claim_id"] for r in rows}) == 4
    same = {(r["provenance"]["doc_sha256"], r["start"], r["end"]) for r in rows}
    assert len(same) == 2  # the same claim in both documents: joined by text hash and span
    _, out2 = run(runner, tmp_path / "again", corpus)
    assert [r["claim_id"] for r in records(out2)] == [r["claim_id"] for r in rows]


def test_cli_unknown_fields_reach_the_record_as_meta(runner, tmp_path):
    corpus = jsonl(
        tmp_path / "in.jsonl",
        {"doc_id": "a", "text": IRAN, "url": "https://x/a", "date": "2026-01-02", "n": [1]},
        {"doc_id": "b", "text": TURKEY, "meta": {"source": "wire"}, "lang": "en"},
        {"doc_id": "c", "text": IRAN},
        {"doc_id": "d", "text": IRAN, "meta": {"url": "u"}, "url": "v"},
        {"doc_id": "e", "text": IRAN, "title": 5, "url": "w"},
    )
    result, out = run(runner, tmp_path, corpus)
    assert result.exit_code == 2
    assert {r["doc_id"]: r["meta"] for r in records(out)} == {
        "a": {"url": "https://x/a", "date": "2026-01-02", "n": [1]},
        "b": {"source": "wire", "lang": "en"},
        "c": {},
    }
    assert [(e["doc_id"], e["source"]) for e in errors_of(out)] == [
        ("d", f"{corpus}:4"),
        ("e", f"{corpus}:5"),
    ]
    assert f"{corpus}:4: field 'url' is given both in `meta` and on the line" in result.output
    assert f"{corpus}:5: invalid record: title" in result.output  # known fields stay strict


def test_cli_duplicate_doc_ids_name_both_places(runner, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "x.txt").write_text(IRAN)
    (tmp_path / "two" / "x.txt").write_text(TURKEY)
    corpus = jsonl(
        tmp_path / "in.jsonl", {"doc_id": "y", "text": IRAN}, {"doc_id": "y", "text": "A"}
    )
    result, out = run(runner, tmp_path, tmp_path / "one", tmp_path / "two", corpus)
    assert result.exit_code == 2
    first, second = tmp_path / "one" / "x.txt", tmp_path / "two" / "x.txt"
    assert f"{second}: doc_id 'x' appears twice, first at {first}" in result.output
    assert f"{corpus}:2: doc_id 'y' appears twice, first at {corpus}:1" in result.output
    assert [r["text"] for r in records(out)] == [IRAN, IRAN]  # the first of each kept
    assert [e["source"] for e in errors_of(out)] == [str(second), f"{corpus}:2"]
    assert "2 of 4 documents failed" in result.output


def test_cli_annotate_refuses_duplicate_doc_ids(runner, tmp_path, monkeypatch):
    import pipeline.review.server as server

    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: None)  # never block
    corpus = jsonl(
        tmp_path / "in.jsonl", {"doc_id": "y", "text": IRAN}, {"doc_id": "y", "text": "A"}
    )
    gold = tmp_path / "gold"
    result = runner.invoke(main, ["annotate", str(corpus), "--gold", str(gold), "--no-browser"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {corpus}:2: doc_id 'y' appears twice, first at {corpus}:1: this one is skipped "
        "(each document needs its own doc_id; a JSONL input can give them)"
    ]
    assert not gold.exists()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_cli_sha256_mismatch_fails_that_document_only(runner, tmp_path):
    (tmp_path / "t.txt").write_text(TURKEY)
    corpus = jsonl(
        tmp_path / "in.jsonl",
        {"doc_id": "good", "text": IRAN, "sha256": sha(IRAN)},
        {"doc_id": "inline", "text": IRAN, "sha256": sha(TURKEY)},
        {"doc_id": "file", "path": "t.txt", "sha256": sha(IRAN)},
        {"doc_id": "file-ok", "path": "t.txt", "sha256": sha(TURKEY)},
    )
    result, out = run(runner, tmp_path, corpus)
    assert result.exit_code == 2
    assert [r["doc_id"] for r in records(out)] == ["good", "file-ok"]
    expected = f"the line says {sha(TURKEY)}"
    assert f"{corpus}:2: sha256 of the text is {sha(IRAN)}, {expected}" in result.output
    sha_line = f"{corpus}:3: sha256 of {tmp_path / 't.txt'} is {sha(TURKEY)}, the line says"
    assert sha_line in result.output


@pytest.mark.parametrize(
    ("args", "row", "message"),
    [
        (["--focal", "RUS,RUS"], None, "the focal pair needs two different actor IDs, not RUS"),
        (["--focal", "rus,RUS"], None, "not RUS twice"),
        (["--focal", "org:nato,org:nato"], None, "not org:nato twice"),
        ([], {"focal_actors": ["IRN", "IRN"]}, "in.jsonl:1: the focal pair needs two different"),
    ],
)
def test_cli_focal_pair_of_one_actor_twice_is_an_error(runner, tmp_path, args, row, message):
    corpus = jsonl(tmp_path / "in.jsonl", {"doc_id": "a", "text": IRAN, **(row or {})})
    result, out = run(runner, tmp_path, corpus, args=args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output and not out.exists()


# -- nothing dropped: broken lines and unreadable inputs ----------------------------------


def test_cli_broken_jsonl_line_is_skipped_and_reading_goes_on(runner, tmp_path):
    rows = [{"doc_id": f"d{n}", "text": IRAN} for n in range(1, 7)]
    rows[2] = '{"doc_id": "d3", "text": '
    rows[3] = {"doc_id": "d4", "text": "Iran \\ud800 backs Hezbollah."}
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    corpus.write_text(corpus.read_text().replace("\\\\ud800", "\\ud800"))
    result, out = run(runner, tmp_path, corpus)
    assert result.exit_code == 2
    assert [r["doc_id"] for r in records(out)] == ["d1", "d2", "d5", "d6"]
    assert [e["source"] for e in errors_of(out)] == [f"{corpus}:3", f"{corpus}:4"]
    assert f"{corpus}:3: not valid JSON (Expecting value at column" in result.output
    assert f"{corpus}:4: text holds a lone surrogate (\\ud800) at character 5" in result.output
    assert "2 of 6 documents failed" in result.output


@pytest.fixture
def deny(monkeypatch):
    """Make paths unreadable (as chmod 000 does for a user other than root)."""
    denied: set[str] = set()
    scandir, read_bytes, opener = os.scandir, Path.read_bytes, open

    def check(path):
        if os.fspath(path) in denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))

    def fake_scandir(path="."):
        check(path)
        return scandir(path)

    def fake_read_bytes(self):
        check(self)
        return read_bytes(self)

    def fake_open(path, *args, **kwargs):
        check(path)
        return opener(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    monkeypatch.setattr(Path, "read_bytes", fake_read_bytes)
    monkeypatch.setattr("pipeline.io.open", fake_open, raising=False)
    return lambda *paths: denied.update(os.fspath(p) for p in paths)


def test_cli_unreadable_inputs_are_failures_listed_in_the_errors_file(runner, tmp_path, deny):
    corpus = tmp_path / "corpus"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "a.txt").write_text(IRAN)
    (corpus / "locked" / "b.txt").write_text(IRAN)
    (corpus / "secret.txt").write_text(IRAN)
    (tmp_path / "c.txt").write_text(TURKEY)
    lines = jsonl(tmp_path / "in.jsonl", {"doc_id": "j", "text": IRAN})
    deny(corpus / "locked", corpus / "secret.txt", lines)
    result, out = run(runner, tmp_path, corpus, lines, tmp_path / "c.txt")
    assert result.exit_code == 2, result.output
    assert [r["doc_id"] for r in records(out)] == ["a", "c"]
    assert [(e["source"], e["error"]) for e in errors_of(out)] == [
        (str(corpus / "locked"), f"{corpus / 'locked'}: cannot read folder: Permission denied"),
        (str(corpus / "secret.txt"), f"{corpus / 'secret.txt'}: cannot read: Permission denied"),
        (str(lines), f"{lines}: cannot read: Permission denied"),
    ]
    assert "3 of 5 documents failed" in result.output


def test_cli_bad_path_in_a_jsonl_line_names_line_and_resolved_path(runner, tmp_path):
    (tmp_path / "texts").mkdir()
    corpus = jsonl(
        tmp_path / "texts" / "in.jsonl",
        {"doc_id": "ok", "text": IRAN},
        {"doc_id": "gone", "path": "missing/x.txt"},
        {"doc_id": "dir", "path": "."},
    )
    result, out = run(runner, tmp_path, corpus)
    assert result.exit_code == 2
    missing, here = tmp_path / "texts" / "missing" / "x.txt", tmp_path / "texts"
    assert [e["error"] for e in errors_of(out)] == [
        f"{corpus}:2: `path` 'missing/x.txt' (resolved: {missing}): file not found",
        f"{corpus}:3: `path` '.' (resolved: {here}): is a folder, expected a file",
    ]
    assert [r["doc_id"] for r in records(out)] == ["ok"]


def outside_corpus(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A JSONL input in corpus/ with a line below its folder and three that reach out: an
    absolute path, ../, and a link inside the folder to a file outside it."""
    folder = tmp_path / "corpus"
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "inside.txt").write_text(IRAN, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("Russia arms Syria.", encoding="utf-8")
    (folder / "texts" / "link.txt").symlink_to(secret)
    corpus = jsonl(
        folder / "in.jsonl",
        {"doc_id": "inside", "path": "texts/inside.txt"},
        {"doc_id": "absolute", "path": str(secret)},
        {"doc_id": "climbing", "path": "../secret.txt"},
        {"doc_id": "link", "path": "texts/link.txt"},
    )
    return corpus, folder, secret


def test_cli_jsonl_path_outside_its_folder_is_refused(runner, tmp_path):
    corpus, folder, secret = outside_corpus(tmp_path)
    result, out = run(runner, tmp_path, corpus)
    assert result.exit_code == 2
    assert [r["doc_id"] for r in records(out)] == ["inside"]
    tail = (
        f"is outside the JSONL file's folder {folder}: a JSONL input reads only files below "
        "its own folder; give --allow-outside-paths to read it anyway"
    )
    assert [e["error"] for e in errors_of(out)] == [
        f"{corpus}:2: `path` '{secret}' (resolved: {secret}) {tail}",
        f"{corpus}:3: `path` '../secret.txt' (resolved: {secret}) {tail}",
        f"{corpus}:4: `path` 'texts/link.txt' (resolved: {secret}) {tail}",
    ]
    assert "3 of 4 documents failed" in result.output


def test_cli_allow_outside_paths_reads_them(runner, tmp_path):
    corpus, _, _ = outside_corpus(tmp_path)
    result, out = run(runner, tmp_path, corpus, args=["--allow-outside-paths"])
    assert result.exit_code == 0, result.output
    assert {r["doc_id"] for r in records(out)} == {"inside", "absolute", "climbing", "link"}


@pytest.mark.parametrize("command", ["review", "annotate"])
def test_cli_review_and_annotate_keep_jsonl_paths_inside(runner, tmp_path, monkeypatch, command):
    import pipeline.review.server

    monkeypatch.setattr(pipeline.review.server, "serve", lambda *a, **k: None)  # never block
    (tmp_path / "corpus").mkdir()
    corpus = jsonl(tmp_path / "corpus" / "in.jsonl", {"doc_id": "x", "path": "/etc/hostname"})
    args = [command, str(corpus), "--gold", str(tmp_path / "gold")]
    if command == "annotate":
        args.append("--no-browser")
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {corpus}:1: `path` '/etc/hostname' (resolved: ")
    assert "give --allow-outside-paths to read it anyway" in result.output
    assert result.output.count("\n") == 1


# -- messages -----------------------------------------------------------------------------


def test_cli_missing_only_input_is_two_lines_and_leaves_no_output(runner, tmp_path):
    result, out = run(runner, tmp_path, tmp_path / "nope.txt")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'nope.txt'}: input not found",
        "Error: the document failed; no output was written",
    ]
    assert sorted(p.name for p in out.parent.iterdir()) == ["claims.jsonl.errors.jsonl"]


def test_cli_every_document_failing_keeps_an_earlier_output(runner, tmp_path):
    out = tmp_path / "out" / "claims.jsonl"
    out.parent.mkdir()
    out.write_text("earlier run\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff")
    result, _ = run(runner, tmp_path, bad, tmp_path / "nope.txt")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: all 2 documents failed; no output was written"
    )
    assert out.read_text() == "earlier run\n"
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "claims.jsonl",
        "claims.jsonl.errors.jsonl",
    ]


def test_cli_no_documents_is_an_error(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result, out = run(runner, tmp_path, tmp_path / "empty")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: no documents in the inputs (a folder is searched for *.txt files)"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("texts", "line"),
    [
        ([IRAN], "1 claim from 1 document"),
        ([f"{IRAN} {TURKEY}", TURKEY], "3 claims from 2 documents"),
        (["  "], "0 claims from 1 document"),
    ],
)
def test_cli_closing_line_counts_in_words(runner, tmp_path, texts, line):
    rows = [{"doc_id": f"d{n}", "text": t} for n, t in enumerate(texts)]
    result, _ = run(runner, tmp_path, jsonl(tmp_path / "in.jsonl", *rows))
    assert result.exit_code == 0, result.output
    assert line in result.stderr.splitlines()


def test_cli_export_counts_one_claim_in_words(runner, tmp_path):
    result, out = run(runner, tmp_path, jsonl(tmp_path / "in.jsonl", {"doc_id": "a", "text": IRAN}))
    assert result.exit_code == 0, result.output
    dest = tmp_path / "network.json"
    result = runner.invoke(main, ["export", str(out), "--to", str(dest)])
    assert result.output.strip() == f"wrote {dest} (graph, 1 claim)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["schema", "--out", "{file}"], "{file}: is a file, expected a folder"),
        (["schema", "--out", "{file}/sub"], "{file}/sub: cannot write: Not a directory"),
        (["run", "{file}", "-o", "{file}/o.jsonl"], "{file}: is a file, expected a folder"),
        (["review", "{file}", "--records", "{empty}", "-o", "{tmp}"], "{tmp}: is a folder"),
        (
            ["annotate", "{file}", "--gold", "{file}", "--no-browser"],
            "{file}: cannot use this as the gold folder",
        ),
    ],
)
def test_cli_unwritable_destination_is_one_line(runner, tmp_path, monkeypatch, args, message):
    import pipeline.review.server as server

    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: None)  # never block
    file = tmp_path / "good.txt"
    file.write_text(IRAN)
    (tmp_path / "empty.jsonl").write_text("")
    fill = {"file": str(file), "tmp": str(tmp_path), "empty": str(tmp_path / "empty.jsonl")}
    result = runner.invoke(main, [a.format(**fill) for a in args])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert message.format(**fill) in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("args", "code", "stdout_lines", "stderr_has"),
    [
        (["run", "{seed}"], 0, 68, "68 claims from 1 document"),
        (["run", "{seed}", "{missing}"], 2, 68, "{missing}: input not found"),
        (["run", "{missing}"], 2, 0, "no output was written"),
        (["--version"], 0, 1, ""),
        (["no-such-command"], 2, 0, "No such command"),
    ],
)
def test_cli_console_script_flushes_output_and_keeps_the_exit_code(
    tmp_path, args, code, stdout_lines, stderr_has
):
    """The installed ``claims`` script leaves through ``os._exit`` (entry): what it wrote
    to a pipe must all arrive, and its exit code must be the command's."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = Path(sys.executable).parent / "claims"
    fill = {
        "seed": str(ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"),
        "missing": str(tmp_path / "missing.txt"),
    }
    argv = [str(script), *(a.format(**fill) for a in args)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == code, result.stderr
    assert len(result.stdout.splitlines()) == stdout_lines
    assert stderr_has.format(**fill) in result.stderr
