"""Gold folders load with every check of the spec, and bad ones fail with one line."""

from __future__ import annotations

import itertools
import json

import pytest

from pipeline.cli import main
from pipeline.evaluation.gold import load_gold
from tests.conftest import GOLD, read_jsonl, write_jsonl


def test_gold_committed_set_is_complete_and_valid():
    gold = load_gold(GOLD)
    assert list(gold.documents) == ["kozak-strategic-convergence"]
    assert 55 <= len(gold.claims) <= 70
    text = gold.texts["kozak-strategic-convergence"]
    assert all(text[c.start : c.end] == c.text for c in gold.claims)
    assert [c.start for c in gold.claims] == sorted(c.start for c in gold.claims)
    assert {c.stance for c in gold.claims} == {"convergent", "divergent", "neutral"}
    assert {c.certainty for c in gold.claims} == {"asserted", "hedged", "reported"}


def test_gold_committed_claims_do_not_overlap_and_skip_non_claims():
    gold = load_gold(GOLD)
    ends = [(c.start, c.end) for c in gold.claims]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))
    texts = {c.text for c in gold.claims}
    assert "The Strategic Convergence of Russia and Iran" not in texts
    assert not any(t.startswith(("Key Takeaway", "By ", "Syria -")) for t in texts)


def test_gold_committed_relations_reference_claim_actors():
    for claim in load_gold(GOLD).claims:
        for rel in claim.relations:
            assert {rel.source, rel.target} <= set(claim.actors), claim.text


def break_line(rows: list[dict], index: int, **changes) -> list[dict]:
    rows = [dict(r) for r in rows]
    rows[index].update(changes)
    return rows


BAD_CLAIMS = [
    ("offset out of range", lambda r: break_line(r, 1, end=10_000), "out of range", 2),
    ("text mismatch", lambda r: break_line(r, 2, text="Moscow surely seeks"), "does not match", 3),
    ("unknown stance", lambda r: break_line(r, 0, stance="friendly"), "stance", 1),
    ("unknown certainty", lambda r: break_line(r, 3, certainty="sure"), "certainty", 4),
    ("bad actor id", lambda r: break_line(r, 0, actors=["Russia"]), "actors.0", 1),
    ("bad region id", lambda r: break_line(r, 2, regions=["egypt"]), "regions.0", 3),
    (
        "bad polarity",
        lambda r: break_line(
            r, 1, relations=[{"source": "TUR", "target": "SYR", "polarity": "meh"}]
        ),
        "polarity",
        2,
    ),
    ("unknown field", lambda r: break_line(r, 0, colour="red"), "colour", 1),
    ("unknown doc", lambda r: break_line(r, 0, doc_id="other"), "unknown doc_id", 1),
    ("end before start", lambda r: break_line(r, 0, end=5), "greater than start", 1),
    ("string offset", lambda r: break_line(r, 1, start="54"), "start: Input should be a", 2),
    ("float offset", lambda r: break_line(r, 1, end=72.0), "end: Input should be a valid", 2),
    (
        "actor listed twice",
        lambda r: break_line(r, 0, actors=["IRN", "RUS", "RUS", "SYR"]),
        "actors: 'RUS' is listed twice",
        1,
    ),
    (
        "region listed twice",
        lambda r: break_line(r, 2, regions=["EGY", "EGY"]),
        "regions: 'EGY' is listed twice",
        3,
    ),
    (
        "relation listed twice",
        lambda r: break_line(r, 1, relations=[r[1]["relations"][0]] * 2),
        "relations: TUR -> SYR (hostile) is listed twice",
        2,
    ),
    (
        "claim listed twice",
        lambda r: [*r, r[1]],
        "54-72 of small is listed twice (also on line 2)",
        5,
    ),
    (
        "overlapping claims",
        lambda r: [*r, {**r[1], "end": 60, "text": "Turkey"}],
        "claim 54-60 of small overlaps the claim 54-72 on line 2",
        5,
    ),
    (
        "overlapping claim listed first",
        lambda r: [{**r[2], "start": 66, "end": 80, "text": "es it. Moscow "}, *r],
        "claim 54-72 of small overlaps the claim 66-80 on line 1",
        3,
    ),
    (
        "actor source without actor",
        lambda r: break_line(r, 1, source={"kind": "actor", "actor": None, "cue": [0, 4]}),
        "source.actor is given exactly when",
        2,
    ),
    (
        "author source with a cue",
        lambda r: break_line(r, 1, source={"kind": "author", "actor": None, "cue": [0, 4]}),
        "an author source has no cue",
        2,
    ),
    (
        "time cue out of range",
        lambda r: break_line(r, 2, time={"relative": "past", "cue": [5, 10_000]}),
        "is not a span of",
        3,
    ),
    (
        "bad time date",
        lambda r: break_line(r, 2, time={"relative": "past", "start": "May 2008"}),
        "time.start",
        3,
    ),
]


