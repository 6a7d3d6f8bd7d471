"""The real publishing outbox around a real connector, for the connectors' fault tests.

``OutboxHarness`` holds the practice (in-memory store, manual clock, demo staff) and builds a
fresh ``PublishingService`` with a fresh connector for every run, as ``main.py --publish-due``
would after a restart: nothing survives between runs but the store and the platform's server.
The store can die on its next unit of work (``crash_next``), between the platform's answer and
its record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Sized
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account, Token
from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.demo import DemoStaff, create_demo_practice
from core.publishing.connectors import Connector, ConnectorRegistry, PublishRequest, RemotePost
from core.publishing.model import OutboxEntry, OutboxStatus, RetryPolicy
from core.publishing.service import PublishingService
from core.staff.pins import fast_hasher
from tests.connectors.servers.faults import (
    DROP_AFTER_CREATE,
    TIMEOUT,
    TIMEOUT_AFTER_CREATE,
    Fault,
    PlatformServer,
    http_date_in,
)
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.imaging_support import cleared_photos

TEXT = (
    "Flu shots are here! Walk in weekday mornings & see https://maplegrovedental.com/flu (ask us)."
)
JITTER = 0.5
POLICY = RetryPolicy(max_attempts=4)


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the app may catch it)."""


class CrashingStore(MemoryStore):
    """A store whose next unit of work dies, as a power cut would."""

    def __init__(self) -> None:
        super().__init__()
        self.crash_next = False

    def __call__(self):  # type: ignore[no-untyped-def]
        if self.crash_next:
            self.crash_next = False
            raise Crash
        return super().__call__()


@dataclass
class FixedTokens:
    """A token provider double: hands out ``tokens`` in turn, moving to the next one on
    ``invalidate`` (a refresh); past the last one the account needs reconnecting."""

    tokens: list[str]
    invalidated: int = 0
    reconnects: int = 0
    seen: list[str] = field(default_factory=list)

    def access(self, account: Account) -> Token:
        token = self.tokens[min(self.invalidated, len(self.tokens) - 1)]
        self.seen.append(token)
        return Token(token)

    def invalidate(self, account: Account) -> None:
        self.invalidated += 1
        if self.invalidated >= len(self.tokens):
            raise self.reconnect_needed(account)

    def reconnect_needed(self, account: Account) -> ReconnectNeeded:
        self.reconnects += 1
        return ReconnectNeeded(platform=account.platform, account_id=account.id)


class OutboxHarness:
    """One practice publishing through one connector (see the module docstring)."""

    def __init__(
        self, clock: ManualClock, tmp_path: Path, connector: Callable[[], Connector]
    ) -> None:
        self.clock = clock
        self.store = CrashingStore()
        self.tmp_path = tmp_path
        self.make_connector = connector
        self.services: Services = build_services(
            uow=self.store,
            clock=clock,
            secrets=MemorySecrets(),
            database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
            backup_store=None,
            hasher=fast_hasher(),
            media=MemoryMediaStore(tmp_path / "vault"),
        )
        self.staff: DemoStaff = create_demo_practice(self.services, with_posts=False)
        self.exports: list[Path] = []

    def publishing(self, platform: str) -> PublishingService:
        """A fresh publishing service with a fresh connector (a restart)."""
        registry = ConnectorRegistry({platform: self.make_connector()})
        return PublishingService(
            self.store,
            self.clock,
            self.services.composer,
            registry,
            policy=POLICY,
            random=lambda: JITTER,
            media=self._export,
        )

    def run(self, platform: str) -> None:
        """One ``--publish-due`` run after a restart."""
        self.publishing(platform).publish_due()

    def due_post(self, platform: str, text: str = TEXT, photos: Sequence[int] = ()) -> Post:
        """An approved post (with cleared photos from ``photos`` seeds) scheduled a minute
        ahead, and the clock moved to its time."""
        composer, staff = self.services.composer, self.staff
        post = composer.new_draft(staff.front_desk, text, (platform,))
        if photos:
            hashes = cleared_photos(self.services, staff.front_desk, list(photos))
            post = composer.autosave(staff.front_desk, _id(post), post.version, media=hashes)
        post = composer.submit(staff.front_desk, _id(post), post.version)
        post = composer.approve(staff.manager, _id(post), post.version)
        at = self.clock.now() + timedelta(minutes=1)
        post = composer.schedule(staff.front_desk, _id(post), post.version, at)
        self.clock.set(at)
        return post

    def entry(self, post: Post) -> OutboxEntry:
        [entry] = self.publishing(post.platforms[0]).entries(_id(post))
        return entry

    def state(self, post: Post) -> PostState:
        return self.services.composer.get(_id(post)).state

    def _export(self, hashes: Sequence[str]) -> list[Path]:
        """The clean export of each photo, as the app's exporter writes it."""
        images = self.services.images
        paths = []
        for n, media_hash in enumerate(hashes):
            dst = (
                self.tmp_path / f"outgoing-{len(self.exports)}-{n}{images.clean_suffix(media_hash)}"
            )
            images.export_for_post(media_hash, dst)
            paths.append(dst)
        self.exports.extend(paths)
        return paths


