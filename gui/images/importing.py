"""Importing photos: what a drop or a chosen folder means in files, the import run as one
cancellable task, and the summary the person sees afterwards (how many came in, which were
already in the library, and each refused file with the reason in plain words)."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from core.imaging.service import ImagingService, ImportResult
from core.progress import Progress
from core.staff.model import StaffMember
from gui.images.wording import import_summary, refusal_text
from gui.widgets import Card, button, caption, plain_label

MAX_REFUSED_SHOWN = 12


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders in a drop (links to web pages are ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def import_paths(
    images: ImagingService, actor: StaffMember, paths: Iterable[Path]
) -> Generator[Progress, None, ImportResult]:
    """Import ``paths`` (files, and the photos in folders and their sub-folders) as one task;
    runs on a worker. A folder that cannot be read, or holds more photos than one import takes,
    stops the import before anything is imported (``ValidationError``, ``field="folder"``)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(ImagingService.folder_files(path))
        else:
            files.append(path)
    unique = list(dict.fromkeys(files))
    if not unique:
        return ImportResult()
    yield Progress(0, len(unique))
    return (yield from images.import_files(actor, unique))


class ImportSummary(Card):
    """What the last import did; stays until closed (or the next import).

    Signals:
        closed(): the person dismissed it.
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("import-summary")
        self.close_button = button(self.tr("Close"), kind="ghost")
        self.close_button.setAccessibleName(self.tr("Close the import summary"))
        self.close_button.clicked.connect(self._close)
        self.header.addWidget(self.close_button)
        self.lines = QVBoxLayout()
        self.lines.setSpacing(2)
        self.body.addLayout(self.lines)
        self.setVisible(False)

    def show_result(self, result: ImportResult) -> None:
        self.set_title(
            import_summary(len(result.imported), len(result.duplicates), len(result.refused))
        )
        while self.lines.count():
            item = self.lines.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        if result.refused:
            self.lines.addWidget(caption(self.tr("Not imported:")))
        for name, reason, params in result.refused[:MAX_REFUSED_SHOWN]:
            row = QHBoxLayout()
            row.setSpacing(8)
            file_label = plain_label(name)
            font = file_label.font()
            font.setBold(True)
            file_label.setFont(font)
            row.addWidget(file_label)
            row.addWidget(plain_label(refusal_text(reason, params), wrap=True), 1)
            holder = QWidget()
            row.setContentsMargins(0, 0, 0, 0)
            holder.setLayout(row)
            self.lines.addWidget(holder)
        if len(result.refused) > MAX_REFUSED_SHOWN:
            self.lines.addWidget(
                caption(
                    self.tr("… and {n} more files that are not photos or are damaged.").format(
                        n=len(result.refused) - MAX_REFUSED_SHOWN
                    )
                )
            )
        if result.duplicates:
            names = ", ".join(result.duplicates[:5])
            more = len(result.duplicates) - 5
            text = self.tr("Already in the library: {names}").format(names=names)
            if more > 0:
                text += self.tr(" and {n} more").format(n=more)
            self.lines.addWidget(caption(text))
        self.setVisible(True)

    def refused_texts(self) -> Sequence[str]:
        """The lines shown (for tests and screen readers)."""
        out = []
        for i in range(self.lines.count()):
            item = self.lines.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is None:
                continue
            texts = [c.text() for c in widget.findChildren(type(self.title_label))]
            if hasattr(widget, "text"):
                texts.insert(0, widget.text())
            out.append(" ".join(t for t in texts if t))
        return out

    def _close(self) -> None:
        self.setVisible(False)
        self.closed.emit()


__all__ = ["ImportSummary", "dropped_paths", "import_paths"]
