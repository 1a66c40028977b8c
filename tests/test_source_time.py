"""Source, time and date-aware actors: one row per construction (GUIDELINES G11.8, G12).

Rows marked "seed" or "tune" are sentences of the seed or of annotations/dev (tune part);
"G12.n" rows are the guidelines' own examples; the others are built for the construction.
"""

from __future__ import annotations

import pytest

from pipeline.components.dates import DocumentDate
from pipeline.components.lexicon import load_lexicon
from tests.conftest import claim_of


@pytest.fixture(scope="session")
def dated(nlp):
    """Run the pipeline on a text with a document date (None: undated)."""

    def run(text: str, date: str | None = None, focal: tuple[str, ...] = ("RUS", "IRN")):
        doc = nlp.make_doc(text)
        doc._.focal = list(focal) or None
        doc._.date, doc._.date_source = (date, "option") if date else (None, None)
        return nlp(doc)

    return run


SOURCE_ROWS = [
    # unnamed sources: people, reporting adverbs (G12.3)
    (
        "Officials have suggested that the U.S. could exploit tensions between Russia and Iran.",
        "unnamed",
        None,
        "Officials have suggested",
    ),  # seed
    (
        "The Trump administration reportedly seeks to drive a wedge between Russia and Iran.",
        "unnamed",
        None,
        "reportedly",
    ),  # seed
    (
        "Some Russian commentators have warned that their country risks becoming an appendage.",
        "unnamed",
        None,
        "Some Russian commentators have warned",
    ),  # tune: a demonym on an unnamed source noun names no actor
    # actors: the subject of a verb of saying, an official noun with its state (G12.2)
    ("U.S. officials said that Moscow will retaliate.", "actor", "USA", "U.S. officials said"),
    (
        "Beijing denies providing lethal aid and insists that it is neutral.",
        "actor",
        "CHN",
        "Beijing denies",
    ),  # tune
    (
        "Turkey is unlikely to oppose a Russian presence in Syria, according to officials in "
        "Ankara.",
        "actor",
        "TUR",
        "according to officials in Ankara",
    ),  # tune: the seat read as a place still names the state
    # the outermost attribution decides (G12.11)
    (
        "Wang Yi told the EU that Beijing could not accept a Russian defeat, according to "
        "officials briefed on the conversation.",
        "unnamed",
        None,
        "according to officials briefed on the conversation",
    ),  # tune
    # the author's claims: assertions, hedges, an actor's attitude (G12.1)
    ("Iran and Russia support the Syrian regime against all its opponents.", "author", None, None),
    ("Tehran fears that Baku could support a secessionist movement.", "author", None, None),
    ("We believe that Moscow will not intervene.", "author", None, None),
]


@pytest.mark.parametrize(
    ("text", "kind", "actor", "cue"), SOURCE_ROWS, ids=[r[0] for r in SOURCE_ROWS]
)
def test_source_general_constructions(dated, text, kind, actor, cue):
    doc = dated(text)
    source = claim_of(doc, text[:12])._.source
    found = doc.text[source["cue"][0] : source["cue"][1]] if source["cue"] else None
    assert (source["kind"], source["actor"], found) == (kind, actor, cue)


def test_source_agrees_with_certainty_on_every_seed_claim(dated):
    """G12.4: reported claims have an actor or unnamed source, the others the author."""
    from tests.conftest import GOLD

    text = (GOLD.parent / "seeds" / "kozak-strategic-convergence-russia-iran.txt").read_text()
    doc = dated(text)
    pairs = {
        (c._.certainty == "reported", c._.source["kind"] != "author") for c in doc.spans["claims"]
    }
    assert pairs == {(True, True), (False, False)}


