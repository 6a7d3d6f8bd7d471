"""Facebook Page: text, a link and photos through the Graph API, over requests.

For one connected Page (``Account.remote_id`` is the Page id; the token is a Page access
token with ``pages_manage_posts`` and ``pages_read_engagement``):

1. each photo (the clean export) → ``POST /{page-id}/photos`` with ``published=false`` (an
   unpublished photo is not a post; its description goes in ``alt_text_custom``);
2. ``POST /{page-id}/feed`` with ``message``, ``attached_media[n]={"media_fbid": …}``, or —
   for a post without photos — the ``link`` option (Facebook shows its preview; with photos the
   link stays in the text, as Graph does not take both) → ``{"id": "{page-id}_{post-id}"}``.

Graph takes no idempotency key: ``find`` lists the Page's posts since the attempt began
(``GET /{page-id}/posts?since=…``) and compares messages. ``withdraw`` is
``DELETE /{post-id}``. Graph answers most errors with HTTP 400 and says what happened in
``{"error": {"message", "code", "error_subcode"}}``: codes 4, 17, 32, 613 and 80001–80014 are
throttling (transient, with the wait from ``X-Business-Use-Case-Usage`` or ``Retry-After`` when
one says), 1 and 2 or ``is_transient`` are passing trouble, 190 is a token Facebook no longer
accepts (reconnect); everything else keeps the default mapping (``core.connectors.http``) with
Graph's own message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from core.connectors.checks import (
    ImageFile,
    image_problems,
    upload_images,
    upload_refused,
    validate_images,
)
from core.connectors.http import (
    MAX_RETRY_AFTER,
    ErrorClassifier,
    json_object,
    no_post_id,
    platform_message,
    retry_after,
)
from core.connectors.matching import lookup_since, same_text
from core.connectors.rest import RestConnector
from core.platforms import measure
from core.publishing.connectors import (
    PermanentPublishError,
    PublishError,
    PublishRequest,
    RemotePost,
    TransientPublishError,
)

if TYPE_CHECKING:
    import requests

GRAPH_VERSION = "v23.0"
"""The Graph API version every call names (Meta supports each for about two years)."""
API_BASE = "https://graph.facebook.com"
WEB_BASE = "https://www.facebook.com"
MAX_IMAGES = 10
"""Graph documents no cap for ``attached_media``; ten keeps one attempt's uploads well within
the outbox's lease."""
MAX_IMAGE_BYTES = 4 * 1024 * 1024
"""Graph: "Photos should be less than 4MB"."""
IMAGE_KINDS = frozenset({"image/jpeg", "image/png", "image/gif"})
FIND_LIMIT = 100
THROTTLING_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
"""Application, user, Page, custom and business-use-case rate limits."""
PASSING_CODES = frozenset({1, 2})
""""An unknown error occurred", "Service temporarily unavailable"."""
TOKEN_CODES = frozenset({190})
GONE = (100, 33)
"""Code and subcode of "Object with ID … does not exist" (a deleted post)."""


