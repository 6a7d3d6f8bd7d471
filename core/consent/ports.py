"""The consent tracker's storage ports and the plain data they trade in.

``storage.repositories.consent`` implements the repositories over SQL and ``tests.fakes`` in
memory; ``storage.vault.MediaVault`` is a ``MediaStore``. Unknown ids raise
``core.errors.NotFound``; a stale version raises ``core.errors.EditConflict``. Search and
status filters run in the database (ARCHITECTURE.md, "Big lists").

Storage keeps, beside each authorization, whether it is *complete* (no element missing, as
``core.consent.rules.missing_elements`` said when it was saved or its patient changed), so a
status as of a day can be computed in SQL with the precedence of
``core.consent.rules.status_from``.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from core.consent.model import Authorization, AuthorizationStatus, Patient, Takedown


@dataclass(frozen=True, slots=True)
class AuthorizationQuery:
    """Which authorizations to list. Empty ``statuses`` means all; ``text`` matches the
    patient like ``ConsentService.search_patients``. Newest first (taken at, then id)."""

    statuses: Collection[AuthorizationStatus] = ()
    text: str = ""
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True, slots=True)
class StatusDay:
    """The day and warning window a status is computed for."""

    today: date
    expiring_days: int


class PatientRepository(Protocol):
    def add(self, patient: Patient) -> Patient:
        """Insert (``patient.id`` is ``None``); returns it with its id, version 1."""
        ...

    def get(self, patient_id: int) -> Patient: ...

    def get_many(self, patient_ids: Collection[int]) -> dict[int, Patient]:
        """The patients with these ids (unknown ids are left out)."""
        ...

    def save(self, patient: Patient, expected_version: int) -> Patient:
        """Update if the stored version is ``expected_version``; returns the new version."""
        ...

    def search(self, text: str, limit: int) -> builtins.list[Patient]:
        """Search as you type: every word of ``text`` is a prefix of a word of the first,
        last or preferred name (``core.consent.rules.search_key``), or — for digits — a
        prefix or the ending of the phone number's digits. By last name, first name, id."""
        ...

    def count(self) -> int: ...

    def names(self) -> builtins.list[tuple[str, str, str]]:
        """Every patient's (first, last, preferred) name, for the PHI check."""
        ...


class AuthorizationRepository(Protocol):
    def add(self, auth: Authorization, *, complete: bool) -> Authorization:
        """Insert (``auth.id`` is ``None``); returns it with its id, version 1."""
        ...

    def get(self, authorization_id: int) -> Authorization: ...

    def is_complete(self, authorization_id: int) -> bool: ...

    def save(self, auth: Authorization, expected_version: int, *, complete: bool) -> Authorization:
        """Update everything of ``auth`` if the stored version is ``expected_version``."""
        ...

    def set_complete(self, authorization_id: int, complete: bool) -> None:
        """Record completeness again (the patient changed); not an edit: same version."""
        ...

    def for_patient(self, patient_id: int) -> builtins.list[Authorization]:
        """Newest first (taken at, then id)."""
        ...

    def list(self, query: AuthorizationQuery, day: StatusDay) -> builtins.list[Authorization]:
        """One page of the matching authorizations, newest first, status as of ``day``."""
        ...

    def count(self, query: AuthorizationQuery, day: StatusDay) -> int: ...

    def status_counts(self, day: StatusDay) -> dict[AuthorizationStatus, int]:
        """How many authorizations have each status on ``day`` (statuses with none left out)."""
        ...

    def using_media(self, media_hashes: Collection[str]) -> builtins.list[Authorization]:
        """Every authorization (any status) listing one of these images."""
        ...

    def expired_with_media(self, day: StatusDay) -> builtins.list[Authorization]:
        """Complete, neither revoked nor superseded, expired on ``day``, listing images."""
        ...

    def iter_all(self, batch: int = 1000) -> Iterator[tuple[Authorization, bool]]:
        """Every authorization with its completeness, by id (for the register export)."""
        ...

    def delete(self, authorization_id: int) -> None:
        """Remove it with its confirmed takedowns."""
        ...


class TakedownRepository(Protocol):
    def add(self, takedown: Takedown) -> Takedown:
        """Insert (``takedown.id`` is ``None``); one per post, platform and authorization."""
        ...

    def get(self, takedown_id: int) -> Takedown: ...

    def find(self, post_id: int, platform: str, authorization_id: int) -> Takedown | None: ...

    def confirm(self, takedown: Takedown) -> Takedown:
        """Record who confirmed the removal, when and how; ``EditConflict`` when someone
        confirmed it first."""
        ...

    def list(self, *, open_only: bool) -> builtins.list[Takedown]:
        """Oldest first."""
        ...

    def for_post(self, post_id: int) -> builtins.list[Takedown]: ...

    def for_authorization(self, authorization_id: int) -> builtins.list[Takedown]: ...


class MediaStore(Protocol):
    """Files by content hash (SHA-256 hex): the media vault."""

    def put(self, content: bytes) -> str:
        """Store bytes; returns their hash."""
        ...

    def path(self, digest: str) -> Path:
        """Where the file with this hash lives (``ValueError`` for a malformed hash)."""
        ...

    def exists(self, digest: str) -> bool: ...

    def openable(self, digest: str, suffix: str) -> Path:
        """The file named with ``suffix`` (e.g. ``.pdf``) inside the vault, for programs that
        go by the extension; ``NotFound`` when the file is not there."""
        ...


def media_hashes_of(auths: Sequence[Authorization]) -> frozenset[str]:
    """Every image any of ``auths`` lists."""
    return frozenset(h for a in auths for h in a.media_hashes)
