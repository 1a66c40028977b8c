"""Shared fixtures: paths to the committed gold set and small hand-built gold folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
GOLD = ROOT / "annotations"
SMALL = DATA / "gold_small"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def small_gold(tmp_path) -> Path:
    """A writable copy of the four-claim gold folder in tests/data."""
    dest = tmp_path / "gold"
    shutil.copytree(SMALL, dest)
    return dest


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(scope="session")
def nlp():
    """The full claims pipeline, built once per test session."""
    from pipeline.nlp import shared_nlp

    return shared_nlp()


@pytest.fixture(scope="session")
def rules_nlp():
    """The claims pipeline with its trained components switched off: the rules alone, which
    the rule tests test (the trained components are tested in test_training.py)."""
    from pipeline.components.classifier import ClaimClassifier
    from pipeline.nlp import build_nlp

    nlp = build_nlp()
    for name, proc in list(nlp.pipeline):
        if isinstance(proc, ClaimClassifier):
            nlp.disable_pipe(name)
    return nlp


@pytest.fixture(scope="session")
def parse(rules_nlp):
    """Run the rules on a text with a focal pair (default RUS, IRN)."""

    def run(text: str, focal: tuple[str, ...] = ("RUS", "IRN")):
        doc = rules_nlp.make_doc(text)
        doc._.focal = list(focal) or None
        return rules_nlp(doc)

    return run


def claim_of(doc, start_text: str):
    """The claim span starting with ``start_text``."""
    found = [c for c in doc.spans["claims"] if c.text.startswith(start_text)]
    assert found, [c.text for c in doc.spans["claims"]]
    return found[0]


def actor_ids(doc, claim) -> set[str]:
    return {s.kb_id_ for s in doc.spans["actors"] if claim.start <= s.start < claim.end}


def region_ids(doc, claim) -> set[str]:
    return {s.kb_id_ for s in doc.spans["regions"] if claim.start <= s.start < claim.end}
