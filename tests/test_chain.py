"""The presented chain, who accepts it, and TLS inspection: local servers and a real mitmproxy."""

from __future__ import annotations

import datetime
import socket
import ssl
import sys
from typing import TYPE_CHECKING

import certifi
import pytest
import trustme
from support.mitm import mitm_proxy
from support.servers import channel_server, make_channel, server_tls_context

from conda_netcheck.config.commands import Commands
from conda_netcheck.diagnosis import intercept
from conda_netcheck.probes import chain, proxy
from conda_netcheck.probes.chain import describe, read_chain, verifies_with

if TYPE_CHECKING:
    from pathlib import Path

LOOPBACK = "127.0.0.1"
TIMEOUT = 5.0


# --------------------------------------------------------------------------
# Certificates: a root, an intermediate, leaves for 127.0.0.1


@pytest.fixture(scope="module")
def root_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def intermediate(root_ca: trustme.CA) -> trustme.CA:
    return root_ca.create_child_ca()


@pytest.fixture(scope="module")
def leaf(intermediate: trustme.CA) -> trustme.LeafCert:
    return intermediate.issue_cert(LOOPBACK, "localhost")


@pytest.fixture(scope="module")
def root_bundle(root_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("root") / "root.pem"
    root_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="module")
def other_bundle(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("other") / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


def der(blob: trustme.Blob) -> bytes:
    return ssl.PEM_cert_to_DER_cert(blob.bytes().decode())


def leaf_only_context(leaf: trustme.LeafCert, tmp_path: Path) -> ssl.SSLContext:
    """A server that forgot its intermediate: it sends only its own certificate."""
    cert, key = tmp_path / "leaf.pem", tmp_path / "leaf.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


def dial(port: int) -> socket.socket:
    return socket.create_connection((LOOPBACK, port), timeout=TIMEOUT)


# --------------------------------------------------------------------------
# Reading the chain


def test_a_server_with_an_intermediate_presents_leaf_then_intermediate(
    channel_root: Path, leaf: trustme.LeafCert
) -> None:
    with channel_server(channel_root, server_tls_context(leaf)) as server:
        certs = read_chain(dial(server.port), LOOPBACK, TIMEOUT).certs

    assert certs == [der(leaf.cert_chain_pems[0]), der(leaf.cert_chain_pems[1])]
    first, second = describe(certs[0]), describe(certs[1])
    assert LOOPBACK in first["names"] and not first["is_ca"]
    assert second["is_ca"] and first["issuer"] == second["subject"]
    assert len(first["sha256"]) == 64


def test_a_server_missing_its_intermediate_presents_one_certificate(
    channel_root: Path, leaf: trustme.LeafCert, tmp_path: Path
) -> None:
    with channel_server(channel_root, leaf_only_context(leaf, tmp_path)) as server:
        certs = read_chain(dial(server.port), LOOPBACK, TIMEOUT).certs

    assert certs == [der(leaf.cert_chain_pems[0])]


def test_a_tls13_only_server_still_shows_its_certificate(
    channel_root: Path, leaf: trustme.LeafCert
) -> None:
    ctx = server_tls_context(leaf)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    with channel_server(channel_root, ctx) as server:
        result = read_chain(
            dial(server.port), LOOPBACK, TIMEOUT, reconnect=lambda: dial(server.port)
        )

    assert result.version == "TLSv1.3"
    if chain.HAS_UNVERIFIED_CHAIN:  # Python >= 3.13 reads the chain over TLS 1.3
        assert len(result.certs) == 2 and result.complete
    else:  # older ones fall back to the leaf of a normal handshake
        assert result.certs == [der(leaf.cert_chain_pems[0])]
        assert not result.complete


@pytest.mark.skipif(
    chain.HAS_UNVERIFIED_CHAIN, reason="Python >= 3.13 needs no TLS 1.2"
)
def test_without_reconnect_a_tls13_only_server_is_reported(
    channel_root: Path, leaf: trustme.LeafCert
) -> None:
    ctx = server_tls_context(leaf)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    with channel_server(channel_root, ctx) as server:
        result = read_chain(dial(server.port), LOOPBACK, TIMEOUT)

    assert result.certs == []
    assert "TLS 1.2 handshake refused" in result.error


def test_a_silent_server_times_out_within_the_bound() -> None:
    from support.servers import silent_server

    with silent_server() as port:
        result = read_chain(dial(port), LOOPBACK, 0.5)

    assert result.certs == [] and "no TLS handshake within 0.5 s" in result.error


def records(payload: bytes, size: int, content_type: int = 22) -> bytes:
    """Cut a handshake stream into TLS records of at most `size` bytes."""
    out = b""
    for i in range(0, len(payload), size):
        piece = payload[i : i + size]
        out += bytes([content_type, 3, 3]) + len(piece).to_bytes(2, "big") + piece
    return out


def handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def test_a_certificate_message_spread_over_records_is_reassembled() -> None:
    certs = [b"\x30" * 700, b"\x31" * 300]
    entries = b"".join(len(c).to_bytes(3, "big") + c for c in certs)
    body = len(entries).to_bytes(3, "big") + entries
    stream = handshake(2, b"\x03\x03" + b"\0" * 38) + handshake(11, body)
    wire = records(stream, 100)
    flight = chain.ServerFlight()
    for i in range(0, len(wire), 7):  # and the socket hands it over in bits
        flight.feed(wire[i : i + 7])

    assert flight.certs == certs
    assert flight.version == "TLSv1.2"


def test_a_truncated_certificate_list_is_refused() -> None:
    with pytest.raises(ValueError, match="truncated"):
        chain.certificate_list(b"\x00\x00\x05\x00\x00\x09ab")


# --------------------------------------------------------------------------
# Who accepts the chain (no connection: cryptography's verifier on a bundle)


@pytest.fixture(scope="module")
def chains(root_ca: trustme.CA, intermediate: trustme.CA, leaf: trustme.LeafCert):
    now = datetime.datetime.now(datetime.timezone.utc)
    expired = intermediate.issue_cert(
        LOOPBACK,
        not_before=now - datetime.timedelta(days=30),
        not_after=now - datetime.timedelta(days=1),
    )
    return {
        "full": [der(p) for p in leaf.cert_chain_pems],
        "leaf-only": [der(leaf.cert_chain_pems[0])],
        "expired": [der(p) for p in expired.cert_chain_pems],
    }


VERIFY_CASES = [
    # (id, chain, host, bundle, accepted, words in the reason)
    ("full-chain-vs-its-root", "full", LOOPBACK, "root", True, "accepts it"),
    ("full-chain-vs-certifi", "full", LOOPBACK, None, False, "not in certifi's"),
    ("full-chain-vs-other-ca", "full", LOOPBACK, "other", False, "which is not in"),
    ("leaf-only-vs-its-root", "leaf-only", LOOPBACK, "root", False, "intermediate"),
    ("wrong-host", "full", "conda.example.org", "root", False, "not valid for"),
    ("expired-leaf", "expired", LOOPBACK, "root", False, "expired on"),
    ("by-host-name", "full", "localhost", "root", True, "accepts it"),
]


@pytest.mark.parametrize(
    "which, host, bundle, accepted, words",
    [c[1:] for c in VERIFY_CASES],
    ids=[c[0] for c in VERIFY_CASES],
)
def test_verifies_with_a_bundle(
    chains, root_bundle, other_bundle, which, host, bundle, accepted, words
) -> None:
    cafile = {"root": root_bundle, "other": other_bundle, None: None}[bundle]
    ok, why = verifies_with(chains[which], host, cafile=cafile)
    assert ok is accepted, why
    assert words in why


def test_a_missing_intermediate_is_named_as_such(chains, root_bundle) -> None:
    ok, why = verifies_with(chains["leaf-only"], LOOPBACK, cafile=root_bundle)
    assert not ok
    assert why.startswith("the server sent only its own certificate")
    assert "intermediate certificate" in why and "is missing" in why


def test_a_directory_of_certificates_works_as_capath(chains, root_ca, tmp_path) -> None:
    root_ca.cert_pem.write_to_path(str(tmp_path / "0123abcd.0"))
    assert verifies_with(chains["full"], LOOPBACK, capath=str(tmp_path))[0] is True


def test_an_empty_bundle_cannot_tell(chains, tmp_path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("no certificates here\n")
    ok, why = verifies_with(chains["full"], LOOPBACK, cafile=str(empty))
    assert ok is None and "no readable CA certificate" in why


# --------------------------------------------------------------------------
# Through a real TLS-inspecting proxy (mitmproxy)


@pytest.fixture(scope="module")
def upstream(tmp_path_factory, leaf):
    """A TLS channel server (leaf + intermediate) behind the inspecting proxy."""
    root = make_channel(tmp_path_factory.mktemp("channel"))
    with channel_server(root, server_tls_context(leaf)) as server:
        yield server


@pytest.fixture(scope="module")
def mitm(tmp_path_factory, root_bundle, upstream):
    with mitm_proxy(tmp_path_factory.mktemp("mitm"), root_bundle) as running:
        yield running


def tunnel_factory(mitm, port: int):
    """Connect to mitmproxy and CONNECT to 127.0.0.1:port: a socket, as conda's would be."""

    def connect() -> socket.socket:
        answer = proxy.connect(
            socket.create_connection((LOOPBACK, mitm.port), timeout=TIMEOUT),
            LOOPBACK,
            port,
            mitm.url,
            TIMEOUT,
        )
        assert answer.status == 200, answer.problem
        return answer.sock

    return connect


@pytest.fixture(scope="module")
def inspected_chain(mitm, upstream) -> list[bytes]:
    connect = tunnel_factory(mitm, upstream.port)
    return read_chain(connect(), LOOPBACK, TIMEOUT, reconnect=connect).certs


def test_through_mitmproxy_the_chain_is_issued_by_mitmproxy(
    inspected_chain, mitm, upstream
) -> None:
    info = describe(inspected_chain[0])
    assert "CN=mitmproxy" in info["issuer"]
    assert LOOPBACK in info["names"]
    assert intercept.product_of(info["issuer"], info["subject"]).name == "mitmproxy"
    wanted = f"CONNECT 127.0.0.1:{upstream.port}"
    assert wanted in mitm.wait_for_log(wanted)


def test_the_inspected_chain_is_accepted_only_with_mitmproxys_ca(
    inspected_chain, mitm, root_bundle
) -> None:
    assert verifies_with(inspected_chain, LOOPBACK, cafile=mitm.ca_pem)[0] is True
    assert verifies_with(inspected_chain, LOOPBACK)[0] is False  # certifi
    assert verifies_with(inspected_chain, LOOPBACK, cafile=root_bundle)[0] is False


@pytest.mark.parametrize("store", ["mitmproxy-ca", "unrelated-ca"])
def test_truststore_answers_for_the_operating_systems_store(
    store, mitm, upstream, other_bundle, monkeypatch, tmp_path
) -> None:
    # On Linux truststore reads SSL_CERT_FILE: this file plays the OS store.
    monkeypatch.setenv(
        "SSL_CERT_FILE", mitm.ca_pem if store == "mitmproxy-ca" else other_bundle
    )
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # nothing from /etc/ssl
    ok, why = chain.verifies_with_truststore(
        tunnel_factory(mitm, upstream.port), LOOPBACK, TIMEOUT
    )
    assert ok is (store == "mitmproxy-ca"), why


def test_the_inspecting_proxy_is_named_with_the_fix(inspected_chain) -> None:
    verdict = intercept.interception_verdict(
        [describe(c) for c in inspected_chain],
        via_proxy=True,
        host=LOOPBACK,
        publicly_trusted=False,
        os_trusts=False,
        conda_trusts=False,
        platform="linux",
        commands=Commands(),
    )
    assert verdict.code == "tls-intercepted"
    assert verdict.summary == (
        "TLS to 127.0.0.1 is inspected by your organisation's proxy: the "
        "certificate is issued by mitmproxy, not a public authority"
    )
    assert verdict.product == "mitmproxy"
    assert "conda config --set ssl_verify ~/conda-ca-bundle.pem" in verdict.fix


def test_mitmproxy_relays_to_the_upstream_it_verified(mitm, upstream) -> None:
    import requests

    reply = requests.get(
        f"{upstream.url}/noarch/repodata.json",
        proxies=mitm.proxies(),
        verify=mitm.ca_pem,
        timeout=TIMEOUT,
    )
    assert reply.status_code == 200 and reply.json()["info"]["subdir"] == "noarch"


def test_mitmproxy_refuses_anything_but_loopback(mitm) -> None:
    answer = proxy.connect(
        socket.create_connection((LOOPBACK, mitm.port), timeout=TIMEOUT),
        "192.0.2.1",
        443,
        mitm.url,
        TIMEOUT,
    )
    assert answer.status == 403
    assert "refused CONNECT 192.0.2.1:443" in mitm.wait_for_log("refused CONNECT")


def test_mitmproxy_verifies_upstream_against_the_ca_it_is_given(
    tmp_path, other_bundle, upstream
) -> None:
    import requests

    with mitm_proxy(tmp_path, other_bundle) as strict:
        reply = requests.get(
            f"{upstream.url}/noarch/repodata.json",
            proxies=strict.proxies(),
            verify=strict.ca_pem,
            timeout=TIMEOUT,
        )
    assert reply.status_code == 502


# --------------------------------------------------------------------------
# Naming the product, public hosts, the verdict


@pytest.mark.parametrize(
    "issuer, product",
    [
        (
            "CN=Zscaler Intermediate Root CA (zscaler.net),O=Zscaler Inc.,C=US",
            "Zscaler",
        ),
        ("CN=ca.acme.goskope.com,O=Acme Corp", "Netskope"),
        ("CN=certadmin,O=Netskope Inc.", "Netskope"),
        ("CN=fw-01,O=Palo Alto Networks,C=US", "Palo Alto Networks"),
        ("CN=FortiGate CA,O=Fortinet,C=US", "Fortinet FortiGate"),
        ("CN=Blue Coat ProxySG CA,O=Acme", "Blue Coat / Symantec ProxySG"),
        ("CN=Cisco Umbrella Secondary SubCA ord-SG,O=Cisco", "Cisco Umbrella"),
        ("CN=Forcepoint Cloud CA,O=Forcepoint LLC", "Forcepoint / Websense"),
        ("CN=Sophos SSL CA_C320ABPCBJ8BQ6B,O=Sophos", "Sophos"),
        ("CN=mitmproxy,O=mitmproxy", "mitmproxy"),
        ("CN=Avast Web/Mail Shield Root,O=Avast Web/Mail Shield", "Avast"),
        ("CN=AVG Web/Mail Shield Root,O=AVG Web/Mail Shield", "AVG"),
        (
            "CN=Kaspersky Anti-Virus Personal Root Certificate,O=AO Kaspersky Lab",
            "Kaspersky",
        ),
        ("CN=ESET SSL Filter CA,O=ESET\\, spol. s r. o.,C=SK", "ESET"),
        ("CN=Bitdefender Personal CA.Net-Defender,O=Bitdefender", "Bitdefender"),
        ("cn=zscaler root ca", "Zscaler"),
        ("CN=R11,O=Let's Encrypt,C=US", None),
        ("CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,O=DigiCert Inc,C=US", None),
        ("CN=Symantec Class 3 Secure Server CA - G4,O=Symantec Corporation", None),
        ("CN=Acme Internal Root,O=Acme", None),
    ],
)
def test_recognise_product(issuer: str, product: str | None) -> None:
    found = intercept.product_of(issuer, "")
    assert (found.name if found else None) == product


@pytest.mark.parametrize(
    "host, public",
    [
        ("conda.anaconda.org", True),
        ("repo.anaconda.com", True),
        ("ANACONDA.ORG.", True),
        ("repo.anaconda.cloud", True),
        ("prefix.dev", True),
        ("repo.prefix.dev", True),
        ("conda.mycorp.example", False),
        ("notanaconda.org", False),
        ("anaconda.org.evil.example", False),
    ],
)
def test_is_public_channel_host(host: str, public: bool) -> None:
    assert intercept.is_public_channel_host(host) is public


def info(issuer_cn: str, issuer_o: str, subject: str = "CN=conda.anaconda.org") -> dict:
    return {
        "subject": subject,
        "issuer": f"CN={issuer_cn},O={issuer_o}",
        "issuer_cn": issuer_cn,
        "issuer_org": issuer_o,
    }


ZSCALER = [
    info("Zscaler Intermediate Root CA (zscaler.net)", "Zscaler Inc."),
    info(
        "Zscaler Root CA",
        "Zscaler Inc.",
        "CN=Zscaler Intermediate Root CA (zscaler.net),O=Zscaler Inc.",
    ),
]
CORPORATE = [info("Acme Inspection CA", "Acme")]
AVAST = [info("Avast Web/Mail Shield Root", "Avast Web/Mail Shield")]
PUBLIC = [info("R11", "Let's Encrypt")]

# (id, chain, via_proxy, host, public, os, conda, code, in summary, in fix)
VERDICTS = [
    (
        "zscaler-os-trusts-it",
        ZSCALER, True, "conda.anaconda.org", False, True, False,
        "tls-intercepted",
        "inspected by your organisation's proxy: the certificate is issued by "
        "Zscaler Intermediate Root CA (zscaler.net), not a public authority",
        "conda config --set ssl_verify truststore",
    ),
    (
        "zscaler-nobody-trusts-it",
        ZSCALER, False, "repo.anaconda.com", False, False, False,
        "tls-intercepted",
        "inspected by your organisation's network",
        'security find-certificate -a -c "Zscaler Root CA" -p /Library/Keychains/System.keychain',
    ),
    (
        "unknown-ca-on-a-public-host",
        CORPORATE, True, "conda.anaconda.org", False, False, False,
        "tls-intercepted",
        "issued by Acme Inspection CA, not a public authority",
        # From the bundle conda uses (certifi's, by its literal path), never `python`.
        f"cat {certifi.where()} acme-inspection-ca.pem > ~/conda-ca-bundle.pem",
    ),
    (
        "unknown-ca-on-a-private-mirror",
        CORPORATE, False, "conda.mycorp.example", False, False, False,
        "tls-untrusted",
        "the certificate of conda.mycorp.example is issued by Acme Inspection CA, "
        "which conda does not trust",
        "conda config --set ssl_verify ~/conda-ca-bundle.pem",
    ),
    (
        "antivirus-on-this-computer",
        AVAST, False, "conda.anaconda.org", False, True, False,
        "tls-intercepted",
        "inspected by security software on this computer: the certificate is "
        "issued by Avast Web/Mail Shield Root, not a public authority",
        "ssl_verify truststore",
    ),
    (
        "inspected-but-conda-trusts-it",
        ZSCALER, True, "conda.anaconda.org", False, True, True,
        None,
        "; conda is set up to trust it",
        None,
    ),
    (
        "public-chain-conda-bundle-lacks-public-roots",
        PUBLIC, False, "conda.anaconda.org", True, True, False,
        "tls-untrusted",
        "does not include the public roots",
        # Not the OS store: a channel may rely on the bundle's own roots.
        f"cat {certifi.where()} /path/to/your-bundle.pem > ~/conda-ca-bundle.pem",
    ),
    (
        "all-good",
        PUBLIC, False, "conda.anaconda.org", True, True, True,
        None, None, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    "certs, via_proxy, host, public, os_trusts, conda_trusts, code, summary, fix",
    [v[1:] for v in VERDICTS],
    ids=[v[0] for v in VERDICTS],
)
def test_interception_verdict(
    certs, via_proxy, host, public, os_trusts, conda_trusts, code, summary, fix
) -> None:
    verdict = intercept.interception_verdict(
        certs,
        via_proxy,
        host,
        public,
        os_trusts,
        conda_trusts,
        platform="darwin",
        commands=Commands(),
    )
    assert verdict.code == code
    if summary is None:
        assert verdict.summary is None
    else:
        assert summary in verdict.summary
        assert "attack" not in verdict.summary.lower()
    if fix is None:
        assert verdict.fix is None
    else:
        assert fix in verdict.fix
        assert "ssl_verify false" not in verdict.fix.replace(
            "never set ssl_verify to false", ""
        )


@pytest.mark.parametrize(
    "platform, words",
    [
        ("win32", 'certutil -store Root "Zscaler Root CA" root.cer'),
        ("darwin", "/Library/Keychains/System.keychain > zscaler-root-ca.pem"),
        ("linux", "/usr/local/share/ca-certificates"),
    ],
)
def test_the_export_steps_fit_the_platform(platform: str, words: str) -> None:
    verdict = intercept.interception_verdict(
        ZSCALER,
        False,
        "conda.anaconda.org",
        False,
        False,
        False,
        platform=platform,
        commands=Commands(),
    )
    assert verdict.root == "Zscaler Root CA"
    assert words in verdict.fix


def test_python_version_decides_how_the_chain_is_read() -> None:
    assert chain.HAS_UNVERIFIED_CHAIN is (sys.version_info >= (3, 13))
