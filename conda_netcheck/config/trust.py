"""Trust configuration without the network: which CAs conda uses, and whether their files work.

What requests 2.34 does with conda's settings (read in `Session.merge_environment_settings`,
`HTTPAdapter.cert_verify` and urllib3's `ssl_wrap_socket`):

- conda never passes ``verify=`` per request, so the request-level value is None and
  requests replaces it with ``REQUESTS_CA_BUNDLE``, else ``CURL_CA_BUNDLE`` (empty values
  are skipped). That value then beats the session's ``verify`` whatever it is: a path,
  True, and even False (``ssl_verify: false`` is turned back on).
- ``verify=True`` means certifi's bundle; ``SSL_CERT_FILE``/``SSL_CERT_DIR`` are not read.
- With ``ssl_verify: truststore`` conda mounts a truststore context and keeps
  ``verify=True``: requests still loads certifi (or the variable's bundle) into that
  context, and truststore trusts those in addition to the system's store. On Linux the
  system's store is OpenSSL's default paths, which SSL_CERT_FILE and SSL_CERT_DIR replace.
"""

from __future__ import annotations

import glob
import importlib
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from ..certparse import load_der, load_pem
from ..model import Code, Finding, Status
from ..safefiles import (
    MAX_BUNDLE_BYTES,
    MAX_SMALL_FILE_BYTES,
    UnsafePath,
    path_problem,
    read_bytes,
)
from .commands import (
    Commands,
    Shell,
    concatenate,
    for_config,
    set_variable,
    unset_variable,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..fixtext import Fix, FixLines
    from .netconfig import NetConfig

#: The variables requests reads for its CA bundle, in its order.
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
#: Fewer certificates than this, none of them public, is a corporate-only bundle.
FEW_CERTIFICATES = 5
COMBINED_BUNDLE = "~/conda-ca-bundle.pem"
#: The bundle a fix builds when conda already uses COMBINED_BUNDLE.
COMBINED_BUNDLE_NEXT = "~/conda-ca-bundle-new.pem"
TRUSTSTORE = "truststore (the operating system's store)"

_CERT_BLOCK_RE = re.compile(
    rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL
)
# OpenSSL reads a CA directory only through <subject hash>.<n> names (c_rehash).
_HASHED_NAME_RE = re.compile(r"^[0-9a-fA-F]{8}\.r?[0-9]+$")
# macOS and Windows verify through the OS; only OpenSSL reads SSL_CERT_FILE/DIR.
OPENSSL_STORE = sys.platform not in ("darwin", "win32")

ImportFunction = Callable[[str], Any]


# --- which trust conda uses ---------------------------------------------------


def ca_variable(cfg: NetConfig) -> str | None:
    """The CA variable requests applies (REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE), if any."""
    return next((n for n in CA_VARIABLES if cfg.env.get(n)), None)


def effective_trust(cfg: NetConfig) -> tuple[str, str]:
    """The CAs conda verifies servers against, and why, in one line each."""
    name = ca_variable(cfg)
    verify = cfg.ssl_verify
    setting = f"ssl_verify: {_yaml(verify)}{_set_in(cfg, 'ssl_verify', ' set in {}')}"
    if not cfg.conda:
        if name:
            return cfg.env[name], f"{name} is set (conda's configuration was not read)"
        if cfg.env.get("SSL_CERT_FILE"):
            return cfg.env["SSL_CERT_FILE"], (
                "SSL_CERT_FILE, which this check honours without conda (conda's "
                "configuration was not read; conda itself ignores it)"
            )
        return (
            "certifi's public roots",
            "requests' default (conda's configuration was not read)",
        )
    if name:
        path = cfg.env[name]
        if verify == "truststore":
            return f"{TRUSTSTORE} plus {path}", (
                f"{setting}; requests adds {name} in place of certifi's roots"
            )
        if verify is False:
            return path, f"{name} turns verification back on: it overrides {setting}"
        if verify is True:
            return path, f"{name} replaces conda's default (certifi's public roots)"
        if verify == path:
            return path, f"ssl_verify and {name} agree"
        return path, f"{name} overrides {setting}"
    if verify is False:
        return "nothing: certificates are not verified", setting
    if verify == "truststore":
        why = setting
        if OPENSSL_STORE:
            replaced = [
                f"{n}={cfg.env[n]}"
                for n in ("SSL_CERT_FILE", "SSL_CERT_DIR")
                if cfg.env.get(n)
            ]
            if replaced:
                verb = "replaces" if len(replaced) == 1 else "replace"
                why += f"; {', '.join(replaced)} {verb} OpenSSL's default locations"
        return f"{TRUSTSTORE} plus certifi's roots", why
    if verify is True:
        return (
            "certifi's public roots",
            "conda's default" if "ssl_verify" not in cfg.sources else setting,
        )
    return str(verify), setting


# --- which files truststore reads where OpenSSL is the store (Linux) -------------

#: truststore's fallbacks when OpenSSL's default locations hold nothing, in its order.
_TRUSTSTORE_CANDIDATES = (
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/ca-bundle.pem",
)
_HASHED_NAME = re.compile(r"^[0-9a-fA-F]{8}\.[0-9]$")


@dataclass(frozen=True)
class TruststoreFiles:
    """The CA file and directory truststore's OpenSSL reads, each with its origin."""

    cafile: str | None
    capath: str | None
    cafile_from: str = ""  # "SSL_CERT_FILE", "this Python's OpenSSL default", ...
    capath_from: str = ""

    def text(self) -> str:
        """'/path/cacert.pem and /path/certs (origin)' for a fix; each origin once."""
        pairs = [
            (path, origin)
            for path, origin in (
                (self.cafile, self.cafile_from),
                (self.capath, self.capath_from),
            )
            if path
        ]
        if len(pairs) == 2 and pairs[0][1] == pairs[1][1]:
            return f"{pairs[0][0]} and {pairs[1][0]} ({pairs[0][1]})"
        return " and ".join(f"{p} ({o})" for p, o in pairs) or "no CA file at all"


_OPENSSL_DEFAULT = "this Python's OpenSSL default"


def truststore_files(environ: Mapping[str, str] | None = None) -> TruststoreFiles:
    """What truststore loads on Linux in this Python, as truststore decides it.

    OpenSSL's default paths (SSL_CERT_FILE / SSL_CERT_DIR, else where this
    Python's OpenSSL was built to look: a conda environment's own ssl/
    directory, not /etc/ssl) when they hold certificates; else the first
    system bundle found.
    """
    import ssl  # here: this module also reports a Python whose ssl cannot load

    env = os.environ if environ is None else environ
    defaults = ssl.get_default_verify_paths()
    capath = defaults.capath
    if capath and not (
        os.path.isdir(capath) and any(_HASHED_NAME.match(n) for n in os.listdir(capath))
    ):
        capath = None
    if defaults.cafile or capath:

        def origin(variable: str, value: str | None) -> str:
            return (
                variable if value and env.get(variable) == value else _OPENSSL_DEFAULT
            )

        return TruststoreFiles(
            defaults.cafile,
            capath,
            origin("SSL_CERT_FILE", defaults.cafile),
            origin("SSL_CERT_DIR", capath),
        )
    for candidate in _TRUSTSTORE_CANDIDATES:
        if os.path.isfile(candidate):
            why = "the first system bundle found: OpenSSL's default has none"
            return TruststoreFiles(candidate, None, why)
    return TruststoreFiles(None, None)


def _set_in(cfg: NetConfig, key: str, form: str = " (set in {})") -> str:
    """Where a key is set, for a summary; nothing when the source is unknown."""
    return form.format(cfg.sources[key]) if key in cfg.sources else ""


def _yaml(value: bool | str) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- is Python's TLS usable ------------------------------------------------------


def _ssl_diagnosis(
    import_module: ImportFunction, platform: str
) -> tuple[bool, str, str]:
    try:
        ssl = import_module("ssl")
    except ImportError as exc:
        message = f"import ssl failed ({exc})"
        if platform == "win32" or "DLL" in str(exc):
            return (
                False,
                message,
                (
                    "run conda from an activated environment / Anaconda Prompt; "
                    "the OpenSSL DLLs in Library\\bin are not on PATH"
                ),
            )
        return (
            False,
            message,
            (
                "Python cannot load its OpenSSL libraries; check that this environment "
                "has them: conda list openssl"
            ),
        )
    return True, str(getattr(ssl, "OPENSSL_VERSION", "ssl")), ""


def truststore_problem(
    import_module: ImportFunction = importlib.import_module,
    version: tuple[int, ...] = tuple(sys.version_info),
) -> str | None:
    """Why `ssl_verify: truststore` cannot work on this Python, or None."""
    if version[:2] < (3, 10):
        return f"this Python is {version[0]}.{version[1]} and truststore needs 3.10 or later"
    try:
        import_module("truststore")
    except ImportError as exc:
        return f"the truststore package cannot be imported ({exc})"
    return None


# --- what a CA path holds ------------------------------------------------------


@dataclass
class CaPath:
    """What a CA file or directory holds, as far as conda's TLS is concerned."""

    path: str
    problem: str | None = None  # why it cannot be used; phrased to follow "which"
    fix: str | None = None  # a command for this particular problem
    pem: str | None = None  # where that command writes a PEM copy
    count: int = 0
    expired: list[str] = field(default_factory=list)  # "CN (expired 2024-01-31)"
    names: list[str] = field(default_factory=list)  # the certificates' CNs
    public: bool = True  # holds at least one of certifi's roots (True when unknown)


def bundle_problem(path: str) -> str | None:
    """Why a CA path is unusable, or None when it holds loadable certificates."""
    return inspect_ca_path(path).problem


def inspect_ca_path(path: str, kind: str = "any") -> CaPath:
    """Check a CA path: exists, is a `kind` ("file", "dir", "any"), readable, loadable PEM."""
    result = CaPath(path)
    problem = path_problem(path, MAX_BUNDLE_BYTES, directory_ok=True)
    if problem:
        result.problem = problem
        return result
    if os.path.isdir(path):
        if kind == "file":
            result.problem = "is a directory, not a file"
            return result
        return _inspect_directory(result)
    if kind == "dir":
        result.problem = "is a file, not a directory"
        return result
    data = _read(result)
    if data is None:
        return result
    blocks = _CERT_BLOCK_RE.findall(data)
    if not blocks:
        if not data.strip():
            result.problem = "is empty: it holds no PEM certificate"
        elif _is_der_certificate(data):
            result.problem = "holds a DER (binary) certificate, not PEM"
            result.pem = _pem_name(path)
            result.fix = (
                f"openssl x509 -inform der -in {_q(path)} -out {_q(result.pem)}"
            )
        else:
            result.problem = "holds no PEM certificate"
        return result
    problem = _openssl_load_problem(path)
    if problem:
        result.problem = problem
        return result
    _describe_certificates(result, blocks)
    return result


def _read(result: CaPath) -> bytes | None:
    try:
        return read_bytes(result.path, MAX_BUNDLE_BYTES)
    except UnsafePath as exc:
        result.problem = exc.what
        return None


def _inspect_directory(result: CaPath) -> CaPath:
    try:
        names = sorted(n for n in os.listdir(result.path) if _HASHED_NAME_RE.match(n))
    except OSError as exc:
        result.problem = f"cannot be read ({exc.strerror})"
        return result
    if not names:
        result.problem = "holds no certificate under OpenSSL's hashed names (<hash>.0)"
        result.fix = f"openssl rehash {_q(result.path)}"
        return result
    blocks: list[bytes] = []
    for name in names[:2000]:
        try:
            data = read_bytes(os.path.join(result.path, name), MAX_SMALL_FILE_BYTES)
        except UnsafePath:
            continue
        blocks += _CERT_BLOCK_RE.findall(data)
    _describe_certificates(result, blocks)
    result.count = max(result.count, len(names))
    return result


def _openssl_load_problem(path: str) -> str | None:
    try:
        import ssl
    except ImportError:  # reported once by ssl_findings
        return None
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, ValueError) as exc:
        return f"cannot be loaded ({exc})"
    return None


