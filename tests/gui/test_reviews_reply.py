"""The reply editor: the live check blocks a reply with patient information, an override with
a written reason lets it through, a reply to a negative review needs another person's
approval, templates carry the practice's phone, copy marks the clipboard and opens the page,
and marking it replied records who."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.reviews.model import ReviewStatus
from gui.hub import SignalHub
from gui.reviews import reply as reply_module
from gui.reviews.page import ReviewsPage
from gui.reviews.reply import HISTORY_HINT_MIME, ReplyEditor
from gui.tasks import TaskRunner
from tests.gui.reviews_inbox_env import InboxEnv, make_inbox, open_review

SAFE = (
    "Thank you for your feedback. We hold every patient visit to a high standard. "
    "Please call our office manager so we can talk."
)
RISKY = "As your dentist, we are sorry about the wait. " + SAFE


@pytest.fixture
def inbox(
    qtbot: QtBot,
    clock: ManualClock,
    hub: SignalHub,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[InboxEnv]:
    yield from make_inbox(qtbot, clock, hub, runner, monkeypatch)


def _write(qtbot: QtBot, editor: ReplyEditor, text: str) -> None:
    editor.text.setPlainText(text)
    qtbot.waitUntil(
        lambda: editor.checked is not None and editor.checked.text == text, timeout=5000
    )


def _status(inbox: InboxEnv, page: ReviewsPage, status: ReviewStatus) -> None:
    review_id = inbox.negative.id or 0
    assert inbox.env.services.reviews.get(review_id).status is status


def _wait_status(qtbot: QtBot, page: ReviewsPage, status: ReviewStatus) -> None:
    qtbot.waitUntil(
        lambda: (
            page.detail is not None
            and page.detail.review.status is status
            and page.reply.review is not None
            and page.reply.review.status is status
        ),
        timeout=5000,
    )


def test_a_reply_with_a_finding_is_blocked(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    editor = page.reply
    _write(qtbot, editor, RISKY)
    found = editor.open_findings()
    assert [f.kind for f in found] == ["patient_relationship"]
    assert not editor.submit_button.isEnabled()
    assert "Fix or let through" in editor.submit_button.toolTip()
    assert "to fix" in editor.findings.status.text()
    spans = editor.highlighter.spans()
    assert spans
    assert spans[0][:2] == (found[0].start, found[0].end)
    assert not spans[0][2]
    assert editor.finding_tip(found[0].start + 1).startswith("Says the reviewer is")
    editor.submit()  # refused on the GUI side too
    qtbot.wait(100)
    _status(inbox, page, ReviewStatus.NEW)


def test_a_safe_sentence_can_be_inserted(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    editor = page.reply
    _write(qtbot, editor, "Our records show you came in.")
    assert editor.checked is not None
    assert editor.checked.rewrites
    sentence = editor.checked.rewrites[0]
    editor.findings.insert_requested.emit(sentence)
    assert sentence in editor.text.toPlainText()


def test_an_override_with_a_reason_submits_and_a_negative_reply_waits(
    qtbot: QtBot, inbox: InboxEnv
) -> None:
    page, staff = inbox.page, inbox.env.staff
    open_review(qtbot, page, inbox.negative)
    editor = page.reply
    _write(qtbot, editor, RISKY)
    finding = editor.open_findings()[0]
    dialog = editor._ask_override(finding)
    assert dialog is not None
    dialog.text.setPlainText("too short")
    assert not dialog.ok_button.isEnabled()
    dialog.text.setPlainText("It only says we are sorry; our lawyer approved the wording.")
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    assert editor.open_findings() == []
    assert editor.highlighter.spans()[0][2]  # drawn as let through
    assert "Who may approve" in editor.approval_note.text()
    assert staff.manager.display_name in editor.approval_note.text()
    assert editor.submit_button.isEnabled()
    editor.submit_button.click()
    _wait_status(qtbot, page, ReviewStatus.AWAITING_APPROVAL)
    detail = inbox.env.services.reviews.detail(inbox.negative.id or 0)
    assert detail.reply is not None
    assert detail.reply.text == RISKY
    assert [o.reason for o in detail.overrides] == [
        "It only says we are sorry; our lawyer approved the wording."
    ]
    # The front desk may not approve at all.
    assert not editor.approve_button.isHidden()
    assert not editor.approve_button.isEnabled()
    assert "manager" in editor.approve_button.toolTip()
    assert "waiting for approval" in editor.banner.text_label.text()


def test_a_negative_reply_is_approved_by_someone_else(qtbot: QtBot, inbox: InboxEnv) -> None:
    page, staff = inbox.page, inbox.env.staff
    page.set_user(staff.manager)
    open_review(qtbot, page, inbox.negative)
    editor = page.reply
    _write(qtbot, editor, SAFE)
    assert editor.open_findings() == []
    editor.submit_button.click()
    _wait_status(qtbot, page, ReviewStatus.AWAITING_APPROVAL)
    # The writer may not approve their own reply.
    assert not editor.approve_button.isEnabled()
    assert "two-person rule" in editor.approve_button.toolTip()
    page.set_user(staff.doctor)
    open_review(qtbot, page, inbox.negative)
    qtbot.waitUntil(editor.approve_button.isEnabled, timeout=5000)
    editor.approve_button.click()
    _wait_status(qtbot, page, ReviewStatus.APPROVED)
    reply = inbox.env.services.reviews.detail(inbox.negative.id or 0).reply
    assert reply is not None
    assert (reply.written_by, reply.approved_by) == (staff.manager.id, staff.doctor.id)
    assert not editor.copy_button.isHidden()
    assert not editor.replied_button.isHidden()


def test_a_positive_reply_is_ready_at_once_then_copied_and_marked_replied(
    qtbot: QtBot, inbox: InboxEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, staff = inbox.page, inbox.env.staff
    opened: list[QUrl] = []
    monkeypatch.setattr(reply_module, "open_url", lambda url: opened.append(url) or True)
    open_review(qtbot, page, inbox.positive)
    editor = page.reply
    _write(qtbot, editor, SAFE)
    assert editor.approval_note.text() == ""
    editor.submit_button.click()
    _wait_status(qtbot, page, ReviewStatus.APPROVED)
    assert editor.copy_button.isEnabled()
    assert editor.copy_and_open()
    data = QGuiApplication.clipboard().mimeData()
    assert data is not None
    assert data.text() == SAFE
    assert bytes(data.data(HISTORY_HINT_MIME).data()) == b"secret"
    assert [u.toString() for u in opened] == ["https://maps.example/review/1"]
    editor.replied_button.click()
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.review.status is ReviewStatus.REPLIED,
        timeout=5000,
    )
    reply = inbox.env.services.reviews.detail(inbox.positive.id or 0).reply
    assert reply is not None
    assert reply.posted_by == staff.front_desk.id
    qtbot.waitUntil(lambda: "Replied by" in editor.banner.text_label.text(), timeout=5000)
    assert editor.text.isReadOnly()


def test_a_template_fills_in_the_practice_phone(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    editor = page.reply
    assert editor.template.count() > 1
    phone = inbox.env.services.practice.practice().value.phone
    editor.text.setPlainText("something typed first")
    for index in range(1, editor.template.count()):
        editor.template.activated.emit(index)
        assert "{" not in editor.text.toPlainText()
    texts = [t[2] for t in editor.context.templates]
    assert any(phone in text for text in texts)
    assert editor.template.currentIndex() == 0
    editor.text.undo()
    assert editor.text.toPlainText() != texts[-1]


def test_a_saved_draft_comes_back(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    editor = page.reply
    _write(qtbot, editor, SAFE)
    assert editor.save_button.isEnabled()
    editor.save_button.click()
    qtbot.waitUntil(lambda: editor.save_state.text() == "Draft saved", timeout=5000)
    reply = inbox.env.services.reviews.detail(inbox.negative.id or 0).reply
    assert reply is not None
    assert reply.text == SAFE
    page.set_user(None)
    page.set_user(inbox.env.staff.front_desk)
    open_review(qtbot, page, inbox.negative)
    assert editor.text.toPlainText() == SAFE
