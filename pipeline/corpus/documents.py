"""Reading article text: bytes to ``str`` per the spec, with errors that name the byte."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import errors

BOM = "\ufeff"


# A document longer than this (in characters) is an error for that document (--max-chars).
MAX_CHARS = 10_000_000


@dataclass
class SourceDocument:
    """One article ready for the pipeline: its text, identity and focal pair."""

    doc_id: str
    text: str
    sha256: str
    source: str
    title: str | None = None
    author: str | None = None
    focal_actors: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)  # a JSONL line's other fields, as given
    date: str | None = None  # YYYY[-MM[-DD]]: the line's `date` (or `meta.date`), read


def decode(
    raw: bytes, path: str | Path, *, line: int | None = None, offset: int = 0, bom: bool = True
) -> str:
    """Decode UTF-8, dropping one leading byte-order mark (if ``bom``); nothing else is
    changed. A NUL byte or invalid UTF-8 is an error naming the file (and ``line``) and the
    byte offset, counted from ``offset``."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise errors.ClaimsError(errors.BINARY_FILE.format(offset=offset + nul), path, line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = errors.BAD_ENCODING.format(offset=offset + exc.start)
        raise errors.ClaimsError(msg, path, line) from None
    return text[1:] if bom and text.startswith(BOM) else text


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Turn the OS errors of reading ``path`` into one-line user errors naming it."""
    try:
        yield
    except FileNotFoundError:
        raise errors.ClaimsError(errors.MISSING_FILE, path) from None
    except IsADirectoryError:
        raise errors.ClaimsError(errors.IS_A_FOLDER, path) from None
    except OSError as exc:
        raise errors.ClaimsError(errors.CANNOT_READ.format(reason=exc.strerror), path) from None


def read_bytes(path: str | Path) -> bytes:
    """Read a file, turning OS errors into one-line user errors."""
    with reading(path):
        return Path(path).read_bytes()


def sha256_hex(raw: bytes) -> str:
    """Hex digest of a text file's bytes, as stored in documents.jsonl."""
    return hashlib.sha256(raw).hexdigest()


def load_text_file(path: str | Path, doc_id: str | None = None, **meta) -> SourceDocument:
    """Read one text file into a :class:`SourceDocument` (doc_id defaults to the file stem)."""
    raw = read_bytes(path)
    return SourceDocument(
        doc_id=doc_id or Path(path).stem,
        text=decode(raw, path),
        sha256=sha256_hex(raw),
        source=str(path),
        **meta,
    )
