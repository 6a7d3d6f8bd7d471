"""Settings → Consent forms: when the app warns about consents running out, what happens to
published posts when one expires, and the practice's consent form template (versioned: saving
it makes a new version; authorizations keep the version they were signed on).

The blank form is printed from the Consent page (feature packages do not import each other),
so this section only points there.
"""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.forms import PLACEHOLDERS, ConsentForm
from core.consent.rules import STATEMENTS
from core.errors import EditConflict, ValidationError
from core.practice.model import ConsentSettings
from core.practice.service import Versioned
from core.staff.model import Permission
from gui.hub import SignalHub
from gui.settings.messages import tr
from gui.settings.section import Section, read_only_note, unit_spin
from gui.style import Badge, Banner, Card, button, caption
from gui.tasks import TaskRunner

ON_EXPIRY = ("review", "nothing")
"""``ConsentSettings.on_expiry`` values, in the order the choices are shown."""

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


def _field_texts() -> dict[str, str]:
    """What to fix, for the fields this section shows (core's ``ValidationError`` fields and
    the section's own checks)."""
    statement = tr("Write this statement: a valid consent form must include it.")
    return {
        "expiring_days": tr("Warn 1 to 365 days before a consent expires."),
        "on_expiry": tr("Choose what happens to published posts when a consent expires."),
        "title": tr("The form needs a title."),
        "intro": tr("Please check the introduction."),
        "paragraphs": tr("A paragraph is too long: split it with a blank line."),
        "placeholders": tr(
            "Only {practice_name}, {practice_address} and {practice_phone} can be filled in. "
            "Check the curly brackets { } in the form."
        ),
        "form": tr("The saved consent form could not be read; check it and save again."),
        "consent_settings": tr(
            "The saved consent settings could not be read; check them and save again."
        ),
        **dict.fromkeys(STATEMENTS, statement),
    }


