"""Source: who makes a claim, the author or the source it reports (GUIDELINES G12.1-4, 11).

Source and certainty agree by construction: a claim the certainty component found
``reported`` gets the source of the attribution that made it reported, every other claim
the author. Of several attributions the outermost decides (G12.11): "according to X" or
"reportedly" on a verb of saying is outside that verb ("Wang Yi told ... that ..., according
to officials briefed" -> the officials); otherwise the cue on the highest verb.

- a verb of saying (or a source's attitude): its subject is the source, the cue runs from
  the subject's first word to the verb ("U.S. officials have said", "Beijing denies");
- "according to X": X is the source, the cue the whole phrase;
- "reportedly", "allegedly", "is said to", a reporting noun ("allegations that"): no
  source, the cue the phrase.

The source phrase is an actor when its head names one (a person, a state, a seat, an
organisation; the first of coordinated speakers), or when its head is an official noun
("officials", "government", "spokesman") an actor modifies ("Lithuanian officials",
"officials in Ankara", "the Israeli government"); unnamed people, documents and outlets
("analysts", "some Russian commentators", "a UN report", "state media") and the rest are
``unnamed`` (source.json).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..extensions import register_extensions
from .base import Component, Serialisable
from .quotations import Attribution, attributions
from .syntax import DEPS

ACTOR_ROLES = {"state", "seat", "demonym", "actor"}
AUTHOR = {"kind": "author", "actor": None, "cue": None}


def depth(token: Token) -> int:
    """How many heads lie above ``token`` in its sentence."""
    n = 0
    while token.head.i != token.i:
        token, n = token.head, n + 1
    return n


class SourceTagger(Serialisable, Component):
    """Set ``_.source`` ({kind, actor, cue}) on every claim."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("source", lexicon)
        self.named_heads = set(lex["named_heads"])
        self.unnamed_heads = set(lex["unnamed_heads"])
        self.according = [phrase.split() for phrase in lex["according_phrases"]]
        self.clause_deps = set(lex["clause_deps"])

    def process(self, doc: Doc) -> Doc:
        ids = self.ids_by_token(doc)
        quoted = attributions(doc)
        for claim in doc.spans.get("claims", []):
            if claim._.certainty != "reported":
                claim._.source = dict(AUTHOR)
                continue
            quote = next((a for a in quoted if a.holds(claim.start_char)), None)
            if quote is not None:
                claim._.source = self.quoted(claim, quote, ids)
                continue
            cues = [doc.char_span(s, e, alignment_mode="expand") for s, e in claim._.certainty_cues]
            claim._.source = self.reported(claim, [c for c in cues if c is not None], ids)
        return doc

    @staticmethod
    def ids_by_token(doc: Doc) -> dict[int, list[str]]:
        """Actor IDs by token: resolved actors (coreference included), and seats, states and
        demonyms the regions component read as places ("officials in Ankara")."""
        out: dict[int, list[str]] = {}
        spans = [*doc.spans.get("actors", [])]
        spans += [m for m in doc.spans.get("mentions", []) if m._.role in ACTOR_ROLES]
        for span in spans:
            for actor_id in span.kb_id_.split():
                for i in range(span.start, span.end):
                    if actor_id not in out.setdefault(i, []):
                        out[i].append(actor_id)
        return out

    # -- the attribution ------------------------------------------------------------------

    def reported(self, claim: Span, cues: list[Span], ids: dict) -> dict:
        """The source of a reported claim: the outermost attribution's."""
        found = [self.attribution(claim, cue) for cue in cues]
        found = [f for f in found if f is not None]
        if not found:
            first = cues[0] if cues else claim
            return {"kind": "unnamed", "actor": None, "cue": [first.start_char, first.end_char]}
        _, phrase, cue = min(found, key=lambda f: f[0])
        return self.source_of(phrase, cue, ids)

    def source_of(self, phrase: Token | None, cue: Span, ids: dict) -> dict:
        actor = self.actor_of(phrase, ids) if phrase is not None else None
        kind = "actor" if actor else "unnamed"
        return {"kind": kind, "actor": actor, "cue": [cue.start_char, cue.end_char]}

    def quoted(self, claim: Span, quote: Attribution, ids: dict) -> dict:
        """The source of a claim in a quotation attributed outside it (G12.20): a lead-in's
        verb as a verb of saying ("A contemporary intelligence estimate ... opens as
        follows:"), a trailer's name ("- Secretary Michael Pompeo, July 3, 2019")."""
        cue = claim.doc.char_span(*quote.cue, alignment_mode="expand")
        if quote.kind == "lead":
            _, phrase, cue = self.attribution(claim, cue)
        else:
            phrase = cue.root
        return self.source_of(phrase, cue, ids)

    def attribution(self, claim: Span, cue: Span):
        """(rank, source phrase or None, cue span) of one certainty cue; the smallest rank is
        the outermost: the depth of the verb it belongs to, modifiers before the verb."""
        doc = claim.doc
        according = self.according_object(cue)
        if according is not None:
            verb = cue.root.head
            phrase = according
            start, end = cue.start, max(t.i for t in according.subtree) + 1
            return (depth(verb), 0, cue.start), phrase, doc[start:end]
        root = cue.root
        if root.pos_ in {"VERB", "AUX"} and len(cue) == 1:
            subject, verb = self.subject_of(root)
            if subject is None:
                return (depth(root), 1, cue.start), None, cue
            tokens = [t.i for t in subject.subtree] + [verb.i]
            start, end = min(tokens), max(tokens) + 1
            return (depth(root), 1, cue.start), subject, doc[start:end]
        if root.pos_ in {"NOUN", "PROPN"} and len(cue) == 1:  # "allegations that ..."
            left = min([root.i, *(c.i for c in root.lefts)])
            return (depth(root), 1, cue.start), root, doc[left : root.i + 1]
        return (depth(root.head if root.dep_ == "advmod" else root), 0, cue.start), None, cue

    def according_object(self, cue: Span) -> Token | None:
        """The object of an "according to" cue ("according to officials in Ankara")."""
        words = [t.lower_ for t in cue]
        if words not in self.according:
            return None
        objects = [c for t in cue for c in t.children if c.dep_ == "pobj"]
        return objects[0] if objects else None

    @staticmethod
    def subject_of(verb: Token) -> tuple[Token | None, Token]:
        """A verb's subject and the verb it belongs to: the verb's own, else that of the verb
        it is coordinated with ("Beijing denies ... and insists that": "Beijing denies")."""
        while True:
            found = [c for c in verb.children if c.dep_ in DEPS["subject"]]
            if found:
                return found[0], verb
            if verb.dep_ != "conj" or verb.head.i == verb.i:
                return None, verb
            verb = verb.head

    # -- who it is ------------------------------------------------------------------------

    def actor_of(self, head: Token, ids: dict[int, list[str]]) -> str | None:
        """The actor a source phrase names (see the module's docstring), or None."""
        if ids.get(head.i):
            return ids[head.i][0]
        if head.lower_ in self.unnamed_heads or head.lower_ not in self.named_heads:
            return None
        for token in self.modifiers(head):
            if ids.get(token.i):
                return ids[token.i][0]
        return None

    def modifiers(self, head: Token) -> list[Token]:
        """The tokens of a noun phrase outside its clauses, in text order ("Lithuanian",
        "in Ankara"; not a relative clause's "briefed on the conversation")."""
        out = []
        for child in head.children:
            if child.dep_ in self.clause_deps or child.dep_ == "conj":
                continue
            out.extend(child.subtree)
        return sorted(out, key=lambda t: t.i)


@Language.factory(
    "claims_source",
    assigns=["span._.source"],
    requires=["doc.spans", "span._.certainty", "span._.certainty_cues", "token.dep"],
    default_config={"lexicon": None},
)
def make_source(nlp: Language, name: str, lexicon: str | None) -> SourceTagger:
    """Factory: ``lexicon`` is a JSON file like source.json (None: the bundled one)."""
    return SourceTagger(nlp, name, lexicon=lexicon)
