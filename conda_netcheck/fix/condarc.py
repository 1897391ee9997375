"""Safe, reviewable edits of one .condarc file, for the fixers.

`plan_set` and `plan_remove` compute the new text of a file and return a
`Change`; nothing is written until `Change.apply`. The new text comes from a
ruamel.yaml round trip, then only the lines that round trip really changed are
carried over into the original text (a three-way merge), so comments, blank
lines, quoting, key order and the file's own formatting quirks survive even
where ruamel would normalise them. Every result is parsed again and compared
with the intended data before it is offered.

`Change.apply` hands the file to the safe write (safewrite.py); which file
sets a key is read from conda's configuration (config/setting_file.py).

ruamel.yaml and conda are imported inside the functions that need them.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..config.setting_file import _MISSING, Key, _lookup, _names_for, _split_key
from ..exceptions import CondaRCEditError
from ..redact import REDACTED, REDACTOR
from .safewrite import (
    _decode,
    _load_plain,
    _refuse_link_or_special,
    _Target,
    _yaml_error,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ruamel.yaml import YAML

__all__ = [
    "MASK",
    "Change",
    "CondaRCEditError",
    "Indent",
    "detect_indent",
    "plan_remove",
    "plan_set",
]

#: What a secret looks like in a diff.
MASK = "<password>"


class Indent(NamedTuple):
    """ruamel.yaml's indentation settings: ``yaml.indent(**indent._asdict())``."""

    mapping: int
    sequence: int
    offset: int


#: What conda writes (conda.common.serialize.yaml): lists as "  - item".
CONDA_INDENT = Indent(mapping=2, sequence=4, offset=2)

_BLOCK_SCALAR_RE = re.compile(r"[|>][0-9+-]*\s*(#.*)?$")
_OPENS_BLOCK_RE = re.compile(r"^(?!- )[^#]*:\s*(#.*)?$")


# --- the plan -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One planned edit of one file: review it with `diff`, then `apply` it."""

    path: Path
    old_text: str
    new_text: str
    #: False when the plan creates the file.
    existed: bool = True
    #: The edit in words, for prompts: "set proxy_servers.https".
    summary: str = ""
    _old_is_valid: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @property
    def changed(self) -> bool:
        """Tell whether applying would change the file at all."""
        return self.old_text != self.new_text

    def diff(
        self, mask: Iterable[str] = (), labels: Mapping[str, str] | None = None
    ) -> str:
        """Return a unified diff with the secrets in ``mask`` and URL passwords hidden.

        ``labels`` names a secret instead of masking it ("<password: 2 characters
        percent-encoded>"): a change that only re-encodes a secret stays visible.
        """
        lines = difflib.unified_diff(
            self.old_text.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=str(self.path) if self.existed else "/dev/null",
            tofile=str(self.path),
        )
        text = "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines
        )
        for secret, label in sorted((labels or {}).items(), key=lambda i: -len(i[0])):
            if secret:
                text = text.replace(secret.replace("'", "''"), label)
                text = text.replace(secret, label)
        return _mask(text, mask)

    def check(self) -> None:
        """Raise `CondaRCEditError` if `apply` would refuse; change nothing."""
        _Target.inspect(self)

    def apply(self, backup: bool = True) -> Path | None:
        """Write the new text atomically; return the backup's path, if one was made."""
        if not self.changed:
            return None
        target = _Target.inspect(self)
        backup_path = target.backup() if backup and target.stat else None
        target.replace(self.new_text.encode("utf-8"))
        return backup_path


def plan_set(path: str | os.PathLike[str], dotted_key: Key, value: Any) -> Change:
    """Plan setting ``dotted_key`` to ``value`` in the .condarc file at ``path``."""
    keys = _split_key(dotted_key)
    value = _plain_value(value)
    return _plan(Path(path), keys, value, f"set {'.'.join(keys)}")


def plan_remove(path: str | os.PathLike[str], dotted_key: Key) -> Change:
    """Plan removing ``dotted_key`` (and a mapping it leaves empty) from ``path``."""
    keys = _split_key(dotted_key)
    return _plan(Path(path), keys, _MISSING, f"remove {'.'.join(keys)}")


def listed(path: str | os.PathLike[str], key: str) -> list[Any] | None:
    """The list `key` holds in the file at `path`; None: no file, or no such list."""
    text = _read_for_plan(Path(path))
    data = _load_plain(text, Path(path)) if text else None
    value = data.get(key) if isinstance(data, dict) else None
    return list(value) if isinstance(value, list) else None


