"""claims: geopolitical analysis articles to structured, scored claim records.

The Python API (see the README): ``load`` a pipeline, run it on text, and turn its Docs
into records with ``records``, or do both at once with ``extract``.
"""

from __future__ import annotations

import types

from . import records as _records_module
from .api import extract, load
from .api import records as _records

__version__ = "0.1.0"


class _CallableModule(types.ModuleType):
    """``pipeline.records`` is both the records module (the models, imported by the rest of
    the package as ``pipeline.records``) and the API function ``api.records``: importing the
    submodule would otherwise replace the function on the package."""

    def __call__(self, doc, doc_id: str = "doc", **options):
        return _records(doc, doc_id, **options)


_records_module.__class__ = _CallableModule
_CallableModule.__call__.__doc__ = _records.__doc__
records = _records_module

__all__ = ["__version__", "extract", "load", "records"]
