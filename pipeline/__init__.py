"""claims: geopolitical analysis articles to structured, scored claim records.

The Python API (see the README): ``load`` a pipeline, run it on text, and turn its Docs
into records with ``records``, or do both at once with ``extract``. The record models
themselves are in :mod:`pipeline.models`.
"""

from __future__ import annotations

from .api import extract, load, records
from .version import __version__

__all__ = ["__version__", "extract", "load", "records"]
