"""Shared set-up for GUI tests: an isolated QSettings location, the light theme, a hub and a
task runner, the demo staff, and a recorder for error dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.demo import DemoStaff
from gui import errors, style
from gui.composer.editor import PostEditor
from gui.hub import SignalHub
from gui.run import settle
from gui.settings.page import SettingsPage
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, build_env


@pytest.fixture(scope="session", autouse=True)
def _isolated_qt(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never read or write the real user's settings; start from the light theme."""
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, folder)
    QCoreApplication.setOrganizationName("Front Desk Social Tests")
    QCoreApplication.setApplicationName("Front Desk Social Tests")
    qapp.setStyle("Fusion")
    style.apply_theme(qapp, dark=False)


@pytest.fixture(autouse=True)
def _empty_clipboard() -> Iterator[None]:
    """Leave the clipboard empty after each test. Copy-and-open puts a QMimeData on it that
    Qt owns; left there until the interpreter shuts down, it was freed after Python's own
    objects and the test process ended with a segmentation fault (exit 139, tests passed)."""
    yield
    QGuiApplication.clipboard().clear()


@pytest.fixture
def hub() -> SignalHub:
    return SignalHub()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    settle(task_runner, timeout=10)


@pytest.fixture
def demo(demo_practice: Callable[..., DemoStaff]) -> DemoStaff:
    """The demo practice's staff (every PIN is ``core.demo.DEMO_PIN``); built once per
    session and copied (``tests/conftest.py``)."""
    return demo_practice()


@pytest.fixture
def window_settings(tmp_path: Path) -> QSettings:
    """A private settings file for one window."""
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Record what would be shown by ``gui.errors.show_error`` instead of opening dialogs."""
    shown: list[BaseException] = []
    monkeypatch.setattr(errors, "show_error", lambda _parent, exc: shown.append(exc))
    return shown


@pytest.fixture
def env(clock: ManualClock) -> PageEnv:
    """Services with handles on their in-memory parts, and the demo practice in them."""
    return build_env(clock)


@pytest.fixture
def page(qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner) -> SettingsPage:
    """The Settings page over ``env``'s services, nobody signed in yet."""
    settings = SettingsPage(env.services, hub, runner)
    qtbot.addWidget(settings)
    return settings


@pytest.fixture
def editor(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, shown_errors: list[BaseException]
) -> Iterator[PostEditor]:
    """The post editor over ``env``, shown at a desk-sized 1200 x 760, the front desk signed
    in; it saves and signs out at the end."""
    widget = PostEditor(env.services, runner)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    widget.set_user(env.staff.front_desk)
    yield widget
    widget.set_user(None)
    runner.wait()
