"""Modality: is a predicate or a cue asserted, or denied, averted, restricted, merely
possible, conditional or conceded? One lexicon (modality.json) and one set of tests, used
by relations (a denied or hypothetical predicate gives no relation), stance (a denied
divergence is a convergence cue) and certainty (the epistemic modals that hedge).

- negation: "not", "never", "no", "neither ... nor" subjects ("Neither Moscow nor Tehran
  wants ..."), "far from", "nothing", an improbability word ("is unlikely to cooperate"),
  "rather than" / "instead of" before the cue;
- averting verbs ("avoid rivalry", "prevent a rift") and, for stance, ending verbs ("end
  the partnership", "sever ties": for relations these are the relation's hostile cue);
- restrictive "only" ("divisions will only materialize under extreme conditions");
- conditional clauses (if, unless, whether) and concessive ones (although, while, despite).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from .features import Tokens
from .lexicon import load_lexicon
from .syntax import DEPS, denied_subject, denying_subject


class Modality:
    """The modality tests over one validated lexicon (``path``: a file like modality.json;
    ``load`` reads it: a component's ``lexicon``, which records it)."""

    def __init__(self, path: str | None = None, load=load_lexicon) -> None:
        lex = load("modality", path)
        self.negators = set(lex["negators"])
        self.improbable = set(lex["improbable"])
        self.denials = self.negators | self.improbable  # "no alliance", "unlikely to cooperate"
        self.averting = set(lex["averting_verbs"])
        self.stopping = self.averting | set(lex["ending_verbs"])
        self.modals = set(lex["modals"])
        self.epistemic_modals = set(lex["epistemic_modals"])
        self.dispositions = set(lex["dispositions"])
        self.unreal_modifiers = set(lex["unreal_modifiers"])
        self.restrictive = set(lex["restrictive"])
        self.conditional_marks = set(lex["conditional_marks"])
        self.background_marks = self.conditional_marks | set(lex["concessive_marks"])
        self.concessive_prepositions = set(lex["concessive_prepositions"])
        self.denying = {tuple(pair) for pair in lex["denying_phrases"]}
        # the children that make a predicate hypothetical, by dependency (``hypothetical_mark``)
        self.unreal_marks = {
            "aux": self.modals,
            "acomp": self.improbable,
            "advmod": self.improbable,
            "mark": self.conditional_marks,
        }

    # -- single tests -----------------------------------------------------------------------

    def denied_subject(self, verb: Token) -> bool:
        """ "Neither Moscow nor Tehran wants ...", "No state seeks ...", "None of them backs"."""
        return denied_subject(verb, self.negators)

    def negating_child(self, node: Token) -> bool:
        """A negation attached to ``node``: "not", "no alliance", "never", "is unlikely to",
        "has done nothing"."""
        return any(self.negation(child) for child in node.children)

    def negation(self, child: Token) -> bool:
        """``child`` negates its head (``negating_child``, one child)."""
        dep = child.dep_
        if dep == "neg" or (dep == "dobj" and child.lower_ == "nothing"):
            return True
        return dep in DEPS["negating"] and child.lower_ in self.denials

    def hypothetical_mark(self, child: Token) -> bool:
        """``child`` makes its head merely possible or conditional: a modal ("could back"),
        an improbability ("is unlikely to"), an if/unless/whether mark."""
        return child.lower_ in self.unreal_marks.get(child.dep_, ())

    def unreal_mark(self, child: Token) -> bool:
        """``child`` denies, negates or makes hypothetical its head (what ``unreal`` looks
        for on each node of a predicate's chain)."""
        return (
            denying_subject(child, self.negators)
            or self.negation(child)
            or self.hypothetical_mark(child)
        )

    def averts(self, node: Token, ending: bool = False) -> bool:
        """An averting verb ("avoid", "prevent"); with ``ending`` also one that ends what it
        governs ("end", "sever", "suspend")."""
        return node.lemma_ in (self.stopping if ending else self.averting)

    @staticmethod
    def far_from(node: Token) -> bool:
        """The object of "far from" ("far from an alliance")."""
        prep = node.head
        return (
            node.dep_ == "pobj"
            and prep.lower_ == "from"
            and prep.i > 0
            and node.doc[prep.i - 1].lower_ == "far"
        )

    def restricted(self, token: Token) -> bool:
        """The subject of a verb restricted by "only" ("divisions ... will only materialize")."""
        return token.dep_ in DEPS["subject"] and any(
            c.lower_ in self.restrictive for c in token.head.children
        )

    def hedging_modal(self, token: Token) -> bool:
        """An epistemic modal ("may", "might", "could"): a hedge for certainty."""
        return token.tag_ == "MD" and token.lower_ in self.epistemic_modals

    # -- over a claim -----------------------------------------------------------------------

    def denied_from(self, claim: Span) -> int:
        """Index of the first token after "rather than" / "instead of" in the claim (or the
        claim's end): cues from there on are denied ("friction ... rather than fragility")."""
        return self.denied_within(Tokens.of(claim.doc).lower, claim.start, claim.end)

    def denied_within(self, words: list[str], start: int, end: int) -> int:
        """``denied_from`` over ``words[start:end]`` (a Doc's lower-cased words: no Token
        objects): the index after the first "rather than" / "instead of", else ``end``."""
        for n in range(start, end - 1):
            if (words[n], words[n + 1]) in self.denying:
                return n + 2
        return end

    def backgrounded(self, token: Token, claim: Span) -> bool:
        """Inside an although/while/even-if clause or a despite phrase (background) or an
        if/unless/whether clause (a hypothesis): not what the claim asserts."""
        for node in [token, *token.ancestors]:
            if node.i < claim.start or node.i >= claim.end:
                return False
            if node.dep_ == "pobj" and node.head.lower_ in self.concessive_prepositions:
                return True
            if node.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in self.background_marks for c in node.children
            ):
                return True
        return False

    def negated(self, token: Token, claim: Span, denied_from: int | None = None) -> bool:
        """A cue under negation within its claim: itself, its head chain, a governing
        averting or ending verb ("avoid rivalry", "ended the partnership"), a denying subject,
        "far from", or after "rather than" / "instead of"."""
        if token.i >= (self.denied_from(claim) if denied_from is None else denied_from):
            return True
        for node in [token, *token.ancestors]:
            if node.i < claim.start or node.i >= claim.end:
                break
            if node is not token and (node.lower_ in self.denials or self.averts(node, True)):
                return True
            if node in (token, token.head) and self.far_from(node):
                return True
            if self.denied_subject(node) or self.negating_child(node):
                return True
        return False

    def locally_denied(self, token: Token) -> bool:
        """Negated on the cue or one of its two nearest governors ("no alliance", "did not
        reconcile", "far from an alliance"), not by a denial further up ("no reason to
        imagine that the partnership would collapse")."""
        if any(self.averts(a, True) for a in list(token.ancestors)[:3]):
            return True  # "dismantled every channel of cooperation", "avoid an alliance"
        for node in [token, *list(token.ancestors)[:2]]:
            if node in (token, token.head) and self.far_from(node):
                return True
            if self.negating_child(node):
                return True
        return False

    def unreal(self, token: Token) -> bool:
        """A predicate negated, averted, merely possible or conditional, itself or through a
        governing verb ("does not back", "neither backs", "seeks to avoid confronting",
        "could back", "if it backs", "has done nothing to protest", "willing to accept")."""
        for node in [token, *token.ancestors]:
            if any(self.unreal_mark(child) for child in node.children):
                return True  # "neither backs", "does not back", "could back", "if it backs"
            if node is not token and (self.averts(node) or node.lower_ in self.improbable):
                return True  # "seek to avoid confronting", "is unlikely to provide"
            dep = node.dep_
            if dep == "xcomp" and node.head.lower_ in self.dispositions:
                return True  # "willing to accept"
            if dep == "relcl" and node.head.lower_ in self.negators:
                return True  # "has done nothing to protest"
            if dep not in DEPS["modal_scope"]:
                break
        return False

    def unreal_noun(self, noun: Token) -> bool:
        """A relational noun denied, averted or merely possible ("potential cooperation",
        "did not form an alliance", "neither wants a confrontation", "avoid open rivalry",
        "only" on its verb); a modal on another verb ("could exploit natural tensions")
        leaves it holding."""
        if any(c.lower_ in self.unreal_modifiers for c in noun.children):
            return True
        if self.restricted(noun):
            return True  # "divisions ... will only materialize under extreme conditions"
        if noun.dep_ not in {"dobj", "attr"}:
            return False
        verb = noun.head
        if any(c.dep_ == "neg" for c in verb.children) or self.denied_subject(verb):
            return True
        if self.averts(verb):
            return True  # "avoid a rivalry"
        return verb.dep_ == "xcomp" and verb.head.lower_ in self.dispositions
