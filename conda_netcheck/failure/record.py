"""The last network failure conda hit: recorded by an exception observer, read by netcheck.

conda calls the observer on its error path, so recording must be cheap, must
not touch the network, and must never raise. What is stored is redacted before
it reaches the disk: the command, the failing URL, the exception chain (classes
and messages, each bounded), conda's version and the time.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .watch import (  # noqa: F401 (record_path and FILE_NAME are this module's API)
    FILE_NAME,
    INDEX_COMMANDS,
    PACKAGE_COMMANDS,
    network_leaf,
    record_path,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

#: The last failure is shown for a day unless the caller asks otherwise.
DEFAULT_MAX_AGE = 24 * 3600.0
#: Bounds on what is stored: the file never grows past MAX_BYTES.
MAX_BYTES = 8192
MAX_LINKS = 6
MAX_MESSAGE = 400
MAX_COMMAND = 300
MAX_URL = 2000
SCHEMA = 1
#: The plugin setting that turns recording off (see config/settings.py).
REMEMBER_SETTING = "netcheck_remember_failures"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
#: Windows has no POSIX owner or mode bits to judge a record by.
WINDOWS = os.name == "nt"

#: conda's index files; any of them may be the one recorded.
INDEX_FILES = frozenset(
    {
        "repodata_shards.msgpack.zst",
        "repodata.json",
        "repodata.json.zst",
        "current_repodata.json",
        "current_repodata.json.zst",
    }
)
#: conda's token segment (anaconda.org style): not part of where a channel is.
_TOKEN = re.compile(r"/t/[^/]+(?=/|$)")


@dataclass(frozen=True)
class Link:
    """One exception of the chain: its class and its message, redacted."""

    type: str
    message: str


@dataclass(frozen=True)
class LastFailure:
    """A recorded network failure, already redacted."""

    when: float  # seconds since the epoch
    command: str
    url: str | None
    chain: tuple[Link, ...] = field(default_factory=tuple)
    conda_version: str | None = None

    @property
    def error(self) -> str:
        """The failure in one line: the first class and the first line of its message."""
        if not self.chain:
            return "unknown error"
        first = self.chain[0]
        line = _first_line(first.message)
        return f"{first.type}: {line}" if line else first.type

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        data = asdict(self)
        data["schema"] = SCHEMA
        return data


# -- recording (on conda's error path) -------------------------------------


def observe(event: Any) -> None:
    """The exception observer: record a network failure; never raises."""
    try:
        # conda matches watch_for by name only: a CondaMultiError without a
        # network error inside, or another CondaDependencyError, ends here.
        if network_leaf(event.exc_value) is None or not _enabled():
            return
        failure = from_exception(
            event.exc_value, event.argv or tuple(sys.argv), event.conda_version
        )
        if failure is not None:
            save(failure, record_path())
    except Exception:  # an observer must never disturb conda's error report
        return


def _enabled() -> bool:
    """plugins.netcheck_remember_failures, read without importing the settings module."""
    try:
        from conda.base.context import context

        return bool(getattr(context.plugins, REMEMBER_SETTING, True))
    except Exception:  # conda without plugin settings, or an invalid value
        return True


def from_exception(
    exc: BaseException,
    argv: Sequence[str],
    conda_version: str | None,
    now: float | None = None,
) -> LastFailure | None:
    """A redacted record of a network failure, or None when exc is not one."""
    leaf = network_leaf(exc)
    if leaf is None:
        return None
    from ..redact import REDACTOR

    _register_secrets(REDACTOR, argv)
    links = tuple(
        Link(type(e).__name__, _bounded(_scrub(_message(e), REDACTOR), MAX_MESSAGE))
        for e in chain(leaf)
    )
    url = failing_url(leaf)
    return LastFailure(
        when=time.time() if now is None else now,
        command=_bounded(_scrub(command_line(argv), REDACTOR), MAX_COMMAND),
        url=REDACTOR.url(url) if url else None,
        chain=links,
        conda_version=conda_version,
    )


def chain(exc: BaseException) -> Iterator[BaseException]:
    """exc, then its causes (conda raises inside `except` blocks without `from`)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < MAX_LINKS:
        seen.add(id(current))
        yield current
        caused_by = getattr(current, "_caused_by", None)
        current = (
            current.__cause__
            or (caused_by if isinstance(caused_by, BaseException) else None)
            or current.__context__
        )


def failing_url(exc: BaseException) -> str | None:
    """The URL conda was fetching: conda's url kwarg, else the request of a requests error."""
    for link in chain(exc):
        kwargs = getattr(link, "_kwargs", None) or {}
        if isinstance(kwargs.get("url"), str) and kwargs["url"]:
            return kwargs["url"]
        for holder in ("request", "response"):
            url = getattr(getattr(link, holder, None), "url", None)
            if isinstance(url, str) and url:
                return url
    return None


