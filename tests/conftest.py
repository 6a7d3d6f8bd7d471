"""Test set-up shared by every suite.

Qt must run offscreen and never abort for lack of a display, so the platform is chosen here,
before anything imports Qt.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")


import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.demo import DemoStaff, create_demo_practice
from core.staff.pins import fast_hasher
from tests.fakes import MemoryBackupStore, MemoryMediaStore, MemorySecrets, MemoryStore


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def memory_media(tmp_path: Path) -> MemoryMediaStore:
    return MemoryMediaStore(tmp_path / "vault")


@pytest.fixture
def memory_services(
    clock: ManualClock, memory_store: MemoryStore, memory_media: MemoryMediaStore
) -> Services:
    """Services over the in-memory ports (fast; for core and GUI tests that don't test storage)."""
    return build_services(
        uow=memory_store,
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=MemoryBackupStore(clock),
        hasher=fast_hasher(),
        media=memory_media,
    )


@dataclass(frozen=True)
class _Demo:
    store: MemoryStore
    media: Path
    staff: DemoStaff
    clock_after: datetime


_DEMOS: dict[tuple[datetime, bool], _Demo] = {}


@pytest.fixture
def demo_practice(
    memory_services: Services,
    memory_store: MemoryStore,
    memory_media: MemoryMediaStore,
    clock: ManualClock,
) -> Callable[..., DemoStaff]:
    """``create_demo_practice`` for ``memory_services``, built once per test session (per start
    time and ``with_posts``) and copied into each test's store and media folder: the full demo
    runs thousands of use cases, photo scans included (seconds), and many tests only need it
    to be there. Call it at most once, on fresh ``memory_services``."""

    def make(*, with_posts: bool = True) -> DemoStaff:
        key = (clock.now(), with_posts)
        built = _DEMOS.get(key)
        if built is None:
            staff = create_demo_practice(memory_services, with_posts=with_posts)
            template = memory_media.root.parent / "demo-template-media"
            shutil.copytree(memory_media.root, template)
            _DEMOS[key] = _Demo(memory_store.fork(), template, staff, clock.now())
            return staff
        memory_store.state = built.store.fork().state
        shutil.copytree(built.media, memory_media.root, dirs_exist_ok=True)
        clock.set(built.clock_after)
        return built.staff

    return make
