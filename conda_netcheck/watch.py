"""Which exceptions are network failures, and which commands fetch: cheap enough for every command.

conda calls exception observers for any exception whose class (or a base)
is named in `watch_for`, and post-command hooks after every command; this
module is all that runs before a non-network error is let go, so it imports
nothing.
"""

from __future__ import annotations

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
