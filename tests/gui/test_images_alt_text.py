"""The Images page's description for screen readers (alt text), driven through the side panel
over the real services: saved like the notes without undoing the sign-off, a description with
a patient's name refused under the field with the words kept to fix, the 1,000-character limit,
and another photo's description shown when it opens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from core.imaging.model import ImageRecord, ImageStatus
from core.imaging.ports import ImageQuery
from gui.hub import SignalHub
from gui.images.page import ImagesPage
from gui.run import settle
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv

GARDEN = "Two hygienists laughing beside the plant wall in the waiting room."


@pytest.fixture
def page(qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner) -> Iterator[ImagesPage]:
    widget = ImagesPage(env.services, hub, runner)
    qtbot.addWidget(widget)
    widget.resize(1150, 760)
    widget.show()
    widget.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(lambda: not widget.scans_pending, timeout=60000)
    yield widget
    widget.set_user(None)
    runner.wait()


def cleared(env: PageEnv) -> list[ImageRecord]:
    query = ImageQuery(statuses=(ImageStatus.CLEARED,), limit=50)
    found = env.services.images.list_images(query)
    assert len(found) >= 2
    return found


def open_photo(qtbot: QtBot, page: ImagesPage, record: ImageRecord) -> None:
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


def settled(qtbot: QtBot, page: ImagesPage) -> None:
    qtbot.waitUntil(lambda: not page.busy and not page.scanning, timeout=30000)
    settle(page.runner)


def test_the_description_is_saved_and_the_photo_stays_cleared(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    record = cleared(env)[0]
    assert record.id is not None
    open_photo(qtbot, page, record)
    card = page.panel.alt_text
    assert card.isVisibleTo(page.panel)
    assert card.edit.toPlainText() == record.alt_text == ""
    assert "without names" in card.hint.text()
    assert not card.save_button.isEnabled()

    card.edit.setPlainText(f"  {GARDEN}  ")
    assert card.save_button.isEnabled()
    assert card.count.text() == f"{len(GARDEN)} / 1,000"
    card.save_button.click()
    settled(qtbot, page)

    stored = env.services.images.get(record.id)
    assert stored.alt_text == GARDEN
    assert stored.status is ImageStatus.CLEARED
    assert stored.signoff == record.signoff
    assert page.detail is not None
    assert page.detail.record.alt_text == GARDEN
    assert page.panel.banner.text_label.text().startswith("Cleared.")
    assert card.edit.toPlainText() == GARDEN
    assert not card.save_button.isEnabled()
    assert not card.problem.isVisibleTo(card)


def test_a_patients_name_is_refused_under_the_field_and_the_words_stay(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    record = cleared(env)[0]
    assert record.id is not None
    known = env.services.consent.known_names()
    assert known
    name = known[0]
    open_photo(qtbot, page, record)
    card = page.panel.alt_text
    typed = f"{name} smiling in the chair"
    card.edit.setPlainText(typed)
    card.save_button.click()
    settled(qtbot, page)
    qtbot.waitUntil(lambda: card.problem.isVisibleTo(card), timeout=10000)

    assert card.problem.text().startswith("Not saved: the description may tell who someone is")
    assert f"• a name: “{name}”" in card.problem.text()
    assert card.edit.toPlainText() == typed  # nothing the person typed is lost
    assert env.services.images.get(record.id).alt_text == ""
    assert env.services.images.get(record.id).status is ImageStatus.CLEARED

    card.edit.setPlainText("A patient smiling in the chair")  # fixed: the refusal goes
    assert not card.problem.isVisibleTo(card)
    card.save_button.click()
    settled(qtbot, page)
    assert env.services.images.get(record.id).alt_text == "A patient smiling in the chair"


def test_the_limit_is_shown_and_another_photo_shows_its_own_description(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    first, second = cleared(env)[:2]
    assert first.id is not None
    assert second.id is not None
    images, desk = env.services.images, env.staff.front_desk
    images.set_alt_text(desk, second.id, second.version, GARDEN)
    open_photo(qtbot, page, first)
    card = page.panel.alt_text
    card.edit.setPlainText("x" * 1001)
    assert not card.save_button.isEnabled()
    assert card.count.text() == "1,001 / 1,000"
    assert card.problem.isVisibleTo(card)
    assert "1,000 characters" in card.problem.text()

    open_photo(qtbot, page, images.get(second.id))
    assert card.edit.toPlainText() == GARDEN
    assert not card.problem.isVisibleTo(card)
    assert not card.save_button.isEnabled()