TIME_ROWS = [
    # explicit dates and anchors (G12.6)
    ("Russia invaded Georgia in 2008.", None, "past", "2008", "2008"),
    (
        "Iran has been designated a state sponsor of terrorism since 1984.",
        None,
        "present",
        "1984",
        None,
    ),  # tune
    ("The protests persisted until 2011.", None, "past", None, "2011"),  # tune
    (
        "From 1980 to 1988, Iran fought a bloody war with Iraq.",
        None,
        "past",
        "1980",
        "1988",
    ),  # tune
    ("During the 1990s, Syria and Israel held peace talks.", None, "past", "1990", "1999"),  # tune
    ("In 2003 and 2004, conservatives regained control.", None, "past", "2003", "2004"),
    ("On 8 December 2024, rebels captured Damascus.", None, "past", "2024-12-08", "2024-12-08"),
    (
        "During the latter part of the 18th century, the Russian Empire absorbed Ukraine.",
        None,
        "past",
        "1750",
        "1799",
    ),  # tune
    (
        "After World War I, France acquired a mandate over Syria.",
        None,
        "past",
        "1918",
        "1918",
    ),  # tune
    # relative to the document's date (G12.6, G12.9)
    ("Russia and Iran cooperated closely last year.", "2015", "past", "2014", "2014"),
    (
        "The regime will remain stable over the next three to five years.",
        "1961",
        "future",
        "1961",
        "1966",
    ),
    (
        "Neither capital is likely to abandon it in the coming decade.",
        "2015",
        "future",
        "2015",
        "2025",
    ),
    (
        "The U.S. cannot drive a wedge between Russia and Iran in the near term.",
        None,
        "future",
        None,
        None,
    ),  # seed
    ("Russia invaded Ukraine in February 2022.", "2022-09-29", "past", "2022-02", "2022-02"),
    ("Armenia will hold elections in 2026.", "2025-06", "future", "2026", "2026"),
    # which expression decides (G12.7, G12.13)
    (
        "Syrian troops that were stationed in Lebanon since 1976 in an ostensible peacekeeping "
        "role were withdrawn in 2005.",
        None,
        "past",
        "2005",
        "2005",
    ),  # tune
    (
        "China and Russia have built their closest partnership since the 1950s.",
        None,
        "present",
        None,
        None,
    ),  # tune
    (
        "Although Ukraine voted for independence in 1991, democracy remained elusive.",
        None,
        "past",
        None,
        None,
    ),
    # the main verb's tense and modality without an expression (G12.8, G12.10, G12.12)
    (
        "Western officials said that Chinese firms supply the bulk of the goods.",
        None,
        "present",
        None,
        None,
    ),  # tune
    (
        "Officials have suggested that the U.S. could exploit tensions between Russia and Iran.",
        None,
        "future",
        None,
        None,
    ),  # seed
    (
        "Russia formed a joint cell with Iran and stands ready to do more.",
        None,
        "past",
        None,
        None,
    ),  # seed
    ("NATO should make no commitments.", None, "future", None, None),
    ("Russia may be a reliable partner.", None, "present", None, None),
    ("Russia may have supplied the drones.", None, "past", None, None),
    ("Moscow could take part in the talks.", None, "future", None, None),
    (
        "In 1970, Hafiz al-ASAD, a member of the socialist Ba'ath Party and the minority Alawi "
        "sect, seized power in a bloodless coup and brought political stability to the country.",
        None,
        "past",
        "1970",
        "1970",
    ),  # tune
]


@pytest.mark.parametrize(
    ("text", "date", "relative", "start", "end"), TIME_ROWS, ids=[r[0] for r in TIME_ROWS]
)
def test_time_general_constructions(dated, text, date, relative, start, end):
    time = claim_of(dated(text, date), text[:12])._.time
    assert (time["relative"], time["start"], time["end"]) == (relative, start, end)


