"""Saving and loading the pipeline: components keep their lexicons' data (never a path), a
saved pipeline loads with plain ``spacy.load`` in a fresh process, and a gazetteer
extension travels with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
BUNDLED = ROOT / "pipeline" / "components"
EXTRA = """\
[persons]
"person:ivan-testov" = { name = "Ivan Testov", country = "RUS", aliases = ["Testov"] }

[places]
"place:novo-testovsk" = { name = "Novo Testovsk", parents = ["RUS"] }
"""
EXTRA_TEXT = "Putin and Testov met Iranian officials in Novo Testovsk to discuss drones."

# Run in a fresh interpreter: spaCy must find the factories through the package's entry
# points, so the script loads the pipeline before anything imports `pipeline`.
FRESH = """\
import sys
assert "pipeline" not in sys.modules
import spacy
nlp = spacy.load(sys.argv[1])
assert "pipeline" in sys.modules  # imported by spaCy itself, through the entry points
from pipeline import records
doc = nlp(open(sys.argv[2], encoding="utf-8").read())
for record in records(doc, doc_id="doc", nlp=nlp):
    print(record.model_dump_json())
"""


def fresh_records(saved: Path, text_file: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", FRESH, str(saved), str(text_file)],
        capture_output=True,
        text=True,
        cwd=saved.parent,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


def test_serialisation_saved_pipeline_loads_in_fresh_process_with_identical_records(nlp, tmp_path):
    saved = tmp_path / "claims-pipeline"
    nlp.to_disk(saved)
    expected = [r.model_dump_json() for r in records(nlp(SEED.read_text("utf-8")), nlp=nlp)]
    assert expected
    assert fresh_records(saved, SEED) == expected


@pytest.fixture
def hedging_lexicon(tmp_path) -> Path:
    """certainty.json where naming Russia or Iran hedges a claim."""
    lexicon = json.loads((BUNDLED / "certainty.json").read_text("utf-8"))
    lexicon["hedge_phrases"] += ["russia", "iran"]
    path = tmp_path / "my-certainty.json"
    path.write_text(json.dumps(lexicon), "utf-8")
    return path


def save_disk(component, tmp_path):
    component.to_disk(tmp_path / "saved")
    return lambda fresh: fresh.from_disk(tmp_path / "saved")


def save_bytes(component, tmp_path):
    data = component.to_bytes()
    return lambda fresh: fresh.from_bytes(data)


def certainties(doc) -> list[str]:
    return [claim._.certainty for claim in doc.spans["claims"]]


@pytest.mark.parametrize("save", [save_disk, save_bytes], ids=["disk", "bytes"])
def test_serialisation_custom_lexicon_is_stored_not_its_path(
    nlp, parse, tmp_path, hedging_lexicon, save
):
    text = "Russia will sell fighter jets to Iran next year."
    component = nlp.create_pipe("claims_certainty")
    component.initialize(lexicon=str(hedging_lexicon))
    restore = save(component, tmp_path)
    hedging_lexicon.unlink()  # the saved component must not need the file any more
    loaded = restore(nlp.create_pipe("claims_certainty"))
    bundled = nlp.create_pipe("claims_certainty")
    assert certainties(bundled(parse(text))) == ["asserted"]
    assert certainties(loaded(parse(text))) == ["hedged"]
    saved_files = (tmp_path / "saved").rglob("*") if (tmp_path / "saved").exists() else []
    assert all(str(hedging_lexicon) not in p.read_text("utf-8") for p in saved_files if p.is_file())


def test_serialisation_component_without_saved_data_keeps_bundled_lexicon(nlp, tmp_path):
    component = nlp.create_pipe("claims_certainty")
    before = dict(component._claims_lexicons)
    component.from_disk(tmp_path / "absent")
    assert component._claims_lexicons == before


def test_serialisation_gazetteer_extension_travels_with_saved_pipeline(tmp_path):
    from pipeline import load

    extra = tmp_path / "extra.toml"
    extra.write_text(EXTRA, "utf-8")
    text_file = tmp_path / "note.txt"
    text_file.write_text(EXTRA_TEXT, "utf-8")
    nlp = load(gazetteer=[extra])
    saved = tmp_path / "with-extension"
    nlp.to_disk(saved)
    extra.unlink()  # stored inside the saved pipeline, not as a path
    assert (saved / "claims_mentions" / "gazetteer.msgpack").is_file()  # its binary form
    (record,) = (json.loads(line) for line in fresh_records(saved, text_file))
    assert {a["id"]: a["name"] for a in record["actors"]}["person:ivan-testov"] == "Ivan Testov"
    assert [r["id"] for r in record["regions"]] == ["place:novo-testovsk"]


def test_serialisation_saved_extension_loads_without_being_applied_again(tmp_path, monkeypatch):
    from pipeline import gazetteer, load

    def refuse(*args, **kwargs):
        raise AssertionError("the extension was applied again")

    extra = tmp_path / "extra.toml"
    extra.write_text(EXTRA, "utf-8")
    nlp = load(gazetteer=[extra])
    nlp.to_disk(tmp_path / "saved")
    expected = [r.model_dump_json() for r in records(nlp(EXTRA_TEXT), nlp=nlp)]
    gazetteer.extended.cache_clear()
    monkeypatch.setattr(gazetteer, "_apply", refuse)
    loaded = load(tmp_path / "saved")
    assert [r.model_dump_json() for r in records(loaded(EXTRA_TEXT), nlp=loaded)] == expected
    assert "person:ivan-testov" in expected[0]


@pytest.mark.slow
def test_serialisation_package_builds_an_sdist_that_requires_claims(runner, tmp_path):
    import tarfile

    from pipeline import __version__
    from pipeline.cli import main

    result = runner.invoke(main, ["package", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    name = f"en_claims-{__version__}"
    with tarfile.open(tmp_path / "dist" / name / "dist" / f"{name}.tar.gz") as sdist:
        files = sdist.getnames()
        meta = json.load(sdist.extractfile(f"{name}/meta.json"))
    assert any(f.endswith("claims_certainty/lexicons/certainty.json") for f in files)
    assert any(f.endswith("claims_mentions/gazetteer.json") for f in files)
    assert any(r.startswith("claims>=") for r in meta["requirements"])


def test_serialisation_lexicons_of_a_base_class_init_are_saved_too(nlp):
    from pipeline.components.base import Serialisable

    class Base(Serialisable):
        def __init__(self, nlp, name):
            self.name = name
            self.stance = self.lexicon("stance")

    class Derived(Base):
        def __init__(self, nlp, name):
            super().__init__(nlp, name)
            self.certainty = self.lexicon("certainty")

    assert set(Derived(nlp, "x")._claims_lexicons) == {"stance", "certainty"}


def test_serialisation_load_reads_a_saved_folder(nlp, tmp_path):
    from pipeline import load

    text = "Russia and Iran deepened their military cooperation. Turkey opposed it."
    nlp.to_disk(tmp_path / "saved")
    loaded = load(tmp_path / "saved")
    assert loaded.pipe_names == nlp.pipe_names
    got = [r.model_dump() for r in records(loaded(text), nlp=loaded)]
    assert got == [r.model_dump() for r in records(nlp(text), nlp=nlp)]


def test_serialisation_saved_lexicons_read_back_exactly(nlp, tmp_path):
    # srsly's JSON reader gave 0.9500000000000001 for certainty.json's 0.95, so a pipeline
    # loaded from a folder (what --jobs workers run) rebuilt its components with other data
    component = nlp.create_pipe("claims_certainty")
    component.to_disk(tmp_path / "saved")
    loaded = nlp.create_pipe("claims_certainty").from_disk(tmp_path / "saved")
    assert loaded._claims_lexicons == component._claims_lexicons


def test_serialisation_to_disk_honours_exclude(tmp_path):
    from pipeline import load

    extra = tmp_path / "extra.toml"
    extra.write_text(EXTRA, "utf-8")
    nlp = load(gazetteer=[extra])
    mentions = nlp.get_pipe("claims_mentions")
    mentions.to_disk(tmp_path / "all")
    mentions.to_disk(tmp_path / "some", exclude=["gazetteer"])
    assert (tmp_path / "all" / "gazetteer.msgpack").is_file()
    assert not list((tmp_path / "some").glob("gazetteer.*"))
    assert (tmp_path / "some" / "lexicons" / "mentions.json").is_file()


def test_serialisation_dask_workers_run_the_commands_config_and_gazetteer(tmp_path, runner):
    """--config and --gazetteer reach Dask's workers (they load the saved pipeline): the
    records are the local engine's, with the extension's actor and the config's setting
    (claims of fewer than 8 tokens dropped)."""
    pytest.importorskip("dask.distributed", reason="the 'distributed' extra is not installed")
    from pipeline.cli import main

    extra = tmp_path / "extra.toml"
    extra.write_text(EXTRA, "utf-8")
    config = tmp_path / "long-claims.cfg"
    default = (Path(__file__).resolve().parents[1] / "pipeline" / "config.cfg").read_text()
    config.write_text(default.replace("min_tokens = 3", "min_tokens = 8", 1), "utf-8")
    text_file = tmp_path / "note.txt"
    text_file.write_text(f"{EXTRA_TEXT} Russia and Iran met.\n", "utf-8")
    outputs = {}
    for engine in ("local", "dask"):
        outputs[engine] = tmp_path / f"{engine}.jsonl"
        args = ["run", str(text_file), "-o", str(outputs[engine]), "--engine", engine]
        result = runner.invoke(main, [*args, "--config", str(config), "--gazetteer", str(extra)])
        assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in outputs["dask"].read_text("utf-8").splitlines()]
    assert record["text"] == EXTRA_TEXT
    assert "person:ivan-testov" in {a["id"] for a in record["actors"]}
    assert outputs["dask"].read_bytes() == outputs["local"].read_bytes()
