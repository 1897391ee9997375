"""One package fetched as conda fetches it: whole with its size and sha256, or its ends with Range.

A package under the bound is downloaded whole and checked against its index
record; a larger one is probed with Range for its first bytes (a package's
magic) and its last (the total in Content-Range must be the index's size). The
first package also tells whether conda can resume a .partial download.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ..model import Resource
from ..probes import body as bodies
from ..urls import format_address, host_port
from . import download_problems
from .fetcher import together

if TYPE_CHECKING:
    from . import repodata
    from .fetcher import Fetcher

#: Bytes asked for with Range: the head and tail of a large package, a resume probe.
RANGE_BYTES = 1024
#: conda resumes a .partial file with Range only after a download was cut.
#: Under 1 MiB, starting again from zero costs less than a second even at
#: 10 Mbit/s, so a server that ignores Range costs nothing anyone would notice:
#: a channel whose packages (as far as read) are all smaller is told nothing.
#: (1 MiB is also the default bound under which a package is read whole.)
RESUME_MATTERS = 1024 * 1024

MAGIC = {".conda": b"PK\x03\x04", ".tar.bz2": b"BZh"}


def check_all(
    fetcher: Fetcher, refs: list[repodata.PackageRef], resume_matters: bool
) -> None:
    """Every package at once, the first with its Range check; findings in conda's order.

    resume_matters: the channel lists a package large enough for a resumed
    download to matter (see RESUME_MATTERS); else no range-ignored is told.
    """
    forks = [fetcher.fork() for _ in refs]
    together(
        [
            partial(check, fork, ref, position == 0, resume_matters)
            for position, (fork, ref) in enumerate(zip(forks, refs))
        ],
        fetcher.end,
    )
    for fork, ref in zip(forks, refs):
        if fork.out.problem is not None and not ref.conda_fetches:
            _not_fetched_by_conda(fork, ref)
    fetcher.absorb(*forks)


def _not_fetched_by_conda(fork: Fetcher, ref: repodata.PackageRef) -> None:
    """A broken format conda does not download here: a warning, not the channel's failure."""
    out = fork.out
    assert out.problem is not None
    problem = out.problem
    out.problem = out.resource = out.url_failed = None
    out.warnings.append(
        problem.amended(
            more=(
                f"; conda downloads {ref.filename.removesuffix('.tar.bz2')}.conda "
                "instead, so conda works: other clients, or conda with "
                "use_only_tar_bz2, would fail"
            )
        )
    )


def resume_matters(records: dict[str, dict[str, Any]]) -> bool:
    """Whether a package listed is large enough for a resumed download to matter."""
    sizes = [rec.get("size") for rec in records.values() if isinstance(rec, dict)]
    return any(isinstance(size, int) and size >= RESUME_MATTERS for size in sizes)


def check(
    fetcher: Fetcher,
    ref: repodata.PackageRef,
    range_probe: bool,
    resume_matters: bool,
) -> None:
    """The whole file under the bound (size and sha256 checked), else its head and tail.

    range_probe: also ask for its tail as conda resumes (sent beside the GET).
    """
    what = f"the package {ref.filename}"
    why = (
        "the index's base_url"
        if not ref.url.startswith(fetcher.target.url)
        else "the channel"
    )
    bound = fetcher.options.package_bytes
    if ref.size is None or ref.size > bound:
        _ends(fetcher, ref, what, why, resume_matters)
        return
    answers: dict[str, bodies.Body | None] = {}
    calls = [
        lambda: answers.update(
            whole=fetcher.get(ref.url, bound, Resource.PACKAGE, what, why)
        )
    ]
    resume_at = max(0, (ref.size or 0) - RANGE_BYTES)
    if range_probe and ref.size and resume_matters and _claim(fetcher, ref.url):
        # Only looked at (nothing recorded), so it can share the fork.
        headers = {"Range": f"bytes={resume_at}-"}
        calls.append(
            lambda: answers.update(
                resume=fetcher.probe(ref.url, RANGE_BYTES + 1, headers)
            )
        )
    together(calls, fetcher.end)
    got = answers.get("whole")
    if got is None:
        return
    reason = _differs(ref, got)
    if reason:
        _not_the_file(fetcher, ref, what, reason, got, got.final_url or ref.url)
        return
    fetcher.out.notes.append(f"{what}: {got.decoded:,} bytes, size and sha256 match")
    if "resume" in answers:
        _resume(fetcher, ref, got.data[resume_at:], answers["resume"])


def _claim(fetcher: Fetcher, url: str) -> bool:
    """Whether this is the run's first Range verdict for url's host:port."""
    address = host_port(url)
    return fetcher.claim_range(format_address(*address) if address else url)


