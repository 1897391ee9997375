"""The error hints read the exact messages conda 24.11 and 26.7 print, failure class by class.

tests/conda_messages.py holds the chains real conda raised against local
peers (tests/support/conda_messages.py collects them); each row here says
what the hint must name for that class, on both releases.
"""

from __future__ import annotations

import pytest
from conda_messages import MESSAGES

from conda_netcheck.codes import Code
from conda_netcheck.failure.hints import Setting, classify_texts

PLAIN_PROXY = {"http": "http://127.0.0.1:3128", "https": "http://127.0.0.1:3128"}
TLS_PROXY = {"http": "https://127.0.0.1:3128", "https": "https://127.0.0.1:3128"}

# failure class, the proxies configured, the catalogue code, layer, said, never said
TABLE = [
    ("connection_refused", {}, Code.CONNECTION_REFUSED, "tcp", "refused the connection", None),
    ("dns", {}, Code.DNS_FAILURE, "dns", "could not be resolved", None),
    ("tls_untrusted", {}, Code.TLS_UNTRUSTED, "tls",
     "conda cannot verify the server's certificate: its issuer is not in conda's CA bundle",
     "issued by certificate"),
    ("tls_self_signed", {}, Code.TLS_UNTRUSTED, "tls",
     "the server presented a certificate that conda does not trust", "issued by"),
    ("tls_expired", {}, Code.TLS_EXPIRED, "tls", "has expired", "truststore"),
    ("tls_hostname_mismatch", {}, Code.TLS_HOSTNAME_MISMATCH, "tls",
     "is not valid for 127.0.0.1, the name in the channel URL", "truststore"),
    ("connection_reset", {}, Code.CONNECTION_RESET, "tls", "reset during the TLS handshake",
     None),
    ("tls_eof", {}, Code.CONNECTION_RESET, "tls", "closed during the TLS handshake", None),
    ("proxy_auth", PLAIN_PROXY, Code.PROXY_AUTH_FAILED, "proxy",
     "asked for credentials (407)", None),
    ("proxy_https_scheme", TLS_PROXY, Code.PROXY_MISCONFIGURED, "proxy",
     "the proxy URL says https://", None),
    ("checksum_mismatch", {}, Code.DOWNLOAD_MISMATCH, "content",
     "is not the package the channel lists", None),
    ("http_500", {}, None, None, None, None),  # no cause to name: `conda netcheck`
]  # fmt: skip

CASES = [
    pytest.param(release, *row, id=f"{release}-{row[0]}")
    for release in MESSAGES
    for row in TABLE
]


def test_the_table_covers_every_class_collected():
    for release, rows in MESSAGES.items():
        assert set(rows) == {row[0] for row in TABLE}, release


@pytest.mark.parametrize(
    ("release", "failure", "proxies", "code", "layer", "said", "never"), CASES
)
def test_the_hint_names_the_class_conda_printed(
    release, failure, proxies, code, layer, said, never
):
    names, text = MESSAGES[release][failure]
    cause = classify_texts(names, text, Setting(proxies))
    if code is None:
        assert cause is None
        return
    assert cause is not None, text
    assert (cause.code, cause.layer.value) == (code, layer)
    # The fix is the catalogue's for that code, never one of the hint's own.
    assert cause.fix
    assert cause.hint_code == "netcheck_" + code.value.replace("-", "_")
    assert said in cause.text()
    if never:
        assert never not in cause.text()
    assert "ssl_verify: false" not in cause.text()


@pytest.mark.parametrize("release", list(MESSAGES))
def test_truststore_is_not_suggested_when_conda_already_uses_it(release):
    names, text = MESSAGES[release]["tls_untrusted"]
    already = classify_texts(names, text, Setting(ssl_verify="truststore"))
    assert "--set ssl_verify truststore" not in already.text()
    assert (
        "conda already verifies with the operating system's store (ssl_verify: "
        "truststore), which lacks this issuer" in already.text()
    )
    default = classify_texts(names, text, Setting())
    assert "conda config --set ssl_verify truststore;" in default.text()
