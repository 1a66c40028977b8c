"""spaCy components of the claims pipeline; importing this module registers their factories."""

from . import (  # noqa: F401
    actors,
    certainty,
    claims,
    focal,
    mentions,
    names,
    regions,
    relations,
    repair,
    sections,
    stance,
)
