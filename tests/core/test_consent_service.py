"""The consent tracker's use cases over the in-memory ports: capture, supersede, revocation and
its cascade to posts and takedowns, expiry, retention, the PHI check's known names and the media
gate of the composer and the publisher; and a state machine over create/supersede/revoke/expire."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.composer.errors import UnclearedMedia
from core.composer.model import PostState
from core.consent import rules
from core.consent.model import (
    Authorization,
    AuthorizationStatus,
    MediaKind,
    Patient,
    Purpose,
    RevocationChannel,
)
from core.consent.ports import AuthorizationQuery
from core.consent.service import PULL_BACK_NOTE
from core.demo import DemoStaff, create_demo_practice
from core.errors import EditConflict, PermissionDenied, ValidationError
from core.practice.model import ConsentSettings
from core.practice.service import Versioned
from core.staff.pins import fast_hasher
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.imaging_support import cleared_photos

S = AuthorizationStatus
FIRST, LAST = "Odalys", "Brightwater"
PNG = b"\x89PNG pretend signature"
TEXT = "Smile of the week! Book your cleaning at https://maplegrove-dental.example"
PLATFORMS = ("facebook", "gbp")


def make_services(clock: ManualClock, vault: Path) -> Services:
    return build_services(
        uow=MemoryStore(),
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        media=MemoryMediaStore(vault),
    )


@pytest.fixture
def services(clock: ManualClock, tmp_path: Path) -> Services:
    return make_services(clock, tmp_path / "vault")


@pytest.fixture
def staff(services: Services) -> DemoStaff:
    return create_demo_practice(services, with_posts=False)


def new_patient(services: Services, staff: DemoStaff, **kw: object) -> Patient:
    fields: dict[str, object] = {"first_name": FIRST, "last_name": LAST, "phone": "217-555-0190"}
    return services.consent.add_patient(staff.front_desk, Patient(id=None, **fields | kw))  # type: ignore[arg-type]


def form_for(services: Services, patient: Patient, **kw: object) -> Authorization:
    assert patient.id is not None
    today = services.consent.today()
    auth = Authorization(
        id=None,
        patient_id=patient.id,
        form_version=services.consent.form().version,
        media_kinds=frozenset({MediaKind.PHOTO}),
        media_description="Photos of my smile",
        discloser="Maple Grove Family Dental",
        recipients=frozenset({"facebook", "gbp", "instagram"}),
        purposes=frozenset({Purpose.SOCIAL_MEDIA}),
        expires_on=today + timedelta(days=365),
        signed_on=today,
        signer_name=f"{patient.first_name} {patient.last_name}",
        statement_right_to_revoke=True,
        statement_treatment_not_conditioned=True,
        statement_redisclosure=True,
        taken_by=0,
        taken_at=services.clock.now(),
    )
    return replace(auth, **kw)  # type: ignore[arg-type]


def events(services: Services, staff: DemoStaff) -> list[tuple[str, str, str]]:
    found, _ = services.audit.query(staff.admin, AuditQuery(limit=10_000))
    return [(e.action, e.entity_id, e.detail) for e in reversed(found)]


def post_with(services: Services, staff: DemoStaff, image: str, to: PostState) -> int:
    composer = services.composer
    post = composer.new_draft(staff.front_desk, TEXT, PLATFORMS)
    assert post.id is not None
    post = composer.autosave(staff.front_desk, post.id, post.version, media=[image])
    if to is PostState.DRAFT:
        return post.id
    post = composer.submit(staff.front_desk, post.id, post.version)
    if to is PostState.IN_REVIEW:
        return post.id
    post = composer.approve(staff.manager, post.id, post.version)
    if to is PostState.APPROVED:
        return post.id
    if to is PostState.SCHEDULED:
        at = services.clock.now() + timedelta(days=2)
        return composer.schedule(staff.front_desk, post.id, post.version, at).id or 0
    urls = {p: f"https://{p}.example/posts/{post.id}" for p in PLATFORMS}
    composer.record_manual_publish(staff.front_desk, post.id, post.version, urls)
    return post.id


# --- patients ------------------------------------------------------------------------------
def test_patients_are_validated_searched_and_feed_known_names(
    services: Services, staff: DemoStaff
) -> None:
    consent = services.consent
    bad = {
        "first_name": {"first_name": " "},
        "last_name": {"last_name": ""},
        "email": {"email": "not-an-address"},
        "date_of_birth": {"date_of_birth": date(2030, 1, 1)},
        "representative_name": {"minor": True},
        "representative_authority": {"minor": True, "representative_name": "Maren Brightwater"},
    }
    for field, changes in bad.items():
        with pytest.raises(ValidationError) as error:
            new_patient(services, staff, **changes)
        assert error.value.params["field"] == field
    patient = new_patient(services, staff, preferred_name="Oda")
    assert consent.known_names() == ("Odalys Brightwater", "Oda Brightwater")
    assert consent.search_patients("od bri") == [patient]
    assert consent.search_patients("0190") == [patient]
    assert consent.search_patients("bright water") == []
    renamed = consent.update_patient(staff.front_desk, replace(patient, last_name="Fairbanks"))
    assert consent.known_names() == ("Odalys Fairbanks", "Oda Fairbanks")  # cache refreshed
    with pytest.raises(EditConflict):
        consent.update_patient(staff.front_desk, replace(patient, phone="217-555-0191"))
    assert consent.count_patients() == 1
    trail = [e for e in events(services, staff) if e[0].startswith("patient.")]
    assert trail == [
        ("patient.create", str(patient.id), ""),
        ("patient.update", str(renamed.id), "changed last_name"),
    ]


def test_known_names_feed_the_composers_phi_check(services: Services, staff: DemoStaff) -> None:
    new_patient(services, staff)
    post = services.composer.new_draft(staff.front_desk, "Congrats to Odalys Brightwater!")
    kinds = [f.finding.kind for f in services.composer.check(post).findings]
    assert "name" in kinds


# --- capture -------------------------------------------------------------------------------
def test_capture_is_active_and_keeps_the_signature(services: Services, staff: DemoStaff) -> None:
    patient = new_patient(services, staff)
    saved = services.consent.save_authorization(
        staff.front_desk, form_for(services, patient), signature_png=PNG
    )
    assert saved.id is not None
    assert (saved.taken_by, saved.taken_at) == (staff.front_desk.id, services.clock.now())
    assert services.consent.status_of(saved) is S.ACTIVE
    path = services.consent.media_path(saved.signature_ref)
    assert path is not None
    assert path.read_bytes() == PNG
    assert services.consent.authorizations(patient.id or 0) == [saved]
    pdf = services.consent.attach_pdf(staff.front_desk, saved.id, b"%PDF-1.7 copy")
    assert services.consent.media_path(pdf.pdf_ref) is not None
    assert events(services, staff)[-2][:3] == (
        "consent.capture",
        str(saved.id),
        f"patient {patient.id}; complete",
    )


def test_an_incomplete_capture_says_what_is_missing(services: Services, staff: DemoStaff) -> None:
    patient = new_patient(services, staff)
    auth = form_for(services, patient, statement_redisclosure=False, purposes=frozenset())
    saved = services.consent.save_authorization(staff.front_desk, auth, scan=b"scan")
    assert services.consent.status_of(saved) is S.INCOMPLETE
    assert services.consent.missing(saved) == ("purposes", "statement_redisclosure")
    assert events(services, staff)[-1][2].endswith("incomplete: purposes, statement_redisclosure")
    with pytest.raises(ValidationError) as error:
        services.consent.save_authorization(
            staff.front_desk, form_for(services, patient, recipients=frozenset({"myspace"}))
        )
    assert error.value.params["field"] == "recipients"


def test_a_new_authorization_supersedes_the_old(services: Services, staff: DemoStaff) -> None:
    patient = new_patient(services, staff)
    consent = services.consent
    old = consent.save_authorization(staff.front_desk, form_for(services, patient), scan=b"1")
    draft = consent.save_authorization(
        staff.front_desk, form_for(services, patient, signer_name=""), scan=b"2"
    )
    assert consent.status_of(consent.get_authorization(old.id or 0)) is S.ACTIVE  # not by a draft
    renewal = consent.renewal(old.id or 0)
    assert (renewal.id, renewal.signed_on, renewal.recipients) == (None, None, old.recipients)
    new = consent.save_authorization(
        staff.front_desk,
        replace(
            renewal,
            signed_on=consent.today(),
            expires_on=consent.today() + timedelta(days=700),
            statement_right_to_revoke=True,
            statement_treatment_not_conditioned=True,
            statement_redisclosure=True,
        ),
        signature_png=PNG,
    )
    history = consent.authorizations(patient.id or 0)
    assert [a.id for a in history] == [new.id, draft.id, old.id]
    assert history[2].superseded_by == new.id
    assert [consent.status_of(a) for a in history] == [S.ACTIVE, S.INCOMPLETE, S.SUPERSEDED]
    assert consent.status_counts()[S.SUPERSEDED] == 1
    page, total = consent.list_authorizations(AuthorizationQuery(statuses=[S.SUPERSEDED]))
    assert total == 1
    assert page == [(history[2], patient)]


# --- revocation ----------------------------------------------------------------------------
def test_revocation_pulls_back_posts_and_lists_takedowns(
    services: Services, staff: DemoStaff
) -> None:
    consent = services.consent
    patient = new_patient(services, staff)
    image, other = cleared_photos(services, staff.front_desk, [1, 2])
    auth = consent.save_authorization(
        staff.front_desk, form_for(services, patient, media_hashes=(image,)), scan=b"s"
    )
    posts = {
        state: post_with(services, staff, image, state)
        for state in PostState
        if state
        in (
            PostState.DRAFT,
            PostState.IN_REVIEW,
            PostState.APPROVED,
            PostState.SCHEDULED,
            PostState.PUBLISHED,
        )
    }
    unrelated = post_with(services, staff, other, PostState.SCHEDULED)
    result = consent.revoke(
        staff.front_desk,
        auth.id or 0,
        auth.version,
        received_on=consent.today(),
        channel=RevocationChannel.LETTER,
        note="Letter at the desk",
    )
    assert consent.status_of(result.authorization) is S.REVOKED
    pulled = sorted(v for k, v in posts.items() if k is not PostState.PUBLISHED)
    assert list(result.pulled_post_ids) == pulled
    for post_id in pulled:
        post = services.composer.get(post_id)
        assert (post.state, post.scheduled_at, post.approver_id) == (PostState.DRAFT, None, None)
        assert services.composer.history(post_id).comments[-1].text == PULL_BACK_NOTE
    assert services.composer.get(unrelated).state is PostState.SCHEDULED
    published = posts[PostState.PUBLISHED]
    assert {(t.post_id, t.platform, t.reason) for t in result.takedowns} == {
        (published, p, "revoked") for p in PLATFORMS
    }
    assert consent.takedowns() == list(result.takedowns)
    # the image is now blocked at every gate
    with pytest.raises(UnclearedMedia):
        services.composer.submit(
            staff.front_desk, pulled[0], services.composer.get(pulled[0]).version
        )
    trail = events(services, staff)
    revocation = [e for e in trail if e[0] == "consent.revoke"]
    assert revocation == [
        (
            "consent.revoke",
            str(auth.id),
            f"patient {patient.id}; letter; 4 posts pulled back; 2 takedowns",
        )
    ]
    assert sum(e[0] == "post.consent_withdrawn" for e in trail) == 4
    assert all(FIRST not in e[2] and LAST not in e[2] and "0190" not in e[2] for e in trail)
    with pytest.raises(ValidationError):  # twice is refused
        consent.revoke(
            staff.front_desk,
            auth.id or 0,
            result.authorization.version,
            received_on=consent.today(),
            channel=RevocationChannel.EMAIL,
        )
    with pytest.raises(EditConflict):
        consent.revoke(
            staff.front_desk,
            auth.id or 0,
            auth.version,
            received_on=consent.today(),
            channel=RevocationChannel.EMAIL,
        )


def test_confirming_every_takedown_takes_the_post_down(
    services: Services, staff: DemoStaff
) -> None:
    consent = services.consent
    patient = new_patient(services, staff)
    [image] = cleared_photos(services, staff.front_desk, [1])
    auth = consent.save_authorization(
        staff.front_desk, form_for(services, patient, media_hashes=(image,)), scan=b"s"
    )
    post_id = post_with(services, staff, image, PostState.PUBLISHED)
    result = consent.revoke(
        staff.front_desk,
        auth.id or 0,
        auth.version,
        received_on=consent.today(),
        channel=RevocationChannel.EMAIL,
    )
    first, second = result.takedowns
    with pytest.raises(ValidationError):
        consent.confirm_takedown(staff.front_desk, first.id or 0, "  ")
    done = consent.confirm_takedown(staff.front_desk, first.id or 0, "Deleted on Facebook")
    assert (done.confirmed_by, done.how, done.open) == (
        staff.front_desk.id,
        "Deleted on Facebook",
        False,
    )
    with pytest.raises(EditConflict):
        consent.confirm_takedown(staff.manager, first.id or 0, "again")
    assert services.composer.get(post_id).state is PostState.PUBLISHED
    consent.confirm_takedown(staff.manager, second.id or 0, "Removed from Google")
    assert services.composer.get(post_id).state is PostState.WITHDRAWN
    assert consent.takedowns() == []
    assert len(consent.takedowns(open_only=False)) == 2


def test_any_active_staff_may_capture_and_revoke_but_not_a_deactivated_one(
    services: Services, staff: DemoStaff
) -> None:
    patient = new_patient(services, staff)
    gone = services.staff.update(staff.admin, replace(staff.front_desk, active=False))
    with pytest.raises(PermissionDenied):
        services.consent.save_authorization(gone, form_for(services, patient), scan=b"x")
    saved = services.consent.save_authorization(
        staff.doctor, form_for(services, patient), scan=b"x"
    )
    assert saved.taken_by == staff.doctor.id


# --- expiry and retention ------------------------------------------------------------------
def test_expiry_blocks_use_and_lists_published_posts_for_review(
    services: Services, staff: DemoStaff, clock: ManualClock
) -> None:
    consent = services.consent
    patient = new_patient(services, staff)
    [image] = cleared_photos(services, staff.front_desk, [1])
    auth = consent.save_authorization(
        staff.front_desk,
        form_for(
            services, patient, media_hashes=(image,), expires_on=consent.today() + timedelta(days=5)
        ),
        scan=b"s",
    )
    assert consent.status_of(auth) is S.EXPIRING
    items = [i for i in services.today.items(staff.front_desk) if i.kind == "consent_expiring"]
    assert [(i.target, i.params["authorization_id"]) for i in items] == [
        (f"patient:{patient.id}", auth.id)
    ]
    # valid through its last day in the practice's zone (Chicago), not until midnight UTC
    last_day = consent.today() + timedelta(days=5)
    assert items[0].due == datetime.combine(
        last_day + timedelta(days=1), time(0), tzinfo=consent.zone()
    ).astimezone(UTC)
    post_with(services, staff, image, PostState.PUBLISHED)
    scheduled = post_with(services, staff, image, PostState.SCHEDULED)
    assert consent.uncovered_media([image], PLATFORMS) == 0
    clock.advance(timedelta(days=6))
    assert consent.status_of(auth) is S.EXPIRED
    assert consent.uncovered_media([image], PLATFORMS) == 1
    assert services.publishing.publish_due().blocked == ()  # not due yet, nothing held
    opened = consent.review_expired()
    assert {(t.platform, t.reason) for t in opened} == {(p, "expired") for p in PLATFORMS}
    assert consent.review_expired() == []  # idempotent
    takedowns = [i for i in services.today.items(staff.front_desk) if i.kind == "consent_takedown"]
    assert {i.params["platform"] for i in takedowns} == set(PLATFORMS)
    assert services.composer.get(scheduled).state is PostState.SCHEDULED  # blocked at publish
    practice = services.practice
    practice.save_consent_settings(
        staff.admin, Versioned(ConsentSettings(on_expiry="nothing"), None)
    )
    assert consent.review_expired() == []


def test_an_expiry_event_ends_the_authorization(services: Services, staff: DemoStaff) -> None:
    patient = new_patient(services, staff)
    auth = services.consent.save_authorization(
        staff.front_desk,
        form_for(services, patient, expires_on=None, expiry_event="When I leave the practice"),
        scan=b"s",
    )
    with pytest.raises(ValidationError):
        services.consent.record_event(
            staff.front_desk,
            auth.id or 0,
            auth.version,
            services.consent.today() + timedelta(days=1),
        )
    ended = services.consent.record_event(
        staff.front_desk, auth.id or 0, auth.version, services.consent.today()
    )
    assert services.consent.status_of(ended) is S.EXPIRED


def test_only_an_admin_deletes_and_only_after_six_years(
    services: Services, staff: DemoStaff, clock: ManualClock
) -> None:
    consent = services.consent
    patient = new_patient(services, staff)
    auth = consent.save_authorization(staff.front_desk, form_for(services, patient), scan=b"s")
    revoked = consent.revoke(
        staff.front_desk,
        auth.id or 0,
        auth.version,
        received_on=consent.today(),
        channel=RevocationChannel.SIGNED_FORM,
    ).authorization
    with pytest.raises(ValidationError) as error:
        consent.delete_authorization(staff.admin, auth.id or 0)
    assert error.value.params["field"] == "retention"
    clock.advance(timedelta(days=6 * 366))
    with pytest.raises(PermissionDenied):
        consent.delete_authorization(staff.manager, auth.id or 0)
    consent.delete_authorization(staff.admin, auth.id or 0)
    assert consent.authorizations(patient.id or 0) == []
    assert events(services, staff)[-1][:2] == ("consent.delete", str(revoked.id))


# --- the media gate ------------------------------------------------------------------------
def test_uncovered_media_blocks_submit_approve_and_publish(
    services: Services, staff: DemoStaff
) -> None:
    consent = services.consent
    patient = new_patient(services, staff)
    [image] = cleared_photos(services, staff.front_desk, [1])
    auth = consent.save_authorization(
        staff.front_desk,
        form_for(services, patient, media_hashes=(image,), recipients=frozenset({"facebook"})),
        scan=b"s",
    )
    assert consent.uncovered_media([image], ["facebook"]) == 0
    assert consent.uncovered_media([image], PLATFORMS) == 1  # gbp is not covered
    assert consent.uncovered_media([image], ["facebook"], Purpose.MARKETING) == 1
    assert consent.uncovered_media([consent.store_media(b"the office")], PLATFORMS) == 0
    draft = services.composer.new_draft(staff.front_desk, TEXT, PLATFORMS)
    assert draft.id is not None
    draft = services.composer.autosave(staff.front_desk, draft.id, draft.version, media=[image])
    with pytest.raises(UnclearedMedia):
        services.composer.submit(staff.front_desk, draft.id, draft.version)
    wider = consent.save_authorization(
        staff.front_desk, form_for(services, patient, media_hashes=(image,)), scan=b"t"
    )
    assert wider.id is not None
    in_review = services.composer.submit(staff.front_desk, draft.id, draft.version)
    consent.revoke(
        staff.front_desk,
        wider.id,
        wider.version,
        received_on=consent.today(),
        channel=RevocationChannel.EMAIL,
    )
    assert services.composer.get(draft.id).state is PostState.DRAFT
    assert in_review.state is PostState.IN_REVIEW
    assert consent.status_of(consent.get_authorization(auth.id or 0)) is S.SUPERSEDED


def test_export_csv_is_the_register(services: Services, staff: DemoStaff) -> None:
    patient = new_patient(services, staff)
    services.consent.save_authorization(staff.front_desk, form_for(services, patient), scan=b"s")
    rows = list(csv.DictReader(io.StringIO(services.consent.export_csv(staff.manager).decode())))
    assert [(r["patient_last_name"], r["status"], r["missing_elements"]) for r in rows] == [
        (LAST, "active", "")
    ]
    assert events(services, staff)[-1] == ("consent.export", "csv", "1 rows")


# --- the state machine ---------------------------------------------------------------------
class ConsentLifecycle(RuleBasedStateMachine):
    """Create, supersede, revoke and let time pass for a handful of patients."""

    @initialize()
    def start(self) -> None:
        import tempfile

        self.clock = ManualClock()
        self.services = make_services(self.clock, Path(tempfile.mkdtemp()) / "vault")
        self.staff = create_demo_practice(self.services, with_posts=False)
        self.patients = [
            new_patient(self.services, self.staff, first_name=f"Pat{n}", last_name="Lindqvist")
            for n in range(3)
        ]
        self.revoked: set[int] = set()

    @rule(who=st.integers(0, 2), days=st.integers(1, 400), complete=st.booleans())
    def capture(self, who: int, days: int, complete: bool) -> None:
        patient = self.patients[who]
        auth = form_for(
            self.services,
            patient,
            expires_on=self.services.consent.today() + timedelta(days=days),
            statement_redisclosure=complete,
        )
        self.services.consent.save_authorization(self.staff.front_desk, auth, scan=b"s")

    @rule(who=st.integers(0, 2), pick=st.integers(0, 10))
    def revoke(self, who: int, pick: int) -> None:
        history = self.services.consent.authorizations(self.patients[who].id or 0)
        open_ = [a for a in history if a.revocation is None]
        if not open_:
            return
        auth = open_[pick % len(open_)]
        self.services.consent.revoke(
            self.staff.front_desk,
            auth.id or 0,
            auth.version,
            received_on=self.services.consent.today(),
            channel=RevocationChannel.PORTAL_MESSAGE,
        )
        self.revoked.add(auth.id or 0)

    @rule(days=st.integers(1, 200))
    def time_passes(self, days: int) -> None:
        self.clock.advance(timedelta(days=days))

    @invariant()
    def at_most_one_in_effect_per_patient(self) -> None:
        if not hasattr(self, "services"):
            return
        consent = self.services.consent
        for patient in self.patients:
            statuses = [consent.status_of(a) for a in consent.authorizations(patient.id or 0)]
            assert sum(s in rules.USABLE for s in statuses) <= 1

    @invariant()
    def revoked_stays_revoked_and_precedence_holds(self) -> None:
        if not hasattr(self, "services"):
            return
        consent = self.services.consent
        today = consent.today()
        for patient in self.patients:
            for auth in consent.authorizations(patient.id or 0):
                status = consent.status_of(auth)
                if auth.id in self.revoked:
                    assert status is S.REVOKED
                elif auth.superseded_by is not None:
                    assert status is S.SUPERSEDED
                elif consent.missing(auth):
                    assert status is S.INCOMPLETE
                elif rules.is_expired(auth, today):
                    assert status is S.EXPIRED
                else:
                    assert status in rules.USABLE
        counts = consent.status_counts()
        listed = consent.list_authorizations(AuthorizationQuery(limit=1000))[1]
        assert sum(counts.values()) == listed


TestConsentLifecycle = ConsentLifecycle.TestCase
TestConsentLifecycle.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)


def test_known_names_stay_the_same_object_while_nothing_changes(
    services: Services, staff: DemoStaff
) -> None:
    """The PHI scanner indexes a new tuple of names (seconds at 50,000 patients), so the
    same one comes back until a patient changes."""
    consent = services.consent
    new_patient(services, staff)
    first = consent.known_names()
    assert first == (f"{FIRST} {LAST}",)
    consent._names = (first, -1e9)  # the 5-minute refresh is due
    assert consent.known_names() is first


def test_many_expiring_consents_are_one_today_item(services: Services, staff: DemoStaff) -> None:
    consent = services.consent
    soon = consent.today() + timedelta(days=9)
    for n in range(5):
        patient = new_patient(services, staff, first_name=f"Odalys{n}")
        consent.save_authorization(
            staff.front_desk,
            form_for(services, patient, expires_on=soon - timedelta(days=n)),
            scan=b"s",
        )
    items = [i for i in services.today.items(staff.front_desk) if i.page == "consent"]
    assert [(i.kind, i.target, i.params["count"]) for i in items] == [
        ("consent_expiring_many", "status:expiring", 5)
    ]
    assert items[0].params["first_expires_on"] == (soon - timedelta(days=4)).isoformat()
