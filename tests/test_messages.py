"""Messages a user meets: one line that says what is wrong, where, and what to do."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import ROOT

SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
CONFIG = ROOT / "pipeline" / "config.cfg"
SCRIPT = Path(sys.executable).parent / "claims"


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# -- a closed stdout is not a full disk ----------------------------------------------------


def test_messages_closed_stdout_ends_quietly(tmp_path):
    """`claims run ... | head -1`: the reader goes away; the run stops with exit code 1
    and says nothing (it used to blame free disk space)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(4):  # about 400 KB of records: more than a pipe holds
        shutil.copy(SEED, corpus / f"seed{i}.txt")
    proc = subprocess.Popen(
        [str(SCRIPT), "run", str(corpus), "--jobs", "1", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert json.loads(proc.stdout.readline())["doc_id"] == "seed0"
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert stderr == ""


# -- config errors name the setting and its line -----------------------------------------


def bad_config(tmp_path: Path, old: str, new: str) -> Path:
    text = CONFIG.read_text("utf-8")
    assert old in text
    path = tmp_path / "my.cfg"
    path.write_text(text.replace(old, new), "utf-8")
    return path


CONFIG_CASES = [
    (
        "min_tokens = 3",
        'min_tokens = "abc"',
        'min_tokens = "abc"',
        "claims_segmenter.min_tokens: 'abc' is not int",
    ),
    (
        "min_tokens = 3",
        "min_tokens = -5",
        "min_tokens = -5",
        "min_tokens: must be 1 or more, not -5",
    ),
    ("min_tokens = 3", "min_tokens = 3\nmin_words = 2", "min_words =", "min_words: unexpected"),
    (
        "gazetteer = null",
        "gazetteer = ${paths.nope}",
        "gazetteer = ${paths.nope}",
        "Bad value substitution: option 'gazetteer' in section 'paths'",
    ),
    (
        'factory = "claims_stance"',
        'factory = "claims_stanse"',
        'factory = "claims_stanse"',
        "Can't find factory for 'claims_stanse'",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "said"), CONFIG_CASES)
def test_messages_config_error_names_setting_and_line(runner, tmp_path, old, new, at, said):
    config = bad_config(tmp_path, old, new)
    result = runner.invoke(main, ["run", str(SEED), "--config", str(config)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    where = line_of(config.read_text("utf-8"), at)
    assert line.startswith(f"Error: {config}:{where}: not a valid pipeline config ("), line
    assert said in line and "Config validation error" not in line


def test_messages_config_syntax_error_names_its_line(runner, tmp_path):
    config = bad_config(tmp_path, "[components.claims_focal]", "[components.claims_focal")
    result = runner.invoke(main, ["run", str(SEED), "--config", str(config)])
    assert result.exit_code == 2
    # the header lost its "]": the next section's keys land in the one before
    where = line_of(config.read_text("utf-8"), "[components.claims_focal") + 1
    (line,) = result.output.splitlines()
    assert line == (
        f"Error: {config}:{where}: not a valid pipeline config (option 'factory' in section "
        "'components.claims_regions' already exists)"
    )


def test_messages_missing_model_folder_is_not_a_missing_install(runner, tmp_path):
    gone = tmp_path / "models" / "mine"
    config = bad_config(tmp_path, 'source = "en_core_web_sm"', f'source = "{gone}"')
    result = runner.invoke(main, ["run", str(SEED), "--config", str(config)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {gone}: cannot load the spaCy model folder (a config's `source`, or "
        "--model): file not found\n"
    )


def test_messages_unknown_model_name_says_what_it_looked_for(runner):
    result = runner.invoke(main, ["run", str(SEED), "--model", "en_core_web_xx"])
    assert result.exit_code == 2
    assert "make install" not in result.output
    assert "'en_core_web_xx': it is neither an installed model package nor a folder" in (
        result.output
    )


# -- a JSON line broken by a raw line break ----------------------------------------------


def test_messages_raw_line_break_in_a_json_string_says_what_to_do(runner, tmp_path):
    corpus = tmp_path / "in.jsonl"
    broken, tabbed = '{"doc_id": "a", "text": "Iran backs', '{"doc_id": "b", "text": "Russia arms'
    corpus.write_text(f'{broken}\nHezbollah."}}\n{tabbed}\tSyria."}}\n', encoding="utf-8")
    result = runner.invoke(main, ["run", str(corpus), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2
    assert (
        f"Error: {corpus}:1: not valid JSON (a line break inside a string at column "
        f"{len(broken) + 1}: "
        "each JSON object must be on one line, with line breaks in strings written as \\n)"
    ) in result.output
    assert (
        f"Error: {corpus}:3: not valid JSON (a raw control character U+0009 inside a string "
        f"at column {len(tabbed) + 1}: write it as \\t)"
    ) in result.output


# -- claims package ------------------------------------------------------------------------


def test_messages_package_name_is_checked_before_any_work(runner, tmp_path):
    result = runner.invoke(main, ["package", str(tmp_path / "dist"), "--name", "a b"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: --name 'a b' is not a valid package name: use ASCII letters, digits and _, "
        "not starting with a digit (the package is imported as en_NAME)\n"
    )
    assert not (tmp_path / "dist").exists()


def test_messages_package_wheel_without_its_build_tool(runner, tmp_path, monkeypatch):
    import importlib

    package = importlib.import_module("spacy.cli.package")  # spacy.cli.package: a function
    monkeypatch.setattr(package, "has_build", lambda: False)
    monkeypatch.setattr(package, "has_wheel", lambda: False)
    result = runner.invoke(main, ["package", str(tmp_path / "dist"), "--wheel"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: --wheel needs the `build` package to build a wheel: pip install build\n"
    )


@pytest.mark.slow
def test_messages_package_prints_only_what_it_built(tmp_path):
    result = subprocess.run(
        [str(SCRIPT), "package", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert line.endswith(".tar.gz") and Path(line).is_file()


# -- annotate --port with the port in use -------------------------------------------------


def test_messages_annotate_port_in_use_fails_before_the_browser(runner, tmp_path, monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        args = ["annotate", str(SEED), "--gold", str(tmp_path / "gold"), "--port", str(port)]
        result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert opened == []
    assert result.output == (
        f"Error: cannot serve on port {port} of 127.0.0.1: Address already in use (another "
        "program may hold it: choose another --port, or leave --port out for a free one)\n"
    )
