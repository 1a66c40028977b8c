"""Gold folders as spaCy ``Example``s: what training and ``nlp.evaluate`` consume.

An ``Example`` pairs a *predicted* Doc (the document's text, tokenised by the pipeline, with
its focal pair on ``doc._.focal`` and nothing else) with a *reference* Doc: the same tokens
carrying the gold claims as ``doc.spans["claims"]``, each gold claim's labels on the
extensions the pipeline itself sets (``_.stance``, ``_.certainty``, ``_.relations``,
``_.section``) and its whole gold annotation (actors and regions included) on ``_.gold``.

    >>> from pipeline import load, examples
    >>> nlp = load()
    >>> scores = nlp.evaluate(examples(nlp, "annotations"))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from ..evaluation.gold import GoldSet, load_gold
from ..extensions import register_extensions
from ..models import GoldClaim

CLAIMS = "claims"


def examples(
    nlp: Language, gold: str | Path | GoldSet | Iterable[str | Path | GoldSet]
) -> list[Example]:
    """One ``Example`` per gold document of ``gold`` (a gold folder, a loaded ``GoldSet``,
    or several of them), in folder and document order."""
    return list(iter_examples(nlp, gold))


def iter_examples(nlp: Language, gold) -> Iterator[Example]:
    register_extensions()
    for gold_set in _gold_sets(gold):
        for doc_id, document in gold_set.documents.items():
            predicted = nlp.make_doc(gold_set.texts[doc_id])
            predicted._.focal = list(document.focal_actors) or None
            predicted.user_data["claims.doc_id"] = doc_id
            reference = reference_doc(predicted, gold_set.claims_of(doc_id))
            yield Example(predicted, reference)


def _gold_sets(gold) -> Iterator[GoldSet]:
    if isinstance(gold, GoldSet):
        yield gold
    elif isinstance(gold, str | Path):
        yield load_gold(gold)
    else:
        for item in gold:
            yield from _gold_sets(item)


def reference_doc(predicted: Doc, claims: list[GoldClaim]) -> Doc:
    """The predicted Doc's tokens with the gold claims on them (see the module doc)."""
    reference = Doc(
        predicted.vocab,
        words=[t.text for t in predicted],
        spaces=[bool(t.whitespace_) for t in predicted],
    )
    reference._.focal = predicted._.focal
    reference.user_data["claims.doc_id"] = predicted.user_data.get("claims.doc_id")
    spans = []
    for claim in claims:
        span = reference.char_span(claim.start, claim.end, alignment_mode="expand")
        if span is None:
            continue
        span._.section = claim.section
        span._.stance = claim.stance
        span._.certainty = claim.certainty
        span._.relations = [r.model_dump() for r in claim.relations]
        span._.gold = claim.model_dump(exclude={"text"})
        spans.append(span)
    reference.spans[CLAIMS] = spans
    return reference


def gold_claims(reference: Doc) -> list[dict]:
    """The gold claims of a reference Doc: ``_.gold`` of each claim span, in span order."""
    return [span._.gold for span in reference.spans.get(CLAIMS, [])]
