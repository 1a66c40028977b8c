"""Stance, learned: a classifier over each claim, stacked on the stance rules.

It reads the claim's words with the focal actors' mentions marked, which focal actors are
present, and what the rules decided (label, rule, cue words, relations between the pair) as
features, and gives each claim convergent, divergent or neutral with a probability. The
rules stay: their label is evidence the model weighs, and the record keeps their rule and
cues beside the model's label (``stance.origin`` says which decided: ``rule`` when the
model agrees with the rules, ``model`` when it overrides them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from thinc.api import Model

from ..conversion import extension_reader
from ..extensions import register_extensions
from ..gazetteer import Gazetteer
from ..training import scoring  # noqa: F401  (registers the scorers)
from .base import gazetteer_of
from .classifier import ClaimClassifier, Features, Item, aligned_gold
from .features import (
    ACTOR,
    FOCAL,
    Tokens,
    dense_vector,
    dependency_arcs,
    masked_words,
    ngrams,
)

LABELS = ("convergent", "divergent", "neutral")


class StanceModel(ClaimClassifier):
    """Sets ``_.stance`` (and ``_.stance_probability``, ``_.stance_origin``,
    ``_.stance_rule_label``) on every claim."""

    labels = LABELS

    def __init__(
        self,
        vocab,
        model: Model,
        name: str,
        *,
        dense: str = "none",
        balanced: bool = True,
        scorer=None,
        nlp=None,
    ):
        register_extensions()
        super().__init__(vocab, model, name, dense=dense, balanced=balanced)
        self.scorer = scorer
        self.nlp = nlp  # its gazetteer is the pipeline's (base.gazetteer_of)

    def items(self, doc: Doc) -> list[Item]:
        focal = set(doc._.focal or [])
        gaz = gazetteer_of(self.nlp).with_local(doc._.local_actors)
        marks, present = focal_marks(doc, focal, gaz)
        context = Context(Tokens.of(doc), marks, present, focal, gaz, extension_reader(doc, READS))
        return [
            Item(key=(n,), features=self.features(claim, context))
            for n, claim in enumerate(doc.spans.get("claims", []))
        ]

    def features(self, claim: Span, context: Context) -> Features:
        marks, present, focal, gaz = context.marks, context.present, context.focal, context.gaz
        here: set[str] = set()
        for i in range(claim.start, claim.end):
            if i in present:
                here |= present[i]
        n_focal = len(here & focal)
        rule_label, stance, rule, certainty, cues, relations = context.read(claim)
        rule_label = rule_label or stance or "neutral"
        names = [
            "bias",
            f"nfocal={n_focal}",
            f"rule_label={rule_label}",
            f"rule={rule}",
            f"rule_label={rule_label}|nfocal={n_focal}",
            f"certainty={certainty}",
        ]
        doc = claim.doc
        for start, end in cues or []:
            span = doc.char_span(start, end, alignment_mode="expand")
            names.extend(f"cue={t.lemma_.lower()}" for t in span or [])
        for relation in relations or []:
            ends = sum(gaz.counts_for(relation[end], focal) for end in ("source", "target"))
            names.append(f"rel={relation['polarity']}|focal_ends={ends}")
        words = masked_words(context.tokens, claim.start, claim.end, marks)
        names.extend(ngrams(words))
        names.extend(dependency_arcs(context.tokens, claim.start, claim.end, marks))
        return self.featurize(names, dense_vector(claim, self.cfg["dense"]))

    def gold_labels(self, example: Example, items: list[Item]) -> list[str | None]:
        gold = aligned_gold(example)
        return [None if g is None else g["stance"] for g in gold]

    def apply(self, doc: Doc, items: list[Item], probs: numpy.ndarray) -> None:
        claims = list(doc.spans.get("claims", []))
        for item, row in zip(items, probs, strict=True):
            claim = claims[item.key[0]]
            ext = claim._
            rule_label = ext.stance_rule_label or ext.stance or "neutral"
            best = int(row.argmax())
            ext.stance_rule_label = rule_label
            ext.stance = LABELS[best]
            ext.stance_probability = round(float(row[best]), 4)
            ext.stance_origin = "rule" if LABELS[best] == rule_label else "model"


@dataclass(frozen=True)
class Context:
    """What every claim's features read of its Doc: the tokens, the mention marks, the focal
    keys each token counts for, the focal actors, the gazetteer with the Doc's actors and
    the reader of a claim's extension values."""

    tokens: Tokens
    marks: dict[int, str]
    present: dict[int, set]
    focal: set[str]
    gaz: Gazetteer
    read: Callable[[Span], list]  # a claim's values of READS (conversion.extension_reader)


READS = ("stance_rule_label", "stance", "stance_rule", "certainty", "stance_cues", "relations")


def focal_marks(doc: Doc, focal: set[str], gaz) -> tuple[dict[int, str], dict[int, set]]:
    """Token index -> FOCAL or ACTOR for every actor mention, and -> the focal keys it
    counts for (a person counts for its home state); ``gaz`` the pipeline's gazetteer
    with the Doc's own actors."""
    marks: dict[int, str] = {}
    present: dict[int, set] = {}
    for span in doc.spans.get("actors", []):
        keys = gaz.focal_keys(span.kb_id_)
        for i in range(span.start, span.end):
            marks[i] = FOCAL if keys & focal else ACTOR
            present.setdefault(i, set()).update(keys)
    return marks, present


@Language.factory(
    "claims_stance_model",
    assigns=["span._.stance", "span._.stance_probability", "span._.stance_origin"],
    requires=["doc.spans", "doc._.focal", "span._.stance", "span._.stance_rule"],
    default_config={
        "model": {
            "@architectures": "claims.FeatureClassifier.v1",
            "nO": 3,
            "hash_length": 131072,
            "dense_width": 0,
        },
        "dense": "none",
        "balanced": True,
        "scorer": {"@scorers": "claims.stance_scorer.v1"},
    },
    default_score_weights={"stance_macro_f1": 1.0},
)
def make_stance_model(
    nlp: Language, name: str, model: Model, dense: str, balanced: bool, scorer
) -> StanceModel:
    """Factory: ``dense`` is where a claim's vector comes from (``none``, ``tensor``: the
    model's contextual token vectors, ``vectors``: the vocabulary's static vectors), with
    the model's ``dense_width`` set to match; ``balanced`` weights the labels' losses by
    their inverse frequency (macro-F1 counts the rare labels as much as neutral)."""
    return StanceModel(
        nlp.vocab, model, name, dense=dense, balanced=balanced, scorer=scorer, nlp=nlp
    )
