"""The in-memory incentive repository (``core.incentives.ports.IncentiveRepository``) for
``tests.fakes.MemoryUnitOfWork``. Rows live in one dict of immutable values keyed by
``(table, id)``, so copying that dict isolates a transaction like the other fakes."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.audit.model import AuditEvent
from core.errors import EditConflict, NotFound
from core.incentives.model import Contribution, Goal, Redemption, RedemptionStatus, Reward
from core.incentives.ports import KindSum

if TYPE_CHECKING:
    from tests.fakes import MemoryState


class MemoryIncentives:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    @property
    def _rows(self) -> dict[tuple[str, int], Any]:
        return self.s.incentive_rows

    def _all(self, table: str) -> builtins.list[Any]:
        return [v for (t, _), v in sorted(self._rows.items()) if t == table]

    def _live(self) -> builtins.list[Contribution]:
        return [c for c in self._all("contribution") if ("removed", c.id) not in self._rows]

    def source_events(
        self, after_seq: int, actions: Collection[str], limit: int
    ) -> builtins.list[AuditEvent]:
        return [e for e in self.s.audit if e.seq > after_seq and e.action in actions][:limit]

    def credit(self, contribution: Contribution) -> Contribution | None:
        if any(c.source_key == contribution.source_key for c in self._all("contribution")):
            return None
        new_id = next(self.s.incentive_ids)
        saved = replace(contribution, id=new_id)
        self._rows["contribution", new_id] = saved
        return saved

    def get(self, contribution_id: int) -> Contribution:
        found = self._rows.get(("contribution", contribution_id))
        if found is None or ("removed", contribution_id) in self._rows:
            raise NotFound("No such contribution.", entity="contribution")
        assert isinstance(found, Contribution)
        return found

    def remove(self, contribution_id: int, by: int, at: datetime, reason: str) -> None:
        self.get(contribution_id)
        self._rows["removed", contribution_id] = (by, at, reason)

    def history(
        self,
        staff_id: int | None,
        start: datetime | None,
        end: datetime | None,
        offset: int,
        limit: int,
    ) -> builtins.list[Contribution]:
        rows = [
            c
            for c in self._live()
            if (staff_id is None or c.staff_id == staff_id)
            and (start is None or c.at >= start)
            and (end is None or c.at < end)
        ]
        rows.sort(key=lambda c: (c.at, c.id or 0), reverse=True)
        return rows[offset : offset + limit]

    def sums(
        self, start: datetime | None, end: datetime | None, staff_id: int | None = None
    ) -> builtins.list[KindSum]:
        points: dict[tuple[int, str], int] = defaultdict(int)
        counts: dict[tuple[int, str], int] = defaultdict(int)
        for c in self.history(staff_id, start, end, 0, 10**9):
            points[c.staff_id, c.kind] += c.points
            counts[c.staff_id, c.kind] += 1
        return [KindSum(s, k, points[s, k], counts[s, k]) for s, k in sorted(points)]

    def earned(self, staff_id: int) -> int:
        return sum(c.points for c in self._live() if c.staff_id == staff_id)

    def rewards(self, include_inactive: bool) -> builtins.list[Reward]:
        rows = [r for r in self._all("reward") if include_inactive or r.active]
        return sorted(rows, key=lambda r: (r.cost, r.name, r.id))

    def get_reward(self, reward_id: int) -> Reward:
        found = self._rows.get(("reward", reward_id))
        if found is None:
            raise NotFound("No such reward.", entity="reward")
        assert isinstance(found, Reward)
        return found

    def add_reward(self, reward: Reward) -> Reward:
        new_id = next(self.s.incentive_ids)
        saved = replace(reward, id=new_id, version=1)
        self._rows["reward", new_id] = saved
        return saved

    def save_reward(self, reward: Reward) -> Reward:
        if self.get_reward(reward.id or 0).version != reward.version:
            raise EditConflict("Someone else saved this reward first.", entity="reward")
        saved = replace(reward, version=reward.version + 1)
        self._rows["reward", saved.id or 0] = saved
        return saved

    def lock_person(self, staff_id: int) -> None:
        pass  # units of work run one at a time

    def add_redemption(self, redemption: Redemption) -> Redemption:
        new_id = next(self.s.incentive_ids)
        saved = replace(redemption, id=new_id)
        self._rows["redemption", new_id] = saved
        return saved

    def get_redemption(self, redemption_id: int) -> Redemption:
        found = self._rows.get(("redemption", redemption_id))
        if found is None:
            raise NotFound("No such request.", entity="redemption")
        assert isinstance(found, Redemption)
        return found

    def decide_redemption(self, redemption: Redemption, expected: RedemptionStatus) -> Redemption:
        if self.get_redemption(redemption.id or 0).status is not expected:
            raise EditConflict("Someone else decided this request first.", entity="redemption")
        self._rows["redemption", redemption.id or 0] = redemption
        return redemption

    def redemptions(
        self, status: RedemptionStatus | None, staff_id: int | None
    ) -> builtins.list[Redemption]:
        rows = [
            r
            for r in self._all("redemption")
            if (status is None or r.status is status)
            and (staff_id is None or r.staff_id == staff_id)
        ]
        return sorted(rows, key=lambda r: (r.requested_at, r.id), reverse=True)

    def redeemed(self, staff_id: int) -> tuple[int, int]:
        mine = self.redemptions(None, staff_id)
        return (
            sum(r.cost for r in mine if r.status is RedemptionStatus.APPROVED),
            sum(r.cost for r in mine if r.status is RedemptionStatus.PENDING),
        )

    def goals(self, staff_id: int | None) -> builtins.list[Goal]:
        rows = [g for g in self._all("goal") if staff_id is None or g.staff_id == staff_id]
        return sorted(rows, key=lambda g: (g.staff_id, g.year, g.id))

    def add_goal(self, goal: Goal) -> Goal:
        new_id = next(self.s.incentive_ids)
        saved = replace(goal, id=new_id, version=1)
        self._rows["goal", new_id] = saved
        return saved

    def save_goal(self, goal: Goal) -> Goal:
        found = self._rows.get(("goal", goal.id or 0))
        if found is None:
            raise NotFound("No such goal.", entity="goal")
        if found.version != goal.version:
            raise EditConflict("Someone else saved this goal first.", entity="goal")
        saved = replace(goal, version=goal.version + 1)
        self._rows["goal", goal.id or 0] = saved
        return saved
