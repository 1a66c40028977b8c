"""Repair of broken parses around ambiguous verbs ("Russia and Iran back Armenia").

The small model often reads a verb that is also a noun or particle (back, arm, court,
pressure, target) as something else when its subject is a proper noun, leaving a sentence
with no verb or with an actor name as the root. For such a sentence only, the ambiguous
word is replaced by an unambiguous synonym ("support"), the sentence is re-tagged and
re-parsed by the same model, and the new analysis is kept when the substitute comes out
as the root verb with a subject; the original words and lemmas stay.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import register_extensions
from .base import Component
from .lexicon import load_lexicon
from .syntax import indexes_with, word_ids


class VerbRepair(Component):
    """Re-parse sentences whose only verb reading was missed by the tagger."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        self.nlp = nlp
        lex = load_lexicon("repair", lexicon)
        self.substitutes: dict[str, str] = lex["substitutes"]
        self.lemmas: dict[str, str] = lex["lemmas"]
        self.model_pipes = set(lex["model_pipes"])
        self.keys = word_ids(nlp.vocab, self.substitutes)

    def broken(self, sent: Span) -> bool:
        """No verb at all, or a capitalised name standing as the root verb."""
        root = sent.root
        if not any(t.pos_ in {"VERB", "AUX"} for t in sent):
            return True
        return root.pos_ == "VERB" and root.text[:1].isupper() and root.i > sent.start

    def process(self, doc: Doc) -> Doc:
        hits: dict[int, tuple[Span, set[int]]] = {}  # sentence start -> (sentence, hits)
        for i in indexes_with(doc, self.keys, "LOWER"):  # usually none: nothing to repair
            token = doc[i]
            if token.pos_ != "VERB":
                sent = token.sent
                hits.setdefault(sent.start, (sent, set()))[1].add(i)
        for sent, swapped in hits.values():
            if self.broken(sent):
                self.reparse(doc, sent, swapped)
        return doc

    def reparse(self, doc: Doc, sent: Span, swapped: set[int]) -> None:
        words = [self.substitutes[t.lower_] if t.i in swapped else t.text for t in sent]
        spaces = [bool(t.whitespace_) for t in sent]
        alt = Doc(doc.vocab, words=words, spaces=spaces)
        for name, proc in self.nlp.pipeline:
            if name in self.model_pipes:
                alt = proc(alt)
        roots = [t for t in alt if t.dep_ == "ROOT"]
        if len(roots) != 1 or roots[0].i + sent.start not in swapped:
            return
        if not any(c.dep_ in {"nsubj", "nsubjpass"} for c in roots[0].children):
            return
        for new in alt:
            old = doc[sent.start + new.i]
            old.tag_, old.pos_, old.dep_ = new.tag_, new.pos_, new.dep_
            old.lemma_ = self.lemmas.get(old.lower_, old.lower_) if old.i in swapped else new.lemma_
            old.head = doc[sent.start + new.head.i]


@Language.factory(
    "claims_verb_repair",
    assigns=["token.tag", "token.pos", "token.dep", "token.head", "token.lemma"],
    requires=["token.dep", "token.pos"],
    default_config={"lexicon": None},
)
def make_verb_repair(nlp: Language, name: str, lexicon: str | None) -> VerbRepair:
    """Factory: ``lexicon`` is a JSON file like repair.json (None: the bundled one)."""
    return VerbRepair(nlp, name, lexicon=lexicon)
