"""Backup use cases: back up now, daily automatic backups with pruning, restore."""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta

from core.audit.service import AuditService
from core.backup.model import BackupInfo, BackupStore
from core.clock import Clock
from core.staff.model import Permission, StaffMember
from core.staff.service import require
from core.today.model import AttentionItem, Severity

DAILY = timedelta(days=1)


def due_for_automatic(backups: list[BackupInfo], now: datetime) -> bool:
    """An automatic backup is due when none, automatic or manual, was made in the last day."""
    return not any(now - b.created_at < DAILY for b in backups)


def to_prune(backups: list[BackupInfo], now: datetime, keep_days: int) -> list[BackupInfo]:
    """Automatic backups older than ``keep_days``, always keeping the newest one. Backups made
    by a person are never pruned automatically."""
    automatic = sorted((b for b in backups if b.automatic), key=lambda b: b.created_at)
    old = [b for b in automatic[:-1] if now - b.created_at > timedelta(days=keep_days)]
    return old


class BackupService:
    """Backups of the local database (a shared PostgreSQL server is backed up by its admin)."""

    def __init__(self, store: BackupStore, clock: Clock, audit: AuditService) -> None:
        self._store = store
        self._clock = clock
        self._audit = audit

    def list(self) -> builtins.list[BackupInfo]:
        """Newest first."""
        return self._store.list()

    def back_up_now(self, actor: StaffMember | None) -> BackupInfo:
        info = self._store.create(automatic=False)
        self._audit.record(actor, "backup.create", "backup", info.name)
        return info

    def run_daily(self, keep_days: int) -> BackupInfo | None:
        """Make the daily backup if one is due and prune old automatic ones."""
        now = self._clock.now()
        made = None
        if due_for_automatic(self._store.list(), now):
            made = self._store.create(automatic=True)
            self._audit.record(None, "backup.create", "backup", made.name, "automatic")
        for old in to_prune(self._store.list(), now, keep_days):
            self._store.delete(old.name)
        return made

    def restore(self, actor: StaffMember, name: str) -> None:
        require(actor, Permission.RESTORE_BACKUP)
        self._store.restore(name)
        self._audit.record(actor, "backup.restore", "backup", name)

    def attention_items(self, now: datetime) -> builtins.list[AttentionItem]:
        """Today: warn when the newest backup is more than two days old, or there is none."""
        backups = self._store.list()
        newest = max((b.created_at for b in backups), default=None)
        if newest is not None and now - newest <= 2 * DAILY:
            return []
        return [
            AttentionItem(
                key="backup.stale",
                kind="backup_stale",
                severity=Severity.WARNING,
                page="settings",
                target="backups",
                params={"last": newest.isoformat() if newest else None},
                permission=Permission.MANAGE_BACKUPS,
            )
        ]
