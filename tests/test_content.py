"""What a body says about the server: repodata, a zstd file, or a page that is not a channel."""

from __future__ import annotations

import pytest

from conda_netcheck.diagnosis.http_answer import content_problem
from conda_netcheck.model import Code, Layer
from conda_netcheck.probes import content


def check(filename: str, content_type: str, head: bytes):
    """The problem a user sees for this body, None when it fits."""
    return content_problem(content.inspect(filename, content_type, head))


ZSTD = content.ZSTD_MAGIC + b"\x00\x01"

# (filename, Content-Type, first bytes, the summary a user sees or None when fine)
BODIES = [
    ("repodata.json", "application/json", b'{"info": {}}', None),
    ("repodata.json", "", b'\n  {"info": {}}', None),
    ("repodata.json.zst", "application/octet-stream", ZSTD, None),
    ("repodata.json.zst", "application/json", b'{"info": {}}',
     "the server answered repodata.json.zst with application/json, not a zstd-compressed file"),
    ("repodata.json", "text/plain", b"Access denied",
     "the server answered repodata.json with text/plain, not a JSON object"),
    ("repodata.json", "", b"Access denied",
     "the server answered repodata.json with unknown content type, not a JSON object"),
    ("repodata.json", "text/html", b"Welcome, no markup",
     "the server answered repodata.json with an HTML page, not a JSON object"),
    ("repodata.json", "TEXT/HTML", b"<p>hi</p>",
     "the server answered repodata.json with an HTML page, not a JSON object"),
    ("repodata.json.zst", "text/html", b"<html><title>Proxy notice</title></html>",
     "the server answered repodata.json.zst with an HTML page titled 'Proxy notice', "
     "not a zstd-compressed file"),
    ("repodata.json", "text/html", b"<TITLE lang=en>\n Caf\xc3\xa9 \n\n login </TITLE>",
     "the server answered repodata.json with an HTML page titled 'Caf\u00e9 login', "
     "not a JSON object"),
    ("repodata.json", "text/html", b"<title>bad \xff byte</title>",
     "the server answered repodata.json with an HTML page titled 'bad \ufffd byte', "
     "not a JSON object"),
]  # fmt: skip


@pytest.mark.parametrize("filename, content_type, head, summary", BODIES)
def test_body_classification(filename, content_type, head, summary):
    problem = check(filename, content_type, head)
    if summary is None:
        assert problem is None
        return
    assert problem.code is Code.NOT_A_CHANNEL
    assert problem.layer is Layer.CONTENT
    assert problem.summary.startswith(summary)
    assert problem.details.content_type in (None, content_type)


def test_html_details_carry_the_title():
    problem = check("repodata.json", "text/html", b"<title>Sign in</title>")
    assert problem.details.title == "Sign in"
    assert "(a captive portal, a login page" in problem.summary


def test_long_title_is_cut_and_empty_title_is_none():
    assert content.html_title(b"<title>" + b"x" * 200 + b"</title>") == "x" * 80
    assert content.html_title(b"<title>   </title>") is None
    assert content.html_title(b"<p>no title</p>") is None


# -- A block page is HTML by its type or by its first byte, title or not -------

_PAGES = [
    pytest.param(
        b"<html><head><title>Blocked</title></head></html>", "Blocked", id="title"
    ),
    pytest.param(
        b"<html><body><h1>Access denied</h1></body></html>", None, id="no-title"
    ),
    pytest.param(b"\r\n  <!DOCTYPE html><p>Denied</p>", None, id="doctype-after-space"),
    pytest.param(b"<TITLE>Proxy</TITLE>", "Proxy", id="upper-title"),
]
_NOT_MARKUP = b"Access denied by policy"
_TYPES = [
    pytest.param("", id="no-type"),
    pytest.param("application/octet-stream", id="octet-stream"),
    pytest.param("text/plain", id="text-plain"),
]
_HTML_TYPES = [
    pytest.param("text/html", id="text-html"),
    pytest.param("Text/HTML; charset=utf-8", id="html-mixed-case"),
    pytest.param("application/xhtml+xml", id="xhtml"),
]


@pytest.mark.parametrize(
    "filename", ["repodata.json", "repodata.json.zst", "x-1-0.conda"]
)
@pytest.mark.parametrize("content_type", _TYPES + _HTML_TYPES)
@pytest.mark.parametrize(("page", "title"), _PAGES)
def test_markup_is_an_html_page_whatever_the_content_type(
    filename, content_type, page, title
):
    found = content.inspect(filename, content_type, page)
    assert (found.fits, found.html, found.title) == (False, True, title)
    problem = content_problem(found)
    page_words = f"an HTML page titled {title!r}" if title else "an HTML page"
    assert f"with {page_words}, not " in problem.summary


@pytest.mark.parametrize("content_type", _TYPES)
def test_text_that_is_not_markup_is_not_an_html_page(content_type):
    found = content.inspect("repodata.json", content_type, _NOT_MARKUP)
    assert (found.html, found.title) == (False, None)
    assert "HTML" not in content_problem(found).summary


@pytest.mark.parametrize("content_type", _HTML_TYPES)
def test_an_html_content_type_is_an_html_page_without_markup(content_type):
    found = content.inspect("repodata.json", content_type, _NOT_MARKUP)
    assert found.html
    assert "with an HTML page, not a JSON object" in content_problem(found).summary


@pytest.mark.parametrize("content_type", _TYPES + _HTML_TYPES)
@pytest.mark.parametrize(("page", "title"), _PAGES)
def test_a_package_replaced_by_a_page_is_a_block_page(content_type, page, title):
    from conda_netcheck.diagnosis.download_problems import mismatch

    problem = mismatch(
        "the package x-1-0.conda",
        "http://127.0.0.1:8080/c/noarch/x-1-0.conda",
        "it is not a conda package",
        page,
        content_type,
    )
    assert problem.code is Code.DOWNLOAD_MISMATCH
    assert (problem.details.html, problem.details.title) == (True, title)
    page_words = (
        f"it is an HTML page titled {title!r}" if title else "it is an HTML page"
    )
    assert f"; {page_words} (a block page)" in problem.summary
    assert "replaces package downloads" in problem.fix


@pytest.mark.parametrize("content_type", _TYPES)
def test_a_package_replaced_by_text_is_not_called_a_block_page(content_type):
    from conda_netcheck.diagnosis.download_problems import mismatch

    problem = mismatch(
        "the package x-1-0.conda",
        "http://127.0.0.1:8080/c/noarch/x-1-0.conda",
        "it is not a conda package",
        _NOT_MARKUP,
        content_type,
    )
    assert not problem.details.html
    assert "block page" not in problem.summary
