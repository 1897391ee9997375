"""What to check: conda's configuration -> the channel URLs conda would fetch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Code, Finding, Target

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


PUBLIC_ALIAS = "https://conda.anaconda.org"
PUBLIC_DEFAULTS = "https://repo.anaconda.com"
DEFAULTS = "defaults"


def conda_targets(
    channels: Sequence[str] | None = None,
    upstream_alias: str | None = None,
    problems: list[Finding] | None = None,
    configured: Sequence[str] | None = None,
) -> list[Target]:
    """Targets for `channels` (names or URLs), or for every configured channel.

    With `upstream_alias`, a channel served by a mirror gets the URL of the
    public channel it mirrors (for the freshness comparison). A channel conda
    cannot turn into URLs (a broken port, an odd custom_channels entry) is a
    finding in `problems`; the other channels are still checked.
    """
    from conda.base.context import context

    from .netconfig import configured_channels

    # context.channels raises on the first channel it cannot expand: read the
    # names as written, and name each such channel below.
    names = (
        list(channels)
        if channels
        else list(configured_channels() if configured is None else configured)
    )
    subdirs = tuple(context.subdirs)
    targets: list[Target] = []
    seen: set[str] = set()
    for name in names:
        try:
            found = _channel_targets(
                name, subdirs, channels is not None, upstream_alias
            )
        except Exception as exc:  # conda's URL parsing: ValueError, AttributeError
            if problems is not None:
                problems.append(_unusable_channel(name, exc, channels is not None))
            continue
        for target in found:
            if target.url not in seen:
                seen.add(target.url)
                targets.append(target)
    return targets


def _channel_targets(
    name: str, subdirs: tuple[str, ...], from_command_line: bool, alias: str | None
) -> list[Target]:
    from conda.models.channel import Channel

    channel = Channel(name)
    source = channel_source(name, from_command_line)
    targets = []
    for url in channel.urls(with_credentials=True, subdirs=subdirs):
        sub = Channel(url)
        subdir = sub.subdir or url.rstrip("/").rsplit("/", 1)[-1]
        targets.append(
            Target(
                url=url,
                channel=name,
                subdir=subdir,
                source=source,
                upstream=upstream_of(name, sub, subdir, alias),
            )
        )
    return targets


def _unusable_channel(
    name: str, exc: BaseException, from_command_line: bool
) -> Finding:
    """A channel conda cannot turn into URLs: which, why, and where it comes from."""
    from ..redact import REDACTOR
    from .commands import unset_variable
    from .netconfig import raw_channel_source

    origin = "the command line" if from_command_line else "the channels setting"
    try:
        source = (
            (raw_channel_source(str(name)) or origin)
            if "://" in str(name)
            else channel_source(name, from_command_line)
        )
    except Exception:  # the very setting that broke the channel
        source = origin
    reason = REDACTOR.text(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    shown = REDACTOR.url(str(name))
    if _parses(str(name)):
        # conda expands every channel against default_channels, custom_channels
        # and channel_alias: a broken URL there breaks channels that are fine.
        return Finding(
            "channels",
            Code.CONFIG_INVALID,
            f"the channel {shown} (from {source}) cannot be turned into URLs "
            f"although it is well formed: {reason or type(exc).__name__}, from "
            "a URL in default_channels, custom_channels or channel_alias (its "
            "own error names it); conda fails on it too",
            "fix that setting (its own error gives the command); conda config "
            "--show-sources shows where each is set",
        )
    return Finding(
        "channels",
        Code.CONFIG_INVALID,
        f"the channel {shown} (from {source}) cannot be turned "
        f"into URLs: {reason or type(exc).__name__}; conda stops on it too: "
        "conda search, conda install and every command that expands the channels "
        "fail until it is fixed",
        "fix the URL (a port is a number up to 65535, an IPv6 address is written "
        "[addr]:port, special characters in credentials are percent-encoded): "
        + (
            f"set CONDA_CHANNELS right, or `{unset_variable('CONDA_CHANNELS')}`"
            if source == "the CONDA_CHANNELS variable"
            else "conda config --show-sources shows where it is set"
        ),
    )


def _parses(name: str) -> bool:
    """Whether a channel URL parses on its own (a name always does)."""
    from urllib.parse import urlsplit

    try:
        urlsplit(name).port  # noqa: B018 (the property validates the port)
    except ValueError:
        return False
    return True


def upstream_of(name: str, channel, subdir: str, alias: str | None) -> str | None:
    """The public URL a mirrored channel copies, or None for public or custom ones."""
    from conda.common.url import is_url

    if alias is None or is_url(name):
        return None
    base = channel.base_url.rstrip("/")
    if name == "defaults":
        mirrored = "/" + channel.name.strip("/")
        if "/pkgs/" not in mirrored:
            return None
        path = mirrored[mirrored.index("/pkgs/") :]
        upstream = PUBLIC_DEFAULTS if alias == PUBLIC_ALIAS else alias.rstrip("/")
    else:
        path = "/" + name.strip("/")
        upstream = alias.rstrip("/")
    candidate = f"{upstream}{path}"
    if candidate.rstrip("/") == base:
        return None  # this is the upstream itself
    return f"{candidate}/{subdir}"


def channel_source(name: str, from_command_line: bool) -> str:
    """Which setting turned `name` into its URL, in words a user can act on."""
    from conda.base.constants import DEFAULTS_CHANNEL_NAME
    from conda.base.context import context
    from conda.common.url import is_url

    dash_c = dict(getattr(context, "_argparse_args", None) or {}).get("channel") or ()
    if from_command_line:
        origin = "the command line"
    elif name in dash_c:  # conda adds -c channels to context.channels
        origin = "the -c option"
    else:
        origin = "the channels setting"
    if is_url(name):
        return origin
    if name == DEFAULTS_CHANNEL_NAME:
        return f"default_channels (via {origin})"
    if name in context.custom_multichannels:
        return f"custom_multichannels.{name} (via {origin})"
    if name in context.custom_channels:
        return f"custom_channels.{name} (via {origin})"
    return f"channel_alias {context.channel_alias.base_url} (via {origin})"


def repodata_filenames() -> tuple[str, ...]:
    """The files conda asks for, in order; a 404 on all but the last is normal."""
    from conda.base.context import context

    names: list[str] = []
    if getattr(context, "repodata_use_shards", False):
        names.append("repodata_shards.msgpack.zst")
    if getattr(context, "repodata_use_zst", False):
        names.append("repodata.json.zst")
    names.append("repodata.json")
    return tuple(names)


def urls_targets(urls: Iterable[str], subdirs: Sequence[str]) -> list[Target]:
    """Targets for bare channel URLs, without conda (python -m conda_netcheck)."""
    targets = []
    for url in urls:
        base = url.rstrip("/")
        last = base.rsplit("/", 1)[-1]
        if last in KNOWN_SUBDIRS:
            targets.append(
                Target(base, base.rsplit("/", 1)[0], last, "the command line")
            )
            continue
        for subdir in subdirs:
            targets.append(Target(f"{base}/{subdir}", base, subdir, "the command line"))
    return targets


KNOWN_SUBDIRS = frozenset(
    {
        "noarch",
        "linux-32",
        "linux-64",
        "linux-aarch64",
        "linux-armv6l",
        "linux-armv7l",
        "linux-ppc64",
        "linux-ppc64le",
        "linux-riscv64",
        "linux-s390x",
        "osx-64",
        "osx-arm64",
        "win-32",
        "win-64",
        "win-arm64",
        "emscripten-wasm32",
        "wasi-wasm32",
        "zos-z",
    }
)


def native_subdir() -> str:
    """This machine's conda platform subdir, computed without conda."""
    import platform
    import sys

    machine = platform.machine().lower()
    arch = {
        "x86_64": "64",
        "amd64": "64",
        "aarch64": "aarch64",
        "arm64": "arm64",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
    }.get(machine, machine)
    if sys.platform.startswith("linux"):
        return f"linux-{arch}"
    if sys.platform == "darwin":
        return f"osx-{arch}"
    if sys.platform == "win32":
        return f"win-{arch}"
    return f"{sys.platform}-{arch}"
