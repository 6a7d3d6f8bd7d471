"""The post editor counts and marks Mastodon text against the practice's server limit (the
posting plan in Settings), not the default 500."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.practice.model import PostingPlan
from core.practice.service import Versioned
from gui.composer.editor import PostEditor
from tests.gui.page_env import PageEnv

TEXT = ("Brush twice a day, floss once, and see us twice a year. " * 12)[:600]


def overflow(editor: PostEditor) -> list[tuple[int, int, str]]:
    return [s for s in editor.highlighter.spans() if s[2] == "overflow"]


def open_mastodon_post(qtbot: QtBot, env: PageEnv, editor: PostEditor) -> None:
    post = env.services.composer.new_draft(env.staff.front_desk, TEXT, ["mastodon"])
    assert post.id is not None
    editor.open_post(post.id)
    qtbot.waitUntil(lambda: editor.post is not None and editor.post.id == post.id)
    editor.select_tab("mastodon")
    qtbot.waitUntil(lambda: editor.current_key() == "mastodon")


def test_a_bigger_server_limit_is_not_overflow(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    current = env.services.practice.posting_plan()
    env.services.practice.save_posting_plan(
        env.staff.admin, Versioned(PostingPlan(mastodon_limit=1000), current.version)
    )
    open_mastodon_post(qtbot, env, editor)
    assert editor.tabs.tabText(editor.tabs.currentIndex()) == "Mastodon 600/1000"
    assert "Mastodon: 400 left" in editor.counter_label.text()
    assert overflow(editor) == []
    editor.select_tab(None)
    assert overflow(editor) == []


def test_the_default_limit_marks_past_500(qtbot: QtBot, env: PageEnv, editor: PostEditor) -> None:
    open_mastodon_post(qtbot, env, editor)
    assert editor.tabs.tabText(editor.tabs.currentIndex()) == "Mastodon 600/500"
    assert overflow(editor) == [(500, 600, "overflow")]


def test_a_new_plan_saved_while_a_post_is_open_counts_at_once(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    open_mastodon_post(qtbot, env, editor)
    assert editor.tabs.tabText(editor.tabs.currentIndex()) == "Mastodon 600/500"
    assert editor.preview.overflowing
    current = env.services.practice.posting_plan()
    env.services.practice.save_posting_plan(
        env.staff.admin, Versioned(PostingPlan(mastodon_limit=1000), current.version)
    )
    editor.reload_plan()
    qtbot.waitUntil(lambda: editor.tabs.tabText(editor.tabs.currentIndex()) == "Mastodon 600/1000")
    assert overflow(editor) == []
    assert not editor.preview.overflowing
