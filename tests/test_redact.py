"""Secrets never reach the terminal, the JSON output or the logs."""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import time
from urllib.parse import quote, quote_plus

import pytest

from conda_netcheck import redact
from conda_netcheck.redact import REDACTED, Redactor


@pytest.fixture
def redactor() -> Redactor:
    return Redactor()


@pytest.fixture
def default_redactor():
    """The module-level REDACTOR, emptied before and after the test."""
    redact.REDACTOR.clear()
    yield redact.REDACTOR
    redact.REDACTOR.clear()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


URL_CASES = [
    pytest.param(
        "https://alice:s3cret@host/",
        "https://alice:<redacted>@host/",
        id="user-and-password",
    ),
    pytest.param(
        "https://tok3n@host", "https://<redacted>@host", id="token-only-userinfo"
    ),
    pytest.param(
        "https://conda.anaconda.org/t/tk-123-456_x/conda-forge/noarch/repodata.json",
        "https://conda.anaconda.org/t/<TOKEN>/conda-forge/noarch/repodata.json",
        id="anaconda-token-in-path",
    ),
    pytest.param(
        "https://repo.example/api/t/abc123",
        "https://repo.example/api/t/<TOKEN>",
        id="anaconda-token-at-end",
    ),
    pytest.param(
        "https://s3.example/b/x.conda?X-Amz-Credential=AKIA%2F1&X-Amz-Date=20240101"
        "&X-Amz-Security-Token=FQo&X-Amz-Signature=abcdef",
        "https://s3.example/b/x.conda?X-Amz-Credential=<redacted>&X-Amz-Date=20240101"
        "&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>",
        id="presigned-s3-query",
    ),
    pytest.param(
        "https://h/p?TOKEN=a&Access_Token=b&api-key=c&Key=d&sig=e&Password=f&passwd=g&page=2",
        "https://h/p?TOKEN=<redacted>&Access_Token=<redacted>&api-key=<redacted>"
        "&Key=<redacted>&sig=<redacted>&Password=<redacted>&passwd=<redacted>&page=2",
        id="secret-params-mixed-case",
    ),
    pytest.param(
        "https://h/cb#access_token=xyz&state=1",
        "https://h/cb#access_token=<redacted>&state=1",
        id="token-in-fragment",
    ),
    pytest.param(
        "http://u:p@[::1]:8080/x",
        "http://u:<redacted>@[::1]:8080/x",
        id="ipv6-host-with-port",
    ),
    pytest.param(
        "http://user:p@ss@proxy:3128",
        "http://user:<redacted>@proxy:3128",
        id="unencoded-at-in-password-splits-at-last-at",
    ),
    pytest.param(
        "http://user:p%40ss@proxy:3128",
        "http://user:<redacted>@proxy:3128",
        id="percent-encoded-password",
    ),
    pytest.param(
        "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a:x-oauth-basic@github.com/o/r",
        "https://<redacted>:<redacted>@github.com/o/r",
        id="token-like-username-is-hidden-too",
    ),
    pytest.param(
        "https://__token__:pypi-AgEI@upload.example/",
        "https://__token__:<redacted>@upload.example/",
        id="plain-username-is-kept",
    ),
    pytest.param(
        "https://user:@host/", "https://user:@host/", id="empty-password-shown-empty"
    ),
    pytest.param(
        "user:pw@proxy:3128", "user:<redacted>@proxy:3128", id="scheme-less-proxy"
    ),
    pytest.param(
        "HTTPS://Alice:X@Host.EXAMPLE:0443/A%2fB?q=%41#Frag",
        "HTTPS://Alice:<redacted>@Host.EXAMPLE:0443/A%2fB?q=%41#Frag",
        id="rest-of-url-byte-identical",
    ),
    pytest.param(
        "https://conda.anaconda.org/conda-forge/",
        "https://conda.anaconda.org/conda-forge/",
        id="clean-url-untouched",
    ),
]


@pytest.mark.parametrize(("url", "expected"), URL_CASES)
def test_redact_url(redactor: Redactor, url: str, expected: str) -> None:
    assert redactor.url(url) == expected


