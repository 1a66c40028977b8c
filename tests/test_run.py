"""``claims run`` end to end: inputs, records, bad input, chunking, the seed score gate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.cli import main
from pipeline.evaluate import ClaimView, evaluate
from pipeline.gazetteer import load_gazetteer
from pipeline.gold import load_gold
from pipeline.models import ClaimRecord, claim_id
from pipeline.run import Runner, chunks, iter_documents, parse_focal
from tests.conftest import DATA, GOLD, ROOT

SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
HELDOUT = DATA / "heldout-china-pakistan.txt"


def records_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def seed_records(tmp_path_factory) -> list[dict]:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("run") / "claims.jsonl"
    result = CliRunner().invoke(main, ["run", str(GOLD / "documents.jsonl"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_run_seed_meets_quality_targets(seed_records):
    gold = load_gold(GOLD)
    views = [ClaimView.from_record(ClaimRecord.model_validate(r)) for r in seed_records]
    report = evaluate(gold, views, load_gazetteer())
    assert report["claims"]["lenient"]["f"] >= 0.95
    assert report["actors"]["f"] >= 0.92
    assert report["regions"]["f"] >= 0.85
    assert report["relations"]["f"] >= 0.70
    assert report["stance"]["macro_f1"] >= 0.80
    assert report["certainty"]["accuracy"] >= 0.90


def test_run_records_validate_against_committed_schema(seed_records):
    schema = json.loads((ROOT / "schemas" / "claim-record.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for record in seed_records:
        validator.validate(record)


def test_run_records_point_into_the_original_text(seed_records):
    text = SEED.read_text(encoding="utf-8")
    for record in seed_records:
        assert text[record["start"] : record["end"]] == record["text"]
        for actor in record["actors"]:
            for mention in actor["mentions"]:
                assert text[mention["start"] : mention["end"]] == mention["text"]
        for relation in record["relations"]:
            cue = relation["cue"]
            assert text[cue["start"] : cue["end"]] == cue["text"]


def test_run_records_carry_fields_downstream_tools_use(seed_records):
    record = next(r for r in seed_records if r["text"].startswith("Russia likely seeks"))
    assert record["section"] == "Egypt"
    assert record["certainty"]["probability"] == {"term": "likely", "low": 0.55, "high": 0.8}
    assert record["stance"]["focal"] == ["RUS", "IRN"]
    egypt = next(r for r in record["regions"] if r["id"] == "EGY")
    assert "region:middle-east" in egypt["parents"]
    assert record["provenance"]["model_version"].startswith("3.8")
    putin = next(a for r in seed_records for a in r["actors"] if a["id"] == "person:vladimir-putin")
    assert putin["country"] == "RUS" and putin["type"] == "person"


def test_run_claim_ids_are_stable_and_unique(seed_records):
    ids = [r["claim_id"] for r in seed_records]
    assert len(set(ids)) == len(ids)
    first = seed_records[0]
    sha = first["provenance"]["doc_sha256"]
    assert claim_id(first["doc_id"], sha, first["start"], first["end"]) == first["claim_id"]


def test_run_text_file_to_stdout_with_focal(runner):
    result = runner.invoke(main, ["run", str(HELDOUT), "--focal", "CHN,PAK"])
    assert result.exit_code == 0, result.output
    records = records_of(result.output)
    assert {r["doc_id"] for r in records} == {"heldout-china-pakistan"}
    assert all(r["stance"]["focal"] == ["CHN", "PAK"] for r in records)


def test_run_heldout_article_generalises(runner):
    result = runner.invoke(main, ["run", str(HELDOUT)])
    records = {r["text"]: r for r in records_of(result.output)}
    first = records["Beijing and Islamabad will almost certainly remain close partners"]
    assert first["stance"]["focal"] == ["CHN", "PAK"]
    assert first["stance"]["label"] == "convergent"
    assert first["certainty"]["probability"]["term"] == "almost certainly"
    assert records["Pakistan has resisted the demand."]["section"] == "Security"
    # a province the gazetteer takes from ISO 3166-2, with its country as parent
    regions = {g["id"]: g for r in records.values() for g in r["regions"]}
    assert regions["place:balochistan"]["parents"] == ["PAK"]
    assert not any(text.startswith(("By ", "Bottom Line")) for text in records)


def test_run_folder_and_jsonl_inputs(runner, tmp_path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Russia arms Syria.", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("Iran backs Hezbollah.", encoding="utf-8")
    lines = tmp_path / "docs.jsonl"
    lines.write_text(
        json.dumps({"doc_id": "inline", "text": "Turkey opposes the PKK."})
        + "\n"
        + json.dumps({"doc_id": "bypath", "path": "corpus/a.txt", "focal_actors": ["RUS", "SYR"]})
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["run", str(folder), str(lines)])
    assert result.exit_code == 0, result.output
    by_doc = {r["doc_id"]: r for r in records_of(result.output)}
    assert set(by_doc) == {"a", "b", "inline", "bypath"}
    assert by_doc["bypath"]["stance"]["focal"] == ["RUS", "SYR"]


def test_run_output_file_is_written_atomically(runner, tmp_path, monkeypatch):
    """Records go to OUT.partial while the run goes on (OUT keeps the previous run), and
    OUT is that very file renamed at the end: the same inode and size, no .partial left."""
    from pipeline.sink import RecordSink

    out = tmp_path / "out" / "claims.jsonl"
    partial = out.with_name("claims.jsonl.partial")
    out.parent.mkdir()
    out.write_text("previous run\n")
    seen = []
    write = RecordSink.write

    def observed(self, *args):
        write(self, *args)
        seen.append((out.read_text(), partial.stat().st_ino, partial.stat().st_size))

    monkeypatch.setattr(RecordSink, "write", observed)
    result = runner.invoke(main, ["run", str(HELDOUT), str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert records_of(result.output) == []  # nothing on stdout with -o
    assert [text for text, _, _ in seen] == ["previous run\n"] * 2
    assert (out.stat().st_ino, out.stat().st_size) == seen[-1][1:]
    assert not partial.exists()
    lines = out.read_text().splitlines()
    assert len(lines) > 5 and all(json.loads(line)["doc_id"] for line in lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Russia \xff arms Syria.", "not UTF-8 text: invalid byte at offset 7"),
        (b"\x00\x01binary", "binary file (NUL byte at offset 0)"),
    ],
)
def test_run_bad_document_is_reported_and_others_written(runner, tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("Iran backs Hezbollah.", encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    result = runner.invoke(main, ["run", str(bad), str(good), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{bad}: {message}" in result.output
    assert "1 of 2 documents failed" in result.output
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["good"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focal", "RUS,XYZ"], "unknown focal actor ID 'XYZ'"),
        (["--focal", "RUS"], "--focal takes two actor IDs"),
        (["--focal", "ORG:NATO,RUS"], "unknown focal actor ID 'ORG:NATO'"),
        (["--focal", "org:nato,RUS,IRN"], "--focal takes two actor IDs"),
    ],
)
def test_run_bad_focal_is_a_user_error(runner, args, message):
    result = runner.invoke(main, ["run", str(HELDOUT), *args])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("RUS,IRN", ["RUS", "IRN"]),
        ("rus, irn", ["RUS", "IRN"]),
        ("org:nato,RUS", ["org:nato", "RUS"]),
        ("USA,org:eu", ["USA", "org:eu"]),
        ("ISR,org:hezbollah", ["ISR", "org:hezbollah"]),
        ("group:the-west,person:vladimir-putin", ["group:the-west", "person:vladimir-putin"]),
    ],
)
def test_run_focal_takes_any_actor_ids_without_upper_casing_them(value, expected):
    assert parse_focal(value) == expected


def test_run_focal_organisation_pair_runs_and_is_kept(runner, tmp_path):
    lines = tmp_path / "docs.jsonl"
    text = "NATO and Russia remain rivals. NATO cooperates with Russia on arms control."
    lines.write_text(json.dumps({"doc_id": "n", "text": text, "focal_actors": ["org:nato", "RUS"]}))
    result = runner.invoke(main, ["run", str(lines)])
    assert result.exit_code == 0, result.output
    records = records_of(result.output)
    assert {tuple(r["stance"]["focal"]) for r in records} == {("org:nato", "RUS")}
    assert [r["stance"]["label"] for r in records] == ["divergent", "convergent"]


def test_run_missing_input_and_malformed_jsonl_line(runner, tmp_path):
    lines = tmp_path / "docs.jsonl"
    lines.write_text('{"doc_id": "ok", "text": "Iran backs Hezbollah."}\n{"doc_id": \n')
    result = runner.invoke(main, ["run", str(tmp_path / "nope.txt"), str(lines)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.txt'}: input not found" in result.output
    assert f"{lines}:2: not valid JSON" in result.output
    assert [r["doc_id"] for r in records_of(result.output)] == ["ok"]


def test_run_jsonl_line_needs_text_or_path(runner, tmp_path):
    lines = tmp_path / "docs.jsonl"
    lines.write_text('{"doc_id": "x"}\n{"doc_id": "y", "text": "Iran backs Hezbollah."}\n')
    result = runner.invoke(main, ["run", str(lines)])
    assert result.exit_code == 2
    assert f"{lines}:1: invalid record" in result.output
    assert [r["doc_id"] for r in records_of(result.output)] == ["y"]


def test_run_empty_file_warns_and_writes_nothing(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    result = runner.invoke(main, ["run", str(empty)])
    assert result.exit_code == 0
    assert "Warning:" in result.output and "empty document" in result.output
    assert records_of(result.output) == []


def test_run_long_document_is_chunked_with_offsets_kept(nlp):
    text = SEED.read_text(encoding="utf-8")
    runner = Runner()
    source = next(iter_documents([SEED]))
    whole = runner.records(source)
    limit = nlp.max_length
    try:
        nlp.max_length = 2000
        pieces = chunks(text, 2000)
        assert len(pieces) > 3 and "".join(p for _, p in pieces) == text
        chunked = runner.records(source)
    finally:
        nlp.max_length = limit
    assert all(text[r.start : r.end] == r.text for r in chunked)
    assert len(chunked) >= 0.9 * len(whole)


def test_run_model_missing_is_a_clear_error():
    from pipeline.errors import ClaimsError
    from pipeline.nlp import load_model

    with pytest.raises(ClaimsError, match="no spaCy model 'no_such_model' installed"):
        load_model("no_such_model")


def test_run_help_shows_examples(runner):
    for command in ("run", "evaluate", "agree", "schema", "export", "summary"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output


def test_run_evaluate_without_pred_runs_the_pipeline(runner):
    result = runner.invoke(main, ["evaluate", "--gold", str(GOLD), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["claims"]["lenient"]["f"] >= 0.95


def test_run_readme_documents_every_command():
    readme = Path(ROOT / "README.md").read_text(encoding="utf-8")
    for command in (
        "claims run",
        "claims evaluate",
        "claims agree",
        "claims schema",
        "claims export",
        "claims summary",
    ):
        assert command in readme


def test_run_jsonl_line_keeps_extra_metadata(tmp_path):
    lines = tmp_path / "corpus.jsonl"
    row = {"doc_id": "fb", "text": "Iran backs Hezbollah.", "region": "middle-east", "year": 2026}
    lines.write_text(json.dumps(row) + "\n")
    (doc,) = list(iter_documents([lines]))
    assert doc.doc_id == "fb"
    assert doc.metadata == {"region": "middle-east", "year": 2026}
