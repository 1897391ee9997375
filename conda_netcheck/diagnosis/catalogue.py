"""One record per diagnosis code: its layer, severity, who acts, fix, report sentence, docs row.

Everything a code says lives here: `fix_for` (the fix under a target), the
sentence of the network team's report, the code sets (warnings, certificate
and proxy codes) and the row of the documentation's table of codes. A test
fails when a code has no entry or an entry lacks a part; another compares
docs/codes-table.md with `codes_table()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from ..codes import Code, Layer, Status
from ..config.commands import (
    Commands,
    Shell,
    current_shell,
    placeholders,
    proxy_placeholder,
    unset_variable,
)
from ..config.netconfig import CONDA_READ_TIMEOUT
from ..config.sources import ProxySourceKind
from ..evidence import Details, ResetCause
from ..fixtext import Fix, FixLines
from ..limits import raised_timeout
from ..urls import format_address, host_port, port_of, shown_address, shown_proxy

if TYPE_CHECKING:
    from ..model import Problem, Target

NEVER_DISABLE = "(never set ssl_verify to false: it turns off all protection)"
#: The same caution as a Fix's why (shown with -v).
NEVER_DISABLE_WHY = NEVER_DISABLE.strip("()")
CLOCK_FIX = "set this machine's clock right (e.g. timedatectl set-ntp true)"
#: OpenSSL's verify codes for a self-signed certificate, alone or atop a chain.
SELF_SIGNED = (18, 19)
#: Where a local authenticating helper (cntlm, px) listens in the fix's example.
HELPER_PROXY = "http://127.0.0.1:3128"


class Actor(str, Enum):
    """Who acts on a diagnosis, as the report's sections name them."""

    YOU = "On this machine (conda's configuration)"
    NETWORK = "For the network team"
    SERVER = "At the server"

    @property
    def who(self) -> str:
        """Who acts, in a few words (the table of codes)."""
        return {
            Actor.YOU: "you",
            Actor.NETWORK: "your network team",
            Actor.SERVER: "the channel's administrators",
        }[self]


@dataclass(frozen=True)
class Subject:
    """What a fix or a report sentence is written about: a target and its problem."""

    target: Target
    problem: Problem | None
    #: writes the run's commands (--file, the user's shell): never a default
    commands: Commands
    read_timeout: float = CONDA_READ_TIMEOUT  # conda's, not the diagnostic one
    waited: float | None = None  # how long this run waited for an answer

    @property
    def host(self) -> str:
        """The channel's host."""
        return urlsplit(self.target.url).hostname or self.target.url

    @property
    def port(self) -> int:
        """The channel's port, by scheme when the URL has none."""
        return port_of(self.target.url)

    @property
    def address(self) -> str:
        """host:port, IPv6 in brackets."""
        return format_address(self.host, self.port)

    @property
    def where(self) -> str:
        """'in SETTING': where the channel's URL comes from."""
        source = self.target.source
        return f"in {source}" if source else "in your configuration"

    @property
    def proxy(self) -> str | None:
        """The proxy's host:port, never its credentials."""
        if not self.target.proxy:
            return None
        return shown_address(self.target.proxy)

    @property
    def details(self) -> Details:
        """The problem's evidence (empty without a problem)."""
        return self.problem.details if self.problem else Details()

    def proxy_hint(self) -> str:
        """The command that sets a proxy for this channel's scheme."""
        return self.commands.set_proxy(self.target.url, "http://PROXY_HOST:PORT", None)


@dataclass(frozen=True)
class Action:
    """A line of the network team's report: who acts, the sentence, the commands."""

    actor: Actor
    sentence: str
    commands: tuple[str, ...] = ()


def _mine(s: Subject) -> Action:
    """The machine's own configuration: the fix as the user reads it."""
    summary = s.problem.summary if s.problem else s.target.url
    fix = (s.problem.fix if s.problem else None) or fix_for_subject(s)
    return Action(Actor.YOU, f"{summary} ({s.host})" + (f"; fix: {fix}" if fix else ""))


@dataclass(frozen=True)
class Entry:
    """Everything one diagnosis code says, in one place; made with keyword arguments."""

    code: Code
    layers: tuple[Layer, ...]  # where it can be found, the usual one first
    actor: Actor
    meaning: str  # the table of codes: what it means
    table_fix: str  # the table of codes: the fix in short
    fix: Callable[[Subject], str | None]
    #: the network team's report: by default the fix as the user reads it
    report: Callable[[Subject], Action] = _mine
    severity: Status = Status.ERROR
    #: the cause as conda's error hint states it, from what the exception
    #: chain shows (the subject's details); None: no hint names this code
    hint: Callable[[Subject], str] | None = None

    def table_row(self) -> str:
        """This code's row of the table of codes (docs/codes-table.md)."""
        layers = " / ".join(layer.value for layer in self.layers) or "—"
        who = self.actor.who if self.code is not Code.OK else "—"
        if self.severity is Status.WARNING:
            layers += " (warning)"
        return (
            f"| `{self.code.value}` | {layers} | {who} | {self.meaning} "
            f"| {self.table_fix} |"
        )


def _say(actor: Actor, sentence: Callable[[Subject], str]) -> Callable[..., Action]:
    return lambda s: Action(actor, sentence(s))


def _fixed(text: str) -> Callable[[Subject], str]:
    return lambda s: text


def _finding(s: Subject) -> Action:
    summary = s.problem.summary if s.problem else ""
    fix = s.problem.fix if s.problem else None
    return Action(
        Actor.YOU, f"fix the configuration ({summary})" + (f": {fix}" if fix else "")
    )


def _finding_fix(s: Subject) -> str:
    return "see the finding's fix (conda config --show-sources shows where it is set)"


def _offline(s: Subject) -> str:
    return (
        f"turn offline mode off: {_offline_line(s)} "
        f"(or {unset_variable('CONDA_OFFLINE', s.commands.shell)}, or drop --offline)"
    )


def _not_found(s: Subject) -> str:
    nearby = s.details.nearby
    if not nearby:
        return (
            f"{s.target.channel} has no '{s.target.subdir}' at {s.host}: check "
            f"the channel name or URL {s.where} (conda config --show-sources)"
        )
    sentence = f"use {nearby} instead of {s.target.channel_url} {s.where}"
    lines = _nearby_lines(s)
    if not lines:
        return sentence
    return Fix(sentence, lines, why="channel order is priority: it stays the same")


def _nearby_lines(s: Subject) -> tuple[str, ...]:
    nearby = s.details.nearby
    return s.commands.replace_channel(s.target.channel_url, nearby) if nearby else ()


def _wrong_protocol(s: Subject) -> str:
    """Write the scheme the port speaks; a line where that is https:// (never a downgrade)."""
    if s.details.port_speaks == "http":
        # A plain-HTTP URL would send everything in clear: the way out is the
        # port that speaks TLS, which only the server's owners know.
        return (
            f"{s.address} speaks plain HTTP: use the port that speaks TLS (or write "
            f"the channel with http:// if the server has none) {s.where}"
        )
    sentence = f"{s.address} speaks TLS: write the channel with https:// {s.where}"
    lines = _https_lines(s)
    if not lines:
        return f"{sentence} (or use the port that speaks plain HTTP)"
    return Fix(sentence, lines, otherwise="use the port that speaks plain HTTP")


def _https_lines(s: Subject) -> tuple[str, ...]:
    """The channel's URL with https:// where the file that lists it has it."""
    old = s.target.channel_url
    if s.details.port_speaks != "tls" or not old.startswith("http://"):
        return ()
    return s.commands.replace_channel(old, "https://" + old[len("http://") :])


def _offline_line(s: Subject) -> str:
    return s.commands.set("offline", "false")


