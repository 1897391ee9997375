"""Resets, closed handshakes and client certificates, against real local peers.

Each case runs through the conda-free stack (diagnose with standalone_route)
and through `conda netcheck` with real conda and a temporary .condarc.
"""

from __future__ import annotations

import json
import ssl
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
import trustme
from conftest import needs_conda
from support.servers import channel_server, server_tls_context
from support.tls_faults import (
    client_cert_context,
    client_hello_sni,
    issue,
    openssl_client_cert_server,
    reset_after_request,
    serving,
    sni_filter,
)

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.routes import standalone_route
from conda_netcheck.config.targets import urls_targets
from conda_netcheck.diagnosis.runner import diagnose
from conda_netcheck.evidence import LoneLeaf
from conda_netcheck.model import Options

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# SNI is only sent for names, never for IP addresses: the channel is "localhost".
NAME = "localhost"
OPTIONS = Options(commands=Commands(), connect_timeout=1.0, read_timeout=2.0)


def standalone(url: str, monkeypatch, bundle: str | None):
    """The single result of the conda-free stack for one noarch target."""
    if bundle:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    (result,) = diagnose(urls_targets([url], ("noarch",)), standalone_route, OPTIONS)
    return result


@pytest.fixture
def condarc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Make a temporary .condarc the only configuration conda reads."""
    from conda.base.context import reset_context

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))

    def write(url: str, **settings) -> None:
        settings = {
            "channels": [url],
            "default_channels": [url],
            "channel_alias": url,
            **settings,
        }
        path = tmp_path / "condarc"
        path.write_text(json.dumps(settings))
        monkeypatch.setenv("CONDARC", str(path))
        reset_context()

    yield write
    reset_context()


def through_conda(conda_cli) -> tuple[list[dict], int]:
    out, _, code = conda_cli("netcheck", "--json", "--timeout", "2")
    return json.loads(out)["targets"], code


@contextmanager
def filtered(ctx_root: Path, ca: trustme.CA, blocks, action: str) -> Iterator[str]:
    """A real TLS channel behind an SNI filter; yields the URL by name."""
    tls = server_tls_context(ca.issue_cert(NAME, "127.0.0.1"))
    with (
        channel_server(ctx_root, tls) as server,
        sni_filter(server.port, blocks, action) as front,
    ):
        yield f"https://{NAME}:{front.port}"


def only_the_name(name: str | None) -> bool:
    return name == NAME


def every_name(name: str | None) -> bool:
    return True


# --------------------------------------------------------------------------
# The peer itself


def test_the_filter_reads_the_server_name_of_a_real_client_hello():
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="mirror.example.org")
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    hello = outgoing.read()
    assert client_hello_sni(hello) == "mirror.example.org"
    no_sni = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    no_sni.check_hostname = False
    tls = no_sni.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname=None)
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    assert client_hello_sni(outgoing.read()) is None


# --------------------------------------------------------------------------
# Resets and clean closes during the handshake


def test_a_reset_that_follows_the_host_name_is_a_filter(
    channel_root, ca, ca_bundle, monkeypatch
):
    with filtered(channel_root, ca, only_the_name, "reset") as url:
        result = standalone(url, monkeypatch, ca_bundle)

    problem = result.problem
    assert problem.code.value == "connection-reset"
    assert problem.layer.value == "tls"
    assert "was reset (RST) during the TLS handshake" in problem.summary
    assert "the reset follows the host name" in problem.summary
    port = url.rsplit(":", 1)[1]
    assert problem.fix.startswith(f"ask your network team to allow {NAME}:{port}")
    assert problem.details.second_handshake.answer == "completed"


def test_a_server_that_resets_every_handshake_is_told_apart(
    channel_root, ca, ca_bundle, monkeypatch
):
    with filtered(channel_root, ca, every_name, "reset") as url:
        result = standalone(url, monkeypatch, ca_bundle)

    problem = result.problem
    assert problem.code.value == "connection-reset"
    assert "ends every handshake" in problem.summary
    assert "follows the host name" not in problem.summary
    assert "whether a firewall resets connections" in problem.fix


def test_a_clean_close_says_closed_and_that_it_follows_the_name(
    channel_root, ca, ca_bundle, monkeypatch
):
    with filtered(channel_root, ca, only_the_name, "close") as url:
        result = standalone(url, monkeypatch, ca_bundle)

    problem = result.problem
    assert problem.code.value == "connection-reset"
    assert "was closed (EOF, no TLS alert) during the TLS handshake" in problem.summary
    assert "the close follows the host name" in problem.summary


def test_a_close_of_every_handshake_names_the_likely_causes_in_order(
    channel_root, ca, ca_bundle, monkeypatch
):
    with filtered(channel_root, ca, every_name, "close") as url:
        result = standalone(url, monkeypatch, ca_bundle)

    fix = result.problem.fix
    assert fix.startswith("likely causes, in order: (1) a TLS inspection device")
    assert "(2) a port that is not TLS" in fix


def test_a_reset_after_the_request_is_at_the_http_layer(monkeypatch):
    with reset_after_request("reset") as port:
        result = standalone(f"http://127.0.0.1:{port}", monkeypatch, None)

    problem = result.problem
    assert (problem.code.value, problem.layer.value) == ("connection-reset", "http")
    assert "was reset (RST) after the request for repodata.json" in problem.summary


def test_a_close_after_the_request_says_closed(monkeypatch):
    with reset_after_request("close") as port:
        result = standalone(f"http://127.0.0.1:{port}", monkeypatch, None)

    assert result.problem.code.value == "connection-reset"
    assert "was closed after the request" in result.problem.summary


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("action", ["reset", "close"])
def test_a_peer_that_ends_every_connection_on_accept_is_the_tcp_layer(
    monkeypatch, scheme, action
):
    import dataclasses

    from conda_netcheck.diagnosis import transport

    # A firewall resets within milliseconds; this peer is a thread of a busy
    # test process: give it as long as it needs to be scheduled, in the
    # second handshake and in the unprompted watch alike (it ends each early).
    monkeypatch.setattr(transport, "_UNPROMPTED_WAIT", 10.0)
    roomy = dataclasses.replace(OPTIONS, connect_timeout=10.0, read_timeout=10.0)
    with reset_after_request(action, on_accept=True) as port:
        targets = urls_targets([f"{scheme}://127.0.0.1:{port}"], ("noarch",))
        (result,) = diagnose(targets, standalone_route, roomy)

    problem = result.problem
    assert (problem.code.value, problem.layer.value) == ("connection-reset", "tcp")
    how = "resets (RST)" if action == "reset" else "closes"
    assert f"127.0.0.1:{port} {how} " in problem.summary
    assert "right after accepting it, before anything is sent" in problem.summary
    assert problem.fix.startswith("ask your network team whether a firewall ends")


@needs_conda
def test_a_reset_by_name_through_conda(channel_root, ca, ca_bundle, condarc, conda_cli):
    with filtered(channel_root, ca, only_the_name, "reset") as url:
        condarc(url, ssl_verify=ca_bundle)
        targets, code = through_conda(conda_cli)

    assert {t["diagnosis"] for t in targets} == {"connection-reset"}
    assert all("follows the host name" in t["summary"] for t in targets)
    assert code == 1


# --------------------------------------------------------------------------
# Client certificates


@contextmanager
def needs_client_cert(root, ca, version) -> Iterator[tuple[str, trustme.CA]]:
    client_ca = trustme.CA(organization_name="Netcheck Client CA")
    ctx = client_cert_context(ca.issue_cert(NAME, "127.0.0.1"), client_ca, version)
    with channel_server(root, ctx) as server:
        yield f"https://{NAME}:{server.port}", client_ca


@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2], ids=["tls13", "tls12"]
)
def test_a_server_that_requires_a_client_certificate_says_so(
    channel_root, ca, ca_bundle, monkeypatch, version
):
    with needs_client_cert(channel_root, ca, version) as (url, _):
        result = standalone(url, monkeypatch, ca_bundle)

    problem = result.problem
    assert (problem.code.value, problem.layer.value) == ("client-cert-required", "tls")
    assert "requires a client certificate and conda sends none" in problem.summary
    assert "conda config --set client_ssl_cert /path/to/client.pem" in problem.fix
    assert "client_ssl_cert_key" in problem.fix


def test_tls12_shows_the_authorities_the_server_accepts(
    ca, ca_bundle, monkeypatch, tmp_path
):
    client_ca = trustme.CA(organization_name="Netcheck Client CA")
    server_cert = ca.issue_cert(NAME)
    with openssl_client_cert_server(server_cert, client_ca, tmp_path) as port:
        result = standalone(f"https://{NAME}:{port}", monkeypatch, ca_bundle)

    problem = result.problem
    assert problem.code.value == "client-cert-required"
    assert "(a CertificateRequest, then a handshake failure)" in problem.summary
    assert "it accepts certificates issued by: " in problem.summary
    assert "O=Netcheck Client CA" in problem.summary
    assert problem.details.accepted_cas


@needs_conda
@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2], ids=["tls13", "tls12"]
)
def test_client_certificate_required_through_conda(
    channel_root, ca, ca_bundle, condarc, conda_cli, version
):
    with needs_client_cert(channel_root, ca, version) as (url, _):
        condarc(url, ssl_verify=ca_bundle)
        targets, code = through_conda(conda_cli)

    assert {t["diagnosis"] for t in targets} == {"client-cert-required"}
    assert all("client_ssl_cert" in t["fix"] for t in targets)
    assert code == 1


@needs_conda
@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2], ids=["tls13", "tls12"]
)
def test_a_client_certificate_from_another_ca_is_named_as_rejected(
    channel_root, ca, ca_bundle, condarc, conda_cli, tmp_path, version
):
    stranger = trustme.CA().issue_cert("alice@example.org")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    stranger.cert_chain_pems[0].write_to_path(str(cert))
    stranger.private_key_pem.write_to_path(str(key))
    with needs_client_cert(channel_root, ca, version) as (url, _):
        condarc(
            url,
            ssl_verify=ca_bundle,
            client_ssl_cert=str(cert),
            client_ssl_cert_key=str(key),
        )
        targets, code = through_conda(conda_cli)

    assert {t["diagnosis"] for t in targets} == {"client-cert-required"}
    assert all(
        f"rejected the client certificate conda sends ({cert}" in t["summary"]
        for t in targets
    )
    assert all(f"client_ssl_cert ({cert})" in t["fix"] for t in targets)
    assert code == 1


@needs_conda
def test_the_right_client_certificate_is_ok_through_conda(
    channel_root, ca, ca_bundle, condarc, conda_cli, tmp_path
):
    with needs_client_cert(channel_root, ca, ssl.TLSVersion.TLSv1_3) as (url, client):
        pair = client.issue_cert("alice@example.org")
        cert, key = tmp_path / "client.pem", tmp_path / "client.key"
        pair.cert_chain_pems[0].write_to_path(str(cert))
        pair.private_key_pem.write_to_path(str(key))
        condarc(
            url,
            ssl_verify=ca_bundle,
            client_ssl_cert=str(cert),
            client_ssl_cert_key=str(key),
        )
        targets, code = through_conda(conda_cli)

    assert {t["diagnosis"] for t in targets} == {"ok"}
    assert code == 0


# --------------------------------------------------------------------------
# A lone leaf: a private root, or a missing intermediate (decided by AIA)


def _answer(form: str, issuer, root) -> bytes:
    """The issuer as a CA's server may publish it: DER, PEM, or PKCS#7 of one or two."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    if form == "der":
        return issuer.der
    if form == "pem":
        return issuer.pem
    certs = [issuer.cert] if form != "pkcs7-two" else [issuer.cert, root.cert]
    return pkcs7.serialize_certificates(certs, Encoding.DER)


