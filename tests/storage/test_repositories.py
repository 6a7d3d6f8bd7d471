"""The repositories against real databases: round trips, ordering, filters and paging,
optimistic locking, and datetimes that come back aware, in UTC, to the microsecond."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audit.model import AuditEvent, AuditQuery
from core.clock import ManualClock
from core.errors import EditConflict, NotFound
from core.staff.model import Credentials, Role
from storage.engine import Database
from storage.repositories.audit import SqlAuditRepository
from storage.uow import SqlUnitOfWork, unit_of_work_factory

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 22, 9, 15, 0, 123456, tzinfo=UTC)


# --- staff ------------------------------------------------------------------------------
def test_staff_round_trip_and_order(uow: Uow) -> None:
    with uow() as tx:
        zoe = tx.staff.add("zoë Adams", Role.FRONT_DESK, "h1")
        bob = tx.staff.add("Bob Brown", Role.DOCTOR, "h2")
        amy = tx.staff.add("Amy Clark", Role.ADMIN, "h3")
    assert (zoe.version, zoe.active) == (1, True)
    with uow() as tx:
        tx.staff.update(replace(bob, active=False))
    with uow() as tx:
        assert [m.id for m in tx.staff.list()] == [amy.id, zoe.id]
        assert [m.id for m in tx.staff.list(include_inactive=True)] == [amy.id, bob.id, zoe.id]
        assert tx.staff.get(zoe.id) == zoe
        assert tx.staff.credentials(amy.id) == Credentials(amy.id, "h3", 0, None)


def test_staff_update_saves_and_bumps_the_version(uow: Uow) -> None:
    with uow() as tx:
        member = tx.staff.add("Ann Lee", Role.FRONT_DESK, "h")
    with uow() as tx:
        saved = tx.staff.update(replace(member, display_name="Ann Lee-Park", role=Role.APPROVER))
    assert saved.version == member.version + 1
    with uow() as tx:
        assert tx.staff.get(member.id) == saved


def test_missing_staff_is_not_found(uow: Uow) -> None:
    with uow() as tx:
        with pytest.raises(NotFound):
            tx.staff.get(999)
        with pytest.raises(NotFound):
            tx.staff.set_failures(999, 1, None)


def test_credentials_keep_microseconds_in_utc_and_do_not_count_as_edits(uow: Uow) -> None:
    with uow() as tx:
        member = tx.staff.add("Ann Lee", Role.FRONT_DESK, "h")
    paused = datetime(2026, 11, 22, 4, 15, 0, 654321, tzinfo=timezone(timedelta(hours=-5)))
    with uow() as tx:
        tx.staff.set_failures(member.id, 5, paused)
        creds = tx.staff.credentials(member.id)  # seen in the same transaction
    assert creds.failed_attempts == 5
    assert creds.locked_until == paused
    assert creds.locked_until.tzinfo is UTC
    assert creds.locked_until.microsecond == 654321
    with uow() as tx:
        tx.staff.set_pin_hash(member.id, "new")
        assert tx.staff.credentials(member.id) == Credentials(member.id, "new", 0, None)
        assert tx.staff.get(member.id).version == member.version  # no false edit conflicts


def test_naive_datetimes_are_refused(uow: Uow) -> None:
    with uow() as tx:
        member = tx.staff.add("Ann Lee", Role.FRONT_DESK, "h")
    with pytest.raises(Exception, match="naive"), uow() as tx:
        tx.staff.set_failures(member.id, 1, datetime(2026, 1, 1))


# --- optimistic locking -----------------------------------------------------------------
def test_second_save_of_the_same_staff_member_conflicts(uow: Uow) -> None:
    with uow() as tx:
        member = tx.staff.add("Ann Lee", Role.FRONT_DESK, "h")
    with uow() as tx:
        first = tx.staff.get(member.id)  # workstation 1 opens the editor
    with uow() as tx:
        second = tx.staff.get(member.id)  # workstation 2 opens it too
    with uow() as tx:
        tx.staff.update(replace(first, display_name="Ann Lee-Park"))
    with pytest.raises(EditConflict), uow() as tx:
        tx.staff.update(replace(second, role=Role.APPROVER))
    with uow() as tx:
        assert tx.staff.get(member.id).display_name == "Ann Lee-Park"
        assert tx.staff.get(member.id).role is Role.FRONT_DESK


@pytest.mark.postgres
def test_overlapping_transactions_conflict_on_the_version_column(
    pg_db: Database, clock: ManualClock
) -> None:
    """PostgreSQL runs both transactions at once (SQLite serialises writers, so they cannot
    overlap there): the loser's UPDATE matches no row, because the version changed after it
    read, and is reported, not lost."""
    uow = unit_of_work_factory(pg_db, clock)
    with uow() as tx:
        member = tx.staff.add("Ann Lee", Role.FRONT_DESK, "h")

    def overlapping_saves() -> None:
        with uow() as slow:
            loaded = slow.staff.get(member.id)  # read at version 1
            with uow() as fast:
                fast.staff.update(replace(fast.staff.get(member.id), display_name="Fast"))
            slow.staff.update(replace(loaded, display_name="Slow"))

    with pytest.raises(EditConflict):
        overlapping_saves()
    with uow() as tx:
        assert tx.staff.get(member.id).display_name == "Fast"


def test_second_save_of_the_same_setting_conflicts(uow: Uow) -> None:
    with uow() as tx:
        assert tx.settings.put("practice", {"name": "Maple"}, None) == 1
    with uow() as tx:
        value, version = tx.settings.get("practice") or ({}, 0)
    with uow() as tx:
        assert tx.settings.put("practice", {**value, "phone": "1"}, version) == 2
    with pytest.raises(EditConflict), uow() as tx:
        tx.settings.put("practice", {**value, "phone": "2"}, version)
    with pytest.raises(EditConflict), uow() as tx:
        tx.settings.put("practice", {"name": "new"}, None)  # "new" key that exists
    with uow() as tx:
        assert tx.settings.get("practice") == ({"name": "Maple", "phone": "1"}, 2)


def test_concurrent_first_saves_of_a_setting_one_wins(uow: Uow) -> None:
    results: list[str] = []

    def save(n: int) -> None:
        try:
            with uow() as tx:
                tx.settings.put("rules", {"n": n}, None)
            results.append("saved")
        except EditConflict:
            results.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "saved"]


# --- settings ---------------------------------------------------------------------------
def test_settings_missing_key_is_none(uow: Uow) -> None:
    with uow() as tx:
        assert tx.settings.get("nothing") is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_settings_json_round_trip(uow: Uow, value: dict[str, Any]) -> None:
    with uow() as tx:
        current = tx.settings.get("prop")
        version = tx.settings.put("prop", value, None if current is None else current[1])
    with uow() as tx:
        assert tx.settings.get("prop") == (value, version)


def test_settings_refuse_non_json_values(uow: Uow) -> None:
    with pytest.raises(ValueError, match="JSON"), uow() as tx:
        tx.settings.put("bad", {"x": float("nan")}, None)


# --- audit ------------------------------------------------------------------------------
def event(
    seq: int, *, at: datetime | None = None, actor_id: int | None = 1, action: str = "staff.update"
) -> AuditEvent:
    return AuditEvent(
        seq=seq,
        at=at or T0 + timedelta(minutes=seq),
        actor_id=actor_id,
        actor_name=f"actor {actor_id}",
        action=action,
        entity_type="staff",
        entity_id=str(seq),
        detail="changed role",
        prev_hash=f"{seq - 1:064x}",
        hash=f"{seq:064x}",
    )


def test_audit_round_trip_is_exact(uow: Uow) -> None:
    first = event(
        1, at=datetime(2026, 3, 8, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-6)))
    )
    with uow() as tx:
        assert tx.audit.last() is None
        tx.audit.insert(first)
        tx.audit.insert(event(2, actor_id=None))
    with uow() as tx:
        [second, stored] = tx.audit.query(AuditQuery())
        assert stored == first
        assert stored.at.tzinfo is UTC
        assert second.actor_id is None
        assert tx.audit.last() == second


def test_audit_query_filters_pages_and_counts(uow: Uow) -> None:
    with uow() as tx:
        for seq in range(1, 31):
            tx.audit.insert(
                event(
                    seq, actor_id=seq % 3, action="session.sign_in" if seq % 2 else "staff.update"
                )
            )
    with uow() as tx:
        newest = tx.audit.query(AuditQuery(limit=5))
        assert [e.seq for e in newest] == [30, 29, 28, 27, 26]
        assert [e.seq for e in tx.audit.query(AuditQuery(offset=25, limit=10))] == [5, 4, 3, 2, 1]
        assert tx.audit.count(AuditQuery()) == 30

        by_actor = AuditQuery(actor_id=1)
        assert [e.seq for e in tx.audit.query(by_actor)] == list(range(28, 0, -3))
        assert tx.audit.count(by_actor) == 10

        both = AuditQuery(actor_id=1, action="staff.update")
        assert [e.seq for e in tx.audit.query(both)] == [28, 22, 16, 10, 4]
        assert tx.audit.count(both) == 5

        window = AuditQuery(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=15))
        assert [e.seq for e in tx.audit.query(window)] == [14, 13, 12, 11, 10]
        assert tx.audit.count(window) == 5

        assert tx.audit.actions() == ["session.sign_in", "staff.update"]


def test_audit_iter_all_is_in_seq_order_across_batches(uow: Uow) -> None:
    with uow() as tx:
        for seq in (3, 1, 7, 2, 5, 4, 6):
            tx.audit.insert(event(seq))
    with uow() as tx:
        assert [e.seq for e in tx.audit.iter_all(batch=2)] == [1, 2, 3, 4, 5, 6, 7]
        assert [e.seq for e in tx.audit.iter_all(batch=7)] == [1, 2, 3, 4, 5, 6, 7]


def test_audit_repository_is_append_only() -> None:
    public = {name for name in dir(SqlAuditRepository) if not name.startswith("_")}
    assert public == {"lock_chain", "last", "insert", "query", "count", "actions", "iter_all"}


def test_rollback_on_error_keeps_nothing(uow: Uow) -> None:
    def fail_half_way() -> None:
        with uow() as tx:
            tx.staff.add("Ann Lee", Role.FRONT_DESK, "h")
            tx.audit.insert(event(1))
            raise RuntimeError("the use case failed half way")

    with pytest.raises(RuntimeError):
        fail_half_way()
    with uow() as tx:
        assert tx.staff.list(include_inactive=True) == []
        assert tx.audit.last() is None
