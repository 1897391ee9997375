"""Never follow a redirect out of HTTP: the guard every session netcheck uses carries.

Neutral ground: the routes install the guard on the sessions they build, the
probes report what it refused; neither imports the other.
"""

from __future__ import annotations

from typing import Any


class RefusedRedirect(Exception):
    """A redirect to a scheme other than http(s): never followed by netcheck."""

    def __init__(self, url: str, location: str) -> None:
        super().__init__(f"{url} redirects to a {location.split(':', 1)[0]}: URL")
        self.url = url
        self.location = location
        self.scheme = location.split(":", 1)[0].lower()


def refuse_non_http_redirect(response: Any, *args: Any, **kwargs: Any) -> Any:
    """A response hook: stop before requests follows a redirect to file://, s3://...

    conda's session mounts file:// (and s3://) adapters: following a hostile
    server's redirect there would read a local file into the diagnosis.
    """
    from urllib.parse import urljoin, urlsplit

    if not response.is_redirect:
        return response
    location = urljoin(response.url, response.headers.get("location", ""))
    try:
        scheme = urlsplit(location).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        response.close()
        raise RefusedRedirect(response.url, location)
    return response
