"""Audit events and queries over them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One thing that happened: who, when, what, to which record.

    ``detail`` is a short description without PHI values (say "changed phone", never the number).
    ``prev_hash`` and ``hash`` chain the events so that an edit or a deletion in the middle of the
    trail is detectable.
    """

    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity_type: str
    entity_id: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Filters for the audit viewer; ``None`` means any."""

    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    offset: int = 0
    limit: int = 200


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of verifying the chain: ``ok``, how many events were checked, and where the
    first break is (``first_bad_seq``) with a reason code (``hash_mismatch``, ``link_broken``,
    ``gap``)."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
