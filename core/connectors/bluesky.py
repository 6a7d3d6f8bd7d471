"""Bluesky: publish a post through atproto, exactly once by its record key.

A post is one ``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` in the account's
repository, after ``uploadBlob`` for each of up to four images (the clean export, re-encoded
smaller when it is over Bluesky's 1,000,000 bytes; its alt text and aspect ratio in the embed).
Links, mentions and tags become facets on UTF-8 byte offsets (atproto's facet detection, the
TypeScript SDK's rules); a mention whose handle does not resolve stays plain text.

Exactly once: the record key (``rkey``) is not left to the server. It is a TID built from the
outbox entry's key (``record_key``), the same on every attempt, so a second ``createRecord``
cannot make a second post: the server refuses a key it has (a real PDS answers 500 then, see
bluesky-social/atproto#3718, so a failed create is checked with ``getRecord`` before it counts
as failed). ``find`` is ``getRecord`` of that key; ``withdraw`` is ``deleteRecord``.

Tokens: the connector sends the access JWT from the ``TokenProvider`` as a header and keeps no
atproto session, so atproto never refreshes on its own (Bluesky rotates refresh tokens: two
refreshers would revoke each other); the provider refreshes, single-flight, through
``core.accounts.service.BlueskyRefresher``. A 401, or a 400 ``ExpiredToken``/``InvalidToken``,
asks the provider once, then the account needs reconnecting. Nothing here logs the tokens.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from atproto import Client, models
from atproto_client.exceptions import (
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.utils import get_response_model
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError
from atproto_core.uri import AtUri

from core.accounts.model import Account, Token
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

NAME = "Bluesky"
DEFAULT_PDS = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
WEB = "https://bsky.app"
AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing", "AuthenticationRequired"})
_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
_KEYLESS_EPOCH_US = 1_704_067_200_000_000
"""2024-01-01 in microseconds: without the intent's time, a record key's time is derived from
the outbox key within the year after this (deterministic, and never in the future)."""
_YEAR_US = 365 * 24 * 3600 * 1_000_000


def record_key(idempotency_key: str, at: datetime | None) -> str:
    """The post's record key: a valid TID (13 base32-sortable characters: 53 bits of
    microseconds, 10 bits of clock id) made only from the outbox key and the moment the intent
    was recorded, so every attempt uses the same one. The second within ``at`` is kept (the key
    sorts where the post belongs); the microseconds and clock id come from the key's hash."""
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    mixed = int.from_bytes(digest[:8], "big")
    if at is not None:
        micros = int(at.timestamp()) * 1_000_000 + mixed % 1_000_000
    else:
        micros = _KEYLESS_EPOCH_US + mixed % _YEAR_US
    value = ((micros & ((1 << 53) - 1)) << 10) | (int.from_bytes(digest[8:10], "big") & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_CHARS[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class BlueskyConnector:
    """Publishes the default Bluesky account's variant of a post (see the module docstring).

    ``base_url`` overrides the account's PDS (tests); ``timeout`` is (connect, read) seconds;
    ``http`` is accepted for the shared constructor shape and unused (atproto speaks httpx).
    """

    platform = "bluesky"

    def __init__(
        self,
        account: Account,
        tokens: TokenProvider,
        *,
        base_url: str | None = None,
        http: object | None = None,
        clock: Clock | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.account = account
        self.base_url = (base_url or account.base_url or DEFAULT_PDS).strip().rstrip("/")
        self._tokens = tokens
        self._clock = clock or SystemClock()
        self._timeout = timeout

    # --- the connector -----------------------------------------------------------------------
    def validate(self, request: PublishRequest) -> list[str]:
        """Problem codes before anything is sent: ``empty``, ``too_long`` (300 graphemes),
        ``too_many_bytes`` (3,000), ``too_many_images``, ``image_missing``."""
        from core.platforms import measure

        measured = measure(request.text, "bluesky")
        problems = [p for p in measured.problems if p != "empty" or not request.image_paths]
        if len(request.image_paths) > MAX_IMAGES:
            problems.append("too_many_images")
        if any(not path.is_file() for path in request.image_paths):
            problems.append("image_missing")
        return list(dict.fromkeys(problems))

    def publish(self, request: PublishRequest) -> RemotePost:
        problems = self.validate(request)
        if problems:
            raise PermanentPublishError(_problem_words(problems[0]), code=problems[0])
        rkey = record_key(request.idempotency_key, request.not_before)
        facets = self._call(lambda c: c.detect_facets(request.text), sends=False)
        images = [
            self._image(path, request.alt_texts[i] if i < len(request.alt_texts) else "")
            for i, path in enumerate(request.image_paths)
        ]
        record = models.AppBskyFeedPost.Record(
            text=request.text,
            created_at=self._clock.now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
            facets=facets or None,
            embed=models.AppBskyEmbedImages.Main(images=images) if images else None,
        )
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self._did(), collection=POST_COLLECTION, rkey=rkey, record=record
        )
        try:
            self._call(lambda c: c.com.atproto.repo.create_record(data), sends=True)
        except (TransientPublishError, PermanentPublishError) as exc:
            if exc.code.startswith(("http_5", "http_409", "http_400")):
                found = self._get(rkey)  # a server refuses a key it already has (ours)
                if found is not None:
                    return found
            raise
        return self._remote(rkey)

    def find(self, request: PublishRequest) -> RemotePost | None:
        return self._get(record_key(request.idempotency_key, request.not_before))

    def withdraw(self, remote_id: str) -> bool:
        """Deletes the post (``remote_id`` is its ``at://`` URI); ``True`` also when it was
        already gone (Bluesky's delete answers the same)."""
        uri = AtUri.from_str(remote_id)
        data = models.ComAtprotoRepoDeleteRecord.Data(
            repo=uri.hostname, collection=uri.collection, rkey=uri.rkey
        )
        self._call(lambda c: c.com.atproto.repo.delete_record(data), sends=False)
        return True

    # --- steps -------------------------------------------------------------------------------
    def _did(self) -> str:
        return self._tokens.access(self.account).extra.get("did") or self.account.remote_id

    def _remote(self, rkey: str) -> RemotePost:
        did = self._did()
        return RemotePost(
            f"at://{did}/{POST_COLLECTION}/{rkey}", f"{WEB}/profile/{did}/post/{rkey}"
        )

    def _get(self, rkey: str) -> RemotePost | None:
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self._did(), collection=POST_COLLECTION, rkey=rkey
        )
        try:
            self._call(lambda c: c.com.atproto.repo.get_record(params), sends=False)
        except PermanentPublishError as exc:
            if exc.code in ("RecordNotFound", "http_404"):
                return None
            raise
        return self._remote(rkey)

    def _image(self, path: Path, alt: str) -> Any:
        data, mime, size = fit_image(path)
        # The raw bytes go as the body (``content``): atproto's ``upload_blob`` hands them to
        # httpx as form ``data``, which httpx deprecates.
        response = self._call(
            lambda c: c.invoke_procedure(
                "com.atproto.repo.uploadBlob",
                content=data,
                headers={"Content-Type": mime},
                output_encoding="application/json",
            ),
            sends=False,
        )
        uploaded = get_response_model(response, models.ComAtprotoRepoUploadBlob.Response)
        ratio = models.AppBskyEmbedDefs.AspectRatio(width=size[0], height=size[1])
        return models.AppBskyEmbedImages.Image(alt=alt, image=uploaded.blob, aspect_ratio=ratio)

    # --- talking to the PDS ------------------------------------------------------------------
    def _client(self, token: Token) -> Client:
        connect, read = self._timeout
        client = Client(
            base_url=self.base_url, request=Request(timeout=httpx.Timeout(read, connect=connect))
        )
        client.request.add_additional_header("User-Agent", USER_AGENT)
        client.request.add_additional_header("Authorization", f"Bearer {token.access_token}")
        return client

    def _call(self, call: Callable[[Client], T], *, sends: bool) -> T:
        """One XRPC call with a fresh token; an auth failure is retried once after asking the
        token provider (which refreshes, or says the account needs reconnecting)."""
        for attempt in (1, 2):
            client = self._client(self._tokens.access(self.account))
            try:
                return call(client)
            except (AtProtocolError, httpx.HTTPError) as exc:
                if _auth_failed(exc):
                    if attempt == 1:
                        self._tokens.invalidate(self.account)
                        continue
                    raise self._tokens.reconnect_needed(self.account) from None
                raise _error(exc, sends=sends, now=self._clock.now().timestamp()) from None
            finally:
                client.request.close()
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def fit_image(path: Path) -> tuple[bytes, str, tuple[int, int]]:
    """The image's bytes, type and size; re-encoded as a JPEG (smaller quality, then smaller
    size) when it is over ``MAX_IMAGE_BYTES``. The result has no metadata either way (the
    export has none; Pillow writes none unless asked)."""
    from PIL import Image

    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB") if len(data) > MAX_IMAGE_BYTES else None
            size = opened.size
            mime = Image.MIME.get(opened.format or "", "image/jpeg")
    except OSError as exc:
        raise PermanentPublishError(
            "An image prepared for the post could not be read.", code="image_unreadable"
        ) from exc
    if image is None:
        return data, mime, size
    for _ in range(12):
        for quality in (85, 70, 55):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= MAX_IMAGE_BYTES:
                return out.getvalue(), "image/jpeg", image.size
        width, height = image.size
        image = image.resize((max(1, width * 3 // 4), max(1, height * 3 // 4)))
    raise PermanentPublishError(
        "An image could not be made small enough for Bluesky.", code="image_too_large"
    )


def _auth_failed(exc: BaseException) -> bool:
    if isinstance(exc, UnauthorizedError):
        return exc.response is not None and exc.response.status_code == 401
    return isinstance(exc, BadRequestError) and _xrpc_error(exc)[0] in AUTH_ERRORS


def _xrpc_error(exc: RequestErrorBase) -> tuple[str, str]:
    """The XRPC error name and message of a failed call's answer."""
    content = exc.response.content if exc.response is not None else None
    error = getattr(content, "error", "") or ""
    message = getattr(content, "message", "") or ""
    return str(error), str(message)


def _error(exc: BaseException, *, sends: bool, now: float) -> PublishError:
    """An atproto or httpx failure as the outbox's typed error (see the module docstring)."""
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        status = exc.response.status_code
        error, message = _xrpc_error(exc)
        said = clean_message(f"{error}: {message}" if message else error, ())
        said = f": {said}" if said else "."
        if isinstance(exc, RateLimitExceededError) or status == 429:
            return TransientPublishError(
                f"{NAME} asks to slow down (too many requests){said}",
                code="http_429",
                retry_after=retry_after(exc.response.headers, now),
            )
        if status in (502, 504) and sends:
            return UncertainOutcome(
                f"{NAME}'s gateway gave up waiting (HTTP {status}); the post may have gone out.",
                code=f"http_{status}",
            )
        if status >= 500:
            return TransientPublishError(
                f"{NAME} is having trouble (HTTP {status}){said}",
                code=f"http_{status}",
                retry_after=retry_after(exc.response.headers, now),
            )
        if error == "RecordNotFound":
            return PermanentPublishError(f"{NAME} could not find it{said}", code="RecordNotFound")
        wording = {
            400: f"{NAME} refused the post",
            401: f"{NAME} did not accept the sign-in",
            403: f"{NAME} does not allow this account to do that",
            404: f"{NAME} could not find it",
            409: f"{NAME} reports a conflict",
            413: f"{NAME} says it is too large",
        }.get(status, f"{NAME} refused the request (HTTP {status})")
        return PermanentPublishError(f"{wording}{said}", code=f"http_{status}")
    cause = exc.__cause__ if isinstance(exc, RequestErrorBase) else exc
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout):
        return TransientPublishError(
            f"Could not reach {NAME}; nothing was sent.", code="unreachable"
        )
    if isinstance(cause, httpx.HTTPError | NetworkError):
        code = "timeout" if isinstance(cause, httpx.TimeoutException) else "connection_dropped"
        if sends:
            return UncertainOutcome(
                f"No answer from {NAME}; the post may have gone out.", code=code
            )
        return TransientPublishError(f"No answer from {NAME}.", code=code)
    # An answer that could not be read (not the shape promised): it may still have worked.
    if sends:
        return UncertainOutcome(f"{NAME} gave an answer that could not be read.", code="bad_answer")
    return TransientPublishError(
        f"{NAME} gave an answer that could not be read.", code="bad_answer"
    )


def _problem_words(code: str) -> str:
    return {
        "empty": "The post has no text and no images.",
        "too_long": "The post is longer than Bluesky's 300 characters.",
        "too_many_bytes": "The post is longer than Bluesky allows.",
        "too_many_images": f"Bluesky takes at most {MAX_IMAGES} images per post.",
        "image_missing": "An image prepared for the post is missing.",
    }.get(code, "Bluesky cannot take this post.")