TRAIN_TIME_ROWS = [
    # sentences of the annotated training documents (GUIDELINES G12.6-21)
    (
        "From the 11th to the 16th centuries, various ethnic groups settled the Togo region.",
        None,
        "past",
        "1000",
        "1599",
    ),  # a range of centuries
    (
        "At its zenith in the early 20th century, the British Empire stretched over one fourth "
        "of the earth's surface.",
        None,
        "past",
        "1900",
        "1949",
    ),  # G12.15
    (
        "After World War I, colonial rule over Togo was transferred to France.",
        None,
        "past",
        "1918",
        "1918",
    ),  # G12.13: "I" read as a pronoun, the anchor just before the period
    (
        "Russia and Iran signed a cooperation treaty after the\nCold War.",
        "2022-06-10",
        "past",
        "1991",
        "1991",
    ),  # a named period over a line break
    (
        "The United Kingdom was created when England and Scotland were joined under the 1707 "
        "Acts of Union.",
        None,
        "past",
        "1707",
        "1707",
    ),  # G12.19; a year before a capitalised plural is no count
    (
        "In 2018, the Trump Administration and Kim regime appeared to open a new chapter in the "
        "relationship.",
        "2018-07-27",
        "present",
        "2018",
        "2018",
    ),  # G12.6: the expression contains the document's date
    (
        "Following unprecedented unrest in January 2022, President Kassym-Jomart Tokayev has "
        "moved to consolidate power.",
        "2024-08-16",
        "present",
        "2022-01",
        None,
    ),  # G12.16
    (
        "They apparently intend for some time to come to put primary emphasis on internal "
        "security.",
        "1957",
        "future",
        "1957",
        None,
    ),  # G12.17
    (
        "Ikeda will probably retain the Premiership for the next year, at least.",
        "1961",
        "future",
        "1961",
        "1962",
    ),  # G12.9: "for the next year" is a period, not the year after
    (
        "Nor do we believe that, at least for the next year or so, Pyongyang will take actions "
        "that involve high risk.",
        "1968-05-16",
        "future",
        "1968",
        "1969",
    ),  # G12.9
    (
        "The greater stress placed by the Soviets in the last year or two on wars is in part a "
        "response to Chinese criticism.",
        "1962",
        "present",
        "1960",
        "1962",
    ),  # G12.6: "the last year or two"
    (
        "The Department of State is releasing today Foreign Relations of the United States, "
        "1964-1968, volume XVII, Eastern Europe.",
        "1996-08-12",
        "present",
        "1996-08-12",
        "1996-08-12",
    ),  # G12.21
    (
        "But we do not foresee a deliberate break in state relations.",
        None,
        "future",
        None,
        None,
    ),  # G12.10: the author's expectation of an event
    (
        "BERDIMUHAMEDOV won Turkmenistan's first multi-candidate presidential election in 2007, "
        "and again in 2012 and 2017.",
        None,
        "past",
        "2007",
        "2017",
    ),  # G12.6: several years on one verb run from the first to the last
    (
        "Kazakhstan signed the Conventional Armed Forces in Europe Treaty (1992), the START "
        "Treaty (1992), the nuclear Non-Proliferation Treaty (1993), the Chemical Weapons "
        "Convention, and the Comprehensive Test Ban Treaty (2001).",
        None,
        "past",
        "1992",
        "2001",
    ),  # years listed in parentheses on the coordinated objects of one verb
    (
        "The United States recognized Afghanistan in 1921, and established diplomatic "
        "relations in 1935.",
        None,
        "past",
        "1921",
        "1921",
    ),  # G12.12: coordinated verbs are no list; the first decides
    (
        "Since mid-April, however, North Korean harassment in the area of the DMZ has intensified.",
        "1968-05-16",
        "present",
        "1968-04",
        None,
    ),  # G12.6: a month without a year, its latest occurrence up to the document's date
    ("Russia launched the offensive in November.", "2015-03", "past", "2014-11", "2014-11"),
    (
        "The Secretary will travel on February 1 to Minsk.",
        "2020-01",
        "future",
        "2020-02-01",
        "2020-02-01",
    ),
    (
        "The long-latent conflict exploded into crisis last fall.",
        "1957",
        "past",
        "1956",
        "1956",
    ),  # G12.6: "last fall" in a 1957 estimate
    (
        "South Korea will continue to require large-scale foreign aid for the indefinite future "
        "if it is to remain an independent nation allied with the West.",
        "1961-09-07",
        "future",
        "1961",
        None,
    ),  # G12.17: a forward period the parser hung on the object
    (
        "Poland's success is a key factor affecting the future political developments in "
        "Eastern Europe.",
        "1957",
        "present",
        None,
        None,
    ),  # "the future" as a noun's modifier is no period
    (
        "Public support for NATO accession has skyrocketed in both countries since Russia's "
        "invasion of Ukraine.",
        "2022-06-10",
        "present",
        "2022",
        None,
    ),  # G12.13: a dated event the text names
    (
        "Russia's invasion of Ukraine has ongoing repercussions for the country.",
        "2024-08-16",
        "present",
        None,
        None,
    ),  # the event as the subject is the claim's topic, not its time
    (
        "Finland has reconsidered its neutrality since Russia's invasion of Ukraine.",
        "2015",
        "present",
        None,
        None,
    ),  # an event after the document's date is not the one meant
    (
        "Since 1990, the United States had been attempting to encourage greater independence.",
        None,
        "past",
        "1990",
        None,
    ),  # "since X" on a past perfect: a period that ended before the text
]


