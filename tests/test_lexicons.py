"""The build steps that derive tables from the PETRARCH2 dictionaries (no ../shared needed:
each test writes a small file in the dictionaries' format)."""

from __future__ import annotations

import json

import pytest

from pipeline.components.lexicon import MODELS
from pipeline.components.relations import derived_verbs
from pipeline.tools import cameo, petrarch
from pipeline.tools.gazetteer import demonyms, short_forms, subdivision_name
from tests.conftest import ROOT

COUNTRIES = """# comment
KAZAKHSTAN_  [KAZ]
+KAZAKHSTANI_

KASYMZHOMART_TOKAYEV_  # CountryInfo.txt
+TOKAYEV_
+PRESIDENT_TOKAYEV_
\t[KAZGOV 190320-]
\t[KAZELI 940101-190319]
KIM_IL_  # CountryInfo.txt
+KIM_JONG_IL_
\t[PRKGOV 720101-760101]
NATIONAL_SECURITY_COMMITTEE_
\t[KAZSPY]
"""
NON_STATE = """AL-SHABAAB\t[SOMREB]
+AL_SHABAAB
+AHMED_ABDI_GODANE
+SHABAAB_

ADEN_ABYAN_ISLAMIC_ARMY_(AAIA)_ [YEMREB] #  kkl 21 Mar 13
+ISLAMIC_ARMY_OF_ADEN_
"""
INTERNATIONAL = """NATO_
+NORTH_ATLANTIC_TREATY_ORGANIZATION_
\t[IGOWSTNAT]
GEORGE_ROBERTSON_\t[IGOWSTNAT 991014-031217]\t# NATO
"""


@pytest.fixture
def dictionaries(tmp_path):
    (tmp_path / petrarch.COUNTRIES).write_text(COUNTRIES)
    (tmp_path / petrarch.NON_STATE).write_text(NON_STATE)
    (tmp_path / petrarch.INTERNATIONAL).write_text(INTERNATIONAL)
    return tmp_path


def test_lexicons_petrarch_office_holders_with_home_state_and_years(dictionaries):
    people = {p["name"]: p for p in petrarch.persons(dictionaries)}
    assert set(people) == {"Kasymzhomart Tokayev", "Kim Il"}  # the committee is no person
    tokayev = people["Kasymzhomart Tokayev"]
    assert tokayev["country"] == "KAZ"
    assert tokayev["years"] == [1994, 2019]
    assert tokayev["aliases"] == ["Tokayev"]  # title forms dropped
    assert people["Kim Il"]["aliases"] == []  # another given name is another person


def test_lexicons_petrarch_organisations_and_groups(dictionaries):
    orgs = {o["name"]: o for o in petrarch.organisations(dictionaries)}
    assert orgs["North Atlantic Treaty Organization"]["short"] == "NATO"
    assert orgs["North Atlantic Treaty Organization"]["country"] is None
    assert "George Robertson" not in orgs  # a dated office holder, not an organisation
    shabaab = orgs["Al-Shabaab"]
    assert shabaab["country"] == "SOM"
    assert "Ahmed Abdi Godane" not in shabaab["aliases"]  # a leader, not the group
    assert orgs["Aden Abyan Islamic Army"]["short"] == "AAIA"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("VLADIMIR_V._PUTIN_", "Vladimir V. Putin"),
        ("BASHAR_AL-ASSAD", "Bashar al-Assad"),
        ("AL-SHABAAB", "Al-Shabaab"),
        ("ISLAMIC_ARMY_OF_ADEN", "Islamic Army of Aden"),
    ],
)
def test_lexicons_petrarch_display_names(raw, shown):
    assert petrarch.display(raw) == shown


CAMEO = """--- SUPPORT [050] ---
SUPPORT
BACK [051]
ENDORSE
--- ACCUSE [112] ---
ACCUSE
CHARGE
- * FEE [---]
--- SAY [010] ---
SAY
--- AMBIGUOUS [---] ---
PUSH [042]
PUSH [173]
"""


def test_lexicons_cameo_quad_classes_give_polarity():
    verbs = cameo.derive(CAMEO)
    assert verbs == {"cooperative": ["back", "endorse", "support"], "hostile": ["accuse", "charge"]}


def test_lexicons_derived_verb_table_is_validated():
    table = {"source": "x", "cooperative": ["back"], "hostile": ["accuse"]}
    assert derived_verbs(table) == {"back": "cooperative", "accuse": "hostile"}
    with pytest.raises(ValueError, match="verb table"):
        derived_verbs({"cooperative": ["back"], "hostile": [], "neutral": []})


def test_lexicons_committed_cameo_table_credits_its_source():
    data = json.loads((cameo.OUTPUT).read_text())
    assert "CAMEO" in data["source"] and "MIT" in data["source"]
    assert {"support", "attack"} <= set(data["cooperative"]) | set(data["hostile"])


@pytest.mark.parametrize(
    ("listed", "name", "expected"),
    [
        ("Kazakhstani", "Kazakhstan", ["Kazakhstani", "Kazakh"]),
        ("Uzbekistani", "Uzbekistan", ["Uzbekistani", "Uzbek"]),
        ("Pakistani", "Pakistan", ["Pakistani"]),  # "Pak" is no adjective
        ("Bosnian,Herzegovinian", "Bosnia and Herzegovina", ["Bosnian", "Herzegovinian"]),
    ],
)
def test_lexicons_demonyms_of_every_state(listed, name, expected):
    assert demonyms(listed, name) == expected


