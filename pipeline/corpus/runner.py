"""Running the pipeline: read inputs lazily, process in batches, stream records out.

Inputs are read by :mod:`pipeline.corpus.inputs` (text files, folders, JSONL files). A document
that cannot be read or processed becomes a :class:`Failure`; the others go on.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from .. import errors
from ..components.base import ERROR_KEY
from ..conversion import records_from_doc
from ..models import ClaimRecord, Provenance
from ..textnorm import make_doc
from ..version import __version__
from .documents import MAX_CHARS, SourceDocument
from .inputs import Failure

# Documents longer than this go through the pipeline on their own, in paragraph-bounded
# chunks of at most this many characters (each a separate Doc, offsets stitched back), so
# peak memory follows the chunk size, not the document: about 3 KB per character of the
# Doc being processed (bench/huge.md).
CHUNK_CHARS = 50_000
ALONE_BATCH = 2  # chunks of one long document in flight together


def iter_chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """(offset, chunk) pieces of ``text`` of at most ``limit`` characters, lazily,
    preferring paragraph breaks, then line breaks, then spaces."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        cut = cut + 1 if cut > 0 else limit
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def chunks(text: str, limit: int) -> list[tuple[int, str]]:
    """All of :func:`iter_chunks` as a list."""
    return list(iter_chunks(text, limit))


def one_line(message: str) -> str:
    return message.splitlines()[0] if message else message


@dataclass
class _Pending:
    """A document in flight: done when every chunk fed has come back (or it failed)."""

    item: SourceDocument | Failure
    outstanding: int = 0  # chunks in the pipe, not yet back
    fed: bool = False  # no more chunks will be fed
    records: list = field(default_factory=list)
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.fed and not self.outstanding

    def fail(self, error: str) -> None:
        self.error = self.error or one_line(error)
        self.records = []
        self.fed, self.outstanding = True, 0

    def result(self) -> tuple[SourceDocument | Failure, list]:
        item = self.item
        if isinstance(item, SourceDocument) and self.error:
            return Failure(item.source, item.doc_id, f"{item.source}: {self.error}"), []
        return item, self.records


@dataclass
class _Piece:
    """What a Doc carries through ``nlp.pipe`` (its context): its document's entry and the
    offset of its text in the document's, so the error handler fails the right document."""

    entry: _Pending
    offset: int = 0


def fail_document(name: str, proc, docs: list, exc: Exception) -> None:
    """The runner's spaCy error handler (``nlp.set_error_handler``).

    A component's error on one Doc is recorded on it (``doc.user_data[ERROR_KEY]``, a line
    naming the component) and, for a Doc the runner is piping, fails its document: in
    ``nlp.pipe`` spaCy drops the Doc. An error on a batch of Docs (a model component's
    ``pipe``) is raised again: the runner then retries each document of the batch alone."""
    if len(docs) != 1:
        raise exc
    (doc,) = docs
    message = describe(name, exc)
    doc.user_data[ERROR_KEY] = message
    piece = getattr(doc, "_context", None)
    if isinstance(piece, _Piece):
        piece.entry.fail(message)


def install_error_handler(nlp) -> None:
    """``nlp.set_error_handler(fail_document)``, skipping the pipes that cannot hold a
    handler: spaCy's parser and entity recognizer (Cython classes without a ``__dict__``)
    raise AttributeError there, and keep raising their errors, as ``fail_document`` does
    for a batch."""
    nlp.default_error_handler = fail_document
    for _, proc in nlp.pipeline:
        if hasattr(proc, "set_error_handler"):
            with contextlib.suppress(AttributeError):
                proc.set_error_handler(fail_document)


class _Flight:
    """The documents read and not yet emitted, by input index; emitted in input order."""

    def __init__(self) -> None:
        self.entries: dict[int, _Pending] = {}
        self.added = 0
        self.emitted = 0
        self.held: _Pending | None = None  # a long document, to be processed on its own

    def add(self, item: SourceDocument | Failure) -> _Pending:
        entry = self.entries[self.added] = _Pending(item)
        self.added += 1
        return entry

    def ready(self) -> Iterator[tuple[SourceDocument | Failure, list]]:
        """Every complete document at the head of the input order."""
        while self.emitted in self.entries and self.entries[self.emitted].complete:
            yield self.entries.pop(self.emitted).result()
            self.emitted += 1

    def in_flight(self) -> list[_Pending]:
        return [e for e in self.entries.values() if not e.complete and e is not self.held]


