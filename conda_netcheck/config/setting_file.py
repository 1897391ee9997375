"""Which .condarc file conda takes a setting from, read from conda's configuration.

`find_source` says where a fixer edits a key; the key helpers (a dotted key's
parts, its aliases as conda knows them, a lookup in plain data) are shared
with the planning of an edit (fix/condarc.py).

conda is imported inside the functions that need it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from conda.common.configuration import Configuration


#: A dotted key ("proxy_servers.https") or its parts, for keys containing dots
#: (proxy_servers may be keyed by "http://10.0.0.1").
Key = Union[str, Sequence[str]]


_MISSING = object()


def _split_key(dotted_key: Key) -> tuple[str, ...]:
    keys = (
        tuple(dotted_key.split("."))
        if isinstance(dotted_key, str)
        else tuple(dotted_key)
    )
    if not keys or not all(isinstance(key, str) and key for key in keys):
        raise ValueError(f"not a configuration key: {dotted_key!r}")
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
    if _reads_user_file(context, user_rc_path):
        return Path(user_rc_path)
    return files[-1] if files else None


def _reads_user_file(context: Configuration, user_rc_path: str) -> bool:
    """Whether conda reads ~/.condarc with this context, now or once `conda config` creates it."""
    search_path = getattr(context, "_search_path", None)
    if not search_path:
        return True
    searched = [
        Path(os.path.abspath(os.path.expanduser(os.path.expandvars(str(p)))))
        for p in search_path
    ]
    user = Path(os.path.abspath(user_rc_path))
    if user in searched:
        return True
    if os.path.lexists(user):
        return False  # there, but left out of this search path
    # conda leaves a file that does not exist yet out of its search path: a
    # context read from conda's own search path reads ~/.condarc as soon as
    # `conda config --set` creates it.
    from conda.base.constants import SEARCH_PATH

    return all(search_rank(path) < len(SEARCH_PATH) for path in searched)


def search_rank(path: Path) -> int:
    """Where conda's search path reads `path` (a file, or a file in a condarc.d); past its end if nowhere."""
    from conda.base.constants import SEARCH_PATH

    for index, entry in enumerate(SEARCH_PATH):
        place = Path(os.path.expanduser(os.path.expandvars(entry))).absolute()
        if place in (path, path.parent):
            return index
    return len(SEARCH_PATH)
