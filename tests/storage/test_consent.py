"""The consent repositories on SQLCipher and PostgreSQL: round trips, search as you type,
versions, statuses in SQL agreeing with the rules, takedowns, and the 0003 -> 0004 upgrade."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text

from core.clock import ManualClock
from core.composer.variants import new_post
from core.consent import rules
from core.consent.model import (
    Authorization,
    AuthorizationStatus,
    MediaKind,
    Patient,
    Purpose,
    Revocation,
    RevocationChannel,
    SignatureKind,
    Takedown,
)
from core.consent.ports import AuthorizationQuery, StatusDay
from core.errors import EditConflict, NotFound
from core.staff.model import Role, StaffMember
from storage.engine import Database
from storage.migrate import HEAD_REVISION, MigrationOutcome, alembic_config, migrate
from storage.uow import SqlUnitOfWork, unit_of_work_factory

Uow = Callable[[], SqlUnitOfWork]
S = AuthorizationStatus
T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
DAY = StatusDay(date(2026, 11, 2), 30)
IMAGE, OTHER = "a" * 64, "b" * 64


def someone(uow: Uow) -> StaffMember:
    with uow() as tx:
        return tx.staff.add("Dana Whitfield", Role.ADMIN, "hash")


def patient(**kw: object) -> Patient:
    fields: dict[str, object] = {
        "id": None,
        "first_name": "Mary Ann",
        "last_name": "Delacroix-Moss",
        "preferred_name": "Annie",
        "date_of_birth": date(1990, 2, 28),
        "phone": "+1 (217) 555-0142",
        "email": "mary@example.com",
    }
    return Patient(**(fields | kw))  # type: ignore[arg-type]


def authorization(patient_id: int, taken_by: int, **kw: object) -> Authorization:
    auth = Authorization(
        id=None,
        patient_id=patient_id,
        form_version="2026-11-01.1",
        media_kinds=frozenset({MediaKind.PHOTO, MediaKind.TESTIMONIAL}),
        media_description="Photos and my review",
        media_hashes=(OTHER, IMAGE),
        discloser="Maple Grove Family Dental",
        recipients=frozenset({"facebook", "website"}),
        purposes=frozenset({Purpose.SOCIAL_MEDIA, Purpose.EDUCATION}),
        expires_on=date(2027, 11, 1),
        expiry_event="When I leave the practice",
        signed_on=date(2026, 11, 1),
        signer_name="Mary Ann Delacroix-Moss",
        signature_kind=SignatureKind.SCAN,
        signature_ref="c" * 64,
        representative_authority="",
        statement_right_to_revoke=True,
        statement_treatment_not_conditioned=True,
        statement_redisclosure=True,
        copy_offered=True,
        copy_given=True,
        no_tagging=True,
        taken_by=taken_by,
        taken_at=T0,
    )
    return replace(auth, **kw)  # type: ignore[arg-type]


def test_patients_round_trip_search_and_versions(uow: Uow) -> None:
    with uow() as tx:
        mary = tx.patients.add(patient())
        bo = tx.patients.add(
            patient(first_name="Bo", last_name="Åkesson", preferred_name="", phone="312 555 9876")
        )
        anne = tx.patients.add(
            patient(first_name="Anne", last_name="Zeller", preferred_name="", phone="")
        )
    with uow() as tx:
        assert tx.patients.get(mary.id or 0) == mary
        assert tx.patients.count() == 3
        assert tx.patients.search("", 10) == [bo, mary, anne]  # by last name, accents folded
        assert tx.patients.search("ann", 10) == [mary, anne]  # a later word, any name
        assert tx.patients.search("annie del", 10) == [mary]
        assert tx.patients.search("moss", 10) == [mary]  # part of a hyphenated name
        assert tx.patients.search("AKE", 10) == [bo]  # accents and case fold
        assert tx.patients.search("217-55", 10) == [mary]  # start of the number
        assert tx.patients.search("9876", 10) == [bo]  # its end
        assert tx.patients.search("50%", 10) == []
        assert tx.patients.search("a_", 10) == []
        assert tx.patients.search("ann", 1) == [mary]
        assert tx.patients.get_many([anne.id or 0, 999]) == {anne.id: anne}
        assert sorted(tx.patients.names()) == [
            ("Anne", "Zeller", ""),
            ("Bo", "Åkesson", ""),
            ("Mary Ann", "Delacroix-Moss", "Annie"),
        ]
        saved = tx.patients.save(replace(mary, last_name="Whitcombe"), mary.version)
        assert saved.version == mary.version + 1
        with pytest.raises(EditConflict):
            tx.patients.save(replace(mary, phone=""), mary.version)
        with pytest.raises(NotFound):
            tx.patients.get(999)
    with uow() as tx:
        assert tx.patients.search("moss", 10) == []
        assert tx.patients.search("whit", 10) == [saved]


def test_authorizations_round_trip_and_are_found_by_image(uow: Uow) -> None:
    staff = someone(uow)
    with uow() as tx:
        p = tx.patients.add(patient())
        auth = tx.authorizations.add(authorization(p.id or 0, staff.id), complete=True)
    revocation = Revocation(
        received_on=date(2026, 11, 2),
        channel=RevocationChannel.PORTAL_MESSAGE,
        recorded_by=staff.id,
        recorded_at=T0 + timedelta(hours=1),
        note="Portal message",
    )
    with uow() as tx:
        assert tx.authorizations.get(auth.id or 0) == auth
        assert tx.authorizations.is_complete(auth.id or 0)
        assert tx.authorizations.using_media([IMAGE]) == [auth]
        assert tx.authorizations.using_media(["d" * 64]) == []
        revoked = tx.authorizations.save(
            replace(auth, revocation=revocation, media_hashes=(IMAGE,)), auth.version, complete=True
        )
        assert revoked.version == auth.version + 1
        with pytest.raises(EditConflict):
            tx.authorizations.save(auth, auth.version, complete=True)
    with uow() as tx:
        assert tx.authorizations.get(auth.id or 0) == revoked
        assert tx.authorizations.using_media([OTHER]) == []
        assert tx.authorizations.for_patient(p.id or 0) == [revoked]
        assert [a for a, _ in tx.authorizations.iter_all(batch=1)] == [revoked]


def test_statuses_in_sql_agree_with_the_rules(uow: Uow) -> None:
    staff = someone(uow)
    today = DAY.today
    variants: list[tuple[dict[str, object], bool]] = [
        ({}, True),  # active
        ({"expires_on": today + timedelta(days=10)}, True),  # expiring
        ({"expires_on": today}, True),  # expiring (its last day)
        ({"expires_on": today - timedelta(days=1)}, True),  # expired
        ({"expires_on": None, "event_occurred_on": today}, True),  # expired by its event
        ({"expires_on": None}, True),  # active, open-ended until the event
        ({"superseded_by": 1}, True),
        ({}, False),  # incomplete
        ({"superseded_by": 1}, False),  # superseded beats incomplete
    ]
    with uow() as tx:
        p = tx.patients.add(patient())
        saved = [
            (tx.authorizations.add(authorization(p.id or 0, staff.id, **kw), complete=c), c)
            for kw, c in variants
        ]
    expected = [
        rules.status_from(a, complete=c, today=today, expiring_days=DAY.expiring_days)
        for a, c in saved
    ]
    assert expected[:4] == [S.ACTIVE, S.EXPIRING, S.EXPIRING, S.EXPIRED]
    with uow() as tx:
        counts = tx.authorizations.status_counts(DAY)
        assert counts == {s: expected.count(s) for s in set(expected)}
        for status in S:
            q = AuthorizationQuery(statuses=[status])
            ids = {a.id for a in tx.authorizations.list(q, DAY)}
            assert ids == {a.id for (a, _), e in zip(saved, expected, strict=True) if e is status}
            assert tx.authorizations.count(q, DAY) == len(ids)
        assert tx.authorizations.count(AuthorizationQuery(text="delacroix"), DAY) == len(saved)
        assert tx.authorizations.count(AuthorizationQuery(text="zeller"), DAY) == 0
        expired = tx.authorizations.expired_with_media(DAY)
        assert {a.id for a in expired} == {saved[3][0].id, saved[4][0].id}
        page = tx.authorizations.list(AuthorizationQuery(offset=2, limit=3), DAY)
        assert [a.id for a in page] == sorted((a.id or 0 for a, _ in saved), reverse=True)[2:5]


def test_takedowns_round_trip_once_per_platform_and_confirm_once(uow: Uow) -> None:
    staff = someone(uow)
    with uow() as tx:
        p = tx.patients.add(patient())
        auth = tx.authorizations.add(authorization(p.id or 0, staff.id), complete=True)
        post = tx.posts.add(new_post(staff, "Hello", ("facebook",), T0))
        takedown = tx.takedowns.add(
            Takedown(
                id=None,
                post_id=post.id or 0,
                platform="facebook",
                url="https://facebook.example/1",
                authorization_id=auth.id or 0,
                reason="revoked",
                created_at=T0,
            )
        )
        with pytest.raises(EditConflict):
            tx.takedowns.add(replace(takedown, id=None))
    with uow() as tx:
        assert tx.takedowns.get(takedown.id or 0) == takedown
        assert tx.takedowns.list(open_only=True) == [takedown]
        assert tx.takedowns.find(post.id or 0, "facebook", auth.id or 0) == takedown
        done = tx.takedowns.confirm(
            replace(takedown, confirmed_by=staff.id, confirmed_at=T0, how="Deleted")
        )
        assert not done.open
        with pytest.raises(EditConflict):
            tx.takedowns.confirm(done)
    with uow() as tx:
        assert tx.takedowns.list(open_only=True) == []
        assert tx.takedowns.for_post(post.id or 0) == [done]
        tx.authorizations.delete(auth.id or 0)
    with uow() as tx:
        assert tx.takedowns.list(open_only=False) == []
        assert tx.authorizations.using_media([IMAGE]) == []


def test_a_0003_database_upgrades_to_0004_keeping_its_data(empty_db: Database) -> None:
    with empty_db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")
        conn.execute(
            text(
                "INSERT INTO staff (display_name, role, active, pin_hash, failed_attempts,"
                " version, created_at) VALUES ('Dana Whitfield', 'admin', true, 'h', 0, 1,"
                " '2026-11-22 09:00:00')"
            )
        )
    outcome = migrate(empty_db, backup=lambda: None)
    assert outcome == MigrationOutcome("0003", HEAD_REVISION, backed_up=True)
    assert HEAD_REVISION >= "0004"
    uow = unit_of_work_factory(empty_db, ManualClock())
    with uow() as tx:
        [dana] = tx.staff.list()
        p = tx.patients.add(patient())
        tx.authorizations.add(authorization(p.id or 0, dana.id), complete=True)
    with uow() as tx:
        assert tx.patients.search("mary", 5) == [p]
        assert tx.authorizations.status_counts(DAY) == {S.ACTIVE: 1}
