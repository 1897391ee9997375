"""After the index answers: what conda fetches next (shards, packages), fetched as conda would.

`conda install` needs more than the index: a sharded index sends conda to its
shards (CEP-16), repodata v2 may move packages to another host (CEP-15,
info.base_url), and the packages themselves pass through proxies and filters
that let small JSON files by. Each request here is bounded in bytes and time,
goes through conda's session for its URL, and a failure names the request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..config import index
from ..model import Code, Layer, Problem, Resource
from ..probes import body as bodies
from ..probes.content import html_title, looks_like_html
from ..redact import REDACTOR
from . import advice

if TYPE_CHECKING:
    from ..model import Options, Route, RouteFactory, Target, TargetResult
    from ..probes.http import HttpResult

#: Bytes of repodata.json(.zst) read to find info.base_url and package records.
INDEX_PREFIX = 256 * 1024
#: Decoded bytes of repodata.json.zst kept from that prefix.
INDEX_OUTPUT = 1024 * 1024
#: Bytes read and decoded bytes kept of a shard index and of a shard: conda-forge's
#: linux-64 shard index is about 0.5 MB, its largest shard (vim) 2.6 MB decoded.
SHARD_INDEX_BYTES = 8 * 1024 * 1024
SHARD_INDEX_OUTPUT = 8 * 1024 * 1024
SHARD_BYTES = 4 * 1024 * 1024
SHARD_OUTPUT = 8 * 1024 * 1024
#: What conda 26 decodes at most (ZSTD_MAX_SHARD_INDEX_SIZE, ZSTD_MAX_SHARD_SIZE).
CONDA_SHARD_INDEX_CAP = 2**23 * 16
CONDA_SHARD_CAP = 2**20 * 16
#: zstd window allowed (2**24 = 16 MiB): levels up to 19 use at most 8 MiB.
WINDOW_LOG = 24
#: Bytes asked for with Range: the head and tail of a large package, a resume probe.
RANGE_BYTES = 1024

MAGIC = {".conda": b"PK\x03\x04", ".tar.bz2": b"BZh"}


# -- the new codes: one entry each (layer, who acts, report sentence, README line) --


@dataclass(frozen=True)
class Entry:
    """What a code means, who acts on it, and how the report and README say it."""

    layer: Layer
    who: str
    report: str
    readme: str  # "what it means" in README's table of codes
    fix_line: str  # "the fix netcheck gives" in that table


ENTRIES: dict[Code, Entry] = {
    Code.DOWNLOAD_INCOMPLETE: Entry(
        Layer.HTTP,
        "the network team (a proxy or firewall cutting downloads) or the server's "
        "administrators",
        "A download from this host ends before the length the server announced: "
        "a proxy, filter or firewall cuts it, or the server fails mid-way.",
        "a file (index, shard or package) ends before its Content-Length: a proxy "
        "or firewall cutting downloads, or a failing server; says how far it got",
        "ask the network team whether a proxy or firewall limits download size or "
        "time to HOST:PORT; else tell the server's administrators",
    ),
    Code.DOWNLOAD_MISMATCH: Entry(
        Layer.CONTENT,
        "the network team (a block page) or the mirror's administrators",
        "A package file downloaded from this host is not the file the index "
        "describes (size or sha256 differ), often a block page of a filter.",
        "a package file differs from its index record (size, sha256): an HTML "
        "block page (with its title), or a mirror whose files and index disagree",
        "block page: ask the network team to allow .conda and .tar.bz2 files from "
        "HOST; else tell the mirror's administrators",
    ),
    Code.INDEX_CORRUPT: Entry(
        Layer.CONTENT,
        "the mirror's administrators",
        "The channel's compressed index (repodata.json.zst or the shard index) "
        "does not decode: conda fails on it.",
        "repodata.json.zst, the shard index or a shard does not decode (truncated "
        "or corrupt zstd, a zstd bomb, bad msgpack)",
        "`conda config --set repodata_use_zst false` (or `repodata_use_shards "
        "false`), then `conda clean --index-cache`; tell the mirror's administrators",
    ),
    Code.RANGE_IGNORED: Entry(
        Layer.HTTP,
        "the network team or the server's administrators",
        "This host (or a proxy) ignores Range requests: conda cannot resume an "
        "interrupted package download and starts it again.",
        "a package URL answers `Range: bytes=N-` with the whole file: conda "
        "cannot resume an interrupted download (`.partial` file)",
        "ask the server's (or the proxy's) administrators to support Range requests",
    ),
}


def _hostport(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def incomplete(what: str, url: str, received: int, announced: int | None) -> Problem:
    """download-incomplete: what ended early, and how far it got."""
    of = f" of {announced:,}" if announced is not None else ""
    hostport = _hostport(url)
    return Problem(
        Code.DOWNLOAD_INCOMPLETE,
        ENTRIES[Code.DOWNLOAD_INCOMPLETE].layer,
        f"{what} ({_shown(url)}) ended after {received:,}{of} bytes: the connection "
        "closed before the whole file arrived",
        f"ask your network team whether a proxy, filter or firewall between here and "
        f"{hostport} cuts downloads (a size or time limit); if none does, tell the "
        f"administrators of {hostport} that {_shown(url)} ends early",
        {"received": received, "announced": announced},
    )


def mismatch(what: str, url: str, why: str, data: bytes, content_type: str) -> Problem:
    """download-mismatch: the file is not what the index describes; a block page says so."""
    hostport = _hostport(url)
    title = html_title(data) if looks_like_html(content_type, data.lstrip()) else None
    html = looks_like_html(content_type, data.lstrip()[:1])
    page = ""
    if html:
        page = f"; it is an HTML page{f' titled {title!r}' if title else ''} (a block page)"
    fix = (
        f"a filter or proxy replaces package downloads from {hostport} with a page: ask "
        "your network team to allow .conda and .tar.bz2 files from it"
        if html
        else f"tell the administrators of {hostport} that {_shown(url)} does not match "
        "its index record (a mirror out of sync); then: conda clean --packages --tarballs"
    )
    return Problem(
        Code.DOWNLOAD_MISMATCH,
        ENTRIES[Code.DOWNLOAD_MISMATCH].layer,
        f"{what} ({_shown(url)}) is not the file the index describes: {why}{page}",
        fix,
        {"title": title, "content_type": content_type, "html": html},
    )


def corrupt(what: str, url: str, why: str, setting: str) -> Problem:
    """index-corrupt: the setting that avoids the file, clearing the cache, who to tell."""
    hostport = _hostport(url)
    return Problem(
        Code.INDEX_CORRUPT,
        ENTRIES[Code.INDEX_CORRUPT].layer,
        f"{what} ({_shown(url)}) does not decode: {why}",
        f"conda config --set {setting} false (conda then reads repodata.json), then "
        f"conda clean --index-cache; tell the administrators of {hostport} that "
        f"{_shown(url)} is broken",
        {"setting": setting},
    )


def range_ignored(url: str) -> Problem:
    """range-ignored: conda resumes .partial downloads with Range."""
    hostport = _hostport(url)
    return Problem(
        Code.RANGE_IGNORED,
        ENTRIES[Code.RANGE_IGNORED].layer,
        f"{hostport} answers a Range request for {_shown(url)} with the whole file: "
        "an interrupted package download starts again from zero",
        f"ask the administrators of {hostport} (or of the proxy in between) to "
        "support Range requests",
    )


def _shown(url: str) -> str:
    return REDACTOR.text(url)


# -- following the index --------------------------------------------------------


@dataclass
class Followed:
    """What the requests after the index found, to fold into a TargetResult."""

    problem: Problem | None = None
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)
    resource: Resource | None = None
    url_failed: str | None = None

    def fold_into(self, result: TargetResult) -> None:
        """Add these findings to a target's result (before it is returned)."""
        result.problem = result.problem or self.problem
        result.warnings.extend(self.warnings)
        result.notes.extend(self.notes)
        result.reached.extend(u for u in self.reached if u not in result.reached)
        if self.problem is not None:
            result.resource = self.resource
            result.url_failed = self.url_failed


