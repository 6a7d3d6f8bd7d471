"""A local Mastodon server: media upload, statuses (with Idempotency-Key), the account's
statuses, delete, verify_credentials.

Speaks the documented shapes (docs.joinmastodon.org, "methods/media", "methods/statuses",
"methods/accounts"): ``POST /api/v2/media`` (and the older ``/api/v1/media``, multipart ``file`` +
``description``) answers a MediaAttachment; ``POST /api/v1/statuses`` (form fields ``status``,
``media_ids[]``, ``spoiler_text``, ``visibility``) answers a Status and, like Mastodon, answers a
repeated ``Idempotency-Key`` of the same account within an hour with the status it already
made; ``GET /api/v1/accounts/:id/statuses?limit=`` lists newest first; ``DELETE
/api/v1/statuses/:id`` answers the deleted status with its source ``text``. Like Mastodon, a
status's ``content`` is HTML: paragraphs, ``<br />``, links shortened with hidden ``<span
class="invisible">`` parts, hashtags and mentions as links (``@user@server`` shows as
``@user``). Errors are ``{"error": "…"}``; a 429 carries ``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.connectors.servers.faults import Fault, PlatformServer, json_response

ACCOUNT_ID = "109384767213857491"
USERNAME = "maplegrove"
TOKEN = "mastodon-access-token-1"
MAX_CHARACTERS = 500
IDEMPOTENCY_WINDOW = timedelta(hours=1)

_ERRORS = {
    400: "Bad request",
    401: "The access token is invalid",
    403: "This action is not allowed",
    404: "Record not found",
    413: "File is too large",
    422: "Validation failed: Text can't be blank",
    429: "Too many requests",
    500: "We're sorry, but something went wrong on our end.",
    503: "Service Unavailable",
}
_TOKEN_RE = re.compile(
    r"(?P<url>https?://[^\s<]+[^\s<.,;:!?)])|(?<![\w/])#(?P<tag>\w+)|(?<![\w@])@(?P<user>\w+)(?:@(?P<host>[\w.-]+\w))?"
)


@dataclass(slots=True)
class Status:
    id: str
    text: str
    spoiler_text: str
    visibility: str
    media_ids: tuple[str, ...]
    created_at: datetime
    idempotency_key: str = ""


@dataclass(slots=True)
class Media:
    id: str
    data: bytes
    description: str
    mime: str
    attached: bool = False


class MastodonServer(PlatformServer):
    """One Mastodon account (``ACCOUNT_ID``) whose access token is ``token``."""

    def __init__(self, http: HTTPServer, now: Callable[[], datetime]) -> None:
        super().__init__(http)
        self.now = now
        self.token = TOKEN
        self.statuses: list[Status] = []
        self.media: dict[str, Media] = {}
        self._ids = itertools.count(113000000000000001)
        for name, path in (("media", "/api/v2/media"), ("media_v1", "/api/v1/media")):
            self.route(name, "POST", path, self._media)
        self.route("status", "POST", "/api/v1/statuses", self._post_status)
        self.route("statuses", "GET", r"/api/v1/accounts/(?P<id>\d+)/statuses", self._list)
        self.route("delete", "DELETE", r"/api/v1/statuses/(?P<id>\d+)", self._delete)
        self.route("verify", "GET", "/api/v1/accounts/verify_credentials", self._verify)

    def error_body(self, fault: Fault) -> Any:
        return {"error": _ERRORS.get(fault.status, "Error")}

    # --- what the tests look at --------------------------------------------------------------
    def status_urls(self) -> list[str]:
        return [self._url(s) for s in self.statuses]

    def post_status(self, text: str, *, at: datetime, media: int = 0) -> Status:
        """A status the account made some other way (an older post with the same text)."""
        status = Status(str(next(self._ids)), text, "", "public", (), at)
        status.media_ids = tuple(self._stored_media(b"\xff\xd8old", "") for _ in range(media))
        self.statuses.append(status)
        return status

    # --- the endpoints -----------------------------------------------------------------------
    def _authorized(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return json_response({"error": "The access token is invalid"}, 401)
        return None

    def _media(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        upload = request.files.get("file")
        if upload is None:
            return json_response({"error": "Validation failed: File can't be blank"}, 422)
        data = upload.read()
        if not data.startswith((b"\xff\xd8", b"\x89PNG")):
            return json_response(
                {
                    "error": "Validation failed: File has contents that are not what they "
                    "are reported to be"
                },
                422,
            )
        media_id = self._stored_media(data, request.form.get("description", ""))
        return json_response(self._attachment(self.media[media_id]))

    def _stored_media(self, data: bytes, description: str) -> str:
        media_id = str(next(self._ids))
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        self.media[media_id] = Media(media_id, data, description, mime)
        return media_id

    def _post_status(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        key = request.headers.get("Idempotency-Key", "")
        now = self.now()
        if key:
            for status in self.statuses:
                if status.idempotency_key == key and now - status.created_at < IDEMPOTENCY_WINDOW:
                    return json_response(self._status(status))
        form = request.form
        text = form.get("status", "")
        media_ids = tuple(form.getlist("media_ids[]"))
        if not text.strip() and not media_ids:
            return json_response({"error": "Validation failed: Text can't be blank"}, 422)
        if len(text) + len(form.get("spoiler_text", "")) > MAX_CHARACTERS:
            return json_response(
                {"error": f"Validation failed: Text character limit of {MAX_CHARACTERS} exceeded"},
                422,
            )
        if len(media_ids) > 4:
            return json_response(
                {"error": "Validation failed: Media attachments are too many"}, 422
            )
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media.attached:
                return json_response({"error": "Record not found"}, 404)
        for media_id in media_ids:
            self.media[media_id].attached = True
        visibility = form.get("visibility", "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return json_response(
                {"error": "Validation failed: Visibility is not included in the list"}, 422
            )
        status = Status(
            str(next(self._ids)),
            text,
            form.get("spoiler_text", ""),
            visibility,
            media_ids,
            now,
            key,
        )
        self.statuses.append(status)
        return json_response(self._status(status))

    def _list(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        if match["id"] != ACCOUNT_ID:
            return json_response({"error": "Record not found"}, 404)
        limit = min(int(request.args.get("limit", "20")), 40)
        newest = sorted(self.statuses, key=lambda s: s.created_at, reverse=True)[:limit]
        return json_response([self._status(s) for s in newest])

    def _delete(self, request: Request, match: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        status = next((s for s in self.statuses if s.id == match["id"]), None)
        if status is None:
            return json_response({"error": "Record not found"}, 404)
        self.statuses.remove(status)
        return json_response({**self._status(status), "text": status.text})

    def _verify(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        return json_response(self._account())

    # --- the JSON shapes ---------------------------------------------------------------------
    def _url(self, status: Status) -> str:
        return f"{self.base_url}/@{USERNAME}/{status.id}"

    def _account(self) -> dict[str, Any]:
        return {
            "id": ACCOUNT_ID,
            "username": USERNAME,
            "acct": USERNAME,
            "display_name": "Maple Grove Family Dental",
            "url": f"{self.base_url}/@{USERNAME}",
            "created_at": "2022-11-07T00:00:00.000Z",
            "locked": False,
            "bot": False,
            "note": "",
            "followers_count": 120,
            "following_count": 10,
            "statuses_count": len(self.statuses),
        }

    def _attachment(self, media: Media) -> dict[str, Any]:
        return {
            "id": media.id,
            "type": "image",
            "url": f"{self.base_url}/system/media_attachments/{media.id}.jpg",
            "preview_url": f"{self.base_url}/system/media_attachments/{media.id}_small.jpg",
            "remote_url": None,
            "description": media.description or None,
            "blurhash": "UFBWY:8_0Jxv%MoLt6WB4nM{%MRj~qxuM{WB",
            "meta": {},
        }

    def _status(self, status: Status) -> dict[str, Any]:
        return {
            "id": status.id,
            "uri": f"{self.base_url}/users/{USERNAME}/statuses/{status.id}",
            "url": self._url(status),
            "created_at": status.created_at.isoformat().replace("+00:00", "Z"),
            "account": self._account(),
            "content": self.render(status.text),
            "visibility": status.visibility,
            "sensitive": bool(status.spoiler_text),
            "spoiler_text": status.spoiler_text,
            "media_attachments": [self._attachment(self.media[m]) for m in status.media_ids],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": 0,
            "in_reply_to_id": None,
            "reblog": None,
            "language": "en",
        }

    def render(self, text: str) -> str:
        """Mastodon's HTML for a status's text."""
        paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p]
        return "".join(f"<p>{self._line(p)}</p>" for p in paragraphs)

    def _line(self, text: str) -> str:
        out: list[str] = []
        last = 0
        for match in _TOKEN_RE.finditer(text):
            out.append(html.escape(text[last : match.start()]))
            last = match.end()
            if match["url"]:
                out.append(_link(match["url"]))
            elif match["tag"]:
                tag = match["tag"]
                out.append(
                    f'<a href="{self.base_url}/tags/{tag.lower()}" class="mention hashtag" '
                    f'rel="tag">#<span>{html.escape(tag)}</span></a>'
                )
            else:
                host = match["host"] or self.base_url.split("//")[1]
                out.append(
                    f'<span class="h-card" translate="no"><a href="https://{host}/@{match["user"]}"'
                    f' class="u-url mention">@<span>{html.escape(match["user"])}</span></a></span>'
                )
        out.append(html.escape(text[last:]))
        return "".join(out).replace("\n", "<br />")


def _link(url: str) -> str:
    scheme, rest = url.split("://", 1)
    shown, hidden = rest[:30], rest[30:]
    ellipsis = ' class="ellipsis"' if hidden else ""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener noreferrer" '
        f'translate="no"><span class="invisible">{scheme}://</span>'
        f"<span{ellipsis}>{html.escape(shown)}</span>"
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )
