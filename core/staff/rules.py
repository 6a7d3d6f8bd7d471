"""Pure rules for staff: permissions, PIN quality, wrong-PIN limiting and auto-lock."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from core.staff.model import Permission, Role

_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: frozenset(),
    Role.DOCTOR: frozenset({Permission.APPROVE}),
    Role.APPROVER: frozenset(
        {
            Permission.APPROVE,
            Permission.VIEW_AUDIT,
            Permission.EDIT_SETTINGS,
            Permission.MANAGE_BACKUPS,
            Permission.MANAGE_INCENTIVES,
            Permission.MANAGE_PHOTO_SPOTS,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}

PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 12
MAX_ATTEMPTS = 5
"""Wrong PINs in a row before sign-in is paused."""
BASE_LOCKOUT = timedelta(minutes=1)
MAX_LOCKOUT = timedelta(minutes=30)
DEFAULT_AUTO_LOCK_MINUTES = 5


def can(role: Role, permission: Permission) -> bool:
    """Whether a role carries a permission."""
    return permission in _PERMISSIONS[role]


def pin_problem(pin: str) -> str | None:
    """Why a new PIN is not acceptable, as a code, or ``None`` when it is fine.

    Codes: ``not_digits``, ``too_short``, ``too_long``, ``repeated``, ``sequence``.
    """
    if not pin.isascii() or not pin.isdigit():
        return "not_digits"
    if len(pin) < PIN_MIN_LENGTH:
        return "too_short"
    if len(pin) > PIN_MAX_LENGTH:
        return "too_long"
    if len(set(pin)) == 1:
        return "repeated"
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if steps in ({1}, {-1}):
        return "sequence"
    return None


def after_wrong_pin(failed_attempts: int, now: datetime) -> tuple[int, datetime | None]:
    """The new failure count and, when the limit is reached, until when sign-in is paused.

    Every ``MAX_ATTEMPTS`` wrong PINs in a row pause sign-in for that person; each further
    pause doubles, up to ``MAX_LOCKOUT``.
    """
    count = failed_attempts + 1
    if count % MAX_ATTEMPTS:
        return count, None
    rounds = min(count // MAX_ATTEMPTS, 16)  # 2**15 minutes is far past the cap already
    pause = min(BASE_LOCKOUT * (2 ** (rounds - 1)), MAX_LOCKOUT)
    return count, now + pause


def attempts_left(failed_attempts: int) -> int:
    """Wrong PINs still allowed before the next pause."""
    return MAX_ATTEMPTS - failed_attempts % MAX_ATTEMPTS


class IdleLock:
    """Decides when the app locks itself after ``minutes`` without input (45 CFR 164.312).

    The GUI calls ``touch()`` on every key press or mouse click and asks ``is_due()`` on a timer;
    time comes from the clock passed in, so tests move it by hand.
    """

    def __init__(self, now: datetime, minutes: int = DEFAULT_AUTO_LOCK_MINUTES) -> None:
        self._last = now
        self.minutes = minutes

    def touch(self, now: datetime) -> None:
        self._last = now

    def is_due(self, now: datetime) -> bool:
        return self.minutes > 0 and now - self._last >= timedelta(minutes=self.minutes)

    def remaining(self, now: datetime) -> timedelta:
        return max(timedelta(0), self._last + timedelta(minutes=self.minutes) - now)
