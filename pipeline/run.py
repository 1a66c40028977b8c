"""Running the pipeline: read inputs lazily, process in batches, stream records out.

Inputs are text files (doc_id = file stem), folders (every ``*.txt`` below, sorted) and
JSONL files whose lines hold ``doc_id`` and ``text`` or ``path`` (relative to the JSONL
file) with optional ``title``, ``author``, ``focal_actors`` and ``sha256`` - so a gold
folder's ``documents.jsonl`` is a valid input. A document that cannot be read or processed
becomes a :class:`Failure`; the others go on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ConfigDict, Field, model_validator

from . import __version__, errors
from .components.base import ERROR_KEY
from .documents import SourceDocument, load_text_file
from .extensions import TEXT_KEY
from .ids import ACTOR_RE, actor_type
from .io import iter_jsonl, parse
from .records import ActorId, ClaimRecord, DocId, Model, Provenance, Sha256, records_from_doc


class InputDocument(Model):
    """One line of a JSONL input. Fields of its own (a corpus's "region", "date", "url")
    are kept on the document as ``metadata``, never rejected."""

    model_config = ConfigDict(extra="allow")

    doc_id: DocId
    text: str | None = None
    path: str | None = None
    title: str | None = None
    author: str | None = None
    focal_actors: list[ActorId] = Field(default_factory=list, max_length=2)
    sha256: Sha256 | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if (self.text is None) == (self.path is None):
            raise ValueError(errors.INPUT_LINE)
        return self


@dataclass
class Failure:
    """A document that could not be read or processed, and why (one line)."""

    source: str
    doc_id: str | None
    error: str


def parse_focal(value: str | None) -> list[str]:
    """``"RUS,IRN"`` or ``"org:nato,RUS"`` to a list of two actor IDs.

    A bare code is a state and is upper-cased (``rus`` is RUS); a prefixed ID (``org:``,
    ``group:``, ``person:``) is taken as written. Malformed or unknown IDs are user errors.
    """
    if not value:
        return []
    ids = [normalise_focal(part.strip()) for part in value.split(",") if part.strip()]
    check_focal(ids, "--focal")
    if len(ids) != 2:
        raise errors.ClaimsError(errors.FOCAL_COUNT)
    return ids


def normalise_focal(actor_id: str) -> str:
    """A state code in upper case; any other actor ID unchanged."""
    return actor_id if ":" in actor_id else actor_id.upper()


def check_focal(ids: list[str], where: str, line: int | None = None) -> None:
    """Every focal ID is a well-formed actor ID, and a state ID is a known state."""
    from .gazetteer import load_gazetteer

    actors = load_gazetteer().actors
    for actor_id in ids:
        known_state = actors.get(actor_id, {}).get("type") == "state"
        if not ACTOR_RE.match(actor_id) or (actor_type(actor_id) == "state" and not known_state):
            msg = errors.UNKNOWN_FOCAL.format(actor_id=actor_id)
            raise errors.ClaimsError(msg, where, line)


def iter_documents(inputs: Iterable[Path]) -> Iterator[SourceDocument | Failure]:
    """Yield documents lazily from every input; unreadable ones as failures."""
    for path in inputs:
        if not path.exists():
            yield Failure(str(path), None, f"{path}: {errors.MISSING_INPUT}")
        elif path.is_dir():
            try:
                files = sorted(p for p in path.rglob("*.txt") if p.is_file())
            except OSError as exc:
                yield Failure(str(path), None, f"{path}: cannot read folder: {exc.strerror}")
                continue
            for file in files:
                yield from read_one(file)
        elif path.suffix == ".jsonl":
            yield from read_jsonl(path)
        else:
            yield from read_one(path)


def read_one(path: Path, **meta) -> Iterator[SourceDocument | Failure]:
    try:
        yield load_text_file(path, **meta)
    except errors.ClaimsError as exc:
        yield Failure(str(path), meta.get("doc_id") or path.stem, exc.message)


def read_jsonl(path: Path) -> Iterator[SourceDocument | Failure]:
    lines = iter_jsonl(path)
    while True:
        try:
            line, obj = next(lines)
        except StopIteration:
            return
        except errors.ClaimsError as exc:  # a broken line ends the file: report it
            yield Failure(str(path), None, exc.message)
            return
        try:
            item = parse(InputDocument, obj, path, line)
            check_focal(item.focal_actors, str(path), line)
        except errors.ClaimsError as exc:
            yield Failure(f"{path}:{line}", obj.get("doc_id"), exc.message)
            continue
        meta = {"title": item.title, "author": item.author, "focal_actors": item.focal_actors}
        meta["metadata"] = dict(item.model_extra or {})
        if item.text is not None:
            from .documents import sha256_hex

            raw = item.text.encode("utf-8")
            text = item.text[1:] if item.text.startswith("\ufeff") else item.text
            yield SourceDocument(item.doc_id, text, sha256_hex(raw), f"{path}:{line}", **meta)
        else:
            yield from read_one(path.parent / item.path, doc_id=item.doc_id, **meta)


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
