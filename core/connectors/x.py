"""X: text and up to four images through the X API v2, over requests.

Not tweepy: it hard-codes api.twitter.com (no local test server, no API base override) and logs
the Authorization header at debug level. The flow, for one connected account (OAuth 2.0 user
context, scopes ``tweet.write``, ``tweet.read``, ``users.read``, ``media.write``):

1. each image (the clean export) → ``POST /2/media/upload`` (multipart ``media``,
   ``media_category=tweet_image``), then its description → ``POST /2/media/metadata``;
2. ``POST /2/tweets`` ``{"text", "media": {"media_ids"}}`` → ``{"data": {"id", "text"}}``.

X takes no idempotency key. ``find`` lists the account's posts since the attempt began
(``GET /2/users/:id/tweets?start_time=…``) and compares texts as X gives them back (links as
``t.co`` links, a ``t.co`` link appended for media, ``& < >`` as entities: see
``core.connectors.matching``). ``withdraw`` is ``DELETE /2/tweets/:id``. On a 429, X's
``x-rate-limit-reset`` (epoch seconds) tells the outbox when to try again (``HttpClient``).
"""

from __future__ import annotations

import html
from datetime import UTC
from typing import TYPE_CHECKING, Any

from core.connectors.checks import (
    ImageFile,
    image_problems,
    upload_images,
    upload_refused,
    validate_images,
)
from core.connectors.http import json_object, no_post_id
from core.connectors.matching import lookup_since, same_text
from core.connectors.rest import RestConnector
from core.platforms import measure
from core.publishing.connectors import PublishRequest, RemotePost

if TYPE_CHECKING:
    import requests

API_BASE = "https://api.x.com"
WEB_BASE = "https://x.com"
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
"""X's limit for an image (``tweet_image``)."""
MAX_ALT_TEXT = 1000
IMAGE_KINDS = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
FIND_LIMIT = 100
"""Posts ``find`` reads (X's maximum page): far more than a practice posts in the window."""


class XConnector(RestConnector):
    """Publishes to one X account (``Account.remote_id`` is the user id, ``handle`` its
    @name for links). ``base_url`` (else ``Account.base_url``, else api.x.com) points it at
    a local server in tests; ``http`` replaces the whole HTTP client."""

    platform = "x"
    platform_name = "X"
    api_base = API_BASE

    # --- the connector ---------------------------------------------------------------------
    def validate(self, request: PublishRequest) -> list[str]:
        """Problem codes X would refuse the post for (``[]``: it may go)."""
        return validate_images(request, "x", _problems)

    def publish(self, request: PublishRequest) -> RemotePost:
        media_ids = upload_images(request, "X", _problems, self._upload)
        body: dict[str, Any] = {"text": request.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        response = self._http.request("POST", "/2/tweets", json=body)
        tweet_id = str(_data(response).get("id") or "")
        if not tweet_id:
            raise no_post_id("X")
        return RemotePost(tweet_id, self.post_url(tweet_id))

    def find(self, request: PublishRequest) -> RemotePost | None:
        since = lookup_since(request, self._clock.now()).astimezone(UTC)
        response = self._http.request(
            "GET",
            f"/2/users/{self.account.remote_id}/tweets",
            params={
                "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "max_results": str(FIND_LIMIT),
                "tweet.fields": "created_at",
                "exclude": "retweets,replies",
            },
        )
        body = response.json()
        tweets = body.get("data") if isinstance(body, dict) else None
        for tweet in tweets or ():
            text = html.unescape(str(tweet.get("text", "")))
            if same_text(request.text, text, drop_trailing_link=bool(request.image_paths)):
                tweet_id = str(tweet["id"])
                return RemotePost(tweet_id, self.post_url(tweet_id))
        return None

    def withdraw(self, remote_id: str) -> bool:
        """Deletes the post; ``True`` also when X no longer has it (404)."""
        response = self._http.request("DELETE", f"/2/tweets/{remote_id}", accept=(404,))
        if response.status_code == 404:
            return True
        return bool(_data(response).get("deleted"))

    # --- helpers -----------------------------------------------------------------------------
    def post_url(self, tweet_id: str) -> str:
        handle = self.account.handle.strip().lstrip("@")
        return f"{WEB_BASE}/{handle or 'i/web'}/status/{tweet_id}"

    def _upload(self, image: ImageFile, alt: str) -> str:
        response = self._http.request(
            "POST",
            "/2/media/upload",
            data={"media_category": "tweet_image"},
            files={"media": (image.filename, image.data, image.mime)},
        )
        media_id = str(_data(response).get("id") or "")
        if not media_id:
            raise upload_refused("X")
        if alt.strip():
            self._http.request(
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": alt}}},
            )
        return media_id


def _problems(request: PublishRequest, images: list[ImageFile]) -> list[str]:
    problems = list(measure(request.text, "x").problems)
    problems += image_problems(
        images, max_count=MAX_IMAGES, max_bytes=MAX_IMAGE_BYTES, kinds=IMAGE_KINDS
    )
    if any(len(alt) > MAX_ALT_TEXT for alt in request.alt_texts):
        problems.append("alt_text_too_long")
    return problems


def _data(response: requests.Response) -> dict[str, Any]:
    """The ``data`` object of an X answer (``{}`` when there is none)."""
    data = json_object(response).get("data")
    return data if isinstance(data, dict) else {}
