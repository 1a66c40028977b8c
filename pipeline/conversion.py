"""A processed Doc to claim records (the only place a Doc becomes output); the records'
models are in :mod:`pipeline.models`."""

from __future__ import annotations

from collections import namedtuple

from .models import (
    ActorRecord,
    Candidate,
    CertaintyRecord,
    ClaimRecord,
    Cue,
    Mention,
    ProbabilityBand,
    Provenance,
    RegionRecord,
    RelationRecord,
    SourceRecord,
    StanceRecord,
    TimeRecord,
    claim_id,
)

# The span extensions a record reads (extensions.SPAN_EXTENSIONS): of a claim, of a mention.
CLAIM_EXTENSIONS = (
    "section",
    "sentence_index",
    "probability",
    "stance",
    "stance_rule",
    "stance_cues",
    "stance_origin",
    "stance_probability",
    "stance_rule_label",
    "certainty",
    "certainty_cues",
    "relations",
    "source",
    "time",
)
MENTION_EXTENSIONS = ("resolved_by", "model_probability")
ClaimValues = namedtuple("ClaimValues", CLAIM_EXTENSIONS)
UNDERSCORE = "._."  # the first part of spaCy's user_data key of an extension value


def extension_reader(doc, names: tuple[str, ...]):
    """A function from a span of ``doc`` to the values of its extensions ``names``, read
    from ``doc.user_data`` directly where spaCy keeps them there (plain extensions with a
    None default, keyed ("._.", name, start_char, end_char)): an ``Underscore`` object per
    span and its attribute reads cost more than a claim's record. Otherwise through
    ``span._``."""
    if not _plain_extensions(doc, names):
        return lambda span: [getattr(ext, name) for ext in (span._,) for name in names]
    data = doc.user_data

    def values(span) -> list:
        start, end = span.start_char, span.end_char
        return [data.get((UNDERSCORE, name, start, end)) for name in names]

    return values


def _plain_extensions(doc, names) -> bool:
    """Span extensions ``names`` all stored values with a None default, under the key
    spaCy's ``Underscore`` uses for ``doc``'s spans as this module reads it."""
    from spacy.tokens import Span

    if any(Span.get_extension(name) != (None, None, None, None) for name in names):
        return False
    if not len(doc):
        return True
    probe = doc[0:1]
    key = getattr(probe._, "_get_key", lambda name: None)(names[0])
    return key == (UNDERSCORE, names[0], probe.start_char, probe.end_char)


def _entry_makers(gaz):
    """actor(id) and region(id) records (without mentions) of ``gaz``, each entry's fields
    looked up once per document."""
    actors: dict = {}
    regions: dict = {}

    def actor(aid: str) -> ActorRecord:
        found = actors.get(aid)
        if found is None:
            found = actors[aid] = (gaz.actor_kind(aid), gaz.actor_name(aid), gaz.home_state(aid))
        kind, name, country = found
        return ActorRecord(id=aid, type=kind, name=name, country=country, mentions=[])

    def region(rid: str) -> RegionRecord:
        found = regions.get(rid)
        if found is None:
            found = regions[rid] = (gaz.region_kind(rid), gaz.region_name(rid), gaz.parents(rid))
        kind, name, parents = found
        return RegionRecord(id=rid, type=kind, name=name, parents=list(parents), mentions=[])

    return actor, region


