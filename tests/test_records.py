"""Boundary models: strict fields, and the committed schemas match the models."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.cli import main
from pipeline.models import GoldClaim, GoldDocument, schema_files
from tests.conftest import ROOT


def test_records_committed_schemas_match_models():
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.json")}
    assert committed == schema_files(), "schemas/ drifted: run `make schema`"


def test_records_schema_command_writes_files(runner, tmp_path):
    result = runner.invoke(main, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(schema_files())


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (GoldDocument, {"doc_id": "a", "path": "a.txt", "sha256": "0" * 64, "extra": 1}),
        (GoldDocument, {"doc_id": " a", "path": "a.txt", "sha256": "0" * 64}),
        (
            GoldClaim,
            {
                "doc_id": "a",
                "start": 0,
                "end": 1,
                "text": "x",
                "section": None,
                "actors": ["person:Putin"],
                "regions": [],
                "stance": "neutral",
                "certainty": "asserted",
                "relations": [],
            },
        ),
        (
            GoldClaim,
            {
                "doc_id": "a",
                "start": -1,
                "end": 1,
                "text": "x",
                "section": None,
                "actors": [],
                "regions": [],
                "stance": "neutral",
                "certainty": "asserted",
                "relations": [],
            },
        ),
    ],
)
def test_records_reject_malformed_input(model, data):
    with pytest.raises(ValidationError):
        model.model_validate(data)
