"""Repair of two kinds of broken parse the small model makes in this genre.

Ambiguous verbs ("Russia and Iran back Armenia"): a verb that is also a noun or particle
(back, arm, court, pressure, target) is often read as something else when its subject is
a proper noun, leaving a sentence with no verb or with an actor name as the root. For such
a sentence only, the ambiguous word is replaced by an unambiguous synonym ("support"), the
sentence is re-tagged and re-parsed by the same model, and the new analysis is kept when
the substitute comes out as the root verb with a subject; the original words and lemmas
stay.

Split sentences ("Turkey | and Iran have long managed ..."): the parser sometimes ends a
sentence inside a line where no sentence-final punctuation is. Such pieces are re-parsed
together as one sentence, and the new analysis is kept when it has a single root.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..extensions import doc_text, register_extensions
from .base import Component, Serialisable
from .syntax import DEPS, covered, indexes_with, word_ids


class VerbRepair(Serialisable, Component):
    """Re-parse sentences whose only verb reading was missed by the tagger."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        self.nlp = nlp
        lex = self.lexicon("repair", lexicon)
        self.substitutes: dict[str, str] = lex["substitutes"]
        self.lemmas: dict[str, str] = lex["lemmas"]
        self.model_pipes = set(lex["model_pipes"])
        self.keys = word_ids(nlp.vocab, self.substitutes)
        self.sentence_ends = set(lex["sentence_ends"])

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
        for start, end in self.split_sentences(doc):
            self.rejoin(doc, doc[start:end])
        return doc

    def split_sentences(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges of consecutive sentences that share a line and are not separated
        by sentence-final punctuation ("U.S." ends one) or by a title, heading, label or
        lead-in topic: one sentence the parser cut."""
        text = doc_text(doc)
        layout = covered(doc.spans.get("non_claims", []))
        joined: list[tuple[int, int]] = []
        previous: tuple[Span, Token] | None = None  # last sentence with words, its last word
        for sent in doc.sents:
            first = next((t for t in sent if not t.is_space), None)
            if first is None:
                continue
            if previous is not None:
                before, last = previous
                gap = text[last.idx + len(last) : first.idx]
                ended = last.text[-1] in self.sentence_ends or last.i in layout
                if not ended and "\n" not in gap:
                    if joined and joined[-1][1] == before.end:
                        joined[-1] = (joined[-1][0], sent.end)
                    else:
                        joined.append((before.start, sent.end))
            last = next(doc[i] for i in range(sent.end - 1, first.i - 1, -1) if not doc[i].is_space)
            previous = (sent, last)
        return joined

    def rejoin(self, doc: Doc, span: Span) -> None:
        """Re-parse ``span`` as one sentence; keep the analysis if it has a single root."""
        starts = [True] + [False] * (len(span) - 1)
        alt = self.analyse(doc, span, [t.text for t in span], starts)
        if sum(t.dep_ == "ROOT" for t in alt) == 1:
            self.copy(doc, span, alt, set())

    def analyse(self, doc: Doc, sent: Span, words: list[str], starts=None) -> Doc:
        """The model's tags and parse of ``words`` in place of ``sent``'s tokens."""
        spaces = [bool(t.whitespace_) for t in sent]
        alt = Doc(doc.vocab, words=words, spaces=spaces, sent_starts=starts)
        for name, proc in self.nlp.pipeline:
            if name in self.model_pipes:
                alt = proc(alt)
        return alt

    def reparse(self, doc: Doc, sent: Span, swapped: set[int]) -> None:
        words = [self.substitutes[t.lower_] if t.i in swapped else t.text for t in sent]
        alt = self.analyse(doc, sent, words)
        roots = [t for t in alt if t.dep_ == "ROOT"]
        if len(roots) != 1 or roots[0].i + sent.start not in swapped:
            return
        if not any(c.dep_ in DEPS["subject"] for c in roots[0].children):
            return
        self.copy(doc, sent, alt, swapped)

    def copy(self, doc: Doc, sent: Span, alt: Doc, swapped: set[int]) -> None:
        """Write ``alt``'s analysis onto ``sent``; swapped words keep their own lemma."""
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
