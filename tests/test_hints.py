"""The error hints classify conda's own exceptions, built as conda builds them, without network."""

from __future__ import annotations

import time

import pytest
from conftest import needs_conda, needs_hints

from conda_netcheck.codes import Code, Layer

pytestmark = needs_conda


@pytest.fixture(autouse=True)
def own_conda_configuration(tmp_path, monkeypatch):
    """An empty .condarc: hints read conda's settings, which another test may have left."""
    from conda.base.context import reset_context

    condarc = tmp_path / "condarc"
    condarc.write_text("{}\n")
    monkeypatch.setenv("CONDARC", str(condarc))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    reset_context()
    yield
    reset_context()


def hints_for(error) -> list[tuple[str, str]]:
    from conda_netcheck.failure.hints import error_hints

    return [(h.hint_code, h.text) for h in error_hints(error)]


def first_hint(error) -> tuple[str, str]:
    return hints_for(error)[0]


@needs_hints
def test_offline_error_is_a_config_layer_hint():
    from conda.exceptions import OfflineError

    code, text = first_hint(OfflineError("Cannot download in offline mode."))
    assert code == "netcheck_offline_mode"
    assert text.startswith("config layer: conda is in offline mode")
    assert "turn offline mode off: conda config --set offline false " in text


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
    assert code == "netcheck_tls_legacy_renegotiation"
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
    # Zscaler is a TLS-inspecting product: the catalogue's tls-intercepted.
    assert code == "netcheck_tls_intercepted"
    assert "certificate issued by Zscaler that conda does not trust" in text
    assert "1. conda config --set ssl_verify truststore;" in text


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
    assert code == "netcheck_proxy_auth_failed"
    assert "with the NTLM scheme" in text
    assert "cntlm or px" in text
    assert "USER:<password>" not in text  # conda cannot answer NTLM with one


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
    assert code == "netcheck_proxy_auth_failed"
    assert "1. export HTTP_PROXY='http://USER:<password>@proxy.corp:3128'" in text
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

    from conda_netcheck.failure.hints import classify

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
            "conda config --set proxy_servers.http 'http://USER:<password>@PROXY_HOST:PORT'",
            id="http-channel-proxy-servers",
        ),
        pytest.param(
            "https://127.0.0.1:8443/c/noarch/repodata.json",
            {},
            "conda config --set proxy_servers.https 'http://USER:<password>@PROXY_HOST:PORT'",
            id="https-channel-proxy-servers",
        ),
        pytest.param(
            "http://127.0.0.1:8080/c/noarch/repodata.json",
            {"HTTP_PROXY": "http://proxy.corp:3128"},
            "export HTTP_PROXY='http://USER:<password>@proxy.corp:3128'",
            id="http-channel-variable",
        ),
        pytest.param(
            "https://127.0.0.1:8443/c/noarch/repodata.json",
            {"https_proxy": "http://proxy.corp:3128"},
            "export https_proxy='http://USER:<password>@proxy.corp:3128'",
            id="https-channel-variable",
        ),
        pytest.param(
            "http://127.0.0.1:8080/c/noarch/repodata.json",
            {"HTTPS_PROXY": "http://proxy.corp:3128"},
            "conda config --set proxy_servers.http 'http://USER:<password>@proxy.corp:3128'",
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
    assert code == "netcheck_proxy_auth_failed"
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
        Code.CONNECTION_REFUSED,
        id="refused-by-class",
    ),
    pytest.param(
        lambda: OSError("[Errno -2] Name or service not known"),
        Code.DNS_FAILURE,
        id="dns-by-text",
    ),
    pytest.param(
        lambda: ConnectionResetError(104, "Connection reset by peer"),
        Code.CONNECTION_RESET,
        id="reset",
    ),
]


@pytest.mark.parametrize("depth", [0, 1, 3, 5])
@pytest.mark.parametrize("how", ["cause", "context", "caused_by"])
@pytest.mark.parametrize(("leaf", "code"), _LEAVES)
def test_the_cause_is_found_anywhere_in_the_chain(leaf, code, how, depth):
    from conda_netcheck.failure.hints import classify

    cause = classify(_wrapped(leaf(), how, depth))
    assert cause is not None and cause.code is code


