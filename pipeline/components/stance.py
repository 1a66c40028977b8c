"""Stance: does a claim put the document's focal pair in alignment or in divergence?

The focal pair is ``doc._.focal``: given (``--focal``, the input line) or detected by the
focal component (``focal.py``). A claim that
mentions both focal actors (any two actor IDs; a person also counts through its home state,
an organisation or group only through its own ID) is
divergent when it carries a divergence cue that is neither negated (also by an averting
verb or a "neither ... nor" subject) nor minimised nor in a concessive or conditional
clause, or a hostile relation between the two; convergent when it has a
convergence cue, a denied or minimised divergence, a cooperative relation between them,
both acting with the same polarity on one target, or both as coordinated subjects; a
contrast marker between them ("while ... does not") is divergent. A claim naming fewer
than both is convergent only when it denies divergence outright ("These aims do not
diverge"); otherwise neutral.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..extensions import register_extensions
from .base import Component, Serialisable
from .modality import Modality
from .relations import polarity_tables
from .syntax import (
    DEPS,
    covered,
    first_conjunct,
    indexes_with,
    tokens_within,
    word_ids,
)

SUBJECTS = DEPS["subject"]
CLIMB = DEPS["event_climb"]


@dataclass
class Cues:
    """A claim's stance cue words, sorted by what they say."""

    real_div: list[Token] = field(default_factory=list)
    soft_div: list[Token] = field(default_factory=list)
    conv: list[Token] = field(default_factory=list)
    denied_conv: list[Token] = field(default_factory=list)
    contrast: list[Token] = field(default_factory=list)


# Every rule that gives a claim a convergent or divergent label, in the order they are
# tried; the record names the one that fired (``stance.rule``), neutral has none.
RULES: dict[str, str] = {
    "divergence_cue": "a divergence word, asserted (not negated, minimised or backgrounded)",
    "hostile_relation": "a hostile relation between the two focal actors",
    "convergence_cue": "a convergence word, asserted",
    "denied_divergence": "a divergence word negated or minimised ('do not diverge')",
    "cooperative_relation": "a cooperative relation between the two focal actors",
    "shared_target": "both focal actors act on one target with the same polarity",
    "denied_convergence": "a convergence word denied locally ('far from an alliance')",
    "coordinated_subjects": "both focal actors in one subject group ('Russia and Iran view')",
    "contrast": "a contrast mark between them ('while ... does not')",
    "relationship_divergence": "a divergence word on the pair's relationship ('the rivalry')",
    "relationship_convergence": "a convergence word on the pair's relationship",
    "hostile_event": "a hostile (or denied cooperative) event word between them",
    "cooperative_event": "a cooperative event word between them",
}


@dataclass(frozen=True)
class Decision:
    """A claim's stance label, the rule of ``RULES`` that fired (None: neutral), its cues."""

    label: str
    rule: str | None
    cues: list[Token]


NEUTRAL = Decision("neutral", None, [])


def focal_ends(relation: dict, focal: set[str], keys_of: dict) -> set[str]:
    """The focal actors a relation's two ends count for (a person through its state)."""
    ends = keys_of.get(relation["source"], set()) | keys_of.get(relation["target"], set())
    return ends & focal


def shared_target(relations: list[dict], focal: set[str], keys_of: dict) -> bool:
    """Both focal actors act on the same target with the same polarity."""
    by_target: dict[tuple[str, str], set[str]] = {}
    for r in relations:
        for source in keys_of.get(r["source"], set()) & focal:
            by_target.setdefault((r["target"], r["polarity"]), set()).add(source)
    return any(sources == focal for sources in by_target.values())


def cue_token(claim: Span, relation: dict) -> Token:
    """The first token of a relation's cue."""
    return claim.doc.char_span(*relation["cue"], alignment_mode="expand")[0]


