"""The gazetteer's binary form: what the pipeline loads at start instead of gazetteer.json.

``gazetteer.json`` (written by ``pipeline/tools/gazetteer.py``) is the reviewable source;
:func:`encode` turns its data into ``gazetteer.msgpack`` beside it (``make gazetteer`` writes
both, ``python -m pipeline.gazetteer`` rewrites the binary from the JSON alone). The binary
holds

- the actor and region entries and the surface patterns, each a msgpack record of its own,
  decoded when first read: a start reads one file and creates no object per entry;
- the phrase tables ``claims_mentions`` matches with: every pattern's words as spaCy
  string hashes (actor names in lower case, every other pattern as written, a demonym also
  in its -s plural), rows sorted by first word;
- the tables ``claims_names`` looks up: person names by their spelling-blind skeleton, and
  the state a state's name, demonym or seat stands for;
- the tables ``claims_actor_model`` links unlinked names with: every lower-cased spelling
  of an actor (name, alias, seat, demonym) and every person's surname, records as the
  entries are.

A gazetteer with a user's extension is encoded the same way when a pipeline is built with
it, and a saved pipeline stores that binary. The committed binary is checked against the
JSON by the tests (``test_gazetteer_store_matches_its_json``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy
import srsly
from srsly import msgpack

from ..ids import slugify

FORMAT = 2
STORE = Path(__file__).with_name("gazetteer.msgpack")
SOURCE = Path(__file__).with_name("gazetteer.json")
STATE_ROLES = {"state", "demonym", "seat"}
SPELLING_ROLES = {"actor", "state", "seat", "demonym"}
# A phrase table's arrays and their types (string hashes, row ends, pattern numbers).
PHRASE_ARRAYS = (
    ("firsts", "<u8"), ("words", "<u8"), ("word_ends", "<i8"), ("keys", "<i4"), ("key_ends", "<i8"),
)  # fmt: skip


# -- the keys the components use --------------------------------------------------------


def pattern_key(pattern: dict) -> str:
    """What a match of ``pattern`` resolves to: role, IDs, how and place (patterns of
    different spellings can share it)."""
    place = pattern.get("place") or ""
    return f"{pattern['role']}|{' '.join(pattern['ids'])}|{pattern['how']}|{place}"


def plural(demonym: str) -> str | None:
    """'Iranian' -> 'Iranians', 'Iraqi' -> 'Iraqis'; None where English has no -s plural."""
    return demonym + "s" if demonym[-1:] in {"n", "i"} else None


def skeleton(name: str) -> str:
    """A spelling-blind key for transliterated names: consonants only, doubled letters
    once ("Bashar al-Asad" and "Bashar al-Assad", "Mahmud Ahmadi-Nejad" and "Mahmoud
    Ahmadinejad" share one)."""
    letters = re.sub(r"[^a-z]", "", slugify(name).replace("-", ""))
    consonants = re.sub(r"[aeiouyhw]", "", letters)
    return re.sub(r"(.)\1+", r"\1", consonants)


def person_skeletons(actors: Mapping[str, dict]) -> dict[str, str | None]:
    """Skeleton of a person's name -> the person (None where two persons share one)."""
    found: dict[str, str | None] = {}
    for aid, actor in actors.items():
        if actor["type"] == "person":
            key = skeleton(actor["name"])
            found[key] = None if key in found else aid
    return found


def state_texts(patterns: Iterable[dict]) -> dict[str, str]:
    """The text of a state's name, demonym or seat -> the state (the first pattern wins)."""
    found: dict[str, str] = {}
    for pattern in patterns:
        if pattern["role"] in STATE_ROLES and len(pattern["ids"]) == 1:
            found.setdefault(pattern["text"], pattern["ids"][0])
    return found


def spellings(patterns: Iterable[dict]) -> dict[str, list[str]]:
    """Lower-cased spelling -> the actor IDs it names (names, aliases, seats, demonyms)."""
    found: dict[str, set[str]] = {}
    for pattern in patterns:
        if pattern["role"] in SPELLING_ROLES:
            found.setdefault(pattern["text"].lower(), set()).update(pattern["ids"])
    return {text: sorted(ids) for text, ids in found.items()}


def surnames(actors: Mapping[str, dict]) -> dict[str, list[str]]:
    """Lower-cased last word of a person's name -> the person IDs."""
    found: dict[str, set[str]] = {}
    for aid, actor in actors.items():
        if actor.get("type") == "person" and actor.get("name"):
            found.setdefault(actor["name"].split()[-1].lower(), set()).add(aid)
    return {word: sorted(ids) for word, ids in found.items()}


def phrase_rows(patterns: Sequence[dict]) -> tuple[list, list]:
    """(words, key) rows of the two phrase tables, in pattern order: actor names (matched
    in any case) and every other pattern. A row's key is the number of the last pattern
    with the same ``pattern_key``, the entry a match stands for."""
    last = {pattern_key(p): i for i, p in enumerate(patterns)}
    exact, folded = [], []
    for pattern in patterns:
        key = last[pattern_key(pattern)]
        rows = folded if pattern["role"] == "actor" else exact
        rows.append((pattern["tokens"], key))
        if pattern["role"] == "demonym" and (form := plural(pattern["text"])):
            rows.append(([*pattern["tokens"][:-1], plural(pattern["tokens"][-1]) or form], key))
    return exact, folded


# -- records ------------------------------------------------------------------------------


class Blobs:
    """msgpack records in one bytes object, each decoded when first read (and kept)."""

    def __init__(self, data: bytes, ends: numpy.ndarray) -> None:
        self.data, self.ends = data, ends
        self.decoded: dict[int, object] = {}

    @classmethod
    def build(cls, records: Iterable) -> Blobs:
        packer = msgpack.Packer(use_bin_type=True)
        parts = [packer.pack(record) for record in records]
        return cls(b"".join(parts), numpy.cumsum([len(p) for p in parts], dtype="<i8"))

    def to_dict(self) -> dict[str, bytes]:
        return {"data": self.data, "ends": self.ends.astype("<i8").tobytes()}

    @classmethod
    def from_dict(cls, saved: dict) -> Blobs:
        return cls(saved["data"], numpy.frombuffer(saved["ends"], dtype="<i8"))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int):
        found = self.decoded.get(i)
        if found is None:
            start = int(self.ends[i - 1]) if i else 0
            raw = self.data[start : int(self.ends[i])]
            found = self.decoded[i] = msgpack.unpackb(raw, raw=False, object_pairs_hook=dict)
        return found


