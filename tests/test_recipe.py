"""The conda-forge recipe cannot drift from pyproject.toml, and follows conda-forge's current rules.

The recipe is rendered with Jinja2 and parsed as YAML, as conda-build does,
with python_min from recipe/conda_build_config.yaml (CFEP-25).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jinja2
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipe"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def python_min() -> str:
    config = YAML(typ="safe").load((RECIPE / "conda_build_config.yaml").read_text())
    (value,) = config["python_min"]
    return str(value)


def recipe() -> dict:
    template = jinja2.Template((RECIPE / "meta.yaml").read_text())
    text = template.render(python_min=python_min(), PYTHON="python")
    return YAML(typ="safe").load(text)


def normalise(spec: str) -> str:
    name, _, bounds = spec.strip().partition(" ")
    return f"{name.lower().replace('_', '-')} {bounds.replace(' ', '')}".strip()


def test_run_requirements_match_pyproject_dependencies():
    run = {
        normalise(s)
        for s in recipe()["requirements"]["run"]
        if not s.startswith(("python ", "conda "))
    }
    assert run == {normalise(d) for d in pyproject()["project"]["dependencies"]}


def test_python_min_is_in_host_run_and_test():
    low = python_min()
    meta = recipe()
    assert f"python {low}" in meta["requirements"]["host"]
    assert f"python >={low}" in meta["requirements"]["run"]
    assert f"python {low}" in meta["test"]["requires"]


def test_python_min_is_pyprojects_requires_python():
    assert pyproject()["project"]["requires-python"] == f">={python_min()}"


def test_conda_lower_bound_is_the_oldest_release_tested():
    # CI runs the whole suite with conda 24.11.3 (.ci/run).
    assert "conda >=24.11" in recipe()["requirements"]["run"]
    assert "24.11.3" in (ROOT / ".ci" / "run").read_text()


def test_test_section_runs_pip_check_and_the_commands():
    test = recipe()["test"]
    assert "pip check" in test["commands"]
    assert "conda netcheck --help" in test["commands"]
    assert "conda doctor --list" in test["commands"]
    assert "pip" in test["requires"]
    assert "conda_netcheck.plugin" in test["imports"]


def test_about_and_extra_have_what_conda_forge_asks_for():
    meta = recipe()
    for key in ("home", "dev_url", "doc_url", "license", "license_file", "summary"):
        assert meta["about"].get(key), key
    assert meta["about"]["license"] == pyproject()["project"]["license"]
    assert all(
        re.fullmatch(r"[A-Za-z0-9-]+", m) for m in meta["extra"]["recipe-maintainers"]
    )


def test_build_is_noarch_python_with_pip_no_deps():
    build = recipe()["build"]
    assert build["noarch"] == "python"
    assert "-m pip install . --no-deps --no-build-isolation" in build["script"]
