"""Mastodon: publish a status through Mastodon.py, exactly once.

A post goes out as up to four images (the clean export, each with its alt text as the
description, uploaded to ``/api/v2/media``) and then one ``POST /api/v1/statuses`` carrying the
outbox entry's key as ``Idempotency-Key``: Mastodon answers a repeated key with the status it
already made, so a retry after a lost answer cannot post twice — but the server keeps keys for
one hour only. ``find`` therefore does not rely on the key: it reads the account's own latest
statuses and matches the text (Mastodon returns HTML: compared as plain words), the content
warning and the number of images, among statuses created after the outbox recorded the intent
(``PublishRequest.not_before``, when the outbox gives it; else the last ``LOOKBACK``).

Mastodon.py's own rate-limit handling is off (``ratelimit_method="throw"``): the outbox waits,
not this process; every call has a timeout. Its exceptions become the outbox's typed errors:
a 429 is transient with the server's ``Retry-After`` (or ``X-RateLimit-Reset``); 5xx transient
(a gateway's 502/504 on the status itself: uncertain); a connection that failed before sending is
transient, one that dropped or timed out while the status was being sent is uncertain; a 401
asks the token provider once, then the account needs reconnecting; other 4xx are refusals with
the server's own message. Nothing here logs requests, headers or the token.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonFileNotFoundError,
    MastodonIOError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from core.accounts.model import Account
from core.accounts.tokens import TokenProvider
from core.clock import Clock, SystemClock
from core.connectors.http import DEFAULT_TIMEOUT, USER_AGENT, clean_message, retry_after
from core.publishing.connectors import (
    PermanentPublishError,
    PublishError,
    PublishRequest,
    RemotePost,
    TransientPublishError,
    UncertainOutcome,
)

T = TypeVar("T")

NAME = "Mastodon"
MAX_IMAGES = 4
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
"""Mastodon's default ``configuration.media_attachments.image_size_limit`` (bytes)."""
MAX_DESCRIPTION = 1500
"""Mastodon's limit on an attachment's description (alt text), in characters."""
VISIBILITIES = ("public", "unlisted", "private", "direct")
API_VERSION = "4.0.0"
"""The Mastodon version we speak: all endpoints used exist since 3.x, and stating it spares a
version lookup before every upload (Mastodon.py picks ``/api/v2/media`` from it)."""
FIND_LIMIT = 40
"""How many of the account's latest statuses ``find`` reads (Mastodon's maximum page)."""
LOOKBACK = timedelta(days=3)
"""Without ``not_before``: how far back ``find`` looks for the status."""
CLOCK_SKEW = timedelta(minutes=5)
"""The server's clock may differ from ours; ``find`` allows this much."""
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}

_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w")
_SPACES = re.compile(r"\s+")


