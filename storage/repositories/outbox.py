"""The publishing outbox (``core.publishing.ports.OutboxRepository``) over Core statements.

``save`` is optimistic: ``UPDATE ... WHERE id = :id AND version = :expected`` must match one
row, so of two runs (two workstations) claiming one entry only the first succeeds. ``add``
runs in a savepoint, so a second entry for the same post and platform is reported as a
conflict without spoiling the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import EditConflict, NotFound
from core.publishing.model import RUNNABLE_STATUSES, OutboxEntry, OutboxStatus
from storage.models import POST_OUTBOX

_O = POST_OUTBOX
_CONFLICT = "Another run changed this outbox entry first."


def _entry(row: Row[Any]) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        post_id=row.post_id,
        platform=row.platform,
        status=OutboxStatus(row.status),
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
        updated_at=row.updated_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        remote_id=row.remote_id,
        url=row.url,
        error_code=row.error_code,
        error_message=row.error_message,
        version=row.version,
        account_id=row.account_id,
    )


def _values(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "post_id": entry.post_id,
        "platform": entry.platform,
        "status": entry.status.value,
        "idempotency_key": entry.idempotency_key,
        "attempts": entry.attempts,
        "next_attempt_at": entry.next_attempt_at,
        "remote_id": entry.remote_id,
        "url": entry.url,
        "error_code": entry.error_code,
        "error_message": entry.error_message,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "account_id": entry.account_id,
    }


class SqlOutboxRepository:
    """Outbox rows in the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, entry: OutboxEntry) -> OutboxEntry:
        if entry.id is not None:
            raise ValueError("add() takes a new entry; save() a stored one")
        try:
            with self._session.begin_nested():
                result = self._session.execute(
                    insert(_O).values(**_values(entry), version=1).returning(_O.c.id)
                )
                new_id = result.scalar_one()
        except IntegrityError:
            raise EditConflict(
                "This post already has an outbox entry for this platform.",
                entity="outbox",
                id=entry.post_id,
            ) from None
        return self.get(new_id)

    def get(self, entry_id: int) -> OutboxEntry:
        row = self._session.execute(select(_O).where(_O.c.id == entry_id)).one_or_none()
        if row is None:
            raise NotFound("No such outbox entry.", entity="outbox", id=entry_id)
        return _entry(row)

    def save(self, entry: OutboxEntry, expected_version: int) -> OutboxEntry:
        if entry.id is None:
            raise ValueError("save() needs a stored entry; add() a new one")
        result = self._session.execute(
            update(_O)
            .where(_O.c.id == entry.id, _O.c.version == expected_version)
            .values(**_values(entry), version=expected_version + 1)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.get(entry.id)  # NotFound when it is gone
            raise EditConflict(_CONFLICT, entity="outbox", id=entry.id)
        return self.get(entry.id)

    def for_post(self, post_id: int) -> list[OutboxEntry]:
        stmt = select(_O).where(_O.c.post_id == post_id).order_by(_O.c.id)
        return [_entry(row) for row in self._session.execute(stmt)]

    def runnable(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        stmt = (
            select(_O)
            .where(
                _O.c.status.in_([s.value for s in RUNNABLE_STATUSES]),
                _O.c.next_attempt_at.is_not(None),
                _O.c.next_attempt_at <= now,
            )
            .order_by(_O.c.next_attempt_at, _O.c.id)
            .limit(limit)
        )
        return [_entry(row) for row in self._session.execute(stmt)]

    def with_status(
        self, statuses: Collection[OutboxStatus], limit: int = 500
    ) -> list[OutboxEntry]:
        stmt = (
            select(_O)
            .where(_O.c.status.in_([OutboxStatus(s).value for s in statuses]))
            .order_by(_O.c.post_id, _O.c.id)
            .limit(limit)
        )
        return [_entry(row) for row in self._session.execute(stmt)]
