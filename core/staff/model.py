"""Staff members and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

_TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof"})


class Role(StrEnum):
    """What a staff member does in the practice; decides what they may do in the app."""

    FRONT_DESK = "front_desk"
    APPROVER = "approver"  # the office manager: approves posts and negative-review replies
    DOCTOR = "doctor"
    ADMIN = "admin"


class Permission(StrEnum):
    """Things only some roles may do."""

    MANAGE_STAFF = "manage_staff"
    EDIT_PRACTICE = "edit_practice"
    EDIT_SETTINGS = "edit_settings"
    VIEW_AUDIT = "view_audit"
    MANAGE_BACKUPS = "manage_backups"
    RESTORE_BACKUP = "restore_backup"
    APPROVE = "approve"
    MANAGE_PHOTO_SPOTS = "manage_photo_spots"
    MANAGE_INCENTIVES = "manage_incentives"  # rewards, redemptions, goals, point rules


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A person who signs in. ``version`` guards against two people editing at once."""

    id: int
    display_name: str
    role: Role
    active: bool = True
    version: int = 1

    @property
    def initials(self) -> str:
        parts = [
            p
            for p in self.display_name.replace(".", " ").split()
            if p[:1].isalpha() and p.lower() not in _TITLES
        ]
        if not parts:
            return "?"
        if len(parts) == 1:
            return parts[0][:2].upper()
        return (parts[0][0] + parts[-1][0]).upper()


@dataclass(frozen=True, slots=True)
class Credentials:
    """A staff member's PIN hash and the state of wrong-PIN limiting."""

    staff_id: int
    pin_hash: str
    failed_attempts: int = 0
    locked_until: datetime | None = None
