"""JSON Lines in and out: split on "\\n" only, line separators escaped on write, one-line
errors naming file, line and offset, and every reader of the project's files on U+2028,
U+2029 and U+0085."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.corpus.documents import SourceDocument, sha256_hex
from pipeline.errors import ClaimsError
from pipeline.evaluation.gold import gold_line, load_gold
from pipeline.io import (
    dumps_jsonl,
    iter_jsonl,
    iter_jsonl_lenient,
    json_line,
    split_jsonl,
    write_text_atomic,
)
from pipeline.models import ClaimRecord, GoldClaim, GoldDocument

SEPARATORS = ["\u2028", "\u2029", "\u0085"]


def raw_line(obj: dict) -> str:
    """A JSON line with line separators left raw, as earlier versions wrote records."""
    return json.dumps(obj, ensure_ascii=False) + "\n"


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_io_jsonl_splits_on_newline_only(tmp_path, sep):
    path = tmp_path / "a.jsonl"
    path.write_text(raw_line({"text": f"one{sep}line"}) + raw_line({"text": "two"}), "utf-8")
    assert list(iter_jsonl(path)) == [(1, {"text": f"one{sep}line"}), (2, {"text": "two"})]
    assert [n for n, _ in split_jsonl(path.read_text(encoding="utf-8"))] == [1, 2]


def gold_claim(text: str) -> GoldClaim:
    return GoldClaim(
        doc_id="d",
        start=0,
        end=len(text),
        text=text,
        section=None,
        actors=[],
        regions=[],
        stance="neutral",
        certainty="asserted",
        relations=[],
    )


WRITERS = {
    "model_dump_json": lambda text: gold_claim(text).model_dump_json(),
    "dumps_jsonl": lambda text: dumps_jsonl([gold_claim(text)]).rstrip("\n"),
    "gold_line": lambda text: gold_line(gold_claim(text)),
    "json_line": lambda text: json_line({"text": text}),
}


@pytest.mark.parametrize("sep", SEPARATORS)
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_io_writers_escape_line_separators(writer, sep):
    text = f"before{sep}after é"
    line = WRITERS[writer](text)
    assert sep not in line and "é" in line  # escaped, other text kept readable
    assert line.splitlines() == [line]
    assert json.loads(line)["text"] == text


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('{"a": "x', 1, "not valid JSON (Unterminated string starting at column 7)"),
        (
            '{"a": 1}\n{"a": "\x01"}\n',
            2,
            "not valid JSON (a raw control character U+0001 inside a string at column 8: "
            "write it as \\u0001)",
        ),
        ('{"a": 1}\n\n[1, 2]\n', 3, "invalid record: expected a JSON object"),
        (
            '{"a": 1}\n{"a": "x\\ud800"}\n',
            2,
            "a holds a lone surrogate (\\ud800) at character 1: not Unicode text",
        ),
        (
            '{"m": {"k": ["\\udc00"]}}\n',
            1,
            "m.k.0 holds a lone surrogate (\\udc00) at character 0: not Unicode text",
        ),
        ("[" * 100_000 + "\n", 1, "not valid JSON (nested too deeply)"),
    ],
)
def test_io_bad_json_line_names_file_and_line(tmp_path, content, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ClaimsError) as info:
        list(iter_jsonl(path))
    assert info.value.message == f"{path}:{line}: {message}"
    assert " at at " not in info.value.message


def test_io_escaped_surrogate_pair_is_text(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": "\\ud83d\\ude00", "\\ud83d\\ude01": ["\\uD83D\\uDE02"]}\n')
    assert list(iter_jsonl(path)) == [(1, {"a": "\U0001f600", "\U0001f601": ["\U0001f602"]})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": 1}\n{"a": "\xff"}\n', "2: not UTF-8 text: invalid byte at offset 16"),
        (b'{"a": 1}\n{"a": 2}\n\x00\n', "3: binary file (NUL byte at offset 18)"),
    ],
)
def test_io_bad_bytes_name_line_and_file_offset(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(ClaimsError) as info:
        list(iter_jsonl(path))
    assert info.value.message == f"{path}:{message}"


def test_io_lenient_reader_reports_a_broken_line_and_reads_on(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"n": 1}\r\n{"n": \n\xef\xbb\xbf{"n": 3}\n\n{"n": 4}')
    got = list(iter_jsonl_lenient(path))
    assert [n for n, _ in got] == [1, 2, 3, 5]
    assert isinstance(got[1][1], ClaimsError) and f"{path}:2: not valid JSON" in got[1][1].message
    assert got[0][1] == {"n": 1} and got[3][1] == {"n": 4}
    assert isinstance(got[2][1], ClaimsError)  # a BOM is dropped on the first line only


def test_io_leading_bom_is_dropped(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"n": 1}\n')
    assert list(iter_jsonl(path)) == [(1, {"n": 1})]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (lambda t: t / "file.txt" / "out.json", "cannot write: Not a directory"),
        (lambda t: t / "file.txt" / "sub" / "out.json", "cannot write: Not a directory"),
        (
            lambda t: t / "folder",
            "is a folder, not a regular file: an output is written only to a regular file "
            "or a new path",
        ),
    ],
)
def test_io_atomic_write_failure_is_one_line_and_leaves_nothing(tmp_path, where, message):
    (tmp_path / "file.txt").write_text("keep")
    (tmp_path / "folder").mkdir()
    target = where(tmp_path)
    with pytest.raises(ClaimsError) as info:
        write_text_atomic(target, "new")
    assert info.value.message == f"{target}: {message}"
    assert (tmp_path / "file.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "folder"]
    assert list((tmp_path / "folder").iterdir()) == []


# -- every reader of the project's JSONL files, on files holding raw line separators ------

TEXT = (
    "Turkey opposes the PKK.\u2028 Syria too. Iran backs\u2029 Hezbollah in Lebanon. "
    "Russia arms\u0085 Syria."
)


@pytest.fixture(scope="module")
def separated(tmp_path_factory) -> dict:
    """A document whose text holds all three separators, its records written raw (as
    earlier versions did) and as ``claims run`` writes them now."""
    from pipeline.corpus.runner import Runner

    folder = tmp_path_factory.mktemp("separators")
    doc = SourceDocument(
        "sep", TEXT, sha256_hex(TEXT.encode()), "<sep>", focal_actors=["TUR", "IRN"]
    )
    records = Runner().records(doc)
    assert all(any(sep in r.text for r in records) for sep in SEPARATORS)
    raw = folder / "raw.jsonl"
    raw.write_text("".join(raw_line(r.model_dump(mode="json")) for r in records), "utf-8")
    assert any(sep in raw.read_text(encoding="utf-8") for sep in SEPARATORS)
    (folder / "sep.txt").write_text(TEXT, encoding="utf-8")
    return {"folder": folder, "raw": raw, "records": records, "doc": doc}


def test_io_records_reader_reads_raw_separators(separated):
    from pipeline.export.tables import load_records

    assert load_records(separated["raw"]) == separated["records"]


@pytest.mark.parametrize("command", ["export", "summary"])
def test_io_export_and_summary_read_raw_separators(runner, separated, tmp_path, command):
    args = ["--to", str(tmp_path / "t.parquet")] if command == "export" else []
    result = runner.invoke(main, [command, str(separated["raw"]), *args])
    assert result.exit_code == 0, result.output
    assert f"{len(separated['records'])} claims" in result.output


def write_gold(folder: Path, text_file: Path, claims: list[GoldClaim]) -> Path:
    folder.mkdir()
    doc = GoldDocument(doc_id="sep", path=str(text_file), sha256=sha256_hex(text_file.read_bytes()))
    (folder / "documents.jsonl").write_text(raw_line(doc.model_dump(mode="json")), "utf-8")
    rows = [raw_line({**c.model_dump(mode="json", exclude_none=True), "section": None})
            for c in claims]  # fmt: skip
    (folder / "claims.jsonl").write_text("".join(rows), "utf-8")
    return folder


def gold_claims(records: list[ClaimRecord]) -> list[GoldClaim]:
    from pipeline.review.store import gold_from_record

    return [GoldClaim.model_validate(gold_from_record(r)) for r in records]


def test_io_gold_folder_and_evaluate_read_raw_separators(runner, separated, tmp_path):
    claims = gold_claims(separated["records"])
    gold = write_gold(tmp_path / "gold", separated["folder"] / "sep.txt", claims)
    assert [c.text for c in load_gold(gold).claims] == [c.text for c in claims]
    result = runner.invoke(
        main, ["evaluate", "--gold", str(gold), "--pred", str(separated["raw"]), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["claims"]["strict"]["f"] == 1.0


def test_io_annotate_gold_folder_reopens_after_saving_separators(separated, tmp_path):
    from pipeline.review.store import Store

    doc = separated["doc"]
    store = Store(tmp_path / "gold", [doc])
    for record, claim in zip(separated["records"], gold_claims(separated["records"]), strict=True):
        store.accept(f"{record.doc_id}:{record.start}:{record.end}", claim)
    for name in ("documents.jsonl", "claims.jsonl"):
        assert not any(sep in (tmp_path / "gold" / name).read_text("utf-8") for sep in SEPARATORS)
    store.close()  # the reviewer stops the app (releasing the folder) and restarts it
    again = Store(tmp_path / "gold", [doc])
    assert [c.text for c in again.claims] == [r.text for r in separated["records"]]


def test_io_run_writes_escaped_records_and_resumes_over_raw_ones(runner, separated, tmp_path):
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(raw_line({"doc_id": "sep", "text": TEXT, "focal_actors": ["TUR", "IRN"]}))
    out = tmp_path / "out.jsonl"
    assert runner.invoke(main, ["run", str(corpus), "-o", str(out)]).exit_code == 0
    written = out.read_text(encoding="utf-8")
    assert not any(sep in written for sep in SEPARATORS)
    assert [r["text"] for r in lines_of(out)] == [r.text for r in separated["records"]]
    out.write_bytes(separated["raw"].read_bytes())  # a finished OUT from an earlier version
    result = runner.invoke(main, ["run", str(corpus), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert "1 already complete" in result.output
    assert out.read_bytes() == separated["raw"].read_bytes()


def test_io_errors_file_keeps_one_line_per_failure(runner, tmp_path):
    corpus = tmp_path / "in.jsonl"
    rows = [{"doc_id": f"a{sep}b", "path": f"missing{sep}.txt"} for sep in SEPARATORS]
    corpus.write_text("".join(raw_line(r) for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["run", str(corpus), "-o", str(out)])
    assert result.exit_code == 2
    failures = lines_of(tmp_path / "out.jsonl.errors.jsonl")
    assert [f["doc_id"] for f in failures] == [r["doc_id"] for r in rows]
    assert [f["source"] for f in failures] == [f"{corpus}:{n}" for n in (1, 2, 3)]


def test_io_resume_ledger_reads_doc_ids_with_separators(runner, tmp_path, monkeypatch):
    from pipeline.corpus.sink import RecordSink

    rows = [{"doc_id": f"d{sep}{n}", "text": TEXT} for n, sep in enumerate(SEPARATORS)]
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("".join(raw_line(r) for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    write = RecordSink.write

    def interrupted(self, doc_id, *args):
        if doc_id == rows[2]["doc_id"]:
            raise KeyboardInterrupt
        write(self, doc_id, *args)

    monkeypatch.setattr(RecordSink, "write", interrupted)
    result = runner.invoke(main, ["run", str(corpus), "-o", str(out)])
    assert result.exit_code == 2 and "interrupted" in result.output
    ledger = tmp_path / "out.jsonl.progress.jsonl"
    settings, *entries = lines_of(ledger)
    assert "settings" in settings
    assert [e["doc_id"] for e in entries] == [r["doc_id"] for r in rows[:2]]
    monkeypatch.setattr(RecordSink, "write", write)
    result = runner.invoke(main, ["run", str(corpus), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert "2 already complete" in result.output
    done = lines_of(out)
    assert sorted({r["doc_id"] for r in done}) == sorted(r["doc_id"] for r in rows)
    assert len({r["claim_id"] for r in done}) == len(done) and not ledger.exists()
