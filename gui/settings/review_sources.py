"""Settings → Review sources: the RSS/Atom feeds the app reads for mentions of the practice
(a Google Alert gives one per search), when they are checked, and "Check now"; and one line
per connected Google location whose reviews could not be collected, saying why and what fixes
it."""

from __future__ import annotations

from enum import IntEnum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QHeaderView, QLineEdit, QWidget

from core.app import Services
from core.errors import ValidationError
from core.reviews.ports import Feed, PlaceFailure
from core.reviews.service import PollResult
from core.staff.model import Permission
from gui import theme
from gui.feeds import fetch_feed
from gui.hub import SignalHub
from gui.settings.messages import tr
from gui.settings.models import ItemRole, local_datetime_text
from gui.settings.section import Section, make_table, read_only_note
from gui.style import Card, button, caption, plain_label
from gui.tasks import TaskRunner

MAX_NAME = 100


class FeedColumn(IntEnum):
    NAME = 0
    ADDRESS = 1
    CHECKED = 2
    STATUS = 3


def feed_status(feed: Feed) -> str:
    """How the last check of ``feed`` went, in plain words (``Feed.last_error`` codes)."""
    if feed.last_polled_at is None:
        return tr("Not checked yet")
    return {
        "": tr("Working"),
        "fetch_failed": tr("Could not be reached; tried again next time"),
        "parse_failed": tr("Not a feed: check the address"),
        "too_big": tr("Too big to read (over 5 MB)"),
    }.get(feed.last_error, tr("Could not be read ({code})").format(code=feed.last_error))


def place_failure_text(failure: PlaceFailure, zone: ZoneInfo) -> str:
    """One line about a connected location whose reviews do not come in: which, why, since
    when and what fixes it."""
    site = {"google": "Google"}.get(failure.source, failure.source)
    where = failure.label or tr("A {site} location").format(site=site)
    since = local_datetime_text(failure.since, zone)
    if failure.code in {"token_revoked", "http_401"}:
        why = tr("{site} no longer accepts the app's sign-in: reconnect it in Accounts.")
    elif failure.code == "http_403":
        why = tr(
            "{site} says the connected account may no longer manage it: ask the location's "
            "owner for access, or reconnect with an account that manages it."
        )
    elif failure.code == "http_404":
        why = tr(
            "{site} cannot find it any more (removed, merged or moved): check it on {site}, "
            "then reconnect or remove it in Accounts."
        )
    elif failure.permanent:
        why = tr("{site} refuses to list its reviews ({code}): reconnect it in Accounts.")
    else:
        why = tr("{site} did not answer ({code}); the app asks again at the next check.")
    return tr("“{where}”: {why} Since {since}.").format(
        where=where, why=why.format(site=site, code=failure.code), since=since
    )


