"""The manual publish dialog: copy each platform's text (kept out of clipboard history), save
clean photos, open the platform, paste the live link, and record it, partly or all at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from core.composer.model import Post, PostState
from core.composer.ports import PostQuery
from core.errors import EditConflict
from gui.composer import manual_steps
from gui.composer.manual_publish import ManualPublishDialog
from gui.composer.manual_steps import HISTORY_HINT_MIME, clipboard_data
from gui.tasks import TaskRunner
from tests.gui.media_library import library_photo
from tests.gui.page_env import PageEnv

MASTER = "Spring check-ups are open! Book a visit this month. #SmileBright"
X_TEXT = "Spring check-ups are open! #SmileBright"


class Media:
    """Cleared photos in the image library (imported, scanned and signed off), by hash."""

    def __init__(self, env: PageEnv, folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.count = 0

    def add(self, name: str, fmt: str = "JPEG") -> str:
        self.count += 1
        suffix = ".png" if fmt == "PNG" else ".jpg"
        colour = (200, 40 + self.count, 40)
        return library_photo(self.env, self.folder, name + suffix, colour).media_hash


@pytest.fixture
def media(env: PageEnv, tmp_path: Path) -> Media:
    folder = tmp_path / "photos"
    folder.mkdir()
    return Media(env, folder)


def approved_post(env: PageEnv, platforms: list[str], media: tuple[str, ...] = ()) -> Post:
    """A post written and submitted by the front desk and approved by the manager; X gets
    its own shorter text."""
    composer, front = env.services.composer, env.staff.front_desk
    post = composer.new_draft(front, MASTER, platforms)
    assert post.id is not None
    variants: dict[str, str | None] = {"x": X_TEXT} if "x" in platforms else {}
    post = composer.autosave(front, post.id, post.version, variants=variants, media=media)
    post = composer.submit(front, post.id, post.version)
    return composer.approve(env.staff.manager, post.id, post.version)


def open_dialog(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, post: Post, media: Media
) -> ManualPublishDialog:
    dialog = ManualPublishDialog(env.services, runner, post, env.staff.front_desk)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and not dialog.busy, timeout=5000)
    return dialog


def test_copy_puts_each_platforms_own_text_on_the_clipboard_marked_secret(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, media: Media
) -> None:
    post = approved_post(env, ["x", "facebook"])
    dialog = open_dialog(qtbot, env, runner, post, media)
    clipboard = QGuiApplication.clipboard()
    dialog.card("x").copy_button.click()
    assert clipboard.text() == X_TEXT
    data = clipboard.mimeData()
    assert data is not None
    assert bytes(data.data(HISTORY_HINT_MIME).data()) == b"secret"
    assert "Copied" in dialog.card("x").copy_note.text()
    dialog.card("facebook").copy_button.click()
    assert clipboard.text() == MASTER


def test_on_windows_the_copy_is_kept_out_of_clipboard_history() -> None:
    data = clipboard_data("hello", "win32")
    formats = data.formats()
    exclude = 'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"'
    assert exclude in formats
    history = 'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"'
    assert bytes(data.data(history).data()) == b"\x00\x00\x00\x00"
    assert data.text() == "hello"
    assert not any("windows" in f for f in clipboard_data("hello", "linux").formats())


def test_save_photos_writes_clean_numbered_files_off_the_gui_thread(
    qtbot: QtBot,
    env: PageEnv,
    runner: TaskRunner,
    media: Media,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    photo, scan = media.add("photo"), media.add("scan", "PNG")
    post = approved_post(env, ["facebook", "instagram"], (photo, scan))
    dialog = open_dialog(qtbot, env, runner, post, media)
    out = tmp_path / "Pictures"
    out.mkdir()
    asked: list[Path] = []

    def ask(_parent: object, _title: str, start: Path) -> Path:
        asked.append(start)
        return out

    monkeypatch.setattr(manual_steps, "ask_folder", ask)
    card = dialog.card("facebook")
    card.export_button.click()
    qtbot.waitUntil(lambda: card.report is not None, timeout=10000)
    assert card.report is not None
    names = [p.name for p in card.report.saved]
    assert names == [f"post-{post.id}-facebook-1.jpg", f"post-{post.id}-facebook-2.png"]
    assert card.report.problems == ()
    for path in card.report.saved:
        with Image.open(path) as clean:
            assert clean.size == (160, 120)
            assert not clean.getexif()
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert "Saved 2 photo(s)" in card.export_note.text()
    assert card.show_folder_button.isVisibleTo(card)
    assert card.export_button.isEnabled()

    other = dialog.card("instagram")
    other.export_button.click()  # the folder chosen once is used again
    qtbot.waitUntil(lambda: other.report is not None, timeout=10000)
    assert len(asked) == 1
    assert (out / f"post-{post.id}-instagram-1.jpg").is_file()


def test_cancelling_the_folder_saves_nothing(
    qtbot: QtBot,
    env: PageEnv,
    runner: TaskRunner,
    media: Media,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = approved_post(env, ["facebook"], (media.add("photo"),))
    dialog = open_dialog(qtbot, env, runner, post, media)
    monkeypatch.setattr(manual_steps, "ask_folder", lambda *_args: None)
    card = dialog.card("facebook")
    card.export_button.click()
    assert not runner.busy
    assert card.report is None


def test_open_goes_to_the_platforms_composer(
    qtbot: QtBot,
    env: PageEnv,
    runner: TaskRunner,
    media: Media,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(manual_steps, "open_url", lambda url: opened.append(url) or True)
    post = approved_post(env, ["facebook", "instagram", "mastodon"], (media.add("photo"),))
    dialog = open_dialog(qtbot, env, runner, post, media)
    dialog.card("facebook").open_button.click()
    assert opened == [QUrl("https://business.facebook.com/latest/composer")]
    assert "phone" in dialog.card("instagram").open_note.text()
    mastodon = dialog.card("mastodon")
    assert not mastodon.open_button.isVisibleTo(mastodon)
    assert "server" in mastodon.open_note.text()


@pytest.mark.parametrize(
    ("platform", "url", "problem"),
    [
        ("facebook", "facebook.com/posts/1", "https://"),
        ("facebook", "https://www.facebook.com/maple posts", "https://"),
        ("facebook", "https://example.com/posts/1", "not on Facebook"),
        ("facebook", "https://facebook.com.evil.example/p", "not on Facebook"),
        ("x", "https://twitter.com.example/status/1", "not on X"),
        ("facebook", "https://www.facebook.com/maplegrove/posts/1", None),
        ("facebook", "https://m.facebook.com/story.php?id=1", None),
        ("x", "https://x.com/maple/status/1", None),
        ("gbp", "https://posts.gle/AbC123", None),
        ("mastodon", "https://dental.social/@maple/1", None),
    ],
)
def test_the_live_link_must_be_a_web_address_on_the_platform(
    qtbot: QtBot,
    env: PageEnv,
    runner: TaskRunner,
    media: Media,
    platform: str,
    url: str,
    problem: str | None,
) -> None:
    post = approved_post(env, [platform])
    dialog = open_dialog(qtbot, env, runner, post, media)
    card = dialog.card(platform)
    card.url_edit.setText(url)
    if problem is None:
        assert card.url_problem() is None
        assert not card.url_error.isVisibleTo(card)
        assert dialog.mark_button.isEnabled()
    else:
        assert problem in (card.url_problem() or "")
        assert card.url_error.isVisibleTo(card)
        assert not dialog.mark_button.isEnabled()


def test_mark_published_records_part_then_all_and_the_post_is_published(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, media: Media
) -> None:
    post = approved_post(env, ["x", "facebook"])
    assert post.id is not None
    dialog = open_dialog(qtbot, env, runner, post, media)
    assert not dialog.mark_button.isEnabled()  # nothing pasted yet
    assert dialog.status_label.text() == "0 of 2 done"

    dialog.card("facebook").url_edit.setText("  https://www.facebook.com/maple/posts/77  ")
    with qtbot.waitSignal(dialog.recorded, timeout=5000) as recorded:
        dialog.mark_button.click()
    assert recorded.args[0].state is PostState.PUBLISHING
    qtbot.waitUntil(lambda: dialog.loaded and not dialog.busy, timeout=5000)
    facebook = dialog.card("facebook")
    assert facebook.done
    assert "https://www.facebook.com/maple/posts/77" in facebook.done_label.text()
    assert dialog.status_label.text() == "1 of 2 done"
    assert dialog.post.state is PostState.PUBLISHING
    history = env.services.composer.history(post.id)
    assert [(p.platform, p.url) for p in history.publications] == [
        ("facebook", "https://www.facebook.com/maple/posts/77")
    ]

    dialog.card("x").url_edit.setText("https://x.com/maple/status/5")
    with qtbot.waitSignal(dialog.published, timeout=5000) as published:
        dialog.mark_button.click()
    assert published.args[0].state is PostState.PUBLISHED
    qtbot.waitUntil(lambda: dialog.loaded and not dialog.busy, timeout=5000)
    assert env.services.composer.get(post.id).state is PostState.PUBLISHED
    entries = env.services.publishing.entries(post.id)
    assert {e.platform for e in entries} == set(post.platforms)
    assert {e.status.value for e in entries} == {"sent"}  # the outbox agrees: never sent again
    assert dialog.card("x").done
    assert dialog.banner is not None
    assert "Published everywhere" in dialog.banner.text_label.text()
    assert not dialog.mark_button.isEnabled()


def test_platforms_recorded_earlier_show_as_done(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, media: Media
) -> None:
    posts, _ = env.services.composer.list(PostQuery(states=(PostState.PUBLISHING,), limit=5))
    post = posts[0]  # the demo's post that is live on Facebook and still due on Google
    dialog = open_dialog(qtbot, env, runner, post, media)
    assert dialog.card("facebook").done
    assert not dialog.card("facebook").steps.isVisibleTo(dialog.card("facebook"))
    assert not dialog.card("gbp").done
    assert dialog.status_label.text() == "1 of 2 done"
    dialog.card("gbp").url_edit.setText("https://business.google.com/posts/maple/9")
    with qtbot.waitSignal(dialog.published, timeout=5000):
        dialog.mark_button.click()


def test_a_conflicting_save_is_shown_and_the_dialog_catches_up(
    qtbot: QtBot,
    env: PageEnv,
    runner: TaskRunner,
    media: Media,
    shown_errors: list[BaseException],
) -> None:
    post = approved_post(env, ["facebook"])
    assert post.id is not None
    dialog = open_dialog(qtbot, env, runner, post, media)
    at = env.clock.now() + timedelta(days=2)
    env.services.composer.schedule(env.staff.manager, post.id, post.version, at)
    dialog.card("facebook").url_edit.setText("https://www.facebook.com/maple/posts/1")
    dialog.mark_button.click()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)
    assert isinstance(shown_errors[0], EditConflict)
    qtbot.waitUntil(lambda: dialog.post.state is PostState.SCHEDULED and not dialog.busy)
    assert dialog.card("facebook").url() == "https://www.facebook.com/maple/posts/1"
    with qtbot.waitSignal(dialog.published, timeout=5000):
        dialog.mark_button.click()
    assert shown_errors[1:] == []


def test_a_post_not_approved_cannot_be_published_here(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, media: Media
) -> None:
    post = env.services.composer.new_draft(env.staff.front_desk, MASTER, ["facebook"])
    dialog = open_dialog(qtbot, env, runner, post, media)
    assert dialog.banner is not None
    assert "not approved" in dialog.banner.text_label.text()
    card = dialog.card("facebook")
    assert not card.steps.isEnabled()
    card.url_edit.setText("https://www.facebook.com/maple/posts/1")
    assert not dialog.mark_button.isEnabled()
