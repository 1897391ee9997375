"""The error hints read the exact messages conda 24.11 and 26.7 print, failure class by class.

tests/conda_messages.py holds the chains real conda raised against local
peers (tests/support/conda_messages.py collects them); each row here says
what the hint must name for that class, on both releases.
"""

from __future__ import annotations

import pytest
from conda_messages import MESSAGES

from conda_netcheck.failure.hints import Setting, classify_texts

PLAIN_PROXY = {"http": "http://127.0.0.1:3128", "https": "http://127.0.0.1:3128"}
TLS_PROXY = {"http": "https://127.0.0.1:3128", "https": "https://127.0.0.1:3128"}

# failure class, the proxies configured, hint kind, layer, said, never said
TABLE = [
    ("connection_refused", {}, "connection_refused", "tcp", "refused the connection", None),
    ("dns", {}, "dns", "dns", "could not be resolved", None),
    ("tls_untrusted", {}, "tls_untrusted", "tls",
     "conda cannot verify the server's certificate: its issuer is not in conda's CA bundle",
     "issued by certificate"),
    ("tls_self_signed", {}, "tls_untrusted", "tls",
     "the server presented a certificate that conda does not trust", "issued by"),
    ("tls_expired", {}, "tls_expired", "tls", "has expired", "truststore"),
    ("tls_hostname_mismatch", {}, "tls_hostname_mismatch", "tls",
     "is not valid for 127.0.0.1, the name in the channel URL", "truststore"),
    ("connection_reset", {}, "connection_reset", "tls", "reset during the TLS handshake",
     None),
    ("tls_eof", {}, "tls_eof", "tls", "closed during the TLS handshake", None),
    ("proxy_auth", PLAIN_PROXY, "proxy_auth", "proxy", "asked for credentials (407)",
     None),
    ("proxy_https_scheme", TLS_PROXY, "proxy_https_scheme", "proxy",
     "the proxy URL says https://", None),
    ("checksum_mismatch", {}, "checksum_mismatch", "content",
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
    ("release", "failure", "proxies", "kind", "layer", "said", "never"), CASES
)
def test_the_hint_names_the_class_conda_printed(
    release, failure, proxies, kind, layer, said, never
):
    names, text = MESSAGES[release][failure]
    cause = classify_texts(names, text, Setting(proxies))
    if kind is None:
        assert cause is None
        return
    assert cause is not None, text
    assert (cause.kind, cause.layer.value) == (kind, layer)
    assert said in cause.text()
    if never:
        assert never not in cause.text()
    assert "ssl_verify: false" not in cause.text()


@pytest.mark.parametrize("release", list(MESSAGES))
def test_truststore_is_not_suggested_when_conda_already_uses_it(release):
    names, text = MESSAGES[release]["tls_untrusted"]
    already = classify_texts(names, text, Setting(ssl_verify="truststore"))
    assert "--set ssl_verify truststore" not in already.text()
    assert "conda already trusts the operating system's store" in already.text()
    default = classify_texts(names, text, Setting())
    assert "`conda config --set ssl_verify truststore`" in default.text()
