"""Does a response body look like repodata, or like a login page or proxy notice?"""

from __future__ import annotations

import re

from ..model import Code, Layer, Problem

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: Package files (a re-checked download): .conda is a zip, .tar.bz2 a bzip2 stream.
PACKAGE_MAGIC = (
    (".conda", b"PK\x03\x04", "a .conda package (a zip file)"),
    (".tar.bz2", b"BZh", "a .tar.bz2 package"),
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def check(filename: str, content_type: str, head: bytes) -> Problem | None:
    """Return a not-a-channel problem when `head` cannot start `filename`."""
    stripped = head.lstrip()
    package = next((m for m in PACKAGE_MAGIC if filename.endswith(m[0])), None)
    if package is not None:
        if head.startswith(package[1]):
            return None
        expected = package[2]
    elif filename.endswith(".zst"):
        if head.startswith(ZSTD_MAGIC):
            return None
        expected = "a zstd-compressed file"
    elif stripped.startswith(b"{"):
        return None
    else:
        expected = "a JSON object"
    if looks_like_html(content_type, stripped):
        title = html_title(head)
        what = f"an HTML page titled {title!r}" if title else "an HTML page"
        return Problem(
            Code.NOT_A_CHANNEL,
            Layer.CONTENT,
            f"the server answered {filename} with {what}, not {expected} "
            "(a captive portal, a login page or a web server that is not a conda channel)",
            details={"content_type": content_type, "title": title},
        )
    kind = content_type or "unknown content type"
    return Problem(
        Code.NOT_A_CHANNEL,
        Layer.CONTENT,
        f"the server answered {filename} with {kind}, not {expected}",
        details={"content_type": content_type},
    )


def looks_like_html(content_type: str, head: bytes) -> bool:
    """True for text/html or a body that starts like markup."""
    return "html" in content_type.lower() or head[:1] == b"<"


def html_title(head: bytes) -> str | None:
    """The page's <title>, trimmed, when the first bytes hold one."""
    match = _TITLE.search(head)
    if not match:
        return None
    title = " ".join(match.group(1).decode("utf-8", "replace").split())
    return title[:80] or None