def _read_timeout(s: Subject) -> str:
    if s.waited is not None and s.waited < s.read_timeout:
        # netcheck caps its wait; conda waits longer and may still get the answer.
        return (
            f"this check waited {s.waited:g} s, conda waits {s.read_timeout:g} s "
            "(remote_read_timeout_secs): check again with --timeout "
            f"{s.read_timeout:g} before changing anything; if {s.host} answers "
            "nothing even then, it is stalled or something on the way holds the "
            "traffic: try again later or ask your network team"
        )
    return (
        f"{s.host} sent nothing within conda's {s.read_timeout:g} s: try again later; "
        f"if it is only slow, give it longer: {_longer_line(s)}"
    )


def _longer_line(s: Subject) -> str | None:
    """The line that gives conda longer; None while conda may still get the answer."""
    if s.waited is not None and s.waited < s.read_timeout:
        return None
    longer = raised_timeout(s.read_timeout)
    return s.commands.set("remote_read_timeout_secs", f"{longer:g}")


def _stalled_fix(s: Subject) -> str:
    waited = s.waited if s.waited is not None else s.read_timeout
    return (
        f"likely causes, in order: (1) the path MTU on a VPN or tunnel drops the "
        f"server's large certificate packets while small ones pass: test with "
        f"`ping -M do -s 1472 {s.host}` (Windows: `ping -f -l 1472 {s.host}`) against "
        f"`-s 1372`, and `tracepath {s.host}`; if only the small one passes, lower "
        "the VPN interface's MTU (`sudo ip link set dev VPN_INTERFACE mtu 1380`) or "
        "ask the VPN's owner; (2) a firewall or TLS filter that swallows the "
        f"handshake: ask your network team about TLS to {s.address} "
        f"(this check waited {waited:g} s, conda waits {s.read_timeout:g} s)"
    )


def _trust_fix(s: Subject) -> str:
    if s.target.verify == "truststore":
        # Setting it again changes nothing: the store itself lacks the issuer.
        return Fix(
            "conda already verifies with the operating system's store "
            "(ssl_verify: truststore), which lacks this issuer: if your "
            "organisation inspects TLS, add its root CA to that store",
            why=NEVER_DISABLE_WHY,
            otherwise="give conda the issuing CA: "
            + s.commands.set("ssl_verify", "/path/to/ca-bundle.pem"),
        )
    return Fix(
        "if your organisation inspects TLS, trust the operating system's store",
        (s.commands.set("ssl_verify", "truststore"),),
        why=NEVER_DISABLE_WHY,
        otherwise="give conda the issuing CA: "
        + s.commands.set("ssl_verify", "/path/to/ca-bundle.pem"),
    )


def _proxy_fix(s: Subject) -> str:
    """The exact line for a proxy problem, where the proxy was set; never the password."""
    return proxy_fix_lines(s)[0]


def proxy_fix_lines(s: Subject) -> tuple[str, FixLines]:
    """A proxy problem's fix, and its shell line (the first choice, when it offers two)."""
    code = s.problem.code if s.problem else Code.PROXY_REFUSED
    address = s.proxy or "PROXY_HOST:PORT"
    if address == "an unusable proxy URL":
        address = "PROXY_HOST:PORT"
    url, source = s.target.url, s.target.proxy_source
    if code is Code.PROXY_AUTH_FAILED:
        schemes = s.details.auth_schemes or ()
        if schemes and not any(x.lower() == "basic" for x in schemes):
            return _auth_helper(s, schemes), FixLines()
        line = s.commands.set_proxy(url, f"http://USER:<password>@{address}", source)
        return Fix(
            "give the proxy your user and password, with @ : / ? # % in the "
            "password percent-encoded",
            (line,),
        ), _lines(line)
    if code is Code.PROXY_UNREACHABLE:
        return _proxy_down(s, address)
    if code is Code.PROXY_MISCONFIGURED and s.details.socks_variables is not None:
        return _without_socks(s), FixLines()
    if code is Code.PROXY_MISCONFIGURED and s.details.proxy_speaks in _NO_PROXY:
        return _proxy_down(s, address, _NO_PROXY[s.details.proxy_speaks])
    if code is Code.PROXY_MISCONFIGURED and s.details.proxy_speaks == "http":
        # The same proxy with http://, its user and password kept as
        # placeholders: without them the next request is a 407.
        line = s.commands.set_proxy(
            url, shown_proxy(s.target.proxy or address, "http"), source
        )
        return f"write the proxy URL with http:// ({line})", _lines(line)
    if code is Code.PROXY_MISCONFIGURED:
        # Its user and password kept as placeholders: without them, a 407 next.
        line = s.commands.set_proxy(
            url, proxy_placeholder(s.target.proxy, address), source
        )
        return f"write the proxy as a full URL: {line}", _lines(line)
    method = s.details.method or ""
    if method.startswith("CONNECT ") and s.details.status == 403:
        return (
            f"ask your network team to allow CONNECT to {method[8:]} through the proxy"
        ), FixLines()
    return (
        "ask your network team to allow this host and port through the proxy",
        FixLines(),
    )


def _auth_helper(s: Subject, schemes: tuple[str, ...]) -> str:
    """A proxy that offers no Basic: a password in the URL changes nothing."""
    # An example address: the helper's own port is whatever the user starts it on.
    line = s.commands.set_proxy(s.target.url, HELPER_PROXY, s.target.proxy_source)
    return (
        f"this proxy only accepts {', '.join(schemes)}, and conda speaks only Basic: "
        "run a local helper such as cntlm or px that authenticates for you, and "
        f"point the proxy setting at it (e.g. {line})"
    )


def _without_socks(s: Subject) -> str:
    """Install PySocks once without the SOCKS proxy: through it, the install fails too."""
    names = s.details.socks_variables or ()
    if not names:  # set in proxy_servers: conda has no per-command override
        how = (
            "remove the socks entry from proxy_servers, `conda install pysocks`, "
            "then put it back"
        )
    elif (s.commands.shell or current_shell()) in (Shell.CMD, Shell.POWERSHELL):
        cmd = " & ".join(f"set {n}=" for n in names)
        ps = "; ".join(f"$env:{n}=''" for n in names)
        how = (
            f"in a new cmd window `{cmd} & conda install pysocks` "
            f"(PowerShell: `{ps}; conda install pysocks`)"
        )
    else:
        how = f"`env {' '.join(f'-u {n}' for n in names)} conda install pysocks`"
    return (
        f"install PySocks once without the SOCKS proxy: {how}; or use an HTTP proxy "
        "instead"
    )


def _lines(*lines: str) -> FixLines:
    return FixLines(lines, placeholders(*lines))


#: What answers at a proxy address where no proxy does, by `proxy_speaks`.
_NO_PROXY = {
    "web": "is a web server, not a proxy",
    "tls": "speaks TLS, not a proxy's plain HTTP",
}


