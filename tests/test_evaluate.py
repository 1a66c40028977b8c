"""The scorer on small hand-built cases with known answers."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pipeline.cli import main
from pipeline.evaluate import ClaimView, evaluate, match_claims
from pipeline.gazetteer import load_gazetteer
from pipeline.gold import load_gold
from tests.conftest import GOLD, SMALL, read_jsonl, write_jsonl


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
