"""Why conda cannot load its configuration: the file, line, column and what is wrong.

conda reads every .condarc on its search path before any command (or
plugin) runs; one broken file (not YAML, not a mapping, not UTF-8, a
duplicate key) stops every conda command with a traceback. netcheck reads
the same files itself to name the one at fault.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..safefiles import MAX_SMALL_FILE_BYTES, UnsafePath, read_bytes

if TYPE_CHECKING:
    from collections.abc import Collection


@dataclass(frozen=True)
class BrokenFile:
    """A configuration file conda cannot load, and where."""

    path: str
    problem: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    #: conda skips the whole file with a warning (a YAML scanner error) and
    #: runs on; any other error stops every conda command.
    ignored: bool = False

    def where(self) -> str:
        """``path, line L, column C`` as far as known."""
        at = f", line {self.line}" if self.line else ""
        at += f", column {self.column}" if self.line and self.column else ""
        return f"{self.path}{at}"


def search_path_files() -> list[str]:
    """The configuration files conda reads, in its order (missing ones left out)."""
    try:
        from conda.base.constants import SEARCH_PATH
        from conda.common.configuration import Configuration

        return [str(p) for p in Configuration._expand_search_path(SEARCH_PATH)]
    except Exception:  # a private helper of conda: fall back to the usual places
        home = os.path.expanduser("~")
        candidates = [
            os.path.join(home, ".condarc"),
            os.path.join(home, ".conda", ".condarc"),
            os.path.join(home, ".config", "conda", ".condarc"),
            os.environ.get("CONDARC", ""),
        ]
        return [c for c in candidates if c and os.path.isfile(c)]


def find_broken(paths: list[str]) -> BrokenFile | None:
    """The first file conda would fail on, with line and column when the parser says."""
    for path in paths:
        broken = check_file(path)
        if broken is not None and not broken.ignored:
            return broken
    return None


def ignored_files(paths: list[str], loaded: Collection[str] = ()) -> list[BrokenFile]:
    """Files conda skips whole (with a warning), so none of their settings apply.

    `loaded`: the files conda has loaded (its context's raw data). conda skips a
    file by leaving it out of them, so these are not parsed a second time.
    """
    found = [check_file(path) for path in paths if path not in loaded]
    return [b for b in found if b is not None and b.ignored]


def check_file(path: str) -> BrokenFile | None:
    """Load one file as conda does (ruamel, safe) and say what stops it."""
    try:
        data = read_bytes(path, MAX_SMALL_FILE_BYTES)
    except UnsafePath:
        return None  # conda skips what is not a regular file; reported elsewhere
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return BrokenFile(
            path, f"byte 0x{data[exc.start]:02x} is not UTF-8 text", line, column
        )
    try:  # conda >= 25.x; yaml_safe_load is deprecated there
        from conda.common.serialize.yaml import loads as load
    except ImportError:
        try:
            from conda.common.serialize import yaml_safe_load as load
        except ImportError:
            return None
    try:
        document = load(text)
    except Exception as exc:
        return _from_yaml_error(path, exc)
    if document is not None and not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else "a single value"
        return BrokenFile(
            path, f"the file holds {kind}, not a mapping of settings (key: value)", 1, 1
        )
    return None


def _from_yaml_error(path: str, exc: Exception) -> BrokenFile:
    mark: Any = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    start: Any = getattr(exc, "context_mark", None)
    if context and "duplicate" not in str(problem):
        # "while parsing a flow mapping" started where the real mistake often is.
        if start is not None and mark is not None and start.line != mark.line:
            context = f"{context} (opened at line {start.line + 1}, column {start.column + 1})"
        problem = f"{context}: {problem}"
    if "found duplicate key" in str(exc):
        problem = "a key is set twice (" + str(problem).strip() + ")"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    opened = _unclosed(context, start, mark)
    if opened is not None:
        # An unclosed [, { or quote: the parser stops lines later, where the
        # next key is; the mistake is where it opened.
        problem = (
            f"the {opened} opened here is never closed (the parser stopped at line "
            f"{line}, column {column}: {getattr(exc, 'problem', None) or problem})"
        )
        line, column = start.line + 1, start.column + 1
    # conda turns these two into ConfigurationLoadError and skips the file.
    ignored = type(exc).__name__ in ("ScannerError", "ReaderError")
    return BrokenFile(path, str(problem).strip(), line, column, ignored)


_OPENERS = {
    "flow mapping": "'{'",
    "flow sequence": "'['",
    "quoted scalar": "quote",
}


def _unclosed(context: Any, start: Any, mark: Any) -> str | None:
    """What was left open (a '{', a '[', a quote) when it opened on an earlier line."""
    if not context or start is None or mark is None or start.line == mark.line:
        return None
    for words, what in _OPENERS.items():
        if words in str(context):
            return what
    return None
