"""On Linux truststore reads OpenSSL's files: the fix names them and offers truststore only when it verifies."""

from __future__ import annotations

import json
import ssl
import sys

import certifi
import pytest
from conftest import needs_conda
from support.servers import channel_server
from support.tls_faults import issue, serving

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.routes import standalone_route
from conda_netcheck.config.targets import urls_targets
from conda_netcheck.config.trust import truststore_files
from conda_netcheck.diagnosis.runner import diagnose
from conda_netcheck.model import Options

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="truststore reads OpenSSL's files on Linux only",
)


def test_without_variables_it_is_this_pythons_openssl_default(monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    defaults = ssl.get_default_verify_paths()
    files = truststore_files()
    if defaults.cafile:
        assert files.cafile == defaults.openssl_cafile
        assert files.cafile_from == "this Python's OpenSSL default"
    else:
        assert files.cafile is None or files.cafile_from.startswith("the first")


def test_ssl_cert_file_changes_what_it_reads(monkeypatch, tmp_path):
    bundle = tmp_path / "corp.pem"
    bundle.write_bytes(issue("Corp Root").pem)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    files = truststore_files()
    assert files.cafile == str(bundle)
    assert files.text().startswith(f"{bundle} (SSL_CERT_FILE)")


@pytest.fixture
def private_channel(channel_root, tmp_path):
    """A channel signed by a private root; yields its URL and a bundle with that root."""
    root = issue("Corp Root")
    leaf = issue("mirror", root, ca=False, hosts=("127.0.0.1",))
    bundle = tmp_path / "corp-root.pem"
    bundle.write_bytes(root.pem)
    with channel_server(channel_root, serving(leaf, [], tmp_path)) as server:
        yield server.url, str(bundle)


def run(url: str):
    options = Options(commands=Commands(), connect_timeout=1, read_timeout=2)
    (result,) = diagnose(urls_targets([url], ("noarch",)), standalone_route, options)
    return result.problem


def test_truststore_is_offered_when_the_file_it_reads_has_the_ca(
    private_channel, monkeypatch
):
    url, bundle = private_channel
    # conda verifies with certifi; truststore's OpenSSL reads SSL_CERT_FILE.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("SSL_CERT_FILE", bundle)
    problem = run(url)

    assert problem.code.value == "tls-untrusted"
    assert "conda config --set ssl_verify truststore" in problem.fix
    assert f"on this machine truststore reads {bundle} (SSL_CERT_FILE)" in (problem.fix)


def test_truststore_is_not_offered_when_the_file_it_reads_lacks_the_ca(
    private_channel, monkeypatch, tmp_path
):
    url, _ = private_channel
    other = tmp_path / "other.pem"
    other.write_bytes(issue("Other Root").pem)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    problem = run(url)

    assert "conda config --set ssl_verify truststore" not in problem.fix
    assert "3. conda config --set ssl_verify ~/conda-ca-bundle.pem" in problem.fix
    reads = f"truststore would not help yet: on this machine it reads {other} (SSL_CERT_FILE)"
    assert reads in problem.fix
    assert "without this CA (for truststore the CA must be there" in problem.fix


@needs_conda
def test_through_conda_the_fix_names_the_file_truststore_reads(
    private_channel, conda_cli, tmp_path, monkeypatch
):
    from conda.base.context import reset_context

    url, bundle = private_channel
    condarc = tmp_path / "condarc"
    condarc.write_text(
        json.dumps({"channels": [url], "default_channels": [url], "channel_alias": url})
    )
    monkeypatch.setenv("CONDARC", str(condarc))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SSL_CERT_FILE", bundle)
    reset_context()
    try:
        out, _, code = conda_cli("netcheck", "--json", "--timeout", "2")
    finally:
        reset_context()
    targets = json.loads(out)["targets"]
    assert {t["diagnosis"] for t in targets} == {"tls-untrusted"}
    for target in targets:
        assert "conda config --set ssl_verify truststore" in target["fix"]
        assert f"truststore reads {bundle} (SSL_CERT_FILE)" in target["fix"]
    assert code == 1
