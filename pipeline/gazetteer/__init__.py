"""The generated gazetteer: actor and region entries, surface patterns, roll-up tables.

The build tool ``pipeline/tools/gazetteer.py`` regenerates ``gazetteer.json`` from data
packages and ``curated.toml``, and ``store.py`` its binary form ``gazetteer.msgpack``, which
is what the pipeline loads: the entries and patterns decoded as they are read, the
components' indexes ready made. A user's extension (TOML files in ``curated.toml``'s format,
see ``read_extension``) adds actors, places and spellings at run time without a rebuild:
``extended`` returns the bundled gazetteer plus an extension (its entries accumulated by
``entries.Entries``, as the build's are), which the pipeline's ``claims_mentions`` component
holds (and hands to the others). A saved pipeline stores the extension's data (not its path)
and the extended gazetteer's binary form; the bundled gazetteer (``load_gazetteer``) ships
with the code; nothing here imports the build tools.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

from ..ids import actor_type, region_type
from . import store
from .store import STORE, Indexes

DATA = store.SOURCE  # gazetteer.json, the source of STORE


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables over the generated data: entries by ID, the surface patterns, and the
    components' indexes over them (``store.Indexes``); ``source`` names the data."""

    actors: Mapping[str, dict]
    regions: Mapping[str, dict]
    patterns: Sequence[dict]
    indexes: Indexes
    source: str

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
        return replace(self, actors=ChainMap(local, self.actors))

    def focal_keys(self, actor_id: str) -> set[str]:
        """What an actor counts as for a focal pair: its own ID, and a person also its home
        state ("Putin" counts for RUS); an organisation or group only itself."""
        keys = {actor_id}
        if actor_type(actor_id) == "person" and self.home_state(actor_id):
            keys.add(self.home_state(actor_id))
        return keys

    def counts_for(self, actor_id: str, focal: set[str]) -> bool:
        """Whether an actor counts for the focal pair ``focal`` (``focal_keys``)."""
        return bool(self.focal_keys(actor_id) & focal)

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


def load_gazetteer(path: Path = STORE) -> Gazetteer:
    """The gazetteer at ``path`` (default: the bundled one, read once per process); a
    pipeline's own, with its extension, is ``components.base.gazetteer_of(nlp)``."""
    return load_base(path)