def _ends(
    fetcher: Fetcher,
    ref: repodata.PackageRef,
    what: str,
    why: str,
    resume_matters: bool,
) -> None:
    """A large package: its first and last bytes with Range (both asked at once)."""
    forks = {"head": fetcher.fork(), "tail": fetcher.fork()}
    specs = {"head": f"bytes=0-{RANGE_BYTES - 1}", "tail": f"bytes=-{RANGE_BYTES}"}
    got: dict[str, bodies.Body | None] = {}

    def ask(end: str) -> None:
        got[end] = _ranged(forks[end], ref, what, why, specs[end])

    together([partial(ask, "head"), partial(ask, "tail")], fetcher.end)
    fetcher.absorb(forks["head"])
    head = got.get("head")
    if head is None:
        return
    magic = MAGIC[".conda" if ref.filename.endswith(".conda") else ".tar.bz2"]
    if not head.data.startswith(magic):
        reason = "its first bytes are not a package's"
        _not_the_file(fetcher, ref, what, reason, head)
        return
    if head.status != 206:
        shown = head.final_url or ref.url
        if resume_matters and _claim(fetcher, shown):
            fetcher.out.warnings.append(download_problems.range_ignored(shown))
        return
    fetcher.out.notes.append(
        f"{what}: first {len(head.data):,} bytes look right (Range)"
    )
    fetcher.absorb(forks["tail"])
    _tail(fetcher, ref, what, got.get("tail"))


def _tail(
    fetcher: Fetcher, ref: repodata.PackageRef, what: str, tail: bodies.Body | None
) -> None:
    """Its last bytes: the total in Content-Range must be the size the index gives."""
    if tail is None or tail.status != 206:
        return
    total = _range_total(tail.headers.get("Content-Range", ""))
    if total is None:
        # No Content-Range, or an unknown length ('*'): nothing to compare with.
        fetcher.out.notes.append(f"{what}: the answer to Range gives no total size")
        return
    if ref.size is not None and total != ref.size:
        reason = f"the server has {total:,} bytes, the index says {ref.size:,}"
        _not_the_file(fetcher, ref, what, reason, tail)
        return
    fetcher.out.notes.append(f"{what}: its size is the index's ({total:,} bytes)")


def _resume(
    fetcher: Fetcher, ref: repodata.PackageRef, tail: bytes, got: bodies.Body | None
) -> None:
    """conda resumes a .partial file with Range: bytes=N-; was it honoured?"""
    if got is None:
        return
    url = ref.url
    if got.status == 206 and got.data == tail:
        fetcher.out.notes.append(f"the package {ref.filename}: Range requests work")
    elif got.status == 200:
        shown = got.final_url or url
        # The probe claimed the channel's host; an answer from another host (a
        # redirect) is told once for that host, as the large packages' ends are.
        if host_port(shown) == host_port(url) or _claim(fetcher, shown):
            fetcher.out.warnings.append(download_problems.range_ignored(shown))
    else:
        fetcher.out.notes.append(
            f"the package {ref.filename}: Range request answered {got.status}"
        )


def _ranged(
    fetcher: Fetcher, ref: repodata.PackageRef, what: str, why: str, spec: str
) -> bodies.Body | None:
    """A GET of at most RANGE_BYTES of the package, asking for the range spec."""
    return fetcher.get(
        ref.url, RANGE_BYTES, Resource.PACKAGE, what, why, {"Range": spec}
    )


def _not_the_file(
    fetcher: Fetcher,
    ref: repodata.PackageRef,
    what: str,
    reason: str,
    got: bodies.Body,
    shown: str | None = None,
) -> None:
    """End the walk: what the server sends for ref is not the package (reason)."""
    ctype = got.headers.get("Content-Type", "")
    problem = download_problems.mismatch(
        what, shown or ref.url, reason, got.data, ctype
    )
    fetcher.fail(problem, Resource.PACKAGE, ref.url)


def _range_total(content_range: str) -> int | None:
    """The complete length in 'bytes 200-1000/67589' (None for '*' or garbage)."""
    total = content_range.rpartition("/")[2].strip()
    return int(total) if total.isdigit() else None


def _differs(ref: repodata.PackageRef, got: bodies.Body) -> str | None:
    """Why the body is not the file the index describes, or None."""
    if got.ending is bodies.Ending.BOUNDED:
        return f"more than the {ref.size:,} bytes the index gives"
    # The file's size: what a gzip-encoding server sent decodes to more bytes.
    if ref.size is not None and got.decoded != ref.size:
        return f"{got.decoded:,} bytes instead of {ref.size:,}"
    if ref.sha256 and got.sha256 and got.sha256 != ref.sha256:
        return f"sha256 {got.sha256[:12]}... instead of {ref.sha256[:12]}..."
    if not ref.sha256 and ref.md5:
        import hashlib

        if hashlib.md5(got.data).hexdigest() != ref.md5:
            return "its md5 differs from the index's"
    return None