@pytest.mark.parametrize("how", ["cause", "context", "caused_by"])
def test_a_chain_without_a_known_cause_has_none(how):
    from conda_netcheck.failure.hints import classify

    assert classify(_wrapped(ValueError("bad value"), how, 3)) is None


# -- Each rule: what triggers it, its layer and its fix -------------------------

_HTTPS_PROXY = {"https": "https://proxy.corp:3128"}
_HTTP_PROXY = {"http": "http://proxy.corp:8080"}


def _error(name: str, message: str) -> BaseException:
    """An exception of a conda (or stdlib) class name, with a message."""
    cls = type(name, (Exception,), {})
    return cls(message)


#: What requests raises when the proxy's own name does not resolve (urllib3 2).
_PROXY_NOT_RESOLVED = (
    "HTTPSConnectionPool(host='repo.example.test', port=443): Max retries exceeded "
    "with url: /x (Caused by ProxyError('Unable to connect to proxy', "
    "NameResolutionError(\"HTTPConnection(host='proxy.corp', port=8080): Failed to "
    "resolve 'proxy.corp' ([Errno -2] Name or service not known)\")))"
)

RULE_CASES = [
    # (error, proxies, the catalogue code, layer, words in the cause or fix)
    pytest.param(_error("OfflineError", "offline"), {}, Code.OFFLINE_MODE, "config", ["offline mode", "--set offline false"], id="offline"),
    pytest.param(_error("CondaDependencyError", "Missing dependencies for SOCKS support."), {}, Code.PROXY_MISCONFIGURED, "proxy", ["PySocks", "remove the socks entry from proxy_servers"], id="socks"),
    pytest.param(_error("CondaDependencyError", "missing libmamba"), {}, None, None, [], id="dependency-not-socks"),
    pytest.param(_error("CondaHTTPError", "HTTP 407 PROXY AUTHENTICATION REQUIRED"), {}, Code.PROXY_AUTH_FAILED, "proxy", ["(407) and none were accepted", "USER:<password>@PROXY_HOST:PORT"], id="407-code"),
    pytest.param(_error("CondaHTTPError", "Proxy Authentication Required"), _HTTP_PROXY, Code.PROXY_AUTH_FAILED, "proxy", ["USER:<password>@proxy.corp:8080"], id="407-reason"),
    pytest.param(_error("ProxyError", "407 Proxy Auth Required; 'Proxy-Authenticate': 'Negotiate'"), {}, Code.PROXY_AUTH_FAILED, "proxy", ["with the Negotiate scheme", "cntlm or px", "http://127.0.0.1:3128"], id="407-negotiate"),
    pytest.param(_error("ProxyError", "HTTP 407 proxy-authenticate: NTLM realm"), {}, Code.PROXY_AUTH_FAILED, "proxy", ["with the NTLM scheme", "cntlm or px"], id="407-ntlm"),
    pytest.param(_error("ProxyError", "HTTP 407 proxy-authenticate: kerberos"), {}, Code.PROXY_AUTH_FAILED, "proxy", ["cntlm or px"], id="407-kerberos"),
    pytest.param(_error("ProxyError", "HTTP 407 Proxy-Authenticate: basic realm=x"), {}, Code.PROXY_AUTH_FAILED, "proxy", ["with the basic scheme", "USER:<password>"], id="407-basic"),
    pytest.param(_error("CondaSSLError", "[SSL: UNSAFE_LEGACY_RENEGOTIATION_DISABLED]"), {}, Code.TLS_LEGACY_RENEGOTIATION, "tls", ["RFC 5746"], id="renegotiation"),
    pytest.param(_error("CondaSSLError", "[SSL: WRONG_VERSION_NUMBER] wrong version number"), _HTTPS_PROXY, Code.PROXY_MISCONFIGURED, "proxy", ["proxy URL says https://", "http://proxy.corp:3128"], id="https-proxy-wrong-version"),
    pytest.param(_error("CondaSSLError", "ssl.SSLError: wrong version number"), _HTTPS_PROXY, Code.PROXY_MISCONFIGURED, "proxy", ["http://proxy.corp:3128"], id="https-proxy-lowercase"),
    pytest.param(_error("CondaSSLError", "EOF occurred in violation of protocol"), _HTTPS_PROXY, Code.PROXY_MISCONFIGURED, "proxy", [], id="https-proxy-eof"),
    pytest.param(_error("CondaSSLError", "EOF occurred in violation of protocol"), {}, Code.CONNECTION_RESET, "tls", ["closed during the TLS handshake"], id="eof"),
    pytest.param(_error("CondaSSLError", "EOF occurred in violation of protocol"), _HTTP_PROXY, Code.CONNECTION_RESET, "tls", [], id="eof-http-proxy"),
    pytest.param(_error("CondaSSLError", "[SSL: WRONG_VERSION_NUMBER]"), {}, None, None, [], id="wrong-version-without-https-proxy"),
    pytest.param(_error("CondaSSLError", "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed certificate"), {}, Code.TLS_UNTRUSTED, "tls", ["that conda does not trust (often a network box", "ssl_verify truststore", "never set ssl_verify to false"], id="self-signed"),
    pytest.param(_error("CondaSSLError", "certificate verify failed: self signed certificate (issuer: 'Corp Root')"), {}, Code.TLS_UNTRUSTED, "tls", ["issued by Corp Root that conda does not trust"], id="self-signed-issuer"),
    pytest.param(_error("CondaSSLError", "CERTIFICATE_VERIFY_FAILED certificate has expired"), {}, Code.TLS_EXPIRED, "tls", ["has expired", "clock"], id="expired"),
    pytest.param(_error("CondaSSLError", "certificate verify failed: unable to get local issuer certificate, issuer=Acme CA"), {}, Code.TLS_UNTRUSTED, "tls", ["conda cannot verify the server's certificate issued by Acme CA: its issuer is not in conda's CA bundle"], id="unknown-issuer"),
    pytest.param(_error("CondaSSLError", "certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)"), {}, Code.TLS_UNTRUSTED, "tls", ["conda cannot verify the server's certificate: its issuer"], id="local-issuer-unnamed"),
    pytest.param(_error("CondaSSLError", "CERTIFICATE_VERIFY_FAILED issuer: 'CN=Zscaler Root CA'"), {}, Code.TLS_INTERCEPTED, "tls", ["issued by Zscaler"], id="product"),
    pytest.param(_error("ChecksumMismatchError", "sha256 mismatch"), {}, Code.DOWNLOAD_MISMATCH, "content", ["block page", "conda clean --packages --tarballs"], id="checksum"),
    pytest.param(_error("CondaHTTPError", "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')) HTTPSConnectionPool"), {}, Code.CONNECTION_RESET, "tls", ["reset during the TLS handshake by"], id="reset-https"),
    pytest.param(_error("ConnectionResetError", "reset"), {}, Code.CONNECTION_RESET, "tcp", ["reset by something on the way", "ask your network team whether a firewall ends connections"], id="reset-plain"),
    pytest.param(_error("CondaHTTPError", "Connection reset by peer"), _HTTP_PROXY, Code.CONNECTION_RESET, "proxy", [], id="reset-proxy"),
    pytest.param(_error("ConnectionRefusedError", "refused"), {}, Code.CONNECTION_REFUSED, "tcp", ["nothing listens on that port"], id="refused"),
    pytest.param(_error("CondaHTTPError", "[Errno 111] Connection refused"), _HTTP_PROXY, Code.PROXY_UNREACHABLE, "proxy", ["is the proxy proxy.corp:8080 running?"], id="proxy-refused"),
    pytest.param(_error("CondaHTTPError", "[Errno -2] Name or service not known"), {}, Code.DNS_FAILURE, "dns", ["could not be resolved"], id="dns-linux"),
    pytest.param(_error("CondaHTTPError", "nodename nor servname provided"), {}, Code.DNS_FAILURE, "dns", [], id="dns-macos"),
    pytest.param(_error("CondaHTTPError", "getaddrinfo failed"), {}, Code.DNS_FAILURE, "dns", [], id="dns-windows"),
    pytest.param(_error("CondaHTTPError", "Temporary failure in name resolution"), {}, Code.DNS_FAILURE, "dns", [], id="dns-temporary"),
    pytest.param(_error("CondaHTTPError", "Failed to resolve 'h'"), {}, Code.DNS_FAILURE, "dns", [], id="dns-urllib3"),
    pytest.param(_error("CondaHTTPError", "No address associated with hostname"), {}, Code.DNS_FAILURE, "dns", [], id="dns-no-address"),
    pytest.param(_error("ProxyError", _PROXY_NOT_RESOLVED), _HTTP_PROXY, Code.PROXY_UNREACHABLE, "proxy", ["the proxy's host name could not be resolved (proxy.corp:8080)"], id="dns-proxy"),
    pytest.param(_error("CondaHTTPError", "HTTP 418 I'M A TEAPOT"), {}, None, None, [], id="unknown"),
]  # fmt: skip


