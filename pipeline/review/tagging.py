"""Tags for a span the reviewer selected: the pipeline's own components run on it.

The document is processed once (the chunk holding the span, for a long one) with its
focal pair; the selection then becomes the Doc's only claim and the components that tag
claims (relations, certainty, stance) run again, so actors, regions, section, stance,
certainty and relations come from exactly the code ``claims run`` uses, and the record
from ``conversion.records_from_doc``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..components.base import ERROR_KEY
from ..corpus.documents import SourceDocument
from ..corpus.runner import chunks
from ..extensions import doc_text
from ..nlp import COMPONENTS, run_pipes
from ..textnorm import source_of
from .store import gold_from_record

# The components that read doc.spans["claims"]: every one after the actor resolver.
_NAMES = [name for name, _, _ in COMPONENTS]
CLAIM_COMPONENTS = tuple(_NAMES[_NAMES.index("claims_actors") + 1 :])
CACHED_DOCS = 4  # processed Docs kept for further selections


def untagged(doc_id: str, start: int, end: int, text: str) -> dict:
    """A claim with the span only (where the span cannot be tagged)."""
    return {
        "doc_id": doc_id, "start": start, "end": end, "text": text[start:end], "section": None,
        "actors": [], "regions": [], "stance": "neutral", "certainty": "asserted",
        "relations": [],
    }  # fmt: skip


class SpanTagger:
    """``tagger(source, start, end)``: the gold-format claim for a span, tagged."""

    def __init__(
        self, model: str | None = None, focal: dict[str, list[str]] | None = None, nlp=None
    ):
        self.model = model
        self.nlp = nlp  # the command's pipeline (None: the default one of ``model``)
        self.focal = focal or {}
        self.runner = None
        self.docs: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def doc_for(self, source: SourceDocument, start: int):
        """(offset, processed Doc) of the piece of ``source`` holding ``start``."""
        from ..corpus.runner import Runner

        if self.runner is None:
            self.runner = Runner(self.model, nlp=self.nlp)
        nlp = self.runner.nlp
        pieces = chunks(source.text, nlp.max_length)
        offset, piece = next((o, p) for o, p in reversed(pieces) if o <= start)
        key = (source.doc_id, source.sha256, offset)
        if key not in self.docs:
            focal = self.focal.get(source.doc_id) or source.focal_actors
            dating = self.runner.dating(source, pieces[0][1] if len(pieces) > 1 else None)
            self.docs[key] = nlp(self.runner.make_doc(piece, focal, dating))
            while len(self.docs) > CACHED_DOCS:
                self.docs.popitem(last=False)
        self.docs.move_to_end(key)
        return offset, self.docs[key]

    def __call__(self, source: SourceDocument, start: int, end: int) -> dict:
        with self.lock:
            offset, doc = self.doc_for(source, start)
            if doc.user_data.get(ERROR_KEY):
                return untagged(source.doc_id, start, end, source.text)
            local = (start - offset, end - offset)
            norm = source_of(doc)  # the Doc reads normalised text: its own offsets
            local = norm.inner(*local) if norm else (local[0], min(local[1], len(doc_text(doc))))
            span = doc.char_span(*local, "claim", alignment_mode="expand")  # tokens it touches
            if span is None or not len(span):
                return untagged(source.doc_id, start, end, source.text)
            return self.tag(doc, span, source, offset, (start, end))

    def tag(self, doc, span, source: SourceDocument, offset: int, selected) -> dict:
        """Make ``span`` the Doc's only claim, run the claim components, read the record."""
        span._.section = next(
            (s._.section for s in doc.spans.get("sections", []) if s.start <= span.start < s.end),
            None,
        )
        span._.sentence_index = sum(1 for s in doc.sents if s.start < span.start)
        doc.spans["claims"] = [span]
        doc = run_pipes(self.runner.nlp, doc, list(CLAIM_COMPONENTS))
        if doc.user_data.get(ERROR_KEY):
            doc.user_data.pop(ERROR_KEY)
            return untagged(source.doc_id, *selected, source.text)
        (record,) = self.runner.to_records(doc, source, offset)
        claim = gold_from_record(record)
        start, end = selected  # the reviewer's exact selection, tags of the tokens it covers
        return {**claim, "start": start, "end": end, "text": source.text[start:end]}
