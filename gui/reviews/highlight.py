"""Marks in the reply editor: reply-check findings underlined (red and wavy while open, dotted
grey once let through with a reason).

Core counts positions in code points (Python ``str`` indexes); Qt counts UTF-16 code units, so
an emoji before a finding would shift every mark. ``to_qt`` converts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from gui import theme

Span = tuple[int, int, bool]
"""A stretch to mark in code points of the reply: (start, end, let through)."""


def utf16_positions(text: str) -> list[int]:
    """For each code point index of ``text`` (and its end), its UTF-16 position."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    return [i + bisect_right(astral, i - 1) for i in range(len(text) + 1)]


def to_python(text: str, qt_position: int) -> int:
    """The code point index of UTF-16 ``qt_position`` in ``text`` (inside a pair: its start)."""
    positions = utf16_positions(text)
    return max(0, bisect_right(positions, qt_position) - 1)


class ReplyHighlighter(QSyntaxHighlighter):
    """Draws the findings' spans on the reply's document; ``set_spans`` replaces them all."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._spans: list[Span] = []

    def set_spans(self, text: str, spans: Sequence[Span]) -> None:
        positions = utf16_positions(text)
        last = len(positions) - 1
        converted = [
            (positions[min(max(s, 0), last)], positions[min(max(e, 0), last)], through)
            for s, e, through in spans
        ]
        if converted != self._spans:
            self._spans = converted
            self.rehighlight()

    def spans(self) -> list[Span]:
        """The marks in UTF-16 positions (for tests and tooltips)."""
        return list(self._spans)

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        start = block.position()
        end = start + block.length()
        palette = theme.current()
        for span_start, span_end, through in self._spans:
            lo, hi = max(span_start, start), min(span_end, end)
            if lo >= hi:
                continue
            mark = QTextCharFormat()
            if through:
                mark.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
                mark.setUnderlineColor(QColor(palette.muted))
            else:
                mark.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                mark.setUnderlineColor(QColor(palette.danger))
                mark.setBackground(QColor(palette.warning_soft))
            self.setFormat(lo - start, hi - lo, mark)
