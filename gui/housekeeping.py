"""Background upkeep while the app runs: verify the audit chain at start, and make the daily
backup (at start and then hourly checks, since the front-desk PC often runs all week)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from core.app import Services
from core.audit.model import ChainReport
from core.backup.model import BackupInfo
from gui.hub import SignalHub
from gui.tasks import TaskRunner

log = logging.getLogger(__name__)
BACKUP_CHECK_MS = 60 * 60 * 1000


class Housekeeping(QObject):
    """Runs the start-up audit verification and the daily backup off the GUI thread.

    Results reach the pages through the hub: ``data_changed("audit_check")`` after the
    verification (Today shows a broken chain loudly), ``data_changed("backups")`` after an
    automatic backup. Failures are logged by code and shown like any other task failure.

    Signals: none.
    """

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._hub = hub
        self._runner = runner
        self._timer = QTimer(self)
        self._timer.setInterval(BACKUP_CHECK_MS)
        self._timer.timeout.connect(self.back_up_if_due)

    def start(self) -> None:
        self.verify_audit()
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
