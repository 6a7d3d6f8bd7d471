"""Getting the recovery key onto paper.

``print_recovery_key`` opens the blocking system print dialog (which also offers printing to a
PDF file); it is a module-level function so tests stub it. ``recovery_document`` builds the
page and is tested directly.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget


def recovery_document(key: str, practice_name: str, today: date | None = None) -> QTextDocument:
    """A one-page document with the recovery key and what it is for."""
    t = QCoreApplication.translate
    when = (today or date.today()).isoformat()
    html = (
        "<h1>{title}</h1>"
        "<p>{practice}</p>"
        "<p>{why}</p>"
        "<p style='font-family: monospace; font-size: 18pt; font-weight: bold'>{key}</p>"
        "<p>{keep}</p>"
        "<p>{printed}</p>"
    ).format(
        title=escape(t("Recovery", "Front Desk Social recovery key")),
        practice=escape(practice_name),
        why=escape(
            t(
                "Recovery",
                "This key opens the practice's data if this computer's "
                "keychain loses the database key, for example after a reinstall or on a "
                "new computer.",
            )
        ),
        key=escape(key),
        keep=escape(
            t(
                "Recovery",
                "Keep this page somewhere safe and away from the computer, "
                "like a locked drawer. Anyone with this key and a copy of the data can "
                "read it.",
            )
        ),
        printed=escape(t("Recovery", "Printed on {date}.").format(date=when)),
    )
    document = QTextDocument()
    document.setHtml(html)
    return document


def print_recovery_key(parent: QWidget | None, key: str, practice_name: str) -> bool:
    """Ask for a printer and print the recovery page; ``True`` when printed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    recovery_document(key, practice_name).print_(printer)
    return True
