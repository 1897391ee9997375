"""The certificates a TLS server presents, and which trust stores would accept them.

`read_chain` reads the chain without verifying it, over a socket that is
already connected (directly, or a CONNECT tunnel through a proxy).
`verifies_with` then asks, without another connection, whether a PEM bundle
(certifi's public roots, or the bundle conda is configured with) accepts that
chain for a host; `verifies_with_truststore` asks the operating system's store,
which needs a real handshake.

Reading the whole chain:

* Python >= 3.13 has `SSLSocket.get_unverified_chain()`: the chain as sent,
  leaf first, whatever TLS version is negotiated.
* Older Pythons have no public API for it. There the handshake runs on an
  `ssl.SSLObject` over memory BIOs with TLS 1.2 at most, where the server's
  Certificate message is still in clear text, and the chain is parsed out of
  the TLS records as they pass. A server that refuses TLS 1.2 gets a normal
  handshake on a new connection (from `reconnect`), which shows the leaf only;
  `PresentedChain.complete` is False then.

Verifying needs `cryptography` >= 42 (`cryptography.x509.verification`); when
it is missing the answer is `None`: "cannot tell", never "untrusted".
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import ipaddress
import os
import re
import socket
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypedDict

from ..certparse import load_der, load_pem, quiet_serial_warning

if TYPE_CHECKING:
    from collections.abc import Sequence

Connect = Callable[[], socket.socket]

# TLS record content types and handshake message types (RFC 5246 6.2.1, 7.4).
_CHANGE_CIPHER_SPEC = 20
_ALERT = 21
_HANDSHAKE = 22
_SERVER_HELLO = 2
_CERTIFICATE = 11
_VERSIONS = {
    b"\x03\x01": "TLSv1",
    b"\x03\x02": "TLSv1.1",
    b"\x03\x03": "TLSv1.2",
}

#: Python >= 3.13: the chain as sent, over any TLS version.
HAS_UNVERIFIED_CHAIN = hasattr(ssl.SSLSocket, "get_unverified_chain")

_PEM_BLOCK = re.compile(
    rb"-----BEGIN CERTIFICATE-----\s.+?\s-----END CERTIFICATE-----", re.DOTALL
)


@dataclass
class PresentedChain:
    """What the server presented: DER certificates, leaf first, as sent."""

    certs: list[bytes]
    #: False when only the leaf could be read (the server refused TLS 1.2 and
    #: this Python cannot read the chain of a TLS 1.3 handshake).
    complete: bool = True
    version: str | None = None
    error: str | None = None


def read_chain(
    sock: socket.socket,
    server_name: str,
    timeout: float,
    reconnect: Connect | None = None,
) -> PresentedChain:
    """Read the presented chain over a connected socket, which is closed afterwards.

    Each handshake is bounded by `timeout`. `reconnect` returns a new connected
    socket to the same peer (through the same proxy); it is only called on
    Python < 3.13 when the server refuses a TLS 1.2 handshake.
    """
    if HAS_UNVERIFIED_CHAIN:
        return _handshake_chain(sock, server_name, timeout, whole_chain=True)
    result, retry = _tls12_chain(sock, server_name, timeout)
    if not retry or reconnect is None:
        return result
    try:
        fresh = reconnect()
    except OSError as exc:
        result.error += f"; reconnecting failed: {exc.strerror or exc}"
        return result
    leaf = _handshake_chain(fresh, server_name, timeout, whole_chain=False)
    leaf.complete = False
    if leaf.error:
        leaf.error = f"{result.error}; then {leaf.error}"
    return leaf


def _unverified_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _sni(server_name: str) -> str | None:
    return server_name or None


def _handshake_chain(
    sock: socket.socket, server_name: str, timeout: float, whole_chain: bool
) -> PresentedChain:
    """A normal unverified handshake: the whole chain (3.13+) or the leaf."""
    sock.settimeout(timeout)
    try:
        with _unverified_context().wrap_socket(
            sock, server_hostname=_sni(server_name)
        ) as tls:
            if whole_chain:
                certs = list(tls.get_unverified_chain())  # type: ignore[attr-defined]
            else:
                leaf = tls.getpeercert(binary_form=True)
                certs = [leaf] if leaf else []
            return PresentedChain(certs, complete=whole_chain, version=tls.version())
    except (TimeoutError, socket.timeout):
        return PresentedChain([], False, error=_timeout_text(timeout))
    except ssl.SSLError as exc:
        return PresentedChain([], False, error=f"TLS handshake failed: {_reason(exc)}")
    except OSError as exc:
        return PresentedChain([], False, error=_closed_text(exc))
    finally:
        sock.close()


def _tls12_chain(
    sock: socket.socket, server_name: str, timeout: float
) -> tuple[PresentedChain, bool]:
    """Capture the server's clear-text TLS 1.2 flight; (result, worth a retry)."""
    ctx = _unverified_context()
    # TLS 1.3 encrypts the Certificate message; TLS 1.2 sends it in clear.
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=_sni(server_name))
    flight = ServerFlight()
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                tls.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                done = False
            pending = outgoing.read()
            if pending:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                sock.sendall(pending)
            if done:
                # Only anonymous cipher suites get here without a Certificate.
                error = None if flight.certs else "the server presented no certificate"
                return PresentedChain(
                    flight.certs or [], True, tls.version(), error
                ), False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            data = sock.recv(65536)
            if not data:
                raise ConnectionResetError("the server closed the connection")
            flight.feed(data)
            if flight.certs is not None:
                # All we came for: no need to finish the handshake.
                return PresentedChain(flight.certs, True, flight.version), False
            incoming.write(data)
    except (TimeoutError, socket.timeout):
        return PresentedChain([], False, error=_timeout_text(timeout)), False
    except ssl.SSLError as exc:
        # Typically "protocol version" or "no shared cipher": a server that
        # only speaks TLS 1.3.
        text = f"TLS 1.2 handshake refused: {_reason(exc)}"
        return PresentedChain([], False, error=text), True
    except ValueError as exc:
        return PresentedChain([], False, error=f"unreadable TLS records: {exc}"), False
    except OSError as exc:
        # Some servers close or reset instead of sending an alert.
        return PresentedChain([], False, error=_closed_text(exc)), True
    finally:
        sock.close()


