"""JSONL reading with line-numbered errors, model validation, and atomic writes."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from . import errors
from .documents import decode, read_bytes

M = TypeVar("M", bound=BaseModel)


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, object)`` for each non-blank line; bad JSON names file and line."""
    text = decode(read_bytes(path), path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            detail = f"{exc.msg} at column {exc.colno}"
            raise errors.ClaimsError(errors.BAD_JSON.format(detail=detail), path, number) from None
        if not isinstance(obj, dict):
            raise errors.ClaimsError(
                errors.BAD_RECORD.format(detail="expected a JSON object"), path, number
            )
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


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file and rename, so readers never see half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def dumps_jsonl(models: Iterable[BaseModel]) -> str:
    """Serialise models as JSON lines (UTF-8, no ASCII escaping)."""
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
