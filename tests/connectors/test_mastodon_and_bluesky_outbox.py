"""Mastodon and Bluesky through the real outbox, under every fault the local servers inject.

The app's ``PublishingService`` and ``Outbox`` over the in-memory store, with the real connector
(Mastodon.py or atproto talking HTTP to 127.0.0.1) registered for its platform. For each fault:
the exact requests the server received, what the outbox stored, and how many posts the platform
holds — exactly one whenever the post went out, none when it was refused — also when the second
run is a restart (a new ``PublishingService`` and connector over the same store, as
``main.py --publish-due`` would be) and when the process dies between the answer and its record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account, AuthKind, Token
from core.accounts.tokens import TokenProvider
from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.connectors.bluesky import BlueskyConnector, record_key
from core.connectors.mastodon import MastodonConnector
from core.demo import DemoStaff, create_demo_practice
from core.publishing.connectors import ConnectorRegistry
from core.publishing.model import OutboxEntry, OutboxStatus
from core.publishing.service import PublishingService
from core.staff.pins import fast_hasher
from tests.connectors.outbox_harness import (
    JITTER,
    POLICY,
    Crash,
    CrashingStore,
    crash_after_publish,
)
from tests.connectors.servers import bluesky as bsky
from tests.connectors.servers import mastodon as masto
from tests.connectors.servers.faults import (
    CLIENT_TIMEOUT,
    DROP_AFTER_CREATE,
    TIMEOUT,
    TIMEOUT_AFTER_CREATE,
    Fault,
    PlatformServer,
    serving,
)
from tests.fakes import MemoryMediaStore, MemorySecrets

TEXT = "Flu shots are here! Walk in any weekday morning or call us to book. #FluSeason"


class FixedTokens(TokenProvider):
    """Hands out one token; nothing to refresh (``invalidate`` says: reconnect)."""

    def __init__(self, token: Token) -> None:
        self.token = token

    def access(self, account: Account) -> Token:
        return self.token

    def invalidate(self, account: Account) -> None:
        raise self.reconnect_needed(account)

    def reconnect_needed(self, account: Account) -> ReconnectNeeded:
        return ReconnectNeeded(platform=account.platform, account_id=account.id)


@dataclass
class Platform:
    """One platform's server, connector and the requests that matter."""

    name: str
    server: PlatformServer
    connector: Callable[[], Any]
    create: str  # the request that makes the post
    find: str  # the request that reconciles
    create_route: str

    def posts(self) -> int:
        if isinstance(self.server, masto.MastodonServer):
            return len(self.server.statuses)
        assert isinstance(self.server, bsky.BlueskyServer)
        return len(self.server.records)

    def calls(self) -> list[str]:
        """The create and find requests, in order (sign-in and uploads left out)."""
        return [line for line in self.server.lines() if line in (self.create, self.find)]


@pytest.fixture(scope="module")
def http() -> Iterator[HTTPServer]:
    with serving() as server:
        yield server


@pytest.fixture
def store() -> CrashingStore:
    return CrashingStore()


@pytest.fixture
def services(store: CrashingStore, clock: ManualClock) -> Services:
    return build_services(
        uow=store,
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        known_names=list,
        media=MemoryMediaStore(),
    )


@pytest.fixture
def staff(services: Services) -> DemoStaff:
    return create_demo_practice(services, with_posts=False)


def mastodon(http: HTTPServer, clock: ManualClock) -> Platform:
    server = masto.MastodonServer(http, clock.now)
    account = Account(
        id=7,
        platform="mastodon",
        label="Maple Grove",
        remote_id=masto.ACCOUNT_ID,
        base_url=server.base_url,
        auth_kind=AuthKind.MASTODON_APP,
    )
    tokens = FixedTokens(Token(masto.TOKEN))
    return Platform(
        "mastodon",
        server,
        lambda: MastodonConnector(account, tokens, clock=clock, timeout=CLIENT_TIMEOUT),
        "POST /api/v1/statuses",
        f"GET /api/v1/accounts/{masto.ACCOUNT_ID}/statuses",
        "status",
    )


