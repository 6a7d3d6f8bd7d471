"""A local X API v2 server: media upload and metadata, create, list and delete posts.

Speaks the documented shapes (docs.x.com, "X API v2"): ``POST /2/media/upload`` (multipart
``media`` + ``media_category``) answers ``{"data": {"id", "media_key", "size", ...}}``;
``POST /2/media/metadata`` sets alt text; ``POST /2/tweets`` ``{"text", "media": {"media_ids"}}``
answers 201 ``{"data": {"id", "text", "edit_history_tweet_ids"}}`` and refuses duplicate text
with 403 like X does; ``GET /2/users/:id/tweets`` lists the user's posts newest first from
``start_time``; ``DELETE /2/tweets/:id``. Like X, the stored text has its links replaced by
``https://t.co/…`` links, a ``t.co`` link for attached media appended, and ``& < >`` escaped as
HTML entities — so reconciliation has to compare texts the way X gives them back. Errors are
RFC 7807 problem documents; 429 carries ``x-rate-limit-*`` headers.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.platforms.links import find_links
from tests.connectors.servers.faults import Fault, PlatformServer, epoch_in, json_response

USER_ID = "1580661436132757506"
HANDLE = "maplegrovedental"
TOKEN = "x-access-token-1"
TOKEN_AFTER_REFRESH = "x-access-token-2"

_TITLES = {
    400: ("Invalid Request", "One or more parameters to your request was invalid."),
    401: ("Unauthorized", "Unauthorized"),
    403: ("Forbidden", "You are not permitted to perform this action."),
    404: ("Not Found Error", "Could not find the requested resource."),
    413: ("Payload Too Large", "The media file is too large."),
    422: ("Unprocessable Entity", "The request could not be processed."),
    429: ("Too Many Requests", "Too Many Requests"),
    500: ("Internal Server Error", "Something went wrong."),
    503: ("Service Unavailable", "Service Unavailable"),
}


@dataclass(slots=True)
class Tweet:
    id: str
    text: str
    created_at: datetime
    media_ids: tuple[str, ...]


class XServer(PlatformServer):
    """X for one user (``USER_ID``); ``tokens`` are the access tokens it accepts."""

    def __init__(self, http: HTTPServer, now: Callable[[], datetime]) -> None:
        super().__init__(http)
        self.now = now
        self.tokens = {TOKEN, TOKEN_AFTER_REFRESH}
        self.tweets: list[Tweet] = []
        self.media: dict[str, tuple[bytes, str]] = {}  # id -> (bytes, alt text)
        self._ids = itertools.count(1880028106020515840)
        self.route("upload", "POST", "/2/media/upload", self._upload)
        self.route("metadata", "POST", "/2/media/metadata", self._metadata)
        self.route("create", "POST", "/2/tweets", self._create)
        self.route("list", "GET", r"/2/users/(?P<user>\d+)/tweets", self._list)
        self.route("delete", "DELETE", r"/2/tweets/(?P<id>\d+)", self._delete)

    def url_of(self, remote_id: str) -> str:
        return f"https://x.com/{HANDLE}/status/{remote_id}"

    def error_body(self, fault: Fault) -> Any:
        title, detail = _TITLES.get(fault.status, ("Error", "Error"))
        return _problem(fault.status, title, detail)

    def _authorized(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") not in {f"Bearer {t}" for t in self.tokens}:
            return json_response(_problem(401, "Unauthorized", "Unauthorized"), 401)
        return None

    def _upload(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        upload = request.files.get("media")
        if upload is None or request.form.get("media_category") != "tweet_image":
            return json_response(_problem(400, *_TITLES[400]), 400)
        data = upload.read()
        media_id = str(next(self._ids))
        self.media[media_id] = (data, "")
        body = {
            "data": {
                "id": media_id,
                "media_key": f"3_{media_id}",
                "size": len(data),
                "expires_after_secs": 86400,
                "image": {"image_type": upload.mimetype or "image/jpeg", "w": 4, "h": 4},
            }
        }
        return json_response(body)

    def _metadata(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        payload = request.get_json()
        media_id = str(payload.get("id", ""))
        alt = payload.get("metadata", {}).get("alt_text", {}).get("text")
        if media_id not in self.media or not isinstance(alt, str):
            return json_response(_problem(400, *_TITLES[400]), 400)
        self.media[media_id] = (self.media[media_id][0], alt)
        body = {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
        return json_response(body)

    def _create(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        payload = request.get_json()
        text = payload.get("text", "")
        media_ids = tuple(payload.get("media", {}).get("media_ids", ()))
        if any(m not in self.media for m in media_ids) or len(media_ids) > 4:
            return json_response(_problem(400, *_TITLES[400]), 400)
        stored = _as_x_stores_it(text, bool(media_ids))
        if any(t.text == stored for t in self.tweets):
            detail = "You are not allowed to create a Tweet with duplicate content."
            return json_response(_problem(403, "Forbidden", detail), 403)
        tweet = Tweet(str(next(self._ids)), stored, self.now(), media_ids)
        self.tweets.append(tweet)
        body = {"data": {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}}
        return json_response(body, 201)

    def _list(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        if match["user"] != USER_ID:
            return json_response(_problem(404, *_TITLES[404]), 404)
        start = request.args.get("start_time")
        since = datetime.fromisoformat(start.replace("Z", "+00:00")) if start else None
        limit = int(request.args.get("max_results", "10"))
        found = [t for t in reversed(self.tweets) if since is None or t.created_at >= since]
        found = found[:limit]
        if not found:
            return json_response({"meta": {"result_count": 0}})
        data = [
            {
                "id": t.id,
                "text": t.text,
                "created_at": t.created_at.isoformat(timespec="milliseconds").replace(
                    "+00:00", "Z"
                ),
                "edit_history_tweet_ids": [t.id],
            }
            for t in found
        ]
        meta = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        return json_response({"data": data, "meta": meta})

    def _delete(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        tweet = next((t for t in self.tweets if t.id == match["id"]), None)
        if tweet is None:
            detail = f"Could not find tweet with id: [{match['id']}]."
            return json_response(_problem(404, "Not Found Error", detail), 404)
        self.tweets.remove(tweet)
        return json_response({"data": {"deleted": True}})


def _problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"title": title, "detail": detail, "type": "about:blank", "status": status}


def _as_x_stores_it(text: str, with_media: bool) -> str:
    """Links (found as X finds them: twitter-text) become t.co links, media adds one at the
    end, ``& < >`` become entities."""
    slugs = itertools.count(1)
    parts, last = [], 0
    for start, end in find_links(text):
        parts += [html.escape(text[last:start], False), f"https://t.co/Ab{next(slugs):08d}"]
        last = end
    stored = "".join([*parts, html.escape(text[last:], False)])
    if with_media:
        stored = f"{stored} https://t.co/Md{next(slugs):08d}"
    return stored


def rate_limit_headers(reset_in: float) -> dict[str, str | Callable[[], str]]:
    """The headers X sends with a 429: the window's limit, what is left, and when it resets
    (``reset_in`` seconds from the answer, as epoch seconds)."""
    return {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": epoch_in(reset_in),
    }
