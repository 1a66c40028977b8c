"""Actors, learned: which actors a claim has, decided over candidates, stacked on the
gazetteer, name and coreference rules.

For each claim it scores three kinds of candidates, each a (mention, actor ID) pair:

- ``keep``: an actor the rules found in the claim (the model may drop one the gold would
  not have: a place read as a party, a name inside a title);
- ``coref``: a referring expression the rules left unresolved ("we", "its", "the two
  governments", "the Administration", "the Shah") with each actor of the last few claims and
  each focal actor as its possible referent;
- ``link``: a named entity the gazetteer could not link ("Congress", "KABILA", "the Kingdom
  of Kongo") with the gazetteer actors whose spelling or surname it matches, the actors of
  the document sharing a word with it, and an actor minted from its name
  (``org:kingdom-of-kongo``).

A candidate is added (or kept) when its probability reaches its kind's threshold
(``thresholds``: ``keep``, ``coref``, ``link``, learned by cross-validation in ``claims
train``); what the model adds is an actor span like the rules' (``resolved_by``
``coreference`` or ``alias``; minted actors go to ``doc._.local_actors``), with its
probability on ``span._.model_probability``, so the relation and stance components see it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.training import Example
from thinc.api import Model

from ..extensions import register_extensions
from ..gazetteer import Gazetteer
from ..ids import actor_type, slugify
from ..training import scoring  # noqa: F401  (registers the scorers)
from .base import gazetteer_of
from .classifier import ClaimClassifier, Item, aligned_gold
from .lexicon import load_lexicon
from .names import display_name
from .syntax import indexes_with, mention_head, starting_within, tokens_within, word_ids

LABELS = ("no", "yes")
THRESHOLD_KEYS = ("keep", "coref", "link")
RESOLVED = {"coref": "coreference", "link": "alias", "mint": "name"}


class ActorModel(ClaimClassifier):
    """Adds and drops actor spans of ``doc.spans["actors"]`` claim by claim."""

    labels = LABELS

    def __init__(
        self, vocab, model: Model, name: str, *, lexicon: str | None = None,
        thresholds: dict[str, float] | None = None, scorer=None, nlp=None,
    ):  # fmt: skip
        register_extensions()
        lex = load_lexicon("actor_model", lexicon)
        thresholds = {**dict.fromkeys(THRESHOLD_KEYS, 0.5), **(thresholds or {})}
        super().__init__(vocab, model, name, thresholds=thresholds, lexicon=lex)
        self.scorer = scorer
        self.nlp = nlp  # its gazetteer is the pipeline's (base.gazetteer_of)

    @property
    def gazetteer(self) -> Gazetteer:
        return gazetteer_of(self.nlp)

    # -- lookups ----------------------------------------------------------------------------

    @property
    def spellings(self) -> Mapping[str, list[str]]:
        """Lower-cased spelling -> actor IDs (names, aliases, seats, demonyms), from the
        gazetteer's binary form (built with it, not at every start)."""
        return self.gazetteer.indexes.spellings

    @property
    def surnames(self) -> Mapping[str, list[str]]:
        """Lower-cased last word of a person's name -> person IDs."""
        return self.gazetteer.indexes.surnames

    # -- items ------------------------------------------------------------------------------

    def items(self, doc: Doc) -> list[Item]:
        lex = self.cfg["lexicon"]
        claims = list(doc.spans.get("claims", []))
        actors = sorted(doc.spans.get("actors", []), key=lambda s: s.start)
        in_claim = starting_within(actors, claims)
        ids = [list(dict.fromkeys(s.kb_id_ for s in spans)) for spans in in_claim]
        heads = {(s.start, s.end): mention_head(s) for s in actors}  # one per mention
        roles = [first_roles(spans, heads) for spans in in_claim]
        focal = list(doc._.focal or [])
        covered = {i for s in actors for i in range(s.start, s.end)}
        unlinked = starting_within(
            sorted(doc.spans.get("candidates", []), key=lambda s: s.start), claims
        )
        found = indexes_with(doc, self.referring_ids(), "LOWER")
        referring = [i for i in found if i not in covered]
        gazetteer = self.gazetteer
        seen: Counter = Counter()
        out: list[Item] = []
        for n, claim in enumerate(claims):
            present = set(ids[n])
            out += self.keep_items(n, in_claim[n], focal, heads)
            window = [
                a for k in range(n - 1, max(-1, n - 1 - lex["window_claims"]), -1) for a in ids[k]
            ]
            context = Context(window, focal, seen, roles[max(0, n - 3) : n])
            words = tokens_within(claim, referring)
            out += self.coref_items(n, [t for t in words if self.referring(t)], present, context)
            out += self.link_items(n, unlinked[n], present, seen, gazetteer)
            seen.update(ids[n])
        return out

    def keep_items(self, n: int, spans: list[Span], focal: list[str], heads: dict) -> list[Item]:
        """Items for the actors the rules found in claim ``n`` (``heads``: each mention's
        head token, by (start, end))."""
        by_id: dict[str, list[Span]] = {}
        for span in spans:
            by_id.setdefault(span.kb_id_, []).append(span)
        out = []
        for aid, mentions in by_id.items():
            names = ["kind=keep", f"ctype={actor_type(aid)}", f"focal={aid in focal}"]
            names.append(f"count={min(len(mentions), 3)}")
            ctype = actor_type(aid)
            for span in mentions:
                head = heads[(span.start, span.end)]
                dep, governor, ext = head.dep_, head.head, span._
                prep = governor.lower_ if dep == "pobj" else "-"
                names += [
                    f"by={ext.resolved_by}",
                    f"role={ext.role}",
                    f"dep={dep}",
                    f"dep={dep}|prep={prep}",
                    f"text={span.text.lower()}",
                    f"by={ext.resolved_by}|dep={dep}",
                    f"ctype={ctype}|dep={dep}",
                    f"head_of={governor.lemma_.lower()}",
                ]
            first = mentions[0]
            out.append(Item(("keep", n, aid, first.start, first.end), self.featurize(names)))
        return out

    def referring_ids(self) -> frozenset[int]:
        """The string IDs of the pronouns and referring nouns (``referring``'s words)."""
        lex = self.cfg["lexicon"]
        return word_ids(self.vocab, [*lex["pronouns"], *lex["referring_nouns"]])

    def referring(self, token: Token) -> bool:
        """A pronoun, or a referring noun with a determiner ("the two governments")."""
        lex = self.cfg["lexicon"]
        if token.lower_ in lex["pronouns"]:
            return True
        if token.pos_ not in {"NOUN", "PROPN"} or token.lower_ not in lex["referring_nouns"]:
            return False
        return any(c.dep_ in {"det", "poss", "nummod"} and c.lower_ in lex["determiners"]
                   for c in token.children)  # fmt: skip

    def coref_items(self, n, words: list[Token], present, context: Context) -> list[Item]:
        """Items for the referring expressions ``words`` of claim ``n``."""
        candidates = list(dict.fromkeys([*context.window, *context.focal]))
        candidates = [c for c in candidates if c not in present][:10]
        most = context.seen.most_common(1)[0][0] if context.seen else None
        facts = [(c, candidate_facts(c, context, most)) for c in candidates]
        n_cands = f"ncands={min(len(candidates), 5)}"
        out = []
        for token in words:
            word, dep = token.lower_, token.dep_
            subject = dep in SUBJECT_DEPS or token.head.dep_ in SUBJECT_DEPS
            own = ["kind=coref", f"m={word}", f"m_dep={dep}", f"m_pos={token.pos_}"]
            for c, (ctype, recency, focal, role, seen, is_most) in facts:
                names = [
                    *own, ctype, recency, focal, f"m={word}|{ctype}", f"m={word}|{recency}",
                    f"m={word}|{focal}", f"{ctype}|{recency}",
                    f"m={word}|c={c if c in {'USA', 'org:un-security-council'} else '-'}",
                    seen, n_cands, role, f"m_subj={subject}|{role}", f"m={word}|{role}",
                    is_most, f"m={word}|{is_most}",
                ]  # fmt: skip
                key = ("coref", n, c, token.i, token.i + 1)
                out.append(Item(key, self.featurize(names)))
        return out

    def link_candidates(self, ent: Span, seen: Counter, gazetteer: Gazetteer) -> list[tuple]:
        """(actor ID, how) for an unlinked entity: spellings, surnames, the document's
        actors sharing a word, and a minted ID."""
        text = ent.text.lower().removeprefix("the ").strip()
        found: dict[str, str] = {}
        for aid in sorted(gazetteer.indexes.spellings.get(text, ())):
            found.setdefault(aid, "spelling")
        if ent.label_ == "PERSON" and text:
            for aid in sorted(gazetteer.indexes.surnames.get(text.split()[-1], ())):
                found.setdefault(aid, "surname")
        words = {w for w in text.split() if len(w) > 3}
        for aid in seen:
            name = gazetteer.actor_name(aid).lower()
            if words & set(name.split()):
                found.setdefault(aid, "doc")
        kind = self.cfg["lexicon"]["mint_labels"].get(ent.label_)
        minted = f"{kind}:{slugify(display_name(ent).removeprefix('the ').removeprefix('The '))}"
        if kind and minted.split(":", 1)[1]:
            found.setdefault(minted, "mint")
        return list(found.items())[:8]

    def link_items(self, n, ents, present, seen, gazetteer: Gazetteer) -> list[Item]:
        known = gazetteer.actors
        out = []
        for ent in ents:
            shape = entity_shape(ent)
            for aid, how in self.link_candidates(ent, seen, gazetteer):
                if aid in present:
                    continue
                names = [
                    "kind=link", f"how={how}", f"ent={ent.label_}", f"how={how}|ent={ent.label_}",
                    f"ctype={actor_type(aid)}", f"known={aid in known}",
                    f"seen={min(seen[aid], 3)}", f"how={how}|seen={bool(seen[aid])}",
                    f"dep={ent.root.dep_}", f"how={how}|dep={ent.root.dep_}",
                ]  # fmt: skip
                names += [f"{how}|{feature}" for feature in shape]
                key = ("mint" if how == "mint" else "link", n, aid, ent.start, ent.end)
                out.append(Item(key, self.featurize(names)))
        return out

    # -- training and decisions -------------------------------------------------------------

    def gold_labels(self, example: Example, items: list[Item]) -> list[str | None]:
        gold = aligned_gold(example)
        return [
            None
            if gold[item.key[1]] is None
            else LABELS[item.key[2] in gold[item.key[1]]["actors"]]
            for item in items
        ]

    def apply(self, doc: Doc, items: list[Item], probs: numpy.ndarray) -> None:
        thresholds = self.cfg["thresholds"]
        claims = list(doc.spans.get("claims", []))
        drop: set[tuple[int, str]] = set()
        added: dict[tuple[int, str], tuple[Item, float]] = {}
        for item, row in zip(items, probs, strict=True):
            kind, n, aid = item.key[:3]
            p = float(row[1])
            threshold = thresholds["link" if kind == "mint" else kind]
            if kind == "keep" and p < threshold:
                drop.add((n, aid))
            elif kind != "keep" and p >= threshold and p > added.get((n, aid), (None, 0.0))[1]:
                added[(n, aid)] = (item, p)
        spans = [s for s in doc.spans.get("actors", []) if not self.dropped(s, claims, drop)]
        local = dict(doc._.local_actors or {})
        for (_, aid), (item, p) in sorted(added.items()):
            kind, _, _, start, end = item.key
            span = Span(doc, start, end, label="actor", kb_id=aid)
            span._.resolved_by = RESOLVED[kind]
            span._.role = "actor"
            span._.model_probability = round(p, 4)
            spans.append(span)
            if aid not in self.gazetteer.actors and aid not in local:
                local[aid] = {"type": actor_type(aid), "name": span.text, "country": None}
        doc.spans["actors"] = sorted(spans, key=lambda s: (s.start, s.end))
        doc._.local_actors = local

    @staticmethod
    def dropped(span: Span, claims: list[Span], drop: set) -> bool:
        for n, claim in enumerate(claims):
            if claim.start <= span.start < claim.end:
                return (n, span.kb_id_) in drop
        return False


