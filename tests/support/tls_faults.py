"""Real peers that break a TLS handshake on purpose, on loopback and ephemeral ports.

* `sni_filter`: a TCP front that reads the ClientHello's server name and
  resets (SO_LINGER 0) or closes the connection for one name, and relays
  every other connection to a real TLS server, as an SNI-filtering firewall.
* `client_cert_server`: a TLS server that requires a client certificate.
"""

from __future__ import annotations

import select
import socket
import ssl
import struct
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from collections.abc import Iterator

_HANDSHAKE = 22
_CLIENT_HELLO = 1
_SERVER_NAME = 0


def client_hello_sni(hello: bytes) -> str | None:
    """The host name in a ClientHello record (RFC 6066 3), or None without one."""
    if len(hello) < 9 or hello[0] != _HANDSHAKE or hello[5] != _CLIENT_HELLO:
        return None
    pos = 9 + 2 + 32  # record and handshake headers, version, random
    pos += 1 + hello[pos]  # session id
    pos += 2 + int.from_bytes(hello[pos : pos + 2], "big")  # cipher suites
    pos += 1 + hello[pos]  # compression methods
    end = pos + 2 + int.from_bytes(hello[pos : pos + 2], "big")
    pos += 2
    while pos + 4 <= min(end, len(hello)):
        kind = int.from_bytes(hello[pos : pos + 2], "big")
        size = int.from_bytes(hello[pos + 2 : pos + 4], "big")
        body = hello[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if kind == _SERVER_NAME and len(body) >= 5:
            length = int.from_bytes(body[3:5], "big")
            return body[5 : 5 + length].decode("ascii", "replace")
    return None


def _read_hello(conn: socket.socket) -> bytes:
    """The first TLS record as sent (enough for any ClientHello a test sends)."""
    data = b""
    conn.settimeout(5)
    while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until either side closes (bounded by a 10 s idle limit)."""
    try:
        while True:
            ready, _, _ = select.select([a, b], [], [], 10)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
    except OSError:
        return
    finally:
        a.close()
        b.close()


class SniFilter:
    """What the filter saw: the server names of the handshakes it blocked or passed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.blocked: list[str | None] = []
        self.passed: list[str | None] = []


@contextmanager
def sni_filter(
    backend_port: int, blocks: Callable[[str | None], bool], action: str = "reset"
) -> Iterator[SniFilter]:
    """A front on 127.0.0.1 that resets or closes ("reset"/"close") the names it blocks."""
    from .servers import accepting

    def handle(conn: socket.socket) -> None:
        try:
            hello = _read_hello(conn)
        except OSError:
            conn.close()
            return
        name = client_hello_sni(hello)
        if blocks(name):
            front.blocked.append(name)
            if action == "reset":
                # SO_LINGER with a zero timeout: close() sends RST, not FIN.
                conn.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            conn.close()
            return
        front.passed.append(name)
        try:
            upstream = socket.create_connection(("127.0.0.1", backend_port), 5)
            upstream.sendall(hello)
        except OSError:
            conn.close()
            return
        conn.settimeout(None)
        _relay(conn, upstream)

    with accepting(handle, backlog=32) as server:
        front = SniFilter(server.port)  # no client knows the port before this
        yield front


def client_cert_context(
    server_cert, client_ca, version: ssl.TLSVersion | None = None
) -> ssl.SSLContext:
    """A server context that requires a client certificate signed by `client_ca`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_cert.configure_cert(ctx)
    ctx.verify_mode = ssl.CERT_REQUIRED
    client_ca.configure_trust(ctx)
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    return ctx


@contextmanager
def reset_after_request(
    action: str = "reset", on_accept: bool = False
) -> Iterator[int]:
    """A listener that reads a request (or nothing: on_accept), then resets or closes."""
    from .servers import accepting

    def handle(conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b"" if not on_accept else b"\r\n\r\n"
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        if action == "reset":
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        conn.close()

    with accepting(handle) as server:
        yield server.port


@contextmanager
def openssl_client_cert_server(server_cert, client_ca, tmp_path) -> Iterator[int]:
    """`openssl s_server` over TLS 1.2 requiring a client certificate.

    Unlike Python's ssl module, it lists the client CAs it accepts (from
    -CAfile) in its CertificateRequest.
    """
    from .servers import closed_port

    cert, key, cas = (tmp_path / n for n in ("srv.pem", "srv.key", "client-ca.pem"))
    server_cert.cert_chain_pems[0].write_to_path(str(cert))
    server_cert.private_key_pem.write_to_path(str(key))
    client_ca.cert_pem.write_to_path(str(cas))
    port = closed_port()
    argv = ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert)]
    argv += ["-key", str(key), "-CAfile", str(cas), "-Verify", "1", "-tls1_2", "-www"]
    with _daemon(argv, port):
        yield port


@contextmanager
def _daemon(argv: list[str], port: int) -> Iterator[None]:
    """Run a server program until the with-block ends, once it accepts on port (bounded)."""
    import subprocess
    import time

    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- certificates built with cryptography (trustme cannot add AIA, or relax
# -- basicConstraints) --------------------------------------------------------


class Issued:
    """A certificate and its key, as PEM, with a few ways to use them."""

    def __init__(self, cert, key) -> None:
        self.cert = cert
        self.key = key

    @property
    def der(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.cert.public_bytes(Encoding.DER)

    @property
    def pem(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.cert.public_bytes(Encoding.PEM)

    def key_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def issue(
    name: str,
    issuer: Issued | None = None,
    *,
    ca: bool = True,
    hosts: tuple[str, ...] = (),
    aia_url: str | None = None,
    critical_constraints: bool = True,
    key_ids: bool = True,
    serial: int | None = None,
) -> Issued:
    """A CA (self-signed without `issuer`) or a leaf for `hosts`, as OpenSSL accepts.

    serial: 0 or -1 makes the serial number old roots still carry (RFC 5280
    forbids it; cryptography's builder refuses it, so it is written in after).
    """
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    signer = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(1 if serial is not None else x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical_constraints
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    if key_ids:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
            False,
        )
    if hosts:
        names = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), False)
    if aia_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(aia_url),
                    )
                ]
            ),
            False,
        )
    cert = builder.sign(signer, hashes.SHA256())
    if serial is not None:
        cert = _with_serial(cert, serial, signer)
    return Issued(cert, key)


def _der_length(data: bytes, at: int) -> tuple[int, int]:
    """(length, offset of the content) of the DER element whose length byte is at `at`."""
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    return int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count


def _der_sequence(content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return b"\x30" + bytes([size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return b"\x30" + bytes([0x80 | len(length)]) + length + content


def _with_serial(cert, serial: int, signer):
    """cert with its serial number 1 replaced by `serial` (-128..127), signed again."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding

    tbs = cert.tbs_certificate_bytes
    version_and_serial = b"\xa0\x03\x02\x01\x02\x02\x01\x01"
    at = tbs.index(version_and_serial) + len(version_and_serial) - 1
    tbs = tbs[:at] + serial.to_bytes(1, "big", signed=True) + tbs[at + 1 :]
    der = cert.public_bytes(Encoding.DER)
    _, content = _der_length(der, 1)
    after_tbs = content + len(cert.tbs_certificate_bytes)
    size, start = _der_length(der, after_tbs + 1)  # the signature algorithm
    algorithm = der[after_tbs : start + size]
    signature = signer.sign(tbs, ec.ECDSA(hashes.SHA256()))
    bits = b"\x00" + signature
    bit_string = b"\x03" + _der_sequence(bits)[1:]
    with warnings.catch_warnings():  # the very warning the product must not print
        warnings.simplefilter("ignore")
        return x509.load_der_x509_certificate(
            _der_sequence(tbs + algorithm + bit_string)
        )


def serving(leaf: Issued, chain: list[Issued], tmp_path) -> ssl.SSLContext:
    """A server context presenting `leaf` followed by `chain` (as sent, nothing more)."""
    cert, key = tmp_path / "served.pem", tmp_path / "served.key"
    cert.write_bytes(leaf.pem + b"".join(c.pem for c in chain))
    key.write_bytes(leaf.key_pem())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


@contextmanager
def gnutls_legacy_server(leaf, tmp_path) -> Iterator[int]:
    """`gnutls-serv` over TLS 1.2 without secure renegotiation (RFC 5746).

    What an old inspecting proxy or appliance does: OpenSSL 3 clients refuse
    it with UNSAFE_LEGACY_RENEGOTIATION_DISABLED.
    """
    import shutil

    import pytest

    from .servers import closed_port

    exe = shutil.which("gnutls-serv")
    if exe is None:
        pytest.skip("gnutls-serv is not installed (apt-get install gnutls-bin)")
    cert, key = tmp_path / "legacy.pem", tmp_path / "legacy.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    port = closed_port()
    argv = [exe, "--http", "-p", str(port), "--x509certfile", str(cert)]
    argv += ["--x509keyfile", str(key)]
    argv += ["--priority", "NORMAL:-VERS-TLS1.3:%DISABLE_SAFE_RENEGOTIATION"]
    with _daemon(argv, port):
        yield port