@contextmanager
def lone_leaf_server(
    root_path: Path,
    tmp_path: Path,
    *,
    intermediate: bool,
    aia: bool,
    send_chain=False,
    form: str = "der",
) -> Iterator[tuple[str, str]]:
    """A channel whose leaf has an AIA caIssuers URL served by a local HTTP server.

    Yields the channel URL and a bundle with the private root.
    """
    root = issue("Example Private Root")
    issuer = issue("Example Issuing CA", root) if intermediate else root
    issuers = tmp_path / "aia"
    issuers.mkdir()
    (issuers / "issuer.crt").write_bytes(_answer(form, issuer, root))
    bundle = tmp_path / "private-root.pem"
    bundle.write_bytes(root.pem)
    with channel_server(issuers) as aia_server:
        url = f"{aia_server.url}/issuer.crt" if aia else None
        leaf = issue("mirror", issuer, ca=False, hosts=("127.0.0.1",), aia_url=url)
        chain = [issuer] if send_chain else []
        with channel_server(root_path, serving(leaf, chain, tmp_path)) as server:
            yield server.url, str(bundle)


def test_a_leaf_signed_by_its_private_root_needs_the_ca_not_the_server(
    channel_root, tmp_path, monkeypatch
):
    with lone_leaf_server(channel_root, tmp_path, intermediate=False, aia=True) as (
        url,
        _,
    ):
        result = standalone(url, monkeypatch, None)

    problem = result.problem
    assert problem.code.value == "tls-untrusted"
    assert 'issued directly by the root CA "Example Private Root"' in problem.summary
    assert "the server rightly sends only its own certificate" in problem.summary
    assert problem.fix.startswith(
        'give conda the root certificate "Example Private Root"'
    )
    assert "administrators" not in problem.fix
    assert problem.details.lone_leaf is LoneLeaf.PRIVATE_ROOT


