"""Where records go: stdout, or an output file that survives interruption and resumes.

``OUT`` and the files beside it are checked before anything is written: each must be new or
a regular file (never a folder, symbolic link, FIFO, device or socket), and ``OUT`` is
locked for the run (``OUT.lock``, an advisory lock the kernel drops with the process), so
a second run on the same output fails at once.

Records are appended to ``OUT.partial`` one document at a time (one write, fsynced, then a
line in the ledger ``OUT.progress.jsonl``, fsynced, with the document's id, text hash, the
file size after it and the CRC-32 of its bytes). The ledger's first line holds the settings
that shape records (pipeline version, model, focal pair, --date, config, lexicons, gazetteer
extension). When the run completes, ``OUT.partial`` is renamed to ``OUT`` and the ledger
removed, so ``OUT`` appears whole or not at all.

``--resume`` first compares the settings with the ledger's (or, with no ledger, with the
pipeline version and model the records' provenance names) and refuses other ones. It then
verifies the ledger against ``OUT.partial`` entry by entry (offsets in order and inside the
file, each document's bytes matching its checksum), keeps the longest consistent prefix,
truncates ``OUT.partial`` to its end (dropping a torn tail; it never writes past the end of
the file) and skips every document in it whose doc_id and text hash the inputs still have.
With the ledger lost, the documents are rebuilt from ``OUT.partial``'s complete lines (all
but the last document, which runs again). Resuming from a finished ``OUT`` skips the
documents it holds. A document of the earlier run whose text changed runs again; the
earlier records of a changed document, and those of a document no longer in the inputs,
are left out of ``OUT`` when the run completes. Failures go to ``OUT.errors.jsonl``
(doc_id, source, error), rewritten on each run.

A write that fails (disk full) is a one-line error; what was written stays resumable.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from .. import errors
from ..io import check_output
from ..models import ClaimRecord

BLOCK = 1 << 20


def sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def fsync(handle) -> None:
    handle.flush()
    os.fsync(handle.fileno())


class RecordSink:
    """Append records per document; track completed documents; rename at the end.

    ``RecordSink(OUT)`` checks the paths and locks ``OUT`` (nothing is written yet);
    :meth:`begin` recovers an earlier run's state (with ``resume``) or starts afresh.
    """

    def __init__(self, output: str | Path, resume: bool = False) -> None:
        self.path = None if str(output) == "-" else Path(output)
        self.resume = resume
        self.done: set[tuple[str, str]] = set()  # (doc_id, sha256) complete earlier
        self.unseen: set[tuple[str, str]] = set()  # of those, not (yet) met in the inputs
        self.done_ids: set[str] = set()
        self.present: set[str] = set()  # doc_ids of done documents met in the inputs
        self.handle = self.ledger = self.errors = self.lock = None
        if self.path is None:
            return
        self.partial = sibling(self.path, ".partial")
        self.ledger_path = sibling(self.path, ".progress.jsonl")
        self.errors_path = sibling(self.path, ".errors.jsonl")
        self.lock_path = sibling(self.path, ".lock")
        check_output(self.path, errors.STDOUT_HINT)
        for path in (self.partial, self.ledger_path, self.errors_path, self.lock_path):
            check_output(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = lock_output(self.lock_path, self.path)

    def begin(self, settings: dict[str, str] | None = None) -> RecordSink:
        """Recover the earlier run (``resume``; its settings must be ``settings``) or
        start afresh, and open the files."""
        if self.path is None:
            return self
        with self.guard(self.partial):
            if self.resume:
                entries = self.recover(settings)
            else:
                self.partial.unlink(missing_ok=True)
                entries = []
            self.write_ledger(entries, settings)
            self.done = {(entry["doc_id"], entry["sha256"]) for entry in entries}
            self.unseen = set(self.done)
            self.done_ids = {doc_id for doc_id, _ in self.done}
            self.handle = open(self.partial, "ab")  # noqa: SIM115 - closed in close()
            self.ledger = open(self.ledger_path, "a", encoding="utf-8")  # noqa: SIM115
            self.errors = open(self.errors_path, "w", encoding="utf-8")  # noqa: SIM115
        return self

    # -- resume ---------------------------------------------------------------------------

    def recover(self, settings: dict[str, str] | None) -> list[dict]:
        """The completed documents of whichever state is consistent, once the settings
        it was written with are known to be ``settings``."""
        if self.partial.exists():
            recorded = ledger_settings(self.ledger_path) or provenance_settings(self.partial)
            check_settings(recorded, settings, self.path)
            if self.ledger_path.exists():
                entries, size = self.verified_ledger()
            else:
                entries, size = self.entries_from_partial()
            with open(self.partial, "r+b") as partial:
                partial.truncate(size)  # only ever shorter: size <= the file's length
                fsync(partial)
            return entries
        if self.path.exists():
            check_settings(provenance_settings(self.path), settings, self.path)
            entries = self.entries_from_output()
            shutil.copyfile(self.path, self.partial)  # streamed, not held in memory
            return entries
        return []  # a ledger without data: start afresh

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

    def write_ledger(self, entries: list[dict], settings: dict[str, str] | None) -> None:
        lines = [{SETTINGS: settings}] if settings else []
        if not lines and not entries:
            self.ledger_path.unlink(missing_ok=True)  # opened afresh for appending
            return
        with open(self.ledger_path, "w", encoding="utf-8") as ledger:
            ledger.write("".join(json.dumps(line) + "\n" for line in [*lines, *entries]))
            fsync(ledger)

    def is_done(self, doc_id: str | None, sha256: str | None) -> bool:
        """Whether an input document (``sha256`` None: one that failed to read) is complete
        from an earlier run; notes it as an input, for :meth:`stale`."""
        if doc_id in self.done_ids:
            self.present.add(doc_id)
        key = (doc_id, sha256)
        if key in self.done:
            self.unseen.discard(key)
            return True
        return False

    def stale(self) -> tuple[list[str], list[str]]:
        """doc_ids of the documents done earlier that this run's inputs no longer hold as
        they were: (changed or failing now, no longer in the inputs)."""
        changed = sorted({d for d, _ in self.unseen if d in self.present})
        removed = sorted({d for d, _ in self.unseen if d not in self.present})
        return changed, removed

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
        """Close files; a complete run puts the partial output onto OUT and releases the
        lock. Closing after a failed write (a full disk) drops what could not be written,
        and says nothing: the error that stopped the run is the one to report."""
        for handle in (self.handle, self.ledger, self.errors):
            if handle is not None:
                try:
                    handle.close()
                except OSError:
                    complete = False
        if self.path is None:
            return
        try:
            if self.errors_path.exists() and self.errors_path.stat().st_size == 0:
                self.errors_path.unlink()
            if complete:
                with self.guard(self.path):
                    check_output(self.path, errors.STDOUT_HINT)
                    self.publish()
                    self.ledger_path.unlink(missing_ok=True)
        finally:
            self.release()

    def release(self) -> None:
        """Give up the lock on OUT (the lock file goes first, so no run locks a file that
        is about to disappear: see :func:`lock_output`)."""
        if self.lock is not None:
            self.lock_path.unlink(missing_ok=True)
            os.close(self.lock)
            self.lock = None

    def publish(self) -> None:
        """``OUT.partial`` becomes OUT; if documents of an earlier run are stale (changed,
        gone from the inputs), OUT is a copy without their records, renamed into place."""
        if not self.unseen:
            os.replace(self.partial, self.path)
            return
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "wb") as out, open(self.partial, "rb") as partial:
                for start, end in self.kept_spans():
                    copy_range(partial, out, start, end)
                fsync(out)
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.partial.unlink()

    def kept_spans(self) -> Iterator[tuple[int, int]]:
        """Byte ranges of ``OUT.partial`` of the documents that are not stale, from the
        ledger (written and closed by now)."""
        start = 0
        for entry in read_ledger(self.ledger_path):
            if (entry["doc_id"], entry["sha256"]) not in self.unseen and entry["offset"] > start:
                yield start, entry["offset"]
            start = entry["offset"]


def copy_range(source, dest, start: int, end: int) -> None:
    """Bytes ``start:end`` of an open binary file onto another, in blocks."""
    source.seek(start)
    left = end - start
    while left > 0:
        block = source.read(min(BLOCK, left))
        if not block:
            return
        dest.write(block)
        left -= len(block)


class _WriteGuard:
    """An OS error while writing becomes one line naming the file, exit code 2; a closed
    stdout is no error of the disk's and goes on as it is."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path is None and exc_type is not None and issubclass(exc_type, BrokenPipeError):
            return  # stdout's reader stopped (| head): click ends quietly, exit code 1
        if exc_type is not None and issubclass(exc_type, OSError):
            reason = exc.strerror or str(exc)
            where = str(self.path) if self.path is not None else "stdout"
            raise errors.ClaimsError(errors.DISK_WRITE.format(reason=reason), where) from None


