"""Google Business Profile local posts through the Business Profile API (My Business v4).

A post goes to one location: ``POST {base}accounts/{a}/locations/{l}/localPosts`` with
``{languageCode, summary, topicType: STANDARD, callToAction: {actionType, url}}``; Google
answers with the ``LocalPost`` (its ``name`` is the remote id, ``searchUrl`` the live URL).

**Text only through the API.** A local post's photo must be given as ``media[].sourceUrl``: a
*public* web address Google fetches the picture from. The practice's clean exports live on the
front-desk PC, and putting patient photos on a public web server just to hand Google a link is
not something this app does. So ``validate`` refuses a post with images with the code
``public_url_needed`` and the composer offers copy-and-open for it instead (Google's own page
takes an upload), like Instagram and Threads.

Google also turns down posts whose text holds a phone number (DOMAIN.md): ``validate`` says
``phone_number`` before anything is sent, so the person is not surprised by a rejection later.

Exactly once: Google has no idempotency key for local posts, so ``find`` pages through the
location's posts (newest first) and matches the summary, normalised, among posts created since
the outbox entry was made (``PublishRequest.not_before`` when the outbox passes it; else the
last ``FIND_LOOKBACK``). ``withdraw`` deletes the post by its name; a post already gone counts
as withdrawn.

The account's ``remote_id`` is the location's v4 name, ``accounts/{account}/locations/{id}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.connectors.http import HttpClient
from core.connectors.rest import RestConnector
from core.publishing.connectors import (
    PermanentPublishError,
    PublishRequest,
    RemotePost,
)

if TYPE_CHECKING:
    from core.accounts.model import Account

API_BASE = "https://mybusiness.googleapis.com/v4/"
PLATFORM = "gbp"
LANGUAGE = "en-US"
NAME = "Google"
"""How messages name the platform ("Google could not find it: …")."""
CTA_TYPES = frozenset({"BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL"})
"""``callToAction.actionType`` values for a standard post; ``CALL`` takes no URL (Google
dials the location's phone number)."""
POST_PAGE = 100
"""Google's largest ``pageSize`` for localPosts.list."""
FIND_PAGES = 5
"""At most this many pages (500 posts) are looked through to reconcile one post."""
FIND_LOOKBACK = timedelta(days=3)
"""Without ``not_before``, posts older than this never count as the one being reconciled."""
_LOCATION = re.compile(r"accounts/[^/\s]+/locations/[^/\s]+")
_LOCAL_POST = re.compile(r"accounts/[^/\s]+/locations/[^/\s]+/localPosts/[^/\s]+")


def location_name(account: Account) -> str:
    """The account's location as Google names it; ``PermanentPublishError`` (code
    ``bad_location``) when the stored id is not a v4 location name."""
    name = account.remote_id.strip().strip("/")
    if not _LOCATION.fullmatch(name):
        raise PermanentPublishError(
            "This Google location is not connected properly: reconnect it in Settings → Accounts.",
            code="bad_location",
        )
    return name


def parse_time(value: object) -> datetime | None:
    """Google's RFC 3339 timestamps (``Z``, up to nanoseconds) as aware UTC datetimes."""
    if not isinstance(value, str) or not value:
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalised(text: str) -> str:
    """Text as compared when reconciling: whitespace runs as one space, trimmed."""
    return " ".join(text.split())


def pages(
    http: HttpClient, path: str, key: str, params: Mapping[str, str], limit: int
) -> Iterator[dict[str, Any]]:
    """Every item of a paged v4 list (``key`` holds the items), following ``nextPageToken``
    for at most ``limit`` pages (a repeated token ends it too)."""
    token = ""
    seen: set[str] = set()
    for _ in range(limit):
        query = dict(params)
        if token:
            query["pageToken"] = token
        body = http.request("GET", path, params=query).json()
        if not isinstance(body, dict):
            return
        for item in body.get(key) or ():
            if isinstance(item, dict):
                yield item
        token = str(body.get("nextPageToken") or "")
        if not token or token in seen:
            return
        seen.add(token)


class GbpConnector(RestConnector):
    """Publishes text-only local posts to one Google Business Profile location (see the
    module docstring)."""

    platform = PLATFORM
    platform_name = NAME
    api_base = API_BASE

    # --- before sending --------------------------------------------------------------------
    def validate(self, request: PublishRequest) -> list[str]:
        """Problem codes that stop this post going out through the API: the text's
        (``empty``, ``too_long``…), ``phone_number``, ``public_url_needed`` (it has photos),
        ``bad_call_to_action`` (an unknown button, or a button without an https link)."""
        from core.platforms import measure

        measured = measure(request.text, PLATFORM)
        problems = list(measured.problems)
        if "phone_number" in measured.warnings:
            problems.append("phone_number")
        if request.image_paths:
            problems.append("public_url_needed")
        options = _options(request)
        action = options.get("cta_type", "").strip().upper()
        url = options.get("cta_url", "").strip() or options.get("link", "").strip()
        if action and (
            action not in CTA_TYPES or (action != "CALL" and not url.lower().startswith("https://"))
        ):
            problems.append("bad_call_to_action")
        return problems

    def body(self, request: PublishRequest) -> dict[str, Any]:
        """The ``LocalPost`` sent for ``request``: a link alone becomes a "Learn more"
        button."""
        options = _options(request)
        post: dict[str, Any] = {
            "languageCode": options.get("language", "").strip() or LANGUAGE,
            "summary": request.text,
            "topicType": "STANDARD",
        }
        action = options.get("cta_type", "").strip().upper()
        url = options.get("cta_url", "").strip() or options.get("link", "").strip()
        if not action and url:
            action = "LEARN_MORE"
        if action == "CALL":
            post["callToAction"] = {"actionType": "CALL"}
        elif action:
            post["callToAction"] = {"actionType": action, "url": url}
        return post

    # --- the connector ---------------------------------------------------------------------
    def publish(self, request: PublishRequest) -> RemotePost:
        problems = self.validate(request)
        if problems:
            raise PermanentPublishError(_refusal(problems[0]), code=problems[0])
        location = location_name(self.account)
        response = self._http.request("POST", f"{location}/localPosts", json=self.body(request))
        post = response.json()
        remote = _remote(post) if isinstance(post, dict) else None
        if remote is None:
            raise PermanentPublishError(
                "Google accepted the post but did not say where it is; look at the profile "
                "before trying again.",
                code="bad_answer",
            )
        return remote

    def find(self, request: PublishRequest) -> RemotePost | None:
        """The location's post with this text created since the entry was made, if any."""
        location = location_name(self.account)
        not_before: datetime | None = getattr(request, "not_before", None)
        since = (not_before or self._clock.now() - FIND_LOOKBACK) - timedelta(minutes=5)
        wanted = normalised(request.text)
        params = {"pageSize": str(POST_PAGE)}
        for post in pages(self._http, f"{location}/localPosts", "localPosts", params, FIND_PAGES):
            created = parse_time(post.get("createTime"))
            if created is not None and created < since:
                return None  # newest first: the rest are older still
            if normalised(str(post.get("summary", ""))) == wanted:
                return _remote(post)
        return None

    def withdraw(self, remote_id: str) -> bool:
        """Delete the local post ``remote_id`` (its name); ``True`` also when it is gone
        already."""
        name = remote_id.strip().strip("/")
        if not _LOCAL_POST.fullmatch(name) or not name.startswith(
            location_name(self.account) + "/"
        ):
            raise PermanentPublishError(
                "This is not a post of the connected Google location.", code="bad_remote_id"
            )
        self._http.request("DELETE", name, accept=(404,))
        return True


def _options(request: PublishRequest) -> Mapping[str, str]:
    return request.options or {}


def _remote(post: Mapping[str, Any]) -> RemotePost | None:
    name = str(post.get("name") or "")
    if not name:
        return None
    return RemotePost(remote_id=name, url=str(post.get("searchUrl") or ""))


_REFUSALS = {
    "empty": "The post has no text.",
    "too_long": "The post is longer than Google allows (1,500 characters).",
    "phone_number": "Google turns down posts with a phone number in the text: take it out "
    "(a Call button can dial the practice instead).",
    "public_url_needed": "Google only takes a post's photo from a public web address: publish "
    "this one by hand (copy the text and upload the photo on Google's page).",
    "bad_call_to_action": "The post's button needs a known kind and an https:// link.",
}


def _refusal(code: str) -> str:
    return _REFUSALS.get(code, "Google's rules do not allow this post as it is.")
