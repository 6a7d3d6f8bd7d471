"""The Rules tab: the points each kind of contribution earns, the practice's own kinds, and
what is never rewarded and why. Everyone may read it; managers edit and save it. Changing
points never changes past credits."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.incentives.model import DEFAULT_POINTS, ContributionKind, CustomKind, PointRules
from core.incentives.rules import MAX_POINTS, new_custom_kind
from core.practice.service import Versioned
from core.staff.model import StaffMember
from gui.incentives.base import IncentiveContext, IncentiveTab
from gui.incentives.dialogs import CustomKindDialog
from gui.incentives.wording import KIND_ORDER, kind_explanation, kind_label, tr
from gui.tasks import TaskRunner
from gui.widgets import Card, button, caption, plain_label


def _clear(layout: QVBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def _spin(value: int, name: str, minimum: int = 0) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, MAX_POINTS)
    spin.setValue(value)
    spin.setAccessibleName(tr("{name}: points").format(name=name))
    spin.setFixedWidth(84)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    return spin


NEVER_REWARDED = (
    "A review's stars or rating",
    "How many reviews, or how many good reviews, the practice gets",
    "Reviews written or posted by staff",
    "Anything that depends on what a review says",
    "Asking only happy patients for a review (review gating)",
)


class RulesTab(IncentiveTab):
    """The point rules. ``rules`` is the version being edited; ``dirty`` whether it differs
    from the saved one.

    Signals: ``IncentiveTab``'s.
    """

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, runner, parent)
        self.saved: Versioned[PointRules] | None = None
        self.custom: list[CustomKind] = []
        self.point_spins: dict[str, QSpinBox] = {}
        self.custom_spins: dict[str, QSpinBox] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 12, 0, 0)
        outer.setSpacing(10)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        columns = QHBoxLayout(holder)
        columns.setContentsMargins(0, 0, 4, 0)
        columns.setSpacing(16)
        columns.addWidget(self._build_points(), 1, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self._build_custom())
        right.addWidget(self._build_never())
        right.addStretch(1)
        columns.addLayout(right, 1)
        scroll.setWidget(holder)
        outer.addWidget(scroll, 1)
        outer.addLayout(self._build_footer())

    # --- building ------------------------------------------------------------------------------
    def _build_points(self) -> Card:
        card = Card(tr("Points per kind"))
        card.body.addWidget(
            caption(
                tr("Quality first: a post that was approved or published earns more than an idea.")
            )
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        grid.addWidget(caption(tr("Points"), wrap=False), 0, 1, Qt.AlignmentFlag.AlignRight)
        row = 1
        for kind in KIND_ORDER:
            title = plain_label(kind_label(kind))
            grid.addWidget(title, row, 0)
            if kind is ContributionKind.MANUAL:
                grid.addWidget(
                    caption(tr("Given each time"), wrap=False), row, 1, Qt.AlignmentFlag.AlignRight
                )
            else:
                spin = _spin(DEFAULT_POINTS[kind], kind_label(kind))
                spin.valueChanged.connect(lambda _v: self._update_footer())
                self.point_spins[kind.value] = spin
                grid.addWidget(spin, row, 1)
            grid.addWidget(caption(kind_explanation(kind)), row + 1, 0, 1, 2)
            grid.setRowMinimumHeight(row + 2, 8)
            row += 3
        grid.setColumnStretch(0, 1)
        card.body.addLayout(grid)
        return card

    def _build_custom(self) -> Card:
        card = Card(tr("The practice's own kinds"))
        self.add_kind_button = button(tr("Add a kind…"), "plus", "ghost")
        self.add_kind_button.clicked.connect(self.open_add_kind)
        card.header.addWidget(self.add_kind_button)
        card.body.addWidget(caption(tr("Logged by hand, like “Filmed a video for the website”.")))
        self.custom_rows = QVBoxLayout()
        self.custom_rows.setSpacing(6)
        card.body.addLayout(self.custom_rows)
        return card

    def _build_never(self) -> Card:
        card = Card(tr("Never rewarded"))
        for line in NEVER_REWARDED:
            card.body.addWidget(plain_label("•  " + tr(line), wrap=True))
        card.body.addWidget(
            caption(
                tr(
                    "The FTC's rule on fake reviews (16 CFR Part 465) and Google's policies "
                    "forbid rewarding reviews or choosing who is asked. Asking every patient "
                    "for honest feedback, and answering every review on time, is what earns "
                    "points here. The editor refuses any kind that ties points to reviews and "
                    "says why."
                )
            )
        )
        return card

    def _build_footer(self) -> QHBoxLayout:
        footer = QHBoxLayout()
        footer.setSpacing(8)
        self.footer_note = caption(
            tr(
                "Changing points does not change past credits: each contribution keeps the "
                "points it earned."
            )
        )
        footer.addWidget(self.footer_note, 1)
        footer.addWidget(self._make_notice(), 1)
        self.discard_button = button(tr("Discard changes"), kind="ghost")
        self.discard_button.clicked.connect(self._discard)
        footer.addWidget(self.discard_button)
        self.save_button = button(tr("Save rules"), kind="primary")
        self.save_button.clicked.connect(self.save)
        footer.addWidget(self.save_button)
        return footer

    # --- state -------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        manager = self.can_manage
        self.add_kind_button.setVisible(manager)
        self.save_button.setVisible(manager)
        self.discard_button.setVisible(manager)
        for spin in self.point_spins.values():
            spin.setReadOnly(not manager)
        self.footer_note.setText(
            tr(
                "Changing points does not change past credits: each contribution keeps the "
                "points it earned."
            )
            if manager
            else tr(
                "The office manager or an admin sets the points. Changing them never changes "
                "past credits."
            )
        )

    def clear(self) -> None:
        self.saved = None
        self.custom = []
        if self.dialog is not None:
            self.dialog.reject()
        _clear(self.custom_rows)
        self.custom_spins = {}
        self._show_notice("")

    def set_context(self, context: IncentiveContext) -> None:
        super().set_context(context)
        if context.rules is not None and not self.dirty:
            self.show_rules(context.rules)

    def reload(self) -> None:
        if self.user is None:
            return
        incentives = self.services.incentives
        self.call(incentives.rules, self._loaded)

    def _loaded(self, rules: Versioned[PointRules]) -> None:
        if not self.dirty:
            self.show_rules(rules)
        self.loaded = True

    def show_rules(self, rules: Versioned[PointRules]) -> None:
        """Show ``rules`` as saved (drops unsaved edits)."""
        self.saved = rules
        for kind, spin in self.point_spins.items():
            spin.blockSignals(True)
            spin.setValue(rules.value.points_for(kind) or 0)
            spin.blockSignals(False)
        self.custom = list(rules.value.custom)
        self._show_custom()
        self._update_footer()

    def _show_custom(self) -> None:
        _clear(self.custom_rows)
        self.custom_spins = {}
        manager = self.can_manage
        if not self.custom:
            self.custom_rows.addWidget(caption(tr("None yet.")))
        for custom in self.custom:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.setSpacing(8)
            texts = QVBoxLayout()
            texts.setSpacing(0)
            texts.addWidget(plain_label(custom.name))
            if custom.description:
                texts.addWidget(caption(custom.description))
            line.addLayout(texts, 1)
            spin = _spin(custom.points, custom.name, minimum=1)
            spin.setReadOnly(not manager)
            spin.valueChanged.connect(
                lambda value, slug=custom.slug: self._custom_points(slug, value)
            )
            self.custom_spins[custom.slug] = spin
            line.addWidget(spin, 0, Qt.AlignmentFlag.AlignTop)
            unit = caption(tr("points"), wrap=False)
            unit.setMinimumHeight(spin.sizeHint().height())  # level with the box's text
            line.addWidget(unit, 0, Qt.AlignmentFlag.AlignTop)
            if manager:
                remove = button(tr("Remove"), "trash", "ghost")
                remove.setAccessibleName(tr("Remove {name}").format(name=custom.name))
                remove.setToolTip(tr("People can no longer log it; past entries keep their points"))
                remove.clicked.connect(lambda _c=False, slug=custom.slug: self.remove_kind(slug))
                line.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
            self.custom_rows.addWidget(row)

    # --- editing -----------------------------------------------------------------------------
    def edited(self) -> PointRules:
        """The rules as the editor shows them."""
        return PointRules(
            points={kind: spin.value() for kind, spin in self.point_spins.items()},
            custom=tuple(self.custom),
        )

    @property
    def dirty(self) -> bool:
        if self.saved is None:
            return False
        saved = self.saved.value
        points = {kind: saved.points_for(kind) or 0 for kind in self.point_spins}
        edited = self.edited()
        return points != edited.points or tuple(saved.custom) != edited.custom

    def _custom_points(self, slug: str, value: int) -> None:
        self.custom = [replace(c, points=value) if c.slug == slug else c for c in self.custom]
        self._update_footer()

    def open_add_kind(self) -> CustomKindDialog | None:
        if self.user is None or not self.can_manage:
            return None
        taken = {k.value for k in ContributionKind} | {c.slug for c in self.custom}
        dialog = CustomKindDialog(taken, self)
        dialog.accepted.connect(lambda: self.add_kind(*dialog.kind()))
        self._open(dialog)
        return dialog

    def add_kind(self, name: str, description: str, points: int) -> None:
        self.custom.append(new_custom_kind(name, description, points))
        self._show_custom()
        self._update_footer()

    def remove_kind(self, slug: str) -> None:
        self.custom = [c for c in self.custom if c.slug != slug]
        self._show_custom()
        self._update_footer()

    def _discard(self) -> None:
        if self.saved is not None:
            self.show_rules(self.saved)
        self._show_notice("")

    def _update_footer(self) -> None:
        dirty = self.dirty
        self.save_button.setEnabled(dirty)
        self.discard_button.setEnabled(dirty)
        if dirty:
            self._show_notice("")

    def save(self) -> None:
        if self.user is None or self.saved is None:
            return
        incentives, actor = self.services.incentives, self.user
        rules, version = self.edited(), self.saved.version

        def done(saved: Versioned[PointRules]) -> None:
            self.show_rules(saved)
            self._show_notice(tr("Saved. New credits earn these points; past ones keep theirs."))
            self.changed.emit()

        self.call(lambda: incentives.save_rules(actor, rules, version), done)

    def _show_notice(self, text: str) -> None:
        super()._show_notice(text)
        self.footer_note.setVisible(not text)
