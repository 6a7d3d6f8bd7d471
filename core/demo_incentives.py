"""The demo practice's incentive log: a year of contributions for the demo staff (quality
first: approved and published posts earn more than ideas), a custom kind, the reward
catalogue, goals, and a few redemptions (one approved, one declined, one waiting for a
manager, which Today shows). Nothing here rewards reviews, ratings or their sentiment.

Past contributions are credited with keys ``demo:<n>`` (``IncentiveService.seed``), standing
for the audit trail the other demo modules wrote today (the cursor moves past it); what
happens in the demo from then on is credited by ``sync`` like in the app. Deterministic.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from core.app import Services
from core.demo import DemoStaff
from core.incentives.model import Contribution, ContributionKind, Goal, Reward
from core.incentives.rules import new_custom_kind

K = ContributionKind
VIDEO = new_custom_kind(
    "Filmed a video", "A short clip for social media: an office tour, a new team member", 5
)
REWARDS = (
    ("Coffee card", 10),
    ("Movie tickets", 25),
    ("Team lunch", 40),
    ("An hour off", 60),
    ("A half day off", 150),
)
_NOTES = (
    "Filmed the new-hygienist intro video",
    "Organised the photos for the health fair",
    "Set up the window display for Children's Dental Health Month",
    "Wrote the back-to-school brushing tips",
)
# Contributions per month by kind, roughly, for each demo role.
_PACE = {
    "front_desk": {K.POST_IDEA: 5, K.POST_APPROVED: 3, K.POST_PUBLISHED: 2, K.FEEDBACK_ASKED: 14,
                   K.CONSENT_COLLECTED: 4, K.REPLY_ON_TIME: 3, K.IMAGE_CHECKED: 2},
    "manager": {K.POST_IDEA: 2, K.POST_APPROVED: 1, K.POST_PUBLISHED: 3, K.IMAGE_CHECKED: 5,
                K.REPLY_ON_TIME: 5, K.FEEDBACK_ASKED: 4},
    "admin": {K.POST_IDEA: 1, K.POST_PUBLISHED: 1, K.REPLY_ON_TIME: 2, K.FEEDBACK_ASKED: 2},
    "doctor": {K.POST_IDEA: 1, K.FEEDBACK_ASKED: 6},
}  # fmt: skip


def demo_contributions(services: Services, staff: DemoStaff) -> list[Contribution]:
    """A year of contributions before the demo's today, for every demo person."""
    rng = random.Random(465)  # noqa: S311 - sample data, not secrets
    rules = services.incentives.rules().value
    now = services.clock.now()
    people = {
        "front_desk": staff.front_desk.id,
        "manager": staff.manager.id,
        "admin": staff.admin.id,
        "doctor": staff.doctor.id,
    }
    found: list[Contribution] = []
    for role, pace in _PACE.items():
        for kind, per_month in pace.items():
            points = rules.points_for(kind) or 0
            for _ in range(per_month * 12):
                days = rng.randint(0, 364)
                at = now - timedelta(days=days, hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
                found.append(
                    Contribution(None, people[role], kind, points, at, f"demo:{len(found) + 1}")
                )
    for n, note in enumerate(_NOTES):
        at = now - timedelta(days=30 + 70 * n)
        found.append(
            Contribution(
                None,
                staff.front_desk.id if n % 2 == 0 else staff.manager.id,
                K.MANUAL,
                8,
                at,
                f"demo:{len(found) + 1}",
                note,
                added_by=staff.admin.id,
            )
        )
        found.append(
            Contribution(
                None,
                staff.front_desk.id,
                VIDEO.kind,
                VIDEO.points,
                at + timedelta(days=3),
                f"demo:{len(found) + 1}",
                "Office tour",
                added_by=staff.front_desk.id,
            )
        )
    return found


def create_demo_incentives(services: Services, staff: DemoStaff) -> None:
    inc = services.incentives
    rules = inc.rules()
    inc.save_rules(staff.admin, replace(rules.value, custom=(VIDEO,)), rules.version)
    inc.seed(demo_contributions(services, staff))
    rewards = {
        name: inc.save_reward(staff.admin, Reward(None, name, cost)) for name, cost in REWARDS
    }
    year = services.clock.now().year
    for goal in (
        Goal(None, staff.front_desk.id, K.POST_APPROVED, 4, "month", year, "Four approved posts"),
        Goal(None, staff.front_desk.id, K.FEEDBACK_ASKED, 15, "month", year),
        Goal(None, staff.manager.id, K.IMAGE_CHECKED, 12, "quarter", year),
        Goal(None, staff.doctor.id, K.POST_IDEA, 10, "year", year, "Ideas from the chair"),
    ):
        inc.save_goal(staff.admin, goal)

    def ask(person_id: int, name: str) -> int:
        member = next(m for m in services.staff.list() if m.id == person_id)
        reward_id = rewards[name].id
        assert reward_id is not None
        made = inc.request_redemption(member, reward_id)
        assert made.id is not None
        return made.id

    inc.decide_redemption(staff.manager, ask(staff.front_desk.id, "Team lunch"), approve=True)
    inc.decide_redemption(staff.admin, ask(staff.manager.id, "Coffee card"), approve=True)
    inc.decide_redemption(
        staff.manager,
        ask(staff.doctor.id, "Movie tickets"),
        approve=False,
        note="Movie tickets are out until next month; a coffee card instead?",
    )
    ask(staff.front_desk.id, "An hour off")  # pending: Today shows it to the managers
