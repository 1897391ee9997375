"""Run the layer probes for every target concurrently and name the first broken layer."""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from ..model import (
    Code,
    Layer,
    Options,
    Problem,
    Route,
    RouteFactory,
    TargetResult,
    Timings,
)
from ..probes import content, dns, http, proxy, tcp, tls
from . import advice, after_index, install_path, mirrors

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..model import Target


@dataclass
class _Path:
    """What the layers below HTTP found for one endpoint, shared by its targets."""

    problem: Problem | None = None
    timings: Timings = field(default_factory=Timings)
    notes: list[str] = field(default_factory=list)


def diagnose(
    targets: Iterable[Target],
    route_for: RouteFactory,
    options: Options,
    on_result: Callable[[TargetResult], None] | None = None,
) -> list[TargetResult]:
    """Diagnose every target; results come back in the order of `targets`."""
    targets = list(targets)
    if options.offline:
        return [_offline(t) for t in targets]
    runner = _Runner(route_for, options)
    pool = ThreadPoolExecutor(
        max_workers=max(1, min(options.max_workers, len(targets))),
        thread_name_prefix="netcheck",
    )
    futures = {pool.submit(runner.run, t): i for i, t in enumerate(targets)}
    results: list[TargetResult | None] = [None] * len(targets)
    deadline = time.monotonic() + options.deadline
    pending = set(futures)
    while pending:
        done, pending = wait(
            pending,
            timeout=max(0.0, deadline - time.monotonic()),
            return_when=FIRST_COMPLETED,
        )
        if not done:
            break
        for future in done:
            result = future.result()
            results[futures[future]] = result
            if on_result:
                on_result(result)
    # Whatever is still running has outlived the run's bound: report it as
    # such instead of waiting (the worker threads end on their own timeouts).
    pool.shutdown(wait=False, cancel_futures=True)
    for future in pending:
        target = targets[futures[future]]
        result = TargetResult(
            target,
            Problem(
                Code.READ_TIMEOUT,
                Layer.HTTP,
                f"no answer within the run's limit of {options.deadline:g} s",
                fix=advice.fix_for(Code.READ_TIMEOUT, target),
            ),
        )
        results[futures[future]] = result
        if on_result:
            on_result(result)
    return [r for r in results if r is not None]


def _offline(target: Target) -> TargetResult:
    return TargetResult(
        target,
        Problem(
            Code.OFFLINE_MODE,
            Layer.CONFIG,
            "conda is in offline mode: it will not download anything",
            fix=advice.fix_for(Code.OFFLINE_MODE, target),
        ),
    )


