"""``claims run`` end to end: inputs, records, bad input, chunking, the seed score gate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from pipeline.cli import main
from pipeline.corpus.inputs import iter_documents, parse_focal
from pipeline.corpus.runner import Runner, chunks
from pipeline.evaluation.gold import load_gold
from pipeline.evaluation.scoring import ClaimView, evaluate
from pipeline.gazetteer import load_gazetteer
from pipeline.models import ClaimRecord, claim_id
from tests.conftest import DATA, GOLD, ROOT

SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
HELDOUT = DATA / "heldout-china-pakistan.txt"


def records_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def seed_records(tmp_path_factory) -> list[dict]:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("run") / "claims.jsonl"
    result = CliRunner().invoke(
        main, ["run", str(GOLD / "documents.jsonl"), "-o", str(out), "--allow-outside-paths"]
    )
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


# The README's seed table row -> the row of `claims evaluate` (what `make demo` prints).
README_SEED_ROWS = {
    "claims": "claims",
    "claims, strict": "strict",
    "actors": "actors",
    "actors rolled up to states": "states",
    "regions": "regions",
    "regions rolled up to parents": "parents",
    "relations": "relations",
}


def printed_figures(output: str) -> dict[str, list[str]]:
    """``claims evaluate``'s table rows: name -> its figures as printed."""
    rows = {}
    for line in output.splitlines():
        name, *cells = line.split() or [""]
        if cells and all(re.fullmatch(r"[0-9.]+|-", c) for c in cells):
            rows[name] = cells
    return rows


