"""The library knows nothing of the command line: no option names in messages, no rendering, domain keys."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import coder
from coder.cli import OPTIONS

PACKAGE = Path(coder.__file__).parent
LIBRARY = sorted(path for path in PACKAGE.glob("*.py") if path.stem not in {"__init__", "cli"})
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
# The two modules that draw on a terminal by design: progress bars, and the interactive review screen.
RENDERS = {"progress", "review_screen"}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstrings of the module, its classes and functions (documentation may name options)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def option_names(source: str) -> list[str]:
    """Command-line option names (``--out``) in the string literals of ``source``, docstrings left out."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        for name in OPTION.findall(node.value)
    ]


def test_the_checker_finds_options_in_messages_not_in_docstrings() -> None:
    source = 'def f():\n    """Like --out."""\n    raise E(f"bad {x}; see --min-size")\n'
    assert option_names(source) == ["--min-size"]
    assert option_names('x = "a -- b, 2--3, e-mail"') == []


def test_library_messages_name_no_command_line_option() -> None:
    found = {path.stem: option_names(path.read_text(encoding="utf-8")) for path in LIBRARY}
    assert {module: names for module, names in found.items() if names} == {}


def test_only_the_terminal_modules_import_rich() -> None:
    importers = set()
    for path in LIBRARY:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                if isinstance(node, ast.ImportFrom):
                    modules = [node.module or ""]
                else:
                    modules = [alias.name for alias in node.names]
                if any(module.split(".")[0] == "rich" for module in modules):
                    importers.add(path.stem)
    assert importers <= RENDERS, importers - RENDERS


def test_every_parameter_key_of_a_library_error_has_an_option() -> None:
    """A CoderError naming a parameter (``key=``, no file) is said by the command line as its option."""
    keys = set()
    for path in LIBRARY:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = str(getattr(node.func, "id", getattr(node.func, "attr", "")))
            if not called.endswith(("Error", "Answers")):  # CoderError and its subclasses
                continue
            given = {keyword.arg: keyword.value for keyword in node.keywords}
            key = given.get("key")
            if isinstance(key, ast.Constant) and "file" not in given:
                keys.add((path.stem, key.value))
    assert keys, "the checker found no keys"
    assert {(module, key) for module, key in keys if key.startswith("-") or key not in OPTIONS} == set()
