"""Safe, reviewable edits of one .condarc file, for the fixers.

`plan_set` and `plan_remove` compute the new text of a file and return a
`Change`; nothing is written until `Change.apply`. The new text comes from a
ruamel.yaml round trip, then only the lines that round trip really changed are
carried over into the original text (a three-way merge), so comments, blank
lines, quoting, key order and the file's own formatting quirks survive even
where ruamel would normalise them. Every result is parsed again and compared
with the intended data before it is offered.

`Change.apply` refuses symlinks, special files, read-only files, files owned by
someone else, invalid YAML and files that changed since the plan; otherwise it
writes a backup and replaces the file atomically (temporary file in the same
directory, fsync, rename, fsync of the directory): a crash at any moment leaves
either the old or the new file.

ruamel.yaml and conda are imported inside the functions that need them.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from ..exceptions import CondaRCEditError
from ..redact import REDACTED, REDACTOR

if TYPE_CHECKING:
    from collections.abc import Iterable

    from conda.common.configuration import Configuration
    from ruamel.yaml import YAML

__all__ = [
    "MASK",
    "Change",
    "CondaRCEditError",
    "Indent",
    "detect_indent",
    "find_source",
    "plan_remove",
    "plan_set",
]

#: What a secret looks like in a diff.
MASK = "<password>"

#: Windows has no POSIX owner (st_uid is 0), no fchmod/fchown, and cannot open
#: a directory to fsync it; tests force this to check the Windows branch.
WINDOWS = os.name == "nt"

#: A dotted key ("proxy_servers.https") or its parts, for keys containing dots
#: (proxy_servers may be keyed by "http://10.0.0.1").
Key = Union[str, Sequence[str]]


class Indent(NamedTuple):
    """ruamel.yaml's indentation settings: ``yaml.indent(**indent._asdict())``."""

    mapping: int
    sequence: int
    offset: int


#: What conda writes (conda.common.serialize.yaml): lists as "  - item".
CONDA_INDENT = Indent(mapping=2, sequence=4, offset=2)

_MISSING = object()
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


def _split_key(dotted_key: Key) -> tuple[str, ...]:
    keys = (
        tuple(dotted_key.split("."))
        if isinstance(dotted_key, str)
        else tuple(dotted_key)
    )
    if not keys or not all(isinstance(key, str) and key for key in keys):
        raise ValueError(f"not a configuration key: {dotted_key!r}")
    return keys


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


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CondaRCEditError(
            path, f"it is not UTF-8 text (byte {error.start})"
        ) from None


