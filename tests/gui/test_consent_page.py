"""The Consent page: search narrows the list, the filter shows counts, a patient's detail
shows their authorizations, revoking pulls a post back, targets work, and signing out leaves
no name on screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.consent.model import AuthorizationStatus, RevocationChannel
from gui.consent.capture import CaptureDialog
from gui.consent.page import ConsentPage
from gui.hub import SignalHub
from gui.tasks import TaskRunner
from tests.gui.consent_env import ConsentEnv, build_consent_env


@pytest.fixture
def cenv(clock: ManualClock, tmp_path: Path) -> ConsentEnv:
    return build_consent_env(clock, tmp_path / "vault")


@pytest.fixture
def page(
    qtbot: QtBot, cenv: ConsentEnv, hub: SignalHub, runner: TaskRunner
) -> Iterator[ConsentPage]:
    widget = ConsentPage(cenv.services, hub, runner)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    widget.set_user(cenv.staff.front_desk)
    qtbot.waitUntil(lambda: widget.list.model.rowCount() > 0, timeout=5000)
    yield widget
    widget.set_user(None)
    runner.wait()


def _texts(page: ConsentPage) -> list[str]:
    labels = [w.text() for w in page.findChildren(QLabel)]
    buttons = [w.text() for w in page.findChildren(QAbstractButton)]
    model = page.list.model
    rows = [str(model.index(r).data()) for r in range(model.rowCount())]
    return labels + buttons + rows


def test_search_narrows_the_list(qtbot: QtBot, page: ConsentPage) -> None:
    page.list.search.setText("marbu")
    qtbot.waitUntil(lambda: page.list.model.rowCount() == 1, timeout=5000)
    assert page.list.model.index(0).data() == "Marbury, Quillon"
    page.list.search.setText("nobody-called-this")
    qtbot.waitUntil(lambda: page.list.model.rowCount() == 0, timeout=5000)


def test_the_filter_shows_counts_and_filters(
    qtbot: QtBot, page: ConsentPage, cenv: ConsentEnv, shown_errors: list[BaseException]
) -> None:
    counts = cenv.services.consent.status_counts()
    qtbot.waitUntil(lambda: "(" in page.list.filter.itemText(0), timeout=5000)
    assert page.list.filter.itemText(0) == f"All ({sum(counts.values())})"
    assert page.list.filter.itemText(1) == f"Active ({counts[AuthorizationStatus.ACTIVE]})"
    assert page.list.filter.itemText(4) == f"Revoked ({counts[AuthorizationStatus.REVOKED]})"
    page.list.filter.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: page.list.model.rowCount() == min(counts[AuthorizationStatus.ACTIVE], 100),
        timeout=5000,
    )
    assert not shown_errors


def test_the_detail_shows_the_patient_and_revoking_pulls_a_post_back(
    qtbot: QtBot,
    page: ConsentPage,
    cenv: ConsentEnv,
    hub: SignalHub,
    shown_errors: list[BaseException],
) -> None:
    composer, actor = cenv.services.composer, cenv.staff.front_desk
    draft = composer.new_draft(actor, "Look at this smile!", ["facebook"])
    assert draft.id is not None
    composer.autosave(actor, draft.id, draft.version, media=[cenv.photo_hash])

    page.show_target(f"patient:{cenv.patient.id}")
    qtbot.waitUntil(lambda: len(page.detail.cards) == 1, timeout=5000)
    assert page.detail.name_label.text() == "Quillon Marbury"
    card = page.detail.cards[0]
    assert card.badge.text() == "Active"
    assert card.badge.tone == "success"
    assert "Facebook" in card.scope_label.text()

    dialog = page.ask_revoke(card.view.authorization)
    assert dialog is not None
    dialog.how.setCurrentIndex(dialog.how.findData(RevocationChannel.EMAIL))
    dialog.note_edit.setPlainText("E-mail from the patient")
    with qtbot.waitSignal(hub.data_changed, timeout=5000):
        dialog.ok_button.click()
    qtbot.waitUntil(page.detail.notice.isVisible, timeout=5000)
    assert "1 post(s) pulled back to draft" in page.detail.notice.text_label.text()
    qtbot.waitUntil(
        lambda: bool(page.detail.cards) and page.detail.cards[0].badge.text() == "Revoked",
        timeout=5000,
    )
    assert page.detail.cards[0].badge.tone == "danger"
    auth = cenv.services.consent.get_authorization(cenv.authorization.id or 0)
    assert auth.revocation is not None
    assert auth.revocation.channel is RevocationChannel.EMAIL
    assert not shown_errors


def test_new_and_new_authorization_open_the_capture(
    qtbot: QtBot, page: ConsentPage, cenv: ConsentEnv
) -> None:
    page.show_target("new")
    assert isinstance(page.capture_dialog, CaptureDialog)
    assert page.capture_dialog.patient() is None
    page.capture_dialog.reject()
    qtbot.waitUntil(lambda: page.capture_dialog is None, timeout=5000)
    page.show_target(f"patient:{cenv.patient.id}")
    qtbot.waitUntil(lambda: page.detail.patient is not None, timeout=5000)
    page.detail.new_button.click()
    assert page.capture_dialog is not None
    assert page.capture_dialog.patient() == page.detail.patient
    page.capture_dialog.reject()


def test_signing_out_clears_every_name(qtbot: QtBot, page: ConsentPage, cenv: ConsentEnv) -> None:
    page.show_target(f"patient:{cenv.patient.id}")
    qtbot.waitUntil(lambda: page.detail.patient is not None, timeout=5000)
    page.list.search.setText("Quillon")
    qtbot.waitUntil(lambda: page.list.model.rowCount() == 1, timeout=5000)
    assert any("Quillon" in t for t in _texts(page))
    page.set_user(None)
    assert not any("Quillon" in t or "Marbury" in t for t in _texts(page))
    assert page.list.model.rowCount() == 0
    assert page.list.search.text() == ""
    assert page.right.currentWidget() is page.empty
    page.show_target(f"patient:{cenv.patient.id}")
    assert page.detail.patient is None


def test_the_register_exports_to_csv(
    qtbot: QtBot, page: ConsentPage, tmp_path: Path, shown_errors: list[BaseException]
) -> None:
    target = tmp_path / "register.csv"
    page.export_to(target)
    qtbot.waitUntil(target.exists, timeout=5000)
    qtbot.waitUntil(page.notice.isVisible, timeout=5000)
    assert b"Marbury" in target.read_bytes()
    assert not shown_errors


def test_today_targets_filter_the_list_and_print_the_blank_form(
    qtbot: QtBot,
    page: ConsentPage,
    cenv: ConsentEnv,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pypdf import PdfReader

    from gui.consent import page as page_module

    page.show_target("status:expiring")
    assert page.list.statuses() == (AuthorizationStatus.EXPIRING,)
    expiring = cenv.services.consent.status_counts()[AuthorizationStatus.EXPIRING]
    qtbot.waitUntil(lambda: page.list.model.rowCount() == min(expiring, 100), timeout=5000)

    opened: list[Path] = []
    monkeypatch.setattr(page_module, "_open_file", opened.append)
    page.show_target("blank-form")
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    text = "".join(p.extract_text() for p in PdfReader(str(opened[0])).pages)
    assert "attorney" in text.lower()
