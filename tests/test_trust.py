"""Trust configuration without the network: real certificate files made with trustme."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import certifi
import pytest
import trustme
from cryptography.hazmat.primitives import serialization

from conda_netcheck.config.checks import config_findings
from conda_netcheck.config.client_cert import client_certificate
from conda_netcheck.config.netconfig import NetConfig
from conda_netcheck.config.sources import SettingSource
from conda_netcheck.config.trust import (
    ca_bundles,
    effective_trust,
    inspect_ca_path,
    ssl_findings,
    truststore_problem,
)

CONDARC = "/home/u/.condarc"
SOURCE = SettingSource.file(CONDARC)
LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def corp_root(ca: trustme.CA, tmp_path: Path) -> str:
    """A bundle holding only one private CA, as a company hands it out."""
    path = tmp_path / "corp-root.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def client(ca: trustme.CA, tmp_path: Path) -> tuple[str, str]:
    """A valid client certificate and its unencrypted key, in two files."""
    leaf = ca.issue_cert("alice@corp.example", common_name="alice")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    return str(cert), str(key)


def only(findings, check):
    (finding,) = [f for f in findings if f.check == check]
    return finding


# --- which trust conda uses ---------------------------------------------------

PRECEDENCE = [
    pytest.param(
        True,
        {},
        {},
        ("certifi's public roots", "conda's default"),
        id="default-certifi",
    ),
    pytest.param(
        "truststore",
        {},
        {"ssl_verify": SOURCE},
        (
            "truststore (the operating system's store) plus certifi's roots",
            f"ssl_verify: truststore set in {CONDARC}",
        ),
        id="truststore",
    ),
    pytest.param(
        "/etc/corp.pem",
        {},
        {"ssl_verify": SOURCE},
        ("/etc/corp.pem", f"ssl_verify: /etc/corp.pem set in {CONDARC}"),
        id="ssl-verify-path",
    ),
    pytest.param(
        False,
        {},
        {"ssl_verify": SOURCE},
        (
            "nothing: certificates are not verified",
            f"ssl_verify: false set in {CONDARC}",
        ),
        id="ssl-verify-false",
    ),
    pytest.param(
        True,
        {"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca.pem"},
        {},
        (
            "/etc/ssl/certs/ca.pem",
            "REQUESTS_CA_BUNDLE replaces conda's default (certifi's public roots)",
        ),
        id="requests-ca-bundle-replaces-certifi",
    ),
    pytest.param(
        "/etc/corp.pem",
        {"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca.pem"},
        {"ssl_verify": SOURCE},
        (
            "/etc/ssl/certs/ca.pem",
            f"REQUESTS_CA_BUNDLE overrides ssl_verify: /etc/corp.pem set in {CONDARC}",
        ),
        id="requests-ca-bundle-beats-ssl-verify-path",
    ),
    pytest.param(
        False,
        {"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca.pem"},
        {"ssl_verify": SOURCE},
        (
            "/etc/ssl/certs/ca.pem",
            "REQUESTS_CA_BUNDLE turns verification back on: it overrides "
            f"ssl_verify: false set in {CONDARC}",
        ),
        id="requests-ca-bundle-beats-ssl-verify-false",
    ),
    pytest.param(
        "truststore",
        {"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca.pem"},
        {"ssl_verify": SOURCE},
        (
            "truststore (the operating system's store) plus /etc/ssl/certs/ca.pem",
            f"ssl_verify: truststore set in {CONDARC}; requests adds "
            "REQUESTS_CA_BUNDLE in place of certifi's roots",
        ),
        id="requests-ca-bundle-adds-to-truststore",
    ),
    pytest.param(
        True,
        {"REQUESTS_CA_BUNDLE": "/r.pem", "CURL_CA_BUNDLE": "/c.pem"},
        {},
        (
            "/r.pem",
            "REQUESTS_CA_BUNDLE replaces conda's default (certifi's public roots)",
        ),
        id="requests-before-curl",
    ),
    pytest.param(
        True,
        {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "/c.pem"},
        {},
        ("/c.pem", "CURL_CA_BUNDLE replaces conda's default (certifi's public roots)"),
        id="empty-requests-falls-through-to-curl",
    ),
    pytest.param(
        True,
        {"SSL_CERT_FILE": "/etc/ssl/cert.pem"},
        {},
        ("certifi's public roots", "conda's default"),
        id="ssl-cert-file-ignored-without-truststore",
    ),
]


@pytest.mark.parametrize(("verify", "env", "sources", "expected"), PRECEDENCE)
def test_effective_trust_follows_requests_precedence(verify, env, sources, expected):
    cfg = NetConfig(ssl_verify=verify, env=env, sources=sources)
    assert effective_trust(cfg) == expected


@pytest.mark.skipif(
    os.name == "nt", reason="truststore uses OpenSSL paths on Linux only"
)
def test_effective_trust_names_ssl_cert_file_under_truststore():
    cfg = NetConfig(ssl_verify="truststore", env={"SSL_CERT_FILE": "/etc/corp.pem"})
    trust, why = effective_trust(cfg)
    assert trust.startswith("truststore")
    assert "SSL_CERT_FILE=/etc/corp.pem replaces OpenSSL's default locations" in why


def test_effective_trust_without_conda_is_what_this_check_uses():
    cfg = NetConfig(conda=False, env={"SSL_CERT_FILE": "/etc/corp.pem"})
    trust, why = effective_trust(cfg)
    assert trust == "/etc/corp.pem"
    assert "conda itself ignores it" in why


def test_requests_really_lets_the_variable_beat_ssl_verify_false(monkeypatch):
    import requests

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca.pem")
    session = requests.Session()
    session.verify = False  # what conda sets for ssl_verify: false
    settings = session.merge_environment_settings("https://x/", {}, None, None, None)
    assert settings["verify"] == "/etc/ssl/certs/ca.pem"


# --- CA paths ------------------------------------------------------------------


def test_certifi_bundle_passes_without_a_corporate_warning():
    info = inspect_ca_path(certifi.where())
    assert info.problem is None
    assert info.public
    assert info.count > 100
    assert ca_bundles(NetConfig(ssl_verify=certifi.where())) == []


def test_bundle_with_only_a_corporate_root_warns_and_says_how_to_combine(corp_root):
    cfg = NetConfig(ssl_verify=corp_root, sources={"ssl_verify": SOURCE})
    finding = only(ca_bundles(cfg), "ssl_verify")
    assert finding.code.value == "ca-bundle-invalid"
    assert finding.status.value == "warning"
    assert "holds only 1 corporate root(s)" in finding.summary
    assert "conda-forge's CDN, anaconda.org" in finding.summary
    # certifi's literal path: the `python` on PATH need not be conda's.
    assert finding.fix == (
        f"cat {certifi.where()} "
        f"{corp_root} > ~/conda-ca-bundle.pem && "
        f"conda config --file {CONDARC} --set ssl_verify ~/conda-ca-bundle.pem"
    )


def test_the_combined_bundle_lines_are_the_printed_fix(corp_root):
    cfg = NetConfig(env={"REQUESTS_CA_BUNDLE": corp_root})
    finding = only(ca_bundles(cfg), "REQUESTS_CA_BUNDLE")
    # --json gives the same lines, in order: build, point ssl_verify, drop the variable.
    assert finding.commands.lines == (
        f"cat {certifi.where()} {corp_root} > ~/conda-ca-bundle.pem",
        "conda config --set ssl_verify ~/conda-ca-bundle.pem",
        "unset REQUESTS_CA_BUNDLE",
    )
    assert finding.fix == " && ".join(finding.commands.lines)


def test_a_corporate_only_directory_is_combined_by_a_line_the_proof_can_try(
    corp_root, tmp_path
):
    """`cat CERTIFI DIR/*.[0-9] > ...`: its edit holds the files the shell's glob reads."""
    import subprocess

    from conda_netcheck.fixtext import WriteBundle, edit_of

    certs = tmp_path / "my certs"
    certs.mkdir()
    (certs / "0a1b2c3d.0").write_bytes(Path(corp_root).read_bytes())
    cfg = NetConfig(ssl_verify=str(certs), sources={"ssl_verify": SOURCE})
    finding = only(ca_bundles(cfg), "ssl_verify")
    build = finding.commands.lines[0]
    assert "/*.[0-9] > ~/conda-ca-bundle.pem" in build
    parts = (certifi.where(), str(certs / "0a1b2c3d.0"))
    assert edit_of(build) == WriteBundle("~/conda-ca-bundle.pem", parts)
    assert finding.commands.edits is not None
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(["bash", "-c", build], env=env, check=True, timeout=30)
    written = (home / "conda-ca-bundle.pem").read_bytes()
    assert written == b"".join(Path(p).read_bytes() for p in parts)


