"""Test set-up shared by every suite.

Qt must run offscreen and never abort for lack of a display, so the platform is chosen here,
before anything imports Qt.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")


from pathlib import Path

import pytest

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.staff.pins import fast_hasher
from tests.fakes import MemoryBackupStore, MemoryMediaStore, MemorySecrets, MemoryStore


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def memory_services(clock: ManualClock, tmp_path: Path) -> Services:
    """Services over the in-memory ports (fast; for core and GUI tests that don't test storage)."""
    return build_services(
        uow=MemoryStore(),
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=MemoryBackupStore(clock),
        hasher=fast_hasher(),
        media=MemoryMediaStore(tmp_path / "vault"),
    )
