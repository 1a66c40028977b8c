"""The Python API (pipeline.load / records / extract), the pipeline config and the
--config / --gazetteer options of the commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline import errors, extract, records
from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
CONFIG = ROOT / "pipeline" / "config.cfg"
BUNDLED = ROOT / "pipeline" / "components"


def readme_python_example() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("## Python API") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_api_readme_python_example_runs_as_written(capsys):
    exec(compile(readme_python_example(), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    record = json.loads(next(line for line in printed if line.startswith("{")))
    assert record["stance"]["focal"] == ["RUS", "IRN"]
    assert {a["id"] for a in record["actors"]} == {"RUS", "IRN"}
    assert printed[-1].startswith("['SUN', 'VDR'] ")  # the date names the era's states
    assert "relative='future'" in printed[-1]


def test_api_extract_gives_the_runners_records_on_the_seed(nlp):
    from pipeline.corpus.documents import load_text_file
    from pipeline.corpus.runner import Runner

    expected = Runner(focal=["RUS", "IRN"]).records(load_text_file(SEED))
    got = extract(SEED.read_text("utf-8"), focal=("RUS", "IRN"), doc_id=SEED.stem)
    assert [r.model_dump() for r in got] == [r.model_dump() for r in expected]


@pytest.mark.parametrize("focal", [("RUS", "IRN"), "RUS,IRN", ["rus", "irn"]])
def test_api_extract_takes_the_focal_pair_in_any_form(nlp, focal):
    (record, *_) = extract("Turkey and Greece argued over the Aegean.", focal=focal)
    assert record.stance.focal == ["RUS", "IRN"]


@pytest.mark.parametrize("focal", [("XXX", "IRN"), ("RUS",), "RUS,IRN,TUR"])
def test_api_extract_rejects_a_bad_focal_pair(nlp, focal):
    with pytest.raises(errors.ClaimsError):
        extract("Russia and Iran signed a treaty.", focal=focal)


def test_api_records_are_claim_records_of_the_docs_claims(nlp):
    from pipeline.models import ClaimRecord

    text = "Russia and Iran deepened their military cooperation. Turkey opposed it."
    doc = nlp(text)
    got = records(doc, doc_id="note", nlp=nlp)
    assert all(isinstance(r, ClaimRecord) for r in got)
    assert [(r.doc_id, r.text, r.stance.label) for r in got] == [
        ("note", c.text, c._.stance) for c in doc.spans["claims"]
    ]


def test_api_records_of_a_failed_doc_raise(nlp):
    from pipeline.components.base import ERROR_KEY

    doc = nlp("Russia and Iran signed a treaty.")
    doc.user_data[ERROR_KEY] = "claims_stance: ValueError: broken"
    with pytest.raises(errors.ClaimsError, match="claims_stance"):
        records(doc, doc_id="bad", nlp=nlp)


def test_api_default_config_builds_the_pipeline_as_it_was(nlp):
    """The config describes the pipeline that a table in nlp.py built before, plus the
    trained components with the bundled weights (if any)."""
    from pipeline.nlp import TRAINED, load_model

    by_hand = load_model()
    by_hand.add_pipe("claims_sections", before="parser")
    for name in (
        "claims_verb_repair",
        "claims_segmenter",
        "claims_dates",
        "claims_mentions",
        "claims_names",
        "claims_eras",
        "claims_regions",
        "claims_focal",
        "claims_actors",
        "claims_actor_model",
        "claims_relations",
        "claims_certainty",
        "claims_source",
        "claims_time",
        "claims_stance",
        "claims_stance_model",
        "claims_relation_model",
    ):
        by_hand.add_pipe(name)
        if name.endswith("_model"):
            by_hand.get_pipe(name).initialize(weights=str(TRAINED / name))
    assert nlp.pipe_names == by_hand.pipe_names
    text = SEED.read_text("utf-8")
    expected = [r.model_dump() for r in records(by_hand(text), nlp=nlp)]
    assert [r.model_dump() for r in records(nlp(text), nlp=nlp)] == expected


def test_api_config_command_prints_the_default_config(runner):
    from spacy.util import load_config_from_str

    result = runner.invoke(main, ["config"])
    assert result.exit_code == 0
    assert result.output == CONFIG.read_text("utf-8")
    parsed = load_config_from_str(result.output)
    assert "claims_stance" in parsed["nlp"]["pipeline"]


@pytest.fixture(scope="module")
def hedging_config(tmp_path_factory) -> Path:
    """A copy of the default config whose certainty lexicon hedges claims naming Iran."""
    folder = tmp_path_factory.mktemp("config")
    lexicon = json.loads((BUNDLED / "certainty.json").read_text("utf-8"))
    lexicon["hedge_phrases"] += ["iran", "russia"]
    (folder / "certainty.json").write_text(json.dumps(lexicon), "utf-8")
    text = CONFIG.read_text("utf-8").replace(
        "[initialize.components.claims_certainty]\nlexicon = null",
        f'[initialize.components.claims_certainty]\nlexicon = "{folder / "certainty.json"}"',
    )
    assert text != CONFIG.read_text("utf-8")
    (folder / "my.cfg").write_text(text, "utf-8")
    return folder / "my.cfg"


def run_records(runner, tmp_path, *options) -> list[dict]:
    out = tmp_path / f"out{len(list(tmp_path.iterdir()))}.jsonl"
    result = runner.invoke(main, ["run", str(SEED), "-o", str(out), "--quiet", *options])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def test_api_run_config_with_a_changed_lexicon_changes_the_output(runner, tmp_path, hedging_config):
    default = run_records(runner, tmp_path)
    changed = run_records(runner, tmp_path, "--config", str(hedging_config))
    assert [r["text"] for r in changed] == [r["text"] for r in default]
    pairs = zip(default, changed, strict=True)
    labels = [(d["certainty"]["label"], c["certainty"]["label"]) for d, c in pairs]
    assert any(d == "asserted" and c == "hedged" for d, c in labels)


def test_api_run_with_the_bundled_config_gives_the_default_records(runner, tmp_path):
    default = run_records(runner, tmp_path)
    assert run_records(runner, tmp_path, "--config", str(CONFIG)) == default


def test_api_evaluate_uses_the_config(runner, small_gold, hedging_config):
    def certainty(*options):
        result = runner.invoke(main, ["evaluate", "--gold", str(small_gold), "--json", *options])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["certainty"]

    assert certainty() != certainty("--config", str(hedging_config))


EXTRA = """\
[persons]
"person:ivan-testov" = { name = "Ivan Testov", country = "RUS", aliases = ["Testov"] }
"""


def test_api_gazetteer_option_adds_an_actor(runner, tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text(EXTRA, "utf-8")
    note = tmp_path / "note.txt"
    note.write_text("Testov met Iranian officials in Tehran to discuss drones.", "utf-8")
    out = tmp_path / "out.jsonl"
    args = ["run", str(note), "-o", str(out), "--quiet", "--gazetteer", str(extra)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    (record,) = (json.loads(line) for line in out.read_text("utf-8").splitlines())
    assert {"id": "person:ivan-testov", "name": "Ivan Testov"}.items() <= next(
        a for a in record["actors"] if a["id"] == "person:ivan-testov"
    ).items()


# (file name, content, option, what the one-line error says)
BAD_INPUT = [
    ("absent.cfg", None, "--config", "file not found"),
    ("broken.cfg", "[nlp\npipeline = ", "--config", "not a valid pipeline config"),
    (
        "nofactory.cfg",
        '[nlp]\nlang = "en"\npipeline = ["claims_x"]\n[components]\n[components.claims_x]\n',
        "--config",
        "needs a factory",
    ),
    ("bad.toml", "[persons\n", "--gazetteer", "not valid TOML"),
    ("table.toml", "[people]\nx = {}\n", "--gazetteer", "unknown gazetteer table(s) people"),
    (
        "parent.toml",
        '[places]\n"place:x" = { name = "X", parents = ["region:nowhere"] }\n',
        "--gazetteer",
        "unknown IDs in the gazetteer extension: region:nowhere",
    ),
    ("noname.toml", '[orgs]\n"org:x" = { aliases = ["X"] }\n', "--gazetteer", "malformed"),
    (
        "kind.toml",
        '# a state among the persons\n[persons]\n"RUS" = { name = "Russia" }\n',
        "--gazetteer",
        "kind.toml:3: malformed gazetteer entry [persons] 'RUS': the ID must be person:",
    ),
    (
        "aliases.toml",
        '[persons]\n"person:x" = { name = "X", aliases = "x" }\n',
        "--gazetteer",
        "aliases.toml:2: malformed gazetteer entry [persons] 'person:x': aliases: expected an "
        "array of strings, not a string",
    ),
    (
        "seats.toml",
        '[seats]\nRUS = "the Kremlin"\n',
        "--gazetteer",
        "seats.toml:2: malformed gazetteer entry [seats] 'RUS': expected an array of strings",
    ),
    (
        "dotted.toml",
        '[places."place:x"]\nname = "X"\nparents = ["RUS"]\nmembers = ["RUS"]\n',
        "--gazetteer",
        "dotted.toml:1: malformed gazetteer entry [places] 'place:x': unknown key 'members'",
    ),
    (
        "country.toml",
        '[orgs]\n"org:x" = { name = "X", country = "Russia" }\n',
        "--gazetteer",
        "country: 'Russia' is not a state code such as RUS",
    ),
]


@pytest.mark.parametrize(("name", "content", "option", "message"), BAD_INPUT)
def test_api_bad_config_or_gazetteer_is_a_one_line_error(
    runner, tmp_path, name, content, option, message
):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, "utf-8")
    result = runner.invoke(main, ["run", str(SEED), option, str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert str(path) in line and message in line


LEXICON_CASES = [
    ("absent.json", None, "lexicon", "file not found"),
    ("broken.json", '{"hedge_modals": [', "lexicon", "not valid JSON"),
    ("list.json", "[1, 2]", "lexicon", "not a valid certainty lexicon"),
    ("certainty.json", "{}", "lexicn", "has no setting lexicn"),
]


@pytest.mark.parametrize(("name", "content", "key", "message"), LEXICON_CASES)
def test_api_bad_lexicon_in_the_config_is_a_one_line_error(
    runner, tmp_path, name, content, key, message
):
    lexicon = tmp_path / name
    if content is not None:
        lexicon.write_text(content, "utf-8")
    config = tmp_path / "my.cfg"
    config.write_text(
        CONFIG.read_text("utf-8").replace(
            "[initialize.components.claims_certainty]\nlexicon = null",
            f'[initialize.components.claims_certainty]\n{key} = "{lexicon}"',
        ),
        "utf-8",
    )
    result = runner.invoke(main, ["run", str(SEED), "--config", str(config)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert message in line and (key != "lexicon" or str(lexicon) in line)


def test_api_records_is_the_function_after_every_module_is_imported():
    import importlib
    import pkgutil

    import pipeline
    from pipeline.api import records

    for module in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if not module.name.startswith("pipeline.review"):
            importlib.import_module(module.name)
    assert pipeline.records is records
    assert pipeline.models.ClaimRecord.__name__ == "ClaimRecord"


def test_api_components_table_lists_the_configs_claims_components_in_order():
    from pipeline.nlp import COMPONENTS, load_config

    listed = [n for n in load_config()["nlp"]["pipeline"] if n.startswith("claims_")]
    assert [name for name, _, _ in COMPONENTS] == listed
    assert {n: p for n, p, _ in COMPONENTS}["claims_sections"] == {"before": "parser"}
