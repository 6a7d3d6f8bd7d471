"""One platform's numbered steps in the manual publish dialog, and the work behind them:
copying the text so clipboard managers skip it, and saving clean photos off the GUI thread.

Clipboard history: the post text is approved for the public, but a front-desk PC is shared and
clipboard managers keep everything copied, for days, sometimes synced to the cloud. So the copy
is marked the way password managers mark theirs, where the platform has a convention:

- Linux (KDE Klipper and the managers that follow it, X11 and Wayland): the MIME type
  ``x-kde-passwordManagerHint`` with the value ``secret``.
- Windows: the registered clipboard format ``ExcludeClipboardContentFromMonitorProcessing``
  (any content), plus ``CanIncludeInClipboardHistory`` and ``CanUploadToCloudClipboard`` as a
  zero DWORD for Windows 10's own history (Win+V) and cloud clipboard. Qt registers a format
  by that name for the MIME type ``application/x-qt-windows-mime;value="<name>"``.
- macOS: the convention (``org.nspasteboard.ConcealedType``) needs a native pasteboard type
  that Qt's MIME mapping cannot name, so nothing is marked there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QMimeData, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from core.errors import NotFound, ValidationError
from core.imaging import ExportVerifyFailed, ImageRejected
from core.platforms import default_rules
from core.progress import Progress
from gui import errors
from gui.tasks import TaskRunner
from gui.widgets import Avatar, Badge, Card, button, caption, plain_label, repolish

HISTORY_HINT_MIME = "x-kde-passwordManagerHint"
_WINDOWS_FORMAT = 'application/x-qt-windows-mime;value="{name}"'
_ZERO_DWORD = b"\x00\x00\x00\x00"
_PHONE_PLATFORMS = frozenset({"instagram", "threads"})
_TARGET_HEIGHT = 40


def clipboard_data(text: str, platform: str = sys.platform) -> QMimeData:
    """``text`` as clipboard data that clipboard managers leave out of their history."""
    data = QMimeData()
    data.setText(text)
    data.setData(HISTORY_HINT_MIME, b"secret")
    if platform.startswith("win"):
        exclude = _WINDOWS_FORMAT.format(name="ExcludeClipboardContentFromMonitorProcessing")
        data.setData(exclude, b"\x01")
        for name in ("CanIncludeInClipboardHistory", "CanUploadToCloudClipboard"):
            data.setData(_WINDOWS_FORMAT.format(name=name), _ZERO_DWORD)
    return data


def copy_text(text: str) -> None:
    """Put ``text`` on the clipboard, marked to stay out of clipboard history."""
    QGuiApplication.clipboard().setMimeData(clipboard_data(text))


def open_url(url: QUrl) -> bool:
    """Open ``url`` in the browser or file manager (a seam for tests)."""
    return QDesktopServices.openUrl(url)


def ask_folder(parent: QWidget, title: str, start: Path) -> Path | None:
    """Ask for a folder to save photos in (a seam for tests); ``None`` when cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, title, str(start))
    return Path(chosen) if chosen else None


class PostPhotos(Protocol):
    """What saving a post's photos needs of the image library (``ImagingService`` is one)."""

    def export_for_post(self, media_hash: str, dst: Path) -> None:
        """Write the clean copy (redactions burned in, no metadata, verified) to ``dst``;
        ``ValidationError`` when the photo is not cleared (any more)."""
        ...

    def clean_suffix(self, media_hash: str) -> str:
        """``.png`` or ``.jpg``: what the clean copy is written as."""
        ...


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What saving a platform's photos did: the files written and, per photo that could not
    be saved, its number (from 1) and why (``missing``, ``not_cleared``, ``verify_failed``,
    ``write_failed`` or an ``ImageRejected.reason``)."""

    folder: Path
    saved: tuple[Path, ...]
    problems: tuple[tuple[int, str], ...]


def export_photos(
    post_id: int,
    platform: str,
    media_hashes: Sequence[str],
    photos: PostPhotos,
    folder: Path,
) -> Generator[Progress, None, ExportReport]:
    """Save a clean copy of each photo as ``post-<id>-<platform>-<n>.jpg`` (or ``.png``) in
    ``folder`` through the image library, which burns in the photo's redactions and refuses a
    photo whose sign-off no longer holds; runs on a worker, one ``Progress`` per photo. A
    photo that cannot be saved is reported and the others still are; a folder that cannot be
    written stops it."""
    saved: list[Path] = []
    problems: list[tuple[int, str]] = []
    total = len(media_hashes)
    for number, digest in enumerate(media_hashes, start=1):
        yield Progress(number - 1, total)
        try:
            target = folder / f"post-{post_id}-{platform}-{number}{photos.clean_suffix(digest)}"
            photos.export_for_post(digest, target)
        except NotFound:
            problems.append((number, "missing"))
            continue
        except ValidationError:
            problems.append((number, "not_cleared"))
            continue
        except ExportVerifyFailed:
            problems.append((number, "verify_failed"))
            continue
        except ImageRejected as rejected:
            problems.append((number, rejected.reason))
            continue
        except OSError:
            problems.extend((n, "write_failed") for n in range(number, total + 1))
            break
        saved.append(target)
    yield Progress(total, total)
    return ExportReport(folder, tuple(saved), tuple(problems))


class PlatformSteps(Card):
    """The four numbered steps to publish on one platform by hand, or, once recorded, the
    link of the live post.

    ``choose_folder`` asks where photos go (the dialog remembers the answer for every
    platform); ``validate`` says what is wrong with a pasted link (``None``: nothing).

    Signals:
        url_changed(str): the pasted link changed (argument: the platform id).
    """

    url_changed = Signal(str)

    def __init__(
        self,
        platform: str,
        *,
        number_of_photos: int,
        runner: TaskRunner,
        export: Callable[[Path], Generator[Progress, None, ExportReport]],
        choose_folder: Callable[[], Path | None],
        validate: Callable[[str, str], str | None],
        parent: QWidget | None = None,
    ) -> None:
        rule = default_rules().rule(platform)
        super().__init__(rule.name, parent)
        self.platform = platform
        self.text = ""
        self.report: ExportReport | None = None
        self._runner = runner
        self._export = export
        self._choose_folder = choose_folder
        self._validate = validate
        self._done_url: str | None = None
        self.status_badge = Badge(self.tr("To do"), "neutral")
        self.header.addWidget(self.status_badge)
        self.steps = QWidget()
        steps = QVBoxLayout(self.steps)
        steps.setContentsMargins(0, 0, 0, 0)
        steps.setSpacing(12)
        self.body.addWidget(self.steps)
        steps.addLayout(self._build_copy())
        steps.addLayout(self._build_photos(number_of_photos))
        steps.addLayout(self._build_open(platform, rule.name, rule.compose_url))
        steps.addLayout(self._build_url(rule.name))
        self.body.addWidget(self._build_done())

    def _build_copy(self) -> QHBoxLayout:
        self.copy_button = self._button(self.tr("Copy text"), "copy", self.copy)
        self.copy_note = caption()
        return self._step(1, self.tr("Copy the text"), self.copy_button, self.copy_note)

    def _build_photos(self, count: int) -> QHBoxLayout:
        self.export_button = self._button(
            self.tr("Save clean photos…"), "download", self.save_photos
        )
        self.export_progress = QProgressBar()
        self.export_progress.setVisible(False)
        self.export_note = caption()
        self.show_folder_button = button(self.tr("Show folder"), kind="ghost")
        self.show_folder_button.clicked.connect(self._show_folder)
        self.show_folder_button.setVisible(False)
        title = self.tr("Save the photos ({n}, with location and camera details removed)").format(
            n=count
        )
        if not count:
            title = self.tr("No photos in this post")
            self.export_button.setVisible(False)
        return self._step(
            2,
            title,
            self.export_button,
            self.export_progress,
            self.export_note,
            self.show_folder_button,
        )

    def _build_open(self, platform: str, name: str, compose_url: str) -> QHBoxLayout:
        self.compose_url = "" if "{" in compose_url else compose_url
        self.open_button = self._button(
            self.tr("Open {platform}").format(platform=name), "chevron-right", self.open_site
        )
        self.open_button.setVisible(bool(self.compose_url))
        self.open_note = caption(self._open_hint(platform, name, bool(self.compose_url)))
        title = self.tr("Open {platform}, paste the text, add the photos and post it").format(
            platform=name
        )
        return self._step(3, title, self.open_button, self.open_note)

    def _build_url(self, name: str) -> QHBoxLayout:
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText(self.tr("https://… (the address of the live post)"))
        self.url_edit.setAccessibleName(
            self.tr("Link of the live post on {platform}").format(platform=name)
        )
        self.url_edit.setMinimumHeight(_TARGET_HEIGHT)
        self.url_edit.textChanged.connect(self._url_edited)
        self.url_error = caption()
        self.url_error.setProperty("error", "true")
        title = self.tr("Paste the link of the live post")
        return self._step(4, title, self.url_edit, self.url_error)

    def _build_done(self) -> QWidget:
        self.done_row = QWidget()
        done = QHBoxLayout(self.done_row)
        done.setContentsMargins(0, 0, 0, 0)
        self.done_label = plain_label(wrap=True)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        done.addWidget(self.done_label, 1)
        self.open_post_button = button(self.tr("Open post"), kind="ghost")
        self.open_post_button.clicked.connect(self._open_post)
        done.addWidget(self.open_post_button)
        self.done_row.setVisible(False)
        return self.done_row

    # --- state ---------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self._done_url is not None

    def set_text(self, text: str) -> None:
        """The text this platform publishes (what "Copy text" copies)."""
        self.text = text

    def set_done(self, url: str | None) -> None:
        """Show the platform as published at ``url`` (``None``: still to do)."""
        self._done_url = url
        self.steps.setVisible(url is None)
        self.done_row.setVisible(url is not None)
        if url is not None:
            self.done_label.setText(self.tr("Published: {url}").format(url=url))
        self.status_badge.setText(self.tr("Done") if url is not None else self.tr("To do"))
        self.status_badge.set_tone("success" if url is not None else "neutral")

    def url(self) -> str:
        """The pasted link, trimmed ("" when none)."""
        return self.url_edit.text().strip()

    def url_problem(self) -> str | None:
        """What is wrong with the pasted link (``None`` when it is fine or empty)."""
        return self._validate(self.platform, self.url()) if self.url() else None

    # --- steps ---------------------------------------------------------------------------
    def copy(self) -> None:
        copy_text(self.text)
        paste = QKeySequence(QKeySequence.StandardKey.Paste).toString(
            QKeySequence.SequenceFormat.NativeText
        )
        _say(
            self.copy_note,
            self.tr("Copied. In {platform}, click into the new post and paste ({keys}).").format(
                platform=self.title_label.text(), keys=paste
            ),
        )

    def save_photos(self) -> None:
        folder = self._choose_folder()
        if folder is None:
            return
        self.export_button.setEnabled(False)
        self.export_progress.setRange(0, 0)
        self.export_progress.setVisible(True)
        _say(self.export_note, self.tr("Saving clean copies…"))
        self.show_folder_button.setVisible(False)
        job = self._export(folder)  # a generator: nothing runs until the worker drives it
        self._runner.run(
            lambda: job,
            self._photos_saved,
            self._photos_failed,
            self._photos_progress,
        )

    def open_site(self) -> None:
        if self.compose_url:
            open_url(QUrl(self.compose_url))

    def _photos_progress(self, step: Progress | int) -> None:
        if Shiboken.isValid(self) and isinstance(step, Progress) and step.total:
            self.export_progress.setRange(0, step.total)
            self.export_progress.setValue(step.done)

    def _photos_saved(self, report: ExportReport) -> None:
        if not Shiboken.isValid(self):
            return
        self.report = report
        self.export_button.setEnabled(True)
        self.export_progress.setVisible(False)
        lines = []
        if report.saved:
            lines.append(
                self.tr("Saved {n} photo(s) in {folder}: {names}").format(
                    n=len(report.saved),
                    folder=str(report.folder),
                    names=", ".join(p.name for p in report.saved),
                )
            )
        lines += [
            self.tr("Photo {n}: {why}").format(n=n, why=self._problem_text(reason))
            for n, reason in report.problems
        ]
        _say(self.export_note, "\n".join(lines))
        self.show_folder_button.setVisible(bool(report.saved))

    def _photos_failed(self, exc: BaseException) -> None:
        if not Shiboken.isValid(self):
            return
        self.export_button.setEnabled(True)
        self.export_progress.setVisible(False)
        _say(self.export_note, "")
        errors.show_error(self.window(), exc)

    def _problem_text(self, reason: str) -> str:
        texts = {
            "missing": self.tr("the photo is missing from the practice's photo library."),
            "not_cleared": self.tr(
                "its background checklist is no longer signed off (it changed, or was "
                "rejected). Check it again on the Images page; nothing was saved for it."
            ),
            "verify_failed": self.tr(
                "the clean copy did not pass the final check, so it was not kept. Try again; "
                "if it happens again, use another photo."
            ),
            "not_an_image": self.tr("this file is not a photo."),
            "unsupported_format": self.tr(
                "this kind of picture file cannot be used; save it as JPEG or PNG first."
            ),
            "malformed": self.tr("the photo file is damaged or incomplete."),
            "too_large": self.tr("the photo is too big (over 60 megapixels)."),
            "unreadable": self.tr("the photo could not be read."),
            "write_failed": self.tr(
                "could not save into this folder (full or read-only); choose another folder."
            ),
        }
        return texts.get(reason, self.tr("the photo could not be saved."))

    def _show_folder(self) -> None:
        if self.report is not None:
            open_url(QUrl.fromLocalFile(str(self.report.folder)))

    def _open_post(self) -> None:
        if self._done_url:
            open_url(QUrl(self._done_url))

    def _url_edited(self) -> None:
        problem = self.url_problem()
        _say(self.url_error, problem or "")
        self.url_edit.setProperty("error", "true" if problem else "false")
        repolish(self.url_edit)
        self.url_changed.emit(self.platform)

    def _open_hint(self, platform: str, name: str, has_url: bool) -> str:
        if not has_url:
            return self.tr(
                "Open your practice's {platform} server in the browser and start a new post."
            ).format(platform=name)
        if platform in _PHONE_PLATFORMS:
            return self.tr(
                "{platform} is easiest on the practice's phone: send the saved photos to the "
                "phone, copy the text there too, and post from the {platform} app."
            ).format(platform=name)
        return ""

    # --- layout --------------------------------------------------------------------------
    def _button(self, text: str, icon: str, slot: Callable[[], None]) -> QPushButton:
        result = button(text, icon)
        result.setMinimumHeight(_TARGET_HEIGHT)
        result.clicked.connect(slot)
        return result

    def _step(self, number: int, title: str, *widgets: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(Avatar(str(number), 28), 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(6)
        column.addWidget(plain_label(title, wrap=True))
        for widget in widgets:
            if isinstance(widget, QLabel) and not widget.text():
                widget.setVisible(False)
            stretch = isinstance(widget, (QLineEdit, QProgressBar, QLabel))
            column.addWidget(
                widget, 0, Qt.AlignmentFlag(0) if stretch else Qt.AlignmentFlag.AlignLeft
            )
        row.addLayout(column, 1)
        return row


def _say(label: QLabel, text: str) -> None:
    """Show ``text`` in a note, or hide the note when there is nothing to say."""
    label.setText(text)
    label.setVisible(bool(text))
