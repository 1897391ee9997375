"""What a body says about the server: repodata, a zstd file, or a page that is not a channel."""

from __future__ import annotations

import pytest

from conda_netcheck.diagnosis.network import content_problem
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
