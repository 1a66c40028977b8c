"""Loading the JSON lexicons kept beside the components (users extend them without code).

Each lexicon has a pydantic model (``extra="forbid"``), checked when its component is
built: a lexicon missing a list, with an unknown key or a wrong type fails at once with
one line naming the file, not later on every document that needs the list.

A component loads its lexicons through ``base.Serialisable.lexicon``, which records each
on the component, so that its ``to_disk`` writes the data itself, never a path;
``from_disk`` rebuilds the component with that data (``load_lexicon``'s ``saved``) in place
of the bundled files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .. import errors

HERE = Path(__file__).parent
Polarity = Literal["cooperative", "hostile"]


class Lexicon(BaseModel):
    """A component's lexicon: every key known, every key required, no word listed twice in
    a list (a repeated entry is a slip: it says nothing, and an edit to one copy leaves the
    other)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _no_repeated_entry(self):
        for key, value in self:
            if isinstance(value, list) and all(isinstance(entry, str) for entry in value):
                repeated = next((e for i, e in enumerate(value) if e in value[:i]), None)
                if repeated is not None:
                    raise ValueError(f"{key}: {repeated!r} is listed twice")
        return self


class ModalityLexicon(Lexicon):
    """modality.json: negation, averting, restriction, condition and concession words."""

    negators: list[str]
    improbable: list[str]
    averting_verbs: list[str]
    ending_verbs: list[str]
    modals: list[str]
    epistemic_modals: list[str]
    dispositions: list[str]
    unreal_modifiers: list[str]
    restrictive: list[str]
    conditional_marks: list[str]
    concessive_marks: list[str]
    concessive_prepositions: list[str]
    denying_phrases: list[tuple[str, str]]


class VerbTableLexicon(Lexicon):
    """cameo_verbs.json: the derived verb table and where it comes from."""

    source: str
    cooperative: list[str]
    hostile: list[str]


class ActorsLexicon(Lexicon):
    """actors.json."""

    plural_phrases: list[str]
    plural_pronouns: list[str]
    distributive: list[str]
    singular_pronouns: list[str]
    person_pronouns: list[str]
    lookback_sentences: int
    typed_nouns: dict[str, str]
    typed_determiners: list[str]
    plural_heads: list[str]
    plural_determiners: list[str]
    locative_prepositions: list[str]


class CertaintyLexicon(Lexicon):
    """certainty.json."""

    reported_phrases: list[str]
    speech_verbs: list[str]
    author_subjects: list[str]
    hedge_phrases: list[str]
    hedge_raising_verbs: list[str]
    attitude_verbs: list[str]
    estimative: list[tuple[str, float, float]]
    characterising_verbs: list[str]
    source_nouns: list[str]
    source_verbs: list[str]
    reporting_nouns: list[str]
    purpose_verbs: list[str]
    evidence_subjects: list[str]
    inference_verbs: list[str]


class MentionsLexicon(Lexicon):
    """mentions.json."""

    role_priority: list[str]
    title_words: list[str]
    candidate_labels: list[str]
    place_prepositions: list[str]
    name_labels: list[str]


class NamesLexicon(Lexicon):
    """names.json."""

    title_words: list[str]
    ethnic_words: list[str]
    population_nouns: list[str]
    not_person_words: list[str]


class RegionsLexicon(Lexicon):
    """regions.json."""

    locative_prepositions: list[str]
    motion_verbs: list[str]
    troop_nouns: list[str]
    topic_nouns: list[str]
    topic_prepositions: list[str]
    place_nouns: list[str]
    from_location_verbs: list[str]
    topic_verbs: list[str]
    visit_verbs: list[str]
    border_nouns: list[str]
    war_words: list[str]
    targeting_verbs: list[str]