@pytest.mark.parametrize(("error", "proxies", "kind", "layer", "words"), RULE_CASES)
def test_each_hint_rule_names_its_layer_and_fix(
    error, proxies, kind, layer, words, monkeypatch
):
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.failure.hints import PROOF, Setting, classify

    cause = classify(error, Setting(dict(proxies), Commands(shell=Shell.POSIX)))
    if kind is None:
        assert cause is None
        return
    assert (cause.code, cause.layer.value) == (kind, layer)
    text = cause.text()
    assert text.startswith(f"{layer} layer: {cause.cause}. Fix: {cause.fix}. ")
    assert text.endswith(f"{PROOF}.")
    for word in words:
        assert word in text, text


@pytest.mark.parametrize(
    ("variables", "line"),
    [
        ({"ALL_PROXY": "socks5://p:1080"}, "`env -u ALL_PROXY conda install pysocks`"),
        ({"all_proxy": "socks5://p:1080", "http_proxy": "socks5://p:1080"}, "`env -u all_proxy -u http_proxy conda install pysocks`"),
        ({"https_proxy": "SOCKS5h://p:1080", "HTTP_PROXY": "socks4://p:1080", "http_proxy": "http://q:3128"}, "`env -u https_proxy -u HTTP_PROXY conda install pysocks`"),
    ],
)  # fmt: skip
def test_the_socks_fix_unsets_only_the_socks_variables_for_one_install(
    variables, line, monkeypatch
):
    from conda_netcheck.failure.hints import classify

    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    cause = classify(_error("CondaDependencyError", "SOCKS support needs PySocks"))
    assert line in cause.fix