def records_from_doc(
    doc,
    *,
    doc_id: str,
    doc_sha256: str,
    provenance: Provenance,
    gazetteer,
    offset: int = 0,
    meta: dict | None = None,
):
    """Turn a processed Doc into ClaimRecords (the only place a Doc becomes output).

    ``offset`` shifts every character offset, for documents processed in chunks; the text
    of every record still equals the original document at its offsets (also for a Doc of
    normalised text, whose offsets are mapped back: ``textnorm``). ``meta`` (the input
    line's own fields) is copied into every record. ``gazetteer`` is the pipeline's that
    made the Doc (``components.base.gazetteer_of(nlp)``).
    """
    from .components.syntax import spans_within
    from .extensions import doc_text
    from .textnorm import source_of

    gaz = gazetteer.with_local(doc._.local_actors)
    if doc._.date:
        provenance = provenance.model_copy(
            update={"date": doc._.date, "date_source": doc._.date_source}
        )
    claims = list(doc.spans.get("claims", []))
    actors_by_claim = spans_within(doc.spans.get("actors", []), claims)
    regions_by_claim = spans_within(doc.spans.get("regions", []), claims)
    candidates_by_claim = spans_within(doc.spans.get("candidates", []), claims)
    focal = list(doc._.focal or [])
    norm = source_of(doc)
    text = doc_text(doc) if norm is None else norm.original

    def place(start: int, end: int) -> dict:
        """start, end (in the document) and text of a span of the Doc."""
        if norm is not None:
            start, end = norm.span(start, end)
        return {"start": start + offset, "end": end + offset, "text": text[start:end]}

    def cue(pair: list[int]) -> Cue:
        return Cue(**place(pair[0], pair[1]))

    claim_values = extension_reader(doc, CLAIM_EXTENSIONS)
    mention_values = extension_reader(doc, MENTION_EXTENSIONS)

    def mention(span) -> Mention:
        resolved_by, probability = mention_values(span)
        return Mention(
            **place(span.start_char, span.end_char),
            resolved_by=resolved_by or "name",
            probability=probability,
        )

    actor, region = _entry_makers(gaz)

    records = []
    for n, claim in enumerate(claims):
        span = place(claim.start_char, claim.end_char)
        ext = ClaimValues(*claim_values(claim))
        band = ext.probability
        records.append(
            ClaimRecord(
                claim_id=claim_id(doc_id, doc_sha256, span["start"], span["end"]),
                doc_id=doc_id,
                **span,
                section=ext.section,
                sentence_index=ext.sentence_index or 0,
                actors=_collect(actors_by_claim[n], actor, mention),
                regions=_collect(regions_by_claim[n], region, mention),
                candidates=[
                    Candidate(**place(c.start_char, c.end_char), label=c.label_)
                    for c in candidates_by_claim[n]
                ],
                stance=StanceRecord(
                    label=ext.stance or "neutral",
                    focal=focal,
                    rule=ext.stance_rule,
                    cues=[cue(c) for c in ext.stance_cues or []],
                    origin=ext.stance_origin or "rule",
                    probability=ext.stance_probability,
                    rule_label=ext.stance_rule_label,
                ),
                certainty=CertaintyRecord(
                    label=ext.certainty or "asserted",
                    cues=[cue(c) for c in ext.certainty_cues or []],
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
                        origin=r.get("origin", "rule"),
                        probability=r.get("probability"),
                    )
                    for r in ext.relations or []
                ],
                source=_source(ext.source, cue),
                time=_time(ext.time, cue),
                provenance=provenance,
                meta=dict(meta or {}),
            )
        )
    return records


def _source(found: dict | None, cue) -> SourceRecord | None:
    """A claim's ``_.source`` as a record (None where no source component ran)."""
    if found is None:
        return None
    where = found.get("cue")
    return SourceRecord(
        kind=found["kind"], actor=found.get("actor"), cue=cue(where) if where else None
    )


def _time(found: dict | None, cue) -> TimeRecord | None:
    """A claim's ``_.time`` as a record (None where no time component ran)."""
    if found is None:
        return None
    where = found.get("cue")
    return TimeRecord(
        relative=found["relative"],
        start=found.get("start"),
        end=found.get("end"),
        cue=cue(where) if where else None,
    )


def _collect(spans, make, mention) -> list:
    """One record per ID (made by ``make``) holding every mention of it, sorted by ID."""
    out: dict = {}
    for span in spans:
        key = span.kb_id_
        record = out.get(key)
        if record is None:
            record = out[key] = make(key)
        record.mentions.append(mention(span))
    return sorted(out.values(), key=lambda r: r.id)
