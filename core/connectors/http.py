"""The HTTP helper every requests-based connector uses.

``HttpClient.request`` sends one request with timeouts and the account's bearer token, and maps
every failure to the outbox's typed errors, so connectors never decide on their own whether a
retry is safe:

- nothing was sent (refused connection, connect timeout, DNS, TLS handshake) → ``Transient``;
- the request may have reached the platform (read timeout, connection dropped after sending, a
  gateway timeout) → ``UncertainOutcome`` for methods that change something (the outbox asks
  ``find`` before any retry); for GET/HEAD nothing changed, so → ``Transient``;
- 429 → ``Transient`` with ``retry_after`` from ``Retry-After`` (seconds or an HTTP date) or
  the platform's reset headers (``x-rate-limit-reset``…), capped at ``MAX_RETRY_AFTER``;
- 500/503 (and 502/504 for GET) → ``Transient`` (a 503's ``Retry-After`` honoured);
- 401 → ``TokenProvider.invalidate`` (refresh once) and one retry; a second 401 →
  ``ReconnectNeeded``;
- other 4xx → ``PermanentPublishError`` with the platform's own message in plain words
  (parsed from its JSON error shape), without the post text or the token.

Nothing here logs headers or bodies: only the method, host, path and status, at debug level.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests

from core.publishing.connectors import (
    PermanentPublishError,
    PublishError,
    TransientPublishError,
    UncertainOutcome,
)

if TYPE_CHECKING:
    from core.accounts.model import Account
    from core.accounts.tokens import TokenProvider

log = logging.getLogger(__name__)
# urllib3 logs every request line, query string included, at debug level: a Graph API
# ``access_token`` parameter would reach the log file if anyone turned debug on.
logging.getLogger("urllib3.connectionpool").setLevel(logging.WARNING)

USER_AGENT = "FrontDeskSocial/0.1 (+https://frontdesk.social)"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
"""(connect, read) seconds: every call has both."""
MAX_RETRY_AFTER = 3600.0
"""The longest wait a platform can impose on one retry; the outbox retries again after it."""
MAX_MESSAGE = 300
"""The longest platform message kept (plain words for the person, not a dump)."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
"""Platform headers saying when a rate-limit window ends: X (epoch seconds), Mastodon (an ISO
date), Bluesky (epoch seconds)."""

ErrorClassifier = Callable[[requests.Response], PublishError | None]
"""A connector's own mapping of a platform's error answers (e.g. Graph API throttling codes);
``None`` leaves the response to the default mapping."""


