"""Relations, learned: a classifier over every ordered pair of a claim's actors, stacked on
the relation rules.

Each candidate pair (source, target) is described by the dependency path between their
mentions (the words on it, their relations, the lowest common head and its CAMEO polarity,
negation and modal on it), the words between them, coordination, the actors' kinds and the
rules' own triples for the pair in either direction; the model gives none, cooperative or
hostile with a probability, and a relation is kept when its probability reaches the
component's threshold (``thresholds``: ``rule`` for a pair the rules also found, ``new``
for one they did not; learned by cross-validation in ``claims train``). Each relation
says where it came from: ``origin`` ``rule`` (the rules found the same triple; their cue is
kept) or ``model`` (the cue is the pair's lowest common head), with the model's
``probability``.
"""

from __future__ import annotations

from itertools import permutations

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.training import Example
from thinc.api import Model

from ..extensions import register_extensions
from ..ids import actor_type
from ..training import scoring  # noqa: F401  (registers the scorers)
from .classifier import ClaimClassifier, Features, Item, aligned_gold
from .features import (
    ACTOR,
    SOURCE,
    TARGET,
    bucket,
    lowest_common_head,
    modal,
    negated,
)
from .relations import polarity_tables
from .syntax import first_conjunct, mention_head

LABELS = ("none", "cooperative", "hostile")
THRESHOLD_KEYS = ("rule", "new")
NONE = "none"


class RelationModel(ClaimClassifier):
    """Replaces ``_.relations`` of every claim by the model's decisions over its pairs."""

    labels = LABELS

    def __init__(
        self, vocab, model: Model, name: str, *, thresholds: dict | None = None, scorer=None
    ):
        register_extensions()
        thresholds = {**dict.fromkeys(THRESHOLD_KEYS, 0.5), **(thresholds or {})}
        super().__init__(vocab, model, name, thresholds=thresholds)
        self.scorer = scorer
        self.verb_polarity, self.noun_polarity = polarity_tables()

    # -- items ------------------------------------------------------------------------------

    def items(self, doc: Doc) -> list[Item]:
        actors = sorted(doc.spans.get("actors", []), key=lambda s: s.start)
        out = []
        for n, claim in enumerate(doc.spans.get("claims", [])):
            mentions: dict[str, list[Span]] = {}
            for span in actors:
                if claim.start <= span.start and span.end <= claim.end:
                    mentions.setdefault(span.kb_id_, []).append(span)
            rules = {(r["source"], r["target"]): r["polarity"] for r in claim._.relations or []}
            for a, b in permutations(sorted(mentions), 2):
                features = self.features(claim, mentions, a, b, rules)
                out.append(Item(key=(n, a, b), features=features))
        return out

    def polarity(self, token: Token) -> str | None:
        if token.pos_ in {"VERB", "AUX"}:
            return self.verb_polarity.get(token.lemma_) or self.verb_polarity.get(token.lower_)
        if token.pos_ in {"NOUN", "PROPN", "ADJ"}:
            return self.noun_polarity.get(token.lower_) or self.noun_polarity.get(token.lemma_)
        return None

    def features(self, claim: Span, mentions: dict, a: str, b: str, rules: dict) -> Features:
        head_a, head_b = closest_heads(mentions[a], mentions[b])
        names = ["bias", f"types={actor_type(a)}>{actor_type(b)}"]
        names += [f"rule={rules[(a, b)]}"] if (a, b) in rules else ["rule=none"]
        names += [f"rule_rev={rules[(b, a)]}"] if (b, a) in rules else []
        names.append("src_first" if head_a.i < head_b.i else "tgt_first")
        names.append(f"distance={bucket(abs(head_a.i - head_b.i))}")
        names += self.path_features(head_a, head_b)
        names += self.between_features(claim, head_a, head_b, mentions, a, b)
        if first_conjunct(head_a) == first_conjunct(head_b):
            names.append("coordinated")
        names.append(f"certainty={claim._.certainty}")
        return Features.from_names(names)

    def path_features(self, head_a: Token, head_b: Token) -> list[str]:
        lca, up_a, up_b = lowest_common_head(head_a, head_b)
        deps_a = "/".join(t.dep_ for t in up_a[:-1])
        deps_b = "/".join(t.dep_ for t in up_b[:-1])
        if lca is None:
            return [f"nolca|{deps_a}|{deps_b}"]
        lemma = lca.lemma_.lower()
        names = [
            f"path={deps_a}|{deps_b}",
            f"path={deps_a}|{lemma}|{deps_b}",
            f"lca={lemma}",
            f"lca_pos={lca.pos_}",
            f"src_dep={up_a[0].dep_ if len(up_a) > 1 else 'self'}",
            f"tgt_dep={up_b[0].dep_ if len(up_b) > 1 else 'self'}",
            f"lca_pol={self.polarity(lca)}",
            f"lca_pol={self.polarity(lca)}|{deps_a}|{deps_b}",
        ]
        if negated(lca):
            names.append("lca_neg")
        names.append(f"lca_modal={modal(lca)}")
        for token in sorted({*up_a[1:-1], *up_b[1:-1]}, key=lambda t: t.i):  # one order
            names.append(f"on_path={token.lemma_.lower()}")
            if self.polarity(token):
                names.append(f"on_path_pol={self.polarity(token)}")
            if negated(token):
                names.append("on_path_neg")
        return names

    def between_features(self, claim, head_a, head_b, mentions, a, b) -> list[str]:
        marks = {
            i: ACTOR for spans in mentions.values() for s in spans for i in range(s.start, s.end)
        }
        marks.update({i: SOURCE for s in mentions[a] for i in range(s.start, s.end)})
        marks.update({i: TARGET for s in mentions[b] for i in range(s.start, s.end)})
        low, high = sorted((head_a.i, head_b.i))
        names = []
        for token in claim.doc[low + 1 : high]:
            if token.is_punct:
                continue
            word = marks.get(token.i, token.lemma_.lower())
            names.append(f"btw={word}")
            if self.polarity(token):
                names.append(f"btw_pol={self.polarity(token)}")
        return names

    # -- training and decisions -------------------------------------------------------------

    def gold_labels(self, example: Example, items: list[Item]) -> list[str | None]:
        gold = aligned_gold(example)
        out: list[str | None] = []
        for item in items:
            n, a, b = item.key
            if gold[n] is None:
                out.append(None)
                continue
            found = [
                r["polarity"] for r in gold[n]["relations"] if (r["source"], r["target"]) == (a, b)
            ]
            out.append(found[0] if found else NONE)
        return out

    def apply(self, doc: Doc, items: list[Item], probs: numpy.ndarray) -> None:
        claims = list(doc.spans.get("claims", []))
        decided: dict[int, list[dict]] = {n: [] for n in range(len(claims))}
        thresholds = self.cfg["thresholds"]
        for item, row in zip(items, probs, strict=True):
            n, a, b = item.key
            best = 1 + int(row[1:].argmax())
            ruled = any((r["source"], r["target"]) == (a, b) for r in claims[n]._.relations or [])
            if row[best] >= thresholds["rule" if ruled else "new"]:
                decided[n].append(self.relation(claims[n], a, b, LABELS[best], float(row[best])))
        for n, claim in enumerate(claims):
            claim._.relations = decided[n]

    def relation(self, claim: Span, a: str, b: str, polarity: str, probability: float) -> dict:
        for rule in claim._.relations or []:
            if (rule["source"], rule["target"], rule["polarity"]) == (a, b, polarity):
                return {**rule, "origin": "rule", "probability": round(probability, 4)}
        cue = cue_of(claim, a, b)
        return {
            "source": a,
            "target": b,
            "polarity": polarity,
            "cue": [cue.idx, cue.idx + len(cue)],
            "origin": "model",
            "probability": round(probability, 4),
        }


