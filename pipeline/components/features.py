"""What the trained components see of a claim: named sparse features and a dense vector.

Words are lemmas, lower-cased, with every actor mention replaced by a mark that says what it
is to the claim (``FOCAL`` for a focal actor, ``ACTOR`` for another, or ``SRC``/``TGT`` for
the two ends of a candidate relation), so a model learns "FOCAL and FOCAL diverge" rather
than the names in its training documents. The rules' decisions (label, rule, cue words,
relation triples) are features too: the model stacks on them, it does not replace them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import pairwise
from weakref import WeakKeyDictionary, proxy

import numpy
from spacy.attrs import DEP, HEAD, IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, ORTH, POS, TAG
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

FOCAL, ACTOR, SOURCE, TARGET = "FOCAL", "ACTOR", "SRC", "TGT"
DENSE_SOURCES = ("none", "tensor", "vectors", "embedding")


class Tokens:
    """A Doc's token attributes as plain lists, each read once per Doc with
    ``Doc.to_array`` when first asked for: the features read thousands of attributes per
    document, and each read through a ``Token`` builds one. ``lemma`` is lower-cased
    (``lemma_raw`` is not), ``head`` holds absolute indexes, ``negated`` the tokens with a
    ``neg`` child and ``modals`` a verb's first modal auxiliary ("could", "would")."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc

    @classmethod
    def of(cls, doc: Doc) -> Tokens:
        """``doc``'s Tokens shared by the components that read them, made by the first that
        asks (the attributes read here are fixed once claims_verb_repair has run; a Doc whose
        length changed gets new ones). They hold the Doc weakly and go with it."""
        tokens = _SHARED.get(doc)
        if tokens is None or len(tokens.doc) != len(doc):
            tokens = _SHARED[doc] = cls(proxy(doc))
        return tokens

    def strings(self, attr: int) -> list[str]:
        """The string of ``attr`` (e.g. ``LEMMA``) of every token."""
        keys = self.doc.to_array(attr).tolist() if len(self.doc) else []
        return known_strings(keys, self.doc.vocab.strings)

    def flags(self, attr: int) -> list[bool]:
        return self.doc.to_array(attr).astype(bool).tolist() if len(self.doc) else []

    @cached_property
    def lemma_raw(self) -> list[str]:
        return self.strings(LEMMA)

    @cached_property
    def lemma(self) -> list[str]:
        lowered = bounded(_LOWERED)
        for word in set(self.lemma_raw).difference(lowered):
            lowered[word] = word.lower()
        return list(map(lowered.__getitem__, self.lemma_raw))

    @cached_property
    def text(self) -> list[str]:
        return self.strings(ORTH)

    @cached_property
    def lower(self) -> list[str]:
        return self.strings(LOWER)

    @cached_property
    def dep(self) -> list[str]:
        return self.strings(DEP)

    @cached_property
    def pos(self) -> list[str]:
        return self.strings(POS)

    @cached_property
    def head(self) -> list[int]:
        return head_indexes(self.doc)

    @cached_property
    def punct(self) -> list[bool]:
        return self.flags(IS_PUNCT)

    @cached_property
    def space(self) -> list[bool]:
        return self.flags(IS_SPACE)

    @cached_property
    def num(self) -> list[bool]:
        return self.flags(LIKE_NUM)

    @cached_property
    def negated(self) -> frozenset[int]:
        dep, head = self.dep, self.head
        return frozenset(h for i, h in enumerate(head) if h != i and dep[i] == "neg")

    @cached_property
    def modals(self) -> dict[int, str]:
        found: dict[int, str] = {}
        if not len(self.doc):
            return found
        dep, tag = self.doc.to_array([DEP, TAG]).T
        head = self.head
        for i in numpy.flatnonzero((dep == _AUX) & (tag == _MODAL)).tolist():
            if head[i] != i:
                found.setdefault(head[i], self.lower[i])
        return found


STRINGS_LIMIT = 500_000  # strings (and lower-cased lemmas) the Tokens of every Doc share
_STRINGS: dict[int, str] = {}  # string-store key -> its string (the same in every vocabulary)
_LOWERED: dict[str, str] = {}  # lemma -> lower-cased
_AUX, _MODAL = get_string_id("aux"), get_string_id("MD")
_SHARED: WeakKeyDictionary[Doc, Tokens] = WeakKeyDictionary()  # Tokens.of


def known_strings(keys: list[int], store) -> list[str]:
    """The strings of string-store ``keys``, each looked up in ``store`` once in the process."""
    known = bounded(_STRINGS)
    for key in set(keys).difference(known):
        known[key] = store[key]
    return list(map(known.__getitem__, keys))


def bounded(memo: dict, limit: int = STRINGS_LIMIT) -> dict:
    """``memo``, emptied first when it holds ``limit`` entries (a process-long memo stays
    bounded)."""
    if len(memo) >= limit:
        memo.clear()
    return memo


def head_indexes(doc: Doc) -> list[int]:
    """Each token's head, by index (the root its own)."""
    if not len(doc):
        return []
    return (doc.to_array(HEAD).astype("int64") + numpy.arange(len(doc))).tolist()


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
