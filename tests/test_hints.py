"""The error hints classify conda's own exceptions, built as conda builds them, without network."""

from __future__ import annotations

import time

import pytest
from conftest import needs_conda, needs_hints

pytestmark = needs_conda


def hints_for(error) -> list[tuple[str, str]]:
    from conda_netcheck.hints import error_hints

    return [(h.hint_code, h.text) for h in error_hints(error)]


def first_hint(error) -> tuple[str, str]:
    return hints_for(error)[0]


@needs_hints
def test_offline_error_is_a_config_layer_hint():
    from conda.exceptions import OfflineError

    code, text = first_hint(OfflineError("Cannot download in offline mode."))
    assert code == "netcheck_offline"
    assert text.startswith("config layer: conda is in offline mode")
    assert "`conda config --set offline false`" in text


@needs_hints
def test_legacy_renegotiation_is_a_tls_layer_hint():
    from conda.exceptions import CondaSSLError

    # The text conda wraps (gateways/repodata: conda_http_errors).
    error = CondaSSLError(
        "Encountered an SSL error. Most likely a certificate verification issue.\n\n"
        "Exception: HTTPSConnectionPool(host='repo.example', port=443): Max retries "
        "exceeded (Caused by SSLError(SSLError(1, '[SSL: "
        "UNSAFE_LEGACY_RENEGOTIATION_DISABLED] unsafe legacy renegotiation disabled "
        "(_ssl.c:1006)')))"
    )
    code, text = first_hint(error)
    assert code == "netcheck_legacy_renegotiation"
    assert text.startswith("tls layer:")
    assert "secure renegotiation (RFC 5746)" in text
    # Never a fix that weakens TLS for every connection conda makes.
    assert "ssl_verify: false" not in text and "UnsafeLegacy" not in text


@needs_hints
def test_untrusted_issuer_named_in_the_message_is_named_in_the_hint():
    from conda.exceptions import CondaSSLError

    error = CondaSSLError(
        "Encountered an SSL error. Most likely a certificate verification issue.\n\n"
        "Exception: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "self-signed certificate in certificate chain (issuer: 'Zscaler Root CA')"
    )
    code, text = first_hint(error)
    assert code == "netcheck_tls_untrusted"
    assert "certificate issued by Zscaler that conda does not trust" in text
    assert "`conda config --set ssl_verify truststore`" in text


@needs_hints
def test_proxy_407_ntlm_from_the_response_points_at_a_local_helper(channel):
    import requests
    from conda.exceptions import CondaHTTPError

    channel.behaviour.status = 407
    channel.behaviour.headers = {"Proxy-Authenticate": "NTLM"}
    channel.behaviour.content_type = "text/html"
    response = requests.get(channel.url + "/noarch/repodata.json", timeout=5)
    error = CondaHTTPError(
        "proxy refused", response.url, 407, response.reason, response.elapsed, response
    )
    code, text = first_hint(error)
    assert code == "netcheck_proxy_auth"
    assert "with the NTLM scheme" in text
    assert "px or cntlm" in text


@needs_hints
def test_proxy_407_fix_sets_the_variable_that_wins_over_proxy_servers(
    channel, monkeypatch
):
    import requests
    from conda.exceptions import CondaHTTPError

    monkeypatch.setenv("SHELL", "/bin/bash")
    channel.behaviour.status = 407
    channel.behaviour.headers = {"Proxy-Authenticate": "Basic"}
    response = requests.get(channel.url + "/noarch/repodata.json", timeout=5)
    # requests prefers HTTP_PROXY to proxy_servers.http for this http:// channel:
    # the fix sets it.
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    error = CondaHTTPError(
        "proxy refused", response.url, 407, response.reason, response.elapsed, response
    )
    code, text = first_hint(error)
    assert code == "netcheck_proxy_auth"
    assert "`export HTTP_PROXY='http://USER:<password>@proxy.corp:3128'`" in text
    assert "proxy_servers" not in text


@needs_hints
def test_not_a_network_error_gets_no_hint():
    from conda.exceptions import PackagesNotFoundError

    assert hints_for(PackagesNotFoundError(["numpy"])) == []


@needs_hints
def test_unclassified_network_error_points_at_netcheck():
    from conda.exceptions import CondaHTTPError

    error = CondaHTTPError("teapot", "http://127.0.0.1:9/x", 418, "I'm a teapot", "-")
    assert first_hint(error)[0] == "netcheck_run"


