"""Patients, authorizations and takedowns (``core.consent.ports``).

Search as you type goes through ``patient_name_token`` (one row per word of a name) and the
phone digit columns, with prefix conditions that use their indexes: a range on SQLite (whose
``LIKE`` ignores ordinary indexes), ``LIKE 'x%'`` over ``text_pattern_ops`` indexes on
PostgreSQL (whose ranges would follow the database's collation). Statuses as of a day are a
SQL ``CASE`` with the precedence of ``core.consent.rules.status_from``.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Collection, Iterator
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from core.clock import Clock
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
from storage.models import (
    AUTHORIZATION,
    AUTHORIZATION_MEDIA,
    PATIENT,
    PATIENT_NAME_TOKEN,
    TAKEDOWN,
)

_A, _P, _T, _M, _K = AUTHORIZATION, PATIENT, TAKEDOWN, AUTHORIZATION_MEDIA, PATIENT_NAME_TOKEN
_MAX_CHAR = "\U0010ffff"


def _prefix(column: Any, prefix: str, dialect: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, in a form the column's index serves."""
    if dialect == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(escaped + "%", escape="\\")  # type: ignore[no-any-return]
    return and_(column >= prefix, column < prefix + _MAX_CHAR)


# --- patients ----------------------------------------------------------------------------------
def _patient(row: Any) -> Patient:
    return Patient(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        preferred_name=row.preferred_name,
        date_of_birth=row.date_of_birth,
        phone=row.phone,
        email=row.email,
        minor=row.minor,
        representative_name=row.representative_name,
        representative_authority=row.representative_authority,
        version=row.version,
    )


def _patient_values(patient: Patient) -> dict[str, Any]:
    digits = rules.phone_digits(patient.phone)
    return {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "preferred_name": patient.preferred_name,
        "date_of_birth": patient.date_of_birth,
        "phone": patient.phone,
        "email": patient.email,
        "minor": patient.minor,
        "representative_name": patient.representative_name,
        "representative_authority": patient.representative_authority,
        "first_key": rules.search_key(patient.first_name)[:100],
        "last_key": rules.search_key(patient.last_name)[:100],
        "phone_digits": digits[:20],
        "phone_rev": digits[::-1][:20],
    }


def patient_match(text: str, dialect: str) -> ColumnElement[bool] | None:
    """The condition on ``patient.id`` for search ``text`` (``None``: everyone)."""
    if rules.is_phone_query(text):
        digits = rules.phone_digits(text)
        return or_(
            _prefix(_P.c.phone_digits, digits, dialect),
            _prefix(_P.c.phone_rev, digits[::-1], dialect),
        )
    words = rules.search_key(text).split()
    if not words:
        return None
    conditions = [
        _P.c.id.in_(
            select(_K.c.patient_id).where(_prefix(_K.c.token, word[:100], dialect)).distinct()
        )
        for word in dict.fromkeys(words)
    ]
    return and_(*conditions)


class SqlPatientRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._dialect = session.get_bind().dialect.name

    def add(self, patient: Patient) -> Patient:
        now = self._clock.now()
        values = {**_patient_values(patient), "version": 1, "created_at": now, "updated_at": now}
        new_id = self._session.execute(insert(_P).values(**values).returning(_P.c.id)).scalar_one()
        saved = Patient(**{**_fields(patient), "id": new_id, "version": 1})
        self._write_tokens(saved)
        return saved

    def get(self, patient_id: int) -> Patient:
        row = self._session.execute(select(_P).where(_P.c.id == patient_id)).one_or_none()
        if row is None:
            raise NotFound("No such patient.", entity="patient", id=patient_id)
        return _patient(row)

    def get_many(self, patient_ids: Collection[int]) -> dict[int, Patient]:
        ids = builtins.list(set(patient_ids))
        found: dict[int, Patient] = {}
        for start in range(0, len(ids), 500):
            rows = self._session.execute(select(_P).where(_P.c.id.in_(ids[start : start + 500])))
            found.update((row.id, _patient(row)) for row in rows)
        return found

    def save(self, patient: Patient, expected_version: int) -> Patient:
        assert patient.id is not None
        self.get(patient.id)
        values = {
            **_patient_values(patient),
            "version": expected_version + 1,
            "updated_at": self._clock.now(),
        }
        result = self._session.execute(
            update(_P)
            .where(_P.c.id == patient.id, _P.c.version == expected_version)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise EditConflict("Someone else saved this patient first.", entity="patient")
        saved = Patient(**{**_fields(patient), "version": expected_version + 1})
        self._session.execute(delete(_K).where(_K.c.patient_id == patient.id))
        self._write_tokens(saved)
        return saved

    def _write_tokens(self, patient: Patient) -> None:
        tokens = sorted({t[:100] for t in rules.name_tokens(patient)})
        if tokens:
            self._session.execute(
                insert(_K), [{"token": t, "patient_id": patient.id} for t in tokens]
            )

    def search(self, text: str, limit: int) -> builtins.list[Patient]:
        query = select(_P).order_by(_P.c.last_key, _P.c.first_key, _P.c.id).limit(limit)
        condition = patient_match(text, self._dialect)
        if condition is not None:
            query = query.where(condition)
        return [_patient(row) for row in self._session.execute(query)]

    def count(self) -> int:
        return self._session.execute(select(func.count()).select_from(_P)).scalar_one()

    def names(self) -> builtins.list[tuple[str, str, str]]:
        rows = self._session.execute(select(_P.c.first_name, _P.c.last_name, _P.c.preferred_name))
        return [(r.first_name, r.last_name, r.preferred_name) for r in rows]


def _fields(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "preferred_name": patient.preferred_name,
        "date_of_birth": patient.date_of_birth,
        "phone": patient.phone,
        "email": patient.email,
        "minor": patient.minor,
        "representative_name": patient.representative_name,
        "representative_authority": patient.representative_authority,
        "version": patient.version,
    }


# --- authorizations ----------------------------------------------------------------------------
def _auth_values(auth: Authorization, complete: bool) -> dict[str, Any]:
    revocation = auth.revocation
    return {
        "patient_id": auth.patient_id,
        "form_version": auth.form_version,
        "media_kinds": json.dumps(sorted(k.value for k in auth.media_kinds)),
        "media_description": auth.media_description,
        "media_hashes": json.dumps(builtins.list(auth.media_hashes)),
        "discloser": auth.discloser,
        "recipients": json.dumps(sorted(auth.recipients)),
        "purposes": json.dumps(sorted(p.value for p in auth.purposes)),
        "expires_on": auth.expires_on,
        "expiry_event": auth.expiry_event,
        "event_occurred_on": auth.event_occurred_on,
        "signed_on": auth.signed_on,
        "signer_name": auth.signer_name,
        "signature_kind": auth.signature_kind.value if auth.signature_kind else None,
        "signature_ref": auth.signature_ref,
        "representative_authority": auth.representative_authority,
        "statement_right_to_revoke": auth.statement_right_to_revoke,
        "statement_treatment_not_conditioned": auth.statement_treatment_not_conditioned,
        "statement_redisclosure": auth.statement_redisclosure,
        "copy_offered": auth.copy_offered,
        "copy_given": auth.copy_given,
        "first_name_only": auth.first_name_only,
        "blur_face": auth.blur_face,
        "no_tagging": auth.no_tagging,
        "taken_by": auth.taken_by,
        "taken_at": auth.taken_at,
        "pdf_ref": auth.pdf_ref,
        "revoked_on": revocation.received_on if revocation else None,
        "revocation_channel": revocation.channel.value if revocation else None,
        "revocation_recorded_by": revocation.recorded_by if revocation else None,
        "revocation_recorded_at": revocation.recorded_at if revocation else None,
        "revocation_note": revocation.note if revocation else "",
        "superseded_by": auth.superseded_by,
        "complete": complete,
    }


def _authorization(row: Any) -> Authorization:
    revocation = None
    if row.revoked_on is not None:
        revocation = Revocation(
            received_on=row.revoked_on,
            channel=RevocationChannel(row.revocation_channel),
            recorded_by=row.revocation_recorded_by,
            recorded_at=row.revocation_recorded_at,
            note=row.revocation_note,
        )
    return Authorization(
        id=row.id,
        patient_id=row.patient_id,
        form_version=row.form_version,
        media_kinds=frozenset(MediaKind(k) for k in json.loads(row.media_kinds)),
        media_description=row.media_description,
        media_hashes=tuple(json.loads(row.media_hashes)),
        discloser=row.discloser,
        recipients=frozenset(json.loads(row.recipients)),
        purposes=frozenset(Purpose(p) for p in json.loads(row.purposes)),
        expires_on=row.expires_on,
        expiry_event=row.expiry_event,
        event_occurred_on=row.event_occurred_on,
        signed_on=row.signed_on,
        signer_name=row.signer_name,
        signature_kind=SignatureKind(row.signature_kind) if row.signature_kind else None,
        signature_ref=row.signature_ref,
        representative_authority=row.representative_authority,
        statement_right_to_revoke=row.statement_right_to_revoke,
        statement_treatment_not_conditioned=row.statement_treatment_not_conditioned,
        statement_redisclosure=row.statement_redisclosure,
        copy_offered=row.copy_offered,
        copy_given=row.copy_given,
        first_name_only=row.first_name_only,
        blur_face=row.blur_face,
        no_tagging=row.no_tagging,
        taken_by=row.taken_by,
        taken_at=row.taken_at,
        pdf_ref=row.pdf_ref,
        revocation=revocation,
        superseded_by=row.superseded_by,
        version=row.version,
    )


def status_case(day: StatusDay) -> ColumnElement[str]:
    """The status of each authorization on ``day`` (``rules.status_from`` in SQL)."""
    warn_until = day.today + timedelta(days=day.expiring_days)
    expired = or_(
        and_(_A.c.expires_on.is_not(None), _A.c.expires_on < day.today),
        and_(_A.c.event_occurred_on.is_not(None), _A.c.event_occurred_on <= day.today),
    )
    return case(
        (_A.c.revoked_on.is_not(None), literal(AuthorizationStatus.REVOKED.value)),
        (_A.c.superseded_by.is_not(None), literal(AuthorizationStatus.SUPERSEDED.value)),
        (_A.c.complete.is_(False), literal(AuthorizationStatus.INCOMPLETE.value)),
        (expired, literal(AuthorizationStatus.EXPIRED.value)),
        (
            and_(_A.c.expires_on.is_not(None), _A.c.expires_on <= warn_until),
            literal(AuthorizationStatus.EXPIRING.value),
        ),
        else_=literal(AuthorizationStatus.ACTIVE.value),
    )


class SqlAuthorizationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name

    def add(self, auth: Authorization, *, complete: bool) -> Authorization:
        values = {**_auth_values(auth, complete), "version": 1}
        new_id = self._session.execute(insert(_A).values(**values).returning(_A.c.id)).scalar_one()
        self._write_media(new_id, auth.media_hashes)
        return self.get(new_id)

    def _write_media(self, authorization_id: int, hashes: tuple[str, ...]) -> None:
        self._session.execute(delete(_M).where(_M.c.authorization_id == authorization_id))
        unique = builtins.list(dict.fromkeys(hashes))
        if unique:
            self._session.execute(
                insert(_M),
                [{"authorization_id": authorization_id, "media_hash": h} for h in unique],
            )

    def get(self, authorization_id: int) -> Authorization:
        row = self._session.execute(select(_A).where(_A.c.id == authorization_id)).one_or_none()
        if row is None:
            raise NotFound("No such authorization.", entity="authorization", id=authorization_id)
        return _authorization(row)

    def is_complete(self, authorization_id: int) -> bool:
        value = self._session.execute(
            select(_A.c.complete).where(_A.c.id == authorization_id)
        ).scalar_one_or_none()
        if value is None:
            raise NotFound("No such authorization.", entity="authorization", id=authorization_id)
        return bool(value)

    def save(self, auth: Authorization, expected_version: int, *, complete: bool) -> Authorization:
        assert auth.id is not None
        before = self.get(auth.id)
        values = {**_auth_values(auth, complete), "version": expected_version + 1}
        result = self._session.execute(
            update(_A).where(_A.c.id == auth.id, _A.c.version == expected_version).values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise EditConflict(
                "Someone else changed this authorization first.", entity="authorization"
            )
        if before.media_hashes != auth.media_hashes:
            self._write_media(auth.id, auth.media_hashes)
        return self.get(auth.id)

    def set_complete(self, authorization_id: int, complete: bool) -> None:
        self._session.execute(
            update(_A).where(_A.c.id == authorization_id).values(complete=complete)
        )

    def for_patient(self, patient_id: int) -> builtins.list[Authorization]:
        rows = self._session.execute(
            select(_A)
            .where(_A.c.patient_id == patient_id)
            .order_by(_A.c.taken_at.desc(), _A.c.id.desc())
        )
        return [_authorization(r) for r in rows]

    def _filtered(self, query: Select[Any], q: AuthorizationQuery, day: StatusDay) -> Select[Any]:
        if q.statuses:
            wanted = sorted(AuthorizationStatus(s).value for s in q.statuses)
            query = query.where(status_case(day).in_(wanted))
        if q.text.strip():
            condition = patient_match(q.text, self._dialect)
            if condition is not None:
                query = query.where(_A.c.patient_id.in_(select(_P.c.id).where(condition)))
        return query

    def list(self, query: AuthorizationQuery, day: StatusDay) -> builtins.list[Authorization]:
        stmt = self._filtered(select(_A), query, day)
        stmt = (
            stmt.order_by(_A.c.taken_at.desc(), _A.c.id.desc())
            .offset(max(query.offset, 0))
            .limit(max(query.limit, 0))
        )
        return [_authorization(r) for r in self._session.execute(stmt)]

    def count(self, query: AuthorizationQuery, day: StatusDay) -> int:
        stmt = self._filtered(select(func.count()).select_from(_A), query, day)
        return int(self._session.execute(stmt).scalar_one())

    def status_counts(self, day: StatusDay) -> dict[AuthorizationStatus, int]:
        status = status_case(day).label("status")
        rows = self._session.execute(select(status, func.count()).group_by(status))
        return {AuthorizationStatus(s): n for s, n in rows}

    def using_media(self, media_hashes: Collection[str]) -> builtins.list[Authorization]:
        hashes = sorted(set(media_hashes))
        if not hashes:
            return []
        ids = select(_M.c.authorization_id).where(_M.c.media_hash.in_(hashes))
        rows = self._session.execute(select(_A).where(_A.c.id.in_(ids)).order_by(_A.c.id))
        return [_authorization(r) for r in rows]

    def expired_with_media(self, day: StatusDay) -> builtins.list[Authorization]:
        with_media = select(_M.c.authorization_id)
        rows = self._session.execute(
            select(_A)
            .where(
                status_case(day) == AuthorizationStatus.EXPIRED.value,
                _A.c.id.in_(with_media),
            )
            .order_by(_A.c.id)
        )
        return [_authorization(r) for r in rows]

    def iter_all(self, batch: int = 1000) -> Iterator[tuple[Authorization, bool]]:
        last = 0
        while True:
            rows = self._session.execute(
                select(_A).where(_A.c.id > last).order_by(_A.c.id).limit(batch)
            ).all()
            for row in rows:
                yield _authorization(row), bool(row.complete)
            if len(rows) < batch:
                return
            last = rows[-1].id

    def delete(self, authorization_id: int) -> None:
        self.get(authorization_id)
        self._session.execute(delete(_T).where(_T.c.authorization_id == authorization_id))
        self._session.execute(delete(_M).where(_M.c.authorization_id == authorization_id))
        self._session.execute(delete(_A).where(_A.c.id == authorization_id))


# --- takedowns ---------------------------------------------------------------------------------
def _takedown(row: Any) -> Takedown:
    return Takedown(
        id=row.id,
        post_id=row.post_id,
        platform=row.platform,
        url=row.url,
        authorization_id=row.authorization_id,
        reason=row.reason,
        created_at=row.created_at,
        confirmed_by=row.confirmed_by,
        confirmed_at=row.confirmed_at,
        how=row.how,
    )


class SqlTakedownRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, takedown: Takedown) -> Takedown:
        if self.find(takedown.post_id, takedown.platform, takedown.authorization_id):
            raise EditConflict("This takedown is already on the list.", entity="takedown")
        new_id = self._session.execute(
            insert(_T)
            .values(
                post_id=takedown.post_id,
                platform=takedown.platform,
                url=takedown.url,
                authorization_id=takedown.authorization_id,
                reason=takedown.reason,
                created_at=takedown.created_at,
                confirmed_by=takedown.confirmed_by,
                confirmed_at=takedown.confirmed_at,
                how=takedown.how,
            )
            .returning(_T.c.id)
        ).scalar_one()
        return self.get(new_id)

    def get(self, takedown_id: int) -> Takedown:
        row = self._session.execute(select(_T).where(_T.c.id == takedown_id)).one_or_none()
        if row is None:
            raise NotFound("No such takedown.", entity="takedown", id=takedown_id)
        return _takedown(row)

    def find(self, post_id: int, platform: str, authorization_id: int) -> Takedown | None:
        row = self._session.execute(
            select(_T).where(
                _T.c.post_id == post_id,
                _T.c.platform == platform,
                _T.c.authorization_id == authorization_id,
            )
        ).one_or_none()
        return None if row is None else _takedown(row)

    def confirm(self, takedown: Takedown) -> Takedown:
        assert takedown.id is not None
        if takedown.confirmed_at is None or takedown.confirmed_by is None:
            raise ValueError("confirm() takes a confirmed takedown")
        result = self._session.execute(
            update(_T)
            .where(_T.c.id == takedown.id, _T.c.confirmed_at.is_(None))
            .values(
                confirmed_by=takedown.confirmed_by,
                confirmed_at=takedown.confirmed_at.astimezone(UTC),
                how=takedown.how,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.get(takedown.id)
            raise EditConflict("Someone already confirmed this takedown.", entity="takedown")
        return self.get(takedown.id)

    def list(self, *, open_only: bool) -> builtins.list[Takedown]:
        query = select(_T).order_by(_T.c.created_at, _T.c.id)
        if open_only:
            query = query.where(_T.c.confirmed_at.is_(None))
        return [_takedown(r) for r in self._session.execute(query)]

    def for_post(self, post_id: int) -> builtins.list[Takedown]:
        rows = self._session.execute(select(_T).where(_T.c.post_id == post_id).order_by(_T.c.id))
        return [_takedown(r) for r in rows]

    def for_authorization(self, authorization_id: int) -> builtins.list[Takedown]:
        rows = self._session.execute(
            select(_T).where(_T.c.authorization_id == authorization_id).order_by(_T.c.id)
        )
        return [_takedown(r) for r in rows]
