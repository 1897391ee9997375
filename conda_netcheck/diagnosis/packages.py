"""One package fetched as conda fetches it: whole with its size and sha256, or its ends with Range.

A package under the bound is downloaded whole and checked against its index
record; a larger one is probed with Range for its first bytes (a package's
magic) and its last (the total in Content-Range must be the index's size). The
first package also tells whether conda can resume a .partial download.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Resource
from ..probes import body as bodies
from . import install_path

if TYPE_CHECKING:
    from ..config import index
    from .fetcher import Fetcher

#: Bytes asked for with Range: the head and tail of a large package, a resume probe.
RANGE_BYTES = 1024

MAGIC = {".conda": b"PK\x03\x04", ".tar.bz2": b"BZh"}


def check(fetcher: Fetcher, ref: index.PackageRef, range_probe: bool) -> None:
    """The whole file under the bound (size and sha256 checked), else its head and tail."""
    what = f"the package {ref.filename}"
    why = (
        "the index's base_url"
        if not ref.url.startswith(fetcher.target.url)
        else "the channel"
    )
    bound = fetcher.options.package_bytes
    if ref.size is None or ref.size > bound:
        _ends(fetcher, ref, what, why)
        return
    got = fetcher.get(ref.url, bound, Resource.PACKAGE, what, why)
    if got is None:
        return
    reason = _differs(ref, got)
    if reason:
        _not_the_file(fetcher, ref, what, reason, got, got.final_url or ref.url)
        return
    fetcher.out.notes.append(f"{what}: {got.received:,} bytes, size and sha256 match")
    if range_probe and ref.size:
        _resume(fetcher, ref, got.data)


def _ends(fetcher: Fetcher, ref: index.PackageRef, what: str, why: str) -> None:
    """A large package: its first and last bytes with Range, as conda resumes."""
    head = _ranged(fetcher, ref, what, why, f"bytes=0-{RANGE_BYTES - 1}")
    if head is None:
        return
    magic = MAGIC[".conda" if ref.filename.endswith(".conda") else ".tar.bz2"]
    if not head.data.startswith(magic):
        reason = "its first bytes are not a package's"
        _not_the_file(fetcher, ref, what, reason, head)
        return
    if head.status != 206:
        fetcher.out.warnings.append(
            install_path.range_ignored(head.final_url or ref.url)
        )
        return
    fetcher.out.notes.append(
        f"{what}: first {len(head.data):,} bytes look right (Range)"
    )
    _tail(fetcher, ref, what, why)


def _tail(fetcher: Fetcher, ref: index.PackageRef, what: str, why: str) -> None:
    """Its last bytes: the total in Content-Range must be the size the index gives."""
    tail = _ranged(fetcher, ref, what, why, f"bytes=-{RANGE_BYTES}")
    if tail is None or tail.status != 206:
        return
    total = _range_total(tail.headers.get("Content-Range", ""))
    if total is not None and ref.size is not None and total != ref.size:
        reason = f"the server has {total:,} bytes, the index says {ref.size:,}"
        _not_the_file(fetcher, ref, what, reason, tail)
        return
    fetcher.out.notes.append(f"{what}: its size is the index's ({total:,} bytes)")


def _resume(fetcher: Fetcher, ref: index.PackageRef, data: bytes) -> None:
    """conda resumes a .partial file with Range: bytes=N-; is it honoured?"""
    start = max(0, len(data) - RANGE_BYTES)
    url = ref.url
    got = fetcher.probe(url, RANGE_BYTES + 1, {"Range": f"bytes={start}-"})
    if got is None:
        return
    if got.status == 206 and got.data == data[start:]:
        fetcher.out.notes.append(f"the package {ref.filename}: Range requests work")
    elif got.status == 200:
        fetcher.out.warnings.append(install_path.range_ignored(got.final_url or url))
    else:
        fetcher.out.notes.append(
            f"the package {ref.filename}: Range request answered {got.status}"
        )


def _ranged(
    fetcher: Fetcher, ref: index.PackageRef, what: str, why: str, spec: str
) -> bodies.Body | None:
    """A GET of at most RANGE_BYTES of the package, asking for the range spec."""
    return fetcher.get(
        ref.url, RANGE_BYTES, Resource.PACKAGE, what, why, {"Range": spec}
    )


def _not_the_file(
    fetcher: Fetcher,
    ref: index.PackageRef,
    what: str,
    reason: str,
    got: bodies.Body,
    shown: str | None = None,
) -> None:
    """End the walk: what the server sends for ref is not the package (reason)."""
    ctype = got.headers.get("Content-Type", "")
    problem = install_path.mismatch(what, shown or ref.url, reason, got.data, ctype)
    fetcher.fail(problem, Resource.PACKAGE, ref.url)


def _range_total(content_range: str) -> int | None:
    """The complete length in 'bytes 200-1000/67589' (None for '*' or garbage)."""
    total = content_range.rpartition("/")[2].strip()
    return int(total) if total.isdigit() else None


def _differs(ref: index.PackageRef, got: bodies.Body) -> str | None:
    """Why the body is not the file the index describes, or None."""
    if got.ending is bodies.Ending.BOUNDED:
        return f"more than the {ref.size:,} bytes the index gives"
    if ref.size is not None and got.received != ref.size:
        return f"{got.received:,} bytes instead of {ref.size:,}"
    if ref.sha256 and got.sha256 and got.sha256 != ref.sha256:
        return f"sha256 {got.sha256[:12]}... instead of {ref.sha256[:12]}..."
    if not ref.sha256 and ref.md5:
        import hashlib

        if hashlib.md5(got.data).hexdigest() != ref.md5:
            return "its md5 differs from the index's"
    return None
