"""The photo's description for people using screen readers (alt text), in the side panel.

It is published with the photo (Mastodon, Bluesky, X, Facebook, LinkedIn), so the service
checks it for patient information like a post's text and refuses what the check finds; the
refusal is shown under the field and the typed words stay, to be fixed rather than retyped.
Saving it leaves a sign-off alone: the description is not part of what was checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QWidget

from core.imaging.model import ImageRecord
from core.imaging.service import MAX_ALT_TEXT
from gui.images.wording import alt_text_refusal
from gui.widgets import Card, button, caption, plain_label, repolish


class AltTextCard(Card):
    """The alt text field, its hint, a character count, why it was refused, and Save.

    Signals:
        saved(str): the description as typed (trimmed); empty removes it.
    """

    saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Description (alt text)"), parent)
        self._record_id: int | None = None
        self._shown = ""  # the saved text of the photo shown
        self._sent = ""  # the text of the last save, to quote what a refusal found in it
        self._saving = False
        label = plain_label(self.tr("Description for people using screen readers (alt text)"))
        self.body.addWidget(label)
        self.hint = caption(
            self.tr(
                "What the photo shows, without names: it is posted with the photo for people "
                "who cannot see it. Changing it does not undo the sign-off."
            )
        )
        self.body.addWidget(self.hint)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("alt-text")
        self.edit.setAccessibleName(self.tr("Alt text"))
        self.edit.setAccessibleDescription(self.tr("What the photo shows, without names"))
        self.edit.setPlaceholderText(
            self.tr("e.g. Two hygienists laughing beside the plant wall in the waiting room")
        )
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(80)
        self.edit.textChanged.connect(self._edited)
        label.setBuddy(self.edit)
        self.body.addWidget(self.edit)
        self.problem = caption()
        self.problem.setObjectName("alt-text-problem")
        self.problem.setProperty("error", "true")
        self.problem.setVisible(False)
        self.body.addWidget(self.problem)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.save_button = button(self.tr("Save description"))
        self.save_button.setObjectName("save-alt-text")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save)
        row.addWidget(self.save_button)
        row.addStretch(1)
        self.count = caption("", wrap=False)
        row.addWidget(self.count)
        self.body.addLayout(row)
        self._edited()

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    @property
    def dirty(self) -> bool:
        """Typed words that are not saved."""
        return self.text() != self._shown

    def show_record(self, record: ImageRecord, editable: bool) -> None:
        """Show ``record``'s alt text; unsaved words typed for the same photo stay (after a
        refusal, say), a saved or another photo's text replaces them."""
        same = record.id == self._record_id
        keep = same and self.dirty and self.text() != record.alt_text
        self._record_id = record.id
        self._shown = record.alt_text
        self._saving = False
        if not keep:
            self._set_text(record.alt_text)
        if not same:
            self._show_problem("")
        self.edit.setEnabled(editable)
        self._update()

    def refused(self, params: Mapping[str, object]) -> None:
        """The service refused the last save (``ValidationError`` params): say why."""
        self._saving = False
        self._show_problem(alt_text_refusal(params, self._sent))
        self._update()

    def clear(self) -> None:
        self._record_id = None
        self._shown = ""
        self._saving = False
        self._set_text("")
        self._show_problem("")
        self._update()

    def _set_text(self, text: str) -> None:
        self.edit.blockSignals(True)
        self.edit.setPlainText(text)
        self.edit.blockSignals(False)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _edited(self) -> None:
        self._saving = False  # a save that failed without an answer must not block the next
        self._show_problem("")
        self._update()

    def _update(self) -> None:
        length = len(self.text())
        too_long = length > MAX_ALT_TEXT
        self.count.setText(
            self.tr("{n} / {limit}").format(n=f"{length:,}", limit=f"{MAX_ALT_TEXT:,}")
        )
        self.count.setProperty("error", "true" if too_long else "false")
        self.count.setProperty("muted", "false" if too_long else "true")
        repolish(self.count)
        if too_long:
            self._show_problem(
                self.tr("Too long: shorten it to {limit} characters.").format(
                    limit=f"{MAX_ALT_TEXT:,}"
                )
            )
        self.save_button.setEnabled(
            self.edit.isEnabled() and self.dirty and not too_long and not self._saving
        )

    def _save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self._saving = True
        self._sent = self.text()
        self._update()
        self.saved.emit(self._sent)


__all__ = ["AltTextCard"]
