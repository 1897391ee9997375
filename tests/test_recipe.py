"""The conda-forge recipe cannot drift from pyproject.toml, and follows conda-forge's current rules."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipe" / "meta.yaml"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def section(name: str, parent: str) -> list[str]:
    """The `- item` lines of a list nested under parent: name: in meta.yaml."""
    lines = RECIPE.read_text().splitlines()
    start = lines.index(f"{parent}:")
    items, inside = [], False
    for line in lines[start + 1 :]:
        if line and not line.startswith(" "):
            break
        if line.strip() == f"{name}:":
            inside = True
            continue
        if inside:
            if re.match(r"^\s{2}\S", line):  # the next key of the parent
                break
            item = line.strip()
            if item.startswith("- "):
                items.append(item[2:].strip())
    return items


def normalise(spec: str) -> str:
    name, _, bounds = spec.partition(" ")
    return f"{name.lower().replace('_', '-')} {bounds.replace(' ', '')}".strip()


def test_run_requirements_match_pyproject_dependencies():
    run = {
        normalise(s)
        for s in section("run", "requirements")
        if not s.startswith(("python ", "conda "))
    }
    assert run == {normalise(d) for d in pyproject()["project"]["dependencies"]}


def test_python_min_is_in_host_run_and_test():
    assert "python {{ python_min }}" in section("host", "requirements")
    assert "python >={{ python_min }}" in section("run", "requirements")
    assert "python {{ python_min }}" in section("requires", "test")


def test_python_min_is_pyprojects_requires_python():
    config = (ROOT / "recipe" / "conda_build_config.yaml").read_text()
    (python_min,) = re.findall(r'^\s*-\s*"?([0-9.]+)"?\s*$', config, re.M)
    assert pyproject()["project"]["requires-python"] == f">={python_min}"


def test_test_section_runs_pip_check_and_the_commands():
    commands = section("commands", "test")
    assert "pip check" in commands
    assert "conda netcheck --help" in commands
    assert "conda doctor --list" in commands
    assert "pip" in section("requires", "test")


def test_about_and_extra_have_what_conda_forge_asks_for():
    text = RECIPE.read_text()
    for key in ("home", "dev_url", "doc_url", "license", "license_file", "summary"):
        assert re.search(rf"^  {key}: \S", text, re.M), key
    assert section("recipe-maintainers", "extra")


def test_build_is_noarch_python_with_pip_no_deps():
    text = RECIPE.read_text()
    assert "noarch: python" in text
    assert "-m pip install . --no-deps --no-build-isolation" in text
