"""Merging findings: one finding per stretch of text, the most specific kind kept."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace

from core.phi.model import SPECIFICITY, Finding, Severity

_RANK: dict[str, int] = {kind.value: rank for rank, kind in enumerate(SPECIFICITY)}


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` without overlaps, sorted by start.

    Overlapping findings of the same kind become one that covers both (high severity wins);
    where kinds overlap, the most specific kind (``SPECIFICITY``) is kept, then the longer one.
    """
    united: list[Finding] = []
    for item in sorted(findings, key=lambda f: (f.kind, f.start, -f.end)):
        last = united[-1] if united else None
        if last is not None and last.kind == item.kind and item.start < last.end:
            high = Severity.HIGH.value in (last.severity, item.severity)
            united[-1] = replace(
                last,
                end=max(last.end, item.end),
                severity=Severity.HIGH.value if high else last.severity,
            )
        else:
            united.append(item)
    starts: list[int] = []  # the kept findings, sorted by start (they never overlap)
    kept: list[Finding] = []
    for item in sorted(united, key=lambda f: (_RANK.get(f.kind, len(_RANK)), f.start - f.end)):
        i = bisect_right(starts, item.start)
        if (i and kept[i - 1].end > item.start) or (i < len(kept) and kept[i].start < item.end):
            continue
        starts.insert(i, item.start)
        kept.insert(i, item)
    return kept
