"""Use cases of the consent tracker: patients, authorizations, revocation and its cascade to
posts, the takedown list, expiry, retention and the register export.

Like every core service: each use case re-reads the acting staff member as stored now, opens
one unit of work and commits the change together with its audit events. Audit details and log
lines name records by id, never a patient's name, birth date or phone (PHI). The providers
(time zone, consent settings) open their own unit of work, so they are read *before* ours.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from core.audit.service import append_event
from core.clock import Clock
from core.composer.model import Post, PostState
from core.consent import rules
from core.consent.forms import (
    ConsentForm,
    default_form,
    form_from_dict,
    form_to_dict,
    next_version,
    validate_form,
)
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
from core.consent.ports import AuthorizationQuery, MediaStore, StatusDay
from core.errors import EditConflict, NotFound, PermissionDenied, StorageError, ValidationError
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.practice.model import ConsentSettings
from core.staff.model import Role, StaffMember

FORM_KEY = "consent_form"
"""The settings key of the practice's own consent form (absent: the shipped one)."""

MAX_NAME = 100
MAX_TEXT = 2000
KNOWN_NAMES_TTL = 300.0
"""Seconds the known-names cache trusts itself: another workstation's new patients show up
in this one's PHI check within five minutes (this one's own at once)."""

PULL_BACK_NOTE = (
    "Consent for an image in this post was withdrawn or has expired. Remove that image: the "
    "post cannot go out with it."
)
"""The blocking comment on a post pulled back to draft (no patient's name: ids only)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CSV_COLUMNS = (
    "authorization_id",
    "patient_id",
    "patient_last_name",
    "patient_first_name",
    "status",
    "missing_elements",
    "media_kinds",
    "media_description",
    "image_count",
    "recipients",
    "purposes",
    "signed_on",
    "signer_name",
    "representative_authority",
    "signature_kind",
    "expires_on",
    "expiry_event",
    "event_occurred_on",
    "revoked_on",
    "revocation_channel",
    "revocation_recorded_by",
    "superseded_by",
    "form_version",
    "taken_by",
    "taken_at",
    "copy_offered",
    "copy_given",
    "first_name_only",
    "blur_face",
    "no_tagging",
)


def _default_settings() -> ConsentSettings:
    return ConsentSettings()


REGISTER_FORMATS = ("csv", "pdf")
"""The formats the consent register is exported in (named in the export's audit event)."""


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One line of the consent register: an authorization, its patient, its status today and
    the element codes it lacks (``core.consent.rules.REQUIRED``)."""

    authorization: Authorization
    patient: Patient
    status: AuthorizationStatus
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RevocationResult:
    """What a revocation changed: the authorization as saved, the posts pulled back to draft
    (or, for drafts, given the blocking comment) and the takedowns it opened."""

    authorization: Authorization
    pulled_post_ids: tuple[int, ...]
    takedowns: tuple[Takedown, ...]


class ConsentService:
    """Patients and their written authorizations (45 CFR 164.508(c)).

    ``tz`` gives the practice's time zone (a day on a form is a day there); ``settings`` the
    practice's consent settings (warning window, what expiry does to published posts);
    ``media`` the media vault for signatures, scans and signed PDFs.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        tz: Callable[[], ZoneInfo],
        media: MediaStore | None,
        settings: Callable[[], ConsentSettings] = _default_settings,
        remote: Callable[[], RemotePosts] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._tz = tz
        self._media = media
        self._settings = settings
        self._remote = remote
        self._names_lock = threading.Lock()
        self._names: tuple[tuple[str, ...], float] | None = None

    # --- time ------------------------------------------------------------------------------
    def zone(self) -> ZoneInfo:
        """The practice's time zone (the days on forms are its days)."""
        return self._tz()

    def today(self) -> date:
        """Today in the practice's time zone."""
        return self._clock.now().astimezone(self._tz()).date()

    def _day(self) -> StatusDay:
        return StatusDay(self.today(), self._settings().expiring_days)

    # --- patients --------------------------------------------------------------------------
    def search_patients(self, text: str, *, limit: int = 50) -> list[Patient]:
        """Search as you type: a prefix of any word of the first, last or preferred name
        (every word typed must match), or digits of the phone (its start or its end). By
        last name, first name. Empty text gives the first ``limit`` patients."""
        with self._uow() as tx:
            return tx.patients.search(text, max(1, min(limit, 500)))

    def count_patients(self) -> int:
        with self._uow() as tx:
            return tx.patients.count()

    def get_patient(self, patient_id: int) -> Patient:
        with self._uow() as tx:
            return tx.patients.get(patient_id)

    def add_patient(self, actor: StaffMember, patient: Patient) -> Patient:
        """Add a patient (``patient.id`` is ``None``); audited by id."""
        if patient.id is not None:
            raise ValueError("add_patient takes a new patient")
        patient = _clean_patient(patient)
        _validate_patient(patient, self.today())
        with self._uow() as tx:
            person = _active(tx, actor, "add_patient")
            saved = tx.patients.add(replace(patient, version=1))
            append_event(tx, self._clock, person, "patient.create", "patient", saved.id)
        self._forget_names()
        return saved

    def update_patient(self, actor: StaffMember, patient: Patient) -> Patient:
        """Save changes to a patient read at ``patient.version`` (``EditConflict`` when
        someone saved it first). The audit names the changed fields, never their values."""
        if patient.id is None:
            raise ValueError("update_patient takes a stored patient")
        patient_id = patient.id
        patient = _clean_patient(patient)
        _validate_patient(patient, self.today())
        with self._uow() as tx:
            person = _active(tx, actor, "update_patient")
            before = tx.patients.get(patient_id)
            if before.version != patient.version:
                raise EditConflict(
                    "Someone else saved this patient first.", entity="patient", id=patient.id
                )
            changed = [
                f
                for f in _PATIENT_FIELDS
                if getattr(before, f) != getattr(patient, f)  # field names only: no PHI
            ]
            if not changed:
                return before
            saved = tx.patients.save(patient, patient.version)
            for auth in tx.authorizations.for_patient(patient_id):
                assert auth.id is not None
                tx.authorizations.set_complete(auth.id, not rules.missing_elements(auth, saved))
            detail = "changed " + ", ".join(changed)
            append_event(tx, self._clock, person, "patient.update", "patient", saved.id, detail)
        self._forget_names()
        return saved

    def known_names(self) -> tuple[str, ...]:
        """Every patient's name forms (first + last, preferred + last), for the PHI check.
        Cached; refreshed after this service adds or changes a patient, and every
        ``KNOWN_NAMES_TTL`` seconds for other workstations' changes. The same tuple object is
        returned while the names stay the same: the PHI scanner indexes a new one (about 2 s
        for 50,000 patients), never the same one twice."""
        with self._names_lock:
            if self._names is not None and time.monotonic() - self._names[1] < KNOWN_NAMES_TTL:
                return self._names[0]
        with self._uow() as tx:
            rows = tx.patients.names()
        forms: dict[str, None] = {}
        for first, last, preferred in rows:
            probe = Patient(id=None, first_name=first, last_name=last, preferred_name=preferred)
            forms.update(dict.fromkeys(probe.name_forms))
        names = tuple(forms)
        with self._names_lock:
            if self._names is not None and self._names[0] == names:
                names = self._names[0]
            self._names = (names, time.monotonic())
        return names

    def _forget_names(self) -> None:
        with self._names_lock:
            self._names = None

    # --- reading authorizations ------------------------------------------------------------
    def authorizations(self, patient_id: int) -> list[Authorization]:
        """The patient's authorizations, newest first, all history."""
        with self._uow() as tx:
            tx.patients.get(patient_id)
            return tx.authorizations.for_patient(patient_id)

    def get_authorization(self, authorization_id: int) -> Authorization:
        with self._uow() as tx:
            return tx.authorizations.get(authorization_id)

    def list_authorizations(
        self, query: AuthorizationQuery
    ) -> tuple[list[tuple[Authorization, Patient]], int]:
        """A page of authorizations with their patients, and how many match in all (status
        as of today in the practice's time zone)."""
        day = self._day()
        with self._uow() as tx:
            page = tx.authorizations.list(query, day)
            total = tx.authorizations.count(query, day)
            patients = tx.patients.get_many({a.patient_id for a in page})
        return [(a, patients[a.patient_id]) for a in page], total

    def status_counts(self) -> dict[AuthorizationStatus, int]:
        """How many authorizations have each status today (every status present)."""
        day = self._day()
        with self._uow() as tx:
            counts = tx.authorizations.status_counts(day)
        return {s: counts.get(s, 0) for s in AuthorizationStatus}

    def status_of(self, auth: Authorization) -> AuthorizationStatus:
        """``auth``'s status today, with the practice's warning window."""
        day = self._day()
        with self._uow() as tx:
            patient = tx.patients.get(auth.patient_id)
        return rules.status(auth, patient, day.today, day.expiring_days)

    def missing(self, auth: Authorization) -> tuple[str, ...]:
        """The element codes ``auth`` lacks (``core.consent.rules.REQUIRED``)."""
        with self._uow() as tx:
            patient = tx.patients.get(auth.patient_id)
        return rules.missing_elements(auth, patient)

    def renewal(self, authorization_id: int) -> Authorization:
        """A new, unsigned authorization with the scope of an earlier one (media, images,
        recipients, purposes, options, signer and authority), for the "re-consent" action:
        dates, signature, statements and the copy start empty again."""
        with self._uow() as tx:
            old = tx.authorizations.get(authorization_id)
        form = self.form()
        return Authorization(
            id=None,
            patient_id=old.patient_id,
            form_version=form.version,
            media_kinds=old.media_kinds,
            media_description=old.media_description,
            media_hashes=old.media_hashes,
            discloser=old.discloser,
            recipients=old.recipients,
            purposes=old.purposes,
            expiry_event=old.expiry_event,
            signer_name=old.signer_name,
            representative_authority=old.representative_authority,
            first_name_only=old.first_name_only,
            blur_face=old.blur_face,
            no_tagging=old.no_tagging,
            taken_by=old.taken_by,
            taken_at=self._clock.now(),
        )

    # --- capture ---------------------------------------------------------------------------
    def save_authorization(
        self,
        actor: StaffMember,
        auth: Authorization,
        *,
        signature_png: bytes | None = None,
        scan: bytes | None = None,
    ) -> Authorization:
        """Save a new authorization. A pad drawing (``signature_png``) or a photo/scan of the
        signed paper form (``scan``) goes into the vault and becomes the signature. Complete
        and in effect: the patient's earlier active or expiring authorizations are
        superseded by it. Incomplete: saved as is, and ``missing`` says what it lacks."""
        if auth.id is not None:
            raise ValueError("save_authorization takes a new authorization")
        if signature_png is not None and scan is not None:
            raise ValidationError("Give either a signature or a scan, not both.", field="signature")
        day = self._day()
        _validate_authorization(auth, day.today)
        if signature_png is not None:
            auth = replace(
                auth, signature_kind=SignatureKind.PAD, signature_ref=self._put(signature_png)
            )
        elif scan is not None:
            auth = replace(auth, signature_kind=SignatureKind.SCAN, signature_ref=self._put(scan))
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "capture_consent")
            patient = tx.patients.get(auth.patient_id)
            auth = replace(
                auth, taken_by=person.id, taken_at=now, revocation=None, superseded_by=None
            )
            missing = rules.missing_elements(auth, patient)
            saved = tx.authorizations.add(replace(auth, version=1), complete=not missing)
            assert saved.id is not None
            detail = f"patient {patient.id}; " + (
                f"incomplete: {', '.join(missing)}" if missing else "complete"
            )
            append_event(
                tx, self._clock, person, "consent.capture", "authorization", saved.id, detail
            )
            new_status = rules.status_from(
                saved, complete=not missing, today=day.today, expiring_days=day.expiring_days
            )
            if new_status in rules.USABLE:
                for old in tx.authorizations.for_patient(patient.id or 0):
                    if old.id == saved.id or not self._usable(tx, old, patient, day):
                        continue
                    assert old.id is not None
                    tx.authorizations.save(
                        replace(old, superseded_by=saved.id),
                        old.version,
                        complete=tx.authorizations.is_complete(old.id),
                    )
                    append_event(
                        tx,
                        self._clock,
                        person,
                        "consent.supersede",
                        "authorization",
                        old.id,
                        f"by {saved.id}",
                    )
            return saved

    def add_media(
        self, actor: StaffMember, authorization_id: int, media_hashes: Sequence[str]
    ) -> Authorization:
        """Link more images (vault hashes) of the patient to an authorization that is in
        effect (the form describes them; e.g. photos taken after signing)."""
        day = self._day()
        with self._uow() as tx:
            person = _active(tx, actor, "link_media")
            auth = tx.authorizations.get(authorization_id)
            patient = tx.patients.get(auth.patient_id)
            if not self._usable(tx, auth, patient, day):
                raise ValidationError(
                    "Only an authorization in effect can cover more images.", field="media_hashes"
                )
            added = tuple(h for h in dict.fromkeys(media_hashes) if h not in auth.media_hashes)
            if not added:
                return auth
            saved = tx.authorizations.save(
                replace(auth, media_hashes=auth.media_hashes + added),
                auth.version,
                complete=True,
            )
            detail = f"{len(added)} images linked"
            append_event(
                tx, self._clock, person, "consent.link_media", "authorization", auth.id, detail
            )
            return saved

    def attach_pdf(self, actor: StaffMember, authorization_id: int, pdf: bytes) -> Authorization:
        """Keep the signed PDF the app produced (the patient's copy) in the vault."""
        digest = self._put(pdf)
        with self._uow() as tx:
            person = _active(tx, actor, "attach_pdf")
            auth = tx.authorizations.get(authorization_id)
            saved = tx.authorizations.save(
                replace(auth, pdf_ref=digest),
                auth.version,
                complete=tx.authorizations.is_complete(authorization_id),
            )
            append_event(tx, self._clock, person, "consent.pdf", "authorization", authorization_id)
            return saved

    def media_path(self, digest: str, suffix: str = "") -> Path | None:
        """The vault file (signature, scan, signed PDF, image) to show or print, or ``None``
        when it is not there. With ``suffix`` (``.pdf``) the file is given that extension
        (inside the vault) so the system's viewer recognises it."""
        if self._media is None or not digest:
            return None
        try:
            if not self._media.exists(digest):
                return None
            return self._media.openable(digest, suffix) if suffix else self._media.path(digest)
        except ValueError:
            return None

    def store_media(self, content: bytes) -> str:
        """Put a file into the media vault; returns its hash (e.g. a patient photo that an
        authorization will list)."""
        return self._put(content)

    def _put(self, content: bytes) -> str:
        if self._media is None:
            raise StorageError("There is no media vault to keep this file in.", reason="no_vault")
        return self._media.put(content)

    # --- revocation, expiry and takedowns --------------------------------------------------
    def revoke(
        self,
        actor: StaffMember,
        authorization_id: int,
        expected_version: int,
        *,
        received_on: date,
        channel: RevocationChannel,
        note: str = "",
    ) -> RevocationResult:
        """Record a written revocation and apply it at once, in one transaction: posts not
        yet published that use its images go back to draft with a blocking comment
        (scheduled ones are unscheduled), and each platform where a published post shows one
        of them gets a takedown on Today. Images the patient's current authorization still
        covers are left alone."""
        today = self.today()
        note = note.strip()
        if received_on > today:
            raise ValidationError(
                "A revocation cannot be received in the future.", field="received_on"
            )
        if len(note) > MAX_TEXT:
            raise ValidationError("That note is too long.", field="note")
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "revoke_consent")
            auth = tx.authorizations.get(authorization_id)
            if auth.version != expected_version:
                raise EditConflict(
                    "Someone else changed this authorization first.",
                    entity="authorization",
                    id=authorization_id,
                )
            if auth.revocation is not None:
                raise ValidationError("This authorization is already revoked.", field="revocation")
            if auth.signed_on is not None and received_on < auth.signed_on:
                raise ValidationError(
                    "A revocation cannot come before the signature.", field="received_on"
                )
            revocation = Revocation(
                received_on=received_on,
                channel=RevocationChannel(channel),
                recorded_by=person.id,
                recorded_at=now,
                note=note,
            )
            saved = tx.authorizations.save(
                replace(auth, revocation=revocation),
                auth.version,
                complete=tx.authorizations.is_complete(authorization_id),
            )
            patient = tx.patients.get(auth.patient_id)
            hashes = self._no_longer_covered(tx, saved, patient, today)
            pulled, takedowns = self._cascade(tx, person, saved, hashes, reason="revoked")
            detail = (
                f"patient {patient.id}; {revocation.channel.value}; "
                f"{len(pulled)} posts pulled back; {len(takedowns)} takedowns"
            )
            append_event(
                tx, self._clock, person, "consent.revoke", "authorization", auth.id, detail
            )
            return RevocationResult(saved, tuple(pulled), tuple(takedowns))

    def record_event(
        self, actor: StaffMember, authorization_id: int, expected_version: int, occurred_on: date
    ) -> Authorization:
        """Record that the authorization's expiry event happened (it expires that day)."""
        if occurred_on > self.today():
            raise ValidationError("That day has not come yet.", field="event_occurred_on")
        with self._uow() as tx:
            person = _active(tx, actor, "record_expiry_event")
            auth = tx.authorizations.get(authorization_id)
            if auth.version != expected_version:
                raise EditConflict(
                    "Someone else changed this authorization first.",
                    entity="authorization",
                    id=authorization_id,
                )
            if not auth.expiry_event.strip():
                raise ValidationError(
                    "This authorization has no expiry event.", field="event_occurred_on"
                )
            saved = tx.authorizations.save(
                replace(auth, event_occurred_on=occurred_on),
                auth.version,
                complete=tx.authorizations.is_complete(authorization_id),
            )
            append_event(
                tx,
                self._clock,
                person,
                "consent.expiry_event",
                "authorization",
                authorization_id,
                f"occurred {occurred_on.isoformat()}",
            )
            return saved

    def takedowns(self, *, open_only: bool = True) -> list[Takedown]:
        """The takedown checklist (oldest first); with ``open_only=False`` its history too."""
        with self._uow() as tx:
            return tx.takedowns.list(open_only=open_only)

    def get_takedown(self, takedown_id: int) -> Takedown:
        with self._uow() as tx:
            return tx.takedowns.get(takedown_id)

    def confirm_takedown(self, actor: StaffMember, takedown_id: int, how: str) -> Takedown:
        """Someone removed the post from the platform: who, when and how (required). When
        every platform of a published post is confirmed removed, the post is recorded as
        taken down."""
        how = how.strip()
        if not how:
            raise ValidationError("Say how the post was removed.", field="how")
        if len(how) > MAX_TEXT:
            raise ValidationError("That is too long.", field="how")
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "confirm_takedown")
            takedown = tx.takedowns.get(takedown_id)
            if not takedown.open:
                raise EditConflict(
                    "Someone already confirmed this takedown.", entity="takedown", id=takedown_id
                )
            saved = tx.takedowns.confirm(
                replace(takedown, confirmed_by=person.id, confirmed_at=now, how=how)
            )
            append_event(
                tx,
                self._clock,
                person,
                "consent.takedown_confirmed",
                "takedown",
                takedown_id,
                f"post {takedown.post_id} {takedown.platform}",
            )
            self._take_down_when_all_removed(tx, person, takedown.post_id)
            return saved

    def can_delete_via_api(self, takedown: Takedown) -> bool:
        """Whether "Delete from <platform>" can remove this open takedown's post: it went out
        through the platform's API and an account that can delete it is connected."""
        if self._remote is None or not takedown.open:
            return False
        return self._remote().can_withdraw(takedown.post_id, takedown.platform)

    def delete_via_api(self, actor: StaffMember, takedown_id: int) -> Takedown:
        """Delete the takedown's post from the platform through its API, then confirm the
        takedown ("deleted via API") under ``actor``. ``WithdrawNotSupported`` when the API
        cannot: the person opens the post and removes it there, then confirms as usual; a
        ``PublishError`` when the platform did not delete it (the takedown stays open)."""
        from core.publishing.connectors import WithdrawNotSupported

        with self._uow() as tx:
            _active(tx, actor, "confirm_takedown")
            takedown = tx.takedowns.get(takedown_id)
        if not takedown.open:
            raise EditConflict(
                "Someone already confirmed this takedown.", entity="takedown", id=takedown_id
            )
        if self._remote is None:
            raise WithdrawNotSupported(
                "This post cannot be deleted through the platform's API: open it and delete "
                "it there.",
                code="withdraw_unsupported",
            )
        self._remote().withdraw(actor, takedown.post_id, takedown.platform)
        return self.confirm_takedown(actor, takedown_id, DELETED_VIA_API)

    def review_expired(self) -> list[Takedown]:
        """Per the practice's setting (``on_expiry``): with ``"review"``, every published post
        that shows an image of an expired authorization gets a takedown to review (reason
        ``expired``) unless the patient's current authorization still covers that image.
        Idempotent: returns only the takedowns it opened now."""
        settings = self._settings()
        if settings.on_expiry != "review":
            return []
        today = self.today()
        day = StatusDay(today, settings.expiring_days)
        opened: list[Takedown] = []
        with self._uow() as tx:
            expired = tx.authorizations.expired_with_media(day)
            if not expired:
                return []
            published = self._posts_using(
                tx, {h for a in expired for h in a.media_hashes}, _PUBLISHED
            )
            if not published:
                return []
            patients = tx.patients.get_many({a.patient_id for a in expired})
            for auth in expired:
                hashes = self._no_longer_covered(tx, auth, patients[auth.patient_id], today)
                for post in published:
                    if hashes & set(post.media_hashes):
                        opened += self._open_takedowns(tx, None, post, auth, "expired")
        return opened

    def delete_authorization(self, actor: StaffMember, authorization_id: int) -> None:
        """Delete a signed form once the retention period is over (``RETENTION_YEARS`` after
        it was last in effect); admins only, audited. Its confirmed takedowns go with it; an
        open takedown keeps it."""
        today = self.today()
        with self._uow() as tx:
            person = _active(tx, actor, "delete_authorization")
            if person.role is not Role.ADMIN:
                raise PermissionDenied(
                    "Only an admin may delete consent records.", action="delete_authorization"
                )
            auth = tx.authorizations.get(authorization_id)
            keep_until = self._deletable_from(tx, auth)
            if keep_until is None or today < keep_until:
                raise ValidationError(
                    "This record must be kept for six years after it was last in effect.",
                    field="retention",
                    until=keep_until.isoformat() if keep_until else None,
                )
            if any(t.open for t in tx.takedowns.for_authorization(authorization_id)):
                raise ValidationError(
                    "A takedown of this authorization is still open.", field="takedowns"
                )
            tx.authorizations.delete(authorization_id)
            append_event(
                tx,
                self._clock,
                person,
                "consent.delete",
                "authorization",
                authorization_id,
                f"patient {auth.patient_id}; kept until {keep_until.isoformat()}",
            )

    def deletable_from(self, authorization_id: int) -> date | None:
        """The first day the record may be deleted (``None``: not while it is in effect)."""
        with self._uow() as tx:
            return self._deletable_from(tx, tx.authorizations.get(authorization_id))

    # --- the composer's hook ---------------------------------------------------------------
    def uncovered_media(
        self,
        media_hashes: Sequence[str],
        platforms: Sequence[str],
        purpose: Purpose = Purpose.SOCIAL_MEDIA,
    ) -> int:
        """How many of these images show a patient (one whose authorization, of any status,
        lists the image) without a valid authorization of that patient covering the image,
        every platform and ``purpose`` today. Images no authorization lists are not a consent
        matter (the image checklist decides whether a person is visible)."""
        wanted = list(dict.fromkeys(media_hashes))
        if not wanted:
            return 0
        day = self._day()
        with self._uow() as tx:
            linked = tx.authorizations.using_media(wanted)
            if not linked:
                return 0
            patients = tx.patients.get_many({a.patient_id for a in linked})
            by_patient: dict[int, list[Authorization]] = {}
            for auth in linked:
                by_patient.setdefault(auth.patient_id, []).append(auth)
            current = {pid: tx.authorizations.for_patient(pid) for pid in by_patient}
        uncovered = 0
        for digest in wanted:
            people = {
                pid
                for pid, auths in by_patient.items()
                if any(digest in a.media_hashes for a in auths)
            }
            if any(
                not _covered(
                    current[pid],
                    patient=patients[pid],
                    digest=digest,
                    platforms=platforms,
                    purpose=purpose,
                    today=day.today,
                )
                for pid in people
            ):
                uncovered += 1
        return uncovered

    # --- the register ----------------------------------------------------------------------
    def register_rows(
        self, actor: StaffMember | None = None, *, export_format: str = "csv"
    ) -> list[RegisterRow]:
        """The consent register for an audit: every authorization by id, with its patient,
        its status today and what it lacks. Both exports (CSV here, the PDF in the GUI) are
        made from these rows, so they cannot disagree. It holds PHI: exporting it is audited
        (pass the person who asked and the ``export_format``, ``csv`` or ``pdf``)."""
        if export_format not in REGISTER_FORMATS:
            raise ValueError(f"unknown register format {export_format!r}")
        day = self._day()
        rows: list[RegisterRow] = []
        with self._uow() as tx:
            person = _active(tx, actor, "export_consents") if actor is not None else None
            for auth, complete in tx.authorizations.iter_all():
                patient = tx.patients.get(auth.patient_id)
                status = rules.status_from(
                    auth, complete=complete, today=day.today, expiring_days=day.expiring_days
                )
                missing = rules.missing_elements(auth, patient)
                rows.append(RegisterRow(auth, patient, status, missing))
            if person is not None:
                append_event(
                    tx,
                    self._clock,
                    person,
                    "consent.export",
                    "consent_register",
                    export_format,
                    f"{len(rows)} rows",
                )
        return rows

    def export_csv(self, actor: StaffMember | None = None) -> bytes:
        """The consent register for an audit: one row per authorization (UTF-8 CSV with a
        header). It holds PHI: exporting it is audited (pass the person who asked)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(_CSV_COLUMNS)
        for row in self.register_rows(actor, export_format="csv"):
            writer.writerow(_csv_row(row))
        return out.getvalue().encode("utf-8")

    # --- the form --------------------------------------------------------------------------
    def form(self) -> ConsentForm:
        """The practice's current form: its own saved version, else the shipped one."""
        with self._uow() as tx:
            row = tx.settings.get(FORM_KEY)
        return default_form() if row is None else form_from_dict(row[0])

    def save_form(self, actor: StaffMember, form: ConsentForm) -> ConsentForm:
        """Save an edited form as a new version (``"<today>.<n>"``); needs
        ``Permission.EDIT_SETTINGS``; audited. Authorizations keep the version they were
        taken on."""
        from core.staff.model import Permission
        from core.staff.service import require

        validate_form(form)
        today = self.today()
        with self._uow() as tx:
            person = _active(tx, actor, "edit_consent_form")
            require(person, Permission.EDIT_SETTINGS)
            row = tx.settings.get(FORM_KEY)
            current = default_form() if row is None else form_from_dict(row[0])
            saved = replace(form, version=next_version(current.version, today.isoformat()))
            tx.settings.put(FORM_KEY, form_to_dict(saved), None if row is None else row[1])
            append_event(
                tx, self._clock, person, "settings.update", "setting", FORM_KEY, saved.version
            )
            return saved

    # --- helpers ---------------------------------------------------------------------------
    def _usable(
        self, tx: UnitOfWork, auth: Authorization, patient: Patient, day: StatusDay
    ) -> bool:
        assert auth.id is not None
        complete = tx.authorizations.is_complete(auth.id)
        status = rules.status_from(
            auth, complete=complete, today=day.today, expiring_days=day.expiring_days
        )
        return status in rules.USABLE

    def _deletable_from(self, tx: UnitOfWork, auth: Authorization) -> date | None:
        assert auth.id is not None
        superseded_on = None
        if auth.superseded_by is not None:
            try:
                newer = tx.authorizations.get(auth.superseded_by)
                superseded_on = newer.taken_at.astimezone(self._tz()).date()
            except NotFound:
                superseded_on = auth.taken_at.date()
        return rules.deletable_from(
            auth,
            superseded_on=superseded_on,
            incomplete=not tx.authorizations.is_complete(auth.id),
        )

    @staticmethod
    def _no_longer_covered(
        tx: UnitOfWork, auth: Authorization, patient: Patient, today: date
    ) -> set[str]:
        """``auth``'s images that no other usable authorization of the patient lists."""
        others = [
            a
            for a in tx.authorizations.for_patient(patient.id or 0)
            if a.id != auth.id and rules.status(a, patient, today) in rules.USABLE
        ]
        still = {h for a in others for h in a.media_hashes}
        return set(auth.media_hashes) - still

    @staticmethod
    def _posts_using(
        tx: UnitOfWork, hashes: Collection[str], states: Collection[PostState]
    ) -> list[Post]:
        from core.composer.ports import PostOrder, PostQuery

        if not hashes:
            return []
        wanted = set(hashes)
        found: list[Post] = []
        offset, page = 0, 500
        while True:
            query = PostQuery(
                states=states, offset=offset, limit=page, order=PostOrder.CREATED_DESC
            )
            batch = tx.posts.list(query)
            found += [p for p in batch if wanted & set(p.media_hashes)]
            if len(batch) < page:
                return found
            offset += page

    def _cascade(
        self,
        tx: UnitOfWork,
        person: StaffMember,
        auth: Authorization,
        hashes: set[str],
        *,
        reason: str,
    ) -> tuple[list[int], list[Takedown]]:
        from core.composer.workflow import consent_pull_back, new_comment

        pulled: list[int] = []
        takedowns: list[Takedown] = []
        if not hashes:
            return pulled, takedowns
        now = self._clock.now()
        states = (*_UNPUBLISHED, *_PUBLISHED)
        for post in self._posts_using(tx, hashes, states):
            assert post.id is not None
            if post.state in (PostState.PUBLISHED, PostState.PUBLISHING):
                takedowns += self._open_takedowns(tx, person, post, auth, reason)
                continue
            comment = new_comment(person, PULL_BACK_NOTE, now)
            tx.posts.add_comment(post.id, comment)
            if post.state is not PostState.DRAFT:
                after, step = consent_pull_back(post, person, now, note=PULL_BACK_NOTE)
                tx.posts.save(after, post.version)
                tx.posts.add_transition(post.id, step)
            detail = f"authorization {auth.id}; from {post.state.value}"
            append_event(tx, self._clock, person, "post.consent_withdrawn", "post", post.id, detail)
            pulled.append(post.id)
        return sorted(pulled), takedowns

    def _open_takedowns(
        self,
        tx: UnitOfWork,
        person: StaffMember | None,
        post: Post,
        auth: Authorization,
        reason: str,
    ) -> list[Takedown]:
        assert post.id is not None
        assert auth.id is not None
        opened = []
        for publication in tx.posts.publications(post.id):
            if tx.takedowns.find(post.id, publication.platform, auth.id) is not None:
                continue
            takedown = tx.takedowns.add(
                Takedown(
                    id=None,
                    post_id=post.id,
                    platform=publication.platform,
                    url=publication.url,
                    authorization_id=auth.id,
                    reason=reason,
                    created_at=self._clock.now(),
                )
            )
            append_event(
                tx,
                self._clock,
                person,
                "consent.takedown_opened",
                "takedown",
                takedown.id,
                f"post {post.id} {publication.platform}; authorization {auth.id}; {reason}",
            )
            opened.append(takedown)
        return opened

    def _take_down_when_all_removed(
        self, tx: UnitOfWork, person: StaffMember, post_id: int
    ) -> None:
        from core.composer.workflow import transition

        post = tx.posts.get(post_id)
        if post.state is not PostState.PUBLISHED:
            return
        removed = {t.platform for t in tx.takedowns.for_post(post_id) if not t.open}
        if not {p.platform for p in tx.posts.publications(post_id)} <= removed:
            return
        after, step = transition(
            post,
            PostState.WITHDRAWN,
            person,
            self._clock.now(),
            note="Taken down: the patient's consent was withdrawn or has expired.",
        )
        tx.posts.save(after, post.version)
        tx.posts.add_transition(post_id, step)
        append_event(
            tx, self._clock, person, f"post.{step.action}", "post", post_id, "to withdrawn"
        )


