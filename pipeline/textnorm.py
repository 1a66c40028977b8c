"""The text the pipeline reads: normalised for matching, every offset mapped back.

What a reader cannot see must not change the analysis: the components read the text in
Unicode NFC (a decomposed "Türkiye" is the precomposed one), without invisible format
characters (zero-width space, joiner and non-joiner, soft hyphen, a byte-order mark inside
the text, word joiner, bidirectional controls, tag characters: ``FORMAT``) and with
CR-only line ends read as LF. Each character of the normalised text knows the stretch of
the original it comes from, so every offset of a record is mapped back into the original
text (``text == original[start:end]``; a span never starts or ends on a character that was
left out). Text that is already normal, the usual case, is read as it is, without a map.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache

# Invisible format characters (Unicode category Cf, without the visible prepended marks
# such as U+0600-0605): ignored for matching.
FORMAT = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
LONE_CR = re.compile(r"\r(?!\n)")
EDITS = re.compile(f"{FORMAT.pattern}|{LONE_CR.pattern}")
NON_ASCII = re.compile(r"[^\x00-\x7f]+")
SOURCE_KEY = "claims.source"  # doc.user_data: the original text, where it differs


@dataclass(frozen=True)
class Normalised:
    """``text`` read from ``original``: character ``i`` of ``text`` comes from
    ``original[starts[i]:ends[i]]``."""

    original: str
    text: str
    starts: array
    ends: array

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the normalised span [start, end)."""
        if start >= end:
            at = self.starts[start] if start < len(self.text) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]

    def inner(self, start: int, end: int) -> tuple[int, int]:
        """The normalised offsets of the original span [start, end): the characters that
        come from inside it."""
        return bisect_left(self.starts, start), bisect_right(self.ends, end)


def needs_normalising(text: str) -> bool:
    return bool(EDITS.search(text)) or not unicodedata.is_normalized("NFC", text)


def normalise(text: str) -> Normalised | None:
    """``text`` as the pipeline reads it, with its map; None when it is already normal."""
    return _normalised(text) if needs_normalising(text) else None


@lru_cache(maxsize=8)  # a Doc's map is asked for again when its records are made
def _normalised(text: str) -> Normalised:
    edited, index = _edit(text)
    pieces, starts, ends = [], array("q"), array("q")
    for a, b, out in _nfc_pieces(edited):
        pieces.append(out)
        if len(out) == b - a:  # unchanged, or one character for one
            starts.extend(index[a:b])
            ends.extend(i + 1 for i in index[a:b])
        else:  # composed: every character stands for the whole stretch
            starts.extend([index[a]] * len(out))
            ends.extend([index[b - 1] + 1] * len(out))
    return Normalised(text, "".join(pieces), starts, ends)


def _edit(text: str) -> tuple[str, array]:
    """``text`` without format characters, lone CRs as LF; the original index of each
    character kept."""
    pieces, index, last = [], array("q"), 0
    for match in EDITS.finditer(text):
        pieces.append(text[last : match.start()])
        index.extend(range(last, match.start()))
        if match.group() == "\r":
            pieces.append("\n")
            index.append(match.start())
        last = match.end()
    pieces.append(text[last:])
    index.extend(range(last, len(text)))
    return "".join(pieces), index


def _nfc_pieces(text: str):
    """``(start, end, NFC of text[start:end])`` pieces covering ``text``, each as small as
    composition allows (a base character with its combining marks)."""
    last = 0
    for match in NON_ASCII.finditer(text):
        start = max(last, match.start() - 1)  # the base character a mark may follow
        if last < start:
            yield last, start, text[last:start]
        run = text[start : match.end()]
        if unicodedata.is_normalized("NFC", run):
            yield start, match.end(), run
        else:
            for a, b in _clusters(run):
                yield start + a, start + b, unicodedata.normalize("NFC", run[a:b])
        last = match.end()
    if last < len(text):
        yield last, len(text), text[last:]


def _clusters(run: str):
    """``(start, end)`` stretches of ``run`` that NFC composes independently: each starts at
    a character no earlier one can combine with."""
    start = 0
    for i in range(1, len(run)):
        if _starts_cluster(run[i]):
            yield start, i
            start = i
    yield start, len(run)


def _starts_cluster(char: str) -> bool:
    return (
        unicodedata.combining(char) == 0
        and unicodedata.is_normalized("NFC", char)
        and char not in _second_of_pairs()
    )


@cache
def _second_of_pairs() -> frozenset[str]:
    """Characters that compose with the one before them though they are starters (Hangul
    vowels and trailing consonants, some Indic vowel signs): the second of a canonical pair."""
    seconds = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    return frozenset(seconds)


# -- Docs ------------------------------------------------------------------------------------


def make_doc(
    nlp,
    text: str,
    focal: list[str] | None = None,
    date: str | None = None,
    date_source: str | None = None,
):
    """A Doc of ``text`` as the pipeline reads it (normalised), ready for ``nlp``; the
    original text is kept in ``user_data`` when it differs, for ``source_of``. ``date``
    (YYYY[-MM[-DD]]) is the document's date, ``date_source`` where it comes from."""
    from .extensions import TEXT_KEY, register_extensions

    register_extensions()
    norm = normalise(text)
    read = text if norm is None else norm.text
    doc = nlp.make_doc(read)
    doc.user_data[TEXT_KEY] = read  # saves components rebuilding Doc.text
    if norm is not None:
        doc.user_data[SOURCE_KEY] = text
    doc._.focal = list(focal or []) or None
    doc._.date, doc._.date_source = (date, date_source) if date else (None, None)
    return doc


def source_of(doc) -> Normalised | None:
    """The map of a Doc made by ``make_doc`` from text that was not normal (else None)."""
    original = doc.user_data.get(SOURCE_KEY)
    return normalise(original) if isinstance(original, str) else None


def original_text(doc) -> str:
    """The text a Doc was made from: the original of a normalised one, else its own."""
    from .extensions import doc_text

    original = doc.user_data.get(SOURCE_KEY)
    return original if isinstance(original, str) else doc_text(doc)
