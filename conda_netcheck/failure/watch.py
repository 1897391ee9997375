"""Which exceptions are network failures, and which commands fetch: cheap enough for every command.

conda calls exception observers for any exception whose class (or a base)
is named in `watch_for`, and post-command hooks after every command; this
module is all that runs before a non-network error is let go, so it imports
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

#: The last failure's record, in conda's per-user data directory.
FILE_NAME = "netcheck-last-failure.json"

#: conda's network errors, and what escapes conda untranslated (the shards
#: fetch lets requests' and the builtin ConnectionError through). Matched by
#: class name against the exception's MRO, as conda's observer dispatch does.
WATCH_FOR = frozenset(
    {
        "CondaHTTPError",
        "CondaSSLError",
        "ProxyError",
        "ChecksumMismatchError",
        "UnavailableInvalidChannel",
        "CondaDependencyError",  # SOCKS proxy without PySocks; filtered below
        "CondaMultiError",  # downloads report their failures together; filtered below
        "RequestException",
        "ConnectionError",
        "SSLError",
        "OfflineError",
    }
)


def network_leaf(exc: BaseException) -> BaseException | None:
    """exc itself when it is a network failure; the first such error inside a CondaMultiError."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "CondaMultiError" in names:
        for inner in getattr(exc, "errors", ()) or ():
            leaf = network_leaf(inner)
            if leaf is not None:
                return leaf
        return None
    if "CondaDependencyError" in names:
        return exc if "SOCKS" in str(exc) else None
    return exc if names & WATCH_FOR else None


#: conda's names for the commands that fetch channel indexes (the module
#: main_<name>: `conda env create` is "create" on conda 26.7, "env_create" on
#: 24.11); the ones that also download packages.
INDEX_COMMANDS = frozenset(
    {"install", "create", "update", "search", "env_create", "env_update"}
)
PACKAGE_COMMANDS = INDEX_COMMANDS - {"search"}


def record_path() -> Path:
    """The record in conda's per-user data directory (~/.local/share/conda on Linux).

    Here, not with the recording: the post-command hook asks for it after
    every successful command, and the record usually does not exist.
    """
    from pathlib import Path

    try:
        from conda.base.context import user_data_dir

        base = Path(user_data_dir("conda", "conda"))
    except Exception:  # no conda (python -m conda_netcheck): nothing was recorded
        base = Path.home() / ".conda"
    return base / FILE_NAME
