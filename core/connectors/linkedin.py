"""LinkedIn company page: text and images through the Posts API, over requests.

For one connected organization (``Account.remote_id``: its id or ``urn:li:organization:…``;
the token has ``w_organization_social`` and ``r_organization_social``, which needs LinkedIn's
Community Management product). Every call names the API version (``LinkedIn-Version``) and
Rest.li 2.0.0 (``X-Restli-Protocol-Version``):

1. each image (the clean export) → ``POST /rest/images?action=initializeUpload`` (owner: the
   organization) answers an ``uploadUrl`` and the image URN → ``PUT`` the bytes there;
2. ``POST /rest/posts`` (author, ``commentary``, visibility ``PUBLIC``, main feed, one image as
   ``content.media`` or several as ``content.multiImage``) answers 201 with the post's URN in
   the ``x-restli-id`` header.

The commentary is LinkedIn's "little" text: ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved,
and LinkedIn silently cuts a post at the first one left unescaped. ``little_text`` escapes them
outside links, and leaves ``#word`` as it is so hashtags stay hashtags.

LinkedIn takes no idempotency key: ``find`` lists the organization's posts newest first
(``GET /rest/posts?q=author&author=…``) and compares the commentary, unescaped, with the text.
``withdraw`` is ``DELETE /rest/posts/{urn}``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

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
from core.platforms.links import find_links
from core.publishing.connectors import PublishRequest, RemotePost

API_BASE = "https://api.linkedin.com"
WEB_BASE = "https://www.linkedin.com"
LINKEDIN_VERSION = "202605"
"""The Posts API version (YYYYMM) every call names; LinkedIn sunsets a version after about a
year, so this moves forward with the app's releases."""
HEADERS = {"LinkedIn-Version": LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0"}
MAX_IMAGES = 20
"""A multi-image post takes 2 to 20 images."""
MAX_ALT_TEXT = 4086
IMAGE_KINDS = frozenset({"image/jpeg", "image/png", "image/gif"})
FIND_COUNT = 50

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_HASHTAG = re.compile(r"#(?=\w)")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\?#\|([^}]*)\}")
_ESCAPED = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")


def little_text(text: str) -> str:
    """``text`` as LinkedIn's "little" commentary: reserved characters backslash-escaped,
    except inside links and the ``#`` starting a hashtag."""
    out: list[str] = []
    links = find_links(text)
    position = 0
    for start, end in [*links, (len(text), len(text))]:
        for index in range(position, start):
            char = text[index]
            hashtag = char == "#" and _HASHTAG.match(text, index) is not None
            out.append("\\" + char if char in RESERVED and not hashtag else char)
        out.append(text[start:end])
        position = end
    return "".join(out)


def plain_text(commentary: str) -> str:
    """LinkedIn's commentary back as plain text: hashtag templates as ``#word``, escapes
    removed."""
    return _ESCAPED.sub(r"\1", _HASHTAG_TEMPLATE.sub(r"#\1", commentary))


class LinkedInConnector(RestConnector):
    """Publishes to one LinkedIn organization page. ``base_url`` (else ``Account.base_url``,
    else api.linkedin.com) points it at a local server in tests; ``http`` replaces the whole
    HTTP client."""

    platform = "linkedin"
    platform_name = "LinkedIn"
    api_base = API_BASE

    @property
    def author(self) -> str:
        """The organization's URN."""
        remote = self.account.remote_id.strip()
        return remote if remote.startswith("urn:li:") else f"urn:li:organization:{remote}"

    # --- the connector ---------------------------------------------------------------------
    def validate(self, request: PublishRequest) -> list[str]:
        """Problem codes LinkedIn would refuse the post for (``[]``: it may go)."""
        return validate_images(request, "linkedin", _problems)

    def publish(self, request: PublishRequest) -> RemotePost:
        media = upload_images(request, "LinkedIn", _problems, self._upload)
        body: dict[str, Any] = {
            "author": self.author,
            "commentary": little_text(request.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(media) == 1:
            body["content"] = {"media": media[0]}
        elif media:
            body["content"] = {"multiImage": {"images": media}}
        response = self._http.request("POST", "/rest/posts", json=body, headers=HEADERS)
        urn = response.headers.get("x-restli-id", "").strip()
        if not urn:
            raise no_post_id("LinkedIn")
        return RemotePost(urn, self.post_url(urn))

    def find(self, request: PublishRequest) -> RemotePost | None:
        since = lookup_since(request, self._clock.now())
        response = self._http.request(
            "GET",
            "/rest/posts",
            params={
                "author": self.author,
                "q": "author",
                "count": str(FIND_COUNT),
                "sortBy": "CREATED",
            },
            headers={**HEADERS, "X-RestLi-Method": "FINDER"},
        )
        for post in json_object(response).get("elements") or ():
            if not isinstance(post, dict) or _created(post) < since:
                continue
            if same_text(request.text, plain_text(str(post.get("commentary", "")))):
                urn = str(post["id"])
                return RemotePost(urn, self.post_url(urn))
        return None

    def withdraw(self, remote_id: str) -> bool:
        """Deletes the post; ``True`` also when LinkedIn no longer has it (404)."""
        response = self._http.request(
            "DELETE",
            f"/rest/posts/{quote(remote_id, safe='')}",
            headers={**HEADERS, "X-RestLi-Method": "DELETE"},
            accept=(404,),
        )
        return response.status_code in (200, 204, 404)

    # --- helpers -----------------------------------------------------------------------------
    def post_url(self, urn: str) -> str:
        return f"{WEB_BASE}/feed/update/{urn}/"

    def _upload(self, image: ImageFile, alt: str) -> dict[str, str]:
        """Uploads the image; its ``content`` entry for the post (the image URN and
        description)."""
        response = self._http.request(
            "POST",
            "/rest/images",
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": self.author}},
            headers=HEADERS,
        )
        value = json_object(response).get("value")
        value = value if isinstance(value, dict) else {}
        upload_url, urn = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not upload_url or not urn:
            raise upload_refused("LinkedIn")
        self._http.request("PUT", upload_url, data=image.data, headers={"Content-Type": image.mime})
        return _media(urn, alt)


def _problems(request: PublishRequest, images: list[ImageFile]) -> list[str]:
    problems = list(measure(request.text, "linkedin").problems)
    problems += image_problems(images, max_count=MAX_IMAGES, max_bytes=None, kinds=IMAGE_KINDS)
    if any(len(alt) > MAX_ALT_TEXT for alt in request.alt_texts):
        problems.append("alt_text_too_long")
    return problems


def _media(urn: str, alt: str) -> dict[str, str]:
    return {"id": urn, "altText": alt} if alt.strip() else {"id": urn}


def _created(post: dict[str, Any]) -> datetime:
    """When LinkedIn created the post (``createdAt``, epoch milliseconds)."""
    millis = post.get("createdAt")
    if not isinstance(millis, int | float):
        return datetime.max.replace(tzinfo=UTC)  # unknown: never excluded by the window
    return datetime.fromtimestamp(millis / 1000, UTC)
