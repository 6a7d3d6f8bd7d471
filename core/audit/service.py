"""Recording and reading the audit trail."""

from __future__ import annotations

from collections.abc import Iterator

from core.audit.model import AuditEvent, AuditQuery, ChainReport
from core.audit.rules import GENESIS, event_hash, verify_chain
from core.clock import Clock
from core.errors import PermissionDenied
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.staff.model import Permission, StaffMember
from core.staff.rules import can

SYSTEM_ACTOR = "system"


def append_event(  # noqa: PLR0917 - mirrors the audit row: who, what, which record
    tx: UnitOfWork,
    clock: Clock,
    actor: StaffMember | None,
    action: str,
    entity_type: str,
    entity_id: object,
    detail: str = "",
) -> AuditEvent:
    """Append one event inside the caller's transaction, so the change and its audit event
    are committed together or not at all. ``detail`` must not contain PHI values."""
    tx.audit.lock_chain()
    last = tx.audit.last()
    seq = 1 if last is None else last.seq + 1
    prev_hash = GENESIS if last is None else last.hash
    at = clock.now()
    actor_id = actor.id if actor else None
    actor_name = actor.display_name if actor else SYSTEM_ACTOR
    digest = event_hash(
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        detail=detail,
        prev_hash=prev_hash,
    )
    event = AuditEvent(
        seq,
        at,
        actor_id,
        actor_name,
        action,
        entity_type,
        str(entity_id),
        detail,
        prev_hash,
        digest,
    )
    tx.audit.insert(event)
    return event


class AuditService:
    """The audit trail: record events, verify the chain, and query for the viewer."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self.last_report: ChainReport | None = None

    def record(
        self,
        actor: StaffMember | None,
        action: str,
        entity_type: str,
        entity_id: object,
        detail: str = "",
    ) -> AuditEvent:
        """Record an event in its own transaction (for actions that change nothing else)."""
        with self._uow() as tx:
            return append_event(tx, self._clock, actor, action, entity_type, entity_id, detail)

    def verify(self) -> Iterator[int | ChainReport]:
        """Verify the whole chain; yields progress counts, then the ``ChainReport`` (also kept
        as ``last_report`` for the Today page)."""
        with self._uow() as tx:
            for step in verify_chain(tx.audit.iter_all()):
                if isinstance(step, ChainReport):
                    self.last_report = step
                yield step

    def verify_now(self) -> ChainReport:
        report = ChainReport(True, 0)
        for step in self.verify():
            if isinstance(step, ChainReport):
                report = step
        return report

    def query(self, viewer: StaffMember, q: AuditQuery) -> tuple[list[AuditEvent], int]:
        """A page of events for the viewer and the total that match."""
        if not can(viewer.role, Permission.VIEW_AUDIT):
            raise PermissionDenied(
                "Only managers and admins can view the audit trail.", action="view_audit"
            )
        with self._uow() as tx:
            return tx.audit.query(q), tx.audit.count(q)

    def actions(self) -> list[str]:
        with self._uow() as tx:
            return tx.audit.actions()
