"""The incentive log's tables (``core.incentives.ports.IncentiveRepository``).

Crediting is ``INSERT ... ON CONFLICT (source_key) DO NOTHING`` on both databases: when two
workstations credit the same audit event at once, PostgreSQL's unique index makes the second
wait for the first and then insert nothing, and SQLite serialises writers anyway. Sums for the
leaderboard, the chart, goals and balances are ``GROUP BY``s in SQL over the
``(staff_id, at)`` and ``(at)`` indexes.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.audit.model import AuditEvent
from core.errors import EditConflict, NotFound
from core.incentives.model import Contribution, Goal, Redemption, RedemptionStatus, Reward
from core.incentives.ports import KindSum
from storage.models import AUDIT_EVENT, CONTRIBUTION, GOAL, REDEMPTION, REWARD

_C, _W, _R, _G, _A = CONTRIBUTION, REWARD, REDEMPTION, GOAL, AUDIT_EVENT
_AUDIT_COLUMNS = tuple(_A.c[f.name] for f in fields(AuditEvent))
_CONTRIBUTION_COLUMNS = tuple(_C.c[f.name] for f in fields(Contribution))
PERSON_LOCK = 0x46445349
"""PostgreSQL advisory-lock class ("FDSI"); the second key is the staff id."""


def _contribution(row: Any) -> Contribution:
    return Contribution(*row)


def _reward(row: Any) -> Reward:
    return Reward(row.id, row.name, row.cost, row.active, row.version)


def _redemption(row: Any) -> Redemption:
    return Redemption(
        id=row.id,
        staff_id=row.staff_id,
        reward_id=row.reward_id,
        reward_name=row.reward_name,
        cost=row.cost,
        requested_at=row.requested_at,
        status=RedemptionStatus(row.status),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


def _goal(row: Any) -> Goal:
    return Goal(
        row.id,
        row.staff_id,
        row.kind,
        row.count,
        row.period,
        row.year,
        row.note,
        row.active,
        row.version,
    )


def _window(start: datetime | None, end: datetime | None) -> builtins.list[ColumnElement[bool]]:
    where: builtins.list[ColumnElement[bool]] = [_C.c.removed_at.is_(None)]
    if start is not None:
        where.append(_C.c.at >= start)
    if end is not None:
        where.append(_C.c.at < end)
    return where


class SqlIncentiveRepository:
    """Contributions, rewards, redemptions and goals in the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    # --- the audit trail, read only ----------------------------------------------------------
    def source_events(
        self, after_seq: int, actions: Collection[str], limit: int
    ) -> builtins.list[AuditEvent]:
        stmt = (
            select(*_AUDIT_COLUMNS)
            .where(_A.c.seq > after_seq, _A.c.action.in_(list(actions)))
            .order_by(_A.c.seq)
            .limit(limit)
        )
        return [AuditEvent(*row) for row in self._session.execute(stmt)]

    # --- contributions -----------------------------------------------------------------------
    def credit(self, contribution: Contribution) -> Contribution | None:
        values = asdict(contribution)
        del values["id"]
        values["removed_reason"] = ""
        dialect_insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        stmt = (
            dialect_insert(_C)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[_C.c.source_key])
            .returning(_C.c.id)
        )
        new_id = self._session.execute(stmt).scalar_one_or_none()
        if new_id is None:
            return None
        return Contribution(**(asdict(contribution) | {"id": new_id}))

    def get(self, contribution_id: int) -> Contribution:
        row = self._session.execute(
            select(*_CONTRIBUTION_COLUMNS).where(
                _C.c.id == contribution_id, _C.c.removed_at.is_(None)
            )
        ).one_or_none()
        if row is None:
            raise NotFound("No such contribution.", entity="contribution", id=contribution_id)
        return _contribution(row)

    def remove(self, contribution_id: int, by: int, at: datetime, reason: str) -> None:
        result = self._session.execute(
            update(_C)
            .where(_C.c.id == contribution_id, _C.c.removed_at.is_(None))
            .values(removed_at=at, removed_by=by, removed_reason=reason)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound("No such contribution.", entity="contribution", id=contribution_id)

    def history(
        self,
        staff_id: int | None,
        start: datetime | None,
        end: datetime | None,
        offset: int,
        limit: int,
    ) -> builtins.list[Contribution]:
        where = _window(start, end)
        if staff_id is not None:
            where.append(_C.c.staff_id == staff_id)
        stmt = (
            select(*_CONTRIBUTION_COLUMNS)
            .where(*where)
            .order_by(_C.c.at.desc(), _C.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_contribution(row) for row in self._session.execute(stmt)]

    def sums(
        self, start: datetime | None, end: datetime | None, staff_id: int | None = None
    ) -> builtins.list[KindSum]:
        where = _window(start, end)
        if staff_id is not None:
            where.append(_C.c.staff_id == staff_id)
        stmt = (
            select(_C.c.staff_id, _C.c.kind, func.sum(_C.c.points), func.count())
            .where(*where)
            .group_by(_C.c.staff_id, _C.c.kind)
            .order_by(_C.c.staff_id, _C.c.kind)
        )
        return [
            KindSum(row[0], row[1], int(row[2] or 0), int(row[3]))
            for row in self._session.execute(stmt)
        ]

    def earned(self, staff_id: int) -> int:
        stmt = select(func.coalesce(func.sum(_C.c.points), 0)).where(
            _C.c.staff_id == staff_id, _C.c.removed_at.is_(None)
        )
        return int(self._session.execute(stmt).scalar_one())

    # --- rewards -----------------------------------------------------------------------------
    def rewards(self, include_inactive: bool) -> builtins.list[Reward]:
        stmt = select(_W).order_by(_W.c.cost, _W.c.name, _W.c.id)
        if not include_inactive:
            stmt = stmt.where(_W.c.active.is_(True))
        return [_reward(row) for row in self._session.execute(stmt)]

    def get_reward(self, reward_id: int) -> Reward:
        row = self._session.execute(select(_W).where(_W.c.id == reward_id)).one_or_none()
        if row is None:
            raise NotFound("No such reward.", entity="reward", id=reward_id)
        return _reward(row)

    def add_reward(self, reward: Reward) -> Reward:
        new_id = self._session.execute(
            insert(_W)
            .values(name=reward.name, cost=reward.cost, active=reward.active, version=1)
            .returning(_W.c.id)
        ).scalar_one()
        return Reward(new_id, reward.name, reward.cost, reward.active, 1)

    def save_reward(self, reward: Reward) -> Reward:
        result = self._session.execute(
            update(_W)
            .where(_W.c.id == reward.id, _W.c.version == reward.version)
            .values(
                name=reward.name, cost=reward.cost, active=reward.active, version=reward.version + 1
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.get_reward(reward.id or 0)  # NotFound when it is gone
            raise EditConflict("Someone else saved this reward first.", entity="reward")
        return Reward(reward.id, reward.name, reward.cost, reward.active, reward.version + 1)

    # --- redemptions -------------------------------------------------------------------------
    def lock_person(self, staff_id: int) -> None:
        if self._dialect == "postgresql":
            self._session.execute(
                text("SELECT pg_advisory_xact_lock(:k, :id)"), {"k": PERSON_LOCK, "id": staff_id}
            )
        else:  # our SQLite transactions hold the single write lock already
            self._session.connection()

    def add_redemption(self, redemption: Redemption) -> Redemption:
        values = asdict(redemption)
        del values["id"]
        values["status"] = redemption.status.value
        new_id = self._session.execute(insert(_R).values(**values).returning(_R.c.id)).scalar_one()
        return Redemption(**(asdict(redemption) | {"id": new_id}))

    def get_redemption(self, redemption_id: int) -> Redemption:
        row = self._session.execute(select(_R).where(_R.c.id == redemption_id)).one_or_none()
        if row is None:
            raise NotFound("No such request.", entity="redemption", id=redemption_id)
        return _redemption(row)

    def decide_redemption(self, redemption: Redemption, expected: RedemptionStatus) -> Redemption:
        result = self._session.execute(
            update(_R)
            .where(_R.c.id == redemption.id, _R.c.status == expected.value)
            .values(
                status=redemption.status.value,
                decided_by=redemption.decided_by,
                decided_at=redemption.decided_at,
                note=redemption.note,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.get_redemption(redemption.id or 0)
            raise EditConflict("Someone else decided this request first.", entity="redemption")
        return redemption

    def redemptions(
        self, status: RedemptionStatus | None, staff_id: int | None
    ) -> builtins.list[Redemption]:
        stmt = select(_R).order_by(_R.c.requested_at.desc(), _R.c.id.desc())
        if status is not None:
            stmt = stmt.where(_R.c.status == status.value)
        if staff_id is not None:
            stmt = stmt.where(_R.c.staff_id == staff_id)
        return [_redemption(row) for row in self._session.execute(stmt)]

    def redeemed(self, staff_id: int) -> tuple[int, int]:
        stmt = (
            select(_R.c.status, func.sum(_R.c.cost))
            .where(
                _R.c.staff_id == staff_id,
                _R.c.status.in_([RedemptionStatus.APPROVED.value, RedemptionStatus.PENDING.value]),
            )
            .group_by(_R.c.status)
        )
        totals = {row[0]: int(row[1] or 0) for row in self._session.execute(stmt)}
        return (
            totals.get(RedemptionStatus.APPROVED.value, 0),
            totals.get(RedemptionStatus.PENDING.value, 0),
        )

    # --- goals -------------------------------------------------------------------------------
    def goals(self, staff_id: int | None) -> builtins.list[Goal]:
        stmt = select(_G).order_by(_G.c.staff_id, _G.c.year, _G.c.id)
        if staff_id is not None:
            stmt = stmt.where(_G.c.staff_id == staff_id)
        return [_goal(row) for row in self._session.execute(stmt)]

    def add_goal(self, goal: Goal) -> Goal:
        values = asdict(goal)
        del values["id"]
        values["version"] = 1
        new_id = self._session.execute(insert(_G).values(**values).returning(_G.c.id)).scalar_one()
        return Goal(**(asdict(goal) | {"id": new_id, "version": 1}))

    def save_goal(self, goal: Goal) -> Goal:
        values = asdict(goal)
        del values["id"]
        values["version"] = goal.version + 1
        result = self._session.execute(
            update(_G).where(_G.c.id == goal.id, _G.c.version == goal.version).values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if not self._session.execute(select(_G.c.id).where(_G.c.id == goal.id)).first():
                raise NotFound("No such goal.", entity="goal", id=goal.id)
            raise EditConflict("Someone else saved this goal first.", entity="goal")
        return Goal(**(asdict(goal) | {"version": goal.version + 1}))
