"""Small dependency-tree and token-lookup helpers shared by the components."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

# The one table of dependency label sets the components test (spaCy's English labels).
DEPS: dict[str, frozenset[str]] = {
    # a verb's nominal subject ("Russia backs ...", "Iran was backed ...")
    "subject": frozenset({"nsubj", "nsubjpass"}),
    # ... or a clausal one ("That Iran backs X worries Y"): who performs an action
    "agent_subject": frozenset({"nsubj", "nsubjpass", "csubj"}),
    # a clause has its own subject (the segmenter's test for an independent clause)
    "clause_subject": frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}),
    # a mention as a participant of its clause (coreference and "both" readings)
    "participant": frozenset({"nsubj", "nsubjpass", "dobj", "pobj"}),
    # negation words attached to what they deny ("no alliance", "is unlikely to")
    "negating": frozenset({"neg", "det", "advmod", "acomp"}),
    # how a relation's agent is inherited from the governing predicate
    "agent_climb": frozenset(
        {"xcomp", "conj", "advcl", "ccomp", "pcomp", "acl", "prep", "pobj", "dobj", "oprd", "acomp"}
    ),
    # how an event's performer is looked for in stance ("seeks to drive a wedge")
    "event_climb": frozenset({"xcomp", "conj", "advcl", "pcomp", "prep", "pobj", "dobj"}),
    # how far a negation, modal or condition on a governor reaches down a predicate
    "modal_scope": frozenset({"xcomp", "conj", "advcl", "acl", "pcomp", "prep", "pobj"}),
}


def word_ids(vocab: Vocab, words: Iterable[str]) -> frozenset[int]:
    """The string-store IDs of ``words``, to compare with ``Doc.to_array`` columns."""
    return frozenset(vocab.strings.add(word) for word in words)


def indexes_with(doc: Doc, ids: frozenset[int], *attrs: str) -> list[int]:
    """Indexes of the tokens whose value of any of ``attrs`` (e.g. "LOWER", "LEMMA") is in
    ``ids``: one array read instead of a Token object per token, for sparse cue words."""
    if not len(doc):
        return []
    found: set[int] = set()
    for attr in attrs:
        column = doc.to_array(attr).tolist()
        found.update(i for i, value in enumerate(column) if value in ids)
    return sorted(found)


def covered(spans: Iterable[Span]) -> set[int]:
    """Indexes of the tokens inside any of ``spans``."""
    return {i for span in spans for i in range(span.start, span.end)}


def spans_within(spans, claims: list[Span]) -> list[list[Span]]:
    """For each of ``claims``, the ``spans`` lying inside it, by start (bisection over the
    sorted starts)."""
    ordered = sorted(spans, key=lambda s: s.start)
    starts = [s.start for s in ordered]
    out = []
    for claim in claims:
        i = bisect_left(starts, claim.start)
        inside = []
        while i < len(ordered) and ordered[i].start < claim.end:
            if ordered[i].end <= claim.end:
                inside.append(ordered[i])
            i += 1
        out.append(inside)
    return out


def starting_within(spans: list[Span], claims: list[Span]) -> list[list[Span]]:
    """For each of ``claims``, the ``spans`` (sorted by start) that start inside it."""
    starts = [s.start for s in spans]
    return [spans[bisect_left(starts, c.start) : bisect_left(starts, c.end)] for c in claims]


def tokens_within(span: Span, indexes: list[int]) -> list[Token]:
    """The tokens of ``span`` among sorted token ``indexes`` (from ``indexes_with``)."""
    first, last = bisect_left(indexes, span.start), bisect_left(indexes, span.end)
    return [span.doc[i] for i in indexes[first:last]]


def denied_subject(verb: Token, negators: set[str]) -> bool:
    """A subject that denies its verb: "Neither Moscow nor Tehran wants ...", "No state
    seeks ...", "None of them backs ..." (``negators`` from the component's lexicon)."""
    return any(denying_subject(child, negators) for child in verb.children)


def denying_subject(child: Token, negators: set[str]) -> bool:
    """``child`` is a subject that denies its verb (``denied_subject``, one child)."""
    if child.dep_ not in DEPS["subject"]:
        return False
    if child.lower_ in negators:
        return True
    return any(c.dep_ in {"preconj", "det"} and c.lower_ in negators for c in child.children)


def first_conjunct(token: Token) -> Token:
    """Walk up a coordination chain ("Iraq and Afghanistan": Afghanistan -> Iraq)."""
    while token.dep_ == "conj" and token.head.i < token.i:
        token = token.head
    return token


def mention_head(span: Span) -> Token:
    """The syntactic head of a mention: the last token attached outside the span that is
    not a determiner or punctuation ("the U.S." -> "U.S.", even when the parser hangs
    "the" and "U.S." separately on the next noun)."""
    tokens = {t.i: t for t in span}
    heads = {i: t.head.i for i, t in tokens.items()}
    position = head_position(span.start, span.end, heads, lambda i: tokens[i].pos_ in HEADLESS)
    return tokens[position]


HEADLESS = frozenset({"DET", "PUNCT"})  # parts of speech that never head a mention


def head_position(start: int, end: int, heads, headless) -> int:
    """``mention_head`` over indexes: the head of tokens ``start`` to ``end`` from each
    token's head index (``heads[i]``) and whether its part of speech cannot head a mention
    (``headless(i)``), for a caller that holds a Doc's columns rather than Tokens."""
    outside = [i for i in range(start, end) if not start <= heads[i] < end or heads[i] == i]
    content = [i for i in outside if not headless(i)]
    return (content or outside or [end - 1])[-1]
