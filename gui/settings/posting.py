"""Settings → Posting plan: how often the practice aims to post and its Mastodon server's
character limit, which the composer's checks and counters use."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QSpinBox, QWidget

from core.app import Services
from core.practice.model import PostingPlan
from core.practice.rules import MASTODON_LIMIT_RANGE, MAX_POSTS_PER_WEEK
from core.practice.service import Versioned
from core.staff.model import Permission
from gui.hub import SignalHub
from gui.settings.messages import tr
from gui.settings.section import Section, read_only_note, unit_spin
from gui.style import Card, button, caption
from gui.tasks import TaskRunner


def _same_label_width(*rows: tuple[QFormLayout, QWidget]) -> None:
    """Give the labels of these form rows (in different cards) one width, so the fields line
    up from card to card even when a label is wider than the usual label column."""
    labels = [label for form, row in rows if isinstance(label := form.labelForField(row), QLabel)]
    width = max(label.sizeHint().width() for label in labels)
    for label in labels:
        label.setMinimumWidth(width)


class PostingSection(Section):
    """The practice's posting plan. Signals: none (emits ``hub.data_changed("settings")``
    after saving)."""

    key = "posting"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Posting plan"),
            intro=tr(
                "How often the practice means to post, and where its posts have to fit. The "
                "composer checks each post against this plan."
            ),
            parent=parent,
        )
        self._loaded: Versioned[PostingPlan] | None = None

        often = Card(tr("How often we post"))
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        self.per_week = unit_spin(0, MAX_POSTS_PER_WEEK, tr(" post"), tr(" posts"))
        self.per_week.setSpecialValueText(tr("No plan"))
        per_week_row = self.field_errors.add_row(
            form, tr("Posts a week we aim for"), self.per_week, "posts_per_week"
        )
        often.body.addLayout(form)
        often.body.addWidget(
            caption(
                tr(
                    "The composer mentions it when the practice posts far more or far less "
                    "often than this (counting the last two weeks and the next two). 0 means no "
                    "plan: nothing is said about how often."
                )
            )
        )
        self.content.addWidget(often)

        mastodon = Card(tr("Mastodon"))
        form2 = QFormLayout()
        form2.setHorizontalSpacing(24)
        self.mastodon_limit = QSpinBox()
        self.mastodon_limit.setRange(*MASTODON_LIMIT_RANGE)
        self.mastodon_limit.setSingleStep(100)
        self.mastodon_limit.setGroupSeparatorShown(True)
        self.mastodon_limit.setSuffix(tr(" characters"))
        self.mastodon_limit.setMaximumWidth(220)
        self.mastodon_limit.setMinimumWidth(160)
        limit_row = self.field_errors.add_row(
            form2,
            tr("Our Mastodon server's character limit"),
            self.mastodon_limit,
            "mastodon_limit",
        )
        _same_label_width((form, per_week_row), (form2, limit_row))
        mastodon.body.addLayout(form2)
        mastodon.body.addWidget(
            caption(
                tr(
                    "Each Mastodon server sets its own limit. Most servers allow 500; ask whoever "
                    "runs yours. The composer counts and checks Mastodon posts against it."
                )
            )
        )
        self.content.addWidget(mastodon)

        actions = QHBoxLayout()
        actions.addStretch(1)
        self.undo_button = button(tr("Undo changes"), kind="ghost")
        self.save_button = button(tr("Save plan"), kind="primary")
        actions.addWidget(self.undo_button)
        actions.addWidget(self.save_button)
        self.content.addLayout(actions)
        self.content.addStretch(1)

        self.per_week.valueChanged.connect(self._edited)
        self.mastodon_limit.valueChanged.connect(self._edited)
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(lambda: self.refresh(force=True))
        self._edited()

    # --- Section -----------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        if self._loaded is None:
            return False
        saved = self._loaded.value
        # The box counts whole posts: a plan saved with a fraction (through the API) is shown
        # rounded, and that alone is not an edit.
        shown = replace(saved, posts_per_week=float(round(saved.posts_per_week)))
        return self.form_value() != shown

    def apply_permissions(self) -> None:
        editable = self.permitted(Permission.EDIT_SETTINGS)
        self.per_week.setEnabled(editable)
        self.mastodon_limit.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.undo_button.setVisible(editable)
        self.show_read_only(
            None if editable or self.user is None else read_only_note(Permission.EDIT_SETTINGS)
        )

    def load(self) -> None:
        practice = self.services.practice
        self.call(practice.posting_plan, self._show)

    # --- form <-> plan -----------------------------------------------------------------
    def _show(self, loaded: Versioned[PostingPlan]) -> None:
        self._loaded = loaded
        self.per_week.setValue(round(loaded.value.posts_per_week))
        self.mastodon_limit.setValue(loaded.value.mastodon_limit)
        self.loaded = True
        self._edited()

    def form_value(self) -> PostingPlan:
        return PostingPlan(
            posts_per_week=float(self.per_week.value()),
            mastodon_limit=self.mastodon_limit.value(),
        )

    # --- saving ------------------------------------------------------------------------
    def _edited(self) -> None:
        dirty = self.dirty
        self.save_button.setEnabled(dirty)
        self.undo_button.setEnabled(dirty)

    def save(self) -> None:
        if self._loaded is None:
            return
        self.save_versioned(
            self.services.practice.save_posting_plan,
            Versioned(self.form_value(), self._loaded.version),
            button=self.save_button,
            saved_text=tr("The posting plan is saved."),
            stored=self._stored,
            edited=self._edited,
        )

    def _stored(self, result: Versioned[PostingPlan]) -> None:
        self._loaded = result
