"""Dates as the project writes them: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as precise as
what gave them (a year stays a year; no month or day is made up).

A date stands for the interval it names ("1962" is 1962-01-01 to 1962-12-31), which is what
comparisons use: :func:`first_day`, :func:`last_day`, :func:`contains`. :func:`read_date`
reads an input line's ``date`` (ISO, ISO with a time, "May 31, 1962", "31 May 1962",
"May 1962"); anything else is refused, never guessed.
"""

from __future__ import annotations

import calendar
import re

MONTHS = (
    {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
    | {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
    | {"sept": 9}
)
MONTH_FULL_NAMES = tuple(calendar.month_name[1:])
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
ISO_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")
MONTH_DAY_YEAR = re.compile(rf"^({MONTH_NAMES})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})$", re.I)
DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})\s+({MONTH_NAMES})\.?,?\s+(\d{{4}})$", re.I)
MONTH_YEAR = re.compile(rf"^({MONTH_NAMES})\.?,?\s+(\d{{4}})$", re.I)


def make(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """``YYYY[-MM[-DD]]`` of a real date (None for February 30th or a month 13)."""
    if not 1 <= year <= 9999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parts(date: str) -> tuple[int, int | None, int | None]:
    """(year, month or None, day or None) of a ``YYYY[-MM[-DD]]`` date."""
    match = DATE_RE.match(date)
    if not match:
        raise ValueError(date)
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def is_date(value: str) -> bool:
    """Whether ``value`` is a real date written ``YYYY[-MM[-DD]]``."""
    try:
        return make(*parts(value)) == value
    except ValueError:
        return False


def read_date(value) -> str | None:
    """A date as ``YYYY[-MM[-DD]]`` from what an input line may hold; None if it is not one
    of the forms this module reads (the caller says so)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if is_date(text):
        return text
    iso = ISO_TIME_RE.match(text)
    if iso and is_date(iso[1]):
        return iso[1]
    for pattern, order in ((MONTH_DAY_YEAR, "mdy"), (DAY_MONTH_YEAR, "dmy"), (MONTH_YEAR, "my")):
        match = pattern.match(text)
        if match:
            found = dict(zip(order, match.groups(), strict=True))
            day = int(found["d"]) if "d" in found else None
            return make(int(found["y"]), MONTHS[found["m"].lower().rstrip(".")], day)
    return None


def first_day(date: str) -> tuple[int, int, int]:
    year, month, day = parts(date)
    return year, month or 1, day or 1


def last_day(date: str) -> tuple[int, int, int]:
    year, month, day = parts(date)
    month = month or 12
    return year, month, day or calendar.monthrange(year, month)[1]


def contains(start: str | None, end: str | None, date: str) -> bool:
    """Whether the period ``start``..``end`` (either open) holds the first day of ``date``."""
    day = first_day(date)
    return (start is None or first_day(start) <= day) and (end is None or day <= last_day(end))


def middle(date: str) -> str:
    """The middle day of the period a date names ("1961" -> "1961-07-01", "1962-05" ->
    "1962-05-15"): who held an office "in 1961" is who held it for most of that year."""
    year, month, day = parts(date)
    if month is None:
        return f"{year:04d}-07-01"
    return make(year, month, day or 15)


def year(date: str | None) -> int | None:
    return int(date[:4]) if date else None


def shift_years(date: str, years: int) -> str:
    """The year of ``date`` moved by ``years`` (a year only: "1961" + 5 -> "1966")."""
    return f"{int(date[:4]) + years:04d}"
