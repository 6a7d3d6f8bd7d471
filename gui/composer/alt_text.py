"""Describe an attached photo for people using screen readers (its alt text), from the post
editor's photo strip: the state under each tile (``AltTextState``) and the dialog that writes
it (``AltTextDialog``).

The description belongs to the photo in the image library (every post with the photo sends
it), so it is saved through the images service, which checks it for patient information like
a post's text and refuses what the check finds. The refusal is shown in the dialog with the
words it found, and the dialog stays open with what was typed, to be fixed rather than lost.
Saving it does not undo the photo's sign-off.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from core.app import Services
from core.errors import EditConflict, ValidationError
from core.imaging.model import ImageRecord
from core.imaging.service import MAX_ALT_TEXT
from core.staff.model import StaffMember
from gui import errors
from gui.composer.wording import finding_title
from gui.tasks import TaskRunner
from gui.widgets import button, caption, heading, plain_label, repolish

if TYPE_CHECKING:
    from gui.composer.photos import AttachedPhoto

PREVIEW_HEIGHT = 160
"""Height of the photo beside the field."""


def refusal_text(params: Mapping[str, object], text: str) -> str:
    """Why the description was not saved (``ImagingService.set_alt_text``'s refusal params);
    ``text`` is the trimmed description sent, to quote the words the PHI check found."""
    tr = QCoreApplication.translate
    if params.get("field") == "status":
        return tr("AltText", "This photo was rejected on the Images page: it cannot be described.")
    reason = params.get("reason")
    if reason == "too_long":
        return tr(
            "AltText", "Not saved: the description is longer than {limit} characters."
        ).format(limit=f"{MAX_ALT_TEXT:,}")
    if reason != "phi":
        return tr("AltText", "The description could not be saved.")
    found: list[str] = []
    findings = params.get("findings")
    for item in findings if isinstance(findings, list) else []:
        kind = str(item.get("kind", ""))
        start, end = int(item.get("start", 0)), int(item.get("end", 0))
        words = text[start:end] if 0 <= start < end <= len(text) else ""
        line = f"• {finding_title(kind)}: “{words}”" if words else f"• {finding_title(kind)}"
        if line not in found:
            found.append(line)
    head = tr("AltText", "Not saved: the description may tell who someone is.")
    tail = tr(
        "AltText",
        "Say what the photo shows, without names, dates or health details: the description is "
        "posted with the photo.",
    )
    return "\n".join([head, *found, tail])


class AltTextState(QWidget):
    """Under a photo in the strip: whether it has a description for screen readers, as a
    button that opens the dialog while the post can be edited, else as a caption; either's
    tooltip reads the description.

    Signals:
        requested(): the person wants to write or change the description.
    """

    requested = Signal()

    def __init__(self, alt_text: str, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        has = bool(alt_text)
        self.button = button(
            self.tr("Alt text ✓") if has else self.tr("Add alt text…"), kind="ghost"
        )
        self.button.setObjectName("alt-text")
        self.button.setStyleSheet("padding: 2px 4px;")  # the app's padding leaves no room
        self.button.clicked.connect(self.requested)
        self.label = caption(self.tr("Alt text ✓") if has else self.tr("No alt text"), wrap=False)
        self.label.setObjectName("alt-text-state")
        if has:
            # Plain text in a tooltip: escaped, since Qt guesses rich text from the content.
            tip = self.tr("Alt text: {text}").format(text=alt_text)
            tip_html = f"<p style='white-space: pre-wrap'>{html.escape(tip)}</p>"
            said = self.tr("Photo {n} alt text: {text}").format(n=number, text=alt_text)
            self.button.setAccessibleName(said)
            self.label.setAccessibleName(said)
        else:
            tip_html = html.escape(self.tr("No description for people using screen readers"))
            self.button.setAccessibleName(self.tr("Add alt text to photo {n}").format(n=number))
            self.label.setAccessibleName(self.tr("Photo {n} has no alt text").format(n=number))
        self.button.setToolTip(tip_html)
        self.label.setToolTip(tip_html)
        row.addWidget(self.button)
        row.addWidget(self.label)
        row.addStretch(1)

    def set_editable(self, editable: bool) -> None:
        self.button.setVisible(editable)
        self.label.setVisible(not editable)


class AltTextDialog(QDialog):
    """The photo, its description in a field with a hint and a character count, and Save.
    Saving runs on the task runner; the dialog closes once the description is saved.

    Signals:
        saved(object): the photo's ``ImageRecord`` with the new description.
    """

    saved = Signal(object)

    def __init__(  # noqa: PLR0917 - the strip hands over everything the save needs
        self,
        services: Services,
        runner: TaskRunner,
        actor: StaffMember,
        photo: AttachedPhoto,
        number: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if photo.image_id is None:
            raise ValueError("only a photo in the library has a description")
        self.services = services
        self.runner = runner
        self.actor = actor
        self.image_id = photo.image_id
        self.version = photo.version
        self.busy = False
        self._sent = ""
        self.setWindowTitle(self.tr("Alt text of photo {n}").format(n=number))
        self.setMinimumWidth(560)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(heading(self.tr("Describe photo {n}").format(n=number), 2))
        row = QHBoxLayout()
        row.setSpacing(12)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        if photo.image is not None:
            pixmap = QPixmap.fromImage(photo.image).scaledToHeight(
                PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation
            )
            wide = min(pixmap.width(), 2 * PREVIEW_HEIGHT)
            self.picture.setPixmap(pixmap.copy(0, 0, wide, PREVIEW_HEIGHT))
        self.picture.setAccessibleName(self.tr("Photo {n}").format(n=number))
        row.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(self._build_fields(photo.alt_text), 1)
        column.addLayout(row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save description"))
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self._saved_text = photo.alt_text
        self._edited()

    def _build_fields(self, alt_text: str) -> QVBoxLayout:
        fields = QVBoxLayout()
        fields.setSpacing(6)
        label = plain_label(self.tr("Description for people using screen readers (alt text)"))
        fields.addWidget(label)
        self.hint = caption(
            self.tr(
                "What the photo shows, without names. It is posted with this photo wherever it "
                "goes out, and changing it does not undo the photo's sign-off."
            )
        )
        fields.addWidget(self.hint)
        self.edit = QPlainTextEdit(alt_text)
        self.edit.setAccessibleName(self.tr("Alt text"))
        self.edit.setAccessibleDescription(self.tr("What the photo shows, without names"))
        self.edit.setPlaceholderText(
            self.tr("e.g. Two hygienists laughing beside the plant wall in the waiting room")
        )
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(110)
        self.edit.textChanged.connect(self._edited)
        label.setBuddy(self.edit)
        fields.addWidget(self.edit)
        self.count = caption("", wrap=False)
        fields.addWidget(self.count, 0, Qt.AlignmentFlag.AlignRight)
        self.problem = caption()
        self.problem.setProperty("error", "true")
        self.problem.setVisible(False)
        fields.addWidget(self.problem)
        return fields

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def save(self) -> None:
        """Save the description (off the GUI thread); closes the dialog once it is saved."""
        if self.busy or not self.save_button.isEnabled():
            return
        text, services, actor = self.text(), self.services, self.actor
        image_id, version = self.image_id, self.version
        if text == self._saved_text:
            self.accept()
            return
        self.busy = True
        self._sent = text
        self._update()

        def done(record: ImageRecord) -> None:
            if not Shiboken.isValid(self):
                return
            self.busy = False
            self.saved.emit(record)
            self.accept()

        def failed(exc: BaseException) -> None:
            if not Shiboken.isValid(self):
                return
            self.busy = False
            self._update()
            if isinstance(exc, ValidationError) and exc.params.get("field") in (
                "alt_text",
                "status",
            ):
                self._show_problem(refusal_text(exc.params, text))
            elif isinstance(exc, EditConflict):
                self._changed_meanwhile()
            else:
                errors.show_error(self, exc)

        self.runner.run(
            lambda: services.images.set_alt_text(actor, image_id, version, text), done, failed
        )

    def _changed_meanwhile(self) -> None:
        """Someone changed the photo since the strip read it: take its new version (the typed
        words stay) and say so; saving again replaces their description."""
        images, image_id = self.services.images, self.image_id

        def done(record: ImageRecord) -> None:
            if not Shiboken.isValid(self):
                return
            self.version = record.version
            self._saved_text = record.alt_text
            self._show_problem(
                self.tr(
                    "Someone else changed this photo at the same time. Its description now "
                    "reads: “{theirs}”. Save again to replace it with yours."
                ).format(theirs=record.alt_text or self.tr("(none)"))
            )

        def failed(exc: BaseException) -> None:
            if Shiboken.isValid(self):
                errors.show_error(self, exc)

        self.runner.run(lambda: images.get(image_id), done, failed)

    def _show_problem(self, text: str) -> None:
        shown = self.problem.isVisible()
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        layout = self.layout()
        if (text or shown) and layout is not None:
            # A wrapped label's height is not in the minimum size: grow to fit it.
            layout.activate()
            needed = layout.totalHeightForWidth(self.width())
            self.resize(self.width(), max(needed, layout.totalMinimumSize().height()))

    def _edited(self) -> None:
        self._show_problem("")
        self._update()

    def _update(self) -> None:
        length = len(self.text())
        too_long = length > MAX_ALT_TEXT
        self.count.setText(f"{length:,} / {MAX_ALT_TEXT:,}")
        self.count.setProperty("error", "true" if too_long else "false")
        self.count.setProperty("muted", "false" if too_long else "true")
        repolish(self.count)
        if too_long:
            self._show_problem(
                self.tr("Too long: shorten it to {limit} characters.").format(
                    limit=f"{MAX_ALT_TEXT:,}"
                )
            )
        self.save_button.setEnabled(not too_long and not self.busy)
        self.edit.setReadOnly(self.busy)


__all__ = ["AltTextDialog", "AltTextState", "refusal_text"]
