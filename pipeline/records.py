"""The project's boundary models: gold documents and claims, and the predicted claim record.

Every model forbids unknown fields, so a typo in a gold file or a drifted record is an error
at load time. ``schemas/`` is generated from these models (``claims schema``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .ids import ACTOR_PATTERN, REGION_PATTERN, STATE_PATTERN

Stance = Literal["convergent", "divergent", "neutral"]
Certainty = Literal["asserted", "hedged", "reported"]
Polarity = Literal["cooperative", "hostile"]
Resolution = Literal["name", "alias", "demonym", "metonymy", "coreference"]

STANCES: tuple[str, ...] = ("convergent", "divergent", "neutral")
CERTAINTIES: tuple[str, ...] = ("asserted", "hedged", "reported")

ActorId = Annotated[str, StringConstraints(pattern=ACTOR_PATTERN)]
RegionId = Annotated[str, StringConstraints(pattern=REGION_PATTERN)]
StateId = Annotated[str, StringConstraints(pattern=STATE_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
DocId = Annotated[str, StringConstraints(min_length=1, pattern=r"^\S(.*\S)?$")]
Offset = Annotated[int, Field(ge=0)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Model(BaseModel):
    """Base for every boundary model: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


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


class GoldDocument(Model):
    """One line of a gold folder's documents.jsonl."""

    doc_id: DocId
    path: str = Field(description="Text file, relative to the folder holding documents.jsonl")
    sha256: Sha256
    title: str | None = None
    author: str | None = None
    focal_actors: list[StateId] = Field(default_factory=list, max_length=2)


class GoldClaim(Span):
    """One line of a gold folder's claims.jsonl: the spec's required fields plus optional notes."""

    doc_id: DocId
    section: str | None
    actors: list[ActorId]
    regions: list[RegionId]
    stance: Stance
    certainty: Certainty
    relations: list[Relation]
    probability: tuple[Probability, Probability] | None = Field(
        default=None, description="ICD 203 band [low, high] of the estimative term, optional"
    )
    cues: list[str] | None = Field(default=None, description="Certainty cue words, optional")
    notes: str | None = Field(default=None, description="Annotator's note, optional")


class Mention(Span):
    """Where an actor or region is mentioned, and how the mention was resolved."""

    resolved_by: Resolution


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
    focal: list[StateId]
    cues: list[Cue]


class CertaintyRecord(Model):
    """How sure the claim is, with cues and ICD 203 band where an estimative word appears."""

    label: Certainty
    cues: list[Cue]
    probability: ProbabilityBand | None


class RelationRecord(Relation):
    """A relation with the predicate or noun that expresses it."""

    cue: Cue


class Provenance(Model):
    """What produced a record, so a corpus run can be audited and reproduced."""

    doc_sha256: Sha256
    pipeline_version: str
    model_name: str
    model_version: str


class ClaimRecord(Span):
    """One predicted claim: the record ``claims run`` writes, one JSON line each."""

    claim_id: str = Field(description="Stable: hash of doc sha256, span and text")
    doc_id: DocId
    section: str | None
    sentence_index: Annotated[int, Field(ge=0)]
    actors: list[ActorRecord]
    regions: list[RegionRecord]
    candidates: list[Candidate] = Field(description="Unlinked NER entities, for review")
    stance: StanceRecord
    certainty: CertaintyRecord
    relations: list[RelationRecord]
    provenance: Provenance


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
    from .io import write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    return [write_text_atomic(folder / name, text) for name, text in schema_files().items()]


# -- Doc to records -----------------------------------------------------------------------


def claim_id(doc_sha256: str, start: int, end: int, text: str) -> str:
    """Stable claim id: the same document text, span and claim text give the same id."""
    import hashlib

    digest = hashlib.sha256(f"{doc_sha256}:{start}:{end}:{text}".encode()).hexdigest()
    return f"c_{digest[:16]}"


def records_from_doc(doc, *, doc_id: str, doc_sha256: str, provenance: Provenance, offset: int = 0):
    """Turn a processed Doc into ClaimRecords (the only place a Doc becomes output).

    ``offset`` shifts every character offset, for documents processed in chunks; the text
    of every record still equals the original document at its offsets.
    """
    from .gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    actors_by_claim = _group(doc.spans.get("actors", []), doc.spans.get("claims", []))
    regions_by_claim = _group(doc.spans.get("regions", []), doc.spans.get("claims", []))
    candidates_by_claim = _group(doc.spans.get("candidates", []), doc.spans.get("claims", []))
    focal = list(doc._.focal or [])
    records = []
    for n, claim in enumerate(doc.spans.get("claims", [])):
        start, end = claim.start_char + offset, claim.end_char + offset

        def cue(pair, base=offset, text=doc.text):
            return Cue(start=pair[0] + base, end=pair[1] + base, text=text[pair[0] : pair[1]])

        def mention(span, base=offset):
            return Mention(
                start=span.start_char + base,
                end=span.end_char + base,
                text=span.text,
                resolved_by=span._.resolved_by or "name",
            )

        actors: dict[str, ActorRecord] = {}
        for span in actors_by_claim[n]:
            record = actors.setdefault(
                span.kb_id_,
                ActorRecord(
                    id=span.kb_id_,
                    type=gazetteer.actor_kind(span.kb_id_),
                    name=gazetteer.actor_name(span.kb_id_),
                    country=gazetteer.home_state(span.kb_id_),
                    mentions=[],
                ),
            )
            record.mentions.append(mention(span))
        regions: dict[str, RegionRecord] = {}
        for span in regions_by_claim[n]:
            record = regions.setdefault(
                span.kb_id_,
                RegionRecord(
                    id=span.kb_id_,
                    type=gazetteer.region_kind(span.kb_id_),
                    name=gazetteer.region_name(span.kb_id_),
                    parents=gazetteer.parents(span.kb_id_),
                    mentions=[],
                ),
            )
            record.mentions.append(mention(span))
        band = claim._.probability
        records.append(
            ClaimRecord(
                claim_id=claim_id(doc_sha256, start, end, claim.text),
                doc_id=doc_id,
                start=start,
                end=end,
                text=claim.text,
                section=claim._.section,
                sentence_index=claim._.sentence_index or 0,
                actors=sorted(actors.values(), key=lambda a: a.id),
                regions=sorted(regions.values(), key=lambda r: r.id),
                candidates=[
                    Candidate(
                        start=c.start_char + offset,
                        end=c.end_char + offset,
                        text=c.text,
                        label=c.label_,
                    )
                    for c in candidates_by_claim[n]
                ],
                stance=StanceRecord(
                    label=claim._.stance or "neutral",
                    focal=focal,
                    cues=[cue(c) for c in claim._.stance_cues or []],
                ),
                certainty=CertaintyRecord(
                    label=claim._.certainty or "asserted",
                    cues=[cue(c) for c in claim._.certainty_cues or []],
                    probability=(
                        ProbabilityBand(term=band[0], low=band[1], high=band[2]) if band else None
                    ),
                ),
                relations=[
                    RelationRecord(
                        source=r["source"],
                        target=r["target"],
                        polarity=r["polarity"],
                        cue=cue(r["cue"]),
                    )
                    for r in claim._.relations or []
                ],
                provenance=provenance,
            )
        )
    return records


def _group(spans, claims) -> list[list]:
    """Spans lying inside each claim, in claim order."""
    out: list[list] = [[] for _ in claims]
    for n, claim in enumerate(claims):
        out[n] = [s for s in spans if claim.start <= s.start and s.end <= claim.end]
    return out
