"""The outbox's storage port; ``storage.repositories.outbox`` implements it over SQL,
``tests.fakes`` in memory. Unknown ids raise ``core.errors.NotFound``."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from core.publishing.model import OutboxEntry, OutboxStatus


class OutboxRepository(Protocol):
    def add(self, entry: OutboxEntry) -> OutboxEntry:
        """Insert a new entry (``entry.id`` is ``None``); returns it with its id, version 1.
        A second entry for the same post and platform raises ``core.errors.EditConflict``."""
        ...

    def get(self, entry_id: int) -> OutboxEntry: ...

    def save(self, entry: OutboxEntry, expected_version: int) -> OutboxEntry:
        """Store ``entry`` if the stored version still is ``expected_version`` (else
        ``core.errors.EditConflict``: another run claimed it); returns the new version."""
        ...

    def for_post(self, post_id: int) -> list[OutboxEntry]:
        """The post's entries, by id."""
        ...

    def runnable(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Pending, sending and uncertain entries whose ``next_attempt_at`` has come, soonest
        first (then by id)."""
        ...

    def with_status(
        self, statuses: Collection[OutboxStatus], limit: int = 500
    ) -> list[OutboxEntry]:
        """Entries in any of ``statuses``, by post id then id."""
        ...
