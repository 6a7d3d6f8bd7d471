"""Settings → Practice, the page's section list, edit conflicts and read-only views."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from core.practice.model import Specialty
from core.practice.service import Versioned
from gui.hub import SignalHub
from gui.settings.page import SettingsPage
from gui.settings.practice import PracticeSection
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, open_section


def practice_section(qtbot: QtBot, page: SettingsPage) -> PracticeSection:
    return open_section(qtbot, page, "practice", PracticeSection)


def test_show_target_selects_each_section(page: SettingsPage, env: PageEnv) -> None:
    page.set_user(env.staff.admin)
    for key in (
        "practice",
        "staff",
        "security",
        "rules",
        "posting",
        "consent",
        "review_sources",
        "backups",
        "audit",
        "about",
    ):
        page.show_target(key)
        assert page.current_section().key == key
        assert page.buttons[key].isChecked()
    page.show_target("no-such-section")
    assert page.current_section().key == "about"


def test_profile_loads_and_saves(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub
) -> None:
    page.set_user(env.staff.admin)
    section = practice_section(qtbot, page)
    assert section.name.text() == "Maple Grove Family Dental"
    assert section.specialty.currentText() == "Dental"
    assert section.timezone.currentText() == "America/Chicago"
    assert not section.save_button.isEnabled()

    section.name.setText("Maple Grove Dental & Ortho")
    section.name.textEdited.emit(section.name.text())
    section.specialty.setCurrentIndex(section.specialty.findData(Specialty.PEDIATRICS))
    section.timezone.setCurrentText("America/Denver")
    assert section.dirty
    assert section.save_button.isEnabled()
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "practice"
    ):
        section.save_button.click()
    saved = env.services.practice.practice().value
    assert saved.name == "Maple Grove Dental & Ortho"
    assert saved.specialty is Specialty.PEDIATRICS
    assert saved.timezone == "America/Denver"
    assert section.notice_text() == "The practice profile is saved."
    qtbot.waitUntil(lambda: not section.dirty and not section.save_button.isEnabled())


def test_validation_error_is_shown_next_to_the_field(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = practice_section(qtbot, page)
    section.name.setText("   ")
    section.save()
    qtbot.waitUntil(lambda: section.field_errors.text("name") != "", timeout=5000)
    assert section.field_errors.text("name") == "The practice needs a name."
    assert section.name.property("error") == "true"
    assert env.services.practice.practice().value.name == "Maple Grove Family Dental"

    section.timezone.setCurrentText("Mars/Olympus_Mons")
    section.name.setText("Maple Grove")
    section.save()
    qtbot.waitUntil(lambda: section.field_errors.text("timezone") != "", timeout=5000)
    assert section.field_errors.text("name") == ""


def test_edit_conflict_is_reported_and_reloaded_not_overwritten(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = practice_section(qtbot, page)
    # Another workstation saves a new phone number while this one is editing.
    current = env.services.practice.practice()
    env.services.practice.save_practice(
        env.staff.admin, Versioned(replace(current.value, phone="(217) 555-0199"), current.version)
    )
    section.website.setText("https://maple.example")
    section.save()
    qtbot.waitUntil(lambda: "Someone else saved" in section.notice_text(), timeout=5000)
    assert section.notice is not None
    assert section.notice.property("tone") == "warning"
    saved = env.services.practice.practice().value
    assert saved.phone == "(217) 555-0199"
    assert saved.website == "https://maplegrove-dental.example"
    qtbot.waitUntil(lambda: section.phone.text() == "(217) 555-0199", timeout=5000)
    assert section.website.text() == "https://maplegrove-dental.example"


def test_two_pages_editing_at_once_conflict(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    first, second = (SettingsPage(env.services, SignalHub(), runner) for _ in range(2))
    for settings in (first, second):
        qtbot.addWidget(settings)
        settings.set_user(env.staff.admin)
    one, two = practice_section(qtbot, first), practice_section(qtbot, second)
    one.phone.setText("(217) 555-0111")
    one.save()
    qtbot.waitUntil(lambda: one.notice_text() != "", timeout=5000)
    two.phone.setText("(217) 555-0222")
    two.save()
    qtbot.waitUntil(lambda: "Someone else saved" in two.notice_text(), timeout=5000)
    assert env.services.practice.practice().value.phone == "(217) 555-0111"


def test_front_desk_sees_a_read_only_profile(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.front_desk)
    section = practice_section(qtbot, page)
    assert section.name.text() == "Maple Grove Family Dental"
    assert not section.note.isHidden()
    assert section.note.text_label.text() == "Only an admin can change this."
    assert not section.name.isEnabled()
    assert section.save_button.isHidden()


def test_manager_may_not_edit_the_profile_but_may_edit_settings(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.manager)
    section = practice_section(qtbot, page)
    assert not section.name.isEnabled()
    security = page.section("security")
    page.show_target("security")
    qtbot.waitUntil(lambda: security.loaded, timeout=5000)
    assert security.note.isHidden()
    page.show_target("rules")
    rules = page.section("rules")
    qtbot.waitUntil(lambda: rules.loaded, timeout=5000)
    assert rules.note.isHidden()


def test_front_desk_settings_are_read_only_with_the_note(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.front_desk)
    for key in ("security", "rules", "posting", "consent", "review_sources", "backups"):
        page.show_target(key)
        section = page.section(key)
        qtbot.waitUntil(lambda: page.current_section().loaded, timeout=5000)
        assert section.note.text_label.text() == "Only a manager or admin can change this."
        assert not section.note.isHidden()
    audit = page.section("audit")
    page.show_target("audit")
    assert audit.note.text_label.text() == "Only a manager or admin can view the audit trail."


def test_unsaved_edits_survive_a_lock_but_not_a_switch_of_user(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = practice_section(qtbot, page)
    section.phone.setText("(217) 555-0100")
    page.set_user(None)  # auto-lock
    page.set_user(env.staff.admin)  # the same person unlocks
    qtbot.wait(100)
    assert section.phone.text() == "(217) 555-0100"
    assert section.dirty

    page.set_user(None)
    second = env.services.staff.add(env.staff.admin, "Ana Ruiz", env.staff.admin.role, "7391")
    page.set_user(second)  # someone else signs in
    qtbot.waitUntil(lambda: section.loaded, timeout=5000)
    assert section.phone.text() == "(217) 555-0142"
    assert not section.dirty


def test_signing_out_drops_the_user_and_a_new_user_reloads(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = practice_section(qtbot, page)
    page.set_user(None)
    assert not section.loaded
    assert section.user is None
    page.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: section.loaded, timeout=5000)
    assert not section.name.isEnabled()
