"""The main window: navigation, pages, locking (manual and automatic), switching user,
geometry, and routing of unhandled failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from core.app import Services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.demo import DEMO_PIN, DemoStaff
from core.practice.service import Versioned
from core.staff.model import StaffMember
from gui.hub import SignalHub
from gui.page import Page
from gui.placeholder import PlaceholderPage, planned_features
from gui.run import PageSpec, build_window, default_pages, settle
from gui.tasks import TaskRunner
from gui.window import MainWindow

PAGE_IDS = ["today", "composer", "images", "consent", "reviews", "incentives", "settings"]
CANARY = QColor("#FF00FF")


class RecordingPage(Page):
    """A page that remembers what the window told it, painted in a canary colour."""

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, page_id: str
    ) -> None:
        super().__init__(services, hub, runner)
        self.page_id = page_id
        self.users: list[StaffMember | None] = []
        self.targets: list[str] = []
        self.refreshes = 0
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, CANARY)
        self.setPalette(palette)
        self.setAutoFillBackground(True)

    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        self.users.append(member)

    def refresh(self) -> None:
        self.refreshes += 1

    def show_target(self, target: str) -> None:
        self.targets.append(target)


def recording_pages() -> list[PageSpec]:
    return [
        PageSpec(pid, pid.title(), pid, lambda s, h, r, pid=pid: RecordingPage(s, h, r, pid))
        for pid in PAGE_IDS
    ]


@pytest.fixture
def window(
    qtbot, memory_services: Services, hub: SignalHub, runner: TaskRunner, window_settings: QSettings
) -> MainWindow:
    win = build_window(memory_services, hub, runner, recording_pages(), window_settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def signed_in(window: MainWindow, demo: DemoStaff, runner: TaskRunner) -> MainWindow:
    window.sign_in(demo.front_desk)
    settle(runner)
    return window


def has_canary(window: MainWindow) -> bool:
    image = window.grab().toImage()
    step = 16
    return any(
        image.pixelColor(x, y) == CANARY
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    )


def audit_actions(services: Services, viewer: StaffMember) -> list[str]:
    events, _ = services.audit.query(viewer, AuditQuery())
    return [e.action for e in events]


def test_default_pages_are_the_seven_in_order(
    qtbot, memory_services, hub, runner, window_settings
) -> None:
    win = build_window(memory_services, hub, runner, settings=window_settings)
    qtbot.addWidget(win)
    assert [spec.page_id for spec in default_pages()] == PAGE_IDS
    assert [page.page_id for page in win.pages] == PAGE_IDS
    assert [b.text() for b in win.workspace.nav_group.buttons()] == [
        "Today",
        "Composer",
        "Images",
        "Consent",
        "Reviews",
        "Incentives",
        "Settings",
    ]


@pytest.mark.parametrize("page_id", ["settings"])  # images and incentives are built now
def test_placeholder_pages_say_plainly_what_is_coming(
    qtbot, memory_services, hub, runner, page_id
) -> None:
    page = PlaceholderPage(
        memory_services, hub, runner, page_id=page_id, title=page_id, icon_name=page_id
    )
    qtbot.addWidget(page)
    page.show()
    assert "not built yet" in page.status_label.text()
    assert page.plan_label.text() == planned_features()[page_id]
    assert page.plan_label.textFormat() == Qt.TextFormat.PlainText
    assert not page.grab().isNull()


def test_nothing_shows_before_sign_in(window: MainWindow) -> None:
    assert window.screens.currentWidget() is window.sign_in_screen
    assert not window.workspace.isVisible()
    window.go_to("settings")
    assert window.current_page_id == "today"
    assert not has_canary(window)


def test_sign_in_shows_workspace_and_tells_pages(signed_in: MainWindow, demo: DemoStaff) -> None:
    assert signed_in.workspace.isVisible()
    assert signed_in.user == demo.front_desk
    assert all(page.user == demo.front_desk for page in signed_in.pages)
    assert signed_in.workspace.user_label.text() == "Jenna Ortiz"
    assert signed_in.workspace.role_label.text() == "Front desk"
    assert signed_in.workspace.practice_label.text() == "Maple Grove Family Dental"


def test_nav_buttons_and_go_to(signed_in: MainWindow, hub: SignalHub) -> None:
    nav = {b.page_id: b for b in signed_in.workspace.nav_group.buttons()}  # type: ignore[attr-defined]
    nav["consent"].click()
    assert signed_in.current_page_id == "consent"
    assert nav["consent"].isChecked()
    signed_in.go_to("settings", "backups")
    settings = signed_in.page("settings")
    assert isinstance(settings, RecordingPage)
    assert signed_in.current_page_id == "settings"
    assert settings.targets == ["backups"]
    assert nav["settings"].isChecked()
    hub.navigate.emit("reviews", "r-17")
    assert signed_in.current_page_id == "reviews"
    reviews = signed_in.page("reviews")
    assert isinstance(reviews, RecordingPage)
    assert reviews.targets == ["r-17"]
    assert reviews.refreshes == 1
    signed_in.go_to("no-such-page")
    assert signed_in.current_page_id == "reviews"


def test_ctrl_numbers_switch_pages(qtbot, signed_in: MainWindow) -> None:
    signed_in.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is signed_in)
    for number, page_id in enumerate(PAGE_IDS, start=1):
        qtbot.keyClick(
            signed_in, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier
        )
        assert signed_in.current_page_id == page_id
    assert "Ctrl+7" in signed_in.workspace.nav_group.buttons()[6].toolTip()


def test_lock_replaces_pages_and_drops_user(
    qtbot, signed_in: MainWindow, demo: DemoStaff, memory_services: Services, runner
) -> None:
    assert has_canary(signed_in)
    signed_in.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is signed_in)
    qtbot.keyClick(signed_in, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert signed_in.is_locked
    assert signed_in.user is None
    assert all(page.user is None for page in signed_in.pages)
    assert not signed_in.workspace.isVisible()
    assert not any(page.isVisible() for page in signed_in.pages)
    assert not has_canary(signed_in)
    assert signed_in.lock_screen.name_label.text() == "Jenna Ortiz"
    signed_in.go_to("settings")
    assert signed_in.is_locked
    settle(runner)
    assert "session.lock" in audit_actions(memory_services, demo.admin)


def test_lock_closes_open_dialogs(qtbot, signed_in: MainWindow) -> None:
    from PySide6.QtWidgets import QDialog

    dialog = QDialog(signed_in)
    dialog.open()
    assert dialog.isVisible()
    signed_in.workspace.lock_button.click()
    assert not dialog.isVisible()


def test_auto_lock_after_idle_minutes(
    signed_in: MainWindow, clock: ManualClock, memory_services: Services, demo: DemoStaff, runner
) -> None:
    assert signed_in.idle.timer.isActive()
    clock.advance(timedelta(minutes=4))
    signed_in.idle.timer.timeout.emit()
    assert not signed_in.is_locked
    clock.advance(timedelta(minutes=2))
    signed_in.idle.timer.timeout.emit()
    assert signed_in.is_locked
    assert all(page.user is None for page in signed_in.pages)
    assert not signed_in.workspace.isVisible()
    assert not has_canary(signed_in)
    assert "automatically" in signed_in.lock_screen.explanation.text()
    assert not signed_in.idle.timer.isActive()
    settle(runner)
    assert "session.auto_lock" in audit_actions(memory_services, demo.admin)


def test_input_postpones_auto_lock(qtbot, signed_in: MainWindow, clock: ManualClock) -> None:
    clock.advance(timedelta(minutes=4))
    qtbot.mouseClick(signed_in.workspace.stack, Qt.MouseButton.LeftButton)
    clock.advance(timedelta(minutes=4))
    signed_in.check_idle()
    assert not signed_in.is_locked
    clock.advance(timedelta(minutes=1))
    signed_in.check_idle()
    assert signed_in.is_locked


def test_auto_lock_minutes_follow_settings(
    signed_in: MainWindow,
    hub: SignalHub,
    memory_services: Services,
    demo: DemoStaff,
    clock: ManualClock,
    runner,
) -> None:
    assert signed_in.idle.minutes == 5
    current = memory_services.practice.settings()
    memory_services.practice.save_settings(
        demo.admin, Versioned(current.value.__class__(auto_lock_minutes=2), current.version)
    )
    hub.data_changed.emit("settings")
    settle(runner)
    assert signed_in.idle.minutes == 2
    clock.advance(timedelta(minutes=2))
    signed_in.check_idle()
    assert signed_in.is_locked


def test_unlock_with_the_same_pin(qtbot, signed_in: MainWindow, demo: DemoStaff, runner) -> None:
    signed_in.go_to("images")
    signed_in.lock()
    form = signed_in.lock_screen.pin_form
    qtbot.keyClicks(form.field, "1357")
    qtbot.keyClick(form.field, Qt.Key.Key_Return)
    settle(runner)
    assert signed_in.is_locked
    assert "4 tries left" in form.error_label.text()
    form.field.setText(DEMO_PIN)
    form.submit_button.click()
    assert form.busy
    settle(runner)
    assert not signed_in.is_locked
    assert signed_in.user == demo.front_desk
    assert signed_in.current_page_id == "images"
    assert all(page.user == demo.front_desk for page in signed_in.pages)
    assert signed_in.idle.timer.isActive()


def test_switch_user_from_lock_screen(
    signed_in: MainWindow, demo: DemoStaff, runner, memory_services: Services
) -> None:
    signed_in.lock()
    signed_in.lock_screen.switch_button.click()
    settle(runner)
    assert signed_in.screens.currentWidget() is signed_in.sign_in_screen
    assert len(signed_in.sign_in_screen.person_buttons) == 4
    assert not has_canary(signed_in)


def test_switch_user_from_top_bar(
    signed_in: MainWindow, demo: DemoStaff, runner, memory_services: Services
) -> None:
    users: list[object] = []
    signed_in.hub.signed_out.connect(lambda: users.append(None))
    signed_in.workspace.switch_button.click()
    settle(runner)
    assert signed_in.screens.currentWidget() is signed_in.sign_in_screen
    assert all(page.user is None for page in signed_in.pages)
    assert users == [None]
    assert "session.switch_user" in audit_actions(memory_services, demo.admin)
    screen = signed_in.sign_in_screen
    manager = next(b for b in screen.person_buttons if b.member == demo.manager)
    manager.click()
    screen.pin_form.field.setText(DEMO_PIN)
    screen.pin_form.submit_button.click()
    settle(runner)
    assert signed_in.user == demo.manager
    assert signed_in.workspace.isVisible()


def test_demo_banner(qtbot, memory_services: Services, hub, runner, window_settings) -> None:
    plain = build_window(memory_services, hub, runner, recording_pages(), window_settings)
    qtbot.addWidget(plain)
    assert plain.workspace.demo_banner.isHidden()
    memory_services.demo = True
    demo_window = build_window(memory_services, hub, runner, recording_pages(), window_settings)
    qtbot.addWidget(demo_window)
    text = demo_window.workspace.demo_banner.text_label.text()
    assert not demo_window.workspace.demo_banner.isHidden()
    assert "Demo practice — sample data, nothing is real." in text
    assert ("No secure keyring" in text) is (not memory_services.secrets.persistent)


def test_geometry_is_remembered(
    qtbot, memory_services, hub, runner, window_settings: QSettings
) -> None:
    first = MainWindow(memory_services, hub, runner, settings=window_settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.resize(700, 500)
    first.close()
    second = MainWindow(memory_services, hub, runner, settings=window_settings)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (700, 500)


def test_default_size_without_saved_geometry(
    qtbot, memory_services, hub, runner, window_settings
) -> None:
    win = MainWindow(memory_services, hub, runner, settings=window_settings)
    qtbot.addWidget(win)
    screen = QApplication.primaryScreen().availableGeometry()
    assert win.width() == min(1280, screen.width())
    assert win.height() == min(800, screen.height())


def test_unhandled_failures_are_shown(
    signed_in: MainWindow, hub: SignalHub, runner, shown_errors: list[BaseException]
) -> None:
    def boom() -> None:
        raise RuntimeError("background task failed")

    runner.run(boom)
    settle(runner)
    hub.error.emit(KeyError("x"))
    assert [type(e) for e in shown_errors] == [RuntimeError, KeyError]


def test_add_page_refuses_duplicate_ids(window: MainWindow, memory_services, hub, runner) -> None:
    with pytest.raises(ValueError, match="already used"):
        window.add_page(RecordingPage(memory_services, hub, runner, "today"), "Again", "today")


def test_restore_signs_everyone_out(
    signed_in: MainWindow, demo: DemoStaff, runner, memory_services: Services
) -> None:
    signed_in.hub.data_changed.emit("restored")
    settle(runner)
    assert signed_in.screens.currentWidget() is signed_in.sign_in_screen
    assert all(page.user is None for page in signed_in.pages)
    assert "session.restore" in audit_actions(memory_services, demo.admin)
