"""After the index answers: what conda fetches next (shards, packages), fetched as conda would.

`conda install` needs more than the index: a sharded index sends conda to its
shards (CEP-16), repodata v2 may move packages to another host (CEP-15,
info.base_url), and the packages themselves pass through proxies and filters
that let small JSON files by. Each request here is bounded in bytes and time,
goes through conda's session for its URL, and a failure names the request.

Here the index formats are followed; the packages they lead to are checked in
`packages`, and both ask through one `fetcher.Fetcher`. What went wrong with
one download is worded in `download_problems`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..model import Resource
from ..probes import body as bodies
from . import download_problems, packages, repodata
from .download_problems import INDEX_PREFIX
from .fetcher import Fetcher, Followed, together

if TYPE_CHECKING:
    from ..model import Options, RouteFactory, Target
    from ..probes.http import HttpResult

__all__ = ["Followed", "follow"]  # Followed is made by the fetcher, returned from here

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


# -- following the index --------------------------------------------------------


def follow(
    target: Target,
    route_for: RouteFactory,
    options: Options,
    filename: str,
    answered: HttpResult | None = None,
    until: float | None = None,
    claim_range: Callable[[str], bool] | None = None,
) -> Followed:
    """Fetch what conda fetches after the index `filename` of target answered.

    answered: the index's answer; when it holds the whole body (a small index),
    it is used instead of fetching the file again.
    claim_range: True the first time the run checks Range on a host:port.
    """
    fetcher = Fetcher(target, route_for, options, until, claim_range)
    if options.check_packages:
        _Walker(fetcher, _whole(answered)).run(filename)
    return fetcher.out


class _Walker:
    """The requests after one index, in conda's order, stopping at the first failure."""

    def __init__(self, fetcher: Fetcher, known: bodies.Body | None):
        self.fetcher = fetcher
        self.target = fetcher.target
        self.options = fetcher.options
        self.out = fetcher.out  # the fetcher's findings, added to here too
        self.known = known  # an index body already read whole

    def _with(self, fetcher: Fetcher) -> _Walker:
        """The same walk asking through another fetcher (a fork)."""
        return _Walker(fetcher, self.known)

    def _index(
        self, url: str, max_bytes: int, resource: Resource, what: str, **kw: bool
    ) -> bodies.Body | None:
        """The index body: the one already read when it is whole, else a GET."""
        if self.known is not None and self.known.url == url:
            return self.known
        return self.fetcher.get(
            url, max_bytes, resource, what, "the channel's index", **kw
        )

    def run(self, filename: str) -> None:
        """Follow the index `filename`: its formats, then the packages it lists."""
        index_url = f"{self.target.url.rstrip('/')}/{filename}"
        if filename == repodata.SHARDS_INDEX:
            self._sharded(index_url)
        else:
            found = self._json(index_url, filename)
            if found is not None and not self.out.problem:
                self._packages(*found)

    def _sharded(self, index_url: str) -> None:
        """The shard index; then its shard and packages, and the JSON index, at once.

        The JSON index beside the shards needs nothing the shards say: on a slow
        link it is asked for while the shard and the packages are. Its findings
        still come before the packages', as conda reads them.
        """
        shards = self._shards(index_url)
        if shards is None or self.out.problem:
            if not self.out.problem:
                self._json_beside_shards()
            return
        shard, beside, later = (self.fetcher.fork() for _ in range(3))
        found: list[tuple[str, dict]] = []

        def shard_then_packages() -> None:
            url, shards_at, names, base = shards
            records = self._with(shard)._shard(url, shards_at, names)
            if records is not None and shard.out.problem is None:
                found.append((base, records))
                self._with(later)._packages(base, records)

        together(
            [shard_then_packages, self._with(beside)._json_beside_shards],
            self.fetcher.end,
        )
        self.fetcher.absorb(shard, beside)
        if found and not self.out.problem:
            self.fetcher.absorb(later)

    def _packages(self, base: str, records: dict) -> None:
        """The smallest package of each format, fetched at once (see smallest_packages)."""
        refs = repodata.smallest_packages(records, base, self.options.tar_bz2_only)
        if not refs:
            self.out.notes.append("no package record in what was read: none fetched")
        packages.check_all(self.fetcher, refs, packages.resume_matters(records))

    # -- the index formats --------------------------------------------------------

    def _json_beside_shards(self) -> None:
        """conda 26's classic solver and older condas read repodata.json(.zst), not shards."""
        later = self.options.filenames[1:]
        for filename in (n for n in later if n in (repodata.JSON_ZST, repodata.JSON)):
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
        if filename == repodata.JSON_ZST:
            whole = got.ending is bodies.Ending.COMPLETE
            decoded = bodies.unzstd(data, whole, INDEX_OUTPUT, WINDOW_LOG)
            if decoded.state in (bodies.Zstd.TRUNCATED, bodies.Zstd.CORRUPT):
                why = (
                    f"the zstd frame ends early ({len(data):,} bytes, all the server "
                    "sent)"
                    if decoded.state is bodies.Zstd.TRUNCATED
                    else f"zstd rejects it ({decoded.error})"
                )
                _corrupt(
                    self.fetcher, filename, url, why, "repodata_use_zst", Resource.INDEX
                )
                return None
            if decoded.state not in (bodies.Zstd.OK, bodies.Zstd.PREFIX):
                self.out.notes.append(
                    f"{filename}: not decoded ({decoded.state.value})"
                )
                if decoded.state is not bodies.Zstd.OVER_BOUND:
                    return None
            data = decoded.data
        text = data.decode("utf-8", "replace")
        info = repodata.info_from_prefix(text) or {}
        base_url = info.get("base_url") if isinstance(info.get("base_url"), str) else ""
        base = repodata.packages_base_from_json(self.target.url, base_url)
        if base_url:
            self.out.notes.append(
                f"packages are at {download_problems.shown(base)} (info.base_url)"
            )
        return base, repodata.records_from_prefix(text)

    def _shards(self, url: str) -> tuple[str, str, dict, str] | None:
        """The shard index, CEP-16 as conda 26 reads it: (url, shards_at, names, base)."""
        what = "the shard index"
        got = self._index(url, SHARD_INDEX_BYTES, Resource.SHARDS, what)
        if got is None:
            return None
        if got.ending is bodies.Ending.BOUNDED:
            self.out.notes.append(f"{what}: over {SHARD_INDEX_BYTES:,} bytes, not read")
            return None
        shards_index = _decode(
            self.fetcher, got, url, what, SHARD_INDEX_OUTPUT, CONDA_SHARD_INDEX_CAP
        )
        if shards_index is None:
            return None
        info, names = shards_index.get("info"), shards_index.get("shards")
        if not isinstance(info, dict) or not isinstance(names, dict):
            _corrupt(
                self.fetcher, what, url, "no info or shards map", "repodata_use_shards"
            )
            return None
        if not names:
            self.out.notes.append(f"{what}: lists no packages")
            return None
        shards_at = repodata.shards_base_url(url, _text(info.get("shards_base_url")))
        base = repodata.packages_base_from_shards(url, _text(info.get("base_url")))
        self.out.notes.append(
            f"{what}: {len(names)} names; shards at {download_problems.shown(shards_at)}, "
            f"packages at {download_problems.shown(base)}"
        )
        return url, shards_at, names, base

    def _shard(self, url: str, shards_at: str, names: dict) -> dict | None:
        """The records in the shard of the first name the shard index at url lists."""
        name = min(names)
        digest = names[name]
        if not isinstance(digest, (bytes, bytearray)):
            why = f"the entry for {name} is not a sha256"
            _corrupt(self.fetcher, "the shard index", url, why, "repodata_use_shards")
            return None
        shard_at = repodata.shard_url(shards_at, digest)
        what = f"the shard of {name}"
        why = "the shard index's shards_base_url"
        got = self.fetcher.get(shard_at, SHARD_BYTES, Resource.SHARDS, what, why)
        if got is None:
            return None
        shard = _decode(
            self.fetcher, got, shard_at, what, SHARD_OUTPUT, CONDA_SHARD_CAP
        )
        if shard is None:
            return None
        return repodata.records_from_shard(shard)


