"""Secrets never reach the terminal, the JSON output or the logs."""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import time
import traceback
from urllib.parse import quote, quote_plus

import pytest

from conda_netcheck import redact
from conda_netcheck.redact import REDACTED, Redactor, misread_authority


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


def _log_through(redactor: Redactor, *filtered: bool) -> list[str]:
    """A warning and a traceback through handlers (filtered or not, in order): each one's output."""
    streams = [io.StringIO() for _ in filtered]
    handlers = [logging.StreamHandler(stream) for stream in streams]
    for handler, with_filter in zip(handlers, filtered):
        if with_filter:
            handler.addFilter(redact.RedactingFilter(redactor))
    logger = logging.getLogger("conda_netcheck.test_redact")
    logger.propagate = False
    for handler in handlers:
        logger.addHandler(handler)
    try:
        logger.warning("GET %s", "https://u:l0gsecret@h/?token=t1")
        try:
            raise ValueError("bad l0gsecret")
        except ValueError:
            logger.exception("failed")
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
    return [stream.getvalue() for stream in streams]


def test_logging_filter_redacts_message_args_and_traceback(redactor: Redactor) -> None:
    redactor.add("l0gsecret")
    (output,) = _log_through(redactor, True)
    assert "GET https://u:<redacted>@h/?token=<redacted>\n" in output
    assert "ValueError: bad <redacted>" in output
    assert "l0gsecret" not in output


def test_a_traceback_another_handler_formatted_first_is_still_redacted(
    redactor: Redactor,
) -> None:
    """logging caches the formatted traceback on the record: the first handler's text is reused."""
    redactor.add("l0gsecret")
    # The first: e.g. a file handler set up after netcheck installed its filters.
    plain, filtered = _log_through(redactor, False, True)
    assert "ValueError: bad l0gsecret" in plain
    assert "ValueError: bad <redacted>" in filtered
    assert "l0gsecret" not in filtered


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


# -- Where user info ends, and what stays visible -------------------------------

AUTHORITY_CASES = [
    pytest.param("https://user:p@ss@host.example/path", "https://user:<redacted>@host.example/path", id="at-in-password"),
    pytest.param("https://user:pa/ss@host.example/c", "https://user:<redacted>@host.example/c", id="slash-in-password"),
    pytest.param("https://user:pa?ss@host.example/c", "https://user:<redacted>@host.example/c", id="question-in-password"),
    pytest.param("https://host.example/pkg@1.0/x", "https://host.example/pkg@1.0/x", id="at-in-path"),
    pytest.param("https://host.example:8080/pkg@1.0", "https://host.example:8080/pkg@1.0", id="at-in-path-after-port"),
    pytest.param("https://user:s3cret@[::1]:8080/c", "https://user:<redacted>@[::1]:8080/c", id="ipv6"),
    pytest.param("https://ghp_abcdefghij0123456789@github.com/x", "https://<redacted>@github.com/x", id="token-as-user"),
    pytest.param("https://ghp_abcdefghij0123456789:x-oauth-basic@github.com/x", "https://<redacted>:<redacted>@github.com/x", id="token-user-and-password"),
    pytest.param("https://alice:@h.example/", "https://alice:@h.example/", id="empty-password-shown"),
    pytest.param("https://@host.example/x", "https://@host.example/x", id="empty-user-info"),
    pytest.param("https://u:s3cret@h.example/login?next=https://other.example/", "https://u:<redacted>@h.example/login?next=https://other.example/", id="url-in-query"),
    pytest.param("//user:s3cret@host.example/c", "//user:<redacted>@host.example/c", id="scheme-relative"),
    pytest.param("user:s3cret@proxy.example:3128", "user:<redacted>@proxy.example:3128", id="scheme-less-proxy"),
    pytest.param("proxy.example:3128", "proxy.example:3128", id="scheme-less-no-user"),
    pytest.param("https://user:p@s/s@host.example/x", "https://user:<redacted>@host.example/x", id="at-and-slash-in-password"),
    pytest.param("https://user:pa/@host.example/x", "https://user:<redacted>@host.example/x", id="slash-ends-password"),
    pytest.param("https://h/?token=s3cretvalue", "https://h/?token=<redacted>", id="one-letter-host-query"),
    pytest.param("a://u:s3cret@h.example/x", "a://u:<redacted>@h.example/x", id="one-letter-scheme"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "expected"), AUTHORITY_CASES)
