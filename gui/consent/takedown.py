"""Confirming that a published post was taken down.

When a patient withdraws consent (or a consent expires and the practice reviews its posts), each
published post × platform that used the patient's photo goes onto the takedown list. Someone
removes the post on the platform, then confirms it here, saying how; core records who and when.
When the post went out through the platform's API (a connected account), "Delete from
<platform>" deletes it there and confirms the takedown in one go; where the API cannot delete
posts, the post is opened for removal by hand, as before.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.composer.calendar import platform_names
from core.consent.model import Takedown
from core.errors import EditConflict
from core.publishing.connectors import PublishError, WithdrawNotSupported
from core.staff.model import StaffMember
from gui import errors
from gui.style import Banner, button, caption, heading, plain_label, repolish
from gui.tasks import TaskRunner

DIALOG_WIDTH = 520


def platform_name(platform: str) -> str:
    """The platform's name as people know it ("Facebook"), or its id when unknown."""
    return platform_names([platform])[0]


def _day_text(takedown: Takedown) -> str:
    local = takedown.created_at.astimezone()
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale.toString(QDate(local.year, local.month, local.day), QLocale.FormatType.LongFormat)


class TakedownDialog(QDialog):
    """One post to take down: where it is, its live link, why it has to go, and "How was it
    removed?" before "Confirm removed" records the takedown as done.

    Signals:
        confirmed(object): the updated ``core.consent.model.Takedown``, after core recorded it;
            the dialog then closes.
    """

    confirmed = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        takedown: Takedown,
        user: StaffMember,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.takedown = takedown
        self.user = user
        self.busy = False
        where = platform_name(takedown.platform)
        self.setWindowTitle(self.tr("Take a post down"))
        self.setMinimumWidth(DIALOG_WIDTH)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(
            heading(self.tr("Remove this post from {platform}").format(platform=where), 2)
        )
        if takedown.reason == "expired":
            why = self.tr(
                "The consent for a photo in this post has expired, so the photo should no longer "
                "be shown. Remove the post on {platform}, then confirm it here."
            )
        else:
            why = self.tr(
                "A patient withdrew their consent for a photo in this post. Remove the post on "
                "{platform}, then confirm it here."
            )
        self.why_label = Banner(why.format(platform=where), "warning")
        layout.addWidget(self.why_label)
        self.done_label = Banner(
            self.tr("Someone already confirmed that this post was removed."), "success"
        )
        self.done_label.hide()
        layout.addWidget(self.done_label)

        layout.addLayout(self._facts(takedown, where))
        layout.addWidget(plain_label(self.tr("How was it removed?")))
        self.how = QLineEdit()
        self.how.setPlaceholderText(
            self.tr("For example: Deleted on {platform}").format(platform=where)
        )
        self.how.setMaxLength(300)
        self.how.setAccessibleName(self.tr("How was it removed?"))
        layout.addWidget(self.how)
        self.how_error = caption()
        self.how_error.setStyleSheet("color: palette(bright-text);")
        self.how_error.hide()
        layout.addWidget(self.how_error)
        layout.addWidget(
            caption(
                self.tr("Your name and the time are recorded with it, for the practice's records.")
            )
        )

        layout.addSpacing(4)
        layout.addLayout(self._actions(where))

        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self.confirm)
        self.delete_button.clicked.connect(self.delete_via_api)
        self.how.textEdited.connect(self._clear_error)
        if not takedown.open:
            self._show_done(takedown)
        else:
            self._ask_whether_deletable()

    def _actions(self, where: str) -> QHBoxLayout:
        """Delete from <platform> (shown once core says its API can), Not yet, Confirm."""
        actions = QHBoxLayout()
        self.delete_button = button(
            self.tr("Delete from {platform}").format(platform=where), "trash"
        )
        self.delete_button.setToolTip(
            self.tr(
                "Deletes the post on {platform} through the connected account, then records "
                "the takedown as done."
            ).format(platform=where)
        )
        self.delete_button.hide()  # until core says the platform's API can delete it
        actions.addWidget(self.delete_button)
        actions.addStretch(1)
        self.cancel_button = button(self.tr("Not yet"), kind="ghost")
        self.confirm_button = button(self.tr("Confirm removed"), "check-circle", kind="primary")
        self.confirm_button.setDefault(True)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.confirm_button)
        return actions

    def _facts(self, takedown: Takedown, where: str) -> QFormLayout:
        """Where the post is, its live link, and since when it is on the list."""
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        self.platform_label = plain_label(where)
        form.addRow(self.tr("Where"), self.platform_label)
        link_row = QHBoxLayout()
        link_row.setSpacing(8)
        no_link = self.tr("No link was recorded: find the post on {platform} by its date.")
        self.url_label = plain_label(takedown.url or no_link.format(platform=where), wrap=True)
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = button(self.tr("Open the post"), "eye")
        self.open_button.setVisible(bool(takedown.url))
        self.open_button.clicked.connect(self.open_link)
        link_row.addWidget(self.url_label, 1)
        link_row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow(self.tr("Live link"), link_row)
        form.addRow(self.tr("On the list since"), plain_label(_day_text(takedown)))
        return form

    # --- actions -----------------------------------------------------------------------
    def open_link(self) -> None:
        """Open the live post in the browser, to remove it there."""
        if self.takedown.url:
            QDesktopServices.openUrl(QUrl(self.takedown.url))

    def delete_via_api(self) -> None:
        """Delete the post on the platform through its API; core then confirms the takedown.
        Where the API cannot delete it, say so and open the post for removal by hand."""
        if self.busy or not self.takedown.open:
            return
        takedown_id = self.takedown.id
        assert takedown_id is not None
        consent, user = self.services.consent, self.user
        self._set_busy(True)
        self.runner.run(
            lambda: consent.delete_via_api(user, takedown_id), self._done, self._delete_failed
        )

    def confirm(self) -> None:
        """Record the takedown as done, with how it was removed (required)."""
        if self.busy or not self.takedown.open:
            return
        how = self.how.text().strip()
        if not how:
            self._show_error(
                self.tr(
                    'Say how the post was removed, for example "Deleted on {platform}".'
                ).format(platform=platform_name(self.takedown.platform))
            )
            return
        takedown_id = self.takedown.id
        assert takedown_id is not None
        consent, user = self.services.consent, self.user
        self._set_busy(True)
        self.runner.run(
            lambda: consent.confirm_takedown(user, takedown_id, how), self._done, self._failed
        )

    # --- internals ---------------------------------------------------------------------
    def _ask_whether_deletable(self) -> None:
        """Show "Delete from <platform>" when the post went out through the platform's API
        (a database read and the connected accounts: off the GUI thread)."""
        consent, takedown = self.services.consent, self.takedown
        # On failure the button stays hidden: removing the post by hand always works.
        self.runner.run(
            lambda: consent.can_delete_via_api(takedown), self._deletable, lambda _exc: None
        )

    def _deletable(self, can: object) -> None:
        if can is True and self.takedown.open:
            self.delete_button.show()
            self.delete_button.setEnabled(not self.busy)

    def _delete_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, WithdrawNotSupported):
            self.delete_button.hide()
            self.why_label.set_text(
                self.tr(
                    "{platform} does not let the app delete this post. It opens in your "
                    "browser: delete it there, then confirm here."
                ).format(platform=platform_name(self.takedown.platform))
            )
            self.open_link()
            return
        if isinstance(exc, PublishError):  # refused, rate-limited, unreachable, signed out
            self.why_label.set_text(
                self.tr(
                    "{platform} did not delete the post: {reason} Try again later, or open "
                    "the post and delete it there."
                ).format(platform=platform_name(self.takedown.platform), reason=str(exc))
            )
            return
        self._failed(exc)

    def _done(self, takedown: Takedown) -> None:
        self._set_busy(False)
        self.takedown = takedown
        self.confirmed.emit(takedown)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, EditConflict):  # confirmed on another computer meanwhile
            self._show_done()
            return
        errors.show_error(self, exc)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.confirm_button.setEnabled(not busy and self.takedown.open)
        self.delete_button.setEnabled(not busy and self.takedown.open)
        self.how.setReadOnly(busy)

    def _show_error(self, text: str) -> None:
        self.how.setProperty("error", "true")
        repolish(self.how)
        self.how_error.setText(text)
        self.how_error.show()
        # Grow by the error's height rather than squeeze the wrapped link above it.
        self.resize(self.width(), self.heightForWidth(self.width()))
        self.how.setFocus()

    def _clear_error(self) -> None:
        if self.how.property("error") == "true":
            self.how.setProperty("error", "false")
            repolish(self.how)
        self.how_error.hide()

    def _show_done(self, takedown: Takedown | None = None) -> None:
        """A takedown confirmed already (on another computer): say so, nothing to do."""
        if takedown is not None:
            self.how.setText(takedown.how)
        self.how.setReadOnly(True)
        self.confirm_button.setEnabled(False)
        self.delete_button.hide()
        self.cancel_button.setText(self.tr("Close"))
        self.why_label.hide()
        self.done_label.show()


def open_takedown_dialog(
    services: Services,
    runner: TaskRunner,
    takedown: Takedown,
    user: StaffMember,
    parent: QWidget | None = None,
) -> TakedownDialog:
    """Open the dialog window-modal without blocking (never ``exec()``) and return it; it
    deletes itself when closed."""
    dialog = TakedownDialog(services, runner, takedown, user, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