class Runner:
    """Holds the loaded pipeline and turns documents into claim records, streaming.

    Every failure of one document - reading it, ``make_doc``, the focal pass, a model
    component, building its records, or the worker process running it dying - becomes a
    :class:`Failure` for that document only; the others go on. A component's error reaches
    the runner through spaCy's error handler, which the runner installs on its pipeline
    (``fail_document``, ``install_error_handler``).
    """

    def __init__(
        self,
        model: str | None = None,
        focal: list[str] | None = None,
        max_chars: int = MAX_CHARS,
        chunk_chars: int = CHUNK_CHARS,
        nlp=None,
        date: str | None = None,
    ) -> None:
        from ..components.base import gazetteer_of
        from ..nlp import model_id, shared_nlp

        self.nlp = nlp if nlp is not None else shared_nlp(model)
        install_error_handler(self.nlp)
        self.gazetteer = gazetteer_of(self.nlp)
        self.model_name, self.model_version = model_id(self.nlp)
        self.focal = focal or []
        self.date = date  # --date: the date of documents whose input gives none
        self.max_chars = max_chars
        self.chunk_chars = chunk_chars

    @property
    def chunk_limit(self) -> int:
        """Longer documents go through the pipeline on their own, in chunks of this size."""
        return max(1, min(self.chunk_chars, self.nlp.max_length))

    def settings(self) -> dict[str, str]:
        """What shapes the records besides the text, which a resumable run records and
        ``--resume`` compares: the claims and model versions, the focal pair, and digests
        of the pipeline's config, lexicons and gazetteer extension."""
        from ..nlp import fingerprint

        return {
            "pipeline": __version__,
            "model": f"{self.model_name} {self.model_version}",
            "focal": ",".join(self.focal) or "per document",
            "date": self.date or "per document",
            **fingerprint(self.nlp),
        }

    def provenance(self, doc: SourceDocument) -> Provenance:
        return Provenance(
            doc_sha256=doc.sha256,
            pipeline_version=__version__,
            model_name=self.model_name,
            model_version=self.model_version,
        )

    def make_doc(self, text: str, focal: list[str], dating: tuple = (None, None)):
        """A Doc of ``text`` as the pipeline reads it (``textnorm``: offsets map back), with
        the document's (date, where it comes from) if known."""
        return make_doc(self.nlp, text, focal, *dating)

    def dating(self, source: SourceDocument, first_chunk: str | None = None) -> tuple:
        """(date, where it comes from) of a document: its input's, else --date; for a
        chunked document without either, a dateline or estimate number of its first chunk
        (else the pipeline's claims_dates reads each Doc); (None, None) if none."""
        from ..components.dates import DateFinder

        if source.date:
            return source.date, "input"
        if self.date:
            return self.date, "option"
        finder = next((p for _, p in self.nlp.pipeline if isinstance(p, DateFinder)), None)
        if first_chunk is not None and finder is not None:
            return finder.finder.detect(first_chunk) or (None, None)
        return None, None

    def to_records(self, doc, source: SourceDocument, offset: int = 0) -> list[ClaimRecord]:
        return records_from_doc(
            doc,
            doc_id=source.doc_id,
            doc_sha256=source.sha256,
            provenance=self.provenance(source),
            gazetteer=self.gazetteer,
            offset=offset,
            meta=source.metadata,
        )

    def records(self, source: SourceDocument) -> list[ClaimRecord]:
        """Records of one document, in this process (chunked beyond ``chunk_limit``)."""
        for item, records in self.run([source]):
            if isinstance(item, Failure):
                raise errors.ClaimsError(item.error)
            return records
        return []

    def focal_for(self, source: SourceDocument, first_chunk: str | None = None) -> list[str]:
        """The focal pair: --focal, else the document's own; for a chunked document without
        one, detected on its first chunk (else the stance component detects it per Doc)."""
        focal = self.focal or source.focal_actors
        if not focal and first_chunk is not None:
            from ..nlp import run_until

            doc = run_until(self.nlp, self.make_doc(first_chunk, []), "claims_focal")
            focal = list(doc._.focal or [])
        return focal

    def run(
        self,
        items: Iterable[SourceDocument | Failure],
        batch_size: int = 16,
        n_process: int = 1,
    ) -> Iterator[tuple[SourceDocument | Failure, list]]:
        """Yield (document or failure, its records) in input order, as documents finish.

        In one process, one ``nlp.pipe`` streams over the documents (records as models);
        a document longer than ``chunk_limit`` goes through the pipeline on its own, in
        paragraph-bounded chunks, so memory follows the chunk size, not the document's.
        With ``n_process`` > 1, forked workers each load the pipeline saved to a temporary
        folder and run that on tasks of documents, sending back records as JSON lines
        (``str``), so neither Docs nor validation cross process boundaries.
        """
        if n_process > 1:
            yield from self.run_parallel(items, batch_size, n_process)
        else:
            yield from self.run_local(items, batch_size)

    def run_json(self, items: Iterable[SourceDocument | Failure], batch_size: int = 16):
        """``run_local`` with each record as a JSON line, serialised as each chunk finishes:
        what workers send back, and what a long document keeps while it runs."""
        return self.run_local(items, batch_size, as_json=True)

    # -- one process: feeding, collecting, in-order emission, retries ------------------

    def run_local(self, items, batch_size: int = 16, as_json: bool = False):
        """Stream ``items`` through ``nlp.pipe`` in segments: a segment ends at a long
        document, which then runs on its own before the next segment starts."""
        flight = _Flight()
        stream = iter(items)
        while True:
            yield from self._pipe(self._feed(stream, flight), flight, batch_size, as_json)
            yield from flight.ready()
            held, flight.held = flight.held, None
            if held is None:
                return
            self._alone(held, as_json)
            yield from flight.ready()

    def _admit(self, entry: _Pending) -> bool:
        """Whether a document goes into the pipeline; if not, it is complete (empty, a
        read failure) or failed (too long)."""
        item = entry.item
        if isinstance(item, Failure):
            entry.fed = True
            return False
        if len(item.text) > self.max_chars:
            entry.fail(errors.TOO_LONG.format(chars=len(item.text), limit=self.max_chars))
            return False
        if not item.text.strip():
            warn(f"{item.source}: {errors.EMPTY_DOCUMENT}")
            entry.fed = True
            return False
        return True

    def _feed(self, stream: Iterator, flight: _Flight) -> Iterator[tuple]:
        """(Doc, entry) for each document short enough for the shared pipe; stops at a
        long one (``flight.held``). A document that cannot be made a Doc fails alone."""
        for item in _guarded(stream):
            entry = flight.add(item)
            if not self._admit(entry):
                continue
            if len(item.text) > self.chunk_limit:
                flight.held = entry
                return
            try:
                doc = self.make_doc(item.text, self.focal_for(item), self.dating(item))
            except Exception as exc:  # one bad document never stops a corpus
                entry.fail(describe("input", exc))
                continue
            entry.fed, entry.outstanding = True, 1
            yield doc, _Piece(entry)

    def _pipe(self, feed: Iterator, flight: _Flight, batch_size: int, as_json: bool):
        """Run the feed through ``nlp.pipe``; when a component raises on a batch, every
        document in flight is retried on its own, so only the one at fault fails."""
        while True:
            try:
                for doc, piece in self.nlp.pipe(feed, as_tuples=True, batch_size=batch_size):
                    self._collect(piece.entry, doc, piece.offset, as_json)
                    yield from flight.ready()
                return
            except Exception as exc:  # a component failed on a batch in flight
                message = describe("model", exc)
                for entry in flight.in_flight():
                    self._alone(entry, as_json, retry_of=message)
                yield from flight.ready()

    def _collect(self, entry: _Pending, doc, offset: int, as_json: bool) -> None:
        """A chunk's records onto its document (or the chunk's error)."""
        entry.outstanding = max(0, entry.outstanding - 1)
        if entry.error:  # an earlier chunk failed (``fail_document``)
            return
        try:
            records = self.to_records(doc, entry.item, offset)
        except Exception as exc:  # one bad document never stops a corpus
            entry.fail(describe("records", exc))
            return
        if as_json:
            entry.records.extend(record.model_dump_json() + "\n" for record in records)
        else:
            entry.records.extend(records)

    def _alone(self, entry: _Pending, as_json: bool, retry_of: str | None = None) -> None:
        """Run one document through the pipeline by itself, chunk by chunk in small
        batches; any exception fails that document only."""
        item = entry.item
        entry.records, entry.error, entry.outstanding, entry.fed = [], None, 0, True
        try:
            pieces = iter_chunks(item.text, self.chunk_limit)
            first = next(pieces)
            head = first[1] if len(item.text) > self.chunk_limit else None
            focal, dating = self.focal_for(item, head), self.dating(item, head)

            def docs():
                for offset, piece in itertools.chain([first], pieces):
                    entry.outstanding += 1
                    yield self.make_doc(piece, focal, dating), _Piece(entry, offset)

            for doc, piece in self.nlp.pipe(docs(), as_tuples=True, batch_size=ALONE_BATCH):
                self._collect(entry, doc, piece.offset, as_json)
        except Exception as exc:  # the document at fault: it alone fails
            entry.fail(describe("model", exc))
        if entry.outstanding:  # chunks that never came back
            entry.fail(retry_of or "processing failed in a model component")

    # -- worker processes: tasks, in-order results, a dead worker's documents retried ----

    def run_parallel(self, items, batch_size: int, n_process: int):
        """Tasks of documents to a pool of forked workers, results in input order.

        A task is a quarter of ``batch_size`` documents, so that a small input still
        reaches every worker and no worker idles long at the end; at most four tasks per
        worker are in flight, so a huge corpus is never read ahead. A worker that dies
        (killed, out of memory) breaks the pool: every task in flight is then retried one
        document at a time in a fresh worker, a document that kills that one too fails,
        and a new pool takes over. The workers load this runner's pipeline from a folder it
        is saved to for the run (``WorkerSpec``)."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="claims-pipeline-") as folder:
            self.nlp.to_disk(folder)
            spec = WorkerSpec(
                folder, tuple(self.focal), self.date, self.max_chars, self.chunk_chars
            )
            yield from self._run_pool(items, batch_size, n_process, spec)

    def _run_pool(self, items, batch_size: int, n_process: int, spec: WorkerSpec):
        tasks = _batches(iter(items), max(1, batch_size // 4))
        waiting: deque = deque()  # (task, future), in input order
        pool = _fork_pool(n_process)
        try:
            while True:
                _top_up(pool, tasks, waiting, 4 * n_process, spec)
                if not waiting:
                    return
                task, future = waiting.popleft()
                try:
                    yield from future.result()
                except Exception as exc:  # BrokenProcessPool: a worker died
                    warn(errors.WORKER_DIED.format(detail=describe("worker", exc)))
                    waiting.appendleft((task, future))
                    yield from self._recover_tasks(waiting, spec)
                    _close_pool(pool)
                    pool = _fork_pool(n_process)
        finally:
            _close_pool(pool)

    def _recover_tasks(self, waiting: deque, spec: WorkerSpec):
        """Results of the tasks in flight when the pool broke: those that finished as
        they are, the others document by document in a fresh one-worker pool."""
        single = _fork_pool(1)
        try:
            while waiting:
                task, future = waiting.popleft()
                if future.done() and not future.cancelled() and future.exception() is None:
                    yield from future.result()
                    continue
                for item in task:
                    result, single = _retry_alone(single, item, spec)
                    yield result
        finally:
            _close_pool(single)


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process runs: the pipeline saved in ``folder`` and the runner's
    settings."""

    folder: str
    focal: tuple[str, ...]
    date: str | None
    max_chars: int
    chunk_chars: int


