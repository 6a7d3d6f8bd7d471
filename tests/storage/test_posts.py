"""The post repository against SQLite and PostgreSQL: round trips, optimistic locking, lists
filtered, sorted and paged in SQL, due posts, editor state without a new version, cascades, and
the upgrade of a 0001 database with data to 0002."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest
from alembic import command
from sqlalchemy import inspect, text

from core.app import DatabaseInfo, DatabaseKind, build_services
from core.clock import ManualClock
from core.composer.model import ApprovedSnapshot, Comment, Post, PostState, Transition, Variant
from core.composer.ports import PhiOverride, PostOrder, PostQuery, Publication
from core.composer.variants import edit_variant, new_post, set_master
from core.consent.model import AuthorizationStatus
from core.demo import create_demo_practice
from core.demo_consent import PATIENT_COUNT
from core.errors import EditConflict, NotFound
from core.staff.model import Role, StaffMember
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
from storage.vault import MediaVault

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 22, 9, 15, 0, 123456, tzinfo=UTC)


def people(uow: Uow) -> tuple[StaffMember, StaffMember]:
    with uow() as tx:
        return (
            tx.staff.add("Jenna Ortiz", Role.FRONT_DESK, "h"),
            tx.staff.add("Marcus Bell", Role.APPROVER, "h"),
        )


def draft(author: StaffMember, master: str = "Floss daily!", at: datetime = T0) -> Post:
    return new_post(author, master, ["x", "facebook", "gbp"], at)


def test_round_trip_with_variants_snapshot_and_records(uow: Uow) -> None:
    author, approver = people(uow)
    post = edit_variant(draft(author), "x", "Floss! #teeth", editor=author, now=T0)
    snapshot = ApprovedSnapshot(
        "Floss daily!", MappingProxyType({"x": "Floss! #teeth"}), ("abc",), approver.id, T0
    )
    post = replace(
        post,
        media_hashes=("abc", "def"),
        approved_text_snapshot=snapshot,
        approver_id=approver.id,
        state=PostState.APPROVED,
    )
    with uow() as tx:
        added = tx.posts.add(post)
    assert added.id is not None
    assert added.version == 1
    assert added == replace(post, id=added.id)
    step = Transition(PostState.DRAFT, PostState.IN_REVIEW, author.id, T0, "")
    system = Transition(PostState.SCHEDULED, PostState.PUBLISHING, None, T0, "due")
    comment = Comment(approver.id, T0, "Looks good — ünïcode too")
    override = PhiOverride("name", "f" * 64, "Staff member, not a patient", author.id, T0)
    later = Publication("x", "https://x.com/maple/status/1", T0 + timedelta(1), author.id)
    first = Publication("gbp", "https://g.page/maple/1", T0, author.id)
    with uow() as tx:
        tx.posts.add_transition(added.id, step)
        tx.posts.add_transition(added.id, system)
        tx.posts.add_comment(added.id, comment)
        tx.posts.add_override(added.id, override)
        tx.posts.add_publication(added.id, later)
        tx.posts.add_publication(added.id, first)
    with uow() as tx:
        assert tx.posts.get(added.id) == added
        assert tx.posts.transitions(added.id) == [step, system]
        assert tx.posts.comments(added.id) == [comment]
        assert tx.posts.overrides(added.id) == [override]
        assert tx.posts.publications(added.id) == [first, later]
        with pytest.raises(NotFound):
            tx.posts.get(999)


def test_save_bumps_the_version_and_a_stale_save_conflicts(uow: Uow) -> None:
    author, _ = people(uow)
    with uow() as tx:
        post = tx.posts.add(draft(author))
    edited = set_master(post, "Brush twice a day", editor=author, now=T0 + timedelta(1))
    with uow() as tx:
        saved = tx.posts.save(edited, post.version)
    assert saved.version == post.version + 1
    assert saved.variants["gbp"] == Variant("gbp", "Brush twice a day")
    with pytest.raises(EditConflict), uow() as tx:
        tx.posts.save(replace(edited, master_text="Other workstation"), post.version)
    with uow() as tx:
        assert tx.posts.get(saved.id or 0) == saved
        variants_only = edit_variant(saved, "x", "Own text", editor=author, now=T0)
        assert tx.posts.save(variants_only, saved.version).version == saved.version + 1


@pytest.mark.postgres
def test_overlapping_saves_conflict_on_the_version_column(
    pg_db: Database, clock: ManualClock
) -> None:
    """Both transactions read version 1; the slower one's UPDATE then matches no row."""
    uow = unit_of_work_factory(pg_db, clock)
    author, _ = people(uow)
    with uow() as tx:
        post = tx.posts.add(draft(author))
    assert post.id is not None
    post_id = post.id

    def overlapping_saves() -> None:
        with uow() as slow:
            loaded = slow.posts.get(post_id)
            with uow() as fast:
                fast.posts.save(replace(loaded, master_text="Fast"), loaded.version)
            slow.posts.save(replace(loaded, master_text="Slow"), loaded.version)

    with pytest.raises(EditConflict):
        overlapping_saves()
    with uow() as tx:
        assert tx.posts.get(post.id).master_text == "Fast"


def _many(uow: Uow, author: StaffMember, other: StaffMember) -> list[Post]:
    posts = []
    with uow() as tx:
        for n in range(12):
            at = T0 + timedelta(hours=n)
            post = draft(author if n % 3 else other, f"Tip {n}: 100% floss_daily", at)
            if n == 5:
                post = edit_variant(post, "x", "Say CHEESE", editor=author, now=at)
            if n % 2:
                post = replace(post, state=PostState.SCHEDULED, scheduled_at=T0 + timedelta(days=n))
            posts.append(tx.posts.add(post))
    return posts