def test_user_info_ends_at_the_last_at_before_the_host(url, expected, redactor):
    assert redactor.url(url) == expected
    if "://" in url or url.startswith("//"):  # free text finds URLs by their //
        assert redactor.text(f"see {url} now") == f"see {expected} now"


HEADER_TEXT_CASES = [
    pytest.param("{'Authorization': 'Bearer abc123 (expired)'}", "{'Authorization': 'Bearer <redacted>'}", id="quoted-all-hidden"),
    pytest.param("Authorization: Bearer abc123\t(expired)", "Authorization: Bearer <redacted>\t(expired)", id="tab-tail-kept"),
    pytest.param("Authorization: Bearer abc123 (expired)", "Authorization: Bearer <redacted> (expired)", id="space-tail-kept"),
    pytest.param("Authorization: Bearer abc123", "Authorization: Bearer <redacted>", id="end"),
    pytest.param("authorization: Token abc(x)", "authorization: Token <redacted>", id="glued-tail-hidden"),
    pytest.param('Authorization="Bearer abc123"', 'Authorization="Bearer <redacted>"', id="kwarg"),
    pytest.param("got Bearer abc-def-ghi", "got Bearer <redacted>", id="bearer-punctuation"),
    pytest.param("got Bearer abcdefghi7", "got Bearer <redacted>", id="bearer-digit"),
    pytest.param("Bearer authentication", "Bearer authentication", id="bearer-prose"),
    pytest.param("Bearer Xylophone", "Bearer Xylophone", id="bearer-prose-capital"),
    pytest.param("sent Basic dXNlcjpwYXNz ok", "sent Basic <redacted> ok", id="basic-pair"),
    pytest.param("sent Basic Zm9vYmFy ok", "sent Basic Zm9vYmFy ok", id="basic-without-colon"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), HEADER_TEXT_CASES)
def test_auth_values_are_hidden_and_their_context_kept(text, expected, redactor):
    assert redactor.text(text) == expected


@pytest.mark.parametrize(
    "key", ["X-Api-Key", "api-key", "api.key", "Client.Secret", "x-auth-token"]
)
def test_document_keys_with_dashes_and_dots_are_secret_names(key, redactor):
    assert redactor.obj({key: "v4lue-hidden"}) == {key: REDACTED}


@pytest.mark.parametrize("key", ["monkey", "token_count_x", "passage"])
def test_document_keys_that_only_contain_a_secret_word_are_kept(key, redactor):
    assert redactor.obj({key: "visible"}) == {key: "visible"}


# -- The forms a registered secret takes ----------------------------------------

_SPACED = "my pass/w0rd"


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(_SPACED, id="raw"),
        pytest.param("my%20pass%2Fw0rd", id="quote-safe-nothing"),
        pytest.param("my%20pass/w0rd", id="quote"),
        pytest.param("my+pass%2Fw0rd", id="quote-plus"),
        pytest.param("my%20pass%2fw0rd", id="lower-hex"),
    ],
)
def test_a_secret_with_a_space_and_slash_is_hidden_in_each_encoding(form, redactor):
    redactor.add(_SPACED)
    assert redactor.text(f"[{form}]") == f"[{REDACTED}]"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        pytest.param('pa\\ss"w0rd', json.dumps('pa\\ss"w0rd')[1:-1], id="json-escapes"),
        pytest.param(
            "tab\there-s3cret", repr("tab\there-s3cret")[1:-1], id="repr-escapes"
        ),
        pytest.param(
            "DOMAIN\\s3cretpw", repr("DOMAIN\\s3cretpw")[1:-1], id="repr-backslash"
        ),
    ],
)
def test_a_secret_is_hidden_as_repr_and_json_escape_it(secret, shown, redactor):
    redactor.add(secret)
    assert shown != secret
    assert redactor.text(f"<{shown}>") == f"<{REDACTED}>"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("bob", "pässwörd-1"),  # latin-1 and UTF-8 give different Basic values
        ("bob", "пароль-secret"),  # not latin-1: UTF-8 only
        ("", "s3cretpw"),
        (None, "s3cretpw"),
        ("a", "bcd"),
        ("a", "b"),  # base64 of "a:b" is 4 characters: just long enough to be hidden
    ],
)
def test_the_basic_value_of_a_credential_pair_is_hidden(username, password, redactor):
    redactor.add_credentials(username, password)
    pair = f"{username or ''}:{password}"
    values = {base64.b64encode(pair.encode("utf-8")).decode()}
    try:
        values.add(base64.b64encode(pair.encode("latin-1")).decode())
    except UnicodeEncodeError:
        pass
    for value in values:
        for shown in (value, value.rstrip("=")):
            assert redactor.text(f"auth={shown};") == f"auth={REDACTED};", shown