def test_the_combined_bundle_is_never_the_file_it_is_built_from(
    corp_root, tmp_path, monkeypatch
):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    mine = home / "conda-ca-bundle.pem"
    mine.write_bytes(Path(corp_root).read_bytes())
    cfg = NetConfig(ssl_verify=str(mine), sources={"ssl_verify": SOURCE})
    finding = only(ca_bundles(cfg), "ssl_verify")
    # `cat X ... > X` would empty X before cat reads it.
    assert f"{mine} > ~/conda-ca-bundle-new.pem && " in finding.fix


def test_corporate_only_variable_is_replaced_by_ssl_verify_in_the_fix(corp_root):
    cfg = NetConfig(env={"REQUESTS_CA_BUNDLE": corp_root})
    finding = only(ca_bundles(cfg), "REQUESTS_CA_BUNDLE")
    assert "holds only 1 corporate root(s)" in finding.summary
    assert finding.fix.endswith(
        "conda config --set ssl_verify ~/conda-ca-bundle.pem && unset REQUESTS_CA_BUNDLE"
    )


def test_corporate_root_added_to_truststore_is_fine(corp_root):
    cfg = NetConfig(ssl_verify="truststore", env={"REQUESTS_CA_BUNDLE": corp_root})
    assert ca_bundles(cfg) == []


