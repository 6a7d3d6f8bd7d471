"""Alt text end to end: descriptions written on the photos reach the platform with the post.

The app's own wiring (``core.app.build_services``: the publishing factory with the connected
accounts' registry, the clean export into the outgoing folder, and the images service's alt
texts) over the in-memory store, publishing a due post with two photos to the local Mastodon
server on 127.0.0.1 through the real ``MastodonConnector`` (Mastodon.py). The server records
each uploaded image's ``description`` form field: the one written for that photo, in the post's
order; nothing for a photo without one, or one whose text names someone who has since become a
patient.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.accounts.model import Account, AuthKind, Token
from core.accounts.tokens import TokenProvider, token_ref
from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.consent.model import Patient
from core.demo import DemoStaff, create_demo_practice
from core.imaging.model import ImageRecord
from core.publishing.model import OutboxStatus
from core.staff.pins import fast_hasher
from tests.connectors.servers.faults import serving
from tests.connectors.servers.mastodon import ACCOUNT_ID, TOKEN, MastodonServer
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.imaging_support import import_photos, photo_png, sign_off

TEXT = "Our new waiting room plants are in. Come and say hello! #SmileBright"
GARDEN = "Two hygienists laughing beside the plant wall in the waiting room."


@pytest.fixture
def mastodon() -> Iterator[MastodonServer]:
    with serving() as http:
        yield MastodonServer(http, lambda: datetime.now(UTC))


class Practice:
    """The app's services over an in-memory store, with a Mastodon account connected to the
    local server (its token in the secret store, as in the keyring)."""

    def __init__(self, clock: ManualClock, tmp_path: Path, server: MastodonServer) -> None:
        self.clock = clock
        store, secrets = MemoryStore(), MemorySecrets()
        self.services: Services = build_services(
            uow=store,
            clock=clock,
            secrets=secrets,
            database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
            backup_store=None,
            hasher=fast_hasher(),
            media=MemoryMediaStore(tmp_path / "vault"),
            outgoing=tmp_path / "vault" / "outgoing",
        )
        self.staff: DemoStaff = create_demo_practice(self.services, with_posts=False)
        with store() as tx:
            account = tx.accounts.add(
                Account(
                    id=None,
                    platform="mastodon",
                    label="Maple Grove",
                    remote_id=ACCOUNT_ID,
                    handle="@maplegrove",
                    base_url=server.base_url,
                    token_ref=token_ref("mastodon", "alt-text-test"),
                    auth_kind=AuthKind.MASTODON_APP,
                    connected_at=clock.now(),
                )
            )
        TokenProvider(secrets, store).store(account, Token(TOKEN))

    def photos(self, *seeds: int) -> list[ImageRecord]:
        images, desk = self.services.images, self.staff.front_desk
        return [
            sign_off(images, desk, r)
            for r in import_photos(images, desk, [photo_png(s) for s in seeds])
        ]

    def due_post(self, photos: list[ImageRecord]) -> Post:
        composer, desk = self.services.composer, self.staff.front_desk
        post = composer.new_draft(desk, TEXT, ("mastodon",))
        post_id = post.id
        assert post_id is not None
        post = composer.autosave(desk, post_id, post.version, media=[p.media_hash for p in photos])
        post = composer.submit(desk, post_id, post.version)
        post = composer.approve(self.staff.manager, post_id, post.version)
        at = self.clock.now() + timedelta(minutes=1)
        post = composer.schedule(desk, post_id, post.version, at)
        self.clock.set(at)
        return post

    def describe(self, photo: ImageRecord, text: str) -> ImageRecord:
        assert photo.id is not None
        current = self.services.images.get(photo.id)
        return self.services.images.set_alt_text(
            self.staff.front_desk, photo.id, current.version, text
        )


def published(practice: Practice, post: Post) -> None:
    assert post.id is not None
    practice.services.publishing.publish_due()
    [entry] = practice.services.publishing.entries(post.id)
    assert (entry.status, entry.error_code) == (OutboxStatus.SENT, "")
    assert practice.services.composer.get(post.id).state is PostState.PUBLISHED


def test_each_photo_goes_out_with_its_own_description(
    clock: ManualClock, tmp_path: Path, mastodon: MastodonServer
) -> None:
    practice = Practice(clock, tmp_path, mastodon)
    garden, lobby, hall = practice.photos(21, 22, 23)
    practice.describe(garden, f"  {GARDEN}  ")
    practice.describe(hall, "A bright hallway with framed smiles on the wall.")
    post = practice.due_post([hall, lobby, garden])
    published(practice, post)

    [status] = mastodon.statuses
    sent = [mastodon.media[m] for m in status.media_ids]
    assert [m.description for m in sent] == [
        "A bright hallway with framed smiles on the wall.",
        "",  # no description: none sent
        GARDEN,
    ]
    # The clean copies were uploaded (and the outgoing folder emptied afterwards).
    assert all(m.data for m in sent)
    assert not any((tmp_path / "vault" / "outgoing").rglob("*.*"))


def test_a_description_that_now_names_a_patient_is_not_sent(
    clock: ManualClock, tmp_path: Path, mastodon: MastodonServer
) -> None:
    practice = Practice(clock, tmp_path, mastodon)
    [garden] = practice.photos(24)
    practice.describe(garden, "Kim Fairweather watering the plant wall.")
    post = practice.due_post([garden])
    # Kim Fairweather becomes a patient before the post goes out.
    practice.services.consent.add_patient(
        practice.staff.front_desk,
        Patient(id=None, first_name="Kim", last_name="Fairweather", phone="217-555-0190"),
    )
    published(practice, post)
    [status] = mastodon.statuses
    [media_id] = status.media_ids
    assert mastodon.media[media_id].description == ""
