"""The quality report: the split is checked, errors are counted by kind, Markdown renders."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import ClaimsError
from pipeline.evaluation.gold import load_gold
from pipeline.evaluation.quality import (
    agreement,
    error_counts,
    load_split,
    render_markdown,
    score_part,
)
from pipeline.evaluation.scoring import ClaimView
from pipeline.gazetteer import load_gazetteer
from tests.conftest import read_jsonl, write_jsonl


@pytest.mark.parametrize(
    ("split", "message"),
    [
        ({"tune": [], "test": []}, "unassigned ['small']"),
        ({"tune": ["small", "other"], "test": []}, "unknown ['other']"),
        ({"tune": ["small"], "test": ["small"]}, "in two parts"),
        ({"train": ["small"], "tune": ["small"]}, "in two parts"),
    ],
)
def test_quality_bad_split_is_a_user_error(small_gold, tmp_path, split, message):
    path = tmp_path / "split.json"
    path.write_text(json.dumps(split))
    with pytest.raises(ClaimsError, match="not a valid split") as exc:
        load_split(path, load_gold(small_gold))
    assert message in str(exc.value)


def test_quality_split_assigns_every_document(small_gold, tmp_path):
    path = tmp_path / "split.json"
    path.write_text(json.dumps({"_note": "x", "tune": ["small"], "test": []}))
    expected = {"train": [], "tune": ["small"], "test": []}
    assert load_split(path, load_gold(small_gold)) == expected


def test_quality_split_refuses_two_documents_with_one_text(small_gold, tmp_path):
    gold = load_gold(small_gold)
    twin = gold.documents["small"].model_copy(update={"doc_id": "twin"})
    gold.documents["twin"] = twin
    path = tmp_path / "split.json"
    path.write_text(json.dumps({"train": ["twin"], "tune": ["small"], "test": []}))
    with pytest.raises(ClaimsError, match="small and twin have the same text"):
        load_split(path, gold)


ROWS = [
    ({"kind": "missed", "doc_id": "d", "start": 0, "text": "x"}, {"claims missed": 1}),
    ({"kind": "extra", "doc_id": "d", "start": 0, "text": "x"}, {"claims extra": 1}),
    (
        {"kind": "wrong", "field": "actors", "missing": ["IRN", "RUS"], "extra": ["SYR"]},
        {"actors missed": 2, "actors extra": 1},
    ),
    (
        {"kind": "wrong", "field": "stance", "gold": "convergent", "pred": "neutral"},
        {"stance convergent -> neutral": 1},
    ),
    ({"kind": "wrong", "field": "section", "gold": "Syria", "pred": None}, {"section wrong": 1}),
]


@pytest.mark.parametrize(("row", "expected"), ROWS)
def test_quality_error_counts_by_kind(row, expected):
    assert dict(error_counts([row])) == expected


def test_quality_report_of_a_perturbed_annotation(small_gold, tmp_path):
    gold = load_gold(small_gold)
    rows = read_jsonl(small_gold / "claims.jsonl")
    rows[0]["stance"] = "divergent"
    rows[1]["actors"] = ["SYR"]
    rows[1]["relations"] = []
    second = tmp_path / "second"
    second.mkdir()
    (second / "doc.txt").write_bytes((small_gold / "doc.txt").read_bytes())
    (second / "documents.jsonl").write_bytes((small_gold / "documents.jsonl").read_bytes())
    write_jsonl(second / "claims.jsonl", rows[:3])
    agree = agreement(gold, load_gold(second), load_gazetteer())
    assert agree["errors"]["stance convergent -> divergent"] == 1
    assert agree["errors"]["actors missed"] == 1
    assert agree["errors"]["claims missed"] == 1
    views = [ClaimView.from_gold(c) for c in gold.claims]
    perfect = score_part(gold, views, load_gazetteer())
    curves = {"notes": ["curve note"], "rows": [
        {"label": "50%", "documents": 2, "claims": 9, "actors_f": 0.5, "relations_f": None,
         "stance_macro_f1": 0.25},
    ]}  # fmt: skip
    text = render_markdown(
        {"seed": perfect, "dev-tune": agree}, {"usgov": agree}, ["note line"], curves
    )
    assert "| claims F1 | 1.000 | 0.857 | 0.950 |" in text
    assert "| stance convergent -> divergent | 0 | 1 |" in text
    assert "## Per document: dev-tune" in text
    assert "## Inter-annotator agreement: usgov" in text
    assert "| 50% | 2 | 9 | 0.500 | - | 0.250 |" in text
    assert "note line" in text


def test_quality_gold_counts_by_label(small_gold):
    from pipeline.evaluation.quality import gold_counts

    text = gold_counts(load_gold(small_gold))
    assert text.startswith("stance ")
    assert "certainty asserted" in text
    assert "relations cooperative" in text