class FacebookConnector(RestConnector):
    """Publishes to one Facebook Page. ``base_url`` (else ``Account.base_url``, else
    graph.facebook.com) points it at a local server in tests; ``http`` replaces the whole HTTP
    client (it should classify with ``classify``)."""

    platform = "facebook"
    platform_name = "Facebook"
    api_base = API_BASE

    def classifier(self) -> ErrorClassifier:
        return self.classify

    # --- the connector ---------------------------------------------------------------------
    def validate(self, request: PublishRequest) -> list[str]:
        """Problem codes Facebook would refuse the post for (``[]``: it may go)."""
        return validate_images(request, "facebook", _problems)

    def publish(self, request: PublishRequest) -> RemotePost:
        photo_ids = upload_images(request, "Facebook", _problems, self._upload)
        fields: dict[str, str] = {"message": request.text}
        for n, photo_id in enumerate(photo_ids):
            fields[f"attached_media[{n}]"] = json.dumps({"media_fbid": photo_id})
        link = request.options.get("link", "").strip()
        if link and not photo_ids:
            fields["link"] = link
        response = self._http.request("POST", self._path("feed"), data=fields)
        post_id = str(json_object(response).get("id") or "")
        if not post_id:
            raise no_post_id("Facebook")
        return RemotePost(post_id, self.post_url(post_id))

    def find(self, request: PublishRequest) -> RemotePost | None:
        since = lookup_since(request, self._clock.now()).astimezone(UTC)
        response = self._http.request(
            "GET",
            self._path("posts"),
            params={
                "since": str(int(since.timestamp())),
                "fields": "id,message,created_time,permalink_url",
                "limit": str(FIND_LIMIT),
            },
        )
        for post in json_object(response).get("data") or ():
            if isinstance(post, dict) and same_text(request.text, str(post.get("message", ""))):
                post_id = str(post["id"])
                return RemotePost(post_id, str(post.get("permalink_url") or self.post_url(post_id)))
        return None

    def withdraw(self, remote_id: str) -> bool:
        """Deletes the post; ``True`` also when Facebook no longer has it."""
        response = self._http.request("DELETE", f"/{GRAPH_VERSION}/{remote_id}", accept=(400,))
        if response.status_code == 400:
            error = _error(response)
            if (error.get("code"), error.get("error_subcode")) == GONE:
                return True
            raise self.classify(response) or PermanentPublishError(
                f"Facebook did not delete the post: {platform_message(response)}",
                code="http_400",
            )
        return bool(json_object(response).get("success"))

    # --- Graph's errors ----------------------------------------------------------------------
    def classify(self, response: requests.Response) -> PublishError | None:
        """Graph's error codes that its HTTP status does not tell (see the module docstring)."""
        error = _error(response)
        code = error.get("code")
        said = platform_message(response)
        wait = regain_access_after(response.headers) or retry_after(response.headers, time.time())
        if code in THROTTLING_CODES:
            return TransientPublishError(
                f"Facebook asks to slow down (too many requests): {said}",
                code="rate_limited",
                retry_after=wait,
            )
        if code in PASSING_CODES or error.get("is_transient") is True:
            return TransientPublishError(
                f"Facebook is having trouble: {said}",
                code="temporarily_unavailable",
                retry_after=wait,
            )
        if code in TOKEN_CODES:
            return self._tokens.reconnect_needed(self.account)
        return None

    # --- helpers -----------------------------------------------------------------------------
    def post_url(self, post_id: str) -> str:
        page, _, post = post_id.partition("_")
        return f"{WEB_BASE}/{page}/posts/{post}" if post else f"{WEB_BASE}/{post_id}"

    def _path(self, edge: str) -> str:
        return f"/{GRAPH_VERSION}/{self.account.remote_id}/{edge}"

    def _upload(self, image: ImageFile, alt: str) -> str:
        fields = {"published": "false"}
        if alt.strip():
            fields["alt_text_custom"] = alt
        response = self._http.request(
            "POST",
            self._path("photos"),
            data=fields,
            files={"source": (image.filename, image.data, image.mime)},
        )
        photo_id = str(json_object(response).get("id") or "")
        if not photo_id:
            raise upload_refused("Facebook", "a photo")
        return photo_id


def regain_access_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until Facebook lifts a business-use-case rate limit: the largest
    ``estimated_time_to_regain_access`` (minutes) in ``X-Business-Use-Case-Usage``, capped;
    ``None`` when the header does not say."""
    raw = headers.get("x-business-use-case-usage") or headers.get("X-Business-Use-Case-Usage")
    try:
        usage = json.loads(raw) if raw else None
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else ())
        for entry in (entries if isinstance(entries, list) else ())
        if isinstance(entry, dict)
    ]
    waits = [float(m) * 60 for m in minutes if isinstance(m, int | float) and m > 0]
    return min(max(waits), MAX_RETRY_AFTER) if waits else None


def _problems(request: PublishRequest, images: list[ImageFile]) -> list[str]:
    problems = list(measure(request.text, "facebook").problems)
    problems += image_problems(
        images, max_count=MAX_IMAGES, max_bytes=MAX_IMAGE_BYTES, kinds=IMAGE_KINDS
    )
    return problems


def _error(response: requests.Response) -> dict[str, Any]:
    error = json_object(response).get("error")
    return error if isinstance(error, dict) else {}
