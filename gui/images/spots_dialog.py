"""Photo spots: the register of places in the practice approved for photos (a name, notes such
as "keep the schedule screen off", and a reference photo). Everyone can read it; the office
manager (approver) and admins add and change spots."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.errors import ValidationError
from core.imaging.model import PhotoSpot
from core.staff.model import Permission, StaffMember
from core.staff.rules import can
from gui import errors
from gui.images.grid import decode_thumbnail
from gui.images.wording import refusal_text
from gui.tasks import TaskRunner
from gui.widgets import button, caption, heading, plain_label

PREVIEW = QSize(200, 150)


def _read_reference(path: Path) -> tuple[bytes, QImage | None]:
    """The chosen file's bytes and a small preview (on a worker). Size and format are checked
    by the service's sandbox when the spot is saved."""
    from core.imaging import MAX_FILE_BYTES

    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValidationError("The reference photo is too big.", field="reference")
    data = path.read_bytes()
    image = QImage.fromData(data)
    if image.isNull():
        return data, None
    return data, image.scaled(
        PREVIEW, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class PhotoSpotsDialog(QDialog):
    """The list of spots and a form for the chosen (or a new) one.

    Signals:
        saved(object): a ``PhotoSpot`` was added or changed.
    """

    saved = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        user: StaffMember,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Photo spots"))
        self.setMinimumSize(760, 480)
        self._services = services
        self._runner = runner
        self._user = user
        self._spot: PhotoSpot | None = None
        self._reference: bytes | None = None
        self._thumbnails: dict[str, QPixmap | None] = {}
        """Reference photos shown so far, by hash (``None``: could not be read)."""
        self.can_edit = can(user.role, Permission.MANAGE_PHOTO_SPOTS)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(heading(self.tr("Approved photo spots"), 2))
        column.addWidget(
            caption(
                self.tr(
                    "Places in the practice where photos are safe to take: nothing with patient "
                    "information in view. Choosing a spot on a photo fills in its notes; the "
                    "photo still needs its checklist."
                )
                if self.can_edit
                else self.tr(
                    "Places in the practice where photos are safe to take. Only the office "
                    "manager or an admin can change this list."
                )
            )
        )
        row = QHBoxLayout()
        row.setSpacing(16)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Photo spots"))
        left.addWidget(self.list, 1)
        self.new_button = button(self.tr("New spot"), "plus")
        self.new_button.clicked.connect(self.new_spot)
        self.new_button.setVisible(self.can_edit)
        left.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignLeft)
        row.addLayout(left, 1)
        row.addLayout(self._build_form(), 2)
        column.addLayout(row, 1)
        self.message = caption("")
        column.addWidget(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        column.addWidget(close)
        self.list.currentItemChanged.connect(lambda _c, _p: self._chosen())
        self.reload()

    def _build_form(self) -> QVBoxLayout:
        form = QVBoxLayout()
        form.setSpacing(6)
        name_label = plain_label(self.tr("Name"))
        form.addWidget(name_label)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. The plant wall by reception"))
        self.name.setMaxLength(100)
        name_label.setBuddy(self.name)
        form.addWidget(self.name)
        notes_label = plain_label(self.tr("Notes"))
        form.addWidget(notes_label)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(self.tr("e.g. Turn the schedule screen away first"))
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setFixedHeight(80)
        notes_label.setBuddy(self.notes)
        form.addWidget(self.notes)
        self.active = QCheckBox(self.tr("In use (offered on photos)"))
        self.active.setChecked(True)
        form.addWidget(self.active)
        reference_row = QHBoxLayout()
        self.reference_preview = QLabel()
        self.reference_preview.setFixedSize(PREVIEW)
        self.reference_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reference_preview.setAccessibleName(self.tr("Reference photo"))
        reference_row.addWidget(self.reference_preview)
        self.reference_button = button(self.tr("Choose reference photo…"))
        self.reference_button.clicked.connect(self.choose_reference)
        reference_row.addWidget(self.reference_button, 0, Qt.AlignmentFlag.AlignTop)
        reference_row.addStretch(1)
        form.addLayout(reference_row)
        self.save_button = button(self.tr("Save spot"), kind="primary")
        self.save_button.clicked.connect(self.save)
        form.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addStretch(1)
        for widget in (
            self.name,
            self.notes,
            self.active,
            self.reference_button,
            self.save_button,
        ):
            widget.setEnabled(self.can_edit)
        self.save_button.setVisible(self.can_edit)
        self.reference_button.setVisible(self.can_edit)
        return form

    # --- loading ---------------------------------------------------------------------------
    def reload(self, select: int | None = None) -> None:
        images = self._services.images

        def loaded(spots: list[PhotoSpot]) -> None:
            self.list.clear()
            for spot in spots:
                text = (
                    spot.name
                    if spot.active
                    else self.tr("{name} (not in use)").format(name=spot.name)
                )
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, spot)
                self.list.addItem(item)
                if spot.id == select:
                    self.list.setCurrentItem(item)
            if not spots:
                self.message.setText(self.tr("No photo spots yet."))
                self.new_spot()
            elif self.list.currentRow() < 0:
                self.list.setCurrentRow(0)

        self._runner.run(lambda: images.spots(include_inactive=True), loaded, self._failed)

    def _chosen(self) -> None:
        item = self.list.currentItem()
        spot = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(spot, PhotoSpot):
            self._show(spot)

    def _show(self, spot: PhotoSpot | None) -> None:
        self._spot = spot
        self._reference = None
        self.name.setText(spot.name if spot else "")
        self.notes.setPlainText(spot.notes if spot else "")
        self.active.setChecked(spot.active if spot else True)
        self.reference_preview.clear()
        if spot is not None and spot.reference_hash:
            self._show_reference(spot)
        else:
            self.reference_preview.setText(self.tr("No reference photo"))
        self.message.setText("")

    def _show_reference(self, spot: PhotoSpot) -> None:
        """The spot's reference photo as a thumbnail (read and decoded on a worker)."""
        key = spot.reference_hash
        assert key is not None
        if key in self._thumbnails:
            pixmap = self._thumbnails[key]
            if pixmap is None:
                self.reference_preview.setText(self.tr("The reference photo could not be shown"))
            else:
                self.reference_preview.setPixmap(pixmap)
            return
        self.reference_preview.setText(self.tr("Loading the reference photo…"))
        images = self._services.images

        def load() -> QImage | None:
            return decode_thumbnail(images.spot_reference(spot), PREVIEW)

        def loaded(image: QImage | None) -> None:
            self._thumbnails[key] = QPixmap.fromImage(image) if image is not None else None
            if self._spot is not None and self._spot.reference_hash == key and not self._reference:
                self._show_reference(self._spot)

        self._runner.run(load, loaded, self._failed)

    def new_spot(self) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self._show(None)
        self.name.setFocus()

    def choose_reference(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a reference photo"),
            "",
            self.tr("Photos (*.jpg *.jpeg *.png *.webp *.heic *.heif)"),
        )
        if path:
            self.load_reference(Path(path))

    def load_reference(self, path: Path) -> None:
        def loaded(result: tuple[bytes, QImage | None]) -> None:
            data, image = result
            self._reference = data
            if image is not None:
                self.reference_preview.setPixmap(QPixmap.fromImage(image))
            else:
                self.reference_preview.setText(self.tr("New reference photo chosen"))

        self._runner.run(lambda: _read_reference(path), loaded, self._failed)

    def save(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.message.setText(self.tr("Give the spot a name, e.g. “The plant wall”."))
            self.name.setFocus()
            return
        base = self._spot or PhotoSpot(id=None, name="")
        spot = replace(
            base, name=name, notes=self.notes.toPlainText().strip(), active=self.active.isChecked()
        )
        images, actor, reference = self._services.images, self._user, self._reference

        def done(saved: PhotoSpot) -> None:
            self.message.setText(self.tr("Saved “{name}”.").format(name=saved.name))
            self.saved.emit(saved)
            self.reload(select=saved.id)

        self._runner.run(lambda: images.save_spot(actor, spot, reference), done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        from core.imaging import ImageRejected

        if isinstance(exc, ImageRejected):
            self.message.setText(
                self.tr("That reference photo cannot be used: {why}").format(
                    why=refusal_text(exc.reason, exc.params)
                )
            )
            return
        if isinstance(exc, ValidationError):
            field = exc.params.get("field")
            texts = {
                "name": self.tr("Give the spot a name of at most 100 characters."),
                "notes": self.tr("The notes are too long; keep them short."),
                "reference": self.tr(
                    "That reference photo cannot be used: choose a JPEG, PNG, WebP or HEIC "
                    "photo of at most 60 MB."
                ),
            }
            if field in texts:
                self.message.setText(texts[str(field)])
                return
        errors.show_error(self, exc)
