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

from dataclasses import dataclass
from functools import cached_property
from itertools import permutations

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.training import Example
from thinc.api import Model

from ..extensions import register_extensions
from ..ids import actor_type
from ..training import scoring  # noqa: F401  (registers the scorers)
from .base import gazetteer_of
from .classifier import ClaimClassifier, Features, Item, aligned_gold
from .features import (
    ACTOR,
    SOURCE,
    TARGET,
    Tokens,
    bucket,
    head_indexes,
    lowest_common_head,
)
from .relations import polarity_tables
from .syntax import mention_head, spans_within

LABELS = ("none", "cooperative", "hostile")
THRESHOLD_KEYS = ("rule", "new")
NONE = "none"


class RelationModel(ClaimClassifier):
    """Replaces ``_.relations`` of every claim by the model's decisions over its pairs."""

    labels = LABELS

    def __init__(
        self, vocab, model: Model, name: str, *, thresholds: dict | None = None, scorer=None,
        nlp=None,
    ):  # fmt: skip
        register_extensions()
        thresholds = {**dict.fromkeys(THRESHOLD_KEYS, 0.5), **(thresholds or {})}
        super().__init__(vocab, model, name, thresholds=thresholds)
        self.scorer = scorer
        self.nlp = nlp  # its gazetteer is the pipeline's (base.gazetteer_of)
        self.verb_polarity, self.noun_polarity = polarity_tables()

    # -- items ------------------------------------------------------------------------------

    def items(self, doc: Doc) -> list[Item]:
        claims = list(doc.spans.get("claims", []))
        tokens = Tokens.of(doc)
        out = []
        inside_claims = spans_within(doc.spans.get("actors", []), claims)
        focal = self.focal_counts(doc)
        for n, (claim, inside) in enumerate(zip(claims, inside_claims, strict=True)):
            mentions: dict[str, list[Span]] = {}
            for span in inside:
                mentions.setdefault(span.kb_id_, []).append(span)
            ext = claim._
            pair = Pair(claim, tokens, mentions, heads_of(mentions), ext.certainty,
                        {aid: focal(aid) for aid in mentions}, ext.stance or "neutral")  # fmt: skip
            rules = {(r["source"], r["target"]): r["polarity"] for r in ext.relations or []}
            for a, b in permutations(sorted(mentions), 2):
                out.append(Item(key=(n, a, b), features=self.features(pair, a, b, rules)))
        return out

    def focal_counts(self, doc: Doc):
        """Whether an actor counts for the Doc's focal pair (a person for its home state), as
        a function of its ID."""
        focal = set(doc._.focal or [])
        if not focal:
            return lambda actor_id: False
        gaz = gazetteer_of(self.nlp).with_local(doc._.local_actors)
        return lambda actor_id: gaz.counts_for(actor_id, focal)

    def polarity(self, tokens: Tokens, i: int) -> str | None:
        pos = tokens.pos[i]
        if pos in {"VERB", "AUX"}:
            return self.verb_polarity.get(tokens.lemma_raw[i]) or self.verb_polarity.get(
                tokens.lower[i]
            )
        if pos in {"NOUN", "PROPN", "ADJ"}:
            return self.noun_polarity.get(tokens.lower[i]) or self.noun_polarity.get(
                tokens.lemma_raw[i]
            )
        return None

    def features(self, pair: Pair, a: str, b: str, rules: dict) -> Features:
        tokens = pair.tokens
        head_a, head_b = closest(pair.heads[a], pair.heads[b])
        rule = f"rule={rules.get((a, b), 'none')}"
        focal = f"focal={pair.focal[a]:d}{pair.focal[b]:d}"
        names = ["bias", f"types={actor_type(a)}>{actor_type(b)}", rule]
        names += [focal, f"{focal}|{rule}", f"{focal}|stance={pair.stance}"]
        names += [f"rule_rev={rules[(b, a)]}"] if (b, a) in rules else []
        names.append("src_first" if head_a < head_b else "tgt_first")
        names.append(f"distance={bucket(abs(head_a - head_b))}")
        names += self.path_features(tokens, head_a, head_b)
        names += self.between_features(pair, head_a, head_b, a, b)
        if first_conjunct_at(tokens, head_a) == first_conjunct_at(tokens, head_b):
            names.append("coordinated")
        names.append(f"certainty={pair.certainty}")
        return self.featurize(names)

    def path_features(self, tokens: Tokens, head_a: int, head_b: int) -> list[str]:
        lca, up_a, up_b = lowest_common_head(tokens.head, head_a, head_b)
        deps_a = "/".join(tokens.dep[i] for i in up_a[:-1])
        deps_b = "/".join(tokens.dep[i] for i in up_b[:-1])
        if lca is None:
            return [f"nolca|{deps_a}|{deps_b}"]
        lemma, polarity = tokens.lemma[lca], self.polarity(tokens, lca)
        names = [
            f"path={deps_a}|{deps_b}",
            f"path={deps_a}|{lemma}|{deps_b}",
            f"lca={lemma}",
            f"lca_pos={tokens.pos[lca]}",
            f"src_dep={tokens.dep[up_a[0]] if len(up_a) > 1 else 'self'}",
            f"tgt_dep={tokens.dep[up_b[0]] if len(up_b) > 1 else 'self'}",
            f"lca_pol={polarity}",
            f"lca_pol={polarity}|{deps_a}|{deps_b}",
        ]
        if lca in tokens.negated:
            names.append("lca_neg")
        names.append(f"lca_modal={tokens.modals.get(lca)}")
        for i in sorted({*up_a[1:-1], *up_b[1:-1]}):  # one order
            names.append(f"on_path={tokens.lemma[i]}")
            if polarity := self.polarity(tokens, i):
                names.append(f"on_path_pol={polarity}")
            if i in tokens.negated:
                names.append("on_path_neg")
        return names

    def between_features(self, pair: Pair, head_a: int, head_b: int, a: str, b: str) -> list[str]:
        source = {i for s in pair.mentions[a] for i in range(s.start, s.end)}
        target = {i for s in pair.mentions[b] for i in range(s.start, s.end)}
        low, high = sorted((head_a, head_b))
        tokens, names = pair.tokens, []
        for i in range(low + 1, high):
            if tokens.punct[i]:
                continue
            if i in target:  # a target's mark wins over a source's, a source's over an actor's
                word = TARGET
            elif i in source:
                word = SOURCE
            else:
                word = ACTOR if i in pair.covered else tokens.lemma[i]
            names.append(f"btw={word}")
            if polarity := self.polarity(tokens, i):
                names.append(f"btw_pol={polarity}")
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
        rules = [claim._.relations or [] for claim in claims]
        decided: dict[int, list[dict]] = {n: [] for n in range(len(claims))}
        thresholds = self.cfg["thresholds"]
        heads = head_indexes(doc)
        for item, row in zip(items, probs, strict=True):
            n, a, b = item.key
            best = 1 + int(row[1:].argmax())
            ruled = any((r["source"], r["target"]) == (a, b) for r in rules[n])
            if row[best] >= thresholds["rule" if ruled else "new"]:
                found = (claims[n], rules[n], heads)
                decided[n].append(relation(found, (a, b), LABELS[best], float(row[best])))
        for n, claim in enumerate(claims):
            claim._.relations = decided[n]