def test_combined_bundle_is_not_corporate_only(corp_root, tmp_path):
    combined = tmp_path / "combined.pem"
    combined.write_bytes(
        Path(certifi.where()).read_bytes() + Path(corp_root).read_bytes()
    )
    assert ca_bundles(NetConfig(ssl_verify=str(combined))) == []


def test_expired_certificate_is_named_with_its_date(ca, tmp_path):
    expired = ca.issue_cert(
        "old.corp.example", common_name="Old Corp Root", not_after=LONG_AGO
    )
    path = tmp_path / "old.pem"
    expired.cert_chain_pems[0].write_to_path(str(path))
    ca.cert_pem.write_to_path(str(path), append=True)
    finding = [
        f
        for f in ca_bundles(NetConfig(ssl_verify=str(path)))
        if "expired:" in f.summary
    ]
    (finding,) = finding
    assert (
        "holds 2 certificates, 1 expired: Old Corp Root (expired 2020-01-01)"
        in finding.summary
    )
    # Beside valid ones (Debian's bundle), expired roots are harmless: a note.
    assert finding.status.value == "ok"
    assert finding.expired_in == str(path)


def test_expired_roots_warn_only_when_a_channel_fails_as_expired_against_them(
    ca, tmp_path
):
    from conda_netcheck.diagnosis.findings import with_expired_roots_in_use
    from conda_netcheck.model import Code, Layer, Problem, Target, TargetResult
    from conda_netcheck.output.render import finding_lines

    expired = ca.issue_cert("old.corp.example", not_after=LONG_AGO)
    path = tmp_path / "old.pem"
    expired.cert_chain_pems[0].write_to_path(str(path))
    ca.cert_pem.write_to_path(str(path), append=True)
    findings = ca_bundles(NetConfig(ssl_verify=str(path)))
    (note,) = [f for f in findings if f.expired_in]
    assert finding_lines(note) == []  # not on every run
    assert finding_lines(note, verbose=True)[0].endswith(note.summary)

    target = Target("https://h.test/c/noarch", "c", "noarch", verify=str(path))
    fine = [TargetResult(target)]
    assert with_expired_roots_in_use(findings, fine) == findings
    failed = [TargetResult(target, Problem(Code.TLS_EXPIRED, Layer.TLS, "expired"))]
    (warned,) = [f for f in with_expired_roots_in_use(findings, failed) if f.expired_in]
    assert warned.status.value == "warning"