def _describe_certificates(result: CaPath, blocks: list[bytes]) -> None:
    result.count = len(blocks)
    certificates = _load_certificates(blocks)
    if certificates is None:  # cryptography missing: no details
        return
    now = datetime.now(timezone.utc)
    for cert in certificates:
        result.names.append(common_name(cert))
        if _not_after(cert) < now:
            result.expired.append(
                f"{common_name(cert)} (expired {_not_after(cert):%Y-%m-%d})"
            )
    public = _certifi_subjects()
    if public is not None and certificates:
        result.public = any(cert.subject in public for cert in certificates)


def _load_certificates(blocks: list[bytes]) -> list[Any] | None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return None
    certificates = []
    # Old roots (in certifi too) have serial numbers RFC 5280 now forbids:
    # load_pem keeps cryptography quiet about them.
    for block in blocks:
        try:
            certificates.append(load_pem(block))
        except ValueError:  # OpenSSL accepted the file: skip what cryptography can't
            continue
    return certificates


@lru_cache(maxsize=1)
def _certifi_subjects() -> frozenset[Any] | None:
    try:
        import certifi

        with open(certifi.where(), "rb") as handle:
            certificates = _load_certificates(_CERT_BLOCK_RE.findall(handle.read()))
    except (ImportError, OSError):
        return None
    return None if certificates is None else frozenset(c.subject for c in certificates)