def _proxy_down(
    s: Subject, address: str, answers: str | None = None
) -> tuple[Fix, FixLines]:
    """A proxy that does not answer: start it or point at the right one; drop it only if not needed.

    `answers`: what answers at the address instead of a proxy (nothing to
    start). The right proxy's URL keeps the user and password the setting
    has, as placeholders: the proxy that needed them still does.
    """
    url, source, proxy = s.target.url, s.target.proxy_source, s.target.proxy
    rights = s.commands.repoint_everywhere(url, source, proxy)
    right = "; ".join(rights)
    named = f"{source or 'the proxy'}" if len(rights) == 1 else "it wherever it is set"
    point = f"point {named} at the right one"
    point = point if answers else f"start it, or {point}"
    what = answers or "is not a proxy that answers"
    setting = s.commands.configured_proxy(url)
    if source is not None and source.kind is ProxySourceKind.VARIABLE and setting:
        # The variable hides conda's own proxy setting: without it, that applies.
        unset = unset_variable(source.name, s.commands.shell)
        fix = Fix(
            f"{address} {what}; {source.name} overrides "
            f"{setting} (set in {s.commands.source(setting)}): drop the variable "
            "so that conda uses its own setting",
            (unset,),
            otherwise=f"to keep the variable, {point}: {right}",
        )
        return fix, _lines(unset)
    direct = s.details.direct
    if direct == "works":
        # The channel answers without the proxy: dropping it is the fix,
        # from every source that names it (one cause, one fix).
        drops = s.commands.drop_everywhere(url, source, proxy)
        where = "; drop it wherever it is set" if len(drops) > 1 else ""
        fix = Fix(
            f"{address} {what}, and this channel needs none here{where}",
            drops,
            otherwise=f"where a proxy is required, {point}: {right}",
        )
        return fix, _lines(*drops)
    fix = Fix(f"{address} {what}: {point}", rights)
    if not direct:
        # Not tried: the channel may need no proxy at all.
        drops = "; ".join(s.commands.drop_everywhere(url, source, proxy))
        fix = fix.instead(f"if you need no proxy: {drops}")
    # Else a direct connection fails too: this network needs a proxy.
    return fix, _lines(*rights)


def _proxy_refused(s: Subject) -> Action:
    address = s.address
    method = s.details.method or ""
    if method.startswith("CONNECT "):
        address = method.split(" ", 1)[1]
    status = s.details.status
    if isinstance(status, int) and status >= 500:
        return Action(
            Actor.NETWORK,
            f"the proxy {s.proxy} cannot reach {address} itself (it answered "
            f"{status}): check the proxy's DNS and route to {address}",
        )
    if urlsplit(s.target.url).scheme == "http" and not method:
        return Action(Actor.NETWORK, f"allow GET http://{address} for proxy {s.proxy}")
    return Action(Actor.NETWORK, f"allow CONNECT to {address} for proxy {s.proxy}")


def _proxy_auth(s: Subject) -> Action:
    schemes = s.details.auth_schemes or ()
    if schemes and not any(x.lower() == "basic" for x in schemes):
        return Action(
            Actor.NETWORK,
            f"the proxy {s.proxy} accepts only {', '.join(schemes)} and conda "  # type: ignore[arg-type]
            f"speaks only Basic: exempt {s.address} from proxy authentication, "
            "or enable Basic for conda's users",
        )
    fix = (s.problem.fix if s.problem else None) or _proxy_fix(s)
    return Action(
        Actor.YOU,
        f"the proxy {s.proxy} wants credentials conda did not give or that it "
        f"refused; {fix}",
    )


def _untrusted(s: Subject) -> Action:
    issuer = s.details.issuer or (s.details.certificate or {}).get("issuer")
    code = s.problem.code if s.problem else Code.TLS_UNTRUSTED
    if issuer and (s.proxy or code is Code.TLS_INTERCEPTED):
        who = f"the proxy {s.proxy}" if s.proxy else f"a device on the way to {s.host}"
        sentence = (
            f"{who} re-signs TLS with CA {issuer}: conda needs that CA "
            "(ssl_verify: truststore, or a bundle)"
        )
    elif issuer:
        sentence = (
            f"the certificate presented for {s.host} is issued by CA {issuer}, which "
            "conda does not trust: if that CA re-signs TLS on your network (or is "
            "an internal CA), conda needs it (ssl_verify: truststore, or a bundle)"
        )
    else:
        sentence = (
            f"the certificate presented for {s.host} is not signed by a CA conda "
            "trusts: if TLS is inspected, conda needs the inspecting CA "
            "(ssl_verify: truststore, or a bundle), or exempt the host"
        )
    # No block of commands: the ways to trust a CA are alternatives (running
    # them one after the other keeps the last). This machine's fix is the one
    # the run chose for every channel at once, under each target's Fix.
    return Action(
        Actor.NETWORK, sentence + "; the fix for this machine is under Targets"
    )


def _forbidden(s: Subject) -> Action:
    if s.proxy:
        return Action(
            Actor.NETWORK,
            f"{s.host} answers 403 through the proxy {s.proxy}; if that is the "
            f"proxy's block page, allow {s.address}; else it is the account's access",
        )
    return _mine(s)


def _server(s: Subject) -> Action:
    summary = s.problem.summary if s.problem else ""
    return Action(Actor.SERVER, f"{s.host}: {summary}")


def _carried(default: str) -> Callable[[Subject], str]:
    """The fix the problem was made with (it names the file and host), else default."""
    return lambda s: s.problem.fix if s.problem and s.problem.fix else default


def _cut(s: Subject) -> Action:
    summary = s.problem.summary if s.problem else ""
    return Action(
        Actor.NETWORK,
        f"downloads from {s.address} end before the length the server announced "
        f"({summary}): check the proxies, filters and firewalls on the way for "
        "size or time limits",
    )


def _mismatch(s: Subject) -> Action:
    summary = s.problem.summary if s.problem else ""
    if s.details.html:
        return Action(
            Actor.NETWORK,
            f"a filter replaces package files from {s.address} with a page "
            f"({summary}): allow .conda and .tar.bz2 downloads from it",
        )
    return Action(Actor.SERVER, f"{s.address}: {summary}")


# -- What an error hint says a code's cause is, from the exception chain -------


def _issued(s: Subject) -> str:
    issuer = s.details.issuer
    return f" issued by {issuer}" if issuer else ""


def _untrusted_hint(s: Subject) -> str:
    if s.details.product or s.details.verify_code in SELF_SIGNED:
        said = (
            f"the server presented a certificate{_issued(s)} that conda does not trust"
        )
        return (
            said
            if s.details.issuer
            else said + " (often a network box that inspects HTTPS)"
        )
    return (
        f"conda cannot verify the server's certificate{_issued(s)}: its issuer is "
        "not in conda's CA bundle"
    )


def _misconfigured_hint(s: Subject) -> str:
    if s.details.socks_variables is not None:
        return (
            "the proxy is a SOCKS proxy and PySocks, which requests needs for it, "
            "is not installed"
        )
    if s.details.proxy_speaks == "http":
        return (
            "the TLS handshake with the proxy failed: the proxy URL says https:// "
            "but most proxies speak plain HTTP on their port (HTTPS downloads stay "
            "encrypted through the tunnel)"
        )
    return "the proxy setting cannot be used as it is written"


def _auth_hint(s: Subject) -> str:
    schemes = s.details.auth_schemes
    asked = f" with the {' or '.join(schemes)} scheme" if schemes else ""
    return f"the proxy asked for credentials (407){asked} and none were accepted"


def _reset_hint(s: Subject) -> str:
    if s.details.failure == "closed":
        return (
            "the connection was closed during the TLS handshake (a firewall or proxy "
            "that filters HTTPS by host name, or a proxy conda does not know of)"
        )
    during = "during the TLS handshake " if s.details.when == "handshake" else ""
    return (
        f"the connection was reset {during}by something on the way (a firewall or "
        "filtering proxy that blocks this host)"
    )


def _unreachable_hint(s: Subject) -> str:
    # Only a proxy's host:port is named: not a phrase for an unusable URL.
    address = host_port(s.target.proxy) if s.target.proxy else None
    shown = format_address(*address) if address else "PROXY_HOST:PORT"
    if s.details.cause is Code.DNS_FAILURE:
        return f"the proxy's host name could not be resolved ({shown})"
    return f"the connection was refused: is the proxy {shown} running?"