@cache
def load_base(path: Path = STORE) -> Gazetteer:
    """Load (once per process) the generated gazetteer from its binary form (``store``):
    one file read, no entry decoded before it is used, no index built. Raises
    ``ClaimsError`` naming the file if it is missing or damaged."""
    from .. import errors

    try:
        return Gazetteer(**store.loads(path.read_bytes()))
    except (OSError, ValueError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        raise errors.ClaimsError(errors.GAZETTEER_STORE.format(detail=detail), path) from None


# -- user extensions ---------------------------------------------------------------------

# The tables of curated.toml an extension may hold; ``entries`` are ID -> {name, ...}.
ENTRY_TABLES = {"persons": "person", "orgs": "organisation", "groups": "group"}
PLACE_TABLES = ("regions", "places")
SPELLING_TABLES = ("state_names", "seats", "combining_forms", "events")
EXTENSION_TABLES = (*ENTRY_TABLES, *PLACE_TABLES, *SPELLING_TABLES)


@dataclass(frozen=True)
class Extension:
    """Gazetteer entries added at run time: curated.toml's tables, merged from files.
    Two extensions are equal when their data is (``key``, a digest of it); ``origin``
    names the files, for errors."""

    data: dict = field(compare=False)
    key: str
    origin: str = field(default="gazetteer extension", compare=False)

    @classmethod
    def from_data(cls, data: dict, origin: str = "gazetteer extension") -> Extension | None:
        if not any(data.values()):
            return None
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        return cls(data=data, key=digest, origin=origin)


def read_extension(paths: str | Path | Iterable[str | Path] | None) -> Extension | None:
    """The extension in TOML file(s) like curated.toml (later files win); None for none.

    Raises ``ClaimsError`` naming the file for a missing file, bad TOML, an unknown table,
    an entry without a name, a malformed ID or an ID no entry defines."""
    if paths is None:
        return None
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    merged: dict[str, dict] = {}
    for file in files:
        for table, entries in _read_toml(Path(file)).items():
            merged.setdefault(table, {}).update(entries)
    extension = Extension.from_data(merged, origin=", ".join(str(f) for f in files))
    if extension is not None:
        extended(extension)  # an entry that cannot be applied is an error naming the files
    return extension


def _read_toml(path: Path) -> dict[str, dict]:
    from .. import errors
    from .extension import check_extension

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise errors.ClaimsError(errors.MISSING_FILE, path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.ClaimsError(errors.LEXICON_UNREADABLE.format(detail=exc), path) from None
    except tomllib.TOMLDecodeError as exc:
        raise errors.ClaimsError(errors.BAD_TOML.format(detail=exc), path) from None
    unknown = sorted(set(data) - set(EXTENSION_TABLES))
    if unknown or not all(isinstance(v, dict) for v in data.values()):
        raise errors.ClaimsError(
            errors.GAZETTEER_TABLE.format(
                tables=", ".join(unknown) or "a non-table key", known=", ".join(EXTENSION_TABLES)
            ),
            path,
        )
    check_extension(data, text, path)
    return data


@lru_cache(maxsize=4)
def extended(extension: Extension | None) -> Gazetteer:
    """The bundled gazetteer plus ``extension`` (None: the bundled one); built once per
    process for the same extension data (a cache of immutable data, keyed by its digest).
    Raises ``ClaimsError`` naming the extension's files for an entry it cannot apply."""
    if extension is None:
        return load_base()
    return _apply(load_base(), extension, source=extension.origin)


def _apply(base: Gazetteer, extension: Extension, source: str) -> Gazetteer:
    """``base`` plus the extension's entries and spellings; an extension spelling replaces
    a bundled one of the same text and role."""
    import spacy

    from .. import errors
    from .entries import Entries

    builder = Entries()
    builder.actors, builder.regions = dict(base.actors), dict(base.regions)
    tables = {table: extension.data.get(table, {}) for table in EXTENSION_TABLES}
    try:
        builder.curated(tables)
        _spellings(builder, tables)
    except (KeyError, TypeError, AttributeError) as exc:
        raise errors.ClaimsError(errors.GAZETTEER_ENTRY.format(detail=exc), source) from None
    _check(builder, base, source)
    tokenizer = spacy.blank("en").tokenizer
    added = list(builder.patterns.values())
    for pattern in added:
        pattern["tokens"] = [t.text for t in tokenizer(pattern["text"])]
    kept = [p for p in base.patterns if (p["text"], p["role"]) not in builder.patterns]
    patterns = sorted(kept + added, key=lambda p: (p["role"], p["text"]))
    data = {"actors": builder.actors, "regions": builder.regions, "patterns": patterns}
    return Gazetteer(**store.build(data, source=extended_source(extension)))


def extended_source(extension: Extension) -> str:
    """What names the bundled gazetteer plus ``extension`` (its binary form's source)."""
    return f"{load_base().source}+{extension.key}"


def binary(gazetteer: Gazetteer) -> bytes:
    """The binary form of a gazetteer, which a saved pipeline stores for its extended one
    (so loading it builds nothing)."""
    return store.dumps(vars(gazetteer))


def from_binary(extension: Extension, raw: bytes | None) -> Gazetteer:
    """The bundled gazetteer plus ``extension``: a saved pipeline's binary form of it
    (``raw``) if made from this bundled gazetteer and this extension, else applied afresh
    (a pipeline saved with an older release)."""
    try:
        parts = store.loads(raw) if raw is not None else None
    except ValueError:
        parts = None
    if parts is None or parts["source"] != extended_source(extension):
        return extended(extension)
    return Gazetteer(**parts)


def _spellings(builder, tables: dict) -> None:
    """Spellings of states already in the gazetteer: aliases, demonyms, seats, combining
    forms (``Entries.curated`` adds the new entries and the events)."""
    for iso, extra in tables["state_names"].items():
        if "name" in extra:
            builder.actors.setdefault(iso, {"type": "state", "country": iso})["name"] = extra[
                "name"
            ]
            builder.pattern(extra["name"], "state", [iso], "name")
        for text in extra.get("aliases", []):
            builder.pattern(text, "state", [iso], "alias")
        for text in extra.get("demonyms", []):
            builder.pattern(text, "demonym", [iso], "demonym")
    for iso, texts in tables["seats"].items():
        for text in texts:
            builder.pattern(text, "seat", [iso], "metonymy")
    for iso, forms in tables["combining_forms"].items():
        for text in forms:
            builder.pattern(text, "demonym", [iso], "demonym")


def _check(builder, base: Gazetteer, source: str) -> None:
    """The extension's own entries have well-formed IDs, and every ID they refer to (pattern
    IDs, parents, home countries) is in the extended gazetteer."""
    from .. import errors
    from ..ids import ACTOR_RE, REGION_RE

    actors = {k: v for k, v in builder.actors.items() if base.actors.get(k) != v}
    regions = {k: v for k, v in builder.regions.items() if base.regions.get(k) != v}
    bad = [a for a in actors if not ACTOR_RE.match(a)]
    bad += [r for r in regions if not REGION_RE.match(r)]
    for pattern in builder.patterns.values():
        bad += [i for i in pattern["ids"] if i not in builder.actors and i not in builder.regions]
    for entry in (*actors.values(), *regions.values()):
        bad += [p for p in entry.get("parents", []) if p not in builder.regions]
        country = entry.get("country")
        bad += [country] if country and country not in builder.actors else []
    if bad:
        ids = ", ".join(sorted(set(bad))[:5])
        raise errors.ClaimsError(errors.GAZETTEER_IDS.format(ids=ids), source)
