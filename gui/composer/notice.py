"""A place for one calm message inside a view ("Moved to Tuesday…", "Saved 12 posts to…"),
instead of a pop-up the person has to dismiss."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.widgets import Banner


class NoticeSlot(QWidget):
    """Shows at most one ``Banner``; ``say`` replaces it, ``clear`` removes it.

    Signals: none.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.banner: Banner | None = None
        self.tone = ""

    def say(self, text: str, tone: str) -> None:
        self.clear()
        self.banner = Banner(text, tone)
        self.banner.setAccessibleName(text)
        self.tone = tone
        self._layout.addWidget(self.banner)

    def clear(self) -> None:
        if self.banner is not None:
            self._layout.removeWidget(self.banner)
            self.banner.hide()
            self.banner.deleteLater()
        self.banner = None
        self.tone = ""

    def text(self) -> str:
        return self.banner.text_label.text() if self.banner is not None else ""
