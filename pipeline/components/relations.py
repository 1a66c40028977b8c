"""Relations: directed actor-to-actor stance from the claim's predicates.

Verbs take their agents from the subject (climbing through ``xcomp``, ``conj``, ``advcl``
and the nouns that purpose clauses and gerunds attach to; "accuse X of doing" makes X the
agent) and their targets from the direct object, "against"/"with"/"to" objects, and the
possessor of a non-actor object ("Egypt's movement", "the U.S. military presence").
Relational nouns ("partnership between X and Y", "efforts against X", "criticism of X",
"a problem for X") take their source from a possessor or demonym ("Iranian efforts"), an
apposition's head, or the clause's agents. Coordination distributes; reciprocal verbs and
"between X and Y" nouns give both directions; "away from X", "out of the orbit of X", "a
counterweight to X" and "at the expense of X" are hostile to X, "on behalf of X"
cooperative. Verb polarity comes from relations.json (by hand), over cameo_verbs.json (derived from
the CAMEO verb dictionary by ``python -m pipeline.tools.cameo``; the hand list's
``neutral_verbs`` drops CAMEO verbs that carry no stance toward a target, such as "lead" or
"argue"). Negated, merely possible (could, might, may, would) and conditional
predicates give nothing. Results go to ``span._.relations`` of each claim as
``{source, target, polarity, cue: [start, end]}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy
from spacy.attrs import LEMMA, LOWER, POS
from spacy.language import Language
from spacy.symbols import AUX, DET, NOUN, PROPN, PUNCT, VERB
from spacy.tokens import Doc, Span, Token

from ..extensions import register_extensions
from .base import Component, Serialisable
from .features import head_indexes
from .lexicon import load_lexicon
from .modality import Modality
from .syntax import DEPS, first_conjunct, head_position, tokens_within, word_ids

SUBJECTS = DEPS["agent_subject"]
CLIMB = DEPS["agent_climb"]
COOPERATIVE, HOSTILE = "cooperative", "hostile"
Triple = tuple[str, str, str, Token]
Targets = Iterator[tuple[set[str], str | None]]


def id_array(ids) -> numpy.ndarray:
    """String-store IDs (or symbols) as an array to compare with ``Doc.to_array`` columns."""
    return numpy.array(sorted(ids), dtype=numpy.uint64)


VERBAL, NOMINAL = id_array({VERB, AUX}), id_array({NOUN, PROPN})
HEADLESS_POS = frozenset({DET, PUNCT})  # syntax.HEADLESS as Doc.to_array gives them


def isin(column: numpy.ndarray, ids: numpy.ndarray) -> numpy.ndarray:
    """Which values of ``column`` are among the sorted ``ids`` (``numpy.isin`` is slower
    for a long ``ids``)."""
    if not len(ids):
        return numpy.zeros(len(column), dtype=bool)
    found = numpy.searchsorted(ids, column).clip(max=len(ids) - 1)
    return ids[found] == column


def conjuncts(token: Token) -> list[Token]:
    """A token and every token coordinated with it."""
    top = first_conjunct(token)
    return [top, *top.conjuncts]


def pro_or_anti(token: Token) -> bool:
    """A mention prefixed "pro-" or "anti-" ("pro-Western", "anti-US")."""
    i = token.i
    if token.lower_.startswith(("pro-", "anti-")):
        return True
    return i >= 2 and token.doc[i - 1].text == "-" and token.doc[i - 2].lower_ in {"pro", "anti"}


def pobjs(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ == "pobj"]


def preps(token: Token, *words: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in {"prep", "dative"} and c.lower_ in words]


def polarity_tables(
    lexicon: str | None = None, verb_lexicon: str | None = None, load=load_lexicon
) -> tuple[dict[str, str], dict[str, str]]:
    """(verb -> polarity, noun -> polarity): the hand lexicon over the CAMEO-derived verbs,
    less the hand list's neutral verbs. The relations and stance components share them."""
    raw = load("relations", lexicon)
    verbs = derived_verbs(load("cameo_verbs", verb_lexicon))
    for verb in raw["neutral_verbs"]:
        verbs.pop(verb, None)
    verbs.update(dict.fromkeys(raw["cooperative_verbs"], COOPERATIVE))
    verbs.update(dict.fromkeys(raw["hostile_verbs"], HOSTILE))
    nouns = dict.fromkeys(raw["cooperative_nouns"], COOPERATIVE)
    nouns.update(dict.fromkeys(raw["hostile_nouns"], HOSTILE))
    return verbs, nouns


