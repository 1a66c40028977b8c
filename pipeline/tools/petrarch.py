"""Read the PETRARCH2 / Phoenix actor dictionaries (Open Event Data Alliance, MIT licence).

Build-time only: ``make gazetteer`` derives from them the office holders (``person:`` IDs
with their home state and years in office), the international organisations and the armed
non-state groups that the curated file lacks. The runtime reads only the generated
gazetteer. The dictionary format (TABARI/PETRARCH): an entry is a line of upper-case words
joined by underscores, ``+`` lines are its synonyms, codes stand in brackets on the line or
on indented lines below (``[RUSGOV 910710-991231]``), ``#`` starts a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

COUNTRIES = "Phoenix.Countries.actors.txt"
INTERNATIONAL = "Phoenix.International.actors.txt"
NON_STATE = "Phoenix.MilNonState.actors.txt"
CODE_RE = re.compile(r"\[([A-Z]{3,})(?:\s+([<>]?\d{6,8})?(?:-(\d{6,8}))?)?\s*\]")
# Words that mark a synonym as a title form ("PRESIDENT_PUTIN") or an entry as an
# institution rather than a person ("PEOPLES_LIBERATION_ARMY").
TITLE_WORDS = {
    "PRESIDENT",
    "PRIME",
    "MINISTER",
    "KING",
    "QUEEN",
    "PRINCE",
    "EMIR",
    "SHEIKH",
    "GENERAL",
    "SECRETARY",
    "SECRETARY-GENERAL",
    "CHAIRMAN",
    "LEADER",
    "DR.",
    "MR.",
    "MRS.",
    "MS.",
    "SENATOR",
    "GOVERNOR",
    "AMBASSADOR",
    "FOREIGN",
    "DEFENSE",
    "DEFENCE",
    "CHANCELLOR",
    "DEPUTY",
    "VICE",
    "SPEAKER",
    "COMMANDER",
    "COLONEL",
    "ADMIRAL",
    "AYATOLLAH",
    "SULTAN",
}
INSTITUTION_WORDS = {
    "ARMY",
    "PARTY",
    "COUNCIL",
    "CONGRESS",
    "FORCES",
    "FORCE",
    "MINISTRY",
    "ASSEMBLY",
    "COMMITTEE",
    "COURT",
    "PARLIAMENT",
    "GOVERNMENT",
    "NATIONAL",
    "REPUBLIC",
    "STATE",
    "POLICE",
    "GUARD",
    "CORPS",
    "BANK",
    "AGENCY",
    "OFFICE",
    "FRONT",
    "MOVEMENT",
    "UNION",
    "LEAGUE",
    "ISLANDS",
    "COMMISSION",
    "SERVICE",
    "DEPARTMENT",
    "OF",
    "THE",
    "PEOPLES",
    "PEOPLE'S",
    "ORGANIZATION",
    "ORGANISATION",
    "SRPSKA",
    "CZECHOSLOVAKIA",
}
PARTICLES = {
    "al",
    "el",
    "bin",
    "ibn",
    "bint",
    "ben",
    "de",
    "da",
    "van",
    "von",
    "der",
    "di",
    "du",
    "la",
    "le",
    "ul",
    "ud",
    "of",
    "the",
    "and",
    "for",
    "in",
    "y",
}


@dataclass
class Entry:
    """One dictionary entry: its names (primary first) and its codes with dates."""

    names: list[str]
    codes: list[tuple[str, str, str]] = field(default_factory=list)  # (code, start, end)
    comment: str = ""
    section: str | None = None  # the country header an entry of the Countries file sits under


def words(raw: str) -> list[str]:
    """``"VLADIMIR_V._PUTIN_"`` -> ``["VLADIMIR", "V.", "PUTIN"]``."""
    return [w for w in re.split(r"[_\s]+", raw.strip()) if w]


def parse(path: Path) -> list[Entry]:
    """Entries of one actor dictionary file, in file order."""
    entries: list[Entry] = []
    section = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        body, _, comment = line.partition("#")
        codes = [(m[1], m[2] or "", m[3] or "") for m in CODE_RE.finditer(body)]
        name = CODE_RE.sub("", body).strip()
        if not name and not codes:
            continue
        if line[:1] in " \t" or not name:  # an indented code line belongs to the entry above
            if entries:
                entries[-1].codes.extend(codes)
            continue
        if name.startswith("+"):
            if entries:
                entries[-1].names.append(name[1:])
                entries[-1].codes.extend(codes)
            continue
        if len(codes) == 1 and len(codes[0][0]) == 3 and not codes[0][1]:
            section = codes[0][0]  # a country header: "AFGHANISTAN_  [AFG]"
        entries.append(Entry([name], codes, comment.strip(), section))
    return entries


def display(raw: str) -> str:
    """An upper-case dictionary name as usually written: ``"BASHAR_AL-ASSAD"`` ->
    ``"Bashar al-Assad"``; initials and short acronyms stay as they are."""
    out = []
    for i, word in enumerate(words(raw)):
        parts = []
        for j, part in enumerate(word.split("-")):
            low = part.lower()
            if "." in part or (len(part) <= 2 and not part.isalpha()):
                parts.append(part)
            elif low in PARTICLES and (i or j or len(words(raw)) > 1):
                parts.append(low)
            else:
                parts.append(low[:1].upper() + low[1:])
        out.append("-".join(parts))
    return " ".join(out)


def is_title_form(raw: str) -> bool:
    return any(w in TITLE_WORDS for w in words(raw))


def is_person(entry: Entry) -> bool:
    """An office holder of the Countries file: not a country header, not an institution."""
    if entry.section is None or (entry.codes and entry.codes[0][0] == entry.section):
        return False
    if entry.codes and len(entry.codes[0][0]) == 3:
        return False  # a state of its own under another's header ("SERBIA_AND_MONTENEGRO [SCG]")
    name = words(entry.names[0])
    return 2 <= len(name) <= 6 and not any(w in INSTITUTION_WORDS for w in name)


def name_words(name: str) -> set[str]:
    return {w.strip(".").lower() for w in name.replace("-", " ").split()} - PARTICLES


def same_name(alias: str, name: str) -> bool:
    """An alias of a person is a part of the name ("Putin") or the name with initials or a
    middle name added ("Vladimir V. Putin"); a name with another given name ("Kim Jong Il"
    for "Kim Il") is another person."""
    a, n = name_words(alias), name_words(name)
    return a <= n or (n <= a and all(len(w) <= 1 or w in n for w in a - n)) or alias == name


def latest(codes: list[tuple[str, str, str]]) -> tuple[str, str, str] | None:
    """The code whose date range ends last (an open range counts as the latest)."""
    if not codes:
        return None
    return max(codes, key=lambda c: (c[2] or ("99999999" if c[1] else "0")).rjust(8, "0"))


def years(codes: list[tuple[str, str, str]]) -> list[int] | None:
    """First and last year in office over all dated codes (six-digit dates are YYMMDD)."""
    found = []
    for _, start, end in codes:
        for date in (start.lstrip("<>"), end):
            if date:
                found.append(to_year(date))
    return [min(found), max(found)] if found else None


def to_year(date: str) -> int:
    if len(date) == 8:
        return int(date[:4])
    yy = int(date[:2])
    return 1900 + yy if yy > 30 else 2000 + yy


def persons(folder: Path) -> list[dict]:
    """Office holders: display name, aliases (synonyms without titles), home state, years."""
    out = []
    for entry in parse(folder / COUNTRIES):
        if not is_person(entry):
            continue
        code = latest(entry.codes)
        home = code[0][:3] if code else entry.section
        name = display(entry.names[0])
        aliases = [
            display(n)
            for n in entry.names[1:]
            if not is_title_form(n) and same_name(display(n), name)
        ]
        out.append(
            {
                "name": name,
                "aliases": list(dict.fromkeys(a for a in aliases if a)),
                "country": home,
                "years": years(entry.codes),
            }
        )
    return out


def organisations(folder: Path) -> list[dict]:
    """Intergovernmental organisations (IGO codes, undated) and armed non-state groups."""
    out = []
    for entry in parse(folder / INTERNATIONAL):
        code = latest(entry.codes)
        if code and code[0].startswith("IGO") and not code[1] and not code[2]:
            out.append(org_record(entry, None))
    for entry in parse(folder / NON_STATE):
        code = latest(entry.codes)
        out.append(org_record(entry, code[0][:3] if code else None))
    return [o for o in out if o["name"]]


ORG_WORDS = {
    "organization",
    "organisation",
    "party",
    "front",
    "army",
    "brigade",
    "brigades",
    "movement",
    "jihad",
    "group",
    "resistance",
    "council",
    "union",
    "league",
    "islamic",
    "liberation",
    "revolutionary",
    "forces",
    "force",
    "committee",
    "mujahideen",
    "militia",
    "faction",
    "alliance",
    "association",
    "community",
    "bank",
    "fund",
    "court",
    "agency",
    "commission",
}


def person_like(name: str) -> bool:
    """A personal name rather than an organisation's: two to four capitalised words, none
    an organisation word, no particle-joined Arabic article ("al-")."""
    tokens = name.split()
    if not 2 <= len(tokens) <= 4 or "-" in name:
        return False
    return not any(t.lower() in ORG_WORDS or t.lower() in PARTICLES for t in tokens)


def org_record(entry: Entry, country: str | None) -> dict:
    """Name without a bracketed acronym, aliases with it, and the acronym as the short name."""
    names, acronyms = [], []
    for raw in entry.names:
        base = re.sub(r"\(([A-Z.\-]+)\)", lambda m: acronyms.append(m[1]) or "", raw)
        base = base.strip("_ ")
        if re.fullmatch(r"[A-Z]{2,6}_?", raw.strip()):
            acronyms.append(raw.strip("_ "))
        elif base:
            names.append(display(base))
    short = acronyms[0] if acronyms else None
    name = names[0] if names else (short or "")
    if person_like(name):
        name = ""  # a leader listed as his group's own entry
    return {
        "name": name,
        "aliases": list(dict.fromkeys([n for n in names[1:] if not person_like(n)] + acronyms)),
        "short": short,
        "country": country,
    }