def _reason(exc: ssl.SSLError) -> str:
    return str(exc.reason or exc)


def _timeout_text(timeout: float) -> str:
    return f"no TLS handshake within {timeout:g} s"


def _closed_text(exc: OSError) -> str:
    return f"the connection closed during the TLS handshake ({exc.strerror or exc})"


class ServerFlight:
    """Parses a server's clear-text TLS records until its Certificate message.

    Records carry fragments of a stream of handshake messages: one message
    can span several records, and one record can hold several messages.
    """

    def __init__(self) -> None:
        self._records = bytearray()
        self._handshake = bytearray()
        self._encrypted = False
        self.version: str | None = None
        self.certs: list[bytes] | None = None

    def feed(self, data: bytes) -> None:
        """Take bytes as read from the socket; sets `certs` once complete."""
        self._records += data
        while len(self._records) >= 5:
            length = int.from_bytes(self._records[3:5], "big")
            if len(self._records) < 5 + length:
                break
            content_type = self._records[0]
            fragment = bytes(self._records[5 : 5 + length])
            del self._records[: 5 + length]
            if content_type == _CHANGE_CIPHER_SPEC:
                self._encrypted = True  # what follows cannot be read
            elif content_type == _HANDSHAKE and not self._encrypted:
                self._handshake += fragment
            elif content_type == _ALERT:
                break  # OpenSSL reports it
        self._messages()

    def _messages(self) -> None:
        buf = self._handshake
        while len(buf) >= 4 and self.certs is None:
            length = int.from_bytes(buf[1:4], "big")
            if len(buf) < 4 + length:
                return
            kind, body = buf[0], bytes(buf[4 : 4 + length])
            del buf[: 4 + length]
            if kind == _SERVER_HELLO and len(body) >= 2:
                self.version = _VERSIONS.get(body[:2], body[:2].hex())
            elif kind == _CERTIFICATE:
                self.certs = certificate_list(body)