def _id(post: Post) -> int:
    assert post.id is not None
    return post.id


@dataclass(frozen=True)
class Scenario:
    """One fault case, played through two ``--publish-due`` runs with a restart between them:
    the ``faults`` queued per route, the entry after the first run (``status``, ``code``, and
    the ``wait`` in seconds until its next try when it is exact), the requests each run sends
    (``first``, ``then``: ``METHOD /path``), and the remote posts at the end."""

    id: str
    faults: dict[str, tuple[Fault, ...]]
    status: OutboxStatus
    code: str
    first: tuple[str, ...]
    then: tuple[str, ...] = ()
    posts: int = 1
    wait: float | None = None


def sent(create: str) -> Scenario:
    """No fault: one request, sent."""
    return Scenario("sent", {}, OutboxStatus.SENT, "", (create,))


def token_cases(create: str) -> list[Scenario]:
    """A 401 refreshes the token and sends again; a second 401 fails the post (reconnect)."""
    return [
        Scenario("401_refreshed", {"create": (Fault(401),)}, OutboxStatus.SENT, "", (create,) * 2),
        Scenario(
            "401_twice",
            {"create": (Fault(401),) * 2},
            OutboxStatus.FAILED,
            "token_revoked",
            (create,) * 2,
            posts=0,
        ),
    ]


def refused(create: str, status: int, code: str = "") -> Scenario:
    """The platform refuses the post with ``status``: failed after one request with ``code``
    (``http_<status>`` unless given), nothing posted, nothing sent again."""
    faults: dict[str, tuple[Fault, ...]] = {"create": (Fault(status),)}
    return Scenario(
        str(status), faults, OutboxStatus.FAILED, code or f"http_{status}", (create,), posts=0
    )


def retried(create: str, name: str, fault: Fault, code: str, wait: float) -> Scenario:
    """``fault`` leaves the entry pending with ``code`` for ``wait`` seconds; then it is sent."""
    return Scenario(
        name, {"create": (fault,)}, OutboxStatus.PENDING, code, (create,), (create,), wait=wait
    )


def retry_cases(create: str, *, slow_down: str = "", trouble: str = "") -> list[Scenario]:
    """429 with ``Retry-After`` in seconds and as a date, 500 (the policy's first back-off) and
    503 with ``Retry-After``, each waited for, then sent. ``slow_down`` is the 429s' code and
    ``trouble`` the 5xx' (``http_<status>`` unless given)."""
    busy = slow_down or "http_429"
    return [
        retried(create, "429_seconds", Fault(429, headers={"Retry-After": "120"}), busy, 120),
        retried(
            create, "429_date", Fault(429, headers={"Retry-After": http_date_in(300)}), busy, 300
        ),
        retried(create, "500", Fault(500), trouble or "http_500", 22.5),
        retried(
            create,
            "503_retry_after",
            Fault(503, headers={"Retry-After": "60"}),
            trouble or "http_503",
            60,
        ),
    ]


