"""The index request: the repodata formats in conda's order, and what the answer means."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..model import Code, Layer, Problem
from ..probes import content, http
from . import advice, download_problems, http_answer
from .endpoint import port_of, reopener
from .http_answer import content_problem

if TYPE_CHECKING:
    from ..model import Options, Route, RouteFactory, Target, TargetResult


@dataclass(frozen=True)
class IndexFile:
    """The repodata file that answered with a usable 2xx, for the requests after it."""

    filename: str
    answer: http.HttpResult


@dataclass(frozen=True)
class IndexOutcome:
    """What the index request found for one target, for the runner to fold in."""

    problem: Problem | None = None
    url_failed: str | None = None
    #: the URL whose 2xx answer was the index
    fetched: str | None = None
    redirects: list[str] = field(default_factory=list)
    first_byte: float | None = None
    notes: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    found: IndexFile | None = None

    def then(self, later: IndexOutcome) -> IndexOutcome:
        """These findings followed by a later format's: its answer is the last heard."""
        first_byte = self.first_byte if later.first_byte is None else later.first_byte
        return dataclasses.replace(
            later,
            first_byte=first_byte,
            notes=self.notes + later.notes,
            warnings=self.warnings + later.warnings,
        )

    def fold_into(self, result: TargetResult) -> None:
        """Add these findings to a target's result, after the endpoint's."""
        result.redirects = self.redirects
        if self.first_byte is not None:
            result.timings.first_byte = self.first_byte
        result.notes.extend(self.notes)
        result.warnings.extend(self.warnings)
        result.problem = self.problem
        result.url_failed = self.url_failed
        result.fetched = self.fetched


def request_index(
    target: Target, route: Route, route_for: RouteFactory, options: Options
) -> IndexOutcome:
    """HTTP and content: the repodata formats in conda's order, then the checks on it."""
    request = _IndexRequest(target, route, route_for, options)
    so_far = IndexOutcome()
    names = options.filenames
    for number, filename in enumerate(names):
        answer = request.get(filename)
        if _try_next(answer, last=number == len(names) - 1):
            so_far = so_far.then(_skipped(answer, filename, options))
            continue
        return so_far.then(request.answered(answer, filename))
    return so_far


def _try_next(answer: http.HttpResult, last: bool) -> bool:
    """A clean 404 before the last format: optional formats (shards, .zst) are often missing."""
    return (
        answer.error is None
        and not answer.header_defects
        and (answer.status or 0) == 404
        and not last
    )


def _heard(answer: http.HttpResult) -> IndexOutcome:
    """What every answer tells, whole or not: its redirects and its first byte."""
    return IndexOutcome(redirects=answer.redirects, first_byte=answer.first_byte_ms)


def _clock(answer: http.HttpResult, options: Options) -> tuple[Problem, ...]:
    """A warning when the server's clock is off by more than the options allow."""
    skew = _clock_skew(answer)
    if skew is not None and abs(skew) > options.skew_seconds:
        return (advice.clock_skew_problem(skew),)
    return ()


def _skipped(answer: http.HttpResult, filename: str, options: Options) -> IndexOutcome:
    """A 404 for a format conda tries before the next one."""
    return dataclasses.replace(
        _heard(answer),
        notes=(f"{filename}: 404, trying the next format",),
        warnings=_clock(answer, options),
    )


