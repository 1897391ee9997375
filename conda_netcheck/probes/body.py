"""Bounded fetches of whole bodies: what came back, how much, and how it ended.

Facts only: the status, the bytes kept (never more than asked), the bytes the
server announced and sent, whether the body ended as announced, and which
request of a redirect chain raised. Also bounded zstd and msgpack decoding of
what was read.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from requests import Session

CHUNK = 64 * 1024


class Ending(str, Enum):
    """How reading a body stopped."""

    COMPLETE = (
        "complete"  # the server sent all it announced (or closed without a length)
    )
    BOUNDED = "bounded"  # we stopped at our byte bound before the end
    CUT = "cut"  # the connection ended before the announced length
    UNDECODABLE = "undecodable"  # not in the Content-Encoding it is labelled with
    STALLED = "stalled"  # our time bound ran out
    NO_BODY = "no-body"  # the request failed before any answer


@dataclass(frozen=True)
class Body:
    """One response and as much of its body as the bound allowed."""

    url: str
    ending: Ending
    final_url: str | None = None
    status: int | None = None
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes = b""
    received: int = 0  # body bytes read from the wire (before Content-Encoding)
    decoded: int = 0  # body bytes after Content-Encoding, all read (not only kept)
    announced: int | None = None  # Content-Length, when sent
    redirects: tuple[str, ...] = ()
    error: BaseException | None = None
    failed_url: str | None = None  # the request that raised, after redirects
    sha256: str | None = None  # of the whole body, when it was read whole

    @property
    def answered(self) -> bool:
        """The server sent a status line and headers."""
        return self.status is not None


def undecodable(exc: BaseException | None) -> bool:
    """Whether exc (or what it wraps) is a Content-Encoding decode failure."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__name__ in ("ContentDecodingError", "DecodeError"):
            return True
        exc = (
            exc.__cause__
            or exc.__context__
            or (
                exc.args[0]
                if exc.args and isinstance(exc.args[0], BaseException)
                else None
            )
        )
        seen += 1
    return False


def fetch(
    session: Session,
    url: str,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int,
    headers: dict[str, str] | None = None,
) -> Body:
    """GET url and read at most max_bytes of its body, within about one timeout pair."""
    import requests

    deadline = time.monotonic() + connect_timeout + read_timeout
    try:
        response = session.get(
            url,
            stream=True,
            timeout=(connect_timeout, read_timeout),
            headers=headers or {},
        )
    except (requests.RequestException, OSError, ValueError) as exc:
        request = getattr(exc, "request", None)
        failed = getattr(request, "url", None) or url
        return Body(url, Ending.NO_BODY, error=exc, failed_url=failed)
    try:
        return _read(response, url, max_bytes, deadline)
    finally:
        response.close()


def _read(response: Any, url: str, max_bytes: int, deadline: float) -> Body:
    announced = _length(response.headers.get("Content-Length"))
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    kept = 0
    ending = Ending.COMPLETE
    error: BaseException | None = None
    try:
        for chunk in _pieces(response):
            digest.update(chunk)
            if kept < max_bytes:
                chunks.append(chunk[: max_bytes - kept])
            kept += len(chunk)
            if kept >= max_bytes and (announced is None or kept < announced):
                ending = Ending.BOUNDED
                break
            if time.monotonic() > deadline:
                ending = Ending.STALLED
                break
    except Exception as exc:  # urllib3 and requests errors, OSError
        error = exc
        ending = Ending.STALLED if _timed_out(exc) else Ending.CUT
        if undecodable(exc):
            ending = Ending.UNDECODABLE
    received = _wire_bytes(response, kept)
    if ending is Ending.CUT and announced is not None and received >= announced:
        # Every promised byte arrived: whatever failed, it was not cut short.
        ending = Ending.UNDECODABLE if undecodable(error) else Ending.COMPLETE
    if ending is Ending.COMPLETE and announced is not None and received < announced:
        ending = Ending.CUT  # a server that closed early without urllib3 noticing
    return Body(
        url,
        ending,
        final_url=response.url,
        status=response.status_code,
        reason=response.reason or "",
        headers=dict(response.headers),
        data=b"".join(chunks),
        received=received,
        decoded=kept,
        announced=announced,
        redirects=tuple(r.url for r in response.history),
        error=error,
        failed_url=response.url if error else None,
        sha256=digest.hexdigest() if ending is Ending.COMPLETE else None,
    )


def _pieces(response: Any) -> Iterator[bytes]:
    """What each socket read returns, so that a trickling server meets the deadline.

    iter_content(n) blocks until n bytes (or the end) arrive, each read bounded
    only by the read timeout; read1 returns after one read.
    """
    raw = response.raw
    if not hasattr(raw, "read1"):  # urllib3 < 2
        yield from response.iter_content(chunk_size=CHUNK)
        return
    while True:
        piece = raw.read1(CHUNK, decode_content=True)
        if not piece:
            return
        yield piece


