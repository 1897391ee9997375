"""One bounded GET through a requests session: status, headers and the first bytes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from requests import Session

#: Never read more of a repodata file than this (conda-forge's is hundreds of MB).
MAX_BYTES = 4096


@dataclass
class HttpResult:
    """What the server said, or the exception the session raised."""

    url: str
    final_url: str | None = None  # after redirects
    status: int | None = None
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    head: bytes = b""
    redirects: list[str] = field(default_factory=list)
    error: BaseException | None = None
    first_byte_ms: float | None = None
    elapsed_ms: float | None = None
    received_at: float | None = None  # time.time() when the headers arrived


def get(
    session: Session,
    url: str,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int = MAX_BYTES,
    extra_headers: dict[str, str] | None = None,
) -> HttpResult:
    """GET url with the session, read at most max_bytes; never raises for network errors."""
    import requests

    start = time.monotonic()
    result = HttpResult(url=url)
    try:
        response = session.get(
            url,
            stream=True,
            timeout=(connect_timeout, read_timeout),
            headers=extra_headers or {},
        )
    except (requests.RequestException, OSError, ValueError) as exc:
        result.error = exc
        result.elapsed_ms = (time.monotonic() - start) * 1000
        return result
    try:
        result.received_at = time.time()
        result.final_url = response.url
        result.status = response.status_code
        result.reason = response.reason or ""
        result.headers = dict(response.headers)
        result.redirects = [r.url for r in response.history]
        result.first_byte_ms = sum(
            r.elapsed.total_seconds() * 1000 for r in (*response.history, response)
        )
        result.head = _read_head(
            response, max_bytes, start + connect_timeout + read_timeout
        )
    except (requests.RequestException, OSError) as exc:
        result.error = exc
    finally:
        response.close()
    result.elapsed_ms = (time.monotonic() - start) * 1000
    return result


def _read_head(response: Any, max_bytes: int, deadline: float) -> bytes:
    # Bounded in bytes and in time: a server that trickles one byte per read
    # timeout must not hold the run for max_bytes read timeouts.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= max_bytes or time.monotonic() > deadline:
            break
    return b"".join(chunks)[:max_bytes]