def test_bundle_where_everything_expired_is_an_error(ca, tmp_path):
    expired = ca.issue_cert(
        "old.corp.example", common_name="Old Corp Root", not_after=LONG_AGO
    )
    path = tmp_path / "old.pem"
    expired.cert_chain_pems[0].write_to_path(str(path))
    (finding,) = [
        f
        for f in ca_bundles(NetConfig(ssl_verify=str(path)))
        if "expired:" in f.summary
    ]
    assert "all expired" in finding.summary
    assert finding.status.value == "error"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_text(""), "is empty: it holds no PEM certificate"),
        (lambda p: p.write_text("not a certificate\n"), "holds no PEM certificate"),
        (lambda p: p.mkdir(), "is a directory, not a file"),
        (lambda p: None, "does not exist"),
        (
            lambda p: p.write_text(
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
            ),
            "cannot be loaded",
        ),
    ],
    ids=["empty", "not-pem", "directory", "missing", "garbage-in-pem"],
)
def test_unusable_ssl_cert_file_under_truststore(tmp_path, make, says):
    path = tmp_path / "bundle.pem"
    make(path)
    cfg = NetConfig(ssl_verify="truststore", env={"SSL_CERT_FILE": str(path)})
    finding = only(ca_bundles(cfg), "SSL_CERT_FILE")
    assert finding.code.value == "ca-bundle-invalid"
    assert says in finding.summary
    assert finding.fix == "unset SSL_CERT_FILE"


def test_ssl_cert_dir_must_be_a_directory(corp_root):
    cfg = NetConfig(ssl_verify="truststore", env={"SSL_CERT_DIR": corp_root})
    finding = only(ca_bundles(cfg), "SSL_CERT_DIR")
    assert "is a file, not a directory" in finding.summary


def test_ssl_cert_dir_without_hashed_names_says_rehash(tmp_path, corp_root):
    directory = tmp_path / "certs"
    directory.mkdir()
    (directory / "corp.pem").write_bytes(Path(corp_root).read_bytes())
    cfg = NetConfig(ssl_verify="truststore", env={"SSL_CERT_DIR": str(directory)})
    finding = only(ca_bundles(cfg), "SSL_CERT_DIR")
    assert "hashed names" in finding.summary
    assert finding.fix == f"openssl rehash {directory}"


def test_ssl_cert_variables_do_not_matter_without_truststore(tmp_path):
    cfg = NetConfig(env={"SSL_CERT_FILE": str(tmp_path / "gone.pem")})
    assert ca_bundles(cfg) == []


def test_der_certificate_gets_the_conversion_command(ca, tmp_path):
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    der = tmp_path / "corp.cer"
    der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    finding = only(
        ca_bundles(NetConfig(env={"REQUESTS_CA_BUNDLE": str(der)})),
        "REQUESTS_CA_BUNDLE",
    )
    assert "DER (binary) certificate, not PEM" in finding.summary
    pem = tmp_path / "corp.pem"
    assert finding.fix == (
        f"openssl x509 -inform der -in {der} -out {pem} && export REQUESTS_CA_BUNDLE={pem}"
    )


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads files whatever their mode: unreadable cannot be tested as root",
)
def test_unreadable_bundle_says_so(corp_root):
    os.chmod(corp_root, 0o000)
    finding = only(ca_bundles(NetConfig(ssl_verify=corp_root)), "ssl_verify")
    assert "cannot be read (Permission denied)" in finding.summary


def test_curl_ca_bundle_is_not_checked_when_requests_ca_bundle_wins(
    tmp_path, corp_root
):
    cfg = NetConfig(
        env={
            "REQUESTS_CA_BUNDLE": certifi.where(),
            "CURL_CA_BUNDLE": str(tmp_path / "x"),
        }
    )
    assert ca_bundles(cfg) == []


