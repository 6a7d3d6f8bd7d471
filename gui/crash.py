"""The crash report and dialog for bugs (anything that is not a known error).

The report names the exception's *type* and the traceback's frames (file, line, function) and
never its message or any local values: those could hold patient data (PHI).
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import QCoreApplication, Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.style import button, caption, heading

log = logging.getLogger(__name__)
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _where(filename: str) -> str:
    """A frame's file without the user's folders (which can contain their name)."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(_PROJECT_ROOT).as_posix()
    except (ValueError, OSError):
        pass
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return path.name


def type_name(exc: BaseException) -> str:
    kind = type(exc)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def crash_report(exc: BaseException, version: str = "") -> str:
    """A bug report without PHI: versions, the exception type and its frames. The message and
    local values are left out on purpose (they could hold patient data)."""
    lines = [
        f"Front Desk Social {version or QCoreApplication.applicationVersion() or '?'}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}",
        f"OS {platform.system()} {platform.release()} ({platform.machine()})",
        "",
    ]
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for index, error in enumerate(reversed(chain)):
        if index:
            lines.append("which led to:")
        lines.append(f"{type_name(error)} (message left out: it may contain patient data)")
        lines.extend(
            f"  {_where(frame.filename)}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(error.__traceback__)
        )
    return "\n".join(lines)


class CrashDialog(QDialog):
    """The one dialog for bugs: says calmly what happened and shows a copyable report.

    Signals: none beyond ``QDialog``'s.
    """

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setMinimumSize(560, 420)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 24)
        column.setSpacing(12)
        column.addWidget(heading(self.tr("Something went wrong"), 2))
        column.addWidget(
            caption(
                self.tr(
                    "The app ran into a problem it did not expect. What you saved before is kept. "
                    "Please copy this report and send it to whoever supports the app; it contains "
                    "no patient information."
                )
            )
        )
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        column.addWidget(self.report, 1)
        buttons = QDialogButtonBox()
        self.copy_button = button(self.tr("Copy report"), "copy")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setProperty("kind", "primary")
        self.copy_button.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())
        self.copy_button.setText(self.tr("Copied"))


def show_crash(parent: QWidget | None, exc: BaseException) -> QDialog:
    """Open the crash dialog for ``exc`` (non-blocking, window-modal); returns it."""
    dialog = CrashDialog(crash_report(exc), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    log.error("Uncaught %s\n%s", type_name(exc), crash_report(exc))
    if isinstance(QApplication.instance(), QApplication):
        from gui.errors import show_error  # errors imports this module: import when needed

        show_error(QApplication.activeWindow(), exc)


def install_excepthook() -> Callable[..., Any]:
    """Route uncaught exceptions to the crash dialog and the log (without their message).
    Returns the previous hook."""
    previous = sys.excepthook
    sys.excepthook = _excepthook
    return previous
