"""The photos of a post in the editor: a strip of thumbnails (with the redactions the export will
burn in), each with why it cannot go out when that is so, whether it has a description for
screen readers (alt text, edited in ``gui.composer.alt_text`` and published with it),
plus "Add photo…", remove and reorder.

Only photos whose background checklist is signed off can be added (the picker lists nothing
else), but a photo can stop being usable after it was attached: someone changed its redactions
(the sign-off is dropped), rejected it, or a patient in it revoked their consent. The strip asks
the image library and the consent tracker again whenever the post's photos or platforms change,
and says in plain words what is wrong with each one, as the composer's gates will when the post
is submitted, approved or published.

Everything slow (reading records, thumbnails, decoding, consent) runs through the task runner;
thumbnails come back as ``QImage`` (safe off the GUI thread) and become pixmaps here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from core.app import Services
from core.imaging import ImageRecord, ImageStatus
from core.staff.model import StaffMember
from gui import errors
from gui.composer.alt_text import AltTextDialog, AltTextState
from gui.composer.photo_picker import PhotoPicker
from gui.composer.photo_thumbs import redacted_thumbnail
from gui.tasks import TaskRunner
from gui.widgets import Badge, button, caption, plain_label

THUMB_HEIGHT = 84
"""Height of a photo in the strip, in pixels (the width follows the photo's shape)."""


@dataclass(frozen=True, slots=True)
class AttachedPhoto:
    """One attached photo as the strip shows it: the thumbnail (redactions drawn in; ``None``
    when the library has none), and ``problem``, a code saying why the photo cannot go out
    (``None``: it can). Codes: ``missing`` (not in the library), ``unchecked``,
    ``needs_attention``, ``rejected``, ``signoff_stale`` (changed after the sign-off),
    ``no_consent`` (a patient in it has no consent covering the post's platforms).
    ``image_id``/``version``/``alt_text``: the library's record (``None``: not in it)."""

    media_hash: str
    image: QImage | None
    problem: str | None
    name: str = ""
    image_id: int | None = None
    version: int = 0
    alt_text: str = ""


def read_attached(
    services: Services, media_hashes: Sequence[str], platforms: Sequence[str]
) -> list[AttachedPhoto]:
    """Each attached photo's thumbnail and problem (worker thread: reads the library, the
    consent tracker and decodes thumbnails)."""
    images = services.images
    result: list[AttachedPhoto] = []
    for digest in media_hashes:
        record = images.by_hash(digest)
        if record is None:
            result.append(AttachedPhoto(digest, None, "missing"))
            continue
        problem = _status_problem(record.status)
        if problem is None and images.uncleared([digest]):
            problem = "signoff_stale"
        if (
            problem is None
            and services.consent_factory is not None
            and services.consent.uncovered_media([digest], platforms)
        ):
            problem = "no_consent"
        image = redacted_thumbnail(images.thumbnail(record), record)
        result.append(
            AttachedPhoto(
                digest, image, problem, record.filename, record.id, record.version, record.alt_text
            )
        )
    return result


def describable(photo: AttachedPhoto) -> bool:
    """Whether the photo's description can be written from the strip: it is in the library
    and not rejected (the Images page reopens a rejected one first)."""
    return photo.image_id is not None and photo.problem != "rejected"


def _status_problem(status: ImageStatus) -> str | None:
    return {
        ImageStatus.UNCHECKED: "unchecked",
        ImageStatus.NEEDS_ATTENTION: "needs_attention",
        ImageStatus.REJECTED: "rejected",
    }.get(status)


def problem_text(code: str) -> str:
    """Why an attached photo cannot go out, in plain words (one sentence)."""
    tr = QCoreApplication.translate
    texts = {
        "missing": tr("Photos", "It is no longer in the photo library."),
        "unchecked": tr("Photos", "Nobody has checked its background yet."),
        "needs_attention": tr(
            "Photos", "Its background checklist is not signed off (something changed)."
        ),
        "rejected": tr("Photos", "It was rejected on the Images page."),
        "signoff_stale": tr(
            "Photos", "It changed after it was signed off, so it must be checked again."
        ),
        "no_consent": tr(
            "Photos",
            "A patient in it has no consent in effect for every platform of this post.",
        ),
    }
    return texts.get(code, tr("Photos", "It cannot be used right now."))


def problem_badge(code: str) -> str:
    """The short badge on a tile with a problem."""
    tr = QCoreApplication.translate
    if code == "no_consent":
        return tr("Photos", "No consent")
    if code == "missing":
        return tr("Photos", "Missing")
    return tr("Photos", "Not cleared")


class PhotoTile(QFrame):
    """One attached photo: its thumbnail, its number, a warning badge when it cannot go out,
    and (while the post can be edited) buttons to move it or take it out.

    Under them, whether the photo has a description for screen readers (``alt``).

    Signals:
        remove_requested(str): take this photo (its media hash) out of the post.
        move_requested(str, int): move it by -1 (earlier) or +1 (later).
        alt_text_requested(str): describe this photo (its media hash).
    """

    remove_requested = Signal(str)
    move_requested = Signal(str, int)
    alt_text_requested = Signal(str)

    def __init__(
        self, photo: AttachedPhoto, number: int, count: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PhotoTile")
        self.photo = photo
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFixedHeight(THUMB_HEIGHT)
        if photo.image is not None:
            pixmap = QPixmap.fromImage(photo.image).scaledToHeight(
                THUMB_HEIGHT, Qt.TransformationMode.SmoothTransformation
            )
            if pixmap.width() > 2 * THUMB_HEIGHT:
                wide = 2 * THUMB_HEIGHT
                pixmap = pixmap.copy((pixmap.width() - wide) // 2, 0, wide, THUMB_HEIGHT)
            self.picture.setPixmap(pixmap)
            self.picture.setFixedWidth(pixmap.width())
        else:
            self.picture.setFixedWidth(THUMB_HEIGHT)
            self.picture.setText(QCoreApplication.translate("Photos", "No preview"))
            self.picture.setProperty("muted", "true")
        self.picture.setAccessibleName(
            QCoreApplication.translate("Photos", "Photo {n}").format(n=number)
        )
        column.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(caption(str(number), wrap=False))
        self.badge = Badge(problem_badge(photo.problem) if photo.problem else "", "warning")
        self.badge.setVisible(photo.problem is not None)
        row.addWidget(self.badge)
        row.addStretch(1)
        self.earlier_button = self._small("←", self.tr("Move earlier"), lambda: self._move(-1))
        self.earlier_button.setEnabled(number > 1)
        self.later_button = self._small("→", self.tr("Move later"), lambda: self._move(1))
        self.later_button.setEnabled(number < count)
        self.remove_button = self._small("✕", self.tr("Remove from the post"), self._remove)
        for widget in (self.earlier_button, self.later_button, self.remove_button):
            row.addWidget(widget)
        column.addLayout(row)
        self.alt = AltTextState(photo.alt_text, number)
        self.alt.requested.connect(lambda: self.alt_text_requested.emit(photo.media_hash))
        column.addWidget(self.alt)
        tip = photo.name
        if photo.problem:
            tip = f"{tip}\n{problem_text(photo.problem)}" if tip else problem_text(photo.problem)
        self.setToolTip(tip)

    def set_editable(self, editable: bool) -> None:
        for widget in (self.earlier_button, self.later_button, self.remove_button):
            widget.setVisible(editable)
        self.alt.set_editable(editable and describable(self.photo))

    def _small(self, text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
        result = button(text, kind="ghost")
        result.setFixedSize(QSize(28, 28))
        result.setStyleSheet("padding: 0px;")  # the app's button padding leaves no room
        result.setToolTip(tip)
        result.setAccessibleName(tip)
        result.clicked.connect(slot)
        return result

    def _move(self, step: int) -> None:
        self.move_requested.emit(self.photo.media_hash, step)

    def _remove(self) -> None:
        self.remove_requested.emit(self.photo.media_hash)


class PhotoStrip(QWidget):
    """The post's photos in order, "Add photo…" (cleared photos only) and, under them, why any
    of them cannot go out.

    ``set_photos`` shows a saved post's photos; ``set_context`` gives the post's platforms (the
    consent check depends on them) and whether it can be edited. ``refresh`` reads every
    photo's state again (e.g. after the Images page changed something).

    ``actor`` gives the signed-in person, who saves a photo's description (alt text) from
    its tile while the post can be edited (``describe``).

    Signals:
        changed(): the person added, removed or reordered photos (``hashes()`` has the new
            order); the editor saves it with the text.
        shown(): the tiles were (re)drawn: ``pictures()`` has the thumbnails.
        alt_text_saved(str): a photo's description (its media hash) was saved.
    """

    changed = Signal()
    shown = Signal()
    alt_text_saved = Signal(str)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        actor: Callable[[], StaffMember | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.actor = actor
        self.picker: PhotoPicker | None = None
        self.alt_dialog: AltTextDialog | None = None
        self._hashes: tuple[str, ...] = ()
        self._platforms: tuple[str, ...] = ()
        self._editable = False
        self._generation = 0
        self._shown: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self.photos: list[AttachedPhoto] = []
        self.tiles: list[PhotoTile] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.title = plain_label(self.tr("Photos"))
        top.addWidget(self.title)
        self.empty_label = caption(
            self.tr("None. Only photos cleared on the Images page can be added."), wrap=False
        )
        top.addWidget(self.empty_label)
        top.addStretch(1)
        self.add_button = button(self.tr("Add photo…"), "images", "ghost")
        self.add_button.clicked.connect(self.choose)
        top.addWidget(self.add_button)
        column.addLayout(top)
        self.scroll_area = QScrollArea()
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFixedHeight(THUMB_HEIGHT + 80)  # number, buttons, alt text
        holder = QWidget()
        self.row = QHBoxLayout(holder)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(10)
        self.row.addStretch(1)
        self.scroll_area.setWidget(holder)
        column.addWidget(self.scroll_area)
        self.problem_label = caption()
        self.problem_label.setProperty("error", "true")
        self.problem_label.setVisible(False)
        column.addWidget(self.problem_label)
        self._layout_empty()

    # --- state ---------------------------------------------------------------------------
    def hashes(self) -> tuple[str, ...]:
        """The photos in the order the person wants them (media-vault hashes)."""
        return self._hashes

    @property
    def loaded(self) -> bool:
        """Whether what is shown matches the current photos and platforms."""
        return self._shown == (self._hashes, self._platforms)

    def pictures(self) -> list[QImage | None]:
        """The thumbnails shown, in order (redactions drawn in; ``None``: no preview)."""
        return [p.image for p in self.photos]

    def alt_texts(self) -> list[str]:
        """The descriptions shown, in order (``""``: none)."""
        return [p.alt_text for p in self.photos]

    def problems(self) -> list[tuple[int, str]]:
        """``(number from 1, problem code)`` for each shown photo that cannot go out."""
        return [(n, p.problem) for n, p in enumerate(self.photos, 1) if p.problem]

    def clear(self) -> None:
        """Show nothing (no post open)."""
        self._generation += 1
        self._hashes, self._platforms, self._editable = (), (), False
        self._show([])
        self._shown = ((), ())

    def set_photos(self, media_hashes: Sequence[str]) -> None:
        """Show a saved post's photos (replacing any unsaved order)."""
        self._hashes = tuple(media_hashes)
        self._reload()

    def set_context(self, platforms: Sequence[str], editable: bool) -> None:
        """The post's platforms and whether it can be edited now."""
        self._editable = editable
        self.add_button.setVisible(editable)
        for tile in self.tiles:
            tile.set_editable(editable)
        self._layout_empty()
        if tuple(platforms) != self._platforms:
            self._platforms = tuple(platforms)
            self._reload()

    def refresh(self) -> None:
        """Read every photo's state again."""
        self._shown = None
        self._reload()

    # --- editing -------------------------------------------------------------------------
    def choose(self) -> None:
        """Open the picker of cleared photos; the chosen ones are added at the end."""
        if not self._editable:
            return
        picker = PhotoPicker(self.services, self.runner, self._hashes, parent=self)
        picker.setWindowModality(Qt.WindowModality.WindowModal)
        picker.accepted.connect(lambda: self.add(picker.chosen()))
        picker.open()
        self.picker = picker

    def describe(self, media_hash: str) -> AltTextDialog | None:
        """Open the dialog to write or change a photo's description (alt text); once saved,
        the tile shows it. Only while the post can be edited, for a photo in the library."""
        actor = self.actor()
        numbered = [(n, p) for n, p in enumerate(self.photos, 1) if p.media_hash == media_hash]
        if not self._editable or actor is None or not numbered or not describable(numbered[0][1]):
            return None
        number, photo = numbered[0]
        dialog = AltTextDialog(self.services, self.runner, actor, photo, number, parent=self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.saved.connect(self._alt_text_saved)
        dialog.open()
        self.alt_dialog = dialog
        return dialog

    def _alt_text_saved(self, record: ImageRecord) -> None:
        """Show the saved description on its tile at once (nothing else changed)."""
        photos = [
            replace(p, version=record.version, alt_text=record.alt_text)
            if p.media_hash == record.media_hash
            else p
            for p in self.photos
        ]
        self._show(photos)
        self.alt_text_saved.emit(record.media_hash)

    def add(self, media_hashes: Sequence[str]) -> None:
        new = tuple(h for h in dict.fromkeys(media_hashes) if h not in self._hashes)
        if new:
            self._edit(self._hashes + new)

    def remove(self, media_hash: str) -> None:
        if media_hash in self._hashes:
            self._edit(tuple(h for h in self._hashes if h != media_hash))

    def move_photo(self, media_hash: str, step: int) -> None:
        order = list(self._hashes)
        if media_hash not in order:
            return
        index = order.index(media_hash)
        target = index + step
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
            self._edit(tuple(order))

    def _edit(self, order: tuple[str, ...]) -> None:
        self._hashes = order
        known = {p.media_hash: p for p in self.photos}
        if all(h in known for h in order):
            self._show([known[h] for h in order])  # a reorder or removal: nothing to read
            self._shown = (self._hashes, self._platforms)
        else:
            self._reload()
        self.changed.emit()

    # --- reading -------------------------------------------------------------------------
    def _reload(self) -> None:
        if self._shown == (self._hashes, self._platforms):
            return
        self._generation += 1
        generation = self._generation
        hashes, platforms, services = self._hashes, self._platforms, self.services
        if not hashes:
            self._show([])
            self._shown = (hashes, platforms)
            return

        def done(photos: list[AttachedPhoto]) -> None:
            if Shiboken.isValid(self) and generation == self._generation:
                self._show(photos)
                self._shown = (hashes, platforms)

        def failed(exc: BaseException) -> None:
            if Shiboken.isValid(self) and generation == self._generation:
                errors.show_error(self.window(), exc)

        self.runner.run(lambda: read_attached(services, hashes, platforms), done, failed)

    def _show(self, photos: list[AttachedPhoto]) -> None:
        self.photos = list(photos)
        for tile in self.tiles:
            self.row.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        for number, photo in enumerate(photos, 1):
            tile = PhotoTile(photo, number, len(photos))
            tile.set_editable(self._editable)
            tile.remove_requested.connect(self.remove)
            tile.move_requested.connect(self.move_photo)
            tile.alt_text_requested.connect(self.describe)
            self.row.insertWidget(self.row.count() - 1, tile)
            self.tiles.append(tile)
        lines = [
            self.tr("Photo {n} cannot go out. {why}").format(n=n, why=problem_text(code))
            for n, code in self.problems()
        ]
        codes = {code for _n, code in self.problems()}
        if codes - {"no_consent"}:
            lines.append(self.tr("Check it again on the Images page, or remove it from this post."))
        if "no_consent" in codes:
            lines.append(
                self.tr(
                    "For a patient's photo: record a consent that covers these platforms on the "
                    "Consent page, post only where it is covered, or remove the photo."
                )
            )
        self.problem_label.setText("\n".join(lines))
        self.problem_label.setVisible(bool(lines))
        self._layout_empty()
        self.shown.emit()

    def _layout_empty(self) -> None:
        empty = not self._hashes
        self.scroll_area.setVisible(not empty)
        self.empty_label.setVisible(empty)
        self.empty_label.setText(
            self.tr("None. Only photos cleared on the Images page can be added.")
            if self._editable
            else self.tr("None.")
        )