def _plan(path: Path, keys: tuple[str, ...], value: Any, summary: str) -> Change:
    old_text = _read_for_plan(path)
    existed = old_text is not None
    old_text = old_text or ""
    indent = detect_indent(old_text)
    yaml = _rt_yaml(indent)
    data = _load_rt(yaml, old_text, path)
    before = _dump(yaml, data) if data is not None else ""
    if data is None:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
    expected = _load_plain(old_text, path) or {}
    if _contains_itself(data) or _contains_itself(expected):
        # An alias inside its own anchor: the tree has no end to walk or compare.
        raise CondaRCEditError(path, "it contains itself (an alias inside its anchor)")

    actual_keys = _resolve_alias(data, keys)
    if value is _MISSING:
        if _lookup(data, actual_keys) is _MISSING:
            return Change(path, old_text, old_text, existed, summary, True)
        _remove(data, actual_keys)
        _plain_remove(expected, actual_keys)
    else:
        _set(data, actual_keys, value, path)
        _plain_set(expected, actual_keys, value)
    after = _dump(yaml, data)

    # The merge keeps the file's own text where the round trip only reformatted;
    # the plain round trip is the fallback. Both must parse to what we intend.
    for new_text in (_merge(old_text, before, after), after):
        if new_text is not None and _parses_to(new_text, expected):
            return Change(path, old_text, new_text, existed, summary, True)
    raise CondaRCEditError(  # pragma: no cover - a bug guard, not a user error
        path, f"the edit ({summary}) could not be made without changing other settings"
    )


# --- reading and parsing ------------------------------------------------------


def _plain_value(value: Any) -> Any:
    """Check ``value`` is YAML data; tuples become lists."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_value(v) for v in value]
    raise TypeError(f"cannot write a {type(value).__name__} to .condarc")


def _read_for_plan(path: Path) -> str | None:
    """Return the file's text, or None if it does not exist yet."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CondaRCEditError(path, f"it cannot be read ({error.strerror})") from None
    _refuse_link_or_special(path, st)
    try:
        return _decode(path, path.read_bytes())
    except OSError as error:
        raise CondaRCEditError(path, f"it cannot be read ({error.strerror})") from None


def _rt_yaml(indent: Indent) -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never re-wrap a long URL
    yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    return yaml


def _load_rt(yaml: YAML, text: str, path: Path) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        data = yaml.load(text)
    except YAMLError as error:
        raise _yaml_error(path, error) from None
    if data is not None and not isinstance(data, Mapping):
        raise CondaRCEditError(
            path, f"its top level is {_kind(data)}, not a mapping of settings"
        )
    return data


