"""Failure shapes no explainer was written for: each is named at its layer, plainly.

The rule: an explainer claims a cause only when its evidence supports it;
otherwise the answer says what was observed. Each table below feeds one
probe's or explainer's input space (every errno, TLS alerts, HTTP statuses,
odd bodies, truncations at every length) and asserts no crash, the layer where
it happened, no self-contradicting text, and no secret.
"""

from __future__ import annotations

import errno
import socket
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from conda_netcheck.diagnosis import advice
from conda_netcheck.diagnosis.dns_tcp import tcp_problem
from conda_netcheck.diagnosis.http_answer import content_problem
from conda_netcheck.diagnosis.tls import handshake_problem
from conda_netcheck.model import Route
from conda_netcheck.probes import body, content, tcp
from conda_netcheck.probes.http import HttpResult
from conda_netcheck.probes.tls import TlsFailure, TlsResult
from conda_netcheck.redact import REDACTOR

if TYPE_CHECKING:
    from collections.abc import Iterator

SECRET = "Unkn0wn-Shape-Secret"
PLANTED = f"http://bob:{SECRET}@127.0.0.1:9/t/tk-{SECRET}/chan"

# -- TCP: every errno the system has ------------------------------------------------

_KNOWN = {
    errno.ECONNREFUSED: ("connection-refused",),
    errno.ECONNRESET: ("connection-reset",),
    errno.ECONNABORTED: ("connection-reset",),
    errno.ENETUNREACH: ("no-route",),
    errno.EHOSTUNREACH: ("no-route",),
    errno.EADDRNOTAVAIL: ("no-route",),
    errno.ETIMEDOUT: ("connect-timeout", "connect-failed"),
}


@pytest.mark.parametrize("number", sorted(errno.errorcode), ids=errno.errorcode.get)
def test_every_connect_errno_is_named_at_the_tcp_layer(number):
    error = OSError(number, f"{errno.errorcode[number]} seen connecting to {PLANTED}")
    if number == errno.ECONNREFUSED:
        error = ConnectionRefusedError(number, "refused")
    elif number in (errno.ECONNRESET, errno.ECONNABORTED):
        error = ConnectionResetError(number, "reset")
    failure = tcp._failure(error)
    name = errno.errorcode[number]
    result = tcp.TcpResult(
        failure=failure, error=str(error.strerror), errno_name=name, timeout=1.0
    )
    problem = tcp_problem(result, "127.0.0.1:9")
    assert problem is not None
    assert problem.layer.value == "tcp"
    expected = _KNOWN.get(number, ("connect-failed",))
    assert problem.code.value in expected, (name, problem)
    if problem.code.value in ("connect-failed", "no-route"):
        assert name in problem.summary  # what was observed, by its name
    assert SECRET not in REDACTOR.text(problem.summary)


# -- TLS: alerts and errors OpenSSL may report ---------------------------------------

TLS_REASONS = [
    "TLSV1_ALERT_DECODE_ERROR",
    "SSLV3_ALERT_BAD_RECORD_MAC",
    "TLSV1_ALERT_INTERNAL_ERROR",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED",
    "TLSV1_UNRECOGNIZED_NAME",
    "SSLV3_ALERT_HANDSHAKE_FAILURE",
    "UNEXPECTED_MESSAGE",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "NO_SHARED_CIPHER",
    "SOMETHING_NEW_IN_OPENSSL_4",
    "",
]


@pytest.mark.parametrize("reason", TLS_REASONS, ids=lambda r: r or "empty")
def test_every_tls_failure_is_named_at_the_tls_layer(reason):
    result = TlsResult(
        failure=TlsFailure.PROTOCOL,
        reason=reason or None,
        offered="TLS 1.2 to TLS 1.3",
        error=OSError(f"tls failed for {PLANTED}"),
    )
    problem = handshake_problem(result, "127.0.0.1")
    assert problem is not None
    assert problem.layer.value == "tls"
    assert problem.code.value == "tls-error"
    assert (reason or "tls failed") in problem.summary
    assert SECRET not in REDACTOR.text(problem.summary)


# -- requests exceptions of shapes no rule knows -------------------------------------