def _refuse_link_or_special(path: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        try:
            where = f" to {os.readlink(path)}"
        except OSError:
            where = ""
        raise CondaRCEditError(
            path, f"it is a symbolic link{where}; edit the file it points to instead"
        )
    if not stat.S_ISREG(st.st_mode):
        raise CondaRCEditError(path, "it is not a regular file")


def _yaml_error(path: Path, error: Exception) -> CondaRCEditError:
    # Only the problem and its position: ruamel's message quotes the offending
    # line, which may hold a proxy password.
    problem = REDACTOR.text(getattr(error, "problem", None) or type(error).__name__)
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return CondaRCEditError(path, f"it is not valid YAML ({problem}{where})")


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
    if isinstance(value, Sequence):
        return "a list"
    return "a mapping" if isinstance(value, Mapping) else type(value).__name__


def _load_plain(text: str, path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise _yaml_error(path, error) from None


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


def _names_for(key: str, context: Configuration | None = None) -> frozenset[str]:
    """``key`` and its aliases, as conda knows them (just ``key`` without conda)."""
    try:
        if context is None:
            from conda.base.context import context
        # No public API for aliases: conda >= 25 has name_for_alias and
        # _parameter_loaders; older conda only the ParameterLoader descriptors.
        for attr, loader in vars(type(context)).items():
            aliases = getattr(loader, "aliases", None)
            if aliases is None or not hasattr(loader, "type"):
                continue
            names = frozenset(getattr(loader, "_names", None) or (attr, *aliases))
            if key in names or key == attr.lstrip("_"):
                return names | {key}
    except Exception:  # conda missing or its internals moved: no aliases
        pass
    return frozenset({key})


def _lookup(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, Mapping) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _set(data: Any, keys: tuple[str, ...], value: Any, path: Path) -> None:
    from ruamel.yaml.comments import CommentedMap

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
    token = entry[slot]
    if token is None:
        entry[slot] = _comment_token("\n" + rest)
    else:
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


# --- applying -----------------------------------------------------------------


def _utc_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns) == (
        b.st_dev,
        b.st_ino,
        b.st_size,
        b.st_mtime_ns,
    )


@dataclass
class _Target:
    """A file that passed every check, with what the checks saw."""

    path: Path
    stat: os.stat_result | None  # None: the file is to be created
    data: bytes

    @classmethod
    def inspect(cls, change: Change) -> _Target:
        path = change.path
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if change.existed:
                raise CondaRCEditError(
                    path, "it was deleted since the change was planned"
                ) from None
            cls._check_directory(path)
            return cls(path, None, b"")
        except OSError as error:
            raise CondaRCEditError(
                path, f"it cannot be read ({error.strerror})"
            ) from None
        if not change.existed:
            raise CondaRCEditError(path, "it was created since the change was planned")
        _refuse_link_or_special(path, st)
        geteuid = None if WINDOWS else getattr(os, "geteuid", None)
        if geteuid is not None and st.st_uid != geteuid():
            raise CondaRCEditError(
                path,
                f"it is owned by another user (uid {st.st_uid}, you are {geteuid()})",
            )
        # The mode bits, not os.access(): root may write anything, but a file
        # its owner made read-only says "don't touch".
        if not st.st_mode & stat.S_IWUSR:
            raise CondaRCEditError(
                path, f"it is read-only (mode {stat.S_IMODE(st.st_mode):04o})"
            )
        if not os.access(path, os.W_OK):
            raise CondaRCEditError(path, "it is not writable")
        cls._check_directory(path)
        data = cls._read(path, st)
        if _decode(path, data) != change.old_text:
            raise CondaRCEditError(
                path, "it changed since the change was planned; plan it again"
            )
        if not change._old_is_valid:
            _load_plain(change.old_text, path)
        return cls(path, st, data)

    @staticmethod
    def _check_directory(path: Path) -> None:
        directory = path.parent
        if not directory.is_dir():
            raise CondaRCEditError(path, f"its directory {directory} does not exist")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise CondaRCEditError(
                path,
                f"its directory {directory} is not writable, so the file cannot be "
                "replaced atomically",
            )

    @staticmethod
    def _read(path: Path, st: os.stat_result) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags)
        except OSError as error:
            raise CondaRCEditError(
                path, f"it cannot be read ({error.strerror})"
            ) from None
        with os.fdopen(fd, "rb") as file:
            if not _same_file(os.fstat(file.fileno()), st):
                raise CondaRCEditError(path, "it changed while it was being checked")
            return file.read()

    def _write_temp(self, data: bytes, prefix: str) -> str:
        """Write ``data`` to a synced temporary file beside the target, same mode."""
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=prefix, suffix=".tmp")
        try:
            st = self.stat
            if st is None:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            else:
                mode = stat.S_IMODE(st.st_mode)
                if not WINDOWS and hasattr(os, "fchown"):
                    try:  # root restores the owner; others at least the group
                        uid = st.st_uid if os.geteuid() == 0 else -1
                        os.fchown(fd, uid, st.st_gid)
                    except OSError:
                        pass
            if not WINDOWS and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # after fchown, which may clear setgid
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            _unlink(temp)
            raise
        os.close(fd)
        if WINDOWS or not hasattr(os, "fchmod"):
            os.chmod(temp, mode)  # on Windows: only the read-only attribute
        return temp

    def backup(self) -> Path:
        """Copy the file to ``<name>.bak-<UTC timestamp>`` (never over an older backup)."""
        name = f"{self.path.name}.bak-{_utc_stamp()}"
        try:
            temp = self._write_temp(self.data, f".{name}.")
            try:
                for n in range(1000):
                    backup = self.path.with_name(name if n == 0 else f"{name}-{n}")
                    try:
                        os.link(temp, backup)  # fails if it exists: no overwrite
                    except FileExistsError:
                        continue
                    except OSError:  # no hard links here: a rename, racy but fine
                        if backup.exists():
                            continue
                        os.replace(temp, backup)
                    return backup
                raise FileExistsError(name)
            finally:
                _unlink(temp)
        except OSError as error:
            raise CondaRCEditError(
                self.path, f"the backup could not be written ({error})"
            ) from None

    def replace(self, data: bytes) -> None:
        """Atomically replace the file's content with ``data``."""
        path = self.path
        try:
            temp = self._write_temp(data, f".{path.name}.")
        except OSError as error:
            raise CondaRCEditError(
                path, f"the new file could not be written ({error})"
            ) from None
        try:
            try:
                current: os.stat_result | None = os.lstat(path)
            except FileNotFoundError:
                current = None
            if (current is None) != (self.stat is None) or (
                current and self.stat and not _same_file(current, self.stat)
            ):
                raise CondaRCEditError(path, "it changed while it was being written")
            os.replace(temp, path)
        except OSError as error:
            raise CondaRCEditError(
                path, f"it could not be replaced ({error})"
            ) from None
        finally:
            _unlink(temp)
        _fsync_directory(path.parent)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; not possible (nor needed) everywhere."""
    if WINDOWS:  # a directory cannot be opened for fsync; NTFS journals the rename
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- where conda takes a key from ----------------------------------------------


def find_source(dotted_key: Key, context: Configuration | None = None) -> Path | None:
    """Return the .condarc file conda takes ``dotted_key`` from, to edit it there.

    None when an environment variable or the command line sets the key (it
    cannot be fixed in a file; tell the user instead), or when no file could
    hold it. A key set nowhere goes where ``conda config --set`` puts it,
    ``~/.condarc``, if conda reads that file, else the last file conda reads.
    """
    if context is None:
        from conda.base.context import context
    keys = _split_key(dotted_key)
    names = _names_for(keys[0], context)

    matches = []  # (source, raw parameter) in conda's order of precedence
    for source, parameters in context.raw_data.items():
        found = [parameters[name] for name in names if name in parameters]
        if found:
            matches.append((source, found[0]))
    # "#!final" on a key: later sources are ignored (conda's _first_important_matches).
    for index, (_, raw) in enumerate(matches):
        if _is_final(_call(raw, "keyflag")):
            matches = matches[: index + 1]
            break

    if matches and len(keys) > 1:
        nested = [m for m in matches if _sets_nested(*m, keys[1:])]
        if nested:
            # A "#!final" value inside a map wins over later ones (conda's final_map).
            finals = [m for m in nested if _is_final(_value_flag(m[1], keys[1]))]
            matches = finals[:1] or nested
        else:  # the map is set but not this entry: the last map wins the merge
            # ("proxy_servers: ~" does not count: conda skips it)
            matches = [m for m in matches if getattr(m[1], "_raw_value", 1) is not None]
    if matches:
        source = matches[-1][0]
        return Path(source) if isinstance(source, Path) else None
    return _default_file(context)


def _call(raw: Any, method: str) -> Any:
    try:
        return getattr(raw, method)()
    except Exception:
        return None


def _is_final(flag: Any) -> bool:
    return getattr(flag, "value", flag) == "final"


def _sets_nested(source: Any, raw: Any, keys: tuple[str, ...]) -> bool:
    if not isinstance(source, Path):  # a variable or an option sets the whole key
        return True
    return _lookup(getattr(raw, "_raw_value", None), keys) is not _MISSING


def _value_flag(raw: Any, key: str) -> Any:
    try:
        return (raw.valueflags(None) or {}).get(key)
    except Exception:
        return None


def _default_file(context: Configuration) -> Path | None:
    from conda.base.context import user_rc_path

    files = [Path(s) for s in context.raw_data if isinstance(s, Path)]
    search_path = getattr(context, "_search_path", None)
    searched = {
        os.path.abspath(os.path.expanduser(os.path.expandvars(str(p))))
        for p in search_path or ()
    }
    if not search_path or os.path.abspath(user_rc_path) in searched:
        return Path(user_rc_path)
    return files[-1] if files else None
