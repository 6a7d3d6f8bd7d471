"""Services for the Today and Settings page tests, with handles on the in-memory parts (the
store to tamper with, the backup store, the keyring) that ``memory_services`` keeps private."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from pytestqt.qtbot import QtBot

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.demo import DemoStaff, create_demo_practice
from core.staff.pins import fast_hasher
from gui.settings.page import SettingsPage
from gui.settings.section import Section
from tests.fakes import MemoryBackupStore, MemoryMediaStore, MemorySecrets, MemoryStore

S = TypeVar("S", bound=Section)

KEY_NAME = "database-key:test"
KEY_HEX = "5a" * 32


@dataclass
class PageEnv:
    """Real core services over in-memory ports, and the demo practice in them."""

    services: Services
    store: MemoryStore
    backups: MemoryBackupStore | None
    secrets: MemorySecrets
    clock: ManualClock
    staff: DemoStaff

    def tamper(self, seq: int, detail: str = "edited behind the app's back") -> None:
        """Change an audit event in place, as someone editing the database directly would."""
        events = self.store.state.audit
        index = next(i for i, e in enumerate(events) if e.seq == seq)
        events[index] = replace(events[index], detail=detail)


@dataclass(frozen=True)
class _Built:
    store: MemoryStore
    staff: DemoStaff
    media: MemoryMediaStore
    clock_after: datetime


_BUILT: dict[tuple[datetime, bool, bool], _Built] = {}
"""The demo practice built once per (start time, with posts, backups): building it runs ~2,000
use cases (about a second); each test gets a fork of it (``MemoryStore.fork``)."""


def build_env(
    clock: ManualClock, *, backups: bool = True, key: bool = True, with_posts: bool = True
) -> PageEnv:
    built = _BUILT.get((clock.now(), with_posts, backups))
    store = built.store.fork() if built is not None else MemoryStore()
    media = built.media if built is not None else MemoryMediaStore()
    secrets = MemorySecrets()
    if key:
        secrets.set(KEY_NAME, KEY_HEX)
    backup_store = MemoryBackupStore(clock) if backups else None
    services = build_services(
        uow=store,
        clock=clock,
        secrets=secrets,
        database=DatabaseInfo(DatabaseKind.SQLITE, "/data/practice.db", True, "0001", "/data"),
        backup_store=backup_store,
        hasher=fast_hasher(),
        database_key_name=KEY_NAME if key else None,
        media=media,
    )
    if built is not None:
        clock.set(built.clock_after)
        return PageEnv(services, store, backup_store, secrets, clock, built.staff)
    start = clock.now()
    staff = create_demo_practice(services, with_posts=with_posts)
    _BUILT[(start, with_posts, backups)] = _Built(store.fork(), staff, media, clock.now())
    return PageEnv(services, store, backup_store, secrets, clock, staff)


def open_section(qtbot: QtBot, page: SettingsPage, key: str, kind: type[S]) -> S:
    """Show Settings section ``key`` and wait until it has loaded."""
    page.show_target(key)
    section = page.section(key)
    assert isinstance(section, kind)
    qtbot.waitUntil(lambda: section.loaded, timeout=5000)
    return section
