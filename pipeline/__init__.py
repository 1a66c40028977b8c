"""claims: geopolitical analysis articles to structured, scored claim records.

The Python API (see the README): ``load`` a pipeline, run it on text, and turn its Docs
into records with ``records``, or do both at once with ``extract``. The record models
themselves are in :mod:`pipeline.models`.
"""

from __future__ import annotations

__version__ = "0.1.0"  # before the imports below: modules they load read it

from .api import extract, load, records

__all__ = ["__version__", "extract", "load", "records"]
