"""Content help in the editor: start from a template (placeholders filled from the practice
and the form), ideas from the observance calendar, and hashtag sets."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.composer.model import Post
from gui.composer.editor import PostEditor
from tests.gui.page_env import PageEnv


def opened(qtbot: QtBot, env: PageEnv, editor: PostEditor, text: str = "") -> Post:
    post = env.services.composer.new_draft(env.staff.front_desk, text, ("facebook",))
    editor.open_post(post.id)
    qtbot.waitUntil(lambda: editor.post is not None and editor.practice is not None)
    return post


def test_a_template_fills_the_practice_details_and_the_form(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    post = opened(qtbot, env, editor)
    editor.template_button.click()
    dialog = editor.template_dialog
    dialog.choice.setCurrentIndex(dialog.choice.findData("staff_introduction"))
    assert set(dialog.fields) == {"staff_name", "staff_role", "about"}
    dialog.fields["staff_name"].setText("Dr. Sam Rivera")
    dialog.fields["staff_role"].setText("new hygienist")
    dialog.fields["about"].setText("Sam loves hiking and making nervous patients laugh.")
    dialog.accept()
    text = editor.text.toPlainText()
    assert text.startswith("Meet Dr. Sam Rivera, our new hygienist!")
    assert "{" not in text
    editor.save_now()
    qtbot.waitUntil(lambda: env.services.composer.get(post.id).master_text == text)


def test_a_template_with_a_missing_field_says_what_is_missing(
    qtbot: QtBot, env: PageEnv, editor: PostEditor, shown_errors: list[BaseException]
) -> None:
    opened(qtbot, env, editor)
    editor.template_button.click()
    dialog = editor.template_dialog
    dialog.choice.setCurrentIndex(dialog.choice.findData("holiday_closure"))
    dialog.accept()
    assert shown_errors
    assert shown_errors[-1].params["missing"]
    assert editor.text.toPlainText() == ""


def test_a_template_goes_at_the_cursor_when_there_is_text(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    opened(qtbot, env, editor, "Happy Monday! ")
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    editor._use_template("last_minute_opening", {"when": "today at 3 PM"})
    assert editor.template_dialog.chosen().id == "last_minute_opening"
    editor.template_dialog.accept()
    text = editor.text.toPlainText()
    assert text.startswith("Happy Monday! An appointment just opened up today at 3 PM")


def test_ideas_come_from_the_observance_calendar_and_open_their_template(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    opened(qtbot, env, editor)
    editor._fill_ideas()
    actions = [a for a in editor.ideas_menu.actions() if a.isEnabled()]
    assert actions, "the demo dental practice always has an awareness day within 45 days"
    actions[0].trigger()
    dialog = editor.template_dialog
    assert dialog.chosen().id in {"awareness_month", "awareness_day"}
    assert dialog.fields["observance"].text()


def test_hashtags_for_the_specialty_are_inserted_at_the_cursor(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    opened(qtbot, env, editor, "Brush twice a day.")
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    editor._fill_hashtags()
    actions = editor.hashtag_menu.actions()
    assert actions
    tag = actions[0].text()
    assert tag.startswith("#")
    actions[0].trigger()
    assert editor.text.toPlainText() == f"Brush twice a day. {tag}"
