"""Gazetteer entries in ``curated.toml``'s format: actors, regions and surface patterns.

``Entries`` accumulates them; the build tool (:mod:`pipeline.tools.gazetteer`) fills it
from the data packages and the curated file, and the runtime
(:func:`pipeline.gazetteer.extended`) from a user's extension on top of the bundled
gazetteer.
"""

from __future__ import annotations


class Entries:
    """Accumulates actors, regions and surface patterns (the first definition of a pattern
    wins)."""

    def __init__(self) -> None:
        self.actors: dict[str, dict] = {}
        self.regions: dict[str, dict] = {}
        self.patterns: dict[tuple[str, str], dict] = {}
        self._texts: set[str] | None = None

    def texts(self) -> set[str]:
        """Every surface form added so far (cached until the next pattern)."""
        if self._texts is None:
            self._texts = {p["text"] for p in self.patterns.values()}
        return self._texts

    def pattern(self, text: str, role: str, ids: list[str], how: str, **extra) -> None:
        """Add a surface form; the first definition of a (text, role) wins (priority order)."""
        text = text.strip()
        if not text or (text, role) in self.patterns:
            return
        self._texts = None
        self.patterns[(text, role)] = {"text": text, "role": role, "ids": ids, "how": how, **extra}

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
                for text in entry.get("demonyms", []):  # "European markets" (G4.3)
                    self.pattern(text, "region", [rid], "demonym")
        for key, names in curated["events"].items():
            for text in names:
                self.pattern(text, "event", key.split(), "name")