def lost_answers(create: str, lookup: str) -> list[Scenario]:
    """No answer to the create: uncertain, so the next run looks (``lookup``) first and
    publishes only when the platform has nothing (the request died before creating it)."""
    uncertain = OutboxStatus.UNCERTAIN
    return [
        Scenario(
            "timeout", {"create": (TIMEOUT,)}, uncertain, "timeout", (create,), (lookup, create)
        ),
        Scenario(
            "timeout_after_create",
            {"create": (TIMEOUT_AFTER_CREATE,)},
            uncertain,
            "timeout",
            (create,),
            (lookup,),
        ),
        Scenario(
            "dropped_after_create",
            {"create": (DROP_AFTER_CREATE,)},
            uncertain,
            "connection_dropped",
            (create,),
            (lookup,),
        ),
    ]


def play(harness: OutboxHarness, server: PlatformServer, platform: str, case: Scenario) -> None:
    """Plays ``case`` (see ``Scenario``) on a due text post and checks every step."""
    post = harness.due_post(platform)
    for route, faults in case.faults.items():
        server.inject(route, *faults)
    harness.run(platform)
    entry = harness.entry(post)
    assert (entry.status, entry.error_code) == (case.status, case.code)
    assert server.lines() == list(case.first)
    if case.wait is not None:
        assert entry.next_attempt_at is not None
        waited = (entry.next_attempt_at - harness.clock.now()).total_seconds()
        assert waited == pytest.approx(case.wait, abs=2)
    sent_before = len(server.requests)

    # The restart: a new service and a new connector over the same store, when the entry is due.
    harness.clock.set(entry.next_attempt_at or harness.clock.now() + timedelta(hours=1))
    harness.run(platform)
    assert server.lines()[sent_before:] == list(case.then)
    done = harness.entry(post)
    if case.posts:
        assert (done.status, done.error_code) == (OutboxStatus.SENT, "")
        assert done.remote_id
        assert done.url == server.url_of(done.remote_id)
        assert harness.state(post) is PostState.PUBLISHED
    else:
        assert done.status is OutboxStatus.FAILED
        assert harness.state(post) is PostState.FAILED

    # Any later run sends nothing more.
    sent_before = len(server.requests)
    harness.clock.advance(timedelta(hours=2))
    harness.run(platform)
    assert server.requests[sent_before:] == []


def assert_published_once(harness: OutboxHarness, post: Post, url: str, remote: Sized) -> None:
    """The entry is sent with the post's live ``url``, the post is published, and the platform
    holds exactly one post (``remote``: its posts)."""
    done = harness.entry(post)
    assert done.status is OutboxStatus.SENT
    assert done.url == url
    assert harness.state(post) is PostState.PUBLISHED
    assert len(remote) == 1


def refuse_first(
    harness: OutboxHarness, server: PlatformServer, platform: str, fault: Fault
) -> OutboxEntry:
    """One run of a due text post whose create meets ``fault``: the entry it leaves."""
    post = harness.due_post(platform)
    server.inject("create", fault)
    harness.run(platform)
    return harness.entry(post)


def publish_photos_after(
    harness: OutboxHarness, server: PlatformServer, platform: str, fault: Fault
) -> Post:
    """A due post with two photos whose create meets ``fault`` (the answer lost): uncertain
    after the first run; a second run five minutes later (after a restart) reconciles it."""
    post = harness.due_post(platform, photos=(1, 2))
    server.inject("create", fault)
    harness.run(platform)
    assert harness.entry(post).status is OutboxStatus.UNCERTAIN
    harness.clock.advance(timedelta(minutes=5))
    harness.run(platform)
    return post


def crash_after_the_answer(
    harness: OutboxHarness, platform: str, connector: Callable[[], Connector]
) -> Post:
    """A due post published through ``connector``, the app dying right after the platform's
    answer (before the record); the harness then restarts with ``connector`` as it is."""
    harness.make_connector = lambda: crash_after_publish(connector(), harness.store)
    post = harness.due_post(platform)
    with pytest.raises(Crash):
        harness.run(platform)
    harness.make_connector = connector
    return post


def crash_after_publish(inner: Connector, store: CrashingStore) -> Connector:
    """``inner``, but the app dies right after the platform answered, before the record."""

    class Crashing:
        def publish(self, request: PublishRequest) -> RemotePost:
            remote = inner.publish(request)
            store.crash_next = True
            return remote

        def find(self, request: PublishRequest) -> RemotePost | None:
            return inner.find(request)

    return Crashing()
