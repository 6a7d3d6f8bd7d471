"""The Images page's checklist, driven through its widgets over the real services: the scan
(real Tesseract and OpenCV) runs when an unscanned photo opens, the ten items, text lines and
faces are resolved, the sign-off clears the photo, a changed redaction undoes it, and a photo
is rejected and reopened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from core.consent.model import AuthorizationStatus, MediaKind
from core.consent.ports import AuthorizationQuery
from core.imaging.model import (
    CHECKLIST_ORDER,
    Answer,
    ImageRecord,
    ImageStatus,
    PersonKind,
    TextRisk,
)
from core.imaging.ports import ImageQuery
from gui.hub import SignalHub
from gui.images.page import ImagesPage
from gui.run import settle
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv

ASTRONAUT = Path(__file__).resolve().parent.parent / "data" / "astronaut.jpg"


@pytest.fixture
def page(qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner) -> Iterator[ImagesPage]:
    widget = ImagesPage(env.services, hub, runner)
    qtbot.addWidget(widget)
    widget.resize(1150, 760)
    widget.show()
    widget.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=5000)
    # The demo's unscanned photos are scanned in the background first (test_images_scanning).
    qtbot.waitUntil(lambda: not widget.scans_pending, timeout=60000)
    yield widget
    widget.set_user(None)
    runner.wait()


def _record(env: PageEnv, name: str) -> ImageRecord:
    found = [
        r for r in env.services.images.list_images(ImageQuery(limit=500)) if r.filename == name
    ]
    assert found, name
    return found[0]


def _open(qtbot: QtBot, page: ImagesPage, record: ImageRecord) -> None:
    assert record.id is not None
    page.open_image(record.id)
    qtbot.waitUntil(
        lambda: (
            page.detail is not None
            and page.detail.record.id == record.id
            and not page.scanning
            and not page.busy
        ),
        timeout=30000,
    )
    qtbot.waitUntil(lambda: page.canvas.has_photo, timeout=10000)


def _settled(qtbot: QtBot, page: ImagesPage) -> None:
    qtbot.waitUntil(lambda: not page.busy and not page.scanning, timeout=30000)
    settle(page.runner)


def _answer_all(qtbot: QtBot, page: ImagesPage, handled: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    for item in CHECKLIST_ORDER:
        row = page.panel.items.rows[item]
        radio = row.handled if item.value in handled else row.absent
        radio.click()
        _settled(qtbot, page)
        if row.note.isVisible():
            row.note.setText("The scan read the screen, which is redacted.")
            row.note.editingFinished.emit()
            _settled(qtbot, page)


def _button(page: ImagesPage, name: str) -> QPushButton:
    found = page.panel.findChild(QPushButton, name)
    assert isinstance(found, QPushButton), name
    return found


def _write_text_photo(path: Path) -> None:
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    draw.text((30, 40), "Call 217-555-0142", fill="black", font=font)
    draw.text((30, 160), "Fresh flowers today", fill="black", font=font)
    image.save(path, "PNG")


def test_an_unscanned_photo_is_scanned_on_open_and_its_text_is_listed(
    qtbot: QtBot, page: ImagesPage, env: PageEnv, tmp_path: Path
) -> None:
    photo = tmp_path / "desk.png"
    _write_text_photo(photo)
    done: list[bool] = []
    page.import_paths([photo], lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    assert page.summary.isVisible()
    assert page.summary.title_label.text() == "1 imported"
    # The new photo opens and is scanned (real Tesseract) without anyone asking.
    qtbot.waitUntil(
        lambda: (
            page.detail is not None
            and page.detail.record.filename == "desk.png"
            and page.detail.record.report is not None
        ),
        timeout=30000,
    )
    _settled(qtbot, page)
    assert page.detail is not None
    report = page.detail.record.report
    assert report is not None
    assert report.ocr_ran
    phi = [r for r in report.text_regions if r.risk is TextRisk.PHI]
    assert any("555" in r.text for r in phi)
    assert page.detail.record.status is ImageStatus.NEEDS_ATTENTION
    assert "Scanned" in page.panel.scan_summary.text()
    # The phone-number line is shown with its risk and can be redacted from the keyboard.
    index = report.text_regions.index(phi[0])
    redact = _button(page, f"text-{index}-redact")
    assert redact.isEnabled()
    assert not page.panel.sign_off_button.isEnabled()
    assert "Before you can sign off" in page.panel.problems_label.text()
    redact.click()
    _settled(qtbot, page)
    assert page.detail.record.redactions[-1].box == phi[0].box
    assert page.panel.findChild(QPushButton, f"text-{index}-redact") is None
    # Overlays: a red box per PHI line, a dashed one per redaction.
    tips = [item.toolTip() for item in page.canvas.overlays]
    assert f"Text line {index + 1}: patient information" in tips
    assert "Redaction 1" in tips


def test_the_checklist_signs_off_and_a_redaction_change_resets_it(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    record = _record(env, "reception-monitor.jpg")
    assert record.status is ImageStatus.NEEDS_ATTENTION
    _open(qtbot, page, record)
    assert "Needs attention" in page.panel.banner.text_label.text()
    flagged = page.detail.flagged if page.detail else frozenset()
    assert flagged
    for item in flagged:
        assert page.panel.items.rows[item].flag.isVisibleTo(page.panel)
    # Accept the suggested boxes (the PHI lines), then answer every item.
    assert page.panel.suggest_button.isEnabled()
    page.panel.suggest_button.click()
    _settled(qtbot, page)
    assert page.detail is not None
    assert page.detail.record.redactions
    _answer_all(qtbot, page, handled={"screens"})
    assert page.detail.problems == ()
    assert page.panel.sign_off_button.isEnabled()
    page.panel.sign_off_button.click()
    _settled(qtbot, page)
    cleared = env.services.images.get(record.id or 0)
    assert cleared.status is ImageStatus.CLEARED
    assert cleared.signoff is not None
    assert cleared.signoff.staff_id == env.staff.front_desk.id
    assert "Signed off by" in page.panel.banner.text_label.text()
    assert page.chips[ImageStatus.CLEARED].text().startswith("Cleared (")
    # Taking a box off undoes the sign-off.
    _button(page, "redaction-0-remove").click()
    _settled(qtbot, page)
    assert env.services.images.get(record.id or 0).status is ImageStatus.NEEDS_ATTENTION
    assert page.panel.sign_off_button.isVisible()


def test_a_box_drawn_on_the_photo_becomes_a_redaction_or_a_person(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    record = _record(env, "entrance.jpg")
    _open(qtbot, page, record)
    page.style_combo.setCurrentIndex(page.style_combo.findData("pixelate"))
    viewport = page.canvas.viewport()
    centre = viewport.rect().center()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=centre - QPoint(40, 30))
    qtbot.mouseMove(viewport, centre + QPoint(40, 30))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre + QPoint(40, 30))
    _settled(qtbot, page)
    assert page.detail is not None
    drawn = page.detail.record.redactions[-1]
    assert drawn.source == "manual"
    assert drawn.style.value == "pixelate"
    assert drawn.box.width > 20
    assert drawn.box.height > 10
    people = len(page.detail.record.people)
    page.draw_person.setChecked(True)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=centre - QPoint(20, 20))
    qtbot.mouseMove(viewport, centre + QPoint(20, 20))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre + QPoint(20, 20))
    _settled(qtbot, page)
    assert len(page.detail.record.people) == people + 1
    assert page.detail.record.people[-1].source == "manual"
    # Zoom works from the keyboard as well.
    before = page.canvas.zoom
    page.canvas.setFocus()
    qtbot.keyClick(page.canvas, Qt.Key.Key_Plus)
    assert page.canvas.zoom > before
    qtbot.keyClick(page.canvas, Qt.Key.Key_0)
    assert page.canvas.zoom == pytest.approx(before)


def test_a_face_is_marked_staff_redacted_or_linked_to_a_consent(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    done: list[bool] = []
    page.import_paths([ASTRONAUT], lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.record.report is not None, timeout=30000
    )
    _settled(qtbot, page)
    assert page.detail is not None
    assert len(page.detail.record.people) == 1
    assert page.detail.record.people[0].kind is PersonKind.UNRESOLVED
    assert "Person 1:" in page.panel.problems_label.text()
    # Staff, through the button's menu.
    staff_button = _button(page, "person-0-staff")
    menu = staff_button.menu()
    assert menu is not None
    action = next(a for a in menu.actions() if a.text() == env.staff.manager.display_name)
    action.trigger()
    _settled(qtbot, page)
    person = page.detail.record.people[0]
    assert person.kind is PersonKind.STAFF
    assert person.staff_id == env.staff.manager.id
    # Change of mind: undo, then redact (a blur box over the face).
    _button(page, "person-0-unlink").click()
    _settled(qtbot, page)
    _button(page, "person-0-redact").click()
    _settled(qtbot, page)
    assert page.detail.record.people[0].kind is PersonKind.REDACTED
    assert page.detail.record.redactions[-1].source == "face"
    _button(page, "person-0-unlink").click()
    _settled(qtbot, page)
    # Linked to a patient whose consent for photos is in effect.
    consent = env.services.consent
    rows, _total = consent.list_authorizations(
        AuthorizationQuery(statuses=(AuthorizationStatus.ACTIVE,), limit=50)
    )
    auth, patient = next((a, p) for a, p in rows if MediaKind.PHOTO in a.media_kinds)
    dialog = page.ask_link(0)
    assert dialog is not None
    dialog.search.setText(patient.last_name)
    qtbot.waitUntil(
        lambda: any(
            dialog.patients.item(i).data(Qt.ItemDataRole.UserRole).id == patient.id
            for i in range(dialog.patients.count())
        ),
        timeout=5000,
    )
    row = next(
        i
        for i in range(dialog.patients.count())
        if dialog.patients.item(i).data(Qt.ItemDataRole.UserRole).id == patient.id
    )
    dialog.patients.setCurrentRow(row)
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=5000)
    usable = {
        dialog.consents.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(dialog.consents.count())
    }
    assert auth.id in usable
    dialog.accept()
    _settled(qtbot, page)
    linked = page.detail.record.people[0]
    assert linked.kind is PersonKind.PATIENT
    assert linked.patient_id == patient.id
    assert (
        page.detail.record.media_hash
        in consent.get_authorization(linked.authorization_id or 0).media_hashes
    )


def test_a_photo_is_rejected_with_a_reason_and_reopened(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    record = _record(env, "entrance.jpg")
    _open(qtbot, page, record)
    dialog = page.ask_reject()
    assert dialog is not None
    dialog.text.setPlainText("too short")
    assert not dialog.ok_button.isEnabled()
    dialog.text.setPlainText("The street sign and house number are readable.")
    dialog.ok_button.click()
    _settled(qtbot, page)
    saved = env.services.images.get(record.id or 0)
    assert saved.status is ImageStatus.REJECTED
    assert "The street sign" in page.panel.banner.text_label.text()
    assert not page.panel.items.rows[CHECKLIST_ORDER[0]].absent.isEnabled()
    assert page.panel.reopen_button.isVisible()
    page.panel.reopen_button.click()
    _settled(qtbot, page)
    assert env.services.images.get(record.id or 0).status is ImageStatus.NEEDS_ATTENTION
    assert page.panel.items.rows[CHECKLIST_ORDER[0]].absent.isEnabled()


def test_someone_elses_change_reloads_the_photo_and_says_so(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    record = _record(env, "entrance.jpg")
    _open(qtbot, page, record)
    images, item = env.services.images, CHECKLIST_ORDER[0]
    images.set_notes(env.staff.manager, record.id or 0, record.version, "Changed elsewhere")
    page.panel.items.rows[item].absent.click()
    _settled(qtbot, page)
    qtbot.waitUntil(page.notice.isVisible, timeout=5000)
    assert "Someone else changed this photo" in page.notice.text_label.text()
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.record.notes == "Changed elsewhere",
        timeout=5000,
    )
    assert page.detail is not None
    assert page.detail.record.answer(item) is Answer.UNANSWERED


def test_signing_out_leaves_no_photo_on_screen(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    _open(qtbot, page, _record(env, "reception-monitor.jpg"))
    page.set_user(None)
    assert page.detail is None
    assert not page.canvas.has_photo
    assert page.model.rowCount() == 0
    assert len(page.cache) == 0
    assert page.right.currentWidget() is page.empty


def test_choosing_a_photo_spot_shows_its_reference_photo_beside_the_notes(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    images = env.services.images
    spots = images.spots()
    with_reference = next(s for s in spots if s.reference_hash)
    without = next(s for s in spots if not s.reference_hash)
    record = next(
        r
        for r in images.list_images(ImageQuery(statuses=(ImageStatus.NEEDS_ATTENTION,)))
        if r.spot_id is None
    )
    _open(qtbot, page, record)
    assert not page.panel.spot_reference_box.isVisibleTo(page.panel)
    combo = page.panel.spot
    combo.setCurrentIndex(combo.findData(with_reference.id))
    combo.activated.emit(combo.currentIndex())
    _settled(qtbot, page)
    assert page.detail is not None
    assert page.detail.record.spot_id == with_reference.id
    assert page.panel.notes.toPlainText() == with_reference.notes
    assert page.panel.spot_reference_box.isVisibleTo(page.panel)
    qtbot.waitUntil(
        lambda: (
            page.panel.spot_reference.pixmap() is not None
            and not page.panel.spot_reference.pixmap().isNull()
        ),
        timeout=10000,
    )
    shown = page.panel.spot_reference.pixmap()
    assert 0 < shown.width() <= 160
    assert 0 < shown.height() <= 120
    # A spot without a reference photo: nothing to compare with, so nothing is shown.
    combo.setCurrentIndex(combo.findData(without.id))
    combo.activated.emit(combo.currentIndex())
    _settled(qtbot, page)
    assert page.detail.record.spot_id == without.id
    assert not page.panel.spot_reference_box.isVisibleTo(page.panel)