ENTRIES: tuple[Entry, ...] = (
    Entry(
        code=Code.OK,
        layers=(),
        actor=Actor.YOU,
        meaning="the target answered with repodata",
        table_fix="nothing to do",
        fix=lambda s: None,
        report=lambda s: Action(Actor.YOU, f"{s.host}: reachable"),
        severity=Status.OK,
    ),
    Entry(
        code=Code.OFFLINE_MODE,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning=(
            "`offline: true` (condarc, `CONDA_OFFLINE`, `--offline`): conda downloads "
            "nothing; no traffic is sent"
        ),
        table_fix="`conda config --file FILE --set offline false`, or `unset CONDA_OFFLINE`",
        fix=_offline,
        hint=_fixed("conda is in offline mode, so it downloads nothing"),
    ),
    Entry(
        code=Code.DNS_FAILURE,
        layers=(Layer.DNS,),
        actor=Actor.NETWORK,
        meaning=(
            "the name does not exist (NXDOMAIN), the resolver failed (SERVFAIL), or did "
            "not answer within the timeout"
        ),
        table_fix=(
            "check the host name in the named setting; connect to the VPN, or use the "
            "proxy: `conda config --set proxy_servers.https http://PROXY_HOST:PORT` "
            "(`.http` for `http://` channels)"
        ),
        fix=lambda s: (
            f"check the host name {s.host} {s.where}; if it only resolves inside "
            f"your company network, connect to it (VPN) or use the proxy: {s.proxy_hint()}"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"{s.host} does not resolve from this machine"
                + ("" if s.proxy else " (or give conda the proxy that resolves it)")
            ),
        ),
        hint=_fixed("the host name could not be resolved"),
    ),
    Entry(
        code=Code.DNS_BLOCKED,
        layers=(Layer.DNS,),
        actor=Actor.NETWORK,
        meaning=(
            "the resolver answers `0.0.0.0` / `::` (or a loopback address for a public "
            "name): a DNS filter (Pi-hole, a corporate DNS filter) blocks the name, or a "
            "hosts-file entry points it at this machine"
        ),
        table_fix=(
            "ask whoever runs the DNS filter to allow the host (or remove the hosts-file "
            "entry); the port and the channel URL are fine"
        ),
        fix=lambda s: (
            f"ask whoever runs the DNS filter this machine uses (Pi-hole, the "
            f"corporate DNS filter) to allow {s.host}; check /etc/hosts (Windows: "
            f"C:\\Windows\\System32\\drivers\\etc\\hosts) for a line naming {s.host}"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"the DNS filter blocks {s.host} (it answers "
                f"{', '.join(s.details.answers or ()) or 'a blocking address'}): allow it"
            ),
        ),
    ),
    Entry(
        code=Code.CONNECTION_REFUSED,
        layers=(Layer.TCP,),
        actor=Actor.NETWORK,
        meaning="nothing listens on the port, or a firewall rejects it",
        table_fix="check the port; use the proxy, or ask the network team about the firewall",
        fix=lambda s: (
            f"check the port of {s.address} {s.where}; if the network "
            f"requires a proxy: {s.proxy_hint()}; else ask your network team whether a "
            f"firewall rejects {s.address}"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"allow outbound TCP to {s.address} (or via the proxy): the "
                "connection is rejected (a firewall's reject, or nothing listens on that port)"
            ),
        ),
        hint=_fixed(
            "the server refused the connection (nothing listens on that port, or a "
            "firewall rejects it)"
        ),
    ),
    Entry(
        code=Code.CONNECT_TIMEOUT,
        layers=(Layer.TCP,),
        actor=Actor.NETWORK,
        meaning=(
            "no answer to the connection attempt: a firewall drops the packets, or the "
            "host is down"
        ),
        table_fix="use your organisation's proxy, or ask the network team to allow host:port",
        fix=lambda s: (
            f"a firewall probably drops traffic to {s.address}: use your "
            f"organisation's proxy ({s.proxy_hint()}) or ask your network team to allow it"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"allow outbound TCP to {s.address} (or via the proxy): the "
                "connection attempt got no answer (a firewall most likely drops it)"
            ),
        ),
    ),
    Entry(
        code=Code.WRONG_PROTOCOL,
        layers=(Layer.TLS,),
        actor=Actor.YOU,
        meaning=(
            "the URL's scheme and the port disagree: `https://` to a port that speaks plain "
            "HTTP (OpenSSL's `WRONG_VERSION_NUMBER`), or `http://` to a port that speaks "
            "TLS; netcheck asked the port in the other protocol and it answered"
        ),
        table_fix=(
            "an `http://` channel on a TLS port: the lines that write it with "
            "`https://` where it is listed, in its place; an `https://` channel on a "
            "plain-HTTP port: the port that speaks TLS (never a command to plain HTTP)"
        ),
        fix=_wrong_protocol,
        report=_say(
            Actor.YOU,
            lambda s: (
                f"the channel URL's scheme does not match what {s.address} speaks"
            ),
        ),
    ),
    Entry(
        code=Code.TLS_STALLED,
        layers=(Layer.TLS,),
        actor=Actor.NETWORK,
        meaning=(
            "TCP connected and the TLS ClientHello was sent, but no answer came back: "
            "the path MTU on a VPN/tunnel (large packets lost), or a middlebox that "
            "swallows the handshake"
        ),
        table_fix=(
            "`ping -M do -s 1472 HOST` vs `-s 1372` and `tracepath HOST`; lower the VPN "
            "interface's MTU, or ask the network team about the filter"
        ),
        fix=_stalled_fix,
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"TLS handshakes to {s.address} stall after TCP connects: check the "
                "path MTU (VPN, tunnel) and any TLS filter on the way"
            ),
        ),
    ),
    Entry(
        code=Code.NO_ROUTE,
        layers=(Layer.TCP,),
        actor=Actor.NETWORK,
        meaning=(
            "ENETUNREACH / EHOSTUNREACH: this machine has no route to the address (a VPN "
            "that is down, no default route, an IPv6 address without IPv6 connectivity)"
        ),
        table_fix=(
            "connect the VPN (or the network) that reaches the host; `ip route get ADDRESS` "
            "shows the route the system would use"
        ),
        fix=lambda s: (
            f"no route to {s.address}: connect the VPN or network that reaches it "
            f"(`ip route get` with its address shows the route; `ip -6 route` for "
            f"IPv6), or use the proxy: {s.proxy_hint()}"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"this machine has no route to {s.address}: check the VPN and routes"
            ),
        ),
    ),
    Entry(
        code=Code.CONNECT_FAILED,
        layers=(Layer.TCP,),
        actor=Actor.NETWORK,
        meaning=(
            "the connection failed with a socket error no known cause fits; the summary "
            "gives the error as the system reported it"
        ),
        table_fix=(
            "look at the error named in the summary (firewall software, the network "
            "interface, the system's limits)"
        ),
        fix=lambda s: (
            f"the connection to {s.address} failed with "
            f"{s.details.errno or 'an unexpected error'}: check local firewall "
            "software and the network interface"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"connecting to {s.address} fails with {s.details.errno or 'an error'}"
            ),
        ),
    ),
    Entry(
        code=Code.READ_TIMEOUT,
        layers=(Layer.HTTP, Layer.TLS, Layer.PROXY),
        actor=Actor.NETWORK,
        meaning=(
            "connected, but the TLS handshake or the HTTP answer did not come within the "
            "timeout (the summary says whether the server never answered or stopped)"
        ),
        table_fix=(
            "netcheck waits at most 10 s, conda `remote_read_timeout_secs` (60 s by "
            "default): check again with `--timeout 60`; if the server is only slow, "
            "twice conda's value (50 s when it is below 5 s, as for `timeout-too-low`): "
            "`conda config --set remote_read_timeout_secs 120`"
        ),
        fix=_read_timeout,
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"{s.address} accepts the connection but does not answer: check "
                "for a proxy or inspection device that holds the traffic"
            ),
        ),
    ),
    Entry(
        code=Code.NO_ANSWER_YET,
        layers=(Layer.HTTP, Layer.TLS, Layer.PROXY),
        actor=Actor.YOU,
        meaning=(
            "connected, but no answer (or a stalled one) within netcheck's read timeout "
            "(10 s at most), while conda would still wait (`remote_read_timeout_secs`, "
            "60 s by default): not counted as unreachable; netcheck exits 3 when "
            "nothing else fails"
        ),
        table_fix="check again with conda's wait: `conda netcheck --timeout 60`",
        fix=_read_timeout,
        report=_say(
            Actor.YOU,
            lambda s: (
                f"{s.address} did not answer within this check's wait, shorter "
                f"than conda's {s.read_timeout:g} s: check again with "
                f"`conda netcheck --timeout {s.read_timeout:g}`"
            ),
        ),
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.PROXY_MISCONFIGURED,
        layers=(Layer.CONFIG, Layer.PROXY),
        actor=Actor.YOU,
        meaning=(
            "the proxy URL cannot be used as requests parses it (no scheme, bad port, "
            "whitespace, `/ ? #` in the password, SOCKS without PySocks), `https://` for "
            "a plain-HTTP proxy, an address where a web server answers, not a proxy "
            "(`CONNECT` gets 405 or 501), an `http://` proxy URL whose port speaks "
            "TLS, or a proxy setting that does not do what it seems "
            "(`NO_PROXY` vs `proxy_servers`, variables that disagree, anaconda-auth's "
            "proxies)"
        ),
        table_fix=(
            "the exact `conda config --file FILE --set proxy_servers.KEY http://HOST:PORT` "
            "(the key requests picks for the channel's scheme) or variable line"
        ),
        fix=_proxy_fix,
        report=lambda s: Action(
            Actor.YOU,
            "the proxy setting is wrong ("
            + (s.problem.summary if s.problem else "")
            + ")"
            + (f": {s.problem.fix}" if s.problem and s.problem.fix else ""),
        ),
        hint=_misconfigured_hint,
    ),
    Entry(
        code=Code.PROXY_UNREACHABLE,
        layers=(Layer.PROXY,),
        actor=Actor.NETWORK,
        meaning=(
            "the proxy host does not resolve, refuses, or does not answer; says whether "
            "a direct connection works"
        ),
        table_fix=(
            "start the proxy or fix its address where it is set (a user and "
            "password kept as `USER:<password>`); drop it (`conda config --file "
            "FILE --remove-key proxy_servers.KEY` / `unset HTTPS_PROXY`) only when "
            "a direct connection works"
        ),
        fix=_proxy_fix,
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"this machine cannot reach the proxy {s.proxy} "
                f"({_cause(s.details)}): allow outbound TCP to "
                f"{s.proxy}, or tell the user the right proxy address"
            ),
        ),
        hint=_unreachable_hint,
    ),
    Entry(
        code=Code.PROXY_AUTH_FAILED,
        layers=(Layer.PROXY,),
        actor=Actor.YOU,
        meaning="the proxy answered 407: no or wrong credentials (netcheck never prompts)",
        table_fix=(
            "`conda config --set proxy_servers.https http://USER:<password>@PROXY_HOST:PORT` "
            "(percent-encode special characters)"
        ),
        fix=_proxy_fix,
        report=_proxy_auth,
        hint=_auth_hint,
    ),
    Entry(
        code=Code.PROXY_REFUSED,
        layers=(Layer.PROXY,),
        actor=Actor.NETWORK,
        meaning=(
            "the proxy refused (403, e.g. `CONNECT` to a port other than 443) or could "
            "not reach the server (5xx: DNS or routing on the proxy's side), quoting "
            "`X-Squid-Error` / the page title"
        ),
        table_fix='"ask your network team to allow CONNECT to HOST:PORT through the proxy"',
        fix=_proxy_fix,
        report=_proxy_refused,
    ),
    Entry(
        code=Code.TLS_UNTRUSTED,
        layers=(Layer.TLS,),
        actor=Actor.NETWORK,
        meaning=(
            "the certificate chain does not end at a CA conda trusts (or the server "
            "does not send its intermediate certificate)"
        ),
        table_fix=(
            "add the missing roots to the bundle conda uses now, all in one command "
            "(`cat BUNDLE ROOT.pem > ~/conda-ca-bundle.pem`, then `ssl_verify` at "
            "it), or `ssl_verify: truststore` when the OS store verifies every "
            "channel; never `false`"
        ),
        fix=_trust_fix,
        report=_untrusted,
        hint=_untrusted_hint,
    ),
    Entry(
        code=Code.TLS_INTERCEPTED,
        layers=(Layer.TLS,),
        actor=Actor.NETWORK,
        meaning=(
            "a TLS-inspecting proxy or device re-signs the connection with a CA conda "
            "does not trust (the product is named when recognised)"
        ),
        table_fix=(
            "`ssl_verify: truststore` when the OS store verifies every channel, else "
            "the bundle conda uses now plus the inspecting CA"
        ),
        fix=_trust_fix,
        report=_untrusted,
        hint=_untrusted_hint,
    ),
    Entry(
        code=Code.TLS_EXPIRED,
        layers=(Layer.TLS,),
        actor=Actor.SERVER,
        meaning="the server's certificate has expired",
        table_fix="check the clock (`date -u`); else tell the server's administrators",
        fix=lambda s: (
            f"check this machine's clock (date -u); if it is right, the "
            f"certificate of {s.host} has expired: tell the administrators of {s.host}"
        ),
        report=_say(
            Actor.SERVER,
            lambda s: (
                f"the certificate of {s.host} is outside its validity dates (or "
                "this machine's clock is wrong: date -u)"
            ),
        ),
        hint=lambda s: (
            f"the server's certificate{_issued(s)} has expired (or this computer's "
            "clock is wrong)"
        ),
    ),
    Entry(
        code=Code.TLS_NOT_YET_VALID,
        layers=(Layer.TLS,),
        actor=Actor.SERVER,
        meaning="the certificate's validity starts in the future",
        table_fix="set the clock right; else tell the server's administrators",
        fix=lambda s: (
            "check this machine's clock (date -u) and set it right; if it is "
            f"right, tell the administrators of {s.host}"
        ),
        report=_say(
            Actor.SERVER,
            lambda s: (
                f"the certificate of {s.host} is outside its validity dates (or "
                "this machine's clock is wrong: date -u)"
            ),
        ),
    ),
    Entry(
        code=Code.TLS_HOSTNAME_MISMATCH,
        layers=(Layer.TLS,),
        actor=Actor.NETWORK,
        meaning="the certificate does not name the host (the names it is valid for are shown)",
        table_fix="use the host name the certificate names",
        fix=lambda s: (
            "use the host name the certificate was issued for "
            f"{s.where}, or ask the administrators of {s.host} for a certificate that "
            "names it"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"the certificate presented for {s.host} names other hosts: a "
                "device on the path answers in its place, or the server is misconfigured"
            ),
        ),
        hint=lambda s: (
            f"the server's certificate{_issued(s)} is not valid for "
            f"{s.details.hostname or s.host}, the name in the channel URL"
        ),
    ),
    Entry(
        code=Code.TLS_ERROR,
        layers=(Layer.TLS,),
        actor=Actor.NETWORK,
        meaning=(
            "protocol or cipher failure (a reset or a close during the handshake is "
            "`connection-reset`)"
        ),
        table_fix="ask the administrators (or the network team) which TLS versions are accepted",
        fix=lambda s: (
            f"ask the administrators of {s.host} (or your network team, if a "
            "proxy or firewall is in between) which TLS versions it accepts"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"the TLS handshake with {s.address} fails "
                f"({s.problem.summary if s.problem else 'TLS error'}): check TLS "
                "inspection or protocol restrictions on the path"
            ),
        ),
    ),
    Entry(
        code=Code.CA_BUNDLE_INVALID,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning=(
            "`ssl_verify`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` (or `SSL_CERT_FILE` with "
            "truststore) points at a missing, unreadable or empty file"
        ),
        table_fix="`unset REQUESTS_CA_BUNDLE`, or `conda config --set ssl_verify truststore`",
        fix=lambda s: (
            "point ssl_verify (or REQUESTS_CA_BUNDLE) at a PEM file that exists, "
            "or use the operating system's store: "
            + s.commands.set("ssl_verify", "truststore")
        ),
    ),
    Entry(
        code=Code.CA_BUNDLE_OVERRIDE,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning=(
            "`REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE` silently overrides conda's `ssl_verify` "
            "path, or a CA bundle holds expired certificates that would be used"
        ),
        table_fix="`unset REQUESTS_CA_BUNDLE`, or drop `ssl_verify`",
        fix=_finding_fix,
        report=_finding,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.CLIENT_CERT_INVALID,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning="`client_ssl_cert` / `client_ssl_cert_key` missing or unloadable",
        table_fix="`conda config --remove-key client_ssl_cert`, or fix the path",
        fix=lambda s: (
            "fix client_ssl_cert / client_ssl_cert_key: conda config --show-sources"
        ),
    ),
    Entry(
        code=Code.HTTP_UNAUTHORIZED,
        layers=(Layer.HTTP,),
        actor=Actor.YOU,
        meaning="401: the channel wants credentials",
        table_fix=(
            "add a token to the channel URL or a `machine HOST` entry to `~/.netrc`; "
            "renew an expired one"
        ),
        fix=lambda s: (
            f"{s.target.channel} needs credentials: add a token to the channel "
            f"URL or a 'machine {s.host}' entry to ~/.netrc; if you sent one, it is wrong "
            "or expired: renew it"
        ),
    ),
    Entry(
        code=Code.HTTP_FORBIDDEN,
        layers=(Layer.HTTP,),
        actor=Actor.YOU,
        meaning="403: the server refuses this account, token or network",
        table_fix="check the token's access, or ask the channel's administrators",
        fix=lambda s: (
            f"{s.host} refuses access to {s.target.channel}: check that your "
            "account or token may read it, or ask the channel's administrators"
        ),
        report=_forbidden,
    ),
    Entry(
        code=Code.HTTP_NOT_FOUND,
        layers=(Layer.HTTP,),
        actor=Actor.YOU,
        meaning=(
            "404 on `repodata.json` (404 on the optional shards / `.zst` formats is "
            "normal); says when the channel has the other subdir but not this one, or "
            "when the server has the channel at a nearby path (`/anaconda/pkgs/main` for "
            "`/pkgs/main`, `/cloud/conda-forge` for `/conda-forge`)"
        ),
        table_fix=(
            "use the path the server really serves, or check the channel name in the "
            "named setting"
        ),
        fix=_not_found,
    ),
    Entry(
        code=Code.HTTP_RATE_LIMITED,
        layers=(Layer.HTTP,),
        actor=Actor.SERVER,
        meaning="429, with `Retry-After` when the server says",
        table_fix="wait and retry",
        fix=lambda s: f"{s.host} limits requests: wait and try again",
        report=_server,
    ),
    Entry(
        code=Code.HTTP_SERVER_ERROR,
        layers=(Layer.HTTP,),
        actor=Actor.SERVER,
        meaning="5xx from the server",
        table_fix="try later; tell the channel's administrators if it persists",
        fix=lambda s: (
            f"{s.host} failed on its side: try again later; if it persists, "
            "tell the channel's administrators"
        ),
        report=_server,
    ),
    Entry(
        code=Code.NOT_A_CHANNEL,
        layers=(Layer.CONTENT, Layer.HTTP),
        actor=Actor.NETWORK,
        meaning=(
            "the answer is not repodata: an HTML page (captive portal, login page, with "
            "its title), or an unexpected status"
        ),
        table_fix="sign in with a browser first, or fix the URL",
        fix=lambda s: (
            f"the URL {s.where} does not serve a conda channel; if it is a login "
            "or captive-portal page, sign in with a browser first, else fix the URL"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"{s.host} answers with a web page instead of channel data: a "
                "captive portal or a proxy block page; allow the URL"
            ),
        ),
    ),
    Entry(
        code=Code.INDEX_EMPTY,
        layers=(Layer.CONTENT,),
        actor=Actor.SERVER,
        meaning=(
            "the server answers the index (`repodata.json`) with 200 and an empty body: "
            "a mirror still syncing, or a broken upload"
        ),
        table_fix="tell the channel's administrators that the index is empty",
        fix=lambda s: (
            f"tell the administrators of {s.host} that the index of {s.target.url} "
            "answers with an empty body (a mirror that is still syncing or a broken "
            "upload); conda cannot read an empty index"
        ),
        report=_server,
    ),
    Entry(
        code=Code.REDIRECT_LOOP,
        layers=(Layer.HTTP,),
        actor=Actor.SERVER,
        meaning=(
            "the server's redirects never end (a loop, or ever longer URLs); the summary "
            "lists the hops"
        ),
        table_fix="tell the server's administrators which redirects loop (the hops are listed)",
        fix=lambda s: (
            f"tell the administrators of {s.host} that its redirects loop (the hops "
            "are listed above); check the channel URL for a missing or extra path "
            f"segment {s.where}"
        ),
        report=_server,
    ),
    Entry(
        code=Code.ENCODING_MISLABELLED,
        layers=(Layer.HTTP,),
        actor=Actor.SERVER,
        meaning=(
            "the server labels a body `Content-Encoding: gzip` (or another encoding) that "
            "is not encoded that way; conda fails with ContentDecodingError"
        ),
        table_fix=(
            "tell the server's administrators (or the network team, if a proxy rewrites "
            "bodies) that the Content-Encoding header is wrong"
        ),
        fix=lambda s: (
            f"tell the administrators of {s.host} that its Content-Encoding header "
            "does not match the body; if a proxy or filter rewrites the traffic, ask "
            "your network team"
        ),
        report=_server,
    ),
    Entry(
        code=Code.CLOCK_SKEW,
        layers=(Layer.HTTP,),
        actor=Actor.YOU,
        meaning=(
            "the server's `Date` differs from the local clock by more than 5 minutes "
            "(conda ignores it)"
        ),
        table_fix="`timedatectl set-ntp true`",
        fix=_fixed(CLOCK_FIX),
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.SLOW,
        layers=(Layer.HTTP,),
        actor=Actor.YOU,
        meaning="the answer took more than 5 s",
        table_fix="a nearer mirror may help",
        fix=lambda s: f"{s.host} is slow from here: a nearer mirror may help",
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.MIRROR_BEHIND,
        layers=(Layer.CONTENT,),
        actor=Actor.SERVER,
        meaning=(
            "with `--compare-upstream`, the mirror's repodata `Last-Modified` is more than "
            "a day older than the public channel's"
        ),
        table_fix="ask the mirror's administrators to resynchronise",
        fix=_fixed("ask the mirror's administrators to resynchronise it"),
        report=_server,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.TAR_BZ2_ONLY,
        layers=(Layer.CONTENT,),
        actor=Actor.SERVER,
        meaning=(
            "the channel's repodata lists packages but its `packages.conda` is empty "
            "(read from the last 4 KiB with a Range request): a mirror that drops the "
            ".conda format"
        ),
        table_fix="ask the mirror's administrators to mirror .conda packages too",
        fix=_fixed("ask the mirror's administrators to mirror .conda packages too"),
        report=_server,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.DOWNLOAD_INCOMPLETE,
        layers=(Layer.HTTP,),
        actor=Actor.NETWORK,
        meaning=(
            "a file (index, shard or package) ends before its Content-Length: a proxy "
            "or firewall cutting downloads, or a failing server; says how far it got"
        ),
        table_fix=(
            "ask the network team whether a proxy or firewall limits download size or "
            "time to HOST:PORT; else tell the server's administrators"
        ),
        fix=_carried(
            "ask your network team whether a proxy or firewall cuts downloads; if "
            "none does, tell the server's administrators"
        ),
        report=_cut,
    ),
    Entry(
        code=Code.DOWNLOAD_MISMATCH,
        layers=(Layer.CONTENT,),
        actor=Actor.NETWORK,
        meaning=(
            "a package file differs from its index record (size, sha256): an HTML "
            "block page (with its title), or a mirror whose files and index disagree"
        ),
        table_fix=(
            "block page: ask the network team to allow .conda and .tar.bz2 files from "
            "HOST; else tell the mirror's administrators"
        ),
        # The run always carries its fix (block page or mirror); an error hint
        # sees only the mismatch, so the default finds out which it is.
        fix=_carried(
            "see what the server sends for that URL (`conda netcheck` reads its "
            "first bytes), then `conda clean --packages --tarballs` and retry once "
            "it is fixed"
        ),
        report=_mismatch,
        hint=_fixed(
            "the downloaded file is not the package the channel lists: often a proxy "
            "or firewall block page, a captive portal or a truncated download in its "
            "place"
        ),
    ),
    Entry(
        code=Code.INDEX_CORRUPT,
        layers=(Layer.CONTENT,),
        actor=Actor.SERVER,
        meaning=(
            "repodata.json.zst, the shard index or a shard does not decode (truncated "
            "or corrupt zstd, a zstd bomb, bad msgpack)"
        ),
        table_fix=(
            "`conda config --set repodata_use_zst false` (or `repodata_use_shards "
            "false`), then `conda clean --index-cache`; tell the mirror's administrators"
        ),
        fix=_carried("tell the mirror's administrators that its index does not decode"),
        report=_server,
    ),
    Entry(
        code=Code.RANGE_IGNORED,
        layers=(Layer.HTTP,),
        actor=Actor.SERVER,
        meaning=(
            "a package URL answers `Range: bytes=N-` with the whole file: conda "
            "cannot resume an interrupted download (`.partial` file)"
        ),
        table_fix="ask the server's (or the proxy's) administrators to support Range requests",
        fix=_carried("ask the server's administrators to support Range requests"),
        report=_server,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.DEFAULTS_NOT_MIRRORED,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning="`channels` use a mirror but `defaults` still goes to repo.anaconda.com",
        table_fix=(
            "point `default_channels` at the mirror (`conda config --add default_channels "
            "https://MIRROR/pkgs/main`)"
        ),
        fix=lambda s: (
            "point default_channels at the mirror too: "
            + s.commands.add("default_channels", "https://MIRROR/pkgs/main")
        ),
        report=_finding,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.NO_CHANNELS,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning="no channel is configured: conda has nowhere to download from",
        table_fix="`conda config --add channels conda-forge`",
        fix=lambda s: (
            s.commands.add("channels", "conda-forge")
            + " (or your organisation's channel)"
        ),
        report=_finding,
    ),
    Entry(
        code=Code.SSL_VERIFY_DISABLED,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning="`ssl_verify: false`: any certificate is accepted",
        table_fix="`conda config --set ssl_verify truststore`",
        fix=lambda s: s.commands.set("ssl_verify", "truststore"),
        report=_finding,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.TIMEOUT_TOO_LOW,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning="`remote_connect_timeout_secs` < 1 s or `remote_read_timeout_secs` < 5 s",
        table_fix="raise it, e.g. `conda config --set remote_read_timeout_secs 50`",
        fix=_finding_fix,
        report=_finding,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.CONFIG_INVALID,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning=(
            "a setting or variable holds a value that cannot be used (a port that is not "
            "a number, a bracket-broken IPv6 address, a timeout that is not a positive "
            "number, a mapping where a path belongs, a path that is a FIFO, a device or a "
            "directory, a `.condarc` conda skips); the run goes on with what can still "
            "be checked"
        ),
        table_fix="the setting, where it is set, and the command that fixes it",
        fix=_finding_fix,
        report=_finding,
    ),
    Entry(
        code=Code.CONFIG_UNREAD,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning=(
            "a configuration file is larger than netcheck reads (1 MiB): conda reads it "
            "and its settings apply; netcheck did not look at its text (YAML mistakes, "
            "credentials written in it). netcheck's limit, not conda's"
        ),
        table_fix="trim the file (a `.condarc` is a few kB)",
        fix=_finding_fix,
        report=_finding,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.CONDA_CONFIG_BROKEN,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning=(
            "conda cannot load its configuration (a `.condarc` that is not valid YAML, "
            "not a mapping, not UTF-8, or has duplicate keys): conda runs no command "
            "until it is fixed; shown by `python -m conda_netcheck`"
        ),
        table_fix="fix the file at the line and column named",
        fix=_finding_fix,
        report=_finding,
    ),
    Entry(
        code=Code.INTERNAL_ERROR,
        layers=(Layer.CONFIG,),
        actor=Actor.YOU,
        meaning=(
            "netcheck itself failed on this target (a bug): the other targets are still "
            "checked"
        ),
        table_fix="report it, with the `--json` output",
        fix=_fixed("please report this as a bug in conda-netcheck"),
        report=_finding,
    ),
)


