"""README is the front door and CI runs what it says; the manual in docs/ is whole.

The docs build itself (`python -m sphinx -W`) runs in CI (.ci/run); these
tests keep what a reader of README meets true without building it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CI = ROOT / ".ci" / "run"

TEST_COMMAND = "python -m pytest -n 4"
DOCS_COMMAND = "python -m sphinx -W -b html docs"


def _blocks(text: str) -> list[str]:
    """The fenced code blocks of a Markdown text."""
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.M | re.S)


def _ci_commands() -> list[str]:
    """The commands .ci/run executes, without variables set before them."""
    lines = [line.strip() for line in CI.read_text().splitlines()]
    return [
        re.sub(r"^(?:[A-Z_]+=\S+ )+", "", line)
        for line in lines
        if line and not line.startswith("#")
    ]


def test_readme_is_a_front_door_of_at_most_200_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 200


def test_ci_runs_exactly_the_test_command_readme_gives():
    commands = [
        line for block in _blocks(README.read_text()) for line in block.split("\n")
    ]
    assert TEST_COMMAND in commands
    assert TEST_COMMAND in _ci_commands()


def test_ci_builds_the_docs_with_the_command_readme_gives():
    readme = README.read_text()
    assert f"{DOCS_COMMAND} docs/_build/html" in readme
    assert any(c.startswith(f"{DOCS_COMMAND} ") for c in _ci_commands())


def test_every_link_from_readme_into_the_repository_exists():
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text())
    local = [link for link in links if "://" not in link]
    assert any(link.startswith("docs/") for link in local)
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, missing


def test_every_docs_page_is_in_the_table_of_contents():
    index = (DOCS / "index.md").read_text()
    listed = set(re.findall(r"^([\w-]+)$", "\n".join(_toctrees(index)), flags=re.M))
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index", "codes-table"}
    assert pages == listed


def _toctrees(text: str) -> list[str]:
    return re.findall(r"^```\{toctree\}\n(.*?)^```", text, flags=re.M | re.S)
