"""Each component on small texts with known answers (constructions, not seed sentences)."""

from __future__ import annotations

import pytest

from tests.conftest import actor_ids, claim_of, region_ids

LAYOUT = """Why Ankara Hedges

Bottom line: Turkey balances between Russia and NATO.

Energy - Turkey buys Russian gas. It also imports from Azerbaijan.
Background

Turkey joined NATO in 1952.
By A. Writer
"""


def test_components_sections_find_layout(parse):
    doc = parse(LAYOUT, ("TUR", "RUS"))
    kinds = {s.text.strip(): s.label_ for s in doc.spans["non_claims"]}
    assert kinds["Why Ankara Hedges"] == "title"
    assert kinds["Bottom line:"] == "label"
    assert kinds["Background"] == "heading"
    assert kinds["By A. Writer"] == "byline"
    assert kinds["Energy -"] == "topic"
    sections = {c.text: c._.section for c in doc.spans["claims"]}
    assert sections == {
        "Turkey balances between Russia and NATO.": None,
        "Turkey buys Russian gas.": "Energy",
        "It also imports from Azerbaijan.": "Energy",
        "Turkey joined NATO in 1952.": None,
    }


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        (
            "Russia arms Syria; Iran sends militias.",
            ["Russia arms Syria", "Iran sends militias."],
        ),
        (
            "Moscow supplies the weapons, and Tehran provides the fighters.",
            ["Moscow supplies the weapons", "Tehran provides the fighters."],
        ),
        (
            "Russia formed a cell with Iran and stands ready to do more.",
            ["Russia formed a cell with Iran and stands ready to do more."],
        ),
        (
            "Iran backs Assad while Russia hedges its bets.",
            ["Iran backs Assad while Russia hedges its bets."],
        ),
        (
            "Will Russia abandon Iran? Moscow shows no sign of it.",
            ["Moscow shows no sign of it."],
        ),
        ('"Russia and Iran are partners."[3]', ["Russia and Iran are partners."]),
    ],
)
def test_components_claims_split_only_where_allowed(parse, text, claims):
    doc = parse(text)
    assert [c.text for c in doc.spans["claims"]] == claims


@pytest.mark.parametrize(
    ("text", "start", "actors"),
    [
        ("The U.S. and America's allies protested.", "The U.S.", {"USA"}),
        ("The Kremlin rejected the proposal from Tehran.", "The Kremlin", {"RUS", "IRN"}),
        ("Iranian rhetoric hardened.", "Iranian", {"IRN"}),
        (
            "Russian President Vladimir Putin met Ali Khamenei.",
            "Russian",
            {"person:vladimir-putin", "person:ali-khamenei"},
        ),
        ("Lebanese Hezbollah fights in Syria.", "Lebanese", {"org:hezbollah"}),
        ("Egypt and Jordan met. Both countries want calm.", "Both", {"EGY", "JOR"}),
        ("Turkey and Russia talk. They disagree on Syria.", "They", {"TUR", "RUS"}),
        ("Moscow needs a base for its navy.", "Moscow", {"RUS"}),
        ("Washington accused Caracas of fraud.", "Washington", {"USA", "VEN"}),
    ],
)
def test_components_actors_resolve_mentions(parse, text, start, actors):
    doc = parse(text)
    assert actor_ids(doc, claim_of(doc, start)) == actors


def test_components_actors_record_how_mentions_resolved(parse):
    doc = parse("Iran and Russia met. Both countries back Tehran's allies in Iraq.")
    how = {(s.text, s.kb_id_): s._.resolved_by for s in doc.spans["actors"]}
    assert how[("Iran", "IRN")] == "name"
    assert how[("Both countries", "RUS")] == "coreference"
    assert how[("Tehran", "IRN")] == "metonymy"


def test_components_mentions_keep_unlinked_entities_as_candidates(parse):
    doc = parse("Ruritania and Iran signed a deal negotiated by Ivan Petrovsky.")
    candidates = {c.text for c in doc.spans["candidates"]}
    assert "Ivan Petrovsky" in candidates
    assert "Iran" not in candidates


@pytest.mark.parametrize(
    ("text", "actors", "regions"),
    [
        ("Russia keeps bases in Syria.", {"RUS"}, {"SYR"}),
        ("Iran and Russia seek to expel the U.S. from Iraq.", {"IRN", "RUS", "USA"}, {"IRQ"}),
        ("Moscow wants to pull Turkey away from NATO.", {"RUS", "TUR", "org:nato"}, set()),
        (
            "Moscow sold weapons to Yerevan and built bases in Yerevan.",
            {"RUS", "ARM"},
            {"place:yerevan"},
        ),
        ("Iran fought in the Syrian Civil War.", {"IRN"}, {"SYR"}),
        (
            "Tensions rose across the Middle East and the Caucasus.",
            set(),
            {"region:middle-east", "region:caucasus"},
        ),
        ("Egypt sent troops to Yemen.", {"EGY"}, {"YEM"}),
    ],
)
def test_components_regions_separate_places_from_actors(parse, text, actors, regions):
    doc = parse(text)
    claim = doc.spans["claims"][0]
    assert actor_ids(doc, claim) == actors
    assert region_ids(doc, claim) == regions