@pytest.mark.parametrize(
    ("case", "damage", "message", "line"), BAD_CLAIMS, ids=[c[0] for c in BAD_CLAIMS]
)
def test_gold_bad_claims_give_one_line_error(runner, small_gold, case, damage, message, line):
    path = small_gold / "claims.jsonl"
    write_jsonl(path, damage(read_jsonl(path)))
    result = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--pred", str(path)])
    assert result.exit_code == 2, result.output
    assert f"claims.jsonl:{line}:" in result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_gold_broken_json_line_names_file_and_line(runner, small_gold):
    path = small_gold / "claims.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:40]
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--pred", str(path)])
    assert result.exit_code == 2
    assert "claims.jsonl:3: not valid JSON" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha256": "0" * 64}, "sha256 of"),
        ({"path": "missing.txt"}, "missing.txt not found"),
        ({"sha256": "xyz"}, "sha256"),
        ({"focal_actors": ["Russia"]}, "focal_actors"),
        ({"focal_actors": ["RUS", "RUS"]}, "focal_actors: 'RUS' is listed twice"),
    ],
)
def test_gold_bad_documents_give_one_line_error(runner, small_gold, change, message):
    path = small_gold / "documents.jsonl"
    doc = {**read_jsonl(path)[0], **change}
    write_jsonl(path, [doc])
    result = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--pred", str(path)])
    assert result.exit_code == 2
    assert "documents.jsonl:1:" in result.output
    assert message in result.output


def test_gold_missing_folder_is_a_user_error(runner, tmp_path):
    result = runner.invoke(main, ["evaluate", "--gold", str(tmp_path), "--pred", "x.jsonl"])
    assert result.exit_code == 2
    assert "not a gold folder" in result.output


def test_gold_folder_outside_repository_resolves_relative_paths(tmp_path, small_gold):
    texts = tmp_path / "texts"
    texts.mkdir()
    (small_gold / "doc.txt").rename(texts / "doc.txt")
    doc = read_jsonl(small_gold / "documents.jsonl")[0]
    doc["path"] = "../texts/doc.txt"
    (small_gold / "documents.jsonl").write_text(json.dumps(doc) + "\n")
    gold = load_gold(small_gold)
    assert gold.texts["small"].startswith("Alliances")


def test_gold_claims_without_text_get_it_from_the_document(small_gold):
    path = small_gold / "claims.jsonl"
    rows = read_jsonl(path)
    write_jsonl(path, [{k: v for k, v in row.items() if k != "text"} for row in rows])
    gold = load_gold(small_gold)
    text = gold.texts["small"]
    assert [c.text for c in gold.claims] == [row["text"] for row in rows]
    assert all(text[c.start : c.end] == c.text for c in gold.claims)


def test_gold_claim_without_text_still_checks_its_offsets(runner, small_gold):
    path = small_gold / "claims.jsonl"
    rows = [{k: v for k, v in row.items() if k != "text"} for row in read_jsonl(path)]
    rows[1]["end"] = 10_000
    write_jsonl(path, rows)
    result = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--pred", str(path)])
    assert result.exit_code == 2
    assert "claims.jsonl:2:" in result.output
    assert "out of range" in result.output


