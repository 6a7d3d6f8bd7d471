"""Who a fresh sign-in belongs to: the remote account(s) a token may post as.

One sign-in can give several accounts: a Facebook user manages several Pages (each with its own
Page token), a Google user several Business Profile locations, a LinkedIn member several
company pages. Each ``Identity`` is one choice; the person picks the ones the practice posts to
(``AccountService.sign_in`` → ``connect``). Every call goes through ``HttpClient`` (timeouts,
typed errors); the sign-in's token goes as a header, never in a message or a log.

``api_base`` is the platform's API base as the connectors use it (``resources/oauth.json``,
or a local server in tests):

- X: ``GET /2/users/me``;
- Facebook: ``GET /{GRAPH_VERSION}/me/accounts?fields=id,name,access_token,tasks`` (paged) —
  the Pages the person manages, each with its PAGE access token (what the connector publishes
  with); Pages where the person may not create content are left out;
- LinkedIn: ``GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED``
  (paged), then ``GET /rest/organizations/{id}`` for each organization's name;
- Google: ``GET mybusinessaccountmanagement/v1/accounts`` then, per account,
  ``GET mybusinessbusinessinformation/v1/{account}/locations?readMask=name,title`` (both
  paged); a location is ``accounts/{a}/locations/{l}``, the v4 name ``GbpConnector`` posts to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from core.accounts.model import Token
from core.connectors.facebook import GRAPH_VERSION
from core.connectors.gbp import API_BASE as GBP_API_BASE
from core.connectors.http import HttpClient
from core.connectors.linkedin import HEADERS as LINKEDIN_HEADERS
from core.publishing.connectors import PermanentPublishError

GOOGLE_ACCOUNTS = "https://mybusinessaccountmanagement.googleapis.com/"
GOOGLE_INFO = "https://mybusinessbusinessinformation.googleapis.com/"
MAX_PAGES = 20
"""At most this many pages of any listing are read (thousands of Pages or locations)."""
LINKEDIN_PAGE = 100
GOOGLE_ACCOUNT_PAGE = 20
GOOGLE_LOCATION_PAGE = 100
"""The largest page sizes the listings take."""
LONG_LIVED = "long_lived"
"""``Token.extra`` key set on a Facebook user token exchanged for a long-lived one: the Page
tokens it gives do not expire."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A remote account a token may post as. ``token``: its own token (a Facebook Page's),
    else the sign-in's token is used."""

    remote_id: str
    handle: str
    label: str
    token: Token | None = None

    def __repr__(self) -> str:
        return f"Identity({self.remote_id!r}, {self.handle!r}, {self.label!r})"


Identifier = Callable[[Token, str], list[Identity]]
"""``(token, api_base) -> identities``."""


def _client(base: str, name: str) -> HttpClient:
    return HttpClient(base, None, name=name)


def _get(http: HttpClient, token: Token, path: str, **kwargs: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token.access_token}", **kwargs.pop("headers", {})}
    body = http.request("GET", path, headers=headers, **kwargs).json()
    if not isinstance(body, dict):
        raise ValueError("the answer is not a JSON object")
    return body


def identify_x(token: Token, api_base: str) -> list[Identity]:
    data = _get(_client(api_base, "X"), token, "2/users/me")["data"]
    return [Identity(str(data["id"]), f"@{data['username']}", str(data.get("name") or ""))]


def identify_facebook(token: Token, api_base: str) -> list[Identity]:
    """The Pages the person manages and may post to, each with its own Page token (which does
    not expire when the sign-in was exchanged for a long-lived one, ``LONG_LIVED``)."""
    http = _client(api_base, "Facebook")
    page_expiry = None if token.extra.get(LONG_LIVED) else token.expires_at
    found: list[Identity] = []
    for page in _graph_pages(http, token):
        page_token = str(page.get("access_token") or "")
        tasks = page.get("tasks")
        if not page_token or (isinstance(tasks, list) and "CREATE_CONTENT" not in tasks):
            continue
        name = str(page.get("name") or page["id"])
        found.append(
            Identity(
                str(page["id"]),
                name,
                name,
                Token(access_token=page_token, expires_at=page_expiry),
            )
        )
    return found