SUBJECT_DEPS = {"nsubj", "nsubjpass"}


def first_roles(spans: list[Span], heads: dict) -> dict[str, str]:
    """Each actor of a claim and the role of its first mention: subj, obj, poss or other
    (``heads``: each mention's head token, by (start, end))."""
    out: dict[str, str] = {}
    for span in spans:
        dep = heads[(span.start, span.end)].dep_
        role = {"nsubj": "subj", "nsubjpass": "subj", "dobj": "obj", "pobj": "obj"}.get(dep)
        out.setdefault(span.kb_id_, role or ("poss" if dep == "poss" else "other"))
    return out


@dataclass
class Context:
    """What a claim's referring expressions may refer back to."""

    window: list[str]  # actors of the previous claims, the nearest first
    focal: list[str]
    seen: Counter  # mentions so far, by actor
    roles: list[dict[str, str]]  # first_roles of the previous claims, oldest first

    def last_role(self, actor_id: str) -> str:
        for roles in reversed(self.roles):
            if actor_id in roles:
                return roles[actor_id]
        return "none"


def candidate_facts(c: str, context: Context, most: str | None) -> tuple[str, ...]:
    """The coreference features of a candidate referent that do not depend on the referring
    word: its type, recency, focality, last role, mentions so far and whether it is the most
    mentioned."""
    rank = context.window.index(c) if c in context.window else -1
    recency = "focal" if rank < 0 else str(min(rank, 4))
    return (
        f"ctype={actor_type(c)}",
        f"rec={recency}",
        f"focal={c in context.focal}",
        f"role={context.last_role(c)}",
        f"seen={min(context.seen[c], 5)}",
        f"most={c == most}",
    )


