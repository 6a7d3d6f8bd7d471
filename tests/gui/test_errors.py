"""Known errors become one sentence that says what to do; bugs become a crash report without
PHI."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from core import errors as core_errors
from core.errors import KnownError
from gui import errors
from gui.errors import CrashDialog, crash_report, has_wording, message_for

CANARY = "PATIENT-CANARY-123"
GENERIC = message_for(KnownError("x"))


def _import_all_of_core() -> None:
    """Every error class must be defined before walking the subclasses, whichever tests ran
    first."""
    import core

    for module in pkgutil.walk_packages(core.__path__, "core."):
        importlib.import_module(module.name)


def all_known_errors(cls: type[KnownError] = KnownError) -> list[type[KnownError]]:
    if cls is KnownError:
        _import_all_of_core()
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(all_known_errors(sub))
    return found


def test_every_known_error_has_its_own_message() -> None:
    classes = all_known_errors()
    assert len(classes) >= 23
    for cls in classes:
        assert has_wording(cls.code), cls
        title, text = message_for(cls("english fallback"))
        assert title
        assert text.endswith((".", ")")), cls
        assert "english fallback" not in text
        if cls is not KnownError:
            assert (title, text) != GENERIC, cls


def test_codes_are_unique() -> None:
    codes = [cls.code for cls in all_known_errors()]
    assert len(codes) == len(set(codes))


def test_edit_conflict_wording() -> None:
    assert message_for(core_errors.EditConflict("x"))[1] == (
        "Someone else saved this first. Your changes were not saved; reload and try again."
    )


def test_unreachable_shows_the_masked_url() -> None:
    url = "postgresql://frontdesk:***@db.local:5432/practice"
    assert url in message_for(core_errors.DatabaseUnreachable("x", url=url))[1]


@pytest.mark.parametrize(
    ("system", "advice"),
    [
        ("win32", "Windows Credential Manager"),
        ("darwin", "macOS Keychain"),
        ("linux", "sudo apt install gnome-keyring"),
    ],
)
def test_insecure_keyring_advice_per_platform(system: str, advice: str) -> None:
    text = message_for(core_errors.InsecureKeyring("x"), system=system)[1]
    assert advice in text
    if system == "linux":
        assert "KWallet" in text


def test_pin_errors() -> None:
    assert "2 tries left" in message_for(core_errors.WrongPin("x", attempts_left=2))[1]
    assert "1 try left" in message_for(core_errors.WrongPin("x", attempts_left=1))[1]
    assert message_for(core_errors.WrongPin("x", attempts_left=None))[1] == (
        "That PIN is not right. Try again."
    )
    until = datetime(2026, 11, 2, 15, 45, tzinfo=UTC)
    text = message_for(core_errors.SignInLockedOut("x", until=until))[1]
    assert errors.local_time(until) in text
    reasons = {
        "not_digits": "digits only",
        "too_short": "at least 4",
        "too_long": "at most 12",
        "repeated": "repeated",
        "sequence": "simple run",
    }
    for reason, words in reasons.items():
        assert words in message_for(core_errors.InvalidPin("x", reason=reason))[1]


def test_permission_and_validation_wording() -> None:
    assert "deactivated" in message_for(core_errors.PermissionDenied("x", action="sign_in"))[0]
    assert (
        "Ask an admin" in message_for(core_errors.PermissionDenied("x", action="manage_staff"))[1]
    )
    assert (
        "1 and 60 minutes"
        in message_for(core_errors.ValidationError("x", field="auto_lock_minutes"))[1]
    )
    assert (
        "check what you entered"
        in message_for(core_errors.ValidationError("x", field="something_new"))[1]
    )
    assert "typo" in message_for(core_errors.InvalidRecoveryKey("x", reason="checksum"))[1]


def _leaky(patient: str) -> None:
    chart = {"name": patient}
    raise ValueError(f"could not save {chart['name']}")


def _raise_chained() -> None:
    try:
        _leaky(CANARY)
    except ValueError as exc:
        raise RuntimeError(f"wrapped: {exc}") from exc


def test_crash_report_has_no_message_or_locals() -> None:
    with pytest.raises(RuntimeError) as info:
        _raise_chained()
    report = crash_report(info.value, "9.9.9")
    assert CANARY not in report
    assert "could not save" not in report
    assert "Front Desk Social 9.9.9" in report
    assert "Python " in report
    assert "Qt " in report
    assert "ValueError" in report
    assert "RuntimeError" in report
    assert "tests/gui/test_errors.py" in report
    assert "in _leaky" in report
    assert "in _raise_chained" in report


def test_crash_dialog_copies_the_report(qtbot) -> None:
    dialog = CrashDialog("report text")
    qtbot.addWidget(dialog)
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "report text"


def test_show_error_known_is_a_message_box(qtbot) -> None:
    box = errors.show_error(None, core_errors.DiskFull("x"))
    qtbot.addWidget(box)
    assert isinstance(box, QMessageBox)
    assert box.text() == "The disk is full"
    assert "Nothing was saved" in box.informativeText()
    assert box.isVisible()
    box.close()


def test_show_error_bug_is_the_crash_dialog(qtbot) -> None:
    try:
        _leaky(CANARY)
    except ValueError as exc:
        dialog = errors.show_error(None, exc)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, CrashDialog)
    assert CANARY not in dialog.report.toPlainText()
    assert "ValueError" in dialog.report.toPlainText()
    dialog.close()


def test_excepthook_routes_to_show_error_and_logs_without_message(
    shown_errors: list[BaseException], caplog: pytest.LogCaptureFixture
) -> None:
    previous = errors.install_excepthook()
    try:
        try:
            _leaky(CANARY)
        except ValueError as exc:
            with caplog.at_level(logging.ERROR, logger="gui.errors"):
                sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert [type(e) for e in shown_errors] == [ValueError]
    assert "ValueError" in caplog.text
    assert CANARY not in caplog.text