def _graph_pages(http: HttpClient, token: Token) -> Iterator[dict[str, Any]]:
    path = f"{GRAPH_VERSION}/me/accounts"
    params: dict[str, str] | None = {"fields": "id,name,access_token,tasks", "limit": "100"}
    for _ in range(MAX_PAGES):
        body = _get(http, token, path, params=params)
        yield from (p for p in body.get("data", []) if isinstance(p, dict))
        after = ((body.get("paging") or {}).get("cursors") or {}).get("after")
        if not (body.get("paging") or {}).get("next") or not after:
            return
        params = {"fields": "id,name,access_token,tasks", "limit": "100", "after": str(after)}


def identify_linkedin(token: Token, api_base: str) -> list[Identity]:
    """The organizations the member administers; ``remote_id`` is the organization's URN
    (the posts' author)."""
    http = _client(api_base, "LinkedIn")
    urns: list[str] = []
    start = 0
    for _ in range(MAX_PAGES):
        body = _get(
            http,
            token,
            "rest/organizationAcls",
            params={
                "q": "roleAssignee",
                "role": "ADMINISTRATOR",
                "state": "APPROVED",
                "start": str(start),
                "count": str(LINKEDIN_PAGE),
            },
            headers=LINKEDIN_HEADERS,
        )
        elements = [e for e in body.get("elements", []) if isinstance(e, dict)]
        for element in elements:
            urn = str(element.get("organization") or element.get("organizationTarget") or "")
            if urn.startswith("urn:li:organization:") and urn not in urns:
                urns.append(urn)
        start += len(elements)
        total = (body.get("paging") or {}).get("total")
        if len(elements) < LINKEDIN_PAGE or (isinstance(total, int) and start >= total):
            break
    found = []
    for urn in urns:
        org_id = urn.rsplit(":", 1)[-1]
        org = _linkedin_organization(http, token, org_id)
        name = str(org.get("localizedName") or "") or f"LinkedIn page {org_id}"
        vanity = str(org.get("vanityName") or "")
        found.append(Identity(urn, vanity or name, name))
    return found


def _linkedin_organization(http: HttpClient, token: Token, org_id: str) -> dict[str, Any]:
    """The organization's name; an organization LinkedIn will not describe (no permission to
    read it, 403/404) is still offered, by its number."""
    try:
        return _get(http, token, f"rest/organizations/{org_id}", headers=LINKEDIN_HEADERS)
    except PermanentPublishError:
        return {}


def identify_gbp(token: Token, api_base: str) -> list[Identity]:
    """Every location of every Business Profile account the person may manage, once each
    (a location shared through a location group is listed under both)."""
    if api_base.rstrip("/") in ("", GBP_API_BASE.rstrip("/")):
        accounts_http = _client(GOOGLE_ACCOUNTS, "Google")
        info_http = _client(GOOGLE_INFO, "Google")
    else:  # a local server (tests) answers both APIs at its root
        accounts_http = info_http = _client(urljoin(api_base, "/"), "Google")
    found: list[Identity] = []
    seen: set[str] = set()
    for account in _google_list(
        accounts_http, token, "v1/accounts", "accounts", {"pageSize": str(GOOGLE_ACCOUNT_PAGE)}
    ):
        name = str(account["name"])
        for location in _google_list(
            info_http,
            token,
            f"v1/{name}/locations",
            "locations",
            {"readMask": "name,title", "pageSize": str(GOOGLE_LOCATION_PAGE)},
        ):
            location_id = str(location["name"]).rsplit("/", 1)[-1]
            if location_id in seen:
                continue
            seen.add(location_id)
            title = str(location.get("title") or location_id)
            found.append(Identity(f"{name}/locations/{location_id}", title, title))
    return found


def _google_list(
    http: HttpClient, token: Token, path: str, key: str, params: dict[str, str]
) -> Iterator[dict[str, Any]]:
    query = dict(params)
    for _ in range(MAX_PAGES):
        body = _get(http, token, path, params=query)
        yield from (item for item in body.get(key, []) if isinstance(item, dict))
        next_token = body.get("nextPageToken")
        if not next_token:
            return
        query = {**params, "pageToken": str(next_token)}


IDENTIFIERS: dict[str, Identifier] = {
    "x": identify_x,
    "facebook": identify_facebook,
    "linkedin": identify_linkedin,
    "gbp": identify_gbp,
}
