"""Pure rules of the audit chain: how an event is hashed and how a chain is verified."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime

from core.audit.model import AuditEvent, ChainReport

GENESIS = "0" * 64
"""The ``prev_hash`` of the first event."""


def canonical_time(at: datetime) -> str:
    """The event time as hashed: UTC, microseconds, so every database round-trips it."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    entity_type: str,
    entity_id: str,
    detail: str,
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON form of every field and the previous event's hash."""
    payload = json.dumps(
        [
            seq,
            canonical_time(at),
            actor_id,
            actor_name,
            action,
            entity_type,
            entity_id,
            detail,
            prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def expected_hash(event: AuditEvent) -> str:
    """What ``event.hash`` must be, recomputed from every other field."""
    fields = asdict(event)
    del fields["hash"]
    return event_hash(**fields)


def verify_chain(
    events: Iterable[AuditEvent], *, progress_every: int = 5000
) -> Iterator[int | ChainReport]:
    """Verify events given in ``seq`` order.

    A generator: yields the number checked so far every ``progress_every`` events (so the GUI can
    show progress and cancel), and finally one ``ChainReport``.
    """
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in events:
        if event.seq != expected_seq:
            yield ChainReport(False, checked, expected_seq, "gap")
            return
        if event.prev_hash != prev_hash:
            yield ChainReport(False, checked, event.seq, "link_broken")
            return
        if expected_hash(event) != event.hash:
            yield ChainReport(False, checked, event.seq, "hash_mismatch")
            return
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
        if checked % progress_every == 0:
            yield checked
    yield ChainReport(True, checked)


def run_verification(events: Iterable[AuditEvent]) -> ChainReport:
    """Verify without progress reporting."""
    *_, report = verify_chain(events)
    assert isinstance(report, ChainReport)
    return report
