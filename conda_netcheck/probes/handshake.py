"""Why a TLS handshake broke: a reset, a clean close, or a client certificate asked for.

Facts only: what the exception and the server's clear-text TLS 1.2 messages
show, and what a second bounded handshake with another server name did.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

# TLS record and handshake message types (RFC 5246 6.2.1, 7.4).
_ALERT = 21
_HANDSHAKE = 22
_CHANGE_CIPHER_SPEC = 20
_CERTIFICATE_REQUEST = 13
_SERVER_HELLO_DONE = 14

#: OpenSSL's reasons for alerts about the client's certificate.
_CLIENT_CERT_REJECTED = {
    "SSLV3_ALERT_BAD_CERTIFICATE",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED",
    "SSLV3_ALERT_CERTIFICATE_REVOKED",
    "TLSV1_ALERT_UNKNOWN_CA",
    "TLSV1_ALERT_ACCESS_DENIED",
}
_CLIENT_CERT_REQUIRED = "TLSV13_ALERT_CERTIFICATE_REQUIRED"
_HANDSHAKE_FAILURE = "SSLV3_ALERT_HANDSHAKE_FAILURE"
_EOF_REASONS = {"UNEXPECTED_EOF_WHILE_READING", "EOF occurred in violation of protocol"}


class Failure(str, Enum):
    """How the peer ended a TLS handshake (or the first request after it)."""

    RESET = "reset"  # a TCP RST
    CLOSED = "closed"  # a clean close (FIN) with no TLS alert
    CLIENT_CERT_REQUIRED = "client-cert-required"  # TLS 1.3 alert 116
    CLIENT_CERT_REJECTED = "client-cert-rejected"  # an alert about our certificate
    HANDSHAKE_FAILURE = "handshake-failure"  # alert 40: ambiguous on its own
    OTHER = "other"


def classify(errors: Iterable[BaseException]) -> Failure:
    """The failure behind an exception and its causes (first telling one wins)."""
    for exc in errors:
        if isinstance(exc, (ConnectionResetError, ConnectionAbortedError)):
            return Failure.RESET
        if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
            return Failure.CLOSED
        if isinstance(exc, ssl.SSLError):
            reason = str(exc.reason or "")
            if reason == _CLIENT_CERT_REQUIRED:
                return Failure.CLIENT_CERT_REQUIRED
            if reason in _CLIENT_CERT_REJECTED:
                return Failure.CLIENT_CERT_REJECTED
            if reason == _HANDSHAKE_FAILURE:
                return Failure.HANDSHAKE_FAILURE
            if reason in _EOF_REASONS or "EOF occurred" in str(exc):
                return Failure.CLOSED
        text = str(exc)
        # urllib3 and http.client word a closed connection in their own way.
        if "RemoteDisconnected" in type(exc).__name__ or "without response" in text:
            return Failure.CLOSED
    return Failure.OTHER


def alert_reason(errors: Iterable[BaseException]) -> str | None:
    """OpenSSL's reason for the first TLS error among the exceptions, if any."""
    for exc in errors:
        if isinstance(exc, ssl.SSLError) and exc.reason:
            return str(exc.reason)
    return None


class Answer(str, Enum):
    """What a server did with a second, unverified handshake."""

    COMPLETED = "completed"
    ALERT = "alert"  # it answered in TLS, with an alert: it speaks TLS
    RESET = "reset"
    CLOSED = "closed"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class SecondHandshake:
    """A handshake with another server name (None: no SNI at all), and its answer."""

    server_name: str | None
    answer: Answer
    elapsed_ms: float


def handshake_as(
    sock: socket.socket, server_name: str | None, timeout: float
) -> SecondHandshake:
    """One unverified handshake with `server_name` as SNI; the socket is closed after."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        with ctx.wrap_socket(sock, server_hostname=server_name):
            answer = Answer.COMPLETED
    except (TimeoutError, socket.timeout):
        answer = Answer.TIMEOUT
    except ssl.SSLError as exc:
        failure = classify([exc])
        answer = Answer.CLOSED if failure is Failure.CLOSED else Answer.ALERT
    except OSError as exc:
        failure = classify([exc])
        answer = Answer.RESET if failure is Failure.RESET else Answer.CLOSED
    finally:
        sock.close()
    return SecondHandshake(server_name, answer, (time.monotonic() - start) * 1000)


def verdict_after_handshake(
    sock: socket.socket,
    server_name: str | None,
    timeout: float,
    cert: str | tuple[str, str] | None = None,
) -> Failure | None:
    """Finish a handshake (sending `cert` if any), then listen for up to 1 s.

    A TLS 1.3 server judges the client certificate after the client's last
    handshake message, so its alert comes after the handshake "succeeded".
    Sending nothing keeps the server from resetting on unread data, which
    would hide the alert. The socket is closed afterwards.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert:
        certfile, keyfile = cert if isinstance(cert, tuple) else (cert, None)
        ctx.load_cert_chain(certfile, keyfile)
    sock.settimeout(timeout)
    try:
        with ctx.wrap_socket(sock, server_hostname=server_name) as tls:
            tls.settimeout(min(timeout, 1.0))
            tls.recv(1)
    except (TimeoutError, socket.timeout):
        return None
    except OSError as exc:  # ssl.SSLError included
        failure = classify([exc])
        if failure in (Failure.CLIENT_CERT_REQUIRED, Failure.CLIENT_CERT_REJECTED):
            return failure
        return None
    finally:
        sock.close()
    return None


