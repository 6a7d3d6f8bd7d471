"""Settings → Consent forms: the expiry settings, the form template (saving makes a new
version; the required statements cannot be emptied), read-only for the front desk, edit
conflicts, and the way to the blank form."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from core.errors import ValidationError
from core.practice.service import Versioned
from gui.hub import SignalHub
from gui.settings.consent import ConsentSection, split_paragraphs
from gui.settings.page import SettingsPage
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, open_section


def consent_section(qtbot: QtBot, page: SettingsPage) -> ConsentSection:
    return open_section(qtbot, page, "consent", ConsentSection)


def test_split_paragraphs_keeps_one_paragraph_per_blank_line() -> None:
    text = "First line\ncontinues.\n\n\n  Second.  \n \t\nThird.\r\n\r\nFourth.\n\n"
    assert split_paragraphs(text) == ("First line\ncontinues.", "Second.", "Third.", "Fourth.")
    assert split_paragraphs("  \n\n ") == ()


def test_admin_edits_and_saves_the_settings(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub
) -> None:
    page.set_user(env.staff.admin)
    section = consent_section(qtbot, page)
    assert page.buttons["consent"].text() == "Consent forms"
    assert section.title_label.text() == "Consent forms"
    assert section.note.isHidden()
    assert section.expiring_days.value() == 30
    assert section.expiring_days.text() == "30 days"
    assert (section.expiring_days.minimum(), section.expiring_days.maximum()) == (1, 365)
    assert section.review_posts.isChecked()
    assert not section.save_settings_button.isEnabled()

    section.expiring_days.setValue(14)
    section.leave_posts.setChecked(True)
    assert section.settings_dirty
    assert not section.form_dirty
    assert section.save_settings_button.isEnabled()
    assert not section.form_card.save_form_button.isEnabled()
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "settings"
    ):
        section.save_settings_button.click()
    saved = env.services.practice.consent_settings().value
    assert (saved.expiring_days, saved.on_expiry) == (14, "nothing")
    assert section.notice_text() == "The consent settings are saved."
    qtbot.waitUntil(lambda: not section.dirty and not section.save_settings_button.isEnabled())

    section.expiring_days.setValue(60)
    section.undo_settings_button.click()
    assert section.expiring_days.value() == 14
    assert section.leave_posts.isChecked()
    assert not section.dirty


def test_editing_the_form_saves_a_new_version(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    before = env.services.consent.form()
    page.set_user(env.staff.manager)
    section = consent_section(qtbot, page)
    assert section.form_card.version_badge.text() == f"Version {before.version}"
    assert not section.form_card.attorney_note.isHidden()
    assert "attorney" in section.form_card.attorney_note.text_label.text()
    assert section.form_card.form_title.text() == before.title
    assert split_paragraphs(section.form_card.paragraphs.toPlainText()) == before.paragraphs
    assert (
        section.form_card.statements["redisclosure"].toPlainText()
        == before.statements["redisclosure"]
    )
    assert not section.form_card.save_form_button.isEnabled()

    section.form_card.form_title.setText("May we share your smile?")
    section.form_card.paragraphs.setPlainText(
        section.form_card.paragraphs.toPlainText()
        + "\n\nWe never show your name unless you tick it."
    )
    assert section.form_dirty
    assert not section.settings_dirty
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "settings"
    ):
        section.form_card.save_form_button.click()
    after = env.services.consent.form()
    assert after.version != before.version
    assert after.title == "May we share your smile?"
    assert after.paragraphs == (*before.paragraphs, "We never show your name unless you tick it.")
    assert after.statements == before.statements
    assert section.form_card.version_badge.text() == f"Version {after.version}"
    assert section.form_card.form_status.text() == f"Saved as version {after.version}."
    qtbot.waitUntil(
        lambda: not section.dirty and not section.form_card.save_form_button.isEnabled()
    )

    fresh = SettingsPage(env.services, SignalHub(), runner)
    qtbot.addWidget(fresh)
    fresh.set_user(env.staff.admin)
    assert consent_section(qtbot, fresh).form_value() == after


def test_undo_restores_the_saved_form(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> None:
    page.set_user(env.staff.admin)
    section = consent_section(qtbot, page)
    saved = section.form_value()
    section.form_card.intro.setPlainText("Something else")
    section.form_card.statements["right_to_revoke"].clear()
    assert section.form_card.undo_form_button.isEnabled()
    section.form_card.undo_form_button.click()
    assert section.form_value() == saved
    assert not section.dirty


def test_the_required_statements_cannot_be_left_empty(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    before = env.services.consent.form()
    page.set_user(env.staff.admin)
    section = consent_section(qtbot, page)
    section.form_card.statements["treatment_not_conditioned"].setPlainText("   ")
    section.form_card.statements["redisclosure"].clear()
    section.form_card.save_form_button.click()
    message = "Write this statement: a valid consent form must include it."
    assert section.field_errors.text("treatment_not_conditioned") == message
    assert section.field_errors.text("redisclosure") == message
    assert section.field_errors.text("right_to_revoke") == ""
    assert section.form_card.form_status.text().startswith(
        "Not saved: a consent form needs a title and all three required statements."
    )
    qtbot.wait(50)
    assert env.services.consent.form() == before
    assert section.form_dirty

    # Core refuses it too, and its refusal is worded next to the field.
    section.field_errors.clear()
    section.handle_error(ValidationError("empty", field="right_to_revoke"))
    assert section.field_errors.text("right_to_revoke") == message
    section.handle_error(ValidationError("braces", field="placeholders"))
    assert "{practice_name}, {practice_address} and {practice_phone}" in section.notice_text()


def test_front_desk_sees_it_read_only(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> None:
    page.set_user(env.staff.front_desk)
    section = consent_section(qtbot, page)
    assert section.expiring_days.value() == 30
    assert not section.expiring_days.isEnabled()
    assert not section.review_posts.isEnabled()
    assert not section.leave_posts.isEnabled()
    assert section.form_card.form_title.isReadOnly()
    assert section.form_card.paragraphs.isReadOnly()
    assert all(box.isReadOnly() for box in section.form_card.statements.values())
    for action in (
        section.save_settings_button,
        section.undo_settings_button,
        section.form_card.save_form_button,
        section.form_card.undo_form_button,
    ):
        assert action.isHidden()
    assert not section.note.isHidden()
    assert section.note.text_label.text() == "Only a manager or admin can change this."
    assert not section.open_consent_button.isHidden()


def test_a_stale_settings_version_shows_the_conflict_and_reloads(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.manager)
    section = consent_section(qtbot, page)
    # Another workstation saves a new window while this one is editing.
    current = env.services.practice.consent_settings()
    env.services.practice.save_consent_settings(
        env.staff.admin, Versioned(replace(current.value, expiring_days=45), current.version)
    )
    section.expiring_days.setValue(10)
    section.save_settings()
    qtbot.waitUntil(lambda: "Someone else saved" in section.notice_text(), timeout=5000)
    assert section.notice is not None
    assert section.notice.property("tone") == "warning"
    assert env.services.practice.consent_settings().value.expiring_days == 45
    qtbot.waitUntil(lambda: section.expiring_days.value() == 45, timeout=5000)
    assert not section.dirty


def test_a_form_saved_elsewhere_meanwhile_is_not_overwritten(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = consent_section(qtbot, page)
    elsewhere = env.services.consent.save_form(
        env.staff.manager, replace(env.services.consent.form(), title="Saved on the other PC")
    )
    section.form_card.form_title.setText("Saved here")
    section.save_form()
    qtbot.waitUntil(lambda: "Someone else saved" in section.notice_text(), timeout=5000)
    assert "another computer" in section.form_card.form_status.text()
    assert env.services.consent.form() == elsewhere
    qtbot.waitUntil(
        lambda: section.form_card.form_title.text() == "Saved on the other PC", timeout=5000
    )
    assert section.form_card.version_badge.text() == f"Version {elsewhere.version}"


def test_the_blank_form_is_printed_from_the_consent_page(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub
) -> None:
    page.set_user(env.staff.front_desk)
    section = consent_section(qtbot, page)
    with qtbot.waitSignal(hub.navigate, timeout=2000) as blocker:
        section.open_consent_button.click()
    assert blocker.args == ["consent", "blank-form"]
