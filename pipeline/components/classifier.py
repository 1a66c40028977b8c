"""Trainable classifiers stacked on the rules: the machinery the stance and relation models
share.

Each trained component decides over *items* of a Doc (a claim, a candidate actor pair),
each described by sparse named features (words, dependency paths, the rules' own label and
cues) and, optionally, a dense vector. The model (``claims.FeatureClassifier.v1``, a thinc
``Model``) is a linear layer over the hashed features plus, with ``dense_width``, one over
the vector, summed and passed through a softmax: a logistic regression that spaCy trains
with ``nlp.update`` and saves with ``nlp.to_disk`` like any ``TrainablePipe``.

A component built but never trained or loaded (``is_trained`` false) leaves the Doc as the
rules made it, so the pipeline works before ``claims train`` has ever run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain as flattened
from pathlib import Path

import numpy
from spacy.pipeline import TrainablePipe
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry
from thinc.api import Linear, Model, SparseLinear_v2, add, chain, softmax_activation

from .base import ERROR_KEY
from .features import bounded

KEY_DTYPE = "uint64"
MEMO_LIMIT = 500_000  # feature names whose hash a component remembers


@dataclass(frozen=True)
class Features:
    """One item's features: hashed sparse keys with their values, and a dense vector (the
    keys and values kept as tuples, made arrays for a whole batch at once: tuples of ints,
    unlike lists, leave the garbage collector's older generations alone)."""

    hashes: tuple[int, ...]
    counts: tuple[int, ...]
    dense: numpy.ndarray | None = None

    @property
    def keys(self) -> numpy.ndarray:
        return numpy.asarray(self.hashes, dtype=KEY_DTYPE)

    @property
    def values(self) -> numpy.ndarray:
        return numpy.asarray(self.counts, dtype="float32")

    @classmethod
    def from_names(
        cls, names: Iterable[str], dense: numpy.ndarray | None = None, hashes: dict | None = None
    ) -> Features:
        """Features from feature names (a name given twice counts twice); ``hashes`` a
        component's memo of the names' hash keys (a name's key is its string-store hash)."""
        counts = Counter(names)
        memo = {} if hashes is None else bounded(hashes, MEMO_LIMIT)
        keys = tuple(map(memo.get, counts))
        if None in keys:
            keys = tuple([k if k is not None else memo.setdefault(n, get_string_id(n))
                          for n, k in zip(counts, keys, strict=True)])  # fmt: skip
        return cls(keys, tuple(counts.values()), dense)


def _forward_hashed(model: Model, X: Sequence[Features], is_train: bool):
    ops = model.ops
    keys = numpy.fromiter(flattened.from_iterable(x.hashes for x in X), dtype=KEY_DTYPE)
    values = numpy.fromiter(flattened.from_iterable(x.counts for x in X), dtype="float32")
    lengths = numpy.asarray([len(x.hashes) for x in X], dtype="int32")
    out = (ops.asarray1i(keys, dtype=KEY_DTYPE), ops.asarray1f(values), ops.asarray1i(lengths))
    return out, lambda d_out: []


def _forward_dense(model: Model, X: Sequence[Features], is_train: bool):
    width = model.get_dim("nO")
    rows = [x.dense if x.dense is not None else numpy.zeros(width, "float32") for x in X]
    out = model.ops.asarray2f(numpy.stack(rows) if rows else numpy.zeros((0, width), "float32"))
    return out, lambda d_out: []


@registry.layers("claims.hashed_features.v1")
def hashed_features() -> Model:
    """Items to the (keys, values, lengths) input of ``SparseLinear``."""
    return Model("hashed_features", _forward_hashed)


@registry.layers("claims.dense_features.v1")
def dense_features(width: int) -> Model:
    """Items to their dense vectors, stacked (zeros for an item without one)."""
    return Model("dense_features", _forward_dense, dims={"nO": width})


