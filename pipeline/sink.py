"""Where records go: stdout, or an output file that survives interruption and resumes.

Records are appended to ``OUT.partial`` one document at a time (one write, then a line in
the ledger ``OUT.progress.jsonl`` with the document's id, text hash and the file size
after it). When the run completes, ``OUT.partial`` is renamed to ``OUT`` and the ledger
removed, so ``OUT`` appears whole or not at all. ``--resume`` truncates ``OUT.partial``
to the end of the last document in the ledger (dropping a torn tail) and skips every
document listed there; resuming from a finished ``OUT`` skips the documents it holds.
Failures go to ``OUT.errors.jsonl`` (doc_id, source, error), rewritten on each run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .io import split_jsonl
from .models import ClaimRecord


def sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


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
        if resume:
            self.recover()
        else:
            self.partial.unlink(missing_ok=True)
            self.ledger_path.unlink(missing_ok=True)
        self.handle = open(self.partial, "ab")  # noqa: SIM115 - closed in close()
        self.ledger = open(self.ledger_path, "a", encoding="utf-8")  # noqa: SIM115
        self.errors = open(self.errors_path, "w", encoding="utf-8")  # noqa: SIM115

    def recover(self) -> None:
        """Rebuild the set of completed documents from the ledger or a finished output."""
        if self.ledger_path.exists() and self.partial.exists():
            size = 0
            with open(self.ledger_path, encoding="utf-8") as ledger:
                lines = [line for _, line in split_jsonl(ledger.read())]
            good = []
            for line in lines:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    break  # a torn last line
                good.append(line)
                self.done.add((entry["doc_id"], entry["sha256"]))
                size = entry["offset"]
            with open(self.partial, "r+b") as partial:
                partial.truncate(size)
            self.ledger_path.write_text("".join(x + "\n" for x in good), encoding="utf-8")
        elif self.path.exists():
            data = self.path.read_bytes()
            self.partial.write_bytes(data)
            entries = {}
            for _, line in split_jsonl(data.decode("utf-8")):
                record = json.loads(line)
                entries[(record["doc_id"], record["provenance"]["doc_sha256"])] = len(data)
            self.done = set(entries)
            self.ledger_path.write_text(
                "".join(
                    json.dumps({"doc_id": d, "sha256": h, "offset": n}) + "\n"
                    for (d, h), n in entries.items()
                ),
                encoding="utf-8",
            )

    def is_done(self, doc_id: str, sha256: str) -> bool:
        return (doc_id, sha256) in self.done

    def write(self, doc_id: str, sha256: str, records: list[ClaimRecord | str]) -> None:
        """All of one document's records in one write, then its ledger line.

        Records come as models, or already serialised as JSON lines by a worker process.
        """
        data = "".join(r if isinstance(r, str) else r.model_dump_json() + "\n" for r in records)
        if self.handle is None:
            sys.stdout.write(data)
            sys.stdout.flush()
            return
        self.handle.write(data.encode("utf-8"))
        self.handle.flush()
        entry = {"doc_id": doc_id, "sha256": sha256, "offset": self.handle.tell()}
        self.ledger.write(json.dumps(entry) + "\n")
        self.ledger.flush()

    def fail(self, doc_id: str | None, source: str, error: str) -> None:
        if self.errors is not None:
            self.errors.write(json.dumps({"doc_id": doc_id, "source": source, "error": error}))
            self.errors.write("\n")
            self.errors.flush()

    def close(self, complete: bool) -> None:
        """Close files; a complete run renames the partial output onto OUT."""
        for handle in (self.handle, self.ledger, self.errors):
            if handle is not None:
                handle.close()
        if self.path is None:
            return
        if self.errors_path.exists() and self.errors_path.stat().st_size == 0:
            self.errors_path.unlink()
        if complete:
            os.replace(self.partial, self.path)
            self.ledger_path.unlink(missing_ok=True)