def entity_shape(ent: Span) -> list[str]:
    """What an unlinked name looks like: its words, head word and tag, case, length, the
    word before it."""
    words = [t.lower_ for t in ent if t.is_alpha]
    alpha = "".join(t.text for t in ent if t.is_alpha)
    before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else "^"
    return [
        *(f"word={w}" for w in words),
        f"last={ent[-1].lemma_.lower()}",
        f"tag={ent.root.tag_}",
        f"ent={ent.label_}|tag={ent.root.tag_}",
        f"acronym={alpha.isupper() and 2 <= len(alpha) <= 7}",
        f"caps={alpha.isupper()}",
        f"len={min(len(ent), 4)}",
        f"before={before}",
        f"the={words[:1] == ['the']}",
    ]


@Language.factory(
    "claims_actor_model",
    assigns=["doc.spans", "doc._.local_actors", "span._.model_probability"],
    requires=["doc.spans", "doc._.focal"],
    default_config={
        "model": {
            "@architectures": "claims.FeatureClassifier.v1",
            "nO": 2,
            "hash_length": 131072,
            "dense_width": 0,
        },
        "lexicon": None,
        "thresholds": {"keep": 0.5, "coref": 0.5, "link": 0.5},
        "scorer": {"@scorers": "claims.actors_scorer.v1"},
    },
    default_score_weights={"actors_f": 1.0},
)
def make_actor_model(
    nlp: Language, name: str, model: Model, lexicon: str | None, thresholds: dict, scorer
) -> ActorModel:
    """Factory: ``lexicon`` is a JSON file like actor_model.json; ``thresholds`` the
    probability an actor needs to be kept (``keep``), added as a referent (``coref``) or
    added from an unlinked name (``link``)."""
    return ActorModel(
        nlp.vocab, model, name, lexicon=lexicon, thresholds=thresholds, scorer=scorer, nlp=nlp
    )