def session_verify_flags(session: Any, url: str) -> ssl.VerifyFlags:
    """The verify flags of the SSL context the session uses for `url`.

    An adapter given an ssl_context (truststore, say) uses that one; else
    urllib3 builds one per connection with create_urllib3_context(), which
    adds VERIFY_X509_STRICT on Python >= 3.13 with urllib3 >= 2.4.
    """
    context = None
    try:
        pool_kw = session.get_adapter(url).poolmanager.connection_pool_kw
        context = pool_kw.get("ssl_context")
    except (AttributeError, KeyError, ValueError):
        context = None
    if context is None:
        from urllib3.util.ssl_ import create_urllib3_context

        context = create_urllib3_context()
    return context.verify_flags


def verifies_without_strict(
    sock: socket.socket, server_name: str, context: ssl.SSLContext, timeout: float
) -> bool | None:
    """Whether a handshake with `context` minus VERIFY_X509_STRICT verifies; closes sock.

    The caller passes a context of its own: the flag is cleared on it.
    """
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    sock.settimeout(timeout)
    try:
        with context.wrap_socket(sock, server_hostname=server_name):
            return True
    except ssl.SSLCertVerificationError:
        return False
    except OSError:
        return None
    finally:
        sock.close()


def ends_unprompted(sock: socket.socket, wait: float) -> Answer | None:
    """Send nothing: RESET or CLOSED when the peer ends the connection on its own.

    None when it waits for the client (as servers do) or speaks first. The
    socket is closed afterwards.
    """
    sock.settimeout(wait)
    try:
        data = sock.recv(1)
    except (TimeoutError, socket.timeout):
        return None
    except (ConnectionResetError, ConnectionAbortedError):
        return Answer.RESET
    except OSError:
        return None
    finally:
        sock.close()
    return None if data else Answer.CLOSED


@dataclass
class CertificateRequest:
    """A TLS 1.2 server's CertificateRequest: whether it came, and the CA names in it."""

    seen: bool = False
    authorities: list[str] = field(default_factory=list)


def certificate_request(
    sock: socket.socket, server_name: str | None, timeout: float
) -> CertificateRequest:
    """Run a TLS 1.2 handshake far enough to see a CertificateRequest; closes the socket.

    TLS 1.3 encrypts that message; over TLS 1.2 it is in clear text and lists
    the certificate authorities whose client certificates the server accepts.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=server_name or None)
    reader = _MessageReader()
    deadline = time.monotonic() + timeout
    try:
        while not reader.done:
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            pending = outgoing.read()
            if pending:
                sock.sendall(pending)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock.settimeout(remaining)
            data = sock.recv(65536)
            if not data:
                break
            reader.feed(data)
            incoming.write(data)
    except (OSError, ValueError):
        pass  # what was seen before the failure stands
    finally:
        sock.close()
    return reader.request


class _MessageReader:
    """Clear-text handshake messages of a server's TLS 1.2 flight, up to ServerHelloDone."""

    def __init__(self) -> None:
        self._records = bytearray()
        self._messages = bytearray()
        self.request = CertificateRequest()
        self.done = False

    def feed(self, data: bytes) -> None:
        self._records += data
        while len(self._records) >= 5 and not self.done:
            length = int.from_bytes(self._records[3:5], "big")
            if len(self._records) < 5 + length:
                break
            kind = self._records[0]
            fragment = bytes(self._records[5 : 5 + length])
            del self._records[: 5 + length]
            if kind in (_ALERT, _CHANGE_CIPHER_SPEC):
                self.done = True
            elif kind == _HANDSHAKE:
                self._messages += fragment
                self._read_messages()

    def _read_messages(self) -> None:
        buf = self._messages
        while len(buf) >= 4 and not self.done:
            length = int.from_bytes(buf[1:4], "big")
            if len(buf) < 4 + length:
                return
            kind, body = buf[0], bytes(buf[4 : 4 + length])
            del buf[: 4 + length]
            if kind == _CERTIFICATE_REQUEST:
                self.request = CertificateRequest(True, authority_names(body))
            elif kind == _SERVER_HELLO_DONE:
                self.done = True


def authority_names(body: bytes) -> list[str]:
    """The CA names of a TLS 1.2 CertificateRequest body (RFC 5246 7.4.4)."""
    pos = 1 + body[0]  # certificate_types
    pos += 2 + int.from_bytes(body[pos : pos + 2], "big")  # signature algorithms
    end = pos + 2 + int.from_bytes(body[pos : pos + 2], "big")
    pos += 2
    names = []
    while pos + 2 <= min(end, len(body)):
        size = int.from_bytes(body[pos : pos + 2], "big")
        names.append(dn_text(body[pos + 2 : pos + 2 + size]))
        pos += 2 + size
    return names


_OIDS = {b"\x55\x04\x03": "CN", b"\x55\x04\x0a": "O", b"\x55\x04\x0b": "OU"}


def dn_text(der: bytes) -> str:
    """'CN=...,O=...' from a DER Name (only CN, O and OU, which name a CA)."""
    parts = []
    for rdn in _der_items(_der_body(der)):
        for attribute in _der_items(_der_body(rdn)):
            items = list(_der_items(_der_body(attribute)))
            if len(items) == 2 and _der_body(items[0]) in _OIDS:
                value = _der_body(items[1]).decode("utf-8", "replace")
                parts.append(f"{_OIDS[_der_body(items[0])]}={value}")
    return ",".join(parts) or der.hex()


def _der_length(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos + 1]
    if first < 0x80:
        return first, pos + 2
    count = first & 0x7F
    return int.from_bytes(data[pos + 2 : pos + 2 + count], "big"), pos + 2 + count


def _der_body(item: bytes) -> bytes:
    length, start = _der_length(item, 0)
    return item[start : start + length]


def _der_items(data: bytes) -> Iterable[bytes]:
    pos = 0
    while pos + 2 <= len(data):
        length, start = _der_length(data, pos)
        yield data[pos : start + length]
        pos = start + length
