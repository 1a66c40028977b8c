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
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, model_validator

from . import __version__, errors
from .documents import SourceDocument, load_text_file
from .io import iter_jsonl, parse
from .records import ClaimRecord, DocId, Model, Provenance, Sha256, StateId, records_from_doc


class InputDocument(Model):
    """One line of a JSONL input."""

    doc_id: DocId
    text: str | None = None
    path: str | None = None
    title: str | None = None
    author: str | None = None
    focal_actors: list[StateId] = Field(default_factory=list, max_length=2)
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
    """``"RUS,IRN"`` to ``["RUS", "IRN"]``; unknown state IDs are user errors."""
    if not value:
        return []
    from .gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    ids = [part.strip().upper() for part in value.split(",") if part.strip()]
    for actor_id in ids:
        if gazetteer.actors.get(actor_id, {}).get("type") != "state":
            raise errors.ClaimsError(errors.UNKNOWN_FOCAL.format(actor_id=actor_id))
    if len(ids) != 2:
        raise errors.ClaimsError("--focal takes two state IDs, e.g. RUS,IRN")
    return ids


def check_focal(ids: list[str], where: str, line: int | None = None) -> None:
    from .gazetteer import load_gazetteer

    states = load_gazetteer().actors
    for actor_id in ids:
        if states.get(actor_id, {}).get("type") != "state":
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


class Runner:
    """Holds the loaded pipeline and turns documents into claim records."""

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
        doc._.focal = list(focal) or None
        return doc

    def records(self, source: SourceDocument) -> list[ClaimRecord]:
        """Records of one document, chunked by paragraphs when it exceeds max_length."""
        focal = self.focal or source.focal_actors
        out: list[ClaimRecord] = []
        for offset, piece in chunks(source.text, self.nlp.max_length):
            doc = self.nlp(self.make_doc(piece, focal))
            focal = focal or list(doc._.focal or [])
            out.extend(self.to_records(doc, source, offset))
        return out

    def to_records(self, doc, source: SourceDocument, offset: int = 0) -> list[ClaimRecord]:
        return records_from_doc(
            doc,
            doc_id=source.doc_id,
            doc_sha256=source.sha256,
            provenance=self.provenance(source),
            offset=offset,
        )

    def run(
        self, items: Iterable[SourceDocument | Failure], batch_size: int = 16
    ) -> Iterator[tuple[SourceDocument | Failure, list[ClaimRecord]]]:
        """Yield (document or failure, its records) as each document finishes."""
        batch: list[SourceDocument] = []
        for item in items:
            if isinstance(item, Failure):
                yield from self.flush(batch)
                batch = []
                yield item, []
                continue
            if not item.text.strip():
                warn(f"{item.source}: {errors.EMPTY_DOCUMENT}")
                yield item, []
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                yield from self.flush(batch)
                batch = []
        yield from self.flush(batch)

    def flush(self, batch: list[SourceDocument]):
        """Process a batch with ``nlp.pipe``; if it fails, retry one by one to isolate."""
        if not batch:
            return
        short = [s for s in batch if len(s.text) <= self.nlp.max_length]
        try:
            docs = [self.make_doc(s.text, self.focal or s.focal_actors) for s in short]
            done = dict(zip((id(s) for s in short), self.nlp.pipe(docs), strict=True))
        except Exception:  # isolate the failing document below
            done = {}
        for source in batch:
            try:
                if id(source) in done:
                    yield source, self.to_records(done[id(source)], source)
                else:
                    yield source, self.records(source)
            except errors.ClaimsError as exc:
                yield Failure(source.source, source.doc_id, exc.message), []
            except Exception as exc:  # one bad document never stops a corpus
                message = f"{type(exc).__name__}: {exc}".splitlines()[0]
                yield Failure(source.source, source.doc_id, message), []


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
