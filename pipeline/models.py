"""The project's boundary models: gold documents and claims, and the predicted claim record.

Every model forbids unknown fields, so a typo in a gold file or a drifted record is an error
at load time. ``schemas/`` is generated from these models (``claims schema``). A processed
Doc becomes records in :mod:`pipeline.conversion`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .ids import ACTOR_PATTERN, REGION_PATTERN, STATE_PATTERN

Stance = Literal["convergent", "divergent", "neutral"]
Certainty = Literal["asserted", "hedged", "reported"]
Polarity = Literal["cooperative", "hostile"]
Resolution = Literal["name", "alias", "demonym", "metonymy", "coreference", "office"]
SourceKind = Literal["author", "actor", "unnamed"]
Relative = Literal["past", "present", "future"]
DateSource = Literal["input", "option", "dateline", "estimate"]

STANCES: tuple[str, ...] = ("convergent", "divergent", "neutral")
CERTAINTIES: tuple[str, ...] = ("asserted", "hedged", "reported")

ActorId = Annotated[str, StringConstraints(pattern=ACTOR_PATTERN)]
RegionId = Annotated[str, StringConstraints(pattern=REGION_PATTERN)]
StateId = Annotated[str, StringConstraints(pattern=STATE_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
DateStr = Annotated[
    str, StringConstraints(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
]
DocId = Annotated[str, StringConstraints(min_length=1, pattern=r"^\S(.*\S)?$")]
# A character offset: a JSON integer, never a string ("60") or a float (60.0).
Offset = Annotated[int, Field(ge=0, strict=True)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def _listed_once(values: list) -> list:
    """``values`` if no value is listed twice; a validation error naming the first repeat."""
    for n, value in enumerate(values):
        if value in values[:n]:
            shown = str(value) if isinstance(value, BaseModel) else repr(value)
            raise PydanticCustomError("duplicate", "{value} is listed twice", {"value": shown})
    return values


# A list in which each value appears once (an ID listed twice is an annotation error).
Unique = (AfterValidator(_listed_once), Field(json_schema_extra={"uniqueItems": True}))


class Model(BaseModel):
    """Base for every boundary model: unknown fields are errors.

    Its JSON escapes U+2028, U+2029 and U+0085, so that a JSON line written from it is one
    line for every reader (see ``io.escape_separators``).
    """

    model_config = ConfigDict(extra="forbid")

    def model_dump_json(self, **kwargs) -> str:
        from .io import escape_separators

        return escape_separators(super().model_dump_json(**kwargs))


class Span(Model):
    """A character span of the document, ``text == document[start:end]``."""

    start: Offset
    end: Offset
    text: str

    @model_validator(mode="after")
    def _ordered(self):
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self


class Relation(Model):
    """A directed actor-to-actor stance expressed by the claim's predicates."""

    source: ActorId
    target: ActorId
    polarity: Polarity

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} ({self.polarity})"


class GoldDocument(Model):
    """One line of a gold folder's documents.jsonl."""

    doc_id: DocId
    path: str = Field(description="Text file, relative to the folder holding documents.jsonl")
    sha256: Sha256
    title: str | None = None
    author: str | None = None
    focal_actors: Annotated[list[ActorId], *Unique] = Field(default_factory=list, max_length=2)
    date: DateStr | None = Field(default=None, description="The document's date, YYYY[-MM[-DD]]")
    annotator: str | None = Field(default=None, description="Who annotated the document")


def consistent_source(source):
    """``source`` if its kind, actor and cue agree (GUIDELINES G12.1-3), else a ValueError."""
    if (source.kind == "actor") != (source.actor is not None):
        raise ValueError("source.actor is given exactly when source.kind is 'actor'")
    if source.kind == "author" and source.cue is not None:
        raise ValueError("an author source has no cue")
    return source


class Source(Model):
    """Who makes a claim (spec, "Source and time"; GUIDELINES G12)."""

    kind: SourceKind
    actor: ActorId | None = None
    cue: tuple[Offset, Offset] | None = Field(
        default=None, description="[start, end] of the attribution phrase in the document"
    )

    @model_validator(mode="after")
    def _consistent(self):
        return consistent_source(self)


class Time(Model):
    """When a claim's content holds or happens (spec, "Source and time"; GUIDELINES G12)."""

    relative: Relative
    start: DateStr | None = None
    end: DateStr | None = None
    cue: tuple[Offset, Offset] | None = Field(
        default=None, description="[start, end] of the time expression in the document"
    )


class GoldClaim(Span):
    """One line of a gold folder's claims.jsonl: the spec's required fields plus optional notes.

    ``text`` may be left out for a document the project must not copy (a text outside the
    repository, such as the Factbook): the loader fills it in from the document.
    """

    text: str | None = Field(
        default=None, description="document[start:end]; filled in from the document if absent"
    )
    doc_id: DocId
    section: str | None
    actors: Annotated[list[ActorId], *Unique]
    regions: Annotated[list[RegionId], *Unique]
    stance: Stance
    certainty: Certainty
    relations: Annotated[list[Relation], *Unique]
    probability: tuple[Probability, Probability] | None = Field(
        default=None, description="ICD 203 band [low, high] of the estimative term, optional"
    )
    cues: list[str] | None = Field(default=None, description="Certainty cue words, optional")
    notes: str | None = Field(default=None, description="Annotator's note, optional")
    source: Source | None = Field(default=None, description="Who makes the claim, optional")
    time: Time | None = Field(default=None, description="When its content holds, optional")


class Mention(Span):
    """Where an actor or region is mentioned, and how the mention was resolved."""

    resolved_by: Resolution
    probability: Probability | None = Field(
        default=None, description="The actor model's probability, for a mention it added"
    )