@registry.architectures("claims.FeatureClassifier.v1")
def feature_classifier(
    nO: int, hash_length: int = 2**17, dense_width: int = 0
) -> Model[Sequence[Features], numpy.ndarray]:
    """Softmax over a linear layer on hashed features, plus one on the dense vector if
    ``dense_width`` > 0."""
    scores = chain(hashed_features(), SparseLinear_v2(nO=nO, length=hash_length))
    if dense_width:
        scores = add(scores, chain(dense_features(dense_width), Linear(nO=nO, nI=dense_width)))
    return chain(scores, softmax_activation())


@dataclass
class Item:
    """Something a classifier labels: a key telling the component where the label goes,
    and its features."""

    key: tuple
    features: Features


class ClaimClassifier(TrainablePipe):
    """The shared ``TrainablePipe``: subclasses say what their items are (``items``), what
    gold says of them (``gold_labels``) and what a decision does to the Doc (``apply``)."""

    labels: tuple[str, ...] = ()

    def __init__(self, vocab, model: Model, name: str, **cfg) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"labels": list(self.labels), "trained": False, **cfg}
        self.item_cache: dict | None = None  # set while training: a Doc's items, by doc key
        self.hashes: dict[str, int] = {}  # feature name -> hash key (Features.from_names)

    # -- what subclasses define -----------------------------------------------------------

    def items(self, doc: Doc) -> list[Item]:
        raise NotImplementedError

    def gold_labels(self, example: Example, items: list[Item]) -> list[str | None]:
        """The gold label of each item of ``example.predicted`` (None: not scored)."""
        raise NotImplementedError

    def apply(self, doc: Doc, items: list[Item], probs: numpy.ndarray) -> None:
        raise NotImplementedError

    def featurize(self, names: Iterable[str], dense: numpy.ndarray | None = None) -> Features:
        """An item's features from their names (hash keys remembered by the component)."""
        return Features.from_names(names, dense, self.hashes)

    # -- spaCy's pipe API -------------------------------------------------------------------

    @property
    def is_trained(self) -> bool:
        return bool(self.cfg.get("trained"))

    def __call__(self, doc: Doc) -> Doc:
        if not self.is_trained or doc.user_data.get(ERROR_KEY):
            return doc
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, stream, *, batch_size: int = 128):
        from spacy.util import minibatch

        for docs in minibatch(stream, size=batch_size):
            if self.is_trained:
                todo = [d for d in docs if not d.user_data.get(ERROR_KEY)]
                self.set_annotations(todo, self.predict(todo))
            yield from docs

    def cached_items(self, doc: Doc) -> list[Item]:
        if self.item_cache is None:
            return self.items(doc)
        key = ("items", *doc_key(doc))
        if key not in self.item_cache:
            self.item_cache[key] = self.items(doc)
        return self.item_cache[key]

    def predict(self, docs: Iterable[Doc]) -> list[tuple[list[Item], numpy.ndarray]]:
        per_doc = [self.cached_items(doc) for doc in docs]
        flat = [item.features for items in per_doc for item in items]
        probs = self.model.ops.to_numpy(self.model.predict(flat)) if flat else numpy.zeros((0, 0))
        out, start = [], 0
        for items in per_doc:
            out.append((items, probs[start : start + len(items)]))
            start += len(items)
        return out

    def set_annotations(self, docs: Iterable[Doc], predictions) -> None:
        for doc, (items, probs) in zip(docs, predictions, strict=True):
            self.apply(doc, items, probs)

    def training_items(self, examples: Iterable[Example]) -> tuple[list[Features], list[str]]:
        """Features and gold labels of every scored item of ``examples`` (from
        ``item_cache`` when the trainer set one: during training a document's predicted Doc
        never changes, and ``nlp.update`` hands the component a copy each step)."""
        X, Y = [], []
        for eg in examples:
            for features, label in self.scored_items(eg):
                X.append(features)
                Y.append(label)
        return X, Y

    def scored_items(self, eg: Example) -> list[tuple[Features, str]]:
        key = doc_key(eg.predicted)
        if self.item_cache is not None and key in self.item_cache:
            return self.item_cache[key]
        items = self.items(eg.predicted)
        labels = self.gold_labels(eg, items)
        scored = [(it.features, lab) for it, lab in zip(items, labels, strict=True) if lab]
        if self.item_cache is not None:
            self.item_cache[key] = scored
        return scored

    def update(self, examples, *, drop: float = 0.0, sgd=None, losses=None) -> dict:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        X, Y = self.training_items(examples)
        if not X:
            return losses
        probs, backprop = self.model.begin_update(X)
        loss, d_probs = self.loss(probs, Y)
        backprop(d_probs)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def loss(self, probs, gold: list[str]) -> tuple[float, numpy.ndarray]:
        """Cross-entropy of the softmax output and its gradient (mean over items), each
        item weighted by its label's class weight."""
        index = {label: i for i, label in enumerate(self.labels)}
        truth = self.model.ops.alloc2f(len(gold), len(self.labels))
        for row, label in enumerate(gold):
            truth[row, index[label]] = 1.0
        weights = truth @ self.model.ops.asarray1f(
            self.cfg.get("class_weights") or [1.0] * len(self.labels)
        )
        d_probs = (probs - truth) * weights[:, None] / len(gold)
        loss = -float((weights[:, None] * truth * self.model.ops.xp.log(probs + 1e-9)).sum())
        return loss / len(gold), d_probs

    def get_loss(self, examples, scores):
        X, Y = self.training_items(examples)
        return self.loss(self.model.predict(X), Y)

    def initialize(self, get_examples=None, *, nlp=None, weights: str | None = None) -> None:
        """From examples (training starts: the model is initialised from a sample and the
        component counts as trained from then on), else from saved ``weights`` (a folder
        written by ``to_disk``; a missing folder leaves the component untrained)."""
        if get_examples is not None:
            X, Y = self.training_items(list(get_examples()))
            self.cfg["class_weights"] = class_weights(Y, self.labels, self.cfg.get("balanced"))
            truth = self.model.ops.alloc2f(len(Y[:50]), len(self.labels))
            self.model.initialize(X=X[:50] or None, Y=truth if X else None)
            self.cfg["trained"] = True
        elif weights is not None and Path(weights).is_dir():
            self.from_disk(weights, exclude=["vocab"])

    def add_label(self, label: str) -> int:
        raise NotImplementedError("the labels of a claims classifier are fixed")


