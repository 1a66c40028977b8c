"""Office holders with their dates, from the PETRARCH2 actor dictionaries (build step).

``python -m pipeline.tools.offices`` (run by ``make gazetteer``) reads
``../shared/lexicons/petrarch2/Phoenix.Countries.actors.txt`` and writes
``pipeline/components/office_holders.json``: for each state and office (president, prime
minister, foreign minister, secretary of state, chancellor, king, supreme leader) the
persons who held it and from when to when. A person's office comes from the titles of the
dictionary's spellings ("PRESIDENT_REAGAN", "FOREIGN_MINISTER_GROMYKO"; never "VICE_",
"FORMER_" or "-ELECT") or from offices.json's ``petrarch_offices`` (the Shah has no titled
spelling); the dates are those of the first government code the dictionary lists for the
person (CountryInfo lists the head of state's or government's term first), an open end
closed by the next holder's start. Persons are named by their gazetteer IDs. The era
component (``eras.py``) reads the table, with offices.json's own ``holders`` (terms after
the dictionaries' 2019 snapshot), to resolve "the President", "the Shah" or "Iran's
foreign minister" to the holder on a document's date.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

from pipeline.tools.gazetteer import PETRARCH as SOURCE

COMPONENTS = Path(__file__).parent.parent / "components"
OUTPUT = COMPONENTS / "office_holders.json"
CREDIT = (
    "Phoenix.Countries.actors.txt of PETRARCH2 (Open Event Data Alliance, snapshot 676801cd, "
    "MIT licence, Copyright (c) 2014 Open Event Data Alliance): office from the titles of "
    "each person's spellings, term from the first government code of the entry"
)
NOT_TITLES = ("VICE", "FORMER", "DEPUTY", "EX", "ACTING")


def petrarch_date(raw: str) -> str | None:
    """``"090120"`` -> ``"2009-01-20"``, ``"19390322"`` -> ``"1939-03-22"``."""
    from pipeline.tools.petrarch import to_year

    digits = raw.lstrip("<>")
    if len(digits) not in (6, 8):
        return None
    return f"{to_year(digits):04d}-{digits[-4:-2]}-{digits[-2:]}"


def term(entry, state: str) -> tuple[str, str | None] | None:
    """(start, end or None) of the entry's first government code of ``state``."""
    for code, start, end in entry.codes:
        if code == f"{state}GOV" and start and not start.startswith("<"):
            begins = petrarch_date(start)
            return (begins, petrarch_date(end) if end else None) if begins else None
    return None


def offices_of(entry, titles: dict[str, str]) -> set[str]:
    """The offices a person's spellings give ("PRESIDENT_REAGAN" -> president)."""
    found = set()
    for name in entry.names:
        words = "_" + re.sub(r"[\s+]+", "_", name.strip("_+ ").upper()) + "_"
        for title, office in titles.items():
            for match in re.finditer(rf"_(?:([A-Z]+)[-_])?{title}(-ELECT)?_", words):
                if match[1] not in NOT_TITLES and not match[2]:
                    found.add(office)
    return found


def merged(entries: list) -> list:
    """Entries with the untitled lines of one person joined to the entry holding the codes
    (the dictionary lists some spellings without "+": "LEONID_BREZHNEV_",
    "SECRETARY_BREZHNEV", ..., then the codes under the last)."""
    out, pending = [], []
    for entry in entries:
        if not entry.codes:
            pending.append(entry)
            continue
        surname = entry.names[0].strip("_ ").split("_")[-1]
        same = [e for e in pending if e.section == entry.section
                and e.names[0].strip("_ ").endswith(surname)]  # fmt: skip
        out.extend(e for e in pending if e not in same)
        entry.names[:0] = [name for e in same for name in e.names]
        pending = []
        out.append(entry)
    return out + pending


def gazetteer_ids() -> dict[tuple[str, str], str]:
    """(name, home state) -> person ID of the bundled gazetteer's persons (their names, not
    their aliases: "George Bush" is an alias of George W. Bush, not his father)."""
    from pipeline.gazetteer import load_base

    gaz = load_base()
    return {
        (actor["name"].casefold(), actor.get("country")): aid
        for aid, actor in gaz.actors.items()
        if aid.startswith("person:")
    }


def person_id(entry, ids: dict) -> str | None:
    from pipeline.tools.petrarch import display

    for raw in entry.names:
        found = ids.get((display(raw).casefold(), entry.section))
        if found:
            return found
    return None


def derive(folder: Path, lexicon: dict) -> dict[str, dict[str, list]]:
    """state -> office -> [[person ID, start, end], ...] in order of start."""
    from pipeline.tools import petrarch

    ids = gazetteer_ids()
    by_id = {aid: (state, office) for state, offices in lexicon["petrarch_offices"].items()
             for office, people in offices.items() for aid in people}  # fmt: skip
    table: dict[str, dict[str, list]] = {}
    for entry in merged(petrarch.parse(folder / petrarch.COUNTRIES)):
        if not petrarch.is_person(entry):
            continue
        aid = person_id(entry, ids)
        span = term(entry, entry.section)
        if aid is None or span is None:
            continue
        offices = offices_of(entry, lexicon["petrarch_titles"])
        if aid in by_id and by_id[aid][0] == entry.section:
            offices.add(by_id[aid][1])
        for office in offices:
            table.setdefault(entry.section, {}).setdefault(office, []).append([aid, *span])
    return {state: {office: closed(rows) for office, rows in sorted(offices.items())}
            for state, offices in sorted(table.items())}  # fmt: skip


def closed(rows: list[list]) -> list[list]:
    """Holders in order of start, one row per person and start, an open end closed by the
    next holder's start."""
    rows = sorted({(r[0], r[1]): r for r in rows}.values(), key=lambda r: r[1])
    for row, following in pairwise(rows):
        if row[2] is None or row[2] > following[1]:
            row[2] = following[1]
    return rows


def main() -> None:
    from pipeline.io import write_text_atomic

    if not (SOURCE / "Phoenix.Countries.actors.txt").is_file():
        raise SystemExit(f"the PETRARCH2 dictionaries are not at {SOURCE} (../shared)")
    lexicon = json.loads((COMPONENTS / "offices.json").read_text(encoding="utf-8"))
    table = derive(SOURCE, lexicon)
    write_text_atomic(OUTPUT, json.dumps({"source": CREDIT, "holders": table}, indent=1) + "\n")
    count = sum(len(rows) for offices in table.values() for rows in offices.values())
    print(f"wrote {OUTPUT}: {count} terms of office in {len(table)} states")


if __name__ == "__main__":
    main()
