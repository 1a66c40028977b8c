"""What the trained components see of a claim: named sparse features and a dense vector.

Words are lemmas, lower-cased, with every actor mention replaced by a mark that says what it
is to the claim (``FOCAL`` for a focal actor, ``ACTOR`` for another, or ``SRC``/``TGT`` for
the two ends of a candidate relation), so a model learns "FOCAL and FOCAL diverge" rather
than the names in its training documents. The rules' decisions (label, rule, cue words,
relation triples) are features too: the model stacks on them, it does not replace them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy
from spacy.attrs import DEP, HEAD, IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, POS, TAG
from spacy.tokens import Doc, Span

FOCAL, ACTOR, SOURCE, TARGET = "FOCAL", "ACTOR", "SRC", "TGT"
DENSE_SOURCES = ("none", "tensor", "vectors", "embedding")


@dataclass(frozen=True)
class Tokens:
    """A Doc's token attributes as plain lists, read once per Doc with ``Doc.to_array``:
    the features read thousands of attributes per document, and each read through a
    ``Token`` object builds one. ``lemma`` is lower-cased (``lemma_raw`` is not), ``head``
    holds absolute indexes; ``negated`` the tokens with a ``neg`` child and ``modals`` a
    verb's first modal auxiliary ("could", "would")."""

    lemma: list[str]
    lemma_raw: list[str]
    lower: list[str]
    dep: list[str]
    pos: list[str]
    tag: list[str]
    head: list[int]
    punct: list[bool]
    space: list[bool]
    num: list[bool]
    negated: frozenset[int]
    modals: dict[int, str]

    @classmethod
    def of(cls, doc: Doc) -> Tokens:
        if not len(doc):
            return cls(*([] for _ in range(10)), frozenset(), {})
        columns = doc.to_array([LEMMA, LOWER, DEP, POS, TAG])
        keys, inverse = numpy.unique(columns, return_inverse=True)
        strings = doc.vocab.strings
        names = [strings[k] for k in keys.tolist()]
        lemma_raw, lower, dep, pos, tag = (
            [names[k] for k in column] for column in inverse.reshape(columns.shape).T.tolist()
        )
        flags = doc.to_array([IS_PUNCT, IS_SPACE, LIKE_NUM]).T.tolist()
        punct, space, num = ([bool(f) for f in column] for column in flags)
        head = [i + o for i, o in enumerate(doc.to_array([HEAD]).astype("int64").ravel().tolist())]
        modals: dict[int, str] = {}
        for i, h in enumerate(head):
            if h != i and dep[i] == "aux" and tag[i] == "MD":
                modals.setdefault(h, lower[i])
        lowered = {w: w.lower() for w in set(lemma_raw)}
        negated = frozenset(h for i, h in enumerate(head) if h != i and dep[i] == "neg")
        return cls([lowered[w] for w in lemma_raw], lemma_raw, lower, dep, pos, tag, head,
                   punct, space, num, negated, modals)  # fmt: skip


def masked_words(tokens: Tokens, start: int, end: int, marks: dict[int, str]) -> list[str]:
    """The words of tokens ``start`` to ``end`` as lemmas, a mention's tokens as one mark; no
    punctuation, digits as ``NUM``."""
    out: list[str] = []
    last_mark = None
    for i in range(start, end):
        mark = marks.get(i)
        if mark is not None:
            if mark != last_mark:
                out.append(mark)
            last_mark = mark
            continue
        last_mark = None
        if tokens.punct[i] or tokens.space[i]:
            continue
        out.append("NUM" if tokens.num[i] else tokens.lemma[i])
    return out


def ngrams(words: list[str], prefix: str = "") -> Iterator[str]:
    """Unigrams and bigrams, named."""
    for word in words:
        yield f"{prefix}w={word}"
    for a, b in pairwise(words):
        yield f"{prefix}b={a}_{b}"


def dependency_arcs(tokens: Tokens, start: int, end: int, marks: dict[int, str]) -> Iterator[str]:
    """(head, relation, child) of every content word of tokens ``start`` to ``end``, with
    marks for mentions."""
    lemma, head = tokens.lemma, tokens.head
    for i in range(start, end):
        h = head[i]
        if tokens.punct[i] or h == i or not start <= h < end:
            continue
        yield f"arc={marks.get(h, lemma[h])}>{tokens.dep[i]}>{marks.get(i, lemma[i])}"


def path_to_root(heads: list[int], i: int) -> list[int]:
    """Token ``i`` and its heads up to the sentence root (at most 40)."""
    path = [i]
    while heads[path[-1]] != path[-1] and len(path) < 40:
        path.append(heads[path[-1]])
    return path


def lowest_common_head(heads: list[int], a: int, b: int) -> tuple[int | None, list[int], list[int]]:
    """The lowest token heading tokens ``a`` and ``b`` (indexes; ``heads`` each token's head)
    and the paths up to it from each."""
    up_a = path_to_root(heads, a)
    seen = {t: n for n, t in enumerate(up_a)}
    up_b = path_to_root(heads, b)
    for m, token in enumerate(up_b):
        if token in seen:
            return token, up_a[: seen[token] + 1], up_b[: m + 1]
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