@pytest.mark.parametrize(
    ("text", "relations"),
    [
        (
            "Russia and Iran back Assad against the rebels.",
            {
                ("RUS", "person:bashar-al-assad", "cooperative"),
                ("IRN", "person:bashar-al-assad", "cooperative"),
            },
        ),
        (
            "Iran supports Armenia as a counterweight to Azerbaijan.",
            {("IRN", "ARM", "cooperative"), ("IRN", "AZE", "hostile")},
        ),
        ("Turkey and Greece are rivals.", {("TUR", "GRC", "hostile"), ("GRC", "TUR", "hostile")}),
        (
            "Tensions between Israel and Iran grew.",
            {("ISR", "IRN", "hostile"), ("IRN", "ISR", "hostile")},
        ),
        ("Moscow could pressure Baku.", set()),
        ("China does not support Russia.", set()),
        ("If Iran attacks Israel, prices rise.", set()),
        ("Saudi Arabia seeks to weaken Iran.", {("SAU", "IRN", "hostile")}),
        ("Russia sold missiles to India.", {("RUS", "IND", "cooperative")}),
        (
            "Qatar and Turkey encourage Sudan's drift away from the UAE.",
            {
                ("QAT", "SDN", "cooperative"),
                ("TUR", "SDN", "cooperative"),
                ("QAT", "ARE", "hostile"),
                ("TUR", "ARE", "hostile"),
            },
        ),
        (
            "Tehran fears that Riyadh will arm Baluch militants.",
            {("IRN", "SAU", "hostile"), ("SAU", "group:baluch", "cooperative")},
        ),
        ("China opposes the U.S. military presence in Asia.", {("CHN", "USA", "hostile")}),
        ("Neither Moscow nor Beijing wants a confrontation with Tokyo.", set()),
        ("No Gulf state supports Iran.", set()),
        ("Turkey and Greece avoided a rivalry.", set()),
        ("Pakistan seeks to avoid confronting India.", set()),
        ("Tehran warned Baku.", {("IRN", "AZE", "hostile")}),
    ],
)
def test_components_relations_from_predicates(parse, text, relations):
    doc = parse(text)
    found = {(r["source"], r["target"], r["polarity"]) for r in doc.spans["claims"][0]._.relations}
    assert found == relations


@pytest.mark.parametrize(
    ("text", "label", "band"),
    [
        ("Russia will likely expand its presence in Libya.", "hedged", [0.55, 0.8]),
        ("Iran is very unlikely to abandon Assad.", "hedged", [0.05, 0.2]),
        ("Moscow may seek a deal.", "hedged", None),
        ("Tehran appears to favor delay.", "hedged", None),
        ("Russia reportedly sent troops to Libya.", "reported", None),
        ("Officials warned that Iran could retaliate.", "reported", None),
        ("According to Reuters, Iran likely moved missiles.", "reported", [0.55, 0.8]),
        ("Tehran fears that Baku could host Israeli bases.", "asserted", None),
        ("Russia arms Syria.", "asserted", None),
    ],
)
def test_components_certainty_labels_and_bands(parse, text, label, band):
    doc = parse(text)
    claim = doc.spans["claims"][0]
    assert claim._.certainty == label
    assert (claim._.probability[1:] if claim._.probability else None) == band


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Russia and Iran share an interest in expelling the U.S.", "convergent"),
        ("Russia and Iran both seek to weaken NATO.", "convergent"),
        (
            "Their differences do not run deep: Iran and Russia do not diverge on Syria.",
            "convergent",
        ),
        ("Russia and Iran are historic rivals.", "divergent"),
        ("Minor differences between Russia and Iran are manageable.", "convergent"),
        ("Iran's nuclear program worries Moscow.", "divergent"),
        ("Russia sells grain to Egypt.", "neutral"),
        ("Turkey and Greece argue over Cyprus.", "neutral"),
        ("It is likely that Russia and Iran will avoid open rivalry.", "convergent"),
        ("Neither Moscow nor Tehran wants a confrontation with each other.", "convergent"),
        ("Russia and Iran will cooperate unless tensions rise.", "convergent"),
        ("Moscow is wary of Iran's missile program.", "divergent"),
        ("Despite their differences, Russia and Iran coordinate in Syria.", "convergent"),
        ("Russia and Iran keep talking despite their rivalry in the Caucasus.", "convergent"),
        ("Relations between Moscow and Tehran have deteriorated.", "divergent"),
    ],
)
def test_components_stance_toward_the_focal_pair(parse, text, stance):
    doc = parse(text)
    assert doc.spans["claims"][0]._.stance == stance