def test_variable_beating_ssl_verify_false_is_explained():
    cfg = NetConfig(
        ssl_verify=False,
        sources={"ssl_verify": SOURCE},
        env={"CURL_CA_BUNDLE": certifi.where()},
    )
    (finding,) = ca_bundles(cfg)
    assert finding.code.value == "ca-bundle-override"
    assert "turns verification back on" in finding.summary
    assert finding.fix.startswith(
        f"conda config --file {CONDARC} --remove-key ssl_verify"
    )


# --- ssl and truststore ------------------------------------------------------------


def test_a_working_ssl_module_is_no_finding():
    assert ssl_findings() == []


def test_ssl_import_failure_on_windows_points_at_the_dlls():
    def broken(name):
        raise ImportError(
            "DLL load failed while importing _ssl: The specified module could not be found."
        )

    (finding,) = ssl_findings(broken, platform="win32")
    assert "DLL load failed" in finding.summary
    assert "Anaconda Prompt" in finding.fix
    assert "Library\\bin are not on PATH" in finding.fix
    assert finding.check == "ssl"
    assert finding.status.value == "error"
    assert "activated environment" in finding.fix


def test_ssl_import_failure_elsewhere_has_no_windows_hint():
    def broken(name):
        raise ImportError("libssl.so.3: cannot open shared object file")

    (finding,) = ssl_findings(broken, platform="linux")
    assert "Library\\bin" not in finding.fix
    assert "conda list openssl" in finding.fix


def test_truststore_problem_on_old_python_and_missing_package():
    assert "needs 3.10" in truststore_problem(version=(3, 9, 18))

    def missing(name):
        raise ModuleNotFoundError("No module named 'truststore'")

    assert "cannot be imported" in truststore_problem(missing, version=(3, 12, 0))
    assert truststore_problem() is None


def test_truststore_unavailable_is_an_error_with_the_install_command(monkeypatch):
    import conda_netcheck.config.trust as trust

    monkeypatch.setattr(
        trust,
        "truststore_problem",
        lambda: "the truststore package cannot be imported (x)",
    )
    cfg = NetConfig(ssl_verify="truststore", sources={"ssl_verify": SOURCE})
    finding = only(ca_bundles(cfg), "ssl_verify")
    assert finding.code.value == "ca-bundle-invalid"
    assert finding.status.value == "error"
    assert finding.fix.startswith(
        "conda install truststore, or use a CA bundle instead"
    )


# --- client certificate ---------------------------------------------------------------


def test_valid_client_certificate_and_key_pass(client):
    cert, key = client
    assert client_certificate(NetConfig(client_cert=cert, client_key=key)) == []


def test_certificate_with_key_in_one_file_passes(ca, tmp_path):
    path = tmp_path / "both.pem"
    ca.issue_cert("alice@corp.example").private_key_and_cert_chain_pem.write_to_path(
        str(path)
    )
    assert client_certificate(NetConfig(client_cert=str(path))) == []


def test_certificate_without_key_anywhere(client):
    cert, _ = client
    finding = only(client_certificate(NetConfig(client_cert=cert)), "client_ssl_cert")
    assert "holds no private key, and client_ssl_cert_key is not set" in finding.summary
    assert (
        finding.fix == "conda config --set client_ssl_cert_key /path/to/client-key.pem"
    )


def test_encrypted_key_says_conda_cannot_prompt(ca, client, tmp_path):
    cert, key = client
    passphrase = b"hunter2-passphrase"
    private_key = serialization.load_pem_private_key(Path(key).read_bytes(), None)
    locked = tmp_path / "locked.key"
    locked.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
    )
    cfg = NetConfig(client_cert=cert, client_key=str(locked))
    finding = only(client_certificate(cfg), "client_ssl_cert_key")
    assert finding.code.value == "client-cert-invalid"
    assert "encrypted private key: conda cannot prompt for" in finding.summary
    decrypted = tmp_path / "locked-decrypted.pem"
    assert finding.fix.startswith(f"openssl pkey -in {locked} -out {decrypted}")
    assert finding.fix.endswith(f"conda config --set client_ssl_cert_key {decrypted}")
    text = finding.summary + finding.fix
    assert "hunter2" not in text
    assert "PRIVATE KEY-----" not in text


