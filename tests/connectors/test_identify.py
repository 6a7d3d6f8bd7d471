"""Who a sign-in belongs to, end to end at the service level: the PKCE loopback with a
simulated browser (tests/connectors/signin_server.py), then the platform's documented listing
on a local server — Facebook's ``/me/accounts`` with Page tokens, LinkedIn's
``organizationAcls`` and organizations, Google's accounts then locations, X's ``users/me`` —
the person's choice, and a post published through the connector with the stored token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from werkzeug import Request, Response

from core.accounts.errors import ConnectFailed
from core.accounts.model import AccountStatus, Token
from core.connectors.facebook import GRAPH_VERSION, FacebookConnector
from core.connectors.gbp import GbpConnector
from core.connectors.linkedin import LINKEDIN_VERSION, LinkedInConnector
from core.connectors.x import XConnector
from core.publishing.connectors import PublishRequest
from tests.connectors.servers import linkedin as li_server
from tests.connectors.servers import x as x_server
from tests.connectors.servers.facebook import PAGE_ID, FacebookServer, graph_error
from tests.connectors.servers.faults import json_response
from tests.connectors.servers.gbp import GbpServer
from tests.connectors.servers.linkedin import LinkedInServer, li_error
from tests.connectors.servers.x import XServer
from tests.connectors.signin_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    FACEBOOK_TOKEN_PATH,
    MAPLE_GROVE,
    T0,
    AuthServer,
    Env,
    GoogleListings,
    bearer,
    connect_all,
    environment,
    google_token,
    sign_in,
)

V = re.escape(GRAPH_VERSION)


@pytest.fixture
def env() -> Iterator[Env]:
    with environment() as made:
        yield made


def post(platform: str, text: str = "Flu shots are in: walk in any weekday.") -> PublishRequest:
    return PublishRequest(1, platform, text, (), f"key-{platform}")


# --- Facebook ---------------------------------------------------------------------------------
USER_SHORT = "fb-user-token-short"
USER_LONG = "fb-user-token-long"
PAGE_TOKEN_2 = "fb-page-token-2"
PAGES = [
    {
        "id": PAGE_ID,
        "name": "Maple Grove Dental",
        "access_token": "fb-page-token-1",
        "category": "Dentist & Dental Office",
        "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
    },
    {
        "id": "2222",
        "name": "Maple Grove Kids",
        "access_token": PAGE_TOKEN_2,
        "category": "Pediatric Dentist",
        "tasks": ["ADVERTISE", "CREATE_CONTENT"],
    },
    {  # the person may only see its insights: not offered
        "id": "3333",
        "name": "Old Practice",
        "access_token": "fb-page-token-3",
        "category": "Dentist & Dental Office",
        "tasks": ["ANALYZE"],
    },
]


def facebook(env: Env, *, pages: list[dict[str, Any]] = PAGES) -> tuple[AuthServer, FacebookServer]:
    """The authorization server and a Graph API whose ``/me/accounts`` lists ``pages`` two per
    page of results (``paging.cursors.after``), for the long-lived user token only."""
    auth = AuthServer(
        env.http,
        tokens=[{"access_token": USER_SHORT, "token_type": "bearer", "expires_in": 5400}],
        long_lived={"access_token": USER_LONG, "token_type": "bearer", "expires_in": 5183944},
        token_path=FACEBOOK_TOKEN_PATH,
    ).install()
    graph = FacebookServer(env.http, env.clock.now)
    graph.tokens.add(PAGE_TOKEN_2)

    def me_accounts(request: Request, _match: re.Match[str]) -> Response:
        if bearer(request.headers) != USER_LONG:
            return json_response(graph_error(190, "Invalid OAuth access token."), 400)
        start = 2 if request.args.get("after") == "cursor-2" else 0
        body: dict[str, Any] = {"data": pages[start : start + 2]}
        if start == 0 and len(pages) > 2:
            body["paging"] = {
                "cursors": {"before": "cursor-0", "after": "cursor-2"},
                "next": f"{graph.base_url}/{GRAPH_VERSION}/me/accounts?after=cursor-2",
            }
        return json_response(body)

    graph.route("me_accounts", "GET", rf"/{V}/me/accounts", me_accounts)
    return auth, graph


def test_facebook_offers_the_pages_and_publishes_with_the_page_token(env: Env) -> None:
    auth, graph = facebook(env)
    service = env.service(
        "facebook", auth, graph.base_url + "/", token_path="/{graph_version}/oauth/access_token"
    )
    signed = sign_in(service, env.admin, "facebook")

    # The short sign-in was exchanged for a long-lived one with the app's secret …
    assert auth.fb_exchanges == [
        {
            "grant_type": "fb_exchange_token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "fb_exchange_token": USER_SHORT,
        }
    ]
    # … which listed the Pages, both pages of results; the insights-only Page is not offered.
    listed = [r for r in graph.requests if r.path.endswith("/me/accounts")]
    assert [r.args.get("after") for r in listed] == [None, "cursor-2"]
    assert all(bearer(r.headers) == USER_LONG for r in listed)
    assert listed[0].args["fields"] == "id,name,access_token,tasks"
    assert [(c.remote_id, c.label, c.connected) for c in signed.choices] == [
        (PAGE_ID, "Maple Grove Dental", False),
        ("2222", "Maple Grove Kids", False),
    ]
    assert signed.needs_choice
    assert service.list() == []  # nothing is connected before the person chooses
    assert USER_LONG not in repr(signed)
    assert "fb-page-token" not in repr(signed)

    [page] = service.connect(env.admin, signed, [PAGE_ID])
    assert (page.platform, page.remote_id, page.label) == (
        "facebook",
        PAGE_ID,
        "Maple Grove Dental",
    )
    assert page.is_default
    assert page.status is AccountStatus.CONNECTED
    assert page.expires_at is None  # a Page token from a long-lived sign-in does not expire
    stored = Token.from_json(env.secrets.values[page.token_ref])
    assert stored.access_token == "fb-page-token-1"
    # The person's own user token is kept nowhere.
    assert not any(USER_LONG in v or USER_SHORT in v for v in env.secrets.values.values())

    remote = FacebookConnector(page, service.tokens).publish(post("facebook"))
    [feed] = [r for r in graph.requests if r.path.endswith("/feed")]
    assert feed.path == f"/{GRAPH_VERSION}/{PAGE_ID}/feed"
    assert bearer(feed.headers) == "fb-page-token-1"
    assert remote.remote_id.startswith(f"{PAGE_ID}_")
    assert len(graph.posts) == 1


def test_connecting_facebook_again_renews_a_page_and_adds_the_other_with_its_own_token(
    env: Env,
) -> None:
    auth, graph = facebook(env)
    service = env.service("facebook", auth, graph.base_url + "/", token_path=FACEBOOK_TOKEN_PATH)
    [first] = service.connect(env.admin, sign_in(service, env.admin, "facebook"), [PAGE_ID])

    signed = sign_in(service, env.admin, "facebook")
    assert [(c.remote_id, c.account_id) for c in signed.choices] == [
        (PAGE_ID, first.id),
        ("2222", None),
    ]
    renewed, kids = service.connect(env.admin, signed, [PAGE_ID, "2222"])
    assert renewed.id == first.id
    assert renewed.token_ref == first.token_ref
    assert kids.token_ref != first.token_ref  # every Page has its own token
    assert not kids.is_default
    assert Token.from_json(env.secrets.values[kids.token_ref]).access_token == PAGE_TOKEN_2
    assert [a.remote_id for a in service.list()] == [PAGE_ID, "2222"]
    assert env.audit() == [
        "account.client_set",
        "account.connect",
        "account.reconnect",
        "account.connect",
    ]
    FacebookConnector(renewed, service.tokens).publish(post("facebook"))
    [feed] = [r for r in graph.requests if r.path.endswith("/feed")]
    assert (feed.path, bearer(feed.headers)) == (
        f"/{GRAPH_VERSION}/{PAGE_ID}/feed",
        "fb-page-token-1",
    )


def test_without_the_app_secret_the_pages_end_with_the_short_sign_in(env: Env) -> None:
    auth, graph = facebook(env)
    auth.require_secret = False
    service = env.service("facebook", auth, graph.base_url + "/", token_path=FACEBOOK_TOKEN_PATH)
    service.set_client(env.admin, "facebook", CLIENT_ID)  # no secret
    graph.routes = [r for r in graph.routes if r.name != "me_accounts"]
    graph.route(
        "me_accounts",
        "GET",
        rf"/{V}/me/accounts",
        lambda _r, _m: json_response({"data": PAGES[:1]}),
    )
    signed = sign_in(service, env.admin, "facebook")
    assert auth.fb_exchanges == []
    assert not signed.needs_choice
    [page] = service.connect(env.admin, signed, [PAGE_ID])
    assert page.expires_at == T0 + timedelta(seconds=5400)
    assert service.status_of(page, T0) is AccountStatus.EXPIRING


def test_a_sign_in_managing_no_page_connects_nothing(env: Env) -> None:
    auth, graph = facebook(env, pages=[PAGES[2]])
    service = env.service("facebook", auth, graph.base_url + "/", token_path=FACEBOOK_TOKEN_PATH)
    with pytest.raises(ConnectFailed) as caught:
        sign_in(service, env.admin, "facebook")
    assert caught.value.reason == "no_accounts"
    assert service.list() == []
    assert set(env.secrets.values) == {"oauth-client:facebook"}


def test_a_graph_refusal_while_listing_pages_is_said_plainly(env: Env) -> None:
    auth, graph = facebook(env)
    auth.long_lived = {"access_token": "not-what-graph-accepts", "expires_in": 5183944}
    service = env.service("facebook", auth, graph.base_url + "/", token_path=FACEBOOK_TOKEN_PATH)
    with pytest.raises(ConnectFailed) as caught:
        sign_in(service, env.admin, "facebook")
    assert caught.value.reason == "identify"
    assert "Invalid OAuth access token" in str(caught.value)
    assert "not-what-graph-accepts" not in str(caught.value)
    assert service.list() == []


# --- LinkedIn ---------------------------------------------------------------------------------
OTHER_ORG = "urn:li:organization:5550001"


def linkedin(env: Env) -> tuple[AuthServer, LinkedInServer]:
    auth = AuthServer(
        env.http,
        tokens=[
            {
                "access_token": li_server.TOKEN,
                "expires_in": 5184000,
                "refresh_token": "li-refresh-1",
                "refresh_token_expires_in": 31536000,
                "scope": "r_organization_social,w_organization_social,rw_organization_admin",
            }
        ],
    ).install()
    server = LinkedInServer(env.http, env.clock.now)

    def refused(request: Request) -> Response | None:
        if bearer(request.headers) != li_server.TOKEN:
            return json_response(li_error(401, "EMPTY_ACCESS_TOKEN", "Invalid access token"), 401)
        if request.headers.get("LinkedIn-Version") != LINKEDIN_VERSION:
            return json_response(
                li_error(426, "VERSION_MISSING", "A version must be present."), 426
            )
        if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return json_response(li_error(400, "ILLEGAL_ARGUMENT", "Rest.li 2.0.0 only"), 400)
        return None

    def acls(request: Request, _match: re.Match[str]) -> Response:
        if (answer := refused(request)) is not None:
            return answer
        args = request.args
        if (args.get("q"), args.get("role"), args.get("state")) != (
            "roleAssignee",
            "ADMINISTRATOR",
            "APPROVED",
        ):
            return json_response(li_error(400, "ILLEGAL_ARGUMENT", "bad finder"), 400)
        elements = [
            {
                "roleAssignee": "urn:li:person:Xx9",
                "state": "APPROVED",
                "role": "ADMINISTRATOR",
                "organization": org,
            }
            for org in (li_server.ORGANIZATION, OTHER_ORG)
        ]
        return json_response(
            {"paging": {"count": 100, "start": 0, "total": 2, "links": []}, "elements": elements}
        )

    def organization(request: Request, match: re.Match[str]) -> Response:
        if (answer := refused(request)) is not None:
            return answer
        if f"urn:li:organization:{match['id']}" != li_server.ORGANIZATION:
            return json_response(li_error(403, "ACCESS_DENIED", "Not enough permissions"), 403)
        return json_response(
            {
                "id": int(match["id"]),
                "localizedName": "Maple Grove Dental",
                "vanityName": "maple-grove-dental",
            }
        )

    server.route("acls", "GET", "/rest/organizationAcls", acls)
    server.route("organization", "GET", r"/rest/organizations/(?P<id>\d+)", organization)
    return auth, server


def test_linkedin_offers_the_administered_pages_and_they_share_one_token(env: Env) -> None:
    auth, server = linkedin(env)
    service = env.service("linkedin", auth, server.base_url + "/")
    signed = sign_in(service, env.admin, "linkedin")
    assert [(c.remote_id, c.label, c.handle) for c in signed.choices] == [
        (li_server.ORGANIZATION, "Maple Grove Dental", "maple-grove-dental"),
        (OTHER_ORG, "LinkedIn page 5550001", "LinkedIn page 5550001"),  # its name was refused
    ]
    assert [r.line for r in server.requests] == [
        "GET /rest/organizationAcls",
        "GET /rest/organizations/2414183",
        "GET /rest/organizations/5550001",
    ]
    maple, other = service.connect(env.admin, signed, [c.remote_id for c in signed.choices])
    assert maple.token_ref == other.token_ref  # one sign-in, one token for both pages
    assert [k for k in env.secrets.values if k != "oauth-client:linkedin"] == [maple.token_ref]
    # A person must sign in again when the refresh token ends (a year), not the access token.
    assert maple.expires_at == T0 + timedelta(days=365)
    assert maple.scopes == (
        "r_organization_social",
        "w_organization_social",
        "rw_organization_admin",
    )

    remote = LinkedInConnector(maple, service.tokens).publish(post("linkedin"))
    [created] = server.posts
    assert created.urn == remote.remote_id
    [sent] = [r for r in server.requests if r.line == "POST /rest/posts"]
    assert sent.json()["author"] == li_server.ORGANIZATION


# --- Google Business Profile ---------------------------------------------------------------------
def google(env: Env, token: str = "gbp-token-1") -> tuple[AuthServer, GbpServer, list[Request]]:
    """Google's account and location listings (both paged) on the root of the local server,
    and the v4 API (localPosts) under ``/v4/``."""
    auth = AuthServer(env.http, tokens=[google_token(token)]).install()
    listings = GoogleListings(env.http, {token: MAPLE_GROVE}).install()
    return auth, GbpServer(env.http, token=token), listings.seen


def test_google_offers_every_location_once_as_a_v4_name(env: Env) -> None:
    auth, gbp, seen = google(env)
    service = env.service("gbp", auth, gbp.base_url)
    signed = sign_in(service, env.admin, "gbp")
    assert [(r.path, r.args.get("pageToken")) for r in seen] == [
        ("/v1/accounts", None),
        ("/v1/accounts/111/locations", None),
        ("/v1/accounts/111/locations", "more"),
        ("/v1/accounts", "page-2"),
        ("/v1/accounts/222/locations", None),
        ("/v1/accounts/222/locations", "more"),
    ]
    assert [(c.remote_id, c.label) for c in signed.choices] == [
        ("accounts/111/locations/9001", "Maple Grove – Main St"),
        ("accounts/111/locations/9002", "Oak Ave"),
        ("accounts/222/locations/9003", "Maple Grove – Elm"),  # 9002 is not offered twice
    ]
    main, elm = service.connect(
        env.admin, signed, ["accounts/111/locations/9001", "accounts/222/locations/9003"]
    )
    assert main.token_ref == elm.token_ref
    assert main.expires_at is None  # Google's refresh token renews it silently
    assert main.base_url == gbp.base_url

    remote = GbpConnector(elm, service.tokens).publish(post("gbp"))
    assert remote.remote_id.startswith("accounts/222/locations/9003/localPosts/")
    assert len(gbp.posts("accounts/222/locations/9003")) == 1
    assert gbp.posts("accounts/111/locations/9001") == []


def test_the_shipped_google_endpoints_list_on_googles_own_hosts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.accounts import identify

    asked: list[str] = []

    def fake_get(http: Any, _token: Token, path: str, **_kw: Any) -> dict[str, Any]:
        asked.append(http.url(path))
        if path == "v1/accounts":
            return {"accounts": [{"name": "accounts/1"}]}
        return {"locations": [{"name": "locations/2", "title": "Main St"}]}

    monkeypatch.setattr(identify, "_get", fake_get)
    [found] = identify.identify_gbp(Token("t"), "https://mybusiness.googleapis.com/v4/")
    assert found.remote_id == "accounts/1/locations/2"
    assert asked == [
        "https://mybusinessaccountmanagement.googleapis.com/v1/accounts",
        "https://mybusinessbusinessinformation.googleapis.com/v1/accounts/1/locations",
    ]


# --- X ------------------------------------------------------------------------------------------
def test_x_is_the_signed_in_user_and_reconnecting_keeps_one_account(env: Env) -> None:
    auth = AuthServer(
        env.http,
        tokens=[
            {"access_token": x_server.TOKEN, "refresh_token": "x-r1", "expires_in": 7200},
            {
                "access_token": x_server.TOKEN_AFTER_REFRESH,
                "refresh_token": "x-r2",
                "expires_in": 7200,
            },
        ],
    ).install()
    server = XServer(env.http, env.clock.now)

    def me(request: Request, _match: re.Match[str]) -> Response:
        if bearer(request.headers) not in server.tokens:
            return json_response({"title": "Unauthorized", "status": 401}, 401)
        return json_response(
            {"data": {"id": x_server.USER_ID, "username": "maplegrove", "name": "Maple Grove"}}
        )

    server.route("me", "GET", "/2/users/me", me)
    service = env.service("x", auth, server.base_url + "/", token_auth="client_secret_basic")
    [account] = connect_all(service, env.admin, "x")
    assert (account.remote_id, account.handle, account.label) == (
        x_server.USER_ID,
        "@maplegrove",
        "Maple Grove",
    )
    [again] = connect_all(service, env.admin, "x", reconnect=account.id)
    assert (again.id, again.token_ref) == (account.id, account.token_ref)
    assert len(service.list(include_removed=True)) == 1
    assert Token.from_json(env.secrets.values[account.token_ref]).access_token == (
        x_server.TOKEN_AFTER_REFRESH
    )
    XConnector(again, service.tokens).publish(post("x"))
    assert len(server.tweets) == 1