def test_a_leaf_without_its_intermediate_is_the_servers_to_fix(
    channel_root, tmp_path, monkeypatch
):
    with lone_leaf_server(channel_root, tmp_path, intermediate=True, aia=True) as (
        url,
        bundle,
    ):
        result = standalone(url, monkeypatch, bundle)

    problem = result.problem
    assert problem.code.value == "tls-untrusted"
    assert 'the intermediate CA "Example Issuing CA"' in problem.summary
    assert "with it, conda's trust accepts the chain" in problem.summary
    assert problem.fix.startswith(
        "ask the administrators of 127.0.0.1 to serve the full certificate chain"
    )
    # The same roots conda uses (the private bundle), plus the intermediate.
    assert problem.fix.sentence.endswith(
        "meanwhile give conda the intermediate with its roots"
    )
    assert problem.fix.steps[0].startswith("curl -fsS http://127.0.0.1:")
    assert problem.fix.steps[0].endswith(
        "| openssl x509 -inform DER -out intermediate.pem"
    )
    # A bundle of one corporate root gets certifi's roots too (the warning's case).
    import certifi

    combine = f"cat {certifi.where()} {bundle} intermediate.pem > ~/conda-ca-bundle.pem"
    assert combine in problem.fix
    assert problem.details.missing_intermediate is True