@pytest.mark.parametrize(
    ("text", "date", "relative", "start", "end"),
    TRAIN_TIME_ROWS,
    ids=[r[0] for r in TRAIN_TIME_ROWS],
)
def test_time_of_the_training_documents_constructions(dated, text, date, relative, start, end):
    time = claim_of(dated(text, date), text[:12])._.time
    assert (time["relative"], time["start"], time["end"]) == (relative, start, end)


def test_the_next_year_alone_is_the_year_after_the_date_before(dated):
    """ "The next year" with no preposition of duration follows the narrative (G12.13)."""
    doc = dated("He was elected in 1992. The next year, he dissolved the parliament.", "2010")
    time = claim_of(doc, "The next year")._.time
    assert (time["relative"], time["start"], time["end"]) == ("past", "1993", "1993")


def test_since_that_date_is_since_the_date_before(dated):
    doc = dated("Capabilities remained unchanged in April 1951. Nationalist capabilities have "
                "not improved substantially since that date.")  # fmt: skip
    time = claim_of(doc, "Nationalist")._.time
    assert (time["relative"], time["start"], time["end"]) == ("present", "1951-04", None)


def test_a_speech_is_its_speakers_and_a_report_no_actor(dated):
    """G12.14: a speech or statement names its speaker; a document or outlet is unnamed."""
    text = "A speech by Sergei Lavrov confirmed that Moscow had supplied the drones."
    source = claim_of(dated(text), "A speech")._.source
    assert (source["kind"], source["actor"]) == ("actor", "person:sergey-lavrov")
    text = "A UN report said that Russia had supplied the drones."
    source = claim_of(dated(text), "A UN report")._.source
    assert (source["kind"], source["actor"]) == ("unnamed", None)


def test_time_of_a_later_clause_and_of_since_then(dated):
    """A sentence's opening date covers its later clauses; "since then" the date before."""
    doc = dated("In 2015, Russia launched an intervention; Syrian forces recaptured territory. "
                "Since then, the two sides have met often.")  # fmt: skip
    second = claim_of(doc, "Syrian forces")._.time
    since = claim_of(doc, "Since then")._.time
    assert (second["relative"], second["start"], second["end"]) == ("past", "2015", "2015")
    assert (since["relative"], since["start"], since["end"]) == ("present", "2015", None)


