"""Settings → Posting plan: editing and saving, read-only for the front desk, edit conflicts."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.audit.model import AuditQuery
from core.errors import ValidationError
from core.practice.model import PostingPlan
from core.practice.service import POSTING_PLAN_KEY, Versioned
from gui.hub import SignalHub
from gui.settings.page import SettingsPage
from gui.settings.posting import PostingSection
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, open_section


def posting_section(qtbot: QtBot, page: SettingsPage) -> PostingSection:
    return open_section(qtbot, page, "posting", PostingSection)


def test_admin_edits_and_saves_the_plan(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    page.set_user(env.staff.admin)
    section = posting_section(qtbot, page)
    assert section.title_label.text() == "Posting plan"
    assert section.per_week.value() == 3
    assert section.per_week.text() == "3 posts"
    assert section.mastodon_limit.value() == 500
    assert (section.mastodon_limit.minimum(), section.mastodon_limit.maximum()) == (100, 100_000)
    assert (section.per_week.minimum(), section.per_week.maximum()) == (0, 50)
    assert section.note.isHidden()
    assert not section.save_button.isEnabled()

    section.per_week.setValue(0)
    assert section.per_week.text() == "No plan"
    section.per_week.setValue(1)
    assert section.per_week.text() == "1 post"
    section.mastodon_limit.setValue(11_000)
    assert section.dirty
    assert section.save_button.isEnabled()
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "settings"
    ):
        section.save_button.click()
    saved = env.services.practice.posting_plan()
    assert saved.value == PostingPlan(posts_per_week=1, mastodon_limit=11_000)
    assert section.notice_text() == "The posting plan is saved."
    qtbot.waitUntil(lambda: not section.dirty and not section.save_button.isEnabled())
    events, _ = env.services.audit.query(env.staff.admin, AuditQuery(limit=1000))
    assert any(
        (e.action, e.entity_id, e.actor_id)
        == ("settings.update", POSTING_PLAN_KEY, env.staff.admin.id)
        for e in events
    )

    fresh = SettingsPage(env.services, SignalHub(), runner)
    qtbot.addWidget(fresh)
    fresh.set_user(env.staff.admin)
    assert posting_section(qtbot, fresh).form_value() == saved.value


def test_undo_restores_the_saved_plan(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> None:
    page.set_user(env.staff.admin)
    section = posting_section(qtbot, page)
    section.mastodon_limit.setValue(700)
    assert section.undo_button.isEnabled()
    section.undo_button.click()
    qtbot.waitUntil(lambda: section.mastodon_limit.value() == 500, timeout=5000)
    assert not section.dirty


def test_front_desk_sees_the_plan_read_only(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> None:
    current = env.services.practice.posting_plan()
    env.services.practice.save_posting_plan(
        env.staff.admin, Versioned(PostingPlan(2, 1000), current.version)
    )
    page.set_user(env.staff.front_desk)
    section = posting_section(qtbot, page)
    assert (section.per_week.value(), section.mastodon_limit.value()) == (2, 1000)
    assert not section.per_week.isEnabled()
    assert not section.mastodon_limit.isEnabled()
    assert section.save_button.isHidden()
    assert section.undo_button.isHidden()
    assert not section.note.isHidden()
    assert section.note.text_label.text() == "Only a manager or admin can change this."


def test_a_stale_version_shows_the_conflict_and_reloads(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.manager)
    section = posting_section(qtbot, page)
    # Another workstation saves a new limit while this one is editing.
    current = env.services.practice.posting_plan()
    env.services.practice.save_posting_plan(
        env.staff.admin, Versioned(PostingPlan(3, 1000), current.version)
    )
    section.per_week.setValue(5)
    section.save()
    qtbot.waitUntil(lambda: "Someone else saved" in section.notice_text(), timeout=5000)
    assert section.notice is not None
    assert section.notice.property("tone") == "warning"
    assert env.services.practice.posting_plan().value == PostingPlan(3, 1000)
    qtbot.waitUntil(lambda: section.mastodon_limit.value() == 1000, timeout=5000)
    assert section.per_week.value() == 3
    assert not section.dirty


def test_a_plan_saved_with_a_fraction_shows_rounded_and_is_not_an_edit(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    current = env.services.practice.posting_plan()
    env.services.practice.save_posting_plan(
        env.staff.admin, Versioned(PostingPlan(posts_per_week=2.4), current.version)
    )
    page.set_user(env.staff.admin)
    section = posting_section(qtbot, page)
    assert section.per_week.value() == 2
    assert not section.dirty
    assert not section.save_button.isEnabled()


def test_a_refused_field_is_worded_next_to_it(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = posting_section(qtbot, page)
    section.handle_error(ValidationError("too small", field="mastodon_limit"))
    assert (
        section.field_errors.text("mastodon_limit")
        == "A Mastodon server's limit is 100 to 100,000 characters."
    )
    section.handle_error(ValidationError("malformed", field="posting_plan"))
    assert section.notice_text() == (
        "The saved posting plan could not be read; check it and save again."
    )
