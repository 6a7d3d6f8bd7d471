"""The audit chain on real databases: appended through core, verified by core; tampering
is found at the right event; concurrent appends never fork the chain."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import text

from core.audit.model import AuditQuery, ChainReport
from core.audit.rules import expected_hash, run_verification
from core.audit.service import append_event
from core.clock import ManualClock
from core.staff.model import Role, StaffMember
from storage.engine import Database
from storage.uow import SqlUnitOfWork

Uow = Callable[[], SqlUnitOfWork]
ACTOR = StaffMember(id=1, display_name="Dana Whitfield", role=Role.ADMIN)


def append_many(uow: Uow, clock: ManualClock, n: int) -> None:
    with uow() as tx:
        for i in range(n):
            append_event(tx, clock, ACTOR, "staff.update", "staff", i, f"change {i}")


def verify(uow: Uow) -> ChainReport:
    with uow() as tx:
        return run_verification(tx.audit.iter_all(batch=64))


def test_appended_events_verify(uow: Uow, clock: ManualClock) -> None:
    append_many(uow, clock, 300)
    for _ in range(5):  # separate transactions too
        with uow() as tx:
            append_event(tx, clock, None, "backup.create", "backup", "x")
    assert verify(uow) == ChainReport(True, 305)


def test_changed_detail_is_found_at_its_seq(uow: Uow, clock: ManualClock, db: Database) -> None:
    append_many(uow, clock, 20)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET detail = 'nothing to see' WHERE seq = 13"))
    assert verify(uow) == ChainReport(False, 12, 13, "hash_mismatch")


def test_deleted_middle_event_is_found_at_its_seq(
    uow: Uow, clock: ManualClock, db: Database
) -> None:
    append_many(uow, clock, 20)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 7"))
    assert verify(uow) == ChainReport(False, 6, 7, "gap")


def test_rehashed_forgery_breaks_the_next_link(uow: Uow, clock: ManualClock, db: Database) -> None:
    """Recomputing the edited event's own hash does not help: the next one points back to
    the original hash."""
    append_many(uow, clock, 10)
    with uow() as tx:
        original = next(e for e in tx.audit.iter_all() if e.seq == 4)
    forged = replace(original, detail="forged")
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_event SET detail = :d, hash = :h WHERE seq = 4"),
            {"d": forged.detail, "h": expected_hash(forged)},
        )
    assert verify(uow) == ChainReport(False, 4, 5, "link_broken")


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_appends_do_not_fork_the_chain(
    uow: Uow, clock: ManualClock, workers: int
) -> None:
    per_worker = 25
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work() -> None:
        try:
            start.wait()
            for i in range(per_worker):
                with uow() as tx:
                    append_event(tx, clock, ACTOR, "session.sign_in", "staff", i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with uow() as tx:
        assert tx.audit.count(AuditQuery()) == workers * per_worker
    assert verify(uow) == ChainReport(True, workers * per_worker)


def test_saving_goes_on_while_the_chain_is_verified(uow: Uow, clock: ManualClock) -> None:
    """A save during verification neither waits nor fails. (SQLite verifies a snapshot
    without the new event; PostgreSQL, reading committed rows batch by batch, may include
    it.)"""
    append_many(uow, clock, 30)
    with uow() as reader:
        events = reader.audit.iter_all(batch=10)
        first = next(events)
        with uow() as writer:
            append_event(writer, clock, ACTOR, "staff.update", "staff", 99)
        rest = list(events)
    assert [e.seq for e in [first, *rest]][:30] == list(range(1, 31))
    assert verify(uow) == ChainReport(True, 31)
