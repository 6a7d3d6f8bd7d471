"""Alt text from the post editor's photo strip, over the real services: each tile says whether
its photo has a description for screen readers, the dialog saves one through the images
service (the photo stays cleared), a patient's name is refused in the dialog with the words
kept, a change made meanwhile elsewhere is not overwritten unseen, and a post that can no
longer be edited only shows the state."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.composer.model import Post
from core.consent.model import Patient
from core.imaging import ImageRecord, ImageStatus
from gui.composer.alt_text import AltTextDialog
from gui.composer.editor import PostEditor
from tests.gui.media_library import library_photo
from tests.gui.page_env import PageEnv, build_env

TEXT = "Our new waiting room plants are in. Come and say hello! #SmileBright"
GARDEN = "Two hygienists laughing beside the plant wall in the waiting room."


@pytest.fixture
def env(clock: ManualClock) -> PageEnv:
    """The demo practice without its posts and photos: these tests bring their own photos."""
    return build_env(clock, with_posts=False)


def draft(env: PageEnv, *photos: ImageRecord) -> Post:
    composer, front = env.services.composer, env.staff.front_desk
    post = composer.new_draft(front, TEXT, ["mastodon", "bluesky"])
    assert post.id is not None
    return composer.autosave(front, post.id, post.version, media=[p.media_hash for p in photos])


def open_in(qtbot: QtBot, editor: PostEditor, post: Post) -> None:
    assert post.id is not None
    editor.open_post(post.id)
    qtbot.waitUntil(
        lambda: editor.post is not None and editor.photos.loaded and bool(editor.photos.tiles),
        timeout=10000,
    )


def describe(qtbot: QtBot, editor: PostEditor, index: int) -> AltTextDialog:
    tile = editor.photos.tiles[index]
    assert tile.alt.button.isVisibleTo(tile)
    tile.alt.button.click()
    dialog = editor.photos.alt_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def stored(env: PageEnv, photo: ImageRecord) -> ImageRecord:
    assert photo.id is not None
    return env.services.images.get(photo.id)


def test_each_tile_says_whether_it_has_alt_text_and_the_dialog_saves_it(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    garden = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    lobby = library_photo(env, tmp_path, "lobby.png", (200, 200, 220))
    assert lobby.id is not None
    lobby = env.services.images.set_alt_text(
        env.staff.manager, lobby.id, lobby.version, "The <b>bright</b> lobby & its sofa"
    )
    open_in(qtbot, editor, draft(env, garden, lobby))
    first, second = editor.photos.tiles
    assert first.alt.button.text() == "Add alt text…"
    assert first.alt.button.accessibleName() == "Add alt text to photo 1"
    assert second.alt.button.text() == "Alt text ✓"
    # The description is the tooltip, as plain text (never rich text).
    assert "&lt;b&gt;bright&lt;/b&gt; lobby &amp; its sofa" in second.alt.button.toolTip()
    assert editor.photos.alt_texts() == ["", "The <b>bright</b> lobby & its sofa"]

    dialog = describe(qtbot, editor, 0)
    assert dialog.edit.toPlainText() == ""
    assert "without names" in dialog.hint.text()
    dialog.edit.setPlainText(f"  {GARDEN} ")
    assert dialog.count.text() == f"{len(GARDEN)} / 1,000"
    with qtbot.waitSignal(editor.photos.alt_text_saved, timeout=10000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.result() == QDialog.DialogCode.Accepted

    record = stored(env, garden)
    assert record.alt_text == GARDEN
    assert record.status is ImageStatus.CLEARED  # no new sign-off needed
    assert record.signoff == garden.signoff
    tile = editor.photos.tiles[0]
    assert tile.alt.button.text() == "Alt text ✓"
    assert GARDEN in tile.alt.button.toolTip()
    assert editor.photos.problems() == []
    assert editor.photos.alt_texts()[0] == GARDEN
    assert not editor.dirty  # the post itself did not change


def test_a_patients_name_is_refused_in_the_dialog_and_the_words_stay(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    env.services.consent.add_patient(
        env.staff.front_desk,
        Patient(id=None, first_name="Odalys", last_name="Brightwater", phone="217-555-0190"),
    )
    garden = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    open_in(qtbot, editor, draft(env, garden))
    dialog = describe(qtbot, editor, 0)
    typed = "Odalys Brightwater smiling in the garden"
    dialog.edit.setPlainText(typed)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.problem.isVisibleTo(dialog), timeout=10000)
    assert dialog.isVisible()
    assert "may tell who someone is" in dialog.problem.text()
    assert "A person's name: “Odalys Brightwater”" in dialog.problem.text()
    assert dialog.edit.toPlainText() == typed
    assert stored(env, garden).alt_text == ""

    dialog.edit.setPlainText("A patient smiling in the garden")
    assert not dialog.problem.isVisibleTo(dialog)
    with qtbot.waitSignal(editor.photos.alt_text_saved, timeout=10000):
        dialog.save_button.click()
    assert stored(env, garden).alt_text == "A patient smiling in the garden"


def test_a_description_changed_meanwhile_is_shown_before_it_is_replaced(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    garden = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    open_in(qtbot, editor, draft(env, garden))
    dialog = describe(qtbot, editor, 0)
    assert garden.id is not None
    env.services.images.set_alt_text(env.staff.manager, garden.id, garden.version, "A garden")
    dialog.edit.setPlainText(GARDEN)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Someone else changed" in dialog.problem.text(), timeout=10000)
    assert "“A garden”" in dialog.problem.text()
    assert dialog.edit.toPlainText() == GARDEN
    assert stored(env, garden).alt_text == "A garden"
    with qtbot.waitSignal(editor.photos.alt_text_saved, timeout=10000):
        dialog.save_button.click()
    assert stored(env, garden).alt_text == GARDEN


def test_too_long_cannot_be_saved_and_a_post_not_editable_only_shows_the_state(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    garden = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    assert garden.id is not None
    garden = env.services.images.set_alt_text(
        env.staff.front_desk, garden.id, garden.version, GARDEN
    )
    post = draft(env, garden)
    open_in(qtbot, editor, post)
    dialog = describe(qtbot, editor, 0)
    assert dialog.edit.toPlainText() == GARDEN
    dialog.edit.setPlainText("x" * 1001)
    assert not dialog.save_button.isEnabled()
    assert "1,000 characters" in dialog.problem.text()
    dialog.reject()
    assert stored(env, garden).alt_text == GARDEN

    composer = env.services.composer
    assert post.id is not None
    post = composer.withdraw(
        env.staff.manager, post.id, post.version, "The plants are not in yet after all."
    )
    open_in(qtbot, editor, post)
    tile = editor.photos.tiles[0]
    assert not tile.alt.button.isVisibleTo(tile)
    assert tile.alt.label.isVisibleTo(tile)
    assert tile.alt.label.text() == "Alt text ✓"
    assert GARDEN in tile.alt.label.toolTip()
    assert editor.photos.describe(garden.media_hash) is None


def test_a_rejected_photo_cannot_be_described_from_the_strip(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    garden = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    post = draft(env, garden)
    assert garden.id is not None
    env.services.images.reject(
        env.staff.manager, garden.id, garden.version, "A chart is readable on the desk."
    )
    open_in(qtbot, editor, post)
    tile = editor.photos.tiles[0]
    assert editor.photos.problems() == [(1, "rejected")]
    assert not tile.alt.button.isVisibleTo(tile)
    assert tile.alt.label.text() == "No alt text"
    assert tile.alt.label.accessibleName() == "Photo 1 has no alt text"
    assert editor.photos.describe(garden.media_hash) is None
