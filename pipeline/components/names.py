"""Names: actors the gazetteer lacks, introduced by the text itself.

Runs after the gazetteer matcher and adds to ``doc.spans["mentions"]``, recording each new
actor's type, name and home state in ``doc._.local_actors``:

- a PERSON entity becomes ``person:`` + its name ("Kazakh President Kassym TOKAYEV" ->
  person:kassym-tokayev), its home state taken from the title before it: a demonym
  ("Kazakh President"), a state and "'s" ("Iran's foreign minister") or a state name
  ("the U.S. Defense Secretary"). Names in capitals are matched as usual spellings;
- a person's surname alone, after the full name in the same document, is that person
  ("... Abiy Ahmed ... ABIY said");
- an organisation introduced with an acronym ("the Tigray People's Liberation Front
  (TPLF)") becomes ``org:`` + the acronym unless the gazetteer knows the name, and later
  uses of the acronym resolve to it;
- a demonym naming a population ("ethnic Armenians", "the Uzbek minority") becomes a
  ``group:`` actor (G3.6), not the state.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..extensions import register_extensions
from ..gazetteer.store import skeleton
from ..ids import slugify
from .base import Component, Serialisable
from .syntax import covered, indexes_with, word_ids

ACRONYM_RE = re.compile(r"^[A-Z][A-Z&-]{1,7}$")
POSSESSIVES = {"'s", "\u2019s", "'", "\u2019"}


def display_name(tokens) -> str:
    """Name as usually written: words in capitals title-cased ("KIM Jong Un" -> "Kim Jong
    Un", "al-ASAD" -> "al-Asad")."""
    out = []
    for t in tokens:
        word = t.text
        if len(word) > 1 and word.isupper() and word.isalpha():
            word = word.capitalize()
        out.append(word + t.whitespace_)
    return "".join(out).strip()


class NameLinker(Serialisable, Component):
    """Add mentions of persons, acronym organisations and populations the gazetteer lacks."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("names", lexicon)
        self.titles = set(lex["title_words"])
        self.population_nouns = set(lex["population_nouns"])
        self.ethnic_words = set(lex["ethnic_words"])
        self.not_person_words = set(lex["not_person_words"])
        self.gazetteer = self.pipeline_gazetteer()
        self.by_skeleton = self.gazetteer.indexes.skeletons  # see store.person_skeletons
        self.states_by_text = self.gazetteer.indexes.state_texts  # see store.state_texts

    def process(self, doc: Doc) -> Doc:
        mentions = list(doc.spans.get("mentions", []))
        local: dict[str, dict] = {}
        taken = covered(mentions)
        added = self.persons(doc, taken, local)
        added += self.acronyms(doc, taken | covered(added), local)
        mentions = self.populations(doc, mentions, local)
        spans = filter_spans([*mentions, *added])
        doc.spans["mentions"] = sorted(spans, key=lambda s: s.start)
        doc._.local_actors = local
        return doc

    # -- persons ----------------------------------------------------------------------------

    def persons(self, doc: Doc, taken: set[int], local: dict) -> list[Span]:
        known = {}  # surname -> person ID, in text order
        for mention in doc.spans.get("mentions", []):
            if mention.kb_id_.startswith("person:") and len(mention) > 1:
                known[mention[-1].lower_] = mention.kb_id_
        added = []
        for ent in doc.ents:
            if ent.label_ != "PERSON" or taken & set(range(ent.start, ent.end)):
                continue
            tokens = [t for t in ent if t.lower_ not in self.titles]
            while tokens and not tokens[0].text[:1].isupper():
                tokens = tokens[1:]
            while tokens and tokens[-1].lower_ in POSSESSIVES:  # "Napoleon BONAPARTE's"
                tokens = tokens[:-1]
            if not tokens:
                continue
            if len(tokens) == 1:  # a surname: only after its full name
                pid = known.get(tokens[0].lower_)
                if pid:
                    added.append(self.span(doc, tokens[0].i, tokens[-1].i + 1, pid, "alias"))
                continue
            name = display_name(tokens)
            if {t.lower_ for t in tokens} & self.not_person_words or "-" in name.split()[0]:
                continue  # "Kyivan Rus", "Tigray People's Liberation Front", "Neo-Ottoman"
            pid = self.by_skeleton.get(skeleton(name)) or f"person:{slugify(name)}"
            if pid not in self.gazetteer.actors:
                home = self.home_state(doc, tokens[0].i)
                local.setdefault(pid, {"type": "person", "name": name, "country": home})
            known[tokens[-1].lower_] = pid
            added.append(self.span(doc, tokens[0].i, tokens[-1].i + 1, pid, "name"))
        added += self.surnames(doc, taken | covered(added), known)
        return added

    def home_state(self, doc: Doc, start: int) -> str | None:
        """The state named in the title before a person: "Kazakh President", "Iran's
        foreign minister", "the U.S. Defense Secretary"."""
        i = start - 1
        while i >= 0 and doc[i].lower_ in self.titles:
            i -= 1
        if i >= 0 and doc[i].text in {"'s", "\u2019s"}:
            i -= 1
        for width in (3, 2, 1):
            if i - width + 1 >= 0:
                text = doc[i - width + 1 : i + 1].text
                if text in self.states_by_text:
                    return self.states_by_text[text]
        return None

    def surnames(self, doc: Doc, taken: set[int], known: dict[str, str]) -> list[Span]:
        """Later uses of a known person's surname alone ("SALIH eventually agreed")."""
        added = []
        if not known:
            return added
        for token in (doc[i] for i in indexes_with(doc, word_ids(doc.vocab, known), "LOWER")):
            pid = known.get(token.lower_)
            if pid and token.i not in taken and token.pos_ == "PROPN" and token.text[:1].isupper():
                added.append(self.span(doc, token.i, token.i + 1, pid, "alias"))
        return added

    # -- organisations ----------------------------------------------------------------------

    def acronyms(self, doc: Doc, taken: set[int], local: dict) -> list[Span]:
        """ "the Collective Security Treaty Organization (CSTO)": the acronym names the
        organisation before it from then on."""
        by_acronym: dict[str, str] = {}
        added = []
        upper = doc.to_array("IS_UPPER").tolist() if len(doc) else []
        for token in (doc[i] for i, flag in enumerate(upper) if flag):  # every acronym is upper
            if not (ACRONYM_RE.match(token.text) and 0 < token.i < len(doc) - 1):
                continue
            if token.nbor(-1).text == "(" and token.nbor(1).text == ")":
                found = self.introduced(doc, token, taken, local)
                if found:
                    by_acronym[token.text], span = found
                    added.append(span)
                    continue
            oid = by_acronym.get(token.text)
            if oid and token.i not in taken:
                added.append(self.span(doc, token.i, token.i + 1, oid, "alias"))
        return added

    def introduced(self, doc: Doc, acronym: Token, taken: set[int], local: dict):
        """(organisation ID, span of its long name) for an acronym in brackets after an
        ORG entity or a gazetteer actor."""
        end = acronym.i - 1
        before = doc[end - 1] if end > 0 else None
        if before is None:
            return None
        for mention in doc.spans.get("mentions", []):
            if mention.end == end and mention.kb_id_.startswith(("org:", "group:")):
                return mention.kb_id_, self.span(
                    doc, acronym.i, acronym.i + 1, mention.kb_id_, "alias"
                )
        ent = next((e for e in doc.ents if e.end == end and e.label_ in {"ORG", "NORP"}), None)
        if ent is None or taken & set(range(ent.start, ent.end)):
            return None
        oid = f"org:{slugify(acronym.text)}"
        start = ent.start + (ent[0].lower_ == "the")
        if oid not in self.gazetteer.actors:
            local.setdefault(
                oid, {"type": "organisation", "name": doc[start:end].text, "country": None}
            )
        return oid, self.span(doc, start, end, oid, "name")

    # -- populations ------------------------------------------------------------------------

    def populations(self, doc: Doc, mentions: list[Span], local: dict) -> list[Span]:
        """A demonym naming a people is the group: "ethnic Armenians", "the Uzbek
        minority", "Armenian communities"."""
        out = []
        for m in mentions:
            if m._.role == "demonym" and m.kb_id_ and self.is_population(doc, m):
                word = m[-1].text
                plural = word if word.endswith("s") else word + "s"
                gid = f"group:{slugify(plural)}"
                local.setdefault(gid, {"type": "group", "name": plural, "country": None})
                m = self.span(doc, m.start, m.end, gid, "demonym")
            out.append(m)
        return out

    def is_population(self, doc: Doc, mention: Span) -> bool:
        before = doc[mention.start - 1].lower_ if mention.start else ""
        after = doc[mention.end].lemma_.lower() if mention.end < len(doc) else ""
        return before in self.ethnic_words or after in self.population_nouns

    @staticmethod
    def span(doc: Doc, start: int, end: int, actor_id: str, how: str) -> Span:
        span = Span(doc, start, end, label="actor", kb_id=actor_id)
        span._.role = "actor"
        span._.resolved_by = how
        return span


@Language.factory(
    "claims_names",
    assigns=["doc.spans", "doc._.local_actors", "span._.role", "span._.resolved_by"],
    requires=["doc.ents", "doc.spans", "token.pos"],
    default_config={"lexicon": None},
)
def make_names(nlp: Language, name: str, lexicon: str | None) -> NameLinker:
    """Factory: ``lexicon`` is a JSON file like names.json (None: the bundled one)."""
    return NameLinker(nlp, name, lexicon=lexicon)
