"""The imports of ``harness/`` go one way (plugin → report/target → checks → models) and have
no cycle; importing the plugin does not import the generator (Faker) or the mock."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from tests.conftest import ROOT

HARNESS = ROOT / "harness"
# What each layer must not import at module level (a lazy import inside a function is a
# choice made where it is needed, and cannot form an import-time cycle).
FORBIDDEN = {
    "harness.models": ("harness.checks", "harness.pricing", "harness.client", "harness.mock"),
    "harness.checks": (
        "harness.client",
        "harness.target",
        "harness.crawl",
        "harness.plugin",
        "harness.report",
        "harness.settings",
        "harness.mock",
        "harness.verdict",
    ),
    "harness.exchange": ("harness.client", "harness.checks", "harness.target"),
    "harness.client": ("harness.checks", "harness.target", "harness.plugin", "harness.report"),
    "harness.target": ("harness.plugin", "harness.report"),
    "harness.settings": ("harness.plugin", "harness.target", "harness.report", "harness.mock"),
    "harness.report": ("harness.plugin",),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when ``path`` is imported: every import statement outside function
    bodies and ``if TYPE_CHECKING:`` blocks."""
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # "from package import submodule" imports the submodule; the package's own
                # __init__ is then already under way, which is no cycle
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    visit([c for c in children if isinstance(c, ast.stmt)])
                    for handler in children:
                        if isinstance(handler, ast.ExceptHandler):
                            visit(handler.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {name for name in found if name.startswith("harness")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in HARNESS.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target in _top_level_imports(path):
            # "from harness.checks import check_object" imports harness.checks (__init__)
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def test_the_import_graph_of_harness_has_no_cycle() -> None:
    graph = _graph()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
    assert "harness.plugin" in order


def test_each_layer_imports_only_below_it() -> None:
    wrong = []
    for name, edges in _graph().items():
        for layer, forbidden in FORBIDDEN.items():
            if name == layer or name.startswith(layer + "."):
                wrong += [f"{name} imports {e}" for e in edges if e.startswith(forbidden)]
    assert wrong == []


def test_importing_the_plugin_imports_neither_faker_nor_the_mock() -> None:
    code = (
        "import sys, harness.plugin\n"
        "heavy = [m for m in ('faker', 'harness.mock', 'harness.generate', 'fastapi')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr
