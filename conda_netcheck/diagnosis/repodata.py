"""What conda fetches after a channel's index: shards, base_url and package URLs.

The URL rules follow the installed conda (conda/_private/shards/ in 26.x and
conda/core/subdir_data.py since CEP-15); no sockets here, only what the index
bytes say and where conda would go next.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlparse, urlunparse, uses_relative

SHARDS_INDEX = "repodata_shards.msgpack.zst"
JSON_ZST = "repodata.json.zst"
JSON = "repodata.json"

PACKAGE_SUFFIXES = (".conda", ".tar.bz2")


@dataclass(frozen=True)
class PackageRef:
    """One package file the index lists, with what the index says about it."""

    filename: str
    url: str
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    #: whether conda itself downloads this file with the run's settings (a
    #: .tar.bz2 with a .conda twin is not, unless use_only_tar_bz2)
    conda_fetches: bool = True


def safe_urljoin_with_slash(base_url: str, relative_url: str = "") -> str:
    """conda's _safe_urljoin_with_slash: join, keep non-HTTP schemes, end with '/'."""
    parsed = urlparse(base_url)
    relative = urlparse(relative_url)
    if relative.scheme:
        result = relative_url
    elif parsed.scheme in uses_relative or not parsed.scheme:
        result = urljoin(urljoin(base_url, relative_url), ".")
    else:
        # urljoin drops the host of unknown schemes (s3://): join as https, swap back.
        https = urlunparse(parsed._replace(scheme="https"))
        joined = urljoin(urljoin(https, relative_url), ".")
        result = urlunparse(urlparse(joined)._replace(scheme=parsed.scheme))
    return result if result.endswith("/") else result + "/"


def shards_base_url(index_url: str, value: str | None) -> str:
    """Where conda fetches shards: info.shards_base_url against the shard index URL."""
    value = value or ""
    if value and not value.endswith("/"):
        value += "/"
    return safe_urljoin_with_slash(index_url, value)


def shard_url(base: str, digest: bytes) -> str:
    """CEP-16: <shards_base_url><sha256 hex>.msgpack.zst."""
    return f"{base}{bytes(digest).hex()}.msgpack.zst"


def packages_base_from_shards(index_url: str, base_url: str | None) -> str:
    """Where packages of a sharded channel are: info.base_url against the index URL."""
    return safe_urljoin_with_slash(index_url, base_url or "")


def packages_base_from_json(subdir_url: str, base_url: str | None) -> str:
    """Where packages of repodata.json are: info.base_url as is (CEP-15), else the subdir."""
    if base_url:
        # conda takes an absolute base_url as it is; a relative one against the subdir.
        return safe_urljoin_with_slash(subdir_url.rstrip("/") + "/", base_url)
    return subdir_url.rstrip("/") + "/"


# -- reading a bounded prefix of repodata.json ------------------------------

# name-version-build.ext: "packages.conda" (a key of repodata.json) is not a file.
_RECORD = re.compile(r'"([^"\\/]+-[^"\\/-]+-[^"\\/-]+(?:\.conda|\.tar\.bz2))"\s*:\s*\{')
_INFO = re.compile(r'"info"\s*:\s*\{')
_MAX_RECORDS = 20000


def info_from_prefix(text: str) -> dict[str, Any] | None:
    """The "info" object of repodata.json when the prefix holds it whole."""
    match = _INFO.search(text)
    if not match:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text, match.end() - 1)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def records_from_prefix(text: str) -> dict[str, dict[str, Any]]:
    """Every package record the prefix holds whole (a record cut by the bound is skipped)."""
    decoder = json.JSONDecoder()
    found: dict[str, dict[str, Any]] = {}
    for match in _RECORD.finditer(text):
        if len(found) >= _MAX_RECORDS:
            break
        try:
            value, _ = decoder.raw_decode(text, match.end() - 1)
        except ValueError:
            continue
        if isinstance(value, dict):
            found[match.group(1)] = value
    return found


def records_from_shard(shard: Any) -> dict[str, dict[str, Any]]:
    """The records of a decoded shard (sha256 and md5 are bytes in shards)."""
    if not isinstance(shard, dict):
        return {}
    found: dict[str, dict[str, Any]] = {}
    for group in ("packages", "packages.conda"):
        records = shard.get(group)
        if isinstance(records, dict):
            found.update(
                {str(k): dict(v) for k, v in records.items() if isinstance(v, dict)}
            )
    return found


def smallest_packages(
    records: dict[str, dict[str, Any]], base: str, tar_bz2_only: bool = False
) -> list[PackageRef]:
    """The smallest .conda and the smallest .tar.bz2 listed, where conda would fetch them.

    conda downloads one file per package: the .conda when there is one, the
    .tar.bz2 otherwise; with use_only_tar_bz2 (tar_bz2_only) it ignores the
    .conda files altogether, so none is chosen. A .tar.bz2 conda downloads
    is preferred to a smaller one it does not.
    """
    chosen: list[PackageRef] = []
    for suffix in PACKAGE_SUFFIXES:
        if tar_bz2_only and suffix == ".conda":
            continue
        candidates = [
            (not fetched, size is None, size or 0, name)
            for name, rec in records.items()
            if name.endswith(suffix)
            for size in [_int(rec.get("size"))]
            for fetched in [tar_bz2_only or not _has_conda_twin(name, records)]
        ]
        if not candidates:
            continue
        not_fetched, _, _, name = min(candidates)
        rec = records[name]
        chosen.append(
            PackageRef(
                name,
                base + name,
                _int(rec.get("size")),
                _hex(rec.get("sha256")),
                _hex(rec.get("md5")),
                conda_fetches=not not_fetched,
            )
        )
    return chosen


def _has_conda_twin(name: str, records: dict[str, dict[str, Any]]) -> bool:
    """A .tar.bz2 whose package is also listed as .conda (conda fetches that one)."""
    stem = name.removesuffix(".tar.bz2")
    return name.endswith(".tar.bz2") and f"{stem}.conda" in records


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None


def _hex(value: Any) -> str | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]+", value):
        return value.lower()
    return None
