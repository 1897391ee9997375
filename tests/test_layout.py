"""The layout tells the architecture: no import cycles, layers that only look down, sockets only in probes/."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "conda_netcheck"

#: Calls that open or use a network connection.
SOCKET_CALLS = re.compile(
    r"\b(create_connection|wrap_socket|socket\.socket|\.sendall|\.recv)\("
)


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        modules[name] = path
    return modules


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules `name` imports at run time (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    checking = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test)
        for n in ast.walk(node)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or id(node) in checking:
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        candidates = [target] + [f"{target}.{a.name}" for a in node.names]
        found |= {c for c in candidates if c in modules and c != name}
    return found


def test_no_import_cycles():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), list(graph[start])
        while stack:
            current = stack.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(graph[current])
        return False

    # Package __init__ modules are imported by their children: not a cycle.
    cycles = [
        (a, b)
        for a in graph
        for b in graph[a]
        if reaches(b, a) and not a.startswith(b + ".") and not b.startswith(a + ".")
    ]
    assert cycles == []


def test_sockets_are_opened_only_in_probes():
    outside = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if "probes" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SOCKET_CALLS.search(line) and not line.lstrip().startswith("#")
    ]
    assert outside == []


def _probe_imports() -> list[tuple[str, str, list[str]]]:
    """Every `from ... import` in probes/, lazy and TYPE_CHECKING ones included."""
    found = []
    for path in (PACKAGE / "probes").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [alias.name for alias in node.names]
                found.append((path.name, module, names))
    return found


#: The layers data flows through, bottom up; each looks only down (or sideways
#: at the neutral modules: codes, evidence, limits, model, redact, urls,
#: safefiles, redirects). Lazy and TYPE_CHECKING imports count too.
ABOVE_CONFIG = (
    "probes",
    "diagnosis",
    "output",
    "fix",
    "health_checks",
    "cli",
    "parser",
    "run",
    "failure",
    "plugin",
)
LOOKS_UP = [
    # conda's settings are read without sockets and without explanations.
    *(("config", upper) for upper in ABOVE_CONFIG),
    # a probe states facts: it knows neither conda's settings nor diagnoses.
    ("probes", "config"),
    *(("probes", upper) for upper in ABOVE_CONFIG if upper != "probes"),
]


def _all_imports(layer: str) -> list[tuple[str, str]]:
    """(file, module) for every package import in a layer, wherever it is written."""
    found = []
    for path in (PACKAGE / layer).rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        package = name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
                found.append((path.name, module))
    return found


@pytest.mark.parametrize(
    ("layer", "upper"), LOOKS_UP, ids=[f"{a}-not-{b}" for a, b in LOOKS_UP]
)
def test_a_layer_never_imports_a_layer_above_it(layer: str, upper: str):
    wrong = [
        (name, module)
        for name, module in _all_imports(layer)
        if module == f"conda_netcheck.{upper}"
        or module.startswith(f"conda_netcheck.{upper}.")
    ]
    assert wrong == []


#: What the model may import: modules that themselves import nothing of the package.
MODEL_IMPORTS = {
    "conda_netcheck.codes",
    "conda_netcheck.evidence",  # at first use: only a problem carries evidence
    "conda_netcheck.limits",
    "conda_netcheck.fixtext",  # at first use: a fix's lines, on problems and findings
}
#: The model's imports made when first needed, not when it is imported.
MODEL_LAZY = {
    # a code's severity, in the catalogue (its one home)
    ("severity", "conda_netcheck.diagnosis.catalogue"),
    # the evidence records: a healthy run makes no problem
    ("__getattr__", "conda_netcheck.evidence"),
    ("no_details", "conda_netcheck.evidence"),
    # a fix's lines: a healthy run makes no problem and no finding
    ("__getattr__", "conda_netcheck.fixtext"),
    ("no_commands", "conda_netcheck.fixtext"),
}


def test_the_model_is_a_leaf():
    """Every layer imports the model, so it imports no layer (TYPE_CHECKING aside)."""
    modules = _modules()
    found = _imports("conda_netcheck.model", modules["conda_netcheck.model"], modules)
    lazy = _lazy_imports(modules["conda_netcheck.model"])
    assert lazy == MODEL_LAZY
    eager = MODEL_IMPORTS - {m for _, m in lazy}
    assert found - {m for _, m in lazy} == eager
    for leaf in MODEL_IMPORTS:
        assert _imports(leaf, modules[leaf], modules) == set()


def _lazy_imports(path: Path) -> set[tuple[str, str]]:
    """(function, module) for each package import inside a function body."""
    found = set()
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level:
                    found.add((function.name, f"conda_netcheck.{node.module}"))
    return found


def test_importing_the_model_loads_only_the_model_and_its_leaves():
    code = (
        "import sys, conda_netcheck.model; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('conda_netcheck'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    eager = MODEL_IMPORTS - {m for _, m in MODEL_LAZY}
    assert set(loaded) == {"conda_netcheck", "conda_netcheck.model", *eager}


def test_probes_return_facts_not_problems():
    # A probe states what happened; only diagnosis/ words it as a Problem.
    problems = [
        (name, module)
        for name, module, names in _probe_imports()
        if module in ("..model", "..codes")
        and {"Problem", "Code", "Layer"} & set(names)
    ]
    assert problems == []


#: All the parser module may import of the package: the caps its help text names.
PARSER_IMPORTS = {"conda_netcheck.limits"}


def test_the_parser_imports_only_what_parsing_needs():
    """conda imports the parser module on every command: no run, model or conda in it."""
    path = PACKAGE / "parser.py"
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = "conda_netcheck" if node.level else ""
            imported.add(".".join(filter(None, [base, node.module])))
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    package = {m for m in imported if m.startswith("conda_netcheck")}
    assert package == PARSER_IMPORTS
    # Lazy imports count too: the standard library's argparse and typing aside, nothing.
    assert imported - package <= {"__future__", "argparse", "typing"}


def test_building_the_parser_loads_almost_nothing():
    """conda builds every plugin's parser on every command (conda search too)."""
    code = (
        "import argparse, sys\n"
        "from conda_netcheck.plugin import _configure_parser\n"
        "_configure_parser(argparse.ArgumentParser())\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('conda_netcheck'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=PACKAGE.parent,
    )
    loaded = set(done.stdout.split())
    assert loaded == {
        "conda_netcheck",
        "conda_netcheck.plugin",
        "conda_netcheck.parser",
        *PARSER_IMPORTS,
    }, loaded


