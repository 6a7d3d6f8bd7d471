"""Platform previews: the post's text shown as plain text with links, hashtags and mentions in
the platform's colour, cut where the platform's feed cuts it, and the photo grid."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gui import style, theme
from gui.composer.prev_images import ThumbnailCache
from gui.composer.prev_platforms import look, see_more_cut
from gui.composer.preview import AllPreviews, PostPreview
from gui.tasks import TaskRunner

ACCOUNT = "Maple Grove Family Dental"


@pytest.fixture
def preview(qtbot: QtBot, runner: TaskRunner) -> PostPreview:
    widget = PostPreview(runner, thumbnails=ThumbnailCache())
    widget.resize(500, 600)
    qtbot.addWidget(widget)
    return widget


def fragments(widget: PostPreview) -> list[tuple[str, QTextCharFormat]]:
    """Every run of text in the card's document with its character format."""
    found = []
    block = widget.text.document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            found.append((fragment.text(), fragment.charFormat()))
            it += 1
        block = block.next()
    return found


def colour_of(widget: PostPreview, text: str) -> QColor:
    return next(fmt.foreground().color() for run, fmt in fragments(widget) if run == text)


def test_user_text_is_shown_literally_never_as_markup(preview: PostPreview) -> None:
    text = "<b>x</b> & <i>y</i> <a href='https://evil.example'>click</a> &amp; <br>"
    preview.set_content("facebook", text, account_name="<b>Maple</b>")
    assert preview.shown_text() == text
    assert all(fmt.fontWeight() < QFont.Weight.Bold for _run, fmt in fragments(preview))
    assert not any(fmt.isAnchor() for _run, fmt in fragments(preview))
    assert preview.name_label.text() == "<b>Maple</b>"


def test_line_breaks_and_spaces_are_kept(preview: PostPreview) -> None:
    preview.set_content("linkedin", "Line one\n\nLine  three", account_name=ACCOUNT)
    assert preview.shown_text() == "Line one\n\nLine  three"
    assert preview.text.document.blockCount() == 3


@pytest.mark.parametrize("platform", ["facebook", "x", "instagram", "linkedin", "mastodon"])
def test_links_hashtags_and_mentions_take_the_platform_link_colour(
    preview: PostPreview, platform: str
) -> None:
    text = "Book at https://www.example.com/book today #SmileBright thanks @maplegrove!"
    preview.set_content(platform, text, account_name=ACCOUNT)
    link = QColor(look(platform).link_light)
    assert preview.link_colour() == link
    for entity in ("https://www.example.com/book", "#SmileBright", "@maplegrove"):
        assert colour_of(preview, entity) == link, entity
    assert colour_of(preview, " today ") == QColor(theme.current().text)
    assert colour_of(preview, "!") == QColor(theme.current().text)


def test_an_email_address_is_not_a_mention(preview: PostPreview) -> None:
    preview.set_content("facebook", "Mail front@maplegrove.com now", account_name=ACCOUNT)
    runs = [run for run, _fmt in fragments(preview)]
    assert "@maplegrove" not in runs


@pytest.mark.parametrize(
    ("platform", "limit", "marker"),
    [
        ("facebook", 477, "… See more"),
        ("instagram", 125, "… more"),
        ("linkedin", 210, "… see more"),
        ("gbp", 250, "… more"),
    ],
)
def test_each_feed_cuts_a_long_text_where_the_platform_does(
    preview: PostPreview, platform: str, limit: int, marker: str
) -> None:
    text = "Healthy smiles start at home with brushing and flossing every day. " * 12
    preview.set_content(platform, text, account_name=ACCOUNT)
    shown = preview.shown_text()
    assert preview.truncated
    assert shown.endswith(marker)
    body = shown.removesuffix(marker)
    if look(platform).name_in_caption:
        body = body.removeprefix(ACCOUNT + " ")
    assert limit - 20 <= len(body) <= limit
    assert text.startswith(body)
    assert not body.endswith(" ")
    assert colour_of(preview, marker) == QColor(theme.current().muted)


def test_a_short_text_is_shown_whole(preview: PostPreview) -> None:
    preview.set_content("instagram", "Happy Friday! #smile", account_name=ACCOUNT)
    assert not preview.truncated
    assert preview.shown_text() == f"{ACCOUNT} Happy Friday! #smile"


def test_x_shows_text_over_its_limit_as_overflow_not_as_see_more(preview: PostPreview) -> None:
    text = "a" * 270 + " overflowing words"
    preview.set_content("x", text, account_name=ACCOUNT)
    assert not preview.truncated
    assert preview.overflowing
    assert preview.shown_text() == text
    danger = QColor(theme.current().danger_soft)
    over = "".join(run for run, fmt in fragments(preview) if fmt.background().color() == danger)
    assert over == text[280:]
    assert preview.meta_label.text() == "@maplegrovefamilydental · now"


