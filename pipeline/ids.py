"""Canonical ID forms for actors and regions (annotation spec, "Actors" and "Regions")."""

from __future__ import annotations

import re
import unicodedata

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
STATE_PATTERN = r"^[A-Z]{3}$"
ACTOR_PATTERN = rf"^(?:[A-Z]{{3}}|person:{SLUG}|org:{SLUG}|group:{SLUG})$"
REGION_PATTERN = rf"^(?:[A-Z]{{3}}|region:{SLUG}|place:{SLUG})$"
STATE_RE = re.compile(STATE_PATTERN)
ACTOR_RE = re.compile(ACTOR_PATTERN)
REGION_RE = re.compile(REGION_PATTERN)

ACTOR_TYPES = {"person": "person", "org": "organisation", "group": "group"}
REGION_TYPES = {"region": "macro-region", "place": "place"}


def actor_type(actor_id: str) -> str:
    """Return state, person, organisation or group for a well-formed actor ID."""
    prefix, sep, _ = actor_id.partition(":")
    return ACTOR_TYPES.get(prefix, "state") if sep else "state"


def region_type(region_id: str) -> str:
    """Return country, macro-region or place for a well-formed region ID."""
    prefix, sep, _ = region_id.partition(":")
    return REGION_TYPES.get(prefix, "country") if sep else "country"


def slugify(name: str) -> str:
    """Lower-case ASCII slug with hyphens, the form after ``person:``/``org:``/``group:``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