class MastodonConnector:
    """Publishes the default Mastodon account's variant of a post (see the module docstring).

    ``base_url`` overrides the account's server (tests); ``http`` is the ``requests.Session``
    Mastodon.py sends through; ``max_characters`` is the server's own limit
    (``configuration.statuses.max_characters``) when known; ``timeout`` is (connect, read)
    seconds — Mastodon.py takes one number for both: the read timeout.
    """

    platform = "mastodon"

    def __init__(
        self,
        account: Account,
        tokens: TokenProvider,
        *,
        base_url: str | None = None,
        http: requests.Session | None = None,
        clock: Clock | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_characters: int | None = None,
    ) -> None:
        self.account = account
        self.base_url = (base_url or account.base_url).strip().rstrip("/")
        self._tokens = tokens
        self._session = http or requests.Session()
        self._session.hooks["response"].append(self._remember)
        self._clock = clock or SystemClock()
        self._timeout = timeout[1]
        self._max_characters = max_characters
        self._last: requests.Response | None = None

    # --- the connector -----------------------------------------------------------------------
    def validate(self, request: PublishRequest) -> list[str]:
        """Problem codes before anything is sent: ``empty``, ``too_long`` (the text and the
        content warning together), ``too_many_images``, ``image_missing``,
        ``image_too_large``, ``alt_text_too_long``, ``unsupported`` (an unknown visibility)."""
        from core.platforms import measure

        problems: list[str] = []
        text = measure(request.text, "mastodon", limit=self._max_characters)
        warning = request.options.get("content_warning", "")
        length = text.length + (measure(warning, "mastodon").length if warning.strip() else 0)
        if "empty" in text.problems and not request.image_paths:
            problems.append("empty")
        if length > text.limit:
            problems.append("too_long")
        if len(request.image_paths) > MAX_IMAGES:
            problems.append("too_many_images")
        for path in request.image_paths:
            if not path.is_file():
                problems.append("image_missing")
            elif path.stat().st_size > IMAGE_SIZE_LIMIT:
                problems.append("image_too_large")
        if any(len(alt) > MAX_DESCRIPTION for alt in request.alt_texts):
            problems.append("alt_text_too_long")
        if request.options.get("visibility", "public") not in VISIBILITIES:
            problems.append("unsupported")
        return list(dict.fromkeys(problems))

    def publish(self, request: PublishRequest) -> RemotePost:
        problems = self.validate(request)
        if problems:
            raise PermanentPublishError(_problem_words(problems[0]), code=problems[0])
        media_ids: list[str] = []
        for index, path in enumerate(request.image_paths):
            alt = request.alt_texts[index] if index < len(request.alt_texts) else ""
            data, mime = _read_image(path)
            upload = partial(_upload, data=data, mime=mime, description=alt)
            media = self._call(upload, sends=False, request=request)
            media_ids.append(str(media["id"]))
        warning = request.options.get("content_warning", "").strip()
        status = self._call(
            lambda api: api.status_post(
                request.text,
                media_ids=media_ids or None,
                spoiler_text=warning or None,
                visibility=request.options.get("visibility") or None,
                idempotency_key=request.idempotency_key,
            ),
            sends=True,
            request=request,
        )
        return _remote(status)

    def find(self, request: PublishRequest) -> RemotePost | None:
        statuses = self._call(
            lambda api: api.account_statuses(self.account.remote_id, limit=FIND_LIMIT),
            sends=False,
            request=request,
        )
        since = _not_before(request, self._clock.now()) - CLOCK_SKEW
        wanted = comparable(request.text)
        warning = comparable(request.options.get("content_warning", ""))
        for status in statuses:
            created = status.get("created_at")
            if isinstance(created, datetime) and _aware(created) < since:
                continue
            if comparable(plain_text(str(status.get("content") or ""))) != wanted:
                continue
            if comparable(str(status.get("spoiler_text") or "")) != warning:
                continue
            if len(status.get("media_attachments") or ()) != len(request.image_paths):
                continue
            return _remote(status)
        return None

    def withdraw(self, remote_id: str) -> bool:
        """Deletes the status; ``True`` also when the server no longer has it."""
        try:
            self._call(lambda api: api.status_delete(remote_id), sends=False, request=None)
        except PermanentPublishError as exc:
            if exc.code == "http_404":
                return True
            raise
        return True

    # --- talking to the server ---------------------------------------------------------------
    def _api(self) -> Mastodon:
        if not self.base_url:
            raise PermanentPublishError(
                "This Mastodon account has no server address: reconnect it in Settings → Accounts.",
                code="no_server",
            )
        token = self._tokens.access(self.account)
        return Mastodon(
            access_token=token.access_token,
            api_base_url=self.base_url,
            ratelimit_method="throw",
            request_timeout=self._timeout,
            mastodon_version=API_VERSION,
            version_check_mode="created",
            session=self._session,
            user_agent=USER_AGENT,
        )

    def _call(
        self, call: Callable[[Mastodon], T], *, sends: bool, request: PublishRequest | None
    ) -> T:
        """One API call with a fresh token; a 401 is retried once after asking the token
        provider (which refreshes, or says the account needs reconnecting)."""
        for attempt in (1, 2):
            self._last = None
            try:
                return call(self._api())
            except MastodonUnauthorizedError:
                if attempt == 1:
                    self._tokens.invalidate(self.account)
                    continue
                raise self._tokens.reconnect_needed(self.account) from None
            except MastodonError as exc:
                raise self._error(exc, sends=sends, request=request) from None
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Keeps the last answer's headers (Mastodon.py drops ``Retry-After``)."""
        self._last = response

    def _error(
        self, exc: MastodonError, *, sends: bool, request: PublishRequest | None
    ) -> PublishError:
        headers = dict(self._last.headers) if self._last is not None else {}
        now = self._clock.now().timestamp()
        if isinstance(exc, MastodonRatelimitError):
            return TransientPublishError(
                f"{NAME} asks to slow down (too many requests).",
                code="http_429",
                retry_after=retry_after(headers, now),
            )
        if isinstance(exc, MastodonNetworkError):
            return _network_error(exc, sends=sends)
        if isinstance(exc, MastodonFileNotFoundError | MastodonIOError):
            return TransientPublishError(
                "An image prepared for the post could not be read.", code="media_error"
            )
        if not isinstance(exc, MastodonAPIError):
            return PermanentPublishError(
                f"{NAME} could not be asked ({type(exc).__name__}).", code="unsupported"
            )
        status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        secrets = [request.text] if request is not None else []
        message = clean_message(str(exc.args[3] or "") if len(exc.args) > 3 else "", secrets)
        said = f": {message}" if message else "."
        if status in (502, 504) and sends:
            return UncertainOutcome(
                f"{NAME}'s gateway gave up waiting (HTTP {status}); the post may have gone out.",
                code=f"http_{status}",
            )
        if status >= 500 or status in (408, 429):
            return TransientPublishError(
                f"{NAME} is having trouble (HTTP {status}){said}",
                code=f"http_{status}",
                retry_after=retry_after(headers, now),
            )
        if status == 422 and "processing" in message.lower():
            return TransientPublishError(
                f"{NAME} is still processing the images{said}", code="media_processing"
            )
        wording = {
            400: f"{NAME} refused the request",
            403: f"{NAME} does not allow this account to do that",
            404: f"{NAME} could not find it",
            410: f"{NAME} says it is gone",
            413: f"{NAME} says it is too large",
            422: f"{NAME} refused the post",
        }.get(status, f"{NAME} refused the request (HTTP {status})")
        return PermanentPublishError(f"{wording}{said}", code=f"http_{status}")