def test_the_socks_fix_on_windows_gives_cmd_and_powershell(monkeypatch):
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.failure import hints

    monkeypatch.setenv("HTTPS_PROXY", "socks5://p:1080")
    monkeypatch.setenv("http_proxy", "socks4://p:1080")
    setting = hints.Setting(commands=Commands(shell=Shell.CMD))
    fix = hints.classify(_error("CondaDependencyError", "SOCKS"), setting).fix
    assert (
        "in a new cmd window `set HTTPS_PROXY= & set http_proxy= & conda install pysocks`"
        in fix
    )
    assert (
        "(PowerShell: `$env:HTTPS_PROXY=''; $env:http_proxy=''; conda install pysocks`)"
        in fix
    )


@pytest.mark.parametrize(
    ("proxies", "shown"),
    [
        ({}, "PROXY_HOST:PORT"),
        ({"https": "http://a.corp:3128", "http": "http://b.corp:8080"}, "a.corp:3128"),
        ({"http": "http://b.corp:8080", "all": "http://c.corp:1"}, "c.corp:1"),
        ({"http": "http://b.corp:8080"}, "b.corp:8080"),
        ({"all": "http://c.corp:1"}, "c.corp:1"),
        ({"https": "d.corp:3128"}, "d.corp:3128"),
        ({"https": "http://e.corp"}, "e.corp:80"),  # urllib3's port for http://
        ({"https": "http://f.corp:notaport"}, "PROXY_HOST:PORT"),
        ({"https": "http://user:pw@g.corp:3128"}, "g.corp:3128"),
        ({"https": "http://:3128"}, "PROXY_HOST:PORT"),
    ],
)
def test_the_proxy_a_hint_names_is_the_one_for_the_urls_scheme(proxies, shown):
    from conda_netcheck.failure.hints import Setting, classify

    cause = classify(_error("CondaHTTPError", "Connection refused"), Setting(proxies))
    if not proxies:
        assert cause.code is Code.CONNECTION_REFUSED
        return
    assert f"is the proxy {shown} running?" in cause.cause