def _cause(details: Details) -> str:
    """Why the proxy could not be reached: the code of the DNS or TCP failure."""
    return details.cause.value if details.cause else "no connection"


def _reset_fix(s: Subject) -> str:
    """A filter on the host name, else both who may act."""
    if s.details.cause is ResetCause.NAME_FILTER:
        return (
            f"ask your network team to allow {s.address}, or use the proxy you are "
            f"meant to use: {s.proxy_hint()}"
        )
    return (
        f"ask your network team whether a firewall ends connections to {s.address}, "
        f"and the administrators of {s.host} whether it refuses connections from "
        "your address"
    )


def _reset_report(s: Subject) -> Action:
    where = f" through the proxy {s.proxy}" if s.proxy else ""
    return Action(
        Actor.NETWORK,
        f"connections to {s.address}{where} are reset or closed before an answer "
        "(the summary says whether the host name decides it): allow them on the "
        "firewall or filter in between",
    )


def _client_cert_fix(s: Subject) -> str:
    return Fix(
        f"get a client certificate for {s.host} from its administrators, then",
        (
            s.commands.set("client_ssl_cert", "/path/to/client.pem"),
            s.commands.set("client_ssl_cert_key", "/path/to/client.key"),
        ),
        why="no key setting when the key is in the certificate file",
    )


