"""The first-run setup wizard, end to end, and the first-start decision in ``gui.run``."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
from PySide6.QtGui import QGuiApplication

from core.app import RecoveryKeyNotice, Services
from core.audit.model import AuditQuery
from core.keys import key_from_recovery, new_database_key, recovery_key
from core.practice.model import Specialty
from core.staff.model import Role
from gui.run import needs_setup, settle
from gui.setup import SetupWizard, recovery
from gui.setup.steps import key_lines, specialty_label, system_timezone
from gui.tasks import TaskRunner


@pytest.fixture
def key() -> str:
    return recovery_key(new_database_key())


@pytest.fixture
def wizard(qtbot, memory_services: Services, runner: TaskRunner, key: str) -> SetupWizard:
    memory_services.recovery_notice = RecoveryKeyNotice(key)
    widget = SetupWizard(memory_services, runner)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def fill_practice(wizard: SetupWizard) -> None:
    step = wizard.practice_step
    step.name_edit.setText("  Lakeside   Pediatrics ")
    step.specialty_combo.setCurrentIndex(step.specialty_combo.findData(Specialty.PEDIATRICS.value))
    step.address_edit.setText("12 Shore Rd, Duluth, MN")
    step.phone_edit.setText("(218) 555-0199")
    step.website_edit.setText("lakeside-peds.example")
    step.timezone_combo.setCurrentText("America/Chicago")


def fill_admin(wizard: SetupWizard, pin: str = "2580", confirm: str = "2580") -> None:
    wizard.admin_step.name_edit.setText("Dana Whitfield")
    wizard.admin_step.pin_edit.setText(pin)
    wizard.admin_step.confirm_edit.setText(confirm)


def test_setup_end_to_end(
    qtbot, wizard: SetupWizard, memory_services: Services, runner: TaskRunner, key: str
) -> None:
    assert needs_setup(memory_services)
    assert wizard.step_badge.text() == "Step 1 of 3"
    fill_practice(wizard)
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.admin_step

    fill_admin(wizard, "2580", "2581")
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.admin_step
    assert wizard.error_label.text() == "The two PINs are different. Type the same PIN twice."
    fill_admin(wizard)
    wizard.next_button.click()

    step = wizard.recovery_step
    assert step is not None
    assert wizard.stack.currentWidget() is step
    assert wizard.next_button.text() == "Finish"
    assert key_from_recovery(step.key_label.text()) == key_from_recovery(key)
    assert not wizard.next_button.isEnabled()
    step.confirm_check.setChecked(True)
    assert wizard.next_button.isEnabled()

    with qtbot.waitSignal(wizard.completed, timeout=5000) as signal:
        wizard.next_button.click()
        assert wizard.next_button.text() == "Setting up…"
    admin = signal.args[0]
    settle(runner)
    assert admin.display_name == "Dana Whitfield"
    assert admin.role is Role.ADMIN
    assert wizard.admin == admin
    assert not wizard.isVisible()
    practice = memory_services.practice.practice().value
    assert practice.name == "Lakeside Pediatrics"
    assert practice.specialty is Specialty.PEDIATRICS
    assert practice.website == "https://lakeside-peds.example"
    assert practice.timezone == "America/Chicago"
    assert not needs_setup(memory_services)
    events, _ = memory_services.audit.query(admin, AuditQuery())
    assert {"staff.create", "settings.update", "session.sign_in"} <= {e.action for e in events}


def test_practice_needs_a_name_and_a_known_zone(wizard: SetupWizard) -> None:
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.practice_step
    assert wizard.error_label.text() == "Enter the practice's name."
    assert wizard.practice_step.name_edit.property("error") == "true"
    wizard.practice_step.name_edit.setText("Lakeside")
    wizard.practice_step.timezone_combo.setCurrentText("Mars/Olympus")
    wizard.next_button.click()
    assert "time zone" in wizard.error_label.text()
    wizard.practice_step.timezone_combo.setCurrentText("Europe/Berlin")
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.admin_step
    assert not wizard.error_label.isVisible()


@pytest.mark.parametrize(
    ("pin", "wording"),
    [
        ("12", "at least 4 digits"),
        ("1234", "simple run"),
        ("7777", "one digit repeated"),
    ],
)
def test_weak_pins_are_refused_in_words(wizard: SetupWizard, pin: str, wording: str) -> None:
    fill_practice(wizard)
    wizard.next_button.click()
    fill_admin(wizard, pin, pin)
    wizard.next_button.click()
    assert wizard.stack.currentWidget() is wizard.admin_step
    assert wording in wizard.error_label.text()


def test_back_keeps_what_was_typed(wizard: SetupWizard) -> None:
    fill_practice(wizard)
    wizard.next_button.click()
    wizard.back_button.click()
    assert wizard.stack.currentWidget() is wizard.practice_step
    assert wizard.practice_step.name_edit.text().strip() == "Lakeside   Pediatrics"
    assert wizard.back_button.isHidden()


def test_print_and_copy_the_recovery_key(
    qtbot, wizard: SetupWizard, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed: list[tuple[str, str]] = []
    monkeypatch.setattr(
        recovery, "print_recovery_key", lambda _parent, k, name: printed.append((k, name)) or True
    )
    fill_practice(wizard)
    wizard.next_button.click()
    fill_admin(wizard)
    wizard.next_button.click()
    step = wizard.recovery_step
    assert step is not None
    step.print_button.click()
    assert printed == [(key, "Lakeside Pediatrics")]
    step.copy_button.click()
    assert QGuiApplication.clipboard().text() == key


def test_recovery_document_holds_the_key_as_plain_text(key: str) -> None:
    document = recovery.recovery_document(key, "<i>Lakeside</i>")
    text = document.toPlainText()
    assert key in text
    assert "<i>Lakeside</i>" in text


def test_without_a_recovery_key_admin_is_the_last_step(
    qtbot, memory_services: Services, runner: TaskRunner
) -> None:
    widget = SetupWizard(memory_services, runner)
    qtbot.addWidget(widget)
    assert widget.recovery_step is None
    fill_practice(widget)
    widget.next_button.click()
    assert widget.next_button.text() == "Finish"
    fill_admin(widget)
    with qtbot.waitSignal(widget.completed, timeout=5000):
        widget.next_button.click()


def test_failure_is_shown_and_can_be_retried(
    qtbot, wizard: SetupWizard, memory_services: Services, runner
) -> None:
    memory_services.staff.create_first_admin("Someone Else", "2580")
    fill_practice(wizard)
    wizard.next_button.click()
    fill_admin(wizard)
    wizard.next_button.click()
    assert wizard.recovery_step is not None
    wizard.recovery_step.confirm_check.setChecked(True)
    wizard.next_button.click()
    settle(runner)
    assert wizard.isVisible()
    assert "already set up" in wizard.error_label.text()
    assert wizard.next_button.isEnabled()


def test_helpers() -> None:
    assert system_timezone() in available_timezones()
    assert [specialty_label(s) for s in Specialty][:2] == ["Dental", "Family medicine"]
    assert key_lines("AAAA-BBBB-CC", per_line=2) == "AAAA-BBBB\nCC"
