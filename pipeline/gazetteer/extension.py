"""Strict checks of a gazetteer extension (TOML in ``curated.toml``'s format).

Every entry is checked before anything is built from it: its ID must be of its table's
kind (``[persons]`` holds ``person:`` IDs, ``[seats]`` state codes), and its fields must
have their types (``aliases = "x"`` is a string where a list belongs, which would otherwise
add one spelling per letter). A problem is one line naming the file, the line of the
entry, the table and the ID.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from .. import errors
from ..ids import REGION_PATTERN, SLUG, STATE_PATTERN

Text = Annotated[str, StringConstraints(min_length=1)]
StateId = Annotated[str, StringConstraints(pattern=STATE_PATTERN)]
RegionId = Annotated[str, StringConstraints(pattern=REGION_PATTERN)]
ACTOR_OR_REGION = re.compile(rf"^(?:[A-Z]{{3}}|(?:person|org|group|region|place):{SLUG})$")


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ActorEntry(Entry):
    """``[persons]``, ``[orgs]``, ``[groups]``: ID = { name, country, aliases, demonyms }."""

    name: Text
    country: StateId | None = None
    aliases: list[Text] = []
    demonyms: list[Text] = []


class PlaceEntry(Entry):
    """``[regions]``, ``[places]``: ID = { name, parents, aliases, demonyms }."""

    name: Text
    parents: list[RegionId] = []
    aliases: list[Text] = []
    demonyms: list[Text] = []


class StateSpellings(Entry):
    """``[state_names]``: spellings of a state, ISO code = { name, aliases, demonyms }."""

    name: Text | None = None
    aliases: list[Text] = []
    demonyms: list[Text] = []


Spellings = TypeAdapter(list[Text], config=ConfigDict(strict=True))


def _slug_id(prefix: str, example: str) -> tuple[re.Pattern, str]:
    return re.compile(rf"^{prefix}:{SLUG}$"), f"{prefix}: followed by a lower-case slug ({example})"


STATE_KEY = (re.compile(STATE_PATTERN), "a state code such as RUS")
# table -> (what its keys match, the key's form in words, the shape of its values)
TABLES = {
    "persons": (*_slug_id("person", "person:ivan-testov"), ActorEntry),
    "orgs": (*_slug_id("org", "org:nato"), ActorEntry),
    "groups": (*_slug_id("group", "group:kurds"), ActorEntry),
    "regions": (*_slug_id("region", "region:caucasus"), PlaceEntry),
    "places": (*_slug_id("place", "place:gyumri"), PlaceEntry),
    "state_names": (*STATE_KEY, StateSpellings),
    "seats": (*STATE_KEY, Spellings),
    "combining_forms": (*STATE_KEY, Spellings),
    "events": (None, "actor or region IDs separated by spaces (IRN IRQ)", Spellings),
}
TOML_TYPES = {str: "a string", list: "an array", dict: "a table", int: "an integer",
              float: "a float", bool: "a boolean"}  # fmt: skip


def check_extension(data: dict[str, dict], text: str, path: Path) -> None:
    """Raise ``ClaimsError`` (file and line) for the first entry of ``data`` (a parsed
    extension whose tables are known) that is not of its table's kind or shape."""
    for table, entries in data.items():
        pattern, form, shape = TABLES[table]
        for key, value in entries.items():
            problem = key_problem(key, pattern, form) or value_problem(value, shape)
            if problem:
                msg = errors.GAZETTEER_BAD_ENTRY.format(table=table, key=key, detail=problem)
                raise errors.ClaimsError(msg, path, toml_line(text, table, key))


def key_problem(key: str, pattern: re.Pattern | None, form: str) -> str | None:
    if pattern is None:  # [events]: one or more IDs
        ok = bool(key.split()) and all(ACTOR_OR_REGION.match(part) for part in key.split())
    else:
        ok = bool(pattern.match(key))
    return None if ok else f"the ID must be {form}"


def value_problem(value, shape) -> str | None:
    """The first problem of an entry's value, in words; None if it has its shape."""
    try:
        if isinstance(shape, TypeAdapter):
            shape.validate_python(value)
        else:
            shape.model_validate(value)
    except ValidationError as exc:
        return describe(exc.errors()[0], shape)
    return None


def describe(error: dict, shape) -> str:
    where = ".".join(str(part) for part in error["loc"])
    found = TOML_TYPES.get(type(error.get("input")), "another value")
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {where!r}: an entry here holds {', '.join(shape.model_fields)}"
    if kind in ("model_type", "dict_type"):
        return f'expected an inline table such as {{ name = "..." }}, not {found}'
    field = f"{where}: " if where else ""
    if kind == "list_type":
        return f"{field}expected an array of strings, not {found}"
    if kind == "string_type":
        return f"{field}expected a string, not {found}"
    if kind == "string_pattern_mismatch":
        form = "a state code such as RUS" if where == "country" else "a region ID"
        return f"{field}{error['input']!r} is not {form}"
    return field + error["msg"]


HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")


def toml_line(text: str, table: str, key: str) -> int | None:
    """The line where ``[table] key`` is defined (its own ``[table.key]`` header, or a
    ``key = ...`` line under ``[table]``); None if it cannot be told."""
    names = {key, f'"{key}"', f"'{key}'"}
    current = None
    for number, line in enumerate(text.split("\n"), start=1):
        header = HEADER.match(line)
        if header:
            current = header.group(1)
            if any(current == f"{table}.{name}" for name in names):
                return number
            continue
        name, sep, _ = line.partition("=")
        if sep and current == table and name.strip() in names:
            return number
    return None
