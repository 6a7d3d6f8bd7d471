"""Use cases for staff: setup, management by an admin, PIN changes and sign-in."""

from __future__ import annotations

from dataclasses import replace

from core.audit.service import append_event
from core.clock import Clock
from core.errors import (
    InvalidPin,
    PermissionDenied,
    SignInLockedOut,
    ValidationError,
    WrongPin,
)
from core.ports import UnitOfWorkFactory
from core.staff.model import Permission, Role, StaffMember
from core.staff.pins import PinHasher
from core.staff.rules import after_wrong_pin, attempts_left, can, pin_problem

MAX_NAME_LENGTH = 80


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A staff member needs a name.", field="display_name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("That name is too long.", field="display_name")
    return name


def _check_pin(pin: str) -> None:
    problem = pin_problem(pin)
    if problem:
        raise InvalidPin("That PIN cannot be used.", reason=problem)


def _require_current(stored: StaffMember, permission: Permission) -> None:
    """Check the actor's role as stored now, not as it was at sign-in: an admin who was
    demoted or deactivated meanwhile loses the right at once."""
    if not stored.active:
        raise PermissionDenied("This staff member is deactivated.", action=permission.value)
    require(stored, permission)


def require(actor: StaffMember, permission: Permission) -> None:
    """Raise ``PermissionDenied`` unless the actor's role carries ``permission``."""
    if not can(actor.role, permission):
        raise PermissionDenied("Your role may not do this.", action=permission.value)


class StaffService:
    """Staff members, their PINs and signing in. Every change is audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, hasher: PinHasher) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher

    def list(self, *, include_inactive: bool = False) -> list[StaffMember]:
        with self._uow() as tx:
            return tx.staff.list(include_inactive=include_inactive)

    def has_staff(self) -> bool:
        return bool(self.list(include_inactive=True))

    def create_first_admin(self, display_name: str, pin: str) -> StaffMember:
        """The setup wizard's first user; refused once anyone exists."""
        name = _check_name(display_name)
        _check_pin(pin)
        pin_hash = self._hasher.hash(pin)
        with self._uow() as tx:
            if tx.staff.list(include_inactive=True):
                raise PermissionDenied("The practice already has staff.", action="setup")
            member = tx.staff.add(name, Role.ADMIN, pin_hash)
            append_event(
                tx, self._clock, member, "staff.create", "staff", member.id, "first admin at setup"
            )
            return member

    def add(self, actor: StaffMember, display_name: str, role: Role, pin: str) -> StaffMember:
        require(actor, Permission.MANAGE_STAFF)
        name = _check_name(display_name)
        _check_pin(pin)
        pin_hash = self._hasher.hash(pin)
        with self._uow() as tx:
            _require_current(tx.staff.get(actor.id), Permission.MANAGE_STAFF)
            member = tx.staff.add(name, role, pin_hash)
            append_event(
                tx, self._clock, actor, "staff.create", "staff", member.id, f"role {role.value}"
            )
            return member

    def update(self, actor: StaffMember, member: StaffMember) -> StaffMember:
        """Rename, change role or (de)activate. The last active admin cannot be demoted or
        deactivated, so the practice never locks itself out of its settings."""
        require(actor, Permission.MANAGE_STAFF)
        member = replace(member, display_name=_check_name(member.display_name))
        with self._uow() as tx:
            _require_current(tx.staff.get(actor.id), Permission.MANAGE_STAFF)
            before = tx.staff.get(member.id)
            losing_admin = before.role is Role.ADMIN and (
                member.role is not Role.ADMIN or not member.active
            )
            if losing_admin:
                admins = [s for s in tx.staff.list() if s.role is Role.ADMIN]
                if len(admins) <= 1:
                    raise ValidationError(
                        "The practice needs at least one active admin.", field="role"
                    )
            saved = tx.staff.update(member)
            changes = [
                label
                for label, changed in (
                    ("name", before.display_name != saved.display_name),
                    (f"role {before.role.value}->{saved.role.value}", before.role != saved.role),
                    ("active" if saved.active else "deactivated", before.active != saved.active),
                )
                if changed
            ]
            append_event(
                tx,
                self._clock,
                actor,
                "staff.update",
                "staff",
                member.id,
                ", ".join(changes) or "no change",
            )
            return saved

    def change_pin(
        self, actor: StaffMember, staff_id: int, new_pin: str, current_pin: str | None = None
    ) -> None:
        """People change their own PIN (with the current one); an admin resets anyone's."""
        _check_pin(new_pin)
        own = actor.id == staff_id
        if not own:
            require(actor, Permission.MANAGE_STAFF)
        with self._uow() as tx:
            if own:
                # Also for admins: someone at an unlocked admin session must not take it over.
                creds = tx.staff.credentials(staff_id)
                if current_pin is None or not self._hasher.verify(creds.pin_hash, current_pin):
                    raise WrongPin("The current PIN is wrong.", attempts_left=None)
            else:
                _require_current(tx.staff.get(actor.id), Permission.MANAGE_STAFF)
            tx.staff.set_pin_hash(staff_id, self._hasher.hash(new_pin))
            append_event(
                tx,
                self._clock,
                actor,
                "staff.pin_change" if own else "staff.pin_reset",
                "staff",
                staff_id,
            )

    def sign_in(self, staff_id: int, pin: str, *, unlock: bool = False) -> StaffMember:
        """Check a PIN. Wrong PINs are counted and pause sign-in after too many in a row;
        every attempt is audited. ``unlock`` marks unlocking the lock screen."""
        now = self._clock.now()
        action = "session.unlock" if unlock else "session.sign_in"
        with self._uow() as tx:
            member = tx.staff.get(staff_id)
            creds = tx.staff.credentials(staff_id)
            if not member.active:
                raise PermissionDenied("This staff member is deactivated.", action="sign_in")
            if creds.locked_until is not None and creds.locked_until > now:
                raise SignInLockedOut("Too many wrong PINs.", until=creds.locked_until)
        ok = self._hasher.verify(creds.pin_hash, pin)
        with self._uow() as tx:
            if ok:
                if creds.failed_attempts or creds.locked_until:
                    tx.staff.set_failures(staff_id, 0, None)
                if self._hasher.needs_rehash(creds.pin_hash):
                    tx.staff.set_pin_hash(staff_id, self._hasher.hash(pin))
                append_event(tx, self._clock, member, action, "staff", staff_id)
                return member
            count, until = after_wrong_pin(creds.failed_attempts, now)
            tx.staff.set_failures(staff_id, count, until)
            append_event(
                tx,
                self._clock,
                member,
                f"{action}_failed",
                "staff",
                staff_id,
                f"wrong PIN #{count}",
            )
        if until is not None:
            raise SignInLockedOut("Too many wrong PINs.", until=until)
        raise WrongPin("Wrong PIN.", attempts_left=attempts_left(count))

    def record_sign_out(self, member: StaffMember, reason: str = "sign_out") -> None:
        """Audit a sign-out, a user switch or an auto-lock (``reason``)."""
        with self._uow() as tx:
            append_event(tx, self._clock, member, f"session.{reason}", "staff", member.id)