def test_time_without_a_document_date_keeps_the_cue_of_a_relative_expression(dated):
    doc = dated("Russia and Iran cooperated closely last year.")
    time = claim_of(doc, "Russia")._.time
    assert (time["start"], time["end"]) == (None, None)
    assert doc.text[time["cue"][0] : time["cue"][1]] == "last year"


DATE_ROWS = [
    (
        "243. National Intelligence Estimate\nNIE 14.2/42-61\nWashington, September 7,\n1961.\n",
        ("1961-09-07", "dateline"),
    ),
    ("Remarks\nApril 14, 2021\nNew York City\n", ("2021-04-14", "dateline")),
    ("16. National Intelligence Estimate\n\nNIE 34\u201361\n\nThe Problem\n", ("1961", "estimate")),
    ("84. Interagency Intelligence Memorandum\n\nNI IIM 78\u201310010\n", ("1978", "estimate")),
    (
        "83. National Intelligence Analytical Memorandum\n\nNIAM 36.7\u201373\n",
        ("1973", "estimate"),
    ),
    ("A paper of the Agency, dated 17 June 1975, says so.", ("1975-06-17", "dateline")),
    # another estimate's date is not this one's
    (
        "NIE 53\u201356\n\nThis supplements NIE 53\u201354, dated 19 October 1954.",
        ("1956", "estimate"),
    ),
    # a date in the body is what a claim is about
    ("22. Editorial Note\n\nOn March 3, 1969, Kissinger sent Nixon a memorandum.", None),
    ("NIE\u20132/1\n\nChinese Communist intervention in Korea", None),
]


@pytest.mark.parametrize(("head", "expected"), DATE_ROWS, ids=[r[0][:30] for r in DATE_ROWS])
def test_document_date_from_a_dateline_or_an_estimate_number(head, expected):
    assert DocumentDate(load_lexicon("dates")).detect(head) == expected


ERA_ROWS = [
    # former states take their successors' seats and demonyms in their era (G11.8)
    ("Moscow will probably continue to support Hanoi.", "1965", {"SUN", "VDR"}, {"RUS", "VNM"}),
    ("Moscow will probably continue to support Hanoi.", "1995", {"RUS", "VNM"}, {"SUN", "VDR"}),
    ("Russian forces crossed the border.", "1980", {"SUN"}, {"RUS"}),
    ("Belgrade rejected the proposal.", "1980", {"YUG"}, {"SRB"}),
    ("Belgrade rejected the proposal.", "2004", {"SCG"}, {"SRB"}),
    # names of the era
    (
        "The Soviets fear that Peking may break with the Bloc.",
        "1962",
        {"SUN", "CHN", "group:communist-bloc"},
        set(),
    ),
    # titles: the office holder of the date
    ("The Shah is unlikely to change his course.", "1970", {"person:mohammad-reza-pahlavi"}, set()),
    ("The President announced a new strategy.", "2015", {"person:barack-obama"}, set()),
    ("The President announced a new strategy.", "1962", {"person:john-f-kennedy"}, set()),
    # a title before a name, in another title or addressing the chair is no holder
    ("Thank you, Mr. President, for the briefing.", "2015", set(), {"person:barack-obama"}),
    ("Vice President Johnson visited Saigon.", "1962", set(), {"person:john-f-kennedy"}),
    (
        "The Assistant to the President met the delegation.",
        "1962",
        set(),
        {"person:john-f-kennedy"},
    ),
]


@pytest.mark.parametrize(
    ("text", "date", "present", "absent"), ERA_ROWS, ids=[f"{r[0]} ({r[1]})" for r in ERA_ROWS]
)
def test_actors_of_the_documents_date(dated, text, date, present, absent):
    doc = dated(text, date, ())
    ids = {s.kb_id_ for s in doc.spans["actors"]}
    assert present <= ids and not absent & ids, ids


