"""The outbox repository against SQLite and PostgreSQL: round trips, one entry per post and
platform (reported as a conflict without spoiling the transaction), optimistic claims, the
run's query, the cascade from posts, the upgrade of a 0002 database, and the publishing
service end to end over SQL (two workstations never both send one entry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text

from core.app import DatabaseInfo, DatabaseKind, build_services
from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.composer.variants import new_post
from core.demo import create_demo_practice
from core.errors import EditConflict, NotFound
from core.publishing.connectors import ConnectorRegistry, PublishRequest, RemotePost
from core.publishing.model import OutboxEntry, OutboxStatus
from core.publishing.service import PublishingService
from core.staff.model import Role
from core.staff.pins import fast_hasher
from storage.engine import Database
from storage.migrate import (
    HEAD_REVISION,
    MigrationOutcome,
    alembic_config,
    current_revision,
    migrate,
)
from storage.secrets import InMemorySecretStore
from storage.uow import SqlUnitOfWork, unit_of_work_factory

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 23, 9, 15, 0, 654321, tzinfo=UTC)


def a_post(uow: Uow) -> Post:
    with uow() as tx:
        author = tx.staff.add("Jenna Ortiz", Role.FRONT_DESK, "h")
        return tx.posts.add(new_post(author, "Floss daily!", ["x", "facebook", "gbp"], T0))


def an_entry(post: Post, platform: str, **changes: object) -> OutboxEntry:
    assert post.id is not None
    entry = OutboxEntry(
        id=None,
        post_id=post.id,
        platform=platform,
        status=OutboxStatus.PENDING,
        idempotency_key=f"key-{post.id}-{platform}",
        created_at=T0,
        updated_at=T0,
        next_attempt_at=T0,
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


def test_round_trip_and_one_entry_per_post_and_platform(uow: Uow) -> None:
    post = a_post(uow)
    full = an_entry(
        post,
        "x",
        status=OutboxStatus.SENT,
        attempts=2,
        next_attempt_at=None,
        remote_id="1850000000000000000",
        url="https://x.com/maple/status/1850000000000000000",
        error_code="http_429",
        error_message="Too many requests — “slow down”",
    )
    with uow() as tx:
        added = tx.outbox.add(full)
        assert added.id is not None
        assert added == replace(full, id=added.id, version=1)
        with pytest.raises(EditConflict):
            tx.outbox.add(an_entry(post, "x", idempotency_key="another"))
        with pytest.raises(EditConflict):
            tx.outbox.add(an_entry(post, "gbp", idempotency_key=full.idempotency_key))
        # The transaction is still good after the refused inserts.
        other = tx.outbox.add(an_entry(post, "facebook"))
    with uow() as tx:
        assert tx.outbox.get(added.id) == added
        assert tx.outbox.for_post(post.id or 0) == [added, other]
        assert tx.outbox.for_post(999) == []
        with pytest.raises(NotFound):
            tx.outbox.get(999)


def test_save_is_optimistic(uow: Uow) -> None:
    post = a_post(uow)
    with uow() as tx:
        entry = tx.outbox.add(an_entry(post, "x"))
    claimed = replace(entry, status=OutboxStatus.SENDING, attempts=1, updated_at=T0)
    with uow() as tx:
        saved = tx.outbox.save(claimed, entry.version)
    assert (saved.version, saved.status, saved.attempts) == (2, OutboxStatus.SENDING, 1)
    with uow() as tx, pytest.raises(EditConflict):
        tx.outbox.save(replace(entry, status=OutboxStatus.SENDING), entry.version)  # stale
    with uow() as tx:
        assert tx.outbox.get(entry.id or 0) == saved
        with pytest.raises(NotFound):
            tx.outbox.save(replace(entry, id=999), 1)


def test_runnable_and_with_status_filter_and_order_in_sql(uow: Uow) -> None:
    post = a_post(uow)
    with uow() as tx:
        later = tx.outbox.add(an_entry(post, "x", next_attempt_at=T0 + timedelta(minutes=5)))
        now = tx.outbox.add(an_entry(post, "facebook", status=OutboxStatus.UNCERTAIN))
        held = tx.outbox.add(an_entry(post, "gbp", next_attempt_at=None))
    with uow() as tx:
        assert tx.outbox.runnable(T0) == [now]
        assert tx.outbox.runnable(T0 + timedelta(minutes=5)) == [now, later]
        assert tx.outbox.runnable(T0 + timedelta(minutes=5), limit=1) == [now]
        assert tx.outbox.with_status([OutboxStatus.PENDING]) == [later, held]
        assert tx.outbox.with_status([OutboxStatus.MANUAL, OutboxStatus.UNCERTAIN]) == [now]


def test_entries_go_with_their_post(uow: Uow) -> None:
    post = a_post(uow)
    with uow() as tx:
        tx.outbox.add(an_entry(post, "x"))
    with uow() as tx:
        tx.session.execute(text("DELETE FROM post_variant WHERE post_id = :i"), {"i": post.id})
        tx.session.execute(text("DELETE FROM post WHERE id = :i"), {"i": post.id})
    with uow() as tx:
        assert tx.outbox.for_post(post.id or 0) == []


def test_a_0002_database_with_posts_upgrades_to_the_head(empty_db: Database) -> None:
    with empty_db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
    uow = unit_of_work_factory(empty_db, ManualClock())
    with empty_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO staff (display_name, role, active, pin_hash, failed_attempts,"
                " version, created_at) VALUES ('Dana Whitfield', 'admin', true, 'h', 0, 1,"
                " '2026-11-22 09:00:00')"
            )
        )
    seen: list[str | None] = []
    outcome = migrate(empty_db, backup=lambda: seen.append(current_revision(empty_db)))
    assert seen == ["0002"]
    assert outcome == MigrationOutcome("0002", HEAD_REVISION, backed_up=True)
    with uow() as tx:
        [dana] = tx.staff.list()
        post = tx.posts.add(new_post(dana, "Hello", ["x"], T0))
        entry = tx.outbox.add(an_entry(post, "x"))
    with uow() as tx:
        assert tx.outbox.for_post(post.id or 0) == [entry]


class CountingPlatform:
    """An API that counts every post it creates (it never deduplicates)."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def publish(self, request: PublishRequest) -> RemotePost:
        self.created.append(request.idempotency_key)
        n = len(self.created)
        return RemotePost(str(n), f"https://x.example/p/{n}")

    def find(self, request: PublishRequest) -> RemotePost | None:
        return None