def test_key_from_another_certificate_does_not_match(ca, client, tmp_path):
    cert, _ = client
    other = tmp_path / "other.key"
    ca.issue_cert("bob@corp.example").private_key_pem.write_to_path(str(other))
    cfg = NetConfig(client_cert=cert, client_key=str(other))
    finding = only(client_certificate(cfg), "client_ssl_cert_key")
    assert "does not belong to the client certificate alice" in finding.summary
    assert "openssl sha256" in finding.fix


def test_expired_client_certificate(ca, tmp_path):
    path = tmp_path / "old.pem"
    leaf = ca.issue_cert("alice@corp.example", common_name="alice", not_after=LONG_AGO)
    leaf.private_key_and_cert_chain_pem.write_to_path(str(path))
    cfg = NetConfig(client_cert=str(path), sources={"client_ssl_cert": SOURCE})
    finding = only(client_certificate(cfg), "client_ssl_cert")
    assert "(alice) that expired on 2020-01-01" in finding.summary
    assert finding.fix.endswith(
        f"conda config --file {CONDARC} --set client_ssl_cert /path/to/new-client-cert.pem"
    )


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.mkdir(), "is a directory, not a file"),
        (lambda p: p.write_text(""), "holds no PEM certificate"),
    ],
    ids=["missing", "directory", "empty"],
)
def test_unusable_client_certificate_file(tmp_path, make, says):
    path = tmp_path / "client.pem"
    make(path)
    finding = only(
        client_certificate(NetConfig(client_cert=str(path))), "client_ssl_cert"
    )
    assert finding.code.value == "client-cert-invalid"
    assert says in finding.summary


def test_key_file_without_a_key(client):
    cert, _ = client
    finding = only(
        client_certificate(NetConfig(client_cert=cert, client_key=cert)),
        "client_ssl_cert_key",
    )
    assert "holds no PEM private key" in finding.summary


def test_key_without_certificate(client):
    _, key = client
    (finding,) = client_certificate(NetConfig(client_key=key))
    assert "conda sends no client certificate" in finding.summary


# --- through config_findings ---------------------------------------------------------------


def test_no_trust_fix_ever_disables_verification(corp_root, tmp_path):
    cfg = NetConfig(
        channels=["x"],
        ssl_verify=corp_root,
        env={"CURL_CA_BUNDLE": str(tmp_path / "gone.pem")},
        client_cert=str(tmp_path / "gone-cert.pem"),
    )
    findings = config_findings(cfg)
    assert findings
    for finding in findings:
        assert "ssl_verify false" not in (finding.fix or "")
        assert "ssl_verify: false" not in (finding.fix or "")


# -- A CA bundle that is a symlink to a regular file is read like the file ------


@pytest.fixture
def linked_bundles(corp_root, tmp_path):
    """A combined bundle, and the ways systems link to theirs (update-ca-trust, Debian)."""
    real = tmp_path / "extracted" / "tls-ca-bundle.pem"
    real.parent.mkdir()
    real.write_bytes(Path(certifi.where()).read_bytes() + Path(corp_root).read_bytes())
    links = tmp_path / "certs"
    links.mkdir()
    (links / "absolute.pem").symlink_to(real)
    (links / "relative.pem").symlink_to(Path("..") / "extracted" / real.name)
    (links / "chain.pem").symlink_to(links / "absolute.pem")
    (tmp_path / "linked-dir").symlink_to(real.parent)
    return real, {
        "absolute": str(links / "absolute.pem"),
        "relative": str(links / "relative.pem"),
        "chain": str(links / "chain.pem"),
        "through-linked-dir": str(tmp_path / "linked-dir" / real.name),
    }


