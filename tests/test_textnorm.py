"""Text variants: the pipeline reads normalised text (NFC, no invisible format characters,
CR-only line ends as LF) and every offset still points into the original text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.corpus.documents import SourceDocument, sha256_hex
from pipeline.textnorm import FORMAT, normalise

BASE = (
    "Russia and Türkiye expand trade\n\n"
    "Russia and Iran deepened their military cooperation. "
    "Türkiye opposed the deal with Putin.\n"
)


def reference(text: str) -> str:
    """What the pipeline should read: NFC, format characters gone, lone CRs as LF."""
    text = FORMAT.sub("", text).replace("\r\n", "\x00").replace("\r", "\n").replace("\x00", "\r\n")
    return unicodedata.normalize("NFC", text)


def test_textnorm_normal_text_is_read_as_it_is():
    assert normalise("Russia and Iran agree.\r\nTürkiye objects. 😀 🇷🇺") is None


def test_textnorm_format_characters_are_invisible_format_characters():
    found = [c for c in map(chr, range(0x110000)) if FORMAT.fullmatch(c)]
    assert all(unicodedata.category(c) == "Cf" for c in found)
    for char in "\u200b\u200c\u200d\u00ad\ufeff\u2060\u202e\u2066":
        assert char in found


WORD = st.text(
    alphabet="aeiouRTkn\u00fc\u00e9\u0308\u0301\u0327\u200b\u200d\u00ad\ufeff", min_size=1
)


@settings(deadline=None)  # the first decomposed text builds a table of composing characters
@given(words=st.lists(WORD, min_size=1, max_size=8), ends=st.sampled_from([" ", "\r", "\n"]))
def test_textnorm_every_word_maps_back_to_the_original(words, ends):
    original = ends.join(words)
    norm = normalise(original)
    read = original if norm is None else norm.text
    assert read == reference(original)
    if norm is None:
        return
    assert len(norm.starts) == len(norm.ends) == len(read)
    assert list(norm.starts) == sorted(norm.starts) and list(norm.ends) == sorted(norm.ends)
    position = 0
    for word in read.replace("\n", " ").split(" "):
        if word:
            start, end = norm.span(position, position + len(word))
            assert reference(original[start:end]) == word
            assert not FORMAT.match(original[start]) and not FORMAT.match(original[end - 1])
        position += len(word) + 1


VARIANTS = {
    "decomposed accents (NFD)": lambda t: unicodedata.normalize("NFD", t),
    "zero-width space after a full stop": lambda t: t.replace(". ", ".\u200b "),
    "zero-width space for the space after a full stop": lambda t: t.replace(". ", ".\u200b"),
    "zero-width joiner inside a name": lambda t: t.replace("Putin", "Pu\u200dtin"),
    "zero-width space inside a name": lambda t: t.replace("Putin", "Pu\u200btin"),
    "soft hyphen inside a name": lambda t: t.replace("Türkiye", "Tür\u00adkiye"),
    "byte-order mark inside a name": lambda t: t.replace("Putin", "Put\ufeffin"),
    "CR-only line ends": lambda t: t.replace("\n", "\r"),
    "all at once": lambda t: (
        unicodedata.normalize("NFD", t)
        .replace("\n", "\r")
        .replace(". ", ".\u200b")
        .replace("Putin", "\u2066Pu\u00adt\u200din\u2069")
    ),
}


def labels(records) -> list[tuple]:
    """What the analysis says about each claim, without its offsets."""
    return [
        (
            reference(r.text),
            r.section,
            sorted(a.id for a in r.actors),
            sorted(g.id for g in r.regions),
            r.stance.label,
            r.certainty.label,
            sorted((x.source, x.target, x.polarity) for x in r.relations),
        )
        for r in records
    ]


def spans(record) -> list:
    """Every span of a record: the claim, mentions, candidates and cues."""
    out = [record]
    out += [m for a in record.actors for m in a.mentions]
    out += [m for g in record.regions for m in g.mentions]
    out += record.candidates + record.stance.cues + record.certainty.cues
    return out + [x.cue for x in record.relations]


def source(text: str) -> SourceDocument:
    sha = sha256_hex(text.encode())
    return SourceDocument("variant", text, sha, "<variant>", focal_actors=["RUS", "IRN"])


@pytest.fixture(scope="module")
def runner():
    from pipeline.corpus.runner import Runner

    return Runner()


@pytest.fixture(scope="module")
def plain(runner):
    records = runner.records(source(BASE))
    assert [sorted(a.id for a in r.actors) for r in records] == [
        ["IRN", "RUS"],
        ["TUR", "person:vladimir-putin"],
    ]
    return labels(records)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_textnorm_variants_get_the_labels_of_the_plain_text(runner, plain, variant):
    text = VARIANTS[variant](BASE)
    assert text != BASE
    records = runner.records(source(text))
    assert labels(records) == plain
    for record in records:
        for span in spans(record):
            assert text[span.start : span.end] == span.text
            assert not FORMAT.match(span.text[0]) and not FORMAT.match(span.text[-1])


def test_textnorm_extract_reads_variants_like_claims_run(plain):
    from pipeline.api import extract

    text = VARIANTS["all at once"](BASE)
    records = extract(text, focal="RUS,IRN")
    assert labels(records) == plain
    assert all(text[r.start : r.end] == r.text for r in records)
    assert {r.provenance.doc_sha256 for r in records} == {sha256_hex(text.encode())}


def test_textnorm_a_selection_in_a_variant_is_tagged_like_the_plain_one(runner):
    from pipeline.review.tagging import SpanTagger

    text = VARIANTS["all at once"](BASE)
    start = text.index("T", text.index("cooperation."))
    end = len(text.rstrip("\r"))
    tagger = SpanTagger(focal={"variant": ["RUS", "IRN"]})
    claim = tagger(source(text), start, end)
    assert (claim["start"], claim["end"], claim["text"]) == (start, end, text[start:end])
    assert claim["actors"] == ["TUR", "person:vladimir-putin"]


def test_textnorm_offsets_stay_exact_across_chunks():
    from pipeline.corpus.runner import Runner

    text = VARIANTS["all at once"](BASE) * 3
    records = Runner(chunk_chars=150).records(source(text))
    assert len(records) >= 6
    for record in records:
        for span in spans(record):
            assert text[span.start : span.end] == span.text