def test_a_token_user_name_is_hidden_with_its_password(redactor):
    redactor.add_credentials("ghp_abcdefghij0123456789", "x-oauth-basic")
    out = redactor.text("user ghp_abcdefghij0123456789 pw x-oauth-basic")
    assert out == f"user {REDACTED} pw {REDACTED}"


def test_a_plain_user_name_stays_visible(redactor):
    redactor.add_credentials("alice", "s3cretpw")
    assert redactor.text("user alice pw s3cretpw") == f"user alice pw {REDACTED}"


# -- What a URL registers: passwords, pieces, token users and ports -------------


@pytest.mark.parametrize(
    ("url", "hidden", "visible"),
    [
        pytest.param("https://bob:p@ss-w0rd@h.example/c", ["p@ss-w0rd"], ["bob"], id="at-in-password"),
        pytest.param("bob:s3cret-pass@proxy.example:3128", ["s3cret-pass"], ["bob", "proxy.example"], id="scheme-less"),
        pytest.param("https://ghp_tok3nabcdefghij1234@github.com/x", ["ghp_tok3nabcdefghij1234"], ["github.com"], id="token-user"),
        pytest.param("https://bob:x/12345678?y@h.example/c", ["12345678"], ["bob", "x"], id="piece-of-8"),
        pytest.param("https://http:ab/cd@h.example/c", ["ab/cd"], ["http", "cd"], id="short-pieces-stay"),
        pytest.param("https://h.example:ghp_abcdefghij0123456789/c", ["ghp_abcdefghij0123456789"], ["h.example"], id="token-port"),
        pytest.param("https://u:pw12@h.example:ghp_abcdefghij0123456789/c", ["ghp_abcdefghij0123456789"], ["h.example"], id="token-port-after-userinfo"),
        pytest.param("https://[::1]:ghp_abcdefghij0123456789/c", ["ghp_abcdefghij0123456789"], ["::1"], id="token-port-ipv6"),
        pytest.param("https://h.example:8080/c", [], ["8080", "h.example"], id="numeric-port-stays"),
        pytest.param("https://h.example/c?token=abc123secret#frag", ["abc123secret"], ["frag"], id="query-before-fragment"),
        pytest.param("https://h.example/t/tk-0123456789abcdef/c", ["tk-0123456789abcdef"], ["h.example"], id="anaconda-token"),
        pytest.param("https://u:pw-one-1@h.example/?next=http://x.example/", ["pw-one-1"], ["x.example"], id="url-in-query"),
        pytest.param("https://tk-42@h.example/c", ["tk-42"], ["h.example"], id="short-token-user"),
        pytest.param("https://tok?en12345678@h.example/", ["en12345678"], ["h.example"], id="piece-of-a-token-user"),
    ],
)  # fmt: skip
def test_a_url_registers_its_secrets_and_nothing_else(url, hidden, visible, redactor):
    redactor.add_url_credentials(url)
    for secret in hidden:
        assert redactor.text(f"[{secret}]") == f"[{REDACTED}]", secret
    for word in visible:
        assert redactor.text(f"[{word}]") == f"[{word}]", word