def closest_heads(spans_a: list[Span], spans_b: list[Span]) -> tuple[Token, Token]:
    """The heads of the two mentions (one of each actor) nearest each other."""
    pairs = [(mention_head(x), mention_head(y)) for x in spans_a for y in spans_b]
    return min(pairs, key=lambda p: (abs(p[0].i - p[1].i), p[0].i))


def cue_of(claim: Span, a: str, b: str) -> Token:
    """The word that relates a model relation's actors: their lowest common head."""
    spans = [s for s in claim.doc.spans.get("actors", []) if claim.start <= s.start < claim.end]
    head_a, head_b = closest_heads(
        [s for s in spans if s.kb_id_ == a], [s for s in spans if s.kb_id_ == b]
    )
    lca, _, _ = lowest_common_head(head_a, head_b)
    return lca if lca is not None and claim.start <= lca.i < claim.end else head_a


@Language.factory(
    "claims_relation_model",
    assigns=["span._.relations"],
    requires=["doc.spans", "span._.relations"],
    default_config={
        "model": {
            "@architectures": "claims.FeatureClassifier.v1",
            "nO": 3,
            "hash_length": 131072,
            "dense_width": 0,
        },
        "thresholds": {"rule": 0.5, "new": 0.5},
        "scorer": {"@scorers": "claims.relations_scorer.v1"},
    },
    default_score_weights={"relations_f": 1.0},
)
def make_relation_model(
    nlp: Language, name: str, model: Model, thresholds: dict, scorer
) -> RelationModel:
    """Factory: ``thresholds`` the probability a relation needs: ``rule`` for a pair the
    relation rules also gave a triple (in either polarity), ``new`` for any other pair."""
    return RelationModel(nlp.vocab, model, name, thresholds=thresholds, scorer=scorer)
