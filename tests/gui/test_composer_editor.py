"""The post editor, driven as a person would: type, see counters and findings, be blocked,
let a finding through with a reason, submit, and approve as someone else."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from core.composer.model import Post, PostState
from core.composer.ports import EditorState, PostQuery
from core.staff.model import StaffMember
from gui.composer import editor as editor_module
from gui.composer.editor import PostEditor
from gui.composer.highlight import Utf16Map
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv

RISKY = "Mrs. Alvarez, 78, came in yesterday for her crown. Book your cleaning today!"
SAFE = "Flossing once a day keeps gum disease away. Call us to book your cleaning!"


def new_post(
    env: PageEnv, author: StaffMember, text: str = "", platforms=("facebook", "x")
) -> Post:
    return env.services.composer.new_draft(author, text, platforms)


def open_and_wait(qtbot: QtBot, editor: PostEditor, post_id: int) -> None:
    editor.open_post(post_id)
    qtbot.waitUntil(lambda: editor.post is not None and editor.post.id == post_id)
    qtbot.waitUntil(lambda: editor.result is not None)


def type_text(qtbot: QtBot, editor: PostEditor, text: str) -> None:
    editor.text.setFocus()
    qtbot.keyClicks(editor.text, text)


def settle(qtbot: QtBot, editor: PostEditor) -> None:
    """Wait for the autosave and the check of what was typed."""
    editor.save_now()
    qtbot.waitUntil(lambda: not editor.dirty and not editor._saving, timeout=5000)
    editor._schedule_check(0)
    generation = editor._check_generation
    qtbot.waitUntil(lambda: editor.result is not None and editor._check_generation == generation)
    qtbot.wait(50)


def test_typing_updates_counters_at_once_and_marks_text_past_x_limit(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    post = new_post(env, env.staff.front_desk)
    open_and_wait(qtbot, editor, post.id)
    assert [editor.tabs.tabText(i) for i in range(editor.tabs.count())] == [
        "All platforms",
        "X 0/280",
        "Facebook",
    ]
    type_text(qtbot, editor, "Smile! " * 45)  # 315 characters
    assert editor.tabs.tabText(1) == "X 315/280"
    assert "X: 35 over" in editor.counter_label.text()
    overflow = [s for s in editor.highlighter.spans() if s[2] == "overflow"]
    assert overflow == [(280, 315, "overflow")]
    editor.select_tab("x")
    assert editor.text.toPlainText() == "Smile! " * 45
    assert [s for s in editor.highlighter.spans() if s[2] == "overflow"] == [(280, 315, "overflow")]


def test_findings_are_underlined_explained_and_block_submitting(
    qtbot: QtBot, env: PageEnv, editor: PostEditor, shown_errors: list[BaseException]
) -> None:
    post = new_post(env, env.staff.front_desk)
    open_and_wait(qtbot, editor, post.id)
    type_text(qtbot, editor, RISKY)
    settle(qtbot, editor)
    kinds = {f.finding.kind for f in editor.result.findings}
    assert {"name", "age"} <= kinds
    marked = [s for s in editor.highlighter.spans() if s[2] == "finding"]
    assert (RISKY.index("Alvarez"), RISKY.index(","), "finding") in marked
    assert (RISKY.index("78"), RISKY.index("78") + 2, "finding") in marked
    tip = editor.finding_tip(6)
    assert "name" in tip.lower()
    assert any("Alvarez" in line for line in editor.checks.texts())
    assert editor.checks.status.text().endswith("to fix")

    editor.submit_button.click()
    qtbot.waitUntil(lambda: bool(shown_errors))
    assert getattr(shown_errors[-1], "code", "") == "post_open_findings"
    assert env.services.composer.get(post.id).state is PostState.DRAFT


def test_override_with_reason_lets_the_post_through_and_is_recorded(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    post = new_post(
        env, env.staff.front_desk, "Our new hygienist Mrs. Alvarez starts Monday! Call to book."
    )
    open_and_wait(qtbot, editor, post.id)
    findings = list(editor.result.open_findings)
    assert findings, "the honorific + surname must be flagged"
    for item in findings:
        editor._override(item)
        dialog = editor.override_dialog
        assert not dialog.ok_button.isEnabled()
        dialog.text.setPlainText("She is our new hygienist, not a patient.")
        assert dialog.ok_button.isEnabled()
        dialog.accept()
    assert editor.checks.status.text() == "Ready"
    editor.submit_button.click()
    qtbot.waitUntil(lambda: editor.post.state is PostState.IN_REVIEW, timeout=5000)
    history = env.services.composer.history(post.id)
    assert len(history.overrides) == len(findings)
    assert history.overrides[0].reason == "She is our new hygienist, not a patient."


def test_the_author_cannot_approve_and_another_approver_can(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    post = new_post(env, env.staff.front_desk, SAFE)
    post = env.services.composer.submit(env.staff.front_desk, post.id, post.version)
    open_and_wait(qtbot, editor, post.id)
    assert editor.approve_button.isVisible()
    assert not editor.approve_button.isEnabled()  # front desk: no approver role

    editor.set_user(env.staff.manager)
    open_and_wait(qtbot, editor, post.id)
    assert editor.approve_button.isEnabled()
    editor.approve_button.click()
    qtbot.waitUntil(lambda: editor.post.state is PostState.APPROVED, timeout=5000)
    assert env.services.composer.get(post.id).approver_id == env.staff.manager.id
    assert editor.schedule_button.isVisible()


def test_an_edit_after_approval_goes_back_to_review_and_the_approver_sees_the_change(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    composer = env.services.composer
    post = new_post(env, env.staff.front_desk, SAFE)
    post = composer.submit(env.staff.front_desk, post.id, post.version)
    post = composer.approve(env.staff.manager, post.id, post.version)
    open_and_wait(qtbot, editor, post.id)
    assert editor.banner.isVisible()
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    type_text(qtbot, editor, " Walk-ins welcome.")
    settle(qtbot, editor)
    assert composer.get(post.id).state is PostState.IN_REVIEW

    editor.set_user(env.staff.manager)
    open_and_wait(qtbot, editor, post.id)
    qtbot.waitUntil(lambda: bool(editor.review.change_labels))
    shown = editor.review.change_labels[0].text()
    assert "Walk-ins welcome." in shown
    assert "underline" in shown


def test_autosave_keeps_text_tab_and_cursor_for_the_next_opening(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    post = new_post(env, env.staff.front_desk)
    open_and_wait(qtbot, editor, post.id)
    type_text(qtbot, editor, "Flu shots are in! ")
    editor.text.insertPlainText("\U0001f489")  # QTest cannot type outside the BMP
    type_text(qtbot, editor, " Book today.")
    editor.select_tab("x")
    type_text(qtbot, editor, " #FluSeason")
    cursor = editor.text.textCursor()
    cursor.setPosition(Utf16Map(editor.text.toPlainText()).to_qt(20))
    editor.text.setTextCursor(cursor)
    editor.close_post()
    qtbot.waitUntil(lambda: env.services.composer.editor_state(post.id).tab == "x")

    saved = env.services.composer.get(post.id)
    assert saved.master_text == "Flu shots are in! \U0001f489 Book today."
    assert saved.variants["x"].edited
    assert saved.variants["x"].text.endswith("#FluSeason")
    assert env.services.composer.editor_state(post.id) == EditorState("x", 20)

    open_and_wait(qtbot, editor, post.id)
    assert editor.current_key() == "x"
    assert Utf16Map(editor.text.toPlainText()).to_python(editor.text.textCursor().position()) == 20


def test_autosave_does_not_wait_for_a_pause_in_typing(
    qtbot: QtBot, env: PageEnv, editor: PostEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = new_post(env, env.staff.front_desk)
    open_and_wait(qtbot, editor, post.id)
    monkeypatch.setattr(editor_module, "MAX_UNSAVED_MS", 0)
    type_text(qtbot, editor, "A")  # the first key press already saves, no pause needed
    qtbot.waitUntil(lambda: env.services.composer.get(post.id).master_text == "A")


def test_a_platform_tab_can_be_tailored_and_reset(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    post = new_post(env, env.staff.front_desk, SAFE)
    open_and_wait(qtbot, editor, post.id)
    editor.select_tab("facebook")
    assert "Follows the main text" in editor.variant_label.text()
    assert not editor.reset_button.isVisible()
    type_text(qtbot, editor, " See you soon!")
    assert "Tailored for Facebook" in editor.variant_label.text()
    assert editor.reset_button.isVisible()
    settle(qtbot, editor)
    assert env.services.composer.get(post.id).variants["facebook"].edited
    editor.reset_button.click()
    assert editor.text.toPlainText() == SAFE
    settle(qtbot, editor)
    assert not env.services.composer.get(post.id).variants["facebook"].edited


def test_platform_chips_add_and_remove_tabs(qtbot: QtBot, env: PageEnv, editor: PostEditor) -> None:
    post = new_post(env, env.staff.front_desk, SAFE)
    open_and_wait(qtbot, editor, post.id)
    editor.platform_buttons["bluesky"].click()
    assert "bluesky" in editor._tab_keys
    editor.platform_buttons["x"].click()
    assert "x" not in editor._tab_keys
    settle(qtbot, editor)
    assert env.services.composer.get(post.id).platforms == ("bluesky", "facebook")


def test_signing_out_saves_and_shows_nothing(
    qtbot: QtBot, env: PageEnv, editor: PostEditor, runner: TaskRunner
) -> None:
    post = new_post(env, env.staff.front_desk)
    open_and_wait(qtbot, editor, post.id)
    type_text(qtbot, editor, "Open late on Thursdays.")
    editor.set_user(None)
    assert editor.text.toPlainText() == ""
    assert not editor.isEnabled()
    runner.wait()
    qtbot.waitUntil(
        lambda: env.services.composer.get(post.id).master_text == "Open late on Thursdays."
    )


def test_a_published_post_is_read_only(qtbot: QtBot, env: PageEnv, editor: PostEditor) -> None:
    published = env.services.composer.list(PostQuery(states=(PostState.PUBLISHED,), limit=1))[0][0]
    open_and_wait(qtbot, editor, published.id)
    assert editor.text.isReadOnly()
    assert editor.withdraw_button.text() == "Take down…"
    assert not editor.platform_buttons["x"].isEnabled()


@pytest.mark.parametrize(
    ("text", "index", "qt"),
    [("abc", 2, 2), ("\U0001f489abc", 1, 2), ("a\U0001f489b\U0001f637c", 4, 6), ("", 0, 0)],
)
def test_utf16_map_converts_both_ways(text: str, index: int, qt: int) -> None:
    positions = Utf16Map(text)
    assert positions.to_qt(index) == qt
    assert positions.to_python(qt) == index


def test_a_save_from_another_computer_meanwhile_loses_nothing(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    composer = env.services.composer
    post = new_post(env, env.staff.front_desk, "Open Saturday.")
    open_and_wait(qtbot, editor, post.id)
    composer.autosave(env.staff.admin, post.id, post.version, master_text="Open Sunday.")
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    type_text(qtbot, editor, " Walk-ins welcome.")
    editor.save_now()
    qtbot.waitUntil(editor.conflict_banner.isVisible)
    assert editor.text.toPlainText() == "Open Saturday. Walk-ins welcome."
    assert composer.get(post.id).master_text == "Open Sunday."

    keep = next(
        b for b in editor.conflict_banner.findChildren(QPushButton) if b.text() == "Keep my text"
    )
    keep.click()
    qtbot.waitUntil(lambda: composer.get(post.id).master_text == "Open Saturday. Walk-ins welcome.")
    assert not editor.conflict_banner.isVisible()


def test_a_draft_sent_back_says_who_asked_for_what(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    composer = env.services.composer
    post = new_post(env, env.staff.front_desk, SAFE)
    post = composer.submit(env.staff.front_desk, post.id, post.version)
    composer.request_changes(env.staff.manager, post.id, post.version, "Add our booking link.")
    open_and_wait(qtbot, editor, post.id)
    assert editor.banner.isVisible()
    assert editor.banner.text_label.text() == "Marcus Bell asked for changes: Add our booking link."