SETTINGS = "settings"  # the key of the ledger's first line
SETTING_NAMES = {
    "pipeline": "claims version",
    "model": "model",
    "focal": "focal pair",
    "date": "--date",
    "config": "config",
    "lexicons": "lexicons",
    "gazetteer": "gazetteer extension",
}


def read_ledger(path: Path) -> Iterator[dict]:
    """Ledger entries up to the first torn or malformed line (split on ``\\n`` only); the
    settings line is not an entry."""
    with open(path, "rb") as ledger:
        for number, line in enumerate(ledger):
            if not line.endswith(b"\n"):
                return
            try:
                entry = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return
            if number == 0 and isinstance(entry, dict) and SETTINGS in entry:
                continue
            if not isinstance(entry, dict) or not {"doc_id", "sha256"} <= entry.keys():
                return
            yield entry


def ledger_settings(path: Path) -> dict | None:
    """The settings on the ledger's first line (None: no ledger, or one without them)."""
    try:
        with open(path, "rb") as ledger:
            first = json.loads(ledger.readline())
    except (OSError, ValueError):
        return None
    settings = first.get(SETTINGS) if isinstance(first, dict) else None
    return settings if isinstance(settings, dict) else None


def provenance_settings(path: Path) -> dict | None:
    """What the first record of a records file says of the settings: the pipeline
    version and the model (its provenance); None for no readable record."""
    try:
        with open(path, "rb") as handle:
            provenance = json.loads(handle.readline())["provenance"]
        model = f"{provenance['model_name']} {provenance['model_version']}"
        return {"pipeline": provenance["pipeline_version"], "model": model}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_settings(recorded: dict | None, current: dict | None, output: Path) -> None:
    """Refuse to resume a run made with other settings: one line naming each difference."""
    if not recorded or not current:
        return
    differences = [
        f"{SETTING_NAMES.get(key, key)} {recorded[key]} then, {current.get(key)} now"
        for key in recorded
        if key in current and recorded[key] != current[key]
    ]
    if differences:
        msg = errors.RESUME_SETTINGS.format(differences="; ".join(differences))
        raise errors.ClaimsError(msg, output)


def lock_output(lock_path: Path, output: Path) -> int | None:
    """An exclusive advisory lock on ``OUT.lock`` (None where there are no locks). A lock
    taken on a lock file that a finishing run removed meanwhile is dropped and taken
    again on the new file, so two runs never both hold OUT."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return None
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise errors.ClaimsError(errors.OUTPUT_IN_USE, output) from None
        try:
            if os.stat(lock_path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


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
