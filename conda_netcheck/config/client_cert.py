"""The client certificate conda presents (client_ssl_cert, client_ssl_cert_key), checked without the network.

Present, readable, PEM, unencrypted (conda cannot ask for a passphrase),
matching its key and valid today; the CA side of trust is in trust.py, whose
certificate reading and command lines this module shares.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..model import Code, Finding
from ..safefiles import MAX_SMALL_FILE_BYTES, UnsafePath, read_bytes
from .trust import (
    _CERT_BLOCK_RE,
    _is_der_certificate,
    _load_certificates,
    _not_after,
    _not_before,
    _pem_name,
    _q,
    _remove_command,
    _set_command,
    _set_in,
    common_name,
)

if TYPE_CHECKING:
    from .netconfig import NetConfig

_KEY_BLOCK_RE = re.compile(
    rb"-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY-----.+?-----END (?P=kind)PRIVATE KEY-----",
    re.DOTALL,
)


def client_certificate(cfg: NetConfig) -> list[Finding]:
    """client_ssl_cert and its key: present, readable, PEM, unencrypted, matching, valid."""
    cert_path, key_path = cfg.client_cert, cfg.client_key
    if not cert_path and not key_path:
        return []
    if not cert_path:
        return [
            Finding(
                "client_ssl_cert_key",
                Code.CLIENT_CERT_INVALID,
                f"client_ssl_cert_key is set{_set_in(cfg, 'client_ssl_cert_key', ' (in {})')} "
                "but client_ssl_cert is not: conda sends no client certificate",
                _set_command(cfg, "client_ssl_cert", "/path/to/client-cert.pem"),
            )
        ]
    findings: list[Finding] = []
    cert_data = _client_file(cfg, "client_ssl_cert", cert_path, findings)
    key_data = (
        _client_file(cfg, "client_ssl_cert_key", key_path, findings)
        if key_path
        else None
    )
    if findings or cert_data is None:
        return findings
    certificate = _client_certificate(cfg, cert_path, cert_data, findings)
    if certificate is None and not key_path:
        return findings  # one file, already reported
    if key_path:
        key_key, key_file, key_bytes = "client_ssl_cert_key", key_path, key_data
    else:
        key_key, key_file, key_bytes = "client_ssl_cert", cert_path, cert_data
    private_key = _client_key(
        cfg, key_key, key_file, key_bytes or b"", findings, separate=bool(key_path)
    )
    if certificate is not None and private_key is not None:
        findings += _key_match(cfg, certificate, private_key, cert_path, key_file)
    return findings


def _client_file(
    cfg: NetConfig, key: str, path: str, findings: list[Finding]
) -> bytes | None:
    where = f"{key}{_set_in(cfg, key)} points at {path}, which"
    try:
        return read_bytes(path, MAX_SMALL_FILE_BYTES)
    except UnsafePath as exc:
        problem = exc.what
    fix = (
        f"{_remove_command(cfg, key)}, or point it at your "
        f"{'key' if key.endswith('key') else 'certificate'} file: "
        f"{_set_command(cfg, key, '/path/to/client.pem')}"
    )
    findings.append(Finding(key, Code.CLIENT_CERT_INVALID, f"{where} {problem}", fix))
    return None


def _client_certificate(
    cfg: NetConfig, path: str, data: bytes, findings: list[Finding]
) -> Any:
    key = "client_ssl_cert"
    where = f"{key}{_set_in(cfg, key)} points at {path}, which"
    blocks = _CERT_BLOCK_RE.findall(data)
    if not blocks:
        if _is_der_certificate(data):
            pem = _q(_pem_name(path))
            findings.append(
                Finding(
                    key,
                    Code.CLIENT_CERT_INVALID,
                    f"{where} holds a DER (binary) certificate; conda needs PEM",
                    f"openssl x509 -inform der -in {_q(path)} -out {pem} && "
                    + _set_command(cfg, key, pem),
                )
            )
        else:
            findings.append(
                Finding(
                    key,
                    Code.CLIENT_CERT_INVALID,
                    f"{where} holds no PEM certificate",
                    _set_command(cfg, key, "/path/to/client-cert.pem"),
                )
            )
        return None
    certificates = _load_certificates(blocks[:1])
    if not certificates:
        if certificates is not None:
            findings.append(
                Finding(
                    key,
                    Code.CLIENT_CERT_INVALID,
                    f"{where} holds a certificate that cannot be parsed",
                    _set_command(cfg, key, "/path/to/client-cert.pem"),
                )
            )
        return None
    cert = certificates[0]
    now = datetime.now(timezone.utc)
    renew = "ask whoever issued it for a new client certificate, then " + _set_command(
        cfg, key, "/path/to/new-client-cert.pem"
    )
    if _not_after(cert) < now:
        findings.append(
            Finding(
                key,
                Code.CLIENT_CERT_INVALID,
                f"{where} holds a client certificate ({common_name(cert)}) that expired "
                f"on {_not_after(cert):%Y-%m-%d}: servers will refuse it",
                renew,
            )
        )
    elif _not_before(cert) > now:
        findings.append(
            Finding(
                key,
                Code.CLIENT_CERT_INVALID,
                f"{where} holds a client certificate ({common_name(cert)}) that is not "
                f"valid before {_not_before(cert):%Y-%m-%d} (or this computer's clock is wrong)",
                f"check the clock (date -u); if it is right, {renew}",
            )
        )
    return cert


def _client_key(
    cfg: NetConfig,
    key: str,
    path: str,
    data: bytes,
    findings: list[Finding],
    *,
    separate: bool,
) -> Any:
    """Load the private key without a passphrase; never put key material in a message."""
    where = f"{key}{_set_in(cfg, key)} points at {path}, which"
    match = _KEY_BLOCK_RE.search(data)
    if match is None:
        if separate:
            summary = f"{where} holds no PEM private key"
            fix = _set_command(cfg, key, "/path/to/client-key.pem")
        else:
            summary = (
                f"{where} holds no private key, and client_ssl_cert_key is not set: "
                "conda cannot use the certificate"
            )
            fix = _set_command(cfg, "client_ssl_cert_key", "/path/to/client-key.pem")
        findings.append(Finding(key, Code.CLIENT_CERT_INVALID, summary, fix))
        return None
    block = match.group()
    decrypted = _q(os.path.splitext(path)[0] + "-decrypted.pem")
    encrypted_fix = (
        f"openssl pkey -in {_q(path)} -out {decrypted} (asks for the passphrase once) && "
        f"chmod 600 {decrypted} && {_set_command(cfg, 'client_ssl_cert_key', decrypted)}"
    )
    encrypted = Finding(
        key,
        Code.CLIENT_CERT_INVALID,
        f"{where} holds an encrypted private key: conda cannot prompt for or be given "
        "its passphrase",
        encrypted_fix,
    )
    if match["kind"] == b"ENCRYPTED " or b"Proc-Type: 4,ENCRYPTED" in block:
        findings.append(encrypted)
        return None
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return None
    try:
        return serialization.load_pem_private_key(block, password=None)
    except TypeError:  # "Password was not given but private key is encrypted"
        findings.append(encrypted)
    except (ValueError, UnsupportedAlgorithm):
        findings.append(
            Finding(
                key,
                Code.CLIENT_CERT_INVALID,
                f"{where} holds a private key that cannot be parsed",
                _set_command(cfg, key, "/path/to/client-key.pem"),
            )
        )
    return None


def _key_match(
    cfg: NetConfig, cert: Any, private_key: Any, cert_path: str, key_path: str
) -> list[Finding]:
    from cryptography.hazmat.primitives import serialization

    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if cert.public_key().public_bytes(
        der, spki
    ) == private_key.public_key().public_bytes(der, spki):
        return []
    key = "client_ssl_cert_key" if cfg.client_key else "client_ssl_cert"
    return [
        Finding(
            key,
            Code.CLIENT_CERT_INVALID,
            f"the private key in {key_path} does not belong to the client certificate "
            f"{common_name(cert)} in {cert_path}: the TLS handshake will fail",
            "point client_ssl_cert_key at the key this certificate was issued for; compare "
            f"openssl x509 -noout -pubkey -in {_q(cert_path)} | openssl sha256 with "
            f"openssl pkey -pubout -in {_q(key_path)} | openssl sha256",
        )
    ]