def certificate_list(body: bytes) -> list[bytes]:
    """DER certificates of a TLS 1.2 Certificate message body (RFC 5246 7.4.2)."""
    if len(body) < 3:
        raise ValueError("Certificate message too short")
    total = int.from_bytes(body[:3], "big")
    if total != len(body) - 3:
        raise ValueError("Certificate list length does not match its message")
    certs, pos = [], 3
    while pos < len(body):
        if pos + 3 > len(body):
            raise ValueError("truncated certificate length")
        size = int.from_bytes(body[pos : pos + 3], "big")
        if pos + 3 + size > len(body):
            raise ValueError("truncated certificate")
        certs.append(body[pos + 3 : pos + 3 + size])
        pos += 3 + size
    return certs


# --------------------------------------------------------------------------
# Describing certificates


class CertificateInfo(TypedDict, total=False):
    """One certificate as the chain probe describes it (only sha256 without cryptography)."""

    sha256: str
    subject: str
    issuer: str
    subject_cn: str | None
    issuer_cn: str | None
    issuer_org: str | None
    not_before: str
    not_after: str
    names: list[str]
    is_ca: bool
    self_issued: bool


def describe(der: bytes) -> CertificateInfo:
    """Subject, issuer, validity, SAN names, CA flag and SHA-256 fingerprint."""
    info: CertificateInfo = {"sha256": hashlib.sha256(der).hexdigest()}
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID
    except ImportError:
        return info
    try:
        cert = load_der(der)
    except ValueError:
        return info
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = [str(n) for n in san.value.get_values_for_type(x509.DNSName)]
        names += [str(n) for n in san.value.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = []
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False

    def first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
        values = name.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    info.update(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        subject_cn=first(cert.subject, NameOID.COMMON_NAME),
        issuer_cn=first(cert.issuer, NameOID.COMMON_NAME),
        issuer_org=first(cert.issuer, NameOID.ORGANIZATION_NAME),
        not_before=_not_before(cert).isoformat(),
        not_after=_not_after(cert).isoformat(),
        names=names,
        is_ca=is_ca,
        self_issued=cert.subject == cert.issuer,
    )
    return info


def _not_before(cert: Any) -> datetime.datetime:
    value = getattr(cert, "not_valid_before_utc", None)
    return value or cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)


def _not_after(cert: Any) -> datetime.datetime:
    value = getattr(cert, "not_valid_after_utc", None)
    return value or cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def _label(cert: Any) -> str:
    from cryptography.x509.oid import NameOID

    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return f'"{cn[0].value}"' if cn else cert.subject.rfc4514_string()


def _issuer_label(cert: Any) -> str:
    from cryptography.x509.oid import NameOID

    cn = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    return f'"{cn[0].value}"' if cn else cert.issuer.rfc4514_string()


# --------------------------------------------------------------------------
# Would a bundle accept the chain?