def test_list_filters_sorts_and_pages_in_sql(uow: Uow) -> None:
    author, other = people(uow)
    posts = _many(uow, author, other)
    ids = [p.id for p in posts]
    with uow() as tx:
        page = tx.posts.list(PostQuery(limit=3, offset=2))
        assert [p.id for p in page] == ids[::-1][2:5]  # newest change first
        assert tx.posts.count(PostQuery(limit=3, offset=2)) == 12
        scheduled = PostQuery(states=[PostState.SCHEDULED], order=PostOrder.SCHEDULED_ASC)
        assert [p.id for p in tx.posts.list(scheduled)] == ids[1::2]
        window = PostQuery(
            scheduled_from=T0 + timedelta(days=3), scheduled_to=T0 + timedelta(days=7)
        )
        assert {p.id for p in tx.posts.list(window)} == {ids[3], ids[5]}
        assert tx.posts.count(PostQuery(author_id=other.id)) == 4
        assert [p.id for p in tx.posts.list(PostQuery(text="cheese"))] == [ids[5]]
        assert tx.posts.count(PostQuery(text="100% FLOSS_")) == 12  # wildcards are literal
        assert tx.posts.count(PostQuery(text="1_0")) == 0
        by_time = tx.posts.list(PostQuery(order=PostOrder.SCHEDULED_ASC, limit=20))
        assert [p.id for p in by_time] == ids[1::2] + ids[0::2]  # unscheduled last
        assert tx.posts.list(PostQuery(order=PostOrder.CREATED_DESC, limit=1))[0].id == ids[-1]
        assert tx.posts.list(PostQuery(order=PostOrder.PUBLISHED_DESC, limit=1))[0].id == ids[-1]


def test_due_posts_are_scheduled_and_their_time_has_come(uow: Uow) -> None:
    author, other = people(uow)
    posts = _many(uow, author, other)
    with uow() as tx:
        assert tx.posts.due(T0) == []
        due = tx.posts.due(T0 + timedelta(days=3))
        assert [p.id for p in due] == [posts[1].id, posts[3].id]


def test_editor_state_is_saved_without_a_new_version(uow: Uow) -> None:
    author, _ = people(uow)
    with uow() as tx:
        post = tx.posts.add(draft(author))
        assert post.id is not None
        assert tx.posts.editor_state(post.id) is None
        tx.posts.save_editor_state(post.id, '{"tab": "x", "cursor": 4}')
        assert tx.posts.get(post.id).version == post.version
    with uow() as tx:
        assert tx.posts.editor_state(post.id) == '{"tab": "x", "cursor": 4}'
        saved = tx.posts.save(set_master(post, "New", editor=author, now=T0), post.version)
        assert saved.version == post.version + 1  # no conflict from the cursor move
        with pytest.raises(NotFound):
            tx.posts.save_editor_state(999, "{}")


def test_deleting_a_post_deletes_its_variants_and_records(uow: Uow) -> None:
    author, _ = people(uow)
    with uow() as tx:
        post = tx.posts.add(draft(author))
        assert post.id is not None
        tx.posts.add_comment(post.id, Comment(author.id, T0, "hi"))
    with uow() as tx:
        tx.session.execute(text("DELETE FROM post WHERE id = :id"), {"id": post.id})
    with uow() as tx:
        for table in ("post_variant", "post_comment"):
            count = tx.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            assert count == 0, table


def test_a_0001_database_with_data_upgrades_to_the_head(empty_db: Database) -> None:
    with empty_db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
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
    assert seen == ["0001"]  # backed up before the upgrade
    assert outcome == MigrationOutcome("0001", HEAD_REVISION, backed_up=True)
    with empty_db.engine.connect() as conn:
        assert {"post", "post_variant", "post_publication"} <= set(inspect(conn).get_table_names())
    uow = unit_of_work_factory(empty_db, ManualClock())
    with uow() as tx:
        [dana] = tx.staff.list()
        post = tx.posts.add(draft(dana))
    with uow() as tx:
        assert tx.posts.get(post.id or 0) == post


def test_the_demo_posts_go_through_the_real_services(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    """The composer and the consent tracker over SQL, end to end: no use case nests a second
    transaction (SQLite allows one writer), the demo practice's posts land in every state but
    ``failed``, and its consent records in every status, with a takedown."""
    services = build_services(
        uow=unit_of_work_factory(db, clock),
        clock=clock,
        secrets=InMemorySecretStore(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "test", True, "0002", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        media=MediaVault(tmp_path / "vault"),
    )
    staff = create_demo_practice(services)
    posts, total = services.composer.list(PostQuery(limit=100))
    assert total == len(posts) >= 40
    assert {p.state for p in posts} == set(PostState) - {PostState.FAILED}
    published = [p for p in posts if p.state is PostState.PUBLISHED]
    assert all(p.published_at and p.published_at < clock.now() for p in published)
    history = services.composer.history(published[0].id or 0)
    assert {p.platform for p in history.publications} == set(published[0].platforms)
    waiting = services.composer.list(PostQuery(states=[PostState.IN_REVIEW]))[0]
    assert any(p.author_id == staff.front_desk.id for p in waiting)
    assert services.audit.verify_now().ok
    counts = services.consent.status_counts()
    assert all(counts[s] > 0 for s in AuthorizationStatus)
    assert services.consent.count_patients() == PATIENT_COUNT
    [takedown, *_] = services.consent.takedowns()
    assert takedown.reason == "revoked"
    assert services.composer.get(takedown.post_id).state is PostState.PUBLISHED
