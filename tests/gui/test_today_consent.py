"""Today's consent items: a consent that expires soon and a post to take down, worded without
names, and their actions jumping to the Consent page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from core.consent.model import AuthorizationStatus
from core.today.model import AttentionItem, Severity
from gui.hub import SignalHub
from gui.tasks import TaskRunner
from gui.today.page import TodayPage
from gui.today.wording import WordingContext, word
from tests.gui.page_env import PageEnv

CHICAGO = ZoneInfo("America/Chicago")
# 9:00 on Monday, November 2, 2026 in Chicago.
CTX = WordingContext(datetime(2026, 11, 2, 15, 0, tzinfo=UTC), CHICAGO)


def expiring(expires_on: str, patient_id: int = 12) -> AttentionItem:
    return AttentionItem(
        f"consent_expiring:{patient_id}",
        "consent_expiring",
        Severity.WARNING,
        "consent",
        target=f"patient:{patient_id}",
        params={"authorization_id": 5, "patient_id": patient_id, "expires_on": expires_on},
    )


def takedown(reason: str = "revoked", platform: str = "facebook") -> AttentionItem:
    return AttentionItem(
        "consent_takedown:3",
        "consent_takedown",
        Severity.URGENT,
        "consent",
        target="takedown:3",
        params={
            "takedown_id": 3,
            "post_id": 41,
            "platform": platform,
            "url": "https://www.facebook.com/maplegrove/posts/1",
            "reason": reason,
        },
    )


class Fixed:
    """An attention source returning fixed items."""

    def __init__(self, items: list[AttentionItem]) -> None:
        self.items = items

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        return list(self.items)


def test_an_expiring_consent_is_worded_with_its_date() -> None:
    wording = word(expiring("2026-11-20"), CTX)
    assert wording.title == "A photo consent expires soon"
    assert wording.detail == (
        "A patient's consent runs out on Fri, Nov 20. Ask them to sign a new one, or their "
        "photos can no longer be used after that day."
    )
    assert wording.action == "Ask to re-consent"
    assert "runs out on Tue, Jan 5, 2027." in word(expiring("2027-01-05"), CTX).detail


def test_a_takedown_is_worded_by_platform_and_reason() -> None:
    revoked = word(takedown(), CTX)
    assert revoked.title == "Take a post down"
    assert revoked.detail == (
        "A patient withdrew consent for a photo in a post on Facebook. Remove the post, then "
        "confirm it here."
    )
    assert revoked.action == "Open the takedown list"
    expired = word(takedown("expired", "gbp"), CTX)
    assert expired.title == "Take a post down"
    assert expired.detail == (
        "The consent for a photo in a post on Google Business Profile has expired. Remove the "
        "post, then confirm it here."
    )


def test_malformed_params_fall_back_to_the_generic_wording() -> None:
    broken = AttentionItem(
        "x", "consent_expiring", Severity.WARNING, "consent", params={"expires_on": "soon"}
    )
    assert word(broken, CTX).title == "Something needs a look"
    assert word(broken, CTX).action == "Open Consent"


def test_actions_open_the_consent_page_on_the_patient_or_the_takedown(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    env.services.today.register(Fixed([expiring("2026-11-20"), takedown()]))
    page = TodayPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)
    rows = {row.item.key: row for row in page.view.rows()}
    take_down = rows["consent_takedown:3"]
    assert take_down.title_label.text() == "Take a post down"
    assert take_down.action_button.text() == "Open the takedown list"
    # Urgent before warning: the takedown comes first.
    keys = [row.item.key for row in page.view.rows()]
    assert keys.index("consent_takedown:3") < keys.index("consent_expiring:12")

    with qtbot.waitSignal(hub.navigate, timeout=2000) as blocker:
        take_down.action_button.click()
    assert blocker.args == ["consent", "takedown:3"]
    with qtbot.waitSignal(hub.navigate, timeout=2000) as blocker:
        rows["consent_expiring:12"].action_button.click()
    assert blocker.args == ["consent", "patient:12"]


def test_the_demo_practice_shows_its_consent_items_worded(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    """The demo's revoked consent has a published post: Today asks to take it down; and some
    demo consents expire soon. None of them falls back to the generic wording."""
    page = TodayPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.set_user(env.staff.admin)
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)
    rows = page.view.rows()
    takedowns = [r for r in rows if r.item.kind == "consent_takedown"]
    expiring_rows = [r for r in rows if r.item.kind == "consent_expiring_many"]
    assert takedowns
    assert len(expiring_rows) == 1  # many expiring consents are one item, not a flood
    count = env.services.consent.status_counts()[AuthorizationStatus.EXPIRING]
    assert count > 3
    assert expiring_rows[0].title_label.text() == f"{count} photo consents expire soon"
    assert all(r.title_label.text() == "Take a post down" for r in takedowns)
    with qtbot.waitSignal(hub.navigate) as jumped:
        expiring_rows[0].action_button.click()
    assert jumped.args == ["consent", "status:expiring"]
    open_ids = {t.id for t in env.services.consent.takedowns()}
    assert {int(str(r.item.target).removeprefix("takedown:")) for r in takedowns} == open_ids