def test_documents_keep_their_container_types(redactor):
    from collections import namedtuple

    Pair = namedtuple("Pair", "url note")
    redactor.add("s3cret-value")
    doc = {
        "pair": Pair("https://u:pw@h/", "has s3cret-value"),
        "tuple": ("s3cret-value", 1),
        "set": {"s3cret-value"},
        "frozen": frozenset({"x s3cret-value"}),
        "list": ["s3cret-value", None, 2.5],
    }
    out = redactor.obj(doc)
    assert out["pair"] == Pair("https://u:<redacted>@h/", f"has {REDACTED}")
    assert type(out["pair"]) is Pair
    assert out["tuple"] == (REDACTED, 1) and type(out["tuple"]) is tuple
    assert out["set"] == {REDACTED}
    assert out["frozen"] == frozenset({f"x {REDACTED}"})
    assert type(out["frozen"]) is frozenset
    assert out["list"] == [REDACTED, None, 2.5]


def test_the_module_functions_use_the_process_registry(default_redactor):
    default_redactor.add("s3cret-value")
    assert redact.redact_text("a s3cret-value b") == f"a {REDACTED} b"
    assert redact.redact_url("https://u:pw@h/s3cret-value") == (
        f"https://u:{REDACTED}@h/{REDACTED}"
    )
    assert redact.redact_obj({"k": ["s3cret-value"]}) == {"k": [REDACTED]}
    assert redact.redact_text("x s3cret-value y", ["y-other-secret"]) == (
        f"x {REDACTED} y"
    )


def test_an_exception_that_cannot_be_printed_is_still_described(default_redactor):
    class Broken(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert redact.redact_exception(Broken()) == "Broken: <unprintable>"
    assert redact.redact_exception(ValueError()) == "ValueError"
    default_redactor.add("s3cret-value")
    assert redact.redact_exception(OSError("bad s3cret-value")) == (
        f"OSError: bad {REDACTED}"
    )


# -- Logging: every handler gets the filter, once; nothing is dropped -----------


def test_install_log_redaction_filters_every_handler_once(default_redactor):
    default_redactor.add("l0g-s3cret")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("conda_netcheck.test_redact.install")
    logging.getLogger("conda_netcheck.test_redact.install.child.grand")  # placeholders
    logger.addHandler(handler)
    logger.propagate = False
    try:
        redact.install_log_redaction()
        redact.install_log_redaction()
        filters = [f for f in handler.filters if isinstance(f, redact.RedactingFilter)]
        assert len(filters) == 1
        logger.warning("token %s", "l0g-s3cret", stack_info=True)
    finally:
        logger.removeHandler(handler)
        handler.removeFilter(filters[0])
    output = stream.getvalue()
    assert output.startswith(f"token {REDACTED}\nStack (most recent call last):")
    assert "l0g-s3cret" not in output


def test_the_filter_redacts_stack_info_and_never_drops_a_record(redactor):
    redactor.add("l0g-s3cret")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m %s", ("a",), None)
    record.stack_info = "Stack: frame with l0g-s3cret"
    assert redact.RedactingFilter(redactor).filter(record) is True
    assert record.stack_info == f"Stack: frame with {REDACTED}"
    bad = logging.LogRecord("x", logging.INFO, __file__, 1, "m %d", ("nan",), None)
    assert redact.RedactingFilter(redactor).filter(bad) is True
    assert (bad.msg, bad.args) == ("m %d", ("nan",))  # left for logging to report


def test_redact_traceback_is_the_whole_traceback_redacted(default_redactor):
    default_redactor.add("tb-s3cret-x")
    try:
        raise OSError("failed with tb-s3cret-x")
    except OSError as exc:
        text = redact.redact_traceback(exc)
        whole = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert text == whole.replace("tb-s3cret-x", REDACTED)
    assert text.startswith("Traceback (most recent call last):\n")
    assert text.endswith(f"OSError: failed with {REDACTED}\n")
    assert "tb-s3cret-x" not in text


def test_install_log_redaction_reaches_handlers_on_every_logger_and_last_resort(
    default_redactor, monkeypatch
):
    default_redactor.add("l0g-s3cret")
    streams = [io.StringIO(), io.StringIO()]
    pairs = []
    for i, stream in enumerate(streams):
        logger = logging.getLogger(f"conda_netcheck.test_redact.two.{i}")
        handler = logging.StreamHandler(stream)
        logger.addHandler(handler)
        logger.propagate = False
        pairs.append((logger, handler))
    last_resort = logging.StreamHandler(io.StringIO())
    monkeypatch.setattr(logging, "lastResort", last_resort)
    try:
        redact.install_log_redaction()
        for logger, _ in pairs:
            logger.warning("token l0g-s3cret")
    finally:
        for logger, handler in pairs:
            logger.removeHandler(handler)
    assert [s.getvalue() for s in streams] == [f"token {REDACTED}\n"] * 2
    filters = [f for f in last_resort.filters if isinstance(f, redact.RedactingFilter)]
    assert len(filters) == 1 and filters[0].redactor is default_redactor
    monkeypatch.setattr(logging, "lastResort", None)
    redact.install_log_redaction()  # no last resort: nothing to add it to


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("bo:pw@proxy:3128", "<redacted>@proxy:3128"),
        # with a scheme, redacted where it stands; the user stays readable
        ("http://bo:pw@proxy:3128", "http://bo:<redacted>@proxy:3128"),
        ("b:p@proxy:3128", "<redacted>proxy:3128"),  # the pair is under 4 characters
        ("bob:p%23@proxy:3128", "<redacted>@proxy:3128"),
    ],
    ids=["scheme-less", "with-scheme", "tiny-pair", "encoded"],
)
def test_a_short_proxy_password_never_shows_with_its_user(
    redactor: Redactor, url: str, shown: str
) -> None:
    """A password under the free-text minimum is hidden where it sits: after its user."""
    redactor.add_url_credentials(url)
    assert redactor.text(f"proxy: {url} (from proxy_servers.http)") == (
        f"proxy: {shown} (from proxy_servers.http)"
    )


@pytest.mark.parametrize(
    ("url", "misread"),
    [
        # "/", "?" and "#" in a password end the authority for every parser
        ("http://alice:Se/cret@proxy:3128", "alice:Se"),
        ("http://alice:Se?cret@proxy:3128", "alice:Se"),
        ("http://alice:Se#cret@proxy:3128", "alice:Se"),
        ("http://alice:Se/cr@et@proxy:3128", "alice:Se"),
        ("http://alice:Secret@Host/Part9@proxy:3128", "alice:Secret@Host"),
        # every way a URL starts: a scheme with "+", scheme-relative, none
        ("git+https://alice:Se/cret@proxy:3128", "alice:Se"),
        ("//alice:Se/cret@proxy:3128", "alice:Se"),
        ("alice:Se/cret@proxy:3128", "alice:Se"),
        # parsers and user info agree: nothing misread
        ("http://alice:Secret@proxy:3128/path", None),
        ("http://alice@proxy:3128", None),
        ("http://proxy:3128", None),
        ("http://proxy:3128/pkg@1.0", None),  # an "@" in the path
        ("http://tok3n/abc@proxy:1", None),  # no "user:" before the "/"
    ],
)
def test_misread_authority_is_what_parsers_take_for_the_host(
    url: str, misread: str | None
) -> None:
    assert misread_authority(url) == misread


@pytest.mark.parametrize(
    ("url", "piece"),
    [
        # read as host "alice", port "MyPass": urllib quotes the port
        ("http://alice:MyPass/Word99@proxy:3128", "MyPass"),
        ("alice:MyPass?Word99@proxy:3128", "MyPass"),
        # read as user "alice", host "Host": the host is a piece of the password
        ("http://alice:Secret@Host/Part9@proxy:3128", "Host"),
    ],
)
def test_the_piece_of_a_password_a_parser_quotes_is_hidden(
    redactor: Redactor, url: str, piece: str
) -> None:
    from urllib.parse import urlsplit

    redactor.add_url_credentials(url)
    parsed = urlsplit(url if "://" in url else f"http://{url}")
    try:
        said = f"host {parsed.hostname} port {parsed.port}"
    except ValueError as exc:  # the port is a piece of the password
        said = str(exc)
    assert piece in said or piece.lower() in said
    shown = redactor.text(said)
    assert piece not in shown and piece.lower() not in shown, shown
    # the user name read as the host is no secret: it stays readable
    assert "alice" not in said or "alice" in shown
