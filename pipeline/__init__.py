"""claims: geopolitical analysis articles to structured, scored claim records.

The Python API (see the README): ``load`` a pipeline, run it on text, and turn its Docs
into records with ``records``, or do both at once with ``extract``; ``examples`` turns a
gold folder into spaCy ``Example``s for ``nlp.evaluate`` and training. The record models
themselves are in :mod:`pipeline.models`.
"""

from __future__ import annotations

from .api import extract, load, records
from .version import __version__

__all__ = ["__version__", "examples", "extract", "load", "records"]


def examples(nlp, gold):
    """One spaCy ``Example`` per gold document of ``gold`` (a gold folder, a loaded gold
    set, or several), for ``nlp.evaluate`` and training
    (:func:`pipeline.training.examples.examples`; imported when first used, as spaCy's
    training module is not needed to run the pipeline)."""
    from .training.examples import examples as gold_examples

    return gold_examples(nlp, gold)
