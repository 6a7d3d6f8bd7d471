"""Staff rules and services: permissions, PIN quality, sign-in limiting, idle lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.app import Services
from core.clock import ManualClock
from core.demo import DEMO_PIN, DemoStaff
from core.errors import (
    EditConflict,
    InvalidPin,
    PermissionDenied,
    SignInLockedOut,
    ValidationError,
    WrongPin,
)
from core.staff.model import Permission, Role, StaffMember
from core.staff.pins import fast_hasher
from core.staff.rules import (
    MAX_ATTEMPTS,
    IdleLock,
    after_wrong_pin,
    attempts_left,
    can,
    pin_problem,
)


@pytest.mark.parametrize(
    ("pin", "problem"),
    [
        ("12a4", "not_digits"),
        ("123", "too_short"),
        ("1" * 13, "too_long"),
        ("7777", "repeated"),
        ("1234", "sequence"),
        ("9876", "sequence"),
        ("٣٤٥٦", "not_digits"),
        ("2468", None),
        ("190325", None),
    ],
)
def test_pin_problem(pin: str, problem: str | None) -> None:
    assert pin_problem(pin) == problem


def test_roles_and_permissions() -> None:
    assert all(can(Role.ADMIN, p) for p in Permission)
    assert not any(can(Role.FRONT_DESK, p) for p in Permission)
    assert can(Role.APPROVER, Permission.VIEW_AUDIT)
    assert not can(Role.APPROVER, Permission.MANAGE_STAFF)
    assert can(Role.DOCTOR, Permission.APPROVE)
    assert not can(Role.DOCTOR, Permission.RESTORE_BACKUP)


def test_lockout_pauses_double_and_cap(clock: ManualClock) -> None:
    now = clock.now()
    count, until = 0, None
    pauses = []
    for _ in range(MAX_ATTEMPTS * 8):
        count, until = after_wrong_pin(count, now)
        if until is not None:
            pauses.append(until - now)
    assert pauses[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert max(pauses) == timedelta(minutes=30)
    assert attempts_left(0) == MAX_ATTEMPTS
    assert attempts_left(MAX_ATTEMPTS - 1) == 1


@given(st.integers(min_value=0, max_value=10_000))
def test_pause_only_every_max_attempts(failed: int) -> None:
    clock = ManualClock()
    count, until = after_wrong_pin(failed, clock.now())
    assert count == failed + 1
    assert (until is not None) == (count % MAX_ATTEMPTS == 0)


def test_idle_lock_with_injected_clock(clock: ManualClock) -> None:
    lock = IdleLock(clock.now(), minutes=5)
    clock.advance(timedelta(minutes=4, seconds=59))
    assert not lock.is_due(clock.now())
    lock.touch(clock.now())
    clock.advance(timedelta(minutes=4))
    assert not lock.is_due(clock.now())
    assert lock.remaining(clock.now()) == timedelta(minutes=1)
    clock.advance(timedelta(minutes=1))
    assert lock.is_due(clock.now())


def test_initials() -> None:
    assert StaffMember(1, "Dr. Helen Okafor", Role.DOCTOR).initials == "HO"
    assert StaffMember(1, "Jenna", Role.FRONT_DESK).initials == "JE"
    assert StaffMember(1, "  ", Role.FRONT_DESK).initials == "?"


def test_first_admin_only_once(memory_services: Services) -> None:
    admin = memory_services.staff.create_first_admin("  Priya   Raman ", "2468")
    assert admin.display_name == "Priya Raman"
    assert admin.role is Role.ADMIN
    with pytest.raises(PermissionDenied):
        memory_services.staff.create_first_admin("Someone Else", "2468")


def test_sign_in_counts_wrong_pins_and_pauses(
    demo_practice: Callable[..., DemoStaff], memory_services: Services, clock: ManualClock
) -> None:
    staff = demo_practice()
    member = staff.front_desk
    for left in range(MAX_ATTEMPTS - 1, 0, -1):
        with pytest.raises(WrongPin) as wrong:
            memory_services.staff.sign_in(member.id, "0000")
        assert wrong.value.params["attempts_left"] == left
    with pytest.raises(SignInLockedOut) as locked:
        memory_services.staff.sign_in(member.id, "0000")
    assert locked.value.params["until"] == clock.now() + timedelta(minutes=1)
    # Even the right PIN is refused during the pause ...
    with pytest.raises(SignInLockedOut):
        memory_services.staff.sign_in(member.id, DEMO_PIN)
    # ... and accepted after it, which resets the count.
    clock.advance(timedelta(minutes=1, seconds=1))
    assert memory_services.staff.sign_in(member.id, DEMO_PIN) == member
    with pytest.raises(WrongPin) as wrong:
        memory_services.staff.sign_in(member.id, "0000")
    assert wrong.value.params["attempts_left"] == MAX_ATTEMPTS - 1


def test_sign_in_is_audited_without_the_pin(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    with pytest.raises(WrongPin):
        memory_services.staff.sign_in(staff.doctor.id, "13579")
    memory_services.staff.sign_in(staff.doctor.id, DEMO_PIN)
    events, _ = memory_services.audit.query(staff.admin, _all())
    actions = [e.action for e in events[:2]]
    assert actions == ["session.sign_in", "session.sign_in_failed"]
    assert all("13579" not in e.detail and DEMO_PIN not in e.detail for e in events)


def _all():  # type: ignore[no-untyped-def]
    from core.audit.model import AuditQuery

    return AuditQuery(limit=1000)


def test_deactivated_cannot_sign_in(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    memory_services.staff.update(staff.admin, replace(staff.doctor, active=False))
    with pytest.raises(PermissionDenied):
        memory_services.staff.sign_in(staff.doctor.id, DEMO_PIN)


def test_only_admins_manage_staff(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    with pytest.raises(PermissionDenied):
        memory_services.staff.add(staff.manager, "New Person", Role.FRONT_DESK, "2468")
    with pytest.raises(PermissionDenied):
        memory_services.staff.change_pin(staff.front_desk, staff.doctor.id, "5791")


def test_last_admin_cannot_be_demoted_or_deactivated(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    with pytest.raises(ValidationError):
        memory_services.staff.update(staff.admin, replace(staff.admin, role=Role.APPROVER))
    with pytest.raises(ValidationError):
        memory_services.staff.update(staff.admin, replace(staff.admin, active=False))
    promoted = memory_services.staff.update(staff.admin, replace(staff.manager, role=Role.ADMIN))
    demoted = memory_services.staff.update(
        promoted, replace(memory_services.staff.list()[0], role=Role.APPROVER)
    )
    assert demoted.role is Role.APPROVER


def test_stale_edit_is_a_conflict(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    memory_services.staff.update(staff.admin, replace(staff.doctor, display_name="Dr. H. Okafor"))
    with pytest.raises(EditConflict):
        memory_services.staff.update(staff.admin, replace(staff.doctor, display_name="Other"))


def test_change_own_pin_needs_current_pin(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    with pytest.raises(WrongPin):
        memory_services.staff.change_pin(staff.front_desk, staff.front_desk.id, "5791", "0000")
    with pytest.raises(InvalidPin) as bad:
        memory_services.staff.change_pin(staff.front_desk, staff.front_desk.id, "1111", DEMO_PIN)
    assert bad.value.params["reason"] == "repeated"
    memory_services.staff.change_pin(staff.front_desk, staff.front_desk.id, "5791", DEMO_PIN)
    assert memory_services.staff.sign_in(staff.front_desk.id, "5791") == staff.front_desk
    # An admin resets someone else's PIN without knowing it.
    memory_services.staff.change_pin(staff.admin, staff.front_desk.id, "8642")
    assert memory_services.staff.sign_in(staff.front_desk.id, "8642") == staff.front_desk


def test_real_argon2id_hashes() -> None:
    from core.staff.pins import PinHasher

    hasher = PinHasher()
    digest = hasher.hash("2468")
    assert digest.startswith("$argon2id$")
    assert hasher.verify(digest, "2468")
    assert not hasher.verify(digest, "2469")
    assert not hasher.verify("not a hash", "2468")
    assert fast_hasher().needs_rehash(fast_hasher().hash("2468")) is False


def test_admin_changing_own_pin_needs_current_pin(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    with pytest.raises(WrongPin):
        memory_services.staff.change_pin(staff.admin, staff.admin.id, "5791")
    memory_services.staff.change_pin(staff.admin, staff.admin.id, "5791", DEMO_PIN)


def test_demoted_admin_loses_rights_at_once(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    staff = demo_practice()
    second = memory_services.staff.update(staff.admin, replace(staff.manager, role=Role.ADMIN))
    # The second admin demotes the first, who is still signed in with the old role.
    memory_services.staff.update(second, replace(staff.admin, role=Role.APPROVER))
    with pytest.raises(PermissionDenied):
        memory_services.staff.add(staff.admin, "Sneaky", Role.ADMIN, "5791")
    with pytest.raises(PermissionDenied):
        memory_services.staff.change_pin(staff.admin, staff.doctor.id, "5791")