def bluesky(http: HTTPServer, clock: ManualClock) -> Platform:
    server = bsky.BlueskyServer(http, clock.now)
    session = server.session(expires_in=timedelta(days=30))
    token = Token(session["accessJwt"], session["refreshJwt"], extra={"did": bsky.DID})
    account = Account(
        id=8,
        platform="bluesky",
        label="Maple Grove",
        remote_id=bsky.DID,
        handle=bsky.HANDLE,
        base_url=server.base_url,
        auth_kind=AuthKind.APP_PASSWORD,
    )
    tokens = FixedTokens(token)
    return Platform(
        "bluesky",
        server,
        lambda: BlueskyConnector(account, tokens, clock=clock, timeout=CLIENT_TIMEOUT),
        "POST /xrpc/com.atproto.repo.createRecord",
        "GET /xrpc/com.atproto.repo.getRecord",
        "create",
    )


@pytest.fixture(params=["mastodon", "bluesky"])
def platform(request: pytest.FixtureRequest, http: HTTPServer, clock: ManualClock) -> Platform:
    http.clear()
    make = mastodon if request.param == "mastodon" else bluesky
    return make(http, clock)


def publishing_for(
    services: Services, store: CrashingStore, clock: ManualClock, connector: Any, name: str
) -> PublishingService:
    """A fresh publishing service (a new process), its registry holding ``connector``."""
    registry = ConnectorRegistry({name: connector})
    return PublishingService(
        store, clock, services.composer, registry, policy=POLICY, random=lambda: JITTER
    )


def due_post(services: Services, staff: DemoStaff, clock: ManualClock, platform: str) -> Post:
    composer = services.composer
    post = composer.new_draft(staff.front_desk, TEXT, (platform,))
    assert post.id is not None
    post = composer.submit(staff.front_desk, post.id, post.version)
    post = composer.approve(staff.manager, post.id, post.version)
    at = clock.now() + timedelta(hours=1)
    post = composer.schedule(staff.front_desk, post.id, post.version, at)
    clock.set(at)
    return post


def the_entry(publishing: PublishingService, post: Post) -> OutboxEntry:
    assert post.id is not None
    [entry] = publishing.entries(post.id)
    return entry


# --- the matrix ------------------------------------------------------------------------------
C, F = "create", "find"

