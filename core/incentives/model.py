"""The staff incentive log's data: contributions, point rules, rewards, redemptions, goals.

Contributions are credited from what people do in the app (read from the audit trail, once
per source) or logged by hand. Each stores the points it earned when it was credited, so
changing the rules never rewrites history. Nothing here is ever about a review's stars, the
number of (positive) reviews or a review's sentiment (FTC 16 CFR Part 465; Google's policy
against review incentives and review gating): see ``core.incentives.rules``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ContributionKind(StrEnum):
    """The built-in kinds of contribution. Custom kinds an admin adds are ``custom:<slug>``."""

    POST_IDEA = "post_idea"
    POST_APPROVED = "post_approved"
    POST_PUBLISHED = "post_published"
    IMAGE_CHECKED = "image_checked"
    CONSENT_COLLECTED = "consent_collected"
    REPLY_ON_TIME = "reply_on_time"
    FEEDBACK_ASKED = "feedback_asked"
    MANUAL = "manual"


CUSTOM_PREFIX = "custom:"

AUTOMATIC_KINDS = frozenset(
    {
        ContributionKind.POST_IDEA,
        ContributionKind.POST_APPROVED,
        ContributionKind.POST_PUBLISHED,
        ContributionKind.IMAGE_CHECKED,
        ContributionKind.CONSENT_COLLECTED,
        ContributionKind.REPLY_ON_TIME,
    }
)
"""Kinds credited only from the audit trail; nobody logs them by hand."""

DEFAULT_POINTS: Mapping[str, int] = {
    ContributionKind.POST_IDEA: 1,
    ContributionKind.POST_APPROVED: 3,
    ContributionKind.POST_PUBLISHED: 3,
    ContributionKind.IMAGE_CHECKED: 2,
    ContributionKind.CONSENT_COLLECTED: 3,
    ContributionKind.REPLY_ON_TIME: 2,
    ContributionKind.FEEDBACK_ASKED: 1,
}
"""Quality first: an approved or published post earns more than an idea. ``MANUAL`` has no
rule: a manager enters its points each time."""


def is_custom(kind: str) -> bool:
    return kind.startswith(CUSTOM_PREFIX)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One credited contribution. ``source_key`` is unique: for automatic credits it names
    the kind and the record (``post_approved:post:12``), so replaying the audit trail never
    credits twice; for demo data ``demo:<n>``; for hand-logged ones ``manual:<uuid>``.
    ``entity_type``/``entity_id`` name the record it came from (empty for hand-logged ones);
    ``added_by`` is who logged it by hand (``None`` for automatic credits)."""

    id: int | None
    staff_id: int
    kind: str
    points: int
    at: datetime
    source_key: str
    note: str = ""
    entity_type: str = ""
    entity_id: str = ""
    added_by: int | None = None


@dataclass(frozen=True, slots=True)
class CustomKind:
    """A kind of contribution an admin added (logged by hand), e.g. "filmed a video"."""

    slug: str
    name: str
    description: str
    points: int

    @property
    def kind(self) -> str:
        return CUSTOM_PREFIX + self.slug


@dataclass(frozen=True, slots=True)
class PointRules:
    """Points per built-in kind (``ContributionKind`` values, ``MANUAL`` excluded) and the
    custom kinds. A versioned setting, like the review rules of engagement."""

    points: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    custom: tuple[CustomKind, ...] = ()

    def points_for(self, kind: str) -> int | None:
        """The points a kind earns now, or ``None`` when there is no rule (``MANUAL``, or a
        custom kind that was removed)."""
        if is_custom(kind):
            slug = kind.removeprefix(CUSTOM_PREFIX)
            return next((c.points for c in self.custom if c.slug == slug), None)
        if kind == ContributionKind.MANUAL:
            return None
        if kind in self.points:
            return self.points[kind]
        return DEFAULT_POINTS.get(kind)

    def custom_kind(self, kind: str) -> CustomKind | None:
        slug = kind.removeprefix(CUSTOM_PREFIX)
        return next((c for c in self.custom if c.slug == slug), None) if is_custom(kind) else None


@dataclass(frozen=True, slots=True)
class Reward:
    """An item of the reward catalogue. ``version`` guards against two managers editing it."""

    id: int | None
    name: str
    cost: int
    active: bool = True
    version: int = 1


class RedemptionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Redemption:
    """A request to spend points on a reward. The reward's name and cost are copied at the
    request, so editing the catalogue later changes no past request."""

    id: int | None
    staff_id: int
    reward_id: int
    reward_name: str
    cost: int
    requested_at: datetime
    status: RedemptionStatus = RedemptionStatus.PENDING
    decided_by: int | None = None
    decided_at: datetime | None = None
    note: str = ""


class GoalPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Goal:
    """A person's objective for ``year``: ``count`` contributions of ``kind`` each ``period``
    (e.g. 4 approved posts a month)."""

    id: int | None
    staff_id: int
    kind: str
    count: int
    period: str
    year: int
    note: str = ""
    active: bool = True
    version: int = 1


@dataclass(frozen=True, slots=True)
class Balance:
    """Points earned, spent (approved redemptions) and held by pending requests."""

    earned: int
    spent: int
    pending: int

    @property
    def available(self) -> int:
        return self.earned - self.spent - self.pending


@dataclass(frozen=True, slots=True)
class LeaderRow:
    """One person's month: points and the number of contributions by kind."""

    staff_id: int
    name: str
    points: int
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """How far a goal is in the period containing the day asked about (``period_label``:
    ``2026-11``, ``2026-Q4`` or ``2026``)."""

    goal: Goal
    done: int
    period_label: str

    @property
    def reached(self) -> bool:
        return self.done >= self.goal.count