@dataclass(frozen=True)
class Pair:
    """What the features of a claim's candidate pairs read: the claim, its Doc's tokens, the
    mentions of each actor in it, their head tokens' indexes, the claim's certainty, which
    actors count for the focal pair and the claim's stance."""

    claim: Span
    tokens: Tokens
    mentions: dict[str, list[Span]]
    heads: dict[str, list[int]]
    certainty: str | None
    focal: dict[str, bool]  # whether each actor counts for the focal pair
    stance: str  # the claim's stance label (the stance model's, else the rules')

    @cached_property
    def covered(self) -> set[int]:
        """The tokens of every actor mention in the claim."""
        return {i for spans in self.mentions.values() for s in spans for i in range(s.start, s.end)}


def heads_of(mentions: dict[str, list[Span]]) -> dict[str, list[int]]:
    return {aid: [mention_head(s).i for s in spans] for aid, spans in mentions.items()}


def closest(heads_a: list[int], heads_b: list[int]) -> tuple[int, int]:
    """The heads of the two mentions (one of each actor) nearest each other, by index."""
    pairs = [(x, y) for x in heads_a for y in heads_b]
    return min(pairs, key=lambda p: (abs(p[0] - p[1]), p[0]))


def first_conjunct_at(tokens: Tokens, i: int) -> int:
    """Walk up a coordination chain ("Iraq and Afghanistan": Afghanistan -> Iraq)."""
    while tokens.dep[i] == "conj" and tokens.head[i] < i:
        i = tokens.head[i]
    return i


def relation(found: tuple, pair: tuple[str, str], polarity: str, probability: float) -> dict:
    """The model's relation of ``pair`` in a claim (``found``: the claim, the rules' triples
    and each token's head index): the rules' triple (and cue) if they found the same, else
    one whose cue is the pair's lowest common head."""
    claim, rules, heads = found
    a, b = pair
    for rule in rules:
        if (rule["source"], rule["target"], rule["polarity"]) == (a, b, polarity):
            return {**rule, "origin": "rule", "probability": round(probability, 4)}
    cue = cue_of(claim, a, b, heads)
    return {
        "source": a,
        "target": b,
        "polarity": polarity,
        "cue": [cue.idx, cue.idx + len(cue)],
        "origin": "model",
        "probability": round(probability, 4),
    }


def cue_of(claim: Span, a: str, b: str, heads: list[int]) -> Token:
    """The word that relates a model relation's actors: their lowest common head."""
    spans = [s for s in claim.doc.spans.get("actors", []) if claim.start <= s.start < claim.end]
    mentions = heads_of({k: [s for s in spans if s.kb_id_ == k] for k in (a, b)})
    head_a, head_b = closest(mentions[a], mentions[b])
    lca, _, _ = lowest_common_head(heads, head_a, head_b)
    return claim.doc[lca if lca is not None and claim.start <= lca < claim.end else head_a]


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
    return RelationModel(nlp.vocab, model, name, thresholds=thresholds, scorer=scorer, nlp=nlp)