def _timed_out(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "timeout" in text or "timed out" in text


def _length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _wire_bytes(response: Any, fallback: int) -> int:
    """Body bytes urllib3 read off the wire, as Content-Length counts them.

    Not the bytes kept: a compressed body decodes to more than was sent, and
    half of it can decode to more than the whole announced length.
    """
    try:
        told = response.raw.tell()
    except Exception:
        return fallback
    return told if isinstance(told, int) else fallback


# -- zstd ---------------------------------------------------------------------


class Zstd(str, Enum):
    """What decoding the first zstd frame of some bytes found."""

    OK = "ok"  # the frame ended
    PREFIX = "prefix"  # the input (a prefix of the file) ended inside the frame
    TRUNCATED = "truncated"  # the whole file ended inside the frame
    OVER_BOUND = "over-bound"  # the output bound was reached (a bomb, or just large)
    WINDOW = "window"  # the frame needs a larger window than we allow
    CORRUPT = "corrupt"  # the decoder rejected the data
    NOT_ZSTD = "not-zstd"  # no zstd magic number
    NO_DECODER = "no-decoder"  # no zstd module is importable


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class Decoded:
    """The decoded prefix of the first frame and how decoding ended."""

    state: Zstd
    data: bytes = b""
    error: str = ""  # the decoder's own message, as evidence
    size: int = 0  # decoded bytes counted (beyond data when counting on)


def unzstd(
    data: bytes,
    whole: bool,
    max_output: int,
    window_log: int = 23,
    count_to: int = 0,
) -> Decoded:
    """Decode the first frame, keep at most max_output bytes, window 2**window_log.

    whole: data is the entire file (so a frame that does not end is truncated).
    A window of 8 MiB (2**23) is what zstd levels up to 19 use; a frame asking
    for more is reported as such, not as corrupt. count_to: past max_output,
    go on decoding (discarding) up to this many bytes to measure a bomb.
    """
    if not data.startswith(ZSTD_MAGIC):
        return Decoded(Zstd.NOT_ZSTD)
    module = _zstd_module()
    if module is None:
        return Decoded(Zstd.NO_DECODER)
    options = {module.DecompressionParameter.window_log_max: window_log}
    decoder = module.ZstdDecompressor(options=options)
    try:
        out = decoder.decompress(data, max_length=max_output)
    except module.ZstdError as exc:
        text = str(exc)
        window = "window" in text.lower() or "memory" in text.lower()
        return Decoded(Zstd.WINDOW if window else Zstd.CORRUPT, error=text)
    if decoder.eof:
        return Decoded(Zstd.OK, out, size=len(out))
    if len(out) >= max_output and not decoder.needs_input:
        # Over the bound even when the frame ends later: `out` is not all of it.
        size = len(out) + _count_on(module, decoder, count_to - len(out))
        return Decoded(Zstd.OVER_BOUND, out, size=size)
    state = Zstd.TRUNCATED if whole else Zstd.PREFIX
    return Decoded(state, out, size=len(out))


def _count_on(module: Any, decoder: Any, limit: int) -> int:
    """Decode and discard up to limit more bytes (bounded memory: one piece at a time)."""
    counted = 0
    try:
        while counted <= limit and not decoder.eof:
            piece = decoder.decompress(b"", max_length=4 * 1024 * 1024)
            if not piece:
                break
            counted += len(piece)
    except module.ZstdError:
        pass
    return counted


@functools.cache
def _zstd_module() -> Any:
    """compression.zstd (Python >= 3.14) or backports.zstd (what conda >= 25.9 uses).

    Looked up once: a failed import searches the whole path again each time.
    """
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        try:
            from backports import zstd  # type: ignore[import-not-found,no-redef]
        except ImportError:
            return None
    return zstd


def load_decoders(zstd: bool, msgpack: bool) -> None:
    """Import the decoders asked for in the calling thread, before the workers need them.

    The workers of a run decode at about the same moment: loaded here, no
    module is first imported by two of them at once.
    """
    if zstd:
        _zstd_module()
    if msgpack:
        try:
            import msgpack as _  # noqa: F401
        except ImportError:  # unpack says so where it is needed
            pass


# -- msgpack ------------------------------------------------------------------


@dataclass(frozen=True)
class Unpacked:
    """A decoded msgpack document, or the decoder's message."""

    value: Any = None
    error: str = ""
    no_decoder: bool = False  # msgpack is not importable: nothing was decoded

    @property
    def ok(self) -> bool:
        """True when a document was decoded."""
        return not self.error and not self.no_decoder


def unpack(data: bytes, max_items: int = 2_000_000) -> Unpacked:
    """msgpack-decode data with every container bounded to max_items entries."""
    try:
        import msgpack
    except ImportError:
        return Unpacked(no_decoder=True)
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=False,
            max_map_len=max_items,
            max_array_len=max_items,
            max_bin_len=len(data),
            max_str_len=len(data),
        )
    except Exception as exc:  # msgpack raises many kinds for bad input
        return Unpacked(error=f"{type(exc).__name__}: {exc}")
    return Unpacked(value)
