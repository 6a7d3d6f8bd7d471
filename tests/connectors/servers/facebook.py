"""A local Graph API server for one Facebook Page: photos, feed posts, listing, deleting.

Speaks the documented shapes (developers.facebook.com, "Pages API" and "Graph API"):
``POST /{version}/{page-id}/photos`` (multipart ``source``, ``published=false``) answers
``{"id"}``; ``POST /{version}/{page-id}/feed`` (form fields ``message``, ``link``,
``attached_media[n]={"media_fbid": …}``) answers ``{"id": "{page-id}_{post-id}"}``;
``GET /{version}/{page-id}/posts?since=…&fields=…`` answers ``{"data": [...], "paging"}`` newest
first; ``DELETE /{version}/{post-id}`` answers ``{"success": true}``. Errors are Graph's
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`` — mostly with HTTP
400, whatever happened (``graph_fault`` builds them: throttling codes, token errors…).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.connectors.facebook import GRAPH_VERSION
from tests.connectors.servers.faults import Fault, PlatformServer, json_response

PAGE_ID = "104729418716351"
TOKEN = "fb-page-token-1"

_ERRORS = {
    400: (100, "(#100) Invalid parameter"),
    401: (190, "Error validating access token: The session has been invalidated."),
    403: (200, "(#200) The user hasn't authorized the application to perform this action"),
    404: (803, "(#803) Some of the aliases you requested do not exist"),
    413: (100, "(#100) The photo file is too large"),
    422: (100, "(#100) The post could not be processed"),
    429: (4, "(#4) Application request limit reached"),
    500: (2, "An unexpected error has occurred. Please retry your request later."),
    503: (2, "Service temporarily unavailable"),
}


def graph_error(code: int, message: str, *, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEf0123",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def graph_fault(
    code: int,
    message: str,
    *,
    status: int = 400,
    subcode: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Fault:
    """A Graph error answer, by default with HTTP 400 as Graph sends most of them."""
    return Fault(status, graph_error(code, message, subcode=subcode), dict(headers or {}))


@dataclass(slots=True)
class PagePost:
    id: str
    message: str
    link: str
    photos: tuple[str, ...]
    created_time: datetime


class FacebookServer(PlatformServer):
    """The Graph API for the Page ``PAGE_ID``; ``tokens`` are the access tokens it accepts."""

    def __init__(self, http: HTTPServer, now: Callable[[], datetime]) -> None:
        super().__init__(http)
        self.now = now
        self.tokens = {TOKEN}
        self.posts: list[PagePost] = []
        self.photos: dict[str, tuple[bytes, str, bool]] = {}  # id -> bytes, alt text, published
        self._ids = itertools.count(122100000000000001)
        v = re.escape(GRAPH_VERSION)
        self.route("photos", "POST", rf"/{v}/(?P<page>\d+)/photos", self._photo)
        self.route("create", "POST", rf"/{v}/(?P<page>\d+)/feed", self._create)
        self.route("list", "GET", rf"/{v}/(?P<page>\d+)/posts", self._list)
        self.route("delete", "DELETE", rf"/{v}/(?P<id>\d+_\d+)", self._delete)

    def error_body(self, fault: Fault) -> Any:
        code, message = _ERRORS.get(fault.status, (1, "An unknown error occurred"))
        return graph_error(code, message)

    def url_of(self, post_id: str) -> str:
        return f"https://www.facebook.com/{PAGE_ID}/posts/{post_id.partition('_')[2]}"

    def _refused(self, request: Request, page: str | None = None) -> Response | None:
        if request.headers.get("Authorization") not in {f"Bearer {t}" for t in self.tokens}:
            body = graph_error(190, "Invalid OAuth access token - Cannot parse access token")
            return json_response(body, 400)
        if page is not None and page != PAGE_ID:
            return json_response(graph_error(*_ERRORS[404]), 404)
        return None

    def _photo(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._refused(request, match["page"])) is not None:
            return refused
        upload = request.files.get("source")
        if upload is None:
            return json_response(graph_error(324, "(#324) Requires upload file"), 400)
        photo_id = str(next(self._ids))
        published = request.form.get("published", "true") != "false"
        self.photos[photo_id] = (upload.read(), request.form.get("alt_text_custom", ""), published)
        return json_response({"id": photo_id})

    def _create(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._refused(request, match["page"])) is not None:
            return refused
        form = request.form
        attached = [
            json.loads(form[key])["media_fbid"]
            for key in sorted(k for k in form if k.startswith("attached_media["))
        ]
        if any(a not in self.photos for a in attached):
            return json_response(graph_error(100, "(#100) Invalid media_fbid"), 400)
        message = form.get("message", "")
        if self.posts and self.posts[-1].message == message and message:
            return json_response(graph_error(506, "(#506) Duplicate status message"), 400)
        post_id = f"{PAGE_ID}_{next(self._ids)}"
        self.posts.append(
            PagePost(post_id, message, form.get("link", ""), tuple(attached), self.now())
        )
        return json_response({"id": post_id})

    def _list(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._refused(request, match["page"])) is not None:
            return refused
        since = request.args.get("since")
        start = datetime.fromtimestamp(int(since), UTC) if since else None
        limit = int(request.args.get("limit", "25"))
        fields = set(request.args.get("fields", "id,message,created_time").split(","))
        found = [p for p in reversed(self.posts) if start is None or p.created_time >= start]
        data = []
        for post in found[:limit]:
            item = {
                "id": post.id,
                "message": post.message,
                "created_time": post.created_time.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink_url": self.url_of(post.id),
            }
            data.append({k: v for k, v in item.items() if k in fields and (v or k == "id")})
        return json_response({"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}})

    def _delete(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        post = next((p for p in self.posts if p.id == match["id"]), None)
        if post is None:
            message = (
                f"Unsupported delete request. Object with ID '{match['id']}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation."
            )
            return json_response(graph_error(100, message, subcode=33), 400)
        self.posts.remove(post)
        return json_response({"success": True})


def usage_header(minutes: int) -> dict[str, str]:
    """``X-Business-Use-Case-Usage`` as Graph sends it with a business-use-case rate limit."""
    usage = {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 30,
                "total_time": 40,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(usage)}
