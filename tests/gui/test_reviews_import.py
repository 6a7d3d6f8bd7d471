"""Importing reviews from a file (preview with per-row problems, one all-or-nothing import)
and adding one review typed in or pasted from the clipboard."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from pytestqt.qtbot import QtBot

from core.reviews.ports import ReviewQuery
from core.reviews.service import ImportResult
from gui.reviews import import_dialog
from gui.reviews.import_dialog import AddReviewDialog, ImportDialog
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv

HEADER = "Site,Review ID,Author,Stars,Date,Review,Link"
GOOD = [
    'google,g-1,Ann B.,5,2026-10-01,"Friendly team, spotless rooms.",https://maps.google.com/r/1',
    'yelp,y-1,Bob C.,2,2026-10-03,"Waited forty minutes; billing was confusing.",',
    "healthgrades,h-1,Cy D.,4,10/07/2026,Booked online in two minutes.,",
]


def write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def stored(env: PageEnv) -> int:
    return env.services.reviews.count(ReviewQuery(text="", limit=100_000))


@pytest.fixture
def dialog(qtbot: QtBot, env: PageEnv, runner: TaskRunner) -> ImportDialog:
    widget = ImportDialog(env.services, runner, env.staff.front_desk)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def preview(qtbot: QtBot, dialog: ImportDialog, path: Path) -> None:
    dialog.load_file(path)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10_000)


def refused(qtbot: QtBot, dialog: ImportDialog, path: Path) -> str:
    dialog.load_file(path)
    qtbot.waitUntil(lambda: bool(dialog.problem_text()), timeout=10_000)
    assert dialog.pages.currentIndex() == 0  # still there to choose another file
    return dialog.problem_text()


def test_a_good_csv_is_previewed_then_imported_in_one_go(
    qtbot: QtBot, dialog: ImportDialog, env: PageEnv, tmp_path: Path
) -> None:
    before = stored(env)
    preview(qtbot, dialog, write(tmp_path, "google.csv", [HEADER, *GOOD]))
    assert dialog.counts_label.text() == "3 reviews ready to import"
    assert dialog.columns_label.text().startswith("Columns found: Review text ← “Review”")
    assert "Stars ← “Stars”" in dialog.columns_label.text()
    assert dialog.model.rowCount() == 3
    first = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert first[0] == "2"  # the file's own line (the header is line 1)
    assert first[1:4] == ["Google", "★★★★★", "Ann B."]
    assert first[5] == "Friendly team, spotless rooms."
    assert first[6] == "Ready"
    assert dialog.import_button.text() == "Import 3 reviews"
    assert stored(env) == before  # a preview stores nothing

    with qtbot.waitSignal(dialog.imported, timeout=10_000) as blocker:
        dialog.import_button.click()
    result = blocker.args[0]
    assert isinstance(result, ImportResult)
    assert (result.added, result.duplicates, result.skipped_errors) == (3, 0, 0)
    assert stored(env) == before + 3
    assert dialog.pages.currentIndex() == 2
    assert dialog.result_banner.text_label.text() == "Imported 3 reviews."


def test_rows_with_problems_are_worded_and_left_out(
    qtbot: QtBot, dialog: ImportDialog, env: PageEnv, tmp_path: Path
) -> None:
    lines = [
        HEADER,
        GOOD[0],
        "facebook,f-1,Di,seven,2026-10-04,Nice,",
        "google,g-2,Ed,4,not a date,Clean office,",
        "google,g-3,Flo,,2026-10-05,,",
    ]
    before = stored(env)
    preview(qtbot, dialog, write(tmp_path, "mixed.csv", lines))
    assert dialog.counts_label.text() == (
        "1 review ready to import · 3 rows with problems, left out"
    )
    problems = [dialog.model.index(r, 6).data() for r in range(4)]
    assert problems == [
        "Ready",
        "The stars are not a number from 1 to 5.",
        "The date could not be read (2025-03-14 or 3/14/2025 work).",
        "The review text is empty.",
    ]
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.import_button.click()
    assert stored(env) == before + 1
    assert dialog.result_banner.text_label.text() == (
        "Imported 1 review. 3 rows with problems were left out."
    )


def test_duplicates_in_the_file_and_in_the_inbox_are_counted(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, tmp_path: Path
) -> None:
    first = ImportDialog(env.services, runner, env.staff.front_desk)
    qtbot.addWidget(first)
    preview(qtbot, first, write(tmp_path, "first.csv", [HEADER, GOOD[0]]))
    with qtbot.waitSignal(first.imported, timeout=10_000):
        first.import_button.click()

    again = ImportDialog(env.services, runner, env.staff.front_desk)
    qtbot.addWidget(again)
    preview(qtbot, again, write(tmp_path, "again.csv", [HEADER, GOOD[0], GOOD[1], GOOD[1]]))
    assert again.counts_label.text() == (
        "2 reviews ready to import · 1 repeated in the file, skipped"
    )
    assert again.model.index(2, 6).data() == "The same review appears earlier in this file."
    with qtbot.waitSignal(again.imported, timeout=10_000) as blocker:
        again.import_button.click()
    assert blocker.args[0].added == 1
    assert again.result_banner.text_label.text() == (
        "Imported 1 review. 2 duplicates were skipped (already in the inbox, or repeated in "
        "the file)."
    )


def test_wrong_columns_are_refused_with_what_to_rename(
    qtbot: QtBot, dialog: ImportDialog, tmp_path: Path
) -> None:
    path = write(tmp_path, "wrong.csv", ["Name,Stars,When", "Ann,5,2026-10-01"])
    assert refused(qtbot, dialog, path) == (
        "No column holds the review text. The file needs a column named Text, Review or "
        "Comment with what the reviewer wrote. Rename that column's header in the spreadsheet "
        "and try again."
    )


def test_a_bad_encoding_is_refused_and_windows_1252_is_read(
    qtbot: QtBot, dialog: ImportDialog, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_bytes(codecs.BOM_UTF8 + f"{HEADER}\n".encode() + b"google,1,A,5,,caf\xe9\xff\n")
    assert refused(qtbot, dialog, broken).startswith(
        "The file's characters could not be read. Save it again as UTF-8"
    )
    excel = write(tmp_path, "excel.csv", [HEADER, 'yelp,y-9,Zoë,5,,"Très bien, merci",'], "cp1252")
    preview(qtbot, dialog, excel)
    assert dialog.model.index(0, 3).data() == "Zoë"


def test_a_file_that_is_not_csv_or_json_is_refused(
    qtbot: QtBot, dialog: ImportDialog, tmp_path: Path
) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    assert refused(qtbot, dialog, picture).startswith("This is not a CSV or JSON file.")


def test_a_file_too_big_is_refused_before_it_is_read(
    qtbot: QtBot, dialog: ImportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_dialog, "MAX_FILE_BYTES", 100)
    path = write(tmp_path, "big.csv", [HEADER, *GOOD])
    assert refused(qtbot, dialog, path).startswith("This file is too big to import.")


def test_json_and_a_dropped_file(qtbot: QtBot, dialog: ImportDialog, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        '{"reviews": [{"reviewer": {"displayName": "Ann"}, "starRating": "FOUR",'
        ' "comment": "Kind and quick.", "createTime": "2026-10-01T14:00:00Z"}]}',
        encoding="utf-8",
    )
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.dropEvent(event)  # Qt delivers drops only inside a real drag
    assert event.isAccepted()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10_000)
    assert dialog.model.index(0, 2).data() == "★★★★☆"
    assert dialog.model.index(0, 5).data() == "Kind and quick."


def test_cancelling_the_reading_keeps_the_dialog_and_stores_nothing(
    qtbot: QtBot, dialog: ImportDialog, env: PageEnv, tmp_path: Path
) -> None:
    before = stored(env)
    path = write(
        tmp_path, "many.csv", [HEADER] + [f"google,g{i},A{i},5,,Text {i}," for i in range(3000)]
    )
    dialog.load_file(path)
    assert dialog.task is not None
    dialog.task.cancel()
    qtbot.waitUntil(lambda: dialog.task is not None and dialog.task.done, timeout=10_000)
    assert dialog.pages.currentIndex() == 0
    assert dialog.preview is None
    assert dialog.problem_text() == ""
    assert stored(env) == before


def test_choose_file_uses_the_open_dialog(
    qtbot: QtBot, dialog: ImportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "chosen.csv", [HEADER, GOOD[0]])
    monkeypatch.setattr(import_dialog, "ask_open_path", lambda _parent: str(path))
    dialog.drop_zone.choose_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10_000)
    assert dialog.filename == "chosen.csv"


# --- one review ----------------------------------------------------------------------------
@pytest.fixture
def add(qtbot: QtBot, env: PageEnv, runner: TaskRunner) -> AddReviewDialog:
    widget = AddReviewDialog(env.services, runner, env.staff.front_desk)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_a_pasted_review_fills_the_form_and_is_added(
    qtbot: QtBot, add: AddReviewDialog, env: PageEnv
) -> None:
    QGuiApplication.clipboard().setText(
        "Jane D.\n★★☆☆☆\n3 weeks ago\nThe wait was long and nobody called back.\n"
        "https://www.yelp.com/biz/maple-grove"
    )
    add.paste_button.click()
    qtbot.waitUntil(lambda: bool(add.text.toPlainText()), timeout=10_000)
    assert add.author.text() == "Jane D."
    assert add.rating.currentData() == 2
    assert add.source.currentText() == "Yelp"
    assert add.url.text() == "https://www.yelp.com/biz/maple-grove"
    with qtbot.waitSignal(add.added, timeout=10_000) as blocker:
        add.save_button.click()
    review = blocker.args[0]
    assert review.id is not None
    assert env.services.reviews.get(review.id).text == "The wait was long and nobody called back."


def test_a_typed_review_already_in_the_inbox_is_said_and_kept(
    qtbot: QtBot, add: AddReviewDialog, env: PageEnv, runner: TaskRunner
) -> None:
    add.author.setText("Sam")
    add.rating.setCurrentIndex(add.rating.findData(5))
    add.text.setPlainText("Lovely hygienist, painless cleaning.")
    with qtbot.waitSignal(add.added, timeout=10_000):
        add.save_button.click()

    again = AddReviewDialog(env.services, runner, env.staff.front_desk)
    qtbot.addWidget(again)
    again.author.setText("Sam")
    again.rating.setCurrentIndex(again.rating.findData(5))
    again.text.setPlainText("Lovely hygienist, painless cleaning.")
    again.save_button.click()
    qtbot.waitUntil(lambda: bool(again.problem_text()), timeout=10_000)
    assert again.problem_text() == (
        "This review is already in the inbox, so it was not added again."
    )
    assert again.text.toPlainText() == "Lovely hygienist, painless cleaning."
    assert again.save_button.isEnabled()


def test_an_empty_clipboard_is_said(qtbot: QtBot, add: AddReviewDialog) -> None:
    QGuiApplication.clipboard().setText("")
    add.paste_button.click()
    assert add.problem_text() == "The clipboard has no text. Copy the review first."
    assert not add.save_button.isEnabled()