# --- module helpers ----------------------------------------------------------------------------
_PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "minor",
    "representative_name",
    "representative_authority",
)

_UNPUBLISHED = (
    PostState.DRAFT,
    PostState.IN_REVIEW,
    PostState.APPROVED,
    PostState.SCHEDULED,
    PostState.FAILED,
)
"""Posts a revocation pulls back to draft (drafts get the blocking comment only)."""
_PUBLISHED = (PostState.PUBLISHED, PostState.PUBLISHING)
"""Posts whose recorded publications get takedowns."""


DELETED_VIA_API = "deleted via API"
"""How a takedown is confirmed when the app deleted the post through the platform's API."""


class RemotePosts(Protocol):
    """Published posts on the platforms (``PublishingService``): deleting one through the
    platform's API, where it went out that way."""

    def can_withdraw(self, post_id: int, platform: str) -> bool: ...

    def withdraw(self, actor: StaffMember, post_id: int, platform: str) -> None: ...


def _active(tx: UnitOfWork, actor: StaffMember, action: str) -> StaffMember:
    """The actor as stored now; a deactivated one may do nothing."""
    person = tx.staff.get(actor.id)
    if not person.active:
        raise PermissionDenied("This staff member is deactivated.", action=action)
    return person


def _covered(
    auths: Iterable[Authorization],
    *,
    patient: Patient,
    digest: str,
    platforms: Sequence[str],
    purpose: Purpose,
    today: date,
) -> bool:
    return any(
        all(
            rules.covers(a, patient, recipient=p, purpose=purpose, today=today, media_hash=digest)
            for p in platforms
        )
        and rules.status(a, patient, today) in rules.USABLE
        and digest in a.media_hashes
        for a in auths
    )


