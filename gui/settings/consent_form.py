"""The consent form template editor of Settings → Consent forms: the title, introduction,
body and the three required statements, with the practice's version shown and the note that
its attorney should review it. ``ConsentSection`` loads, saves and undoes; this card lays the
fields out and turns them into a ``ConsentForm`` and back."""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from core.consent.forms import PLACEHOLDERS, ConsentForm
from gui.settings.messages import tr
from gui.settings.section import FieldErrors
from gui.style import Badge, Banner, Card, button, caption

_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def split_paragraphs(text: str) -> tuple[str, ...]:
    """The body as paragraphs: one per block of lines between blank lines."""
    return tuple(p.strip() for p in _BLANK_LINES.split(text.replace("\r\n", "\n")) if p.strip())


def _statement_labels() -> dict[str, str]:
    return {
        "right_to_revoke": tr("Right to withdraw (in writing, and how)"),
        "treatment_not_conditioned": tr("Care does not depend on signing"),
        "redisclosure": tr("Others may share it again"),
    }


def _text_box(lines: int) -> QPlainTextEdit:
    """A plain-text editor about ``lines`` lines high (it scrolls beyond that)."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    height = box.fontMetrics().lineSpacing() * lines + 18
    box.setMinimumHeight(height)
    box.setMaximumHeight(height)
    return box


class ConsentFormCard(Card):
    """The practice's consent form, editable: its fields (errors shown through
    ``field_errors``), its version, the status of the last save, and Undo / Save buttons for
    the section to connect. Signals: none (connect the fields' ``textChanged``)."""

    def __init__(self, field_errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(tr("Consent form"), parent)
        self.field_errors = field_errors
        self.statements: dict[str, QPlainTextEdit] = {}
        self.version_badge = Badge("", "neutral")
        self.header.addWidget(self.version_badge)
        self.attorney_note = Banner(
            tr("Have the practice's attorney review this form before you use it."), "warning"
        )
        self.body.addWidget(self.attorney_note)
        self.body.addWidget(
            caption(
                tr(
                    "Saving makes a new version of the form. Consents already signed keep the "
                    "version they were signed on; new ones use the newest."
                )
            )
        )
        # One form for every field, so the texts line up from the title to the statements.
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(4)
        self.form_title = QLineEdit()
        self.form_title.setMaxLength(200)
        self.field_errors.add_row(form, tr("Title"), self.form_title, "title")
        self.intro = _text_box(4)
        self.field_errors.add_row(form, tr("Introduction"), self.intro, "intro")
        self.paragraphs = _text_box(10)
        self.paragraphs.setPlaceholderText(tr("Leave a blank line between paragraphs."))
        body_row = self.field_errors.add_row(form, tr("Body"), self.paragraphs, "paragraphs")
        body_layout = body_row.layout()
        assert body_layout is not None
        names = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        body_layout.addWidget(
            caption(
                tr(
                    "One paragraph per blank line. When the form is printed, {names} become the "
                    "practice's name, address and phone."
                ).format(names=names)
            )
        )
        statements_intro = caption(
            tr(
                "Required statements: the law (45 CFR 164.508) asks every consent form to say "
                "these three things in plain language. None can be left empty."
            )
        )
        statements_intro.setContentsMargins(0, 12, 0, 4)
        form.addRow(statements_intro)
        for code, label in _statement_labels().items():
            box = _text_box(5)
            self.statements[code] = box
            row = self.field_errors.add_row(form, label, box, code)
            # The statements' names are long: they wrap rather than widen the label column.
            label_widget = form.labelForField(row)
            if isinstance(label_widget, QLabel):
                label_widget.setWordWrap(True)
        self.body.addLayout(form)
        self.form_status = caption()
        self.undo_form_button = button(tr("Undo changes"), kind="ghost")
        self.save_form_button = button(tr("Save as a new version"), kind="primary")
        self.body.addLayout(
            action_row(self.undo_form_button, self.save_form_button, self.form_status)
        )

    def inputs(self) -> list[QLineEdit | QPlainTextEdit]:
        """Every editable field, title first."""
        return [self.form_title, self.intro, self.paragraphs, *self.statements.values()]

    def show_form(self, form: ConsentForm) -> None:
        self.version_badge.setText(tr("Version {version}").format(version=form.version))
        self.form_title.setText(form.title)
        self.intro.setPlainText(form.intro)
        self.paragraphs.setPlainText("\n\n".join(form.paragraphs))
        for code, box in self.statements.items():
            box.setPlainText(form.statements.get(code, ""))

    def value(self, base: ConsentForm) -> ConsentForm:
        """``base`` with the texts as edited here."""
        statements = dict(base.statements)
        statements.update(
            {code: box.toPlainText().strip() for code, box in self.statements.items()}
        )
        return replace(
            base,
            title=self.form_title.text().strip(),
            intro=self.intro.toPlainText().strip(),
            paragraphs=split_paragraphs(self.paragraphs.toPlainText()),
            statements=statements,
        )

    def field(self, name: str) -> QWidget:
        """The field of a required-field name (a statement code, else the title)."""
        return self.statements.get(name) or self.form_title

    def set_status(self, text: str, *, error: bool = False) -> None:
        """What the last save of the form did, next to its Save button."""
        self.form_status.setText(text)
        self.form_status.setStyleSheet("color: palette(bright-text);" if error else "")

    def status_is_error(self) -> bool:
        return bool(self.form_status.styleSheet())


def action_row(undo: QWidget, save: QWidget, status: QWidget | None = None) -> QHBoxLayout:
    """Undo and Save at the right end; ``status`` (what the last save did) on the left, next
    to them, where the person who clicked is looking."""
    row = QHBoxLayout()
    if status is not None:
        row.addWidget(status, 1)
    else:
        row.addStretch(1)
    row.addWidget(undo)
    row.addWidget(save)
    return row
