"""The main window: sign-in, the signed-in workspace with its pages, and the lock screen.

Exactly one of three screens fills the window: the sign-in screen, the workspace (navigation,
top bar, pages) or the lock screen. Locking *replaces* the workspace, so no page is visible or
grabbable behind the lock screen, and every page is told ``set_user(None)`` to drop what it
shows.

Pages are registered by the caller (``gui.run``) with ``add_page(page, title, icon_name)``, in
navigation order; the first nine get Ctrl+1…Ctrl+9.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QMainWindow, QStackedWidget, QWidget

from core.app import Services
from core.staff.model import StaffMember
from gui import errors
from gui.autolock import IdleWatcher
from gui.hub import SignalHub
from gui.page import Page
from gui.signin import LockScreen, SignInScreen, role_label
from gui.tasks import TaskRunner
from gui.workspace import NavButton, WorkspaceView

DEFAULT_SIZE = (1280, 800)
_GEOMETRY_KEY = "window/geometry"
_STATE_KEY = "window/state"


class MainWindow(QMainWindow):
    """The application window.

    Signals:
        user_changed(object): the signed-in ``StaffMember``, or ``None`` after locking or
            signing out.
    """

    user_changed = Signal(object)

    def __init__(
        self,
        services: Services,
        hub: SignalHub,
        runner: TaskRunner,
        *,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.hub = hub
        self.runner = runner
        self._settings = settings if settings is not None else QSettings()
        self._user: StaffMember | None = None
        self._pages: dict[str, Page] = {}
        self._nav: dict[str, NavButton] = {}
        self.setWindowTitle(self.tr("Front Desk Social"))

        self.screens = QStackedWidget()
        self.workspace = WorkspaceView()
        self.sign_in_screen = SignInScreen(services, runner)
        self.lock_screen = LockScreen(services, runner)
        for screen in (self.sign_in_screen, self.workspace, self.lock_screen):
            self.screens.addWidget(screen)
        self.screens.setCurrentWidget(self.sign_in_screen)
        self.setCentralWidget(self.screens)

        self.workspace.version_label.setText(
            self.tr("Version {version}").format(version=services.version)
        )
        if services.demo:
            text = self.tr("Demo practice — sample data, nothing is real.")
            if not services.secrets.persistent:
                text += " " + self.tr(
                    "No secure keyring was found, so the demo keeps its key "
                    "in the demo folder instead of the keyring."
                )
            self.workspace.demo_banner.set_text(text)
            self.workspace.demo_banner.setVisible(True)

        self.idle = IdleWatcher(services.clock, self)
        self.idle.due.connect(lambda: self.lock(automatic=True))
        self.lock_shortcut = QShortcut(QKeySequence("Ctrl+L"), self)
        self.lock_shortcut.activated.connect(self.lock)
        self.workspace.lock_button.setToolTip(self.tr("Lock the screen (Ctrl+L)"))
        self._shortcuts: list[QShortcut] = []

        self.sign_in_screen.signed_in.connect(self.sign_in)
        self.lock_screen.unlocked.connect(self.sign_in)
        self.lock_screen.switch_user.connect(self.show_sign_in)
        self.workspace.switch_button.clicked.connect(self.switch_user)
        self.workspace.lock_button.clicked.connect(self.lock)
        hub.navigate.connect(self.go_to)
        hub.error.connect(self.show_error)
        hub.data_changed.connect(self._data_changed)
        runner.failed.connect(self.show_error)
        self.restore_geometry()

    # --- pages ----------------------------------------------------------------------------
    def add_page(self, page: Page, title: str, icon_name: str) -> None:
        """Add ``page`` (its ``page_id`` must be set and unique) to the navigation."""
        if not page.page_id or page.page_id in self._pages:
            raise ValueError(f"page id {page.page_id!r} is empty or already used")
        number = len(self._pages) + 1
        shortcut_text = ""
        if number <= 9:
            sequence = QKeySequence(f"Ctrl+{number}")
            shortcut_text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            shortcut = QShortcut(sequence, self)
            shortcut.activated.connect(lambda pid=page.page_id: self.go_to(pid))
            self._shortcuts.append(shortcut)
        entry = NavButton(page.page_id, title, icon_name, shortcut_text)
        entry.clicked.connect(lambda _checked=False, pid=page.page_id: self.go_to(pid))
        self.workspace.add_nav_button(entry)
        self.workspace.stack.addWidget(page)
        self._pages[page.page_id] = page
        self._nav[page.page_id] = entry
        if len(self._pages) == 1:
            entry.setChecked(True)
        page.set_user(self._user)

    @property
    def pages(self) -> list[Page]:
        return list(self._pages.values())

    def page(self, page_id: str) -> Page:
        """The page registered as ``page_id``; raises ``KeyError``."""
        return self._pages[page_id]

    @property
    def current_page_id(self) -> str:
        current = self.workspace.stack.currentWidget()
        return current.page_id if isinstance(current, Page) else ""

    def go_to(self, page_id: str, target: str = "") -> None:
        """Show page ``page_id`` and, when given, the item or section ``target`` on it.
        Ignored while nobody is signed in (the workspace is not shown then)."""
        page = self._pages.get(page_id)
        if page is None or self._user is None:
            return
        changed = self.workspace.stack.currentWidget() is not page
        self.workspace.stack.setCurrentWidget(page)
        self._nav[page_id].setChecked(True)
        if changed:
            page.refresh()
        if target:
            page.show_target(target)

    # --- who is signed in -----------------------------------------------------------------
    @property
    def user(self) -> StaffMember | None:
        return self._user

    @property
    def is_locked(self) -> bool:
        return self.screens.currentWidget() is self.lock_screen

    def sign_in(self, member: StaffMember) -> None:
        """``member`` signed in or unlocked: show the workspace on the page that was open."""
        self._user = member
        self.workspace.avatar.set_initials(member.initials)
        self.workspace.user_label.setText(member.display_name)
        self.workspace.role_label.setText(role_label(member.role))
        for page in self._pages.values():
            page.set_user(member)
        self.screens.setCurrentWidget(self.workspace)
        self._load_profile()
        self.idle.start()
        self.user_changed.emit(member)
        self.hub.signed_in.emit(member)
        current = self.workspace.stack.currentWidget()
        if isinstance(current, Page):
            current.refresh()
            self._nav[current.page_id].setChecked(True)
        self.workspace.stack.setFocus()

    def _drop_user(self) -> StaffMember | None:
        """Forget who is signed in; pages drop what they show; open dialogs close."""
        member = self._user
        self._user = None
        self.idle.stop()
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        for page in self._pages.values():
            page.set_user(None)
        if member is not None:
            self.user_changed.emit(None)
            self.hub.signed_out.emit()
        return member

    def _record_sign_out(self, member: StaffMember, reason: str) -> None:
        staff = self.services.staff
        self.runner.run(lambda: staff.record_sign_out(member, reason))

    def lock(self, automatic: bool = False) -> None:
        """Lock now (Ctrl+L, the Lock button, or the idle timer with ``automatic``)."""
        if self._user is None or self.is_locked:
            return
        member = self._drop_user()
        assert member is not None
        self._record_sign_out(member, "auto_lock" if automatic else "lock")
        self.lock_screen.show_for(member, self.services.clock.now(), automatic)
        self.screens.setCurrentWidget(self.lock_screen)

    def switch_user(self) -> None:
        """End this person's session and let someone else sign in."""
        member = self._drop_user()
        if member is not None:
            self._record_sign_out(member, "switch_user")
        self.show_sign_in()

    def show_sign_in(self) -> None:
        """Show the staff list (also from the lock screen's "Switch user")."""
        self._drop_user()
        self.sign_in_screen.reload()
        self.screens.setCurrentWidget(self.sign_in_screen)

    def check_idle(self) -> None:
        """Lock when the idle time ran out (the auto-lock timer calls this)."""
        self.idle.check()

    # --- data ---------------------------------------------------------------------------
    def _load_profile(self) -> None:
        practice = self.services.practice

        def load() -> tuple[str, int]:
            return practice.practice().value.name, practice.settings().value.auto_lock_minutes

        self.runner.run(load, self._profile_loaded)

    def _profile_loaded(self, result: Any) -> None:
        name, minutes = result
        self.workspace.practice_label.setText(name)
        self.idle.set_minutes(minutes)

    def _data_changed(self, area: str) -> None:
        if area == "restored":
            # The data now is the backup's: whoever was signed in starts again from sign-in.
            member = self._drop_user()
            if member is not None:
                self._record_sign_out(member, "restore")
            self.show_sign_in()
        elif area in {"settings", "practice"} and self._user is not None:
            self._load_profile()

    def show_error(self, exc: object) -> None:
        """A failure nobody handled: a known error's message, or the crash dialog."""
        if isinstance(exc, BaseException):
            errors.show_error(self, exc)

    # --- geometry -------------------------------------------------------------------------
    def restore_geometry(self) -> None:
        """Put the window where it was last time, or a sensible size on this screen."""
        geometry = self._settings.value(_GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            state = self._settings.value(_STATE_KEY)
            if isinstance(state, QByteArray):
                self.restoreState(state)
            return
        width, height = DEFAULT_SIZE
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, available.width())
            height = min(height, available.height())
            self.resize(width, height)
            frame = self.frameGeometry()
            frame.moveCenter(available.center())
            self.move(frame.topLeft())
        else:
            self.resize(width, height)

    def save_geometry(self) -> None:
        self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self._settings.setValue(_STATE_KEY, self.saveState())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        member = self._drop_user()
        if member is not None:
            self._record_sign_out(member, "sign_out")
        super().closeEvent(event)