def common_name(cert: Any) -> str:
    """The subject's CN, else the whole subject."""
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _not_after(cert: Any) -> datetime:
    return getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(
        tzinfo=timezone.utc
    )


def _not_before(cert: Any) -> datetime:
    return getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before.replace(
        tzinfo=timezone.utc
    )


def _is_der_certificate(data: bytes) -> bool:
    try:
        load_der(data)
    except (ImportError, ValueError):
        return False
    return True


def _pem_name(path: str) -> str:
    return (
        os.path.splitext(path)[0] + ".pem"
        if not path.endswith(".pem")
        else path + ".converted.pem"
    )


def _q(path: str) -> str:
    # ~ stays unquoted so that the shell expands it.
    return (
        path
        if path.startswith("~/") and shlex.quote(path[2:]) == path[2:]
        else shlex.quote(path)
    )


# --- commands ------------------------------------------------------------------


def _set_command(cfg: NetConfig, key: str, value: str) -> str:
    """The command that sets a conda key where it is set now."""
    return for_config(cfg).set(key, value)


def _conda_set(cfg: NetConfig, key: str, value: str) -> str:
    """`conda config [--file FILE] --set`, even where a variable overrides the key."""
    return Commands(dict(cfg.sources), cfg.conda).set(key, value)


def _remove_command(cfg: NetConfig, key: str) -> str:
    """The command that removes a conda key where it is set."""
    return for_config(cfg).remove(key)


