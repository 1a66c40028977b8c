"""Small dependency-tree helpers shared by the components."""

from __future__ import annotations

from spacy.tokens import Span, Token


def first_conjunct(token: Token) -> Token:
    """Walk up a coordination chain ("Iraq and Afghanistan": Afghanistan -> Iraq)."""
    while token.dep_ == "conj" and token.head.i < token.i:
        token = token.head
    return token


def mention_head(span: Span) -> Token:
    """The syntactic head of a mention: the last token attached outside the span that is
    not a determiner or punctuation ("the U.S." -> "U.S.", even when the parser hangs
    "the" and "U.S." separately on the next noun)."""
    outside = [t for t in span if t.head.i < span.start or t.head.i >= span.end or t.head == t]
    content = [t for t in outside if t.pos_ not in {"DET", "PUNCT"}]
    return (content or outside or [span[-1]])[-1]
