"""What went wrong with one download: a body cut short, a package that is not the file, a corrupt index.

The codes' records (who acts, report sentence, README line) are in the
catalogue; here their summaries and fixes are written from the facts, and a
cut index body and a failing redirect hop are named. Which downloads conda
makes after the index is decided elsewhere: follow_index follows the index
formats, packages checks the packages they lead to.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..model import Code, Layer, Problem, Resource
from ..probes import body as bodies
from ..probes.content import html_title, looks_like_html
from ..probes.http import HttpResult
from ..redact import REDACTOR
from ..urls import format_address, host_port, port_of
from . import advice

if TYPE_CHECKING:
    from ..config.commands import Commands
    from ..model import Options, Route, Target

#: Bytes of an index read to measure a body that broke off.
INDEX_PREFIX = 256 * 1024


def address_of(url: str) -> str:
    """host:port of a URL, the port by scheme when absent."""
    return format_address(urlsplit(url).hostname or "", port_of(url))


def incomplete(what: str, url: str, received: int, announced: int | None) -> Problem:
    """download-incomplete: what ended early, and how far it got."""
    from ..evidence import Details

    of = f" of {announced:,}" if announced is not None else ""
    hostport = address_of(url)
    return Problem(
        Code.DOWNLOAD_INCOMPLETE,
        Layer.HTTP,
        f"{what} ({shown(url)}) ended after {received:,}{of} bytes: the connection "
        "closed before the whole file arrived",
        f"ask your network team whether a proxy, filter or firewall between here and "
        f"{hostport} cuts downloads (a size or time limit); if none does, tell the "
        f"administrators of {hostport} that {shown(url)} ends early",
        Details(received=received, announced=announced),
    )


def mismatch(what: str, url: str, why: str, data: bytes, content_type: str) -> Problem:
    """download-mismatch: the file is not what the index describes; a block page says so."""
    title = html_title(data) if looks_like_html(content_type, data.lstrip()) else None
    html = looks_like_html(content_type, data.lstrip()[:1])
    return replaced(what, url, why, content_type, html, title)


def replaced(
    what: str, url: str, why: str, content_type: str, html: bool, title: str | None
) -> Problem:
    """download-mismatch from what the answer was: an HTML page (and its title) or not."""
    from ..evidence import Details

    hostport = address_of(url)
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
        Layer.CONTENT,
        f"{what} ({shown(url)}) is not the file the index describes: {why}{page}",
        fix,
        Details(title=title, content_type=content_type, html=html),
    )


def corrupt(what: str, url: str, why: str, setting: str, commands: Commands) -> Problem:
    """index-corrupt: the setting that avoids the file, clearing the cache, who to tell."""
    from ..evidence import Details

    hostport = address_of(url)
    return Problem(
        Code.INDEX_CORRUPT,
        Layer.CONTENT,
        f"{what} ({shown(url)}) does not decode: {why}",
        f"{commands.set(setting, 'false')} (conda then reads "
        "repodata.json), then "
        f"conda clean --index-cache; tell the administrators of {hostport} that "
        f"{shown(url)} is broken",
        Details(setting=setting),
    )


def range_ignored(url: str) -> Problem:
    """range-ignored: conda resumes .partial downloads with Range."""
    hostport = address_of(url)
    return Problem(
        Code.RANGE_IGNORED,
        Layer.HTTP,
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
    options: Options,
) -> Problem | None:
    """The problem with one answer after the index: none, an error status, a cut body.

    what: the request in words ("the package x.conda"); why: where conda got
    its URL ("the index's base_url").
    """
    if not got.answered:
        return unreachable(got, route, target, what, why, resource, options)
    status = got.status or 0
    where = got.final_url or got.url
    if not 200 <= status < 300:
        return _status(got, route, target, what, where, options)
    if got.ending is bodies.Ending.CUT:
        return incomplete(what, where, got.received, got.announced)
    if got.ending is bodies.Ending.STALLED:
        problem = Problem(
            Code.READ_TIMEOUT,
            Layer.HTTP,
            f"{what} ({shown(where)}) stalled after {got.received:,} bytes",
        )
        return problem.amended(fix=_fix_at(problem, target, where, options))
    return None


def _status(
    got: bodies.Body,
    route: Route,
    target: Target,
    what: str,
    where: str,
    options: Options,
) -> Problem:
    """An error status for a request after the index, naming the file and a block page."""
    answer = HttpResult(
        url=where,
        status=got.status,
        reason=got.reason,
        headers=got.headers,
        head=got.data,
    )
    filename = where.rsplit("/", 1)[-1]
    problem = advice.status_problem(answer, filename, route)
    ctype = got.headers.get("Content-Type", "")
    title = html_title(got.data) if looks_like_html(ctype, got.data) else None
    page = f", an HTML page titled {title!r}" if title else ""
    fix = problem.fix
    if problem.code is Code.HTTP_FORBIDDEN and title:
        fix = (
            f"a filter or proxy refuses downloads from {address_of(where)} (its "
            f"page: {title!r}): ask your network team to allow .conda and "
            ".tar.bz2 files from it"
        )
    elif problem.code is Code.HTTP_NOT_FOUND:
        fix = (
            f"the index lists {filename} but {address_of(where)} does not serve "
            "it: the mirror is incomplete or out of sync; tell its administrators"
        )
    problem = problem.amended(
        summary=f"{what} ({shown(where)}): {problem.summary}{page}",
        status=got.status,
        title=title,
    )
    return problem.amended(fix=fix or _fix_at(problem, target, where, options))


def _fix_at(problem: Problem, target: Target, url: str, options: Options) -> str | None:
    """The catalogue's fix, written for the host that failed instead of the channel's.

    With the run's commands and timeouts, as the index's fixes are written.
    """
    from . import catalogue

    where = replace(target, url=url.rsplit("/", 1)[0])
    return catalogue.fix_for(
        problem,
        where,
        options.commands,
        options.conda_read_timeout,
        waited=options.read_timeout,
    )


def unreachable(
    got: bodies.Body,
    route: Route,
    target: Target,
    what: str,
    why: str,
    resource: Resource,
    options: Options,
) -> Problem:
    """The request raised before any answer: the layer, and the hop that failed."""
    failed = got.failed_url or got.url
    host = urlsplit(failed).hostname or ""
    problem = _reset(got, failed) or advice.request_problem(
        got.error or OSError("no answer"), route, host
    )
    hop = f", redirected from {shown(got.url)}" if failed != got.url else ""
    problem = problem.amended(
        summary=f"{what} ({shown(failed)}{hop}): {problem.summary}",
        url_failed=shown(failed),
    )
    if problem.code not in _UNREACHABLE:
        if problem.fix is None and problem.layer is not Layer.PROXY:
            return problem.amended(fix=_fix_at(problem, target, failed, options))
        return problem
    hostport = address_of(failed)
    through = " through the proxy" if route.proxy else ""
    fix = (
        f"conda fetches {what} from {hostport} ({why}{hop}): ask your network "
        f"team to allow {hostport}{through}, or the channel's administrators "
        "to serve it from a host that answers"
    )
    if resource is Resource.SHARDS:
        skip = options.commands.set("repodata_use_shards", "false")
        fix += f"; meanwhile conda can skip shards: {skip}"
    return problem.amended(fix=fix)


def _reset(got: bodies.Body, failed: str) -> Problem | None:
    """A reset or clean close with no answer: connection-reset, at the layer it hit."""
    import requests

    from ..probes.handshake import Failure, classify
    from . import transport

    failure = classify(transport.causes(got.error))
    if failure not in (Failure.RESET, Failure.CLOSED):
        return None
    host, port = host_port(failed) or (urlsplit(failed).hostname or "", 0)
    if isinstance(got.error, requests.exceptions.SSLError):
        return transport.handshake_reset(failure, host, port, None)
    return transport.request_reset(failure, host, port, failed.rsplit("/", 1)[-1])


_UNREACHABLE = frozenset(
    {Code.CONNECTION_REFUSED, Code.CONNECT_TIMEOUT, Code.DNS_FAILURE}
)


def undecodable(
    decoded: bodies.Decoded,
    got: bodies.Body,
    url: str,
    what: str,
    cap: int,
    commands: Commands,
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
        return corrupt(what, url, why, "repodata_use_shards", commands)
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
    return corrupt(what, url, why, "repodata_use_shards", commands)


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


def name_hop(
    problem: Problem, error: BaseException, url: str, target: Target
) -> tuple[Problem, str]:
    """The problem with the redirect hop that failed named, and the URL that failed."""
    hop = failed_hop(error, url)
    if hop is None:
        return problem, url
    hostport = address_of(hop)
    more = f" (at {shown(hop)}, a redirect from {shown(url)})"
    if problem.code not in _UNREACHABLE:
        return problem.amended(more=more), hop
    fix = (
        f"{target.host} redirects conda to {hostport}, which fails: ask your network "
        f"team to allow {hostport}, or the administrators of {target.host} to fix "
        "the redirect"
    )
    return problem.amended(more=more, fix=fix), hop
