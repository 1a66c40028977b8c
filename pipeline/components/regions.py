"""Regions: macro-regions, seas, places, events, and state names used as locations.

A state name or seat of government is a region when the parse says it names a location:
the object of a locative preposition ("in", "across", "bases in"), of "from" after a verb
of removal or motion ("expel the U.S. from Iraq", but not "pull Turkey away from the
U.S." or "a proposal from Tehran"), of "to" after a verb of motion or a troop noun, "out
of X", the topic of an initiative or a talk ("initiatives on Syria", "disagree on Syria"),
or a demonym on a place noun ("Syrian territory"). Coordinated mentions follow
their first conjunct. Events named after a state ("the Syrian Civil War") locate the claim
there. Results go to ``doc.spans["regions"]`` with ``kb_id_`` the region ID.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import register_extensions
from ..ids import REGION_RE
from .base import Component, Serialisable
from .syntax import first_conjunct, mention_head

ALWAYS_REGION = {"region", "city", "event"}
AMBIGUOUS = {"state", "seat", "demonym"}


class RegionTagger(Serialisable, Component):
    """Decide which mentions name places; write them to ``doc.spans["regions"]``."""

    score_fields = ("regions",)

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("regions", lexicon)
        self.locative = set(lex["locative_prepositions"])
        self.from_verbs = set(lex["from_location_verbs"])
        self.topic_verbs = set(lex["topic_verbs"])
        self.motion = set(lex["motion_verbs"])
        self.troops = set(lex["troop_nouns"])
        self.topics = set(lex["topic_nouns"])
        self.topic_preps = set(lex["topic_prepositions"])
        self.place_nouns = set(lex["place_nouns"])
        self.visit_verbs = set(lex["visit_verbs"])
        self.targeting = set(lex["targeting_verbs"])
        self.border_nouns = set(lex["border_nouns"])
        self.war_words = set(lex["war_words"])

    def is_location(self, span: Span) -> bool:
        """Whether an ambiguous mention (state, seat, demonym) names a place here."""
        token = first_conjunct(mention_head(span))
        if self.names_war(span):
            return True  # "the Russo-Japanese War", "the Chinese civil war" (G4.2)
        if span._.role == "demonym":
            return token.dep_ in {"amod", "compound"} and token.head.lower_ in self.place_nouns
        if token.dep_ in {"compound", "amod", "poss"} and token.head.lower_ in self.place_nouns:
            return True  # "Syrian territory", "Beirut's airport", "Ukraine's eastern regions"
        if token.dep_ == "dobj" and token.head.lemma_ in self.visit_verbs:
            return True  # "visited Riyadh", "captured Damascus"
        if token.dep_ != "pobj":
            return False
        prep = token.head
        word = prep.lower_
        before = prep.nbor(-1).lower_ if prep.i > 0 else ""
        governor = prep.head
        if word == "at" and governor.lemma_ in self.targeting:
            return False  # "firing rockets at Israel": the target, an actor
        if word in self.locative:
            return True
        if word == "of":  # "out of Syria", "the capital city of Damascus"
            return before == "out" or governor.lemma_ in self.place_nouns
        if word == "with":  # "its border with Armenia"
            return governor.lower_ in self.border_nouns
        if word == "from":
            return before != "away" and governor.lemma_ in self.from_verbs
        if word == "to":
            objects = [c for c in governor.children if c.dep_ == "dobj"]
            nouns = {o.lemma_ for o in objects} | {  # "a limited number of troops"
                g.lemma_
                for o in objects
                for p in o.children
                if p.lower_ == "of"
                for g in p.children
            }
            return governor.lemma_ in self.motion or bool(nouns & self.troops)
        if word in self.topic_preps:
            return governor.lemma_ in self.topics or governor.lemma_ in self.topic_verbs
        return False

    def names_war(self, span: Span) -> bool:
        """A state, demonym or combining form before "War" or "civil war", alone or in a
        hyphenated pair ("the Iran-Iraq War", "the Russo-Japanese War")."""
        doc, end = span.doc, span.end
        while end + 1 < len(doc) and doc[end].text in {"-", "\u2013"}:
            end += 2  # over "-Japanese" to the word after the pair
        return end < len(doc) and doc[end].lower_ in self.war_words

    def process(self, doc: Doc) -> Doc:
        regions = []
        for mention in doc.spans.get("mentions", []):
            role = mention._.role
            if role in ALWAYS_REGION:
                ids = mention.kb_id_.split()
            elif role in AMBIGUOUS and self.is_location(mention):
                if role == "seat":
                    ids = [mention._.place] if mention._.place else []
                else:
                    ids = mention.kb_id_.split()
            else:
                continue
            for region_id in filter(REGION_RE.match, ids):  # a group's demonym is no place
                span = Span(doc, mention.start, mention.end, label="region", kb_id=region_id)
                span._.resolved_by = mention._.resolved_by
                span._.role = role
                regions.append(span)
        doc.spans["regions"] = regions
        return doc


@Language.factory(
    "claims_regions",
    assigns=["doc.spans", "span._.resolved_by", "span._.role"],
    requires=["token.dep", "token.lemma", "doc.spans"],
    default_config={"lexicon": None},
)
def make_regions(nlp: Language, name: str, lexicon: str | None) -> RegionTagger:
    """Factory: ``lexicon`` is a JSON file like regions.json (None: the bundled one)."""
    return RegionTagger(nlp, name, lexicon=lexicon)
