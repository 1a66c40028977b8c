"""The rules on fixed parses: each sentence comes with its dependency parse written out (as
spaCy's own dependency-matcher tests build their Docs), so what a test means cannot change
with the statistical model. tests/test_rules.py holds the full-pipeline sentence tables.

Each component runs alone on a Doc of a blank English pipeline (no model loaded), with the
span groups it reads set by hand: the claim (the whole sentence), the actor mentions and,
for stance, the focal pair and the claim's relations. A parse is a table with one token a
line: word, head (token index), dependency label, POS, tag, lemma.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.util import get_words_and_spaces

from pipeline.components.base import ERROR_KEY

C, H = "cooperative", "hostile"


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


def fixed(vocab, text: str, table: str) -> Doc:
    """The Doc of ``text`` with the parse of ``table`` (see the module's docstring)."""
    rows = [line.split() for line in table.strip().splitlines()]
    words, spaces = get_words_and_spaces([row[0] for row in rows], text)
    assert words == [row[0] for row in rows], words
    columns = list(zip(*[row[1:] for row in rows], strict=True))
    heads, deps, pos, tags, lemmas = columns
    return Doc(vocab, words=words, spaces=spaces, heads=[int(h) for h in heads], deps=list(deps),
               pos=list(pos), tags=list(tags), lemmas=list(lemmas))  # fmt: skip


def marked(doc: Doc, actors: dict[str, str], focal=(), relations=None) -> Doc:
    """``doc`` as the components before the one under test leave it: one claim (the whole
    sentence), every occurrence of each phrase of ``actors`` an actor mention with its ID,
    the focal pair, and (for stance) the claim's relations."""
    spans = []
    words = [t.text for t in doc]
    for phrase, actor_id in actors.items():
        wanted = phrase.split()
        for start in range(len(doc) - len(wanted) + 1):
            if words[start : start + len(wanted)] == wanted:
                span = Span(doc, start, start + len(wanted), label="actor", kb_id=actor_id)
                spans.append(span)
    assert len(spans) >= len(actors), spans
    doc.spans["claims"] = [Span(doc, 0, len(doc), label="claim")]
    doc.spans["actors"] = doc.spans["mentions"] = sorted(spans, key=lambda s: s.start)
    doc.spans["regions"] = []
    doc._.focal = list(focal) or None
    doc._.local_actors = {}
    if relations is not None:
        doc.spans["claims"][0]._.relations = relations
    return doc


def run(component, doc: Doc) -> Span:
    """The claim after ``component`` ran (which must not have failed on the Doc)."""
    doc = component(doc)
    assert ERROR_KEY not in doc.user_data, doc.user_data[ERROR_KEY]
    return doc.spans["claims"][0]


# -- relations ------------------------------------------------------------------------------

RELATION_CASES = [
    # agents and targets: subject -> direct object
    (
        "Russia backs Iran.",
        """
        Russia  1 nsubj PROPN NNP Russia
        backs   1 ROOT  VERB  VBZ back
        Iran    1 dobj  PROPN NNP Iran
        .       1 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN"},
        {("RUS", "IRN", C)},
    ),
    # the agent of a complement clause is its governor's subject
    (
        "Russia seeks to isolate Iran.",
        """
        Russia   1 nsubj PROPN NNP Russia
        seeks    1 ROOT  VERB  VBZ seek
        to       3 aux   PART  TO  to
        isolate  1 xcomp VERB  VB  isolate
        Iran     3 dobj  PROPN NNP Iran
        .        1 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN"},
        {("RUS", "IRN", H)},
    ),
    # object control: "criticized X for arming Y" makes X the agent of "arming"
    (
        "Washington criticized Beijing for arming Russia.",
        """
        Washington  1 nsubj PROPN NNP Washington
        criticized  1 ROOT  VERB  VBD criticize
        Beijing     1 dobj  PROPN NNP Beijing
        for         1 prep  ADP   IN  for
        arming      3 pcomp VERB  VBG arm
        Russia      4 dobj  PROPN NNP Russia
        .           1 punct PUNCT .   .
        """,
        {"Washington": "USA", "Beijing": "CHN", "Russia": "RUS"},
        {("USA", "CHN", H), ("CHN", "RUS", C)},
    ),
    # targets: the "at" object of a firing verb is hostile whatever the verb
    (
        "Hezbollah fired rockets at Israel.",
        """
        Hezbollah  1 nsubj PROPN NNP Hezbollah
        fired      1 ROOT  VERB  VBD fire
        rockets    1 dobj  NOUN  NNS rocket
        at         1 prep  ADP   IN  at
        Israel     3 pobj  PROPN NNP Israel
        .          1 punct PUNCT .   .
        """,
        {"Hezbollah": "org:hezbollah", "Israel": "ISR"},
        {("org:hezbollah", "ISR", H)},
    ),
    # targets: the recipient of a giving verb
    (
        "Russia sold weapons to Armenia.",
        """
        Russia   1 nsubj  PROPN NNP Russia
        sold     1 ROOT   VERB  VBD sell
        weapons  1 dobj   NOUN  NNS weapon
        to       1 dative ADP   IN  to
        Armenia  3 pobj   PROPN NNP Armenia
        .        1 punct  PUNCT .   .
        """,
        {"Russia": "RUS", "Armenia": "ARM"},
        {("RUS", "ARM", C)},
    ),
    # coordination distributes over subjects ...
    (
        "Russia and Iran back Syria.",
        """
        Russia  3 nsubj PROPN NNP Russia
        and     0 cc    CCONJ CC  and
        Iran    0 conj  PROPN NNP Iran
        back    3 ROOT  VERB  VBP back
        Syria   3 dobj  PROPN NNP Syria
        .       3 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN", "Syria": "SYR"},
        {("RUS", "SYR", C), ("IRN", "SYR", C)},
    ),
    # ... and over objects
    (
        "Russia backs Iran and Syria.",
        """
        Russia  1 nsubj PROPN NNP Russia
        backs   1 ROOT  VERB  VBZ back
        Iran    1 dobj  PROPN NNP Iran
        and     2 cc    CCONJ CC  and
        Syria   2 conj  PROPN NNP Syria
        .       1 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN", "Syria": "SYR"},
        {("RUS", "IRN", C), ("RUS", "SYR", C)},
    ),
    # a reciprocal verb without an object holds between its coordinated subjects
    (
        "Russia and Iran cooperate.",
        """
        Russia     3 nsubj PROPN NNP Russia
        and        0 cc    CCONJ CC  and
        Iran       0 conj  PROPN NNP Iran
        cooperate  3 ROOT  VERB  VBP cooperate
        .          3 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN"},
        {("RUS", "IRN", C), ("IRN", "RUS", C)},
    ),
    # a war the subjects wage together: both ways
    (
        "Armenia and Azerbaijan fought two wars.",
        """
        Armenia     3 nsubj  PROPN NNP Armenia
        and         0 cc     CCONJ CC  and
        Azerbaijan  0 conj   PROPN NNP Azerbaijan
        fought      3 ROOT   VERB  VBD fight
        two         5 nummod NUM   CD  two
        wars        3 dobj   NOUN  NNS war
        .           3 punct  PUNCT .   .
        """,
        {"Armenia": "ARM", "Azerbaijan": "AZE"},
        {("ARM", "AZE", H), ("AZE", "ARM", H)},
    ),
    # "each other" with a role: the role noun's polarity, both ways
    (
        "Turkey and Russia treat each other as partners.",
        """
        Turkey    3 nsubj PROPN NNP Turkey
        and       0 cc    CCONJ CC  and
        Russia    0 conj  PROPN NNP Russia
        treat     3 ROOT  VERB  VBP treat
        each      5 det   DET   DT  each
        other     3 dobj  ADJ   JJ  other
        as        3 prep  ADP   IN  as
        partners  6 pobj  NOUN  NNS partner
        .         3 punct PUNCT .   .
        """,
        {"Turkey": "TUR", "Russia": "RUS"},
        {("TUR", "RUS", C), ("RUS", "TUR", C)},
    ),
    # negation: a denied predicate gives nothing
    (
        "Russia does not back Iran.",
        """
        Russia  3 nsubj PROPN NNP Russia
        does    3 aux   AUX   VBZ do
        not     3 neg   PART  RB  not
        back    3 ROOT  VERB  VB  back
        Iran    3 dobj  PROPN NNP Iran
        .       3 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN"},
        set(),
    ),
    # modality: a merely possible predicate gives nothing
    (
        "Russia could back Iran.",
        """
        Russia  2 nsubj PROPN NNP Russia
        could   2 aux   AUX   MD  could
        back    2 ROOT  VERB  VB  back
        Iran    2 dobj  PROPN NNP Iran
        .       2 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN"},
        set(),
    ),
    # ... nor does a conditional one
    (
        "If Russia backs Iran, Israel will object.",
        """
        If      2 mark  SCONJ IN  if
        Russia  2 nsubj PROPN NNP Russia
        backs   7 advcl VERB  VBZ back
        Iran    2 dobj  PROPN NNP Iran
        ,       7 punct PUNCT ,   ,
        Israel  7 nsubj PROPN NNP Israel
        will    7 aux   AUX   MD  will
        object  7 ROOT  VERB  VB  object
        .       7 punct PUNCT .   .
        """,
        {"Russia": "RUS", "Iran": "IRN", "Israel": "ISR"},
        set(),
    ),
]


@pytest.fixture(scope="module")
def relations(blank):
    return blank.create_pipe("claims_relations")


@pytest.mark.parametrize(
    ("text", "table", "actors", "expected"), RELATION_CASES, ids=[c[0] for c in RELATION_CASES]
)
def test_fixed_relations(blank, relations, text, table, actors, expected):
    claim = run(relations, marked(fixed(blank.vocab, text, table), actors))
    found = {(r["source"], r["target"], r["polarity"]) for r in claim._.relations}
    assert found == expected
    for r in claim._.relations:  # every relation names the predicate it was read from
        assert claim.doc.char_span(*r["cue"]) is not None


# -- stance ---------------------------------------------------------------------------------

DIVERGE = """
Russia   3 nsubj PROPN NNP Russia
and      0 cc    CCONJ CC  and
Iran     0 conj  PROPN NNP Iran
diverge  3 ROOT  VERB  VBP diverge
on       3 prep  ADP   IN  on
Syria    4 pobj  PROPN NNP Syria
.        3 punct PUNCT .   .
"""
DO_NOT_DIVERGE = """
Russia   5 nsubj PROPN NNP Russia
and      0 cc    CCONJ CC  and
Iran     0 conj  PROPN NNP Iran
do       5 aux   AUX   VBP do
not      5 neg   PART  RB  not
diverge  5 ROOT  VERB  VB  diverge
.        5 punct PUNCT .   .
"""
RUSSIA_IRAN = {"Russia": "RUS", "Iran": "IRN"}

STANCE_CASES = [
    # divergence cue: a divergence word, asserted
    (
        "Russia and Iran diverge on Syria.",
        DIVERGE,
        {**RUSSIA_IRAN, "Syria": "SYR"},
        ("divergent", "divergence_cue"),
    ),
    # denied divergence: the same word negated is a convergence
    (
        "Russia and Iran do not diverge.",
        DO_NOT_DIVERGE,
        RUSSIA_IRAN,
        ("convergent", "denied_divergence"),
    ),
    # ... also in a claim that names neither focal actor
    (
        "These aims do not diverge.",
        """
        These    1 det   DET   DT  these
        aims     4 nsubj NOUN  NNS aim
        do       4 aux   AUX   VBP do
        not      4 neg   PART  RB  not
        diverge  4 ROOT  VERB  VB  diverge
        .        4 punct PUNCT .   .
        """,
        {},
        ("convergent", "denied_divergence"),
    ),
    # coordinated subjects: both focal actors in one subject group
    (
        "Russia and Iran view the West as a threat.",
        """
        Russia  3 nsubj PROPN NNP Russia
        and     0 cc    CCONJ CC  and
        Iran    0 conj  PROPN NNP Iran
        view    3 ROOT  VERB  VBP view
        the     5 det   DET   DT  the
        West    3 dobj  PROPN NNP West
        as      3 prep  ADP   IN  as
        a       8 det   DET   DT  a
        threat  6 pobj  NOUN  NN  threat
        .       3 punct PUNCT .   .
        """,
        {**RUSSIA_IRAN, "the West": "group:the-west"},
        ("convergent", "coordinated_subjects"),
    ),
    # contrast: a contrast mark between the two, nothing else
    (
        "Russia wants oil, while Iran does not.",
        """
        Russia  1 nsubj PROPN NNP Russia
        wants   1 ROOT  VERB  VBZ want
        oil     1 dobj  NOUN  NN  oil
        ,       1 punct PUNCT ,   ,
        while   6 mark  SCONJ IN  while
        Iran    6 nsubj PROPN NNP Iran
        does    1 advcl VERB  VBZ do
        not     6 neg   PART  RB  not
        .       1 punct PUNCT .   .
        """,
        RUSSIA_IRAN,
        ("divergent", "contrast"),
    ),
    # the same two subjects, apart, with no cue: nothing said about their alignment
    (
        "Russia wants oil and Iran waits.",
        """
        Russia  1 nsubj PROPN NNP Russia
        wants   1 ROOT  VERB  VBZ want
        oil     1 dobj  NOUN  NN  oil
        and     1 cc    CCONJ CC  and
        Iran    5 nsubj PROPN NNP Iran
        waits   1 conj  VERB  VBZ wait
        .       1 punct PUNCT .   .
        """,
        RUSSIA_IRAN,
        ("neutral", None),
    ),
]


@pytest.fixture(scope="module")
def stance(blank):
    return blank.create_pipe("claims_stance")


@pytest.mark.parametrize(
    ("text", "table", "actors", "expected"), STANCE_CASES, ids=[c[0] for c in STANCE_CASES]
)  # fmt: skip
def test_fixed_stance(blank, stance, text, table, actors, expected):
    doc = marked(fixed(blank.vocab, text, table), actors, ("RUS", "IRN"), relations=[])
    claim = run(stance, doc)
    assert (claim._.stance, claim._.stance_rule) == expected


def test_fixed_stance_hostile_relation_found_on_the_parse(blank, relations, stance):
    table = """
        Russia    1 nsubj PROPN NNP Russia
        attacked  1 ROOT  VERB  VBD attack
        Iran      1 dobj  PROPN NNP Iran
        .         1 punct PUNCT .   .
    """
    doc = marked(fixed(blank.vocab, "Russia attacked Iran.", table), RUSSIA_IRAN, ("RUS", "IRN"))
    run(relations, doc)
    claim = run(stance, doc)
    assert (claim._.stance, claim._.stance_rule) == ("divergent", "hostile_relation")
    assert claim._.stance_cues == [[7, 15]]  # "attacked"


def test_fixed_stance_third_party_wedge_is_no_alignment(blank, relations, stance):
    table = """
        The      1 det   DET   DT  the
        US       2 nsubj PROPN NNP US
        seeks    2 ROOT  VERB  VBZ seek
        to       4 aux   PART  TO  to
        drive    2 xcomp VERB  VB  drive
        a        6 det   DET   DT  a
        wedge    4 dobj  NOUN  NN  wedge
        between  6 prep  ADP   IN  between
        Russia   7 pobj  PROPN NNP Russia
        and      8 cc    CCONJ CC  and
        Iran     8 conj  PROPN NNP Iran
        .        2 punct PUNCT .   .
    """
    text = "The US seeks to drive a wedge between Russia and Iran."
    doc = fixed(blank.vocab, text, table)
    doc = marked(doc, {**RUSSIA_IRAN, "US": "USA"}, ("RUS", "IRN"))
    found = {(r["source"], r["target"], r["polarity"]) for r in run(relations, doc)._.relations}
    assert found == {("USA", "RUS", H), ("USA", "IRN", H)}
    claim = run(stance, doc)
    assert (claim._.stance, claim._.stance_rule) == ("neutral", None)


# -- certainty ------------------------------------------------------------------------------

CERTAINTY_CASES = [
    # hedge: an epistemic modal
    (
        "Russia may back Iran.",
        """
        Russia  2 nsubj PROPN NNP Russia
        may     2 aux   AUX   MD  may
        back    2 ROOT  VERB  VB  back
        Iran    2 dobj  PROPN NNP Iran
        .       2 punct PUNCT .   .
        """,
        ("hedged", None),
    ),
    # hedge: an estimative term, with its ICD 203 band
    (
        "Russia will likely back Iran.",
        """
        Russia  3 nsubj  PROPN NNP Russia
        will    3 aux    AUX   MD  will
        likely  3 advmod ADV   RB  likely
        back    3 ROOT   VERB  VB  back
        Iran    3 dobj   PROPN NNP Iran
        .       3 punct  PUNCT .   .
        """,
        ("hedged", ["likely", 0.55, 0.8]),
    ),
    # hedge: evidence as the subject of an inference verb (the author's inference)
    (
        "The data suggests that trade may recover.",
        """
        The       1 det   DET   DT  the
        data      2 nsubj NOUN  NN  data
        suggests  2 ROOT  VERB  VBZ suggest
        that      6 mark  SCONJ IN  that
        trade     6 nsubj NOUN  NN  trade
        may       6 aux   AUX   MD  may
        recover   2 ccomp VERB  VB  recover
        .         2 punct PUNCT .   .
        """,
        ("hedged", None),
    ),
    # reported: a speech verb with a clause, said by someone other than the author
    (
        "Officials have suggested that Russia backs Iran.",
        """
        Officials  2 nsubj NOUN  NNS official
        have       2 aux   AUX   VBP have
        suggested  2 ROOT  VERB  VBN suggest
        that       5 mark  SCONJ IN  that
        Russia     5 nsubj PROPN NNP Russia
        backs      2 ccomp VERB  VBZ back
        Iran       5 dobj  PROPN NNP Iran
        .          2 punct PUNCT .   .
        """,
        ("reported", None),
    ),
    # ... but the author's own argument is asserted
    (
        "We argue that Russia backs Iran.",
        """
        We      1 nsubj PRON  PRP we
        argue   1 ROOT  VERB  VBP argue
        that    4 mark  SCONJ IN  that
        Russia  4 nsubj PROPN NNP Russia
        backs   1 ccomp VERB  VBZ back
        Iran    4 dobj  PROPN NNP Iran
        .       1 punct PUNCT .   .
        """,
        ("asserted", None),
    ),
    # reported: a reporting adverb
    (
        "Russia reportedly backs Iran.",
        """
        Russia      2 nsubj  PROPN NNP Russia
        reportedly  2 advmod ADV   RB  reportedly
        backs       2 ROOT   VERB  VBZ back
        Iran        2 dobj   PROPN NNP Iran
        .           2 punct  PUNCT .   .
        """,
        ("reported", None),
    ),
    # an actor's attitude: a modal in its complement is the actor's, asserted by the author
    (
        "Tehran fears that Baku could attack.",
        """
        Tehran  1 nsubj PROPN NNP Tehran
        fears   1 ROOT  VERB  VBZ fear
        that    5 mark  SCONJ IN  that
        Baku    5 nsubj PROPN NNP Baku
        could   5 aux   AUX   MD  could
        attack  1 ccomp VERB  VB  attack
        .       1 punct PUNCT .   .
        """,
        ("asserted", None),
    ),
    # ... and so is a hedge word in an attitude's "as" complement
    (
        "Iran views the route as a potential channel for Western influence.",
        """
        Iran       1  nsubj PROPN NNP Iran
        views      1  ROOT  VERB  VBZ view
        the        3  det   DET   DT  the
        route      1  dobj  NOUN  NN  route
        as         3  prep  ADP   IN  as
        a          7  det   DET   DT  a
        potential  7  amod  ADJ   JJ  potential
        channel    4  pobj  NOUN  NN  channel
        for        7  prep  ADP   IN  for
        Western    10 amod  ADJ   JJ  western
        influence  8  pobj  NOUN  NN  influence
        .          1  punct PUNCT .   .
        """,
        ("asserted", None),
    ),
    # a modal of a purpose clause is no hedge
    (
        "The treaty set rules to ensure that the EU could function.",
        """
        The       1  det   DET   DT  the
        treaty    2  nsubj NOUN  NN  treaty
        set       2  ROOT  VERB  VBD set
        rules     2  dobj  NOUN  NNS rule
        to        5  aux   PART  TO  to
        ensure    2  advcl VERB  VB  ensure
        that      10 mark  SCONJ IN  that
        the       8  det   DET   DT  the
        EU        10 nsubj PROPN NNP EU
        could     10 aux   AUX   MD  could
        function  5  ccomp VERB  VB  function
        .         2  punct PUNCT .   .
        """,
        ("asserted", None),
    ),
]


@pytest.fixture(scope="module")
def certainty(blank):
    return blank.create_pipe("claims_certainty")


@pytest.mark.parametrize(
    ("text", "table", "expected"), CERTAINTY_CASES, ids=[c[0] for c in CERTAINTY_CASES]
)
def test_fixed_certainty(blank, certainty, text, table, expected):
    claim = run(certainty, marked(fixed(blank.vocab, text, table), {}))
    assert (claim._.certainty, claim._.probability) == expected
    assert bool(claim._.certainty_cues) == (expected[0] != "asserted")


# -- what the trained components read of a parse ----------------------------------------------

MODAL_NEGATED = """
Moscow     3  nsubj  PROPN  NNP  Moscow
could      3  aux    AUX    MD   could
not        3  neg    PART   RB   not
back       3  ROOT   VERB   VB   back
Tehran     3  dobj   PROPN  NNP  Tehran
,          3  punct  PUNCT  ,    ,
and        3  cc     CCONJ  CC   and
Ankara     8  nsubj  PROPN  NNP  Ankara
objects    3  conj   VERB   VBZ  object
twice      8  advmod ADV    RB   twice
.          3  punct  PUNCT  .    .
"""
MODAL_TEXT = "Moscow could not back Tehran, and Ankara objects twice."


def test_tokens_read_what_the_tokens_say(blank):
    from pipeline.components.features import Tokens

    doc = fixed(blank.vocab, MODAL_TEXT, MODAL_NEGATED)
    tokens = Tokens(doc)
    assert tokens.lemma == [t.lemma_.lower() for t in doc]
    assert tokens.lemma_raw == [t.lemma_ for t in doc]
    assert tokens.lower == [t.lower_ for t in doc]
    assert tokens.dep == [t.dep_ for t in doc]
    assert tokens.pos == [t.pos_ for t in doc]
    assert tokens.head == [t.head.i for t in doc]
    assert tokens.punct == [t.is_punct for t in doc]
    assert tokens.num == [t.like_num for t in doc]
    assert tokens.negated == {3}  # "back" has "not"; "objects" has no negation
    assert tokens.modals == {3: "could"}


def test_tokens_of_a_doc_are_shared_and_go_with_it(blank):
    import gc

    from pipeline.components import features
    from pipeline.components.features import Tokens

    doc = fixed(blank.vocab, MODAL_TEXT, MODAL_NEGATED)
    other = fixed(blank.vocab, MODAL_TEXT, MODAL_NEGATED)
    shared = Tokens.of(doc)
    assert Tokens.of(doc) is shared and Tokens.of(other) is not shared
    assert shared.lemma == Tokens(doc).lemma
    count = len(features._SHARED)
    del doc, shared
    gc.collect()
    assert len(features._SHARED) == count - 1  # the Doc was freed, its Tokens with it


def test_lowest_common_head_and_the_paths_up_to_it(blank):
    from pipeline.components.features import Tokens, lowest_common_head

    heads = Tokens(fixed(blank.vocab, MODAL_TEXT, MODAL_NEGATED)).head
    assert lowest_common_head(heads, 0, 4) == (3, [0, 3], [4, 3])  # Moscow, Tehran: "back"
    assert lowest_common_head(heads, 7, 4) == (3, [7, 8, 3], [4, 3])  # Ankara via "objects"
    assert lowest_common_head(heads, 3, 3) == (3, [3], [3])


def test_stance_features_mark_mentions_and_read_arcs(blank):
    from pipeline.components.features import Tokens, dependency_arcs, masked_words

    doc = fixed(blank.vocab, MODAL_TEXT, MODAL_NEGATED)
    marks = {0: "FOCAL", 4: "FOCAL", 7: "ACTOR"}
    tokens = Tokens(doc)
    assert masked_words(tokens, 0, len(doc), marks) == [
        "FOCAL", "could", "not", "back", "FOCAL", "and", "ACTOR", "object", "twice",
    ]  # fmt: skip
    arcs = list(dependency_arcs(tokens, 0, 5, marks))  # only arcs inside tokens 0-4
    assert arcs == ["arc=back>nsubj>FOCAL", "arc=back>aux>could", "arc=back>neg>not",
                    "arc=back>dobj>FOCAL"]  # fmt: skip


def test_spans_within_and_starting_within_claims(blank):
    from pipeline.components.syntax import spans_within, starting_within

    doc = blank.make_doc("A B C D E F G H")
    claims = [Span(doc, 0, 4), Span(doc, 4, 8)]
    spans = [Span(doc, 6, 7), Span(doc, 1, 2), Span(doc, 3, 5), Span(doc, 0, 1)]
    inside = spans_within(spans, claims)  # wholly inside, by start
    assert [[(s.start, s.end) for s in group] for group in inside] == [[(0, 1), (1, 2)], [(6, 7)]]
    ordered = sorted(spans, key=lambda s: s.start)
    starting = starting_within(ordered, claims)  # starting inside (3-5 crosses the boundary)
    assert [[s.start for s in group] for group in starting] == [[0, 1, 3], [6]]


def test_head_position_over_columns_is_mention_head(blank):
    from pipeline.components.features import Tokens
    from pipeline.components.syntax import HEADLESS, head_position, mention_head

    doc = fixed(blank.vocab, MODAL_TEXT, MODAL_NEGATED)
    tokens = Tokens(doc)
    for start, end, expected in [(0, 1, 0), (0, 4, 3), (5, 8, 7), (3, 5, 3)]:
        found = head_position(start, end, tokens.head, lambda i: tokens.pos[i] in HEADLESS)
        assert found == mention_head(doc[start:end]).i == expected


def test_relation_pairs_know_which_actors_count_for_the_focal_pair(nlp, parse):
    from spacy.strings import get_string_id

    doc = parse("Moscow and Ankara back Tehran against Washington.", ("RUS", "IRN"))
    stance = doc.spans["claims"][0]._.stance
    items = {item.key: set(map(int, item.features.keys))
             for item in nlp.get_pipe("claims_relation_model").items(doc)}  # fmt: skip
    assert {(0, "RUS", "IRN"), (0, "TUR", "RUS")} <= set(items)
    both, one = items[(0, "RUS", "IRN")], items[(0, "TUR", "RUS")]
    assert get_string_id("focal=11") in both and get_string_id("focal=01") in one
    assert get_string_id(f"focal=11|stance={stance}") in both
