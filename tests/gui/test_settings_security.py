"""Settings → Security (auto-lock, recovery key, keychain) and Rules of engagement."""

from __future__ import annotations

from datetime import date, time

import pytest
from PySide6.QtCore import QDate, QTime
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.demo import DEMO_PIN
from core.keys import recovery_key
from core.practice.model import BusinessHours, ResponseRules
from gui.hub import SignalHub
from gui.settings.dialogs import ConfirmPinDialog, RecoveryKeyDialog
from gui.settings.page import SettingsPage
from gui.settings.rules import RulesSection
from gui.settings.security import SecuritySection
from gui.tasks import TaskRunner
from tests.gui.page_env import KEY_HEX, PageEnv, build_env, open_section


def security_section(qtbot: QtBot, page: SettingsPage) -> SecuritySection:
    return open_section(qtbot, page, "security", SecuritySection)


def rules_section(qtbot: QtBot, page: SettingsPage) -> RulesSection:
    return open_section(qtbot, page, "rules", RulesSection)


# --- security ----------------------------------------------------------------------------
def test_auto_lock_minutes_are_saved_and_announced(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub
) -> None:
    page.set_user(env.staff.manager)
    section = security_section(qtbot, page)
    assert section.minutes.value() == 5
    assert section.minutes.suffix() == " minutes"
    assert (section.minutes.minimum(), section.minutes.maximum()) == (1, 60)
    assert not section.save_button.isEnabled()
    section.minutes.setValue(1)
    assert section.minutes.suffix() == " minute"
    section.minutes.setValue(12)
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "settings"
    ):
        section.save_button.click()
    assert env.services.practice.settings().value.auto_lock_minutes == 12
    assert section.notice_text() == "Saved. The app now locks after 12 minutes without use."


def test_keyring_backend_is_named(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> None:
    page.set_user(env.staff.front_desk)
    section = security_section(qtbot, page)
    assert section.keyring_label.text() == "Keychain in use: memory (tests)"
    assert not section.minutes.isEnabled()
    assert section.save_button.isHidden()


def test_admin_reveals_the_recovery_key_after_typing_their_pin(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.set_user(env.staff.admin)
    section = security_section(qtbot, page)
    assert not section.key_card.isHidden()
    assert not section.reveal_button.isHidden()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(ConfirmPinDialog, "ask", lambda parent, title, intro="": DEMO_PIN)
    monkeypatch.setattr(
        RecoveryKeyDialog, "present", lambda parent, key, name="": shown.append((key, name))
    )
    section.reveal_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown == [(recovery_key(bytes.fromhex(KEY_HEX)), "Maple Grove Family Dental")]
    actions = env.services.audit.actions()
    assert "security.reveal_recovery_key" in actions


def test_a_wrong_pin_reveals_nothing(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.set_user(env.staff.admin)
    section = security_section(qtbot, page)
    shown: list[str] = []
    monkeypatch.setattr(ConfirmPinDialog, "ask", lambda parent, title, intro="": "9753")
    monkeypatch.setattr(
        RecoveryKeyDialog, "present", lambda parent, key, name="": shown.append(key)
    )
    section.reveal_button.click()
    qtbot.waitUntil(lambda: "not right" in section.notice_text(), timeout=5000)
    assert shown == []


def test_recovery_key_dialog_shows_the_key_with_copy_and_print(qtbot: QtBot) -> None:
    key = recovery_key(bytes.fromhex(KEY_HEX))
    dialog = RecoveryKeyDialog(key, "Maple Grove Family Dental")
    qtbot.addWidget(dialog)
    assert dialog.key_label.text() == key
    dialog.copy_button.click()
    assert dialog.copy_button.text() == "Copied"
    text = dialog.document().toPlainText()
    assert key in text
    assert "Maple Grove Family Dental" in text


def test_only_admins_see_the_reveal_button(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> None:
    page.set_user(env.staff.manager)
    section = security_section(qtbot, page)
    assert section.reveal_button.isHidden()
    assert not section.key_note.isHidden()


def test_no_recovery_key_on_a_shared_server(
    qtbot: QtBot, clock: ManualClock, hub: SignalHub, runner: TaskRunner
) -> None:
    env = build_env(clock, key=False)
    settings = SettingsPage(env.services, hub, runner)
    qtbot.addWidget(settings)
    settings.set_user(env.staff.admin)
    section = security_section(qtbot, settings)
    assert section.key_card.isHidden()


# --- rules of engagement -----------------------------------------------------------------
def test_rules_round_trip(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    page.set_user(env.staff.manager)
    section = rules_section(qtbot, page)
    assert section.form_value() == ResponseRules()
    assert section.day_rows[5].closed_label.isVisibleTo(section)
    assert section.no_closed_days.isVisibleTo(section)

    section.days["negative_days"].setValue(0)
    section.days["positive_days"].setValue(5)
    section.day_rows[0].closes.setTime(QTime(18, 30))
    section.day_rows[4].open.setChecked(False)  # closed on Fridays
    section.day_rows[5].open.setChecked(True)  # open on Saturday mornings
    section.day_rows[5].opens.setTime(QTime(9, 0))
    section.day_rows[5].closes.setTime(QTime(12, 0))
    section.country.setCurrentIndex(section.country.findData("CA"))
    for day in (QDate(2026, 12, 24), QDate(2026, 11, 27), QDate(2026, 12, 24)):
        section.new_day.setDate(day)
        section.add_day_button.click()
    assert section.closed.count() == 2
    section.closed.setCurrentRow(0)
    section.remove_day_button.click()
    assert section.dirty
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "settings"
    ):
        section.save_button.click()

    expected = ResponseRules(
        negative_days=0,
        neutral_days=2,
        positive_days=5,
        hours=BusinessHours(
            {
                0: (time(8), time(18, 30)),
                1: (time(8), time(17)),
                2: (time(8), time(17)),
                3: (time(8), time(17)),
                5: (time(9), time(12)),
            }
        ),
        holiday_country="CA",
        closed_days=(date(2026, 12, 24),),
    )
    assert env.services.practice.response_rules().value == expected

    fresh = SettingsPage(env.services, SignalHub(), runner)
    qtbot.addWidget(fresh)
    fresh.set_user(env.staff.admin)
    assert rules_section(qtbot, fresh).form_value() == expected


def test_opening_after_closing_is_refused_next_to_the_hours(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = rules_section(qtbot, page)
    section.day_rows[2].opens.setTime(QTime(17, 0))
    section.day_rows[2].closes.setTime(QTime(9, 0))
    section.save_button.click()
    qtbot.waitUntil(lambda: section.field_errors.text("hours") != "", timeout=5000)
    assert section.field_errors.text("hours") == "Opening hours must open before they close."
    assert env.services.practice.response_rules().value == ResponseRules()


def test_undo_restores_the_saved_rules(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> None:
    page.set_user(env.staff.admin)
    section = rules_section(qtbot, page)
    section.days["neutral_days"].setValue(9)
    assert section.undo_button.isEnabled()
    section.undo_button.click()
    qtbot.waitUntil(lambda: section.days["neutral_days"].value() == 2, timeout=5000)
    assert not section.dirty
