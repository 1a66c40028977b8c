"""JSONL reading with line-numbered errors, model validation, and atomic writes.

JSON Lines are split on ``\\n`` only, as the format says: U+2028, U+2029 and U+0085 are
ordinary characters inside a JSON string (``str.splitlines`` would cut a line at each of
them). Writers escape those three (:func:`escape_separators`) so that any line-based tool
reads the project's files too. Reading streams the file, never holding it whole.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from . import errors
from .corpus.documents import decode, reading

M = TypeVar("M", bound=BaseModel)

# Characters str.splitlines() breaks on that JSON may hold unescaped inside a string (the
# others, \r \x0b \x0c \x1c-\x1e, are control characters every JSON writer escapes).
LINE_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"})
# A \uD800-\uDFFF escape: the line may hold a lone surrogate, which is not Unicode text.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def escape_separators(json_text: str) -> str:
    """``json_text`` with U+2028, U+2029 and U+0085 written as ``\\u`` escapes (the same
    JSON value: outside strings JSON cannot hold them). A text without them (nearly every
    one) is returned as it is: three substring searches cost far less than ``translate``."""
    if "\u2028" in json_text or "\u2029" in json_text or "\u0085" in json_text:
        return json_text.translate(LINE_SEPARATORS)
    return json_text


def json_line(obj) -> str:
    """One JSON line of ``obj`` (UTF-8 kept readable, line separators escaped), no newline."""
    return escape_separators(json.dumps(obj, ensure_ascii=False))


def split_jsonl(text: str) -> Iterator[tuple[int, str]]:
    """``(line_number, line)`` of JSON Lines text held in memory: split on ``\\n`` only,
    blank lines skipped (their numbers still counted)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line


def iter_raw_lines(path: str | Path) -> Iterator[tuple[int, int, bytes]]:
    """``(line_number, byte_offset, line)`` of a file, split on ``b"\\n"`` only, streamed.
    A file that cannot be opened or read is a one-line error naming it."""
    with reading(path), open(path, "rb") as handle:
        offset = 0
        for number, raw in enumerate(handle, start=1):
            yield number, offset, raw
            offset += len(raw)


def decode_line(raw: bytes, offset: int, path: str | Path, number: int) -> str:
    """One line as text; a NUL byte or invalid UTF-8 names the file, line and byte offset."""
    return decode(raw, path, line=number, offset=offset, bom=number == 1)


def json_object(line: str, path: str | Path, number: int) -> dict:
    """Parse one line as a JSON object; anything else names the file, line and column."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Invalid control character"):
            detail = control_character(line, exc.pos, exc.colno)
        else:  # json's messages end in "at" ("Unterminated string starting at"): drop it
            detail = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        raise errors.ClaimsError(errors.BAD_JSON.format(detail=detail), path, number) from None
    except RecursionError:
        detail = "nested too deeply"
        raise errors.ClaimsError(errors.BAD_JSON.format(detail=detail), path, number) from None
    if not isinstance(obj, dict):
        msg = errors.BAD_RECORD.format(detail="expected a JSON object")
        raise errors.ClaimsError(msg, path, number)
    found = lone_surrogate(obj) if SURROGATE_ESCAPE.search(line) else None
    if found is not None:
        field, index, char = found
        msg = errors.LONE_SURROGATE.format(field=field, index=index, char=char)
        error = errors.ClaimsError(msg, path, number)
        doc_id = obj.get("doc_id")
        error.doc_id = doc_id if isinstance(doc_id, str) and field != "doc_id" else None
        raise error
    return obj


def control_character(line: str, pos: int, column: int) -> str:
    """What to do about a raw control character inside a JSON string (a line break cuts
    the object in two: JSON Lines holds one object per line)."""
    char = line[pos] if pos < len(line) else "\n"
    if char in "\r\n":
        return (
            f"a line break inside a string at column {column}: each JSON object must be on "
            "one line, with line breaks in strings written as \\n"
        )
    escape = "\\t" if char == "\t" else f"\\u{ord(char):04x}"
    return (
        f"a raw control character U+{ord(char):04X} inside a string at column {column}: "
        f"write it as {escape}"
    )


def lone_surrogate(value, where: str = "") -> tuple[str, int, str] | None:
    """``(field, index, escape)`` of the first string in a JSON value holding a surrogate
    code point that is not part of a pair (keys included), else None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return where or "a string", exc.start, f"\\u{ord(value[exc.start]):04x}"
        return None
    if isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list):
        pairs = enumerate(value)
    else:
        return None
    for key, item in pairs:
        field = f"{where}.{key}" if where else str(key)
        found = lone_surrogate(key, f"a key in {where or 'the line'}")
        found = found or lone_surrogate(item, field)
        if found is not None:
            return found
    return None


