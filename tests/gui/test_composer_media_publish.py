"""Publishing a post with photos by hand: the clean copies come from the image library (upright,
no metadata, the photo's redactions burned in), a photo whose sign-off no longer holds is not
saved and the reason is said in plain words, and recording the live link is refused while a
photo is not cleared."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.composer.errors import UnclearedMedia
from core.composer.model import Post, PostState
from core.imaging import Box, ImageRecord, Redaction
from gui.composer import manual_steps
from gui.composer.manual_publish import ManualPublishDialog
from gui.tasks import TaskRunner
from tests.gui.media_library import clear, finish, library_photo
from tests.gui.page_env import PageEnv, build_env

TEXT = "Spring check-ups are open! Book a visit this month. #SmileBright"


@pytest.fixture
def env(clock: ManualClock) -> PageEnv:
    """The demo practice and staff without the demo's posts, patients and photos: these tests
    bring their own photos into the library."""
    return build_env(clock, with_posts=False)


def phone_photo(env: PageEnv, folder: Path) -> ImageRecord:
    """A 60 x 40 JPEG as phones save it: turned by EXIF orientation 6, with a GPS position; the
    left half of the upright picture is red, the right half blue."""
    upright = Image.new("RGB", (40, 60), (220, 30, 30))
    upright.paste((30, 30, 220), (20, 0, 40, 60))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # undone by orientation 6
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (39.0, 47.0, 1.5), 3: "W", 4: (104.0, 59.0, 2.5)})
    path = folder / "phone.jpg"
    stored.save(path, "JPEG", exif=exif, quality=95)
    images, front = env.services.images, env.staff.front_desk
    result = finish(images.import_files(front, [path]))
    record = images.get(result.imported[0])
    assert record.id is not None
    record = finish(images.scan(front, record.id))
    assert "gps" in (record.report.metadata if record.report else {})
    record = images.set_redactions(  # the blue half hidden
        front, record.id, record.version, [Redaction(Box(20, 0, 20, 60))]
    )
    return clear(env, record, front)


def approved(env: PageEnv, media: tuple[str, ...]) -> Post:
    composer, front = env.services.composer, env.staff.front_desk
    post = composer.new_draft(front, TEXT, ["facebook", "instagram"])
    assert post.id is not None
    post = composer.autosave(front, post.id, post.version, media=media)
    post = composer.submit(front, post.id, post.version)
    return composer.approve(env.staff.manager, post.id, post.version)


def open_dialog(qtbot: QtBot, env: PageEnv, runner: TaskRunner, post: Post) -> ManualPublishDialog:
    dialog = ManualPublishDialog(env.services, runner, post, env.staff.front_desk)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and not dialog.busy, timeout=5000)
    return dialog


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Pictures"
    folder.mkdir()
    monkeypatch.setattr(manual_steps, "ask_folder", lambda *_args: folder)
    return folder


def test_clean_copies_come_from_the_library_with_redactions_burned_in(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, tmp_path: Path, out: Path
) -> None:
    phone = phone_photo(env, tmp_path)
    drawing = library_photo(env, tmp_path, "poster.png", (10, 120, 10))
    post = approved(env, (phone.media_hash, drawing.media_hash))
    dialog = open_dialog(qtbot, env, runner, post)
    card = dialog.card("facebook")
    card.export_button.click()
    qtbot.waitUntil(lambda: card.report is not None, timeout=10000)
    assert card.report is not None
    names = [p.name for p in card.report.saved]
    assert names == [f"post-{post.id}-facebook-1.jpg", f"post-{post.id}-facebook-2.png"]
    assert card.report.problems == ()
    first = out / names[0]
    with Image.open(first) as clean:
        assert clean.size == (40, 60)  # upright
        assert not clean.getexif()
        rgb = clean.convert("RGB")
        red, hidden = rgb.getpixel((8, 30)), rgb.getpixel((32, 30))
    assert red[0] > 180  # the visible half is still there
    assert max(hidden) < 40  # the redaction is burned in: black, not blue
    raw = first.read_bytes()
    assert b"Exif" not in raw
    assert b"GPS" not in raw
    assert "Saved 2 photo(s)" in card.export_note.text()


def test_a_photo_no_longer_cleared_or_missing_is_not_saved_and_the_reason_is_given(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, tmp_path: Path, out: Path
) -> None:
    images, front = env.services.images, env.staff.front_desk
    kept = library_photo(env, tmp_path, "garden.jpg", (40, 161, 60))
    changed = library_photo(env, tmp_path, "desk.jpg", (231, 230, 230))
    lost = library_photo(env, tmp_path, "lost.jpg", (12, 34, 56))
    post = approved(env, (kept.media_hash, changed.media_hash, lost.media_hash))
    assert changed.id is not None
    images.set_redactions(front, changed.id, changed.version, [Redaction(Box(0, 0, 9, 9))])
    original = images.original_path(lost)
    assert original is not None
    original.unlink()

    dialog = open_dialog(qtbot, env, runner, post)
    card = dialog.card("instagram")
    card.export_button.click()
    qtbot.waitUntil(lambda: card.report is not None, timeout=10000)
    assert card.report is not None
    assert [p.name for p in card.report.saved] == [f"post-{post.id}-instagram-1.jpg"]
    assert card.report.problems == ((2, "not_cleared"), (3, "missing"))
    assert sorted(p.name for p in out.iterdir()) == [f"post-{post.id}-instagram-1.jpg"]
    note = card.export_note.text()
    assert "Photo 2: its background checklist is no longer signed off" in note
    assert "Photo 3: the photo is missing from the practice's photo library." in note


def test_recording_the_live_link_is_refused_while_a_photo_is_not_cleared(
    qtbot: QtBot,
    env: PageEnv,
    runner: TaskRunner,
    tmp_path: Path,
    shown_errors: list[BaseException],
) -> None:
    images, front = env.services.images, env.staff.front_desk
    photo = library_photo(env, tmp_path, "garden.jpg", (41, 160, 60))
    post = approved(env, (photo.media_hash,))
    assert photo.id is not None
    images.reject(front, photo.id, photo.version, "A chart is readable on the desk.")
    dialog = open_dialog(qtbot, env, runner, post)
    dialog.card("facebook").url_edit.setText("https://www.facebook.com/smilebright/posts/1")
    assert dialog.mark_button.isEnabled()
    dialog.mark_button.click()
    qtbot.waitUntil(lambda: bool(shown_errors) and not dialog.busy, timeout=10000)
    assert isinstance(shown_errors[0], UnclearedMedia)
    assert env.services.composer.get(post.id or 0).state is PostState.APPROVED