def _kind(value: Any) -> str:
    """Name a YAML value's type for a message, never its content."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bytes):  # !!binary
        return "binary data"
    if isinstance(value, Sequence):
        return "a list"
    if isinstance(value, date):
        return "a date"
    # Callers name what is not a mapping; a set (!!set) is what YAML has left.
    return "a set" if isinstance(value, AbstractSet) else type(value).__name__


def _contains_itself(value: Any) -> bool:
    """Tell whether a mapping or list holds itself, at any depth."""
    inside: set[int] = set()  # the containers on the walk's current path
    done: set[int] = set()  # walked whole: an alias shared twice is walked once
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            inside.remove(id(node))
            done.add(id(node))
        elif isinstance(node, (Mapping, list)) and id(node) not in done:
            if id(node) in inside:
                return True
            inside.add(id(node))
            stack.append((node, True))
            children = node.values() if isinstance(node, Mapping) else node
            stack.extend((child, False) for child in children)
    return False


def _parses_to(text: str, expected: Any) -> bool:
    try:
        data = _load_plain(text, Path())
    except CondaRCEditError:
        return False
    return (data or {}) == expected


def _dump(yaml: YAML, data: Any) -> str:
    from io import StringIO

    if not data:
        # ruamel writes "{}" for an emptied mapping and drops what follows it.
        comments = data.ca.comment[1] if data is not None and data.ca.comment else []
        return "".join(token.value for token in comments or ())
    stream = StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def detect_indent(text: str) -> Indent:
    """Guess the file's mapping indent and list style; conda's defaults otherwise."""
    mapping = offset = sequence = None
    parent: tuple[int, bool] | None = None  # (indent, line opens a block)
    scalar_indent: int | None = None  # inside a block scalar ("key: |")
    for line in text.splitlines():
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(content)
        if scalar_indent is not None:
            if indent > scalar_indent:
                continue
            scalar_indent = None
        if parent and parent[1] and indent >= parent[0]:
            if content == "-" or content.startswith("- "):
                if offset is None:
                    after = content[1:]
                    offset = indent - parent[0]
                    sequence = offset + 1 + len(after) - len(after.lstrip(" "))
            elif mapping is None and indent > parent[0]:
                mapping = indent - parent[0]
        if _BLOCK_SCALAR_RE.search(content):
            scalar_indent = indent
        parent = (indent, bool(_OPENS_BLOCK_RE.match(content)))
        if mapping is not None and offset is not None:
            break
    if offset is None or sequence is None:
        offset, sequence = CONDA_INDENT.offset, CONDA_INDENT.sequence
    # ruamel needs room for "- " between the dash and the item.
    sequence = max(sequence, offset + 2)
    return Indent(mapping or CONDA_INDENT.mapping, sequence, offset)


# --- editing the round-trip tree ----------------------------------------------


def _resolve_alias(data: Mapping, keys: tuple[str, ...]) -> tuple[str, ...]:
    """Use the spelling the file already has ("verify_ssl" for "ssl_verify")."""
    if keys[0] in data:
        return keys
    for name in _names_for(keys[0]):
        if name in data:
            return (name, *keys[1:])
    return keys


def _set(data: Any, keys: tuple[str, ...], value: Any, path: Path) -> None:
    from ruamel.yaml.comments import CommentedMap

    value = _commented(value)
    node = data
    for depth, key in enumerate(keys[:-1]):
        child = node.get(key, _MISSING)
        if child is _MISSING or child is None:
            nested: Any = value
            for inner in reversed(keys[depth + 1 :]):
                nested = CommentedMap({inner: nested})
            (_insert if child is _MISSING else _replace)(node, key, nested)
            return
        if not isinstance(child, Mapping):
            raise CondaRCEditError(
                path,
                f"{'.'.join(keys[: depth + 1])} is {_kind(child)}, not a mapping",
            )
        node = child
    key = keys[-1]
    if key in node:
        _replace(node, key, _same_style(node[key], value))
    else:
        _insert(node, key, value)


def _commented(value: Any) -> Any:
    """Lists and mappings as ruamel's own, whose last item can hold the comments after it.

    A plain list keeps them on its key: "channels:", the comments, then the items.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _same_style(old: Any, new: Any) -> Any:
    """Quote a new string as the old one was quoted; keep a flow list in flow style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    if _is_flow(old) and isinstance(new, (list, dict)):
        styled = CommentedSeq(new) if isinstance(new, list) else CommentedMap(new)
        styled.fa.set_flow_style()
        return styled
    return new


def _remove(data: Any, keys: tuple[str, ...]) -> None:
    """Remove ``keys`` and every mapping the removal leaves empty."""
    parents = [data]
    for key in keys[:-1]:
        parents.append(parents[-1][key])
    rest = ""
    for node, key in zip(reversed(parents), reversed(keys)):
        rest = _delete(node, key, rest)
        if node or node is data:
            break
    if rest and not data:
        _leading(data).append(_comment_token(rest))


# ruamel keeps the comment lines that follow a value in one token on the last
# scalar before them: "  # eol\n\n# Next section\n". The first line belongs to
# the value's line; the rest belongs to what follows, and must move when a key
# is added after that value or the value is removed.


def _is_flow(node: Any) -> bool:
    return bool(getattr(node, "fa", None) and node.fa.flow_style())


def _trailing_slot(node: Any, key: Any) -> tuple[list, int]:
    """Return (comment list, index) for the comment token after ``node[key]``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    while True:
        value = node[key]
        if isinstance(value, CommentedMap) and value and not _is_flow(value):
            node, key = value, list(value)[-1]
        elif isinstance(value, CommentedSeq) and value and not _is_flow(value):
            node, key = value, len(value) - 1
        else:
            break
    entry = node.ca.items.setdefault(key, [None, None, None, None])
    return entry, 0 if isinstance(node, CommentedSeq) else 2


def _take_trailing(node: Any, key: Any) -> str:
    """Detach and return the comment lines after ``node[key]``'s last line."""
    entry, slot = _trailing_slot(node, key)
    token = entry[slot]
    if token is None:
        return ""
    head, newline, rest = token.value.partition("\n")
    token.value = head + newline
    return rest


def _put_trailing(node: Any, key: Any, rest: str) -> None:
    if not rest:
        return
    entry, slot = _trailing_slot(node, key)
    if entry[slot] is None:
        entry[slot] = _comment_token("\n" + rest)
    else:
        _extend(entry[slot], rest)


def _extend(token: Any, rest: str) -> None:
    """Append comment lines to a comment token, on a line of their own."""
    token.value = (
        token.value if token.value.endswith("\n") else token.value + "\n"
    ) + rest


def _leading(node: Any) -> list:
    """The comment tokens before a mapping's first key."""
    if not node.ca.comment:
        node.ca.comment = [None, []]
    elif node.ca.comment[1] is None:
        node.ca.comment[1] = []
    return node.ca.comment[1]


def _comment_token(value: str) -> Any:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return CommentToken(value, CommentMark(0), None)


def _insert(node: Any, key: str, value: Any) -> None:
    """Add ``key`` after the last key of ``node``, before the comments that follow it."""
    if node and not _is_flow(node):
        rest = _take_trailing(node, list(node)[-1])
        node[key] = value
        _put_trailing(node, key, rest)
    else:
        node[key] = value


