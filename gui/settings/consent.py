"""Settings → Consent forms: when the app warns about consents running out, what happens to
published posts when one expires, and the practice's consent form template (versioned: saving
it makes a new version; authorizations keep the version they were signed on).

The blank form is printed from the Consent page (feature packages do not import each other),
so this section only points there.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.forms import ConsentForm
from core.consent.rules import STATEMENTS
from core.errors import EditConflict, ValidationError
from core.practice.model import ConsentSettings
from core.practice.service import Versioned
from core.staff.model import Permission
from gui.hub import SignalHub
from gui.settings.consent_form import ConsentFormCard, action_row, split_paragraphs
from gui.settings.messages import tr
from gui.settings.section import Section, read_only_note, unit_spin
from gui.style import Card, button, caption
from gui.tasks import TaskRunner

ON_EXPIRY = ("review", "nothing")
"""``ConsentSettings.on_expiry`` values, in the order the choices are shown."""


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
        self.form_card = ConsentFormCard(self.field_errors)
        self.content.addWidget(self._settings_card())
        self.content.addWidget(self.form_card)
        self.content.addWidget(self._blank_card())
        self.content.addStretch(1)
        self._settings_inputs = [self.expiring_days, self.review_posts, self.leave_posts]
        self._form_inputs = self.form_card.inputs()

        self.expiring_days.valueChanged.connect(self._edited)
        self.on_expiry.idToggled.connect(self._edited)
        for widget in self._form_inputs:
            widget.textChanged.connect(self._form_edited)
        self.save_settings_button.clicked.connect(self.save_settings)
        self.undo_settings_button.clicked.connect(self.undo_settings)
        self.form_card.save_form_button.clicked.connect(self.save_form)
        self.form_card.undo_form_button.clicked.connect(self.undo_form)
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
        card.body.addLayout(action_row(self.undo_settings_button, self.save_settings_button))
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
            self.form_card.save_form_button,
            self.form_card.undo_form_button,
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
        self.form_card.show_form(form)

    def settings_value(self) -> ConsentSettings:
        assert self._settings is not None
        return replace(
            self._settings.value,
            expiring_days=self.expiring_days.value(),
            on_expiry=ON_EXPIRY[max(self.on_expiry.checkedId(), 0)],
        )

    def form_value(self) -> ConsentForm:
        assert self._form is not None
        return self.form_card.value(self._form)

    # --- saving ------------------------------------------------------------------------
    def _edited(self) -> None:
        settings_dirty, form_dirty = self.settings_dirty, self.form_dirty
        self.save_settings_button.setEnabled(settings_dirty)
        self.undo_settings_button.setEnabled(settings_dirty)
        self.form_card.save_form_button.setEnabled(form_dirty)
        self.form_card.undo_form_button.setEnabled(form_dirty)

    def _form_edited(self) -> None:
        if not self.form_card.status_is_error():  # a "Saved" message is out of date now
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
        if self._settings is None:
            return
        self.save_versioned(
            self.services.practice.save_consent_settings,
            Versioned(self.settings_value(), self._settings.version),
            button=self.save_settings_button,
            saved_text=tr("The consent settings are saved."),
            stored=self._stored_settings,
            edited=self._edited,
        )

    def _stored_settings(self, result: Versioned[ConsentSettings]) -> None:
        self._settings = result

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
            self._scroll_to(self.form_card.field(missing[0]))
            return
        consent = self.services.consent
        self.form_card.save_form_button.setEnabled(False)

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

    def _set_form_status(self, text: str, *, error: bool = False) -> None:
        self.form_card.set_status(text, error=error)

    def _scroll_to(self, widget: QWidget) -> None:
        area = self.findChild(QScrollArea)
        if area is not None:
            area.ensureWidgetVisible(widget, 0, 80)


__all__ = ["ON_EXPIRY", "ConsentSection", "split_paragraphs"]
