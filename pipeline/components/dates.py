"""The document's date where the input gives none: a dateline or an estimate number.

A date given with the document (the input line's ``date``, ``--date``, ``extract(date=)``)
is on the Doc before the pipeline runs and is kept. Otherwise the head of the text (the
first ``head_chars`` characters of dates.json) is read, as GUIDELINES G12 says a document's
date is found:

- a dateline: a date on a line of its own, after a place or not ("Washington, May 31,
  1962.", "April 14, 2021"): the date as precise as it is written;
- else a date after "dated" ("dated 17 June 1975"), where it is of the year of the
  estimate's number if there is one (not "supplements NIE 53-54, dated 19 October 1954");
- else an estimate's number ("NIE 34-61", "NIAM 36.7-73", "SNIE 14.2-68", "NI IIM
  78-10010"): its two-digit year only.

A date in the body of the text ("On March 3, 1969, Kissinger sent ...") is what a claim is
about, not when the document was written, and is not read here.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .. import dates
from ..extensions import doc_text, register_extensions
from .base import Component, Serialisable

DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
MONTH = f"(?i:{dates.MONTH_NAMES})"
# Month D, YYYY | D Month YYYY | Month YYYY (day and year may be wrapped onto the next line)
WRITTEN = (
    rf"(?:(?P<m1>{MONTH})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{MONTH})\.?,?\s+(?P<y2>\d{{4}})"
    rf"|(?P<m3>{MONTH})\.?,?\s+(?P<y3>\d{{4}}))"
)
# A line holding only a date, after a place and a comma or not ("Washington, May 31, 1962.")
DATELINE = re.compile(
    rf"(?:^|\n)[^\S\n]*(?:[A-Z][\w.'\u2019 -]{{1,40}},\s*)?{WRITTEN}\.?[^\S\n]*(?=\n|$)"
)


def written_date(match: re.Match) -> str | None:
    """The ``YYYY[-MM[-DD]]`` date of a :data:`WRITTEN` match."""
    found = {k: v for k, v in match.groupdict().items() if v}
    month = next(v for k, v in found.items() if k.startswith("m"))
    day = next((v for k, v in found.items() if k.startswith("d")), None)
    year = next(v for k, v in found.items() if k.startswith("y"))
    return dates.make(int(year), dates.MONTHS[month.lower()], int(day) if day else None)


class DocumentDate:
    """``detect(text)``: (date, "dateline" | "estimate") found in a text's head, or None."""

    def __init__(self, lex: dict) -> None:
        self.head = lex["head_chars"]
        self.century = lex["century"]
        words = "|".join(re.escape(w) for w in lex["dated_words"])
        self.dated = re.compile(rf"\b(?:{words})\s+{WRITTEN}")
        prefixes = "|".join(re.escape(p) for p in sorted(lex["estimate_prefixes"], key=len)[::-1])
        self.estimate = re.compile(
            rf"\b(?:{prefixes}){DASH}?\s*[\d./]+(?:{DASH}[\d./]+)*{DASH}(\d{{2}})(?![\d/])"
        )
        firsts = "|".join(re.escape(p) for p in sorted(lex["year_first_prefixes"], key=len)[::-1])
        self.year_first = re.compile(rf"\b(?:{firsts})\s+(\d{{2}}){DASH}\d{{4,5}}\b")

    def detect(self, text: str) -> tuple[str, str] | None:
        head = text[: self.head]
        for match in DATELINE.finditer(head):
            found = written_date(match)
            if found:
                return found, "dateline"
        number = self.estimate.search(head) or self.year_first.search(head)
        year = f"{self.century + int(number[1]):04d}" if number else None
        for match in self.dated.finditer(head):  # "dated 17 June 1975": of this estimate
            found = written_date(match)  # only if of its year (not "NIE 53-54, dated ...")
            if found and (year is None or found.startswith(year)):
                return found, "dateline"
        return (year, "estimate") if year else None


class DateFinder(Serialisable, Component):
    """Set ``doc._.date`` and ``doc._.date_source`` from the text where none is given."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        self.finder = DocumentDate(self.lexicon("dates", lexicon))

    def process(self, doc: Doc) -> Doc:
        if doc._.date is None:
            found = self.finder.detect(doc_text(doc))
            if found:
                doc._.date, doc._.date_source = found
        return doc


@Language.factory(
    "claims_dates",
    assigns=["doc._.date", "doc._.date_source"],
    default_config={"lexicon": None},
)
def make_dates(nlp: Language, name: str, lexicon: str | None) -> DateFinder:
    """Factory: ``lexicon`` is a JSON file like dates.json (None: the bundled one)."""
    return DateFinder(nlp, name, lexicon=lexicon)
