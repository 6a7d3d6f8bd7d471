"""Printing the consent form straight onto a printer (the same layout as the PDF), through
the system's print dialog."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from core.consent.forms import ConsentForm
from core.consent.model import Authorization, Patient
from core.practice.model import Practice
from gui.consent.pdf import page_layout, paint_authorization

NO_PRINTING_PLATFORMS = ("offscreen", "minimal")
"""Qt platforms without printers (tests, screenshots): printing is skipped there."""


def can_print() -> bool:
    return QGuiApplication.platformName() not in NO_PRINTING_PLATFORMS


def print_authorization(
    parent: QWidget,
    *,
    auth: Authorization,
    patient: Patient,
    form: ConsentForm,
    practice: Practice,
    signature_png: bytes | None,
    taken_by_name: str,
) -> bool:
    """Ask for a printer and print the signed form; ``False`` when printing is not possible
    here or the person cancelled. Painting a few pages takes ~50 ms: done on the GUI thread,
    since the printer belongs to the dialog."""
    if not can_print():
        return False
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout())
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    paint_authorization(
        printer,
        printer.resolution(),
        auth=auth,
        patient=patient,
        form=form,
        practice=practice,
        signature_png=signature_png,
        taken_by_name=taken_by_name,
    )
    return True