@pytest.mark.parametrize(
    ("proxies", "shown"),
    [
        ({"https": "http://a.corp:3128", "http": "http://b.corp:8080"}, "b.corp:8080"),
        ({"https": "http://a.corp:3128", "all": "http://c.corp:1"}, "c.corp:1"),
        ({"https": "http://a.corp:3128"}, "a.corp:3128"),
    ],
)
def test_an_http_channels_hint_names_the_http_proxy(proxies, shown):
    from conda_netcheck.failure.hints import Setting, classify

    error = _error("CondaHTTPError", "Connection refused")
    error._kwargs = {"url": "http://h.test/c/noarch/repodata.json"}
    cause = classify(error, Setting(proxies))
    assert f"is the proxy {shown} running?" in cause.cause


def test_the_first_rule_that_matches_wins():
    from conda_netcheck.failure.hints import classify

    # A 407 whose text also mentions a refused connection is a proxy-auth hint.
    both = _error(
        "ProxyError", "HTTP 407 Proxy Authentication Required; Connection refused"
    )
    assert classify(both).code is Code.PROXY_AUTH_FAILED
    offline = _error("OfflineError", "Name or service not known")
    assert classify(offline).code is Code.OFFLINE_MODE


@needs_hints
def test_configuration_findings_follow_the_cause_redacted_and_with_their_fix(tmp_path):
    from conda.base.context import reset_context
    from conda.exceptions import CondaHTTPError

    (tmp_path / "condarc").write_text(
        "channels: [https://h.test/c]\n"
        "proxy_servers:\n"
        "  https: proxy.corp:3128\n"
        "  http: 'http://u:Pl4nted-pw@p.corp:1'\n"
    )
    reset_context()
    error = CondaHTTPError(
        "x",
        "https://h.test/c/noarch/repodata.json",
        407,
        "Proxy Authentication Required",
        "-",
    )
    hints = hints_for(error)
    codes = [code for code, _ in hints]
    assert codes[0] == "netcheck_proxy_auth_failed"
    assert "netcheck_proxy_servers.https" in codes
    text = dict(hints)["netcheck_proxy_servers.https"]
    assert text.startswith("has no scheme (proxy.corp:3128)")
    assert "; fix: conda config --file " in text
    assert "--set proxy_servers.https http://proxy.corp:3128" in text
    assert all("Pl4nted-pw" not in t for _, t in hints)
    # The cause's own fix is written for this configuration: its file, its proxy.
    assert (
        f"1. conda config --file {tmp_path / 'condarc'} --set proxy_servers.https "
        "'http://USER:<password>@proxy.corp:3128'"
    ) in hints[0][1]
    assert "netcheck_channels" not in codes  # an OK finding is no hint


@needs_hints
def test_a_chained_response_text_is_read_too():
    from conda.exceptions import CondaHTTPError

    error = CondaHTTPError(
        "x", "https://h.test/c/noarch/repodata.json", 502, "Bad Gateway", "-"
    )
    # conda keeps the response only as text, in response_details.
    error._kwargs["response_details"] = "upstream: Temporary failure in name resolution"
    assert first_hint(error)[0] == "netcheck_dns_failure"


# -- What each hint says, word for word (the user reads it in conda's error) -----
# The cause is what the chain shows; the fix is the catalogue's for the code.

