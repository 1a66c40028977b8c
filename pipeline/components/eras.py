"""Date-aware actors: seats, demonyms, era names and titles resolve to the entity of the
document's date (GUIDELINES G11.8; the spec's "Source and time").

Runs after the gazetteer matcher and the name linker, on a Doc with a date
(``doc._.date``); without one it changes nothing, so an undated document's actors are
exactly what they were. With a date:

- a former state of ISO 3166-3 (eras.json: SUN, YUG, SCG, CSK, DDR, YMD, VDR) takes the
  seats and demonyms of its successor in its era: "Moscow", "the Kremlin", "Russian(s)"
  in a 1962 estimate are SUN; "Belgrade" in 1980 is YUG, "Prague" CSK, "Hanoi" VDR;
- names of the era resolve to the entity they named then: "the Soviets" (SUN), "Peking",
  "Communist China" (CHN), "Nationalist China", "the GRC" (TWN), "Bonn" (DEU), "the
  Bloc", "the Satellites", "the Free World" (the era's groups);
- a title with a state context (offices.json) becomes the office holder on the date, from
  the PETRARCH2 terms of office (``office_holders.json``, see ``pipeline/tools/offices.py``) and the
  terms offices.json adds: "the Shah" in 1970 is person:mohammad-reza-pahlavi, "the
  President" in a 2015 U.S. text person:barack-obama, "Iran's foreign minister" or "the
  Soviet Premier" the holder of that state's office. The state comes from a possessive
  ("Iran's"), a state, demonym or seat before the title ("the Iranian", "the U.S.") or
  "of X" after it, else the office's default (a capitalised "the President" is the U.S.
  one). A title followed by a name ("President Obama") is left to the name, as are "Vice
  President", "former President" and "Assistant to the President".
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from .. import dates
from ..extensions import register_extensions
from ..gazetteer.store import PhraseTable
from ..ids import actor_type
from .base import Component, Serialisable

HOW = {"state": "alias", "seat": "metonymy", "demonym": "demonym", "actor": "name"}
STATE_ROLES = {"state", "seat", "demonym"}


class KeyedPhrases:
    """A :class:`PhraseTable` whose matches carry string keys: (key, start, end)."""

    def __init__(self, attr: str, rows: list[tuple[str, list[str]]]) -> None:
        self.keys = [key for key, _ in rows]
        self.table = PhraseTable.build(attr, [(words, n) for n, (_, words) in enumerate(rows)])

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        return [(self.keys[n], start, end) for n, start, end in self.table(doc)]


class EraResolver(Serialisable, Component):
    """Rewrite ``doc.spans["mentions"]`` to the entities of the document's date."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        lexicon: str | None = None,
        offices_lexicon: str | None = None,
        holders_lexicon: str | None = None,
    ) -> None:
        register_extensions()
        self.name = name
        self.eras = self.lexicon("eras", lexicon)["eras"]
        offices = self.lexicon("offices", offices_lexicon)
        generated = self.lexicon("office_holders", holders_lexicon)["holders"]
        self.titles: dict[str, str] = offices["titles"]
        self.defaults: dict[str, str] = offices["default_states"]
        self.holder_states: dict[str, str] = offices["holder_states"]
        self.not_after = set(offices["not_after"])
        self.not_heads = set(offices["not_heads"])
        self.curated = offices["holders"]  # terms after the dictionaries' snapshot: first
        self.generated = generated
        words = {text: [t.text for t in nlp.tokenizer(text)] for text in self.titles}
        self.names = KeyedPhrases(
            "ORTH",
            [
                (f"{n}|{text}", [t.text for t in nlp.tokenizer(text)])
                for n, era in enumerate(self.eras)
                for text in era["names"]
            ],
        )
        self.title_index = KeyedPhrases("LOWER", list(words.items()))
        gazetteer = self.pipeline_gazetteer()
        self.known = gazetteer.actors
        self.states_by_text: dict[str, str] = gazetteer.indexes.state_texts

    def process(self, doc: Doc) -> Doc:
        if not doc._.date:
            return doc
        date = dates.middle(doc._.date)  # a year's holder is the one of most of it
        active = [era for era in self.eras if dates.contains(era["from"], era["to"], date)]
        mentions = [self.of_era(m, active) for m in doc.spans.get("mentions", [])]
        added = self.era_names(doc, active)
        added += self.office_holders(doc, date, active, filter_spans([*added, *mentions]))
        doc.spans["mentions"] = sorted(filter_spans([*added, *mentions]), key=lambda s: s.start)
        self.name_new_actors(doc, added, active)
        return doc

    # -- seats, demonyms and names of an era ------------------------------------------------

    @staticmethod
    def of_era(mention: Span, active: list[dict]) -> Span:
        """The mention, its seat or demonym of a successor state given to the former state."""
        role = mention._.role
        if role not in {"seat", "demonym"}:
            return mention
        for era in active:
            if mention.kb_id_ in era["seats_of" if role == "seat" else "demonyms_of"]:
                return copy(mention, era["id"])
        return mention

    def era_names(self, doc: Doc, active: list[dict]) -> list[Span]:
        """Mentions of the names the active eras give ("the Soviets", "Peking")."""
        wanted = {str(self.eras.index(era)) for era in active}
        out = []
        for key, start, end in self.names(doc):
            n, text = key.split("|", 1)
            if n not in wanted:
                continue
            era = self.eras[int(n)]
            spec = era["names"][text]
            role, place = (spec, None) if isinstance(spec, str) else spec
            out.append(mention(doc, start, end, era["id"], role, HOW[role], place))
        return out

    # -- titles: the office holder of the date ----------------------------------------------

    def office_holders(self, doc: Doc, date: str, active, mentions: list[Span]) -> list[Span]:
        taken = {i for m in mentions for i in range(m.start, m.end)}
        by_token = {i: m for m in mentions for i in range(m.start, m.end)}
        out = []
        for key, start, end in self.title_index(doc):
            if taken & set(range(start, end)) or not self.stands_alone(doc, start, end):
                continue
            office = self.titles[key]
            state = self.state_context(doc, start, end, by_token, active)
            if state is None and doc[start].text[:1].isupper():
                state = self.defaults.get(office)
            holder = self.holder(state, office, date) if state else None
            if holder:
                out.append(mention(doc, start, end, holder, "actor", "office"))
        return out

    def stands_alone(self, doc: Doc, start: int, end: int) -> bool:
        """A title used for its holder: not before a name ("President Obama"), not "Vice
        President" or "former President", not inside another title ("Assistant to the
        President")."""
        after = doc[end] if end < len(doc) else None
        if after is not None and (
            after.text == "(" or (after.pos_ == "PROPN" and after.text[:1].isupper())
        ):
            return False  # "President Obama", "President (previously Prime Minister) Erdogan"
        title = doc[end - 1]
        if (title.dep_ == "compound" and title.head.pos_ == "PROPN") or any(
            c.dep_ == "appos" and c.pos_ == "PROPN" for c in title.children
        ):
            return False  # "the President, Hafiz al-Asad"
        before = [t.lower_ for t in doc[max(0, start - 2) : start]]
        if any(word.strip("-") in self.not_after for word in before):
            return False
        head = title
        for _ in range(3):
            if head.head.i == head.i:
                break
            head = head.head
            if head.lower_ in self.not_heads:
                return False
        return True

    def state_context(self, doc: Doc, start: int, end: int, by_token, active) -> str | None:
        """The state of a title: "Iran's", "the Iranian", "the U.S." before it, or "of X"."""
        i = start - 1
        if i >= 0 and doc[i].text in {"'s", "\u2019s"}:
            i -= 1
        if i >= 0 and i in by_token and by_token[i]._.role in STATE_ROLES | {"actor"}:
            found = by_token[i].kb_id_.split()[0]
            return found if actor_type(found) == "state" else None
        for width in (3, 2, 1):
            if i - width + 1 >= 0:
                text = doc[i - width + 1 : i + 1].text
                if text in self.states_by_text:
                    return self.era_state(self.states_by_text[text], active)
        return self.of_state(doc[end - 1], by_token)

    @staticmethod
    def era_state(state: str, active: list[dict]) -> str:
        """A successor's demonym before a title in an era: the former state's ("Russian")."""
        for era in active:
            if state in era["demonyms_of"]:
                return era["id"]
        return state

    @staticmethod
    def of_state(title: Token, by_token) -> str | None:
        """ "the President of Egypt": the state of the title's "of" phrase."""
        for prep in title.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    found = by_token.get(obj.i)
                    if found is not None and actor_type(found.kb_id_.split()[0]) == "state":
                        return found.kb_id_.split()[0]
        return None

    def holder(self, state: str, office: str, date: str) -> str | None:
        """Who held ``office`` of ``state`` on ``date`` (the latest term to begin)."""
        state = self.holder_states.get(state, state)
        for table in (self.curated, self.generated):
            rows = [r for r in table.get(state, {}).get(office, []) if within(r, date)]
            if rows:
                return max(rows, key=lambda r: r[1])[0]
        return None

    def name_new_actors(self, doc: Doc, spans: list[Span], active: list[dict]) -> None:
        """Record the actors the gazetteer lacks (an era's group, a recent office holder)."""
        local = dict(doc._.local_actors or {})
        names = {era["id"]: era.get("name") for era in active}
        for span in spans:
            aid = span.kb_id_
            if aid in self.known or aid in local:
                continue
            kind = actor_type(aid)
            name = names.get(aid) or aid.split(":", 1)[-1].replace("-", " ").title()
            local[aid] = {"type": kind, "name": name, "country": None}
        doc._.local_actors = local


