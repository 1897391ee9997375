"""The TLS explainer: a failed handshake (certificate, timeout, protocol) in words
and with its code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Code, Details, Layer, Problem
from ..probes.tls import TlsFailure
from ..urls import format_address

if TYPE_CHECKING:
    from ..probes.protocol import Spoken
    from ..probes.tls import TlsResult

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


def handshake_problem(result: TlsResult, server_name: str) -> Problem | None:
    """Why the TLS handshake with server_name failed; None when it completed."""
    failure = result.failure
    if failure is None:
        return None
    if failure is TlsFailure.VERIFY:
        return verify_problem(result.verify_code, result.verify_message, server_name)
    if failure is TlsFailure.TIMEOUT:
        return Problem(
            Code.TLS_STALLED,
            Layer.TLS,
            "the TLS handshake stalls: TCP connected and the ClientHello was sent, "
            f"but no complete answer came back within {result.timeout:g} s",
        )
    if failure is TlsFailure.CLOSED:
        return Problem(
            Code.TLS_ERROR,
            Layer.TLS,
            f"the connection closed during the TLS handshake ({result.reason})",
        )
    details = Details(reason=result.reason, offered=result.offered)
    if failure is TlsFailure.LEGACY_RENEGOTIATION:
        return Problem(
            Code.TLS_LEGACY_RENEGOTIATION,
            Layer.TLS,
            "the TLS peer does not support secure renegotiation (RFC 5746), "
            "which OpenSSL 3 requires (UNSAFE_LEGACY_RENEGOTIATION_DISABLED)",
            details=details,
        )
    return Problem(
        Code.TLS_ERROR,
        Layer.TLS,
        f"the TLS handshake failed: {result.reason or result.error} (this client "
        f"offers {result.offered})",
        details=details,
    )


def verify_problem(code: int | None, message: str, server_name: str) -> Problem:
    """Map an OpenSSL verification error (code and message) to its diagnosis code."""
    details = Details(verify_code=code, verify_message=message)
    texts = {
        Code.TLS_EXPIRED: f"the certificate of {server_name} has expired",
        Code.TLS_NOT_YET_VALID: f"the certificate of {server_name} is not valid yet",
        Code.TLS_HOSTNAME_MISMATCH: "the certificate presented is not valid for "
        f"{server_name}",
        Code.TLS_UNTRUSTED: f"the certificate of {server_name} is not signed by an "
        f"authority conda trusts ({message})",
        Code.TLS_ERROR: f"certificate verification failed: {message}",
    }
    which = _verify_code(code)
    return Problem(which, Layer.TLS, texts[which], details=details)


def _verify_code(code: int | None) -> Code:
    if code == _EXPIRED:
        return Code.TLS_EXPIRED
    if code == _NOT_YET_VALID:
        return Code.TLS_NOT_YET_VALID
    if code in _HOSTNAME_MISMATCH:
        return Code.TLS_HOSTNAME_MISMATCH
    if code in _UNTRUSTED:
        return Code.TLS_UNTRUSTED
    return Code.TLS_ERROR


def wrong_protocol(spoken: Spoken, host: str, port: int, seen: str) -> Problem:
    """The URL's scheme and the port's protocol disagree; seen: what the client got."""
    address = format_address(host, port)
    if spoken.protocol == "http":
        summary = (
            f"{address} speaks plain HTTP, not TLS: it answered a plain request with "
            f"{spoken.answer!r} ({seen}); an https:// URL needs the port that speaks TLS"
        )
    else:
        summary = (
            f"{address} speaks TLS, not plain HTTP: it completed a TLS handshake "
            f"({spoken.answer}) where the http:// request got {seen}"
        )
    return Problem(
        Code.WRONG_PROTOCOL,
        Layer.TLS,
        summary,
        details=Details(port_speaks=spoken.protocol, answer=spoken.answer),
    )
