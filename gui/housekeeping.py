"""Background upkeep while the app runs: verify the audit chain at start, make the daily
backup (at start and then hourly checks, since the front-desk PC often runs all week), publish
due posts (once at start, then every minute while someone is signed in), and read the mentions
feeds (every hour while someone is signed in)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QWidget

from core.app import Services
from core.audit.model import ChainReport
from core.backup.model import BackupInfo
from core.errors import KnownError
from core.staff.model import StaffMember
from gui.feeds import fetch_feed
from gui.hub import SignalHub
from gui.tasks import TaskRunner

if TYPE_CHECKING:  # the publishing engine loads with its first run, off the start path
    from core.publishing.model import LatePost, PublishReport
    from core.reviews.service import PollResult
    from gui.late_posts import LatePostsDialog

log = logging.getLogger(__name__)
BACKUP_CHECK_MS = 60 * 60 * 1000
PUBLISH_INTERVAL_MS = 60 * 1000
FIRST_PUBLISH_MS = 3000
"""The catch-up run after start waits this long: the window paints first."""
FEED_POLL_MS = 60 * 60 * 1000
"""How often the mentions feeds are read while someone is signed in."""
FIRST_FEED_POLL_MS = 2 * 60 * 1000
"""The first read after signing in waits this long, so signing in stays quick; the hour
counts on across a lock and unlock instead of starting again."""


class Housekeeping(QObject):
    """Runs the start-up audit verification, the daily backup and the publishing scheduler
    off the GUI thread.

    Results reach the pages through the hub: ``data_changed("audit_check")`` after the
    verification (Today shows a broken chain loudly), ``data_changed("backups")`` after an
    automatic backup, ``data_changed("posts")`` after a publishing run that changed something.
    Failures are logged by code; a bug in a publishing run is shown once and stops the timer.

    The mentions feeds are read on a worker every ``FEED_POLL_MS`` while someone is signed in
    (the first read ``FIRST_FEED_POLL_MS`` after signing in), through ``fetch`` (URL → bytes;
    ``gui.feeds.fetch_feed`` unless a test passes its own). A feed that cannot be read is
    recorded on the feed and read again next time; ``data_changed("feeds")`` follows every
    read, and ``data_changed("reviews")`` one that brought new mentions.

    Posts more than a few hours late are never published on their own: ``late_posts`` is
    emitted with the ones not asked about yet in this session, and, when someone is signed in
    and the parent is a window, a ``LatePostsDialog`` asks that person (publish now,
    reschedule, or leave it). Late posts found before anyone signed in are asked about after.

    Signals:
        late_posts(object): a list of ``core.publishing.model.LatePost``.
        published(object): the ``PublishReport`` of each publishing run.
        feeds_polled(object): the ``PollResult`` of each read of the mentions feeds.
    """

    late_posts = Signal(object)
    published = Signal(object)
    feeds_polled = Signal(object)

    def __init__(
        self,
        services: Services,
        hub: SignalHub,
        runner: TaskRunner,
        parent: QObject | None = None,
        *,
        fetch: Callable[[str], bytes] = fetch_feed,
        first_publish_ms: int = FIRST_PUBLISH_MS,
    ) -> None:
        super().__init__(parent)
        self._first_publish_ms = first_publish_ms
        self._services = services
        self._hub = hub
        self._runner = runner
        self._timer = QTimer(self)
        self._timer.setInterval(BACKUP_CHECK_MS)
        self._timer.timeout.connect(self.back_up_if_due)
        self.publish_timer = QTimer(self)
        self.publish_timer.setInterval(PUBLISH_INTERVAL_MS)
        self.publish_timer.timeout.connect(self.publish_due)
        self.feed_timer = QTimer(self)
        self.feed_timer.setSingleShot(True)
        self.feed_timer.timeout.connect(self.poll_feeds)
        self._fetch = fetch
        self._polling = False
        self._last_poll: float | None = None
        self._user: StaffMember | None = None
        self._publishing = False
        self._asked: set[int] = set()
        self._waiting: list[LatePost] = []
        self._zone = ZoneInfo("UTC")
        self.late_dialog: LatePostsDialog | None = None
        hub.signed_in.connect(self._signed_in)
        hub.signed_out.connect(self._signed_out)
        self.late_posts.connect(self._ask)

    def start(self) -> None:
        """Verify the audit trail now; catch up on due posts ``first_publish_ms`` later (the
        composer and publishing code it loads would otherwise compete with the first paint)."""
        self.verify_audit()
        QTimer.singleShot(self._first_publish_ms, self.publish_due)
        if self._services.backups is not None:
            self.back_up_if_due()
            self._timer.start()

    def verify_audit(self) -> None:
        audit = self._services.audit

        def done(report: ChainReport) -> None:
            if not report.ok:
                log.error(
                    "audit chain broken at seq=%s reason=%s", report.first_bad_seq, report.reason
                )
            self._hub.data_changed.emit("audit_check")

        self._runner.run(audit.verify_now, done)

    def back_up_if_due(self) -> None:
        services = self._services
        backups = services.backups
        if backups is None:
            return

        def work() -> BackupInfo | None:
            settings = services.practice.settings().value
            if not settings.automatic_backups:
                return None
            return backups.run_daily(settings.backup_keep_days)

        def done(made: BackupInfo | None) -> None:
            if made is not None:
                self._hub.data_changed.emit("backups")

        self._runner.run(work, done)

    # --- publishing ----------------------------------------------------------------------
    def publish_due(self) -> None:
        """Publish what is due, on a worker; skipped while the previous run is still going."""
        if self._publishing:
            return
        self._publishing = True
        services = self._services

        def work() -> tuple[PublishReport, str]:
            report = services.publishing.publish_due()
            return report, services.practice.practice().value.timezone

        self._runner.run(work, self._published, self._publish_failed)

    def _published(self, result: tuple[PublishReport, str]) -> None:
        self._publishing = False
        report, zone = result
        self._zone = _zone(zone)
        run = report.outbox
        if report.started or report.published or report.failed or run.sent or run.uncertain:
            self._hub.data_changed.emit("posts")
        self.published.emit(report)
        fresh = [p for p in report.late if p.post_id not in self._asked]
        if fresh:
            self.late_posts.emit(fresh)

    def _publish_failed(self, exc: BaseException) -> None:
        self._publishing = False
        if isinstance(exc, KnownError):
            log.warning("publishing run failed: %s", exc.code)
            return
        self.publish_timer.stop()  # a bug: say so once, not every minute
        self._hub.error.emit(exc)

    def _signed_in(self, member: object) -> None:
        if not isinstance(member, StaffMember):
            return
        self._user = member
        if not self.publish_timer.isActive():
            self.publish_timer.start()
        if not self.feed_timer.isActive() and not self._polling:
            self._schedule_poll()
        waiting, self._waiting = self._waiting, []
        if waiting:
            self._ask(waiting)

    def _signed_out(self) -> None:
        self._user = None
        self.publish_timer.stop()
        self.feed_timer.stop()

    # --- mentions feeds --------------------------------------------------------------------
    def _schedule_poll(self) -> None:
        if self._last_poll is None:
            wait = FIRST_FEED_POLL_MS
        else:
            elapsed = int((time.monotonic() - self._last_poll) * 1000)
            wait = max(0, FEED_POLL_MS - elapsed)
        self.feed_timer.start(wait)

    def poll_feeds(self) -> None:
        """Read every mentions feed on a worker; skipped while the previous read is going."""
        if self._polling:
            return
        self._polling = True
        self.feed_timer.stop()
        reviews, fetch = self._services.reviews, self._fetch
        self._runner.run(lambda: reviews.poll_feeds(fetch), self._polled, self._poll_failed)

    def _polled(self, result: PollResult) -> None:
        self._poll_done()
        if result.failed:
            log.warning("mentions: %d of %d feeds not read", len(result.failed), result.feeds)
        self._hub.data_changed.emit("feeds")
        if result.new_mentions or result.new_reviews:
            self._hub.data_changed.emit("reviews")
        self.feeds_polled.emit(result)

    def _poll_failed(self, exc: BaseException) -> None:
        self._poll_done()
        if isinstance(exc, KnownError):  # e.g. the database was busy: try again next time
            log.warning("mentions: reading the feeds failed: %s", exc.code)
            return
        self.feed_timer.stop()  # a bug: say so once, not every hour
        self._hub.error.emit(exc)

    def _poll_done(self) -> None:
        self._polling = False
        self._last_poll = time.monotonic()
        if self._user is not None:
            self._schedule_poll()

    # --- late posts ------------------------------------------------------------------------
    def _ask(self, posts: list[LatePost]) -> None:
        window = self.parent()
        if self._user is None or not isinstance(window, QWidget):
            known = {p.post_id for p in self._waiting}
            self._waiting += [p for p in posts if p.post_id not in known]
            return
        if self.late_dialog is not None and self.late_dialog.isVisible():
            return  # one question at a time; the next run asks about the rest
        from gui.late_posts import LatePostsDialog

        self._asked |= {p.post_id for p in posts}
        dialog = LatePostsDialog(posts, self._zone, window)
        dialog.finished.connect(lambda code: self._decided(dialog, code))
        self.late_dialog = dialog
        dialog.open()

    def _decided(self, dialog: LatePostsDialog, code: int) -> None:
        from gui.late_posts import LateChoice

        dialog.deleteLater()
        if self.late_dialog is dialog:
            self.late_dialog = None
        person = self._user
        if code != QDialog.DialogCode.Accepted or person is None:
            return
        choices = dialog.choices()
        late = {row.post.post_id: row.post for row in dialog.rows}
        now = [late[i] for i, c in choices.items() if c is LateChoice.PUBLISH_NOW]
        if now:
            self.publish_now(person, now)
        later = [i for i, c in choices.items() if c is LateChoice.RESCHEDULE]
        if later:
            self._hub.navigate.emit("composer", str(later[0]))

    def publish_now(self, person: StaffMember, posts: list[LatePost]) -> None:
        """Publish these late posts now on ``person``'s say-so, on a worker; failures (say,
        a PHI finding at the check) are shown like any task's."""
        publishing = self._services.publishing

        def work() -> list[Any]:
            return [publishing.publish_now(person, p.post_id, p.version) for p in posts]

        self._runner.run(work, lambda _reports: self._hub.data_changed.emit("posts"))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
