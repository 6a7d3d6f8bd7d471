"""The reply editor: start from a template, write, and see the live privacy check as you type
(findings underlined and listed with why and a safer sentence; "It's safe…" lets one through
with a written reason), then save, submit (a reply to a negative review waits for an
approver), approve (another person), then post it: "Post to Google" for a review from a
connected Google location (the service sends it with ``updateReply`` exactly once and the
banner shows the reply's remote state: posted, refused with Google's reason, or unanswered and
checked first next time), or copy it, open the review's page, and mark it replied. "Post to
Google" is the main action when it is there, "Copy and open" then a secondary one. Nothing is
ever posted automatically. A review answered on Google itself says so, and one the reviewer
changed after the reply says that too."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QHelpEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QToolTip,
    QWidget,
)

from core.app import Services
from core.phi import Finding
from core.practice.model import Practice
from core.reviews.model import RemoteState, Reply, Review, ReviewStatus
from core.reviews.ports import ReplyOverride
from core.reviews.service import is_negative
from core.staff.model import Permission, StaffMember
from core.staff.rules import can
from gui import errors, icons
from gui.reason_dialog import ReasonDialog
from gui.reviews.detail import web_url
from gui.reviews.highlight import ReplyHighlighter, Span, to_python, utf16_positions
from gui.reviews.inbox_findings import Checked, FindingsPanel, OverrideKey
from gui.reviews.wording import (
    MIN_OVERRIDE_REASON,
    finding_fix,
    finding_title,
    finding_why,
    long_date,
)
from gui.tasks import TaskRunner
from gui.widgets import Banner, Card, button, caption, repolish

CHECK_DELAY_MS = 250
HISTORY_HINT_MIME = "x-kde-passwordManagerHint"
_WINDOWS_FORMAT = 'application/x-qt-windows-mime;value="{name}"'
_ZERO_DWORD = b"\x00\x00\x00\x00"
EDITABLE = frozenset({ReviewStatus.NEW, ReviewStatus.TRIAGED, ReviewStatus.ESCALATED})
"""Statuses in which the reply can be written or changed (the service checks again)."""
TARGET_NAMES = {"google": "Google"}
"""How the connected sources that post replies are named on buttons and banners."""


def clipboard_data(text: str, platform: str = sys.platform) -> QMimeData:
    """``text`` as clipboard data that clipboard managers leave out of their history (the
    convention password managers use: KDE's hint on Linux, the exclusion formats on
    Windows). A reply is approved for the public, but a shared front-desk PC should not keep
    a history of what was copied."""
    data = QMimeData()
    data.setText(text)
    data.setData(HISTORY_HINT_MIME, b"secret")
    if platform.startswith("win"):
        exclude = _WINDOWS_FORMAT.format(name="ExcludeClipboardContentFromMonitorProcessing")
        data.setData(exclude, b"\x01")
        for name in ("CanIncludeInClipboardHistory", "CanUploadToCloudClipboard"):
            data.setData(_WINDOWS_FORMAT.format(name=name), _ZERO_DWORD)
    return data


def set_kind(widget: QPushButton, kind: str, icon_name: str) -> None:
    """Restyle a ``gui.widgets.button`` as ``kind`` (its icon's tone follows)."""
    if widget.property("kind") == kind:
        return
    widget.setProperty("kind", kind)
    icons.bind_icon(
        widget, icon_name, {"primary": "accent_text", "danger": "danger"}.get(kind, "text")
    )
    repolish(widget)


def open_url(url: QUrl) -> bool:
    """Open ``url`` in the browser (a seam for tests)."""
    return QDesktopServices.openUrl(url)


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What the editor needs besides the review: the templates (id, title, rendered text),
    the staff (names of writers and approvers) and the practice."""

    templates: tuple[tuple[str, str, str], ...]
    staff: tuple[StaffMember, ...]
    practice: Practice | None


class ReplyEditor(Card):
    """Writes and moves one review's reply through its steps (through the task runner).

    Signals:
        changed(object): a step changed the ``Review`` (saved, submitted, approved, replied).
    """

    changed = Signal(object)

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(self.tr("Reply"), parent)
        self.services = services
        self.runner = runner
        self.user: StaffMember | None = None
        self.review: Review | None = None
        self.reply: Reply | None = None
        self.reply_target = ""
        self.changed_after_reply: datetime | None = None
        self.context = ReplyContext((), (), None)
        self.pending_overrides: dict[OverrideKey, str] = {}
        self.recorded_overrides: dict[OverrideKey, str] = {}
        self.checked: Checked | None = None
        self.override_dialog: ReasonDialog | None = None
        self._saved_text = ""
        self._check_generation = 0
        self._step_running = False
        self._build()

    def _build(self) -> None:
        self.save_state = caption("", wrap=False)
        self.header.addWidget(self.save_state)
        top = QHBoxLayout()
        self.template = QComboBox()
        self.template.setAccessibleName(self.tr("Start from a template"))
        self.template.setMinimumWidth(240)
        self.template.activated.connect(self._template_chosen)
        top.addWidget(self.template)
        top.addStretch(1)
        self.body.addLayout(top)
        self.banner = Banner("", "info")
        self.banner.hide()
        self.body.addWidget(self.banner)
        self.text = QPlainTextEdit()
        self.text.setObjectName("ReplyText")
        self.text.setAccessibleName(self.tr("Reply"))
        self.text.setPlaceholderText(
            self.tr(
                "Thank them, stay general, and invite them to call the office. "
                "Never say whether they are a patient."
            )
        )
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(110)
        self.highlighter = ReplyHighlighter(self.text.document())
        self.text.viewport().installEventFilter(self)
        self.body.addWidget(self.text)
        self.findings = FindingsPanel()
        self.findings.override_requested.connect(self._ask_override)
        self.findings.override_undone.connect(self._undo_override)
        self.findings.insert_requested.connect(self._insert)
        self.findings.finding_clicked.connect(self._select_finding)
        self.body.addWidget(self.findings)
        self.approval_note = caption("")
        self.body.addWidget(self.approval_note)
        self.body.addLayout(self._build_actions())
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.timeout.connect(self._run_check)
        self.text.textChanged.connect(self._edited)
        self.clear()

    def _build_actions(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.save_button = button(self.tr("Save draft"), kind="ghost")
        self.save_button.clicked.connect(self.save)
        self.submit_button = button(self.tr("Submit"), "check-circle", "primary")
        self.submit_button.clicked.connect(self.submit)
        self.approve_button = button(self.tr("Approve"), "shield", "primary")
        self.approve_button.clicked.connect(self.approve)
        self.copy_button = button(self.tr("Copy and open the review"), "copy", "primary")
        self.copy_button.setToolTip(
            self.tr("Copies the reply, then opens the review's page: paste it there")
        )
        self.copy_button.clicked.connect(self.copy_and_open)
        self.post_button = button(self.tr("Post to Google"), "check-circle", "primary")
        self.post_button.clicked.connect(self.post_to_site)
        self.replied_button = button(self.tr("Mark replied"), "check-circle")
        self.replied_button.setToolTip(self.tr("After you pasted and posted it on the site"))
        self.replied_button.clicked.connect(self.mark_replied)
        for widget in (
            self.save_button,
            self.submit_button,
            self.approve_button,
            self.post_button,
            self.copy_button,
            self.replied_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        return actions

    # --- showing ---------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        self.user = member
        if member is None:
            self.clear()
        else:
            self._update_actions()

    def set_context(self, context: ReplyContext) -> None:
        self.context = context
        self.template.blockSignals(True)
        self.template.clear()
        self.template.addItem(self.tr("Start from a template…"), None)
        for template_id, title, _text in context.templates:
            self.template.addItem(title, template_id)
        self.template.blockSignals(False)
        self._update_actions()

    def show_review(
        self,
        review: Review,
        reply: Reply | None,
        overrides: Sequence[ReplyOverride] = (),
        *,
        reply_target: str = "",
        changed_after_reply: datetime | None = None,
    ) -> None:
        """Show ``review``'s reply (or an empty one) and check it. ``reply_target`` names the
        connected source that can post it (``ReviewDetail.reply_target``; ``""``: by hand);
        ``changed_after_reply`` when the reviewer edited it after the reply
        (``ReviewDetail.changed_after_reply``)."""
        same = self.review is not None and self.review.id == review.id
        self.review = review
        self.reply = reply
        self.reply_target = reply_target
        self.changed_after_reply = changed_after_reply
        self.recorded_overrides = {(o.kind, o.text_hash): o.reason for o in overrides}
        if not same:
            self.pending_overrides = {}
        text = reply.text if reply is not None else ""
        if not same or text != self._saved_text or not self._dirty():
            self._saved_text = text
            self.text.blockSignals(True)
            self.text.setPlainText(text)
            self.text.blockSignals(False)
        self.checked = None
        self._update_actions()
        self._schedule_check(0)

    def clear(self) -> None:
        """Show nothing (signed out, or no review chosen)."""
        self._check_generation += 1
        self._check_timer.stop()
        if self.override_dialog is not None:
            self.override_dialog.reject()
        self.review = None
        self.reply = None
        self.reply_target = ""
        self.changed_after_reply = None
        self.pending_overrides = {}
        self.recorded_overrides = {}
        self.checked = None
        self._saved_text = ""
        self.text.blockSignals(True)
        self.text.clear()
        self.text.blockSignals(False)
        self.highlighter.set_spans("", [])
        self.findings.show_nothing()
        self.save_state.setText("")
        self._update_actions()

    def focus_text(self) -> None:
        self.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- state -----------------------------------------------------------------------------
    def _dirty(self) -> bool:
        # The service stores the reply trimmed.
        return self.text.toPlainText().strip() != self._saved_text.strip()

    def editable(self) -> bool:
        return self.user is not None and self.review is not None and self.review.status in EDITABLE

    def open_findings(self) -> list[Finding]:
        """The findings of the current text not let through (empty until checked)."""
        if self.checked is None:
            return []
        let_through = self.pending_overrides | self.recorded_overrides
        return [f for f, digest in self.checked.findings if (f.kind, digest) not in let_through]

    def _checked_now(self) -> bool:
        return self.checked is not None and self.checked.text == self.text.toPlainText()

    def approvers(self) -> list[StaffMember]:
        """Who may approve this reply: active staff with the approve permission who did not
        write it."""
        writer = self.reply.written_by if self.reply is not None else None
        if writer is None and self.user is not None:
            writer = self.user.id
        return [
            m
            for m in self.context.staff
            if m.active and can(m.role, Permission.APPROVE) and m.id != writer
        ]

    def _name(self, staff_id: int | None) -> str:
        for member in self.context.staff:
            if member.id == staff_id:
                return member.display_name
        return self.tr("someone")

    def _needs_approval(self) -> bool:
        return self.review is not None and is_negative(self.review)

    def _update_actions(self) -> None:
        review, user, reply = self.review, self.user, self.reply
        editable = self.editable()
        has_text = bool(self.text.toPlainText().strip())
        self.text.setReadOnly(not editable)
        self.template.setEnabled(editable)
        self.save_button.setEnabled(editable and has_text and self._dirty())
        blocked = bool(self.open_findings())
        self.submit_button.setEnabled(
            editable and has_text and self._checked_now() and not blocked and not self._step_running
        )
        if editable and blocked:
            self.submit_button.setToolTip(self.tr("Fix or let through what the check found first"))
        elif editable and has_text and not self._checked_now():
            self.submit_button.setToolTip(self.tr("Checking the reply…"))
        else:
            self.submit_button.setToolTip("")
        status = review.status if review is not None else None
        awaiting = status is ReviewStatus.AWAITING_APPROVAL
        may_approve = user is not None and can(user.role, Permission.APPROVE)
        wrote_it = user is not None and reply is not None and reply.written_by == user.id
        self.approve_button.setVisible(awaiting)
        self.approve_button.setEnabled(awaiting and may_approve and not wrote_it)
        if awaiting and not may_approve:
            self.approve_button.setToolTip(
                self.tr("Only the office manager, a doctor or an admin may approve replies")
            )
        elif awaiting and wrote_it:
            self.approve_button.setToolTip(
                self.tr("Someone other than the writer approves a reply (the two-person rule)")
            )
        else:
            self.approve_button.setToolTip("")
        approved = status is ReviewStatus.APPROVED
        self._update_post_button(approved)
        self.copy_button.setVisible(approved)
        self.replied_button.setVisible(approved)
        self.copy_button.setEnabled(approved and user is not None)
        self.replied_button.setEnabled(approved and user is not None)
        self.submit_button.setVisible(not (awaiting or approved or status is ReviewStatus.REPLIED))
        self.save_button.setVisible(self.submit_button.isVisible())
        self._show_banner()
        names = ", ".join(m.display_name for m in self.approvers())
        if editable and self._needs_approval():
            self.approval_note.setText(
                self.tr(
                    "A reply to a negative review needs approval. Who may approve: {names}."
                ).format(names=names or self.tr("nobody yet (add an office manager in Settings)"))
            )
        elif awaiting:
            self.approval_note.setText(
                self.tr("Who may approve: {names}.").format(names=names or self.tr("nobody yet"))
            )
        else:
            self.approval_note.setText("")
        self.approval_note.setVisible(bool(self.approval_note.text()))

    def _target_name(self) -> str:
        return TARGET_NAMES.get(self.reply_target, self.reply_target)

    def _update_post_button(self, approved: bool) -> None:
        """ "Post to Google" for an approved reply to a review from a connected location;
        after an unanswered attempt it says that it checks first."""
        shown = approved and bool(self.reply_target)
        self.post_button.setVisible(shown)
        # One main action: posting through Google when it can; copying otherwise.
        set_kind(self.copy_button, "default" if shown else "primary", "copy")
        self.post_button.setEnabled(shown and self.user is not None and not self._step_running)
        state = self.reply.remote_state if self.reply is not None else None
        name = self._target_name()
        if state in {RemoteState.SENDING, RemoteState.UNCERTAIN}:
            self.post_button.setText(self.tr("Check and post to {site}").format(site=name))
            self.post_button.setToolTip(
                self.tr(
                    "Asks {site} first whether the reply arrived, so it never goes twice"
                ).format(site=name)
            )
        else:
            self.post_button.setText(self.tr("Post to {site}").format(site=name))
            self.post_button.setToolTip(
                self.tr("Posts the approved reply on {site} now").format(site=name)
            )

    def _remote_banner(self, reply: Reply) -> tuple[str, str]:
        """The reply's remote state in words, and the banner's tone ("" when none)."""
        name = self._target_name() or self.tr("the site")
        state = reply.remote_state
        if state is RemoteState.FAILED:
            return (
                self.tr(
                    "{site} did not take the reply: {reason} Post it again, or copy it and "
                    "post it by hand."
                ).format(site=name, reason=reply.remote_error or self.tr("no reason given.")),
                "warning",
            )
        if state in {RemoteState.SENDING, RemoteState.UNCERTAIN}:
            return (
                self.tr(
                    "{site} did not answer: the reply may be there already. Posting again "
                    "checks first, so it never goes twice."
                ).format(site=name),
                "warning",
            )
        return "", ""

    def _show_banner(self) -> None:
        review, reply = self.review, self.reply
        text, tone = "", "info"
        remote = self._remote_banner(reply) if reply is not None else ("", "")
        if review is None:
            pass
        elif review.status is ReviewStatus.APPROVED and remote[0]:
            text, tone = remote
        elif review.status is ReviewStatus.AWAITING_APPROVAL and reply is not None:
            text = self.tr("Written by {who}; waiting for approval.").format(
                who=self._name(reply.written_by)
            )
            tone = "warning"
        elif review.status is ReviewStatus.APPROVED:
            text = self.tr(
                "Ready to post: copy it, paste it on the review's page, then mark it replied."
            )
            if self.reply_target:
                text = self.tr(
                    "Ready to post: post it to {site} here, or copy it and post it by hand."
                ).format(site=self._target_name())
            if reply is not None and reply.approved_by is not None:
                text = self.tr("Approved by {who}. {rest}").format(
                    who=self._name(reply.approved_by), rest=text
                )
            tone = "success"
        elif review.status is ReviewStatus.REPLIED and reply is not None:
            when = long_date(reply.posted_at) if reply.posted_at else ""
            text = self.tr("Replied by {who}, {when}.").format(
                who=self._name(reply.posted_by), when=when
            )
            if reply.written_by is None:
                text = self.tr(
                    "Answered on {site} itself, {when}: this is the reply {site} shows."
                ).format(site=self._target_name() or self.tr("the site"), when=when)
            elif reply.remote_state is RemoteState.POSTED:
                posted = reply.remote_updated_at or reply.posted_at
                text = self.tr("Posted to {site} by {who}; {site} shows it since {when}.").format(
                    site=self._target_name() or self.tr("the site"),
                    who=self._name(reply.posted_by),
                    when=long_date(posted) if posted else when,
                )
            tone = "success"
            if self.changed_after_reply is not None:
                text += " " + self.tr(
                    "The reviewer changed the review on {when}, after this reply: read it "
                    "again, and change the reply on {site} if it no longer fits."
                ).format(
                    when=long_date(self.changed_after_reply),
                    site=self._target_name() or self.tr("the site"),
                )
                tone = "warning"
        elif review.status is ReviewStatus.NO_RESPONSE:
            text = self.tr("Decided not to answer (see the triage).")
            tone = "neutral"
        self.banner.set_text(text)
        self.banner.setProperty("tone", tone)
        repolish(self.banner)
        self.banner.setVisible(bool(text))

    # --- editing ---------------------------------------------------------------------------
    def _edited(self) -> None:
        self.save_state.setText(self.tr("Not saved") if self._dirty() else "")
        self._update_actions()
        self._schedule_check(CHECK_DELAY_MS)

    def _template_chosen(self, index: int) -> None:
        template_id = self.template.itemData(index)
        self.template.setCurrentIndex(0)
        text = next((t[2] for t in self.context.templates if t[0] == template_id), None)
        if text is None or not self.editable():
            return
        cursor = self.text.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        # One undoable step: Ctrl+Z brings back what was typed before.
        cursor.insertText(text)
        self.text.setTextCursor(cursor)
        self.focus_text()

    def _insert(self, sentence: str) -> None:
        if not self.editable():
            return
        cursor = self.text.textCursor()
        before = self.text.toPlainText()[: cursor.position()]
        spacer = "" if not before or before.endswith((" ", "\n")) else " "
        cursor.insertText(spacer + sentence)
        self.focus_text()

    def _select_finding(self, f: Finding) -> None:
        if self.checked is None or self.checked.text != self.text.toPlainText():
            return
        positions = utf16_positions(self.checked.text)
        cursor = self.text.textCursor()
        cursor.setPosition(positions[f.start])
        cursor.setPosition(positions[f.end], QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.focus_text()

    # --- checking --------------------------------------------------------------------------
    def _schedule_check(self, delay: int) -> None:
        self._check_generation += 1
        self._check_timer.start(delay)

    def _run_check(self) -> None:
        review = self.review
        if review is None:
            return
        generation = self._check_generation
        text = self.text.toPlainText()
        reviews = self.services.reviews

        def check() -> Checked:
            # Loaded on the worker: the PHI scanner is not needed before the first check.
            from core.composer.check import span_hash
            from core.reviews.reply_check import safe_rewrites

            found = reviews.check(text, review)
            hashed = tuple((f, span_hash(text[f.start : f.end])) for f in found)
            return Checked(text, hashed, tuple(safe_rewrites(found)))

        def checked(result: Checked) -> None:
            if generation != self._check_generation or self.review is None:
                return
            self.checked = result
            self._show_checks()

        self.runner.run(check, checked, self._failed)

    def _show_checks(self) -> None:
        checked = self.checked
        if checked is None:
            return
        self.findings.show_result(
            checked,
            self.pending_overrides,
            self.recorded_overrides,
            editable=self.editable(),
        )
        let_through = self.pending_overrides | self.recorded_overrides
        spans: list[Span] = [
            (f.start, f.end, (f.kind, digest) in let_through) for f, digest in checked.findings
        ]
        self.highlighter.set_spans(checked.text, spans)
        self._update_actions()

    def _ask_override(self, f: Finding) -> ReasonDialog | None:
        if self.checked is None:
            return None
        words = self.checked.text[f.start : f.end]
        dialog = ReasonDialog(
            self.tr("Not patient information?"),
            self.tr(
                "Why is \u201c{words}\u201d safe to say in a public reply? This is recorded "
                "with your name."
            ).format(words=words),
            ok_text=self.tr("Let it through"),
            minimum=MIN_OVERRIDE_REASON,
            detail=self.tr(
                "For example: \u201cDr. Lee is our dentist, not a patient\u201d. If in doubt, "
                "take it out."
            ),
            parent=self,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        key = self.checked.key(f)
        dialog.accepted.connect(lambda: self._add_override(key, dialog.reason()))
        dialog.finished.connect(lambda _r: setattr(self, "override_dialog", None))
        self.override_dialog = dialog
        dialog.open()
        return dialog

    def _add_override(self, key: OverrideKey, reason: str) -> None:
        self.pending_overrides[key] = reason
        self._show_checks()

    def _undo_override(self, f: Finding) -> None:
        if self.checked is not None:
            self.pending_overrides.pop(self.checked.key(f), None)
        self._show_checks()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            point: QPoint = event.pos()
            tip = self.finding_tip(self.text.cursorForPosition(point).position())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.text)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    def finding_tip(self, qt_position: int) -> str:
        """The explanation of the finding under a (UTF-16) position, or ``""``."""
        if not self._checked_now() or self.checked is None:
            return ""
        position = to_python(self.checked.text, qt_position)
        for f, _digest in self.checked.findings:
            if f.start <= position < f.end:
                return f"{finding_title(f.kind)}\n{finding_why(f.kind)}\n{finding_fix(f.kind)}"
        return ""

    # --- steps -----------------------------------------------------------------------------
    def _step(self, work: Callable[[StaffMember, Review], Review], done_text: str) -> None:
        if self.user is None or self.review is None or self.review.id is None:
            return
        actor, review = self.user, self.review
        self._step_running = True
        self._update_actions()

        def stepped(result: Review) -> None:
            self._step_running = False
            if self.review is None or self.review.id != result.id:
                return
            self.review = result
            self.save_state.setText(done_text)
            self._update_actions()
            self.changed.emit(result)

        def failed(exc: BaseException) -> None:
            self._step_running = False
            self._update_actions()
            self._failed(exc)

        self.runner.run(lambda: work(actor, review), stepped, failed)

    def _save_first(self, actor: StaffMember, review: Review, text: str) -> Review:
        """Save ``text`` when it differs from the stored reply (on the worker)."""
        assert review.id is not None
        if self.reply is not None and self.reply.text == text.strip():
            return review
        return self.services.reviews.save_reply(actor, review.id, review.version, text)

    def save(self) -> None:
        """Save the draft (the check runs again on the stored text)."""
        if not self.editable():
            return
        text = self.text.toPlainText()
        self._saved_text = text
        reviews = self.services.reviews

        def work(actor: StaffMember, review: Review) -> Review:
            assert review.id is not None
            return reviews.save_reply(actor, review.id, review.version, text)

        self._step(work, self.tr("Draft saved"))

    def submit(self) -> None:
        """Save and submit: a reply to a negative review then waits for an approver; any
        other is approved at once. Open findings block it (the service checks again)."""
        if not self.editable() or not self._checked_now() or self.open_findings():
            return
        text = self.text.toPlainText()
        self._saved_text = text
        reviews = self.services.reviews
        pending = dict(self.pending_overrides)

        def work(actor: StaffMember, review: Review) -> Review:
            from core.composer.check import Override

            saved = self._save_first(actor, review, text)
            assert saved.id is not None
            overrides = []
            for item in reviews.findings(saved.id):
                key, f = (item.finding.kind, item.text_hash), item.finding
                if not item.overridden and key in pending:
                    overrides.append(
                        Override(f.kind, f.start, f.end, pending[key], None, item.text_hash)
                    )
            return reviews.submit_reply(actor, saved.id, saved.version, overrides)

        self._step(work, self.tr("Submitted"))

    def approve(self) -> None:
        reviews = self.services.reviews

        def work(actor: StaffMember, review: Review) -> Review:
            assert review.id is not None
            return reviews.approve_reply(actor, review.id, review.version)

        self._step(work, self.tr("Approved"))

    def copy_and_open(self) -> bool:
        """Copy the reply (kept out of clipboard history) and open the review's page;
        ``False`` when the review has no web address (the reply is still copied)."""
        if self.review is None:
            return False
        QGuiApplication.clipboard().setMimeData(clipboard_data(self.text.toPlainText()))
        url = web_url(self.review.url)
        if url is None:
            self.save_state.setText(self.tr("Copied. This review has no web address to open."))
            return False
        self.save_state.setText(self.tr("Copied: paste it on the review's page"))
        return open_url(url)

    def post_to_site(self) -> None:
        """Post the approved reply through the connected source (off the GUI thread); the
        outcome (posted, refused, unanswered) comes back as the review's new state."""
        if not self.reply_target or self.review is None:
            return
        reviews = self.services.reviews

        def work(actor: StaffMember, review: Review) -> Review:
            assert review.id is not None
            return reviews.post_reply(actor, review.id, review.version)

        self._step(work, self.tr("Sent to {site}").format(site=self._target_name()))

    def mark_replied(self) -> None:
        reviews = self.services.reviews

        def work(actor: StaffMember, review: Review) -> Review:
            assert review.id is not None
            return reviews.mark_replied(actor, review.id, review.version)

        self._step(work, self.tr("Marked replied"))

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)
