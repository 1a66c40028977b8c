"""Gazetteer matching: every surface form of an actor, region or event in the text.

Matches are case-sensitive phrase matches over the generated gazetteer, except actor names,
which match in any case their capitals allow ("Vladimir PUTIN"); overlapping matches
keep the longest, and a span matched under several roles keeps the highest-priority role.
Large-city names count only as proper nouns that the NER does not tag PERSON, and demonyms
inside a person's title ("Russian President Vladimir Putin") are dropped. Named entities
the gazetteer cannot link go to ``doc.spans["candidates"]`` for a reviewer.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..extensions import register_extensions
from ..gazetteer.store import pattern_key
from .base import Component, GazetteerHolder
from .syntax import covered

PLACE_LABELS = {"GPE", "LOC", "FAC"}


class MentionMatcher(GazetteerHolder, Component):
    """Write gazetteer matches to ``doc.spans["mentions"]`` and NER leftovers to candidates;
    the pipeline's gazetteer lives here (``base.GazetteerHolder``)."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("mentions", lexicon)
        self.priority = {role: i for i, role in enumerate(lex["role_priority"])}
        self.titles = set(lex["title_words"])
        self.candidate_labels = set(lex["candidate_labels"])
        self.place_prepositions = set(lex["place_prepositions"])
        self.name_labels = set(lex["name_labels"])
        gazetteer = self.gazetteer = self.pipeline_gazetteer()
        self.matcher = gazetteer.indexes.exact  # store.PhraseTable, read from the binary
        self.folded = gazetteer.indexes.folded
        self.entries = gazetteer.patterns  # a match's key is the number of its entry

    def process(self, doc: Doc) -> Doc:
        found: dict[tuple[int, int], tuple[int, int]] = {}
        matches = self.matcher(doc) + [
            m for m in self.folded(doc) if self.cased_like(doc, m, self.entries[m[0]])
        ]
        for key, start, end in matches:
            entry = self.entries[key]
            role = entry["role"]
            rank = self.priority[role]
            if not self.keep(doc, start, end, role, entry):
                continue
            if (start, end) not in found or rank < found[(start, end)][0]:
                found[(start, end)] = (rank, key)
        spans = []
        for (start, end), (_, key) in found.items():
            entry = self.entries[key]
            ids, span_id = " ".join(entry["ids"]), pattern_key(entry)
            spans.append(Span(doc, start, end, label=entry["role"], kb_id=ids, span_id=span_id))
        mentions = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            entry = self.entries[found[(span.start, span.end)][1]]
            span._.role = entry["role"]
            span._.resolved_by = entry["how"]
            span._.place = entry.get("place")
            mentions.append(span)
        doc.spans["mentions"] = mentions
        taken = covered(mentions)
        doc.spans["candidates"] = [
            ent
            for ent in doc.ents
            if ent.label_ in self.candidate_labels and not taken & set(range(ent.start, ent.end))
        ]
        return doc

    @staticmethod
    def cased_like(doc: Doc, match: tuple[int, int, int], entry: dict) -> bool:
        """An actor name matched on lower-case forms counts where every word the name
        capitalises starts with a capital in the text too ("Vladimir PUTIN", "al-ASAD",
        "The West" all count; "the west of the country" does not). A one-word name marked
        ``proper`` (a surname) must also be a proper noun there."""
        _, start, end = match
        for word, token in zip(entry["tokens"], doc[start:end], strict=False):
            if word[:1].isupper() and not token.text[:1].isupper():
                return False
        return not entry.get("proper") or doc[start].pos_ == "PROPN"

    def place_like(self, tokens: Span) -> bool:
        """Read as a place by the NER, or the object of a place preposition ("around
        Kherson")."""
        if all(t.ent_type_ in PLACE_LABELS for t in tokens):
            return True
        head = tokens.root
        return head.dep_ == "pobj" and head.head.lower_ in self.place_prepositions

    def keep(self, doc: Doc, start: int, end: int, role: str, entry: dict) -> bool:
        """Drop city names that are not proper nouns (a smaller city's name must also be a
        place to the NER) and demonyms inside a person's title."""
        if role == "city":
            tokens = doc[start:end]
            if entry.get("minor") and not self.place_like(tokens):
                return False
            return all(t.pos_ == "PROPN" and t.ent_type_ != "PERSON" for t in tokens)
        if role == "demonym" and self.inside_name(doc, start, end):
            return False  # "the Syrian National Coalition", "the Soviet Red Army" (G3.4)
        if role == "demonym" and end < len(doc):
            return doc[end].lower_ not in self.titles
        return True

    def inside_name(self, doc: Doc, start: int, end: int) -> bool:
        """A demonym that opens a longer name the NER found (an organisation, a facility, an
        event, a law): part of that name, not a mention of its own."""
        token = doc[start]
        if token.ent_type_ not in self.name_labels:
            return False
        return end < len(doc) and doc[end].ent_iob_ == "I" and doc[end].text[:1].isupper()


@Language.factory(
    "claims_mentions",
    assigns=["doc.spans", "span._.role", "span._.resolved_by", "span._.place"],
    requires=["token.pos", "doc.ents"],
    default_config={"lexicon": None},
)
def make_mentions(nlp: Language, name: str, lexicon: str | None) -> MentionMatcher:
    """Factory: ``lexicon`` is a JSON file like mentions.json (None: the bundled one)."""
    return MentionMatcher(nlp, name, lexicon=lexicon)
