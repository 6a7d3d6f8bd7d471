"""Collects attention items from every feature and orders them by urgency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from core.clock import Clock
from core.staff.model import StaffMember
from core.staff.rules import can
from core.today.model import AttentionItem, AttentionSource, Severity

OVERDUE_ESCALATION = timedelta(days=1)


def effective_severity(item: AttentionItem, now: datetime) -> Severity:
    """An item overdue by more than a day counts one severity step higher."""
    if item.due is not None and now - item.due > OVERDUE_ESCALATION:
        return Severity(min(item.severity + 1, Severity.CRITICAL))
    return item.severity


def urgency_order(items: Iterable[AttentionItem], now: datetime) -> list[AttentionItem]:
    """Most urgent first: severity, then the soonest due (so overdue items lead); items
    without a due time come after dated ones of the same severity. Items overdue by more than
    a day move up one severity step."""

    def key(item: AttentionItem) -> tuple[int, int, float, str]:
        severity = int(effective_severity(item, now))
        if item.due is None:
            return (-severity, 1, 0.0, item.key)
        return (-severity, 0, item.due.timestamp(), item.key)

    return sorted(items, key=key)


class TodayService:
    """The Today list. Features register an ``AttentionSource`` when they are wired up."""

    def __init__(self, clock: Clock, sources: Iterable[AttentionSource] = ()) -> None:
        self._clock = clock
        self._sources: list[AttentionSource] = list(sources)

    def register(self, source: AttentionSource) -> None:
        self._sources.append(source)

    def items(self, viewer: StaffMember | None = None) -> list[AttentionItem]:
        """What needs attention, most urgent first. With a ``viewer``, items that need a
        permission their role lacks are left out (they are someone else's to act on)."""
        now = self._clock.now()
        collected = [
            item
            for source in self._sources
            for item in source.attention_items(now)
            if viewer is None or item.permission is None or can(viewer.role, item.permission)
        ]
        return urgency_order(collected, now)