def verifies_with(
    chain: Sequence[bytes],
    host: str,
    cafile: str | None = None,
    capath: str | None = None,
) -> tuple[bool | None, str]:
    """Whether a PEM bundle (certifi's when neither is given) accepts the chain for host.

    Returns (accepted, why); accepted is None when it cannot be told (no
    `cryptography` >= 42, an unreadable bundle, an unparsable certificate).
    """
    try:
        from cryptography.x509 import verification
    except ImportError:
        return None, "cannot check the chain: cryptography >= 42 is not installed"
    where = _bundle_name(cafile, capath)
    if not chain:
        return False, "the server presented no certificate"
    try:
        anchors = _anchors(cafile, capath)
    except OSError as exc:
        return None, f"cannot read {where}: {exc.strerror or exc}"
    if not anchors:
        return None, f"{where} holds no readable CA certificate"
    try:
        certs = [load_der(der) for der in chain]
    except ValueError as exc:
        return None, f"cannot parse the presented certificate: {exc}"
    builder = verification.PolicyBuilder().store(verification.Store(anchors))
    builder = _openssl_like(builder)
    try:
        built = builder.build_server_verifier(_subject(host)).verify(
            certs[0], certs[1:]
        )
    except verification.VerificationError as exc:
        return False, _why_rejected(certs, anchors, host, where, str(exc))
    return True, f"{where} accepts it: the chain leads to {_label(built[-1])}"


