"""Where records go: stdout, or an output file that survives interruption and resumes.

Records are appended to ``OUT.partial`` one document at a time (one write, fsynced, then a
line in the ledger ``OUT.progress.jsonl``, fsynced, with the document's id, text hash, the
file size after it and the CRC-32 of its bytes). When the run completes, ``OUT.partial`` is
renamed to ``OUT`` and the ledger removed, so ``OUT`` appears whole or not at all.

``--resume`` verifies the ledger against ``OUT.partial`` entry by entry (offsets in order
and inside the file, each document's bytes matching its checksum), keeps the longest
consistent prefix, truncates ``OUT.partial`` to its end (dropping a torn tail; it never
writes past the end of the file) and skips every document in it. With the ledger lost, the
documents are rebuilt from ``OUT.partial``'s complete lines (all but the last document,
which runs again). Resuming from a finished ``OUT`` skips the documents it holds.
Failures go to ``OUT.errors.jsonl`` (doc_id, source, error), rewritten on each run.

A write that fails (disk full) is a one-line error; what was written stays resumable.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

from . import errors
from .models import ClaimRecord

BLOCK = 1 << 20


def sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def fsync(handle) -> None:
    handle.flush()
    os.fsync(handle.fileno())


class RecordSink:
    """Append records per document; track completed documents; rename at the end."""

    def __init__(self, output: str | Path, resume: bool = False) -> None:
        self.path = None if str(output) == "-" else Path(output)
        self.done: set[tuple[str, str]] = set()
        self.handle = self.ledger = self.errors = None
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.partial = sibling(self.path, ".partial")
        self.ledger_path = sibling(self.path, ".progress.jsonl")
        self.errors_path = sibling(self.path, ".errors.jsonl")
        with self.guard(self.partial):
            if resume:
                self.recover()
            else:
                self.partial.unlink(missing_ok=True)
                self.ledger_path.unlink(missing_ok=True)
            self.handle = open(self.partial, "ab")  # noqa: SIM115 - closed in close()
            self.ledger = open(self.ledger_path, "a", encoding="utf-8")  # noqa: SIM115
            self.errors = open(self.errors_path, "w", encoding="utf-8")  # noqa: SIM115

    # -- resume ---------------------------------------------------------------------------

    def recover(self) -> None:
        """Rebuild the set of completed documents from whichever state is consistent."""
        if self.partial.exists():
            if self.ledger_path.exists():
                entries, size = self.verified_ledger()
            else:
                entries, size = self.entries_from_partial()
            with open(self.partial, "r+b") as partial:
                partial.truncate(size)  # only ever shorter: size <= the file's length
                fsync(partial)
            self.write_ledger(entries)
        elif self.path.exists():
            entries = self.entries_from_output()
            shutil.copyfile(self.path, self.partial)  # streamed, not held in memory
            self.write_ledger(entries)
        else:
            self.ledger_path.unlink(missing_ok=True)  # a ledger without data: start afresh
            return
        self.done = {(entry["doc_id"], entry["sha256"]) for entry in entries}

    def verified_ledger(self) -> tuple[list[dict], int]:
        """The ledger's longest prefix that ``OUT.partial`` bears out, and where it ends."""
        entries, size = [], 0
        with open(self.partial, "rb") as partial:
            length = os.fstat(partial.fileno()).st_size
            for entry in read_ledger(self.ledger_path):
                offset = entry.get("offset")
                if not isinstance(offset, int) or not size <= offset <= length:
                    break
                if not bears_out(partial, size, offset, entry.get("crc32")):
                    break
                entries.append(entry)
                size = offset
        return entries, size

    def entries_from_partial(self) -> tuple[list[dict], int]:
        """Ledger entries rebuilt from the complete lines of ``OUT.partial``; the last
        document is left out (its records may be torn), so it runs again."""
        groups: list[dict] = []
        with open(self.partial, "rb") as partial:
            for key, start, end in document_spans(partial):
                groups.append({"doc_id": key[0], "sha256": key[1], "offset": end, "start": start})
            groups = groups[:-1]
            for entry in groups:
                entry["crc32"] = checksum(partial, entry.pop("start"), entry["offset"])
        return groups, groups[-1]["offset"] if groups else 0

    def entries_from_output(self) -> list[dict]:
        with open(self.path, "rb") as output:
            spans = list(document_spans(output))
            return [
                {"doc_id": d, "sha256": h, "offset": end, "crc32": checksum(output, start, end)}
                for (d, h), start, end in spans
            ]

    def write_ledger(self, entries: list[dict]) -> None:
        with open(self.ledger_path, "w", encoding="utf-8") as ledger:
            ledger.write("".join(json.dumps(entry) + "\n" for entry in entries))
            fsync(ledger)

    def is_done(self, doc_id: str, sha256: str) -> bool:
        return (doc_id, sha256) in self.done

    # -- writing --------------------------------------------------------------------------

    def guard(self, path: Path | None):
        return _WriteGuard(path)

    def write(self, doc_id: str, sha256: str, records: list[ClaimRecord | str]) -> None:
        """All of one document's records in one write, then its ledger line, each fsynced.

        Records come as models, or already serialised as JSON lines by a worker process.
        """
        data = "".join(r if isinstance(r, str) else r.model_dump_json() + "\n" for r in records)
        if self.handle is None:
            with self.guard(None):
                sys.stdout.write(data)
                sys.stdout.flush()
            return
        raw = data.encode("utf-8")
        with self.guard(self.partial):
            self.append(raw)
            entry = {"doc_id": doc_id, "sha256": sha256, "offset": self.handle.tell()}
            entry["crc32"] = zlib.crc32(raw)
            self.ledger.write(json.dumps(entry) + "\n")
            fsync(self.ledger)

    def append(self, raw: bytes) -> None:
        """One document's bytes onto ``OUT.partial``, on disk before its ledger line."""
        self.handle.write(raw)
        fsync(self.handle)

    def fail(self, doc_id: str | None, source: str, error: str) -> None:
        if self.errors is not None:
            with self.guard(self.errors_path):
                self.errors.write(
                    json.dumps({"doc_id": doc_id, "source": source, "error": error}) + "\n"
                )
                self.errors.flush()

    def close(self, complete: bool) -> None:
        """Close files; a complete run renames the partial output onto OUT. Closing after
        a failed write (a full disk) drops what could not be written, and says nothing:
        the error that stopped the run is the one to report."""
        for handle in (self.handle, self.ledger, self.errors):
            if handle is not None:
                try:
                    handle.close()
                except OSError:
                    complete = False
        if self.path is None:
            return
        if self.errors_path.exists() and self.errors_path.stat().st_size == 0:
            self.errors_path.unlink()
        if complete:
            with self.guard(self.path):
                os.replace(self.partial, self.path)
                self.ledger_path.unlink(missing_ok=True)