@pytest.mark.parametrize("rounds", [200])
def test_hint_classification_stays_instant(rounds):
    from conda.exceptions import CondaSSLError

    from conda_netcheck.hints import classify

    error = CondaSSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    classify(error)
    start = time.perf_counter()
    for _ in range(rounds):
        classify(error)
    assert (time.perf_counter() - start) / rounds < 0.005


# -- A hint's proxy line follows the failing URL's scheme ----------------------


@needs_hints
@pytest.mark.parametrize(
    ("url", "variables", "line"),
    [
        pytest.param(
            "http://127.0.0.1:8080/c/noarch/repodata.json",
            {},
            "`conda config --set proxy_servers.http 'http://USER:<password>@PROXY_HOST:PORT'`",
            id="http-channel-proxy-servers",
        ),
        pytest.param(
            "https://127.0.0.1:8443/c/noarch/repodata.json",
            {},
            "`conda config --set proxy_servers.https 'http://USER:<password>@PROXY_HOST:PORT'`",
            id="https-channel-proxy-servers",
        ),
        pytest.param(
            "http://127.0.0.1:8080/c/noarch/repodata.json",
            {"HTTP_PROXY": "http://proxy.corp:3128"},
            "`export HTTP_PROXY='http://USER:<password>@proxy.corp:3128'`",
            id="http-channel-variable",
        ),
        pytest.param(
            "https://127.0.0.1:8443/c/noarch/repodata.json",
            {"https_proxy": "http://proxy.corp:3128"},
            "`export https_proxy='http://USER:<password>@proxy.corp:3128'`",
            id="https-channel-variable",
        ),
        pytest.param(
            "http://127.0.0.1:8080/c/noarch/repodata.json",
            {"HTTPS_PROXY": "http://proxy.corp:3128"},
            "`conda config --set proxy_servers.http 'http://USER:<password>@proxy.corp:3128'`",
            id="http-channel-only-https-variable",
        ),
    ],
)
def test_a_407_hint_sets_the_proxy_for_the_failing_urls_scheme(
    url, variables, line, monkeypatch
):
    from conda.exceptions import CondaHTTPError

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SHELL", "/bin/bash")
    error = CondaHTTPError(
        "proxy refused", url, 407, "Proxy Authentication Required", "-"
    )
    code, text = first_hint(error)
    assert code == "netcheck_proxy_auth"
    assert line in text
    other = "https" if url.startswith("http://") else "http"
    assert f"proxy_servers.{other} " not in text


# -- Hints read the whole exception chain, not only the outermost error --------


def _wrapped(inner: BaseException, how: str, depth: int) -> BaseException:
    """inner under `depth` wrappers, linked as raise-from, as an implicit context, or conda's _caused_by."""
    error = inner
    for level in range(depth):
        outer = RuntimeError(f"conda could not fetch (level {level})")
        if how == "cause":
            outer.__cause__ = error
        elif how == "context":
            outer.__context__ = error
        else:
            outer._caused_by = error
        error = outer
    return error


_LEAVES = [
    pytest.param(
        lambda: ConnectionRefusedError(111, "Connection refused"),
        "connection_refused",
        id="refused-by-class",
    ),
    pytest.param(
        lambda: OSError("[Errno -2] Name or service not known"),
        "dns",
        id="dns-by-text",
    ),
    pytest.param(
        lambda: ConnectionResetError(104, "Connection reset by peer"),
        "connection_reset",
        id="reset",
    ),
]


@pytest.mark.parametrize("depth", [0, 1, 3, 5])
@pytest.mark.parametrize("how", ["cause", "context", "caused_by"])
@pytest.mark.parametrize(("leaf", "kind"), _LEAVES)
def test_the_cause_is_found_anywhere_in_the_chain(leaf, kind, how, depth):
    from conda_netcheck.hints import classify

    cause = classify(_wrapped(leaf(), how, depth))
    assert cause is not None and cause.kind == kind


@pytest.mark.parametrize("how", ["cause", "context", "caused_by"])
def test_a_chain_without_a_known_cause_has_none(how):
    from conda_netcheck.hints import classify

    assert classify(_wrapped(ValueError("bad value"), how, 3)) is None
