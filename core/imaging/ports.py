"""The image checklist's storage ports, the query they take, and the consent tracker's part.

``storage.repositories.images`` implements the repositories over SQL and ``tests.fakes`` in
memory. Unknown ids raise ``core.errors.NotFound``; a stale version raises
``core.errors.EditConflict``. Filters, search, order and counts run in the database
(ARCHITECTURE.md, "Big lists"): a library of thousands of photos pages through quickly.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.consent.model import Authorization, AuthorizationStatus
from core.imaging.model import ImageRecord, ImageStatus, PhotoSpot
from core.staff.model import StaffMember


@dataclass(frozen=True, slots=True)
class ImageQuery:
    """Which photos to list. Empty ``statuses`` means all; ``text`` matches the file name or
    the notes (case-insensitive, anywhere in them); ``imported_before`` keeps photos imported
    earlier than that time. Newest first (imported at, then id)."""

    statuses: Collection[ImageStatus] = ()
    text: str = ""
    offset: int = 0
    limit: int = 200
    imported_before: datetime | None = None


class ImageRepository(Protocol):
    def add(self, record: ImageRecord) -> ImageRecord:
        """Insert (``record.id`` is ``None``); returns it with its id, version 1. A second
        record of the same original (``media_hash``) raises ``core.errors.EditConflict``."""
        ...

    def get(self, image_id: int) -> ImageRecord: ...

    def by_hashes(self, media_hashes: Collection[str]) -> dict[str, ImageRecord]:
        """The records of these originals (hashes not in the library are left out)."""
        ...

    def save(self, record: ImageRecord, expected_version: int) -> ImageRecord:
        """Update everything of ``record`` if the stored version is ``expected_version``;
        returns it with the new version."""
        ...

    def list(self, query: ImageQuery) -> builtins.list[ImageRecord]:
        """One page of the matching photos, newest first."""
        ...

    def count(self, query: ImageQuery) -> int: ...

    def status_counts(self) -> dict[ImageStatus, int]:
        """How many photos have each status (statuses with none left out)."""
        ...

    def unscanned(self, limit: int) -> builtins.list[int]:
        """Ids of photos without a scan report, oldest import first, not rejected."""
        ...


class PhotoSpotRepository(Protocol):
    def list(self, *, include_inactive: bool = False) -> builtins.list[PhotoSpot]:
        """By name, then id."""
        ...

    def get(self, spot_id: int) -> PhotoSpot: ...

    def add(self, spot: PhotoSpot) -> PhotoSpot:
        """Insert (``spot.id`` is ``None``); returns it with its id, version 1."""
        ...

    def save(self, spot: PhotoSpot, expected_version: int) -> PhotoSpot: ...


class ConsentLink(Protocol):
    """What the image checklist needs of the consent tracker (``ConsentService`` is one):
    whether an authorization is in effect, and listing a photo on it, so that revoking it
    pulls back the posts using the photo."""

    def get_authorization(self, authorization_id: int) -> Authorization: ...

    def status_of(self, auth: Authorization) -> AuthorizationStatus: ...

    def add_media(
        self, actor: StaffMember, authorization_id: int, media_hashes: Sequence[str]
    ) -> Authorization: ...