class RelationsLexicon(Lexicon):
    """relations.json."""

    cooperative_verbs: list[str]
    hostile_verbs: list[str]
    reciprocal_verbs: list[str]
    with_verbs: list[str]
    recipient_verbs: list[str]
    cooperative_nouns: list[str]
    hostile_nouns: list[str]
    reciprocal_nouns: list[str]
    neutral_reciprocal_nouns: list[str]
    divisive_nouns: list[str]
    oriented_nouns: list[str]
    balance_nouns: list[str]
    hostile_prepositions: list[str]
    target_prepositions: list[str]
    attitude_verbs: list[str]
    party_nouns: list[str]
    agentive_nouns: list[str]
    joint_modifiers: list[str]
    intent_verbs: list[str]
    object_control_verbs: list[str]
    creation_verbs: list[str]
    idioms: dict[str, tuple[str, str, Polarity]]
    of_target_nouns: list[str]
    member_prepositions: list[str]
    membership_nouns: list[str]
    neutral_verbs: list[str]
    agreement_nouns: list[str]
    role_nouns: list[str]
    as_verbs: list[str]
    relation_nouns: list[str]
    relation_verbs: dict[Polarity, list[str]]
    relation_adjectives: dict[Polarity, list[str]]
    war_nouns: list[str]
    waging_verbs: list[str]
    hyphen_participles: list[str]
    at_verbs: list[str]
    reciprocal_pronouns: list[str]
    instrument_prepositions: list[str]


class RepairLexicon(Lexicon):
    """repair.json."""

    substitutes: dict[str, str]
    lemmas: dict[str, str]
    model_pipes: list[str]
    sentence_ends: list[str]


class SectionsLexicon(Lexicon):
    """sections.json."""

    labels: list[str]
    max_topic_words: int
    max_heading_words: int
    max_heading_chars: int
    byline_prefixes: list[str]
    terminal: str


class StanceLexicon(Lexicon):
    """stance.json."""

    divergence: list[str]
    divisive: list[str]
    convergence: list[str]
    minimisers: list[str]
    contrast_marks: list[str]
    hostile_verbs_for_negation: list[str]
    distributive: list[str]
    relationship_nouns: list[str]


class DatesLexicon(Lexicon):
    """dates.json: where a document's own date is looked for (claims_dates)."""

    head_chars: int
    estimate_prefixes: list[str]
    year_first_prefixes: list[str]
    dated_words: list[str]
    century: int


class SourceLexicon(Lexicon):
    """source.json: which source phrases name an actor (claims_source)."""

    named_heads: list[str]
    unnamed_heads: list[str]
    according_phrases: list[str]
    clause_deps: list[str]


class TemporalLexicon(Lexicon):
    """temporal.json: time expressions and the words that set a verb's time (claims_time)."""

    anchors: dict[str, Literal["since", "until", "after", "before", "from"]]
    temporal_marks: list[str]
    number_words: dict[str, int]
    units: dict[str, int]
    forward_phrases: list[str]
    forward_words: list[str]
    backward_words: list[str]
    anaphora: dict[str, tuple[Literal["since", "point"], int]]
    counted_prefixes: list[str]
    named_periods: dict[str, tuple[int, int]]
    number_nouns: list[str]
    time_nouns: list[str]
    superlative_words: list[str]
    background_marks: list[str]
    future_modals: list[str]
    possibility_modals: list[str]
    obligation_modals: list[str]
    present_would: list[str]
    future_adjectives: list[str]
    state_verbs: list[str]
    estimative_frames: list[str]
    author_subjects: list[str]
    duration_preps: list[str]
    expectation_frames: list[str]
    month_preps: list[str]  # a month without a year follows one ("since mid-April")
    seasons: dict[str, int]  # season -> the month it ends in ("last fall")


class Era(Lexicon):
    """A state or name of a period: who a seat, demonym or name meant from ``from`` to ``to``."""

    id: str
    name: str | None = None
    from_: str = Field(alias="from")
    to: str | None
    seats_of: list[str]
    demonyms_of: list[str]
    names: dict[str, Literal["state", "seat", "demonym", "actor"] | tuple[str, str]]

    @field_validator("from_", "to")
    @classmethod
    def _date(cls, value):
        from ..dates import is_date

        if value is not None and not is_date(value):
            raise ValueError(f"{value!r} is not a date YYYY[-MM[-DD]]")
        return value