def test_the_full_chain_from_the_same_pki_is_ok(channel_root, tmp_path, monkeypatch):
    with lone_leaf_server(
        channel_root, tmp_path, intermediate=True, aia=True, send_chain=True
    ) as (url, bundle):
        result = standalone(url, monkeypatch, bundle)

    assert result.status.value == "ok"


def test_without_aia_a_private_host_names_the_ca_first(
    channel_root, tmp_path, monkeypatch
):
    with lone_leaf_server(channel_root, tmp_path, intermediate=False, aia=False) as (
        url,
        _,
    ):
        result = standalone(url, monkeypatch, None)

    problem = result.problem
    assert "most likely Example Private Root is your organisation's private CA" in (
        problem.summary
    )
    assert problem.fix.startswith("if Example Private Root is your organisation's CA")
    assert "else ask the administrators of 127.0.0.1" in problem.fix


@needs_conda
@pytest.mark.parametrize("intermediate", [False, True], ids=["root", "intermediate"])
def test_a_lone_leaf_through_conda(
    channel_root, tmp_path, condarc, conda_cli, intermediate
):
    with lone_leaf_server(
        channel_root, tmp_path, intermediate=intermediate, aia=True
    ) as (url, bundle):
        condarc(url, **({"ssl_verify": bundle} if intermediate else {}))
        targets, code = through_conda(conda_cli)

    assert {t["diagnosis"] for t in targets} == {"tls-untrusted"}
    wanted = "the intermediate CA" if intermediate else "issued directly by the root CA"
    assert all(wanted in t["summary"] for t in targets)
    assert code == 1