@pytest.mark.parametrize("how", ["absolute", "relative", "chain", "through-linked-dir"])
def test_a_symlinked_bundle_is_read_like_its_file(linked_bundles, how):
    real, links = linked_bundles
    link = links[how]
    assert os.path.islink(link) or os.path.islink(os.path.dirname(link))
    expected = inspect_ca_path(str(real))
    got = inspect_ca_path(link)
    assert expected.problem is None
    assert (got.problem, got.count, got.names, got.public) == (
        None,
        expected.count,
        expected.names,
        expected.public,
    )
    assert ca_bundles(NetConfig(ssl_verify=link, sources={"ssl_verify": SOURCE})) == []
    assert ca_bundles(NetConfig(env={"REQUESTS_CA_BUNDLE": link})) == []


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(lambda d: d / "missing.pem", "does not exist", id="dangling"),
        pytest.param(lambda d: d, "is a directory, not a file", id="to-a-directory"),
        pytest.param(lambda d: _fifo(d / "fifo"), "is a FIFO", id="to-a-fifo"),
        pytest.param(
            lambda d: _empty(d / "empty.pem"), "is empty", id="to-an-empty-file"
        ),
    ],
)
def test_a_symlink_to_what_is_not_a_bundle_says_what_it_points_at(tmp_path, make, says):
    target = make(tmp_path)
    link = tmp_path / "link.pem"
    link.symlink_to(target)
    problem = inspect_ca_path(str(link), kind="file").problem
    assert problem is not None and problem.startswith(says)


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


# -- Safe reads: what a path is, said before anything opens it ------------------


def _special(tmp_path: Path, kind: str) -> str:
    import socket
    import stat

    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "block":
        try:
            os.mknod(path, stat.S_IFBLK | 0o600, os.makedev(7, 200))
        except PermissionError:
            pytest.skip("creating a block device needs root")
    elif kind == "dir":
        path.mkdir()
    else:
        return "/dev/null"
    return str(path)


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("fifo", "is a FIFO (named pipe), not a regular file"),
        ("socket", "is a socket, not a file"),
        ("block", "is a block device, not a file"),
        ("char", "is a character device, not a file"),
        ("dir", "is a directory, not a file"),
    ],
)
def test_a_path_that_is_not_a_regular_file_is_named_and_never_opened(
    tmp_path, kind, says
):
    from conda_netcheck.safefiles import UnsafePath, path_problem, read_bytes

    path = _special(tmp_path, kind)
    assert path_problem(path, 100) == says
    with pytest.raises(UnsafePath) as raised:
        read_bytes(path, 100)
    assert (raised.value.path, raised.value.what) == (path, says)
    assert str(raised.value) == f"{path} {says}"


def test_a_directory_is_fine_where_one_is_allowed(tmp_path):
    from conda_netcheck.safefiles import path_problem

    assert path_problem(str(tmp_path), 100, directory_ok=True) is None
    assert (
        path_problem(str(tmp_path / "none"), 100, directory_ok=True) == "does not exist"
    )


@pytest.mark.parametrize(
    ("size", "bound", "says"),
    [
        (100, 100, None),
        (101, 100, "is 0.0 MiB, larger than the 9.53674e-05 MiB netcheck reads"),
        (3 * 1048576, 2 * 1048576, "is 3.0 MiB, larger than the 2 MiB netcheck reads"),
        (
            5 * 1048576 + 1,
            4 * 1048576,
            "is 5.0 MiB, larger than the 4 MiB netcheck reads",
        ),
        (0, 0, None),
        (157287, 100000, "is 0.2 MiB, larger than the 0.0953674 MiB netcheck reads"),
    ],
)
def test_a_file_over_the_bound_is_refused_with_its_size(tmp_path, size, bound, says):
    from conda_netcheck.safefiles import UnsafePath, path_problem, read_bytes

    path = tmp_path / "big.pem"
    with open(path, "wb") as handle:
        handle.truncate(size)  # sparse: no disk used
    assert path_problem(str(path), bound) == says
    if says is None:
        assert read_bytes(str(path), bound) == b"\0" * size
    else:
        with pytest.raises(UnsafePath):
            read_bytes(str(path), bound)