def web_address_ok(url: str) -> bool:
    """Whether ``url`` is a complete http(s) address without spaces."""
    if not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class FeedsModel(QAbstractTableModel):
    """The mentions feeds: name, address, last checked, status. Signals: the model's own."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.feeds: list[Feed] = []
        self.zone = ZoneInfo("UTC")

    def set_feeds(self, feeds: list[Feed], zone: ZoneInfo) -> None:
        self.beginResetModel()
        self.feeds = list(feeds)
        self.zone = zone
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.feeds)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(FeedColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (tr("Name"), tr("Address"), tr("Last checked"), tr("Status"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        feed = self.feeds[index.row()]
        column = FeedColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(feed, column)
        if role == Qt.ItemDataRole.ForegroundRole and column is FeedColumn.STATUS:
            if feed.last_error:
                return QColor(theme.current().danger)
            return QColor(theme.current().muted) if feed.last_polled_at is None else None
        if role == ItemRole.ITEM:
            return feed
        return None

    def _text(self, feed: Feed, column: FeedColumn) -> str:
        if column is FeedColumn.NAME:
            return feed.name
        if column is FeedColumn.ADDRESS:
            return feed.url
        if column is FeedColumn.CHECKED:
            if feed.last_polled_at is None:
                return "—"
            return local_datetime_text(feed.last_polled_at, self.zone)
        return feed_status(feed)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class ReviewSourcesSection(Section):
    """The feeds of mentions: the list with how each last check went, adding one (a name and
    its http(s) address), removing one (its mentions stay in the inbox), and "Check now".

    Signals: none of its own; emits ``hub.data_changed("feeds")`` after a change and
    ``hub.data_changed("reviews")`` when a check brought new mentions.
    """

    key = "review_sources"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Review sources"),
            intro=tr(
                "Feeds the app reads for mentions of the practice: news, blogs and forums. A "
                "Google Alert for the practice's name gives one (in Google Alerts choose "
                "“Deliver to: RSS feed” and copy the feed's address). New items land in the "
                "Reviews inbox as mentions."
            ),
            parent=parent,
        )
        self.checking = False
        self.model = FeedsModel(self)

        self.list_card = Card(tr("Mention feeds"))
        self.table = make_table(self.model, 180)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FeedColumn.NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FeedColumn.ADDRESS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(FeedColumn.CHECKED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FeedColumn.STATUS, QHeaderView.ResizeMode.ResizeToContents)
        self.list_card.body.addWidget(self.table)
        self.schedule = caption(
            tr("Checked every hour while someone is signed in, and when you press Check now.")
        )
        self.list_card.body.addWidget(self.schedule)
        row = QHBoxLayout()
        self.check_button = button(tr("Check now"), "refresh")
        row.addWidget(self.check_button)
        row.addStretch(1)
        self.remove_button = button(tr("Remove feed"), "trash")
        row.addWidget(self.remove_button)
        self.list_card.body.addLayout(row)
        self.content.addWidget(self.list_card)

        self._build_places_card()

        self.add_card = Card(tr("Add a feed"))
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setPlaceholderText(tr("e.g. Google Alert: Maple Grove Dental"))
        self.field_errors.add_row(form, tr("Name"), self.name_edit, "name")
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://www.google.com/alerts/feeds/…")
        self.field_errors.add_row(form, tr("Feed address"), self.url_edit, "url")
        self.add_card.body.addLayout(form)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        self.add_button = button(tr("Add feed"), "plus", "primary")
        add_row.addWidget(self.add_button)
        self.add_card.body.addLayout(add_row)
        self.content.addWidget(self.add_card)
        self.content.addStretch(1)

        self.check_button.clicked.connect(self.check_now)
        self.remove_button.clicked.connect(self.remove_selected)
        self.add_button.clicked.connect(self.add_feed)
        self.url_edit.returnPressed.connect(self.add_feed)
        self.name_edit.textChanged.connect(self._update_buttons)
        self.url_edit.textChanged.connect(self._update_buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def _build_places_card(self) -> None:
        self.places_card = Card(tr("Google reviews"))
        self.places_card.body.addWidget(
            caption(
                tr(
                    "Reviews of the Google locations connected in Settings → Accounts come in "
                    "with every check. These locations could not be read:"
                )
            )
        )
        self.places_text = plain_label(wrap=True)
        self.places_text.setObjectName("ReviewPlaceFailures")
        self.places_card.body.addWidget(self.places_text)
        self.places_card.hide()
        self.content.addWidget(self.places_card)

    # --- Section -----------------------------------------------------------------------
    def apply_permissions(self) -> None:
        editable = self.permitted(Permission.EDIT_SETTINGS)
        self.add_card.setVisible(editable)
        self.remove_button.setVisible(editable)
        self.show_read_only(
            None if editable or self.user is None else read_only_note(Permission.EDIT_SETTINGS)
        )
        if self.user is None:
            self.model.set_feeds([], self.model.zone)
        self._update_buttons()

    def load(self) -> None:
        reviews, practice = self.services.reviews, self.services.practice

        def read() -> tuple[list[Feed], str, list[PlaceFailure]]:
            zone = practice.practice().value.timezone
            return reviews.feeds(), zone, reviews.source_failures()

        self.call(read, self._show)

    # --- internals ---------------------------------------------------------------------
    def _show(self, loaded: tuple[list[Feed], str, list[PlaceFailure]]) -> None:
        feeds, zone, failures = loaded
        selected = self.selected()
        self.model.set_feeds(feeds, _zone(zone))
        lines = [place_failure_text(f, _zone(zone)) for f in failures]
        self.places_text.setText("\n".join(lines))
        self.places_card.setVisible(bool(lines))
        if selected is not None:
            for row, feed in enumerate(feeds):
                if feed.id == selected.id:
                    self.table.selectRow(row)
        self.loaded = True

    def selected(self) -> Feed | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.feeds[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.selected() is not None)
        self.check_button.setEnabled(bool(self.model.feeds) and not self.checking)
        self.add_button.setEnabled(
            bool(self.name_edit.text().strip() and self.url_edit.text().strip())
        )

    def handle_error(self, exc: BaseException) -> None:
        """The feed form's fields are worded here; everything else as every section does."""
        field = str(exc.params.get("field", "")) if isinstance(exc, ValidationError) else ""
        if isinstance(exc, ValidationError) and field in ("name", "url"):
            reason = str(exc.params.get("reason", ""))
            self.field_errors.show(field, _field_text(field, reason))
            return
        super().handle_error(exc)

    # --- actions -----------------------------------------------------------------------
    def add_feed(self) -> None:
        if self.user is None or not self.permitted(Permission.EDIT_SETTINGS):
            return
        name, url = self.name_edit.text().strip(), self.url_edit.text().strip()
        self.field_errors.clear()
        self.clear_notice()
        if not name:
            self.field_errors.show("name", _field_text("name", ""))
            return
        if not web_address_ok(url):
            self.field_errors.show("url", _field_text("url", ""))
            return
        user, reviews = self.user, self.services.reviews

        def added(feed: Feed) -> None:
            self.name_edit.clear()
            self.url_edit.clear()
            self.notify(
                tr("“{name}” was added. It is checked now, then every hour.").format(name=feed.name)
            )
            self.hub.data_changed.emit("feeds")
            self.refresh()
            self.check_now()

        self.call(lambda: reviews.add_feed(user, url, name), added)

    def remove_selected(self) -> None:
        feed = self.selected()
        if feed is None or feed.id is None or self.user is None:
            return
        user, reviews, feed_id = self.user, self.services.reviews, feed.id
        self.clear_notice()

        def removed(_result: object) -> None:
            self.notify(
                tr("“{name}” was removed. The mentions it brought in stay in the inbox.").format(
                    name=feed.name
                )
            )
            self.hub.data_changed.emit("feeds")
            self.refresh()

        self.call(lambda: reviews.remove_feed(user, feed_id), removed)

    def check_now(self) -> None:
        """Read every feed now (off the GUI thread) and say what came of it."""
        if self.user is None or self.checking:
            return
        reviews = self.services.reviews
        self.checking = True
        self._update_buttons()
        self.check_button.setText(tr("Checking…"))

        def done(result: PollResult) -> None:
            self._checked()
            self.notify(_poll_text(result), "warning" if result.failed else "success")
            self.hub.data_changed.emit("feeds")
            if result.new_mentions or result.new_reviews:
                self.hub.data_changed.emit("reviews")
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._checked()
            self.handle_error(exc)

        self.call(lambda: reviews.poll_feeds(fetch_feed), done, failed)

    def _checked(self) -> None:
        self.checking = False
        self.check_button.setText(tr("Check now"))
        self._update_buttons()


def _field_text(field: str, reason: str) -> str:
    if field == "name":
        return tr("Give the feed a short name (at most 100 characters).")
    if reason == "duplicate":
        return tr("This feed is already in the list.")
    return tr("Paste the feed's full web address, starting with https:// (or http://).")


def _poll_text(result: PollResult) -> str:
    if result.feeds == 0:
        return tr("There are no feeds to check.")
    found = (
        tr("No new mentions.")
        if result.new_mentions == 0
        else tr("1 new mention is in the inbox.")
        if result.new_mentions == 1
        else tr("{n} new mentions are in the inbox.").format(n=f"{result.new_mentions:,}")
    )
    if not result.failed:
        return found
    failed = len(result.failed)
    problem = (
        tr("1 feed could not be read; see its status below.")
        if failed == 1
        else tr("{n} feeds could not be read; see their status below.").format(n=failed)
    )
    return f"{found} {problem}"