class HttpClient:
    """Sends requests to one platform for one account (``tokens`` and ``account`` both given),
    or without a token (``tokens`` ``None``: sign-in and token endpoints)."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenProvider | None = None,
        *,
        account: Account | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        user_agent: str = USER_AGENT,
        name: str = "The platform",
        classify: ErrorClassifier | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if (tokens is None) != (account is None):
            raise ValueError("give both the token provider and the account, or neither")
        self.base_url = base_url.rstrip("/") + "/"
        self.tokens = tokens
        self.account = account
        self.timeout = timeout
        self.user_agent = user_agent
        self.name = name
        self._classify = classify
        self._session = session or requests.Session()
        self._clock = clock

    def url(self, path: str) -> str:
        """``path`` relative to the base URL, or an absolute URL as is (upload URLs)."""
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.base_url, path.lstrip("/"))

    def request(
        self,
        method: str,
        path: str,
        *,
        accept: Collection[int] = (),
        with_token: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        """Sends the request and returns a successful response (2xx, 3xx or a status listed in
        ``accept``), else raises a typed ``PublishError``. ``kwargs`` go to ``requests``
        (``json``, ``data``, ``params``, ``headers``, ``files``, ``auth``…); pass file contents
        as bytes (a 401 retry sends the body again). ``with_token=False`` sends no token."""
        method = method.upper()
        url = self.url(path)
        sent_token = ""
        for attempt in (1, 2):
            headers = {"User-Agent": self.user_agent, **dict(kwargs.pop("headers", None) or {})}
            if with_token and self.tokens is not None and self.account is not None:
                token = self.tokens.access(self.account)
                sent_token = token.access_token
                headers["Authorization"] = f"{token.token_type or 'Bearer'} {token.access_token}"
            response = self._send(method, url, headers, kwargs)
            status = response.status_code
            log.debug("%s %s%s -> %s", method, urlsplit(url).netloc, urlsplit(url).path, status)
            if status < 400 or status in accept:
                return response
            if self._classify is not None:
                mapped = self._classify(response)
                if mapped is not None:
                    raise mapped
            if (
                status == 401
                and with_token
                and self.tokens is not None
                and self.account is not None
            ):
                if attempt == 1:
                    self.tokens.invalidate(self.account)  # refresh once, or ReconnectNeeded
                    _rewind(kwargs.get("files"))
                    kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                    continue
                raise self.tokens.reconnect_needed(self.account)
            raise self._error(method, response, kwargs, sent_token)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _send(
        self, method: str, url: str, headers: dict[str, str], kwargs: Mapping[str, Any]
    ) -> requests.Response:
        try:
            return self._session.request(
                method, url, headers=headers, timeout=self.timeout, allow_redirects=True, **kwargs
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise TransientPublishError(
                f"{self.name} did not answer in time; nothing was sent.", code="connect_timeout"
            ) from exc
        except requests.exceptions.ReadTimeout as exc:
            if method in SAFE_METHODS:
                raise TransientPublishError(
                    f"{self.name} did not answer in time.", code="timeout"
                ) from exc
            raise UncertainOutcome(
                f"{self.name} did not answer in time; the request may have gone through.",
                code="timeout",
            ) from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise self._maybe_sent(method, "connection_dropped") from exc
        except requests.exceptions.ConnectionError as exc:
            if _not_sent(exc):
                raise TransientPublishError(
                    f"Could not reach {self.name}; nothing was sent.", code="unreachable"
                ) from exc
            raise self._maybe_sent(method, "connection_dropped") from exc
        except requests.exceptions.RequestException as exc:
            raise TransientPublishError(
                f"Could not talk to {self.name} ({type(exc).__name__}).", code="network"
            ) from exc

    def _maybe_sent(self, method: str, code: str) -> PublishError:
        if method in SAFE_METHODS:
            return TransientPublishError(f"The connection to {self.name} dropped.", code=code)
        return UncertainOutcome(
            f"The connection to {self.name} dropped; the request may have gone through.",
            code=code,
        )

    def _error(
        self, method: str, response: requests.Response, kwargs: Mapping[str, Any], token: str
    ) -> PublishError:
        status = response.status_code
        secrets = [token, *_strings(kwargs.get("json")), *_strings(kwargs.get("data"))]
        message = clean_message(platform_message(response), secrets)
        said = f": {message}" if message else "."
        if status == 429:
            return TransientPublishError(
                f"{self.name} asks to slow down (too many requests){said}",
                code="http_429",
                retry_after=retry_after(response.headers, self._clock()),
            )
        if status in (502, 504) and method not in SAFE_METHODS:
            return UncertainOutcome(
                f"{self.name}'s gateway gave up waiting (HTTP {status}); the request may have "
                "gone through.",
                code=f"http_{status}",
            )
        if status >= 500 or status == 408:
            return TransientPublishError(
                f"{self.name} is having trouble (HTTP {status}){said}",
                code=f"http_{status}",
                retry_after=retry_after(response.headers, self._clock()),
            )
        wording = {
            400: f"{self.name} refused the request",
            401: f"{self.name} did not accept the sign-in",
            403: f"{self.name} does not allow this account to do that",
            404: f"{self.name} could not find it",
            409: f"{self.name} reports a conflict",
            413: f"{self.name} says it is too large",
            422: f"{self.name} refused the content",
        }.get(status, f"{self.name} refused the request (HTTP {status})")
        return PermanentPublishError(f"{wording}{said}", code=f"http_{status}")


def _not_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """``True`` when the connection failed before the request went out (refused, DNS, TLS)."""
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return True
    import urllib3.exceptions as u3

    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, u3.MaxRetryError):
        reason = reason.reason
    return isinstance(
        reason, u3.NewConnectionError | u3.ConnectTimeoutError | u3.NameResolutionError
    )


def _rewind(files: object) -> None:
    """Puts file-like upload parts back at their start for the one 401 retry."""
    parts: Iterable[object]
    if isinstance(files, Mapping):
        parts = files.values()
    elif isinstance(files, list | tuple):
        parts = [p[1] if isinstance(p, tuple) and len(p) > 1 else p for p in files]
    else:
        return
    for part in parts:
        target = part[1] if isinstance(part, tuple) and len(part) > 1 else part
        seek = getattr(target, "seek", None)
        if callable(seek):
            seek(0)


def _strings(value: object) -> list[str]:
    """Every longer string in a request body (the post text among them), to keep out of
    messages."""
    found: list[str] = []
    if isinstance(value, str):
        if len(value) >= 12:
            found.append(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            found.extend(_strings(item))
    elif isinstance(value, list | tuple):
        for item in value:
            found.extend(_strings(item))
    return found


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date) or a platform's reset
    header (epoch seconds or an ISO date), capped at ``MAX_RETRY_AFTER``; ``None`` when none
    says."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("retry-after", *RESET_HEADERS):
        raw = (lowered.get(name) or "").strip()
        if not raw:
            continue
        seconds = _parse_wait(raw, now, relative=name == "retry-after")
        if seconds is not None:
            return min(max(seconds, 0.0), MAX_RETRY_AFTER)
    return None


def _parse_wait(raw: str, now: float, *, relative: bool) -> float | None:
    try:
        number = float(raw)
    except ValueError:
        number = None
    if number is not None:
        if relative or number < 1e9:  # a small number is a delay, not an epoch time
            return number
        return number - now
    when: datetime | None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        when = None
    if when is None:
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


def json_object(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object (``{}`` when the body is no JSON object)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def no_post_id(name: str) -> UncertainOutcome:
    """The error for a create the platform answered without the post's id: it may have gone
    out, so the outbox looks before any retry."""
    return UncertainOutcome(
        f"{name} answered without the post's id; it may have been published.", code="no_id"
    )


def platform_message(response: requests.Response) -> str:
    """The platform's own error message from its JSON error shape (Graph/Google ``error``
    objects, OAuth ``error_description``, X ``detail``/``errors``, Bluesky/LinkedIn
    ``message``), or a short plain-text body; ``""`` when there is none."""
    try:
        body = response.json()
    except ValueError:
        html = "html" in response.headers.get("content-type", "")
        text = "" if html else response.text.strip()
        return text if len(text) <= MAX_MESSAGE and "\n" not in text else ""
    return _message_of(body)


def _message_of(body: object) -> str:
    if isinstance(body, list) and body:
        return _message_of(body[0])
    if not isinstance(body, Mapping):
        return ""
    error = body.get("error")
    if isinstance(error, Mapping):
        nested = _message_of(error)
        if nested:
            return nested
    for key in ("error_description", "message", "detail", "error_user_msg", "title"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        return _message_of(errors[0])
    if isinstance(error, str) and error.strip():
        return error.strip()
    return ""


def clean_message(message: str, secrets: Iterable[str]) -> str:
    """The message without any of ``secrets`` (the token, the post text) and capped."""
    for secret in secrets:
        if secret and secret in message:
            message = message.replace(secret, "…")
    message = " ".join(message.split())
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1].rstrip() + "…"
    return message
