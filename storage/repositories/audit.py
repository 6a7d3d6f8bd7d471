"""The append-only audit trail (``core.ports.AuditRepository``)."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import ColumnElement, Row, func, insert, select, text
from sqlalchemy.orm import Session

from core.app import DatabaseKind
from core.audit.model import AuditEvent, AuditQuery
from storage.engine import READ_SNAPSHOT
from storage.models import AUDIT_EVENT

CHAIN_LOCK = 0x46445341
"""PostgreSQL advisory-lock key ("FDSA") that serialises appends to the chain."""

_T = AUDIT_EVENT
_COLUMNS = tuple(_T.c[field.name] for field in fields(AuditEvent))
"""The table's columns in the order of ``AuditEvent``'s fields (rows map positionally)."""


def _event(row: Row[Any]) -> AuditEvent:
    # Positional (see _COLUMNS): attribute access on rows costs more than all the rest
    # when verification reads a million events.
    return AuditEvent(*row)


def _filters(q: AuditQuery) -> builtins.list[ColumnElement[bool]]:
    where: builtins.list[ColumnElement[bool]] = []
    if q.actor_id is not None:
        where.append(_T.c.actor_id == q.actor_id)
    if q.action is not None:
        where.append(_T.c.action == q.action)
    if q.since is not None:
        where.append(_T.c.at >= q.since)
    if q.until is not None:
        where.append(_T.c.at < q.until)
    return where


class SqlAuditRepository:
    """Audit events in the unit of work's session. There is deliberately no update or
    delete: the trail only grows. Reads use Core ``SELECT``s mapped positionally (no ORM
    identity map), several times faster when verification reads a million events.
    """

    def __init__(self, session: Session, kind: DatabaseKind) -> None:
        self._session = session
        self._kind = kind

    def lock_chain(self) -> None:
        """Hold the chain until this transaction ends, so concurrent appends cannot both
        extend the same last event.

        PostgreSQL: a transaction-scoped advisory lock (released at commit or rollback).
        SQLite: our transactions begin ``IMMEDIATE`` (see ``storage.engine``), holding the
        database's single write lock, so touching the connection is enough. (Even a
        snapshot transaction from ``iter_all`` cannot fork the chain: SQLite refuses its
        first write if anyone committed since the snapshot.)
        """
        if self._kind is DatabaseKind.POSTGRESQL:
            self._session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
        else:
            self._session.connection()

    def last(self) -> AuditEvent | None:
        row = self._session.execute(
            select(*_COLUMNS).order_by(_T.c.seq.desc()).limit(1)
        ).one_or_none()
        return None if row is None else _event(row)

    def insert(self, event: AuditEvent) -> None:
        self._session.execute(insert(_T).values(**asdict(event)))

    def query(self, q: AuditQuery) -> builtins.list[AuditEvent]:
        """Newest first (highest ``seq``), filtered and paged in SQL; ``until`` is
        exclusive, ``since`` inclusive."""
        stmt = (
            select(*_COLUMNS)
            .where(*_filters(q))
            .order_by(_T.c.seq.desc())
            .offset(q.offset)
            .limit(q.limit)
        )
        return [_event(row) for row in self._session.execute(stmt)]

    def count(self, q: AuditQuery) -> int:
        stmt = select(func.count()).select_from(_T).where(*_filters(q))
        return int(self._session.execute(stmt).scalar_one())

    def actions(self) -> builtins.list[str]:
        stmt = select(_T.c.action).distinct().order_by(_T.c.action)
        return list(self._session.scalars(stmt))

    def iter_all(self, batch: int = 5000) -> Iterator[AuditEvent]:
        """Every event in ``seq`` order, ``batch`` rows per query (keyset paging: each
        query starts after the last ``seq`` seen, so no query scans what came before).

        Verifying a long trail takes seconds. On SQLite, when this is the unit of work's
        first statement, its transaction begins as a read snapshot instead of taking the
        write lock, so people can keep saving meanwhile (they are not in the snapshot).
        """
        if self._kind is DatabaseKind.SQLITE and not self._session.in_transaction():
            self._session.connection(execution_options={READ_SNAPSHOT: True})
        after = 0
        while True:
            rows = self._session.execute(
                select(*_COLUMNS).where(_T.c.seq > after).order_by(_T.c.seq).limit(batch)
            ).all()
            for row in rows:
                yield _event(row)
            if len(rows) < batch:
                return
            after = rows[-1].seq
