"""Every secret the configuration holds, collected once, before anything is printed.

The second net behind structural redaction: a password in a URL that does
not parse, a token quoted alone in a port error, a scheme-relative channel.
The .condarc files are scanned as text (not parsed), so a file that conda
cannot load gives up its secrets all the same.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

from ..redact import REDACTOR, Redactor
from ..safefiles import MAX_SMALL_FILE_BYTES, UnsafePath, read_text

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

#: Names whose whole value is a secret (variables, YAML keys, TOML keys).
_SECRET_NAME_RE = re.compile(r"(?i)(token|passw|secret|api_?key|credential)")
# A YAML/TOML "key: value" or "key = value" line, or a list item. A quoted key
# is closed: a quoted value with ": " in it ("http://h/t/a: b") is no key.
_ENTRY_RE = re.compile(
    r"^\s*(?:-\s+)?(?:(?P<key>\"[^\"]*\"|'[^']*'|[\w.\-/:]+)\s*[:=]\s+)?(?P<value>.*?)\s*$"
)


#: register_text's default: the text is parsed there.
_UNPARSED = object()


def _parsed(text: str) -> Any:
    """The document as conda would load it, or None when it does not parse."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    except Exception:  # no ruamel, or not YAML: the line scan still runs
        return None


def _scalars(node: Any, key: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(key, string) for every string in a parsed document, bounded in depth."""
    if depth > 20:
        return
    if isinstance(node, str):
        yield key, node
    elif isinstance(node, dict):
        for name, value in node.items():
            yield from _scalars(value, str(name), depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _scalars(item, key, depth + 1)


def _quoted(value: str) -> bool:
    """Whether a value is one quoted YAML scalar (not a flow list of several)."""
    value = value.split(" #", 1)[0].strip()
    if len(value) < 2 or value[0] != value[-1] or value[0] not in "'\"":
        return False
    if value[0] == '"' and "\\" in value:
        try:
            return isinstance(json.loads(value), str)
        except ValueError:
            return False
    return value[0] not in value[1:-1]


def _unquote(value: str) -> str:
    value = value.split(" #", 1)[0].strip()  # a YAML comment after the value
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        if value[0] == '"' and "\\" in value:
            # A double-quoted YAML (or JSON) scalar: "\u00e9" is what conda reads.
            try:
                return str(json.loads(value))
            except ValueError:
                pass
        return value[1:-1]
    return value.strip("[]{},")


def register_value(
    value: str, redactor: Redactor = REDACTOR, key: str = "", scalar: bool = False
) -> None:
    """Register the credentials a URL-ish value (or a secret-named value) carries.

    scalar: the value was one quoted scalar, so "[" or a space in it is part of it.
    """
    value = value.strip()
    if not value:
        return
    if key and _SECRET_NAME_RE.search(key):
        redactor.add(value)
    # The whole value first: a password with a space is one secret, not two.
    # Not for a flow-style line ({"a": "http://u:p@h", ...}): read as one URL
    # it would make hosts and keys "secrets" and hide them from every output.
    if scalar or _one_value(value):
        if _may_hold_credentials(value):
            redactor.add_url_credentials(
                value.lstrip("/") if value.startswith("//") else value
            )
        return
    for word in value.replace(",", " ").split():
        word = _unquote(word)
        if _may_hold_credentials(word):
            # Scheme-relative "//user:pass@host" reads as a scheme-less URL.
            redactor.add_url_credentials(
                word.lstrip("/") if word.startswith("//") else word
            )


def _one_value(value: str) -> bool:
    """Whether a value is one scalar, not a flow-style mapping or list of several."""
    return value.count("://") <= 1 and not any(c in value for c in '"{}[]')


def _may_hold_credentials(value: str) -> bool:
    return any(mark in value for mark in ("@", "/t/", "=", "://"))


def register_text(
    text: str, redactor: Redactor = REDACTOR, parsed: Any = _UNPARSED
) -> None:
    """Register every credential in a configuration file's text, parsed and line by line.

    Parsed first (JSON, else YAML; or `parsed`, the document conda loaded from
    it), so escapes ("\u00e9") and flow style read as conda reads them; then
    line by line, for a file that does not parse.
    """
    document = _parsed(text) if parsed is _UNPARSED else parsed
    for key, value in _scalars(document):
        register_value(value, redactor, key, scalar=True)
    for line in text.splitlines():
        match = _ENTRY_RE.match(line)
        if match is None or not match["value"]:
            continue
        raw, key = match["value"], match["key"] or ""
        register_value(_unquote(raw), redactor, key, _quoted(raw))
        if raw[:1] in "[{":
            # Unquoting strips a flow list's brackets, and "[//u@h/c, https://h/d]"
            # would read as one URL: its items are read one by one too.
            register_value(raw, redactor)


#: Variables that can carry a credential: proxies, conda's own, tokens.
_RELEVANT_VARIABLE_RE = re.compile(
    r"(?i)(proxy|conda|anaconda|binstar|mamba|token|passw|secret|credential|_url$)"
)


def register_environment(
    env: Mapping[str, str] = os.environ, redactor: Redactor = REDACTOR
) -> None:
    """Register the credentials of the variables that can hold one."""
    for name, value in env.items():
        if _RELEVANT_VARIABLE_RE.search(name):
            register_value(value, redactor, name)


def register_netrc(path: str | None, redactor: Redactor = REDACTOR) -> None:
    """Register a .netrc's passwords and accounts, without parsing it as netrc does."""
    words = _read(path).split()
    login = ""
    for keyword, value in zip(words, words[1:]):
        if keyword == "login":
            login = value
        elif keyword in ("password", "account"):
            redactor.add_credentials(login, value)


def register_token_files(directory: str, redactor: Redactor = REDACTOR) -> None:
    """Register the `anaconda login` tokens (their files hold the token alone)."""
    try:
        names = [e.path for e in os.scandir(directory) if e.name.endswith(".token")]
    except OSError:
        return
    for path in names[:200]:
        token = _read(path).strip()
        if token:
            redactor.add(token)


def register_files(
    paths: Iterable[str],
    redactor: Redactor = REDACTOR,
    documents: Mapping[str, Any] | None = None,
) -> None:
    """Register the credentials in configuration files (.condarc, TOML).

    `documents`: files already parsed (by conda), by path; the others are parsed here.
    """
    for path in paths:
        parsed = (documents or {}).get(path, _UNPARSED)
        register_text(_read(path), redactor, parsed)


def _read(path: str | None) -> str:
    if not path:
        return ""
    try:
        return read_text(path, MAX_SMALL_FILE_BYTES)
    except UnsafePath:
        return ""


def register_all(
    condarc_paths: Iterable[str] = (),
    toml: str | None = None,
    documents: Mapping[str, Any] | None = None,
) -> None:
    """Collect once: variables, .condarc files, .netrc, anaconda tokens and TOML.

    `documents`: the .condarc files conda has parsed, by path (see `register_files`).
    """
    from .locations import binstar_token_dir, netrc_path

    register_environment()
    register_files([*condarc_paths, *([toml] if toml else [])], documents=documents)
    register_netrc(netrc_path())
    register_token_files(binstar_token_dir())
