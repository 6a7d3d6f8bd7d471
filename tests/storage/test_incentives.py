"""The incentive repository on SQLCipher and PostgreSQL: crediting once per source key (also
from two workstations at once), sums in SQL, redemptions decided once, versions of rewards and
goals, and the 0006 -> 0007 upgrade."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import inspect

from core.audit.service import AuditService
from core.clock import ManualClock
from core.errors import EditConflict, NotFound
from core.incentives.model import (
    Contribution,
    ContributionKind,
    Goal,
    Redemption,
    RedemptionStatus,
    Reward,
)
from core.incentives.ports import KindSum
from core.incentives.service import IncentiveService
from core.staff.model import Role, StaffMember
from storage.engine import Database
from storage.migrate import HEAD_REVISION, MigrationOutcome, alembic_config, migrate
from storage.uow import SqlUnitOfWork, unit_of_work_factory

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def person(uow: Uow, name: str = "Jenna Ortiz", role: Role = Role.FRONT_DESK) -> StaffMember:
    with uow() as tx:
        return tx.staff.add(name, role, "hash")


def contribution(staff_id: int, key: str, points: int = 3, **kw: object) -> Contribution:
    fields: dict[str, object] = {
        "id": None,
        "staff_id": staff_id,
        "kind": ContributionKind.POST_APPROVED.value,
        "points": points,
        "at": T0,
        "source_key": key,
    }
    return Contribution(**(fields | kw))  # type: ignore[arg-type]


def test_a_source_key_is_credited_once_and_sums_are_grouped(uow: Uow) -> None:
    jenna, marcus = person(uow), person(uow, "Marcus Bell", Role.APPROVER)
    with uow() as tx:
        first = tx.incentives.credit(
            contribution(jenna.id, "a", note="café ☕", entity_type="post", entity_id="7")
        )
        assert tx.incentives.credit(contribution(jenna.id, "a", points=99)) is None
        tx.incentives.credit(contribution(jenna.id, "b", kind="feedback_asked", points=1))
        tx.incentives.credit(contribution(marcus.id, "c", at=T0 + timedelta(days=40)))
    assert first is not None
    assert first.id is not None
    with uow() as tx:
        assert tx.incentives.get(first.id) == first
        assert tx.incentives.sums(T0, T0 + timedelta(days=1)) == [
            KindSum(jenna.id, "feedback_asked", 1, 1),
            KindSum(jenna.id, "post_approved", 3, 1),
        ]
        assert tx.incentives.sums(None, None, marcus.id) == [
            KindSum(marcus.id, "post_approved", 3, 1)
        ]
        assert tx.incentives.earned(jenna.id) == 4
        assert [c.source_key for c in tx.incentives.history(None, None, None, 0, 10)] == [
            "c",
            "b",
            "a",
        ]
        assert [c.source_key for c in tx.incentives.history(jenna.id, None, None, 1, 10)] == ["a"]
        tx.incentives.remove(first.id, marcus.id, T0, "logged twice")
    with uow() as tx:
        assert tx.incentives.earned(jenna.id) == 1
        with pytest.raises(NotFound):
            tx.incentives.get(first.id)
        with pytest.raises(NotFound):
            tx.incentives.remove(first.id, marcus.id, T0, "again")
        # A removed credit still holds its key: the same source never credits again.
        assert tx.incentives.credit(contribution(jenna.id, "a")) is None


def test_source_events_are_read_by_action_after_the_cursor(uow: Uow, clock: ManualClock) -> None:
    jenna = person(uow)
    audit = AuditService(uow, clock)
    audit.record(jenna, "post.submit", "post", 1)
    audit.record(jenna, "post.comment", "post", 1)
    third = audit.record(jenna, "consent.capture", "authorization", 2, "patient 1; complete")
    with uow() as tx:
        events = tx.incentives.source_events(0, ("post.submit", "consent.capture"), 10)
        assert [e.seq for e in events] == [1, 3]
        assert events[1] == third
        assert tx.incentives.source_events(1, ("post.submit", "consent.capture"), 10) == [third]
        assert len(tx.incentives.source_events(0, ("post.submit", "consent.capture"), 1)) == 1


def test_two_workstations_syncing_at_once_credit_each_event_once(
    db: Database, clock: ManualClock
) -> None:
    uows = [unit_of_work_factory(db, clock) for _ in range(3)]
    jenna = person(uows[0])
    audit = AuditService(uows[0], clock)
    for n in range(40):
        audit.record(jenna, "post.submit", "post", n + 1, "to in_review")
    barrier = threading.Barrier(len(uows))
    results: list[int] = []
    errors: list[BaseException] = []

    def run(factory: Uow) -> None:
        service = IncentiveService(factory, clock, lambda: CHICAGO)
        barrier.wait()
        try:
            results.append(service.sync())
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in uows]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 40
    with uows[0]() as tx:
        assert tx.incentives.earned(jenna.id) == 40
        assert len(tx.incentives.history(jenna.id, None, None, 0, 100)) == 40


def test_redemptions_are_decided_once_and_balances_summed(uow: Uow) -> None:
    jenna, marcus = person(uow), person(uow, "Marcus Bell", Role.APPROVER)
    with uow() as tx:
        coffee = tx.incentives.add_reward(Reward(None, "Coffee card", 10))
        lunch = tx.incentives.add_reward(Reward(None, "Team lunch", 40, active=False))
        assert coffee.id is not None
        assert lunch.id is not None
        tx.incentives.lock_person(jenna.id)
        a = tx.incentives.add_redemption(Redemption(None, jenna.id, coffee.id, coffee.name, 10, T0))
        b = tx.incentives.add_redemption(
            Redemption(None, jenna.id, lunch.id, lunch.name, 40, T0 + timedelta(minutes=1))
        )
    assert a.id is not None
    assert b.id is not None
    with uow() as tx:
        assert tx.incentives.rewards(False) == [coffee]
        assert tx.incentives.rewards(True) == [coffee, lunch]
        assert tx.incentives.redeemed(jenna.id) == (0, 50)
        approved = tx.incentives.decide_redemption(
            Redemption(
                a.id,
                a.staff_id,
                a.reward_id,
                a.reward_name,
                a.cost,
                a.requested_at,
                RedemptionStatus.APPROVED,
                marcus.id,
                T0,
                "enjoy",
            ),
            RedemptionStatus.PENDING,
        )
    with uow() as tx:
        assert tx.incentives.get_redemption(a.id) == approved
        assert tx.incentives.redeemed(jenna.id) == (10, 40)
        assert [r.id for r in tx.incentives.redemptions(RedemptionStatus.PENDING, None)] == [b.id]
        assert [r.id for r in tx.incentives.redemptions(None, jenna.id)] == [b.id, a.id]
        with pytest.raises(EditConflict):
            tx.incentives.decide_redemption(approved, RedemptionStatus.PENDING)
        with pytest.raises(NotFound):
            tx.incentives.get_redemption(999)


def test_rewards_and_goals_are_versioned(uow: Uow) -> None:
    jenna = person(uow)
    with uow() as tx:
        reward = tx.incentives.add_reward(Reward(None, "Coffee card", 10))
        goal = tx.incentives.add_goal(Goal(None, jenna.id, "post_approved", 4, "month", 2026))
    with uow() as tx:
        renamed = tx.incentives.save_reward(Reward(reward.id, "Coffee for two", 15, True, 1))
        assert renamed.version == 2
        with pytest.raises(EditConflict):
            tx.incentives.save_reward(Reward(reward.id, "Stale", 15, True, 1))
        with pytest.raises(NotFound):
            tx.incentives.save_reward(Reward(999, "Gone", 15, True, 1))
        edited = tx.incentives.save_goal(Goal(goal.id, jenna.id, "post_approved", 5, "month", 2026))
        assert edited.version == 2
        with pytest.raises(EditConflict):
            tx.incentives.save_goal(goal)
        with pytest.raises(NotFound):
            tx.incentives.save_goal(Goal(999, jenna.id, "post_approved", 5, "month", 2026))
    with uow() as tx:
        assert tx.incentives.get_reward(reward.id or 0) == renamed
        assert tx.incentives.goals(jenna.id) == [edited]
        assert tx.incentives.goals(None) == [edited]


def test_a_0006_database_upgrades_to_0007_and_back(empty_db: Database) -> None:
    with empty_db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0006")
    assert "contribution" not in inspect(empty_db.engine).get_table_names()
    outcome = migrate(empty_db, backup=lambda: None)
    assert outcome == MigrationOutcome("0006", HEAD_REVISION, backed_up=True)
    names = set(inspect(empty_db.engine).get_table_names())
    assert {"contribution", "reward", "redemption", "goal"} <= names
    indexes = {i["name"] for i in inspect(empty_db.engine).get_indexes("contribution")}
    assert {"ix_contribution_at", "ix_contribution_staff_id_at"} <= indexes
    with empty_db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
    assert "contribution" not in inspect(empty_db.engine).get_table_names()