def test_a_cut_never_splits_an_emoji() -> None:
    text = "x" * 124 + "👨‍👩‍👧" + " tail" * 20
    cut = see_more_cut(text, 125)
    assert cut is not None
    assert text[:cut] == "x" * 124


def test_empty_post_says_so(preview: PostPreview) -> None:
    preview.set_content("facebook", "", account_name=ACCOUNT)
    assert preview.empty_label.isVisibleTo(preview)
    assert not preview.text.isVisibleTo(preview)
    assert preview.avatar.text() == "MG"


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    paths = []
    for n in range(5):
        path = tmp_path / f"photo{n}"  # no suffix, like the media vault
        Image.new("RGB", (120 + 10 * n, 90), (40 * n, 100, 150)).save(path, "JPEG")
        paths.append(path)
    return paths


@pytest.mark.parametrize(
    ("platform", "count", "tiles", "hidden"),
    [
        ("facebook", 1, 1, 0),
        ("facebook", 3, 3, 0),
        ("facebook", 5, 4, 1),
        ("x", 2, 2, 0),
        ("instagram", 3, 1, 2),
        ("gbp", 1, 1, 0),
    ],
)
def test_image_grid_shows_as_many_tiles_as_the_platform_does(
    qtbot: QtBot,
    preview: PostPreview,
    photos: list[Path],
    platform: str,
    count: int,
    tiles: int,
    hidden: int,
) -> None:
    preview.set_content(platform, "Look!", account_name=ACCOUNT, image_paths=photos[:count])
    qtbot.waitUntil(lambda: preview.images.loaded, timeout=5000)
    assert preview.image_tile_count == tiles
    assert preview.hidden_image_count == hidden
    assert len(preview.images.tile_rects(preview.images.rect())) == tiles
    preview.show()
    assert not preview.grab().isNull()


def test_no_photos_no_grid(preview: PostPreview) -> None:
    preview.set_content("facebook", "Text only", account_name=ACCOUNT)
    assert preview.image_tile_count == 0
    assert not preview.images.isVisibleTo(preview)


def test_photos_are_decoded_once_and_an_unreadable_file_is_tolerated(
    qtbot: QtBot, runner: TaskRunner, photos: list[Path], tmp_path: Path
) -> None:
    broken = tmp_path / "notes"
    broken.write_text("not a photo", encoding="utf-8")
    cache = ThumbnailCache()
    first, second = PostPreview(runner, thumbnails=cache), PostPreview(runner, thumbnails=cache)
    for widget in (first, second):
        qtbot.addWidget(widget)
        widget.set_content("x", "Hi", account_name=ACCOUNT, image_paths=[photos[0], broken])
    qtbot.waitUntil(lambda: first.images.loaded and second.images.loaded, timeout=5000)
    assert cache.cached(photos[0])[1] is not None
    assert cache.cached(broken) == (True, None)
    assert cache.cached(photos[0])[1] is cache.cached(photos[0])[1]


def test_a_theme_switch_recolours_the_text(qapp: QApplication, preview: PostPreview) -> None:
    preview.set_content("facebook", "See #SmileBright", account_name=ACCOUNT)
    assert colour_of(preview, "#SmileBright") == QColor(look("facebook").link_light)
    style.apply_theme(qapp, dark=True)
    try:
        QApplication.processEvents()
        assert colour_of(preview, "#SmileBright") == QColor(look("facebook").link_dark)
        assert colour_of(preview, "See ") == QColor(theme.DARK.text)
    finally:
        style.apply_theme(qapp, dark=False)
        QApplication.processEvents()
    assert colour_of(preview, "#SmileBright") == QColor(look("facebook").link_light)


def test_all_previews_has_a_tab_per_platform_and_keeps_the_current_one(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    previews = AllPreviews(runner)
    qtbot.addWidget(previews)
    assert previews.empty_label.isVisibleTo(previews)
    previews.set_content(
        {"x": "Short", "facebook": "Longer text", "gbp": "Hours"}, account_name=ACCOUNT
    )
    assert previews.platforms() == ("x", "facebook", "gbp")
    assert [previews.tabs.tabText(i) for i in range(3)] == [
        "X",
        "Facebook",
        "Google Business Profile",
    ]
    assert previews.preview("facebook").shown_text() == "Longer text"
    with qtbot.waitSignal(previews.current_platform_changed) as changed:
        previews.set_current_platform("gbp")
    assert changed.args == ["gbp"]
    previews.set_content({"facebook": "Changed", "gbp": "Hours!"}, account_name=ACCOUNT)
    assert previews.current_platform() == "gbp"
    assert previews.preview("gbp").shown_text() == "Hours!"
    with pytest.raises(KeyError):
        previews.preview("x")
