"""Staff members and their credentials (``core.ports.StaffRepository``)."""

from __future__ import annotations

import builtins
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.clock import Clock
from core.errors import EditConflict, NotFound
from core.staff.model import Credentials, Role, StaffMember
from storage.models import STAFF, StaffRow

_CONFLICT = "Someone else changed this staff member first: reload and try again."


def _member(row: StaffRow) -> StaffMember:
    return StaffMember(
        id=row.id,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        version=row.version,
    )


class SqlStaffRepository:
    """Staff rows in the unit of work's session.

    ``update`` is optimistic: it compares the version the caller read with the stored one,
    and the ORM's version check catches a save that lands between that read and the flush.
    PIN and wrong-PIN bookkeeping do not count as edits (no new version), so signing in does
    not make a manager's open edit of the same person conflict.
    """

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def _row(self, staff_id: int) -> StaffRow:
        row = self._session.get(StaffRow, staff_id)
        if row is None:
            raise NotFound("No such staff member.", entity="staff", id=staff_id)
        return row

    def list(self, *, include_inactive: bool = False) -> builtins.list[StaffMember]:
        stmt = select(StaffRow).order_by(func.lower(StaffRow.display_name), StaffRow.id)
        if not include_inactive:
            stmt = stmt.where(StaffRow.active.is_(True))
        return [_member(row) for row in self._session.scalars(stmt)]

    def get(self, staff_id: int) -> StaffMember:
        return _member(self._row(staff_id))

    def add(self, display_name: str, role: Role, pin_hash: str) -> StaffMember:
        row = StaffRow(
            display_name=display_name,
            role=role.value,
            active=True,
            pin_hash=pin_hash,
            failed_attempts=0,
            locked_until=None,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        self._session.flush()
        return _member(row)

    def update(self, member: StaffMember) -> StaffMember:
        row = self._row(member.id)
        if row.version != member.version:
            raise EditConflict(_CONFLICT, entity="staff", id=member.id)
        row.display_name = member.display_name
        row.role = member.role.value
        row.active = member.active
        try:
            self._session.flush()
        except StaleDataError:
            raise EditConflict(_CONFLICT, entity="staff", id=member.id) from None
        return _member(row)

    def credentials(self, staff_id: int) -> Credentials:
        row = self._row(staff_id)
        return Credentials(
            staff_id=row.id,
            pin_hash=row.pin_hash,
            failed_attempts=row.failed_attempts,
            locked_until=row.locked_until,
        )

    def set_pin_hash(self, staff_id: int, pin_hash: str) -> None:
        self._set(staff_id, pin_hash=pin_hash, failed_attempts=0, locked_until=None)

    def set_failures(
        self, staff_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None:
        self._set(staff_id, failed_attempts=failed_attempts, locked_until=locked_until)

    def _set(self, staff_id: int, **values: object) -> None:
        # A Core UPDATE on the table, not the ORM row: it leaves ``version`` alone.
        result = self._session.execute(update(STAFF).where(STAFF.c.id == staff_id).values(**values))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("No such staff member.", entity="staff", id=staff_id)
        # Rows already loaded in this session must not keep the old values.
        self._session.expire_all()