# --------------------------------------------------------------------------
# Strict X.509 (VERIFY_X509_STRICT, as urllib3 >= 2.4 sets on Python >= 3.13)


def strict_route(url: str):
    """standalone_route whose session verifies with VERIFY_X509_STRICT, as on 3.13."""
    from requests.adapters import HTTPAdapter
    from urllib3.util.ssl_ import create_urllib3_context

    class StrictAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            context = create_urllib3_context()
            context.verify_flags |= ssl.VERIFY_X509_STRICT
            kwargs["ssl_context"] = context
            super().init_poolmanager(*args, **kwargs)

    route = standalone_route(url)
    route.session.mount("https://", StrictAdapter(max_retries=0))
    return route


@contextmanager
def lax_pki_server(root_path: Path, tmp_path: Path, **lax) -> Iterator[tuple[str, str]]:
    """A channel whose root or leaf breaks a strict X.509 rule; yields URL and bundle."""
    root = issue("Lax Root", critical_constraints=lax.get("critical", True))
    leaf = issue(
        "mirror", root, ca=False, hosts=("127.0.0.1",), key_ids=lax.get("aki", True)
    )
    bundle = tmp_path / "lax-root.pem"
    bundle.write_bytes(root.pem)
    with channel_server(root_path, serving(leaf, [], tmp_path)) as server:
        yield server.url, str(bundle)