HINT_TEXTS = {
    'offline': ('conda is in offline mode, so it downloads nothing', 'turn offline mode off: conda config --set offline false (or unset CONDA_OFFLINE, or drop --offline)'),
    'socks': ('the proxy is a SOCKS proxy and PySocks, which requests needs for it, is not installed', 'install PySocks once without the SOCKS proxy: remove the socks entry from proxy_servers, `conda install pysocks`, then put it back; or use an HTTP proxy instead'),
    '407-code': ('the proxy asked for credentials (407) and none were accepted', "give the proxy your user and password, with @ : / ? # % in the password percent-encoded: 1. conda config --set proxy_servers.https 'http://USER:<password>@PROXY_HOST:PORT'"),
    '407-reason': ('the proxy asked for credentials (407) and none were accepted', "give the proxy your user and password, with @ : / ? # % in the password percent-encoded: 1. conda config --set proxy_servers.https 'http://USER:<password>@proxy.corp:8080'"),
    '407-negotiate': ('the proxy asked for credentials (407) with the Negotiate scheme and none were accepted', 'this proxy only accepts Negotiate, and conda speaks only Basic: run a local helper such as cntlm or px that authenticates for you, and point the proxy setting at it (e.g. conda config --set proxy_servers.https http://127.0.0.1:3128)'),
    '407-ntlm': ('the proxy asked for credentials (407) with the NTLM scheme and none were accepted', 'this proxy only accepts NTLM, and conda speaks only Basic: run a local helper such as cntlm or px that authenticates for you, and point the proxy setting at it (e.g. conda config --set proxy_servers.https http://127.0.0.1:3128)'),
    '407-kerberos': ('the proxy asked for credentials (407) with the kerberos scheme and none were accepted', 'this proxy only accepts kerberos, and conda speaks only Basic: run a local helper such as cntlm or px that authenticates for you, and point the proxy setting at it (e.g. conda config --set proxy_servers.https http://127.0.0.1:3128)'),
    '407-basic': ('the proxy asked for credentials (407) with the basic scheme and none were accepted', "give the proxy your user and password, with @ : / ? # % in the password percent-encoded: 1. conda config --set proxy_servers.https 'http://USER:<password>@PROXY_HOST:PORT'"),
    'renegotiation': ('the server (or a TLS-inspecting proxy) needs unsafe legacy renegotiation, which OpenSSL 3 refuses', 'ask your network team (or the administrators of channel_host) to update the server or the TLS-inspecting device in between so that it supports secure renegotiation (RFC 5746); re-enabling legacy renegotiation would weaken every connection conda makes'),
    'https-proxy-wrong-version': ('the TLS handshake with the proxy failed: the proxy URL says https:// but most proxies speak plain HTTP on their port (HTTPS downloads stay encrypted through the tunnel)', 'write the proxy URL with http:// (conda config --set proxy_servers.https http://proxy.corp:3128)'),
    'https-proxy-lowercase': ('the TLS handshake with the proxy failed: the proxy URL says https:// but most proxies speak plain HTTP on their port (HTTPS downloads stay encrypted through the tunnel)', 'write the proxy URL with http:// (conda config --set proxy_servers.https http://proxy.corp:3128)'),
    'https-proxy-eof': ('the TLS handshake with the proxy failed: the proxy URL says https:// but most proxies speak plain HTTP on their port (HTTPS downloads stay encrypted through the tunnel)', 'write the proxy URL with http:// (conda config --set proxy_servers.https http://proxy.corp:3128)'),
    'eof': ('the connection was closed during the TLS handshake (a firewall or proxy that filters HTTPS by host name, or a proxy conda does not know of)', 'ask your network team whether a firewall ends connections to channel_host:443, and the administrators of channel_host whether it refuses connections from your address'),
    'eof-http-proxy': ('the connection was closed during the TLS handshake (a firewall or proxy that filters HTTPS by host name, or a proxy conda does not know of)', 'ask your network team whether a firewall ends connections to channel_host:443, and the administrators of channel_host whether it refuses connections from your address'),
    'self-signed': ('the server presented a certificate that conda does not trust (often a network box that inspects HTTPS)', "if your organisation inspects TLS, trust the operating system's store: 1. conda config --set ssl_verify truststore; never set ssl_verify to false: it turns off all protection; else give conda the issuing CA: conda config --set ssl_verify /path/to/ca-bundle.pem"),
    'self-signed-issuer': ('the server presented a certificate issued by Corp Root that conda does not trust', "if your organisation inspects TLS, trust the operating system's store: 1. conda config --set ssl_verify truststore; never set ssl_verify to false: it turns off all protection; else give conda the issuing CA: conda config --set ssl_verify /path/to/ca-bundle.pem"),
    'expired': ("the server's certificate has expired (or this computer's clock is wrong)", "check this machine's clock (date -u); if it is right, the certificate of channel_host has expired: tell the administrators of channel_host"),
    'unknown-issuer': ("conda cannot verify the server's certificate issued by Acme CA: its issuer is not in conda's CA bundle", "if your organisation inspects TLS, trust the operating system's store: 1. conda config --set ssl_verify truststore; never set ssl_verify to false: it turns off all protection; else give conda the issuing CA: conda config --set ssl_verify /path/to/ca-bundle.pem"),
    'local-issuer-unnamed': ("conda cannot verify the server's certificate: its issuer is not in conda's CA bundle", "if your organisation inspects TLS, trust the operating system's store: 1. conda config --set ssl_verify truststore; never set ssl_verify to false: it turns off all protection; else give conda the issuing CA: conda config --set ssl_verify /path/to/ca-bundle.pem"),
    'product': ('the server presented a certificate issued by Zscaler that conda does not trust', "if your organisation inspects TLS, trust the operating system's store: 1. conda config --set ssl_verify truststore; never set ssl_verify to false: it turns off all protection; else give conda the issuing CA: conda config --set ssl_verify /path/to/ca-bundle.pem"),
    'checksum': ('the downloaded file is not the package the channel lists: often a proxy or firewall block page, a captive portal or a truncated download in its place', 'see what the server sends for that URL (`conda netcheck` reads its first bytes), then `conda clean --packages --tarballs` and retry once it is fixed'),
    'reset-https': ('the connection was reset during the TLS handshake by something on the way (a firewall or filtering proxy that blocks this host)', 'ask your network team whether a firewall ends connections to channel_host:443, and the administrators of channel_host whether it refuses connections from your address'),
    'reset-plain': ('the connection was reset by something on the way (a firewall or filtering proxy that blocks this host)', 'ask your network team whether a firewall ends connections to channel_host:443, and the administrators of channel_host whether it refuses connections from your address'),
    'reset-proxy': ('the connection was reset by something on the way (a firewall or filtering proxy that blocks this host)', 'ask your network team whether a firewall ends connections to channel_host:443, and the administrators of channel_host whether it refuses connections from your address'),
    'refused': ('the server refused the connection (nothing listens on that port, or a firewall rejects it)', 'check the port of channel_host:443 in your configuration; if the network requires a proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT; else ask your network team whether a firewall rejects channel_host:443'),
    'proxy-refused': ('the connection was refused: is the proxy proxy.corp:8080 running?', 'proxy.corp:8080 is not a proxy that answers: start it, or point the proxy at the right one: 1. conda config --set proxy_servers.https http://PROXY_HOST:PORT; else if you need no proxy: export NO_PROXY=channel_host'),
    'dns-linux': ('the host name could not be resolved', 'check the host name channel_host in your configuration; if it only resolves inside your company network, connect to it (VPN) or use the proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT'),
    'dns-macos': ('the host name could not be resolved', 'check the host name channel_host in your configuration; if it only resolves inside your company network, connect to it (VPN) or use the proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT'),
    'dns-windows': ('the host name could not be resolved', 'check the host name channel_host in your configuration; if it only resolves inside your company network, connect to it (VPN) or use the proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT'),
    'dns-temporary': ('the host name could not be resolved', 'check the host name channel_host in your configuration; if it only resolves inside your company network, connect to it (VPN) or use the proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT'),
    'dns-urllib3': ('the host name could not be resolved', 'check the host name channel_host in your configuration; if it only resolves inside your company network, connect to it (VPN) or use the proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT'),
    'dns-no-address': ('the host name could not be resolved', 'check the host name channel_host in your configuration; if it only resolves inside your company network, connect to it (VPN) or use the proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT'),
    'dns-proxy': ("the proxy's host name could not be resolved (proxy.corp:8080)", 'proxy.corp:8080 is not a proxy that answers: start it, or point the proxy at the right one: 1. conda config --set proxy_servers.https http://PROXY_HOST:PORT; else if you need no proxy: export NO_PROXY=repo.example.test'),
}  # fmt: skip


