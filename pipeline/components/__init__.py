"""spaCy components of the claims pipeline; importing this module registers their factories."""

from . import (  # noqa: F401
    actor_model,
    actors,
    certainty,
    claims,
    encoder,
    focal,
    mentions,
    names,
    regions,
    relation_model,
    relations,
    repair,
    sections,
    stance,
    stance_model,
)
