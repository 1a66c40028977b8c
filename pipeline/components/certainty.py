"""Certainty: reported, hedged or asserted, with cue words and the ICD 203 band.

Reported: "reportedly", "according to", or a speech verb ("officials have suggested that")
with a clause complement and a subject other than the author. Hedged: estimative terms of
the ICD 203 scale, epistemic modals (may, might, could), "seems"/"appears to" and other
hedge words - except inside the complement of an actor's attitude ("Tehran fears that Baku
could ..."), which the author asserts. Precedence: reported, hedged, asserted. The band is
that of the first estimative term in the claim.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..extensions import register_extensions
from .base import Component
from .lexicon import load_lexicon
from .syntax import indexes_with, tokens_within, word_ids


class CertaintyTagger(Component):
    """Set ``_.certainty``, ``_.certainty_cues`` and ``_.probability`` on each claim."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = load_lexicon("certainty", lexicon)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("reported", list(nlp.tokenizer.pipe(lex["reported_phrases"])))
        self.matcher.add("hedge", list(nlp.tokenizer.pipe(lex["hedge_phrases"])))
        self.bands = {term: (low, high) for term, low, high in lex["estimative"]}
        self.matcher.add("estimative", list(nlp.tokenizer.pipe(list(self.bands))))
        self.speech = set(lex["speech_verbs"])
        self.author = set(lex["author_subjects"])
        self.modals = set(lex["hedge_modals"])
        self.raising = set(lex["hedge_raising_verbs"])
        self.attitudes = set(lex["attitude_verbs"])
        self.cue_ids = word_ids(nlp.vocab, self.modals | self.raising | self.speech)

    def in_attitude(self, token: Token, claim: Span) -> bool:
        """Inside the clause complement of an actor's attitude verb within the claim."""
        for ancestor in token.ancestors:
            if ancestor.i < claim.start or ancestor.i >= claim.end:
                return False
            if ancestor.lemma_ in self.attitudes and any(
                c.dep_ in {"ccomp", "xcomp"} and token in c.subtree for c in ancestor.children
            ):
                return True
        return False

    def is_hedge(self, token: Token) -> bool:
        """An epistemic modal, or "seem"/"appear" with a complement ("seems willing")."""
        if token.tag_ == "MD" and token.lower_ in self.modals:
            return True
        complements = {"xcomp", "acomp", "ccomp", "oprd", "attr"}
        return token.lemma_ in self.raising and any(c.dep_ in complements for c in token.children)

    def is_report(self, token: Token) -> bool:
        """A speech verb with a clause complement and a subject other than the author."""
        if token.lemma_ not in self.speech or token.pos_ != "VERB":
            return False
        if not any(c.dep_ == "ccomp" for c in token.children):
            return False
        subjects = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}]
        return bool(subjects) and all(s.lower_ not in self.author for s in subjects)

    def cues(
        self, claim: Span, phrases: list[Span], candidates: list[Token]
    ) -> dict[str, list[Span]]:
        """Cue spans of the claim by kind: reported, hedged, estimative. ``candidates`` are
        the claim's tokens whose word or lemma is a modal, raising or speech verb."""
        doc = claim.doc
        out: dict[str, list[Span]] = {"reported": [], "hedged": [], "estimative": []}
        for span in phrases:
            if span.start < claim.start or span.end > claim.end:
                continue
            if span.label_ != "reported" and self.in_attitude(span.root, claim):
                continue
            out[span.label_].append(span)
        for token in candidates:
            cue = doc[token.i : token.i + 1]
            if self.is_hedge(token) and not self.in_attitude(token, claim):
                out["hedged"].append(cue)
            elif self.is_report(token):
                out["reported"].append(cue)
        return out

    def process(self, doc: Doc) -> Doc:
        kinds = {"reported": "reported", "hedge": "hedged", "estimative": "estimative"}
        phrases = filter_spans(
            [Span(doc, s, e, label=kinds[doc.vocab.strings[m]]) for m, s, e in self.matcher(doc)]
        )
        cue_indexes = indexes_with(doc, self.cue_ids, "LOWER", "LEMMA")
        for claim in doc.spans.get("claims", []):
            found = self.cues(claim, phrases, tokens_within(claim, cue_indexes))
            hedges = found["hedged"] + found["estimative"]
            if found["reported"]:
                label, cues = "reported", found["reported"]
            elif hedges:
                label, cues = "hedged", hedges
            else:
                label, cues = "asserted", []
            claim._.certainty = label
            claim._.certainty_cues = sorted([c.start_char, c.end_char] for c in cues)
            estimative = sorted(found["estimative"], key=lambda s: s.start)
            if estimative:
                term = estimative[0].text.lower()
                low, high = self.bands[term]
                claim._.probability = [estimative[0].text, low, high]
            else:
                claim._.probability = None
        return doc


@Language.factory(
    "claims_certainty",
    assigns=["span._.certainty", "span._.certainty_cues", "span._.probability"],
    requires=["token.dep", "token.tag", "token.lemma", "doc.spans"],
    default_config={"lexicon": None},
)
def make_certainty(nlp: Language, name: str, lexicon: str | None) -> CertaintyTagger:
    """Factory: ``lexicon`` is a JSON file like certainty.json (None: the bundled one)."""
    return CertaintyTagger(nlp, name, lexicon=lexicon)