def test_lexicons_short_forms_and_subdivision_names():
    assert short_forms("Bosnia and Herzegovina") == ["Bosnia"]
    assert short_forms("Saudi Arabia") == []
    assert subdivision_name("Syunik'") == "Syunik"
    assert subdivision_name("Luhanska oblast") == "Luhanska"


def test_lexicons_generated_gazetteer_credits_petrarch2():
    from pipeline.gazetteer import DATA

    data = json.loads(DATA.read_text())
    assert "MIT" in data["sources"]["petrarch2"]
    assert data["actors"]["person:vladimir-putin"]["country"] == "RUS"


def test_lexicons_phrase_table_round_trips_through_its_bytes(nlp):
    from pipeline.gazetteer.store import PhraseTable

    table = PhraseTable.build("ORTH", [(["Russia"], 0), (["the", "U.S."], 1), (["Russia"], 0)])
    copy = PhraseTable.from_dict(PhraseTable.from_dict(table.to_dict()).to_dict())
    doc = nlp.make_doc("Russia and the U.S. talk.")
    assert copy(doc) == table(doc) == [(0, 0, 1), (1, 2, 4)]  # a repeated row counts once


def test_lexicons_phrase_table_keeps_keys_of_one_phrase_in_the_order_added(nlp):
    from pipeline.gazetteer.store import PhraseTable

    table = PhraseTable.build("LOWER", [(["The", "West"], 7), (["the", "west"], 3), (["West"], 5)])
    doc = nlp.make_doc("THE WEST and the west")
    assert table(doc) == [(7, 0, 2), (3, 0, 2), (5, 1, 2), (7, 3, 5), (3, 3, 5), (5, 4, 5)]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_lexicons_bundled_lexicons_fit_their_models(name):
    from pipeline.components.lexicon import HERE

    raw = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    MODELS[name].model_validate(raw)


def broken_lexicon(tmp_path, name: str, change) -> str:
    from pipeline.components.lexicon import HERE

    raw = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("factory", "key", "name", "change", "words"),
    [
        ("claims_relations", "modality_lexicon", "modality", lambda r: r.pop("modals"),
         ["modals", "Field required"]),
        ("claims_relations", "lexicon", "relations", lambda r: r.pop("hostile_verbs"),
         ["hostile_verbs", "Field required"]),
        ("claims_relations", "lexicon", "relations", lambda r: r.update(modals=["could"]),
         ["modals", "Extra inputs"]),  # modals live in modality.json now
        ("claims_stance", "lexicon", "stance", lambda r: r.update(divergence="rift"),
         ["divergence", "list"]),
        ("claims_certainty", "modality_lexicon", "modality",
         lambda r: r.pop("epistemic_modals"), ["epistemic_modals"]),
        ("claims_sections", "lexicon", "sections", lambda r: r.update(max_topic_words="six"),
         ["max_topic_words"]),
        ("claims_relations", "lexicon", "relations",
         lambda r: r["hostile_verbs"].append(r["hostile_verbs"][0]),
         ["hostile_verbs: 'oppose' is listed twice"]),
    ],
)  # fmt: skip
def test_lexicons_bad_lexicon_fails_when_the_component_is_built(
    tmp_path, factory, key, name, change, words
):
    import spacy

    import pipeline.components  # noqa: F401
    from pipeline.errors import ClaimsError

    path = broken_lexicon(tmp_path, name, change)
    nlp = spacy.blank("en")
    with pytest.raises(ClaimsError) as caught:
        nlp.add_pipe(factory, config={key: path})
    message = caught.value.message
    assert "\n" not in message
    assert message.startswith(f"{path}: not a valid {name} lexicon")
    for word in words:
        assert word in message


def test_lexicons_unreadable_lexicon_names_the_file(tmp_path):
    import spacy

    import pipeline.components  # noqa: F401
    from pipeline.errors import ClaimsError

    path = tmp_path / "relations.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ClaimsError, match=r"relations\.json: not valid JSON"):
        spacy.blank("en").add_pipe("claims_relations", config={"lexicon": str(path)})
    with pytest.raises(ClaimsError, match=r"nope\.json: file not found"):
        spacy.blank("en").add_pipe(
            "claims_relations", config={"lexicon": str(tmp_path / "nope.json")}
        )


def test_lexicons_curated_toml_has_the_shape_an_extension_must_have():
    """Extensions are in curated.toml's format: its tables pass the extension's checks
    (``members``, which only ``make gazetteer`` reads, left out)."""
    import tomllib

    from pipeline.gazetteer import EXTENSION_TABLES
    from pipeline.gazetteer.extension import check_extension

    path = ROOT / "pipeline" / "gazetteer" / "curated.toml"
    text = path.read_text("utf-8")
    data = {t: v for t, v in tomllib.loads(text).items() if t in EXTENSION_TABLES}
    for entry in data["regions"].values():
        entry.pop("members", None)
    check_extension(data, text, path)