def test_components_actors_detect_focal_pair_when_absent(parse):
    doc = parse(
        "Turkey and Qatar: A Gulf Partnership\n\nTurkey and Qatar share goals. Doha hosts Turkish "
        "troops.\n\nOther states watch.",
        (),
    )
    assert sorted(doc._.focal) == ["QAT", "TUR"]


PHRASES = {
    "A": [["South", "Caucasus"], ["Caucasus"]],
    "B": [["South", "Caucasus", "states"], ["Iran"]],
    "C": [["Iran"], ["the", "U.S."]],
}


@pytest.mark.parametrize(
    "text",
    [
        "The South Caucasus states and Iran watch the U.S. and the Caucasus.",
        "South Caucasus South Caucasus states",
        "Iran",
        "",
        "Nothing here matches.",
    ],
)
def test_components_mentions_phrase_table_matches_like_phrase_matcher(nlp, text):
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    from pipeline.gazetteer.store import PhraseTable

    keys = list(PHRASES)
    rows = [(words, keys.index(key)) for key, forms in PHRASES.items() for words in forms]
    table = PhraseTable.from_dict(PhraseTable.build("ORTH", rows).to_dict())  # as loaded
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for key, forms in PHRASES.items():
        matcher.add(key, [Doc(nlp.vocab, words=words) for words in forms])
    doc = nlp.make_doc(text)
    expected = {(keys.index(nlp.vocab.strings[m]), s, e) for m, s, e in matcher(doc)}
    assert sorted(table(doc)) == sorted(expected)


def test_components_doc_text_is_cached_and_checked(nlp):
    from pipeline.extensions import TEXT_KEY, doc_text

    doc = nlp.make_doc("Russia and Iran  cooperate.\n")
    assert doc_text(doc) == doc.text
    assert doc.user_data[TEXT_KEY] == doc.text
    doc.user_data[TEXT_KEY] = "stale"  # a cache that does not fit the tokens is rebuilt
    assert doc_text(doc) == "Russia and Iran  cooperate.\n"


@pytest.mark.parametrize(
    ("words", "attrs", "expected"),
    [
        (["may", "said"], ("LOWER",), [1, 5, 7]),
        (["say"], ("LEMMA",), [5]),
        (["say", "act"], ("LOWER", "LEMMA"), [2, 5]),
        (["absent"], ("LOWER",), []),
    ],
)
def test_components_indexes_with_reads_token_columns(parse, words, attrs, expected):
    from pipeline.components.syntax import indexes_with, tokens_within, word_ids

    doc = parse("Iran May act. Moscow said it may.")
    found = indexes_with(doc, word_ids(doc.vocab, words), *attrs)
    assert found == expected
    second = list(doc.sents)[1]
    assert [t.i for t in tokens_within(second, found)] == [i for i in found if i >= second.start]


@pytest.mark.parametrize(
    ("text", "word", "analysis", "claim"),
    [
        (  # the ambiguous verb re-parsed with a synonym, its own lemma kept
            "Russia and Iran back Armenia.",
            "back",
            ("ROOT", "VERB", "back"),
            "Russia and Iran back Armenia.",
        ),
        (  # a subject the parser cut off as its own sentence, within one line
            "Ankara and Tehran: Competitive Coexistence in the South Caucasus\n\n"
            "Turkey and Iran have long managed their rivalry through pragmatic trade.",
            "Turkey",
            ("nsubj", "PROPN", "Turkey"),
            "Turkey and Iran have long managed their rivalry through pragmatic trade.",
        ),
    ],
)
def test_components_repair_fixes_broken_parses(parse, text, word, analysis, claim):
    doc = parse(text, ())
    token = next(t for t in doc if t.text == word)
    assert (token.dep_, token.pos_, token.lemma_) == analysis
    assert [c.text for c in doc.spans["claims"]] == [claim]


def test_components_focal_is_its_own_component_before_the_actors(nlp):
    from pipeline.nlp import run_until

    names = nlp.pipe_names
    assert names.index("claims_regions") < names.index("claims_focal")
    assert names.index("claims_focal") < names.index("claims_actors")
    text = "Turkey and Qatar: A Gulf Partnership\n\nTurkey and Qatar share goals. Doha agrees."
    doc = run_until(nlp, nlp.make_doc(text), "claims_focal")
    assert sorted(doc._.focal) == ["QAT", "TUR"]
    assert "actors" not in doc.spans  # stopped there: no coreference, relations or stance
    assert all(claim._.stance is None for claim in doc.spans["claims"])


