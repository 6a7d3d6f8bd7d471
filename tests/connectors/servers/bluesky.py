"""A local Bluesky PDS: sessions, handle resolution, blobs and post records over XRPC.

Speaks the documented lexicons (atproto.com, ``com.atproto.*``): ``server.createSession``
(identifier + app password) and ``server.refreshSession`` (the refresh JWT as bearer; it is
spent: Bluesky rotates refresh tokens) answer ``{accessJwt, refreshJwt, handle, did}`` with
JWT-shaped tokens carrying ``exp``; ``identity.resolveHandle`` answers ``{did}`` or 400
``InvalidRequest``; ``repo.uploadBlob`` takes the raw bytes and answers a blob ref;
``repo.createRecord`` takes ``{repo, collection, rkey, record}``, checks the rkey is a TID, the
text at most 300 graphemes and every image blob at most 1,000,000 bytes, and — like the real
PDS (bluesky-social/atproto#3718) — answers 500 ``InternalServerError`` when the rkey is taken;
``repo.getRecord`` answers the record or 400 ``RecordNotFound``; ``repo.deleteRecord`` answers
200 whether or not the record was there. An expired access token gets 400 ``ExpiredToken``, an
unknown one 401 ``InvalidToken``. Errors are ``{"error", "message"}``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.connectors.servers.faults import Fault, PlatformServer, json_response

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
HANDLE = "maplegrove.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
ACCESS_LIFETIME = timedelta(hours=2)
MAX_BLOB = 1_000_000
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_ERRORS = {
    400: ("InvalidRequest", "Input/record is invalid"),
    401: ("AuthenticationRequired", "Authentication Required"),
    403: ("Forbidden", "This account cannot do that"),
    404: ("XRPCNotSupported", "XRPCNotSupported"),
    413: ("PayloadTooLarge", "request entity too large"),
    422: ("InvalidRequest", "Unprocessable"),
    429: ("RateLimitExceeded", "Rate Limit Exceeded"),
    500: ("InternalServerError", "Internal Server Error"),
    503: ("ServiceUnavailable", "Service Unavailable"),
}


def jwt(payload: dict[str, Any]) -> str:
    """A token shaped like the PDS's (header.payload.signature, base64url)."""

    def part(value: Any) -> str:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signature = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).digest()
    return ".".join((part({"typ": "at+jwt", "alg": "ES256K"}), part(payload), part(signature)))


@dataclass(slots=True)
class StoredRecord:
    rkey: str
    value: dict[str, Any]
    cid: str