@pytest.mark.parametrize(("error", "proxies", "kind", "layer", "words"), RULE_CASES)
def test_each_hint_says_its_cause_and_fix_in_these_words(
    error, proxies, kind, layer, words, request, monkeypatch
):
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.failure.hints import Setting, classify

    monkeypatch.setenv("SHELL", "/bin/bash")
    cause = classify(error, Setting(dict(proxies), Commands(shell=Shell.POSIX)))
    case = request.node.callspec.id
    if cause is None:
        assert case not in HINT_TEXTS
        return
    assert (cause.cause, cause.fix) == HINT_TEXTS[case]


def _response(status: int, challenge: str):
    import requests

    response = requests.Response()
    response.status_code = status
    response.headers["Proxy-Authenticate"] = challenge
    return response


@pytest.mark.parametrize(
    "where", ["attribute", "kwargs", "inner-attribute", "inner-kwargs"]
)
def test_the_407_scheme_comes_from_a_response_kept_anywhere_in_the_chain(where):
    from conda_netcheck.failure.hints import classify

    response = _response(407, 'Negotiate realm="corp"')
    holder = _error("ProxyError", "407 Proxy Authentication Required")
    if where.endswith("attribute"):
        holder.response = response
    else:
        holder._kwargs = {"response": response}
    error = holder
    if where.startswith("inner"):
        error = _error("CondaHTTPError", "HTTP 407 proxy refused")
        error.__cause__ = holder
    cause = classify(error)
    assert cause.cause == (
        "the proxy asked for credentials (407) with the Negotiate scheme and none were accepted"
    )


