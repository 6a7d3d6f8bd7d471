"""Several Google locations from one sign-in share one keyring entry: one refresh renews it
for all of them, removing one keeps the entry the others still use, reconnecting renews it
without a second account, and a sign-in that cannot post as every account sharing an entry
gets its own instead of overwriting it. End to end: the PKCE loopback with a simulated browser,
Google's listings and token endpoint on a local server (tests/connectors/signin_server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.accounts.errors import ConnectFailed
from core.accounts.model import Account, AccountStatus
from core.accounts.service import AccountService
from core.connectors.gbp import GbpConnector
from core.errors import ValidationError
from core.publishing.connectors import PublishRequest
from tests.connectors.servers.gbp import GbpServer
from tests.connectors.signin_server import (
    MAPLE_GROVE,
    AuthServer,
    Env,
    GoogleListings,
    browse,
    drive,
    environment,
    google_token,
    sign_in,
)

MAIN = "accounts/111/locations/9001"
OAK = "accounts/111/locations/9002"
ELM = "accounts/222/locations/9003"


@pytest.fixture
def env() -> Iterator[Env]:
    with environment() as made:
        yield made


def google(env: Env, *answers: str) -> tuple[AuthServer, GoogleListings, AccountService]:
    """Sign-ins answering the access tokens ``answers`` in turn; each sees Maple Grove's
    three locations unless a test changes ``listings.by_token``."""
    auth = AuthServer(env.http, tokens=[google_token(a, f"refresh-{a}") for a in answers])
    auth.install()
    listings = GoogleListings(env.http, dict.fromkeys(answers, MAPLE_GROVE)).install()
    service = env.service("gbp", auth, env.http.url_for("/v4/"))
    return auth, listings, service


def connect(service: AccountService, env: Env, *remote_ids: str) -> list[Account]:
    return service.connect(env.admin, sign_in(service, env.admin, "gbp"), remote_ids)


def test_locations_of_one_sign_in_share_one_entry_until_the_last_is_removed(env: Env) -> None:
    _auth, _listings, service = google(env, "g-1")
    main, elm = connect(service, env, MAIN, ELM)
    assert main.token_ref == elm.token_ref
    assert env.tokens_stored() == {main.token_ref: "g-1"}

    service.remove(env.admin, main.id)  # type: ignore[arg-type]
    # Elm still posts with the entry: it is kept, and works.
    assert env.tokens_stored() == {main.token_ref: "g-1"}
    assert service.tokens.access(service.get(elm.id)).access_token == "g-1"  # type: ignore[arg-type]
    gbp = GbpServer(env.http, token="g-1")
    GbpConnector(service.get(elm.id), service.tokens).publish(  # type: ignore[arg-type]
        PublishRequest(1, "gbp", "Open late on Thursdays.", (), "key-1")
    )
    assert len(gbp.posts(ELM)) == 1

    service.remove(env.admin, elm.id)  # type: ignore[arg-type]
    assert env.tokens_stored() == {}  # the last one took the entry with it
    assert [a.status for a in service.list(include_removed=True)] == [AccountStatus.REMOVED] * 2


def test_one_refresh_renews_the_shared_sign_in_for_every_location(env: Env) -> None:
    auth, _listings, service = google(env, "g-1")
    main, elm = connect(service, env, MAIN, ELM)
    auth.refreshed = [google_token("g-2", "refresh-g-1")]
    env.clock.advance(timedelta(hours=1))  # the hour's token has ended

    assert service.tokens.access(service.get(main.id)).access_token == "g-2"  # type: ignore[arg-type]
    assert service.tokens.access(service.get(elm.id)).access_token == "g-2"  # type: ignore[arg-type]
    assert [r["refresh_token"] for r in auth.refreshes] == ["refresh-g-1"]  # once, not twice
    assert env.tokens_stored() == {main.token_ref: "g-2"}


def test_reconnecting_a_location_renews_its_token_without_a_second_account(env: Env) -> None:
    _auth, _listings, service = google(env, "g-1", "g-2", "g-3")
    main, elm = connect(service, env, MAIN, ELM)

    signed = sign_in(service, env.admin, "gbp", reconnect=main.id)
    assert [(c.remote_id, c.account_id) for c in signed.choices] == [(MAIN, main.id)]
    assert not signed.needs_choice  # reconnecting asks nothing
    [again] = service.connect(env.admin, signed, [MAIN])
    assert (again.id, again.token_ref, again.label) == (main.id, main.token_ref, main.label)
    # The entry both share holds the new token (this sign-in may post as Elm too).
    assert env.tokens_stored() == {main.token_ref: "g-2"}

    # Connecting again (not a reconnect) offers the connected ones as such; no duplicates.
    signed = sign_in(service, env.admin, "gbp")
    assert [(c.remote_id, c.account_id) for c in signed.choices] == [
        (MAIN, main.id),
        (OAK, None),
        (ELM, elm.id),
    ]
    service.connect(env.admin, signed, [MAIN, OAK, ELM])
    assert sorted(a.remote_id for a in service.list(include_removed=True)) == [MAIN, OAK, ELM]
    assert env.tokens_stored() == {main.token_ref: "g-3"}
    assert env.audit()[1:] == [
        "account.connect",
        "account.connect",
        "account.reconnect",
        "account.reconnect",
        "account.connect",
        "account.reconnect",
    ]


def test_a_sign_in_that_cannot_post_as_every_sharer_does_not_overwrite_their_entry(
    env: Env,
) -> None:
    _auth, listings, service = google(env, "g-1", "g-other")
    main, elm = connect(service, env, MAIN, ELM)
    # Someone else signs in who manages Main St and Oak Ave, but not Elm.
    listings.by_token["g-other"] = {"accounts/111": MAPLE_GROVE["accounts/111"]}
    signed = sign_in(service, env.admin, "gbp")
    assert [c.remote_id for c in signed.choices] == [MAIN, OAK]
    [moved] = service.connect(env.admin, signed, [MAIN])
    assert moved.id == main.id
    assert moved.token_ref != main.token_ref
    assert env.tokens_stored() == {main.token_ref: "g-1", moved.token_ref: "g-other"}
    # Elm's entry is not Main St's any more, so removing Elm takes it; Main St keeps its own.
    service.remove(env.admin, elm.id)  # type: ignore[arg-type]
    assert env.tokens_stored() == {moved.token_ref: "g-other"}


def test_moving_the_last_user_of_an_entry_deletes_the_entry(env: Env) -> None:
    _auth, _listings, service = google(env, "g-1", "g-other")
    [main] = connect(service, env, MAIN)
    [elm] = connect(service, env, ELM)  # a second sign-in, a second entry
    assert elm.token_ref != main.token_ref
    assert len(env.tokens_stored()) == 2
    # One sign-in for both: they now share the first one's entry; Elm's old one is deleted.
    both = connect(service, env, MAIN, ELM)
    assert {a.token_ref for a in both} == {main.token_ref}
    assert env.tokens_stored() == {main.token_ref: "g-other"}


def test_reconnecting_with_a_sign_in_that_does_not_manage_the_location_is_refused(
    env: Env,
) -> None:
    _auth, listings, service = google(env, "g-1", "g-other")
    [elm] = connect(service, env, ELM)
    listings.by_token["g-other"] = {"accounts/111": MAPLE_GROVE["accounts/111"]}
    with pytest.raises(ConnectFailed) as caught:
        sign_in(service, env.admin, "gbp", reconnect=elm.id)
    assert caught.value.reason == "other_account"
    assert env.tokens_stored() == {elm.token_ref: "g-1"}
    assert service.list() == [elm]


def test_only_offered_locations_can_be_chosen(env: Env) -> None:
    _auth, _listings, service = google(env, "g-1")
    signed = sign_in(service, env.admin, "gbp")
    with pytest.raises(ValidationError) as nothing:
        service.connect(env.admin, signed, [])
    assert nothing.value.params["field"] == "choices"
    with pytest.raises(ValidationError):
        service.connect(env.admin, signed, ["accounts/999/locations/1"])
    assert service.list() == []
    assert env.tokens_stored() == {}


def test_finish_oauth_connects_every_location_the_sign_in_offers(env: Env) -> None:
    _auth, _listings, service = google(env, "g-1")
    start = service.begin_oauth(env.admin, "gbp")
    browser = browse(start.url)
    accounts = drive(service.finish_oauth(env.admin, start, timeout=10))
    browser.join(5)
    assert [a.remote_id for a in accounts] == [MAIN, OAK, ELM]
    assert [a.is_default for a in accounts] == [True, False, False]
    assert len({a.token_ref for a in accounts}) == 1
