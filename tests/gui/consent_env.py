"""A demo practice with a media vault (signatures, scans and signed PDFs need one) and a few
consent records of its own, for the Consent page and capture tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.consent.model import Authorization, MediaKind, Patient, Purpose
from core.demo import DemoStaff, create_demo_practice
from core.staff.pins import fast_hasher
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


@dataclass
class ConsentEnv:
    services: Services
    clock: ManualClock
    staff: DemoStaff
    patient: Patient
    """Quillon Marbury: one complete authorization covering ``photo_hash``."""
    authorization: Authorization
    photo_hash: str


def build_consent_env(clock: ManualClock, vault: Path) -> ConsentEnv:
    services = build_services(
        uow=MemoryStore(),
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        media=MemoryMediaStore(vault),
    )
    staff = create_demo_practice(services, with_posts=False)
    consent, actor = services.consent, staff.front_desk
    patient = consent.add_patient(
        actor, Patient(id=None, first_name="Quillon", last_name="Marbury", phone="217-555-0199")
    )
    assert patient.id is not None
    photo = consent.store_media(PNG_1PX + b"quillon")
    today = consent.today()
    auth = consent.save_authorization(
        actor,
        Authorization(
            id=None,
            patient_id=patient.id,
            form_version=consent.form().version,
            media_kinds=frozenset({MediaKind.PHOTO}),
            media_description="Smile photos after whitening",
            media_hashes=(photo,),
            discloser=services.practice.practice().value.name,
            recipients=frozenset({"facebook", "instagram"}),
            purposes=frozenset({Purpose.SOCIAL_MEDIA}),
            expires_on=today + timedelta(days=700),
            signed_on=today,
            signer_name="Quillon Marbury",
            statement_right_to_revoke=True,
            statement_treatment_not_conditioned=True,
            statement_redisclosure=True,
            copy_offered=True,
            taken_by=actor.id,
            taken_at=clock.now(),
        ),
        signature_png=PNG_1PX,
    )
    return ConsentEnv(services, clock, staff, patient, auth, photo)