# --- findings ------------------------------------------------------------------


@dataclass
class _Slot:
    """One place a CA path comes from: a conda key or an environment variable."""

    check: str
    label: str  # how the summary names it
    kind: str  # "file", "dir" or "any"
    consequence: str  # appended to a problem's summary
    fix: str  # what to do when the path is unusable
    point_at: Callable[[str], str]  # the command that makes it point at a path
    unset: str = ""  # the command that removes it, when it is a variable
    #: for a variable: the conda command that sets ssl_verify to a path instead
    conda_verify: Callable[[str], str] | None = None
    #: ssl_verify itself: an unusable path is replaced by what the network
    #: shows to verify every channel (diagnosis/findings.py)
    replaces_verify: bool = False


def ssl_findings(
    import_module: ImportFunction = importlib.import_module,
    platform: str = sys.platform,
) -> list[Finding]:
    """A Python whose ssl module does not import cannot make any HTTPS request."""
    ok, text, hint = _ssl_diagnosis(import_module, platform)
    if ok:
        return []
    return [
        Finding(
            "ssl", Code.TLS_ERROR, f"{text}: conda cannot make any HTTPS request", hint
        )
    ]


def ca_bundles(cfg: NetConfig) -> list[Finding]:
    """ssl_verify, the CA variables and (with truststore) SSL_CERT_FILE/DIR must be usable."""
    findings = ssl_findings()
    name = ca_variable(cfg)
    verify = cfg.ssl_verify
    set_in = _set_in(cfg, "ssl_verify")
    if verify is False and not name:
        findings.append(
            Finding(
                "ssl_verify",
                Code.SSL_VERIFY_DISABLED,
                f"ssl_verify is false{set_in}: conda accepts any certificate, "
                "so anyone on the network can serve you packages",
                f"{_set_command(cfg, 'ssl_verify', 'truststore')} (uses your operating "
                "system's certificates, including your organisation's)",
                replaces_verify=True,
            )
        )
    elif verify == "truststore":
        problem = truststore_problem()
        if problem:
            bundle = _set_command(cfg, "ssl_verify", "/path/to/ca-bundle.pem")
            findings.append(
                Finding(
                    "ssl_verify",
                    Code.CA_BUNDLE_INVALID,
                    f"ssl_verify: truststore{set_in} cannot work: {problem}",
                    f"use a CA bundle instead: {bundle}"
                    if "needs 3.10" in problem
                    else f"conda install truststore, or use a CA bundle instead: {bundle}",
                )
            )
    elif isinstance(verify, str):
        slot = _Slot(
            "ssl_verify",
            f"ssl_verify{set_in}",
            "any",
            "",
            f"{_set_command(cfg, 'ssl_verify', 'truststore')}, or point it at your "
            f"organisation's CA bundle: {_set_command(cfg, 'ssl_verify', '/path/to/ca-bundle.pem')}",
            lambda path: _set_command(cfg, "ssl_verify", path),
            replaces_verify=True,
        )
        findings += _path_findings(slot, verify, replaces_public=not name)
    if name:
        findings += _variable_findings(cfg, name)
    if verify == "truststore" and OPENSSL_STORE:
        for variable, kind in (("SSL_CERT_FILE", "file"), ("SSL_CERT_DIR", "dir")):
            if cfg.env.get(variable):
                findings += _openssl_variable_findings(cfg, variable, kind)
    return findings


