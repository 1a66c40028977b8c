"""What the trained components see of a claim: named sparse features and a dense vector.

Words are lemmas, lower-cased, with every actor mention replaced by a mark that says what it
is to the claim (``FOCAL`` for a focal actor, ``ACTOR`` for another, or ``SRC``/``TGT`` for
the two ends of a candidate relation), so a model learns "FOCAL and FOCAL diverge" rather
than the names in its training documents. The rules' decisions (label, rule, cue words,
relation triples) are features too: the model stacks on them, it does not replace them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import pairwise

import numpy
from spacy.tokens import Doc, Span, Token

FOCAL, ACTOR, SOURCE, TARGET = "FOCAL", "ACTOR", "SRC", "TGT"
DENSE_SOURCES = ("none", "tensor", "vectors", "embedding")


def masked_words(claim: Span, marks: dict[int, str]) -> list[str]:
    """The claim's words as lemmas, a mention's tokens as one mark; no punctuation, digits
    as ``NUM``."""
    out: list[str] = []
    last_mark = None
    for token in claim:
        mark = marks.get(token.i)
        if mark is not None:
            if mark != last_mark:
                out.append(mark)
            last_mark = mark
            continue
        last_mark = None
        if token.is_punct or token.is_space:
            continue
        out.append("NUM" if token.like_num else token.lemma_.lower())
    return out


def ngrams(words: list[str], prefix: str = "") -> Iterator[str]:
    """Unigrams and bigrams, named."""
    for word in words:
        yield f"{prefix}w={word}"
    for a, b in pairwise(words):
        yield f"{prefix}b={a}_{b}"


def dependency_arcs(claim: Span, marks: dict[int, str]) -> Iterator[str]:
    """(head, relation, child) of every content word, with marks for mentions."""
    for token in claim:
        if token.is_punct or token.head.i == token.i or not claim.start <= token.head.i < claim.end:
            continue
        child = marks.get(token.i, token.lemma_.lower())
        head = marks.get(token.head.i, token.head.lemma_.lower())
        yield f"arc={head}>{token.dep_}>{child}"


def negated(token: Token) -> bool:
    return any(c.dep_ == "neg" for c in token.children)


def modal(token: Token) -> str | None:
    """The modal auxiliary of a verb ("could", "would"), if any."""
    for child in token.children:
        if child.dep_ == "aux" and child.tag_ == "MD":
            return child.lower_
    return None


def path_to_root(token: Token, stop: int) -> list[Token]:
    """``token`` and its heads up to the sentence root or the token at index ``stop``."""
    path = [token]
    while path[-1].head.i != path[-1].i and path[-1].i != stop and len(path) < 40:
        path.append(path[-1].head)
    return path


def lowest_common_head(a: Token, b: Token) -> tuple[Token | None, list[Token], list[Token]]:
    """The lowest token heading both ``a`` and ``b`` and the paths up to it from each."""
    up_a = path_to_root(a, -1)
    seen = {t.i: n for n, t in enumerate(up_a)}
    up_b = path_to_root(b, -1)
    for m, token in enumerate(up_b):
        if token.i in seen:
            return token, up_a[: seen[token.i] + 1], up_b[: m + 1]
    return None, up_a, up_b


def dense_vector(span: Span, source: str) -> numpy.ndarray | None:
    """The span's dense vector: the mean of its content words' vectors from the model's
    contextual tensor (``tensor``) or the vocabulary's static vectors (``vectors``), or
    the claim's sentence embedding (``embedding``, set by claims_encoder); None for
    ``none``."""
    if source == "none":
        return None
    if source == "embedding":
        return span._.embedding
    doc: Doc = span.doc
    if source == "tensor":
        if doc.tensor is None or not len(doc.tensor):
            return None
        rows = [t.i for t in span if not t.is_punct and not t.is_space] or [span.start]
        return numpy.asarray(doc.tensor[rows].mean(axis=0), dtype="float32")
    vectors = [t.vector for t in span if t.has_vector and not t.is_punct and not t.is_stop]
    if not vectors:
        return numpy.zeros(doc.vocab.vectors_length, dtype="float32")
    mean = numpy.mean(vectors, axis=0)
    norm = numpy.linalg.norm(mean)
    return numpy.asarray(mean / norm if norm else mean, dtype="float32")


def dense_width(vocab, source: str) -> int:
    """The width of :func:`dense_vector`'s output for a pipeline's vocabulary."""
    if source == "vectors":
        return int(vocab.vectors_length)
    if source == "tensor":
        return 96  # en_core_web_sm's tok2vec width; a model with another width sets its own
    if source == "embedding":
        return 384  # all-MiniLM-L6-v2 (claims_encoder)
    return 0


def bucket(n: int) -> str:
    return str(n) if n < 4 else ("4-7" if n < 8 else "8+")


def present(names: Iterable[str]) -> list[str]:
    return sorted(set(names))