class _Runner:
    """Per-run state: the shared endpoint probes and their locks."""

    def __init__(self, route_for: RouteFactory, options: Options) -> None:
        self.route_for = route_for
        self.options = options
        self._paths: dict[tuple, _Path] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()

    def run(self, target: Target) -> TargetResult:
        start = time.monotonic()
        result = self._run(target)
        result.timings.total = (time.monotonic() - start) * 1000
        if result.problem and result.problem.fix is None:
            result.problem.fix = advice.fix_for(result.problem.code, target)
        for warning in result.warnings:
            if warning.fix is None:
                warning.fix = advice.fix_for(warning.code, target)
        return result

    def _run(self, target: Target) -> TargetResult:
        try:
            route = self.route_for(target.url)
        except Exception as exc:  # a broken setting, reported not raised
            return TargetResult(target, advice.route_problem(exc))
        target.proxy = route.proxy
        target.proxy_source = route.proxy_source
        target.verify = (
            "truststore (the OS store)" if route.ssl_context else route.verify
        )
        url = urlsplit(target.url)
        result = TargetResult(target)
        if route.credentials:
            result.credentials = [c.describe() for c in route.credentials(target.url)]
        if url.scheme in ("http", "https"):
            path = self._path(url.scheme, url.hostname or "", _port(url), route)
            result.timings = Timings(**vars(path.timings))
            result.notes.extend(path.notes)
            if path.problem is not None:
                result.problem = path.problem
                return result
        self._fetch(target, route, result)
        return result

    # -- the layers below HTTP, once per endpoint --------------------------

    def _path(self, scheme: str, host: str, port: int, route: Route) -> _Path:
        key = (scheme, host, port, route.proxy, str(route.verify), str(route.cert))
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._paths:
                self._paths[key] = self._probe_path(scheme, host, port, route)
            return self._paths[key]

    def _probe_path(self, scheme: str, host: str, port: int, route: Route) -> _Path:
        opts = self.options
        path = _Path()
        if route.proxy:
            broken = _unusable_proxy(route)
            if broken:
                path.problem = broken
                return path
            from requests.utils import prepend_scheme_if_needed

            # As requests does before it connects (a scheme-less IP:port works).
            proxy_url = urlsplit(prepend_scheme_if_needed(route.proxy, "http"))
            peer_host, peer_port = proxy_url.hostname or "", proxy_url.port or 8080
            what = f"the proxy {peer_host}:{peer_port}"
        else:
            peer_host, peer_port, what = host, port, f"{host}:{port}"
        lookup = dns.resolve(peer_host, peer_port, opts.connect_timeout, opts.resolver)
        path.timings.dns = lookup.elapsed_ms
        if lookup.problem:
            path.problem = _at_proxy(lookup.problem, route)
            if route.proxy:
                self._try_direct(host, port, path.problem)
            return path
        connected = tcp.connect(lookup.addresses, opts.connect_timeout, what)
        path.timings.connect = connected.elapsed_ms
        if connected.problem:
            path.problem = _at_proxy(connected.problem, route)
            if route.proxy:
                self._try_direct(host, port, path.problem)
            return path
        path.notes.append(f"connected to {what} ({connected.peer})")
        sock = connected.sock
        if route.proxy and proxy_url.scheme.startswith("socks"):
            # No CONNECT to probe: the GET below goes through the SOCKS proxy.
            sock.close()
            return path
        if route.proxy and proxy_url.scheme == "https":
            # requests speaks TLS to an https:// proxy before anything else.
            sock, problem = self._tls_to_proxy(sock, peer_host, route)
            if problem:
                path.problem = problem
                return path
        if route.proxy and scheme == "https":
            answer = proxy.connect(
                sock, host, port, route.proxy, opts.read_timeout, route.proxy_source
            )
            path.timings.connect = (path.timings.connect or 0) + (
                answer.elapsed_ms or 0
            )
            if answer.problem:
                path.problem = answer.problem
                if answer.status == 403:
                    path.problem.fix = (
                        f"ask your network team to allow CONNECT to {host}:{port} "
                        "through the proxy"
                    )
                self._try_direct(host, port, path.problem)
                return path
            path.notes.append(f"the proxy opened a tunnel to {host}:{port}")
            sock = answer.sock
        elif scheme != "https" or route.proxy:
            # Plain HTTP: the GET below is the test (through the proxy if any).
            sock.close()
            return path
        try:
            context = tls.trust_context(route.verify, route.cert, route.ssl_context)
        except (OSError, ValueError) as exc:
            sock.close()
            path.problem = advice.trust_setting_problem(exc, route)
            return path
        shaken = tls.handshake(sock, host, context, opts.read_timeout)
        path.timings.tls = shaken.elapsed_ms
        if shaken.problem:
            path.problem = shaken.problem
            if shaken.problem.code in advice.CERTIFICATE_CODES:

                def reopen() -> Any:
                    return self._reopen(lookup.addresses, what, host, port, route)

                self._explain_certificate(shaken.problem, host, route, reopen)
            return path
        path.notes.append(f"TLS {shaken.version} with {host}")
        return path

    def _clock_first(
        self, problem: Problem, host: str, reopen: Callable[[], Any]
    ) -> None:
        """A certificate 'expired' or 'not yet valid' is often this machine's clock."""
        import time

        try:
            server = tls.server_date(reopen(), host, self.options.read_timeout)
        except OSError:
            return
        if server is None:
            return
        skew = server - time.time()
        problem.details["clock_skew_seconds"] = round(skew)
        if abs(skew) > self.options.skew_seconds:
            direction = "behind" if skew > 0 else "ahead of"
            problem.summary = (
                f"this machine's clock is {advice.duration(abs(skew))} {direction} the "
                f"server's: set it right first; {problem.summary}"
            )
            problem.fix = advice.CLOCK_FIX

    def _reopen(
        self, addresses: list, what: str, host: str, port: int, route: Route
    ) -> Any:
        """A new socket to host:port by the same way (direct, or a CONNECT tunnel)."""
        opts = self.options
        connected = tcp.connect(addresses, opts.connect_timeout, what)
        if connected.sock is None:
            raise OSError(
                connected.problem.summary if connected.problem else "no socket"
            )
        if not route.proxy:
            return connected.sock
        sock = connected.sock
        if urlsplit(route.proxy).scheme == "https":
            sock, problem = self._tls_to_proxy(sock, what, route)
            if problem:
                raise OSError(problem.summary)
        answer = proxy.connect(sock, host, port, route.proxy, opts.read_timeout)
        if answer.sock is None:
            raise OSError(answer.problem.summary if answer.problem else "no tunnel")
        return answer.sock

    def _explain_certificate(
        self, problem: Problem, host: str, route: Route, reopen: Callable[[], Any]
    ) -> None:
        """Show the presented chain and who trusts it; name interception and its fix."""
        from ..probes import chain
        from . import intercept

        timeout = self.options.read_timeout
        try:
            presented = chain.read_chain(reopen(), host, timeout, reconnect=reopen)
        except OSError as exc:
            problem.details["chain_error"] = str(exc)
            return
        if not presented.certs:
            return
        described = [chain.describe(der) for der in presented.certs]
        problem.details["chain"] = described
        problem.details["certificate"] = described[0]
        if not presented.complete:
            problem.details["chain_note"] = "only the leaf could be read"
        conda_bundle = route.verify if isinstance(route.verify, str) else None
        conda_ok, conda_why = (
            chain.verifies_with_truststore(reopen, host, timeout)
            if route.ssl_context is not None
            else chain.verifies_with(presented.certs, host, cafile=conda_bundle)
        )
        public_ok, public_why = chain.verifies_with(presented.certs, host)
        os_ok, os_why = chain.verifies_with_truststore(reopen, host, timeout)
        problem.details["trusted_by"] = {
            "conda": conda_ok,
            "certifi": public_ok,
            "os": os_ok,
        }
        problem.details["trust_reasons"] = {
            "conda": conda_why,
            "certifi": public_why,
            "os": os_why,
        }
        if problem.code in (Code.TLS_EXPIRED, Code.TLS_NOT_YET_VALID):
            self._clock_first(problem, host, reopen)
        if problem.code is not Code.TLS_UNTRUSTED:
            return
        truststore_usable = not route.proxy or route.truststore_through_proxy
        problem.details["truststore_usable"] = truststore_usable
        verdict = intercept.interception_verdict(
            described,
            via_proxy=bool(route.proxy),
            host=host,
            publicly_trusted=bool(public_ok),
            # The OS store only helps if this conda uses it on this route.
            os_trusts=os_ok if truststore_usable else False,
            conda_trusts=bool(conda_ok),
        )
        if verdict["code"]:
            problem.code = Code(verdict["code"])
            problem.summary = verdict["summary"]
            problem.fix = verdict["fix"]
            if os_ok and not truststore_usable:
                problem.fix += (
                    "; the operating system trusts it, but this conda ignores "
                    "ssl_verify: truststore behind a proxy (conda >= 26.7 uses it: "
                    'conda install "conda>=26.7")'
                )
            problem.details["product"] = verdict["product"]
            problem.details["issuer"] = verdict["issuer"]
        if problem.code is Code.TLS_INTERCEPTED:
            return
        leaf = described[0]
        if (
            len(presented.certs) == 1
            and presented.complete
            and not leaf.get("self_issued")
            and conda_why
            and "intermediate" in conda_why
        ):
            # Not an untrusted authority: the server forgot its intermediate.
            problem.summary = f"{host}: {conda_why}"
            problem.fix = (
                f"ask the administrators of {host} to serve the full certificate chain "
                "(their certificate and the intermediate certificates)"
            )
            problem.details["missing_intermediate"] = True
            return

    def _tls_to_proxy(
        self, sock: Any, proxy_host: str, route: Route
    ) -> tuple[Any, Problem | None]:
        """The TLS session to an https:// proxy; most proxies speak plain HTTP."""
        import ssl

        timeout = self.options.read_timeout
        try:
            context = tls.trust_context(route.verify, None, route.ssl_context)
            sock.settimeout(timeout)
            return context.wrap_socket(sock, server_hostname=proxy_host), None
        except (ssl.SSLError, OSError, ValueError) as exc:
            sock.close()
            reason = getattr(exc, "reason", None) or str(exc)
            text = str(reason).upper()
            plain = "WRONG_VERSION_NUMBER" in text or "RECORD LAYER" in text
            stalled = isinstance(exc, TimeoutError) or "TIMED OUT" in text
            if plain:
                summary = (
                    "the proxy URL says https://, but the proxy speaks plain HTTP "
                    f"(TLS fails with {reason})"
                )
            elif stalled:
                summary = (
                    f"the https:// proxy did not complete a TLS handshake within "
                    f"{timeout:g} s: it most likely speaks plain HTTP"
                )
            else:
                summary = f"the TLS session to the https:// proxy failed ({reason})"
            address = f"{proxy_host}:{urlsplit(route.proxy or '').port}"
            key = (route.proxy_source or "proxy_servers.https").removeprefix(
                "proxy_servers."
            )
            fix = (
                f"conda config --set proxy_servers.{key} http://{address} (http:// even "
                "for the https key)"
                if (route.proxy_source or "").startswith("proxy_servers.")
                else f"use http://{address} as the proxy URL"
            )
            return None, Problem(
                Code.PROXY_MISCONFIGURED,
                Layer.PROXY,
                summary,
                fix if plain or stalled else None,
            )

    def _try_direct(self, host: str, port: int, problem: Problem) -> None:
        """One bounded direct attempt: is the proxy the problem, or required?"""
        opts = self.options
        if not opts.try_direct:
            return
        lookup = dns.resolve(host, port, opts.connect_timeout, opts.resolver)
        outcome = lookup.problem
        if outcome is None:
            direct = tcp.connect(
                lookup.addresses, opts.connect_timeout, f"{host}:{port}"
            )
            outcome = direct.problem
            if direct.sock:
                direct.sock.close()
        if outcome is None:
            problem.details["direct"] = "works"
            problem.summary += (
                f"; a direct connection to {host}:{port} works, so the proxy is the "
                "problem"
            )
        else:
            problem.details["direct"] = outcome.code.value
            problem.summary += (
                f"; a direct connection to {host}:{port} fails too ({outcome.code.value}),"
                " so this network needs the proxy"
            )

    # -- HTTP and content, per target --------------------------------------

    def _fetch(self, target: Target, route: Route, result: TargetResult) -> None:
        opts = self.options
        base = target.url.rstrip("/") + "/"
        for index, filename in enumerate(opts.filenames):
            last = index == len(opts.filenames) - 1
            answer = http.get(
                route.session, base + filename, opts.connect_timeout, opts.read_timeout
            )
            result.redirects = answer.redirects
            if answer.first_byte_ms is not None:
                result.timings.first_byte = answer.first_byte_ms
            if answer.error is not None:
                url = base + filename
                # A 2xx whose body broke off is an incomplete download, not a refusal.
                cut = answer.status is not None and install_path.index_cut(
                    route, opts, url, filename
                )
                result.problem = cut or advice.request_problem(
                    answer.error, route, target.host
                )
                result.url_failed = install_path.name_hop(
                    result.problem, answer.error, url, target
                )
                return
            skew = _clock_skew(answer)
            if skew is not None and abs(skew) > opts.skew_seconds:
                result.warnings.append(advice.clock_skew_problem(skew))
            status = answer.status or 0
            if status == 404 and not last:
                # Optional formats (shards, .zst) are missing on many servers.
                result.notes.append(f"{filename}: 404, trying the next format")
                continue
            if not 200 <= status < 300:
                result.problem = advice.status_problem(answer, filename, route)
                result.url_failed = answer.final_url or answer.url
                if status in (401, 403, 429) and result.problem.layer is Layer.HTTP:
                    self._explain_refusal(target, route, answer, result.problem)
                if status == 404 and result.problem.code is Code.HTTP_NOT_FOUND:
                    self._look_nearby(target, route, filename, result.problem)
                return
            result.fetched = answer.final_url or answer.url
            problem = content.check(
                filename, answer.headers.get("Content-Type", ""), answer.head
            )
            if problem:
                result.problem = problem
                return
            result.notes.append(f"{filename}: {status}, {len(answer.head)} bytes read")
            if filename == "repodata.json":
                self._check_package_formats(route, answer, result)
            if answer.elapsed_ms and answer.elapsed_ms > opts.slow_ms:
                result.warnings.append(advice.slow_problem(answer.elapsed_ms))
            upstream = target.upstream if opts.compare_upstream else None
            if upstream:
                self._compare_upstream(upstream, filename, answer, result)
            after_index.follow(
                target, self.route_for, opts, filename, answer
            ).fold_into(result)
            return

    def _explain_refusal(
        self, target: Target, route: Route, answer: http.HttpResult, problem: Problem
    ) -> None:
        """What conda sent, what the server said, and the fix for that kind of channel."""
        from ..config import credentials as creds

        reason = creds.server_reason(
            answer.head, answer.headers.get("Content-Type", "")
        )
        sent = route.credentials(target.url) if route.credentials else []
        status = answer.status or 0
        if status == 429:
            fix = creds.tos_or_rate_fix(
                status,
                reason,
                answer.headers.get("Retry-After"),
                channel=target.channel,
            )
            if reason:
                problem.summary += f'; the server says: "{reason}"'
            if fix:
                problem.fix = fix
            return
        suffix, fix = creds.advice_for_status(
            status, target.host, sent, reason, channel=target.channel
        )
        problem.summary += suffix
        problem.details["credentials"] = [c.describe() for c in sent]
        if fix:
            problem.fix = fix

    def _check_package_formats(
        self, route: Route, answer: http.HttpResult, result: TargetResult
    ) -> None:
        """A mirror that lists only .tar.bz2 packages: read the last 4 KiB only.

        repodata.json keeps "packages.conda" after "packages", so its tail
        shows an empty "packages.conda" without downloading the file.
        """
        if not mirrors.lists_packages(answer.head):
            return
        url = answer.final_url or answer.url
        opts = self.options
        tail = http.get(
            route.session,
            url,
            opts.connect_timeout,
            opts.read_timeout,
            extra_headers={"Range": f"bytes=-{http.MAX_BYTES}"},
        )
        if tail.status == 206 and mirrors.no_conda_packages(tail.head):
            result.warnings.append(
                Problem(
                    Code.TAR_BZ2_ONLY,
                    Layer.CONTENT,
                    "this channel lists only .tar.bz2 packages (its packages.conda is "
                    "empty): a mirror that drops the .conda format",
                    "ask the mirror's administrators to mirror .conda packages too",
                )
            )

    def _get_ok(self, url: str, filename: str) -> http.HttpResult | None:
        """GET url through its own route; the answer when it is a usable 2xx."""
        opts = self.options
        try:
            route = self.route_for(url)
        except Exception:
            return None
        answer = http.get(route.session, url, opts.connect_timeout, opts.read_timeout)
        ok = answer.error is None and 200 <= (answer.status or 0) < 300
        if not ok or content.check(
            filename, answer.headers.get("Content-Type", ""), answer.head
        ):
            return None
        return answer

    def _look_nearby(
        self, target: Target, route: Route, filename: str, problem: Problem
    ) -> None:
        """After a 404, is the channel elsewhere on this server, or only this subdir missing?"""
        base = target.url.rstrip("/")
        channel_url, subdir = base.rsplit("/", 1)
        other = "noarch" if subdir != "noarch" else None
        if other and self._get_ok(f"{channel_url}/{other}/{filename}", filename):
            problem.summary += f"; the channel exists there but has no {subdir}"
            problem.details["missing_subdir"] = subdir
            return
        if subdir == "noarch":
            problem.summary += (
                "; a channel without noarch is incomplete (conda needs it)"
            )
        for candidate in mirrors.nearby_channels(channel_url)[:4]:
            if self._get_ok(f"{candidate}/{subdir}/{filename}", filename):
                problem.summary += f"; this server has the channel at {candidate}"
                problem.details["nearby"] = candidate
                where = f"in {target.source}" if target.source else ""
                problem.fix = (
                    f"use {candidate} instead of {channel_url} {where}".strip()
                )
                return

    def _compare_upstream(
        self,
        upstream: str,
        filename: str,
        answer: http.HttpResult,
        result: TargetResult,
    ) -> None:
        """Warn when the mirror's repodata is more than a day older than the upstream's."""
        theirs = self._get_ok(f"{upstream.rstrip('/')}/{filename}", filename)
        if theirs is None:
            result.notes.append(f"upstream {upstream}: not reachable, not compared")
            return
        behind = mirrors.behind_seconds(answer.headers, theirs.headers)
        if behind is None:
            result.notes.append(f"upstream {upstream}: no Last-Modified to compare")
            return
        result.notes.append(f"upstream {upstream}: mirror behind by {behind:.0f} s")
        if behind > mirrors.STALE_SECONDS:
            result.warnings.append(
                Problem(
                    Code.MIRROR_BEHIND,
                    Layer.CONTENT,
                    f"this mirror's {filename} is {behind / 86400:.1f} days older than "
                    f"the upstream's ({upstream})",
                    "ask the mirror's administrators to resynchronise it",
                    {"behind_seconds": round(behind), "upstream": upstream},
                )
            )


def _port(url: Any) -> int:
    try:
        port = url.port
    except ValueError:
        port = None
    return port or (443 if url.scheme == "https" else 80)


def _unusable_proxy(route: Route) -> Problem | None:
    """A proxy URL requests cannot use: say so before any network traffic."""
    from ..config.proxylint import lint_proxy_url

    errors = [
        (summary, fix)
        for severity, summary, fix in lint_proxy_url(route.proxy or "")
        if severity == "error"
    ]
    if not errors:
        return None
    summary, fix = errors[0]
    where = route.proxy_source or "the proxy setting"
    return Problem(
        Code.PROXY_MISCONFIGURED,
        Layer.CONFIG,
        f"the proxy URL in {where} cannot be used: {summary}",
        fix,
    )


def _at_proxy(problem: Problem, route: Route) -> Problem:
    """A DNS or TCP failure on the way to the proxy is the proxy's layer."""
    if not route.proxy:
        return problem
    return Problem(
        Code.PROXY_UNREACHABLE,
        Layer.PROXY,
        f"cannot reach the proxy: {problem.summary}",
        details={"cause": problem.code.value, **problem.details},
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