@pytest.mark.parametrize(
    ("factory", "reads"),
    [
        ("claims_actors", "doc._.focal"),
        ("claims_stance", "doc._.focal"),
        ("claims_stance", "span._.relations"),
        ("claims_regions", "doc.spans"),
    ],
)
def test_components_declare_what_they_read(nlp, factory, reads):
    assert reads in nlp.get_pipe_meta(factory).requires
    assert "doc._.focal" in nlp.get_pipe_meta("claims_focal").assigns
    assert "doc._.focal" not in nlp.get_pipe_meta("claims_actors").assigns


# One modality lexicon for relations, stance and certainty: (text, word, test, expected).
MODALITY_ROWS = [
    ("Iran declined to help Russia.", "help", "unreal", True),  # averting verb
    ("Iran helps Russia.", "help", "unreal", False),
    ("Neither Moscow nor Tehran wants to attack Baku.", "attack", "unreal", True),
    ("Russia could attack Iran.", "attack", "unreal", True),  # modal
    ("If Russia attacks Iran, oil rises.", "attack", "unreal", True),  # conditional
    ("Russia is unlikely to attack Iran.", "attack", "unreal", True),
    ("Russia is willing to attack Iran.", "attack", "unreal", True),  # disposition
    ("Russia and Iran avoid open rivalry.", "rivalry", "negated", True),
    ("Russia and Iran ended their partnership.", "partnership", "negated", True),
    ("Russia and Iran ended their partnership.", "partnership", "unreal_noun", False),
    ("Russia and Iran avoid a rivalry.", "rivalry", "unreal_noun", True),
    ("Their divisions will only materialize when pressed.", "divisions", "unreal_noun", True),
    ("Russia and Iran share a rivalry.", "rivalry", "negated", False),
    ("Although Russia and Iran differ, they cooperate.", "differ", "backgrounded", True),
    ("Whether Russia and Iran differ is unclear.", "differ", "backgrounded", False),
    ("It is unclear whether Russia and Iran cooperate.", "cooperate", "unreal", True),
    ("Russia and Iran cooperate despite their rivalry.", "rivalry", "backgrounded", True),
    ("Russia seeks partnership rather than rivalry with Iran.", "rivalry", "negated", True),
]


@pytest.mark.parametrize(("text", "word", "test", "expected"), MODALITY_ROWS)
def test_components_modality_tests(nlp, text, word, test, expected):
    from pipeline.components.modality import Modality

    modality = Modality()
    doc = nlp(text)
    token = next(t for t in doc if t.lower_ == word or t.lemma_ == word)
    claim = doc[:]
    args = (token, claim) if test in {"negated", "backgrounded"} else (token,)
    assert getattr(modality, test)(*args) is expected


def test_components_modality_is_shared_by_relations_stance_and_certainty(nlp):
    from pipeline.components.modality import Modality

    for name in ("claims_relations", "claims_stance", "claims_certainty"):
        assert isinstance(nlp.get_pipe(name).modality, Modality)
    assert not hasattr(nlp.get_pipe("claims_stance"), "negated")  # no second copy
    assert not hasattr(nlp.get_pipe("claims_relations"), "unreal")


@pytest.mark.parametrize(
    ("text", "relations"),
    [
        ("Iran declined to help Russia.", []),  # averting verbs are one list now
        ("Iran refused to help Russia.", []),
        ("Iran helped Russia.", [("IRN", "RUS", "cooperative")]),
    ],
)
def test_components_relations_not_from_averted_predicates(parse, text, relations):
    doc = parse(text)
    found = doc.spans["claims"][0]._.relations
    assert [(r["source"], r["target"], r["polarity"]) for r in found] == relations


def test_components_modality_lexicon_changes_relations_and_stance(nlp, tmp_path):
    """A modality lexicon given to the components is the one they all read."""
    import json

    from pipeline.components.lexicon import HERE
    from pipeline.components.relations import RelationExtractor
    from pipeline.components.stance import StanceTagger

    lex = json.loads((HERE / "modality.json").read_text())
    lex["averting_verbs"] = [v for v in lex["averting_verbs"] if v != "decline"]
    lex["ending_verbs"] = []
    path = tmp_path / "modality.json"
    path.write_text(json.dumps(lex))
    relations = RelationExtractor(nlp, "r", modality_lexicon=str(path))
    stance = StanceTagger(nlp, "s", modality_lexicon=str(path))
    doc = nlp("Iran declined to help Russia.")
    help_ = next(t for t in doc if t.lemma_ == "help")
    assert not relations.modality.unreal(help_)
    assert not stance.modality.negated(help_, doc[:])
    assert nlp.get_pipe("claims_relations").modality.unreal(help_)
