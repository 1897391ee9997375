"""Mirrors: nearby channel paths after a 404, and freshness against the upstream."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from ..model import Code, Finding, Status

if TYPE_CHECKING:
    from ..model import Target

#: Path prefixes mirrors commonly put in front of a channel (Artifactory,
#: Nexus, anaconda.cloud: /anaconda/pkgs/main, /cloud/conda-forge).
MIRROR_PREFIXES = ("anaconda", "cloud", "conda")

#: How far behind its upstream a mirror may be before netcheck warns.
STALE_SECONDS = 86400


def nearby_channels(channel_url: str) -> list[str]:
    """Channel base URLs that a mirror may serve instead of channel_url, most likely first."""
    parts = urlsplit(channel_url.rstrip("/"))
    segments = [s for s in parts.path.split("/") if s]
    candidates: list[list[str]] = []
    if segments and segments[0] in MIRROR_PREFIXES:
        candidates.append(segments[1:])  # /anaconda/pkgs/main -> /pkgs/main
    for prefix in MIRROR_PREFIXES:
        if not segments or segments[0] != prefix:
            candidates.append([prefix, *segments])  # /pkgs/main -> /anaconda/pkgs/main
    urls = []
    for path in candidates:
        if path:
            urls.append(urlunsplit(parts._replace(path="/" + "/".join(path))))
    return urls


def behind_seconds(
    mirror_headers: dict[str, str], upstream_headers: dict[str, str]
) -> float | None:
    """How much older the mirror's Last-Modified is than the upstream's, or None."""
    try:
        mirror = parsedate_to_datetime(mirror_headers["Last-Modified"]).timestamp()
        upstream = parsedate_to_datetime(upstream_headers["Last-Modified"]).timestamp()
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return upstream - mirror


def defaults_bypass_mirror(targets: list[Target]) -> list[Finding]:
    """channels go to a mirror while `defaults` still goes to repo.anaconda.com."""
    public = any(
        t.channel == "defaults" and t.host == "repo.anaconda.com" for t in targets
    )
    if not public:  # the usual case: the public host list is not even loaded
        return []
    from .intercept import is_public_channel_host

    mirrored = sorted(
        {
            t.host
            for t in targets
            if t.channel != "defaults" and not is_public_channel_host(t.host)
        }
    )
    if not mirrored:
        return []
    return [
        Finding(
            "default_channels",
            Code.DEFAULTS_NOT_MIRRORED,
            f"your channels use a mirror ({', '.join(mirrored)}) but defaults still "
            "goes to repo.anaconda.com",
            "point default_channels at the mirror too: conda config --add "
            "default_channels https://MIRROR/pkgs/main (or remove defaults from channels)",
            status=Status.WARNING,
        )
    ]


_EMPTY_CONDA = re.compile(rb'"packages\.conda"\s*:\s*\{\s*\}')
_SOME_PACKAGE = re.compile(rb'"packages"\s*:\s*\{\s*"')


def lists_packages(head: bytes) -> bool:
    """The first bytes of repodata.json show at least one .tar.bz2 package."""
    return bool(_SOME_PACKAGE.search(head))


def no_conda_packages(tail: bytes) -> bool:
    """The last bytes of repodata.json show an empty "packages.conda"."""
    return bool(_EMPTY_CONDA.search(tail))
