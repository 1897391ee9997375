"""TLS handshake with the trust settings conda would use, and why it fails."""

from __future__ import annotations

import os
import socket
import ssl
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class TlsFailure(str, Enum):
    """How a TLS handshake failed."""

    VERIFY = "verify"  # the certificate did not verify (see verify_code)
    TIMEOUT = "timeout"  # no handshake within the read timeout
    LEGACY_RENEGOTIATION = "legacy-renegotiation"  # no RFC 5746 support
    PROTOCOL = "protocol"  # any other OpenSSL error (see reason)
    CLOSED = "closed"  # the connection failed during the handshake


@dataclass
class TlsResult:
    """The negotiated session, or how it failed; `peer` describes the leaf."""

    version: str | None = None
    peer: dict[str, Any] = field(default_factory=dict)
    failure: TlsFailure | None = None
    reason: str | None = None  # OpenSSL's reason, or the OS error's text
    verify_code: int | None = None
    verify_message: str = ""
    offered: str = ""  # the versions this client offered, in words
    timeout: float = 0.0
    elapsed_ms: float | None = None
    error: BaseException | None = None  # what the handshake raised, for classifying


def trust_context(
    verify: bool | str,
    cert: str | tuple[str, str] | None = None,
    base: ssl.SSLContext | None = None,
) -> ssl.SSLContext:
    """An SSLContext equivalent to requests' `verify`/`cert` (and conda's truststore)."""
    if base is not None and verify is True:
        ctx = base  # truststore: the operating system's store decides
    elif verify is False:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        # requests never uses the OpenSSL default paths: True means certifi.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        path = _default_bundle() if verify is True else str(verify)
        _refuse_unsafe(path, directory_ok=True)
        if os.path.isdir(path):
            ctx.load_verify_locations(capath=path)
        else:
            ctx.load_verify_locations(cafile=path)
    if cert:
        certfile, keyfile = cert if isinstance(cert, tuple) else (cert, None)
        # urllib3 loads a chain only when there is a certificate: a key alone
        # (client_ssl_cert_key without client_ssl_cert) is ignored, not an error.
        if certfile:
            for path in (certfile, keyfile):
                if path:
                    _refuse_unsafe(str(path))
            ctx.load_cert_chain(certfile, keyfile)
    return ctx


def _refuse_unsafe(path: str, directory_ok: bool = False) -> None:
    """OpenSSL would block on a FIFO or read /dev/zero forever: check first."""
    from ..safefiles import MAX_BUNDLE_BYTES, UnsafePath, path_problem

    problem = path_problem(path, MAX_BUNDLE_BYTES, directory_ok=directory_ok)
    if problem:
        raise UnsafePath(path, problem)


def _default_bundle() -> str:
    import certifi

    return certifi.where()


def handshake(
    sock: socket.socket, server_name: str, context: ssl.SSLContext, timeout: float
) -> TlsResult:
    """Run a TLS handshake on a connected socket; the socket is closed afterwards."""
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        with context.wrap_socket(sock, server_hostname=server_name) as tls:
            elapsed = (time.monotonic() - start) * 1000
            return TlsResult(
                version=tls.version(),
                peer=_describe(tls.getpeercert(binary_form=True)),
                elapsed_ms=elapsed,
            )
    except (ssl.SSLError, OSError) as exc:
        result = _failed(exc, context, timeout)
    finally:
        sock.close()
    result.elapsed_ms = (time.monotonic() - start) * 1000
    return result