def iter_jsonl_lenient(path: str | Path) -> Iterator[tuple[int, dict | errors.ClaimsError]]:
    """``(line_number, object)`` for each non-blank line, and ``(line_number, error)`` for
    a line that is not a JSON object, so that a caller can report it and read on.
    A file that cannot be read at all raises."""
    for number, offset, raw in iter_raw_lines(path):
        if not raw.strip():
            continue
        try:
            yield number, json_object(decode_line(raw, offset, path, number), path, number)
        except errors.ClaimsError as exc:
            yield number, exc


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, object)`` for each non-blank line; the first bad line is an
    error naming file and line."""
    for number, obj in iter_jsonl_lenient(path):
        if isinstance(obj, errors.ClaimsError):
            raise obj
        yield number, obj


def validation_summary(exc: ValidationError) -> str:
    """The first validation problem as ``field: message`` (one line)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "record"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def parse(model: type[M], obj: dict, path: str | Path, line: int) -> M:
    """Validate one JSON object against ``model``; errors name file and line."""
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        detail = validation_summary(exc)
        raise errors.ClaimsError(errors.BAD_RECORD.format(detail=detail), path, line) from None


def ensure_folder(path: str | Path) -> Path:
    """Make the folder ``path`` (and its parents); a file in the way, or a place that
    cannot be written, is a one-line error naming it."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise errors.ClaimsError(errors.NOT_A_FOLDER, path) from None
    except OSError as exc:
        raise errors.ClaimsError(errors.CANNOT_WRITE.format(reason=exc.strerror), path) from None
    return path


# What an existing output path is, when it is not a regular file (never followed).
SPECIAL_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_output(path: str | Path, hint: str = "") -> None:
    """Raise unless ``path`` is new or a regular file: an output is never written over (or
    through) a folder, symbolic link, FIFO, device or socket. ``hint`` ends the message."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return  # new (a file in the way of its folder is reported when it is made)
    except OSError as exc:
        raise errors.ClaimsError(errors.CANNOT_WRITE.format(reason=exc.strerror), path) from None
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in SPECIAL_KINDS if test(mode)), "not a file")
    raise errors.ClaimsError(errors.NOT_AN_OUTPUT.format(kind=kind) + hint, path)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` (UTF-8) as :func:`write_bytes_atomic` does."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file and rename, so readers never see half.

    An existing ``path`` that is not a regular file (:func:`check_output`), or a folder
    that cannot be made or written (missing parent, read-only, disk full), is a one-line
    error naming ``path``; an existing ``path`` is then left untouched.
    """
    path = Path(path)
    check_output(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except FileExistsError:  # a file where the folder of ``path`` should be
        reason = os.strerror(errno.ENOTDIR)
        raise errors.ClaimsError(errors.CANNOT_WRITE.format(reason=reason), path) from None
    except OSError as exc:
        raise errors.ClaimsError(errors.CANNOT_WRITE.format(reason=exc.strerror), path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise errors.ClaimsError(errors.CANNOT_WRITE.format(reason=exc.strerror), path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def dumps_jsonl(models: Iterable[BaseModel]) -> str:
    """Serialise models as JSON lines (UTF-8, no ASCII escaping; line separators escaped by
    ``Model.model_dump_json``)."""
    return "".join(m.model_dump_json() + "\n" for m in models)


class AtomicWriter:
    """Stream text to ``path`` through a temporary file renamed on success ('-': stdout).

    On an exception the temporary file is removed and an existing ``path`` is untouched.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = None if str(path) == "-" else Path(path)
        self.handle = None
        self.tmp: str | None = None

    def __enter__(self) -> AtomicWriter:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(
                dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
            )
            self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self

    def write(self, text: str) -> None:
        if self.handle is None:
            import sys

            sys.stdout.write(text)
        else:
            self.handle.write(text)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.handle is None:
            return
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        if exc_type is None:
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.path)
        else:
            Path(self.tmp).unlink(missing_ok=True)
