"""The coder modules import each other top-down: no cycles, counting imports inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import coder

PACKAGE = Path(coder.__file__).parent
MODULES = frozenset(path.stem for path in PACKAGE.glob("*.py")) - {"__init__"}

# Known cycles, each (importer, imported, enclosing function), with why each is still there. Keep it empty.
KNOWN: set[tuple[str, str, str]] = set()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, function: str = "") -> list[tuple[str, str]]:
    """(imported coder module, enclosing function) for every import in ``tree``, at any depth; imports under
    ``if TYPE_CHECKING:`` only name types and are left out."""
    found: list[tuple[str, str]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            found += [item for child in node.orelse for item in _imports(child, function)]
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] == "coder":
                names = [parts[1]] if len(parts) > 1 else [a.name for a in node.names if a.name in MODULES]
                found += [(name, function) for name in names]
        elif isinstance(node, ast.Import):
            found += [(a.name.split(".")[1], function) for a in node.names if a.name.startswith("coder.")]
        inner = node.name if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else function
        found += _imports(node, inner)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the coder modules it imports anywhere in its file (known cycles left out)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        for imported, function in _imports(tree):
            if imported != name and (name, imported, function) not in KNOWN:
                graph[name].add(imported)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path ``[a, b, ..., a]``, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_checker_sees_imports_inside_functions() -> None:
    source = (
        "from coder import io\nif TYPE_CHECKING:\n    from coder.store import Project\n"
        "def f():\n    from coder import store\n    import coder.survey\n"
    )
    assert _imports(ast.parse(source)) == [("io", ""), ("store", "f"), ("survey", "f")]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_known_cycles_are_still_there() -> None:
    # An entry of KNOWN whose import is gone should go too, so the list stays honest.
    for importer, imported, function in KNOWN:
        tree = ast.parse((PACKAGE / f"{importer}.py").read_text(encoding="utf-8"))
        assert (imported, function) in _imports(tree), (importer, imported, function)