def diagnose_one(url: str, route_for, bundle: str, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    (result,) = diagnose(urls_targets([url], ("noarch",)), route_for, OPTIONS)
    return result


def test_the_probe_verifies_with_the_flags_of_the_sessions_context():
    import requests
    from urllib3.util.ssl_ import create_urllib3_context

    from conda_netcheck.probes.handshake import session_verify_flags

    plain = requests.Session()
    assert session_verify_flags(plain, "https://x/") == (
        create_urllib3_context().verify_flags
    )
    strict = strict_route("https://127.0.0.1:1/chan").session
    assert session_verify_flags(strict, "https://x/") & ssl.VERIFY_X509_STRICT


def test_a_ca_without_critical_basic_constraints_fails_only_strict_checks(
    channel_root, tmp_path, monkeypatch
):
    with lax_pki_server(channel_root, tmp_path, critical=False) as (url, bundle):
        result = diagnose_one(url, strict_route, bundle, monkeypatch)

    problem = result.problem
    assert (problem.code.value, problem.layer.value) == ("tls-x509-strict", "tls")
    assert "VERIFY_X509_STRICT" in problem.summary
    assert '"Lax Root": its basicConstraints is not marked critical' in (
        problem.summary
    )
    assert problem.fix.startswith("have the CA reissued")
    assert "conda config --set ssl_verify truststore" in problem.fix


def test_a_leaf_without_authority_key_identifier_is_named(
    channel_root, tmp_path, monkeypatch
):
    with lax_pki_server(channel_root, tmp_path, aki=False) as (url, bundle):
        result = diagnose_one(url, strict_route, bundle, monkeypatch)

    assert result.problem.code.value == "tls-x509-strict"
    assert '"mirror": it has no Authority Key Identifier' in result.problem.summary


@pytest.mark.parametrize("lax", [{"critical": False}, {"aki": False}], ids=str)
def test_without_the_strict_flag_the_same_chain_is_ok(
    channel_root, tmp_path, monkeypatch, lax
):
    # Python 3.11's urllib3 context has no VERIFY_X509_STRICT: no false alarm.
    with lax_pki_server(channel_root, tmp_path, **lax) as (url, bundle):
        result = diagnose_one(url, standalone_route, bundle, monkeypatch)

    assert result.status.value == "ok"


@needs_conda
def test_a_lax_ca_through_conda_follows_condas_own_flags(
    channel_root, tmp_path, condarc, conda_cli
):
    # conda's session on this Python: strict only where urllib3 sets the flag.
    import sys

    with lax_pki_server(channel_root, tmp_path, critical=False) as (url, bundle):
        condarc(url, ssl_verify=bundle)
        targets, code = through_conda(conda_cli)

    strict = sys.version_info >= (3, 13) and _urllib3_sets_strict()
    expected = "tls-x509-strict" if strict else "ok"
    assert {t["diagnosis"] for t in targets} == {expected}
    assert code == (1 if strict else 0)


def _urllib3_sets_strict() -> bool:
    from urllib3.util.ssl_ import create_urllib3_context

    return bool(create_urllib3_context().verify_flags & ssl.VERIFY_X509_STRICT)


@pytest.mark.parametrize("form", ["der", "pem", "pkcs7-der", "pkcs7-two"])
def test_the_meanwhile_bundle_of_a_missing_intermediate_works_when_run(
    channel_root, tmp_path, monkeypatch, form
):
    import os
    import shutil
    import subprocess

    from conda_netcheck.fixtext import SaveCertificate, edit_of

    if not (shutil.which("curl") and shutil.which("openssl")):
        pytest.skip("needs curl and openssl to run the fix")
    with lone_leaf_server(
        channel_root, tmp_path, intermediate=True, aia=True, form=form
    ) as (url, bundle):
        problem = standalone(url, monkeypatch, bundle).problem
        fix = problem.fix
        # What the proof saves is what the line saves, so the line is typed;
        # a PKCS#7 of two would save both, and cannot be tried.
        saves = edit_of(problem.commands.lines[0])
        assert isinstance(saves, SaveCertificate) is (form != "pkcs7-two")
        if saves is not None:  # what the line writes, from where
            assert saves.file == "intermediate.pem"
            assert f" {saves.url} | " in fix.steps[0]
        # The numbered steps, run one after another as printed.
        *steps, config = fix.steps
        commands = " && ".join(steps)
        assert config == "conda config --set ssl_verify ~/conda-ca-bundle.pem"
        work = tmp_path / "work"
        work.mkdir()
        env = {**os.environ, "HOME": str(work)}
        subprocess.run(
            ["bash", "-c", commands], cwd=work, env=env, check=True, timeout=30
        )
        after = standalone(url, monkeypatch, str(work / "conda-ca-bundle.pem"))

    assert after.status.value == "ok"
    if saves is not None:  # the line saved the very certificate the proof tried
        from cryptography import x509

        saved = x509.load_pem_x509_certificate((work / "intermediate.pem").read_bytes())
        assert saved == x509.load_pem_x509_certificate(saves.pem.encode())


@pytest.mark.parametrize(
    "users", [None, {"alice": "Aia-Secret-77"}], ids=["open", "auth"]
)
def test_the_intermediate_is_downloaded_through_the_proxy_it_was_fetched_through(
    channel_root, tmp_path, monkeypatch, users
):
    import os
    import shutil
    import subprocess

    from support.proxies import tinyproxy_proxy

    if not (shutil.which("curl") and shutil.which("openssl")):
        pytest.skip("needs curl and openssl to run the fix")
    with (
        lone_leaf_server(channel_root, tmp_path, intermediate=True, aia=True) as (
            url,
            bundle,
        ),
        tinyproxy_proxy(tmp_path / "proxy", users=users) as proxy,
    ):
        # Only the http:// caIssuers URL goes through the proxy; the channel does not.
        written = proxy.url_with("alice", "Aia-Secret-77") if users else proxy.url
        monkeypatch.setenv("HTTP_PROXY", written)
        problem = standalone(url, monkeypatch, bundle).problem
        save = problem.commands.lines[0]
        # The credentials are the user's to type: a placeholder, never the value.
        assert "Aia-Secret-77" not in problem.fix
        address = f"127.0.0.1:{proxy.port}"
        shown = f"'http://USER:<password>@{address}'" if users else f"http://{address}"
        assert save.startswith(f"curl -fsS --proxy {shown} http://127.0.0.1:")
        assert problem.commands.needs == (("USER:<password>",) if users else ())
        work = tmp_path / "work"
        work.mkdir()
        filled = save.replace("USER:<password>", "alice:Aia-Secret-77")
        subprocess.run(
            ["bash", "-c", filled],
            cwd=work,
            env={**os.environ, "HOME": str(work)},
            check=True,
            timeout=30,
        )
        log = proxy.log_text()
    assert (work / "intermediate.pem").read_text().count("BEGIN CERTIFICATE") == 1
    # Through the proxy, as the run fetched it (once by netcheck, once by curl).
    assert log.count("/issuer.crt") >= 2, log


def test_the_report_puts_a_name_filter_reset_with_the_network_team(
    channel_root, ca, ca_bundle, monkeypatch
):
    from conda_netcheck.config.netconfig import NetConfig
    from conda_netcheck.model import Report
    from conda_netcheck.output.report import markdown_report

    with filtered(channel_root, ca, only_the_name, "reset") as url:
        result = standalone(url, monkeypatch, ca_bundle)
    port = url.rsplit(":", 1)[1]
    document = markdown_report(Report(targets=[result]), NetConfig(), {})

    network = document.split("For the network team", 1)[1]
    assert f"connections to {NAME}:{port} are reset or closed before an answer" in (
        network
    )


def test_a_reset_by_name_through_a_proxy_tunnel_asks_to_allow_it_there(
    channel_root, ca, ca_bundle, monkeypatch, tmp_path
):
    from support.proxies import squid_proxy

    with filtered(channel_root, ca, only_the_name, "reset") as url:
        port = url.rsplit(":", 1)[1]
        with squid_proxy(tmp_path, connect_ports=[int(port)]) as proxy:
            monkeypatch.setenv("HTTPS_PROXY", proxy.url)
            result = standalone(url, monkeypatch, ca_bundle)

    problem = result.problem
    assert problem.code.value == "connection-reset", problem.summary
    # squid ends the tunnel cleanly when the far side resets.
    assert "a reset beyond it may arrive as a close" in problem.summary
    assert "follows the host name" in problem.summary
    assert problem.fix.startswith(
        f"ask your network team to allow {NAME}:{port} through the proxy 127.0.0.1:"
    )
    assert "proxy_servers.https" not in problem.fix


# --------------------------------------------------------------------------
# A peer without secure renegotiation (an old inspecting device)


def test_a_peer_without_secure_renegotiation_is_named_and_never_weakened(
    ca, ca_bundle, tmp_path, monkeypatch
):
    from support.tls_faults import gnutls_legacy_server

    with gnutls_legacy_server(ca.issue_cert("127.0.0.1"), tmp_path) as port:
        result = standalone(f"https://127.0.0.1:{port}/chan", monkeypatch, ca_bundle)

    assert result.problem.code.value == "tls-legacy-renegotiation"
    assert result.problem.layer.value == "tls"
    assert "RFC 5746" in result.problem.fix
    assert "ssl_verify" not in result.problem.fix


@needs_conda
def test_a_peer_without_secure_renegotiation_through_conda(
    ca, ca_bundle, tmp_path, condarc, conda_cli
):
    from support.tls_faults import gnutls_legacy_server

    with gnutls_legacy_server(ca.issue_cert("127.0.0.1"), tmp_path) as port:
        condarc(f"https://127.0.0.1:{port}/chan", ssl_verify=ca_bundle)
        targets, code = through_conda(conda_cli)

    assert {t["diagnosis"] for t in targets} == {"tls-legacy-renegotiation"}
    assert code == 1


def test_a_peer_that_resets_as_the_connection_is_made_refuses_every_handshake():
    """Reopening is itself reset: no second handshake could start, and that is the evidence."""
    from conda_netcheck.diagnosis.transport import explain_handshake

    def reopen():
        # What the connect probe raises when the RST comes before a byte is sent.
        raise ConnectionResetError("reset right after accepting it")

    url = "https://127.0.0.1:9/noarch"
    problem = explain_handshake(
        ConnectionResetError(104, "Connection reset by peer"),
        "127.0.0.1",
        9,
        standalone_route(url),
        reopen,
        1.0,
    )
    assert (problem.code.value, problem.layer.value) == ("connection-reset", "tcp")
    assert "right after accepting it" in problem.summary