def _clean_patient(p: Patient) -> Patient:
    return replace(
        p,
        first_name=" ".join(p.first_name.split()),
        last_name=" ".join(p.last_name.split()),
        preferred_name=" ".join(p.preferred_name.split()),
        phone=p.phone.strip(),
        email=p.email.strip(),
        representative_name=" ".join(p.representative_name.split()),
        representative_authority=" ".join(p.representative_authority.split()),
    )


def _validate_patient(p: Patient, today: date) -> None:
    if not p.first_name:
        raise ValidationError("The patient needs a first name.", field="first_name")
    if not p.last_name:
        raise ValidationError("The patient needs a last name.", field="last_name")
    for name in ("first_name", "last_name", "preferred_name", "representative_name"):
        if len(getattr(p, name)) > MAX_NAME:
            raise ValidationError("That name is too long.", field=name)
    if p.email and (len(p.email) > 254 or not _EMAIL.match(p.email)):
        raise ValidationError("That e-mail address does not look right.", field="email")
    if p.phone and not 7 <= len(rules.phone_digits(p.phone)) <= 15:
        raise ValidationError("That phone number does not look right.", field="phone")
    if p.date_of_birth is not None and p.date_of_birth > today:
        raise ValidationError("A birth date cannot be in the future.", field="date_of_birth")
    if p.minor and not p.representative_name:
        raise ValidationError(
            "A minor needs a parent or guardian who signs.", field="representative_name"
        )
    if p.representative_name and not p.representative_authority:
        raise ValidationError(
            "Say by what right the representative signs.", field="representative_authority"
        )


