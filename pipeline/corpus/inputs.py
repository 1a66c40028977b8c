"""The inputs of a run, read lazily: text files, folders and JSONL files of documents.

Inputs are text files (doc_id = file stem), folders (every ``*.txt`` below, sorted) and
JSONL files whose lines hold ``doc_id`` and ``text`` or ``path`` (relative to the JSONL
file) with optional ``title``, ``author``, ``focal_actors``, ``sha256`` and ``meta`` - so a
gold folder's ``documents.jsonl`` is a valid input. A line's other fields (a corpus's
``url``, ``date``, ``source``) are kept as the document's metadata and reach every record
as ``meta``; a ``date`` (or ``meta.date``) is also the document's date, read by
``dates.read_date`` (a value that is no date fails that line). Anything that cannot be
read - a missing or unreadable file or folder, a broken JSONL line, a ``sha256`` that does
not match, a doc_id seen before - becomes a :class:`Failure` for that input alone; reading
goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from .. import errors
from ..ids import ACTOR_RE, actor_type
from ..io import iter_jsonl_lenient, parse
from ..models import ActorId, DocId, Model, Sha256
from .documents import BOM, SourceDocument, load_text_file, sha256_hex


class InputDocument(Model):
    """One line of a JSONL input. Fields of its own (a corpus's "region", "date", "url")
    are kept on the document as ``metadata``, never rejected; ``meta`` may hold them too."""

    model_config = ConfigDict(extra="allow")

    doc_id: DocId
    text: str | None = None
    path: str | None = None
    title: str | None = None
    author: str | None = None
    focal_actors: list[ActorId] = Field(default_factory=list, max_length=2)
    sha256: Sha256 | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

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


# -- the focal pair -----------------------------------------------------------------------


def parse_focal(value: str | None) -> list[str]:
    """``"RUS,IRN"`` or ``"org:nato,RUS"`` to a list of two actor IDs.

    A bare code is a state and is upper-cased (``rus`` is RUS); a prefixed ID (``org:``,
    ``group:``, ``person:``) is taken as written. Malformed or unknown IDs, a count other
    than two and the same ID twice are user errors.
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
    """Every focal ID is a well-formed actor ID, a state ID is a known state, and the two
    IDs differ."""
    from ..gazetteer import load_gazetteer

    actors = load_gazetteer().actors
    for actor_id in ids:
        known_state = actors.get(actor_id, {}).get("type") == "state"
        if not ACTOR_RE.match(actor_id) or (actor_type(actor_id) == "state" and not known_state):
            msg = errors.UNKNOWN_FOCAL.format(actor_id=actor_id)
            raise errors.ClaimsError(msg, where, line)
    if len(ids) == 2 and ids[0] == ids[1]:
        raise errors.ClaimsError(errors.FOCAL_SAME.format(actor_id=ids[0]), where, line)


# -- reading inputs -----------------------------------------------------------------------


def iter_documents(
    inputs: Iterable[Path], allow_outside: bool = False
) -> Iterator[SourceDocument | Failure]:
    """Yield documents lazily from every input; unreadable ones, and a doc_id already
    seen in this run (the first place named), as failures. A JSONL line's ``path`` must
    lie below the JSONL file's folder unless ``allow_outside``."""
    seen: dict[str, str] = {}
    for item in iter_inputs(inputs, allow_outside):
        doc_id = item.doc_id if isinstance(item.doc_id, str) else None
        if doc_id is not None and doc_id in seen and isinstance(item, SourceDocument):
            msg = errors.DUPLICATE_INPUT.format(doc_id=doc_id, first=seen[doc_id])
            yield Failure(item.source, doc_id, f"{item.source}: {msg}")
            continue
        if doc_id is not None:
            seen.setdefault(doc_id, item.source)
        yield item


def iter_inputs(
    inputs: Iterable[Path], allow_outside: bool = False
) -> Iterator[SourceDocument | Failure]:
    for path in inputs:
        try:
            kind = "missing" if not path.exists() else "folder" if path.is_dir() else "file"
        except OSError as exc:
            msg = errors.CANNOT_READ.format(reason=exc.strerror)
            yield Failure(str(path), None, f"{path}: {msg}")
            continue
        if kind == "missing":
            yield Failure(str(path), None, f"{path}: {errors.MISSING_INPUT}")
        elif kind == "folder":
            yield from read_folder(path)
        elif path.suffix == ".jsonl":
            yield from read_jsonl(path, allow_outside)
        else:
            yield from read_one(path)


def read_folder(folder: Path) -> Iterator[SourceDocument | Failure]:
    """Every ``*.txt`` file below ``folder`` in path order; a subfolder that cannot be
    listed and an entry that is not a regular file are failures, never silence."""
    problems: list[OSError] = []
    files = []
    for root, _, names in os.walk(folder, onerror=problems.append):
        files.extend(Path(root) / name for name in names if name.endswith(".txt"))
    for exc in problems:
        where = exc.filename or folder
        msg = errors.CANNOT_READ_FOLDER.format(reason=exc.strerror)
        yield Failure(str(where), None, f"{where}: {msg}")
    for file in sorted(files):
        if file.is_file() or not file.exists():  # a dangling link: "file not found"
            yield from read_one(file)
        else:
            yield Failure(str(file), file.stem, f"{file}: {errors.NOT_REGULAR}")


def read_one(path: Path, **meta) -> Iterator[SourceDocument | Failure]:
    try:
        yield load_text_file(path, **meta)
    except errors.ClaimsError as exc:
        yield Failure(str(path), meta.get("doc_id") or path.stem, exc.message)


def read_jsonl(path: Path, allow_outside: bool = False) -> Iterator[SourceDocument | Failure]:
    """One document (or failure) per non-blank line; a broken line is reported and the
    lines after it are read on. A file that cannot be read is one failure."""
    try:
        for line, obj in iter_jsonl_lenient(path):
            yield read_line(path, line, obj, allow_outside)
    except errors.ClaimsError as exc:
        yield Failure(str(path), None, exc.message)


def read_line(
    path: Path, line: int, obj: dict | errors.ClaimsError, allow_outside: bool = False
) -> SourceDocument | Failure:
    """The document of one JSONL line, or the failure naming the file and line."""
    if isinstance(obj, errors.ClaimsError):
        return Failure(f"{path}:{line}", getattr(obj, "doc_id", None), obj.message)
    try:
        item = parse(InputDocument, obj, path, line)
        check_focal(item.focal_actors, str(path), line)
        metadata = line_metadata(item, path, line)
        fields = {
            "title": item.title,
            "author": item.author,
            "focal_actors": item.focal_actors,
            "metadata": metadata,
            "date": line_date(metadata, path, line),
        }
        if item.text is not None:
            return inline_document(item, path, line, fields)
        return document_at_path(item, path, line, fields, allow_outside)
    except errors.ClaimsError as exc:
        doc_id = obj.get("doc_id")
        return Failure(f"{path}:{line}", doc_id if isinstance(doc_id, str) else None, exc.message)


def line_metadata(item: InputDocument, path: Path, line: int) -> dict:
    """The line's ``meta`` object merged with its unknown fields (a key in both is an error)."""
    extra = dict(item.model_extra or {})
    clash = sorted(set(extra) & set(item.meta))
    if clash:
        raise errors.ClaimsError(errors.INPUT_META_CLASH.format(key=clash[0]), path, line)
    return {**item.meta, **extra}


def line_date(metadata: dict, path: Path, line: int) -> str | None:
    """The document's date from the line's ``date`` (or ``meta.date``), as YYYY[-MM[-DD]];
    a value that is no date is an error for that line (null is no date)."""
    from ..dates import read_date

    value = metadata.get("date")
    if value is None:
        return None
    found = read_date(value)
    if found is None:
        raise errors.ClaimsError(errors.INPUT_DATE.format(value=value), path, line)
    return found


def check_sha(expected: str | None, actual: str, what: str, path: Path, line: int) -> None:
    if expected is not None and expected != actual:
        msg = errors.INPUT_SHA_MISMATCH.format(what=what, actual=actual, expected=expected)
        raise errors.ClaimsError(msg, path, line)


def inline_document(item: InputDocument, path: Path, line: int, fields: dict) -> SourceDocument:
    """A line's ``text`` (its sha256 is of the text as UTF-8, a leading BOM included)."""
    digest = sha256_hex(item.text.encode("utf-8"))
    check_sha(item.sha256, digest, "the text", path, line)
    text = item.text.removeprefix(BOM)
    return SourceDocument(item.doc_id, text, digest, f"{path}:{line}", **fields)


def document_at_path(
    item: InputDocument, path: Path, line: int, fields: dict, allow_outside: bool = False
) -> SourceDocument:
    """The text file a line's ``path`` names, relative to the JSONL file; a problem with it
    names the JSONL file and line, the path as written and as resolved. Unless
    ``allow_outside``, the file must lie below the JSONL file's folder once every link is
    followed: a corpus from elsewhere reads no other file (``/etc/...``, ``../..``)."""
    target = path.parent / item.path
    if not allow_outside:
        check_inside(item.path, target, path, line)
    try:
        doc = load_text_file(target, doc_id=item.doc_id, **fields)
    except errors.ClaimsError as exc:
        resolved = os.path.abspath(target)
        msg = errors.INPUT_PATH.format(path=item.path, resolved=resolved, problem=exc.detail)
        raise errors.ClaimsError(msg, path, line) from None
    check_sha(item.sha256, doc.sha256, str(target), path, line)
    return doc


def check_inside(written: str, target: Path, jsonl: Path, line: int) -> None:
    """Raise unless ``target`` resolves (links followed) below the JSONL file's folder."""
    folder = os.path.realpath(jsonl.parent)
    resolved = os.path.realpath(target)
    if os.path.commonpath([folder, resolved]) != folder:
        msg = errors.INPUT_OUTSIDE.format(path=written, resolved=resolved, folder=folder)
        raise errors.ClaimsError(msg, jsonl, line)
