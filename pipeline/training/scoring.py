"""Scoring ``Example``s (predicted Docs against their gold reference Docs) with the
project's own evaluator, for ``nlp.evaluate`` and for training.

``evaluate_examples`` gives the report ``claims evaluate`` prints; ``flat_scores`` turns it
into the flat ``{name: number}`` dict spaCy's scorers return (``claims_f``, ``actors_f``,
``regions_f``, ``relations_p``/``_r``/``_f``, ``stance_macro_f1``, ``stance_acc``,
``certainty_acc``, ``section_acc``). The registered scorers (``claims.*_scorer.v1``) each
return the figures of one field, so each component reports what it decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spacy.training import Example
from spacy.util import registry

from ..conversion import records_from_doc
from ..corpus.documents import sha256_hex
from ..evaluation.gold import GoldSet
from ..evaluation.scoring import ClaimView, evaluate
from ..gazetteer import load_gazetteer
from ..models import GoldClaim, GoldDocument, Provenance
from .examples import gold_claims

FIELDS = ("claims", "actors", "regions", "relations", "stance", "certainty", "section")


def example_doc_id(example: Example, n: int) -> str:
    return example.reference.user_data.get("claims.doc_id") or f"doc-{n}"


def predicted_views(example: Example, doc_id: str, gazetteer) -> list[ClaimView]:
    """The predicted Doc's claims as the scorer sees them (through the record models)."""
    doc = example.predicted
    sha = sha256_hex(doc.text.encode("utf-8"))
    provenance = Provenance(doc_sha256=sha, pipeline_version="-", model_name="-", model_version="-")
    records = records_from_doc(
        doc, doc_id=doc_id, doc_sha256=sha, provenance=provenance, gazetteer=gazetteer
    )
    return [ClaimView.from_record(r) for r in records]


def gold_set(examples: Iterable[Example], gazetteer) -> tuple[GoldSet, list[ClaimView]]:
    """The examples' references as a GoldSet, and their predictions as views."""
    documents, texts, claims, views = {}, {}, [], []
    for n, eg in enumerate(examples):
        doc_id = example_doc_id(eg, n)
        text = eg.reference.text
        documents[doc_id] = GoldDocument(
            doc_id=doc_id, path="-", sha256=sha256_hex(text.encode("utf-8"))
        )
        texts[doc_id] = text
        for gold in gold_claims(eg.reference):
            fields = {**gold, "doc_id": doc_id, "text": text[gold["start"] : gold["end"]]}
            claims.append(GoldClaim.model_validate(fields))
        views.extend(predicted_views(eg, doc_id, gazetteer))
    claims.sort(key=lambda c: (c.doc_id, c.start, c.end))
    return GoldSet(folder=Path("."), documents=documents, texts=texts, claims=claims), views


def evaluate_examples(
    examples: Iterable[Example], per_document: bool = False, gazetteer=None
) -> dict:
    """The ``claims evaluate`` report of predicted against reference Docs (overall only,
    unless ``per_document``), rolled up with ``gazetteer`` (default: the bundled one)."""
    gazetteer = gazetteer or load_gazetteer()
    gold, views = gold_set(examples, gazetteer)
    return evaluate(gold, views, gazetteer, per_document=per_document)


def flat_scores(report: dict, fields: Iterable[str] = FIELDS) -> dict[str, float | None]:
    """spaCy-style flat scores of the chosen fields of a report."""
    out: dict[str, float | None] = {}
    fields = set(fields)
    if "claims" in fields:
        lenient = report["claims"]["lenient"]
        out.update(claims_p=lenient["p"], claims_r=lenient["r"], claims_f=lenient["f"])
    for name in ("actors", "regions", "relations"):
        if name in fields:
            part = report[name]
            out.update({f"{name}_p": part["p"], f"{name}_r": part["r"], f"{name}_f": part["f"]})
    for name in ("stance", "certainty"):
        if name in fields:
            part = report[name]
            out.update(
                {
                    f"{name}_acc": part["accuracy"],
                    f"{name}_macro_f1": part["macro_f1"],
                    f"{name}_kappa": part["kappa"],
                }
            )
    if "section" in fields:
        out["section_acc"] = report["section_accuracy"]
    return out


def scorer_for(*fields: str):
    def score(examples: Iterable[Example], **_) -> dict[str, float | None]:
        return flat_scores(evaluate_examples(list(examples)), fields)

    return score


@registry.scorers("claims.claims_scorer.v1")
def make_claims_scorer():
    """Every figure (claims, actors, regions, relations, stance, certainty, section)."""
    return scorer_for(*FIELDS)


@registry.scorers("claims.actors_scorer.v1")
def make_actors_scorer():
    return scorer_for("actors")


@registry.scorers("claims.stance_scorer.v1")
def make_stance_scorer():
    return scorer_for("stance")


@registry.scorers("claims.relations_scorer.v1")
def make_relations_scorer():
    return scorer_for("relations")
