"""The app's publishing wiring end to end, in process: the connected accounts' connectors
(``build_services`` → ``RegistrySource``), the clean photo copies in the data folder, what the
outbox puts into each request, Google's photo posts left to a person, and taking a post down
from the consent takedown list through the platform's API (or, where it cannot, by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.accounts.model import Account, AuthKind, Token
from core.accounts.tokens import token_ref
from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.consent.model import Authorization, MediaKind, Patient, Purpose, RevocationChannel
from core.demo import DemoStaff, create_demo_practice
from core.errors import EditConflict
from core.publishing.connectors import (
    ConnectorRegistry,
    PublishError,
    PublishRequest,
    RemotePost,
    WithdrawNotSupported,
)
from core.publishing.model import OutboxStatus
from core.publishing.service import PublishingService
from core.staff.pins import fast_hasher
from tests.connectors.servers.faults import Fault, serving
from tests.connectors.servers.mastodon import ACCOUNT_ID, TOKEN, MastodonServer
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.imaging_support import cleared_photos

TEXT = "Smile of the week! Book your whitening consultation at https://maplegrove-dental.example"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(hours=1))


@pytest.fixture
def mastodon() -> Iterator[MastodonServer]:
    with serving() as http:
        yield MastodonServer(http, lambda: datetime.now(UTC))


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def services(store: MemoryStore, clock: ManualClock, tmp_path: Path) -> Services:
    return build_services(
        uow=store,
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", str(tmp_path)),
        backup_store=None,
        hasher=fast_hasher(),
        media=MemoryMediaStore(tmp_path / "vault"),
        outgoing=tmp_path / "vault" / "outgoing",
    )


@pytest.fixture
def staff(services: Services) -> DemoStaff:
    return create_demo_practice(services, with_posts=False)


def connect(
    services: Services, store: MemoryStore, platform: str, base_url: str, remote_id: str
) -> Account:
    """An account as Settings → Accounts leaves it: a row, and its token in the keyring."""
    account = Account(
        id=None,
        platform=platform,
        label=f"Maple Grove on {platform}",
        remote_id=remote_id,
        base_url=base_url,
        token_ref=token_ref(platform, remote_id),
        auth_kind=AuthKind.MASTODON_APP if platform == "mastodon" else AuthKind.OAUTH2_PKCE,
    )
    with store() as tx:
        account = tx.accounts.add(account)
    services.tokens.store(account, Token(TOKEN))
    return account


def published_post(
    services: Services, staff: DemoStaff, clock: ManualClock, photo: str
) -> tuple[Post, list[str]]:
    """A post with ``photo`` for Mastodon and Google, due and run by the scheduler."""
    composer, desk = services.composer, staff.front_desk
    post = composer.new_draft(desk, TEXT, ("mastodon", "gbp"))
    assert post.id is not None
    post = composer.autosave(desk, post.id, post.version, media=[photo])
    post = composer.submit(desk, post.id, post.version)
    post = composer.approve(staff.manager, post.id, post.version)
    at = clock.now() + timedelta(minutes=5)
    post = composer.schedule(desk, post.id, post.version, at)
    clock.set(at)
    report = services.publishing.publish_due()
    assert report.started == (post.id,)
    return composer.get(post.id), [e.status.value for e in services.publishing.entries(post.id)]


def consented_photo(services: Services, staff: DemoStaff) -> tuple[str, Authorization]:
    consent = services.consent
    patient = consent.add_patient(
        staff.front_desk, Patient(id=None, first_name="Odalys", last_name="Brightwater")
    )
    [photo] = cleared_photos(services, staff.front_desk, [3])
    assert patient.id is not None
    today = consent.today()
    auth = consent.save_authorization(
        staff.front_desk,
        Authorization(
            id=None,
            patient_id=patient.id,
            form_version=consent.form().version,
            media_kinds=frozenset({MediaKind.PHOTO}),
            media_description="Photos of my smile",
            discloser="Maple Grove Family Dental",
            recipients=frozenset({"mastodon", "gbp"}),
            purposes=frozenset({Purpose.SOCIAL_MEDIA}),
            expires_on=today + timedelta(days=365),
            signed_on=today,
            signer_name="Odalys Brightwater",
            statement_right_to_revoke=True,
            statement_treatment_not_conditioned=True,
            statement_redisclosure=True,
            taken_by=0,
            taken_at=services.clock.now(),
            media_hashes=(photo,),
        ),
        scan=b"scan",
    )
    return photo, auth


def audit(services: Services, staff: DemoStaff) -> list[tuple[str, str]]:
    events, _ = services.audit.query(staff.admin, AuditQuery(limit=10_000))
    return [(e.action, e.detail) for e in reversed(events)]


def test_withdrawing_consent_deletes_the_api_post_and_leaves_google_to_a_person(
    services: Services,
    store: MemoryStore,
    staff: DemoStaff,
    clock: ManualClock,
    mastodon: MastodonServer,
    tmp_path: Path,
) -> None:
    connect(services, store, "mastodon", mastodon.base_url, ACCOUNT_ID)
    # Google is connected too, but takes photos only from a public address: by hand.
    connect(services, store, "gbp", "http://127.0.0.1:9", "accounts/1/locations/2")
    photo, auth = consented_photo(services, staff)

    post, statuses = published_post(services, staff, clock, photo)
    assert post.state is PostState.PUBLISHING
    assert statuses == ["sent", "manual"]
    [status] = mastodon.statuses
    [media] = mastodon.media.values()
    assert media.attached
    assert b"Exif" not in media.data[:4096]
    assert list((tmp_path / "vault" / "outgoing").iterdir()) == []  # copies gone after the try
    gbp = next(e for e in services.publishing.entries(post.id or 0) if e.platform == "gbp")
    assert gbp.error_code == "public_url_needed"
    assert services.publishing.waiting_by_hand() == [post.id]
    assert ("post.publish_by_hand", "gbp public_url_needed") in audit(services, staff)

    post = services.publishing.record_manual_publish(
        staff.front_desk,
        post.id or 0,
        post.version,
        {"gbp": "https://business.google.com/posts/maplegrove/1"},
    )
    assert post.state is PostState.PUBLISHED

    result = services.consent.revoke(
        staff.front_desk,
        auth.id or 0,
        auth.version,
        received_on=services.consent.today(),
        channel=RevocationChannel.EMAIL,
    )
    by_platform = {t.platform: t for t in result.takedowns}
    assert set(by_platform) == {"mastodon", "gbp"}
    consent = services.consent
    assert consent.can_delete_via_api(by_platform["mastodon"])
    assert not consent.can_delete_via_api(by_platform["gbp"])  # published by hand

    with pytest.raises(WithdrawNotSupported):
        consent.delete_via_api(staff.front_desk, by_platform["gbp"].id or 0)
    assert consent.get_takedown(by_platform["gbp"].id or 0).open

    done = consent.delete_via_api(staff.front_desk, by_platform["mastodon"].id or 0)
    assert (done.open, done.how, done.confirmed_by) == (
        False,
        "deleted via API",
        staff.front_desk.id,
    )
    assert f"DELETE /api/v1/statuses/{status.id}" in mastodon.lines()
    assert mastodon.statuses == []
    assert not consent.can_delete_via_api(done)
    with pytest.raises(EditConflict):
        consent.delete_via_api(staff.manager, done.id or 0)
    events = audit(services, staff)
    assert ("post.remote_deleted", "mastodon") in events
    assert (
        "consent.takedown_confirmed",
        f"post {post.id} mastodon",
    ) in events

    consent.confirm_takedown(staff.front_desk, by_platform["gbp"].id or 0, "Deleted on Google")
    assert services.composer.get(post.id or 0).state is PostState.WITHDRAWN
    for action, detail in events:
        assert "Smile" not in detail, action
        assert TOKEN not in detail, action


def test_a_platform_that_will_not_delete_leaves_the_takedown_open(
    services: Services,
    store: MemoryStore,
    staff: DemoStaff,
    clock: ManualClock,
    mastodon: MastodonServer,
) -> None:
    connect(services, store, "mastodon", mastodon.base_url, ACCOUNT_ID)
    photo, auth = consented_photo(services, staff)
    post = services.composer.new_draft(staff.front_desk, TEXT, ("mastodon",))
    post = services.composer.autosave(staff.front_desk, post.id or 0, post.version, media=[photo])
    post = services.composer.submit(staff.front_desk, post.id or 0, post.version)
    post = services.composer.approve(staff.manager, post.id or 0, post.version)
    report = services.publishing.publish_now(staff.manager, post.id or 0, post.version)
    assert report.published == (post.id,)
    [takedown] = services.consent.revoke(
        staff.front_desk,
        auth.id or 0,
        auth.version,
        received_on=services.consent.today(),
        channel=RevocationChannel.LETTER,
    ).takedowns
    mastodon.inject("delete", Fault(status=403))
    with pytest.raises(PublishError) as refused:
        services.consent.delete_via_api(staff.front_desk, takedown.id or 0)
    assert "not allowed" in str(refused.value)
    assert services.consent.get_takedown(takedown.id or 0).open
    assert len(mastodon.statuses) == 1
    assert "post.remote_deleted" not in {a for a, _ in audit(services, staff)}
    # Later it works, and the takedown is done.
    services.consent.delete_via_api(staff.front_desk, takedown.id or 0)
    assert mastodon.statuses == []


def test_an_account_connected_later_counts_from_the_next_run(
    services: Services,
    store: MemoryStore,
    staff: DemoStaff,
    clock: ManualClock,
    mastodon: MastodonServer,
) -> None:
    publishing = services.publishing
    assert publishing.registry.is_manual("mastodon")
    account = connect(services, store, "mastodon", mastodon.base_url, ACCOUNT_ID)
    publishing.run_outbox()
    assert not publishing.registry.is_manual("mastodon")
    assert publishing.registry.account_id("mastodon") == account.id
    assert publishing.outbox.registry is publishing.registry
    services.accounts.remove(staff.admin, account.id or 0)
    publishing.run_outbox()
    assert publishing.registry.is_manual("mastodon")


class Recording:
    """A connector that records what the outbox hands it."""

    platform = "gbp"

    def __init__(self) -> None:
        self.requests: list[PublishRequest] = []

    def validate(self, request: PublishRequest) -> list[str]:
        return []

    def publish(self, request: PublishRequest) -> RemotePost:
        self.requests.append(request)
        return RemotePost("localPosts/1", "https://business.google.com/p/1")

    def find(self, request: PublishRequest) -> RemotePost | None:
        return None


def test_each_request_carries_the_account_the_options_and_when_the_intent_was_made(
    services: Services, staff: DemoStaff, clock: ManualClock, store: MemoryStore
) -> None:
    from core.connectors.registry import request_options

    connector = Recording()
    registry = ConnectorRegistry()
    registry.register("gbp", connector, account_id=7)
    publishing = PublishingService(
        store,
        clock,
        services.composer,
        registry,
        options=request_options(lambda: "maplegrove-dental.example"),
    )
    post = services.composer.new_draft(staff.front_desk, "Open Saturday mornings!", ("gbp",))
    post = services.composer.submit(staff.front_desk, post.id or 0, post.version)
    post = services.composer.approve(staff.manager, post.id or 0, post.version)
    created = clock.now()
    publishing.publish_now(staff.manager, post.id or 0, post.version)
    [request] = connector.requests
    assert request.account_id == 7
    assert request.options == {
        "cta_type": "LEARN_MORE",
        "cta_url": "https://maplegrove-dental.example",
    }
    assert request.alt_texts == ()
    assert request.image_paths == ()
    assert request.not_before == created
    [entry] = publishing.entries(post.id or 0)
    assert (entry.status, entry.remote_id) == (OutboxStatus.SENT, "localPosts/1")