@pytest.mark.parametrize(
    "text",
    [
        "Moscow will probably continue to support Hanoi.",
        "The Soviets fear that Peking may break with the Bloc.",
        "The Shah is unlikely to change his course. The President announced a new strategy.",
    ],
)
def test_without_a_date_actors_are_those_of_the_pipeline_without_eras(nlp, dated, text):
    """No date, no change: the era component leaves an undated document as it found it."""
    undated = dated(text, None, ())
    without = [(name, proc) for name, proc in nlp.pipeline if name != "claims_eras"]
    doc = nlp.make_doc(text)
    for _, proc in without:
        doc = proc(doc)
    spans = lambda d: [(s.start, s.end, s.kb_id_) for s in d.spans["actors"]]  # noqa: E731
    assert spans(undated) == spans(doc)


def test_office_holders_from_petrarch_titles_and_first_government_terms():
    """pipeline/tools/offices.py: an office from a titled spelling (never Vice-, Former- or
    -Elect), its term from the entry's first government code, an open term closed by the next
    holder;
    spellings listed without "+" join the entry holding the codes."""
    from pipeline.tools.offices import derive
    from tests.conftest import DATA

    lexicon = load_lexicon("offices")
    table = derive(DATA / "petrarch_tiny", lexicon)
    assert table["USA"]["president"] == [
        ["person:harry-s-truman", "1945-04-12", "1953-01-20"],
        ["person:dwight-d-eisenhower", "1953-01-20", "1974-08-09"],
        ["person:gerald-r-ford", "1974-08-09", "1977-01-20"],
    ]
    assert table["USA"]["secretary of state"] == [
        ["person:henry-kissinger", "1973-09-22", "1977-01-20"]
    ]


def test_a_trailer_line_attributes_and_dates_the_quotation_above_it(dated):
    """G12.20: "- Secretary Michael Pompeo, July 3, 2019" after a quotation is the source of
    its claims and dates them; the text after it is the author's again."""
    text = (
        "\u201cThe United States is a steadfast supporter of the independence of Belarus.\u201d"
        "\n\n\u2013 Secretary Michael Pompeo, July 3, 2019\n\n"
        "The Secretary will travel to Minsk to meet President Lukashenka."
    )
    doc = dated(text)
    quoted, after = claim_of(doc, "The United States"), claim_of(doc, "The Secretary")
    source, time = quoted._.source, quoted._.time
    assert (quoted._.certainty, source["kind"], source["actor"]) == (
        "reported",
        "actor",
        "person:mike-pompeo",
    )
    assert doc.text[source["cue"][0] : source["cue"][1]] == "Secretary Michael Pompeo"
    assert (time["relative"], time["start"], time["end"]) == ("past", "2019-07-03", "2019-07-03")
    assert doc.text[time["cue"][0] : time["cue"][1]] == "July 3, 2019"
    assert (after._.certainty, after._.source["kind"]) == ("asserted", "author")


def test_a_lead_in_with_a_colon_attributes_the_quoted_document_after_it(dated):
    """G12.20: "A contemporary intelligence estimate ... opens as follows:" is the source of
    every quoted paragraph (each opening with a quote) up to the closing quote."""
    text = (
        "A contemporary intelligence estimate on North Korea opens as follows:\n\n"
        "\u201c1. The Korean Communist regime will almost certainly retain firm control of "
        "North Korea through 1960.\n\n"
        "\u201c2. We believe that the Communists will not resort to force.\u201d\n\n"
        "The estimate proved correct about the regime."
    )
    doc = dated(text)
    cue = "A contemporary intelligence estimate on North Korea opens"
    for start in ("The Korean", "2. We believe"):
        claim = claim_of(doc, start)
        source = claim._.source
        assert (claim._.certainty, source["kind"], source["actor"]) == ("reported", "unnamed", None)
        assert doc.text[source["cue"][0] : source["cue"][1]] == cue
    for start in ("A contemporary", "The estimate proved"):
        claim = claim_of(doc, start)
        assert (claim._.certainty, claim._.source["kind"]) == ("asserted", "author")
