"""The scorer on small hand-built cases with known answers."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.evaluation.gold import load_gold
from pipeline.evaluation.scoring import ClaimView, differences, evaluate, match_claims, one_to_one
from pipeline.gazetteer import load_gazetteer
from tests.conftest import GOLD, SMALL, read_jsonl, write_jsonl

SMALL_SHA = json.loads((SMALL / "documents.jsonl").read_text(encoding="utf-8"))["sha256"]


@pytest.fixture(scope="module")
def gold():
    return load_gold(SMALL)


@pytest.fixture(scope="module")
def views(gold):
    return [ClaimView.from_gold(c) for c in gold.claims]


def run(gold, pred):
    return evaluate(gold, pred, load_gazetteer())


def test_evaluate_perfect_prediction_scores_one(gold, views):
    report = run(gold, views)
    for key in ("actors", "regions", "relations"):
        assert report[key]["f"] == 1.0
    assert report["claims"]["lenient"] == report["claims"]["strict"] == {"p": 1, "r": 1, "f": 1}
    assert report["stance"]["accuracy"] == report["certainty"]["kappa"] == 1.0
    assert report["section_accuracy"] == 1.0


def test_evaluate_missed_claim_lowers_recall_by_one_in_n(gold, views):
    report = run(gold, views[1:])
    assert report["claims"]["lenient"]["p"] == 1.0
    assert report["claims"]["lenient"]["r"] == pytest.approx(3 / 4)
    assert report["claims"]["lenient"]["f"] == pytest.approx(2 * 0.75 / 1.75)


def test_evaluate_extra_claim_lowers_precision(gold, views):
    extra = dataclasses.replace(views[0], start=0, end=9, text="Alliances")
    report = run(gold, [*views, extra])
    assert report["claims"]["lenient"]["p"] == pytest.approx(4 / 5)
    assert report["claims"]["lenient"]["r"] == 1.0


def test_evaluate_label_swap_shows_in_confusion_matrix(gold, views):
    swapped = [dataclasses.replace(views[0], stance="divergent"), *views[1:]]
    report = run(gold, swapped)
    confusion = report["stance"]["confusion"]
    row = confusion["labels"].index("convergent")
    col = confusion["labels"].index("divergent")
    assert confusion["matrix"][row][col] == 1
    assert report["stance"]["accuracy"] == pytest.approx(3 / 4)
    assert report["stance"]["kappa"] < 1.0


def test_evaluate_shifted_span_matches_leniently_not_strictly(gold, views):
    g = views[0]
    shifted = dataclasses.replace(g, start=g.start + 3, text=g.text[3:])
    report = run(gold, [shifted, *views[1:]])
    assert report["claims"]["lenient"]["f"] == 1.0
    assert report["claims"]["strict"]["r"] == pytest.approx(3 / 4)


@pytest.mark.parametrize(
    ("gold_span", "pred_span", "lenient"),
    [((0, 100), (0, 50), True), ((0, 100), (0, 49), False), ((0, 100), (60, 200), False)],
)
def test_evaluate_lenient_match_needs_half_the_longer_span(gold_span, pred_span, lenient):
    def view(span):
        return ClaimView(
            "d", *span, "", None, frozenset(), frozenset(), "neutral", "asserted", frozenset()
        )

    assert bool(match_claims([view(gold_span)], [view(pred_span)])) is lenient


def test_evaluate_matching_is_one_to_one_best_overlap_first():
    def view(start, end):
        return ClaimView(
            "d", start, end, "", None, frozenset(), frozenset(), "neutral", "asserted", frozenset()
        )

    gold = [view(0, 10), view(10, 20)]
    pred = [view(4, 16), view(0, 9)]  # pred 0 overlaps both golds by 6; pred 1 gold 0 by 9
    assert match_claims(gold, pred) == [(0, 1), (1, 0)]


def test_evaluate_set_fields_are_micro_averaged(gold, views):
    wrong = dataclasses.replace(views[0], actors=views[0].actors | {"TUR"})
    report = run(gold, [wrong, *views[1:]])
    gold_actor_count = sum(len(v.actors) for v in views)
    assert report["actors"]["p"] == pytest.approx(gold_actor_count / (gold_actor_count + 1))
    assert report["actors"]["r"] == 1.0


def test_evaluate_rolls_actors_up_to_states(gold, views):
    # org:hezbollah's home state is LBN: replacing it with LBN is wrong, but right rolled up.
    last = views[3]
    changed = dataclasses.replace(last, actors=frozenset({"IRN", "LBN"}))
    report = run(gold, [*views[:3], changed])
    assert report["actors"]["f"] < 1.0
    assert report["actors"]["states"]["f"] == 1.0


def test_evaluate_rolls_regions_up_to_parents(gold, views):
    moved = dataclasses.replace(views[2], regions=frozenset({"LBY"}))  # EGY and LBY: N. Africa
    report = run(gold, [*views[:2], moved, views[3]])
    assert report["regions"]["f"] == 0.0
    assert report["regions"]["parents"]["r"] == pytest.approx(2 / 3)


def test_evaluate_relations_score_triples(gold, views):
    flipped = dataclasses.replace(views[1], relations=frozenset({("TUR", "SYR", "cooperative")}))
    report = run(gold, [views[0], flipped, *views[2:]])
    assert report["relations"]["p"] == pytest.approx(3 / 4)
    assert report["relations"]["r"] == pytest.approx(3 / 4)


def test_evaluate_json_has_the_documented_keys(runner):
    result = runner.invoke(
        main, ["evaluate", "--gold", str(GOLD), "--pred", str(GOLD / "claims.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {
        "claims",
        "actors",
        "regions",
        "relations",
        "stance",
        "certainty",
        "section_accuracy",
        "per_document",
    } <= set(report)
    assert set(report["claims"]) == {"lenient", "strict"}
    assert {"accuracy", "macro_f1", "kappa", "confusion"} <= set(report["stance"])
    flat = [
        report["claims"]["lenient"]["f"],
        report["claims"]["strict"]["f"],
        report["actors"]["f"],
        report["actors"]["states"]["f"],
        report["regions"]["f"],
        report["regions"]["parents"]["f"],
        report["relations"]["f"],
        report["stance"]["macro_f1"],
        report["certainty"]["kappa"],
        report["section_accuracy"],
    ]
    assert flat == [1.0] * len(flat)
    assert list(report["per_document"]) == ["kozak-strategic-convergence"]


def test_evaluate_damaged_copy_scores_lower(runner, tmp_path):
    rows = read_jsonl(GOLD / "claims.jsonl")
    damaged = rows[::2]  # half the claims missing
    for row in damaged[:5]:
        row["stance"] = "neutral" if row["stance"] != "neutral" else "divergent"
    pred = write_jsonl(tmp_path / "pred.jsonl", damaged)
    result = runner.invoke(main, ["evaluate", "--gold", str(GOLD), "--pred", str(pred), "--json"])
    report = json.loads(result.output)
    assert report["claims"]["lenient"]["p"] == 1.0
    assert report["claims"]["lenient"]["r"] == pytest.approx(len(damaged) / len(rows))
    assert report["stance"]["accuracy"] == pytest.approx(1 - 5 / len(damaged))


def test_evaluate_diff_lists_missed_extra_and_wrong(runner, small_gold, tmp_path):
    rows = read_jsonl(small_gold / "claims.jsonl")
    rows[1]["stance"] = "divergent"
    rows[2]["regions"] = []
    pred = write_jsonl(tmp_path / "pred.jsonl", rows[1:])
    result = runner.invoke(
        main, ["evaluate", "--gold", str(small_gold), "--pred", str(pred), "--diff"]
    )
    assert result.exit_code == 0, result.output
    assert "MISSED  small@11: Russia and Iran support the Syrian regime" in result.output
    assert "WRONG   small@54 stance: gold='neutral' pred='divergent'" in result.output
    assert "regions: missing ['EGY'] extra []" in result.output


def test_evaluate_agree_compares_two_annotators(runner, small_gold, tmp_path):
    result = runner.invoke(main, ["agree", str(SMALL), str(small_gold), "--json"])
    assert json.loads(result.output)["stance"]["kappa"] == 1.0
    rows = read_jsonl(small_gold / "claims.jsonl")
    rows[0]["stance"] = "neutral"
    rows[3]["certainty"] = "asserted"
    write_jsonl(small_gold / "claims.jsonl", rows)
    result = runner.invoke(main, ["agree", str(SMALL), str(small_gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stance"]["accuracy"] == report["certainty"]["accuracy"] == 0.75
    result = runner.invoke(main, ["agree", str(SMALL), str(small_gold)])
    assert "stance          0.750" in result.output


def test_evaluate_agree_without_common_documents_fails(runner, small_gold):
    result = runner.invoke(main, ["agree", str(GOLD), str(small_gold)])
    assert result.exit_code == 2
    assert "no gold documents match" in result.output


@pytest.fixture(scope="module")
def small_records(tmp_path_factory) -> list[dict]:
    """Records of ``claims run`` on the small gold's text: doc_id "doc", the file stem."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("pred") / "claims.jsonl"
    result = CliRunner().invoke(main, ["run", str(SMALL / "doc.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    assert records and {r["doc_id"] for r in records} == {"doc"}
    return records


def renamed(records: list[dict], doc_id: str, sha256: str | None = None) -> list[dict]:
    out = []
    for record in records:
        provenance = {
            **record["provenance"],
            "doc_sha256": sha256 or record["provenance"]["doc_sha256"],
        }
        out.append({**record, "doc_id": doc_id, "provenance": provenance})
    return out


@pytest.mark.parametrize(
    ("doc_id", "sha256"),
    [
        ("doc", None),  # the file stem: paired by the text's sha256
        ("small", "0" * 64),  # another text hash: paired by doc_id
    ],
)
def test_evaluate_pairs_records_by_sha256_then_doc_id(
    runner, small_records, tmp_path, doc_id, sha256
):
    pred = write_jsonl(tmp_path / "pred.jsonl", renamed(small_records, doc_id, sha256))
    result = runner.invoke(main, ["evaluate", "--gold", str(SMALL), "--pred", str(pred), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["pred"] == len(small_records)
    assert report["counts"]["matched"] > 0
    assert report["per_document"]["small"]["counts"]["pred"] == len(small_records)


def test_evaluate_names_unpaired_documents_in_a_warning(runner, small_records, tmp_path):
    rows = small_records + renamed(small_records, "elsewhere", "1" * 64)
    pred = write_jsonl(tmp_path / "pred.jsonl", rows)
    result = runner.invoke(main, ["evaluate", "--gold", str(SMALL), "--pred", str(pred), "--json"])
    assert result.exit_code == 0, result.output
    assert "not in the gold set left out: elsewhere" in result.stderr
    assert json.loads(result.stdout)["counts"]["pred"] == len(small_records)


def test_evaluate_names_gold_documents_without_predictions(runner, small_records, tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "doc.txt").write_bytes((SMALL / "doc.txt").read_bytes())
    (gold / "other.txt").write_text("Russia and Iran agree.", encoding="utf-8")
    docs = read_jsonl(SMALL / "documents.jsonl")
    from pipeline.corpus.documents import sha256_hex

    other = {**docs[0], "doc_id": "other", "path": "other.txt"}
    other["sha256"] = sha256_hex((gold / "other.txt").read_bytes())
    write_jsonl(gold / "documents.jsonl", [docs[0], other])
    claims = read_jsonl(SMALL / "claims.jsonl")
    extra = {
        **claims[0],
        "doc_id": "other",
        "start": 0,
        "end": 22,
        "text": "Russia and Iran agree.",
    }
    write_jsonl(gold / "claims.jsonl", [*claims, extra])
    pred = write_jsonl(tmp_path / "pred.jsonl", small_records)
    result = runner.invoke(main, ["evaluate", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    assert "gold documents without predictions (scored as all missed): other" in result.stderr


def test_evaluate_fails_when_no_prediction_pairs(runner, small_records, tmp_path):
    pred = write_jsonl(tmp_path / "pred.jsonl", renamed(small_records, "elsewhere", "1" * 64))
    result = runner.invoke(main, ["evaluate", "--gold", str(SMALL), "--pred", str(pred)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert f"{pred}: no prediction pairs with a document of the gold set" in result.output


@pytest.mark.parametrize("content", ["", "\n  \n"])
def test_evaluate_empty_gold_set_is_an_error(runner, tmp_path, content):
    gold = tmp_path / "empty"
    gold.mkdir()
    for name in ("documents.jsonl", "claims.jsonl"):
        (gold / name).write_text(content, encoding="utf-8")
    pred = write_jsonl(tmp_path / "pred.jsonl", read_jsonl(GOLD / "claims.jsonl"))
    result = runner.invoke(main, ["evaluate", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 2
    assert "the gold set has no claims to score against" in result.output


def test_evaluate_nothing_to_score_is_null_not_perfect(gold, views):
    report = run(gold, [])
    per_doc = report["per_document"]["small"]
    assert per_doc["relations"] == {"p": None, "r": None, "f": None}
    empty = run(gold.subset([]), [])
    assert empty["claims"]["lenient"] == {"p": None, "r": None, "f": None}
    assert empty["section_accuracy"] is None
    no_relations = [dataclasses.replace(v, relations=frozenset()) for v in views]
    bare = gold.subset(["small"])
    bare.claims = [c.model_copy(update={"relations": []}) for c in bare.claims]
    assert run(bare, no_relations)["relations"]["f"] is None


@pytest.mark.parametrize(
    ("doc_id", "sha256", "found"),
    [
        ("small", None, "small"),
        ("other", SMALL_SHA, "small"),
        ("small", "0" * 64, "small"),
        ("other", "0" * 64, None),
        ("other", None, None),
    ],
)
def test_evaluate_gold_find_prefers_the_text_hash(gold, doc_id, sha256, found):
    assert gold.find(doc_id, sha256) == found


# -- evaluate grows with the documents, not with the square of all their claims -----------


def plain_view(doc_id: str, start: int, end: int, cls=ClaimView) -> ClaimView:
    return cls(doc_id, start, end, "x" * (end - start), None, frozenset(), frozenset(),
               "neutral", "asserted", frozenset())  # fmt: skip


def brute_force_matches(gold, pred, strict=False):
    """Every gold claim against every prediction (the candidates the scorer must find),
    paired by the scorer's own best-overlap-first rule."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            shared = max(0, min(g.end, p.end) - max(g.start, p.start))
            same = (g.start, g.end) == (p.start, p.end)
            ok = same if strict else 2 * shared >= max(g.end - g.start, p.end - p.start)
            if g.doc_id == p.doc_id and ok and shared:
                candidates.append((-shared, gi, pi))
    return sorted(one_to_one(candidates))


SPANS = st.lists(
    st.tuples(st.sampled_from("abc"), st.integers(0, 60), st.integers(0, 25)), max_size=25
)


@given(gold_spans=SPANS, pred_spans=SPANS, strict=st.booleans())
@settings(max_examples=200, deadline=None)
def test_evaluate_matching_agrees_with_comparing_every_pair(gold_spans, pred_spans, strict):
    gold = [plain_view(d, s, s + n) for d, s, n in gold_spans]
    pred = [plain_view(d, s, s + n) for d, s, n in pred_spans]
    assert match_claims(gold, pred, strict) == brute_force_matches(gold, pred, strict)


class CountedView(ClaimView):
    """A view that counts every attribute read: the scorer's work, without a clock."""

    reads = 0

    def __getattribute__(self, name):
        CountedView.reads += 1
        return super().__getattribute__(name)


def corpus_views(documents: int, per_document: int = 20) -> list[ClaimView]:
    return [
        plain_view(f"d{d}", 10 * i, 10 * i + 8, CountedView)
        for d in range(documents)
        for i in range(per_document)
    ]


def reads_of(work) -> int:
    CountedView.reads = 0
    work()
    return CountedView.reads


@pytest.mark.parametrize(
    "work",
    [
        lambda views: match_claims(views, views),
        lambda views: match_claims(views, views, strict=True),
        lambda views: differences(fake_gold(views), views),
    ],
    ids=["lenient", "strict", "differences"],
)
def test_evaluate_matching_work_is_linear_in_documents(work):
    small = reads_of(lambda: work(corpus_views(10)))
    large = reads_of(lambda: work(corpus_views(80)))  # 8x the documents
    assert large < 10 * small  # all claims against all: 64x


def fake_gold(views):
    """A gold set holding ``views``'s documents and claims (GoldClaim-like, by view)."""
    from pipeline.evaluation.gold import GoldSet

    gold = GoldSet(folder=SMALL)
    gold.documents = {v.doc_id: None for v in views}
    gold.claims = views
    return gold


def test_evaluate_pairing_records_with_gold_is_linear_in_documents(tmp_path, nlp):
    """Each record finds its gold document by text hash through one index, not by a pass
    over every document."""
    from pipeline.corpus.documents import SourceDocument
    from pipeline.corpus.runner import Runner
    from pipeline.evaluation.gold import GoldSet
    from pipeline.evaluation.scoring import load_predictions
    from pipeline.models import GoldDocument

    class CountedDocument(GoldDocument):
        def __getattribute__(self, name):
            CountedView.reads += 1
            return super().__getattribute__(name)

    text = "Russia arms Syria. Iran backs Hezbollah."
    (record, *_) = Runner().records(SourceDocument("x", text, "0" * 64, "x"))
    base = json.loads((SMALL / "documents.jsonl").read_text(encoding="utf-8"))

    def pairing(documents: int) -> int:
        gold = GoldSet(folder=tmp_path)
        rows = []
        for d in range(documents):
            doc_id, sha = f"d{d}", f"{d:064x}"
            gold.documents[doc_id] = CountedDocument(**{**base, "doc_id": doc_id, "sha256": sha})
            gold.texts[doc_id] = text
            provenance = record.provenance.model_copy(update={"doc_sha256": sha})
            rows.append(record.model_copy(update={"doc_id": f"r{d}", "provenance": provenance}))
        pred = tmp_path / f"pred{documents}.jsonl"
        pred.write_text("".join(r.model_dump_json() + "\n" for r in rows), encoding="utf-8")
        return reads_of(lambda: load_predictions(pred, gold))

    assert pairing(160) < 10 * pairing(20)