@lru_cache(maxsize=1)
def worker_runner(spec: WorkerSpec) -> Runner:
    """The runner of a worker process, loaded once per process from ``spec``'s folder (a
    cache: the same spec gives the same runner)."""
    from pathlib import Path

    from ..nlp import load_saved

    nlp = load_saved(Path(spec.folder))
    return Runner(
        focal=list(spec.focal),
        max_chars=spec.max_chars,
        chunk_chars=spec.chunk_chars,
        nlp=nlp,
        date=spec.date,
    )


def _process_batch(spec: WorkerSpec, batch: list) -> list[tuple]:
    """In a worker: (document or failure, record JSON lines) for each item of a batch."""
    return list(worker_runner(spec).run_json(batch))


def _fork_pool(workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def _close_pool(pool) -> None:
    """Shut a pool down and wait for its workers to end. Not waiting leaves the pool's
    manager thread to stop them while the process exits; the ``claims`` script skips the
    interpreter's thread shutdown (cli.entry), and multiprocessing's exit hook then joins
    workers that may never get the stop message: the run hangs after it finished."""
    pool.shutdown(wait=True, cancel_futures=True)


def _batches(stream: Iterator, size: int) -> Iterator[list]:
    while batch := list(itertools.islice(stream, size)):
        yield batch


def _top_up(pool, tasks: Iterator[list], waiting: deque, limit: int, spec: WorkerSpec) -> None:
    while len(waiting) < limit:
        task = next(tasks, None)
        if task is None:
            return
        waiting.append((task, pool.submit(_process_batch, spec, task)))


def _retry_alone(pool, item, spec: WorkerSpec):
    """(result, pool) for one document run again on its own; if its worker dies again
    (or the task raises), the document fails and a fresh pool replaces the broken one."""
    if isinstance(item, Failure):
        return (item, []), pool
    try:
        return pool.submit(_process_batch, spec, [item]).result()[0], pool
    except Exception as exc:
        _close_pool(pool)
        detail = errors.WORKER_DIED.format(detail=describe("worker", exc))
        return (Failure(item.source, item.doc_id, f"{item.source}: {detail}"), []), _fork_pool(1)


def _guarded(stream: Iterator) -> Iterator:
    """The items of ``stream``; if reading it raises, a failure saying so ends it (the
    pipe around the feed must not take a reading error for a model's)."""
    while True:  # not ``yield from``: closing this generator must not close ``stream``
        try:
            item = next(stream)
        except StopIteration:
            return
        except Exception as exc:
            yield Failure("input", None, f"reading the input stopped: {describe('input', exc)}")
            return
        yield item


def describe(stage: str, exc: BaseException) -> str:
    """One line naming where and what: ``model: ValueError: ...``."""
    text = str(exc) or type(exc).__name__
    return one_line(f"{stage}: {type(exc).__name__}: {text}")


def warn(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def predict_records(gold, model: str | None = None, nlp=None, dates: bool = True):
    """Run the pipeline (``nlp``, else the shared one) on every gold document (with its
    focal pair and, unless ``dates`` is false, its date), as ``claims run`` does on the
    folder's documents.jsonl; return the claim records."""
    runner = Runner(model, nlp=nlp)
    sources = [
        SourceDocument(
            doc_id=doc.doc_id,
            text=gold.texts[doc.doc_id],
            sha256=doc.sha256,
            source=str(gold.folder / doc.path),
            title=doc.title,
            author=doc.author,
            focal_actors=list(doc.focal_actors),
            date=doc.date if dates else None,
        )
        for doc in gold.documents.values()
    ]
    out = []
    for item, records in runner.run(sources):
        if isinstance(item, Failure):
            raise errors.ClaimsError(item.error)
        out.extend(records)
    return out


def predict_gold(gold, model: str | None = None, nlp=None, dates: bool = True):
    """:func:`predict_records` as ClaimViews, what scoring compares."""
    from ..evaluation.scoring import ClaimView

    return [ClaimView.from_record(r) for r in predict_records(gold, model, nlp, dates)]