def _strict_fix(s: Subject) -> str:
    defects = s.details.defects or ()
    named = "; ".join(f"{d.certificate}: {d.defect}" for d in defects)
    return (
        f"have the CA reissued to RFC 5280{f' ({named})' if named else ''}; "
        "meanwhile, with that CA in the operating system's store: "
        f"{s.commands.set('ssl_verify', 'truststore')} (its verification does not "
        "set the strict flag)"
    )


def _broken_family(s: Subject) -> Action:
    family = "IPv6" if s.problem and s.problem.code is Code.IPV6_BROKEN else "IPv4"
    return Action(
        Actor.NETWORK,
        f"{s.host} has an {family} address that does not answer from here, so "
        f"every connection waits the connect timeout first; repair {family} routing",
    )


TRANSPORT_ENTRIES: tuple[Entry, ...] = (
    Entry(
        code=Code.CONNECTION_RESET,
        layers=(Layer.TLS, Layer.TCP, Layer.HTTP),
        actor=Actor.NETWORK,
        meaning=(
            "the connection was reset (RST) or closed (EOF) right after it was "
            "accepted, during the TLS handshake, or after the request; a second "
            "handshake without the host name tells a filter on the name from a server "
            "that ends every handshake; a clean close names the likely causes in order"
        ),
        table_fix=(
            "allow HOST:PORT on the filter (network team), or use the proxy you are "
            "meant to use"
        ),
        fix=_reset_fix,
        report=_reset_report,
        hint=_reset_hint,
    ),
    Entry(
        code=Code.CLIENT_CERT_REQUIRED,
        layers=(Layer.TLS,),
        actor=Actor.YOU,
        meaning=(
            "the server asks for a client certificate (TLS 1.3 alert, or a TLS 1.2 "
            "CertificateRequest then a handshake failure) and conda sends none, or it "
            "rejects the one `client_ssl_cert` names; the CA names it accepts when TLS "
            "1.2 shows them"
        ),
        table_fix=(
            "`conda config --set client_ssl_cert /path/to/client.pem` and `conda config "
            "--set client_ssl_cert_key /path/to/client.key`, or check the configured pair"
        ),
        fix=_client_cert_fix,
    ),
    Entry(
        code=Code.IPV6_BROKEN,
        layers=(Layer.TCP,),
        actor=Actor.NETWORK,
        meaning=(
            "the name has IPv6 and IPv4 addresses; IPv6 does not answer and IPv4 works: "
            "conda (no Happy Eyeballs) waits its connect timeout on each IPv6 address of "
            "every connection, then succeeds; the delay and the timings per address "
            "(`-v`, JSON) are shown"
        ),
        table_fix=(
            "repair IPv6 routing; or prefer IPv4: `precedence ::ffff:0:0/96 100` in "
            "/etc/gai.conf (Linux), `netsh interface ipv6 set prefixpolicy "
            '::ffff:0:0/96 60 4` (Windows), `networksetup -setv6off "Wi-Fi"` (macOS)'
        ),
        fix=_fixed(
            "repair IPv6 routing on this network, or make this machine prefer IPv4"
        ),
        report=_broken_family,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.IPV4_BROKEN,
        layers=(Layer.TCP,),
        actor=Actor.NETWORK,
        meaning=(
            "the same, the other way round: IPv4 comes first and does not answer, IPv6 "
            "works"
        ),
        table_fix=(
            "repair IPv4 routing; drop a `precedence ::ffff:0:0/96 100` line from "
            "/etc/gai.conf"
        ),
        fix=_fixed("repair IPv4 routing on this network (ask your network team)"),
        report=_broken_family,
        severity=Status.WARNING,
    ),
    Entry(
        code=Code.TLS_X509_STRICT,
        layers=(Layer.TLS,),
        actor=Actor.SERVER,
        meaning=(
            "verification fails only because of `VERIFY_X509_STRICT` (set by urllib3 >= "
            "2.4 on Python >= 3.13): a CA whose basicConstraints is not critical, a "
            "missing Authority or Subject Key Identifier; the certificate and the "
            "extension are named (checked with exactly the flags of the session's "
            "context)"
        ),
        table_fix=(
            "have the CA reissued; meanwhile `conda config --set ssl_verify truststore` "
            "with the CA in the OS store (truststore does not set the flag)"
        ),
        fix=_strict_fix,
        report=_say(
            Actor.SERVER,
            lambda s: (
                f"the CA of {s.host} breaks the strict X.509 rules of Python >= 3.13 "
                "(VERIFY_X509_STRICT), have it reissued"
            ),
        ),
    ),
    Entry(
        code=Code.TLS_LEGACY_RENEGOTIATION,
        layers=(Layer.TLS,),
        actor=Actor.NETWORK,
        meaning=(
            "the server, or a TLS-inspecting proxy or firewall in between, does not "
            "support secure renegotiation (RFC 5746), and OpenSSL 3 refuses such peers "
            "(`UNSAFE_LEGACY_RENEGOTIATION_DISABLED`)"
        ),
        table_fix=(
            "the device must be updated to support RFC 5746 (network team or the "
            "server's administrators); no conda setting is a safe way around it"
        ),
        fix=lambda s: (
            f"ask your network team (or the administrators of {s.host}) to update "
            "the server or the TLS-inspecting device in between so that it supports "
            "secure renegotiation (RFC 5746); re-enabling legacy renegotiation "
            "would weaken every connection conda makes"
        ),
        report=_say(
            Actor.NETWORK,
            lambda s: (
                f"the TLS peer for {s.address} (the server, or an inspecting device "
                "in between) lacks secure renegotiation (RFC 5746), which OpenSSL 3 "
                "clients refuse: update it"
            ),
        ),
        hint=_fixed(
            "the server (or a TLS-inspecting proxy) needs unsafe legacy "
            "renegotiation, which OpenSSL 3 refuses"
        ),
    ),
)

