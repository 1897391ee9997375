"""The codes of the install path: a body cut short, a package that is not the file, a corrupt index.

One entry per code (layer, who acts, report sentence, README line) and the
builders of its summary and fix; also how a cut index body and a failing
redirect hop are named. What is fetched after the index is in after_index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..model import Code, Layer, Problem
from ..probes import body as bodies
from ..probes.content import html_title, looks_like_html
from ..redact import REDACTOR

if TYPE_CHECKING:
    from ..model import Options, Route, Target

#: Bytes of an index read to measure a body that broke off.
INDEX_PREFIX = 256 * 1024

# -- the new codes: one entry each (layer, who acts, report sentence, README line) --


@dataclass(frozen=True)
class Entry:
    """What a code means, who acts on it, and how the report and README say it."""

    layer: Layer
    who: str
    report: str
    readme: str  # "what it means" in README's table of codes
    fix_line: str  # "the fix netcheck gives" in that table


ENTRIES: dict[Code, Entry] = {
    Code.DOWNLOAD_INCOMPLETE: Entry(
        Layer.HTTP,
        "the network team (a proxy or firewall cutting downloads) or the server's "
        "administrators",
        "A download from this host ends before the length the server announced: "
        "a proxy, filter or firewall cuts it, or the server fails mid-way.",
        "a file (index, shard or package) ends before its Content-Length: a proxy "
        "or firewall cutting downloads, or a failing server; says how far it got",
        "ask the network team whether a proxy or firewall limits download size or "
        "time to HOST:PORT; else tell the server's administrators",
    ),
    Code.DOWNLOAD_MISMATCH: Entry(
        Layer.CONTENT,
        "the network team (a block page) or the mirror's administrators",
        "A package file downloaded from this host is not the file the index "
        "describes (size or sha256 differ), often a block page of a filter.",
        "a package file differs from its index record (size, sha256): an HTML "
        "block page (with its title), or a mirror whose files and index disagree",
        "block page: ask the network team to allow .conda and .tar.bz2 files from "
        "HOST; else tell the mirror's administrators",
    ),
    Code.INDEX_CORRUPT: Entry(
        Layer.CONTENT,
        "the mirror's administrators",
        "The channel's compressed index (repodata.json.zst or the shard index) "
        "does not decode: conda fails on it.",
        "repodata.json.zst, the shard index or a shard does not decode (truncated "
        "or corrupt zstd, a zstd bomb, bad msgpack)",
        "`conda config --set repodata_use_zst false` (or `repodata_use_shards "
        "false`), then `conda clean --index-cache`; tell the mirror's administrators",
    ),
    Code.RANGE_IGNORED: Entry(
        Layer.HTTP,
        "the network team or the server's administrators",
        "This host (or a proxy) ignores Range requests: conda cannot resume an "
        "interrupted package download and starts it again.",
        "a package URL answers `Range: bytes=N-` with the whole file: conda "
        "cannot resume an interrupted download (`.partial` file)",
        "ask the server's (or the proxy's) administrators to support Range requests",
    ),
}


def address_of(url: str) -> str:
    """host:port of a URL, the port by scheme when absent."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def incomplete(what: str, url: str, received: int, announced: int | None) -> Problem:
    """download-incomplete: what ended early, and how far it got."""
    of = f" of {announced:,}" if announced is not None else ""
    hostport = address_of(url)
    return Problem(
        Code.DOWNLOAD_INCOMPLETE,
        ENTRIES[Code.DOWNLOAD_INCOMPLETE].layer,
        f"{what} ({shown(url)}) ended after {received:,}{of} bytes: the connection "
        "closed before the whole file arrived",
        f"ask your network team whether a proxy, filter or firewall between here and "
        f"{hostport} cuts downloads (a size or time limit); if none does, tell the "
        f"administrators of {hostport} that {shown(url)} ends early",
        {"received": received, "announced": announced},
    )


def mismatch(what: str, url: str, why: str, data: bytes, content_type: str) -> Problem:
    """download-mismatch: the file is not what the index describes; a block page says so."""
    hostport = address_of(url)
    title = html_title(data) if looks_like_html(content_type, data.lstrip()) else None
    html = looks_like_html(content_type, data.lstrip()[:1])
    page = ""
    if html:
        page = f"; it is an HTML page{f' titled {title!r}' if title else ''} (a block page)"
    fix = (
        f"a filter or proxy replaces package downloads from {hostport} with a page: ask "
        "your network team to allow .conda and .tar.bz2 files from it"
        if html
        else f"tell the administrators of {hostport} that {shown(url)} does not match "
        "its index record (a mirror out of sync); then: conda clean --packages --tarballs"
    )
    return Problem(
        Code.DOWNLOAD_MISMATCH,
        ENTRIES[Code.DOWNLOAD_MISMATCH].layer,
        f"{what} ({shown(url)}) is not the file the index describes: {why}{page}",
        fix,
        {"title": title, "content_type": content_type, "html": html},
    )


def corrupt(what: str, url: str, why: str, setting: str) -> Problem:
    """index-corrupt: the setting that avoids the file, clearing the cache, who to tell."""
    hostport = address_of(url)
    return Problem(
        Code.INDEX_CORRUPT,
        ENTRIES[Code.INDEX_CORRUPT].layer,
        f"{what} ({shown(url)}) does not decode: {why}",
        f"conda config --set {setting} false (conda then reads repodata.json), then "
        f"conda clean --index-cache; tell the administrators of {hostport} that "
        f"{shown(url)} is broken",
        {"setting": setting},
    )


def range_ignored(url: str) -> Problem:
    """range-ignored: conda resumes .partial downloads with Range."""
    hostport = address_of(url)
    return Problem(
        Code.RANGE_IGNORED,
        ENTRIES[Code.RANGE_IGNORED].layer,
        f"{hostport} answers a Range request for {shown(url)} with the whole file: "
        "an interrupted package download starts again from zero",
        f"ask the administrators of {hostport} (or of the proxy in between) to "
        "support Range requests",
    )


def shown(url: str) -> str:
    """A URL as it may be printed (redacted)."""
    return REDACTOR.text(url)


def index_cut(
    route: Route, options: Options, url: str, filename: str
) -> Problem | None:
    """The index answered 2xx but its body broke off: measure it (download-incomplete)."""
    got = bodies.fetch(
        route.session, url, options.connect_timeout, options.read_timeout, INDEX_PREFIX
    )
    if got.answered and got.ending is bodies.Ending.CUT:
        return incomplete(filename, url, got.received, got.announced)
    return None


def failed_hop(error: BaseException, url: str) -> str | None:
    """The URL of the request that raised, when it is a redirect hop, not url itself."""
    request = getattr(error, "request", None)
    hop = getattr(request, "url", None)
    return hop if hop and hop != url else None


def name_hop(problem: Problem, error: BaseException, url: str, target: Target) -> str:
    """Name the redirect hop that failed in the problem; the URL that failed."""
    hop = failed_hop(error, url)
    if hop is None:
        return url
    hostport = address_of(hop)
    problem.summary += f" (at {shown(hop)}, a redirect from {shown(url)})"
    if problem.code in (
        Code.CONNECTION_REFUSED,
        Code.CONNECT_TIMEOUT,
        Code.DNS_FAILURE,
    ):
        problem.fix = (
            f"{target.host} redirects conda to {hostport}, which fails: ask your network "
            f"team to allow {hostport}, or the administrators of {target.host} to fix "
            "the redirect"
        )
    return hop
