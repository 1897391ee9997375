"""The broken-network scenarios: each starts real local peers and names the diagnosis expected."""

from __future__ import annotations

import datetime
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from support import channel_faults as faults
from support.servers import (
    channel_server,
    closed_port,
    full_backlog_server,
    server_tls_context,
    silent_server,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


@dataclass
class Setup:
    """What a scenario hands the test: the channel URL and the trust to use."""

    url: str
    verify: str | None = None  # a CA bundle path for ssl_verify / REQUESTS_CA_BUNDLE
    server: object | None = None
    resolver: Callable | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Scenario:
    """A named broken network and what netcheck must say about it."""

    id: str
    diagnosis: str
    layer: str | None
    start: Callable  # (ctx) -> context manager yielding a Setup
    status: str = "error"
    summary_has: str = ""
    #: Told once per host: the other targets on it (another subdir) are ok.
    once_per_host: bool = False


class Context:
    """What a scenario may use: the channel on disk and the test CA."""

    def __init__(self, channel_root, ca, ca_bundle) -> None:
        self.channel_root = channel_root
        self.ca = ca
        self.ca_bundle = ca_bundle


@contextmanager
def _http(ctx: Context, **behaviour) -> Iterator[Setup]:
    with channel_server(ctx.channel_root) as server:
        for key, value in behaviour.items():
            setattr(server.behaviour, key, value)
        yield Setup(server.url, server=server)


@contextmanager
def _large_ignoring_range(ctx: Context) -> Iterator[Setup]:
    """A channel with a package large enough for a resume to matter; Range ignored."""
    from conda_netcheck.diagnosis.packages import RESUME_MATTERS

    root = ctx.channel_root.parent / "large-channel"
    faults.make_real_channel(root, shards=False, tar_padding=RESUME_MATTERS)
    with channel_server(root) as server:
        server.behaviour.handler = faults.ignore_range(root)
        yield Setup(server.url, server=server)


@contextmanager
def _https(ctx: Context, cert=None, trusted: bool = True) -> Iterator[Setup]:
    cert = cert or ctx.ca.issue_cert("127.0.0.1", "localhost")
    with channel_server(ctx.channel_root, tls=server_tls_context(cert)) as server:
        yield Setup(
            server.url, verify=ctx.ca_bundle if trusted else None, server=server
        )


@contextmanager
def _https_with_date(ctx: Context, cert, date_offset: float) -> Iterator[Setup]:
    with _https(ctx, cert) as setup:
        setup.server.behaviour.date_offset = date_offset
        yield setup


@contextmanager
def _refused(ctx: Context) -> Iterator[Setup]:
    yield Setup(f"http://127.0.0.1:{closed_port()}")


@contextmanager
def _black_hole(ctx: Context) -> Iterator[Setup]:
    with full_backlog_server() as port:
        yield Setup(f"http://127.0.0.1:{port}")


@contextmanager
def _silent(ctx: Context, scheme: str = "http") -> Iterator[Setup]:
    with silent_server() as port:
        yield Setup(f"{scheme}://127.0.0.1:{port}", verify=ctx.ca_bundle)


@contextmanager
def _nxdomain(ctx: Context) -> Iterator[Setup]:
    def resolver(host: str, port: int) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    yield Setup("http://channel.netcheck.invalid", resolver=resolver)


@contextmanager
def _missing_bundle(ctx: Context) -> Iterator[Setup]:
    with _https(ctx) as setup:
        setup.env["REQUESTS_CA_BUNDLE"] = str(ctx.channel_root / "missing-ca.pem")
        yield setup


@contextmanager
def _redirect(ctx: Context) -> Iterator[Setup]:
    with (
        channel_server(ctx.channel_root) as target,
        channel_server(ctx.channel_root) as front,
    ):
        front.behaviour.redirect_to = target.url
        yield Setup(front.url, server=front)


HTML = b"<html><head><title>Sign in to Guest Wi-Fi</title></head><body>hi</body></html>"

SCENARIOS = [
    Scenario("ok-http", "ok", None, _http, status="ok"),
    Scenario("ok-https-trusted-ca", "ok", None, _https, status="ok"),
    Scenario("ok-after-redirect", "ok", None, _redirect, status="ok"),
    Scenario(
        "dns-nxdomain", "dns-failure", "dns", _nxdomain, summary_has="does not exist"
    ),
    Scenario("refused", "connection-refused", "tcp", _refused),
    Scenario("black-hole", "connect-timeout", "tcp", _black_hole),
    # netcheck waits 1 s here, conda 60 s: not an unreachable target yet.
    Scenario(
        "http-never-answers",
        "no-answer-yet",
        "http",
        _silent,
        status="warning",
        summary_has="accepted the connection but sent no answer within 1 s; conda "
        "would wait up to 60 s",
    ),
    Scenario(
        "tls-never-answers",
        "tls-stalled",
        "tls",
        lambda ctx: _silent(ctx, "https"),
        summary_has="TCP connected and the ClientHello was sent",
    ),
    Scenario(
        "untrusted-ca",
        "tls-untrusted",
        "tls",
        lambda ctx: _https(ctx, trusted=False),
    ),
    Scenario(
        "expired-cert",
        "tls-expired",
        "tls",
        lambda ctx: _https(
            ctx,
            ctx.ca.issue_cert(
                "127.0.0.1", not_before=NOW - 30 * DAY, not_after=NOW - DAY
            ),
        ),
    ),
    Scenario(
        "not-yet-valid-cert",
        "tls-not-yet-valid",
        "tls",
        lambda ctx: _https(
            ctx,
            ctx.ca.issue_cert(
                "127.0.0.1", not_before=NOW + DAY, not_after=NOW + 30 * DAY
            ),
        ),
    ),
    Scenario(
        "wrong-host-cert",
        "tls-hostname-mismatch",
        "tls",
        lambda ctx: _https(ctx, ctx.ca.issue_cert("mirror.example.org")),
    ),
    Scenario(
        "not-yet-valid-because-of-the-clock",
        "tls-not-yet-valid",
        "tls",
        lambda ctx: _https_with_date(
            ctx,
            ctx.ca.issue_cert(
                "127.0.0.1", not_before=NOW + DAY, not_after=NOW + 30 * DAY
            ),
            date_offset=3 * 86400,
        ),
        summary_has="clock is 3.0 days behind the server's: set it right first",
    ),
    Scenario("ca-bundle-missing", "ca-bundle-invalid", "config", _missing_bundle),
    Scenario(
        "http-401", "http-unauthorized", "http", lambda ctx: _http(ctx, status=401)
    ),
    Scenario("http-403", "http-forbidden", "http", lambda ctx: _http(ctx, status=403)),
    Scenario("http-404", "http-not-found", "http", lambda ctx: _http(ctx, status=404)),
    Scenario(
        "http-500", "http-server-error", "http", lambda ctx: _http(ctx, status=500)
    ),
    Scenario(
        "http-429",
        "http-rate-limited",
        "http",
        lambda ctx: _http(ctx, status=429, headers={"Retry-After": "30"}),
        summary_has="30",
    ),
    Scenario(
        "html-captive-portal",
        "not-a-channel",
        "content",
        lambda ctx: _http(ctx, status=200, body=HTML, content_type="text/html"),
        summary_has="Sign in to Guest Wi-Fi",
    ),
    Scenario(
        "clock-skew",
        "clock-skew",
        "http",
        lambda ctx: _http(ctx, date_offset=-3 * 86400),
        status="warning",
        summary_has="3.0 days",
    ),
    # After the index: the package files (real ones, in the test channel).
    Scenario(
        "package-block-page",
        "download-mismatch",
        "content",
        lambda ctx: _http(ctx, handler=faults.block_page(".conda")),
        summary_has="an HTML page titled 'Web Page Blocked' (a block page)",
    ),
    Scenario(
        "package-cut",
        "download-incomplete",
        "http",
        lambda ctx: _http(
            ctx, handler=faults.cut_body(ctx.channel_root, ".conda", 0.5)
        ),
        summary_has="the connection closed before the whole file arrived",
    ),
    Scenario(
        "package-range-ignored",
        "range-ignored",
        "http",
        _large_ignoring_range,
        status="warning",
        summary_has="with the whole file",
        once_per_host=True,
    ),
]