class Records(Mapping):
    """ID -> entry (actors, regions; a spelling -> its actor IDs), each entry decoded when
    first read, the IDs themselves when first looked up."""

    def __init__(self, keys: bytes, blobs: Blobs) -> None:
        self.raw_ids = keys  # the IDs, UTF-8, one per line
        self.blobs = blobs

    @classmethod
    def build(cls, table: Mapping[str, object]) -> Records:
        if any("\n" in key for key in table):
            raise ValueError("an ID with a line break")
        return cls("\n".join(table).encode("utf-8"), Blobs.build(table.values()))

    def to_dict(self) -> dict:
        return {"keys": self.raw_ids, **self.blobs.to_dict()}

    @classmethod
    def from_dict(cls, saved: dict) -> Records:
        return cls(saved["keys"], Blobs.from_dict(saved))

    @cached_property
    def ids(self) -> list[str]:
        return self.raw_ids.decode("utf-8").split("\n") if self.raw_ids else []

    @cached_property
    def at(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.ids)}

    def __getitem__(self, key: str) -> dict:
        return self.blobs[self.at[key]]

    def __contains__(self, key) -> bool:
        return key in self.at

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class Patterns(Sequence):
    """The surface patterns in order, each decoded when first read."""

    def __init__(self, blobs: Blobs) -> None:
        self.blobs = blobs

    @classmethod
    def build(cls, patterns: Iterable[dict]) -> Patterns:
        return cls(Blobs.build(patterns))

    def to_dict(self) -> dict:
        return self.blobs.to_dict()

    @classmethod
    def from_dict(cls, saved: dict) -> Patterns:
        return cls(Blobs.from_dict(saved))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.blobs[n] for n in range(*i.indices(len(self)))]
        n = len(self.blobs.ends)
        if not -n <= i < n:
            raise IndexError(i)
        return self.blobs[i % n]

    def __iter__(self) -> Iterator[dict]:
        return (self.blobs[i] for i in range(len(self)))

    def __len__(self) -> int:
        return len(self.blobs)


