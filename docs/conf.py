"""Sphinx configuration of conda-netcheck's manual (MyST Markdown, conda-sphinx-theme).

Build with warnings as errors, offline: nothing here fetches from the network
(no intersphinx, no remote images).

    python -m sphinx -W -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from conda_netcheck import __version__  # noqa: E402

project = html_title = "conda-netcheck"
author = "conda-netcheck contributors"
copyright = "conda-netcheck contributors"
version = release = __version__

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
# Page-local links such as [Fixing](fixing.md#dry-runs) need heading anchors.
myst_heading_anchors = 3
# The codes table is generated from the catalogue and included by codes.md.
exclude_patterns = ["_build", "codes-table.md"]

html_theme = "conda_sphinx_theme"
html_theme_options = {"navigation_depth": -1}