class ActorRecord(Model):
    """An actor of a claim with its home state and mentions."""

    id: ActorId
    type: Literal["state", "person", "organisation", "group"]
    name: str
    country: StateId | None = Field(description="Home state, for roll-up; null where none")
    mentions: list[Mention]


class RegionRecord(Model):
    """A region a claim is located in or about, with its parents for roll-up."""

    id: RegionId
    type: Literal["country", "macro-region", "place"]
    name: str
    parents: list[RegionId]
    mentions: list[Mention]


class Candidate(Span):
    """A named entity the statistical NER found but the gazetteer could not link."""

    label: str = Field(description="spaCy NER label: PERSON, ORG, NORP, GPE, LOC, ...")


class Cue(Span):
    """A word or phrase that decided a label."""


class ProbabilityBand(Model):
    """The ICD 203 probability band of an estimative term."""

    term: str
    low: Probability
    high: Probability


class StanceRecord(Model):
    """Alignment of the focal pair expressed by the claim."""

    label: Stance
    focal: list[ActorId] = Field(description="The focal pair: two actor IDs of any kind")
    rule: str | None = Field(
        default=None,
        description="The stance rule that fired (pipeline/components/stance.py RULES); "
        "null when no rule fired (the rules' label is then neutral)",
    )
    cues: list[Cue]
    origin: Literal["rule", "model"] = Field(
        default="rule",
        description="What gave the label: the rules, or the stance model overriding them",
    )
    probability: Probability | None = Field(
        default=None, description="The stance model's probability of the label (null: no model)"
    )
    rule_label: Stance | None = Field(
        default=None, description="The rules' label, where the stance model decided"
    )


class CertaintyRecord(Model):
    """How sure the claim is, with cues and ICD 203 band where an estimative word appears."""

    label: Certainty
    cues: list[Cue]
    probability: ProbabilityBand | None


class RelationRecord(Relation):
    """A relation with the predicate or noun that expresses it."""

    cue: Cue
    origin: Literal["rule", "model"] = Field(
        default="rule",
        description="rule: the relation rules found it (kept by the model, if one runs); "
        "model: the relation model alone",
    )
    probability: Probability | None = Field(
        default=None, description="The relation model's probability (null: no model)"
    )


class SourceRecord(Model):
    """Who makes the claim: the author, an actor, or an unnamed source (GUIDELINES G12)."""

    kind: SourceKind
    actor: ActorId | None = Field(default=None, description="The source actor (kind 'actor')")
    cue: Cue | None = Field(default=None, description="The attribution phrase (null: author)")

    @model_validator(mode="after")
    def _consistent(self):
        return consistent_source(self)


class TimeRecord(Model):
    """When the claim's content holds or happens (GUIDELINES G12)."""

    relative: Relative = Field(description="Against the document's date (or the text's now)")
    start: DateStr | None = Field(default=None, description="YYYY[-MM[-DD]], null: open/unknown")
    end: DateStr | None = Field(default=None, description="YYYY[-MM[-DD]], null: open/unknown")
    cue: Cue | None = Field(default=None, description="The time expression (null: none)")


class Provenance(Model):
    """What produced a record, so a corpus run can be audited and reproduced."""

    doc_sha256: Sha256
    pipeline_version: str
    model_name: str
    model_version: str
    date: DateStr | None = Field(
        default=None, description="The document's date, YYYY[-MM[-DD]] (null: none known)"
    )
    date_source: DateSource | None = Field(
        default=None,
        description="Where the date comes from: the input line (input), --date (option), "
        "a dateline or an estimate number in the text",
    )


class ClaimRecord(Span):
    """One predicted claim: the record ``claims run`` writes, one JSON line each."""

    claim_id: str = Field(
        description="Unique and stable: hash of doc_id, document sha256 and span ('c_' + 16 hex)"
    )
    doc_id: DocId
    section: str | None
    sentence_index: Annotated[int, Field(ge=0)]
    actors: list[ActorRecord]
    regions: list[RegionRecord]
    candidates: list[Candidate] = Field(description="Unlinked NER entities, for review")
    stance: StanceRecord
    certainty: CertaintyRecord
    relations: list[RelationRecord]
    source: SourceRecord | None = Field(
        default=None, description="Who makes the claim (null only in records of older versions)"
    )
    time: TimeRecord | None = Field(
        default=None, description="When its content holds (null only in records of older versions)"
    )
    provenance: Provenance
    meta: dict[str, Any] = Field(
        default_factory=dict,
        description="The input line's own fields (url, date, source, ...), as given",
    )


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "gold-document": GoldDocument,
    "gold-claim": GoldClaim,
    "claim-record": ClaimRecord,
}


def schema_files() -> dict[str, str]:
    """File name to JSON Schema text for every boundary model (what ``schemas/`` holds)."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, sort_keys=True)
        + "\n"
        for name, model in SCHEMA_MODELS.items()
    }


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into ``folder``; return the paths written."""
    from .io import ensure_folder, write_text_atomic

    ensure_folder(folder)
    return [write_text_atomic(folder / name, text) for name, text in schema_files().items()]


def claim_id(doc_id: str, doc_sha256: str, start: int, end: int) -> str:
    """Claim id, unique per (doc_id, document text, span) and stable across runs: the same
    text under two doc_ids gives two ids (the same claim in both is found by
    ``provenance.doc_sha256``, ``start`` and ``end``)."""
    import hashlib

    key = json.dumps([doc_id, doc_sha256, start, end], ensure_ascii=True)
    return f"c_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