# -- phrase tables ------------------------------------------------------------------------


class PhraseTable:
    """Exact token-sequence lookup over spaCy string hashes, case-sensitive (ORTH) or on
    lower-case forms (LOWER): what a ``PhraseMatcher`` does for the gazetteer, held in a few
    arrays.

    Row ``r`` has the words ``words[word_ends[r-1]:word_ends[r]]`` and the keys
    ``keys[key_ends[r-1]:key_ends[r]]``; rows are sorted by first word (``firsts``), rows of
    one first word kept in the order they were added. Matching looks every token of a Doc
    up in ``firsts`` at once, then compares the rows of the tokens found; the rows of a
    first word are read from the arrays when a Doc first has it.
    """

    def __init__(self, attr: str, arrays: dict[str, numpy.ndarray]) -> None:
        self.attr = attr
        self.arrays = arrays
        self.firsts = arrays["firsts"]
        self.rows_at: dict[int, dict] = {}  # first row of a first word -> its rows (``rows``)

    @classmethod
    def build(cls, attr: str, rows: Iterable[tuple[list[str], int]]) -> PhraseTable:
        """The table of (words, key) rows; a key repeated for the same words counts once."""
        from spacy.strings import get_string_id

        table: dict[tuple[int, ...], list[int]] = {}
        for words, key in rows:
            if attr == "LOWER":
                words = [word.lower() for word in words]
            keys = table.setdefault(tuple(get_string_id(word) for word in words), [])
            if key not in keys:
                keys.append(key)
        ordered = sorted(table.items(), key=lambda row: row[0][0])  # stable: added order kept
        columns = {
            "firsts": [ids[0] for ids, _ in ordered],
            "words": [word for ids, _ in ordered for word in ids],
            "word_ends": numpy.cumsum([len(ids) for ids, _ in ordered]),
            "keys": [key for _, keys in ordered for key in keys],
            "key_ends": numpy.cumsum([len(keys) for _, keys in ordered]),
        }
        arrays = {n: numpy.asarray(columns[n], dtype=t) for n, t in PHRASE_ARRAYS}
        return cls(attr, arrays)

    def to_dict(self) -> dict:
        return {"attr": self.attr, **{n: self.arrays[n].tobytes() for n, _ in PHRASE_ARRAYS}}

    @classmethod
    def from_dict(cls, saved: dict) -> PhraseTable:
        arrays = {n: numpy.frombuffer(saved[n], dtype=t) for n, t in PHRASE_ARRAYS}
        return cls(saved["attr"], arrays)

    def rows(self, lo: int, hi: int) -> dict[int, dict[tuple[int, ...], tuple[int, tuple]]]:
        """The rows ``lo`` to ``hi`` (the rows of one first word) by length, then by words:
        (row number, keys)."""
        found = self.rows_at.get(lo)
        if found is None:
            found = self.rows_at[lo] = {}
            for r in range(lo, hi):
                words = self.cells("words", "word_ends", r)
                found.setdefault(len(words), {})[words] = (r, self.cells("keys", "key_ends", r))
        return found

    def cells(self, column: str, ends: str, row: int) -> tuple[int, ...]:
        end = self.arrays[ends]
        start = int(end[row - 1]) if row else 0
        return tuple(self.arrays[column][start : int(end[row])].tolist())

    def __call__(self, doc) -> list[tuple[int, int, int]]:
        """(key, start, end) of every match, overlapping ones included, by start."""
        if not len(doc) or not len(self.firsts):
            return []
        column = doc.to_array(self.attr)
        lo = numpy.searchsorted(self.firsts, column, side="left")
        hi = numpy.searchsorted(self.firsts, column, side="right")
        words = column.tolist()
        found = []
        for start in numpy.flatnonzero(hi > lo).tolist():
            rows = self.rows(int(lo[start]), int(hi[start]))
            hits = []
            for length, by_words in rows.items():
                hit = by_words.get(tuple(words[start : start + length]))
                if hit is not None:
                    hits.append((hit[0], start + length, hit[1]))
            for _, end, keys in sorted(hits):
                found.extend((key, start, end) for key in keys)
        return found


