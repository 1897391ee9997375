"""The layout tells the architecture: no import cycles, sockets only in probes/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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


def test_probes_know_nothing_of_conda_settings_or_diagnoses():
    wrong = [
        (name, module)
        for name, module, _ in _probe_imports()
        if module.lstrip(".").split(".")[0] in ("config", "diagnosis", "output", "fix")
        and module.startswith("..")
        # A file-safety helper with no settings in it (no conda, no imports).
        and module != "..config.files"
    ]
    assert wrong == []


def test_probes_return_facts_not_problems():
    # A probe states what happened; only diagnosis/ words it as a Problem.
    problems = [
        (name, module)
        for name, module, names in _probe_imports()
        if module in ("..model", "..codes")
        and {"Problem", "Code", "Layer"} & set(names)
    ]
    assert problems == []


def test_building_the_parser_loads_almost_nothing():
    """conda builds every plugin's parser on every command (conda search too)."""
    import subprocess
    import sys

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
    assert loaded <= {
        "conda_netcheck",
        "conda_netcheck.plugin",
        "conda_netcheck.cli",
        "conda_netcheck.limits",
    }, loaded
