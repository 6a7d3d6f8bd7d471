"""Errors as people see them: known errors become one plain sentence that says what to do
next; anything else is a bug and becomes one crash dialog with a copyable report.

The crash report itself lives in ``gui.crash`` (re-exported here for callers).

``show_error`` and ``show_crash`` are module-level functions that open a window-modal dialog
without blocking, so callers' tests can stub them or close the dialog they return.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTime
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMessageBox,
    QWidget,
)

from core.errors import KnownError
from core.practice.rules import MASTODON_LIMIT_RANGE, MAX_POSTS_PER_WEEK
from core.staff.rules import PIN_MAX_LENGTH, PIN_MIN_LENGTH
from gui.account_errors import account_wording
from gui.crash import (
    CrashDialog,
    crash_report,
    install_excepthook,
    show_crash,
    type_name,
)
from gui.incentive_errors import incentive_wording
from gui.post_errors import post_wording

log = logging.getLogger(__name__)
translate = QCoreApplication.translate


Wording = Callable[[KnownError], tuple[str, str]]


def local_time(when: datetime) -> str:
    """A time of day in this computer's time zone, in the user's locale (e.g. ``09:31``)."""
    local = when.astimezone() if when.tzinfo else when
    return QLocale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)


def _fixed(title: str, text: str) -> Wording:
    return lambda _error: (title, text)


def _unreachable(error: KnownError) -> tuple[str, str]:
    url = str(error.params.get("url") or translate("Errors", "the database server"))
    return (
        translate("Errors", "The database server does not answer"),
        translate(
            "Errors",
            "Could not reach {url}. Check the network connection and that "
            "the server is switched on, then try again.",
        ).format(url=url),
    )


def _keyring_insecure(error: KnownError, system: str | None = None) -> tuple[str, str]:
    system = system or sys.platform
    title = translate("Errors", "No secure keychain on this computer")
    if system.startswith("win"):
        text = translate(
            "Errors",
            "Front Desk Social keeps its database key in Windows "
            "Credential Manager, which is not available. Sign in to Windows with "
            "your own account (not a guest account), then start the app again.",
        )
    elif system == "darwin":
        text = translate(
            "Errors",
            "Front Desk Social keeps its database key in the macOS "
            "Keychain, which is not available. Open Keychain Access, make sure the "
            "login keychain exists and is unlocked, then start the app again.",
        )
    else:
        text = translate(
            "Errors",
            "Front Desk Social keeps its database key in GNOME Keyring "
            "or KWallet, and neither is running. Install one (for example "
            "“sudo apt install gnome-keyring”, or “kwalletmanager” on KDE), sign "
            "out and back in, then start the app again.",
        )
    return title, text


def _wrong_pin(error: KnownError) -> tuple[str, str]:
    left = error.params.get("attempts_left")
    title = translate("Errors", "Wrong PIN")
    if left is None:
        return title, translate("Errors", "That PIN is not right. Try again.")
    if left == 1:
        return title, translate(
            "Errors", "That PIN is not right. 1 try left before sign-in pauses for a while."
        )
    return title, translate(
        "Errors", "That PIN is not right. {n} tries left before sign-in pauses for a while."
    ).format(n=left)


def _locked_out(error: KnownError) -> tuple[str, str]:
    until = error.params.get("until")
    title = translate("Errors", "Sign-in paused")
    if not isinstance(until, datetime):
        return title, translate(
            "Errors", "Too many wrong PINs. Wait a few minutes, then try again."
        )
    return title, translate(
        "Errors",
        "Too many wrong PINs. This person can try again at "
        "{time}; someone else can sign in meanwhile.",
    ).format(time=local_time(until))


def pin_problem_text(reason: str) -> str:
    """Why a new PIN was refused, for a ``core.staff.rules.pin_problem`` code."""
    texts = {
        "not_digits": translate("Errors", "A PIN uses digits only."),
        "too_short": translate("Errors", "A PIN needs at least {n} digits.").format(
            n=PIN_MIN_LENGTH
        ),
        "too_long": translate("Errors", "A PIN has at most {n} digits.").format(n=PIN_MAX_LENGTH),
        "repeated": translate("Errors", "A PIN cannot be one digit repeated, like 1111."),
        "sequence": translate("Errors", "A PIN cannot be a simple run, like 1234 or 4321."),
    }
    return texts.get(reason, translate("Errors", "That PIN cannot be used. Choose another."))


def _invalid_pin(error: KnownError) -> tuple[str, str]:
    return (
        translate("Errors", "Choose a different PIN"),
        pin_problem_text(str(error.params.get("reason", ""))),
    )


def _recovery_key(error: KnownError) -> tuple[str, str]:
    title = translate("Errors", "That recovery key is not right")
    if error.params.get("reason") == "checksum":
        return title, translate(
            "Errors", "The key has a typo. Compare each group of four with the printed copy."
        )
    return title, translate(
        "Errors",
        "A recovery key is letters and digits in groups of four, "
        "as printed at setup. Check it against the printed copy.",
    )


def _permission(error: KnownError) -> tuple[str, str]:
    action = error.params.get("action")
    if action == "sign_in":
        return (
            translate("Errors", "This person is deactivated"),
            translate(
                "Errors",
                "This staff member can no longer sign in. Ask an admin to "
                "reactivate them in Settings.",
            ),
        )
    if action == "setup":
        return (
            translate("Errors", "Already set up"),
            translate("Errors", "This practice is already set up. Sign in instead."),
        )
    return (
        translate("Errors", "Not allowed for your role"),
        translate("Errors", "Your role may not do this. Ask an admin or the office manager."),
    )


def validation_text(field: str) -> str:
    """What to fix in a field that ``core`` refused (``ValidationError.params['field']``)."""
    texts = {
        "name": translate("Errors", "The practice needs a name."),
        "timezone": translate(
            "Errors", "Choose a time zone from the list, such as America/Chicago."
        ),
        "display_name": translate("Errors", "Enter the person's name (at most 80 characters)."),
        "auto_lock_minutes": translate("Errors", "Auto-lock must be between 1 and 60 minutes."),
        "backup_keep_days": translate("Errors", "Keep backups for 1 to 365 days."),
        "negative_days": translate("Errors", "Response time frames are 0 to 30 business days."),
        "neutral_days": translate("Errors", "Response time frames are 0 to 30 business days."),
        "positive_days": translate("Errors", "Response time frames are 0 to 30 business days."),
        "hours": translate("Errors", "Opening hours must open before they close."),
        "role": translate("Errors", "The practice needs at least one active admin."),
        "posts_per_week": translate("Errors", "Aim for 0 to {n} posts a week (0: no plan).").format(
            n=MAX_POSTS_PER_WEEK
        ),
        "mastodon_limit": translate(
            "Errors", "A Mastodon server's limit is {low:,} to {high:,} characters."
        ).format(low=MASTODON_LIMIT_RANGE[0], high=MASTODON_LIMIT_RANGE[1]),
    }
    return texts.get(field, translate("Errors", "Please check what you entered and try again."))


def _validation(error: KnownError) -> tuple[str, str]:
    return (
        translate("Errors", "Please check this"),
        validation_text(str(error.params.get("field", ""))),
    )


def _wording() -> dict[str, Wording]:
    t = translate
    return {
        "known": _fixed(
            t("Errors", "That did not work"),
            t("Errors", "This could not be done. Try again in a moment."),
        ),
        "storage": _fixed(
            t("Errors", "The practice data could not be used"),
            t(
                "Errors",
                "Reading or saving failed. Try again; if it keeps "
                "happening, close and restart the app.",
            ),
        ),
        "database_locked": _fixed(
            t("Errors", "The data is busy"),
            t(
                "Errors",
                "Another workstation or task is saving right now. Wait a moment and try again.",
            ),
        ),
        "disk_full": _fixed(
            t("Errors", "The disk is full"),
            t(
                "Errors",
                "Nothing was saved. Free up space on this computer "
                "(empty the recycle bin, remove old downloads), then try again.",
            ),
        ),
        "read_only": _fixed(
            t("Errors", "The data folder is read-only"),
            t(
                "Errors",
                "The app may not write to its data folder. Ask "
                "whoever looks after this computer for write access, then "
                "restart the app.",
            ),
        ),
        "database_corrupt": _fixed(
            t("Errors", "The practice data is damaged"),
            t(
                "Errors",
                "The database file could not be read. It has "
                "not been changed. Restore the latest backup to "
                "continue.",
            ),
        ),
        "wrong_key": _fixed(
            t("Errors", "The key does not open this database"),
            t(
                "Errors",
                "The database key did not match. Enter the recovery "
                "key that was printed when the practice was set up.",
            ),
        ),
        "database_too_new": _fixed(
            t("Errors", "This data needs a newer version"),
            t(
                "Errors",
                "The practice data was saved by a newer version "
                "of Front Desk Social. Install the latest version on "
                "this computer, then start it again.",
            ),
        ),
        "database_unreachable": _unreachable,
        "already_running": _fixed(
            t("Errors", "Front Desk Social is already open"),
            t(
                "Errors",
                "Another window of the app is using this "
                "practice's data. Switch to that window (look in the "
                "taskbar) instead of opening a second one.",
            ),
        ),
        "edit_conflict": _fixed(
            t("Errors", "Someone else saved this first"),
            t(
                "Errors",
                "Someone else saved this first. Your changes were not saved; reload and try again.",
            ),
        ),
        "not_found": _fixed(
            t("Errors", "This item is gone"),
            t("Errors", "It no longer exists; someone may have removed it. Reload the page."),
        ),
        "keyring": _fixed(
            t("Errors", "The system keychain did not answer"),
            t(
                "Errors",
                "The app keeps its database key in the system keychain, "
                "which could not be used. Restart the computer and try again.",
            ),
        ),
        "keyring_insecure": _keyring_insecure,
        "keyring_locked": _fixed(
            t("Errors", "The keychain is locked"),
            t(
                "Errors",
                "Unlock the system keychain (it usually asks for "
                "your computer password), then try again.",
            ),
        ),
        "keyring_missing_key": _fixed(
            t("Errors", "The database key is missing"),
            t(
                "Errors",
                "This computer's keychain no longer holds "
                "the key to the practice data. Enter the recovery key "
                "that was printed at setup.",
            ),
        ),
        "recovery_key_invalid": _recovery_key,
        "sign_in": _fixed(
            t("Errors", "Could not sign in"), t("Errors", "Check the PIN and try again.")
        ),
        "wrong_pin": _wrong_pin,
        "locked_out": _locked_out,
        "invalid_pin": _invalid_pin,
        "permission_denied": _permission,
        "validation": _validation,
        "review_import_rejected": _fixed(
            t("Errors", "This file cannot be imported"),
            t(
                "Errors",
                "Check that it is a CSV or JSON export of reviews and try again; nothing was "
                "imported.",
            ),
        ),
        **post_wording(),
        **incentive_wording(),
        **account_wording(),
    }


def has_wording(code: str) -> bool:
    """Whether ``code`` has its own message (a test checks every ``KnownError`` has one)."""
    return code in _wording()


def message_for(error: KnownError, *, system: str | None = None) -> tuple[str, str]:
    """The (title, sentence saying what to do next) for a known error. ``system`` (a
    ``sys.platform`` value) picks the keychain advice; default: this computer's."""
    if error.code == "keyring_insecure":
        return _keyring_insecure(error, system)
    wording = _wording().get(error.code) or _wording()["known"]
    return wording(error)