class _IndexRequest:
    """One target's index request: its GETs and the explanations of their answers.

    A plain class: made once per target and never compared or shown, it
    does not pay for the methods a dataclass generates at import.
    """

    __slots__ = ("options", "route", "route_for", "target")

    def __init__(
        self, target: Target, route: Route, route_for: RouteFactory, options: Options
    ) -> None:
        self.target, self.route = target, route
        self.route_for, self.options = route_for, options

    def url(self, filename: str) -> str:
        """The URL of one repodata format in the channel's subdir."""
        return self.target.url.rstrip("/") + "/" + filename

    def get(self, filename: str) -> http.HttpResult:
        """GET one repodata format from the channel, at most max_bytes of it."""
        opts = self.options
        return http.get(
            self.route.session,
            self.url(filename),
            opts.connect_timeout,
            opts.read_timeout,
            max_bytes=opts.max_bytes,
        )

    def answered(self, answer: http.HttpResult, filename: str) -> IndexOutcome:
        """The answer that ends the search: broken off, refused, or the index."""
        heard = _heard(answer)
        if answer.error is not None:
            problem, url_failed = self._unanswered(answer, answer.error, filename)
            return dataclasses.replace(heard, problem=problem, url_failed=url_failed)
        if answer.header_defects:
            return dataclasses.replace(heard, problem=_malformed(answer, filename))
        heard = dataclasses.replace(heard, warnings=_clock(answer, self.options))
        if not 200 <= (answer.status or 0) < 300:
            problem = self._web_server(answer, filename) or http_answer.explain_status(
                self.target,
                self.route,
                answer,
                filename,
                self.get_ok,
                self.options.commands,
            )
            return dataclasses.replace(
                heard, problem=problem, url_failed=answer.final_url or answer.url
            )
        return self._index(heard, answer, filename)

    def _web_server(self, answer: http.HttpResult, filename: str) -> Problem | None:
        """A page through an http:// channel's proxy (an error, or not the index) from a web server there."""
        if not self.route.proxy or urlsplit(self.target.url).scheme != "http":
            return None
        if advice.from_proxy(answer.headers, answer.status or 0):
            return None
        from .tunnel import web_server_as_proxy

        last = self.options.filenames[-1]
        index = self.url(last) if filename != last else None
        return web_server_as_proxy(answer, self.route, self.options, index)

    def _unanswered(
        self, answer: http.HttpResult, error: BaseException, filename: str
    ) -> tuple[Problem, str]:
        """The request raised: a cut body, a transport failure, or what requests said."""
        from . import transport

        target, route, opts = self.target, self.route, self.options
        url = self.url(filename)
        # A 2xx whose body broke off is an incomplete download, not a
        # refusal or a reset: measured by reading it once more.
        cut = answer.status is not None and download_problems.index_cut(
            route, opts, url, filename
        )
        problem = (
            _mislabelled(answer, error, filename)
            or cut
            or self._speaks_tls(answer, error)
            or self._tls_proxy(answer, error)
            or transport.explain_request(
                error,
                target.host,
                port_of(urlsplit(target.url)),
                filename,
                route,
                reopener(target.url, route, opts),
                opts.read_timeout,
                https=urlsplit(target.url).scheme == "https",
            )
            or advice.request_problem(
                error,
                route,
                target.host,
                answered=answer.status is not None,
                timeout=opts.read_timeout,
            )
        )
        return download_problems.name_hop(problem, error, url, target)

    def _tls_proxy(
        self, answer: http.HttpResult, error: BaseException
    ) -> Problem | None:
        """No HTTP answer through an http:// proxy whose port speaks TLS."""
        import requests

        target, route = self.target, self.route
        if answer.status is not None or not route.proxy:
            return None
        if isinstance(error, requests.exceptions.Timeout):
            return None  # a proxy that stalls: asking it again would only wait
        from .tunnel import tls_port_as_proxy, try_direct

        problem = tls_port_as_proxy(route.proxy, self.options)
        if problem is None:
            return None
        port = port_of(urlsplit(target.url))
        return try_direct(target.host, port, problem, self.options)

    def _speaks_tls(
        self, answer: http.HttpResult, error: BaseException
    ) -> Problem | None:
        """An http:// URL whose port got no HTTP answer but speaks TLS."""
        target, route, opts = self.target, self.route, self.options
        parts = urlsplit(target.url)
        if answer.status is not None or parts.scheme != "http" or route.proxy:
            return None
        port = port_of(parts)
        try:
            sock = reopener(target.url, route, opts)()
        except (OSError, ValueError):
            return None
        from ..probes import protocol
        from .tls import wrong_protocol

        spoken = protocol.tls(sock, target.host, opts.read_timeout)
        if spoken is None:
            return None
        seen = f"no HTTP answer ({type(error).__name__})"
        return wrong_protocol(spoken, target.host, port, seen)

    def _index(
        self, heard: IndexOutcome, answer: http.HttpResult, filename: str
    ) -> IndexOutcome:
        """A 2xx: is it repodata, which package formats, how fast, how fresh."""
        heard = dataclasses.replace(heard, fetched=answer.final_url or answer.url)
        problem = content_problem(
            content.inspect(
                filename, answer.headers.get("Content-Type", ""), answer.head
            )
        )
        if problem:
            # A web server named as the proxy may answer every GET with a page.
            problem = self._web_server(answer, filename) or problem
            return dataclasses.replace(heard, problem=problem)
        notes = [f"{filename}: {answer.status}, {len(answer.head)} bytes read"]
        warnings = self._index_warnings(answer, filename)
        upstream = self.target.upstream if self.options.compare_upstream else None
        if upstream:
            note, warning = http_answer.compare_upstream(
                upstream, filename, answer, self.get_ok
            )
            notes.append(note)
            warnings += [warning] if warning else []
        return dataclasses.replace(
            heard,
            notes=(*heard.notes, *notes),
            warnings=(*heard.warnings, *warnings),
            found=IndexFile(filename, answer),
        )

    def _index_warnings(self, answer: http.HttpResult, filename: str) -> list[Problem]:
        """The index's own warnings: the package formats it lists, its speed."""
        opts = self.options
        warnings: list[Problem] = []
        if filename == "repodata.json":
            warning = http_answer.package_formats(self.route, answer, opts)
            warnings += [warning] if warning else []
        if answer.elapsed_ms and answer.elapsed_ms > opts.slow_ms:
            warnings.append(advice.slow_problem(answer.elapsed_ms))
        return warnings

    def get_ok(self, url: str, filename: str) -> http.HttpResult | None:
        """GET url through its own route; the answer when it is a usable 2xx."""
        opts = self.options
        try:
            route = self.route_for(url)
        except Exception:
            return None
        answer = http.get(route.session, url, opts.connect_timeout, opts.read_timeout)
        ok = answer.error is None and 200 <= (answer.status or 0) < 300
        if (
            not ok
            or not content.inspect(
                filename, answer.headers.get("Content-Type", ""), answer.head
            ).fits
        ):
            return None
        return answer