def _replace(node: Any, key: str, value: Any) -> None:
    rest = _take_trailing(node, key)
    node[key] = value
    _put_trailing(node, key, rest)


def _delete(node: Any, key: str, pending: str) -> str:
    """Delete ``node[key]``; return the following comments if nothing can hold them."""
    keys = list(node)
    index = keys.index(key)
    rest = _take_trailing(node, key) + pending
    del node[key]
    node.ca.items.pop(key, None)
    if not rest or not node:
        return rest
    if index > 0:
        _put_trailing(node, keys[index - 1], rest)
    elif node.ca.comment and node.ca.comment[0] is not None:
        # "key:  # note" above the mapping: ruamel writes that token after the
        # key and then leaves out the mapping's own leading comments.
        _extend(node.ca.comment[0], rest)
    else:
        _leading(node).append(_comment_token(rest))
    return ""


# --- the expected result, on plain data ----------------------------------------


def _plain_set(data: dict, keys: tuple[str, ...], value: Any) -> None:
    for key in keys[:-1]:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    data[keys[-1]] = value


def _plain_remove(data: dict, keys: tuple[str, ...]) -> None:
    parents = [data]
    for key in keys[:-1]:
        parents.append(parents[-1][key])
    for node, key in zip(reversed(parents), reversed(keys)):
        del node[key]
        if node or node is data:
            break


# --- carrying the change over into the original text ---------------------------


def _line_keys(text: str) -> list[str]:
    return [line.rstrip("\r\n") for line in text.splitlines(keepends=True)]


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes, fast when most lines are equal (a common prefix and suffix)."""
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    matcher = difflib.SequenceMatcher(
        None, a[start : len(a) - end], b[start : len(b) - end], autojunk=False
    )
    middle = [
        (tag, i1 + start, i2 + start, j1 + start, j2 + start)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if i1 != i2 or j1 != j2
    ]
    prefix = [("equal", 0, start, 0, start)] if start else []
    suffix = [("equal", len(a) - end, len(a), len(b) - end, len(b))] if end else []
    return prefix + middle + suffix


def _squeeze(line: str) -> str:
    return "".join(line.split())


def _merge(old_text: str, before: str, after: str) -> str | None:
    """Apply the change from ``before`` to ``after`` (two dumps) onto ``old_text``.

    Returns None where a changed line of ``before`` has no identical line in
    ``old_text`` to anchor on; the caller then takes ``after`` whole.
    """
    old = old_text.splitlines(keepends=True)
    base, new = _line_keys(before), after.splitlines(keepends=True)
    anchor: dict[int, int] = {}  # line of `before` -> the same line of old_text
    old_keys = _line_keys(old_text)
    for tag, i1, i2, j1, j2 in _opcodes(base, old_keys):
        if tag == "equal":
            anchor.update(zip(range(i1, i2), range(j1, j2)))
        elif tag == "replace":
            # The same lines formatted differently ("key:   [a,b]"): pair them
            # by their text without blanks, or one to one; a change there takes
            # the round trip's version of the line.
            for tag2, a1, a2, b1, b2 in _opcodes(
                [_squeeze(line) for line in base[i1:i2]],
                [_squeeze(line) for line in old_keys[j1:j2]],
            ):
                if tag2 == "equal" or (tag2 == "replace" and a2 - a1 == b2 - b1):
                    anchor.update(zip(range(i1 + a1, i1 + a2), range(j1 + b1, j1 + b2)))
    edits = []
    for tag, i1, i2, j1, j2 in _opcodes(base, _line_keys(after)):
        if tag == "equal":
            continue
        if i2 > i1:
            lines = [anchor.get(i) for i in range(i1, i2)]
            if None in lines or lines != list(range(lines[0], lines[0] + i2 - i1)):
                return None
            start, stop = lines[0], lines[-1] + 1
        elif i1 > 0:
            if i1 - 1 not in anchor:
                return None
            start = stop = anchor[i1 - 1] + 1
        elif base:
            if 0 not in anchor:
                return None
            start = stop = anchor[0]
        else:
            start = stop = len(old)
        edits.append((start, stop, new[j1:j2]))

    newline = "\r\n" if "\r\n" in old_text else "\n"
    for start, stop, lines in reversed(edits):
        old[start:stop] = [line.rstrip("\r\n") + newline for line in lines]
    return "".join(
        line if line.endswith("\n") or i == len(old) - 1 else line + newline
        for i, line in enumerate(old)
    )


# --- masking ------------------------------------------------------------------


def _mask(text: str, secrets: Iterable[str]) -> str:
    forms = set()
    for secret in secrets:
        if secret:
            # YAML doubles a quote inside a single-quoted string.
            forms.update({secret, secret.replace("'", "''")})
    return REDACTOR.text(text, forms).replace(REDACTED, MASK)
