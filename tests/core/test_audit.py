"""The audit chain: hashing, verification and tamper detection."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from core.app import Services, build_services
from core.audit.model import AuditQuery, ChainReport
from core.audit.rules import GENESIS, event_hash, run_verification, verify_chain
from core.clock import ManualClock
from core.demo import create_demo_practice
from core.errors import PermissionDenied
from tests.fakes import MemorySecrets, MemoryStore


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def services(store: MemoryStore, clock: ManualClock) -> Services:
    from core.app import DatabaseInfo, DatabaseKind
    from core.staff.pins import fast_hasher

    return build_services(
        uow=store,
        clock=clock,
        secrets=MemorySecrets(),
        backup_store=None,
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        hasher=fast_hasher(),
    )


def _record_many(services: Services, clock: ManualClock, n: int) -> None:
    for i in range(n):
        clock.advance(timedelta(seconds=1, microseconds=7))
        services.audit.record(None, "test.event", "thing", i, f"step {i}")


def test_chain_links_and_verifies(
    services: Services, store: MemoryStore, clock: ManualClock
) -> None:
    _record_many(services, clock, 50)
    events = store.state.audit
    assert [e.seq for e in events] == list(range(1, 51))
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert services.audit.verify_now() == ChainReport(True, 50)
    assert services.audit.last_report == ChainReport(True, 50)


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "reason"),
    [
        (lambda ev: ev.__setitem__(20, replace(ev[20], detail="edited")), 21, "hash_mismatch"),
        (lambda ev: ev.__setitem__(20, replace(ev[20], actor_name="Someone")), 21, "hash_mismatch"),
        (lambda ev: ev.pop(20), 21, "gap"),
        (lambda ev: ev.__setitem__(0, replace(ev[0], prev_hash="f" * 64)), 1, "link_broken"),
    ],
)
def test_tampering_is_detected(
    services: Services, store: MemoryStore, clock: ManualClock, tamper, bad_seq: int, reason: str
) -> None:  # type: ignore[no-untyped-def]
    _record_many(services, clock, 40)
    tamper(store.state.audit)
    report = services.audit.verify_now()
    assert not report.ok
    assert report.first_bad_seq == bad_seq
    assert report.reason == reason
    items = services.today.items()
    assert items[0].kind == "audit_broken"
    assert items[0].params["seq"] == bad_seq


def test_rehashing_an_edit_still_breaks_the_next_link(
    services: Services, store: MemoryStore, clock: ManualClock
) -> None:
    """A forger who recomputes the edited event's hash breaks the following event's link."""
    _record_many(services, clock, 10)
    ev = store.state.audit
    forged = replace(ev[4], detail="forged")
    fields = {
        k: getattr(forged, k)
        for k in (
            "seq",
            "at",
            "actor_id",
            "actor_name",
            "action",
            "entity_type",
            "entity_id",
            "detail",
            "prev_hash",
        )
    }
    ev[4] = replace(forged, hash=event_hash(**fields))
    report = run_verification(ev)
    assert (report.ok, report.first_bad_seq, report.reason) == (False, 6, "link_broken")


def test_verification_reports_progress_and_can_stop(
    services: Services, store: MemoryStore, clock: ManualClock
) -> None:
    _record_many(services, clock, 25)
    steps = list(verify_chain(store.state.audit, progress_every=10))
    assert steps == [10, 20, ChainReport(True, 25)]
    gen = verify_chain(store.state.audit, progress_every=10)
    assert next(gen) == 10
    gen.close()  # what the task runner does on cancel


def test_hash_is_canonical_in_utc() -> None:
    at = datetime(2026, 11, 22, 9, 30, 0, 123456, tzinfo=UTC)
    from zoneinfo import ZoneInfo

    same_instant = at.astimezone(ZoneInfo("America/Chicago"))
    kwargs = {
        "seq": 1,
        "actor_id": None,
        "actor_name": "system",
        "action": "a",
        "entity_type": "t",
        "entity_id": "1",
        "detail": "",
        "prev_hash": GENESIS,
    }
    assert event_hash(at=at, **kwargs) == event_hash(at=same_instant, **kwargs)  # type: ignore[arg-type]
    assert event_hash(at=at, **kwargs) != event_hash(  # type: ignore[arg-type]
        at=at + timedelta(microseconds=1), **kwargs
    )


def test_viewer_needs_permission_and_filters(services: Services, clock: ManualClock) -> None:
    staff = create_demo_practice(services, with_posts=False)
    _record_many(services, clock, 30)
    with pytest.raises(PermissionDenied):
        services.audit.query(staff.front_desk, AuditQuery())
    page, total = services.audit.query(staff.manager, AuditQuery(action="test.event", limit=10))
    assert total == 30
    assert [e.entity_id for e in page] == [str(i) for i in range(29, 19, -1)]
    mine, n = services.audit.query(staff.admin, AuditQuery(actor_id=staff.admin.id))
    assert n == len(mine) > 0
    assert all(e.actor_id == staff.admin.id for e in mine)
    assert "staff.create" in services.audit.actions()
