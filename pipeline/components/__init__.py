"""spaCy components of the claims pipeline; importing this module registers their factories."""

from . import (  # noqa: F401
    actor_model,
    actors,
    certainty,
    claims,
    dates,
    encoder,
    eras,
    focal,
    mentions,
    names,
    regions,
    relation_model,
    relations,
    repair,
    sections,
    source,
    stance,
    stance_model,
    temporal,
)