def _subject(host: str) -> Any:
    from cryptography import x509

    try:
        return x509.IPAddress(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return x509.DNSName(host.rstrip("."))


def _openssl_like(builder: Any) -> Any:
    """Relax cryptography's Web PKI profile to what OpenSSL (and so conda) accepts.

    The default policy also demands extensions OpenSSL does not (authority key
    identifiers, critical basicConstraints...), which interception CAs often
    lack. Kept: CA certificates must say CA:TRUE, the leaf must name the host
    in its subjectAltName. Needs cryptography >= 45; older ones stay strict.
    """
    from cryptography import x509
    from cryptography.x509 import verification

    policy = getattr(verification, "ExtensionPolicy", None)
    if policy is None or not hasattr(builder, "extension_policies"):
        return builder

    def must_be_ca(_policy: Any, _cert: Any, value: Any) -> None:
        if not value.ca:
            raise ValueError("basicConstraints does not allow it to issue certificates")

    ca = policy.permit_all().require_present(
        x509.BasicConstraints, verification.Criticality.AGNOSTIC, must_be_ca
    )
    ee = policy.permit_all().require_present(
        x509.SubjectAlternativeName, verification.Criticality.AGNOSTIC, None
    )
    return builder.extension_policies(ca_policy=ca, ee_policy=ee)


def _why_rejected(
    certs: list[Any], anchors: list[Any], host: str, where: str, error: str
) -> str:
    """Name the reason in words: a missing link, an expired certificate, the name."""
    by_subject = {c.subject: c for c in anchors}
    path, rest = [certs[0]], list(certs[1:])
    while path[-1].issuer not in by_subject and path[-1].subject != path[-1].issuer:
        parent = next((c for c in rest if c.subject == path[-1].issuer), None)
        if parent is None:
            break
        path.append(parent)
        rest.remove(parent)
    top = path[-1]
    now = datetime.datetime.now(datetime.timezone.utc)
    if top.issuer not in by_subject:
        if top.subject == top.issuer:
            return (
                f"the chain ends at the self-signed certificate {_label(top)}, "
                f"which is not in {where}"
            )
        if len(certs) == 1:
            return (
                f"the server sent only its own certificate: the intermediate "
                f"certificate of its issuer {_issuer_label(top)} is missing from the "
                f"chain, and {where} does not have it{_aia_hint(top)} (or that "
                f"issuer is an authority {where} does not trust)"
            )
        return (
            f"the chain ends at {_label(top)}, issued by {_issuer_label(top)}, "
            f"which is not in {where}"
        )
    for cert in path + [by_subject[top.issuer]]:
        if _not_after(cert) < now:
            return f"{_label(cert)} expired on {_not_after(cert):%Y-%m-%d}"
        if _not_before(cert) > now:
            return f"{_label(cert)} is not valid before {_not_before(cert):%Y-%m-%d}"
    if "subjectAltName" in error:
        names = describe(_der(certs[0])).get("names") or []
        named = ", ".join(names) if names else "no names at all"
        return f"the certificate is not valid for {host}: it names {named}"
    return f"{where} rejects it: {error.split(' (encountered')[0]}"


def _aia_hint(cert: Any) -> str:
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except x509.ExtensionNotFound:
        return ""
    for desc in aia.value:
        if desc.access_method == AuthorityInformationAccessOID.CA_ISSUERS:
            # Browsers download it from here; OpenSSL, and so conda, does not.
            return f" (browsers fetch it from {desc.access_location.value}; conda does not)"
    return ""


def _der(cert: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def _bundle_name(cafile: str | None, capath: str | None) -> str:
    if cafile is None and capath is None:
        return "certifi's public roots"
    return f"the bundle {cafile or capath}"


def _anchors(cafile: str | None, capath: str | None) -> list[Any]:
    if cafile is None and capath is None:
        import certifi

        cafile = certifi.where()
    paths: list[str] = []
    if cafile:
        paths.append(cafile)
    if capath:
        paths += sorted(
            os.path.join(capath, name)
            for name in os.listdir(capath)
            if os.path.isfile(os.path.join(capath, name))
        )
    certs: list[Any] = []
    for path in paths:
        stat = os.stat(path)
        certs += _read_pem(path, stat.st_mtime_ns, stat.st_size)
    return certs


@functools.lru_cache(maxsize=256)
def _read_pem(path: str, _mtime_ns: int, _size: int) -> tuple[Any, ...]:
    """Every certificate of a PEM file, skipping blocks cryptography cannot parse."""
    with open(path, "rb") as fh:
        data = fh.read()
    certs = []
    # Old roots in public bundles have non-positive serial numbers: they stay
    # usable as anchors, and load_pem keeps cryptography quiet about them.
    for block in _PEM_BLOCK.findall(data):
        try:
            certs.append(load_pem(block))
        except ValueError:
            continue  # OpenSSL may read it; one bad block must not hide the rest
    return tuple(certs)


# --------------------------------------------------------------------------
# Would the operating system's store accept it?


def verifies_with_truststore(
    connect: Connect, host: str, timeout: float
) -> tuple[bool | None, str]:
    """Whether the operating system's trust store accepts the server, by a real handshake.

    `connect` returns a new connected socket (through the proxy, if any). On
    Linux truststore reads SSL_CERT_FILE / SSL_CERT_DIR or the system bundle.
    None means it could not be told (no truststore, no connection).
    """
    try:
        import truststore
    except ImportError:
        return None, "cannot ask the operating system: truststore needs Python >= 3.10"
    ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        sock = connect()
    except OSError as exc:
        return None, f"cannot connect to check: {exc.strerror or exc}"
    sock.settimeout(timeout)
    try:
        with ctx.wrap_socket(sock, server_hostname=host):
            return True, "the operating system's trust store accepts it"
    except ssl.SSLCertVerificationError as exc:
        message = exc.verify_message or _reason(exc)
        return False, f"the operating system's trust store rejects it ({message})"
    except (TimeoutError, socket.timeout):
        return None, f"cannot check: {_timeout_text(timeout)}"
    except ssl.SSLError as exc:
        return None, f"cannot check: TLS handshake failed: {_reason(exc)}"
    except OSError as exc:
        return None, f"cannot check: {_closed_text(exc)}"
    finally:
        sock.close()


# --------------------------------------------------------------------------
# The issuer of a lone leaf, from its Authority Information Access URL

#: An issuer certificate is a few KiB; never read more than this.
ISSUER_MAX_BYTES = 32768


@dataclass(frozen=True)
class IssuerFetch:
    """The certificate found at the leaf's caIssuers URL, and what it is."""

    url: str | None  # None: the leaf names no caIssuers URL
    der: bytes | None = None
    self_signed: bool | None = None  # a root (True) or an intermediate (False)
    label: str | None = None  # its CN (or DN)
    error: str | None = None
    #: how the server answered: "der", "pem", "pkcs7-der" or "pkcs7-pem"
    form: str | None = None
    certificates: int = 0  # how many the answer held (a PKCS#7 may hold several)


def ca_issuers_url(der: bytes) -> str | None:
    """The leaf's AIA caIssuers URL (http or https), if it names one."""
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    try:
        cert = load_der(der)
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except (ValueError, x509.ExtensionNotFound):
        return None
    for desc in aia.value:
        location = desc.access_location
        if desc.access_method == AuthorityInformationAccessOID.CA_ISSUERS and (
            isinstance(location, x509.UniformResourceIdentifier)
            and location.value.startswith(("http://", "https://"))
        ):
            return location.value
    return None


def fetch_issuer(leaf: bytes, session: Any, timeout: float) -> IssuerFetch:
    """Download the leaf's issuer from its caIssuers URL through `session`, bounded.

    `session` is the route's requests session (the same proxy); the answer
    is read up to ISSUER_MAX_BYTES and within about two timeouts.
    """
    from . import http

    url = ca_issuers_url(leaf)
    if url is None:
        return IssuerFetch(None)
    answer = http.get(session, url, timeout, timeout, max_bytes=ISSUER_MAX_BYTES)
    if answer.error is not None:
        return IssuerFetch(url, error=f"{type(answer.error).__name__}")
    if not 200 <= (answer.status or 0) < 300:
        return IssuerFetch(url, error=f"HTTP {answer.status}")
    return _issuer_from(url, answer.head, leaf)


def _issuer_from(url: str, body: bytes, leaf: bytes) -> IssuerFetch:
    """Parse a DER, PEM or PKCS#7 answer; keep the certificate that issued the leaf."""
    from cryptography.hazmat.primitives.serialization import pkcs7

    certs: list[Any] = []
    form = None
    quiet_serial_warning()  # pkcs7 parses certificates too
    for name, load in (
        ("der", lambda: [load_der(body)]),
        ("pem", lambda: [load_pem(body)]),
        ("pkcs7-der", lambda: pkcs7.load_der_pkcs7_certificates(body)),
        ("pkcs7-pem", lambda: pkcs7.load_pem_pkcs7_certificates(body)),
    ):
        try:
            certs, form = list(load()), name
            break
        except ValueError:
            continue
    child = load_der(leaf)
    issuer = next((c for c in certs if c.subject == child.issuer), None)
    if issuer is None:
        return IssuerFetch(url, error="no certificate there issued the leaf")
    return IssuerFetch(
        url, _der(issuer), _self_signed(issuer), _label(issuer), None, form, len(certs)
    )


def _self_signed(cert: Any) -> bool:
    """Subject equals issuer and its own key verifies its signature."""
    from cryptography.exceptions import InvalidSignature

    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# --------------------------------------------------------------------------
# What Python's strict X.509 checks (VERIFY_X509_STRICT) reject


def strict_defects(ders: Sequence[bytes]) -> list[tuple[str, str]]:
    """(certificate, defect) for each RFC 5280 rule OpenSSL's strict mode enforces."""
    from cryptography import x509

    defects = []
    for der in ders:
        try:
            cert = load_der(der)
        except ValueError:
            continue
        extensions = {type(e.value): e for e in cert.extensions}
        constraints = extensions.get(x509.BasicConstraints)
        is_ca = constraints is not None and constraints.value.ca
        if is_ca and not constraints.critical:
            defects.append(
                (_label(cert), "its basicConstraints is not marked critical")
            )
        if is_ca and x509.SubjectKeyIdentifier not in extensions:
            defects.append((_label(cert), "it has no Subject Key Identifier"))
        if (
            cert.subject != cert.issuer
            and x509.AuthorityKeyIdentifier not in extensions
        ):
            defects.append((_label(cert), "it has no Authority Key Identifier"))
    return defects


def bundle_issuers(der: bytes, cafile: str | None) -> list[bytes]:
    """The certificates of a PEM bundle (certifi's by default) that issued `der`."""

    try:
        issuer = load_der(der).issuer
        anchors = _anchors(cafile, None)
    except (ValueError, OSError):
        return []
    return [_der(a) for a in anchors if a.subject == issuer]
