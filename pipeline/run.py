"""Running the pipeline: read inputs lazily, process in batches, stream records out.

Inputs are read by :mod:`pipeline.inputs` (text files, folders, JSONL files). A document
that cannot be read or processed becomes a :class:`Failure`; the others go on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import __version__, errors
from .components.base import ERROR_KEY
from .documents import SourceDocument
from .extensions import TEXT_KEY
from .inputs import (  # noqa: F401 - re-exported: callers import them from here
    Failure,
    InputDocument,
    check_focal,
    iter_documents,
    normalise_focal,
    parse_focal,
)
from .models import ClaimRecord, Provenance, records_from_doc


def chunks(text: str, limit: int) -> list[tuple[int, str]]:
    """Split ``text`` into (offset, chunk) pieces of at most ``limit`` characters,
    preferring paragraph breaks, then line breaks, then spaces."""
    out, start = [], 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        cut = cut + 1 if cut > 0 else limit
        out.append((start, text[start : start + cut]))
        start += cut
    out.append((start, text[start:]))
    return out


@dataclass
class _Pending:
    """A document in flight: its chunks' records arrive out of the pipe in order."""

    item: SourceDocument | Failure
    chunks: int = 0
    records: list[ClaimRecord] = field(default_factory=list)
    error: str | None = None


