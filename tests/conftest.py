"""Test set-up shared by every suite.

Qt must run offscreen and never abort for lack of a display, so the platform is chosen here,
before anything imports Qt.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from core.app import DatabaseInfo, DatabaseKind, Services, build_services  # noqa: E402
from core.clock import ManualClock  # noqa: E402
from core.staff.pins import fast_hasher  # noqa: E402
from tests.fakes import MemoryBackupStore, MemorySecrets, MemoryStore  # noqa: E402


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def memory_services(clock: ManualClock) -> Iterator[Services]:
    """Services over the in-memory ports (fast; for core and GUI tests that don't test storage)."""
    yield build_services(
        uow=MemoryStore(), clock=clock, secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=MemoryBackupStore(clock), hasher=fast_hasher(),
    )