def _every_import(name: str, path: Path) -> set[str]:
    """The package modules `name` names in any import: lazy, TYPE_CHECKING and `from . import x`."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found |= {module, *(f"{module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {
        m for m in found if m == "conda_netcheck" or m.startswith("conda_netcheck.")
    }


#: Outside failure/, the modules that import conda's error path: the plugin's
#: hooks, the CLI (--forget, the recorded failure), the run (the replay beside
#: the main run), the doctor check of the last failure and the text output
#: (the replay's lines). Everything else works without it.
FAILURE_IMPORTERS = {
    "conda_netcheck.plugin",
    "conda_netcheck.cli",
    "conda_netcheck.run",
    "conda_netcheck.health_checks.network_last_failure",
    "conda_netcheck.output.text",
}


def test_only_the_entry_points_import_the_error_path():
    importers = {
        name
        for name, path in _modules().items()
        if not name.startswith("conda_netcheck.failure")
        for module in _every_import(name, path)
        if module == "conda_netcheck.failure"
        or module.startswith("conda_netcheck.failure.")
    }
    assert importers == FAILURE_IMPORTERS


def test_the_exception_filter_imports_nothing_of_the_package():
    """conda runs it for every exception it watches, solver errors included."""
    path = PACKAGE / "failure" / "watch.py"
    assert _every_import("conda_netcheck.failure.watch", path) == set()


DEVELOPMENT = PACKAGE.parent / "docs" / "development.md"


def test_the_module_map_in_the_docs_lists_exactly_the_modules():
    text = DEVELOPMENT.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w/]+(?:\.py|/))` \|", text, flags=re.M)
    modules = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" or path.parent == PACKAGE
    }
    packages = {
        f"{path.parent.relative_to(PACKAGE).as_posix()}/"
        for path in PACKAGE.glob("*/__init__.py")
    }
    assert len(rows) == len(set(rows))
    assert set(rows) == modules | packages
