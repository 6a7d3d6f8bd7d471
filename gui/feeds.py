"""Fetching a mentions feed (RSS/Atom, e.g. a Google Alert) over HTTP for
``ReviewService.poll_feeds``: a time limit, a size cap, and one plain error per failure.

Shared by the background poll (``gui.housekeeping``) and Settings → Review sources ("Check
now"), so it lives outside both feature packages. Only this module talks HTTP for feeds; it
runs on a task-runner worker, never on the GUI thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # requests loads with the first fetch, off the start path
    import requests

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
"""Seconds to wait for the server to connect and for each read."""
MAX_BYTES = 5 * 1024 * 1024
"""A feed larger than this is refused (a Google Alert is a few kilobytes)."""
_CHUNK = 64 * 1024
_USER_AGENT = "FrontDeskSocial/0.1 (+mentions feed reader)"


class FeedFetchError(Exception):
    """A feed could not be fetched. ``reason`` is a code the GUI words
    (``timeout``, ``connection``, ``rate_limited``, ``server``, ``not_found``, ``refused``,
    ``too_big``, ``bad_address``); ``status`` is the HTTP status when there was one.
    ``str()`` is a plain English sentence without the address's query string."""

    def __init__(self, reason: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


def loggable_url(url: str) -> str:
    """The address without its query string, fragment or user name and password: Google
    Alerts and other feeds can carry private tokens there."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "(an unreadable address)"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _status_error(status: int, where: str) -> FeedFetchError:
    if status == 429:
        return FeedFetchError(
            "rate_limited",
            f"{where} asked us to slow down (HTTP 429); it will be tried again later",
            status=status,
        )
    if status >= 500:
        return FeedFetchError(
            "server",
            f"{where} had a problem of its own (HTTP {status}); it will be tried again later",
            status=status,
        )
    if status in (404, 410):
        return FeedFetchError(
            "not_found", f"{where} says the feed does not exist (HTTP {status})", status=status
        )
    return FeedFetchError(
        "refused", f"{where} refused to send the feed (HTTP {status})", status=status
    )


def fetch_feed(
    url: str,
    *,
    session: requests.Session | None = None,
    timeout: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
) -> bytes:
    """The feed's bytes, read at most ``max_bytes``; raises ``FeedFetchError`` on any failure
    (a dropped connection, a time-out, HTTP 429 or 5xx, a feed too big)."""
    import requests

    where = loggable_url(url)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FeedFetchError("bad_address", f"{where} is not a web (http or https) address")
    getter = session or requests
    try:
        with getter.get(
            url,
            timeout=(timeout, timeout),
            stream=True,
            headers={"User-Agent": _USER_AGENT},
        ) as response:
            if response.status_code >= 400:
                raise _status_error(response.status_code, where)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FeedFetchError("too_big", f"the feed at {where} is too big to read")
            body = bytearray()
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FeedFetchError("too_big", f"the feed at {where} is too big to read")
            return bytes(body)
    except FeedFetchError as exc:
        log.warning("feed %s not fetched: %s", where, exc.reason)
        raise
    except requests.Timeout as exc:
        log.warning("feed %s not fetched: timeout", where)
        raise FeedFetchError("timeout", f"{where} did not answer in time") from exc
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        log.warning("feed %s not fetched: connection", where)
        raise FeedFetchError(
            "connection", f"could not reach {where} (no connection, or it dropped)"
        ) from exc
    except requests.RequestException as exc:
        log.warning("feed %s not fetched: %s", where, type(exc).__name__)
        raise FeedFetchError("bad_address", f"{where} could not be read as a feed") from exc
