"""Routes: the session and settings a URL is fetched with, from conda or from the environment."""

from __future__ import annotations

import copy
import os
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import __version__
from ..model import Route, RouteFactory
from ..redact import REDACTOR
from .sources import ProxySource, ProxySourceKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from requests import Session

#: The environment variables requests reads for proxies, in its order.
PROXY_VARIABLES = ("{scheme}_proxy", "{SCHEME}_PROXY", "all_proxy", "ALL_PROXY")


#: requests' merge of the environment with a session, by what it depends on.
Merged = dict[tuple[Any, ...], dict[str, Any]]


def conda_route(url: str, merged: Merged | None = None) -> Route:
    """conda's own session for url, made safe for diagnosis (see `diagnostic_copy`).

    merged: the environment settings already merged in this run (`conda_routes`).
    """
    from conda.gateways.connection.session import get_session

    from .credentials import credentials_for

    session = diagnostic_copy(get_session(url))
    route = _route(session, url, conda_proxy_servers(), merged)
    route.credentials = credentials_for
    return route


def conda_routes(ready: Callable[[], None] | None = None) -> RouteFactory:
    """`conda_route` for one run: the environment is merged once per endpoint and settings.

    A run asks for a route for each request (a dozen on two healthy
    channels); what requests merges from the environment depends only on the
    URL's scheme and host and on the session's proxies, verify and cert, so
    it is merged once for each. Each route still gets its own session copy.
    ready: waits until conda's sessions can be made (`warm_conda_sessions`).
    """
    merged: Merged = {}

    def route_for(url: str) -> Route:
        if ready is not None:
            ready()
        return conda_route(url, merged)

    return route_for


#: Seconds between the interpreter's lock hand-overs while the User-Agent is
#: looked up (the default is 5 ms).
SWITCH_INTERVAL = 0.0005


