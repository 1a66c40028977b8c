"""The package's structure, read from its source: library errors free of click, the CLI
alone converting them; no import cycle between the package's modules."""

from __future__ import annotations

import ast
import re
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


def is_package(name: str) -> bool:
    return (ROOT / name.replace(".", "/") / "__init__.py").is_file()


def imports_of(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The modules of ``pipeline/`` that module ``name`` imports anywhere: at module level,
    under ``if TYPE_CHECKING`` and inside functions (a deferred import is still a
    dependency: the cycle the package had ran through deferred imports only). ``from .x
    import y`` is module ``x.y`` if that is a module, else ``x``; a package's
    ``__init__`` run on the way to a submodule is not counted (as import-linter counts)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package(name) else name.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join([*here, base] if base else here)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {module for module in found if module in known and module != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` (its modules in order, the first repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        path.append(node)
        for following in sorted(graph[node]):
            if following in path:
                return [*path[path.index(following) :], following]
            if following not in done and (cycle := visit(following)):
                return cycle
        done.add(path.pop())
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)):
            return cycle
    return None


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


def test_import_graph_of_the_package_has_no_cycle():
    trees = modules()
    graph = {name: imports_of(name, tree, set(trees)) for name, tree in trees.items()}
    runner = graph["pipeline.corpus.runner"]
    assert runner >= {"pipeline.conversion", "pipeline.errors"}  # it reads them
    assert graph["pipeline.gazetteer"] >= {"pipeline.gazetteer.store"}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_runtime_imports_no_build_tool():
    """The build-time scripts (``pipeline/tools/``, which need ../shared and the gazetteer
    extra) are imported by no runtime module: the runtime gazetteer applies an extension
    with ``gazetteer.entries``, which the build tool extends."""
    trees = modules()
    graph = {name: imports_of(name, tree, set(trees)) for name, tree in trees.items()}
    assert graph["pipeline.tools.gazetteer"] >= {"pipeline.gazetteer.entries"}
    runtime = {name: deps for name, deps in graph.items() if not name.startswith("pipeline.tools")}
    assert {
        f"{name} -> {dep}"
        for name, deps in runtime.items()
        for dep in deps
        if dep.startswith("pipeline.tools")
    } == set()


def test_find_cycle_names_the_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({**graph, "c": {"d"}}) is None


# -- no module-level mutable state -----------------------------------------------------------

MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter"}
MUTATORS = {
    "append", "extend", "insert", "update", "add", "pop", "popitem", "clear", "setdefault",
    "remove", "discard", "sort", "reverse",
}  # fmt: skip
CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$|^__\w+__$")


def module_statements(body: list[ast.stmt]):
    """The statements run at import: the module's, with those under ``if`` and ``try``."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try):
            for part in (node.body, node.orelse, getattr(node, "finalbody", [])):
                yield from module_statements(part)


def mutable_bindings(tree: ast.Module) -> dict[str, int]:
    """Module-level names bound to a new list, dict or set (literal, comprehension or
    ``dict()``-style call), with their line."""
    found = {}
    for node in module_statements(tree.body):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", 0)]
        value = getattr(node, "value", None)
        call = isinstance(value, ast.Call) and getattr(value.func, "id", None) in MUTABLE_CALLS
        literal = isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp)
        if call or literal or isinstance(value, ast.SetComp):
            found.update({t.id: node.lineno for t in targets if isinstance(t, ast.Name)})
    return found


def named(node: ast.AST) -> str | None:
    """The name ``node`` reads: ``X`` or ``module.X``."""
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def changed(node: ast.AST, names: set[str]) -> list[str]:
    """Which of ``names`` the statement or call ``node`` changes in place: a mutating
    method, an item assigned or deleted, an augmented assignment, ``module.NAME = ...``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return [named(node.func.value)] if node.func.attr in MUTATORS else []
    if isinstance(node, ast.AugAssign):
        target = node.target
        return [named(target.value if isinstance(target, ast.Subscript) else target)]
    found = []
    targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else []
    for target in targets:
        if isinstance(target, ast.Subscript):
            found.append(named(target.value))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            found.append(target.attr)  # another module's global set from outside
    return found


def mutations(tree: ast.Module, names: set[str]) -> list[tuple[str, int]]:
    """Where ``tree`` changes one of ``names`` in place (``changed``)."""
    return [
        (what, node.lineno)
        for node in ast.walk(tree)
        for what in changed(node, names)
        if what in names
    ]


def state_problems(trees: dict[str, ast.Module]) -> list[str]:
    """Every ``global`` statement, lower-case module-level container, and in-place change
    of a module-level container in ``trees``."""
    problems = []
    constants: set[str] = set()
    for name, tree in trees.items():
        problems += [
            f"{name}:{node.lineno}: global {', '.join(node.names)}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Global)
        ]
        for binding, line in mutable_bindings(tree).items():
            if CONSTANT.match(binding):
                constants.add(binding)
            else:
                problems.append(f"{name}:{line}: module-level container {binding}")
    for name, tree in trees.items():
        problems += [f"{name}:{line}: changes {what}" for what, line in mutations(tree, constants)]
    return problems


def test_package_holds_no_module_level_mutable_state():
    """No ``global`` statement in ``pipeline/``; a module-level list, dict or set is an
    UPPER_CASE constant that no code changes after import."""
    assert state_problems(modules()) == []


SETTER = """
_ACTIVE = {}
_LAST = None
_seen = []


def use(value):
    global _LAST
    _LAST = value
    _ACTIVE["gazetteer"] = value


def other(module):
    module._ACTIVE = {}
    _ACTIVE.update(a=1)
"""


def test_state_check_finds_a_global_setter_and_changed_constants():
    assert state_problems({"pipeline.bad": ast.parse(SETTER)}) == [
        "pipeline.bad:8: global _LAST",
        "pipeline.bad:4: module-level container _seen",
        "pipeline.bad:10: changes _ACTIVE",
        "pipeline.bad:14: changes _ACTIVE",
        "pipeline.bad:15: changes _ACTIVE",
    ]