class _WriteGuard:
    """An OS error while writing becomes one line naming the file, exit code 2."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and issubclass(exc_type, OSError):
            reason = exc.strerror or str(exc)
            where = str(self.path) if self.path is not None else "stdout"
            raise errors.ClaimsError(errors.DISK_WRITE.format(reason=reason), where) from None


def read_ledger(path: Path) -> Iterator[dict]:
    """Ledger entries up to the first torn or malformed line (split on ``\\n`` only)."""
    with open(path, "rb") as ledger:
        for line in ledger:
            if not line.endswith(b"\n"):
                return
            try:
                entry = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return
            if not isinstance(entry, dict) or not {"doc_id", "sha256"} <= entry.keys():
                return
            yield entry


def bears_out(handle, start: int, end: int, crc: int | None) -> bool:
    """Whether bytes ``start:end`` are the document a ledger entry describes: its CRC-32,
    or, for a ledger written before checksums, that they end a line."""
    if crc is not None:
        return checksum(handle, start, end) == crc
    handle.seek(end - 1)
    return end == start or handle.read(1) == b"\n"


def checksum(handle, start: int, end: int) -> int:
    """CRC-32 of bytes ``start:end`` of an open binary file, read in blocks."""
    handle.seek(start)
    crc, left = 0, end - start
    while left > 0:
        block = handle.read(min(BLOCK, left))
        if not block:
            return -1
        crc = zlib.crc32(block, crc)
        left -= len(block)
    return crc


def document_spans(handle) -> Iterator[tuple[tuple[str, str], int, int]]:
    """((doc_id, sha256), start, end) of each run of complete record lines of one document,
    up to the first torn or unreadable line."""
    handle.seek(0)
    key, start, pos = None, 0, 0
    for line in handle:  # binary: split on b"\\n" only
        try:
            record = json.loads(line) if line.endswith(b"\n") else None
            this = (record["doc_id"], record["provenance"]["doc_sha256"])
        except (ValueError, TypeError, KeyError):
            break
        if this != key:
            if key is not None:
                yield key, start, pos
            key, start = this, pos
        pos += len(line)
    if key is not None:
        yield key, start, pos
