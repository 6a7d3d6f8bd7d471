"""An outbox entry keeps going out through the account its first attempt used.

Two Mastodon accounts on two local servers (127.0.0.1), connected as Settings → Accounts leaves
them, published through the app's own wiring (``build_services`` → ``RegistrySource`` →
``build_registry``), with a restart (a new ``Services`` over the same store and keyring, as
``main.py --publish-due``) between the runs. Making the other account the default between an
unknown outcome and the next run must not post twice; a removed account leaves the entry to a
person; an account that needs reconnecting makes the entry wait; a takedown deletes the post
through the account it went out through; the Mastodon connector checks the practice's limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from core.accounts.model import Account, AccountStatus, AuthKind, Token
from core.accounts.tokens import TokenProvider, token_ref
from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.connectors.mastodon import MastodonConnector
from core.connectors.registry import RegistrySource, build_registry
from core.demo import DemoStaff, create_demo_practice
from core.practice.service import Versioned
from core.publishing.connectors import (
    ACCOUNT_RECONNECT,
    ACCOUNT_REMOVED,
    ConnectorRegistry,
    PublishRequest,
)
from core.publishing.model import OutboxEntry, OutboxStatus
from core.publishing.outbox import ACCOUNT_RECHECK
from core.staff.pins import fast_hasher
from tests.connectors.servers.faults import DROP_AFTER_CREATE, Fault, serving
from tests.connectors.servers.mastodon import ACCOUNT_ID, TOKEN, MastodonServer
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore

TEXT = "Flu shots are here! Walk in any weekday morning or call us to book. #FluSeason"
STATUSES = "POST /api/v1/statuses"
LOOKUP = f"GET /api/v1/accounts/{ACCOUNT_ID}/statuses"


@pytest.fixture(scope="module")
def other_http() -> Iterator[HTTPServer]:
    """A second local server: the second Mastodon account lives on another server."""
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.start()
    try:
        yield http
    finally:
        http.clear()
        http.stop()


@pytest.fixture
def main_server() -> Iterator[MastodonServer]:
    with serving() as http:
        yield MastodonServer(http, lambda: datetime.now(UTC))


@pytest.fixture
def elm_server(other_http: HTTPServer) -> Iterator[MastodonServer]:
    other_http.clear()
    try:
        yield MastodonServer(other_http, lambda: datetime.now(UTC))
        other_http.check_handler_errors()
    finally:
        other_http.clear()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(hours=1))


class Practice:
    """One practice's store and keyring; ``services`` is the running app, ``restart`` makes a
    new one over the same store and keyring."""

    def __init__(self, clock: ManualClock, tmp_path: Path) -> None:
        self.clock = clock
        self.tmp_path = tmp_path
        self.store = MemoryStore()
        self.secrets = MemorySecrets()
        self.services = self._services()
        self.staff: DemoStaff = create_demo_practice(self.services, with_posts=False)

    def _services(self) -> Services:
        return build_services(
            uow=self.store,
            clock=self.clock,
            secrets=self.secrets,
            database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", str(self.tmp_path)),
            backup_store=None,
            hasher=fast_hasher(),
            media=MemoryMediaStore(self.tmp_path / "vault"),
            outgoing=self.tmp_path / "vault" / "outgoing",
        )

    def restart(self) -> Services:
        self.services = self._services()
        return self.services

    def connect(self, label: str, server: MastodonServer, *, default: bool) -> Account:
        """A Mastodon account as Settings → Accounts leaves it: a row, its token in the
        keyring."""
        account = Account(
            id=None,
            platform="mastodon",
            label=label,
            remote_id=ACCOUNT_ID,
            base_url=server.base_url,
            token_ref=token_ref("mastodon", label),
            auth_kind=AuthKind.MASTODON_APP,
            is_default=default,
        )
        with self.store() as tx:
            account = tx.accounts.add(account)
        self.services.tokens.store(account, Token(TOKEN))
        return account

    def set_status(self, account: Account, status: AccountStatus) -> None:
        with self.store() as tx:
            tx.accounts.update(replace(tx.accounts.get(account.id or 0), status=status))

    def due_post(self, text: str = TEXT) -> Post:
        composer, staff = self.services.composer, self.staff
        post = composer.new_draft(staff.front_desk, text, ("mastodon",))
        post_id = post.id
        assert post_id is not None
        post = composer.submit(staff.front_desk, post_id, post.version)
        post = composer.approve(staff.manager, post_id, post.version)
        at = self.clock.now() + timedelta(minutes=5)
        post = composer.schedule(staff.front_desk, post_id, post.version, at)
        self.clock.set(at)
        return post

    def entry(self, post: Post) -> OutboxEntry:
        [entry] = self.services.publishing.entries(post.id or 0)
        return entry

    def state(self, post: Post) -> PostState:
        return self.services.composer.get(post.id or 0).state

    def audit(self) -> list[tuple[str, str]]:
        events, _ = self.services.audit.query(self.staff.admin, AuditQuery(limit=10_000))
        return [(e.action, e.detail) for e in reversed(events)]


@pytest.fixture
def practice(clock: ManualClock, tmp_path: Path) -> Practice:
    return Practice(clock, tmp_path)


def posted(server: MastodonServer) -> int:
    return server.lines().count(STATUSES)


def test_making_another_account_the_default_while_uncertain_posts_once_on_the_first(
    practice: Practice, main_server: MastodonServer, elm_server: MastodonServer
) -> None:
    main = practice.connect("Main St", main_server, default=True)
    elm = practice.connect("Elm Ave", elm_server, default=False)
    post = practice.due_post()
    main_server.inject("status", DROP_AFTER_CREATE)  # created, then the answer is lost

    practice.services.publishing.publish_due()
    entry = practice.entry(post)
    assert (entry.status, entry.error_code) == (OutboxStatus.UNCERTAIN, "connection_dropped")
    assert entry.account_id == main.id  # recorded at the first claim
    assert len(main_server.statuses) == 1

    practice.services.accounts.set_default(practice.staff.admin, elm.id or 0)
    services = practice.restart()  # the next run is another process
    assert entry.next_attempt_at is not None
    practice.clock.set(entry.next_attempt_at)
    services.publishing.publish_due()

    done = practice.entry(post)
    assert done.status is OutboxStatus.SENT
    assert done.account_id == main.id
    assert done.url == main_server.status_urls()[0]
    assert main_server.lines() == [STATUSES, LOOKUP]  # asked the first account, found it
    assert elm_server.requests == []  # the new default was never asked, nor posted to
    assert len(main_server.statuses) == 1
    assert practice.state(post) is PostState.PUBLISHED

    # Later runs send nothing; a new post goes out through the new default.
    practice.clock.advance(timedelta(hours=2))
    services.publishing.publish_due()
    assert main_server.lines() == [STATUSES, LOOKUP]
    second = practice.due_post("Our new hygienist starts Monday. Say hello!")
    practice.restart().publishing.publish_due()
    assert practice.entry(second).account_id == elm.id
    assert practice.entry(second).url == elm_server.status_urls()[0]
    assert len(main_server.statuses) == 1
    assert len(elm_server.statuses) == 1


def test_a_removed_account_leaves_an_uncertain_entry_to_a_person(
    practice: Practice, main_server: MastodonServer, elm_server: MastodonServer
) -> None:
    main = practice.connect("Main St", main_server, default=True)
    elm = practice.connect("Elm Ave", elm_server, default=False)
    post = practice.due_post()
    main_server.inject("status", Fault(504))  # a gateway timeout: it may have gone out
    practice.services.publishing.publish_due()
    entry = practice.entry(post)
    assert (entry.status, entry.account_id) == (OutboxStatus.UNCERTAIN, main.id)

    practice.services.accounts.remove(practice.staff.admin, main.id or 0)  # Elm: the default
    services = practice.restart()
    assert entry.next_attempt_at is not None
    practice.clock.set(entry.next_attempt_at)
    services.publishing.publish_due()

    waiting = practice.entry(post)
    assert waiting.status is OutboxStatus.UNCERTAIN
    assert waiting.needs_person  # not tried again on its own
    assert waiting.error_code == ACCOUNT_REMOVED
    assert "was removed" in waiting.error_message
    assert TEXT not in waiting.error_message
    assert waiting.attempts == entry.attempts  # nothing was tried
    assert waiting.account_id == main.id
    assert main_server.lines() == [STATUSES]
    assert elm_server.requests == []  # never moved to the other account on its own
    kinds = {i.kind for i in services.publishing.attention_items(practice.clock.now())}
    assert "post_uncertain" in kinds
    assert ("post.publish_unresolved", f"mastodon account_removed: account {main.id}") in (
        practice.audit()
    )
    practice.clock.advance(timedelta(hours=2))
    services.publishing.publish_due()
    assert elm_server.requests == []

    # A person looked on Main St's profile: it is not there. It goes out through Elm Ave.
    services.publishing.confirm_not_published(practice.staff.front_desk, post.id or 0, "mastodon")
    assert practice.entry(post).account_id is None
    services.publishing.publish_due()
    done = practice.entry(post)
    assert (done.status, done.account_id) == (OutboxStatus.SENT, elm.id)
    assert posted(elm_server) == 1
    assert main_server.statuses == []
    assert practice.state(post) is PostState.PUBLISHED


def test_a_pending_entry_of_a_removed_account_goes_out_through_the_default(
    practice: Practice, main_server: MastodonServer, elm_server: MastodonServer
) -> None:
    main = practice.connect("Main St", main_server, default=True)
    elm = practice.connect("Elm Ave", elm_server, default=False)
    post = practice.due_post()
    main_server.inject("status", Fault(429, headers={"Retry-After": "60"}))  # nothing went out
    practice.services.publishing.publish_due()
    entry = practice.entry(post)
    assert (entry.status, entry.account_id) == (OutboxStatus.PENDING, main.id)

    practice.services.accounts.remove(practice.staff.admin, main.id or 0)
    assert entry.next_attempt_at is not None
    practice.clock.set(entry.next_attempt_at)
    practice.restart().publishing.publish_due()

    done = practice.entry(post)
    assert (done.status, done.account_id) == (OutboxStatus.SENT, elm.id)
    assert (posted(main_server), posted(elm_server)) == (1, 1)
    assert main_server.statuses == []
    assert len(elm_server.statuses) == 1
    assert any(
        action == "post.publish_attempt" and f"account {main.id} was removed" in detail
        for action, detail in practice.audit()
    )


def test_an_account_that_needs_reconnecting_makes_its_entry_wait(
    practice: Practice, main_server: MastodonServer, elm_server: MastodonServer
) -> None:
    main = practice.connect("Main St", main_server, default=True)
    elm = practice.connect("Elm Ave", elm_server, default=False)
    post = practice.due_post()
    main_server.inject("status", DROP_AFTER_CREATE)
    practice.services.publishing.publish_due()
    entry = practice.entry(post)
    assert entry.status is OutboxStatus.UNCERTAIN

    practice.set_status(main, AccountStatus.NEEDS_RECONNECT)
    practice.services.accounts.set_default(practice.staff.admin, elm.id or 0)
    services = practice.restart()
    assert entry.next_attempt_at is not None
    practice.clock.set(entry.next_attempt_at)
    services.publishing.publish_due()

    waiting = practice.entry(post)
    assert (waiting.status, waiting.error_code) == (OutboxStatus.UNCERTAIN, ACCOUNT_RECONNECT)
    assert "reconnect" in waiting.error_message
    assert waiting.next_attempt_at == practice.clock.now() + ACCOUNT_RECHECK
    assert not waiting.needs_person
    assert waiting.attempts == entry.attempts
    assert main_server.lines() == [STATUSES]
    assert elm_server.requests == []
    accounts = services.accounts.attention_items(practice.clock.now())
    assert [i.kind for i in accounts] == ["account_reconnect"]  # Today: reconnect Main St

    practice.clock.set(waiting.next_attempt_at)
    services.publishing.publish_due()  # still waiting: looked again, audited once
    assert practice.entry(post).error_code == ACCOUNT_RECONNECT
    waits = [a for a, _ in practice.audit() if a == "post.publish_waiting"]
    assert waits == ["post.publish_waiting"]

    practice.set_status(main, AccountStatus.CONNECTED)  # reconnected
    practice.clock.advance(ACCOUNT_RECHECK)
    practice.restart().publishing.publish_due()
    done = practice.entry(post)
    assert (done.status, done.account_id) == (OutboxStatus.SENT, main.id)
    assert done.url == main_server.status_urls()[0]
    assert len(main_server.statuses) == 1
    assert elm_server.requests == []


def test_a_takedown_deletes_through_the_account_the_post_went_out_through(
    practice: Practice, main_server: MastodonServer, elm_server: MastodonServer
) -> None:
    main = practice.connect("Main St", main_server, default=True)
    elm = practice.connect("Elm Ave", elm_server, default=False)
    post = practice.due_post()
    practice.services.publishing.publish_due()
    assert practice.entry(post).account_id == main.id
    practice.services.accounts.set_default(practice.staff.admin, elm.id or 0)

    publishing = practice.restart().publishing
    assert publishing.can_withdraw(post.id or 0, "mastodon")
    publishing.withdraw(practice.staff.manager, post.id or 0, "mastodon")
    assert main_server.statuses == []
    assert main_server.lines()[-1].startswith("DELETE /api/v1/statuses/")
    assert elm_server.requests == []

    # Once that account is removed, the post can only be removed by hand.
    practice.services.accounts.remove(practice.staff.admin, main.id or 0)
    assert not practice.services.publishing.can_withdraw(post.id or 0, "mastodon")


# --- the registry -----------------------------------------------------------------------------
def an_account(account_id: int, *, default: bool, status: AccountStatus) -> Account:
    return Account(
        id=account_id,
        platform="mastodon",
        label=f"Account {account_id}",
        remote_id=ACCOUNT_ID,
        base_url="http://127.0.0.1:9",
        status=status,
        is_default=default,
        auth_kind=AuthKind.MASTODON_APP,
    )


def test_the_registry_knows_every_connected_account(practice: Practice) -> None:
    tokens = practice.services.tokens
    registry = build_registry(
        [
            an_account(1, default=False, status=AccountStatus.CONNECTED),
            an_account(2, default=True, status=AccountStatus.NEEDS_RECONNECT),
            an_account(3, default=False, status=AccountStatus.REMOVED),
        ],
        tokens,
    )
    assert registry.account_id("mastodon") == 2
    assert registry.get("mastodon") is registry.for_account(2)
    one = registry.for_account(1)
    assert isinstance(one, MastodonConnector)
    assert one.account.id == 1
    assert registry.account_problem(1) == ""
    assert registry.account_problem(2) == ACCOUNT_RECONNECT
    assert registry.for_account(3) is None
    assert registry.account_problem(3) == ACCOUNT_REMOVED

    def broken(account: Account, tokens: TokenProvider) -> MastodonConnector:
        if account.id == 1:
            raise ValueError("no server")
        return MastodonConnector(account, tokens)

    accounts = [
        an_account(1, default=False, status=AccountStatus.CONNECTED),
        an_account(2, default=True, status=AccountStatus.CONNECTED),
    ]
    partial = build_registry(accounts, tokens, factories={"mastodon": broken})
    assert partial.for_account(1) is None
    assert partial.account_problem(1) == "account_unavailable"  # waits, never switches
    assert partial.account_problem(2) == ""

    plain = ConnectorRegistry()
    plain.register("mastodon", one, account_id=7, default=False)
    assert plain.is_manual("mastodon")  # only the entries of account 7 use it
    assert plain.for_account(7) is one


# --- the Mastodon limit -----------------------------------------------------------------------
def a_request(length: int) -> PublishRequest:
    return PublishRequest(1, "mastodon", "a" * length, (), "key")


def test_the_mastodon_connector_checks_the_practices_limit(practice: Practice) -> None:
    tokens = practice.services.tokens
    accounts = [an_account(1, default=True, status=AccountStatus.CONNECTED)]
    roomy = build_registry(accounts, tokens, mastodon_limit=1000).get("mastodon")
    assert isinstance(roomy, MastodonConnector)
    assert roomy.validate(a_request(900)) == []
    assert roomy.validate(a_request(1001)) == ["too_long"]
    tight = build_registry(accounts, tokens, mastodon_limit=300).get("mastodon")
    assert isinstance(tight, MastodonConnector)
    assert tight.validate(a_request(301)) == ["too_long"]

    limit = [500]
    source = RegistrySource(lambda: accounts, lambda: tokens, mastodon_limit=lambda: limit[0])
    first = source()
    assert source() is first  # nothing changed: the same registry
    limit[0] = 2000
    second = source()
    assert second is not first  # the limit changed: rebuilt with it
    connector = second.get("mastodon")
    assert isinstance(connector, MastodonConnector)
    assert connector.validate(a_request(1500)) == []


def test_the_app_hands_the_posting_plans_limit_to_the_connector(
    practice: Practice, main_server: MastodonServer
) -> None:
    practice.connect("Main St", main_server, default=True)
    services = practice.services
    plan = services.practice.posting_plan()
    services.practice.save_posting_plan(
        practice.staff.admin, Versioned(replace(plan.value, mastodon_limit=1000), plan.version)
    )
    connector = services.publishing.refresh_registry().get("mastodon")
    assert isinstance(connector, MastodonConnector)
    assert connector.validate(a_request(800)) == []
    assert connector.validate(a_request(1001)) == ["too_long"]
