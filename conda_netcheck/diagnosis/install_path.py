"""The codes of the install path: a body cut short, a package that is not the file, a corrupt index.

One entry per code (layer, who acts, report sentence, README line) and the
builders of its summary and fix; also how a cut index body and a failing
redirect hop are named. What is fetched after the index is in after_index.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..model import Code, Layer, Problem, Resource
from ..probes import body as bodies
from ..probes.content import html_title, looks_like_html
from ..probes.http import HttpResult
from ..redact import REDACTOR
from . import advice

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


def answer_problem(
    got: bodies.Body,
    route: Route,
    target: Target,
    what: str,
    why: str,
    resource: Resource,
) -> Problem | None:
    """The problem with one answer after the index: none, an error status, a cut body.

    what: the request in words ("the package x.conda"); why: where conda got
    its URL ("the index's base_url").
    """
    if not got.answered:
        return unreachable(got, route, target, what, why, resource)
    status = got.status or 0
    where = got.final_url or got.url
    if not 200 <= status < 300:
        answer = HttpResult(
            url=where,
            status=status,
            reason=got.reason,
            headers=got.headers,
            head=got.data,
        )
        filename = where.rsplit("/", 1)[-1]
        problem = advice.status_problem(answer, filename, route)
        ctype = got.headers.get("Content-Type", "")
        title = html_title(got.data) if looks_like_html(ctype, got.data) else None
        page = f", an HTML page titled {title!r}" if title else ""
        problem.summary = f"{what} ({shown(where)}): {problem.summary}{page}"
        problem.details.update(status=status, title=title)
        if problem.code is Code.HTTP_FORBIDDEN and title:
            problem.fix = (
                f"a filter or proxy refuses downloads from {address_of(where)} (its "
                f"page: {title!r}): ask your network team to allow .conda and "
                ".tar.bz2 files from it"
            )
        if problem.code is Code.HTTP_NOT_FOUND:
            problem.fix = (
                f"the index lists {filename} but {address_of(where)} does not serve "
                "it: the mirror is incomplete or out of sync; tell its administrators"
            )
        if problem.fix is None:
            hop = replace(target, url=where.rsplit("/", 1)[0])
            problem.fix = advice.fix_for(problem.code, hop)
        return problem
    if got.ending is bodies.Ending.CUT:
        return incomplete(what, where, got.received, got.announced)
    if got.ending is bodies.Ending.STALLED:
        return Problem(
            Code.READ_TIMEOUT,
            Layer.HTTP,
            f"{what} ({shown(where)}) stalled after {got.received:,} bytes",
            advice.fix_for(Code.READ_TIMEOUT, replace(target, url=where)),
        )
    return None


def unreachable(
    got: bodies.Body,
    route: Route,
    target: Target,
    what: str,
    why: str,
    resource: Resource,
) -> Problem:
    """The request raised before any answer: the layer, and the hop that failed."""
    failed = got.failed_url or got.url
    host = urlsplit(failed).hostname or ""
    problem = advice.request_problem(got.error or OSError("no answer"), route, host)
    hop = f", redirected from {shown(got.url)}" if failed != got.url else ""
    problem.summary = f"{what} ({shown(failed)}{hop}): {problem.summary}"
    problem.details["url_failed"] = shown(failed)
    hostport = address_of(failed)
    if problem.code in (
        Code.CONNECTION_REFUSED,
        Code.CONNECT_TIMEOUT,
        Code.DNS_FAILURE,
    ):
        through = " through the proxy" if route.proxy else ""
        problem.fix = (
            f"conda fetches {what} from {hostport} ({why}{hop}): ask your network "
            f"team to allow {hostport}{through}, or the channel's administrators "
            "to serve it from a host that answers"
        )
        if what.startswith(("the shard", "a shard")):
            problem.fix += (
                "; meanwhile conda can skip shards: "
                "conda config --set repodata_use_shards false"
            )
    elif problem.fix is None and problem.layer is not Layer.PROXY:
        problem.fix = advice.fix_for(
            problem.code, replace(target, url=failed.rsplit("/", 1)[0])
        )
    return problem


def undecodable(
    decoded: bodies.Decoded, got: bodies.Body, url: str, what: str, cap: int
) -> Problem | None:
    """Why a shard index or shard fails conda too; None when it decoded or cannot be judged.

    cap: what conda itself decodes at most; output over our bound but under
    conda's cap, or a window we do not allow, is no verdict.
    """
    ctype = got.headers.get("Content-Type", "")
    state = decoded.state
    if state is bodies.Zstd.NOT_ZSTD and looks_like_html(ctype, got.data[:1]):
        return mismatch(what, url, "not zstd", got.data, ctype)
    if state is bodies.Zstd.OVER_BOUND and decoded.size > cap:
        why = f"it expands beyond {cap:,} bytes, so conda refuses it (a zstd bomb?)"
        return corrupt(what, url, why, "repodata_use_shards")
    if state in (
        bodies.Zstd.OK,
        bodies.Zstd.OVER_BOUND,
        bodies.Zstd.WINDOW,
        bodies.Zstd.NO_DECODER,
    ):
        return None
    why = {
        bodies.Zstd.TRUNCATED: f"the zstd frame ends early ({len(got.data):,} bytes)",
        bodies.Zstd.NOT_ZSTD: "it is not zstd",
    }.get(state, f"zstd rejects it ({decoded.error})")
    return corrupt(what, url, why, "repodata_use_shards")


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
