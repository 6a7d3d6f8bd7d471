"""Photos in the post editor: the picker offers only cleared photos, attaching, reordering and
removing saves with the post, and a photo that is no longer cleared is marked, explained, and
stops the post at submit and approve (the composer's media gate, end to end)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.composer.errors import UnclearedMedia
from core.composer.model import Post, PostState
from core.consent.model import Authorization, MediaKind, Patient, Purpose
from core.imaging import Box, ImageStatus, Redaction, RedactionStyle
from gui.composer.editor import PostEditor
from gui.composer.page import ComposerPage
from gui.composer.photo_picker import PhotoPicker
from gui.composer.photos import problem_text
from gui.hub import SignalHub
from gui.tasks import TaskRunner
from tests.gui.media_library import clear, library_photo
from tests.gui.page_env import PageEnv, build_env

TEXT = "Our new waiting room plants are in. Come and say hello! #SmileBright"


@pytest.fixture
def env(clock: ManualClock) -> PageEnv:
    """The demo practice and staff without the demo's posts, patients and photos: these tests
    bring their own photos into the library."""
    return build_env(clock, with_posts=False)


def draft(env: PageEnv, media: tuple[str, ...] = ()) -> Post:
    composer, front = env.services.composer, env.staff.front_desk
    post = composer.new_draft(front, TEXT, ["facebook", "mastodon"])
    assert post.id is not None
    if media:
        post = composer.autosave(front, post.id, post.version, media=media)
    return post


def open_in(qtbot: QtBot, editor: PostEditor, post: Post) -> None:
    assert post.id is not None
    editor.open_post(post.id)
    qtbot.waitUntil(lambda: editor.post is not None and editor.photos.loaded, timeout=10000)


def saved(qtbot: QtBot, editor: PostEditor) -> None:
    qtbot.waitUntil(lambda: not editor.dirty and editor.photos.loaded, timeout=10000)


def open_picker(qtbot: QtBot, editor: PostEditor) -> PhotoPicker:
    editor.photos.add_button.click()
    picker = editor.photos.picker
    assert picker is not None
    qtbot.waitUntil(lambda: picker.loaded, timeout=10000)
    return picker


def listed(picker: PhotoPicker) -> list[str]:
    model = picker.model
    return [str(model.data(model.index(r))) for r in range(model.rowCount())]


def pick(picker: PhotoPicker, *names: str) -> None:
    model, selection = picker.model, picker.view.selectionModel()
    for row in range(model.rowCount()):
        if model.data(model.index(row)) in names:
            selection.select(model.index(row), selection.SelectionFlag.Select)


def test_the_picker_offers_only_cleared_photos_and_attaching_saves_them_in_order(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    garden = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    lobby = library_photo(env, tmp_path, "lobby.png", (200, 200, 220))
    library_photo(env, tmp_path, "unchecked.jpg", (90, 20, 20), cleared=False)
    post = draft(env)
    open_in(qtbot, editor, post)
    assert editor.photos.empty_label.isVisible()
    assert not editor.photos.tiles

    picker = open_picker(qtbot, editor)
    assert sorted(listed(picker)) == ["garden.jpg", "lobby.png"]  # never the unchecked one
    assert "2 cleared photo(s)" in picker.status_label.text()
    assert not picker.attach_button.isEnabled()
    pick(picker, "garden.jpg", "lobby.png")
    assert picker.attach_button.text() == "Attach 2 photos"
    picker.attach_button.click()
    saved(qtbot, editor)

    listed_order = tuple(  # newest first, as listed
        str(picker.model.data(picker.model.index(r), Qt.ItemDataRole.UserRole)) for r in range(2)
    )
    stored = env.services.composer.get(post.id or 0)
    assert stored.media_hashes == listed_order
    assert set(stored.media_hashes) == {garden.media_hash, lobby.media_hash}
    assert [t.photo.media_hash for t in editor.photos.tiles] == list(listed_order)
    assert all(not t.badge.isVisibleTo(t) for t in editor.photos.tiles)
    assert not editor.photos.problem_label.isVisibleTo(editor)
    assert all(t.picture.pixmap() is not None for t in editor.photos.tiles)

    first, second = listed_order
    editor.photos.tiles[1].earlier_button.click()
    saved(qtbot, editor)
    assert env.services.composer.get(post.id or 0).media_hashes == (second, first)
    editor.photos.tiles[0].remove_button.click()
    saved(qtbot, editor)
    assert env.services.composer.get(post.id or 0).media_hashes == (first,)
    assert len(editor.photos.tiles) == 1
    assert not editor.photos.tiles[0].earlier_button.isEnabled()


def test_the_picker_searches_pages_and_keeps_attached_photos_unselectable(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    garden = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    library_photo(env, tmp_path, "lobby.jpg", (200, 200, 220))
    post = draft(env, (garden.media_hash,))
    open_in(qtbot, editor, post)
    picker = open_picker(qtbot, editor)
    ModelTester(None).check(picker.model)
    assert sorted(listed(picker)) == ["garden.jpg (in this post)", "lobby.jpg"]
    pick(picker, "garden.jpg (in this post)")
    assert picker.chosen() == ()  # already attached: cannot be picked again

    picker.search_edit.setText("LOB")
    qtbot.waitUntil(lambda: picker.loaded and listed(picker) == ["lobby.jpg"], timeout=5000)
    picker.search_edit.setText("waiting room")
    qtbot.waitUntil(lambda: picker.loaded and not listed(picker), timeout=5000)
    assert "No cleared photo matches" in picker.status_label.text()
    picker.reject()
    runner_idle(qtbot, editor)
    assert env.services.composer.get(post.id or 0).media_hashes == (garden.media_hash,)


def runner_idle(qtbot: QtBot, editor: PostEditor) -> None:
    qtbot.waitUntil(lambda: not editor.runner.busy, timeout=5000)


def test_the_picker_says_when_nothing_is_cleared_yet(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    library_photo(env, tmp_path, "unchecked.jpg", (90, 20, 20), cleared=False)
    open_in(qtbot, editor, draft(env))
    picker = open_picker(qtbot, editor)
    assert listed(picker) == []
    assert "No cleared photos yet" in picker.status_label.text()


def test_the_strip_shows_the_redactions_the_export_burns_in(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    images, front = env.services.images, env.staff.front_desk
    photo = library_photo(
        env, tmp_path, "desk.jpg", (250, 250, 250), cleared=False, size=(400, 300)
    )
    assert photo.id is not None
    photo = images.set_redactions(
        front, photo.id, photo.version, [Redaction(Box(0, 0, 200, 300), RedactionStyle.FILL)]
    )
    clear(env, photo, front)
    open_in(qtbot, editor, draft(env, (photo.media_hash,)))
    image = editor.photos.photos[0].image
    assert image is not None
    left, right = (
        image.pixelColor(10, image.height() // 2),
        image.pixelColor(image.width() - 10, image.height() // 2),
    )
    assert left.lightness() < 30  # blacked out, as in the clean copy
    assert right.lightness() > 220


def test_a_photo_that_is_no_longer_cleared_is_explained_and_blocks_submit(
    qtbot: QtBot,
    editor: PostEditor,
    env: PageEnv,
    tmp_path: Path,
    shown_errors: list[BaseException],
) -> None:
    images, front = env.services.images, env.staff.front_desk
    good = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    changed = library_photo(env, tmp_path, "desk.jpg", (230, 230, 230))
    post = draft(env, (good.media_hash, changed.media_hash))
    assert changed.id is not None
    reset = images.set_redactions(
        front, changed.id, changed.version, [Redaction(Box(0, 0, 20, 20))]
    )  # a change after the sign-off drops it
    assert reset.status is ImageStatus.NEEDS_ATTENTION
    open_in(qtbot, editor, post)

    ok_tile, bad_tile = editor.photos.tiles
    assert not ok_tile.badge.isVisibleTo(ok_tile)
    assert bad_tile.badge.isVisibleTo(bad_tile)
    assert bad_tile.badge.text() == "Not cleared"
    why = editor.photos.problem_label.text()
    assert "Photo 2 cannot go out" in why
    assert problem_text("needs_attention") in why
    assert "Images page" in why
    assert editor.photos.problem_label.isVisibleTo(editor)
    assert problem_text("needs_attention") in bad_tile.toolTip()
    qtbot.waitUntil(  # the checks list it with what blocks the post
        lambda: any("cannot go out" in label.text() for label in editor.checks.problem_labels),
        timeout=5000,
    )
    assert editor.checks.status.text() == "1 to fix"

    editor.submit_button.click()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=10000)
    assert isinstance(shown_errors[0], UnclearedMedia)
    assert shown_errors[0].params["count"] == 1
    assert env.services.composer.get(post.id or 0).state is PostState.DRAFT

    bad_tile.remove_button.click()  # take the photo out: now it goes
    saved(qtbot, editor)
    shown_errors.clear()
    editor.submit_button.click()
    qtbot.waitUntil(
        lambda: env.services.composer.get(post.id or 0).state is PostState.IN_REVIEW,
        timeout=10000,
    )
    assert shown_errors == []


def test_the_approver_is_stopped_when_a_photo_changed_after_submit(
    qtbot: QtBot,
    editor: PostEditor,
    env: PageEnv,
    tmp_path: Path,
    shown_errors: list[BaseException],
) -> None:
    images, front = env.services.images, env.staff.front_desk
    photo = library_photo(env, tmp_path, "garden.jpg", (40, 160, 60))
    post = draft(env, (photo.media_hash,))
    assert post.id is not None
    assert photo.id is not None
    post = env.services.composer.submit(front, post.id, post.version)
    images.reject(front, photo.id, photo.version, "The lab coat shows a name badge.")

    editor.set_user(env.staff.manager)
    open_in(qtbot, editor, post)
    assert editor.photos.tiles[0].badge.text() == "Not cleared"
    assert problem_text("rejected") in editor.photos.problem_label.text()
    editor.approve_button.click()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=10000)
    assert isinstance(shown_errors[0], UnclearedMedia)
    assert env.services.composer.get(post.id).state is PostState.IN_REVIEW


def test_a_photo_missing_from_the_library_is_marked(
    qtbot: QtBot, editor: PostEditor, env: PageEnv
) -> None:
    open_in(qtbot, editor, draft(env, ("e" * 64,)))
    tile = editor.photos.tiles[0]
    assert tile.badge.text() == "Missing"
    assert tile.picture.text() == "No preview"
    assert problem_text("missing") in editor.photos.problem_label.text()


def test_a_photo_whose_patient_consent_does_not_cover_a_platform_is_marked(
    qtbot: QtBot, editor: PostEditor, env: PageEnv, tmp_path: Path
) -> None:
    consent, front = env.services.consent, env.staff.front_desk
    photo = library_photo(env, tmp_path, "smile.jpg", (250, 180, 170))
    patient = consent.add_patient(
        front, Patient(id=None, first_name="Rosa", last_name="Delgado", phone="217-555-0190")
    )
    assert patient.id is not None
    today = consent.today()
    consent.save_authorization(
        front,
        Authorization(
            id=None,
            patient_id=patient.id,
            form_version=consent.form().version,
            media_kinds=frozenset({MediaKind.PHOTO}),
            media_description="Photos of my smile",
            discloser="Maple Grove Family Dental",
            recipients=frozenset({"facebook"}),
            purposes=frozenset({Purpose.SOCIAL_MEDIA}),
            expires_on=today + timedelta(days=365),
            signed_on=today,
            signer_name="Rosa Delgado",
            statement_right_to_revoke=True,
            statement_treatment_not_conditioned=True,
            statement_redisclosure=True,
            taken_by=0,
            taken_at=env.clock.now(),
            media_hashes=(photo.media_hash,),
        ),
        scan=b"signed form",
    )
    open_in(qtbot, editor, draft(env, (photo.media_hash,)))  # Facebook and Mastodon
    tile = editor.photos.tiles[0]
    assert tile.badge.text() == "No consent"
    assert problem_text("no_consent") in editor.photos.problem_label.text()
    assert "Consent page" in editor.photos.problem_label.text()

    editor.platform_buttons["mastodon"].click()  # Facebook only: the consent covers it
    saved(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.photos.problems(), timeout=5000)
    assert not editor.photos.tiles[0].badge.isVisibleTo(editor.photos.tiles[0])
    assert not editor.photos.problem_label.isVisibleTo(editor)


def test_the_page_reads_attached_photos_again_when_the_images_page_changes_one(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, tmp_path: Path
) -> None:
    images, front = env.services.images, env.staff.front_desk
    photo = library_photo(env, tmp_path, "garden.jpg", (42, 160, 60))
    post = draft(env, (photo.media_hash,))
    page = ComposerPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.set_user(front)
    page.open_post(post.id or 0)
    strip = page.editor.photos
    qtbot.waitUntil(lambda: strip.loaded and len(strip.tiles) == 1, timeout=10000)
    assert strip.problems() == []
    assert photo.id is not None
    images.reject(front, photo.id, photo.version, "A chart is readable on the desk.")
    hub.data_changed.emit("images")  # what the Images page announces after a change
    qtbot.waitUntil(lambda: strip.problems() == [(1, "rejected")], timeout=10000)
    assert strip.tiles[0].badge.text() == "Not cleared"
    page.set_user(None)
    runner.wait()
