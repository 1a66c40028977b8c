"""Quotations attributed outside their claims (GUIDELINES G12.20).

Two layouts put the attribution of a quoted passage on a line of its own:

- a lead-in: a paragraph ending with a colon whose next paragraph opens a quotation ("A
  contemporary intelligence estimate ... opens as follows:" and the estimate's quoted
  paragraphs). The attribution is the lead-in's verb (its last sentence's root); its
  subject is the source, as for a verb of saying (G12.2).
- a trailer: a dash line after a paragraph that closes a quotation ("- Secretary Michael
  Pompeo, July 3, 2019"). The attribution is the name; a date after it dates the quoted
  claims.

A quotation opens with a curly opening quote and runs to its closing quote; a paragraph
that opens with a quote while one is open continues it (the multi-paragraph convention),
and a quotation left open runs to the end of the text (an excerpt). Certainty (reported),
source and time read the attributions from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from .. import dates
from ..extensions import doc_text
from .syntax import DEPS

OPEN, CLOSE = "\u201c", "\u201d"
PARAGRAPH_START = re.compile(r"(?:^|\n)[ \t\u2022\u00b7*-]*(?=\S)")
PAGE = r"(?:\[Page \d+\]\s*)?"
LEAD = re.compile(rf":[ \t]*\n\s*{PAGE}[ \t\u2022\u00b7*]*(?={OPEN})")
TRAILER = re.compile(
    rf"{CLOSE}[ \t]*\n\s*[\u2013\u2014]-?[ \t]*(?P<who>[A-Z][^,\n]{{2,80}}?)"
    r"(?:,[ \t]*(?P<date>[^\n]{4,30}?))?[ \t]*(?=\n|$)"
)


@dataclass(frozen=True)
class Attribution:
    """A quotation (document offsets, end exclusive) and what attributes it: the cue
    (a lead-in's verb or a trailer's name) and, for a trailer, its date and the date's
    offsets."""

    start: int
    end: int
    cue: tuple[int, int]
    kind: str  # "lead" or "trailer"
    date: str | None = None
    date_cue: tuple[int, int] | None = None

    def holds(self, offset: int) -> bool:
        return self.start <= offset < self.end


def attributions(doc: Doc) -> list[Attribution]:
    """The attributed quotations of a document, in text order."""
    text = doc_text(doc)
    if OPEN not in text:
        return []
    found = [lead(doc, text, m) for m in LEAD.finditer(text)]
    found += [trailer(text, m) for m in TRAILER.finditer(text)]
    return sorted((a for a in found if a is not None), key=lambda a: a.start)


def lead(doc: Doc, text: str, match: re.Match) -> Attribution | None:
    """A lead-in ending at ``match``'s colon, attributing the quotation after it."""
    colon = doc.char_span(match.start(), match.start() + 1, alignment_mode="expand")
    if colon is None:
        return None
    verb = colon.sent.root
    subject = any(c.dep_ in DEPS["subject"] for c in verb.children)
    if verb.pos_ not in {"VERB", "AUX"} or not subject:
        return None
    start = match.end()
    return Attribution(start, quotation_end(text, start), (verb.idx, verb.idx + len(verb)), "lead")


def quotation_end(text: str, start: int) -> int:
    """Where the quotation opening at ``start`` ends: after its closing quote; an opening
    quote at a paragraph's start continues it; an open quotation runs to the text's end."""
    starts = {m.end() for m in PARAGRAPH_START.finditer(text, start)}
    depth = 0
    for i in range(start, len(text)):
        char = text[i]
        if char == OPEN and not (depth and i in starts):
            depth += 1
        elif char == CLOSE:
            depth -= 1
            if depth <= 0:
                return i + 1
    return len(text)


def trailer(text: str, match: re.Match) -> Attribution | None:
    """A dash line after a closing quote, attributing the quotation it closes."""
    close = match.start()
    start = quotation_start(text, close)
    if start is None:
        return None
    who_start, who_end = match.span("who")
    date = dates.read_date(match["date"]) if match["date"] else None
    date_cue = match.span("date") if date else None
    if match["date"] and date is None:
        who_end = match.end("date")  # "- Ambassador X, Vienna": no date, all of it the name
    return Attribution(start, close + 1, (who_start, who_end), "trailer", date, date_cue)


def quotation_start(text: str, close: int) -> int | None:
    """The opening quote of the paragraph that ends with the closing quote at ``close``,
    back over the paragraphs before it that open with a quote and do not close one."""
    start = None
    end = close
    while True:
        paragraph = text.rfind("\n\n", 0, end)
        begin = paragraph + 2 if paragraph >= 0 else 0
        body = text[begin:end].lstrip(" \t\u2022\u00b7*-\n")
        if not body.startswith(OPEN):
            return start
        start = begin + text[begin:end].index(OPEN)
        if paragraph < 0 or text[:paragraph].rstrip().endswith(CLOSE):
            return start
        end = paragraph