CASES: dict[str, tuple[Fault | None, list[str], list[str], OutboxStatus, str]] = {
    # name: (fault, calls on mastodon, calls on bluesky, status after the first run, its code)
    "ok": (None, [C], [C], OutboxStatus.SENT, ""),
    "http_429_seconds": (
        Fault(429, headers={"Retry-After": "120"}),
        [C, C],
        [C, C],
        OutboxStatus.PENDING,
        "http_429",
    ),
    "http_429_date": (
        Fault(429, headers={"Retry-After": "date"}),
        [C, C],
        [C, C],
        OutboxStatus.PENDING,
        "http_429",
    ),
    # A PDS's 5xx may hide a create that worked (a taken rkey is a 500): the connector looks
    # (getRecord) before it reports the failure.
    "http_500": (Fault(500), [C, C], [C, F, C], OutboxStatus.PENDING, "http_500"),
    "http_503": (
        Fault(503, headers={"Retry-After": "30"}),
        [C, C],
        [C, F, C],
        OutboxStatus.PENDING,
        "http_503",
    ),
    "http_502": (Fault(502), [C, F, C], [C, F, C], OutboxStatus.UNCERTAIN, "http_502"),
    "timeout": (TIMEOUT, [C, F, C], [C, F, C], OutboxStatus.UNCERTAIN, "timeout"),
    "timeout_after_create": (
        TIMEOUT_AFTER_CREATE,
        [C, F],
        [C, F],
        OutboxStatus.UNCERTAIN,
        "timeout",
    ),
    "drop_after_create": (
        DROP_AFTER_CREATE,
        [C, F],
        [C, F],
        OutboxStatus.UNCERTAIN,
        "connection_dropped",
    ),
    "http_401": (Fault(401), [C], [C], OutboxStatus.FAILED, "token_revoked"),
    "http_403": (Fault(403), [C], [C], OutboxStatus.FAILED, "http_403"),
    "http_404": (Fault(404), [C], [C], OutboxStatus.FAILED, "http_404"),
    "http_413": (Fault(413), [C], [C], OutboxStatus.FAILED, "http_413"),
    "http_422_or_400": (Fault(422), [C], [C, F], OutboxStatus.FAILED, "http_422"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_fault_ends_with_at_most_one_post_also_across_a_restart(
    services: Services,
    staff: DemoStaff,
    store: CrashingStore,
    clock: ManualClock,
    platform: Platform,
    case: str,
) -> None:
    fault, mastodon_calls, bluesky_calls, first_status, code = CASES[case]
    if fault is not None and fault.status == 422 and platform.name == "bluesky":
        fault, code = Fault(400), "http_400"  # XRPC refuses invalid records with 400
    if fault is not None and fault.headers.get("Retry-After") == "date":
        when = clock.now() + timedelta(hours=1, seconds=90)  # the post is due in an hour
        fault = Fault(fault.status, headers={"Retry-After": format_datetime(when, usegmt=True)})
    if fault is not None:
        platform.server.inject(platform.create_route, fault)
    post = due_post(services, staff, clock, platform.name)
    assert post.id is not None

    first = publishing_for(services, store, clock, platform.connector(), platform.name)
    first.publish_due()
    entry = the_entry(first, post)
    assert (entry.status, entry.error_code) == (first_status, code)
    assert entry.idempotency_key  # the same key goes out on every attempt
    if case.startswith("http_429"):
        assert entry.next_attempt_at == clock.now() + timedelta(
            seconds=120 if "seconds" in case else 90
        )
    if case == "http_503":
        assert entry.next_attempt_at == clock.now() + timedelta(seconds=30)
    if first_status is OutboxStatus.FAILED:
        assert services.composer.get(post.id).state is PostState.FAILED
        assert TEXT not in entry.error_message
        if code != "token_revoked":
            assert (
                platform.server.error_body(fault)[
                    "error" if platform.name == "mastodon" else "message"
                ]
                in entry.error_message
            )  # type: ignore[arg-type]

    # The next run is a restart: a new service and a new connector over the same store.
    clock.advance(POLICY.max_delay)
    second = publishing_for(services, store, clock, platform.connector(), platform.name)
    second.publish_due()
    clock.advance(POLICY.max_delay)
    second.publish_due()  # and once more: nothing is ever sent again

    expected = mastodon_calls if platform.name == "mastodon" else bluesky_calls
    lines = {C: platform.create, F: platform.find}
    assert platform.calls() == [lines[c] for c in expected]
    done = the_entry(second, post)
    if first_status is OutboxStatus.FAILED:
        assert platform.posts() == 0
        assert done.status is OutboxStatus.FAILED
        return
    assert platform.posts() == 1
    assert done.status is OutboxStatus.SENT
    assert services.composer.get(post.id).state is PostState.PUBLISHED
    [publication] = services.composer.history(post.id).publications
    assert publication.url == done.url
    if platform.name == "mastodon":
        assert done.url == platform.server.status_urls()[0]  # type: ignore[attr-defined]
        keys = {
            r.headers.get("idempotency-key")
            for r in platform.server.requests
            if r.line == platform.create
        }
        assert keys == {entry.idempotency_key}
    else:
        rkey = record_key(entry.idempotency_key, entry.created_at)  # the intent's time
        assert list(platform.server.records) == [rkey]  # type: ignore[attr-defined]
        assert done.remote_id == f"at://{bsky.DID}/app.bsky.feed.post/{rkey}"


def test_a_crash_between_the_answer_and_its_record_is_reconciled_on_restart(
    services: Services,
    staff: DemoStaff,
    store: CrashingStore,
    clock: ManualClock,
    platform: Platform,
) -> None:
    post = due_post(services, staff, clock, platform.name)
    assert post.id is not None
    dying = crash_after_publish(platform.connector(), store)
    with pytest.raises(Crash):
        publishing_for(services, store, clock, dying, platform.name).publish_due()
    assert platform.posts() == 1

    restarted = publishing_for(services, store, clock, platform.connector(), platform.name)
    restarted.publish_due()  # the claim's lease still holds: nothing happens yet
    assert platform.calls() == [platform.create]
    clock.advance(POLICY.lease)
    report = restarted.publish_due()
    assert report.outbox.reconciled == 1
    assert platform.calls() == [platform.create, platform.find]
    assert platform.posts() == 1
    entry = the_entry(restarted, post)
    assert (entry.status, entry.attempts) == (OutboxStatus.SENT, 2)
    assert services.composer.get(post.id).state is PostState.PUBLISHED
