"""A local LinkedIn REST server for one organization: Images API uploads and the Posts API.

Speaks the documented shapes (learn.microsoft.com, LinkedIn Marketing "Images API" and "Posts
API"): every ``/rest`` call needs ``LinkedIn-Version`` and ``X-Restli-Protocol-Version:
2.0.0``; ``POST /rest/images?action=initializeUpload`` answers ``{"value": {"uploadUrl",
"image", "uploadUrlExpiresAt"}}``; ``PUT`` to the upload URL stores the bytes;
``POST /rest/posts`` answers 201 with an empty body and the post's URN in ``x-restli-id``,
refusing a duplicate of an earlier post with 422 like LinkedIn; ``GET /rest/posts?q=author``
lists ``elements`` newest first; ``DELETE /rest/posts/{urn}`` answers 204. Like LinkedIn, a
commentary is cut at the first reserved character left unescaped outside a link (its "little"
text format), so a connector that forgets to escape loses text here too. Errors are
``{"status", "serviceErrorCode", "code", "message"}``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.platforms.links import find_links
from tests.connectors.servers.faults import Fault, PlatformServer, json_response

ORGANIZATION = "urn:li:organization:2414183"
TOKEN = "li-access-token-1"
TOKEN_AFTER_REFRESH = "li-access-token-2"

_MESSAGES = {
    400: ("ILLEGAL_ARGUMENT", "Invalid request body"),
    401: ("EMPTY_ACCESS_TOKEN", "Invalid access token"),
    403: ("ACCESS_DENIED", "Not enough permissions to access: partnerApiPostsExternal.CREATE"),
    404: ("NOT_FOUND", "Not Found"),
    413: ("REQUEST_TOO_LARGE", "Request entity too large"),
    422: ("UNPROCESSABLE_ENTITY", "ERROR :: /commentary :: is too long"),
    429: ("TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit reached"),
    500: ("INTERNAL_SERVER_ERROR", "Internal Server Error"),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable"),
}
_RESERVED = set("|{}@[]()<>*_~")


def li_error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"status": status, "serviceErrorCode": 100, "code": code, "message": message}


@dataclass(slots=True)
class OrgPost:
    urn: str
    commentary: str
    content: dict[str, Any]
    created_at: datetime


class LinkedInServer(PlatformServer):
    """LinkedIn for the organization ``ORGANIZATION``; ``tokens`` are the ones it accepts."""

    def __init__(self, http: HTTPServer, now: Callable[[], datetime]) -> None:
        super().__init__(http)
        self.now = now
        self.tokens = {TOKEN, TOKEN_AFTER_REFRESH}
        self.posts: list[OrgPost] = []
        self.images: dict[str, bytes | None] = {}  # image URN -> bytes (None: not uploaded)
        self._ids = itertools.count(7141790000000000001)
        self.route("initialize", "POST", "/rest/images", self._initialize)
        self.route("upload", "PUT", r"/dms-uploads/(?P<id>\d+)", self._upload)
        self.route("create", "POST", "/rest/posts", self._create)
        self.route("list", "GET", "/rest/posts", self._list)
        self.route("delete", "DELETE", r"/rest/posts/(?P<urn>urn:li:[a-zA-Z]+:\d+)", self._delete)

    def url_of(self, remote_id: str) -> str:
        return f"https://www.linkedin.com/feed/update/{remote_id}/"

    def error_body(self, fault: Fault) -> Any:
        code, message = _MESSAGES.get(fault.status, ("ERROR", "Error"))
        return li_error(fault.status, code, message)

    def _refused(self, request: Request, *, rest: bool = True) -> Response | None:
        if request.headers.get("Authorization") not in {f"Bearer {t}" for t in self.tokens}:
            return json_response(li_error(401, *_MESSAGES[401]), 401)
        if rest and not request.headers.get("LinkedIn-Version"):
            body = li_error(426, "VERSION_MISSING", "A version must be present.")
            return json_response(body, 426)
        if rest and request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return json_response(li_error(400, "ILLEGAL_ARGUMENT", "Rest.li 2.0.0 only"), 400)
        return None

    def _initialize(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        payload = request.get_json()
        owner = payload.get("initializeUploadRequest", {}).get("owner")
        if request.args.get("action") != "initializeUpload" or owner != ORGANIZATION:
            return json_response(li_error(400, *_MESSAGES[400]), 400)
        number = next(self._ids)
        urn = f"urn:li:image:C4E10AQ{number}"
        self.images[urn] = None
        value = {
            "uploadUrlExpiresAt": int(self.now().timestamp() * 1000) + 86_400_000,
            "uploadUrl": f"{self.base_url}/dms-uploads/{number}",
            "image": urn,
        }
        return json_response({"value": value})

    def _upload(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._refused(request, rest=False)) is not None:
            return refused
        urn = f"urn:li:image:C4E10AQ{match['id']}"
        if urn not in self.images:
            return json_response(li_error(404, *_MESSAGES[404]), 404)
        self.images[urn] = request.get_data()
        return Response(status=201)

    def _create(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        post = request.get_json()
        required = ("author", "commentary", "visibility", "distribution", "lifecycleState")
        if any(k not in post for k in required) or post["author"] != ORGANIZATION:
            return json_response(li_error(400, *_MESSAGES[400]), 400)
        content = post.get("content", {})
        media = content.get("multiImage", {}).get("images") or (
            [content["media"]] if "media" in content else []
        )
        if any(self.images.get(m.get("id")) is None for m in media):
            return json_response(li_error(400, "ILLEGAL_ARGUMENT", "Image not uploaded"), 400)
        commentary = _as_linkedin_keeps_it(post["commentary"])
        for earlier in self.posts:
            if earlier.commentary == commentary and commentary:
                message = f"Content is a duplicate of {earlier.urn}"
                return json_response(li_error(422, "DUPLICATE_POST", message), 422)
        urn = f"urn:li:share:{next(self._ids)}"
        self.posts.append(OrgPost(urn, commentary, content, self.now()))
        return Response(status=201, headers={"x-restli-id": urn})

    def _list(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        if request.args.get("q") != "author" or request.args.get("author") != ORGANIZATION:
            return json_response(li_error(400, *_MESSAGES[400]), 400)
        count = int(request.args.get("count", "10"))
        elements = [
            {
                "id": p.urn,
                "author": ORGANIZATION,
                "commentary": p.commentary,
                "visibility": "PUBLIC",
                "lifecycleState": "PUBLISHED",
                "createdAt": int(p.created_at.timestamp() * 1000),
                "lastModifiedAt": int(p.created_at.timestamp() * 1000),
                **({"content": p.content} if p.content else {}),
            }
            for p in reversed(self.posts)
        ][:count]
        paging = {"start": 0, "count": count, "links": []}
        return json_response({"elements": elements, "paging": paging})

    def _delete(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        post = next((p for p in self.posts if p.urn == match["urn"]), None)
        if post is None:
            return json_response(li_error(404, *_MESSAGES[404]), 404)
        self.posts.remove(post)
        return Response(status=204)


def _as_linkedin_keeps_it(commentary: str) -> str:
    """The commentary cut at the first reserved character left unescaped outside a link."""
    links = find_links(commentary)
    index = 0
    while index < len(commentary):
        inside = next((end for start, end in links if start <= index < end), None)
        if inside is not None:
            index = inside
            continue
        char = commentary[index]
        if char == "\\":
            index += 2
            continue
        if char in _RESERVED:
            return commentary[:index]
        index += 1
    return commentary
