"""Settings → Audit trail: verify the hash chain, and browse events page by page."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from core.app import Services
from core.audit.model import AuditEvent, AuditQuery, ChainReport
from core.progress import Progress
from core.staff.model import Permission, StaffMember
from gui.errors import chain_reason
from gui.hub import SignalHub
from gui.settings.audit_filters import AuditFilters
from gui.settings.audit_model import PAGE_SIZE, AuditColumn, AuditModel
from gui.settings.messages import tr
from gui.settings.section import Section, make_table
from gui.style import Badge, Banner, Card, button, caption
from gui.tasks import TaskRunner

_Context = tuple[list[StaffMember], list[str], str, datetime]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class AuditSection(Section):
    """The tamper-evident audit trail (45 CFR 164.312(b)), for managers and admins.

    Signals: none (emits ``hub.data_changed("audit_check")`` after a verification, so Today
    shows or drops its "audit trail broken" item).
    """

    key = "audit"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Audit trail"),
            intro=tr(
                "Every sign-in, change and approval is written to a trail that cannot be changed "
                "without it showing."
            ),
            parent=parent,
        )
        self.model = AuditModel(self)
        self.report: ChainReport | None = None
        self._query: AuditQuery | None = None
        self._query_id = 0
        self._staff_names: dict[int, str] = {}
        self._tz = ZoneInfo("UTC")

        self.verify_card = Card(tr("Check the trail"))
        self.verify_badge = Badge("", "neutral")
        self.verify_badge.hide()
        self.verify_card.header.insertWidget(1, self.verify_badge)
        self.verify_button = button(tr("Verify now"), "shield")
        self.verify_card.header.addWidget(self.verify_button)
        self.verify_card.body.addWidget(
            caption(
                tr(
                    "Verifying reads every event and confirms that none was changed or removed "
                    "since "
                    "it was written."
                )
            )
        )
        self._result_slot = QVBoxLayout()
        self.verify_card.body.addLayout(self._result_slot)
        self.result: Banner | None = None
        self.content.addWidget(self.verify_card)

        self.viewer_card = Card(tr("Events"))
        self.reload_button = button(tr("Refresh"), "refresh", "ghost")
        self.viewer_card.header.addWidget(self.reload_button)
        self.filters = AuditFilters()
        self.viewer_card.body.addWidget(self.filters)
        self.count_label = caption(wrap=False)
        self.viewer_card.body.addWidget(self.count_label)
        self.table = make_table(self.model, 360)
        header = self.table.horizontalHeader()
        for column in AuditColumn:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        for column, width in (
            (AuditColumn.TIME, 150),
            (AuditColumn.PERSON, 140),
            (AuditColumn.ACTION, 170),
            (AuditColumn.RECORD, 170),
        ):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.viewer_card.body.addWidget(self.table)
        self.content.addWidget(self.viewer_card)

        self.verify_button.clicked.connect(self.verify_now)
        self.reload_button.clicked.connect(self.refresh)
        self.filters.changed.connect(self.run_query)
        self.model.more_wanted.connect(self._fetch_page)
        self.model.rowsInserted.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)

    # --- Section -----------------------------------------------------------------------
    def apply_permissions(self) -> None:
        allowed = self.permitted(Permission.VIEW_AUDIT)
        self.verify_card.setVisible(allowed)
        self.viewer_card.setVisible(allowed)
        self.show_read_only(
            None
            if allowed or self.user is None
            else tr("Only a manager or admin can view the audit trail.")
        )
        if not allowed:
            self.model.clear()
            self._show_result(None)

    def load(self) -> None:
        if not self.permitted(Permission.VIEW_AUDIT):
            self.loaded = True
            return
        services = self.services

        def read() -> _Context:
            return (
                services.staff.list(include_inactive=True),
                services.audit.actions(),
                services.practice.practice().value.timezone,
                services.clock.now(),
            )

        self.call(read, self._show_context)

    # --- viewer ------------------------------------------------------------------------
    def _show_context(self, context: _Context) -> None:
        staff, actions, zone, now = context
        self._tz = _zone(zone)
        self._staff_names = {m.id: m.display_name for m in staff}
        self.filters.set_context(now.astimezone(self._tz).date(), self._tz)
        self.filters.set_people(staff)
        self.filters.set_actions(actions)
        self.loaded = True
        self._show_result(self.services.audit.last_report)
        self.run_query()

    def run_query(self) -> None:
        """Load the first page for the current filters (later pages load as the list is
        scrolled)."""
        if self.user is None or not self.permitted(Permission.VIEW_AUDIT):
            return
        user, audit, clock = self.user, self.services.audit, self.services.clock
        self._query_id += 1
        query_id = self._query_id
        wanted = self.filters.query(PAGE_SIZE)

        def first_page() -> tuple[AuditQuery, list[AuditEvent], int]:
            # Events keep arriving at the top (newest first): pin the query to what existed
            # now, so later pages do not shift under the rows already shown.
            snapshot = clock.now() + timedelta(microseconds=1)
            pinned = (
                wanted
                if wanted.until is not None and wanted.until <= snapshot
                else (replace(wanted, until=snapshot))
            )
            events, total = audit.query(user, pinned)
            return pinned, events, total

        def shown(result: tuple[AuditQuery, list[AuditEvent], int]) -> None:
            if query_id != self._query_id:
                return
            self._query, events, total = result
            self.model.reset(events, total, self._tz, self._staff_names)

        self.call(first_page, shown)

    def _fetch_page(self, offset: int) -> None:
        if self.user is None or self._query is None:
            self.model.fetch_failed()
            return
        user, audit, query_id = self.user, self.services.audit, self._query_id
        page = replace(self._query, offset=offset, limit=PAGE_SIZE)

        def shown(result: tuple[list[AuditEvent], int]) -> None:
            if query_id == self._query_id:
                self.model.append_page(offset, result[0])

        def failed(exc: BaseException) -> None:
            self.model.fetch_failed()
            self.handle_error(exc)

        self.call(lambda: audit.query(user, page), shown, failed)

    def _update_count(self) -> None:
        total, loaded = self.model.total, self.model.loaded
        if total == 0:
            self.count_label.setText(tr("No events match these filters."))
        elif loaded >= total:
            self.count_label.setText(tr("{total} events").format(total=f"{total:,}"))
        else:
            self.count_label.setText(
                tr("Showing the newest {loaded} of {total} events; scroll down for more.").format(
                    loaded=f"{loaded:,}", total=f"{total:,}"
                )
            )

    # --- verification ------------------------------------------------------------------
    def verify_now(self) -> None:
        if self.user is None:
            return
        user, audit = self.user, self.services.audit
        step_text = tr("Checked {done} of {total} events…")

        def work() -> Generator[Progress, None, ChainReport | None]:
            total = audit.query(user, AuditQuery(limit=1))[1]
            report = None
            for step in audit.verify():
                if isinstance(step, ChainReport):
                    report = step
                else:
                    yield Progress(
                        step, total, step_text.format(done=f"{step:,}", total=f"{total:,}")
                    )
            return report

        self.call_with_progress(tr("Checking the audit trail…"), work, self._verified)

    def _verified(self, report: ChainReport | None) -> None:
        self._show_result(report)
        self.hub.data_changed.emit("audit_check")

    def _show_result(self, report: ChainReport | None) -> None:
        self.report = report
        if self.result is not None:
            self._result_slot.removeWidget(self.result)
            self.result.hide()
            self.result.deleteLater()
            self.result = None
        self.verify_badge.setVisible(report is not None)
        if report is None:
            return
        self.verify_badge.setText(tr("Intact") if report.ok else tr("Broken"))
        self.verify_badge.set_tone("success" if report.ok else "danger")
        if report.ok:
            self.result = Banner(
                tr("Chain intact — {n} events checked. Nothing was changed or removed.").format(
                    n=f"{report.checked:,}"
                ),
                "success",
            )
        else:
            self.result = Banner(
                tr(
                    "The audit trail is broken at event #{seq}: {reason}. Someone may have changed "
                    "the practice's data outside the app. Do not delete anything; tell the "
                    "practice's admin today."
                ).format(seq=report.first_bad_seq, reason=chain_reason(report.reason)),
                "danger",
            )
            font = self.result.text_label.font()
            font.setBold(True)
            self.result.text_label.setFont(font)
        self._result_slot.addWidget(self.result)

    def result_text(self) -> str:
        return self.result.text_label.text() if self.result is not None else ""

    def result_tone(self) -> str:
        return str(self.result.property("tone")) if self.result is not None else ""