def derived_verbs(table: dict) -> dict[str, str]:
    """Verb -> polarity from a derived table (cameo_verbs.json: CAMEO quad classes)."""
    unknown = set(table) - {"source", COOPERATIVE, HOSTILE}
    if unknown or not table.get("source"):
        raise ValueError(f"a verb table has 'source', {COOPERATIVE!r}, {HOSTILE!r}: {unknown}")
    polarity = dict.fromkeys(table[COOPERATIVE], COOPERATIVE)
    polarity.update(dict.fromkeys(table[HOSTILE], HOSTILE))
    return polarity


class RelationExtractor(Serialisable, Component):
    """Fill ``span._.relations`` for every claim."""

    score_fields = ("relations",)

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        lexicon: str | None = None,
        verb_lexicon: str | None = None,
        modality_lexicon: str | None = None,
    ) -> None:
        register_extensions()
        self.name = name
        self.modality = Modality(modality_lexicon, self.lexicon)
        raw = self.lexicon("relations", lexicon)
        self.idioms = {noun: tuple(spec) for noun, spec in raw["idioms"].items()}
        self.lex = {k: set(v) for k, v in raw.items() if isinstance(v, list)}
        # "sever relations", "strained ties": the word that gives a relation noun its polarity
        self.relation_cues = {
            word: polarity
            for table in ("relation_verbs", "relation_adjectives")
            for polarity, words in raw[table].items()
            for word in words
        }
        self.verb_polarity, self.noun_polarity = polarity_tables(
            lexicon, verb_lexicon, self.lexicon
        )
        # the words that can make a noun or a token a relation's cue (see ``candidates``)
        lex = self.lex
        nouns = set(self.noun_polarity) | lex["relation_nouns"] | lex["membership_nouns"]
        self.noun_ids = id_array(word_ids(nlp.vocab, nouns))
        self.joint_ids = id_array(word_ids(nlp.vocab, lex["joint_modifiers"]))
        self.participle_ids = id_array(word_ids(nlp.vocab, lex["hyphen_participles"]))

    # -- who a phrase denotes ---------------------------------------------------------------

    def actors_of(self, token: Token, index, possess: bool = True) -> set[str]:
        """Actors a phrase headed by ``token`` denotes, distributing over coordination.

        With ``possess``, a non-actor noun stands for its possessor, actor modifier or
        actor "of"/"among" object ("Egypt's movement", "government of PM X"); nouns that
        name other parties ("its opponents") never do.
        """
        found: set[str] = set()
        for head in conjuncts(token):
            if head.i in index:
                found |= index[head.i]
                continue
            for prep in preps(head, *self.lex["member_prepositions"]):
                for obj in pobjs(prep):  # "powers including the U.S., Turkey and Iran"
                    found |= self.actors_of(obj, index, possess=False)
            for appos in (c for c in head.children if c.dep_ == "appos"):
                found |= self.actors_of(appos, index, possess=False)  # "six members -- A, B"
            if not possess or head.lower_ in self.lex["party_nouns"]:
                continue
            for child in head.children:
                if child.dep_ in {"poss", "compound", "amod", "nmod"} and child.i in index:
                    if not pro_or_anti(child):  # "pro-Western governments" are not the West's
                        found |= index[child.i]
                elif child.dep_ == "prep" and child.lower_ in {"of", "among"}:
                    for obj in pobjs(child):
                        found |= self.actors_of(obj, index, possess=False)
        return found

    def agents(self, token: Token, index, depth: int = 0) -> set[str]:
        """Who performs ``token``'s action: its subject, else inherited from its governor."""
        if depth > 8:
            return set()
        subject = next((c for c in token.children if c.dep_ in SUBJECTS), None)
        if subject is not None:
            if subject.tag_ in {"WDT", "WP"} and token.dep_ == "relcl":
                return self.relative_agents(token.head, index, depth)
            return self.actors_of(subject, index)
        head = token.head
        if token.dep_ == "pcomp" and head.lower_ in {"of", "for"}:
            verb = head.head  # "accuses Azerbaijan of providing ...", "criticized X for arming"
            if verb.lemma_ in self.lex["object_control_verbs"]:
                objects = [c for c in verb.children if c.dep_ == "dobj"]
                if objects:
                    return self.actors_of(objects[0], index)
        if token.dep_ == "relcl":
            return self.relative_agents(head, index, depth)
        if token.pos_ in {"NOUN", "PROPN"} and token.i not in index:
            owners = self.actors_of(token, index)
            if owners:
                return owners
        if token.dep_ in CLIMB and head is not token:
            return self.agents(head, index, depth + 1)
        return set()

    def relative_agents(self, noun: Token, index, depth: int) -> set[str]:
        """Agent of a relative clause on ``noun``: the noun's actors, or - for a thing the
        clause's owners made or want ("initiatives that exclude the U.S.") - theirs."""
        own = self.actors_of(noun, index)
        if own or noun.lower_ in self.lex["agentive_nouns"]:
            return own
        return self.agents(noun, index, depth + 1)

    # -- modality ---------------------------------------------------------------------------

    def unreal_noun(self, noun: Token) -> bool:
        """A relational noun denied, averted or merely possible (see ``Modality``), or the
        object of a creating verb that is ("could forge a partnership")."""
        if self.modality.unreal_noun(noun):
            return True
        verb = noun.head
        return (
            noun.dep_ in {"dobj", "attr"}
            and verb.lemma_ in self.lex["creation_verbs"]
            and self.modality.unreal(verb)
        )

    # -- targets ----------------------------------------------------------------------------

    def prep_targets(self, token: Token, index) -> Targets:
        """Idioms on any predicate: "away from X", "at the expense of X", "on behalf of X"."""
        for prep in [c for c in token.children if c.dep_ in {"prep", "advmod"}]:
            if prep.lower_ == "away":  # "away" heading its own "from" phrase
                for inner in preps(prep, "from"):
                    for obj in pobjs(inner):
                        yield self.actors_of(obj, index, possess=False), HOSTILE
            for obj in pobjs(prep):
                if prep.lower_ == "from" and prep.i > 0 and prep.nbor(-1).lower_ == "away":
                    yield self.actors_of(obj, index, possess=False), HOSTILE
                idiom = self.idioms.get(obj.lower_)
                if idiom and prep.lower_ == idiom[0]:
                    for inner in preps(obj, idiom[1]):
                        for target in pobjs(inner):
                            yield self.actors_of(target, index, possess=False), idiom[2]

    def objects(self, verb: Token, index) -> Targets:
        """(targets, forced polarity) from a verb's objects and prepositional phrases."""
        lex = self.lex
        yield from self.prep_targets(verb, index)
        for child in verb.children:
            dep = child.dep_
            if dep == "dobj":
                yield from self.direct_object_targets(verb, child, index)
            elif dep == "ccomp" and verb.lemma_ in lex["attitude_verbs"]:
                for grand in child.children:  # "Tehran fears that Baku could ..."
                    if grand.dep_ in SUBJECTS:
                        yield self.actors_of(grand, index), None
            elif dep == "xcomp" and verb.lemma_ in lex["intent_verbs"]:
                for grand in child.children:  # "threatening to replace him"
                    if grand.dep_ == "dobj":
                        yield self.actors_of(grand, index), None
            elif dep in {"prep", "dative"}:
                for obj in pobjs(child):
                    yield from self.prep_object_targets(verb, child, obj, index)
            if child.lower_ == "out":
                for inner in preps(child, "of"):
                    for obj in pobjs(inner):
                        yield from self.orbit(obj, index)

    def direct_object_targets(self, verb: Token, obj: Token, index) -> Targets:
        """The direct object's actors, and the partners its noun points to: "poses a problem
        for Moscow", "pursue membership in the SCO", "weapons' worth ... to Yerevan"."""
        lex = self.lex
        yield self.actors_of(obj, index), None
        if obj.lower_ in lex["oriented_nouns"] and self.noun_polarity.get(obj.lower_):
            for prep in preps(verb, "for", "to"):  # "poses a problem for Moscow"
                for target in pobjs(prep):
                    pol = self.noun_polarity[obj.lower_]
                    yield self.actors_of(target, index, possess=False), pol
        if obj.lemma_ in lex["membership_nouns"]:
            pol = self.cue_polarity(obj) or COOPERATIVE  # "froze its membership"
            for prep in preps(verb, "in", "to"):  # "pursue membership in the SCO"
                for target in pobjs(prep):
                    yield self.actors_of(target, index, possess=False), pol
        yield from self.balance_targets(obj, index)
        yield from self.prep_targets(obj, index)
        if verb.lemma_ in lex["recipient_verbs"]:  # "weapons' worth ... to Yerevan"
            for node in obj.subtree:
                for prep in preps(node, "to"):
                    for target in pobjs(prep):
                        yield self.actors_of(target, index, possess=False), None

    def prep_object_targets(self, verb: Token, prep: Token, obj: Token, index) -> Targets:
        """The object of one of a verb's prepositions: "firing rockets at Israel", "work
        with X", "sell weapons to X", "treats NATO as an adversary", "out of the orbit of X"."""
        lex, word = self.lex, prep.lower_
        if word in lex["hostile_prepositions"] or (word == "at" and verb.lemma_ in lex["at_verbs"]):
            yield self.actors_of(obj, index), HOSTILE  # "firing rockets at Israel"
        elif word == "with" and verb.lemma_ in lex["with_verbs"]:
            yield self.subtree_actors(obj, index), None
        elif self.recipient(verb, word):
            yield self.actors_of(obj, index), None
        elif word == "as":
            yield from self.balance_targets(obj, index)
            yield from self.cast_as(verb, obj, index)
        elif word == "of" and prep.i > 0 and prep.nbor(-1).lower_ == "out":
            yield from self.orbit(obj, index)  # "out of the orbit of X"

    def cast_as(self, verb: Token, role: Token, index) -> Targets:
        """ "treats NATO as an adversary", "regards China as its main challenger": the
        object gets the role noun's polarity."""
        polarity = self.noun_polarity.get(role.lower_) or self.noun_polarity.get(role.lemma_)
        if verb.lemma_ not in self.lex["as_verbs"] or role.lower_ not in self.lex["role_nouns"]:
            return
        for obj in (c for c in verb.children if c.dep_ == "dobj"):
            yield self.actors_of(obj, index, possess=False), polarity

    def recipient(self, verb: Token, word: str) -> bool:
        """ "sell weapons to X", "vote for X": the object of the preposition benefits."""
        if word == "to":
            return verb.lemma_ in self.lex["recipient_verbs"]
        return word == "for" and verb.lemma_ == "vote"

    def subtree_actors(self, token: Token, index) -> set[str]:
        """Every actor inside a phrase ("work with ... allies within the Northern Alliance")."""
        return {actor for t in token.subtree for actor in index.get(t.i, ())}

    def orbit(self, noun: Token, index) -> Targets:
        for prep in preps(noun, "of"):
            for obj in pobjs(prep):
                yield self.actors_of(obj, index, possess=False), HOSTILE

    def balance_targets(self, noun: Token, index) -> Targets:
        """ "a counterweight to X", "a source of leverage against X": hostile to X."""
        if noun.lemma_ not in self.lex["balance_nouns"]:
            for prep in preps(noun, "of"):  # "a source of leverage against X"
                if any(o.lemma_ in self.lex["balance_nouns"] for o in pobjs(prep)):
                    for outer in preps(noun, "to", "against"):
                        for obj in pobjs(outer):
                            yield self.actors_of(obj, index, possess=False), HOSTILE
                    for obj in pobjs(prep):
                        yield from self.balance_targets(obj, index)
            return
        for prep in preps(noun, "to", "against", "for"):
            for obj in pobjs(prep):
                yield self.actors_of(obj, index, possess=False), HOSTILE

    # -- predicates -------------------------------------------------------------------------

    def verb_relations(self, verb: Token, index) -> Iterator[Triple]:
        sources = self.agents(verb, index)  # before the dearer modality test: both are pure
        if not sources or self.modality.unreal(verb):
            return
        polarity = self.verb_polarity.get(verb.lemma_) or self.verb_polarity.get(verb.lower_)
        targets = list(self.objects(verb, index))
        if self.each_other(verb):
            roles = [self.noun_polarity.get(o.lower_) for c in preps(verb, "as") for o in pobjs(c)]
            pol = next((r for r in roles if r), polarity)
            if pol and len(sources) >= 2:  # "treat each other as partners", "fight one another"
                yield from self.pairs(sources, pol, verb)
            return
        reciprocal = polarity and verb.lemma_ in self.lex["reciprocal_verbs"]
        joint = self.joint_object(verb)  # "X and Y signed an accord", "fought two wars"
        if len(sources) >= 2 and not any(t for t, _ in targets) and (reciprocal or joint):
            yield from self.pairs(sources, joint or polarity, verb)
        for found, forced in targets:
            pol = forced or polarity
            if pol is None or found & sources:  # reflexive: "sustain their pursuit"
                continue
            for source in sources:
                for target in found:
                    yield source, target, pol, verb

    def each_other(self, verb: Token) -> bool:
        """The verb's object is "each other" / "one another"."""
        for child in verb.children:
            if child.dep_ in {"dobj", "pobj", "prep"}:
                words = " ".join(t.lower_ for t in child.subtree if t.dep_ != "prep")
                if words in self.lex["reciprocal_pronouns"]:
                    return True
        return False

    def joint_object(self, verb: Token) -> str | None:
        """The polarity of an agreement or a war a verb's subjects share: its object or
        the object of its preposition ("signed a treaty", "took part in talks")."""
        if not any(c.dep_ in SUBJECTS for c in verb.children):
            return None  # the group must be this verb's own subject
        nouns = [c for c in verb.children if c.dep_ == "dobj"]
        nouns += [o for c in verb.children if c.dep_ == "prep" for o in pobjs(c)]
        for noun in nouns:
            if noun.pos_ != "NOUN" or preps(noun, "between") or self.unreal_noun(noun):
                continue  # a named event ("the Syrian Civil War"), or its own parties
            if noun.lower_ in self.lex["agreement_nouns"]:
                return COOPERATIVE
            if noun.lower_ in self.lex["war_nouns"] and verb.lemma_ in self.lex["waging_verbs"]:
                return HOSTILE
        return None

    def cue_polarity(self, noun: Token) -> str | None:
        """A relation noun's polarity from its adjective or governing word: "strained
        relations", "severed ties with X", "relations deteriorated", "ties became tense"."""
        words = [c.lemma_ for c in noun.children if c.dep_ == "amod"]
        if noun.dep_ in {"dobj", "nsubj", "nsubjpass"}:
            words.append(noun.head.lemma_)
            words += [c.lower_ for c in noun.head.children if c.dep_ in {"acomp", "oprd"}]
        return next((self.relation_cues[w] for w in words if w in self.relation_cues), None)

    def left_owners(self, noun: Token, index) -> set[str]:
        """Actors in a noun's left modifiers, hyphenated pairs included ("the Sino-Russian
        partnership", "the Armenian-Azerbaijani conflict", "Russia-NATO standoff")."""
        return {
            actor
            for c in noun.lefts
            if c.dep_ in {"poss", "amod", "compound", "nmod", "npadvmod"}
            for t in c.subtree
            for actor in index.get(t.i, ())
        }

    def role_relations(self, noun: Token, polarity: str, index) -> Iterator[Triple]:
        """ "Iran remains Hezbollah's main patron", "China became Russia's largest trading
        partner", "a strategic partner of Y": the role holder -> the possessor."""
        if noun.lower_ not in self.lex["role_nouns"]:
            return
        if noun.dep_ == "appos":
            holders = self.actors_of(noun.head, index)
        elif noun.dep_ in {"attr", "oprd"}:
            holders = self.agents(noun.head, index)
        else:
            return
        partners = {
            actor
            for c in noun.children
            if c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in {"of", "to"})
            for t in ([c] if c.dep_ == "poss" else pobjs(c))
            for actor in self.actors_of(t, index, possess=False)
        }
        for source in holders:
            for target in partners - holders:
                yield source, target, polarity, noun

    def relational_polarity(self, noun: Token, index) -> str | None:
        """The polarity a relational noun asserts here: its lexicon polarity, "joint" ones
        cooperative, a relation noun's from its cue word ("strained ties"); None for a noun
        inside a name or a denied or merely possible one."""
        lex = self.lex
        if noun.pos_ == "PROPN" and noun.i not in index:
            return None  # a noun inside a name: "the Syrian Civil War", "the Northern Alliance"
        polarity = self.noun_polarity.get(noun.lower_) or self.noun_polarity.get(noun.lemma_)
        joint = any(c.lower_ in lex["joint_modifiers"] for c in noun.children)
        if polarity is None and joint:
            polarity = COOPERATIVE  # "a joint intelligence-sharing cell with Iran"
        if noun.lower_ in lex["relation_nouns"] | lex["membership_nouns"]:
            polarity = self.cue_polarity(noun) or polarity  # "froze its membership in X"
        if polarity is None or self.unreal_noun(noun):
            return None
        if polarity == COOPERATIVE and self.cue_polarity(noun) == HOSTILE:
            return HOSTILE  # "ending all economic cooperation with South Korea"
        return polarity

    def noun_relations(self, noun: Token, index) -> Iterator[Triple]:
        polarity = self.relational_polarity(noun, index)
        if polarity is None:
            return
        roles = list(self.role_relations(noun, polarity, index))
        if roles:
            yield from roles
            return
        lex = self.lex
        between, partners = self.noun_partners(noun, index)
        owners = self.left_owners(noun, index)
        organisations = {a for a in owners if a.startswith("org:")}
        if noun.lower_ in lex["membership_nouns"] and organisations:
            partners.append(("in", organisations))  # "EU membership": the EU is the target
            owners -= organisations
        if noun.lower_ in lex["divisive_nouns"]:  # "drive a wedge between X and Y"
            for source in self.agents(noun.head, index):
                for target in between:
                    yield source, target, HOSTILE, noun
            return
        if noun.lower_ in lex["neutral_reciprocal_nouns"] and not self.cue_polarity(noun):
            return
        mutual = self.mutual_relations(noun, polarity, between, partners, owners, index)
        if mutual:
            yield from mutual
            return
        yield from self.directed_noun_relations(noun, polarity, partners, owners, index)

    def mutual_relations(
        self, noun: Token, polarity: str, between: set[str], partners, owners, index
    ) -> list[Triple]:
        """A reciprocal noun held between its members: "a partnership between X and Y",
        "the Sino-Russian partnership", "bind Iran and Russia into a partnership"."""
        if noun.lower_ not in self.lex["reciprocal_nouns"]:
            return []
        if len(between) >= 2:
            return list(self.pairs(between, polarity, noun))
        if partners:
            return []
        group = owners if len(owners) >= 2 else self.reciprocal_members(noun, index)
        return list(self.pairs(group, polarity, noun)) if len(group) >= 2 else []

    def noun_sources(self, noun: Token, partners, owners: set[str], index) -> set[str]:
        """Who holds a relational noun: its owners, an apposition's head ("the SCO, the rival
        to NATO"), or the agents of its clause ("applied for EU membership": the applicant)."""
        lex = self.lex
        if owners:
            return owners
        if noun.dep_ == "appos":
            sources = self.actors_of(noun.head, index)  # "the SCO, the rival to NATO"
            if sources:
                return sources
        joins = noun.dep_ == "pobj" and (
            noun.lower_ in lex["membership_nouns"]  # "applied for EU membership"
            or (noun.head.lower_ in lex["instrument_prepositions"] and partners)
        )  # "answered with duties on American products"
        if noun.dep_ in {"dobj", "attr", "appos"} or joins:
            head = noun.head.head if noun.dep_ in {"appos", "pobj"} else noun.head
            return self.agents(head, index)
        return set()

    def directed_noun_relations(
        self, noun: Token, polarity: str, partners, owners: set[str], index
    ) -> Iterator[Triple]:
        """Source (owner or agent) -> each prepositional partner of a relational noun."""
        lex = self.lex
        sources = self.noun_sources(noun, partners, owners, index)
        for word, targets in partners:
            if word == "of" and noun.lower_ not in lex["of_target_nouns"]:
                continue
            oriented = noun.lower_ in lex["oriented_nouns"]
            if word in {"for", "to"} and polarity == HOSTILE and not oriented:
                continue
            pol = HOSTILE if word == "against" else polarity
            for source in sources:
                for target in targets:
                    yield source, target, pol, noun

    def noun_partners(self, noun: Token, index) -> tuple[set[str], list[tuple[str, set[str]]]]:
        """A relational noun's "between"/"among" members and its other prepositional
        partners ("support for X's government", "sanctions on Chinese goods")."""
        between: set[str] = set()
        partners: list[tuple[str, set[str]]] = []
        for prep in (c for c in noun.children if c.dep_ == "prep"):
            word = prep.lower_
            for obj in pobjs(prep):
                if word in {"between", "among"}:
                    between |= self.actors_of(obj, index, possess=False)
                elif word in self.lex["target_prepositions"] or (
                    word == "in" and noun.lower_ in self.lex["membership_nouns"]
                ):
                    partners.append((word, self.actors_of(obj, index, possess=word != "with")))
        return between, partners

    def participle_relations(self, token: Token, index) -> Iterator[Triple]:
        """ "Turkish-backed Syrian National Army", "the Russian-led bloc", "UN-backed South
        Korea": the actor before the hyphen -> the noun the participle modifies."""
        if token.i < 2 or token.nbor(-1).text not in {"-", "\u2013"}:
            return
        polarity = COOPERATIVE  # every participle of the list backs what it modifies
        sources = index.get(token.i - 2, set()) | index.get(token.nbor(-2).head.i, set())
        noun = token.head if token.head.pos_ in {"NOUN", "PROPN"} else token
        if noun is token and token.i + 1 < len(token.doc):
            noun = token.nbor(1)  # a misattached participle: the noun right after it
        while noun.dep_ in {"compound", "amod"} and noun.head.pos_ in {"NOUN", "PROPN"}:
            noun = noun.head
        targets = self.actors_of(noun, index, possess=False)
        if not targets and noun.dep_ == "appos":  # "the Taliban, a Pakistani-sponsored movement"
            targets = self.actors_of(noun.head, index, possess=False)
        for target in targets - sources:
            for source in sources:
                yield source, target, polarity, token

    def pairs(self, members: set[str], polarity: str, cue: Token) -> Iterator[Triple]:
        for a in members:
            for b in members:
                yield a, b, polarity, cue

    def reciprocal_members(self, noun: Token, index) -> set[str]:
        """Coordinated actors a relational noun holds between: the object group of a verb
        ("bind Iran and Russia together into an enduring partnership") or the clause's
        subject group ("the two countries are building a coalition")."""
        verb = noun.head
        while verb.dep_ in {"prep", "pobj"} and verb.head is not verb:
            verb = verb.head
        for child in verb.children:
            if child.dep_ == "dobj" and child is not noun:
                objects = self.actors_of(child, index, possess=False)
                if len(objects) >= 2:
                    return objects
        if noun.dep_ in {"attr", "dobj"}:
            subjects = self.agents(verb, index)
            if len(subjects) >= 2:
                return subjects
        return set()

    # -- pipeline ---------------------------------------------------------------------------

    def process(self, doc: Doc) -> Doc:
        heads = head_indexes(doc)
        pos = doc.to_array(POS).tolist() if len(doc) else []
        index: dict[int, set[str]] = {}
        for span in doc.spans.get("actors", []):
            head = head_position(span.start, span.end, heads, lambda i: pos[i] in HEADLESS_POS)
            index.setdefault(head, set()).add(span.kb_id_)
        candidates = self.candidates(doc, heads, pos)
        for claim in doc.spans.get("claims", []):
            claim._.relations = self.extract(claim, index, candidates)
        return doc

    def candidates(self, doc: Doc, heads: list[int], pos: list[int]) -> list[int]:
        """Indexes of the tokens ``extract`` can draw a relation from: hyphen participles,
        verbs, and nouns a relational noun could be (in a noun lexicon or with a "joint"
        modifier): the other tokens give nothing, and reading them builds Token objects."""
        if not len(doc):
            return []
        lower, lemma = doc.to_array(LOWER), doc.to_array(LEMMA)
        pos = numpy.array(pos, dtype=lower.dtype)
        joint = numpy.zeros(len(doc), dtype=bool)  # the heads of "joint" modifiers
        modifiers = numpy.flatnonzero(isin(lower, self.joint_ids)).tolist()
        joint[[heads[i] for i in modifiers if heads[i] != i]] = True
        nouns = isin(lower, self.noun_ids) | isin(lemma, self.noun_ids) | joint
        found = isin(lower, self.participle_ids) | isin(pos, VERBAL)
        found |= isin(pos, NOMINAL) & nouns
        return numpy.flatnonzero(found).tolist()

    def extract(self, claim: Span, index, candidates: list[int]) -> list[dict]:
        """The claim's relations from its ``candidates`` (sorted token indexes)."""
        found: dict[tuple[str, str, str], Token] = {}
        id_sets = [index[i] for i in range(claim.start, claim.end) if i in index]
        claim_actors = set().union(*id_sets)
        if len(claim_actors) < 2:  # a relation joins two actors of the claim
            return []
        for token in tokens_within(claim, candidates):
            triples: Iterable[Triple]
            if token.lower_ in self.lex["hyphen_participles"]:
                triples = self.participle_relations(token, index)
            elif token.pos_ in {"VERB", "AUX"}:
                triples = self.verb_relations(token, index)
            elif token.pos_ in {"NOUN", "PROPN"}:
                triples = self.noun_relations(token, index)
            else:
                continue
            for source, target, polarity, cue in triples:
                if source != target and {source, target} <= claim_actors:
                    found.setdefault((source, target, polarity), cue)
        return [
            {"source": s, "target": t, "polarity": p, "cue": [cue.idx, cue.idx + len(cue)]}
            for (s, t, p), cue in sorted(found.items())
        ]


@Language.factory(
    "claims_relations",
    assigns=["span._.relations"],
    requires=["token.dep", "token.lemma", "doc.spans"],
    default_config={"lexicon": None, "verb_lexicon": None, "modality_lexicon": None},
)
def make_relations(
    nlp: Language,
    name: str,
    lexicon: str | None,
    verb_lexicon: str | None,
    modality_lexicon: str | None,
) -> RelationExtractor:
    """Factory: ``lexicon`` is a JSON file like relations.json, ``verb_lexicon`` one like
    cameo_verbs.json, ``modality_lexicon`` one like modality.json (None: the bundled ones;
    the hand lexicon decides over the derived)."""
    return RelationExtractor(
        nlp, name, lexicon=lexicon, verb_lexicon=verb_lexicon, modality_lexicon=modality_lexicon
    )