def doc_key(doc: Doc) -> tuple:
    """What tells a training document apart (its id, text length, claims and actors)."""
    spans = doc.spans
    return (
        doc.user_data.get("claims.doc_id"),
        len(doc),
        tuple((s.start, s.end) for s in spans.get("claims", [])),
        tuple((s.start, s.kb_id_) for s in spans.get("actors", [])),
    )


def class_weights(gold: list[str], labels: Sequence[str], balanced: bool) -> list[float]:
    """Each label's loss weight: n / (k * count) with ``balanced`` (scikit-learn's
    "balanced"), else 1."""
    if not balanced or not gold:
        return [1.0] * len(labels)
    counts = {label: gold.count(label) for label in labels}
    return [len(gold) / (len(labels) * max(1, counts[label])) for label in labels]


def aligned_gold(example: Example) -> list[dict | None]:
    """For each predicted claim of ``example``, the gold claim it matches (``_.gold`` of the
    reference claim spans: overlap of at least half the longer span, one-to-one, best
    overlap first, as the scorer pairs them), or None."""
    predicted = list(example.predicted.spans.get("claims", []))
    gold = [span._.gold for span in example.reference.spans.get("claims", [])]
    candidates = []
    for pi, p in enumerate(predicted):
        for gi, g in enumerate(gold):
            shared = min(p.end_char, g["end"]) - max(p.start_char, g["start"])
            longer = max(p.end_char - p.start_char, g["end"] - g["start"])
            if shared > 0 and 2 * shared >= longer:
                candidates.append((-shared, pi, gi))
    out: list[dict | None] = [None] * len(predicted)
    used = set()
    for _, pi, gi in sorted(candidates):
        if out[pi] is None and gi not in used:
            out[pi] = gold[gi]
            used.add(gi)
    return out