def _malformed(answer: http.HttpResult, filename: str) -> Problem:
    """Headers with a line urllib3 rejects: not an answer conda can read."""
    # http.client stops at the bad line: the rest of the headers
    # (Content-Length, Content-Type) would be read as the body.
    return Problem(
        Code.NOT_A_CHANNEL,
        Layer.HTTP,
        f"the server's answer to {filename} has malformed headers "
        f"({'; '.join(answer.header_defects)}): the headers after it "
        "are read as the body",
        "ask the server's administrators (or the network team, if a "
        "proxy rewrites the traffic) to fix the response headers",
    )


def _clock_skew(answer: http.HttpResult) -> float | None:
    """Server clock minus local clock, in seconds, from the Date header."""
    date = answer.headers.get("Date")
    if not date or answer.received_at is None:
        return None
    try:
        server = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return server - answer.received_at


def _mislabelled(
    answer: http.HttpResult, error: BaseException, filename: str
) -> Problem | None:
    """A body labelled with a Content-Encoding it is not in (conda: ContentDecodingError)."""
    from ..probes.body import undecodable

    if answer.status is None or not undecodable(error):
        return None
    from ..evidence import Details

    encoding = answer.headers.get("Content-Encoding", "") or "an encoding"
    return Problem(
        Code.ENCODING_MISLABELLED,
        Layer.HTTP,
        f"the server labels {filename} `Content-Encoding: {encoding}`, but the body "
        f"is not {encoding}-encoded: decoding it fails (conda fails the same way, "
        "with ContentDecodingError)",
        details=Details(
            status=answer.status, content_type=answer.headers.get("Content-Type")
        ),
    )
