"""Certainty: reported, hedged or asserted, with cue words and the ICD 203 band.

Reported: "reportedly", "according to", "widely seen as", a speech verb with a clause
complement or an "as" characterisation and a subject other than the author ("officials
have suggested that", "described the meeting as a turning point"), any speech act or
attitude of a source noun ("some experts suggest", "analysts have speculated", "Western
observers accused"), or a reporting noun with a that-clause ("allegations that").
Hedged: estimative terms of the ICD 203 scale, epistemic modals (may, might, could),
"seems"/"appears to", other hedge words and evidence as the subject of "suggests that"
(the author's inference) - except inside the complement of an actor's attitude ("Tehran
fears that Baku could ...", "views the route as a potential channel"), which the author
asserts, and in purpose clauses ("to ensure that the EU could"). Precedence: reported,
hedged, asserted. The band is that of the first estimative term in the claim. A claim
inside a quotation attributed by a lead-in or a trailer line (quotations.py, G12.20) is
reported, the attribution its first cue.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..extensions import register_extensions
from .base import Component, Serialisable
from .modality import Modality
from .quotations import attributions
from .syntax import DEPS, indexes_with, tokens_within, word_ids


def offsets(spans: list[Span]) -> list[list[int]]:
    return [[span.start_char, span.end_char] for span in spans]


class CertaintyTagger(Serialisable, Component):
    """Set ``_.certainty``, ``_.certainty_cues`` and ``_.probability`` on each claim."""

    score_fields = ("certainty",)

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        lexicon: str | None = None,
        modality_lexicon: str | None = None,
    ) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("certainty", lexicon)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("reported", list(nlp.tokenizer.pipe(lex["reported_phrases"])))
        self.matcher.add("hedge", list(nlp.tokenizer.pipe(lex["hedge_phrases"])))
        self.bands = {term: (low, high) for term, low, high in lex["estimative"]}
        self.matcher.add("estimative", list(nlp.tokenizer.pipe(list(self.bands))))
        self.speech = set(lex["speech_verbs"])
        self.author = set(lex["author_subjects"])
        self.modality = Modality(modality_lexicon, self.lexicon)
        self.raising = set(lex["hedge_raising_verbs"])
        self.attitudes = set(lex["attitude_verbs"])
        self.characterising = set(lex["characterising_verbs"])
        self.sources = set(lex["source_nouns"])
        self.source_verbs = set(lex["source_verbs"])
        self.reporting_nouns = set(lex["reporting_nouns"])
        self.purpose = set(lex["purpose_verbs"])
        self.evidence = set(lex["evidence_subjects"])
        self.inference = set(lex["inference_verbs"])
        words = (
            self.modality.epistemic_modals
            | self.raising
            | self.speech
            | self.source_verbs
            | self.inference
        )
        self.cue_ids = word_ids(nlp.vocab, words | self.reporting_nouns)

    def in_attitude(self, token: Token, claim: Span) -> bool:
        """Inside the clause complement of an actor's attitude verb within the claim."""
        for ancestor in token.ancestors:
            if ancestor.i < claim.start or ancestor.i >= claim.end:
                return False
            if ancestor.lemma_ in self.attitudes and any(
                (c.dep_ in {"ccomp", "xcomp"} or self.as_complement(c, token))
                and token in c.subtree
                for c in ancestor.children
            ):
                return True  # "fears that Baku could", "views the route as a potential channel"
        return False

    @staticmethod
    def as_complement(child: Token, token: Token) -> bool:
        """ "views [the route] as a potential channel": the "as" phrase of an attitude verb
        or of its object."""
        phrases = [child] if child.dep_ == "prep" else []
        if child.dep_ == "dobj":
            phrases = [p for p in child.children if p.dep_ == "prep"]
        return any(p.lower_ == "as" and token in p.subtree for p in phrases)

    def is_hedge(self, token: Token) -> bool:
        """An epistemic modal, "seem"/"appear" with a complement ("seems willing"), or a
        speech verb whose subject is evidence ("the data suggests that")."""
        if self.modality.hedging_modal(token):
            return True
        if token.lemma_ in self.inference and any(c.dep_ == "ccomp" for c in token.children):
            subjects = self.subjects(token)
            return bool(subjects) and all(s.lemma_ in self.evidence for s in subjects)
        complements = {"xcomp", "acomp", "ccomp", "oprd", "attr"}
        return token.lemma_ in self.raising and any(c.dep_ in complements for c in token.children)

    def subjects(self, verb: Token) -> list[Token]:
        """A verb's subjects, inherited from the verb it is coordinated with ("denies X
        and insists that ...")."""
        while True:
            found = [c for c in verb.children if c.dep_ in DEPS["subject"]]
            if found or verb.dep_ != "conj" or verb.head is verb:
                return found
            verb = verb.head

    def is_report(self, token: Token) -> bool:
        """Content attributed to a source other than the author: a speech verb with a
        clause complement ("warned that ..."), a quotation, or a characterisation ("described
        the meeting as a turning point"); or any speech act or attitude of a source noun
        ("Some officials believe ...", "Western observers accused ...", "analysts have
        speculated"); or a reporting noun with a that-clause ("allegations that ...")."""
        if token.pos_ == "NOUN":
            return token.lower_ in self.reporting_nouns and any(
                c.dep_ in {"acl", "ccomp"} and any(m.lower_ == "that" for m in c.children)
                for c in token.children
            )
        if token.pos_ != "VERB":
            return False
        subjects = self.subjects(token)
        if not subjects or any(s.lower_ in self.author for s in subjects):
            return False
        if token.lemma_ in self.source_verbs and any(s.lemma_ in self.sources for s in subjects):
            return True
        if token.lemma_ not in self.speech or any(s.lemma_ in self.evidence for s in subjects):
            return False  # "The data suggests that ...": the author's inference (hedged)
        if any(c.dep_ == "ccomp" for c in token.children):
            return True
        return token.lemma_ in self.characterising and any(
            c.dep_ == "prep" and c.lower_ == "as" for c in token.children
        )

    def in_purpose(self, token: Token) -> bool:
        """A modal of a purpose clause ("to ensure that the EU could function"), not a hedge."""
        for ancestor in token.ancestors:
            if ancestor.dep_ == "ccomp" and ancestor.head.lemma_ in self.purpose:
                return True
            if any(c.dep_ == "mark" and c.lower_ == "so" for c in ancestor.children):
                return True
        return False

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
            if self.is_hedge(token):
                if not self.in_attitude(token, claim) and not self.in_purpose(token):
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
        quoted = attributions(doc)
        for claim in doc.spans.get("claims", []):
            found = self.cues(claim, phrases, tokens_within(claim, cue_indexes))
            hedges = offsets(found["hedged"] + found["estimative"])
            outside = [list(a.cue) for a in quoted if a.holds(claim.start_char)][:1]
            if outside or found["reported"]:
                label, cues = "reported", outside or offsets(found["reported"])
            elif hedges:
                label, cues = "hedged", hedges
            else:
                label, cues = "asserted", []
            claim._.certainty = label
            claim._.certainty_cues = sorted(cues)
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
    default_config={"lexicon": None, "modality_lexicon": None},
)
def make_certainty(
    nlp: Language, name: str, lexicon: str | None, modality_lexicon: str | None
) -> CertaintyTagger:
    """Factory: ``lexicon`` is a JSON file like certainty.json, ``modality_lexicon`` one like
    modality.json (None: the bundled ones)."""
    return CertaintyTagger(nlp, name, lexicon=lexicon, modality_lexicon=modality_lexicon)
