""" "Delete from <platform>" in the takedown dialog: shown only when the post went out through
the platform's API; deleting it there (a local Mastodon server) confirms the takedown in one
go; where the API cannot delete, the post opens for removal by hand; a platform that refuses
says why and leaves the takedown open."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.clock import ManualClock
from core.consent.model import RevocationChannel, Takedown
from core.demo import DemoStaff, create_demo_practice
from core.publishing.connectors import WithdrawNotSupported
from core.staff.model import StaffMember
from core.staff.pins import fast_hasher
from gui.consent.takedown import TakedownDialog
from gui.tasks import TaskRunner
from tests.connectors.servers.faults import serving
from tests.connectors.servers.mastodon import ACCOUNT_ID, MastodonServer
from tests.connectors.test_registry_withdraw import connect, consented_photo
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.gui.page_env import PageEnv

TEXT = "Smile of the week! Book your whitening consultation at https://maplegrove-dental.example"


@dataclass
class Practice:
    services: Services
    staff: DemoStaff
    takedown: Takedown
    server: MastodonServer


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[Practice]:
    """A post with a patient's photo published on Mastodon through the connected account,
    then the patient's consent revoked: its takedown is on the list."""
    clock = ManualClock(datetime.now(UTC) - timedelta(hours=1))
    store = MemoryStore()
    services = build_services(
        uow=store,
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", str(tmp_path)),
        backup_store=None,
        hasher=fast_hasher(),
        media=MemoryMediaStore(tmp_path / "vault"),
        outgoing=tmp_path / "vault" / "outgoing",
    )
    staff = create_demo_practice(services, with_posts=False)
    with serving() as http:
        server = MastodonServer(http, lambda: datetime.now(UTC))
        connect(services, store, "mastodon", server.base_url, ACCOUNT_ID)
        photo, auth = consented_photo(services, staff)
        composer, desk = services.composer, staff.front_desk
        post = composer.new_draft(desk, TEXT, ("mastodon",))
        post = composer.autosave(desk, post.id or 0, post.version, media=[photo])
        post = composer.submit(desk, post.id or 0, post.version)
        post = composer.approve(staff.manager, post.id or 0, post.version)
        assert services.publishing.publish_now(staff.manager, post.id or 0, post.version).published
        [takedown] = services.consent.revoke(
            desk,
            auth.id or 0,
            auth.version,
            received_on=services.consent.today(),
            channel=RevocationChannel.EMAIL,
        ).takedowns
        yield Practice(services, staff, takedown, server)


def make_dialog(
    qtbot: QtBot,
    services: Services,
    runner: TaskRunner,
    takedown: Takedown,
    user: StaffMember,
) -> TakedownDialog:
    dialog = TakedownDialog(services, runner, takedown, user)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_delete_from_mastodon_deletes_it_there_and_confirms_the_takedown(
    qtbot: QtBot, runner: TaskRunner, practice: Practice
) -> None:
    dialog = make_dialog(
        qtbot, practice.services, runner, practice.takedown, practice.staff.front_desk
    )
    qtbot.waitUntil(lambda: not dialog.delete_button.isHidden(), timeout=5000)
    assert dialog.delete_button.text() == "Delete from Mastodon"
    [status] = practice.server.statuses
    with qtbot.waitSignal(dialog.confirmed, timeout=10000) as blocker:
        dialog.delete_button.click()
    done = blocker.args[0]
    assert isinstance(done, Takedown)
    assert (done.open, done.how) == (False, "deleted via API")
    assert done.confirmed_by == practice.staff.front_desk.id
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert f"DELETE /api/v1/statuses/{status.id}" in practice.server.lines()
    assert practice.server.statuses == []
    assert practice.services.consent.takedowns() == []


def test_a_refusal_says_why_and_leaves_the_takedown_open(
    qtbot: QtBot, runner: TaskRunner, practice: Practice, shown_errors: list[BaseException]
) -> None:
    from tests.connectors.servers.faults import Fault

    practice.server.inject("delete", Fault(status=403))
    dialog = make_dialog(
        qtbot, practice.services, runner, practice.takedown, practice.staff.front_desk
    )
    qtbot.waitUntil(lambda: not dialog.delete_button.isHidden(), timeout=5000)
    dialog.delete_button.click()
    assert dialog.busy
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    text = dialog.why_label.text_label.text()
    assert text.startswith("Mastodon did not delete the post:")
    assert "not allowed" in text
    assert shown_errors == []
    assert dialog.isVisible()
    assert dialog.delete_button.isEnabled()
    assert practice.services.consent.get_takedown(practice.takedown.id or 0).open
    assert len(practice.server.statuses) == 1


def test_a_post_published_by_hand_has_no_delete_button(
    qtbot: QtBot, runner: TaskRunner, env: PageEnv
) -> None:
    takedown = env.services.consent.takedowns()[0]  # the demo's: published by hand
    asked: list[bool] = []
    consent = env.services.consent

    def can_delete(t: Takedown) -> bool:
        asked.append(consent.can_delete_via_api(t))
        return asked[-1]

    services = cast(
        Services, SimpleNamespace(consent=SimpleNamespace(can_delete_via_api=can_delete))
    )
    dialog = make_dialog(qtbot, services, runner, takedown, env.staff.front_desk)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    qtbot.wait(50)  # the answer's way back to the GUI thread
    assert asked == [False]
    assert dialog.delete_button.isHidden()


class NoDeleting:
    """A consent service whose platform API says yes at first, then cannot delete."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def can_delete_via_api(self, takedown: Takedown) -> bool:
        return True

    def delete_via_api(self, actor: StaffMember, takedown_id: int) -> Takedown:
        self.calls.append(takedown_id)
        raise WithdrawNotSupported("The API cannot delete this post.")


def test_where_the_api_cannot_delete_the_post_opens_for_removal_by_hand(
    qtbot: QtBot,
    runner: TaskRunner,
    env: PageEnv,
    monkeypatch: pytest.MonkeyPatch,
    shown_errors: list[BaseException],
) -> None:
    takedown = env.services.consent.takedowns()[0]
    consent = NoDeleting()
    services = cast(Services, SimpleNamespace(consent=consent))
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)
    dialog = make_dialog(qtbot, services, runner, takedown, env.staff.front_desk)
    qtbot.waitUntil(lambda: not dialog.delete_button.isHidden(), timeout=5000)
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert opened == [QUrl(takedown.url)]
    assert consent.calls == [takedown.id]
    assert dialog.delete_button.isHidden()
    assert "does not let the app delete this post" in dialog.why_label.text_label.text()
    assert dialog.isVisible()
    assert dialog.confirm_button.isEnabled()  # confirm by hand once removed
    assert shown_errors == []


def test_a_confirmed_takedown_offers_no_delete(
    qtbot: QtBot, runner: TaskRunner, practice: Practice
) -> None:
    done = practice.services.consent.confirm_takedown(
        practice.staff.admin, practice.takedown.id or 0, "Deleted on Mastodon"
    )
    dialog = make_dialog(qtbot, practice.services, runner, done, practice.staff.front_desk)
    qtbot.wait(100)
    assert dialog.delete_button.isHidden()
    assert not practice.services.consent.can_delete_via_api(done)
