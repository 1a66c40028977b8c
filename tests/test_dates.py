"""Document dates end to end (issue 23): where a record's date comes from, the order of the
sources, bad dates as one-line errors; and the scores, tables and figures of source and
time."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from pipeline.errors import ClaimsError
from tests.conftest import read_jsonl, write_jsonl
from tests.test_cli import errors_of, jsonl, records, run

MOSCOW = "Moscow will probably continue to arm Damascus."
DATELINE = "Washington, May 31,\n1962.\n\n" + MOSCOW


@pytest.mark.parametrize(
    ("row", "args", "date", "how"),
    [
        ({"text": MOSCOW, "date": "1962"}, (), "1962", "input"),
        ({"text": MOSCOW, "meta": {"date": "May 31, 1962"}}, (), "1962-05-31", "input"),
        ({"text": MOSCOW}, ("--date", "1965-03"), "1965-03", "option"),
        # the line's own date comes first, then --date, then the text
        ({"text": MOSCOW, "date": "1962"}, ("--date", "2015"), "1962", "input"),
        ({"text": DATELINE}, ("--date", "2015"), "2015", "option"),
        ({"text": DATELINE}, (), "1962-05-31", "dateline"),
        ({"text": "NIE 34-61\n\n" + MOSCOW}, (), "1961", "estimate"),
        ({"text": MOSCOW, "date": None}, (), None, None),
    ],
)
def test_dates_a_records_date_and_where_it_comes_from(runner, tmp_path, row, args, date, how):
    result, out = run(runner, tmp_path, jsonl(tmp_path / "in.jsonl", {"doc_id": "d", **row}),
                      args=args)  # fmt: skip
    assert result.exit_code == 0, result.output
    (record,) = records(out)
    assert (record["provenance"]["date"], record["provenance"]["date_source"]) == (date, how)
    expected = "SUN" if date and date < "1991" else "RUS"
    assert expected in {a["id"] for a in record["actors"]}


def test_dates_the_input_lines_date_stays_in_meta_as_given(runner, tmp_path):
    row = {"doc_id": "d", "text": MOSCOW, "date": "May 31, 1962"}
    _, out = run(runner, tmp_path, jsonl(tmp_path / "in.jsonl", row))
    (record,) = records(out)
    assert record["meta"] == {"date": "May 31, 1962"}
    assert record["provenance"]["date"] == "1962-05-31"


def test_dates_a_line_whose_date_is_no_date_fails_alone(runner, tmp_path):
    source = jsonl(
        tmp_path / "in.jsonl",
        {"doc_id": "bad", "text": MOSCOW, "date": "spring"},
        {"doc_id": "good", "text": MOSCOW, "date": "1962"},
    )
    result, out = run(runner, tmp_path, source)
    assert result.exit_code == 2
    assert f"{source}:1: date 'spring' is not a date" in result.output
    assert "Traceback" not in result.output
    assert [r["doc_id"] for r in records(out)] == ["good"]
    assert [e["doc_id"] for e in errors_of(out)] == ["bad"]


@pytest.mark.parametrize("value", ["1962-13", "62", "May 1962", ""])
def test_dates_a_bad_date_option_is_a_one_line_error(runner, tmp_path, value):
    text = tmp_path / "a.txt"
    text.write_text(MOSCOW, "utf-8")
    result, out = run(runner, tmp_path, text, args=("--date", value))
    assert result.exit_code == 2
    assert f"--date takes a date YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}" in result.output
    assert not out.exists()


def test_dates_the_python_api_takes_a_date(nlp):
    from pipeline.api import extract

    (record,) = extract(MOSCOW, date="1962", nlp=nlp)
    assert (record.provenance.date, record.provenance.date_source) == ("1962", "option")
    assert "SUN" in {a.id for a in record.actors}
    (undated,) = extract(MOSCOW, nlp=nlp)
    assert undated.provenance.date is None and "RUS" in {a.id for a in undated.actors}
    with pytest.raises(ClaimsError, match="--date takes a date"):
        extract(MOSCOW, date="yesterday", nlp=nlp)


def test_dates_a_chunked_document_dates_every_chunk_from_its_first(nlp):
    from pipeline.corpus.documents import SourceDocument
    from pipeline.corpus.runner import Runner

    text = "Washington, May 31, 1962.\n\n" + "\n\n".join([MOSCOW] * 40)
    runner = Runner(nlp=nlp, chunk_chars=200)
    doc = SourceDocument("long", text, "0" * 64, "long")
    found = runner.records(doc)
    moscow = [r for r in found if "Moscow" in r.text]
    assert max(r.start for r in moscow) > 20 * len(MOSCOW)  # chunks after the first
    assert {(r.provenance.date, r.provenance.date_source) for r in found} == {
        ("1962-05-31", "dateline")
    }
    assert all("SUN" in {a.id for a in r.actors} for r in moscow)


# -- scores ----------------------------------------------------------------------------------


def gold_with_source_time(small_gold):
    """The small gold folder with source and time on its first two claims."""
    rows = read_jsonl(small_gold / "claims.jsonl")
    rows[0]["source"] = {"kind": "author", "actor": None, "cue": None}
    rows[0]["time"] = {"relative": "past", "start": "2015", "end": "2015", "cue": None}
    rows[1]["source"] = {"kind": "author", "actor": None, "cue": None}
    rows[1]["time"] = {"relative": "present", "start": None, "end": None, "cue": None}
    write_jsonl(small_gold / "claims.jsonl", rows)
    return rows


def test_dates_evaluate_scores_source_and_time_where_gold_has_them(runner, small_gold, tmp_path):
    rows = gold_with_source_time(small_gold)
    pred = [dict(r) for r in rows]
    pred[0]["time"] = {"relative": "past", "start": "2015-03", "end": "2015", "cue": None}
    pred[1]["source"] = {"kind": "unnamed", "actor": None, "cue": [0, 4]}
    pred[1]["time"] = {"relative": "past", "start": None, "end": None, "cue": None}
    path = write_jsonl(tmp_path / "pred.jsonl", pred)
    result = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--pred", str(path),
                                  "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["source"] == {"accuracy": 0.5, "kind_accuracy": 0.5, "n": 2}
    # years agree for the first claim (2015-03 is in 2015); the second has no gold years
    assert report["time"] == {
        "relative_accuracy": 0.5, "n": 2, "year_agreement": 1.0, "n_years": 1
    }  # fmt: skip
    text = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--pred", str(path)])
    assert "source          0.500  kind and actor, 2 claims" in text.output
    assert "  years         1.000  same start and end years, 1 claims" in text.output


def test_dates_evaluate_without_gold_source_and_time_reports_none(runner, small_gold, tmp_path):
    path = write_jsonl(tmp_path / "pred.jsonl", read_jsonl(small_gold / "claims.jsonl"))
    result = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--pred", str(path),
                                  "--json"])  # fmt: skip
    report = json.loads(result.output)
    assert report["source"]["accuracy"] is None and report["time"]["n"] == 0


def test_dates_quality_headline_and_errors_name_source_and_time():
    from pipeline.evaluation.quality import HEADLINE, TARGETS, error_counts

    names = [name for name, _ in HEADLINE]
    assert {"source acc", "time relative acc", "time year agreement"} <= set(names)
    assert TARGETS["source acc"] == 0.85 and TARGETS["time year agreement"] == 0.80
    rows = [
        {"kind": "wrong", "field": "source", "gold": ("actor", "USA"), "pred": ("author", None)},
        {"kind": "wrong", "field": "time", "gold": ("past", "2008", "2008"),
         "pred": ("past", "2009", "2009")},
        {"kind": "wrong", "field": "time", "gold": ("past", None, None),
         "pred": ("future", None, None)},
    ]  # fmt: skip
    assert dict(error_counts(rows)) == {
        "source actor -> author": 1,
        "time years wrong": 1,
        "time past -> future": 1,
    }


# -- tables and figures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def dated_records(tmp_path_factory):
    """Records of three short documents of different dates (one undated)."""
    from click.testing import CliRunner

    from pipeline.export.tables import load_records

    tmp = tmp_path_factory.mktemp("dated")
    rows = [
        {"doc_id": "a", "text": "Iran and Russia cooperated in 2015. U.S. officials said that "
         "Moscow arms Damascus.", "date": "2016", "focal_actors": ["RUS", "IRN"]},
        {"doc_id": "b", "text": "Iran and Russia are rivals.", "date": "1962",
         "focal_actors": ["RUS", "IRN"]},
        {"doc_id": "c", "text": "Iran and Russia share interests.", "focal_actors": ["RUS", "IRN"]},
    ]  # fmt: skip
    out = tmp / "claims.jsonl"
    result = CliRunner().invoke(main, ["run", str(jsonl(tmp / "in.jsonl", *rows)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return load_records(out)


def test_dates_export_has_source_time_and_date_columns(dated_records, tmp_path):
    from pipeline.export.tables import export, read_tables

    export(dated_records, tmp_path / "t.parquet")
    claims = read_tables(tmp_path / "t.parquet")["claims"].to_pylist()
    first = next(c for c in claims if c["text"].startswith("Iran and Russia cooperated"))
    assert (first["time_relative"], first["time_start"], first["time_cue"]) == (
        "past", "2015", "in 2015"
    )  # fmt: skip
    assert (first["source_kind"], first["doc_date"], first["doc_date_source"]) == (
        "author", "2016", "input"
    )  # fmt: skip
    said = next(c for c in claims if c["text"].startswith("U.S. officials"))
    assert (said["source_kind"], said["source_actor"], said["source_type"]) == (
        "actor", "USA", "state"
    )  # fmt: skip


def test_dates_duckdb_claim_years_view_answers_the_readmes_question(dated_records, tmp_path):
    import duckdb

    from pipeline.export.tables import export

    dest = tmp_path / "claims.duckdb"
    export(dated_records, dest)
    con = duckdb.connect(str(dest), read_only=True)
    try:
        rows = con.execute(
            "SELECT year, count(*) FILTER (WHERE source_kind = 'author') AS author, "
            "count(*) FILTER (WHERE government) AS government "
            "FROM claim_years GROUP BY year ORDER BY year NULLS LAST"
        ).fetchall()
        grain = con.execute("SELECT count(*) FROM claim_years").fetchone()[0]
    finally:
        con.close()
    # 2015: the content year of a's first claim; 2016: a's second (the document's year);
    # 1962: b; none: c, undated
    assert rows == [(1962, 1, 0), (2015, 1, 0), (2016, 0, 1), (None, 1, 0)]
    assert grain == len(dated_records)


def test_dates_summary_tables_stance_by_year_and_plots_it(dated_records, tmp_path):
    from pipeline.export.summary import plot_all, render, stance_by_year

    counts = stance_by_year(dated_records)
    assert list(counts) == [1962, 2015, 2016]
    assert counts[1962]["divergent"] == 1
    output = render(dated_records)
    assert "(no year: 1 claim)" in output
    assert "source author: 3  actor: 1  unnamed: 0" in output
    paths = plot_all(dated_records, tmp_path / "figures")
    assert "stance_over_time.png" in [p.name for p in paths]
    assert (tmp_path / "figures" / "stance_over_time.png").read_bytes()[:4] == b"\x89PNG"