def test_an_upper_case_openssl_reason_alone_is_read():
    from conda_netcheck.failure.hints import Setting, classify

    error = _error("CondaSSLError", "[SSL: WRONG_VERSION_NUMBER] (_ssl.c:1006)")
    assert classify(error, Setting(dict(_HTTPS_PROXY))).code is Code.PROXY_MISCONFIGURED


# -- One vocabulary: a hint is a catalogue code, its fix the catalogue's ----------


@pytest.mark.parametrize(("error", "proxies", "code", "layer", "words"), RULE_CASES)
def test_a_hint_names_a_catalogue_code_and_gives_that_codes_fix(
    error, proxies, code, layer, words, monkeypatch
):
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.diagnosis.catalogue import CATALOGUE
    from conda_netcheck.failure.hints import CODES, Setting, classify

    monkeypatch.setenv("SHELL", "/bin/bash")
    hint = classify(error, Setting(dict(proxies), Commands(shell=Shell.POSIX)))
    if code is None:
        assert hint is None
        return
    assert hint.code in CODES and hint.code in CATALOGUE
    assert hint.layer in CATALOGUE[hint.code].layers or hint.layer is Layer.PROXY
    assert hint.hint_code == "netcheck_" + hint.code.value.replace("-", "_")


@needs_hints
def test_a_refused_proxy_from_proxy_servers_is_dropped_with_remove_key(tmp_path):
    """NO_PROXY does not stop requests using proxy_servers: the fix removes the key."""
    from conda.base.context import reset_context
    from conda.exceptions import CondaHTTPError

    condarc = tmp_path / "condarc"
    condarc.write_text("proxy_servers:\n  https: http://proxy.corp:3128\n")
    reset_context()
    error = CondaHTTPError(
        "x", "https://h.test/c/noarch/repodata.json", None, "Connection refused", "-"
    )
    code, text = first_hint(error)
    assert code == "netcheck_proxy_unreachable"
    assert "is the proxy proxy.corp:3128 running?" in text
    assert f"conda config --file {condarc} --remove-key proxy_servers.https" in text
    assert "NO_PROXY" not in text


def test_without_a_url_the_fix_names_the_host_and_port_urllib3_named():
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.failure.hints import Setting, classify_texts

    text = (
        "HTTPSConnectionPool(host='repo.corp.test', port=8443): Max retries exceeded "
        "(Caused by NewConnectionError('Failed to establish a new connection: "
        "[Errno 111] Connection refused'))"
    )
    hint = classify_texts(
        ["CondaHTTPError"], text, Setting(commands=Commands(shell=Shell.POSIX))
    )
    assert hint.code is Code.CONNECTION_REFUSED
    assert hint.fix.startswith("check the port of repo.corp.test:8443 ")
    assert "channel_host" not in hint.fix


@pytest.mark.parametrize(
    ("answer", "web"),
    [
        ("405 Method Not Allowed", True),  # nginx, Apache
        ("501 Unsupported method ('CONNECT')", True),  # Python's http.server
        ("403 Forbidden", False),  # a proxy's own refusal
        ("5010 Odd", False),
    ],
)
def test_a_tunnel_refused_as_a_web_server_refuses_a_method_is_not_a_proxy(answer, web):
    from conda_netcheck.failure.hints import Setting, classify_texts

    text = (
        "HTTPSConnectionPool(host='repo.test', port=443): Max retries exceeded "
        "(Caused by ProxyError('Unable to connect to proxy', "
        f"OSError('Tunnel connection failed: {answer}')))"
    )
    hint = classify_texts(["ProxyError"], text, Setting())
    said = hint is not None and hint.code is Code.PROXY_MISCONFIGURED
    assert said is web