class StanceTagger(Serialisable, Component):
    """Set ``_.stance`` and ``_.stance_cues`` on each claim."""

    score_fields = ("stance",)

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        lexicon: str | None = None,
        relation_lexicon: str | None = None,
        verb_lexicon: str | None = None,
        modality_lexicon: str | None = None,
    ) -> None:
        register_extensions()
        self.name = name
        self.modality = Modality(modality_lexicon, self.lexicon)
        lex = {k: set(v) for k, v in self.lexicon("stance", lexicon).items()}
        self.lex = lex
        self.gazetteer = self.pipeline_gazetteer()
        self.verb_polarity, self.noun_polarity = polarity_tables(
            relation_lexicon, verb_lexicon, self.lexicon
        )
        self.event_ids = word_ids(nlp.vocab, set(self.verb_polarity) | set(self.noun_polarity))
        cue_sets = ("divisive", "divergence", "convergence", "contrast_marks")
        cue_words = set().union(*(lex[k] for k in cue_sets), lex["hostile_verbs_for_negation"])
        self.cue_ids = word_ids(nlp.vocab, cue_words)

    # -- cues -------------------------------------------------------------------------------

    def minimised(self, token: Token) -> bool:
        """'Minor divergences', 'managing these differences', 'will only materialize'."""
        lex = self.lex
        if any(c.lower_ in lex["minimisers"] for c in token.children):
            return True
        head = token.head
        if head.lemma_ in lex["minimisers"] and token.dep_ in {"dobj", "pobj"}:
            return True
        return self.modality.restricted(token)

    def about_others(self, token: Token, focal_tokens: set[int], index) -> bool:
        """A divergence noun tied to non-focal parties only ("tensions with Saudi Arabia")."""
        partners = [
            obj
            for prep in token.children
            if prep.dep_ == "prep" and prep.lower_ in {"with", "between"}
            for obj in prep.children
            if obj.dep_ == "pobj"
        ]
        if not partners:
            return False
        return not any(t.i in focal_tokens for obj in partners for t in [obj, *obj.conjuncts])

    # -- decision ---------------------------------------------------------------------------

    def process(self, doc: Doc) -> Doc:
        focal = set(doc._.focal or [])
        gaz = self.gazetteer.with_local(doc._.local_actors)
        keys_of = {span.kb_id_: gaz.focal_keys(span.kb_id_) for span in doc.spans.get("actors", [])}
        state_of: dict[int, set[str]] = {}
        for span in doc.spans.get("actors", []):
            for i in range(span.start, span.end):
                state_of.setdefault(i, set()).update(keys_of[span.kb_id_])
        places = {span.start: span.kb_id_ for span in doc.spans.get("regions", [])}
        named = covered(doc.spans.get("mentions", []))
        cue_indexes = indexes_with(doc, self.cue_ids, "LOWER", "LEMMA")
        event_indexes = indexes_with(doc, self.event_ids, "LOWER", "LEMMA")
        for claim in doc.spans.get("claims", []):
            candidates = [t for t in tokens_within(claim, cue_indexes) if t.i not in named]
            located = {places[i] for i in range(claim.start, claim.end) if i in places}
            events = [t for t in tokens_within(claim, event_indexes) if t.i not in named]
            decision = self.decide(claim, focal, state_of, candidates, keys_of)
            if decision.label == "neutral":
                decision = self.from_events(claim, focal, state_of, located, events)
            claim._.stance = decision.label
            claim._.stance_rule = decision.rule
            claim._.stance_cues = [[c.idx, c.idx + len(c)] for c in decision.cues]
        return doc

    def collect(self, claim: Span, candidates: list[Token], focal_tokens, state_of) -> Cues:
        """Sort the claim's cue words: divergence asserted or softened (negated, minimised),
        convergence asserted or denied, contrast marks."""
        lex, mod, cues = self.lex, self.modality, Cues()
        denied = mod.denied_from(claim) if candidates else claim.end
        for token in candidates:
            word, lemma = token.lower_, token.lemma_
            negated = mod.negated(token, claim, denied)
            if word in lex["divisive"] or lemma in lex["divisive"]:
                if negated and word != "drive":
                    cues.soft_div.append(token)
                continue
            if word in lex["divergence"] or lemma in lex["divergence"]:
                if negated or self.minimised(token):
                    cues.soft_div.append(token)
                elif not self.modality.backgrounded(token, claim) and not self.about_others(
                    token, focal_tokens, state_of
                ):
                    cues.real_div.append(token)
            elif word in lex["convergence"] or lemma in lex["convergence"]:
                if not negated:
                    cues.conv.append(token)
                elif self.modality.locally_denied(token) and not self.modality.backgrounded(
                    token, claim
                ):
                    cues.denied_conv.append(token)  # "far from an alliance", "will not reconcile"
            if word in lex["contrast_marks"]:
                cues.contrast.append(token)
            if lemma in lex["hostile_verbs_for_negation"] and negated:
                cues.soft_div.append(token)
        return cues

    def decide(
        self, claim: Span, focal: set[str], state_of, candidates: list[Token], keys_of: dict
    ) -> Decision:
        """The claim's stance, the rule that gave it and its cues; ``candidates`` are the
        claim's tokens whose word or lemma is in a stance lexicon (no other token can be a
        cue); ``keys_of`` maps the document's actor IDs to what they count as for the pair."""
        actor_states = {i: state_of[i] for i in range(claim.start, claim.end) if i in state_of}
        present = set().union(*actor_states.values()) & focal
        focal_tokens = {i for i, states in actor_states.items() if states & focal}
        cues = self.collect(claim, candidates, focal_tokens, state_of)
        if len(focal) == 2 and not present:
            return self.about_the_relationship(claim, cues)
        if len(focal) < 2 or len(present) < 2:
            return NEUTRAL
        softened = {t.idx for t in cues.soft_div}
        relations = [
            r
            for r in claim._.relations or []
            if r["cue"][0] not in softened
            and not self.modality.backgrounded(cue_token(claim, r), claim)
        ]
        return self.between_pair(claim, focal, cues, relations, keys_of, actor_states)

    def between_pair(
        self, claim: Span, focal: set[str], cues: Cues, relations: list[dict], keys_of, states
    ) -> Decision:
        """A claim naming both focal actors: the first rule of ``RULES`` order that fires."""
        between = [r for r in relations if focal_ends(r, focal, keys_of) == focal]
        hostile = [r for r in between if r["polarity"] == "hostile"]
        if cues.real_div:
            return Decision("divergent", "divergence_cue", cues.real_div)
        if hostile:
            return Decision("divergent", "hostile_relation", [cue_token(claim, hostile[0])])
        if cues.conv:
            return Decision("convergent", "convergence_cue", cues.conv + cues.soft_div)
        if cues.soft_div:
            return Decision("convergent", "denied_divergence", cues.soft_div)
        if between:
            return Decision("convergent", "cooperative_relation", [])
        if shared_target(relations, focal, keys_of):
            return Decision("convergent", "shared_target", [])
        if cues.denied_conv:
            return Decision("divergent", "denied_convergence", cues.denied_conv)
        if self.coordinated_subjects(claim, focal, states):
            return Decision("convergent", "coordinated_subjects", [])
        if cues.contrast:
            return Decision("divergent", "contrast", cues.contrast)
        return NEUTRAL

    def about_the_relationship(self, claim: Span, cues: Cues) -> Decision:
        """A claim naming no focal actor: it can deny divergence or convergence outright
        ("These aims do not diverge"), and a definite description of the pair's relationship
        carries its cues like "these aims" (G3.5, G5.5): "Yet the partnership is
        increasingly lopsided", "the détente is a marriage of convenience"."""
        if not cues.real_div and not cues.conv:
            if cues.soft_div:
                return Decision("convergent", "denied_divergence", cues.soft_div)
            if cues.denied_conv:
                return Decision("divergent", "denied_convergence", cues.denied_conv)
            return NEUTRAL
        if not any(self.names_relationship(t) for t in claim):
            return NEUTRAL
        if cues.real_div:
            return Decision("divergent", "relationship_divergence", cues.real_div)
        return Decision("convergent", "relationship_convergence", cues.conv)

    def names_relationship(self, token: Token) -> bool:
        """ "the partnership", "their relationship", "this rivalry": a definite description
        of a relationship that names no one else."""
        if token.lower_ not in self.lex["relationship_nouns"]:
            return False
        definite = any(c.dep_ in {"det", "poss"} and c.lower_ in {"the", "this", "their"}
                       for c in token.children)  # fmt: skip
        named = any(c.dep_ == "prep" and c.lower_ in {"with", "between"} for c in token.children)
        return definite and not named

    def from_events(
        self, claim: Span, focal: set[str], state_of, located: set[str], events: list[Token]
    ) -> Decision:
        """A claim naming both focal actors (one may be named as a place: "strikes in
        Pakistan") whose only alignment content is an event word of the relation lexicon,
        possible or not ("A renewed Israeli air campaign is likely if Hezbollah rearms"):
        a hostile event is divergent, a cooperative one convergent, a denied cooperative
        one divergent. Events in concessive clauses are background."""
        present = set().union(*[state_of.get(i, set()) for i in range(claim.start, claim.end)])
        if len(focal) < 2 or len((present | located) & focal) < 2:
            return NEUTRAL
        hostile, cooperative = [], []
        denied = self.modality.denied_from(claim) if events else claim.end
        for token in events:
            polarity = self.event_polarity(token)
            if polarity is None or self.modality.backgrounded(token, claim):
                continue
            agents = self.agent_keys(token, state_of)
            if agents is not None and (
                not agents & focal or ((present | located) & focal) <= agents
            ):
                continue  # a third party's act, or both focal actors acting side by side
            negated = self.modality.negated(token, claim, denied)
            if polarity == "hostile" and not negated:
                hostile.append(token)
            elif polarity == "cooperative":
                (hostile if negated else cooperative).append(token)
        if hostile:
            return Decision("divergent", "hostile_event", hostile[:1])
        if cooperative and len(present & focal) == 2:
            return Decision("convergent", "cooperative_event", cooperative[:1])
        return NEUTRAL

    def agent_keys(self, token: Token, state_of) -> set[str] | None:
        """Focal keys of whoever performs an event: the subject of its verb (a noun's
        governing verb), or the actors in a noun's own modifiers ("Israeli strikes");
        None when no actor is found there."""
        verb = token
        if token.pos_ == "NOUN":
            own = {k for c in token.lefts for t in c.subtree for k in state_of.get(t.i, ())}
            if own:
                return own
            verb = token.head
        while not any(c.dep_ in SUBJECTS for c in verb.children) and verb.dep_ in CLIMB:
            verb = verb.head  # "seeks to drive a wedge": the seeker
        subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
        keys = {k for s in subjects for t in s.subtree for k in state_of.get(t.i, ())}
        return keys or None

    def event_polarity(self, token: Token) -> str | None:
        if token.pos_ in {"VERB", "AUX"}:
            return self.verb_polarity.get(token.lemma_) or self.verb_polarity.get(token.lower_)
        if token.pos_ == "NOUN":
            return self.noun_polarity.get(token.lower_) or self.noun_polarity.get(token.lemma_)
        return None

    def coordinated_subjects(self, claim: Span, focal: set[str], actor_states) -> bool:
        """Both focal actors in one subject group ("Russia and Iran view ...", "Both countries");
        ``actor_states`` maps the claim's actor token indexes to their home states."""
        groups: dict[int, set[str]] = {}
        for i, found in sorted(actor_states.items()):
            token = claim.doc[i]
            states = found & focal
            if states and token.lower_ not in self.lex["distributive"]:
                top = first_conjunct(token)
                while (
                    top.dep_ not in SUBJECTS
                    and top.head is not top
                    and top.dep_ in {"compound", "det", "nummod", "amod", "poss"}
                ):
                    top = top.head
                if top.dep_ in SUBJECTS:
                    groups.setdefault(top.i, set()).update(states)
        return any(states == focal for states in groups.values())


@Language.factory(
    "claims_stance",
    assigns=["span._.stance", "span._.stance_rule", "span._.stance_cues"],
    requires=["doc.spans", "doc._.focal", "doc._.local_actors", "span._.relations"],
    default_config={
        "lexicon": None,
        "relation_lexicon": None,
        "verb_lexicon": None,
        "modality_lexicon": None,
    },
)
def make_stance(
    nlp: Language,
    name: str,
    lexicon: str | None,
    relation_lexicon: str | None,
    verb_lexicon: str | None,
    modality_lexicon: str | None,
) -> StanceTagger:
    """Factory: ``lexicon`` is a JSON file like stance.json; the event words come from the
    relation lexicons (relations.json, cameo_verbs.json) unless others are given."""
    return StanceTagger(
        nlp,
        name,
        lexicon=lexicon,
        relation_lexicon=relation_lexicon,
        verb_lexicon=verb_lexicon,
        modality_lexicon=modality_lexicon,
    )