class Runner:
    """Holds the loaded pipeline and turns documents into claim records, streaming."""

    def __init__(self, model: str | None = None, focal: list[str] | None = None) -> None:
        from .nlp import model_id, shared_nlp

        self.nlp = shared_nlp(model)
        self.model_name, self.model_version = model_id(self.nlp)
        self.focal = focal or []

    def provenance(self, doc: SourceDocument) -> Provenance:
        return Provenance(
            doc_sha256=doc.sha256,
            pipeline_version=__version__,
            model_name=self.model_name,
            model_version=self.model_version,
        )

    def make_doc(self, text: str, focal: list[str]):
        doc = self.nlp.make_doc(text)
        doc.user_data[TEXT_KEY] = text  # saves components rebuilding Doc.text
        doc._.focal = list(focal) or None
        return doc

    def to_records(self, doc, source: SourceDocument, offset: int = 0) -> list[ClaimRecord]:
        return records_from_doc(
            doc,
            doc_id=source.doc_id,
            doc_sha256=source.sha256,
            provenance=self.provenance(source),
            offset=offset,
            meta=source.metadata,
        )

    def records(self, source: SourceDocument) -> list[ClaimRecord]:
        """Records of one document, in this process (chunked beyond max_length)."""
        for item, records in self.run([source]):
            if isinstance(item, Failure):
                raise errors.ClaimsError(item.error, item.source)
            return records
        return []

    def focal_for(self, source: SourceDocument, pieces: list[tuple[int, str]]) -> list[str]:
        """The focal pair; for a chunked document without one, detected on its first chunk."""
        focal = self.focal or source.focal_actors
        if not focal and len(pieces) > 1:
            from .nlp import run_until

            doc = run_until(self.nlp, self.make_doc(pieces[0][1], []), "claims_focal")
            focal = list(doc._.focal or [])
        return focal

    def run(
        self,
        items: Iterable[SourceDocument | Failure],
        batch_size: int = 16,
        n_process: int = 1,
    ) -> Iterator[tuple[SourceDocument | Failure, list]]:
        """Yield (document or failure, its records) in input order, as documents finish.

        In one process, one ``nlp.pipe`` streams over all documents; documents longer than
        ``max_length`` go through it in paragraph-bounded chunks. With ``n_process`` > 1,
        forked workers each run that on batches and send back records as JSON lines
        (``str``), so neither Docs nor validation cross process boundaries.
        """
        if n_process > 1:
            yield from self.run_parallel(items, batch_size, n_process)
            return
        pending: dict[int, _Pending] = {}
        order: list[int] = []  # indexes not yet emitted, in input order

        def feed():
            for index, item in enumerate(items):
                entry = pending[index] = _Pending(item)
                order.append(index)
                if isinstance(item, Failure):
                    continue
                if not item.text.strip():
                    warn(f"{item.source}: {errors.EMPTY_DOCUMENT}")
                    continue
                pieces = chunks(item.text, self.nlp.max_length)
                focal = self.focal_for(item, pieces)
                entry.chunks = len(pieces)
                for number, (offset, piece) in enumerate(pieces):
                    yield self.make_doc(piece, focal), (index, number, offset)

        def ready(upto: int):
            """Emit, in order, every document before input index ``upto``: the pipe keeps
            input order, so none of them has output still to come (a document whose chunks
            did not all come back was dropped by a failing model component)."""
            while order and order[0] < upto:
                entry = pending.pop(order.pop(0))
                item = entry.item
                if isinstance(item, SourceDocument) and (entry.error or entry.chunks):
                    message = entry.error or "processing failed in a model component"
                    yield Failure(item.source, item.doc_id, message), []
                else:
                    yield item, entry.records

        source = feed()
        while True:
            docs = self.nlp.pipe(source, as_tuples=True, batch_size=batch_size, n_process=n_process)
            try:
                for doc, (index, _, offset) in docs:
                    yield from ready(index)  # earlier ones are complete (or were dropped)
                    entry = pending[index]
                    error = doc.user_data.get(ERROR_KEY)
                    if error:
                        entry.error = entry.error or error
                    elif not entry.error:
                        try:
                            entry.records.extend(self.to_records(doc, entry.item, offset))
                        except Exception as exc:  # one bad document never stops a corpus
                            entry.error = f"records: {type(exc).__name__}: {exc}"
                    entry.chunks -= 1
                    if entry.chunks == 0:
                        yield from ready(index + 1)
                break
            except Exception as exc:  # a model component failed on a batch in flight
                message = f"model: {type(exc).__name__}: {exc}".splitlines()[0]
                for index in order:
                    if pending[index].chunks:
                        pending[index].error = pending[index].error or message
                yield from ready(max(order) + 1 if order else 0)
        yield from ready(sys.maxsize)

    def run_json(self, items: Iterable[SourceDocument | Failure]) -> Iterator[tuple]:
        """``run`` in this process with each record as a JSON line: what workers send back,
        so that neither Docs nor models cross process boundaries."""
        for item, records in self.run(items):
            yield item, [record.model_dump_json() + "\n" for record in records]

    def run_parallel(self, items, batch_size: int, n_process: int):
        """Tasks of documents to a pool of forked workers, results in input order.

        A task is a quarter of ``batch_size`` documents, so that a small input still
        reaches every worker and no worker idles long at the end; at most four tasks per
        worker are in flight, so a huge corpus is never read ahead."""
        import multiprocessing
        from collections import deque
        from itertools import islice

        global _WORKER_RUNNER
        _WORKER_RUNNER = self  # inherited by the forked workers: no model reload
        context = multiprocessing.get_context("fork")
        stream = iter(items)
        with context.Pool(n_process) as pool:
            waiting: deque = deque()
            task_size = max(1, batch_size // 4)
            while True:
                while len(waiting) < 4 * n_process:
                    batch = list(islice(stream, task_size))
                    if not batch:
                        break
                    waiting.append(pool.apply_async(_process_batch, (batch,)))
                if not waiting:
                    return
                yield from waiting.popleft().get()


_WORKER_RUNNER: Runner | None = None


def _process_batch(batch: list) -> list[tuple]:
    """In a worker: (document or failure, record JSON lines) for each item of a batch."""
    return list(_WORKER_RUNNER.run_json(batch))


def warn(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def predict_gold(gold, model: str | None = None):
    """Run the pipeline on every gold document (with its focal pair); return ClaimViews."""
    from .evaluate import ClaimView

    runner = Runner(model)
    sources = [
        SourceDocument(
            doc_id=doc.doc_id,
            text=gold.texts[doc.doc_id],
            sha256=doc.sha256,
            source=str(gold.folder / doc.path),
            title=doc.title,
            author=doc.author,
            focal_actors=list(doc.focal_actors),
        )
        for doc in gold.documents.values()
    ]
    views = []
    for item, records in runner.run(sources):
        if isinstance(item, Failure):
            raise errors.ClaimsError(item.error, item.source)
        views.extend(ClaimView.from_record(r) for r in records)
    return views