def _request_errors() -> list:
    import requests

    return [
        requests.exceptions.ConnectionError(OSError(errno.EPERM, f"blocked {PLANTED}")),
        requests.exceptions.ConnectionError(OSError(errno.EACCES, "denied")),
        requests.exceptions.ConnectionError(OSError(errno.ENETUNREACH, "unreachable")),
        requests.exceptions.ConnectionError(f"odd failure for {PLANTED}"),
        requests.exceptions.RequestException(f"?? {PLANTED}"),
        requests.exceptions.InvalidURL(f"bad {PLANTED}"),
        RuntimeError(f"weird {PLANTED}"),
    ]


@pytest.mark.parametrize("index", range(7))
def test_unknown_request_errors_say_what_was_observed(index):
    REDACTOR.add_url_credentials(PLANTED)
    exc = _request_errors()[index]
    route = Route(session=None)
    problem = advice.request_problem(exc, route, "127.0.0.1")
    assert problem.code.value != "connection-refused", problem
    assert problem.summary
    assert SECRET not in REDACTOR.text(problem.summary)
    if isinstance(getattr(exc, "args", [None])[0], OSError):
        name = errno.errorcode[exc.args[0].errno]
        assert name in problem.summary
        assert problem.layer.value == "tcp"


# -- HTTP statuses ------------------------------------------------------------------

STATUSES = [100, 204, 300, 304, 308, 400, 402, 405, 409, 410, 418, 421, 451, 499, 500]
STATUSES += [501, 505, 511, 520, 525, 599]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    "head", [b"", b"<html><title>x</title>", b"\x00\xff\xfe", b'{"error": 1}']
)
def test_every_status_names_the_status(status, head):
    answer = HttpResult(
        url="http://127.0.0.1:9/chan/noarch/repodata.json",
        status=status,
        reason="Odd",
        headers={"Content-Type": "text/plain"},
        head=head,
    )
    problem = advice.status_problem(answer, "repodata.json", Route(session=None))
    assert problem.layer.value in ("http", "content", "proxy")
    assert str(status) in problem.summary, problem


# -- odd bodies -----------------------------------------------------------------------

BODIES = [
    (b"", "index-empty"),
    (b"   \n\t", "index-empty"),
    (b"[]", "not-a-channel"),
    (b"null", "not-a-channel"),
    (b"\x00\x01\x02", "not-a-channel"),
    (b"<?xml version='1.0'?><a/>", "not-a-channel"),
    (b"\xef\xbb\xbf{", None),  # a BOM before the object: conda's JSON reader copes
    (b'{"info": {}}', None),
]


@pytest.mark.parametrize(("head", "code"), BODIES, ids=repr)
def test_odd_index_bodies(head, code):
    found = content.inspect("repodata.json", "application/json", head)
    problem = content_problem(found)
    if code is None:
        assert problem is None or problem.code.value == "not-a-channel"
        return
    assert problem is not None and problem.code.value == code
    if code == "not-a-channel":
        assert "captive portal" not in problem.summary or found.html


# -- truncations at every length ----------------------------------------------------


@contextmanager
def raw_server(length: int, sent: int, gzip_label: bool) -> Iterator[int]:
    """Promises `length` bytes of JSON, sends `sent` of them, then closes."""
    payload = (b'{"packages": {}, "pad": "' + b"x" * 200 + b'"}')[:]
    data = (payload * (1 + max(length, sent) // len(payload)))[: max(sent, 0)]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    head = f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n"
                    head += "Content-Type: application/json\r\n"
                    if gzip_label:
                        head += "Content-Encoding: gzip\r\n"
                    conn.sendall((head + "\r\n").encode() + data)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


@pytest.mark.parametrize("gzip_label", [False, True], ids=["plain", "gzip-label"])
@pytest.mark.parametrize("sent", [0, 1, 99, 100], ids=lambda n: f"sent-{n}")
def test_a_body_is_cut_only_when_fewer_bytes_than_promised_arrived(sent, gzip_label):
    import requests

    from conda_netcheck.diagnosis.download_problems import incomplete

    with raw_server(100, sent, gzip_label) as port:
        got = body.fetch(
            requests.Session(), f"http://127.0.0.1:{port}/repodata.json", 2, 2, 4096
        )
    if got.ending is body.Ending.CUT:
        assert got.received < 100, got
        problem = incomplete("repodata.json", got.url, got.received, got.announced)
        assert f"{got.received:,} of 100 bytes" in problem.summary
    else:
        assert sent == 100 or gzip_label, got
    if gzip_label and sent > 0:
        assert got.ending in (body.Ending.UNDECODABLE, body.Ending.CUT)
        if sent == 100:
            assert got.ending is body.Ending.UNDECODABLE