def test_publishing_end_to_end_over_sql(db: Database, clock: ManualClock) -> None:
    """Two workstations (two services over one database): the one that claimed an entry
    sends it; the other, running meanwhile, leaves it alone. No use case nests a second
    transaction (SQLite allows one writer)."""
    manual_platform = "gbp"
    uow = unit_of_work_factory(db, clock)
    services = build_services(
        uow=uow,
        clock=clock,
        secrets=InMemorySecretStore(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "test", True, "0003", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
    )
    staff = create_demo_practice(services, with_posts=False)
    composer = services.composer
    post = composer.new_draft(staff.front_desk, "Flu shots are here!", ("x", manual_platform))
    post = composer.submit(staff.front_desk, post.id or 0, post.version)
    post = composer.approve(staff.manager, post.id or 0, post.version)
    at = clock.now() + timedelta(hours=1)
    post = composer.schedule(staff.front_desk, post.id or 0, post.version, at)
    clock.set(at)

    api = CountingPlatform()
    first = PublishingService(uow, clock, composer, ConnectorRegistry({"x": api}))
    second = PublishingService(uow, clock, composer, ConnectorRegistry({"x": api}))
    with uow() as tx:
        assert tx.posts.due(clock.now()) == [post]
    # The first workstation has claimed X's entry and is sending when the second one runs.
    starting = first.publish_due
    claims: list[object] = []
    original_claim = first.outbox._claim

    def claim_then_let_the_other_run(entry_id: int) -> object:
        claimed = original_claim(entry_id)
        claims.append(claimed)
        report = second.publish_due()
        assert report.outbox.sent == 0
        return claimed

    first.outbox._claim = claim_then_let_the_other_run  # type: ignore[method-assign]
    report = starting()
    assert report.started == (post.id,)
    assert report.by_hand == (post.id,)
    assert len(api.created) == 1
    assert len(claims) == 1
    statuses = {e.platform: e.status for e in first.entries(post.id or 0)}
    assert statuses == {"x": OutboxStatus.SENT, manual_platform: OutboxStatus.MANUAL}

    current = composer.get(post.id or 0)
    done = first.record_manual_publish(
        staff.front_desk, post.id or 0, current.version, {manual_platform: "https://g.page/r/1"}
    )
    assert done.state is PostState.PUBLISHED
    assert {e.status for e in first.entries(post.id or 0)} == {OutboxStatus.SENT}
    assert [i.kind for i in services.today.items()] == []
    assert services.audit.verify_now().ok