class ErasLexicon(Lexicon):
    """eras.json: former states and the names of an era (claims_eras)."""

    eras: list[Era]


Term = tuple[str, str, str | None]  # [person ID, start, end or null]


class OfficesLexicon(Lexicon):
    """offices.json: titles, their default states, and terms of office to add (claims_eras)."""

    titles: dict[str, str]
    default_states: dict[str, str]
    holder_states: dict[str, str]
    not_after: list[str]
    not_heads: list[str]
    petrarch_titles: dict[str, str]
    petrarch_offices: dict[str, dict[str, list[str]]]
    holders: dict[str, dict[str, list[Term]]]


class OfficeHoldersLexicon(Lexicon):
    """office_holders.json: terms of office derived from PETRARCH2 (pipeline/tools/offices.py)."""

    source: str
    holders: dict[str, dict[str, list[Term]]]


class ActorModelLexicon(Lexicon):
    """actor_model.json: what the actor model takes for referring expressions, how far back
    it looks for their antecedents, and which NER labels it may mint actors from."""

    pronouns: list[str]
    referring_nouns: list[str]
    determiners: list[str]
    window_claims: int
    mint_labels: dict[str, Literal["person", "org", "group"]]


MODELS: dict[str, type[Lexicon]] = {
    "actor_model": ActorModelLexicon,
    "actors": ActorsLexicon,
    "cameo_verbs": VerbTableLexicon,
    "certainty": CertaintyLexicon,
    "dates": DatesLexicon,
    "eras": ErasLexicon,
    "mentions": MentionsLexicon,
    "modality": ModalityLexicon,
    "names": NamesLexicon,
    "office_holders": OfficeHoldersLexicon,
    "offices": OfficesLexicon,
    "regions": RegionsLexicon,
    "relations": RelationsLexicon,
    "repair": RepairLexicon,
    "sections": SectionsLexicon,
    "source": SourceLexicon,
    "stance": StanceLexicon,
    "temporal": TemporalLexicon,
}


@cache
def _read(name: str, path: Path) -> dict:
    return validated(name, read_json(path), path)


def read_json(path: str | Path) -> object:
    """The JSON data of a lexicon file; a ``ClaimsError`` naming it if it cannot be read."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise errors.ClaimsError(errors.MISSING_FILE, path) from None
    except OSError as exc:
        raise errors.ClaimsError(errors.LEXICON_UNREADABLE.format(detail=exc), path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.ClaimsError(errors.BAD_JSON.format(detail=exc), path) from None


def validated(name: str, raw: object, source: str | Path) -> dict:
    """``raw`` if it fits the lexicon model of ``name``, else a ``ClaimsError`` naming
    ``source`` (a file, or a saved pipeline's copy)."""
    try:
        MODELS[name].model_validate(raw)
    except ValidationError as exc:
        raise errors.ClaimsError(bad_lexicon(name, exc), source) from None
    return raw


def bad_lexicon(name: str, exc: ValidationError) -> str:
    """One line from a validation error: the first problem and how many there are."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    problem = f"{where}: {first['msg']}" if where else first["msg"].removeprefix("Value error, ")
    more = exc.error_count() - 1
    detail = problem + (f" (and {more} more)" if more else "")
    return errors.BAD_LEXICON.format(name=name, detail=detail)


def load_lexicon(name: str, path: str | Path | None = None, saved: dict | None = None) -> dict:
    """The lexicon at ``path``, or the bundled ``<name>.json`` beside the components (or, for
    a saved component, its copy of ``<name>`` in ``saved``), validated against its model
    (a :class:`~pipeline.errors.ClaimsError` if it does not fit)."""
    if path is None and saved and name in saved:
        return validated(name, saved[name], f"saved {name} lexicon")
    return _read(name, Path(path) if path else HERE / f"{name}.json")
