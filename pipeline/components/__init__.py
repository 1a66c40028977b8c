"""spaCy components of the claims pipeline; importing this module registers their factories."""

from . import actors, certainty, claims, mentions, regions, relations, sections, stance  # noqa: F401
