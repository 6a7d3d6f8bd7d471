"""Items that need someone's attention, and the interface features use to contribute them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any, Protocol

from core.staff.model import Permission


class Severity(IntEnum):
    """How urgent an item is; higher sorts first."""

    INFO = 0
    WARNING = 1
    URGENT = 2
    CRITICAL = 3


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One thing that needs attention.

    ``kind`` is a stable code the GUI words through ``tr()`` with ``params`` (plain data, no PHI);
    ``page`` and ``target`` say where the item's action jumps to; ``permission``, when set, is
    what a person needs to act on it (others are not shown it).
    """

    key: str
    kind: str
    severity: Severity
    page: str
    due: datetime | None = None
    target: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    permission: Permission | None = None


class AttentionSource(Protocol):
    """A feature's contribution to Today. Called off the GUI thread."""

    def attention_items(self, now: datetime) -> list[AttentionItem]: ...