def test_run_readme_seed_figures_are_what_make_demo_prints(seed_records, tmp_path, runner):
    pred = tmp_path / "claims.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in seed_records), "utf-8")
    result = runner.invoke(main, ["evaluate", "--gold", str(GOLD), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    printed = printed_figures(result.output)
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Scores on the seed gold set")[1].split("\n## ")[0]
    table = dict(
        re.findall(r"(?m)^\| ([a-z][a-z ,]+) \| ([0-9.]+ \| [0-9.]+ \| [0-9.]+) \|$", section)
    )
    assert set(table) == set(README_SEED_ROWS)
    for row, name in README_SEED_ROWS.items():
        assert table[row].split(" | ") == printed[name], row
    prose = " ".join(section.split())
    num = r"([0-9]\.[0-9]{3})"
    stance = re.search(rf"Stance: accuracy {num}, macro-F1 {num}, kappa {num}", prose)
    assert list(stance.groups()) == printed["stance"]
    assert re.search(rf"Certainty: accuracy {num}", prose)[1] == printed["certainty"][0]
    assert re.search(rf"Section accuracy {num}", prose)[1] == printed["section"][0]


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
    from pipeline.corpus.sink import RecordSink

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

    with pytest.raises(ClaimsError, match="no spaCy model 'no_such_model': it is neither an "):
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


# -- nothing dropped: one document's failure is that document's alone ------------------

MARKER = "Zanzibar marker"
SHORT_DOCS = [
    "Russia arms Syria.",
    "Iran backs Hezbollah.",
    "Turkey opposes the PKK.",
    "China supports Pakistan.",
    "India rivals Pakistan.",
    "NATO deters Russia.",
]


def raise_on_marker(doc):
    if MARKER in doc.text:
        raise ValueError("boom on the marker document")
    return doc


@pytest.fixture
def faulty_nlp():
    """The runner's pipeline with a last component that raises (a plain function, not a
    claims Component: the runner's error handler takes any component's error) on the
    document holding MARKER."""
    from spacy.language import Language

    if "test_raise_on_marker" not in Language.factories:
        Language.component("test_raise_on_marker", func=raise_on_marker)
    nlp = Runner().nlp
    nlp.add_pipe("test_raise_on_marker", last=True)
    try:
        yield nlp
    finally:
        nlp.remove_pipe("test_raise_on_marker")


def sources(texts: list[str]) -> list:
    from pipeline.corpus.documents import SourceDocument

    return [
        SourceDocument(f"d{i}", text, f"{i:064x}", f"in.jsonl:{i + 1}")
        for i, text in enumerate(texts)
    ]


def run_engine(engine: str, items: list) -> list[tuple]:
    """(doc_id, failed, record count) per result, in the order the engine yields them."""
    if engine == "dask":
        from dask.distributed import LocalCluster

        from pipeline.corpus.distributed import run_dask

        # threads in this process, so the workers use this pipeline with its test component
        with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
            results = list(
                run_dask(items, model=None, focal=[], scheduler=cluster.scheduler_address)
            )
    else:
        results = list(Runner().run(items, batch_size=8, n_process=int(engine)))
    return [(item.doc_id, hasattr(item, "error"), len(records)) for item, records in results]


@pytest.mark.parametrize("engine", ["1", "2", "dask"])
@pytest.mark.parametrize(
    ("fault", "text"),
    [
        ("component raises mid-batch", f"Iran backs {MARKER}."),
        ("make_doc fails (lone surrogate)", "Iran backs \ud800 Hezbollah."),
    ],
)
def test_run_one_failing_document_fails_alone(faulty_nlp, engine, fault, text):
    texts = [*SHORT_DOCS[:2], text, *SHORT_DOCS[2:]]
    results = run_engine(engine, sources(texts))
    if engine == "dask":  # completion order
        results.sort(key=lambda r: int(r[0][1:]))
    assert [doc_id for doc_id, _, _ in results] == [f"d{i}" for i in range(len(texts))]
    assert [failed for _, failed, _ in results] == [i == 2 for i in range(len(texts))]
    assert all(count > 0 for doc_id, failed, count in results if not failed)


def test_run_failure_names_its_document_and_the_cause(faulty_nlp):
    items = sources([SHORT_DOCS[0], f"Iran backs {MARKER}.", SHORT_DOCS[1]])
    failures = [item for item, _ in Runner().run(items) if hasattr(item, "error")]
    assert [(f.doc_id, f.error) for f in failures] == [
        ("d1", "in.jsonl:2: test_raise_on_marker: ValueError: boom on the marker document")
    ]


def test_run_component_error_goes_to_the_error_handler_and_nothing_is_retried(monkeypatch):
    """A component raising on one document of a batch: spaCy hands the error to the handler
    the runner installed, that document fails naming the component, and the others go
    through the pipeline once (no retry of the batch) and keep their records."""
    from collections import Counter

    from pipeline.components.stance import StanceTagger
    from pipeline.corpus.runner import fail_document

    seen: Counter = Counter()
    original = StanceTagger.process

    def flaky(self, doc):
        seen[doc.text] += 1
        if MARKER in doc.text:
            raise RuntimeError("stance exploded")
        return original(self, doc)

    monkeypatch.setattr(StanceTagger, "process", flaky)
    texts = [SHORT_DOCS[0], f"Iran backs {MARKER}.", *SHORT_DOCS[1:3]]
    runner = Runner()
    results = list(runner.run(sources(texts), batch_size=8))
    assert runner.nlp.default_error_handler is fail_document
    assert [getattr(item, "error", None) for item, _ in results] == [
        None, "in.jsonl:2: claims_stance: RuntimeError: stance exploded", None, None
    ]  # fmt: skip
    assert all(records for item, records in results if not hasattr(item, "error"))
    assert seen == Counter(texts)  # each document through claims_stance once


class BatchRaiser:
    """A component with its own ``pipe``, as spaCy's model components: an error there is
    the whole batch's, handed to the error handler with every Doc of the batch."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handler = None

    def set_error_handler(self, handler) -> None:
        self.handler = handler

    def __call__(self, doc):
        return raise_on_marker(doc)

    def pipe(self, stream, *, batch_size: int = 128):
        from spacy.util import minibatch

        for docs in minibatch(stream, size=batch_size):
            try:
                yield from [raise_on_marker(doc) for doc in docs]
            except Exception as exc:
                self.handler(self.name, self, docs, exc)


def test_run_batch_error_retries_the_batch_one_document_at_a_time():
    from spacy.language import Language

    if "test_batch_raiser" not in Language.factories:
        Language.factory("test_batch_raiser", func=lambda nlp, name: BatchRaiser(name))
    runner = Runner()
    runner.nlp.add_pipe("test_batch_raiser", last=True)
    try:
        texts = [SHORT_DOCS[0], f"Iran backs {MARKER}.", *SHORT_DOCS[1:3]]
        results = list(Runner(nlp=runner.nlp).run(sources(texts), batch_size=8))
    finally:
        runner.nlp.remove_pipe("test_batch_raiser")
    assert [getattr(item, "error", None) for item, _ in results] == [
        None, "in.jsonl:2: test_batch_raiser: ValueError: boom on the marker document", None,
        None,
    ]  # fmt: skip
    assert all(records for item, records in results if not hasattr(item, "error"))


def test_run_jsonl_with_a_lone_surrogate_keeps_the_other_documents(runner, tmp_path):
    lines = tmp_path / "docs.jsonl"
    rows = [{"doc_id": f"d{i}", "text": t} for i, t in enumerate(SHORT_DOCS[:4])]
    rows[1]["text"] = "Iran backs \ud800 Hezbollah."
    lines.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    result = runner.invoke(main, ["run", str(lines), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 2
    assert "1 of 4 documents failed" in result.output
    assert {json.loads(x)["doc_id"] for x in out.read_text().splitlines()} == {"d0", "d2", "d3"}
    (error,) = [json.loads(x) for x in (tmp_path / "claims.jsonl.errors.jsonl").open()]
    assert error["doc_id"] == "d1"


# -- huge documents: chunked Docs of bounded size, a size limit ---------------------------


DOC_SIZES: list[int] = []


def probe_sizes(doc):
    DOC_SIZES.append(len(doc.text))
    return doc


@pytest.fixture
def doc_sizes():
    """Lengths of the Docs the pipeline sees, from a probe component added for the test."""
    from spacy.language import Language

    if "test_probe_sizes" not in Language.factories:
        Language.component("test_probe_sizes", func=probe_sizes)
    nlp = Runner().nlp
    nlp.add_pipe("test_probe_sizes", first=True)
    DOC_SIZES.clear()
    try:
        yield DOC_SIZES
    finally:
        nlp.remove_pipe("test_probe_sizes")


@pytest.mark.parametrize("chunk_chars", [1500, 4000])
def test_run_long_document_goes_through_in_chunks_of_at_most_the_chunk_size(doc_sizes, chunk_chars):
    source = next(iter_documents([SEED]))
    assert len(source.text) > 2 * chunk_chars
    records = Runner(chunk_chars=chunk_chars).records(source)
    assert doc_sizes and max(doc_sizes) <= chunk_chars
    assert records and all(source.text[r.start : r.end] == r.text for r in records)
    assert all(r.stance.focal == ["RUS", "IRN"] for r in records)  # detected on chunk one


def test_run_document_over_the_size_limit_fails_alone(runner, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Russia arms Syria. " * 10, encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text("Iran backs Hezbollah.", encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    args = ["run", str(big), str(small), "-o", str(out), "--max-chars", "100"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert f"{big}: document too long: 190 characters, the limit is 100 (--max-chars)" in (
        result.output
    )
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["small"]


# -- a worker that dies ------------------------------------------------------------------

KILLER = """
import os, re, signal, sys
from spacy.language import Language
from pipeline.nlp import CONFIG

@Language.component("test_kill_worker")
def kill_worker(doc):
    if "Zanzibar marker" in doc.text:
        os.kill(os.getpid(), signal.SIGKILL)
    return doc

config = re.sub(r'(pipeline = \\[.*)\\]', r'\\1,"test_kill_worker"]', CONFIG.read_text("utf-8"), 1)
config += '\\n[components.test_kill_worker]\\nfactory = "test_kill_worker"\\n'
path = sys.argv[1]
open(path, "w", encoding="utf-8").write(config)
from pipeline.cli import main
main([*sys.argv[2:], "--config", path])
"""


def test_run_dead_worker_fails_its_document_and_the_run_ends(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    lines = tmp_path / "docs.jsonl"
    texts = [*SHORT_DOCS[:3], f"Iran backs {MARKER}.", *SHORT_DOCS[3:]]
    rows = [{"doc_id": f"d{i}", "text": t} for i, t in enumerate(texts)]
    lines.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    args = ["run", str(lines), "-o", str(out), "--jobs", "2", "--batch-size", "4", "--quiet"]
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(tmp_path / "killer.cfg"), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the run hung: kill it and its workers
        proc.communicate()
        pytest.fail("the run hung after its worker died")
    assert proc.returncode == 2, stderr
    assert "a worker process died" in stderr and "Traceback" not in stderr
    done = {json.loads(x)["doc_id"] for x in out.read_text().splitlines()}
    assert done == {f"d{i}" for i in range(len(texts))} - {"d3"}
    (error,) = [json.loads(x) for x in (tmp_path / "claims.jsonl.errors.jsonl").open()]
    assert error["doc_id"] == "d3"


def test_run_documents_after_a_long_one_are_all_kept():
    texts = [SHORT_DOCS[0], SEED.read_text(encoding="utf-8"), *SHORT_DOCS[1:4]]
    results = list(Runner(chunk_chars=3000).run(sources(texts), batch_size=2))
    assert [item.doc_id for item, _ in results] == [f"d{i}" for i in range(len(texts))]
    assert all(records and not hasattr(item, "error") for item, records in results)


def test_run_reading_error_is_reported_not_taken_for_a_model_error():
    def broken():
        yield from sources(SHORT_DOCS[:1])
        raise RuntimeError("disk gone")

    results = list(Runner().run(broken()))
    assert [item.doc_id for item, _ in results] == ["d0", None]
    assert "reading the input stopped: input: RuntimeError: disk gone" in results[1][0].error


# -- the output's state files: damaged, verified, rebuilt; a full disk -------------------


def fake_document(n: int, lines: int) -> tuple[str, str, list[str]]:
    doc_id, sha = f"doc{n}", f"{n:064x}"
    record = {"doc_id": doc_id, "provenance": {"doc_sha256": sha}, "text": "\u2028x" * n}
    return (
        doc_id,
        sha,
        [json.dumps(dict(record, i=i), ensure_ascii=False) + "\n" for i in range(lines)],
    )


DOCS = [fake_document(n, lines) for n, lines in enumerate([2, 3, 0, 1, 4, 2])]


def write_docs(out: Path, docs, resume: bool = False, complete: bool = False, sink=None):
    from pipeline.corpus.sink import RecordSink

    sink = sink or RecordSink(out, resume=resume).begin()
    for doc_id, sha, lines in docs:
        if not sink.is_done(doc_id, sha):
            sink.write(doc_id, sha, lines)
    sink.close(complete)
    return sink


def damage_truncate_mid_document(partial: Path, ledger: Path) -> None:
    data = partial.read_bytes()
    partial.write_bytes(data[: len(data) // 2 + 3])


def damage_truncate_to_nothing(partial: Path, ledger: Path) -> None:
    partial.write_bytes(b"")


def damage_delete_ledger(partial: Path, ledger: Path) -> None:
    ledger.unlink()


def damage_torn_ledger_line(partial: Path, ledger: Path) -> None:
    ledger.write_bytes(ledger.read_bytes()[:-7])


def damage_changed_bytes(partial: Path, ledger: Path) -> None:
    data = bytearray(partial.read_bytes())
    data[len(data) // 3] ^= 0x01
    partial.write_bytes(bytes(data))


def damage_ledger_past_the_end(partial: Path, ledger: Path) -> None:
    with ledger.open("a") as handle:
        handle.write(json.dumps({"doc_id": "x", "sha256": "y", "offset": 10**6, "crc32": 0}))
        handle.write("\n")


def damage_delete_partial(partial: Path, ledger: Path) -> None:
    partial.unlink()


@pytest.mark.parametrize(
    "damage",
    [
        damage_truncate_mid_document,
        damage_truncate_to_nothing,
        damage_delete_ledger,
        damage_torn_ledger_line,
        damage_changed_bytes,
        damage_ledger_past_the_end,
        damage_delete_partial,
    ],
)
def test_sink_resume_rebuilds_damaged_state_without_loss_or_duplicates(tmp_path, damage):
    clean = tmp_path / "clean.jsonl"
    write_docs(clean, DOCS, complete=True)
    out = tmp_path / "out.jsonl"
    write_docs(out, DOCS[:4])  # interrupted after four documents
    partial, ledger = out.with_name("out.jsonl.partial"), out.with_name("out.jsonl.progress.jsonl")
    before = partial.read_bytes()
    damage(partial, ledger)
    damaged_size = partial.stat().st_size if partial.exists() else 0
    from pipeline.corpus.sink import RecordSink

    sink = RecordSink(out, resume=True).begin()
    kept = partial.read_bytes()
    assert len(kept) <= min(damaged_size, len(before)) and b"\x00" not in kept
    assert clean.read_bytes().startswith(kept)  # whole documents of the clean output only
    write_docs(out, DOCS, complete=True, sink=sink)
    assert out.read_bytes() == clean.read_bytes()


def test_sink_fsyncs_data_and_ledger_at_each_document(tmp_path, monkeypatch):
    import pipeline.corpus.sink

    synced = []
    monkeypatch.setattr(pipeline.corpus.sink.os, "fsync", lambda fd: synced.append(fd))
    write_docs(tmp_path / "out.jsonl", DOCS[:3])
    assert len(synced) == 2 * 3


def test_run_disk_full_is_one_line_and_resume_completes_the_output(runner, tmp_path, monkeypatch):
    import errno

    from pipeline.corpus.sink import RecordSink

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(SHORT_DOCS[:4]):
        (corpus / f"d{i}.txt").write_text(text, encoding="utf-8")
    clean = tmp_path / "clean.jsonl"
    assert runner.invoke(main, ["run", str(corpus), "-o", str(clean)]).exit_code == 0
    out = tmp_path / "out.jsonl"
    real_append, calls = RecordSink.append, []

    def append_until_full(self, raw: bytes) -> None:
        calls.append(raw)
        if len(calls) == 3:  # half the third document reaches the disk, then it is full
            real_append(self, raw[: len(raw) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_append(self, raw)

    monkeypatch.setattr(RecordSink, "append", append_until_full)
    result = runner.invoke(main, ["run", str(corpus), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert f"{out}.partial: cannot write: No space left on device" in result.output
    assert "--resume" in result.output and not out.exists()
    monkeypatch.setattr(RecordSink, "append", real_append)
    result = runner.invoke(main, ["run", str(corpus), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == clean.read_bytes()


def test_sink_resume_reads_a_ledger_without_checksums(tmp_path):
    clean = tmp_path / "clean.jsonl"
    write_docs(clean, DOCS, complete=True)
    out = tmp_path / "out.jsonl"
    write_docs(out, DOCS[:4])
    ledger = out.with_name("out.jsonl.progress.jsonl")
    entries = [json.loads(line) for line in ledger.open()]
    ledger.write_text("".join(json.dumps({k: e[k] for k in ("doc_id", "sha256", "offset")})
                              + "\n" for e in entries))  # fmt: skip
    from pipeline.corpus.sink import RecordSink

    sink = RecordSink(out, resume=True).begin()
    assert len(sink.done) == 4
    write_docs(out, DOCS, complete=True, sink=sink)
    assert out.read_bytes() == clean.read_bytes()


class _GaveUp:
    def result(self):
        raise RuntimeError("KilledWorker: ('process_partition-1', <WorkerState ...>)")


def test_distributed_partition_the_cluster_gave_up_on_fails_its_documents():
    from pipeline.corpus.distributed import partition_results

    part = dict(enumerate(sources(SHORT_DOCS[:2])))
    results = list(partition_results(_GaveUp(), part))
    assert [(item.doc_id, records) for item, records in results] == [("d0", []), ("d1", [])]
    assert all("a worker process died" in item.error for item, _ in results)
