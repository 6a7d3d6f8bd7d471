"""The Incentives page over real services (in-memory ports) with a small, known history:
automatic credits from audit events, feedback asks, a manager's manual credit, rewards and a
pending request. Shared by the ``test_incentives_*`` GUI tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.incentives.model import ContributionKind, Redemption, Reward
from core.staff.model import StaffMember
from gui.hub import SignalHub
from gui.incentives.page import IncentivesPage
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, build_env

NOW = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
"""11:00 on Monday, November 2, 2026 in Chicago (the demo practice's zone)."""
K = ContributionKind


@dataclass
class IncentivesEnv:
    """The page, its services, and the rewards and request made for the test."""

    env: PageEnv
    page: IncentivesPage
    hub: SignalHub
    runner: TaskRunner
    coffee: Reward
    lunch: Reward
    pending: Redemption

    @property
    def desk(self) -> StaffMember:
        return self.env.staff.front_desk

    @property
    def manager(self) -> StaffMember:
        return self.env.staff.manager


def seed(env: PageEnv) -> tuple[Reward, Reward, Redemption]:
    """Three post ideas and a consent-free month for the front desk (9 + 3 points), a manual
    credit for the doctor in October, and the catalogue; the doctor asks for a coffee card."""
    services, staff = env.services, env.staff
    incentives = services.incentives
    env.clock.set(datetime(2026, 10, 12, 15, 0, tzinfo=UTC))
    incentives.add_manual(staff.manager, staff.doctor.id, K.MANUAL, "Filmed the intro video", 12)
    env.clock.set(NOW - timedelta(hours=3))
    for post_id in (101, 102, 103):
        services.audit.record(staff.front_desk, "post.submit", "post", post_id)
    for _ in range(3):
        incentives.add_manual(staff.front_desk, staff.front_desk.id, K.FEEDBACK_ASKED, "")
    coffee = incentives.save_reward(staff.manager, Reward(None, "Coffee card", 10))
    lunch = incentives.save_reward(staff.manager, Reward(None, "Team lunch", 40))
    assert coffee.id is not None
    pending = incentives.request_redemption(staff.doctor, coffee.id)
    env.clock.set(NOW)
    return coffee, lunch, pending


def build_incentives_env(qtbot: QtBot, hub: SignalHub, runner: TaskRunner) -> IncentivesEnv:
    """The page with nobody signed in yet (sign someone in with ``open_as``)."""
    env = build_env(ManualClock(NOW), with_posts=False)
    coffee, lunch, pending = seed(env)
    page = IncentivesPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    return IncentivesEnv(env, page, hub, runner, coffee, lunch, pending)


def open_as(qtbot: QtBot, inc: IncentivesEnv, member: StaffMember) -> IncentivesPage:
    """Sign ``member`` in and wait until the page and its shown tab have loaded."""
    page = inc.page
    page.set_user(member)
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)
    current = page.tabs.currentWidget()
    qtbot.waitUntil(lambda: getattr(current, "loaded", True), timeout=5000)
    return page


def show_tab(qtbot: QtBot, page: IncentivesPage, target: str) -> None:
    """Jump to a tab the way Today does, and wait until it has loaded."""
    page.show_target(target)
    current = page.tabs.currentWidget()
    qtbot.waitUntil(lambda: getattr(current, "loaded", True), timeout=5000)


def settle_changes(qtbot: QtBot, inc: IncentivesEnv) -> None:
    """Wait until a change went through and every view of it reloaded."""
    inc.runner.wait(5000)
    qtbot.waitUntil(lambda: not inc.runner.busy, timeout=5000)