def _variable_findings(cfg: NetConfig, name: str) -> list[Finding]:
    path = cfg.env[name]
    verify = cfg.ssl_verify
    truststore = verify == "truststore"
    slot = _Slot(
        name,
        name,
        "any",
        "; with ssl_verify: truststore requests loads it next to the system's store"
        if truststore
        else "; requests lets it override conda's ssl_verify",
        f"{unset_variable(name)} (or {set_variable(name, '/path/to/ca-bundle.pem')})",
        lambda new: set_variable(name, new),
        unset=unset_variable(name),
        conda_verify=lambda path: _conda_set(cfg, "ssl_verify", path),
    )
    findings = _path_findings(slot, path, replaces_public=not truststore)
    if any(f.status is Status.ERROR for f in findings) or not cfg.conda:
        return findings
    if verify is False:
        findings.append(
            Finding(
                name,
                Code.CA_BUNDLE_OVERRIDE,
                f"ssl_verify is false{_set_in(cfg, 'ssl_verify')} but {name}={path} "
                f"turns verification back on: requests lets the variable win, so conda "
                f"verifies against {path}",
                f"{_remove_command(cfg, 'ssl_verify')} (it has no effect while {name} is set)",
            )
        )
    elif isinstance(verify, str) and not truststore and verify != path:
        # Unsetting the variable is the fix: then its file no longer matters,
        # and a fix that builds a bundle from it would contradict this one.
        findings = [f for f in findings if not f.public_hosts]
        # A line the proof can try: without the variable, does ssl_verify's
        # bundle verify every channel?
        fix, lines = drop_override(
            name, otherwise=f"drop ssl_verify if {path} is the bundle you want"
        )
        findings.append(
            Finding(
                name,
                Code.CA_BUNDLE_OVERRIDE,
                f"{name}={path} overrides ssl_verify: {verify}"
                f"{_set_in(cfg, 'ssl_verify')}: conda verifies against {path}",
                fix,
                commands=lines,
            )
        )
    return findings


def drop_override(
    name: str, shell: Shell | None = None, otherwise: str = ""
) -> tuple[Fix, FixLines]:
    """The fix, and its line, that drops a CA-bundle variable overriding ssl_verify.

    The configuration's warning and each channel the variable hides from
    ssl_verify's bundle print it alike.
    """
    from ..fixtext import Fix, FixLines

    line = unset_variable(name, shell)
    sentence = f"drop {name} from your environment, so that ssl_verify applies"
    return Fix(sentence, (line,), otherwise=otherwise), FixLines((line,))


def _openssl_variable_findings(cfg: NetConfig, name: str, kind: str) -> list[Finding]:
    what = "CA file" if kind == "file" else "CA directory"
    slot = _Slot(
        name,
        name,
        kind,
        f"; with ssl_verify: truststore it replaces the system's {what}",
        unset_variable(name),
        lambda new: set_variable(name, new),
        unset=unset_variable(name),
        conda_verify=lambda path: _conda_set(cfg, "ssl_verify", path),
    )
    findings: list[Finding] = []
    # OpenSSL takes a list of directories, separated like PATH.
    paths = cfg.env[name].split(os.pathsep) if kind == "dir" else [cfg.env[name]]
    for path in filter(None, paths):
        findings += _path_findings(slot, path, replaces_public=False)
    return findings


