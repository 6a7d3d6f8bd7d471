"""The setup wizard's three steps: the practice, the first admin, the recovery key.

Each step lays out its fields and says what is wrong with them (``problem()``); the wizard
(``gui.setup.wizard``) moves between them and saves.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtCore import QCoreApplication, Qt, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.practice.model import Practice, Specialty
from core.staff.rules import pin_problem
from core.staff.service import MAX_NAME_LENGTH
from gui.errors import pin_problem_text
from gui.pin import pin_field
from gui.style import button, caption, heading, plain_label

FALLBACK_TIMEZONE = "America/Chicago"


def specialty_label(specialty: Specialty) -> str:
    """A specialty in everyday words."""
    t = QCoreApplication.translate
    return {
        Specialty.DENTAL: t("Specialty", "Dental"),
        Specialty.FAMILY_MEDICINE: t("Specialty", "Family medicine"),
        Specialty.PEDIATRICS: t("Specialty", "Pediatrics"),
        Specialty.CHIROPRACTIC: t("Specialty", "Chiropractic"),
        Specialty.DERMATOLOGY: t("Specialty", "Dermatology"),
        Specialty.MED_SPA: t("Specialty", "Med spa"),
        Specialty.OPTOMETRY: t("Specialty", "Optometry"),
        Specialty.PHYSICAL_THERAPY: t("Specialty", "Physical therapy"),
        Specialty.OTHER: t("Specialty", "Other"),
    }[specialty]


def system_timezone() -> str:
    """This computer's IANA time zone, or a sensible default when it has none we know."""
    zone = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    return zone if zone in available_timezones() else FALLBACK_TIMEZONE


def key_lines(key: str, per_line: int = 5) -> str:
    """The recovery key on a few lines of ``per_line`` groups, easier to copy by hand."""
    groups = key.split("-")
    return "\n".join("-".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setHorizontalSpacing(16)
    form.setVerticalSpacing(12)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class _Step(QWidget):
    """A step: a heading, a line of explanation, then the step's own content.

    Signals: none.
    """

    def __init__(self, title: str, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(12)
        self.column.addWidget(heading(title, 2))
        self.column.addWidget(caption(explanation))
        self.column.addSpacing(4)


class PracticeStep(_Step):
    """Who the practice is. Signals: none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Your practice"),
            self.tr(
                "This appears in posts and in replies to reviews. You can change it later "
                "in Settings."
            ),
            parent,
        )
        form = _form()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("e.g. Maple Grove Family Dental"))
        form.addRow(self.tr("Practice name"), self.name_edit)
        self.specialty_combo = QComboBox()
        for specialty in Specialty:
            self.specialty_combo.addItem(specialty_label(specialty), specialty.value)
        form.addRow(self.tr("Specialty"), self.specialty_combo)
        self.address_edit = QLineEdit()
        form.addRow(self.tr("Address"), self.address_edit)
        self.phone_edit = QLineEdit()
        self.phone_edit.setToolTip(self.tr("Replies to reviews invite people to call this number."))
        form.addRow(self.tr("Phone"), self.phone_edit)
        self.website_edit = QLineEdit()
        self.website_edit.setPlaceholderText("https://")
        form.addRow(self.tr("Website"), self.website_edit)
        self.timezone_combo = QComboBox()
        self.timezone_combo.setEditable(True)
        self.timezone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.timezone_combo.addItems(sorted(available_timezones()))
        completer = QCompleter(self.timezone_combo.model(), self.timezone_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone_combo.setCompleter(completer)
        self.timezone_combo.setCurrentText(system_timezone())
        form.addRow(self.tr("Time zone"), self.timezone_combo)
        self.column.addLayout(form)
        self.column.addStretch(1)

    def practice(self) -> Practice:
        website = self.website_edit.text().strip()
        if website and "://" not in website:
            website = f"https://{website}"
        return Practice(
            name=" ".join(self.name_edit.text().split()),
            specialty=Specialty(self.specialty_combo.currentData()),
            address=self.address_edit.text().strip(),
            phone=self.phone_edit.text().strip(),
            website=website,
            timezone=self.timezone_combo.currentText().strip(),
        )

    def problem(self) -> tuple[str, QWidget] | None:
        """What to fix first, and the field to fix it in."""
        practice = self.practice()
        if not practice.name:
            return self.tr("Enter the practice's name."), self.name_edit
        if practice.timezone not in available_timezones():
            return (
                self.tr("Choose a time zone from the list, such as America/Chicago."),
                self.timezone_combo,
            )
        return None


class AdminStep(_Step):
    """The first admin: a name and a PIN typed twice. Signals: none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("You, the first admin"),
            self.tr(
                "You will sign in with this PIN. Add the rest of the team afterwards in Settings."
            ),
            parent,
        )
        form = _form()
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(MAX_NAME_LENGTH)
        self.name_edit.setPlaceholderText(self.tr("Your name as colleagues know it"))
        form.addRow(self.tr("Your name"), self.name_edit)
        self.pin_edit = pin_field(self.tr("4 to 12 digits"))
        form.addRow(self.tr("PIN"), self.pin_edit)
        self.confirm_edit = pin_field(self.tr("The same PIN again"))
        form.addRow(self.tr("Confirm PIN"), self.confirm_edit)
        self.column.addLayout(form)
        self.column.addWidget(
            caption(
                self.tr(
                    "Avoid PINs that are easy to guess, like 1111 or 1234. Never share your PIN: "
                    "everything you do in the app is recorded under your name."
                )
            )
        )
        self.column.addStretch(1)

    @property
    def display_name(self) -> str:
        return " ".join(self.name_edit.text().split())

    @property
    def pin(self) -> str:
        return self.pin_edit.text()

    def problem(self) -> tuple[str, QWidget] | None:
        if not self.display_name:
            return self.tr("Enter your name."), self.name_edit
        reason = pin_problem(self.pin)
        if reason:
            return pin_problem_text(reason), self.pin_edit
        if self.confirm_edit.text() != self.pin:
            return self.tr(
                "The two PINs are different. Type the same PIN twice."
            ), self.confirm_edit
        return None


class RecoveryStep(_Step):
    """Shows the recovery key once, with Print and Copy, and asks the person to confirm they
    kept it. Signals: none (the wizard connects to ``confirm_check``)."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Your recovery key"),
            self.tr(
                "The practice's data is encrypted. If this computer's keychain ever loses "
                "the key (a reinstall, a new computer), this recovery key is the only way "
                "to open the data. It is shown only now."
            ),
            parent,
        )
        self._recovery_key = recovery_key
        self.key_label: QLabel = plain_label(key_lines(recovery_key))
        self.key_label.setObjectName("RecoveryKey")
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.key_label.setAccessibleName(self.tr("Recovery key"))
        self.column.addWidget(self.key_label)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.print_button = button(self.tr("Print…"), "print")
        row.addWidget(self.print_button)
        self.copy_button = button(self.tr("Copy"), "copy")
        row.addWidget(self.copy_button)
        row.addStretch(1)
        self.column.addLayout(row)
        self.column.addWidget(
            caption(
                self.tr(
                    "Keep it on paper somewhere safe and away from the computer, like a locked "
                    "drawer. "
                    "Do not email it or save it on this computer."
                )
            )
        )
        self.column.addSpacing(8)
        self.confirm_check = QCheckBox(self.tr("I have printed or written down the recovery key"))
        self.column.addWidget(self.confirm_check)
        self.column.addStretch(1)

    @property
    def recovery_key(self) -> str:
        return self._recovery_key