def _text_box(lines: int) -> QPlainTextEdit:
    """A plain-text editor about ``lines`` lines high (it scrolls beyond that)."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    height = box.fontMetrics().lineSpacing() * lines + 18
    box.setMinimumHeight(height)
    box.setMaximumHeight(height)
    return box


class ConsentSection(Section):
    """The practice's consent settings and its consent form template. Signals: none (emits
    ``hub.data_changed("settings")`` after saving either)."""

    key = "consent"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Consent forms"),
            intro=tr(
                "The form patients sign so the practice may use their photos, videos or words, "
                "and what the app does as consents run out."
            ),
            parent=parent,
        )
        self._settings: Versioned[ConsentSettings] | None = None
        self._form: ConsentForm | None = None
        self.statements: dict[str, QPlainTextEdit] = {}
        self.content.addWidget(self._settings_card())
        self.content.addWidget(self._form_card())
        self.content.addWidget(self._blank_card())
        self.content.addStretch(1)
        self._settings_inputs = [self.expiring_days, self.review_posts, self.leave_posts]
        self._form_inputs: list[QLineEdit | QPlainTextEdit] = [
            self.form_title,
            self.intro,
            self.paragraphs,
            *self.statements.values(),
        ]

        self.expiring_days.valueChanged.connect(self._edited)
        self.on_expiry.idToggled.connect(self._edited)
        for widget in self._form_inputs:
            widget.textChanged.connect(self._form_edited)
        self.save_settings_button.clicked.connect(self.save_settings)
        self.undo_settings_button.clicked.connect(self.undo_settings)
        self.save_form_button.clicked.connect(self.save_form)
        self.undo_form_button.clicked.connect(self.undo_form)
        self.open_consent_button.clicked.connect(
            lambda: self.hub.navigate.emit("consent", "blank-form")
        )
        self._edited()

    # --- building ----------------------------------------------------------------------
    def _settings_card(self) -> Card:
        card = Card(tr("When consents run out"))
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        self.expiring_days = unit_spin(1, 365, tr(" day"), tr(" days"))
        self.field_errors.add_row(
            form,
            tr("Warn this many days before a consent expires"),
            self.expiring_days,
            "expiring_days",
        )
        card.body.addLayout(form)
        card.body.addWidget(
            caption(
                tr(
                    "Today lists each consent that expires within this many days, so the desk "
                    "can ask the patient to sign again."
                )
            )
        )
        card.body.addSpacing(4)
        card.body.addWidget(
            caption(tr("When a consent expires, posts already published that used it:"))
        )
        self.on_expiry = QButtonGroup(self)
        self.review_posts = QRadioButton(tr("List them for review (recommended)"))
        self.leave_posts = QRadioButton(tr("Do nothing"))
        choices = QVBoxLayout()
        choices.setSpacing(6)
        for index, radio in enumerate((self.review_posts, self.leave_posts)):
            self.on_expiry.addButton(radio, index)
            choices.addWidget(radio)
        card.body.addLayout(choices)
        card.body.addWidget(self.field_errors.attach("on_expiry", self.review_posts))
        card.body.addWidget(
            caption(
                tr(
                    "Listed posts appear on Today until someone takes them down or confirms "
                    "they were removed. Either way, an expired consent stops new posts from "
                    "using the photo."
                )
            )
        )
        self.undo_settings_button = button(tr("Undo changes"), kind="ghost")
        self.save_settings_button = button(tr("Save settings"), kind="primary")
        card.body.addLayout(self._actions(self.undo_settings_button, self.save_settings_button))
        return card

    def _form_card(self) -> Card:
        card = Card(tr("Consent form"))
        self.version_badge = Badge("", "neutral")
        card.header.addWidget(self.version_badge)
        self.attorney_note = Banner(
            tr("Have the practice's attorney review this form before you use it."), "warning"
        )
        card.body.addWidget(self.attorney_note)
        card.body.addWidget(
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
        card.body.addLayout(form)
        self.form_status = caption()
        self.undo_form_button = button(tr("Undo changes"), kind="ghost")
        self.save_form_button = button(tr("Save as a new version"), kind="primary")
        card.body.addLayout(
            self._actions(self.undo_form_button, self.save_form_button, self.form_status)
        )
        return card

    def _blank_card(self) -> Card:
        card = Card(tr("Blank form"))
        row = QHBoxLayout()
        row.addWidget(
            caption(
                tr(
                    "Print a blank form from the Consent page, for a patient who prefers to "
                    "sign on paper."
                )
            ),
            1,
        )
        self.open_consent_button = button(tr("Open the Consent page"), "consent")
        row.addWidget(self.open_consent_button)
        card.body.addLayout(row)
        return card

    @staticmethod
    def _actions(undo: QWidget, save: QWidget, status: QWidget | None = None) -> QHBoxLayout:
        """Undo and Save at the right end; ``status`` (what the last save did) on the left,
        next to them, where the person who clicked is looking."""
        row = QHBoxLayout()
        if status is not None:
            row.addWidget(status, 1)
        else:
            row.addStretch(1)
        row.addWidget(undo)
        row.addWidget(save)
        return row

    # --- Section -----------------------------------------------------------------------
    @property
    def settings_dirty(self) -> bool:
        return self._settings is not None and self.settings_value() != self._settings.value

    @property
    def form_dirty(self) -> bool:
        return self._form is not None and self.form_value() != self._form

    @property
    def dirty(self) -> bool:
        return self.settings_dirty or self.form_dirty

    def apply_permissions(self) -> None:
        editable = self.permitted(Permission.EDIT_SETTINGS)
        for widget in self._settings_inputs:
            widget.setEnabled(editable)
        for box in self._form_inputs:
            # Read-only rather than disabled: the form stays readable and scrollable.
            box.setReadOnly(not editable)
        for action in (
            self.save_settings_button,
            self.undo_settings_button,
            self.save_form_button,
            self.undo_form_button,
        ):
            action.setVisible(editable)
        self.show_read_only(
            None if editable or self.user is None else read_only_note(Permission.EDIT_SETTINGS)
        )

    def load(self) -> None:
        services = self.services
        self.call(
            lambda: (services.practice.consent_settings(), services.consent.form()), self._show
        )

    def handle_error(self, exc: BaseException) -> None:
        """This section's fields are worded here; everything else as every section does."""
        field = str(exc.params.get("field", "")) if isinstance(exc, ValidationError) else ""
        if field in _field_texts():
            if not self.field_errors.show(field, _field_texts()[field]):
                self.notify(_field_texts()[field], "danger")
            return
        super().handle_error(exc)

    # --- form <-> values ---------------------------------------------------------------
    def _show(self, loaded: tuple[Versioned[ConsentSettings], ConsentForm]) -> None:
        settings, form = loaded
        self._show_settings(settings)
        self._show_form(form)
        self.loaded = True
        self._edited()

    def _show_settings(self, settings: Versioned[ConsentSettings]) -> None:
        self._settings = settings
        self.expiring_days.setValue(settings.value.expiring_days)
        on_expiry = settings.value.on_expiry
        index = ON_EXPIRY.index(on_expiry) if on_expiry in ON_EXPIRY else 0
        self.on_expiry.button(index).setChecked(True)

    def _show_form(self, form: ConsentForm) -> None:
        self._form = form
        self.version_badge.setText(tr("Version {version}").format(version=form.version))
        self.form_title.setText(form.title)
        self.intro.setPlainText(form.intro)
        self.paragraphs.setPlainText("\n\n".join(form.paragraphs))
        for code, box in self.statements.items():
            box.setPlainText(form.statements.get(code, ""))

    def settings_value(self) -> ConsentSettings:
        assert self._settings is not None
        return replace(
            self._settings.value,
            expiring_days=self.expiring_days.value(),
            on_expiry=ON_EXPIRY[max(self.on_expiry.checkedId(), 0)],
        )

    def form_value(self) -> ConsentForm:
        assert self._form is not None
        statements = dict(self._form.statements)
        statements.update(
            {code: box.toPlainText().strip() for code, box in self.statements.items()}
        )
        return replace(
            self._form,
            title=self.form_title.text().strip(),
            intro=self.intro.toPlainText().strip(),
            paragraphs=split_paragraphs(self.paragraphs.toPlainText()),
            statements=statements,
        )

    # --- saving ------------------------------------------------------------------------
    def _edited(self) -> None:
        settings_dirty, form_dirty = self.settings_dirty, self.form_dirty
        self.save_settings_button.setEnabled(settings_dirty)
        self.undo_settings_button.setEnabled(settings_dirty)
        self.save_form_button.setEnabled(form_dirty)
        self.undo_form_button.setEnabled(form_dirty)

    def _form_edited(self) -> None:
        if not self.form_status.styleSheet():  # a "Saved" message is out of date now
            self._set_form_status("")
        self._edited()

    def undo_settings(self) -> None:
        if self._settings is not None:
            self._show_settings(self._settings)
        self.field_errors.clear()
        self._edited()

    def undo_form(self) -> None:
        if self._form is not None:
            self._show_form(self._form)
        self.field_errors.clear()
        self._set_form_status("")
        self._edited()

    def save_settings(self) -> None:
        if self.user is None or self._settings is None:
            return
        user, value = self.user, Versioned(self.settings_value(), self._settings.version)
        practice = self.services.practice
        self.field_errors.clear()
        self.clear_notice()
        self.save_settings_button.setEnabled(False)

        def saved(result: Versioned[ConsentSettings]) -> None:
            self._settings = result
            self._edited()
            self.notify(tr("The consent settings are saved."))
            self.hub.data_changed.emit("settings")

        def failed(exc: BaseException) -> None:
            self._edited()
            self.handle_error(exc)

        self.call(lambda: practice.save_consent_settings(user, value), saved, failed)

    def missing_fields(self, form: ConsentForm) -> list[str]:
        """The required fields left empty: the title and each required statement."""
        missing = [] if form.title else ["title"]
        return missing + [code for code in STATEMENTS if not form.statements.get(code)]

    def save_form(self) -> None:
        if self.user is None or self._form is None:
            return
        self.field_errors.clear()
        self.clear_notice()
        self._set_form_status("")
        user, form = self.user, self.form_value()
        missing = self.missing_fields(form)
        if missing:
            texts = _field_texts()
            for field in reversed(missing):  # focus ends on the first one
                self.field_errors.show(field, texts[field])
            self._set_form_status(
                tr(
                    "Not saved: a consent form needs a title and all three required "
                    "statements. Fill in the fields marked in red."
                ),
                error=True,
            )
            self._scroll_to(self._form_field(missing[0]))
            return
        consent = self.services.consent
        self.save_form_button.setEnabled(False)

        def saved(result: ConsentForm) -> None:
            self._show_form(result)
            self._edited()
            self._set_form_status(tr("Saved as version {version}.").format(version=result.version))
            self.hub.data_changed.emit("settings")

        def failed(exc: BaseException) -> None:
            self._edited()
            if isinstance(exc, EditConflict):
                self._set_form_status(
                    tr(
                        "Not saved: someone saved a new version on another computer meanwhile. "
                        "It is shown now; make your change again if it is still needed."
                    ),
                    error=True,
                )
            self.handle_error(exc)

        def save() -> ConsentForm:
            # Someone may have saved a version on another computer since this one was
            # loaded: saving over it would silently drop their wording.
            if consent.form().version != form.version:
                raise EditConflict("The consent form changed meanwhile.", entity="consent_form")
            return consent.save_form(user, form)

        self.call(save, saved, failed)

    def _form_field(self, field: str) -> QWidget:
        return self.statements.get(field) or self.form_title

    def _set_form_status(self, text: str, *, error: bool = False) -> None:
        """What the last save of the form did, next to its Save button."""
        self.form_status.setText(text)
        self.form_status.setStyleSheet("color: palette(bright-text);" if error else "")

    def _scroll_to(self, widget: QWidget) -> None:
        area = self.findChild(QScrollArea)
        if area is not None:
            area.ensureWidgetVisible(widget, 0, 80)
