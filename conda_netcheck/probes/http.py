"""One bounded GET through a requests session: status, headers and the first bytes."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# The session's guard raises it; a probe reports it as the answer.
from ..redirects import RefusedRedirect

if TYPE_CHECKING:
    from collections.abc import Iterator

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
    header_defects: list[str] = field(default_factory=list)  # lines urllib3 rejected


def get(
    session: Session,
    url: str,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int = MAX_BYTES,
    extra_headers: dict[str, str] | None = None,
) -> HttpResult:
    """GET url with the session, read at most max_bytes; never raises for network errors.

    The whole request (redirects, headers, body) has one absolute deadline,
    connect + read timeout: a server that trickles a byte per second, or
    sends "100 Continue" forever, defeats any per-read timeout. The request
    runs in a daemon thread that is abandoned (and its response closed) at
    the deadline, so it can neither hold the answer nor keep the process up.
    """
    start = time.monotonic()
    budget = connect_timeout + read_timeout
    deadline = start + budget
    box: dict[str, Any] = {}
    worker = threading.Thread(
        target=_catching,
        args=(session, url, (connect_timeout, read_timeout), max_bytes),
        kwargs={"extra_headers": extra_headers, "deadline": deadline, "box": box},
        name="netcheck-http",
        daemon=True,
    )
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()) + _GRACE_SECONDS)
    if "bug" in box:  # not a network error: the caller reports it as netcheck's
        raise box["bug"]
    result = box.get("result")
    if result is None:
        import requests

        response = box.get("response")
        if response is not None:
            _close_quietly(response)
        result = HttpResult(
            url=url,
            error=requests.exceptions.ReadTimeout(
                f"no complete answer within {budget:g} s: the server sends too slowly "
                "(or never ends its headers)"
            ),
        )
        result.elapsed_ms = (time.monotonic() - start) * 1000
    return result


#: Time for the worker to notice its own deadline before it is abandoned.
_GRACE_SECONDS = 0.5


def _catching(*args: Any, **kwargs: Any) -> None:
    """_get in the worker thread; an unexpected exception is handed to the caller."""
    try:
        _get(*args, **kwargs)
    except Exception as exc:
        kwargs["box"]["bug"] = exc


def _get(
    session: Session,
    url: str,
    timeout: tuple[float, float],
    max_bytes: int,
    extra_headers: dict[str, str] | None,
    deadline: float,
    box: dict[str, Any],
) -> None:
    """The request itself, in the worker thread: the result goes into box."""
    import requests

    start = time.monotonic()
    result = HttpResult(url=url)
    try:
        with _header_defects() as defects:
            response = session.get(
                url, stream=True, timeout=timeout, headers=extra_headers or {}
            )
        box["response"] = response
    except (requests.RequestException, OSError, ValueError, RefusedRedirect) as exc:
        result.error = exc
        result.elapsed_ms = (time.monotonic() - start) * 1000
        box["result"] = result
        return
    try:
        result.received_at = time.time()
        result.final_url = response.url
        result.status = response.status_code
        result.reason = response.reason or ""
        result.headers = dict(response.headers)
        result.header_defects = defects
        result.redirects = [r.url for r in response.history]
        result.first_byte_ms = sum(
            r.elapsed.total_seconds() * 1000 for r in (*response.history, response)
        )
        result.head = _read_head(response, max_bytes, deadline)
    except (requests.RequestException, OSError, ValueError) as exc:
        result.error = exc
    finally:
        _close_quietly(response)
    result.elapsed_ms = (time.monotonic() - start) * 1000
    box["result"] = result


def _close_quietly(response: Any) -> None:
    try:
        response.close()
    except Exception:  # closing from another thread may race the reader
        pass


def _read_head(response: Any, max_bytes: int, deadline: float) -> bytes:
    # Bounded in bytes and in time; decoded content (gzip, br, zstd) is read
    # in small raw chunks so that a decompression bomb cannot inflate much.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=256):
        chunks.append(chunk[: max_bytes - size])
        size += len(chunks[-1])
        if size >= max_bytes or time.monotonic() > deadline:
            break
    return b"".join(chunks)


@contextmanager
def _header_defects() -> Iterator[list[str]]:
    """Collect urllib3's "Failed to parse headers" warnings of this thread, silenced.

    urllib3 logs them with a traceback; netcheck reports the malformed
    response instead.
    """
    found: list[str] = []
    _DEFECTS.register(found)
    try:
        yield found
    finally:
        _DEFECTS.unregister()


class _DefectFilter(logging.Filter):
    """Swallow urllib3's header-parsing warnings; hand them to the waiting thread."""

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def register(self, found: list[str]) -> None:
        self._local.found = found

    def unregister(self) -> None:
        self._local.found = None

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Failed to parse headers"):
            return True
        found = getattr(self._local, "found", None)
        if found is not None and record.exc_info and record.exc_info[1] is not None:
            found.append(_defect_text(record.exc_info[1]))
        return False


def _defect_text(exc: BaseException) -> str:
    # urllib3 keeps the defects only in the message: "[Defect()], unparsed data: ..."
    text = str(exc)
    if "MissingHeaderBodySeparatorDefect" in text:
        return "a header line without a colon"
    return "headers that cannot be parsed"


_DEFECTS = _DefectFilter()
# urllib3 2.x warns from .connection, 1.26 from .connectionpool.
for _name in ("urllib3.connection", "urllib3.connectionpool"):
    logging.getLogger(_name).addFilter(_DEFECTS)
