"""What a port speaks: plain HTTP or TLS, asked on a connected socket.

A client that speaks the wrong one gets errors that name neither (OpenSSL's
WRONG_VERSION_NUMBER, a connection closed without an answer); asking the port
in the other protocol is the evidence.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket


@dataclass(frozen=True)
class Spoken:
    """The port's answer in the other protocol: its first line, or its TLS version."""

    protocol: str  # "http" or "tls"
    answer: str  # "HTTP/1.0 200 OK", or "TLSv1.3"


def plain_http(sock: socket.socket, host: str, timeout: float) -> Spoken | None:
    """The status line a plain GET request gets on sock, if HTTP answers; closes sock."""
    try:
        sock.settimeout(timeout)
        sock.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        first = sock.recv(256)
    except OSError:
        return None
    finally:
        sock.close()
    if not first.startswith(b"HTTP/"):
        return None
    line = first.split(b"\r\n", 1)[0].split(b"\n", 1)[0]
    return Spoken("http", line.decode("latin-1")[:80])


def tls(sock: socket.socket, host: str, timeout: float) -> Spoken | None:
    """The TLS version a handshake on sock gets, if the port speaks TLS; closes sock.

    No verification: the question is only whether the port speaks TLS. A
    server that answers the ClientHello with a TLS alert speaks TLS too.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        sock.settimeout(timeout)
        with context.wrap_socket(sock, server_hostname=host) as wrapped:
            return Spoken("tls", wrapped.version() or "TLS")
    except ssl.SSLError as exc:
        reason = str(exc.reason or "")
        if reason.startswith(("SSLV3_ALERT", "TLSV1_ALERT", "TLSV13_ALERT")):
            return Spoken("tls", f"a TLS alert ({reason})")
        return None
    except OSError:
        return None
    finally:
        sock.close()