def show_error(parent: QWidget | None, exc: BaseException) -> QDialog:
    """Tell the user about ``exc``: a known error as a short message box, anything else as the
    crash dialog. Non-blocking (window-modal); returns the dialog."""
    if not isinstance(exc, KnownError):
        log.error("Unexpected %s\n%s", type_name(exc), crash_report(exc))
        return show_crash(parent, exc)
    title, text = message_for(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(title)
    box.setInformativeText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    informative = box.findChild(QLabel, "qt_msgbox_informativelabel")
    if isinstance(informative, QLabel):
        informative.setMinimumWidth(360)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


__all__ = [
    "CrashDialog",
    "crash_report",
    "has_wording",
    "install_excepthook",
    "local_time",
    "message_for",
    "pin_problem_text",
    "show_crash",
    "show_error",
    "validation_text",
]


_CHAIN_REASONS = {
    "hash_mismatch": "an event was changed after it was written",
    "link_broken": "the link between two events is broken (an event was removed or replaced)",
    "gap": "events are missing",
}


def chain_reason(reason: str | None) -> str:
    """Why the audit chain failed verification (``core.audit.model.ChainReport.reason``),
    worded for the Today list and Settings alike."""
    text = _CHAIN_REASONS.get(reason or "")
    if text:
        return translate("AuditChain", text)
    return translate("AuditChain", "the check failed ({code})").format(code=reason or "?")
