"""A local Google Business Profile API (My Business v4) on 127.0.0.1 for the connector tests.

It speaks the documented endpoints and shapes the connectors use:

- ``POST   /v4/accounts/{a}/locations/{l}/localPosts`` (``LocalPost`` in, ``LocalPost`` out
  with ``name``, ``searchUrl``, ``state``, ``createTime``…);
- ``GET    /v4/accounts/{a}/locations/{l}/localPosts?pageSize&pageToken`` (newest first,
  ``localPosts`` + ``nextPageToken``; ``pageSize`` at most 100);
- ``DELETE /v4/accounts/{a}/locations/{l}/localPosts/{p}``;
- ``GET    /v4/accounts/{a}/locations/{l}/reviews?pageSize&pageToken&orderBy`` (``pageSize`` at
  most 50, ``orderBy`` ``updateTime desc`` by default; ``reviews``, ``averageRating``,
  ``totalReviewCount``, ``nextPageToken``);
- ``GET    /v4/accounts/{a}/locations/{l}/reviews/{r}``;
- ``PUT    /v4/accounts/{a}/locations/{l}/reviews/{r}/reply`` (``updateReply``: ``{comment}``
  in, ``ReviewReply`` ``{comment, updateTime}`` out; the one reply is replaced).

Errors come in Google's JSON shape ``{"error": {"code", "message", "status"}}``. Every request
is recorded (method, path, query, JSON body, Authorization header) so tests can assert exactly
what was sent. Faults are queued per operation (``fail``): an HTTP status with headers, a
``timeout`` (the work is done, the answer comes too late), or ``drop`` (the work is done, then
the connection is closed without an answer).
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

STAR_NAMES = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}
MAX_SUMMARY = 1500
_ERRORS = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: (
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
    ),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: ("NOT_FOUND", "Requested entity was not found."),
    429: ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    500: ("INTERNAL", "Internal error encountered."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
}
_LOCATION = r"/v4/(?P<location>accounts/[^/]+/locations/[^/]+)"
_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(_LOCATION + r"/localPosts"), "create_post"),
    ("GET", re.compile(_LOCATION + r"/localPosts"), "list_posts"),
    ("DELETE", re.compile(_LOCATION + r"/localPosts/(?P<id>[^/]+)"), "delete_post"),
    ("GET", re.compile(_LOCATION + r"/reviews"), "list_reviews"),
    ("GET", re.compile(_LOCATION + r"/reviews/(?P<id>[^/]+)"), "get_review"),
    ("PUT", re.compile(_LOCATION + r"/reviews/(?P<id>[^/]+)/reply"), "update_reply"),
)


def stamp(moment: datetime) -> str:
    """Google's timestamp form (RFC 3339, UTC, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Fault:
    """What the next call of an operation gets: ``status`` (with ``headers``), ``"timeout"``
    or ``"drop"`` (both after the server did the work)."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "status"
    message: str = ""


def status(code: int, message: str = "", **headers: str) -> Fault:
    return Fault(
        status=code, headers={k.replace("_", "-"): v for k, v in headers.items()}, message=message
    )


TIMEOUT = Fault(kind="timeout")
DROP = Fault(kind="drop")


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str
    operation: str


@dataclass
class _Location:
    posts: list[dict[str, Any]] = field(default_factory=list)
    """Newest first."""
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)


class GbpServer:
    """The fake GBP API over a running ``HTTPServer`` (see the module docstring).

    ``token`` is the access token it accepts; ``late`` how long a ``timeout`` fault waits
    before answering (longer than the client's read timeout); ``clock`` (anything with
    ``now()``) stamps what it creates, else a private clock ticking a second per change.
    """

    def __init__(
        self,
        server: HTTPServer,
        *,
        token: str = "gbp-token-1",
        late: float = 1.0,
        clock: Any = None,
    ) -> None:
        self.server = server
        self.token = token
        self.late = late
        self.requests: list[Seen] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._locations: dict[str, _Location] = defaultdict(_Location)
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()
        self.now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
        self.clock = clock
        server.expect_request(re.compile(r"^/v4/.*")).respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v4/")

    # --- arranging -------------------------------------------------------------------------
    def fail(self, operation: str, *faults: Fault) -> None:
        """Queue faults for the next calls of ``operation`` (``create_post``, ``list_posts``,
        ``delete_post``, ``list_reviews``, ``get_review``, ``update_reply``)."""
        self._faults[operation].extend(faults)

    def add_review(
        self,
        location: str,
        review_id: str,
        *,
        stars: int | None = 5,
        comment: str | None = "Friendly staff.",
        author: str = "Casey L.",
        created: datetime | None = None,
        updated: datetime | None = None,
        reply: str | None = None,
        anonymous: bool = False,
    ) -> str:
        """Add a review to ``location`` (``accounts/{a}/locations/{l}``); returns its name."""
        created = created or self.now
        name = f"{location}/reviews/{review_id}"
        review: dict[str, Any] = {
            "name": name,
            "reviewId": review_id,
            "reviewer": {"displayName": "" if anonymous else author, "isAnonymous": anonymous},
            "starRating": STAR_NAMES.get(stars or 0, "STAR_RATING_UNSPECIFIED"),
            "createTime": stamp(created),
            "updateTime": stamp(updated or created),
        }
        if comment is not None:
            review["comment"] = comment
        if reply is not None:
            review["reviewReply"] = {"comment": reply, "updateTime": stamp(updated or created)}
        with self._lock:
            self._locations[location].reviews[review_id] = review
        return name

    def posts(self, location: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._locations[location].posts)

    def review(self, name: str) -> dict[str, Any]:
        location, _, review_id = name.rpartition("/reviews/")
        with self._lock:
            return dict(self._locations[location].reviews[review_id])

    def seen(self, operation: str) -> list[Seen]:
        return [r for r in self.requests if r.operation == operation]

    # --- serving ---------------------------------------------------------------------------
    def _handle(self, request: Request) -> Response:
        operation, params = self._route(request)
        body: Any = None
        if request.data:
            try:
                body = json.loads(request.data)
            except ValueError:
                body = request.data.decode("utf-8", "replace")
        self.requests.append(
            Seen(
                request.method,
                request.path,
                dict(request.args.items()),
                body,
                request.headers.get("Authorization", ""),
                operation,
            )
        )
        if not operation:
            return _error(404)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401)
        with self._lock:
            fault = self._faults[operation].popleft() if self._faults[operation] else None
        if fault is not None and fault.kind == "status":
            return _error(fault.status, fault.message, fault.headers)
        response = getattr(self, "_" + operation)(request, body, **params)
        if fault is not None and fault.kind == "timeout":
            time.sleep(self.late)
        elif fault is not None and fault.kind == "drop":
            connection = request.environ["werkzeug.socket"]
            connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        return response

    def _tick(self) -> datetime:
        if self.clock is not None:
            moment: datetime = self.clock.now()
            return moment
        self.now += timedelta(seconds=1)
        return self.now

    def add_post(self, location: str, summary: str, created: datetime) -> str:
        """A post made elsewhere (Google's own page, another tool); returns its name."""
        post_id = str(next(self._ids))
        name = f"{location}/localPosts/{post_id}"
        post = {
            "name": name,
            "summary": summary,
            "languageCode": "en-US",
            "topicType": "STANDARD",
            "state": "LIVE",
            "searchUrl": f"https://local.google.com/place?use=posts&lpsid={post_id}",
            "createTime": stamp(created),
            "updateTime": stamp(created),
        }
        with self._lock:
            posts = self._locations[location].posts
            posts.append(post)
            posts.sort(key=lambda p: p["createTime"], reverse=True)
        return name

    @staticmethod
    def _route(request: Request) -> tuple[str, dict[str, str]]:
        for method, pattern, operation in _ROUTES:
            match = pattern.fullmatch(request.path)
            if match and request.method == method:
                return operation, match.groupdict()
        return "", {}

    def _create_post(self, _request: Request, body: Any, *, location: str) -> Response:
        if not isinstance(body, dict):
            return _error(400)
        summary = body.get("summary", "")
        if not isinstance(summary, str) or len(summary) > MAX_SUMMARY:
            return _error(400, "Invalid argument: summary is too long.")
        for item in body.get("media", []):
            if not str(item.get("sourceUrl", "")).startswith("https://"):
                return _error(400, "Invalid media: sourceUrl must be a public URL.")
        post_id = str(next(self._ids))
        now = self._tick()
        post = {
            **body,
            "name": f"{location}/localPosts/{post_id}",
            "state": "LIVE",
            "searchUrl": f"https://local.google.com/place?use=posts&lpsid={post_id}",
            "createTime": stamp(now),
            "updateTime": stamp(now),
        }
        with self._lock:
            posts = self._locations[location].posts
            posts.insert(0, post)
            posts.sort(key=lambda p: p["createTime"], reverse=True)
        return _json(post)

    def _list_posts(self, request: Request, _body: Any, *, location: str) -> Response:
        size = min(int(request.args.get("pageSize", "20") or 20), 100)
        start = int(request.args.get("pageToken", "0") or 0)
        with self._lock:
            posts = list(self._locations[location].posts)
        page: dict[str, Any] = {"localPosts": posts[start : start + size]}
        if start + size < len(posts):
            page["nextPageToken"] = str(start + size)
        return _json(page if page["localPosts"] else {})

    def _delete_post(self, _request: Request, _body: Any, *, location: str, id: str) -> Response:
        name = f"{location}/localPosts/{id}"
        with self._lock:
            posts = self._locations[location].posts
            if not any(p["name"] == name for p in posts):
                return _error(404)
            posts[:] = [p for p in posts if p["name"] != name]
        return _json({})

    def _list_reviews(self, request: Request, _body: Any, *, location: str) -> Response:
        size = min(int(request.args.get("pageSize", "50") or 50), 50)
        start = int(request.args.get("pageToken", "0") or 0)
        order = request.args.get("orderBy", "updateTime desc")
        with self._lock:
            reviews = list(self._locations[location].reviews.values())
        if order != "updateTime desc":
            return _error(400, "Invalid argument: orderBy.")
        reviews.sort(key=lambda r: (r["updateTime"], r["reviewId"]), reverse=True)
        stars = [n for r in reviews for n, s in STAR_NAMES.items() if s == r["starRating"]]
        page: dict[str, Any] = {
            "reviews": reviews[start : start + size],
            "totalReviewCount": len(reviews),
        }
        if stars:
            page["averageRating"] = round(sum(stars) / len(stars), 1)
        if start + size < len(reviews):
            page["nextPageToken"] = str(start + size)
        return _json(page)

    def _get_review(self, _request: Request, _body: Any, *, location: str, id: str) -> Response:
        with self._lock:
            review = self._locations[location].reviews.get(id)
        return _json(review) if review is not None else _error(404)

    def _update_reply(self, _request: Request, body: Any, *, location: str, id: str) -> Response:
        comment = body.get("comment") if isinstance(body, dict) else None
        if not isinstance(comment, str) or not comment.strip():
            return _error(400, "Invalid argument: comment.")
        with self._lock:
            review = self._locations[location].reviews.get(id)
            if review is None:
                return _error(404)
            reply = {"comment": comment, "updateTime": stamp(self._tick())}
            review["reviewReply"] = reply
        return _json(reply)


def _json(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data), status=status_code, headers=headers, content_type="application/json"
    )


def _error(code: int, message: str = "", headers: dict[str, str] | None = None) -> Response:
    name, default = _ERRORS.get(code, ("UNKNOWN", "Unknown error."))
    error = {"error": {"code": code, "message": message or default, "status": name}}
    return _json(error, code, headers)