def within(row: list, date: str) -> bool:
    _, start, end = row
    return dates.contains(start, end, date)


def copy(span: Span, actor_id: str) -> Span:
    """``span`` naming ``actor_id`` instead, with its role, resolution and place."""
    new = Span(span.doc, span.start, span.end, label=span.label_, kb_id=actor_id)
    new._.role, new._.resolved_by, new._.place = span._.role, span._.resolved_by, span._.place
    return new


def mention(doc, start, end, actor_id, role, how, place=None) -> Span:
    span = Span(doc, start, end, label=role, kb_id=actor_id)
    span._.role, span._.resolved_by, span._.place = role, how, place
    return span


@Language.factory(
    "claims_eras",
    assigns=["doc.spans", "doc._.local_actors"],
    requires=["doc.spans", "doc._.date", "token.pos", "token.dep"],
    default_config={"lexicon": None, "offices_lexicon": None, "holders_lexicon": None},
)
def make_eras(
    nlp: Language,
    name: str,
    lexicon: str | None,
    offices_lexicon: str | None,
    holders_lexicon: str | None,
) -> EraResolver:
    """Factory: ``lexicon`` like eras.json, ``offices_lexicon`` like offices.json,
    ``holders_lexicon`` like office_holders.json (None: the bundled ones)."""
    return EraResolver(
        nlp,
        name,
        lexicon=lexicon,
        offices_lexicon=offices_lexicon,
        holders_lexicon=holders_lexicon,
    )
