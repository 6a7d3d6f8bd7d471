"""How Today words an attention item: core gives a ``kind`` code and plain ``params``; this
registry turns them into a title, a one-line explanation and an action label.

Features register their kinds with ``register_wording(kind, fn)`` when their GUI package is
imported; a kind nobody registered gets a generic wording, so a new item is never lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QTime

from core.today.model import AttentionItem, Severity
from gui.errors import chain_reason

_CONTEXT = "TodayWording"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


class WordingContext(NamedTuple):
    """What a wording may need besides the params: the current time and the practice's zone."""

    now: datetime
    tz: ZoneInfo


class Wording(NamedTuple):
    title: str
    detail: str
    action: str


WordingFn = Callable[[Mapping[str, Any], WordingContext], Wording]

_REGISTRY: dict[str, WordingFn] = {}

_PAGE_NAMES = {
    "today": "Today",
    "composer": "Composer",
    "images": "Images",
    "consent": "Consent",
    "reviews": "Reviews",
    "incentives": "Incentives",
    "settings": "Settings",
}


def app_locale() -> QLocale:
    """The user's locale; US English when the system names none (the "C" locale)."""
    current = QLocale()
    if current.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return current


def register_wording(kind: str, fn: WordingFn) -> None:
    """Word items of ``kind`` with ``fn(params, context)``; a later registration replaces an
    earlier one."""
    _REGISTRY[kind] = fn


def word(item: AttentionItem, context: WordingContext) -> Wording:
    """The wording of an item; malformed params fall back to the generic wording rather than
    hiding the item."""
    fn = _REGISTRY.get(item.kind)
    if fn is not None:
        try:
            return fn(item.params, context)
        except (KeyError, TypeError, ValueError):
            pass
    return generic_wording(item.page)


def generic_wording(page: str) -> Wording:
    name = _PAGE_NAMES.get(page)
    return Wording(
        tr("Something needs a look"),
        tr("Open it to see what needs doing."),
        tr("Open {page}").format(page=tr(name)) if name else tr("Open"),
    )


def severity_label(severity: Severity) -> str:
    return {
        Severity.CRITICAL: tr("Critical"),
        Severity.URGENT: tr("Urgent"),
        Severity.WARNING: tr("Warning"),
        Severity.INFO: tr("Info"),
    }[severity]


# --- time --------------------------------------------------------------------------------
def _amount(delta: timedelta) -> str:
    """A rounded-down span: minutes under an hour, hours under two days, else days."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return tr("1 minute") if minutes == 1 else tr("{n} minutes").format(n=minutes)
    hours = minutes // 60
    if hours < 48:
        return tr("1 hour") if hours == 1 else tr("{n} hours").format(n=hours)
    days = hours // 24
    return tr("{n} days").format(n=days)


def relative_due(due: datetime, now: datetime) -> str:
    """ "due in 3 hours", "overdue by 2 days", or "due now" within a minute."""
    delta = due - now
    if abs(delta) < timedelta(minutes=1):
        return tr("due now")
    if delta > timedelta(0):
        return tr("due in {span}").format(span=_amount(delta))
    return tr("overdue by {span}").format(span=_amount(-delta))


def relative_past(when: datetime, now: datetime) -> str:
    """ "3 days ago", or "just now"."""
    delta = now - when
    if delta < timedelta(minutes=1):
        return tr("just now")
    return tr("{span} ago").format(span=_amount(delta))


def local_text(when: datetime, tz: ZoneInfo, *, with_date: bool = True) -> str:
    """A time in the practice's zone, in the user's locale (e.g. "Tue, Nov 3, 4:00 PM")."""
    local = when.astimezone(tz)
    locale = app_locale()
    time_text = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    if not with_date:
        return time_text
    day = QDate(local.year, local.month, local.day)
    return f"{locale.toString(day, 'ddd, MMM d')}, {time_text}"


# --- the foundation's kinds --------------------------------------------------------------
def _backup_stale(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    last = params.get("last")
    if last is None:
        detail = tr("No backup has been made yet. A backup protects the practice's data.")
    else:
        when = datetime.fromisoformat(str(last))
        detail = tr("The last backup was made {ago} ({when}).").format(
            ago=relative_past(when, ctx.now), when=local_text(when, ctx.tz)
        )
    return Wording(tr("Back up the practice data"), detail, tr("Go to Backups"))


def _audit_broken(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    detail = tr("At event #{seq}, {reason}. Tell the practice's admin today.").format(
        seq=params.get("seq", "?"), reason=chain_reason(params.get("reason"))
    )
    return Wording(
        tr("The audit trail may have been tampered with"), detail, tr("Review the audit trail")
    )


def _practice_phone_missing(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    return Wording(
        tr("Add the practice's phone number"),
        tr("Safe replies to reviews invite people to call the office, so they need it."),
        tr("Add phone number"),
    )


register_wording("backup_stale", _backup_stale)
register_wording("audit_broken", _audit_broken)
register_wording("practice_phone_missing", _practice_phone_missing)
from gui.today import (  # noqa: E402 - importing them registers the features' wordings
    accounts_wording,  # noqa: F401
    consent_wording,  # noqa: F401
    images_wording,  # noqa: F401
    incentives_wording,  # noqa: F401
    posts_wording,  # noqa: F401
    reviews_wording,  # noqa: F401
)