def _message(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return ""


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def command_line(argv: Sequence[str]) -> str:
    """`conda <subcommand> ...` as typed, whatever the executable's path was."""
    import shlex

    args = list(argv[1:]) if argv else []
    return " ".join(["conda", *(shlex.quote(a) for a in args)])


# conda prints some URLs through repr() and unquoting that drop the ":" of
# "://" ('http//user:pass@host/t/tok/...'): no URL pattern matches those.
_SCHEMELESS_USERINFO = re.compile(r"//[^/\s'\"<>@]+@")
_TOKEN_SEGMENT = re.compile(r"/t/[^/\s'\"<>]+")


def _scrub(text: str, redactor: Any) -> str:
    text = _SCHEMELESS_USERINFO.sub("//<redacted>@", text)
    text = _TOKEN_SEGMENT.sub("/t/<TOKEN>", text)
    return redactor.text(text)


def _register_secrets(redactor: Any, argv: Sequence[str]) -> None:
    """Credentials that may appear in messages without a URL around them.

    The proxy variables, conda's proxy_servers and channels, and any URL on
    the command line (`-c https://user:pass@host/...`). Not custom_channels:
    building conda's Channel objects would cost the error path milliseconds,
    and their URLs are redacted by pattern anyway.
    """
    names = PROXY_VARIABLES + tuple(n.lower() for n in PROXY_VARIABLES)
    urls = [os.environ.get(name) for name in names]
    urls += [arg for arg in argv if "@" in arg or "/t/" in arg]
    try:
        from conda.base.context import context

        urls += list((context.proxy_servers or {}).values())
        urls += [str(c) for c in context.channels]
    except Exception:
        pass
    for url in urls:
        if url:
            redactor.add_url_credentials(url)


def save(failure: LastFailure, path: Path) -> None:
    """Write the record atomically, readable by its owner only, at most MAX_BYTES."""
    data = failure.to_dict()
    data["url"] = _bounded(data["url"], MAX_URL) if data["url"] else None
    data["command"] = _bounded(data["command"], MAX_COMMAND)
    data["chain"] = [
        {
            "type": _bounded(link["type"], 100),
            "message": _bounded(link["message"], MAX_MESSAGE),
        }
        for link in data["chain"][:MAX_LINKS]
    ]
    text = json.dumps(data)
    while len(text.encode()) > MAX_BYTES and data["chain"]:
        data["chain"] = data["chain"][:-1]  # the outermost errors matter most
        text = json.dumps(data)
    if len(text.encode()) <= MAX_BYTES:  # never a truncated, unreadable record
        write_private(path, text.encode())


def write_private(path: Path, data: bytes) -> None:
    """Replace path atomically with data, mode 0600 in a 0700 directory (POSIX).

    Atomic for readers (a rename), but not fsynced: this runs on conda's error
    path, where an fsync can cost milliseconds, and a record lost to a power
    cut only means netcheck starts from scratch (load() ignores a broken one).
    Not the .condarc writer either: that one keeps a file's mode and owner,
    fsyncs, and imports difflib and ruamel.
    """
    import tempfile

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file 0600 on POSIX; on Windows the profile's ACLs apply.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def place(url: str) -> tuple[str, str, int | None, str]:
    """Where a URL points, credentials and conda's /t/<token> segment aside."""
    from ..urls import default_port

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a redacted or broken authority: no place
        return ("", "", None, url)
    path = _TOKEN.sub("", parts.path).rstrip("/")
    return (
        parts.scheme.lower(),
        (parts.hostname or "").lower(),
        port or default_port(parts.scheme),
        path,
    )


# -- clearing (after a command that worked) --------------------------------


def resolved(command: str) -> None:
    """conda's post-command action: a fetching command that worked clears the record.

    Runs after every successful fetching command, so the common case (no
    record) is one stat. The record goes only when this command fetched from
    the failing channel: the network, not the cache (not offline, not
    use_index_cache), and, for a package, a command that downloads packages.
    Never raises.
    """
    try:
        path = record_path()
        if not path.exists():
            return
        failure = load(path, max_age=0)
        if failure is not None and _fetched_again(failure, command):
            forget(path)
    except Exception:  # a post-command hook must never turn success into an error
        return


def _fetched_again(failure: LastFailure, command: str) -> bool:
    """Whether `command`, which just worked, fetched from where the failure was."""
    from conda.base.context import context

    if context.offline or getattr(context, "use_index_cache", False):
        return False
    if failure.url is None:  # nowhere recorded: a fetch that worked is the evidence
        return command in INDEX_COMMANDS
    from conda.models.channel import all_channel_urls

    directory, _, filename = failure.url.rstrip("/").rpartition("/")
    if filename not in INDEX_FILES and command not in PACKAGE_COMMANDS:
        return False
    where = place(directory)
    return any(place(url) == where for url in all_channel_urls(context.channels))


# -- reading (in `conda netcheck` and `conda doctor`) ----------------------


def load(
    path: Path | None = None, max_age: float = DEFAULT_MAX_AGE
) -> LastFailure | None:
    """The recorded failure when it is recent, ours and well formed; else None."""
    path = path or record_path()
    try:
        if not _owned_by_us(path):
            return None
        with open(path, "rb") as handle:
            data = json.loads(handle.read(MAX_BYTES + 1)[:MAX_BYTES])
        failure = LastFailure(
            when=float(data["when"]),
            command=str(data["command"]),
            url=data.get("url") or None,
            chain=tuple(Link(str(d["type"]), str(d["message"])) for d in data["chain"]),
            conda_version=data.get("conda_version"),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if max_age and time.time() - failure.when > max_age:
        return None
    return failure


def _owned_by_us(path: Path) -> bool:
    """On POSIX, a record another user could have written is not believed."""
    status = path.stat()
    if WINDOWS:  # no POSIX owner or mode bits; the profile directory is the user's
        return True
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def forget(path: Path | None = None) -> bool:
    """Delete the record; True when there was one."""
    try:
        (path or record_path()).unlink()
    except FileNotFoundError:
        return False
    return True


def ago(when: float, now: float | None = None) -> str:
    """'5 minutes ago'-style age."""
    seconds = max(0, int((time.time() if now is None else now) - when))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now" if seconds < 10 else f"{seconds} seconds ago"
