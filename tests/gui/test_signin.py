"""The sign-in screen: the staff list, the PIN field, and how each refusal is worded."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from core.app import Services
from core.demo import DEMO_PIN, DemoStaff
from core.staff.model import StaffMember
from core.staff.rules import BASE_LOCKOUT, MAX_ATTEMPTS
from gui.errors import local_time
from gui.run import settle
from gui.signin import SignInScreen, role_label
from gui.tasks import TaskRunner


@pytest.fixture
def screen(qtbot, memory_services: Services, demo: DemoStaff, runner: TaskRunner) -> SignInScreen:
    widget = SignInScreen(memory_services, runner)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.reload()
    settle(runner)
    return widget


def type_pin(qtbot, screen: SignInScreen, pin: str, runner: TaskRunner) -> None:
    screen.pin_form.field.clear()
    qtbot.keyClicks(screen.pin_form.field, pin)
    qtbot.keyClick(screen.pin_form.field, Qt.Key.Key_Return)
    settle(runner)


def choose(screen: SignInScreen, member: StaffMember) -> None:
    next(b for b in screen.person_buttons if b.member == member).click()


def test_lists_active_staff_as_large_buttons(screen: SignInScreen, demo: DemoStaff) -> None:
    names = [b.member.display_name for b in screen.person_buttons]
    assert names == ["Dr. Helen Okafor", "Jenna Ortiz", "Marcus Bell", "Priya Raman"]
    assert all(b.height() >= 64 for b in screen.person_buttons)
    assert screen.practice_label.text() == "Maple Grove Family Dental"
    assert screen.person_buttons[1].accessibleName() == "Jenna Ortiz, Front desk"


def test_deactivated_staff_are_not_listed(
    qtbot, memory_services: Services, demo: DemoStaff, runner
) -> None:
    memory_services.staff.update(demo.admin, replace(demo.doctor, active=False))
    widget = SignInScreen(memory_services, runner)
    qtbot.addWidget(widget)
    widget.reload()
    settle(runner)
    assert demo.doctor not in [b.member for b in widget.person_buttons]


def test_right_pin_signs_in(qtbot, screen: SignInScreen, demo: DemoStaff, runner) -> None:
    choose(screen, demo.front_desk)
    assert screen.steps.currentWidget() is screen.pin_page
    assert screen.name_label.text() == "Jenna Ortiz"
    assert screen.role_label.text() == role_label(demo.front_desk.role)
    assert screen.pin_form.field.echoMode() == QLineEdit.EchoMode.Password
    with qtbot.waitSignal(screen.signed_in, timeout=5000) as signal:
        qtbot.keyClicks(screen.pin_form.field, DEMO_PIN)
        qtbot.keyClick(screen.pin_form.field, Qt.Key.Key_Enter)
        assert screen.pin_form.busy
        assert not screen.pin_form.submit_button.isEnabled()
        assert screen.pin_form.submit_button.text() == "Checking…"
    assert signal.args == [demo.front_desk]
    assert screen.pin_form.field.text() == ""


def test_pin_field_takes_digits_only(qtbot, screen: SignInScreen, demo: DemoStaff) -> None:
    choose(screen, demo.front_desk)
    qtbot.keyClicks(screen.pin_form.field, "12ab3-4")
    assert screen.pin_form.field.text() == "1234"


def test_empty_pin_is_not_sent(qtbot, screen: SignInScreen, demo: DemoStaff) -> None:
    choose(screen, demo.front_desk)
    qtbot.keyClick(screen.pin_form.field, Qt.Key.Key_Return)
    assert screen.pin_form.error_label.text() == "Enter your PIN."
    assert not screen.pin_form.busy


def test_wrong_pin_says_how_many_tries_are_left(
    qtbot, screen: SignInScreen, demo: DemoStaff, runner
) -> None:
    choose(screen, demo.front_desk)
    type_pin(qtbot, screen, "1357", runner)
    assert screen.pin_form.error_label.text() == (
        "That PIN is not right. 4 tries left before sign-in pauses for a while."
    )
    assert screen.pin_form.error_label.isVisible()
    assert not screen.pin_form.busy
    for _ in range(MAX_ATTEMPTS - 2):
        type_pin(qtbot, screen, "1357", runner)
    assert "1 try left" in screen.pin_form.error_label.text()


def test_lockout_says_until_when(
    qtbot, screen: SignInScreen, demo: DemoStaff, runner, memory_services: Services
) -> None:
    choose(screen, demo.front_desk)
    for _ in range(MAX_ATTEMPTS):
        type_pin(qtbot, screen, "1357", runner)
    text = screen.pin_form.error_label.text()
    expected = local_time(memory_services.clock.now() + BASE_LOCKOUT)
    assert text == (
        f"Too many wrong PINs. This person can try again at {expected}; someone "
        "else can sign in meanwhile."
    )
    type_pin(qtbot, screen, DEMO_PIN, runner)
    assert "Too many wrong PINs" in screen.pin_form.error_label.text()


def test_deactivated_after_listing_is_refused(
    qtbot, screen: SignInScreen, demo: DemoStaff, runner, memory_services: Services
) -> None:
    choose(screen, demo.doctor)
    memory_services.staff.update(demo.admin, replace(demo.doctor, active=False))
    type_pin(qtbot, screen, DEMO_PIN, runner)
    assert "can no longer sign in" in screen.pin_form.error_label.text()


def test_keyboard_only(qtbot, screen: SignInScreen, demo: DemoStaff, runner) -> None:
    qtbot.keyClick(screen.person_buttons[1], Qt.Key.Key_Return)
    assert screen.member == demo.front_desk
    with qtbot.waitSignal(screen.signed_in, timeout=5000):
        qtbot.keyClicks(screen.pin_form.field, DEMO_PIN)
        qtbot.keyClick(screen.pin_form.field, Qt.Key.Key_Return)


def test_back_to_the_list(qtbot, screen: SignInScreen, demo: DemoStaff) -> None:
    choose(screen, demo.manager)
    screen.back_button.click()
    assert screen.steps.currentWidget() is screen.people_page
    assert screen.member is None


def test_demo_hint_only_in_demo(
    qtbot, memory_services: Services, demo: DemoStaff, runner, screen: SignInScreen
) -> None:
    assert screen.demo_hint.isHidden()
    memory_services.demo = True
    widget = SignInScreen(memory_services, runner)
    qtbot.addWidget(widget)
    assert not widget.demo_hint.isHidden()
    assert DEMO_PIN in widget.demo_hint.text()


def test_single_person_goes_straight_to_the_pin(qtbot, memory_services: Services, runner) -> None:
    admin = memory_services.staff.create_first_admin("Sam Lee", "2580")
    widget = SignInScreen(memory_services, runner)
    qtbot.addWidget(widget)
    widget.reload()
    settle(runner)
    assert widget.member == admin
    assert widget.steps.currentWidget() is widget.pin_page
    assert widget.back_button.isHidden()


def test_names_are_plain_text(qtbot, memory_services: Services, runner) -> None:
    admin = memory_services.staff.create_first_admin("<b>Bold</b> Name", "2580")
    memory_services.staff.add(admin, "Second Person", admin.role, "2580")
    widget = SignInScreen(memory_services, runner)
    qtbot.addWidget(widget)
    widget.reload()
    settle(runner)
    widget.choose(admin)
    assert widget.name_label.textFormat() == Qt.TextFormat.PlainText
    assert widget.name_label.text() == "<b>Bold</b> Name"
