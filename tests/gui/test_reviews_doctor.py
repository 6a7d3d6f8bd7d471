"""The doctor's list: an item escalated to the doctor in the triage shows up, oldest first,
as plain text (markup stays characters), and saves as a PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.reviews.model import Authenticity, Decision, ReviewType
from gui.hub import SignalHub
from gui.reviews import doctor as doctor_module
from gui.reviews.page import ReviewsPage
from gui.tasks import TaskRunner
from tests.gui.reviews_inbox_env import (
    MALICIOUS,
    NEGATIVE,
    InboxEnv,
    make_inbox,
    open_review,
)

REASON = "Accuses the doctor of a wrong diagnosis; she wants to see it."


@pytest.fixture
def inbox(
    qtbot: QtBot,
    clock: ManualClock,
    hub: SignalHub,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[InboxEnv]:
    yield from make_inbox(qtbot, clock, hub, runner, monkeypatch)


def _escalate_in_the_triage(qtbot: QtBot, page: ReviewsPage) -> None:
    triage = page.triage
    triage.authenticity.button_for(Authenticity.LIKELY_REAL).click()
    triage.review_type.button_for(ReviewType.FIXABLE_PROBLEM).click()
    triage.reach.button_for(2).click()
    triage.severity.button_for(3).click()
    triage.decision.button_for(Decision.ESCALATE_DOCTOR).click()
    assert not triage.save_button.isEnabled()
    triage.reason.setText(REASON)
    triage.save_button.click()
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.assessment is not None, timeout=5000
    )


def test_escalated_to_the_doctor_shows_up_in_the_list(qtbot: QtBot, inbox: InboxEnv) -> None:
    page, reviews = inbox.page, inbox.env.services.reviews
    open_review(qtbot, page, inbox.negative)
    _escalate_in_the_triage(qtbot, page)
    open_review(qtbot, page, inbox.malicious)
    _escalate_in_the_triage(qtbot, page)
    page.show_target("doctor")
    doctor = page.doctor
    assert page.stack.currentWidget() is doctor
    qtbot.waitUntil(
        lambda: {i.review.id for i in doctor.items} >= {inbox.negative.id, inbox.malicious.id},
        timeout=5000,
    )
    assert [i.review.id for i in doctor.items] == [r.id for r in reviews.doctor_list()]
    posted = [i.review.posted_at for i in doctor.items]
    assert posted == sorted(posted)  # oldest first
    text = doctor.view.toPlainText()
    assert NEGATIVE in text
    assert MALICIOUS in text  # markup shows as typed
    assert REASON in text
    html = doctor.view.document().toHtml()
    assert "<b>BOLD</b>" not in html
    assert "&lt;b&gt;BOLD&lt;/b&gt;" in html
    doctor.back_button.click()
    assert page.stack.currentWidget() is page.inbox


def test_the_list_saves_as_a_pdf(
    qtbot: QtBot, inbox: InboxEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    _escalate_in_the_triage(qtbot, page)
    page.show_target("doctor")
    doctor = page.doctor
    qtbot.waitUntil(lambda: bool(doctor.items), timeout=5000)
    target = tmp_path / "doctor.pdf"
    monkeypatch.setattr(doctor_module, "ask_save_path", lambda _parent, _name: target)
    doctor.pdf_button.click()
    qtbot.waitUntil(doctor.notice.isVisible, timeout=10000)
    assert target.read_bytes().startswith(b"%PDF")
    assert "doctor.pdf" in doctor.notice.text_label.text()


def test_signing_out_clears_the_doctors_list(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    _escalate_in_the_triage(qtbot, page)
    page.show_target("doctor")
    qtbot.waitUntil(lambda: bool(page.doctor.items), timeout=5000)
    page.set_user(None)
    assert page.doctor.items == []
    assert NEGATIVE not in page.doctor.view.toPlainText()
    assert page.stack.currentWidget() is page.inbox
