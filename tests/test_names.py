"""The names component: persons, acronym organisations and populations the gazetteer lacks."""

from __future__ import annotations

import pytest

from pipeline.components.names import display_name, skeleton
from tests.conftest import actor_ids, claim_of


@pytest.mark.parametrize(
    ("text", "start", "actor", "home"),
    [
        # a person the gazetteer lacks, with the home state from the title
        (
            "Kazakh President Jaksylyk Omarov visited Moscow.",
            "Kazakh",
            "person:jaksylyk-omarov",
            "KAZ",
        ),
        (
            "Iran's foreign minister Farhad Rostami met his counterpart.",
            "Iran",
            "person:farhad-rostami",
            "IRN",
        ),
        (
            "The U.S. Defense Secretary Daniel Crane warned Beijing.",
            "The U.S.",
            "person:daniel-crane",
            "USA",
        ),
        # surnames in capitals resolve like any other spelling
        (
            "Prime Minister Tamar KVIRIKASHVILI resigned.",
            "Prime",
            "person:tamar-kvirikashvili",
            None,
        ),
    ],
)
def test_names_person_from_ner_with_home_state(parse, text, start, actor, home):
    doc = parse(text, ())
    assert actor in actor_ids(doc, claim_of(doc, start))
    assert doc._.local_actors[actor]["country"] == home


def test_names_surname_after_full_name_is_the_person(parse):
    doc = parse("Ethiopian leader Tesfaye Gebremariam won. Later Gebremariam resigned.", ())
    assert "person:tesfaye-gebremariam" in actor_ids(doc, claim_of(doc, "Later"))


@pytest.mark.parametrize("mark", ["'s", "\u2019s"])
def test_names_possessive_is_not_part_of_the_person(parse, mark):
    doc = parse(f"In 1799, Napoleon BONAPARTE{mark} forces invaded Egypt.", ())
    assert "person:napoleon-bonaparte" in actor_ids(doc, doc.spans["claims"][0])


def test_names_spelling_variant_links_to_the_known_person(parse):
    doc = parse("Bashar al-ASAD left Damascus.", ())
    assert "person:bashar-al-assad" in actor_ids(doc, claim_of(doc, "Bashar"))


def test_names_acronym_introduced_then_reused(parse):
    text = (
        "The Ogaden Liberation Council (OLC) rejected the deal. Later the OLC attacked "
        "Ethiopian forces."
    )
    doc = parse(text, ())
    assert "org:olc" in actor_ids(doc, claim_of(doc, "The Ogaden"))
    assert "org:olc" in actor_ids(doc, claim_of(doc, "Later"))


@pytest.mark.parametrize(
    ("text", "group", "state"),
    [
        ("Ethnic Armenians fled the region.", "group:armenians", "ARM"),
        ("The Uzbek minority protested.", "group:uzbeks", "UZB"),
    ],
)
def test_names_demonym_of_a_population_is_the_group(parse, text, group, state):
    doc = parse(text, ())
    ids = actor_ids(doc, doc.spans["claims"][0])
    assert group in ids
    assert state not in ids


def test_names_organisation_words_are_not_person_names(parse):
    doc = parse("The Tigray People's Liberation Front fought Ethiopia.", ())
    assert not any(s.kb_id_.startswith("person:") for s in doc.spans["actors"])


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Bashar al-Asad", "Bashar al-Assad", True),
        ("Mahmud Ahmadi-Nejad", "Mahmoud Ahmadinejad", True),
        ("Kim Jong Il", "Kim Jong Un", False),
    ],
)
def test_names_skeleton_ignores_transliteration_only(a, b, same):
    assert (skeleton(a) == skeleton(b)) is same


def test_names_display_name_title_cases_capitals(nlp):
    doc = nlp.make_doc("KIM Jong Un")
    assert display_name(list(doc)) == "Kim Jong Un"
