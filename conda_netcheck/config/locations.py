"""Where conda and requests look for files: .netrc, anaconda-client tokens, .condarc.

Path resolution only; nothing here opens a file (safefiles does, safely).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

NETRC_FILES = (".netrc", "_netrc")


def netrc_path(env: Mapping[str, str] = os.environ) -> str | None:
    """The .netrc file requests would read: $NETRC alone when set, else ~/.netrc, ~/_netrc."""
    if env.get("NETRC") is not None:
        candidates: Iterable[str] = (env["NETRC"],)
    else:
        candidates = (f"~/{name}" for name in NETRC_FILES)
    for candidate in candidates:
        path = _expanduser(candidate, env)
        if os.path.exists(path):
            return path
    return None


def _expanduser(path: str, env: Mapping[str, str]) -> str:
    if env is os.environ or not path.startswith("~"):
        return os.path.expanduser(path)
    home = env.get("USERPROFILE" if os.name == "nt" else "HOME")
    if not home or (len(path) > 1 and path[1] not in "/\\"):
        return os.path.expanduser(path)
    return home + path[1:]


def binstar_token_dir() -> str:
    """Where `anaconda login` keeps tokens (conda's _get_binstar_token_directory)."""
    if "BINSTAR_CONFIG_DIR" in os.environ:
        return os.path.join(os.environ["BINSTAR_CONFIG_DIR"], "data")
    try:
        from platformdirs import user_config_dir
    except ImportError:  # conda depends on platformdirs; this is the Linux answer
        return os.path.join(os.path.expanduser("~"), ".config", "binstar")
    return user_config_dir(appname="binstar", appauthor="ContinuumIO")
