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
from ..gazetteer import DATA, cached, load_gazetteer
from .base import Component, Serialisable
from .lexicon import load_lexicon
from .syntax import covered

PLACE_LABELS = {"GPE", "LOC", "FAC"}


class PhraseIndex:
    """Exact token-sequence lookup keyed on string-store IDs, case-sensitive (ORTH) or on
    lower-case forms (LOWER).

    It does what a ``PhraseMatcher(attr="ORTH")`` does for the gazetteer, but is built from
    word lists: a PhraseMatcher needs a ``Doc`` per pattern, and creating a ``Lexeme`` for
    each of the ~9,000 pattern words cost about 0.2 s at every start. Matching reads the
    ORTH column once and looks up each token's ID.
    """

    def __init__(self, vocab, attr: str = "ORTH") -> None:
        self.strings = vocab.strings
        self.attr = attr
        self.by_first: dict[int, dict[tuple[int, ...], list[str]]] = {}

    def add(self, key: str, words: list[str]) -> None:
        if self.attr == "LOWER":
            words = [word.lower() for word in words]
        ids = tuple(self.strings.add(word) for word in words)
        keys = self.by_first.setdefault(ids[0], {}).setdefault(ids, [])
        if key not in keys:
            keys.append(key)

    def dump(self) -> list:
        """The index as plain lists: [[word IDs, keys], ...]."""
        return [
            [list(ids), keys] for table in self.by_first.values() for ids, keys in table.items()
        ]

    def load(self, rows: list) -> None:
        """Fill the index from :meth:`dump` rows (word IDs are string hashes, so they hold
        for any vocabulary)."""
        for ids, keys in rows:
            ids = tuple(ids)
            self.by_first.setdefault(ids[0], {})[ids] = list(keys)

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        """(key, start, end) of every match, overlapping ones included."""
        if not len(doc):
            return []
        orths = doc.to_array(self.attr).tolist()
        found = []
        for start, first in enumerate(orths):
            for ids, keys in self.by_first.get(first, {}).items():
                end = start + len(ids)
                if tuple(orths[start:end]) == ids:
                    found.extend((key, start, end) for key in keys)
        return found


def pattern_key(pattern: dict) -> str:
    place = pattern.get("place") or ""
    return f"{pattern['role']}|{' '.join(pattern['ids'])}|{pattern['how']}|{place}"


def build_indexes(patterns: list[dict]) -> dict[str, list]:
    """The two phrase indexes over the gazetteer's patterns, as plain lists (what the
    cache stores): actor names by lower-case form, everything else by exact form."""
    from spacy.vocab import Vocab

    orth, lower = PhraseIndex(Vocab()), PhraseIndex(Vocab(), attr="LOWER")
    for pattern in patterns:
        key = pattern_key(pattern)
        forms = [pattern["tokens"]]
        if pattern["role"] == "demonym" and (form := plural(pattern["text"])):
            forms.append([*pattern["tokens"][:-1], plural(pattern["tokens"][-1]) or form])
        index = lower if pattern["role"] == "actor" else orth
        for words in forms:
            index.add(key, words)
    return {"orth": orth.dump(), "lower": lower.dump()}


def plural(demonym: str) -> str | None:
    """'Iranian' -> 'Iranians', 'Iraqi' -> 'Iraqis'; None where English has no -s plural."""
    return demonym + "s" if demonym[-1:] in {"n", "i"} else None


class MentionMatcher(Serialisable, Component):
    """Write gazetteer matches to ``doc.spans["mentions"]`` and NER leftovers to candidates."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = load_lexicon("mentions", lexicon)
        self.priority = {role: i for i, role in enumerate(lex["role_priority"])}
        self.titles = set(lex["title_words"])
        self.candidate_labels = set(lex["candidate_labels"])
        self.place_prepositions = set(lex["place_prepositions"])
        self.name_labels = set(lex["name_labels"])
        self.matcher = PhraseIndex(nlp.vocab)
        self.folded = PhraseIndex(nlp.vocab, attr="LOWER")
        gazetteer = load_gazetteer()
        self.entries = {pattern_key(p): p for p in gazetteer.patterns}
        tables = cached(DATA, "index", lambda: build_indexes(gazetteer.patterns))
        self.matcher.load(tables["orth"])
        self.folded.load(tables["lower"])

    def process(self, doc: Doc) -> Doc:
        found: dict[tuple[int, int], tuple[int, str]] = {}
        matches = self.matcher(doc) + [
            m for m in self.folded(doc) if self.cased_like(doc, m, self.entries[m[0]])
        ]
        for key, start, end in matches:
            role = self.entries[key]["role"]
            rank = self.priority[role]
            if not self.keep(doc, start, end, role, self.entries[key]):
                continue
            if (start, end) not in found or rank < found[(start, end)][0]:
                found[(start, end)] = (rank, key)
        spans = []
        for (start, end), (_, key) in found.items():
            entry = self.entries[key]
            ids = " ".join(entry["ids"])
            spans.append(Span(doc, start, end, label=entry["role"], kb_id=ids, span_id=key))
        mentions = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            entry = self.entries[span.id_]
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
    def cased_like(doc: Doc, match: tuple[str, int, int], entry: dict) -> bool:
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
