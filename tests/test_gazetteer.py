"""The gazetteer's binary form (pipeline/gazetteer/store.py): it holds exactly what
gazetteer.json holds, it is what a start reads (no JSON, no index built, no cache written),
and a saved pipeline carries the binary of its extended gazetteer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline import gazetteer
from pipeline.errors import ClaimsError
from pipeline.gazetteer import DATA, Gazetteer, store
from tests.conftest import ROOT

SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"


def test_gazetteer_store_matches_its_json():
    assert store.STORE.read_bytes() == store.from_json(DATA), (
        "pipeline/gazetteer/gazetteer.msgpack drifted from gazetteer.json: run "
        "`python -m pipeline.gazetteer` (make gazetteer writes both)"
    )


def test_gazetteer_binary_holds_the_json_data_in_its_order():
    data = json.loads(DATA.read_text("utf-8"))
    loaded = Gazetteer(**store.loads(store.STORE.read_bytes()))
    assert list(loaded.actors.items()) == list(data["actors"].items())
    assert list(loaded.regions.items()) == list(data["regions"].items())
    assert list(loaded.patterns) == data["patterns"]
    assert loaded.patterns[-1] == data["patterns"][-1]
    assert loaded.patterns[2:4] == data["patterns"][2:4]
    with pytest.raises(IndexError):
        loaded.patterns[len(data["patterns"])]


def test_gazetteer_indexes_are_those_built_from_the_data():
    data = json.loads(DATA.read_text("utf-8"))
    built = store.Indexes.build(data["actors"], data["patterns"])
    loaded = gazetteer.load_base().indexes
    assert loaded.skeletons == built.skeletons
    assert loaded.state_texts == built.state_texts
    assert loaded.skeletons[store.skeleton("Vladimir Putin")] == "person:vladimir-putin"
    assert loaded.state_texts["Iranian"] == "IRN"


def test_gazetteer_phrase_keys_name_the_last_pattern_of_their_key():
    patterns = [
        {"text": "Iran", "role": "state", "ids": ["IRN"], "how": "name", "tokens": ["Iran"]},
        {"text": "Persia", "role": "state", "ids": ["IRN"], "how": "name", "tokens": ["Persia"]},
        {"text": "Iranian", "role": "demonym", "ids": ["IRN"], "how": "demonym",
         "tokens": ["Iranian"]},
        {"text": "Ali Khamenei", "role": "actor", "ids": ["person:ali-khamenei"],
         "how": "name", "tokens": ["Ali", "Khamenei"]},
    ]  # fmt: skip
    exact, folded = store.phrase_rows(patterns)
    assert exact == [(["Iran"], 1), (["Persia"], 1), (["Iranian"], 2), (["Iranians"], 2)]
    assert folded == [(["Ali", "Khamenei"], 3)]


def test_gazetteer_damaged_binary_is_a_one_line_error(tmp_path):
    broken = tmp_path / "gazetteer.msgpack"
    broken.write_bytes(store.STORE.read_bytes()[:1000])
    with pytest.raises(ClaimsError, match="cannot read the gazetteer") as caught:
        gazetteer.load_base(broken)
    assert str(broken) in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(ClaimsError, match=r"No such file"):
        gazetteer.load_base(tmp_path / "absent.msgpack")


# A start of `claims run` in a fresh interpreter, recording every file it opens, with the
# builders of the binary's parts replaced by a failure.
START = """\
import sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from pipeline.gazetteer import store
def refuse(*args, **kwargs):
    raise AssertionError("a gazetteer table was built at start")
store.build = store.Indexes.build = store.Blobs.build = refuse  # the gazetteer's tables
from pipeline.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print("\\n".join(opened))
"""


def test_gazetteer_start_reads_the_binary_only(tmp_path):
    text = tmp_path / "note.txt"
    text.write_text(SEED.read_text("utf-8").split("\n\n")[1], "utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")}
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [sys.executable, "-c", START, "run", str(text), "--quiet", "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    opened = result.stdout.splitlines()
    assert str(store.STORE) in opened
    assert not [path for path in opened if path.endswith("gazetteer.json")]
    assert out.read_text("utf-8").count("\n") > 0
    assert not (tmp_path / "c").exists()  # no cache of the gazetteer in the user's folders


def test_gazetteer_binary_of_another_bundled_gazetteer_is_not_adopted():
    extension = gazetteer.Extension.from_data({"persons": {"person:a-b": {"name": "A B"}}})
    base = vars(gazetteer.load_base())
    applied = gazetteer.extended(extension)  # the extension applied afresh
    older = store.dumps({**base, "source": f"0000+{extension.key}"})
    assert gazetteer.from_binary(extension, older) is applied
    assert gazetteer.from_binary(extension, b"not a binary") is applied
    same = store.dumps({**base, "source": gazetteer.extended_source(extension)})
    adopted = gazetteer.from_binary(extension, same)
    assert adopted is not applied and adopted.source == gazetteer.extended_source(extension)


def test_gazetteer_actor_model_links_names_without_decoding_every_entry(monkeypatch):
    """The actor model looks unlinked names up in tables of the binary (spellings,
    surnames); it decoded all 61,000 patterns and every actor at its first document before,
    about a second and a half of every process that runs it."""
    from pipeline import load

    nlp = load()
    decoded = []
    real = store.Blobs.__getitem__
    monkeypatch.setattr(
        store.Blobs, "__getitem__", lambda self, i: decoded.append(i) or real(self, i)
    )
    doc = nlp("Sarkozy met the Persians and Commander Qasem Soleimani in Tehran.")
    model = nlp.get_pipe("claims_actor_model")
    assert "person:nicolas-sarkozy" in model.surnames["sarkozy"]
    assert "IRN" in model.spellings["tehran"]
    assert doc.spans["claims"]
    assert len(decoded) < 1000
