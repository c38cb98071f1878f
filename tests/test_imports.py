"""The package's import graph: no circles, and no module imports a layer above its own.

Layers, lowest first (a module may import its own layer or any lower one):

0. foundations: ``errors``, ``parameters``, ``validation`` (argument checks), ``threads`` (BLAS threads),
   ``lazy`` (lazy package exports)
1. model parts: ``mechanisms.*``, ``ledger``, ``network``, ``state``, ``scenario``
2. actors: ``actors.*``
3. what the model schedules and reports: ``events``, ``metrics``, ``survey``
4. the model: ``model``
5. running it: ``run``
6. applications on top of runs: every other subpackage/module (``experiments``, ``calibration``, …)
7. command lines: ``cli``, every ``*.cli`` module and ``cli_args`` (their shared argument types)

Every import counts, at module level or inside a function, ``TYPE_CHECKING`` included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cogov_sim"
LAYERS = [
    ("errors", "parameters", "validation", "threads", "lazy"),
    ("mechanisms", "ledger", "network", "state", "scenario"),
    ("actors",),
    ("events", "metrics", "survey"),
    ("model",),
    ("run",),
]
APPLICATIONS, COMMAND_LINES = len(LAYERS), len(LAYERS) + 1


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> int:
    """The layer of a module given relative to the package (``""`` is the package itself)."""
    if module in ("cli", "cli_args") or module.endswith(".cli"):
        return COMMAND_LINES
    top = module.split(".")[0]
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    return APPLICATIONS


def resolve(importer: str, is_package: bool, node: ast.ImportFrom | ast.Import) -> list[str]:
    """Package-relative names of the modules an import statement reads from the package."""
    if isinstance(node, ast.Import):
        return [a.name.removeprefix("cogov_sim.") for a in node.names if a.name.startswith("cogov_sim.")]
    if node.level == 0:
        if not (node.module or "").startswith("cogov_sim"):
            return []
        base = node.module.removeprefix("cogov_sim").lstrip(".")
    else:
        here = importer.split(".") if importer else []
        package = here if is_package else here[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    modules = set()
    for alias in node.names:
        candidate = f"{base}.{alias.name}" if base else alias.name
        modules.add(candidate if (PACKAGE / Path(*candidate.split("."))).with_suffix(".py").exists()
                    or (PACKAGE / Path(*candidate.split("."))).is_dir() else base)
    return sorted(m for m in modules if m)


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in resolve(name, path.name == "__init__.py", node):
                    if target != name:
                        graph.add_edge(name, target)
    return graph


GRAPH = import_graph()


def test_the_graph_sees_the_package():
    assert {"model", "actors.residents", "mechanisms.supply", "run", "cli"} <= set(GRAPH)
    assert GRAPH.has_edge("model", "actors.residents") and GRAPH.has_edge("run", "model")


def test_no_import_circles():
    cycles = list(nx.simple_cycles(GRAPH))
    assert cycles == [], f"import circles: {cycles}"


@pytest.mark.parametrize("module", sorted(n for n in GRAPH if n))
def test_no_module_imports_upward(module):
    upward = [t for t in GRAPH.successors(module) if t and layer(t) > layer(module)
              and not t.startswith(module + ".")]
    assert upward == [], f"{module} (layer {layer(module)}) imports higher layers: " + \
        ", ".join(f"{t} (layer {layer(t)})" for t in upward)


def test_library_code_never_reads_command_line_flags():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if layer(name) == COMMAND_LINES:
            continue
        text = path.read_text(encoding="utf-8")
        if "argparse" in text or "sys.argv" in text:
            offenders.append(name)
    assert offenders == []


def test_no_private_name_is_imported_from_another_module():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("cogov_sim")):
                offenders += [f"{module_name(path)}: {a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")]
    assert offenders == []


@pytest.mark.parametrize("package", ["cogov_sim", "cogov_sim.experiments", "cogov_sim.discovery"])
def test_lazy_exports_resolve(package):
    """Every name a package exports lazily resolves to an object of that name."""
    import importlib

    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name).__name__ == name
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018


def test_help_loads_no_heavy_library():
    """``cogov --help`` and ``import cogov_sim`` load neither Mesa nor pandas, SALib, Dask or Matplotlib."""
    import subprocess
    import sys

    code = ("import sys, contextlib, io\nimport cogov_sim\nfrom cogov_sim.cli import build_parser\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    build_parser().parse_args(['--help'])\n"
            "print(' '.join(m for m in ('mesa', 'pandas', 'SALib', 'dask', 'matplotlib') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