def _failed(exc: BaseException, context: ssl.SSLContext, timeout: float) -> TlsResult:
    """The typed failure for what a handshake raised."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TlsResult(
            failure=TlsFailure.VERIFY,
            verify_code=exc.verify_code,
            verify_message=exc.verify_message or str(exc),
            error=exc,
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return TlsResult(failure=TlsFailure.TIMEOUT, timeout=timeout)
    if isinstance(exc, ssl.SSLError):
        legacy = exc.reason == "UNSAFE_LEGACY_RENEGOTIATION_DISABLED"
        return TlsResult(
            failure=TlsFailure.LEGACY_RENEGOTIATION if legacy else TlsFailure.PROTOCOL,
            reason=exc.reason,
            offered=offered_versions(context),
            error=exc,
        )
    reason = getattr(exc, "strerror", None) or str(exc)
    return TlsResult(failure=TlsFailure.CLOSED, reason=reason, error=exc)


def offered_versions(context: ssl.SSLContext) -> str:
    """The TLS versions a context offers, in words ("TLS 1.2 to TLS 1.3")."""
    low, high = context.minimum_version, context.maximum_version
    if low == ssl.TLSVersion.MINIMUM_SUPPORTED:
        low = ssl.TLSVersion.TLSv1_2  # Python >= 3.10's floor for client contexts
    if high == ssl.TLSVersion.MAXIMUM_SUPPORTED:
        high = ssl.TLSVersion.TLSv1_3 if ssl.HAS_TLSv1_3 else ssl.TLSVersion.TLSv1_2

    def name(version: ssl.TLSVersion) -> str:
        return version.name.replace("TLSv", "TLS ").replace("_", ".")

    return name(low) if low == high else f"{name(low)} to {name(high)}"


def server_date(sock: socket.socket, server_name: str, timeout: float) -> float | None:
    """The server's clock (its HTTP Date header), read over an unverified TLS session.

    Only for explaining certificate time errors: nothing but the Date header
    is used, and the socket is closed afterwards.
    """
    from email.utils import parsedate_to_datetime

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sock.settimeout(timeout)
    try:
        with ctx.wrap_socket(sock, server_hostname=server_name) as tls:
            tls.sendall(
                f"HEAD / HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n".encode()
            )
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 16384:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                head += chunk
    except OSError:
        return None
    finally:
        sock.close()
    for line in head.decode("iso-8859-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == "date":
            try:
                return parsedate_to_datetime(value.strip()).timestamp()
            except (TypeError, ValueError, IndexError):
                return None
    return None


def _describe(der: bytes | None) -> dict[str, Any]:
    from .chain import describe

    return describe(der) if der else {}


def truststore_verifies(host: str, port: int, timeout: float) -> bool | None:
    """Whether the operating system's store (truststore) verifies host; None when unknown."""
    try:
        import truststore
    except ImportError:
        return None
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return None
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        with context.wrap_socket(sock, server_hostname=host):
            return True
    except ssl.SSLCertVerificationError:
        return False
    except OSError:
        return None
    finally:
        sock.close()


class ProxyTlsOutcome(str, Enum):
    """What became of a TLS handshake with an https:// proxy."""

    OK = "ok"
    PLAIN_HTTP = "plain-http"  # it answered the ClientHello with non-TLS bytes
    STALLED = "stalled"  # it waited (for a plain-HTTP request line, most likely)
    FAILED = "failed"


@dataclass(frozen=True)
class ProxyTls:
    """The TLS session to an https:// proxy, or how it failed (the socket is closed)."""

    outcome: ProxyTlsOutcome
    sock: Any = None
    reason: str = ""


def to_https_proxy(
    sock: socket.socket, proxy_host: str, context: ssl.SSLContext, timeout: float
) -> ProxyTls:
    """Speak TLS to a proxy, as requests does for an https:// proxy URL."""
    try:
        sock.settimeout(timeout)
        wrapped = context.wrap_socket(sock, server_hostname=proxy_host)
        return ProxyTls(ProxyTlsOutcome.OK, wrapped)
    except (ssl.SSLError, OSError, ValueError) as exc:
        sock.close()
        reason = str(getattr(exc, "reason", None) or exc)
        text = reason.upper()
        if "WRONG_VERSION_NUMBER" in text or "RECORD LAYER" in text:
            return ProxyTls(ProxyTlsOutcome.PLAIN_HTTP, reason=reason)
        if isinstance(exc, TimeoutError) or "TIMED OUT" in text:
            return ProxyTls(ProxyTlsOutcome.STALLED, reason=reason)
        return ProxyTls(ProxyTlsOutcome.FAILED, reason=reason)