def _validate_authorization(auth: Authorization, today: date) -> None:
    from core.platforms import PLATFORM_IDS

    unknown = auth.recipients - rules.known_recipients(PLATFORM_IDS)
    if unknown:
        raise ValidationError("Unknown place to share.", field="recipients")
    if auth.signed_on is not None and auth.signed_on > today:
        raise ValidationError("The signature date cannot be in the future.", field="signed_on")
    if (
        auth.expires_on is not None
        and auth.signed_on is not None
        and auth.expires_on < auth.signed_on
    ):
        raise ValidationError("It cannot expire before it was signed.", field="expires_on")
    if auth.event_occurred_on is not None:
        raise ValidationError(
            "Record the expiry event after saving the authorization.", field="event_occurred_on"
        )
    for name in ("media_description", "expiry_event", "discloser"):
        if len(getattr(auth, name)) > MAX_TEXT:
            raise ValidationError("That text is too long.", field=name)
    if len(auth.signer_name) > MAX_NAME or len(auth.representative_authority) > MAX_NAME:
        raise ValidationError("That name is too long.", field="signer_name")
    if any(not isinstance(k, MediaKind) for k in auth.media_kinds):
        raise ValidationError("Unknown kind of media.", field="media_kinds")


def _csv_row(row: RegisterRow) -> list[str]:
    auth, patient = row.authorization, row.patient

    def d(value: date | datetime | None) -> str:
        return value.isoformat() if value is not None else ""

    def b(value: bool) -> str:
        return "yes" if value else "no"

    revocation = auth.revocation
    return [
        str(auth.id),
        str(auth.patient_id),
        patient.last_name,
        patient.first_name,
        row.status.value,
        " ".join(row.missing),
        " ".join(sorted(k.value for k in auth.media_kinds)),
        auth.media_description,
        str(len(auth.media_hashes)),
        " ".join(sorted(auth.recipients)),
        " ".join(sorted(p.value for p in auth.purposes)),
        d(auth.signed_on),
        auth.signer_name,
        auth.representative_authority,
        auth.signature_kind.value if auth.signature_kind else "",
        d(auth.expires_on),
        auth.expiry_event,
        d(auth.event_occurred_on),
        d(revocation.received_on if revocation else None),
        revocation.channel.value if revocation else "",
        str(revocation.recorded_by) if revocation else "",
        str(auth.superseded_by or ""),
        auth.form_version,
        str(auth.taken_by),
        d(auth.taken_at),
        b(auth.copy_offered),
        b(auth.copy_given),
        b(auth.first_name_only),
        b(auth.blur_face),
        b(auth.no_tagging),
    ]


__all__ = [
    "AuthorizationQuery",
    "ConsentService",
    "RegisterRow",
    "RevocationResult",
]