class BlueskyServer(PlatformServer):
    """One PDS holding one account (``DID``, ``HANDLE``); ``handles`` is what
    ``resolveHandle`` knows."""

    def __init__(self, http: HTTPServer, now: Callable[[], datetime]) -> None:
        super().__init__(http)
        self.now = now
        self.records: dict[str, StoredRecord] = {}
        self.blobs: dict[str, tuple[bytes, str]] = {}
        self.handles = {HANDLE: DID, "drlee.bsky.social": "did:plc:drleeabcdefghijklmnopqr"}
        self.access: dict[str, datetime] = {}  # valid access JWTs and their expiry
        self.refresh: set[str] = set()  # refresh JWTs not yet spent
        self._serial = itertools.count(1)
        xrpc = "/xrpc/com.atproto."
        self.route("create_session", "POST", f"{xrpc}server.createSession", self._create_session)
        self.route("refresh", "POST", f"{xrpc}server.refreshSession", self._refresh)
        self.route("resolve", "GET", f"{xrpc}identity.resolveHandle", self._resolve)
        self.route("upload", "POST", f"{xrpc}repo.uploadBlob", self._upload)
        self.route("create", "POST", f"{xrpc}repo.createRecord", self._create)
        self.route("get", "GET", f"{xrpc}repo.getRecord", self._get)
        self.route("delete", "POST", f"{xrpc}repo.deleteRecord", self._delete)

    def error_body(self, fault: Fault) -> Any:
        error, message = _ERRORS.get(fault.status, ("InternalServerError", "Error"))
        return {"error": error, "message": message}

    # --- sessions ------------------------------------------------------------------------------
    def session(self, *, expires_in: timedelta = ACCESS_LIFETIME) -> dict[str, str]:
        """A new session for the account (what createSession and refreshSession answer)."""
        now = self.now()
        serial = next(self._serial)
        expiry = now + expires_in
        access = jwt(
            {
                "scope": "com.atproto.appPass",
                "sub": DID,
                "iat": int(now.timestamp()),
                "exp": int(expiry.timestamp()),
                "n": serial,
            }
        )
        refresh = jwt({"scope": "com.atproto.refresh", "sub": DID, "jti": f"r{serial}"})
        self.access[access] = expiry
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": DID}

    def _create_session(self, request: Request, _: re.Match[str]) -> Response:
        body = request.get_json(silent=True) or {}
        if body.get("identifier") not in (HANDLE, DID) or body.get("password") != APP_PASSWORD:
            return _xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return json_response(self.session())

    def _refresh(self, request: Request, _: re.Match[str]) -> Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.refresh:
            return _xrpc_error(400, "ExpiredToken", "Token has been revoked")
        self.refresh.discard(token)
        return json_response(self.session())

    def _authorized(self, request: Request) -> Response | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.access:
            return _xrpc_error(401, "InvalidToken", "Token could not be verified")
        if self.access[token] <= self.now():
            return _xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    # --- identity and repository ---------------------------------------------------------------
    def _resolve(self, request: Request, _: re.Match[str]) -> Response:
        did = self.handles.get(request.args.get("handle", "").lower())
        if did is None:
            return _xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return json_response({"did": did})

    def _upload(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        data = request.get_data()
        mime = (
            "image/png"
            if data.startswith(b"\x89PNG")
            else "image/jpeg"
            if data.startswith(b"\xff\xd8")
            else "application/octet-stream"
        )
        cid = _cid(data)
        self.blobs[cid] = (data, mime)
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        return json_response({"blob": blob})

    def _create(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        body = request.get_json(silent=True) or {}
        rkey, record = str(body.get("rkey") or ""), body.get("record") or {}
        if body.get("repo") not in (DID, HANDLE) or body.get("collection") != "app.bsky.feed.post":
            return _xrpc_error(400, "InvalidRequest", "Invalid repo or collection")
        if not _TID.match(rkey):
            return _xrpc_error(400, "InvalidRequest", "Invalid record key: must be a TID")
        if len(str(record.get("text", ""))) > 300:
            return _xrpc_error(400, "InvalidRequest", "Record/text must not be longer than 300")
        for n, image in enumerate((record.get("embed") or {}).get("images") or []):
            stored = self.blobs.get(image["image"]["ref"]["$link"])
            if stored is None:
                return _xrpc_error(400, "InvalidRequest", f"Could not find blob of image {n}")
            if len(stored[0]) > MAX_BLOB:
                return _xrpc_error(
                    400, "InvalidRequest", f"Record/embed/images/{n}/image file too big"
                )
        if rkey in self.records:
            return _xrpc_error(500, "InternalServerError", "Internal Server Error")
        cid = _cid(json.dumps(record, sort_keys=True).encode())
        self.records[rkey] = StoredRecord(rkey, record, cid)
        return json_response(
            {
                "uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
                "cid": cid,
                "commit": {"cid": _cid(cid.encode()), "rev": rkey},
                "validationStatus": "valid",
            }
        )

    def _get(self, request: Request, _: re.Match[str]) -> Response:
        rkey = request.args.get("rkey", "")
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        stored = self.records.get(rkey)
        if request.args.get("repo") not in (DID, HANDLE) or stored is None:
            return _xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_response({"uri": uri, "cid": stored.cid, "value": stored.value})

    def _delete(self, request: Request, _: re.Match[str]) -> Response:
        if (refused := self._authorized(request)) is not None:
            return refused
        body = request.get_json(silent=True) or {}
        if body.get("repo") not in (DID, HANDLE):
            return _xrpc_error(400, "InvalidRequest", "Invalid repo")
        self.records.pop(str(body.get("rkey")), None)
        return json_response({"commit": {"cid": _cid(b"delete"), "rev": "x"}})


def _cid(data: bytes) -> str:
    """A CID-looking content id (base32 of the hash, prefixed like a CIDv1)."""
    digest = base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")
    return f"bafkrei{digest[:52]}"


def _xrpc_error(status: int, error: str, message: str) -> Response:
    return json_response({"error": error, "message": message}, status)
