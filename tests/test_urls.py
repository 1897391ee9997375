"""The one home for where conda connects for a URL and how it is shown, against urllib3 itself."""

from __future__ import annotations

import pytest

from conda_netcheck.urls import (
    default_port,
    format_address,
    host_port,
    shown_address,
    shown_proxy,
)

URLS = [
    "http://proxy",
    "https://proxy",
    "http://proxy:3128",
    "https://proxy:8443/",
    "http://user:pw@proxy",
    "http://[::1]",
    "https://[2001:db8::1]:8443",
    "http://PROXY.Example",
    "127.0.0.1:3128",
    "proxy.example.com",
]


@pytest.mark.parametrize("url", URLS)
def test_the_port_is_the_one_urllib3_connects_to(url):
    from requests.utils import prepend_scheme_if_needed
    from urllib3.util import parse_url

    parsed = parse_url(prepend_scheme_if_needed(url, "http"))
    expected = parsed.port or default_port(parsed.scheme or "http")
    # urllib3's own table, for what a ProxyManager or PoolManager uses.
    from urllib3.poolmanager import port_by_scheme

    assert expected == (parsed.port or port_by_scheme[parsed.scheme or "http"])
    assert host_port(url) == (parsed.host.strip("[]").lower(), expected)


def test_a_proxy_without_a_port_is_80_or_443_by_scheme_never_8080():
    assert host_port("http://proxy") == ("proxy", 80)
    assert host_port("https://proxy") == ("proxy", 443)
    assert host_port("socks5h://proxy") == ("proxy", 1080)


@pytest.mark.parametrize(
    ("host", "port", "shown"),
    [
        ("h", 1, "h:1"),
        ("::1", 443, "[::1]:443"),
        ("2001:db8::1", 80, "[2001:db8::1]:80"),
    ],
)
def test_addresses_bracket_ipv6(host, port, shown):
    assert format_address(host, port) == shown


@pytest.mark.parametrize(
    "url",
    [
        "http://bob:a@TopSecretValue#b@127.0.0.1:3128",
        "http://bob:x?SecretPiece@127.0.0.1:3128",
        "http://bob:x/SecretPiece@127.0.0.1:3128",
    ],
)
def test_a_host_read_out_of_user_info_is_never_shown(url):
    assert host_port(url) is None
    shown = shown_address(url)
    assert "secret" not in shown.lower()
    assert "user info" in shown
    assert "secret" not in shown_proxy(url).lower()


def test_shown_proxy_keeps_the_address_and_hides_the_user_info():
    assert (
        shown_proxy(" http://bob:pw@proxy:3128 ") == "http://USER:<password>@proxy:3128"
    )
    assert shown_proxy("HTTP://token@proxy") == "http://USER@proxy"
    assert shown_proxy("proxy:3128") == "proxy:3128"
