"""The Consent page: search narrows the list, the filter shows counts, a patient's detail
shows their authorizations, revoking pulls a post back, targets work, and signing out leaves
no name on screen."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.consent.model import AuthorizationStatus, RevocationChannel
from gui.consent.capture import CaptureDialog
from gui.consent.detail import AuthorizationCard
from gui.consent.page import ConsentPage
from gui.consent.wording import long_date
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


def test_the_register_exports_as_pdf_and_agrees_with_the_csv(
    qtbot: QtBot, page: ConsentPage, cenv: ConsentEnv, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    from core.demo_consent import create_demo_consent
    from core.demo_images import create_demo_images
    from gui.consent.wording import status_label

    create_demo_images(cenv.services, cenv.staff)  # clears the photos the consent demo posts
    create_demo_consent(cenv.services, cenv.staff)
    csv_path, pdf_path = tmp_path / "register.csv", tmp_path / "register.pdf"
    page.export_to(csv_path)
    qtbot.waitUntil(csv_path.exists, timeout=5000)
    page.export_to(pdf_path)
    qtbot.waitUntil(lambda: pdf_path.exists() and pdf_path.stat().st_size > 0, timeout=20000)
    page.runner.wait()

    records = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8"))))
    reader = PdfReader(str(pdf_path))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = " ".join(
        unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in reader.pages)).split()
    )
    assert f"{len(records)} authorization(s)" in text
    assert len(records) > 150
    assert text.count("Form version") == len(reader.pages)  # the header on every page
    assert f"Page {len(reader.pages)}" in text
    for record in records:
        status = status_label(AuthorizationStatus(record["status"]))
        name = f"{record['patient_last_name']}, {record['patient_first_name']}"
        assert f"{name} {status}" in text, name
    found, _ = cenv.services.audit.query(cenv.staff.admin, AuditQuery(action="consent.export"))
    assert sorted(e.entity_id for e in found) == ["csv", "pdf"]


def _revoke_and_age(cenv: ConsentEnv, *, years: int) -> None:
    consent, auth = cenv.services.consent, cenv.authorization
    consent.revoke(
        cenv.staff.front_desk,
        auth.id or 0,
        auth.version,
        received_on=consent.today(),
        channel=RevocationChannel.LETTER,
    )
    cenv.clock.advance(timedelta(days=years * 366))


def _card_of(qtbot: QtBot, page: ConsentPage, cenv: ConsentEnv, user: object) -> AuthorizationCard:
    before = list(page.detail.cards)
    page.set_user(user)  # type: ignore[arg-type]
    page.show_target(f"patient:{cenv.patient.id}")
    qtbot.waitUntil(
        lambda: len(page.detail.cards) == 1 and page.detail.cards[0] not in before, timeout=5000
    )
    page.runner.wait()
    qtbot.wait(20)
    return page.detail.cards[0]


def test_an_admin_deletes_a_record_after_six_years(
    qtbot: QtBot,
    page: ConsentPage,
    cenv: ConsentEnv,
    hub: SignalHub,
    shown_errors: list[BaseException],
) -> None:
    _revoke_and_age(cenv, years=6)
    card = _card_of(qtbot, page, cenv, cenv.staff.admin)
    assert card.delete_button.isVisibleTo(page)
    assert card.delete_button.isEnabled()
    card.delete_button.click()
    dialog = page.delete_dialog
    assert dialog is not None
    words = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Quillon Marbury" in words
    assert "signature or scanned paper form" in words
    assert "signed PDF" in words
    assert "cannot be undone" in words
    with qtbot.waitSignal(hub.data_changed, timeout=5000):
        dialog.delete_button.click()
    qtbot.waitUntil(lambda: not page.detail.cards, timeout=5000)
    assert page.detail.none_label.isVisibleTo(page)
    assert cenv.services.consent.authorizations(cenv.patient.id or 0) == []
    found, _ = cenv.services.audit.query(cenv.staff.admin, AuditQuery(action="consent.delete"))
    assert [e.entity_id for e in found] == [str(cenv.authorization.id)]
    assert not shown_errors


def test_front_desk_never_sees_delete(qtbot: QtBot, page: ConsentPage, cenv: ConsentEnv) -> None:
    _revoke_and_age(cenv, years=6)
    card = _card_of(qtbot, page, cenv, cenv.staff.front_desk)
    assert not card.delete_button.isVisibleTo(page)
    card = _card_of(qtbot, page, cenv, cenv.staff.manager)
    assert not card.delete_button.isVisibleTo(page)


def test_a_recent_record_is_not_deletable_yet(
    qtbot: QtBot, page: ConsentPage, cenv: ConsentEnv
) -> None:
    card = _card_of(qtbot, page, cenv, cenv.staff.admin)
    assert not card.delete_button.isVisibleTo(page)  # still in effect: nothing to offer
    _revoke_and_age(cenv, years=1)
    card = _card_of(qtbot, page, cenv, cenv.staff.admin)
    assert card.delete_button.isVisibleTo(page)
    assert not card.delete_button.isEnabled()
    kept_until = cenv.services.consent.deletable_from(cenv.authorization.id or 0)
    assert kept_until is not None
    assert long_date(kept_until) in card.delete_button.toolTip()