def warm_conda_sessions() -> Callable[[], None]:
    """Start computing what every conda session sends, its User-Agent; return the wait for it.

    On Linux conda's User-Agent names the distribution: distro runs
    `lsb_release` and `uname`, and the calling thread waited for them with
    nothing to do. They now run in a thread while the calling thread reads
    the configuration; the routes wait for it before the first session.
    What the lookup imports (requests, distro, the solver backend it names)
    is imported here first: no module is imported by two threads at once.
    While it runs the interpreter hands its lock over more often: at the
    default interval the lookup would wait that long after each system call.
    """
    import threading

    from conda.base.context import context

    try:
        import requests  # noqa: F401

        if context.solver != "classic":
            context.solver_user_agent()  # imports the backend, if not yet
        import distro  # noqa: F401 (Linux only)
    except Exception:  # the lookup meets it again, and so do the sessions
        pass
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    lowered = sys.getswitchinterval()  # as the interpreter keeps it

    def look_up() -> None:
        try:
            context.user_agent  # noqa: B018 (memoized by conda: computing it is the point)
        except Exception:  # the sessions meet it again, and the run reports it
            pass
        finally:
            if sys.getswitchinterval() == lowered:
                sys.setswitchinterval(interval)

    thread = threading.Thread(target=look_up, name="netcheck-user-agent", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no thread to be had: looked up here, nothing to wait for
        look_up()
        return lambda: None
    return thread.join


def conda_proxy_servers() -> dict[str, str]:
    """proxy_servers as conda's context has it."""
    from conda.base.context import context

    return dict(context.proxy_servers or {})


def standalone_route(url: str) -> Route:
    """A plain requests session configured from the environment only (no conda)."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = f"conda-netcheck/{__version__}"
    # requests itself ignores SSL_CERT_FILE; honour it when nothing stronger is set.
    if not (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")):
        if os.environ.get("SSL_CERT_FILE"):
            session.verify = os.environ["SSL_CERT_FILE"]
    _mount_no_retry(session, None)
    from ..redirects import refuse_non_http_redirect

    session.hooks["response"].append(refuse_non_http_redirect)
    route = _route(session, url, {})
    route.credentials = _environment_credentials
    # Not conda's session: the advice about truststore is for whichever conda
    # the user has, so do not assume an old one.
    route.truststore_through_proxy = True
    return route


def _environment_credentials(url: str) -> list:
    """Without conda: credentials in the URL and in .netrc, as requests sends them."""
    from .credentials import CredentialKind, netrc_credential, url_credentials

    found = url_credentials(url)
    if not any(c.kind is CredentialKind.URL_USERINFO for c in found):
        from_netrc = netrc_credential(url)
        if from_netrc is not None:
            found.append(from_netrc)
    return found


def diagnostic_copy(session: Session) -> Session:
    """A shallow copy of conda's session that never retries and never prompts.

    The copy shares conda's proxies, verify, cert, headers and auth (so header
    plugins, auth handlers, tokens and .netrc apply as for an install), but has
    its own transport adapters without retries or backoff, and an auth wrapper
    that drops conda's interactive 407 handler. conda's cached session is left
    untouched.
    """
    clone = copy.copy(session)
    truststore_context = getattr(session.get_adapter("https://"), "_ssl_context", None)
    clone.adapters = type(session.adapters)()
    for prefix, adapter in session.adapters.items():
        if not prefix.startswith(("http://", "https://")):
            clone.mount(prefix, adapter)  # file://, ftp://, s3://: no retries there
    _mount_no_retry(clone, truststore_context)
    clone.auth = NoPromptAuth(session.auth)
    from ..redirects import refuse_non_http_redirect

    clone.hooks = {
        **session.hooks,
        "response": [*session.hooks.get("response", []), refuse_non_http_redirect],
    }
    clone.max_redirects = 10
    return clone


def _mount_no_retry(session: Session, ssl_context: Any) -> None:
    try:
        from conda.gateways.connection.adapters.http import HTTPAdapter

        adapter = HTTPAdapter(max_retries=0, ssl_context=ssl_context)
    except ImportError:
        from requests.adapters import HTTPAdapter as PlainAdapter

        adapter = PlainAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)


def _route(
    session: Session, url: str, configured: dict[str, str], merged: Merged | None = None
) -> Route:
    from requests.utils import select_proxy

    settings = _environment_settings(session, url, merged)
    if settings["verify"] is False:
        _quiet_unverified()
    proxy = select_proxy(url, settings["proxies"])
    source = None
    if proxy:
        REDACTOR.add_url_credentials(proxy)
        source = proxy_source(url, proxy, configured)
    adapter = session.get_adapter(url) if url.startswith("http") else None
    ssl_context = getattr(adapter, "_ssl_context", None)
    through_proxy = truststore_through_proxy(adapter)
    if proxy and not through_proxy:
        # conda < 26.7 hands its truststore context to direct connections
        # only: through a proxy requests verifies with certifi, and so do we.
        ssl_context = None
    return Route(
        session=session,
        proxy=proxy,
        proxy_source=source,
        verify=settings["verify"],
        cert=settings["cert"],
        ssl_context=ssl_context,
        truststore_through_proxy=through_proxy,
    )


def session_proxy(session: Session, url: str) -> str | None:
    """The proxy `session` sends a request for `url` through (None: direct), as requests picks it."""
    from requests.utils import select_proxy

    return (
        select_proxy(url, _environment_settings(session, url, None)["proxies"]) or None
    )


def _environment_settings(
    session: Session, url: str, merged: Merged | None
) -> dict[str, Any]:
    """requests' merge of the environment (REQUESTS_CA_BUNDLE, *_PROXY, NO_PROXY) with the session.

    requests merges them exactly like this when conda sends a request: from
    the URL it reads the scheme and host (NO_PROXY), nothing else.
    """
    parts = urlsplit(url)
    try:
        key = (
            parts.scheme,
            parts.netloc,
            tuple(sorted(session.proxies.items())),
            session.verify,
            session.cert,
            session.trust_env,
        )
        settings = None if merged is None else merged.get(key)
    except TypeError:  # a setting that cannot be a key: merged each time
        merged = None
        settings = None
    if settings is None:
        settings = session.merge_environment_settings(url, {}, None, None, None)
        if merged is not None:
            merged[key] = settings
    return settings


def _quiet_unverified() -> None:
    """Silence urllib3's per-request warning as conda does when ssl_verify is false.

    The run says it once, as a finding with its fix; a warning per request
    would bury the report on stderr.
    """
    import warnings

    from urllib3.exceptions import InsecureRequestWarning

    warnings.simplefilter("ignore", InsecureRequestWarning)


def truststore_through_proxy(adapter: Any) -> bool:
    """Whether this conda applies ssl_verify: truststore to proxied connections (26.7+)."""
    from requests.adapters import HTTPAdapter

    method = getattr(type(adapter), "proxy_manager_for", None)
    return method is not None and method is not HTTPAdapter.proxy_manager_for


def proxy_source(url: str, proxy: str, configured: dict[str, str]) -> ProxySource:
    """Where the proxy chosen for url was set: proxy_servers, or which variable."""
    parts = urlsplit(url)
    scheme = parts.scheme
    # The keys requests' select_proxy tries, most specific first.
    for key in (
        f"{scheme}://{parts.hostname}",
        scheme,
        f"all://{parts.hostname}",
        "all",
    ):
        if configured.get(key) == proxy:
            return ProxySource(ProxySourceKind.SETTING, key)
    for template in PROXY_VARIABLES:
        name = template.format(scheme=scheme, SCHEME=scheme.upper())
        if os.environ.get(name) == proxy:
            return ProxySource(ProxySourceKind.VARIABLE, name)
    from .osproxy import source_of

    found = source_of(proxy, scheme)
    if found:
        return ProxySource(ProxySourceKind.OS, found)
    return ProxySource(ProxySourceKind.ENVIRONMENT)


class NoPromptAuth:
    """Wrap conda's auth and remove its interactive 407 handler (it calls input())."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, request: Any) -> Any:
        from .credentials import unreadable_token_files

        # conda's auth reads every anaconda-client token file: with one it
        # cannot read it blocks or eats memory (reported as a finding).
        if self.inner is not None and not unreadable_token_files():
            request = self.inner(request)
        hooks = request.hooks.get("response", [])
        request.hooks["response"] = [
            h for h in hooks if getattr(h, "__name__", "") != "handle_407"
        ]
        return request