def _decode(
    fetcher: Fetcher, got: bodies.Body, url: str, what: str, max_output: int, cap: int
) -> dict | None:
    """zstd then msgpack, bounded; index-corrupt (or a block page) when it fails.

    cap: what conda itself decodes at most; past max_output decoding goes on,
    discarding, up to cap, so that only what conda refuses is called corrupt.
    """
    commands = fetcher.options.commands
    decoded = bodies.unzstd(got.data, True, max_output, WINDOW_LOG, count_to=cap)
    problem = download_problems.undecodable(decoded, got, url, what, cap, commands)
    if problem is not None:
        fetcher.fail(problem, Resource.SHARDS, url)
        return None
    if decoded.state is not bodies.Zstd.OK:
        fetcher.out.notes.append(
            f"{what}: not decoded within {max_output:,} bytes ({decoded.state.value})"
        )
        return None
    unpacked = bodies.unpack(decoded.data)
    if unpacked.no_decoder:
        fetcher.out.notes.append(f"{what}: not decoded (msgpack is not importable)")
        return None
    if not unpacked.ok or not isinstance(unpacked.value, dict):
        why = f"not a msgpack map ({unpacked.error or type(unpacked.value).__name__})"
        _corrupt(fetcher, what, url, why, "repodata_use_shards")
        return None
    return unpacked.value


def _corrupt(
    fetcher: Fetcher,
    what: str,
    url: str,
    why: str,
    setting: str,
    resource: Resource = Resource.SHARDS,
) -> None:
    """End the walk: the index `what` at url is corrupt (why); setting avoids it."""
    commands = fetcher.options.commands
    fetcher.fail(
        download_problems.corrupt(what, url, why, setting, commands), resource, url
    )


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
        decoded=len(answer.head),
        announced=len(answer.head),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
