"""The layering of docs/architecture.md, checked on the source: every import (lazy ones inside
functions included; not those under `if TYPE_CHECKING:`, which never run) points up the table
of layers, and no modules import each other in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: top to bottom: a module may import its own package and the layers above it
LAYERS: list[tuple[str, ...]] = [
    ("omnisolve.errors", "omnisolve.result", "omnisolve.limits", "omnisolve.processes", "omnisolve.version"),
    ("omnisolve.model",),
    ("omnisolve.problems",),
    ("omnisolve.io", "omnisolve.verify", "omnisolve.algorithms", "omnisolve.storage"),
    ("omnisolve.solvers",),
    ("omnisolve.blackbox",),
    ("omnisolve.portfolio", "omnisolve.explain"),
    ("omnisolve.api",),
    ("omnisolve.nl",),  # a word problem to a model, solved through `api`
    ("omnisolve.bench", "omnisolve.service", "omnisolve.batch"),
    ("omnisolve.cli",),
    ("omnisolve",),  # the package's front door re-exports the library's API
]
#: imports beside a package in its own row that the layering allows: child processes carry errors and results
BESIDE = {("omnisolve.processes", "omnisolve.errors"), ("omnisolve.processes", "omnisolve.result")}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def _target(name: str) -> str | None:
    """The omnisolve module that `name` (a module or a name in one) resolves to."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """The omnisolve modules `module` imports, anywhere in its code."""
    path, found = MODULES[module], set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {t for t in map(_target, names) if t and t.startswith("omnisolve") and t != module}
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node of `tree` but those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


GRAPH = {module: imports_of(module) for module in MODULES}


def layer_of(module: str) -> int:
    """The index in LAYERS of the longest prefix naming `module`'s layer."""
    best = max(
        (prefix for layer in LAYERS for prefix in layer if module == prefix or module.startswith(prefix + ".")), key=len
    )
    return next(i for i, layer in enumerate(LAYERS) if best in layer)


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def upward_imports() -> set[tuple[str, str]]:
    return {
        (a, b)
        for a, targets in GRAPH.items()
        for b in targets
        if package_of(a) != package_of(b)
        and layer_of(b) >= layer_of(a)
        and (package_of(a), package_of(b)) not in BESIDE
    }


def cycles() -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in GRAPH[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


def test_every_module_has_a_layer():
    assert all(layer_of(module) >= 0 for module in MODULES)


def test_imports_point_up_the_layers():
    assert upward_imports() == set()


def test_no_import_cycles():
    assert cycles() == set()


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from omnisolve.model import Model", {"omnisolve.model"}),
        ("from . import tsp", {"omnisolve.problems.tsp"}),
        ("from ._common import x", {"omnisolve.problems._common"}),
        ("from ..model import Model", {"omnisolve.model"}),
        ("def f():\n    import omnisolve.api", {"omnisolve.api"}),
        ("if TYPE_CHECKING:\n    import omnisolve.api\nelse:\n    import omnisolve.io", {"omnisolve.io"}),
    ],
)
def test_imports_are_found_lazy_and_relative(tmp_path, monkeypatch, source, expected):
    """The checker itself: relative and lazy imports are seen (else the tests above prove nothing)."""
    path = SRC / "omnisolve" / "problems" / "cvrp.py"
    monkeypatch.setitem(MODULES, "omnisolve.problems.cvrp", tmp_path / "cvrp.py")
    (tmp_path / "cvrp.py").write_text(source)
    assert path.exists() and imports_of("omnisolve.problems.cvrp") == expected


def test_a_planted_breach_is_caught(monkeypatch):
    """An upward import and a cycle added to the graph are reported (the checks can fail)."""
    monkeypatch.setitem(GRAPH, "omnisolve.model.model", GRAPH["omnisolve.model.model"] | {"omnisolve.api"})
    assert ("omnisolve.model.model", "omnisolve.api") in upward_imports()
    assert any({"omnisolve.model.model", "omnisolve.api"} <= set(c) for c in cycles())
    monkeypatch.setitem(GRAPH, "omnisolve.result", GRAPH["omnisolve.result"] | {"omnisolve.processes.child"})
    assert ("omnisolve.result", "omnisolve.processes.child") in upward_imports()  # allowed one way only
