"""The generated gazetteer: actor and region entries, surface patterns, roll-up tables.

Only ``gazetteer.json`` is read at run time; ``build.py`` regenerates it from data packages
and ``curated.toml``.
"""

from __future__ import annotations

import json
import os
from collections import ChainMap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..ids import actor_type, region_type

DATA = Path(__file__).with_name("gazetteer.json")


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables over the generated data file."""

    actors: dict[str, dict]
    regions: dict[str, dict]
    patterns: list[dict]

    def actor_name(self, actor_id: str) -> str:
        """Display name of an actor; the ID itself when the gazetteer lacks it."""
        return self.actors.get(actor_id, {}).get("name", actor_id)

    def actor_kind(self, actor_id: str) -> str:
        return self.actors.get(actor_id, {}).get("type") or actor_type(actor_id)

    def home_state(self, actor_id: str) -> str | None:
        """The state an actor rolls up to: itself for a state, else its home country."""
        if actor_type(actor_id) == "state":
            return actor_id
        return self.actors.get(actor_id, {}).get("country")

    def with_local(self, local: dict | None) -> Gazetteer:
        """This gazetteer plus the actors one document introduced (``doc._.local_actors``)."""
        if not local:
            return self
        return Gazetteer(
            actors=ChainMap(local, self.actors), regions=self.regions, patterns=self.patterns
        )

    def focal_keys(self, actor_id: str) -> set[str]:
        """What an actor counts as for a focal pair: its own ID, and a person also its home
        state ("Putin" counts for RUS); an organisation or group only itself."""
        keys = {actor_id}
        if actor_type(actor_id) == "person" and self.home_state(actor_id):
            keys.add(self.home_state(actor_id))
        return keys

    def region_name(self, region_id: str) -> str:
        return self.regions.get(region_id, {}).get("name", region_id)

    def region_kind(self, region_id: str) -> str:
        return self.regions.get(region_id, {}).get("type") or region_type(region_id)

    def parents(self, region_id: str) -> list[str]:
        """Direct parent regions, for roll-up (empty for top-level regions)."""
        return list(self.regions.get(region_id, {}).get("parents", []))

    def roll_up_actors(self, ids) -> set[str]:
        """Actor IDs rolled up to their states; actors with no home state drop out."""
        return {s for s in (self.home_state(a) for a in ids) if s}

    def roll_up_regions(self, ids) -> set[str]:
        """Region IDs rolled up to their parents; a region without parents stands for itself."""
        out: set[str] = set()
        for rid in ids:
            out.update(self.parents(rid) or [rid])
        return out


@cache
def load_gazetteer(path: Path = DATA) -> Gazetteer:
    """Load (once per process) the generated gazetteer, through a msgpack copy in the user's
    cache folder (``$XDG_CACHE_HOME/claims`` or ``~/.cache/claims``): reading the 60,000
    patterns from JSON costs about three times as much. The copy is named by the JSON file's
    size and time, so a regenerated gazetteer is read afresh."""
    data = read_cached(path)
    return Gazetteer(actors=data["actors"], regions=data["regions"], patterns=data["patterns"])


def cache_file(path: Path, kind: str) -> Path:
    """Where the ``kind`` copy of a data file is cached, named by the file's size and time."""
    stat = path.stat()
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claims"
    return root / f"{path.stem}-{kind}-{stat.st_size}-{stat.st_mtime_ns}.msgpack"


def cached(path: Path, kind: str, make):
    """``make()``, from (or else into) a msgpack copy in the user's cache folder; a cache
    that cannot be read or written is skipped, never an error."""
    import srsly

    copy = cache_file(path, kind)
    try:
        return srsly.msgpack_loads(copy.read_bytes())
    except (OSError, ValueError):
        pass
    data = make()
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        tmp = copy.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(srsly.msgpack_dumps(data))
        os.replace(tmp, copy)
    except OSError:
        pass
    return data


def read_cached(path: Path) -> dict:
    """The JSON file's data, through its cached msgpack copy."""
    return cached(path, "data", lambda: json.loads(path.read_text(encoding="utf-8")))
