"""Does a response body look like repodata, or like a login page or proxy notice?"""

from __future__ import annotations

import re
from dataclasses import dataclass

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: Package files (a re-checked download): .conda is a zip, .tar.bz2 a bzip2 stream.
PACKAGE_MAGIC = (
    (".conda", b"PK\x03\x04", "a .conda package (a zip file)"),
    (".tar.bz2", b"BZh", "a .tar.bz2 package"),
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Content:
    """What the first bytes of an answer are, against what `filename` must start with."""

    filename: str
    content_type: str
    expected: str  # "a JSON object", "a zstd-compressed file", "a .conda package ..."
    fits: bool
    html: bool = False
    title: str | None = None
    empty: bool = False  # no byte at all (or only whitespace)


def inspect(filename: str, content_type: str, head: bytes) -> Content:
    """Whether `head` can start `filename`, and if not, what it looks like."""
    stripped = head.lstrip()
    package = next((m for m in PACKAGE_MAGIC if filename.endswith(m[0])), None)
    if package is not None:
        expected, fits = package[2], head.startswith(package[1])
    elif filename.endswith(".zst"):
        expected, fits = "a zstd-compressed file", head.startswith(ZSTD_MAGIC)
    else:
        expected, fits = "a JSON object", stripped.startswith(b"{")
    html = not fits and looks_like_html(content_type, stripped)
    title = html_title(head) if html else None
    return Content(filename, content_type, expected, fits, html, title, not stripped)


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
