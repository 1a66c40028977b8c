"""The package's structure, read from its source: library errors free of click, the CLI
alone converting them."""

from __future__ import annotations

import ast
import subprocess
import sys

import click

from pipeline import errors
from tests.conftest import ROOT

PACKAGE = ROOT / "pipeline"


def modules() -> dict[str, ast.Module]:
    """Every module of ``pipeline/`` by dotted name, parsed."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = ast.parse(path.read_text("utf-8"), str(path))
    return found


def imported_names(tree: ast.Module) -> set[str]:
    """The top-level package of every absolute import anywhere in ``tree``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_claims_error_is_a_plain_exception_the_cli_converts(tmp_path):
    assert not issubclass(errors.ClaimsError, click.ClickException)
    error = errors.ClaimsError(errors.MISSING_FILE, tmp_path / "x.txt", 3)
    assert str(error) == error.message == f"{tmp_path / 'x.txt'}:3: file not found"
    assert error.exit_code == errors.EXIT_USER_ERROR == 2


def test_library_imports_click_in_cli_only():
    importing = sorted(name for name, tree in modules().items() if "click" in imported_names(tree))
    assert importing == ["pipeline.cli"]
    # and importing the errors module does not bring click in through another module
    # (spaCy itself imports click, so this cannot be asked of pipeline.api)
    script = "import sys, pipeline.errors; print('click' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"


def test_cli_turns_a_library_error_into_its_message_and_exit_code(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    missing = tmp_path / "absent.txt"
    result = CliRunner().invoke(main, ["run", str(missing)])
    assert result.exit_code == errors.EXIT_USER_ERROR
    assert result.output.startswith(f"Error: {missing}: ")
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