def test_text_that_is_not_utf8_says_where(tmp_path):
    from conda_netcheck.safefiles import UnsafePath, read_text

    path = tmp_path / "latin1.netrc"
    path.write_bytes(b"machine h login caf\xe9")
    with pytest.raises(UnsafePath) as raised:
        read_text(str(path))
    assert raised.value.what == "is not UTF-8 text (byte 19 cannot be decoded)"
    assert raised.value.path == str(path)
    path.write_bytes("machine h login café".encode())
    assert read_text(str(path)) == "machine h login café"


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root reads every file: unreadable cannot be tested as root",
)
def test_an_unreadable_file_says_permission_denied(tmp_path):
    from conda_netcheck.safefiles import path_problem

    path = tmp_path / "secret.pem"
    path.write_text("x")
    path.chmod(0)
    assert path_problem(str(path), 100) == "cannot be read (permission denied)"


def test_a_path_through_a_file_cannot_be_examined(tmp_path):
    from conda_netcheck.safefiles import path_problem

    (tmp_path / "file").write_text("x")
    path = str(tmp_path / "file" / "ca.pem")
    assert path_problem(path, 100) == "cannot be examined (Not a directory)"
    assert inspect_ca_path(path).problem == "cannot be examined (Not a directory)"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(lambda d: _special(d, "fifo"), "is a FIFO (named pipe), not a regular file", id="swapped-for-a-fifo"),
        pytest.param(lambda d: str(d / "gone.pem"), "cannot be read (No such file or directory)", id="deleted"),
        pytest.param(lambda d: _sized(d / "grew.pem", 101), "is larger than the 100 bytes netcheck reads", id="grew"),
        pytest.param(lambda d: _sized(d / "exact.pem", 100), None, id="exactly-the-bound"),
    ],
)  # fmt: skip
def test_a_path_that_changed_after_the_check_is_still_refused(
    tmp_path, monkeypatch, make, says
):
    from conda_netcheck import safefiles as files

    path = make(tmp_path)
    # What the path was when it was examined: a small regular file.
    monkeypatch.setattr(files, "path_problem", lambda *args, **kwargs: None)
    if says is None:
        assert files.read_bytes(path, 100) == b"\0" * 100
        return
    with pytest.raises(files.UnsafePath) as raised:
        files.read_bytes(path, 100)  # never blocks on the FIFO
    assert (raised.value.path, raised.value.what) == (path, says)


def _sized(path: Path, size: int) -> str:
    path.write_bytes(b"\0" * size)
    return str(path)


def test_what_the_user_may_not_read_is_said_before_opening(tmp_path, monkeypatch):
    from conda_netcheck import safefiles as files

    # Tests run as root, who may read anything: the permission answer is simulated.
    (tmp_path / "ca.pem").write_text("x")
    asked = []

    def access(path, mode):
        asked.append(mode)
        return False

    monkeypatch.setattr(files.os, "access", access)
    assert files.path_problem(str(tmp_path), 100, directory_ok=True) == "cannot be read"
    assert asked == [os.R_OK | os.X_OK]
    assert files.path_problem(str(tmp_path / "ca.pem"), 100) == (
        "cannot be read (permission denied)"
    )


@pytest.mark.parametrize(
    ("corporate", "public", "from_certifi"),
    [
        (1, False, True),
        (4, False, True),  # still a few: the warning's case
        (5, False, False),  # FEW_CERTIFICATES: a bundle someone built on purpose
        (1, True, False),  # certifi's roots are there already
        (0, False, False),  # no certificate at all: nothing to build on
    ],
)
def test_a_new_bundle_starts_from_certifi_only_where_the_warning_applies(
    tmp_path, corporate, public, from_certifi
):
    from conda_netcheck.config.trust import bundle_parts

    path = tmp_path / "in-use.pem"
    text = certifi.contents() if public else ""
    text += "".join(trustme.CA().cert_pem.bytes().decode() for _ in range(corporate))
    path.write_text(text)

    expected = [certifi.where(), str(path)] if from_certifi else [str(path)]
    assert bundle_parts(str(path)) == expected
