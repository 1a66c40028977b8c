"""The base of every claims component: one document's failure never stops a corpus."""

from __future__ import annotations

from spacy.tokens import Doc

ERROR_KEY = "claims_error"


class Component:
    """Run ``process`` on a Doc; if it raises, record the error on the Doc and pass it on.

    The error (``doc.user_data[ERROR_KEY]``) travels with the Doc, also back from worker
    processes, so the runner reports that document as failed and goes on with the others.
    Later components skip a Doc that already failed.
    """

    name: str

    def __call__(self, doc: Doc) -> Doc:
        if doc.user_data.get(ERROR_KEY):
            return doc
        try:
            return self.process(doc)
        except Exception as exc:  # recorded on the document, reported by the runner
            doc.user_data[ERROR_KEY] = f"{self.name}: {type(exc).__name__}: {exc}"
            return doc

    def process(self, doc: Doc) -> Doc:
        raise NotImplementedError