@pytest.mark.parametrize(
    "focal",
    [["org:nato", "RUS"], ["USA", "org:eu"], ["ISR", "org:hezbollah"], ["group:the-west", "CHN"]],
)
def test_gold_focal_pair_of_any_actor_kind_loads(small_gold, focal):
    path = small_gold / "documents.jsonl"
    write_jsonl(path, [{**read_jsonl(path)[0], "focal_actors": focal}])
    assert load_gold(small_gold).documents["small"].focal_actors == focal


def drafts_of(small_gold) -> list[dict]:
    """The small gold's claims as a draft: no offsets."""
    rows = read_jsonl(small_gold / "claims.jsonl")
    return [{k: v for k, v in row.items() if k not in ("start", "end")} for row in rows]


@pytest.mark.parametrize("omit_text", [False, True])
def test_gold_locate_finds_offsets_of_draft_claims(runner, small_gold, tmp_path, omit_text):
    expected = read_jsonl(small_gold / "claims.jsonl")
    draft = write_jsonl(tmp_path / "draft.jsonl", drafts_of(small_gold))
    (small_gold / "claims.jsonl").write_text("")
    args = ["locate", str(draft), "--gold", str(small_gold)] + (["--omit-text"] * omit_text)
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    written = read_jsonl(small_gold / "claims.jsonl")
    assert [(r["start"], r["end"]) for r in written] == [(r["start"], r["end"]) for r in expected]
    assert all(("text" in r) is not omit_text for r in written)
    assert [c.text for c in load_gold(small_gold).claims] == [r["text"] for r in expected]


def test_gold_locate_repeated_text_takes_the_next_occurrence(small_gold, tmp_path):
    from pipeline.evaluation.gold import locate

    text = "Iran backs Syria. Russia agrees. Iran backs Syria."
    row = {k: v for k, v in drafts_of(small_gold)[0].items() if k != "text"}
    rows = [{**row, "text": t} for t in ("Iran backs Syria.", "Iran backs Syria.")]
    claims = locate(write_jsonl(tmp_path / "d.jsonl", rows), text)
    assert [(c.start, c.end) for c in claims] == [(0, 17), (33, 50)]


def test_gold_locate_text_not_in_document_names_the_draft_line(runner, small_gold, tmp_path):
    rows = drafts_of(small_gold)
    rows[2]["text"] = "Nothing like this is in the document."
    draft = write_jsonl(tmp_path / "draft.jsonl", rows)
    result = runner.invoke(main, ["locate", str(draft), "--gold", str(small_gold)])
    assert result.exit_code == 2
    assert f"{draft}:3: claim text 'Nothing like" in result.output
    assert len(read_jsonl(small_gold / "claims.jsonl")) == 4  # untouched


def test_gold_locate_draft_of_unknown_document_is_a_user_error(runner, small_gold, tmp_path):
    rows = [{**r, "doc_id": "elsewhere"} for r in drafts_of(small_gold)]
    draft = write_jsonl(tmp_path / "draft.jsonl", rows)
    result = runner.invoke(main, ["locate", str(draft), "--gold", str(small_gold)])
    assert result.exit_code == 2
    assert "one document listed in documents.jsonl" in result.output


def test_gold_source_and_time_are_optional_fields(small_gold):
    """G12: a claim may say who makes it and when its content holds."""
    path = small_gold / "claims.jsonl"
    rows = read_jsonl(path)
    rows[0]["source"] = {"kind": "actor", "actor": "USA", "cue": [0, 4]}
    rows[0]["time"] = {"relative": "past", "start": "2008", "end": "2008-05", "cue": [0, 3]}
    write_jsonl(path, rows)
    claim = load_gold(small_gold).claims[0]
    assert (claim.source.kind, claim.source.actor, claim.source.cue) == ("actor", "USA", (0, 4))
    assert (claim.time.relative, claim.time.start, claim.time.end) == ("past", "2008", "2008-05")
