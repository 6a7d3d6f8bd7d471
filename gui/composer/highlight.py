"""Marks in the post editor: PHI findings underlined (red and wavy while open, dotted grey once
let through with a reason) and the text past a platform's limit shaded red.

Core counts positions in code points (Python ``str`` indexes); Qt counts UTF-16 code units, so an
emoji before a finding would shift every mark. ``Utf16Map`` converts both ways.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from gui import theme


class Utf16Map:
    """Converts positions between a Python string and Qt's UTF-16 text of it."""

    def __init__(self, text: str) -> None:
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._length = len(text)

    def to_qt(self, index: int) -> int:
        """The UTF-16 position of code point ``index``."""
        index = max(0, min(index, self._length))
        return index + bisect_right(self._astral, index - 1)

    def to_python(self, position: int) -> int:
        """The code point index of UTF-16 ``position`` (inside a surrogate pair: its start)."""
        low, high = 0, self._length
        while low < high:
            middle = (low + high + 1) // 2
            if self.to_qt(middle) <= position:
                low = middle
            else:
                high = middle - 1
        return low


@dataclass(frozen=True, slots=True)
class Mark:
    """A stretch to mark, in code points of the editor's text. ``kind`` is ``finding``,
    ``overridden`` or ``overflow``."""

    start: int
    end: int
    kind: str


class PostHighlighter(QSyntaxHighlighter):
    """Draws ``Mark``s on the editor's document. ``set_marks`` replaces them all."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._spans: list[tuple[int, int, str]] = []

    def set_marks(self, text: str, marks: Sequence[Mark]) -> None:
        positions = Utf16Map(text)
        spans = [(positions.to_qt(m.start), positions.to_qt(m.end), m.kind) for m in marks]
        if spans != self._spans:
            self._spans = spans
            self.rehighlight()

    def spans(self) -> list[tuple[int, int, str]]:
        """The marks in UTF-16 positions (for tests and tooltips)."""
        return list(self._spans)

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        start = block.position()
        end = start + block.length()
        formats = _formats()
        for span_start, span_end, kind in sorted(self._spans, key=lambda s: s[2] != "overflow"):
            lo, hi = max(span_start, start), min(span_end, end)
            if lo < hi:
                self.setFormat(lo - start, hi - lo, formats[kind])


def _formats() -> dict[str, QTextCharFormat]:
    palette = theme.current()
    finding = QTextCharFormat()
    finding.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    finding.setUnderlineColor(QColor(palette.danger))
    finding.setBackground(QColor(palette.warning_soft))
    overridden = QTextCharFormat()
    overridden.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    overridden.setUnderlineColor(QColor(palette.muted))
    overflow = QTextCharFormat()
    overflow.setBackground(QColor(palette.danger_soft))
    overflow.setForeground(QColor(palette.danger))
    return {"finding": finding, "overridden": overridden, "overflow": overflow}
