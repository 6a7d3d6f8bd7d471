"""Collects attention items from every feature and orders them by urgency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.clock import Clock
from core.today.model import AttentionItem, AttentionSource


def urgency_order(items: Iterable[AttentionItem], now: datetime) -> list[AttentionItem]:
    """Most urgent first: severity, then the soonest due (so overdue items lead); items
    without a due time come after dated ones of the same severity. Items overdue by more than
    a day move up one severity step."""

    def key(item: AttentionItem) -> tuple[int, int, float, str]:
        severity = int(item.severity)
        if item.due is None:
            return (-severity, 1, 0.0, item.key)
        if (now - item.due).total_seconds() > 86400:
            severity = min(severity + 1, 3)
        return (-severity, 0, item.due.timestamp(), item.key)

    return sorted(items, key=key)


class TodayService:
    """The Today list. Features register an ``AttentionSource`` when they are wired up."""

    def __init__(self, clock: Clock, sources: Iterable[AttentionSource] = ()) -> None:
        self._clock = clock
        self._sources: list[AttentionSource] = list(sources)

    def register(self, source: AttentionSource) -> None:
        self._sources.append(source)

    def items(self) -> list[AttentionItem]:
        now = self._clock.now()
        collected = [item for source in self._sources for item in source.attention_items(now)]
        return urgency_order(collected, now)