@dataclass(frozen=True)
class Indexes:
    """The lookups the components read from a gazetteer (see the module's docstring)."""

    exact: PhraseTable
    folded: PhraseTable
    skeletons: dict[str, str | None]
    state_texts: dict[str, str]
    spellings: Records
    surnames: Records

    @classmethod
    def build(cls, actors: Mapping[str, dict], patterns: Sequence[dict]) -> Indexes:
        exact, folded = phrase_rows(patterns)
        return cls(
            exact=PhraseTable.build("ORTH", exact),
            folded=PhraseTable.build("LOWER", folded),
            skeletons=person_skeletons(actors),
            state_texts=state_texts(patterns),
            spellings=Records.build(spellings(patterns)),
            surnames=Records.build(surnames(actors)),
        )

    def to_dict(self) -> dict:
        return {
            "exact": self.exact.to_dict(),
            "folded": self.folded.to_dict(),
            "skeletons": self.skeletons,
            "state_texts": self.state_texts,
            "spellings": self.spellings.to_dict(),
            "surnames": self.surnames.to_dict(),
        }

    @classmethod
    def from_dict(cls, saved: dict) -> Indexes:
        return cls(
            exact=PhraseTable.from_dict(saved["exact"]),
            folded=PhraseTable.from_dict(saved["folded"]),
            skeletons=saved["skeletons"],
            state_texts=saved["state_texts"],
            spellings=Records.from_dict(saved["spellings"]),
            surnames=Records.from_dict(saved["surnames"]),
        )


# -- the file -----------------------------------------------------------------------------


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def build(data: Mapping, source: str) -> dict:
    """A gazetteer's parts (``actors``, ``regions``, ``patterns``, ``indexes``, ``source``)
    from its data (``actors``, ``regions`` and ``patterns`` as in gazetteer.json);
    ``source`` names what the data came from (a digest)."""
    patterns = list(data["patterns"])
    return {
        "actors": Records.build(data["actors"]),
        "regions": Records.build(data["regions"]),
        "patterns": Patterns.build(patterns),
        "indexes": Indexes.build(data["actors"], patterns),
        "source": source,
    }


def dumps(parts: Mapping) -> bytes:
    """The binary form of a gazetteer's parts (as :func:`build` returns them)."""
    saved = {name: parts[name].to_dict() for name in ("actors", "regions", "patterns", "indexes")}
    return srsly.msgpack_dumps({"format": FORMAT, "source": parts["source"], **saved})


def loads(raw: bytes) -> dict:
    """A gazetteer's parts from :func:`dumps`' bytes. Raises ``ValueError`` for anything
    else (another format, a damaged file)."""
    try:
        saved = srsly.msgpack_loads(raw)
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            raise ValueError(f"not a claims gazetteer binary of format {FORMAT}")
        return {
            "actors": Records.from_dict(saved["actors"]),
            "regions": Records.from_dict(saved["regions"]),
            "patterns": Patterns.from_dict(saved["patterns"]),
            "indexes": Indexes.from_dict(saved["indexes"]),
            "source": saved["source"],
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"damaged gazetteer binary ({type(exc).__name__}: {exc})") from None


def from_json(path: Path = SOURCE) -> bytes:
    """The binary form of a gazetteer.json file, its source named by the file's digest."""
    import json

    raw = path.read_bytes()
    return dumps(build(json.loads(raw), source=digest(raw)))


def write(path: Path = STORE, source: Path = SOURCE) -> Path:
    """Write the binary form of ``source`` (gazetteer.json) to ``path``, atomically."""
    from ..io import write_bytes_atomic

    return write_bytes_atomic(path, from_json(source))
