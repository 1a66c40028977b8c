"""Actors: gazetteer mentions not used as places, plus coreference.

Names, aliases, demonyms and seats of government resolve through the gazetteer (see
``mentions.py``); a mention that ``regions.py`` read as a location is not an actor (the
focal pair is detected from these by ``focal.py``, which runs before). Then coreference:
"both countries", "the two states", "each", "they", "their" resolve to the latest
coordinated group of actors before them in the sentence, else to the latest group that
was a subject in the previous sentences, else (for explicit phrases like "both
countries") to the focal pair; "its" to the singular subject of its clause or the nearest
actor before it; "he"/"his" to the nearest person.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..extensions import register_extensions
from ..ids import actor_type
from .base import Component, Serialisable
from .syntax import DEPS, first_conjunct, indexes_with, mention_head, word_ids

ACTOR_ROLES = {"state", "seat", "actor", "demonym"}
SUBJECT_DEPS = DEPS["subject"]


def named_actors(doc: Doc) -> list[Span]:
    """One actor span per ID of every gazetteer mention that names an actor (a state, seat,
    demonym or other actor) and that the regions component did not read as a place."""
    places = {(s.start, s.end) for s in doc.spans.get("regions", [])}
    actors = []
    for mention in doc.spans.get("mentions", []):
        if mention._.role not in ACTOR_ROLES or (mention.start, mention.end) in places:
            continue
        for actor_id in mention.kb_id_.split():
            span = Span(doc, mention.start, mention.end, label="actor", kb_id=actor_id)
            span._.resolved_by = mention._.resolved_by
            actors.append(span)
    return actors


class ActorTagger(Serialisable, Component):
    """Write actor mentions (one span per ID) to ``doc.spans["actors"]``."""

    score_fields = ("actors",)

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("actors", lexicon)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.phrases.add("plural", list(nlp.tokenizer.pipe(lex["plural_phrases"])))
        self.groups_of = Matcher(nlp.vocab)  # "the two leaders", "both OPEC+ members"
        heads = {"LOWER": {"IN": lex["plural_heads"]}}
        for det in ("the two", "both", "the parties"):
            words = [{"LOWER": w} for w in det.split()]
            if det == "the parties":
                self.groups_of.add("plural", [words])
                continue
            modifiers = {"POS": {"IN": ["ADJ", "PROPN", "PUNCT", "NOUN"]}, "OP": "{0,2}"}
            self.groups_of.add("plural", [[*words, modifiers, heads]])
        self.plural = set(lex["plural_pronouns"])
        self.distributive = set(lex["distributive"])
        self.singular = set(lex["singular_pronouns"])
        self.person = set(lex["person_pronouns"])
        self.lookback = lex["lookback_sentences"]
        self.typed = lex["typed_nouns"]
        self.typed_determiners = set(lex["typed_determiners"])
        self.locative_preps = set(lex["locative_prepositions"])
        trigger_words = self.plural | self.distributive | self.singular | self.person
        trigger_words |= set(self.typed)
        self.trigger_ids = word_ids(nlp.vocab, trigger_words)

    def process(self, doc: Doc) -> Doc:
        actors = named_actors(doc)
        actors.extend(self.coreference(doc, actors))  # falls back on the focal pair
        doc.spans["actors"] = sorted(actors, key=lambda s: (s.start, s.kb_id_))
        return doc

    # -- coreference -----------------------------------------------------------------------

    def groups(self, named: list[Span]) -> list[tuple[Token, list[Span]]]:
        """Coordinated groups: (first conjunct token, member mentions) with 2+ distinct IDs."""
        by_head: dict[int, tuple[Token, list[Span]]] = {}
        for span in named:
            top = first_conjunct(mention_head(span))
            by_head.setdefault(top.i, (top, []))[1].append(span)
        return [
            (top, members)
            for top, members in sorted(by_head.values(), key=lambda g: g[0].i)
            if len({m.kb_id_ for m in members}) >= 2
        ]

    def triggers(self, doc: Doc) -> list[tuple[Span, str]]:
        """Coreferring expressions with their kind: plural, distributive, singular, person."""
        spans = [doc[s:e] for _, s, e in self.phrases(doc)]
        spans += [doc[s:e] for _, s, e in self.groups_of(doc)]
        found = [(span, "plural") for span in filter_spans(spans)]
        taken = {i for span, _ in found for i in range(span.start, span.end)}
        for i in indexes_with(doc, self.trigger_ids, "LOWER"):
            token = doc[i]
            if i in taken:
                continue
            word = token.lower_
            if word in self.plural:
                found.append((doc[token.i : token.i + 1], "pronoun"))
            elif word in self.distributive and token.dep_ in SUBJECT_DEPS | {"dobj", "pobj"}:
                found.append((doc[token.i : token.i + 1], "plural"))
            elif word in self.singular and self.referential(token):
                found.append((doc[token.i : token.i + 1], "singular"))
            elif word in self.person:
                found.append((doc[token.i : token.i + 1], "person"))
            elif word in self.typed and self.definite(token) and not self.locative(token):
                found.append((doc[token.i : token.i + 1], self.typed[word]))
        return sorted(found, key=lambda f: f[0].start)

    def locative(self, token: Token) -> bool:
        """ "across the country", "in the kingdom": a place, not a party."""
        return token.dep_ == "pobj" and token.head.lower_ in self.locative_preps

    def definite(self, token: Token) -> bool:
        """ "the group", "the Iran-backed group", "this country": a definite description
        that names no one itself (not "the group of X", "the Wagner Group")."""
        dets = [c for c in token.children if c.dep_ == "det"]
        if not dets or dets[0].lower_ not in self.typed_determiners or token.pos_ == "PROPN":
            return False
        return not any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children)

    def referential(self, token: Token) -> bool:
        """'its' always refers; 'it' only as an argument, not as the dummy subject of
        'it is ...', 'it seems ...' or a clause-taking verb."""
        if token.lower_ != "it":
            return True
        if token.dep_ not in DEPS["participant"]:
            return False
        head = token.head
        return head.lemma_ not in {"be", "seem", "appear"} and not any(
            c.dep_ in {"ccomp", "csubj"} for c in head.children
        )

    def coreference(self, doc: Doc, named: list[Span]) -> list[Span]:
        starts = [sent.start for sent in doc.sents]

        def sentence_of(i: int) -> int:
            return bisect_right(starts, i) - 1

        by_sentence: dict[int, list[Span]] = {}
        for span in named:
            by_sentence.setdefault(sentence_of(span.start), []).append(span)
        out = []
        for trigger, kind in self.triggers(doc):
            here = sentence_of(trigger.start)
            if kind in {"plural", "pronoun"}:
                ids = self.resolve_plural(doc, trigger, kind, here, by_sentence)
            elif kind == "singular":
                ids = self.resolve_singular(trigger, by_sentence.get(here, []))
            elif kind == "person":
                ids = self.resolve_person(trigger, here, by_sentence)
            else:
                ids = self.resolve_typed(trigger, kind, here, by_sentence)
            for actor_id in ids:
                span = Span(doc, trigger.start, trigger.end, label="actor", kb_id=actor_id)
                span._.resolved_by = "coreference"
                out.append(span)
        return out

    def resolve_plural(self, doc, trigger, kind, here, by_sentence) -> list[str]:
        """The latest coordinated group before the trigger, else a recent subject group."""
        before = [m for m in by_sentence.get(here, []) if m.end <= trigger.start]
        groups = self.groups(before)
        if groups:
            return sorted({m.kb_id_ for m in groups[-1][1]})
        for back in range(1, self.lookback + 1):
            for top, members in reversed(self.groups(by_sentence.get(here - back, []))):
                if top.dep_ in SUBJECT_DEPS:
                    return sorted({m.kb_id_ for m in members})
        previous = self.groups(by_sentence.get(here - 1, []))
        if previous:
            return sorted({m.kb_id_ for m in previous[-1][1]})
        if kind == "plural" and doc._.focal:
            return list(doc._.focal)
        return []

    def resolve_singular(self, trigger: Span, here: list[Span]) -> list[str]:
        """The singular actor subject of the trigger's clause, else the nearest actor before."""
        token = trigger.root
        for ancestor in token.ancestors:
            if ancestor.pos_ not in {"VERB", "AUX"}:
                continue
            subjects = [c for c in ancestor.children if c.dep_ in SUBJECT_DEPS]
            for subject in subjects:
                if token in subject.subtree:
                    continue
                ids = {m.kb_id_ for m in here if mention_head(m) == subject}
                if len(ids) == 1 and not any(c.dep_ == "conj" for c in subject.children):
                    return sorted(ids)
            if subjects:
                break
        earlier = [m for m in here if m.end <= trigger.start]
        return [earlier[-1].kb_id_] if earlier else []

    def resolve_typed(self, trigger, kind: str, here, by_sentence) -> list[str]:
        """ "the group" -> the nearest organisation or group before it, "the country" ->
        the nearest state, within the look-back window."""
        own = self.clause_subjects(trigger.root)  # "Russia invaded the country": not Russia
        for back in range(self.lookback + 1):
            found = [
                m
                for m in by_sentence.get(here - back, [])
                if m.end <= trigger.start
                and self.kind_of(m.kb_id_) == kind
                and mention_head(m).i not in own
            ]
            if found:
                return [found[-1].kb_id_]
        return []

    @staticmethod
    def clause_subjects(token: Token) -> set[int]:
        """Token indexes of the subjects of the verbs governing ``token``."""
        return {
            t.i
            for verb in token.ancestors
            for c in verb.children
            if c.dep_ in SUBJECT_DEPS
            for t in c.subtree
        }

    def kind_of(self, actor_id: str) -> str:
        kind = actor_type(actor_id)
        return "organisation" if kind == "group" else kind

    def resolve_person(self, trigger, here, by_sentence) -> list[str]:
        """The nearest person actor before the trigger, in this or the previous sentence."""
        for back in range(2):
            people = [
                m
                for m in by_sentence.get(here - back, [])
                if m.kb_id_.startswith("person:") and m.end <= trigger.start
            ]
            if people:
                return [people[-1].kb_id_]
        return []


@Language.factory(
    "claims_actors",
    assigns=["doc.spans", "span._.resolved_by"],
    requires=["token.dep", "doc.sents", "doc.spans", "doc._.focal"],
    default_config={"lexicon": None},
)
def make_actors(nlp: Language, name: str, lexicon: str | None) -> ActorTagger:
    """Factory: ``lexicon`` is a JSON file like actors.json (None: the bundled one)."""
    return ActorTagger(nlp, name, lexicon=lexicon)
