"""The incentive log's storage port (``storage.repositories.incentives`` implements it).

One repository on the unit of work (``tx.incentives``) holds contributions, rewards,
redemptions and goals: they are one small feature, and the balance checks need them in one
transaction. It also reads the audit trail's source events (read only, by action and
``seq``), which is where automatic credits come from.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.audit.model import AuditEvent
from core.incentives.model import Contribution, Goal, Redemption, RedemptionStatus, Reward


@dataclass(frozen=True, slots=True)
class KindSum:
    """Points and number of contributions of one kind by one person (a ``GROUP BY`` row)."""

    staff_id: int
    kind: str
    points: int
    count: int


class IncentiveRepository(Protocol):
    # --- the audit trail, read only ----------------------------------------------------------
    def source_events(
        self, after_seq: int, actions: Collection[str], limit: int
    ) -> builtins.list[AuditEvent]:
        """Audit events with one of ``actions`` and ``seq > after_seq``, oldest first."""
        ...

    # --- contributions -----------------------------------------------------------------------
    def credit(self, contribution: Contribution) -> Contribution | None:
        """Insert unless a contribution with the same ``source_key`` exists (also one a
        concurrent transaction is inserting: the database's unique index decides). Returns
        the stored contribution, or ``None`` when it was already credited."""
        ...

    def get(self, contribution_id: int) -> Contribution:
        """Raises ``core.errors.NotFound`` (also for a removed one)."""
        ...

    def remove(self, contribution_id: int, by: int, at: datetime, reason: str) -> None:
        """Mark as removed (kept, with who, when and why; no longer counted)."""
        ...

    def history(
        self,
        staff_id: int | None,
        start: datetime | None,
        end: datetime | None,
        offset: int,
        limit: int,
    ) -> builtins.list[Contribution]:
        """Contributions (not removed) with ``start <= at < end``, newest first; everyone's
        when ``staff_id`` is ``None``."""
        ...

    def sums(
        self, start: datetime | None, end: datetime | None, staff_id: int | None = None
    ) -> builtins.list[KindSum]:
        """Points and counts per person and kind with ``start <= at < end`` (in SQL)."""
        ...

    def earned(self, staff_id: int) -> int: ...

    # --- rewards -----------------------------------------------------------------------------
    def rewards(self, include_inactive: bool) -> builtins.list[Reward]:
        """By cost, then name."""
        ...

    def get_reward(self, reward_id: int) -> Reward: ...

    def add_reward(self, reward: Reward) -> Reward: ...

    def save_reward(self, reward: Reward) -> Reward:
        """``reward.version`` must be the stored one, else ``core.errors.EditConflict``."""
        ...

    # --- redemptions -------------------------------------------------------------------------
    def lock_person(self, staff_id: int) -> None:
        """Serialise balance checks for one person until the transaction ends (PostgreSQL:
        an advisory lock; SQLite's writers are serialised already)."""
        ...

    def add_redemption(self, redemption: Redemption) -> Redemption: ...

    def get_redemption(self, redemption_id: int) -> Redemption: ...

    def decide_redemption(self, redemption: Redemption, expected: RedemptionStatus) -> Redemption:
        """Save status, decider, time and note if the stored status is still ``expected``,
        else ``core.errors.EditConflict``."""
        ...

    def redemptions(
        self, status: RedemptionStatus | None, staff_id: int | None
    ) -> builtins.list[Redemption]:
        """Newest first."""
        ...

    def redeemed(self, staff_id: int) -> tuple[int, int]:
        """Points spent (approved) and held (pending) by one person."""
        ...

    # --- goals -------------------------------------------------------------------------------
    def goals(self, staff_id: int | None) -> builtins.list[Goal]:
        """By person, then year, then id."""
        ...

    def add_goal(self, goal: Goal) -> Goal: ...

    def save_goal(self, goal: Goal) -> Goal:
        """``goal.version`` must be the stored one, else ``core.errors.EditConflict``."""
        ...
