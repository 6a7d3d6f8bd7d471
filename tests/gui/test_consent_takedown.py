"""The takedown dialog: it says where the post is and why it has to go, asks how it was
removed, and confirming closes the takedown (it leaves the list and Today)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from core.app import Services
from core.consent.model import Takedown
from core.errors import PermissionDenied
from core.staff.model import StaffMember
from gui.consent.takedown import TakedownDialog, open_takedown_dialog
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv


def open_takedown(env: PageEnv) -> Takedown:
    """The demo practice's open takedown (a revoked consent's photo in a published post)."""
    takedowns = env.services.consent.takedowns()
    assert takedowns, "the demo practice should have an open takedown"
    return takedowns[0]


def make_dialog(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, takedown: Takedown | None = None
) -> TakedownDialog:
    dialog = TakedownDialog(
        env.services, runner, takedown or open_takedown(env), env.staff.front_desk
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_it_shows_where_the_post_is_and_why(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    takedown = replace(
        open_takedown(env), platform="facebook", url="https://facebook.com/p/1", reason="revoked"
    )
    dialog = make_dialog(qtbot, env, runner, takedown)
    assert dialog.windowTitle() == "Take a post down"
    assert dialog.platform_label.text() == "Facebook"
    assert dialog.url_label.text() == "https://facebook.com/p/1"
    assert "withdrew their consent" in dialog.why_label.text_label.text()
    assert dialog.how.placeholderText() == "For example: Deleted on Facebook"
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)
    dialog.open_button.click()
    assert opened == [QUrl("https://facebook.com/p/1")]

    expired = make_dialog(qtbot, env, runner, replace(takedown, reason="expired", url=""))
    assert "has expired" in expired.why_label.text_label.text()
    assert expired.open_button.isHidden()
    assert "No link was recorded" in expired.url_label.text()


def test_confirming_needs_to_say_how(qtbot: QtBot, env: PageEnv, runner: TaskRunner) -> None:
    takedown = open_takedown(env)
    dialog = make_dialog(qtbot, env, runner, takedown)
    dialog.how.setText("   ")
    dialog.confirm_button.click()
    assert not dialog.how_error.isHidden()
    assert dialog.how_error.text().startswith("Say how the post was removed")
    assert dialog.how.property("error") == "true"
    assert not dialog.busy
    assert dialog.isVisible()
    assert takedown.id in {t.id for t in env.services.consent.takedowns()}
    qtbot.keyClicks(dialog.how, "D")
    assert dialog.how_error.isHidden()


def test_confirming_closes_the_takedown(qtbot: QtBot, env: PageEnv, runner: TaskRunner) -> None:
    takedown = open_takedown(env)
    dialog = make_dialog(qtbot, env, runner, takedown)
    qtbot.keyClicks(dialog.how, "Deleted on Facebook")
    with qtbot.waitSignal(dialog.confirmed, timeout=5000) as blocker:
        dialog.confirm_button.click()
    done = blocker.args[0]
    assert isinstance(done, Takedown)
    assert done.id == takedown.id
    assert not done.open
    assert done.how == "Deleted on Facebook"
    assert done.confirmed_by == env.staff.front_desk.id
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert takedown.id not in {t.id for t in env.services.consent.takedowns()}
    assert not any(
        item.kind == "consent_takedown" and item.target == f"takedown:{takedown.id}"
        for item in env.services.today.items(env.staff.front_desk)
    )


def test_a_takedown_confirmed_already_cannot_be_confirmed_again(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner
) -> None:
    takedown = open_takedown(env)
    done = env.services.consent.confirm_takedown(env.staff.admin, takedown.id or 0, "Deleted")
    dialog = make_dialog(qtbot, env, runner, done)
    assert not dialog.done_label.isHidden()
    assert dialog.why_label.isHidden()
    assert dialog.how.text() == "Deleted"
    assert dialog.how.isReadOnly()
    assert not dialog.confirm_button.isEnabled()
    assert dialog.cancel_button.text() == "Close"


class RefusingConsent:
    """A consent service whose ``confirm_takedown`` is refused."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []

    def confirm_takedown(self, actor: StaffMember, takedown_id: int, how: str) -> Takedown:
        self.calls.append((actor.id or 0, takedown_id, how))
        raise PermissionDenied("not allowed", action="confirm_takedown")


def test_a_refusal_is_shown_and_the_dialog_stays_open(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, shown_errors: list[BaseException]
) -> None:
    consent = RefusingConsent()
    services = cast(Services, SimpleNamespace(consent=consent))
    dialog = TakedownDialog(services, runner, open_takedown(env), env.staff.front_desk)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.how.setText("Deleted on Facebook")
    dialog.confirm_button.click()
    assert dialog.busy
    assert not dialog.confirm_button.isEnabled()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)
    assert isinstance(shown_errors[0], PermissionDenied)
    assert consent.calls == [
        (env.staff.front_desk.id, open_takedown(env).id, "Deleted on Facebook")
    ]
    assert dialog.isVisible()
    assert not dialog.busy
    assert dialog.confirm_button.isEnabled()


def test_open_takedown_dialog_opens_it_window_modal_without_blocking(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner
) -> None:
    confirmed: list[Any] = []
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    dialog = open_takedown_dialog(env.services, runner, open_takedown(env), env.staff.admin, window)
    dialog.confirmed.connect(confirmed.append)
    assert dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.cancel_button.click()
    assert not dialog.isVisible()
    assert confirmed == []


def test_a_takedown_confirmed_on_another_computer_meanwhile_says_so(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, shown_errors: list[BaseException]
) -> None:
    takedown = open_takedown(env)
    dialog = make_dialog(qtbot, env, runner, takedown)
    env.services.consent.confirm_takedown(env.staff.admin, takedown.id or 0, "Deleted it")
    dialog.how.setText("Deleted on Facebook")
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: not dialog.done_label.isHidden(), timeout=5000)
    assert shown_errors == []
    assert not dialog.confirm_button.isEnabled()
    assert dialog.isVisible()
    assert env.services.consent.get_takedown(takedown.id or 0).how == "Deleted it"