ENTRIES = ENTRIES + TRANSPORT_ENTRIES

CATALOGUE: dict[Code, Entry] = {entry.code: entry for entry in ENTRIES}

#: Codes about the certificate the server presented.
CERTIFICATE_CODES = frozenset(
    {
        Code.TLS_UNTRUSTED,
        Code.TLS_EXPIRED,
        Code.TLS_NOT_YET_VALID,
        Code.TLS_HOSTNAME_MISMATCH,
    }
)


def entry(code: Code) -> Entry:
    """The record of a code."""
    return CATALOGUE[code]


def fix_for(
    problem: Problem,
    target: Target,
    commands: Commands,
    read_timeout: float = CONDA_READ_TIMEOUT,
    waited: float | None = None,
) -> str | None:
    """The exact fix for a problem found on a target."""
    subject = Subject(target, problem, commands, read_timeout, waited)
    return CATALOGUE[problem.code].fix(subject)


def commands_for(
    problem: Problem,
    target: Target,
    commands: Commands,
    read_timeout: float = CONDA_READ_TIMEOUT,
    waited: float | None = None,
) -> FixLines:
    """The shell lines of the catalogue's fix for a problem (none where it is advice)."""
    subject = Subject(target, problem, commands, read_timeout, waited)
    fix = CATALOGUE[problem.code].fix
    if fix is _proxy_fix:
        return proxy_fix_lines(subject)[1]
    if fix is _not_found:
        return _lines(*_nearby_lines(subject))
    if fix is _wrong_protocol:
        return _lines(*_https_lines(subject))
    line = {_offline: _offline_line, _read_timeout: _longer_line}.get(fix)
    found = line(subject) if line else None
    return _lines(found) if found else FixLines()


def fix_for_subject(s: Subject) -> str | None:
    """The fix the catalogue writes for a subject."""
    code = s.problem.code if s.problem else Code.OK
    return CATALOGUE[code].fix(s)


def action_for(s: Subject) -> Action:
    """The report's line for a subject: who acts, what they do."""
    code = s.problem.code if s.problem else Code.OK
    return CATALOGUE[code].report(s)


def codes_table() -> str:
    """The documentation's table of codes, one row per code in the order of `Code`."""
    head = (
        "| code | layer | who acts | what it means | the fix netcheck gives |\n"
        "|---|---|---|---|---|"
    )
    return "\n".join([head, *(CATALOGUE[code].table_row() for code in Code)])


if __name__ == "__main__":
    # The docs include this generated table:
    #   python -m conda_netcheck.diagnosis.catalogue > docs/codes-table.md
    print(codes_table())