TEXT_CASES = [
    pytest.param(
        "ProxyError: Cannot connect to proxy http://bob:hunter22@proxy.corp:3128 (timeout)",
        "ProxyError: Cannot connect to proxy http://bob:<redacted>@proxy.corp:3128 (timeout)",
        id="proxy-url-in-error",
    ),
    pytest.param(
        "http_proxy=http://user:p%40ss@proxy:3128\nhttps_proxy=https://tok@proxy:3129/",
        "http_proxy=http://user:<redacted>@proxy:3128\nhttps_proxy=https://<redacted>@proxy:3129/",
        id="several-urls",
    ),
    pytest.param(
        "channels: ['https://a:b@x/t/tk-1/main', \"https://y/?token=zz\"]",
        "channels: ['https://a:<redacted>@x/t/<TOKEN>/main', \"https://y/?token=<redacted>\"]",
        id="urls-in-repr-and-json-quotes",
    ),
    pytest.param(
        "see <https://u:pw@h/x?sig=12>, or (https://h/y?key=k1).",
        "see <https://u:<redacted>@h/x?sig=<redacted>>, or (https://h/y?key=<redacted>).",
        id="url-punctuation-kept",
    ),
    pytest.param(
        f"Authorization: Basic {b64('alice:s3cret')}\r\nAccept: */*",
        "Authorization: Basic <redacted>\r\nAccept: */*",
        id="basic-header",
    ),
    pytest.param(
        "proxy-authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc (expired)",
        "proxy-authorization: Bearer <redacted> (expired)",
        id="bearer-header-keeps-tail",
    ),
    pytest.param(
        "{'Authorization': 'Basic dXNlcjpwYXNz', 'Proxy-Authorization': 'Bearer t0k'}",
        "{'Authorization': 'Basic <redacted>', 'Proxy-Authorization': 'Bearer <redacted>'}",
        id="headers-in-repr-dict",
    ),
    pytest.param(
        '{"authorization":"token ghp_abc","cookie": "sid=1; x=2"}',
        '{"authorization":"token <redacted>","cookie": "<redacted>"}',
        id="headers-in-json",
    ),
    pytest.param(
        'Authorization: Digest username="bob", response="6629fae4"',
        "Authorization: Digest <redacted>",
        id="digest-header-whole-value",
    ),
    pytest.param(
        "sent Bearer abc123def456 to the server",
        "sent Bearer <redacted> to the server",
        id="bare-bearer-token",
    ),
    pytest.param(
        f"upstream said Basic {b64('u:pw')} was wrong",
        "upstream said Basic <redacted> was wrong",
        id="bare-basic-credentials",
    ),
    pytest.param(
        "Basic authentication and Bearer authentication are both supported",
        "Basic authentication and Bearer authentication are both supported",
        id="prose-about-auth-untouched",
    ),
    pytest.param(
        "SSLError: certificate verify failed for repo.anaconda.com:443",
        "SSLError: certificate verify failed for repo.anaconda.com:443",
        id="clean-text-untouched",
    ),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_redact_text(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.text(text) == expected


@pytest.mark.parametrize(("url", "expected"), URL_CASES)
def test_redact_url_is_idempotent(redactor: Redactor, url: str, expected: str) -> None:
    assert redactor.url(expected) == expected


@pytest.mark.parametrize(("url", "expected"), URL_CASES)
def test_url_in_text_is_redacted_like_alone(
    redactor: Redactor, url: str, expected: str
) -> None:
    if "://" in url:
        assert redactor.text(f"[{url}] and more") == f"[{expected}] and more"


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_redact_text_is_idempotent(
    redactor: Redactor, text: str, expected: str
) -> None:
    assert redactor.text(expected) == expected


def test_url_password_registered_encoded_is_found_decoded(redactor: Redactor) -> None:
    redactor.add_url_credentials("http://bob:p%40ss@proxy:3128")
    assert redactor.text("login with p@ss failed; retried p%40ss and p%2540ss") == (
        "login with <redacted> failed; retried <redacted> and <redacted>"
    )


def test_url_credentials_register_basic_auth_form(redactor: Redactor) -> None:
    redactor.add_url_credentials("http://bob:p%40ss@proxy:3128")
    # requests unquotes the URL credentials before it base64-encodes them.
    assert redactor.text(f"header was {b64('bob:p@ss')} !") == "header was <redacted> !"


def test_url_credentials_register_token_userinfo_and_anaconda_token(
    redactor: Redactor,
) -> None:
    redactor.add_url_credentials("https://tok3nvalue@h/t/tk-999/main?api_key=k3y-value")
    assert (
        redactor.text("tok3nvalue tk-999 k3y-value")
        == f"{REDACTED} {REDACTED} {REDACTED}"
    )


def test_registered_secret_does_not_end_the_url(redactor: Redactor) -> None:
    redactor.add("reg1stered")
    assert redactor.text("https://h/x?token=reg1stered&X-Amz-Signature=abc ok") == (
        "https://h/x?token=<redacted>&X-Amz-Signature=<redacted> ok"
    )


def test_registered_password_with_slash_is_hidden_whole(redactor: Redactor) -> None:
    # Unregistered, the "/" would end the authority and split the password.
    redactor.add_credentials("alice", "pa/ss@w0rd")
    assert redactor.text("http://alice:pa/ss@w0rd@proxy:3128/") == (
        "http://alice:<redacted>@proxy:3128/"
    )


def test_odd_bearer_value_is_hidden_to_end_of_line(redactor: Redactor) -> None:
    assert redactor.text("Authorization: Bearer ab\"cd'ef\nnext") == (
        "Authorization: Bearer <redacted>\nnext"
    )


def test_literal_secrets_shorter_than_four_are_ignored(redactor: Redactor) -> None:
    redactor.add("abc")
    assert redactor.text("abc abcd") == "abc abcd"
    # ...but URL user info is structural and always hidden.
    assert redactor.url("http://u:abc@h/") == "http://u:<redacted>@h/"


def test_redact_text_takes_extra_secrets(default_redactor: Redactor) -> None:
    assert redact.redact_text("pw is Zq!9 or Zq%219", secrets=["Zq!9"]) == (
        "pw is <redacted> or <redacted>"
    )
    # Extra secrets are per call, not registered.
    assert redact.redact_text("pw is Zq!9") == "pw is Zq!9"


def test_module_functions_use_default_registry(default_redactor: Redactor) -> None:
    default_redactor.add("n3tRcPass")
    assert redact.redact_text("netrc: n3tRcPass") == "netrc: <redacted>"
    assert redact.redact_url("https://h/n3tRcPass/x") == "https://h/<redacted>/x"


def test_obj_redacts_nested_json_document(redactor: Redactor) -> None:
    redactor.add("hunter2!")
    document = {
        "channels": ["https://a:b@x/t/tk-1/main", "conda-forge"],
        "proxy_servers": {"https": "http://bob:hunter2!@proxy:3128"},
        "headers": {"Authorization": "Basic dXNlcjpwYXNz", "Accept": "*/*"},
        "checks": [
            {"code": "PROXY_AUTH", "detail": "proxy said 407 to hunter2!", "ok": False}
        ],
        "anaconda_token": "tk-secret",
        "token_source": "condarc",
        "key": "proxy_servers.https",
        "latency_ms": (1.5, None),
        "https://u:p@mirror/": 3,
    }
    assert redactor.obj(document) == {
        "channels": ["https://a:<redacted>@x/t/<TOKEN>/main", "conda-forge"],
        "proxy_servers": {"https": "http://bob:<redacted>@proxy:3128"},
        "headers": {"Authorization": "Basic <redacted>", "Accept": "*/*"},
        "checks": [
            {
                "code": "PROXY_AUTH",
                "detail": "proxy said 407 to <redacted>",
                "ok": False,
            }
        ],
        "anaconda_token": "<redacted>",
        "token_source": "condarc",
        "key": "proxy_servers.https",
        "latency_ms": (1.5, None),
        "https://u:<redacted>@mirror/": 3,
    }
    assert document["proxy_servers"]["https"] == "http://bob:hunter2!@proxy:3128"


def test_redact_exception(default_redactor: Redactor) -> None:
    exc = ConnectionError("Failed to connect via http://bob:pw12@proxy:3128")
    assert redact.redact_exception(exc) == (
        "ConnectionError: Failed to connect via http://bob:<redacted>@proxy:3128"
    )
    assert redact.redact_exception(TimeoutError()) == "TimeoutError"


def test_redact_traceback(default_redactor: Redactor) -> None:
    default_redactor.add("sup3rsecret")
    try:
        raise OSError("auth with sup3rsecret at https://u:sup3rsecret@h/")
    except OSError as exc:
        formatted = redact.redact_traceback(exc)
    assert "Traceback" in formatted
    assert "sup3rsecret" not in formatted
    assert "OSError: auth with <redacted> at https://u:<redacted>@h/" in formatted


def test_logging_filter_redacts_message_args_and_traceback(redactor: Redactor) -> None:
    redactor.add("l0gsecret")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(redact.RedactingFilter(redactor))
    logger = logging.getLogger("conda_netcheck.test_redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("GET %s", "https://u:l0gsecret@h/?token=t1")
        try:
            raise ValueError("bad l0gsecret")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "GET https://u:<redacted>@h/?token=<redacted>\n" in output
    assert "ValueError: bad <redacted>" in output
    assert "l0gsecret" not in output


def test_adding_secrets_from_threads(redactor: Redactor) -> None:
    secrets = [f"thread-secret-{i:03d}" for i in range(64)]
    threads = [threading.Thread(target=redactor.add, args=(s,)) for s in secrets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redactor.text(" ".join(secrets)) == " ".join([REDACTED] * len(secrets))


# Secrets with characters that change under percent-encoding, repr and JSON.
PLANTED_SECRETS = [
    "hunter2!",
    "p@ss:w0rd/x",
    "sp ace+plus&amp",
    "q\"uo'te",
    "DOMAIN\\päss",
    "tok_ABCdef1234567890xyz",
]

PLANTINGS = {
    "raw": lambda s: f"the password is {s} ok",
    "userinfo-quoted": lambda s: f"proxy http://alice:{quote(s, safe='')}@proxy:3128/",
    "userinfo-lower-hex": lambda s: f"http://alice:{quote(s, safe='').lower()}@h/",
    "query-plus": lambda s: f"https://h/x?password={quote_plus(s)}&a=1",
    "query-param-raw": lambda s: f"GET https://h/x?a=1&Token={quote(s)}",
    "anaconda-path": lambda s: f"https://h/t/{quote(s, safe='')}/main",
    "repr-dict": lambda s: repr({"proxy_password": s}),
    "json-dict": lambda s: json.dumps({"detail": f"pw={s}"}),
    "basic-header": lambda s: f"Proxy-Authorization: Basic {b64('alice:' + s)}",
    "basic-in-repr": lambda s: repr({"Authorization": "Basic " + b64("alice:" + s)}),
    "bearer-header": lambda s: f"Authorization: Bearer {s}",
    "exception": lambda s: str(OSError(f"407 for alice:{s}")),
}


@pytest.mark.parametrize("secret", PLANTED_SECRETS)
def test_planted_secret_never_survives(redactor: Redactor, secret: str) -> None:
    redactor.add_credentials("alice", secret)
    encoded = quote(secret, safe="")
    for form, plant in PLANTINGS.items():
        output = redactor.text(plant(secret))
        assert secret not in output, form
        assert encoded not in output, form
        # No piece of it either: a split secret leaks its tail.
        assert secret[len(secret) // 2 :] not in output, form
        assert b64("alice:" + secret) not in output, form
    assert secret not in json.dumps(
        redactor.obj({k: p(secret) for k, p in PLANTINGS.items()})
    )


def test_few_kib_of_text_is_fast(redactor: Redactor) -> None:
    for i in range(20):
        redactor.add(f"registered-secret-{i}")
    line = "GET https://u:pw@conda.anaconda.org/t/tk-1/conda-forge/x?token=1 -> 407 Authorization: Basic dXNlcjpwYXNz\n"
    text = line * (8192 // len(line))
    start = time.perf_counter()
    for _ in range(20):
        redactor.text(text)
    # Generous bound: the point is "no catastrophic backtracking", not a benchmark.
    assert (time.perf_counter() - start) / 20 < 0.05


# -- Redaction by value: every percent-encoded case form of a known secret ----

# A password with reserved characters: quote() writes %2F, %40, %3A; people and
# some clients write %2f, %40, %3a. Each form must be hidden, and nothing else.
_PERCENT_SECRET = "p@ss/w:rd-Planted"


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(_PERCENT_SECRET, id="raw"),
        pytest.param("p%40ss%2Fw%3Ard-Planted", id="upper-hex"),
        pytest.param("p%40ss%2fw%3ard-Planted", id="lower-hex"),
        pytest.param("p%40ss/w%3Ard-Planted", id="slash-kept-upper"),
        pytest.param("p%40ss/w%3ard-Planted", id="slash-kept-lower"),
    ],
)
@pytest.mark.parametrize("how", ["add", "add_credentials", "extra"])
def test_a_known_secret_is_hidden_in_each_percent_encoded_case(form, how, redactor):
    text = f"GET http://proxy.example:3128 failed; password was {form} (see log)"
    if how == "add":
        redactor.add(_PERCENT_SECRET)
        out = redactor.text(text)
    elif how == "add_credentials":
        redactor.add_credentials("bob", _PERCENT_SECRET)
        out = redactor.text(text)
    else:
        out = redactor.text(text, [_PERCENT_SECRET])
    assert form not in out
    assert f"password was {REDACTED} (see log)" in out


@pytest.mark.parametrize(
    "registered",
    [
        pytest.param("p%40ss%2Fw%3Ard-Planted", id="registered-upper"),
        pytest.param("p%40ss%2fw%3ard-Planted", id="registered-lower"),
    ],
)
def test_an_encoded_secret_is_hidden_decoded_and_in_both_cases(registered, redactor):
    # A URL's password arrives encoded; the decoded form and both hex cases leak too.
    redactor.add(registered)
    for form in (_PERCENT_SECRET, "p%40ss%2Fw%3Ard-Planted", "p%40ss%2fw%3ard-Planted"):
        assert redactor.text(f"x {form} y") == f"x {REDACTED} y"


def test_the_lower_case_form_of_a_url_password_is_hidden(redactor):
    redactor.add_url_credentials("http://bob:p%40ss%2Fw%3Ard-Planted@proxy:3128")
    out = redactor.text("proxy said: bad password p%40ss%2fw%3ard-Planted")
    assert out == f"proxy said: bad password {REDACTED}"


def test_text_that_only_resembles_an_encoded_secret_stays(redactor):
    # The other side of the boundary: a different byte is not the secret.
    redactor.add(_PERCENT_SECRET)
    near = "p%40ss%2ex%3ard-Planted"
    assert redactor.text(near) == near