def _path_findings(slot: _Slot, path: str, *, replaces_public: bool) -> list[Finding]:
    info = inspect_ca_path(path, slot.kind)
    where = f"{slot.label} points at {path}"
    if info.problem:
        fix = slot.fix
        if info.fix and info.pem:
            fix = f"{info.fix} && {slot.point_at(_q(info.pem))}"
        elif info.fix:
            fix = info.fix
        return [
            Finding(
                slot.check,
                Code.CA_BUNDLE_INVALID,
                f"{where}, which {info.problem}{slot.consequence}",
                fix,
                # A file to convert or a directory to rehash keeps its own fix.
                replaces_verify=slot.replaces_verify and info.fix is None,
            )
        ]
    findings: list[Finding] = []
    if info.expired:
        everything = len(info.expired) >= info.count
        findings.append(
            Finding(
                slot.check,
                Code.CA_BUNDLE_INVALID,
                f"{where}, which holds {_certificates(info.count)}, "
                f"{'all' if everything else len(info.expired)} expired: "
                f"{', '.join(info.expired[:3])}{' ...' if len(info.expired) > 3 else ''}",
                f"replace the expired certificate(s) in {path} with the renewed ones "
                "from whoever issued them (your IT department for a corporate root)",
                # A few expired roots beside valid ones (Debian's bundle) are
                # harmless unless a channel chains to one: a note until then.
                status=Status.ERROR if everything else Status.OK,
                expired_in=None if everything else path,
            )
        )
    if replaces_public and not info.public and info.count < FEW_CERTIFICATES:
        from ..fixtext import FixLines

        target = combined_path(path)
        if os.path.isdir(path):
            lines = [_directory_bundle(path, target)]
        else:
            lines = [concatenate([certifi_raw_path(), path], target, Shell.POSIX)]
        if slot.check == "ssl_verify":
            lines.append(slot.point_at(target))
        elif slot.conda_verify is not None:
            # ssl_verify where it is set now (--file), then drop the variable.
            lines += [slot.conda_verify(target), slot.unset]
        fix = " && ".join(lines)
        roots = ", ".join(info.names[:3])
        findings.append(
            Finding(
                slot.check,
                Code.CA_BUNDLE_INVALID,
                f"{where}, which holds only {info.count} corporate root(s)"
                f"{f' ({roots})' if roots else ''}: every public host (conda-forge's "
                "CDN, anaconda.org) will fail to verify; build a combined bundle",
                fix,
                status=Status.WARNING,
                public_hosts=True,
                commands=FixLines(tuple(lines)),
            )
        )
    return findings


def _directory_bundle(directory: str, target: str) -> str:
    """`cat CERTIFI DIR/*.[0-9] > TARGET`, with the files the glob matches now as its edit.

    Python's glob matches what the shell's does (dot files skipped; the
    order may differ, which a CA bundle does not mind); with nothing matched
    the shell would pass the pattern to cat, which fails: that line carries
    no edit (nothing to try).
    """
    text = f"cat {certifi_path()} {_q(directory)}/*.[0-9] > {target}"
    matched = sorted(glob.glob(os.path.join(glob.escape(directory), "*.[0-9]")))
    if not matched:
        return text
    from ..fixtext import Line, WriteBundle

    return Line(text, WriteBundle(target, (certifi_raw_path(), *matched)))


def certifi_path() -> str:
    """certifi's bundle as a literal path for a shell line.

    This process runs in conda's Python: its certifi is conda's. The `python`
    on the user's PATH need not be, nor have certifi at all.
    """
    import certifi

    return _q(certifi.where())


def certifi_raw_path() -> str:
    """certifi's bundle (conda's), unquoted."""
    import certifi

    return certifi.where()


def bundle_parts(bundle: str) -> list[str]:
    """The files a new bundle built on `bundle` starts from: certifi's first when it lacks them.

    A bundle of a few corporate roots alone gets the "only corporate roots"
    warning. A fix that copied it as it is would carry that gap into the new
    file; starting from certifi's roots settles both with one bundle.
    """
    info = inspect_ca_path(os.path.expanduser(bundle), "file")
    if info.public or info.count >= FEW_CERTIFICATES:  # public: True when unknown
        return [bundle]
    return [certifi_raw_path(), bundle]


def combined_path(bundle: str | None) -> str:
    """Where a fix writes a new bundle: never the file it reads (`>` empties it first)."""
    if bundle and os.path.expanduser(bundle) == os.path.expanduser(COMBINED_BUNDLE):
        return COMBINED_BUNDLE_NEXT
    return COMBINED_BUNDLE


def _certificates(count: int) -> str:
    return f"{count} certificate{'' if count == 1 else 's'}"
