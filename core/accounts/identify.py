"""Who a fresh sign-in belongs to: the remote account(s) a token may post as.

One sign-in can give several accounts: a Facebook user manages several Pages (each with its own
Page token), a Google user several Business Profile locations, a LinkedIn member several
company pages. Each ``Identity`` becomes one ``Account``; the person removes the ones the
practice does not post to. Every call goes through ``HttpClient`` (timeouts, typed errors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.accounts.model import Token
from core.connectors.http import HttpClient

LINKEDIN_VERSION = "202411"
GOOGLE_ACCOUNTS = "https://mybusinessaccountmanagement.googleapis.com/v1/"
GOOGLE_INFO = "https://mybusinessbusinessinformation.googleapis.com/v1/"


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


def _get(base: str, token: Token, path: str, name: str, **kwargs: Any) -> Any:
    http = HttpClient(base, None, name=name)
    headers = {"Authorization": f"Bearer {token.access_token}", **kwargs.pop("headers", {})}
    return http.request("GET", path, headers=headers, **kwargs).json()


def identify_x(token: Token, api_base: str) -> list[Identity]:
    data = _get(api_base, token, "2/users/me", "X")["data"]
    return [Identity(str(data["id"]), f"@{data['username']}", str(data.get("name") or ""))]


def identify_facebook(token: Token, api_base: str) -> list[Identity]:
    body = _get(
        api_base, token, "me/accounts", "Facebook", params={"fields": "id,name,access_token"}
    )
    return [
        Identity(
            str(page["id"]),
            str(page.get("name") or ""),
            str(page.get("name") or ""),
            Token(access_token=str(page["access_token"])),
        )
        for page in body.get("data", [])
        if page.get("access_token")
    ]


def identify_linkedin(token: Token, api_base: str) -> list[Identity]:
    body = _get(
        api_base,
        token,
        "rest/organizationAcls",
        "LinkedIn",
        params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"},
        headers={"LinkedIn-Version": LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0"},
    )
    found = []
    for element in body.get("elements", []):
        urn = str(element.get("organization") or "")
        org_id = urn.rsplit(":", 1)[-1]
        if org_id:
            found.append(Identity(org_id, urn, f"LinkedIn page {org_id}"))
    return found


def identify_gbp(token: Token, api_base: str) -> list[Identity]:
    accounts_base = GOOGLE_ACCOUNTS if api_base.startswith("https://mybusiness.") else api_base
    info_base = GOOGLE_INFO if api_base.startswith("https://mybusiness.") else api_base
    found = []
    for account in _get(accounts_base, token, "accounts", "Google").get("accounts", []):
        name = str(account["name"])
        body = _get(
            info_base, token, f"{name}/locations", "Google", params={"readMask": "name,title"}
        )
        for location in body.get("locations", []):
            location_id = str(location["name"]).rsplit("/", 1)[-1]
            title = str(location.get("title") or location_id)
            found.append(Identity(f"{name}/locations/{location_id}", title, title))
    return found


IDENTIFIERS: dict[str, Identifier] = {
    "x": identify_x,
    "facebook": identify_facebook,
    "linkedin": identify_linkedin,
    "gbp": identify_gbp,
}