def _network_error(exc: MastodonNetworkError, *, sends: bool) -> PublishError:
    """A failure before any answer: transient when nothing can have arrived (the connection
    was never made), else uncertain while sending the status."""
    cause = exc.__context__
    if isinstance(cause, requests.exceptions.ConnectTimeout) or _not_connected(cause):
        return TransientPublishError(
            f"Could not reach {NAME}; nothing was sent.", code="unreachable"
        )
    code = "timeout" if isinstance(cause, requests.exceptions.Timeout) else "connection_dropped"
    if sends:
        return UncertainOutcome(f"No answer from {NAME}; the post may have gone out.", code=code)
    return TransientPublishError(f"No answer from {NAME}.", code=code)


def _not_connected(cause: BaseException | None) -> bool:
    if not isinstance(cause, requests.exceptions.ConnectionError):
        return False
    if isinstance(cause, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return True
    import urllib3.exceptions as u3

    reason: object = cause.args[0] if cause.args else None
    if isinstance(reason, u3.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, u3.NewConnectionError | u3.ConnectTimeoutError)


def _upload(api: Mastodon, *, data: bytes, mime: str, description: str) -> Any:
    """One image, under a random file name (Mastodon.py's): never the export's own name."""
    return api.media_post(data, mime_type=mime, description=description or None)


def _remote(status: Any) -> RemotePost:
    return RemotePost(str(status["id"]), str(status.get("url") or status.get("uri") or ""))


def _read_image(path: Path) -> tuple[bytes, str]:
    mime = IMAGE_TYPES.get(path.suffix.lower(), "image/jpeg")
    try:
        return path.read_bytes(), mime
    except OSError as exc:
        raise TransientPublishError(
            "An image prepared for the post could not be read.", code="media_error"
        ) from exc


def _not_before(request: PublishRequest, now: datetime) -> datetime:
    """When the outbox recorded the intent (before the first attempt), or ``LOOKBACK`` ago."""
    value = request.not_before
    return _aware(value) if value is not None else now - LOOKBACK


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _problem_words(code: str) -> str:
    return {
        "empty": "The post has no text and no images.",
        "too_long": "The post is longer than this Mastodon server allows.",
        "too_many_images": f"Mastodon takes at most {MAX_IMAGES} images per post.",
        "image_missing": "An image prepared for the post is missing.",
        "image_too_large": "An image is larger than Mastodon accepts (16 MB).",
        "alt_text_too_long": f"An image description is longer than {MAX_DESCRIPTION} characters.",
        "unsupported": "Mastodon does not know this visibility.",
    }.get(code, "Mastodon cannot take this post.")


class _TextOf(HTMLParser):
    """The words of a status's HTML: line and paragraph breaks become spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(content: str) -> str:
    """A status's ``content`` (HTML) as plain text: tags removed (a shortened link's hidden
    parts kept, so the full address is back), entities decoded."""
    parser = _TextOf()
    parser.feed(content)
    parser.close()
    return html.unescape("".join(parser.parts))


def comparable(text: str) -> str:
    """Text reduced to what survives Mastodon's rendering: ``@user@server`` shows as
    ``@user``, and all runs of whitespace are one space."""
    return _SPACES.sub(" ", _REMOTE_MENTION.sub(r"@\1", text)).strip()
