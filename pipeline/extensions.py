"""The one table of custom ``Doc``/``Span`` attributes the components communicate through.

Values are plain JSON-serialisable data (strings, numbers, lists, dicts), so docs pickle for
multiprocessing and serialise with ``DocBin``. Span groups used (``doc.spans[...]``):

- ``non_claims``: title, heading, byline, label and lead-in topic spans (label_ says which)
- ``sections``: lead-in topic spans (label_ "section")
- ``claims``: claim spans, with ``_.section``, ``_.sentence_index``, ``_.stance`` ...
- ``mentions``: every gazetteer match, ``kb_id_`` holding the candidate IDs
- ``actors`` / ``regions``: resolved mentions, ``kb_id_`` the ID, ``_.resolved_by`` how
- ``candidates``: NER entities the gazetteer could not link (label_ is the NER label)

``doc.user_data[TEXT_KEY]`` caches the document text (see ``doc_text``).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

TEXT_KEY = "claims.text"

DOC_EXTENSIONS: dict[str, object] = {
    "focal": None,  # list[str]: the focal pair of actor IDs, or None to detect
    "local_actors": None,  # dict: actor ID -> {type, name, country} minted in this document
    "date": None,  # str: the document's date, YYYY[-MM[-DD]], or None (claims_dates)
    "date_source": None,  # str: input, option, dateline or estimate (models.DateSource)
}
SPAN_EXTENSIONS: dict[str, object] = {
    "section": None,  # claim: lead-in topic as written, or None
    "sentence_index": None,  # claim: index of its sentence in the document
    "resolved_by": None,  # mention: name, alias, demonym, metonymy, coreference
    "role": None,  # mention: gazetteer role (state, seat, demonym, actor, region, city, event)
    "place": None,  # mention: place ID of a seat of government used as a location
    "model_probability": None,  # actor mention a trained model added: its probability
    "stance": None,  # claim: convergent, divergent, neutral
    "stance_rule": None,  # claim: the stance rule that fired (stance.RULES), None if neutral
    "stance_cues": None,  # claim: list of [start_char, end_char]
    "stance_rule_label": None,  # claim: the rules' label, when a trained model decides
    "stance_probability": None,  # claim: the trained model's probability of its label
    "stance_origin": None,  # claim: "rule" or "model": what gave the label
    "certainty": None,  # claim: asserted, hedged, reported
    "certainty_cues": None,  # claim: list of [start_char, end_char]
    "probability": None,  # claim: [term, low, high] or None
    "relations": None,  # claim: list of {source, target, polarity, cue: [start, end]}
    #   (+ "origin": "rule" | "model" and "probability" once a trained model decides)
    "source": None,  # claim: {kind, actor, cue: [start, end] | None} (claims_source)
    "time": None,  # claim: {relative, start, end, cue: [start, end] | None} (claims_time)
    "gold": None,  # claim of a reference Doc (training): its gold annotation as a dict
    "embedding": None,  # claim: its sentence embedding (numpy), in the accurate config
}


def register_extensions() -> None:
    """Register every extension once (idempotent; called by each component factory)."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


def doc_text(doc: Doc) -> str:
    """The Doc's text, built once and cached in ``user_data``: ``Doc.text`` joins every
    token on each access, which costs more than several of the components."""
    text = doc.user_data.get(TEXT_KEY)
    if not isinstance(text, str) or len(text) != _text_length(doc):
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def _text_length(doc: Doc) -> int:
    if not len(doc):
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)