def follow(
    target: Target,
    route_for: RouteFactory,
    options: Options,
    filename: str,
    answered: HttpResult | None = None,
) -> Followed:
    """Fetch what conda fetches after the index `filename` of target answered.

    answered: the index's answer; when it holds the whole body (a small index),
    it is used instead of fetching the file again.
    """
    walker = _Walker(target, route_for, options)
    walker.known = _whole(answered)
    if options.check_packages:
        walker.run(filename)
    return walker.out


class _Walker:
    """The requests after one index, in conda's order, stopping at the first failure."""

    def __init__(self, target: Target, route_for: RouteFactory, options: Options):
        self.target = target
        self.route_for = route_for
        self.options = options
        self.out = Followed()
        self.end = time.monotonic() + options.connect_timeout + options.read_timeout
        self.known: bodies.Body | None = None  # an index body already read whole

    def _index(
        self, url: str, max_bytes: int, resource: Resource, what: str, **kw: bool
    ) -> bodies.Body | None:
        """The index body: the one already read when it is whole, else a GET."""
        if self.known is not None and self.known.url == url:
            return self.known
        return self._get(url, max_bytes, resource, what, "the channel's index", **kw)

    def run(self, filename: str) -> None:
        index_url = f"{self.target.url.rstrip('/')}/{filename}"
        if filename == index.SHARDS_INDEX:
            found = self._shards(index_url)
            if not self.out.problem:
                self._json_beside_shards()
        else:
            found = self._json(index_url, filename)
        if found is None or self.out.problem:
            return
        base, records = found
        packages = index.smallest_packages(records, base)
        if not packages:
            self.out.notes.append("no package record in what was read: none fetched")
        for position, ref in enumerate(packages):
            self._package(ref, range_probe=position == 0)
            if self.out.problem:
                return

    # -- requests --------------------------------------------------------------

    def _fail(self, problem: Problem, resource: Resource, url: str) -> None:
        self.out.problem = problem
        self.out.resource = resource
        self.out.url_failed = url

    def _get(
        self,
        url: str,
        max_bytes: int,
        resource: Resource,
        what: str,
        why: str,
        headers: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> bodies.Body | None:
        """One bounded GET through conda's session for url; None (and a problem) on failure.

        missing_ok: a 404 is a note, not a problem (an optional format).
        """
        left = self.end - time.monotonic()
        if left <= 0.2:
            self.out.notes.append(f"{what}: not fetched, the run's time is up")
            return None
        try:
            route = self.route_for(url)
        except Exception as exc:
            self._fail(advice.route_problem(exc), resource, url)
            return None
        connect = min(self.options.connect_timeout, left)
        read = min(self.options.read_timeout, left)
        got = bodies.fetch(route.session, url, connect, read, max_bytes, headers)
        self.out.reached.append(url)
        hops = (*got.redirects, got.final_url or got.failed_url or url)
        self.out.reached.extend(u for u in hops if u not in self.out.reached)
        if got.redirects:
            self.out.notes.append(
                f"{what}: redirected to {_shown(got.final_url or url)}"
            )
        if missing_ok and got.status == 404:
            self.out.notes.append(f"{what}: 404, conda reads the next format")
            return None
        problem = self._judge(got, route, what, why)
        if problem is not None:
            self._fail(problem, resource, got.failed_url or got.final_url or url)
            return None
        return got

    def _judge(
        self, got: bodies.Body, route: Route, what: str, why: str
    ) -> Problem | None:
        """The problem with one answer: no answer, an error status, a cut body."""
        if not got.answered:
            return self._unreachable(got, route, what, why)
        status = got.status or 0
        where = got.final_url or got.url
        if not 200 <= status < 300:
            from ..probes.http import HttpResult

            answer = HttpResult(
                url=where,
                status=status,
                reason=got.reason,
                headers=got.headers,
                head=got.data,
            )
            filename = where.rsplit("/", 1)[-1]
            problem = advice.status_problem(answer, filename, route)
            ctype = got.headers.get("Content-Type", "")
            title = html_title(got.data) if looks_like_html(ctype, got.data) else None
            page = f", an HTML page titled {title!r}" if title else ""
            problem.summary = f"{what} ({_shown(where)}): {problem.summary}{page}"
            problem.details.update(status=status, title=title)
            if problem.code is Code.HTTP_FORBIDDEN and title:
                problem.fix = (
                    f"a filter or proxy refuses downloads from {_hostport(where)} (its "
                    f"page: {title!r}): ask your network team to allow .conda and "
                    ".tar.bz2 files from it"
                )
            if problem.code is Code.HTTP_NOT_FOUND:
                problem.fix = (
                    f"the index lists {filename} but {_hostport(where)} does not serve "
                    "it: the mirror is incomplete or out of sync; tell its administrators"
                )
            if problem.fix is None:
                hop = replace(self.target, url=where.rsplit("/", 1)[0])
                problem.fix = advice.fix_for(problem.code, hop)
            return problem
        if got.ending is bodies.Ending.CUT:
            return incomplete(what, where, got.received, got.announced)
        if got.ending is bodies.Ending.STALLED:
            return Problem(
                Code.READ_TIMEOUT,
                Layer.HTTP,
                f"{what} ({_shown(where)}) stalled after {got.received:,} bytes",
                advice.fix_for(Code.READ_TIMEOUT, replace(self.target, url=where)),
            )
        return None

    def _unreachable(
        self, got: bodies.Body, route: Route, what: str, why: str
    ) -> Problem:
        """The request raised before any answer: the layer, and the hop that failed."""
        failed = got.failed_url or got.url
        host = urlsplit(failed).hostname or ""
        problem = advice.request_problem(got.error or OSError("no answer"), route, host)
        hop = f", redirected from {_shown(got.url)}" if failed != got.url else ""
        problem.summary = f"{what} ({_shown(failed)}{hop}): {problem.summary}"
        problem.details["url_failed"] = _shown(failed)
        hostport = _hostport(failed)
        if problem.code in (
            Code.CONNECTION_REFUSED,
            Code.CONNECT_TIMEOUT,
            Code.DNS_FAILURE,
        ):
            through = " through the proxy" if route.proxy else ""
            problem.fix = (
                f"conda fetches {what} from {hostport} ({why}{hop}): ask your network "
                f"team to allow {hostport}{through}, or the channel's administrators "
                "to serve it from a host that answers"
            )
            if what.startswith(("the shard", "a shard")):
                problem.fix += (
                    "; meanwhile conda can skip shards: "
                    "conda config --set repodata_use_shards false"
                )
        elif problem.fix is None and problem.layer is not Layer.PROXY:
            problem.fix = advice.fix_for(
                problem.code, replace(self.target, url=failed.rsplit("/", 1)[0])
            )
        return problem

    # -- the index formats --------------------------------------------------------

    def _json_beside_shards(self) -> None:
        """conda 26's classic solver and older condas read repodata.json(.zst), not shards."""
        later = self.options.filenames[1:]
        for filename in (n for n in later if n in (index.JSON_ZST, index.JSON)):
            url = f"{self.target.url.rstrip('/')}/{filename}"
            optional = filename != later[-1]
            if self._json(url, filename, missing_ok=optional) is not None:
                return
            if self.out.problem:
                return

    def _json(
        self, url: str, filename: str, missing_ok: bool = False
    ) -> tuple[str, dict] | None:
        """A bounded prefix of repodata.json(.zst): info.base_url and whole records."""
        got = self._index(
            url, INDEX_PREFIX, Resource.INDEX, filename, missing_ok=missing_ok
        )
        if got is None:
            return None
        data = got.data
        if filename == index.JSON_ZST:
            whole = got.ending is bodies.Ending.COMPLETE
            decoded = bodies.unzstd(data, whole, INDEX_OUTPUT, WINDOW_LOG)
            if decoded.state in (bodies.Zstd.TRUNCATED, bodies.Zstd.CORRUPT):
                why = (
                    f"the zstd frame ends early ({len(data):,} bytes, all the server "
                    "sent)"
                    if decoded.state is bodies.Zstd.TRUNCATED
                    else f"zstd rejects it ({decoded.error})"
                )
                problem = corrupt(filename, url, why, "repodata_use_zst")
                self._fail(problem, Resource.INDEX, url)
                return None
            if decoded.state not in (bodies.Zstd.OK, bodies.Zstd.PREFIX):
                self.out.notes.append(
                    f"{filename}: not decoded ({decoded.state.value})"
                )
                if decoded.state is not bodies.Zstd.OVER_BOUND:
                    return None
            data = decoded.data
        text = data.decode("utf-8", "replace")
        info = index.info_from_prefix(text) or {}
        base_url = info.get("base_url") if isinstance(info.get("base_url"), str) else ""
        base = index.packages_base_from_json(self.target.url, base_url)
        if base_url:
            self.out.notes.append(f"packages are at {_shown(base)} (info.base_url)")
        return base, index.records_from_prefix(text)

    def _shards(self, url: str) -> tuple[str, dict] | None:
        """The shard index, then one shard: CEP-16 as conda 26 reads it."""
        what = "the shard index"
        got = self._index(url, SHARD_INDEX_BYTES, Resource.SHARDS, what)
        if got is None:
            return None
        if got.ending is bodies.Ending.BOUNDED:
            self.out.notes.append(f"{what}: over {SHARD_INDEX_BYTES:,} bytes, not read")
            return None
        shards_index = self._decode(
            got, url, what, SHARD_INDEX_OUTPUT, CONDA_SHARD_INDEX_CAP
        )
        if shards_index is None:
            return None
        info, names = shards_index.get("info"), shards_index.get("shards")
        if not isinstance(info, dict) or not isinstance(names, dict):
            self._fail(
                corrupt(what, url, "no info or shards map", "repodata_use_shards"),
                Resource.SHARDS,
                url,
            )
            return None
        if not names:
            self.out.notes.append(f"{what}: lists no packages")
            return None
        shards_at = index.shards_base_url(url, _text(info.get("shards_base_url")))
        base = index.packages_base_from_shards(url, _text(info.get("base_url")))
        self.out.notes.append(
            f"{what}: {len(names)} names; shards at {_shown(shards_at)}, "
            f"packages at {_shown(base)}"
        )
        name = min(names)
        digest = names[name]
        if not isinstance(digest, (bytes, bytearray)):
            self._fail(
                corrupt(
                    what,
                    url,
                    f"the entry for {name} is not a sha256",
                    "repodata_use_shards",
                ),
                Resource.SHARDS,
                url,
            )
            return None
        shard_at = index.shard_url(shards_at, digest)
        why = "the shard index's shards_base_url"
        got = self._get(
            shard_at, SHARD_BYTES, Resource.SHARDS, f"the shard of {name}", why
        )
        if got is None:
            return None
        shard = self._decode(
            got, shard_at, f"the shard of {name}", SHARD_OUTPUT, CONDA_SHARD_CAP
        )
        if shard is None:
            return None
        return base, index.records_from_shard(shard)

    def _decode(
        self, got: bodies.Body, url: str, what: str, max_output: int, cap: int
    ) -> dict | None:
        """zstd then msgpack, bounded; index-corrupt (or a block page) when it fails.

        cap: what conda itself decodes at most; past max_output decoding goes on,
        discarding, up to cap, so that only what conda refuses is called corrupt.
        """
        decoded = bodies.unzstd(got.data, True, max_output, WINDOW_LOG, count_to=cap)
        ctype = got.headers.get("Content-Type", "")
        if decoded.state is bodies.Zstd.NOT_ZSTD and looks_like_html(
            ctype, got.data[:1]
        ):
            self._fail(
                mismatch(what, url, "not zstd", got.data, ctype), Resource.SHARDS, url
            )
            return None
        if decoded.state is bodies.Zstd.OVER_BOUND and decoded.size > cap:
            why = f"it expands beyond {cap:,} bytes, so conda refuses it (a zstd bomb?)"
            self._fail(
                corrupt(what, url, why, "repodata_use_shards"), Resource.SHARDS, url
            )
            return None
        if decoded.state in (
            bodies.Zstd.OVER_BOUND,
            bodies.Zstd.WINDOW,
            bodies.Zstd.NO_DECODER,
        ):
            self.out.notes.append(
                f"{what}: not decoded within {max_output:,} bytes ({decoded.state.value})"
            )
            return None
        if decoded.state is not bodies.Zstd.OK:
            why = {
                bodies.Zstd.TRUNCATED: f"the zstd frame ends early ({len(got.data):,} bytes)",
                bodies.Zstd.NOT_ZSTD: "it is not zstd",
            }.get(decoded.state, f"zstd rejects it ({decoded.error})")
            self._fail(
                corrupt(what, url, why, "repodata_use_shards"), Resource.SHARDS, url
            )
            return None
        unpacked = bodies.unpack(decoded.data)
        if not unpacked.ok or not isinstance(unpacked.value, dict):
            why = (
                f"not a msgpack map ({unpacked.error or type(unpacked.value).__name__})"
            )
            self._fail(
                corrupt(what, url, why, "repodata_use_shards"), Resource.SHARDS, url
            )
            return None
        return unpacked.value

    # -- one package -------------------------------------------------------------------

    def _package(self, ref: index.PackageRef, range_probe: bool) -> None:
        """The whole file under the bound (size and sha256 checked), else its head and tail."""
        what = f"the package {ref.filename}"
        why = (
            "the index's base_url"
            if not ref.url.startswith(self.target.url)
            else "the channel"
        )
        bound = self.options.package_bytes
        if ref.size is None or ref.size > bound:
            self._package_ends(ref, what, why)
            return
        got = self._get(ref.url, bound, Resource.PACKAGE, what, why)
        if got is None:
            return
        ctype = got.headers.get("Content-Type", "")
        reason = _differs(ref, got)
        if reason:
            self._fail(
                mismatch(what, got.final_url or ref.url, reason, got.data, ctype),
                Resource.PACKAGE,
                ref.url,
            )
            return
        self.out.notes.append(f"{what}: {got.received:,} bytes, size and sha256 match")
        if range_probe and ref.size:
            self._resume(ref, got.data)

    def _package_ends(self, ref: index.PackageRef, what: str, why: str) -> None:
        """A large package: its first and last bytes with Range, as conda resumes."""
        head = self._get(
            ref.url,
            RANGE_BYTES,
            Resource.PACKAGE,
            what,
            why,
            {"Range": f"bytes=0-{RANGE_BYTES - 1}"},
        )
        if head is None:
            return
        ctype = head.headers.get("Content-Type", "")
        magic = MAGIC[".conda" if ref.filename.endswith(".conda") else ".tar.bz2"]
        if not head.data.startswith(magic):
            self._fail(
                mismatch(
                    what,
                    ref.url,
                    "its first bytes are not a package's",
                    head.data,
                    ctype,
                ),
                Resource.PACKAGE,
                ref.url,
            )
            return
        if head.status != 206:
            self.out.warnings.append(range_ignored(head.final_url or ref.url))
            return
        self.out.notes.append(
            f"{what}: first {len(head.data):,} bytes look right (Range)"
        )

    def _resume(self, ref: index.PackageRef, data: bytes) -> None:
        """conda resumes a .partial file with Range: bytes=N-; is it honoured?"""
        start = max(0, len(data) - RANGE_BYTES)
        url = ref.url
        try:
            route = self.route_for(url)
        except Exception:
            return
        left = self.end - time.monotonic()
        if left <= 0.2:
            return
        got = bodies.fetch(
            route.session,
            url,
            min(self.options.connect_timeout, left),
            min(self.options.read_timeout, left),
            RANGE_BYTES + 1,
            {"Range": f"bytes={start}-"},
        )
        if got.status == 206 and got.data == data[start:]:
            self.out.notes.append(f"the package {ref.filename}: Range requests work")
        elif got.status == 200:
            self.out.warnings.append(range_ignored(got.final_url or url))
        else:
            self.out.notes.append(
                f"the package {ref.filename}: Range request answered {got.status}"
            )


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


def _whole(answer: HttpResult | None) -> bodies.Body | None:
    """The index answer as a Body when its head is the whole, unencoded body."""
    if answer is None or answer.error is not None or answer.status != 200:
        return None
    length = answer.headers.get("Content-Length")
    encoded = answer.headers.get("Content-Encoding", "identity") != "identity"
    if encoded or answer.redirects or length != str(len(answer.head)):
        return None
    return bodies.Body(
        answer.url,
        bodies.Ending.COMPLETE,
        final_url=answer.final_url,
        status=answer.status,
        reason=answer.reason,
        headers=answer.headers,
        data=answer.head,
        received=len(answer.head),
        announced=len(answer.head),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def index_cut(
    route: Route, options: Options, url: str, filename: str
) -> Problem | None:
    """The index answered 2xx but its body broke off: measure it (download-incomplete)."""
    got = bodies.fetch(
        route.session, url, options.connect_timeout, options.read_timeout, INDEX_PREFIX
    )
    if got.answered and got.ending is bodies.Ending.CUT:
        return incomplete(filename, url, got.received, got.announced)
    return None


def failed_hop(error: BaseException, url: str) -> str | None:
    """The URL of the request that raised, when it is a redirect hop, not url itself."""
    request = getattr(error, "request", None)
    hop = getattr(request, "url", None)
    return hop if hop and hop != url else None


def name_hop(problem: Problem, error: BaseException, url: str, target: Target) -> str:
    """Name the redirect hop that failed in the problem; the URL that failed."""
    hop = failed_hop(error, url)
    if hop is None:
        return url
    hostport = _hostport(hop)
    problem.summary += f" (at {_shown(hop)}, a redirect from {_shown(url)})"
    if problem.code in (
        Code.CONNECTION_REFUSED,
        Code.CONNECT_TIMEOUT,
        Code.DNS_FAILURE,
    ):
        problem.fix = (
            f"{target.host} redirects conda to {hostport}, which fails: ask your network "
            f"team to allow {hostport}, or the administrators of {target.host} to fix "
            "the redirect"
        )
    return hop
