"""Backups and the port that makes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file: its name in the backups folder, when it was made, its size, and
    whether the daily schedule made it (``automatic``) or a person did."""

    name: str
    created_at: datetime
    size_bytes: int
    automatic: bool


class BackupStore(Protocol):
    """Makes and restores consistent, encrypted copies of the live database."""

    def create(self, *, automatic: bool) -> BackupInfo:
        """A consistent copy of the live database (never a copy of the live file), encrypted
        like the database. Raises ``core.errors.DiskFull`` and leaves no partial file."""
        ...

    def list(self) -> list[BackupInfo]:
        """Newest first."""
        ...

    def delete(self, name: str) -> None: ...

    def restore(self, name: str) -> None:
        """Replace the live database's content with the backup's, after checking the backup
        opens with the current key. A safety backup of the current state is made first."""
        ...
