"""TLS handshake with the trust settings conda would use, and why it fails."""

from __future__ import annotations

import os
import socket
import ssl
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..model import Code, Layer, Problem

# OpenSSL X509_V_ERR_* codes, as found in SSLCertVerificationError.verify_code.
_NOT_YET_VALID = 9
_EXPIRED = 10
_UNTRUSTED = {
    2,  # unable to get issuer certificate
    18,  # self-signed certificate
    19,  # self-signed certificate in certificate chain
    20,  # unable to get local issuer certificate
    21,  # unable to verify the first certificate
}
_HOSTNAME_MISMATCH = {62, 64}  # host name, IP address


@dataclass
class TlsResult:
    """The negotiated session, or the problem; `peer` describes the leaf."""

    version: str | None = None
    peer: dict[str, Any] = field(default_factory=dict)
    problem: Problem | None = None
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
        if os.path.isdir(path):
            ctx.load_verify_locations(capath=path)
        else:
            ctx.load_verify_locations(cafile=path)
    if cert:
        certfile, keyfile = cert if isinstance(cert, tuple) else (cert, None)
        ctx.load_cert_chain(certfile, keyfile)
    return ctx


def _default_bundle() -> str:
    import certifi

    return certifi.where()


def handshake(
    sock: socket.socket, server_name: str, context: ssl.SSLContext, timeout: float
) -> TlsResult:
    """Run a TLS handshake on a connected socket; the socket is closed afterwards."""
    start = time.monotonic()
    sock.settimeout(timeout)
    error: BaseException | None = None
    try:
        with context.wrap_socket(sock, server_hostname=server_name) as tls:
            elapsed = (time.monotonic() - start) * 1000
            return TlsResult(
                version=tls.version(),
                peer=_describe(tls.getpeercert(binary_form=True)),
                elapsed_ms=elapsed,
            )
    except ssl.SSLCertVerificationError as exc:
        error = exc
        problem = verify_problem(exc, server_name)
    except (TimeoutError, socket.timeout):
        problem = Problem(
            Code.READ_TIMEOUT,
            Layer.TLS,
            f"the server accepted the connection but did not complete a TLS "
            f"handshake within {timeout:g} s",
        )
    except ssl.SSLError as exc:
        error = exc
        offered = offered_versions(context)
        if exc.reason == "UNSAFE_LEGACY_RENEGOTIATION_DISABLED":
            problem = Problem(
                Code.TLS_LEGACY_RENEGOTIATION,
                Layer.TLS,
                "the TLS peer does not support secure renegotiation (RFC 5746), "
                "which OpenSSL 3 requires (UNSAFE_LEGACY_RENEGOTIATION_DISABLED)",
                details={"reason": exc.reason, "offered": offered},
            )
        else:
            problem = Problem(
                Code.TLS_ERROR,
                Layer.TLS,
                f"the TLS handshake failed: {exc.reason or exc} (this client offers "
                f"{offered})",
                details={"reason": exc.reason, "offered": offered},
            )
    except OSError as exc:
        error = exc
        problem = Problem(
            Code.TLS_ERROR,
            Layer.TLS,
            f"the connection closed during the TLS handshake ({exc.strerror or exc})",
        )
    finally:
        sock.close()
    elapsed = (time.monotonic() - start) * 1000
    return TlsResult(problem=problem, elapsed_ms=elapsed, error=error)


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


def verify_problem(exc: ssl.SSLCertVerificationError, server_name: str) -> Problem:
    """Map an OpenSSL verification error to its diagnosis code."""
    code = exc.verify_code
    message = exc.verify_message or str(exc)
    details = {"verify_code": code, "verify_message": message}
    if code == _EXPIRED:
        return Problem(
            Code.TLS_EXPIRED,
            Layer.TLS,
            f"the certificate of {server_name} has expired",
            details=details,
        )
    if code == _NOT_YET_VALID:
        return Problem(
            Code.TLS_NOT_YET_VALID,
            Layer.TLS,
            f"the certificate of {server_name} is not valid yet",
            details=details,
        )
    if code in _HOSTNAME_MISMATCH:
        return Problem(
            Code.TLS_HOSTNAME_MISMATCH,
            Layer.TLS,
            f"the certificate presented is not valid for {server_name}",
            details=details,
        )
    if code in _UNTRUSTED:
        return Problem(
            Code.TLS_UNTRUSTED,
            Layer.TLS,
            f"the certificate of {server_name} is not signed by an authority "
            f"conda trusts ({message})",
            details=details,
        )
    return Problem(
        Code.TLS_ERROR,
        Layer.TLS,
        f"certificate verification failed: {message}",
        details=details,
    )


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
