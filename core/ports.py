"""The ports through which core services reach storage; ``storage/`` implements them.

A service opens one unit of work per use case (``with self._uow() as tx:``): every repository
on it shares one database transaction, committed when the block ends normally and rolled back
when it raises. Each call opens its own, so services are safe to call from worker threads;
repositories return core dataclasses, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from core.audit.model import AuditEvent, AuditQuery
from core.staff.model import Credentials, Role, StaffMember

if TYPE_CHECKING:
    # Only named in annotations: importing the composer here would load the PHI scanner and
    # platform rules at every start, before any page needs them.
    from core.accounts.ports import AccountRepository
    from core.composer.ports import PostRepository
    from core.consent.ports import (
        AuthorizationRepository,
        PatientRepository,
        TakedownRepository,
    )
    from core.imaging.ports import ImageRepository, PhotoSpotRepository
    from core.incentives.ports import IncentiveRepository
    from core.publishing.ports import OutboxRepository
    from core.reviews.ports import ReviewRepository


class StaffRepository(Protocol):
    def list(self, *, include_inactive: bool = False) -> list[StaffMember]:
        """Staff ordered by display name."""
        ...

    def get(self, staff_id: int) -> StaffMember:
        """Raises ``core.errors.NotFound``."""
        ...

    def add(self, display_name: str, role: Role, pin_hash: str) -> StaffMember: ...

    def update(self, member: StaffMember) -> StaffMember:
        """Save name, role and active flag. ``member.version`` must be the stored version,
        else ``core.errors.EditConflict``; returns the member with its new version."""
        ...

    def credentials(self, staff_id: int) -> Credentials: ...

    def set_pin_hash(self, staff_id: int, pin_hash: str) -> None:
        """Also clears failed attempts and any pause."""
        ...

    def set_failures(
        self, staff_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None: ...


class AuditRepository(Protocol):
    def lock_chain(self) -> None:
        """Serialise appends until the transaction ends (a PostgreSQL advisory lock; SQLite
        already serialises writers), so two workstations never fork the chain."""
        ...

    def last(self) -> AuditEvent | None: ...

    def insert(self, event: AuditEvent) -> None: ...

    def query(self, q: AuditQuery) -> list[AuditEvent]:
        """Newest first, filtered and paged in SQL."""
        ...

    def count(self, q: AuditQuery) -> int: ...

    def actions(self) -> list[str]:
        """Distinct action codes, for the viewer's filter."""
        ...

    def iter_all(self, batch: int = 5000) -> Iterator[AuditEvent]:
        """Every event in ``seq`` order, fetched in batches (for verification)."""
        ...


class SettingsRepository(Protocol):
    def get(self, key: str) -> tuple[dict[str, Any], int] | None:
        """The stored value and its version, or ``None``."""
        ...

    def put(self, key: str, value: dict[str, Any], expected_version: int | None) -> int:
        """Store a value. ``expected_version`` is the version read before editing (``None``
        for a new key); a mismatch raises ``core.errors.EditConflict``. Returns the new
        version."""
        ...


class UnitOfWork(Protocol):
    staff: StaffRepository
    audit: AuditRepository
    settings: SettingsRepository
    posts: PostRepository
    outbox: OutboxRepository
    patients: PatientRepository
    authorizations: AuthorizationRepository
    takedowns: TakedownRepository
    reviews: ReviewRepository
    images: ImageRepository
    photo_spots: PhotoSpotRepository
    incentives: IncentiveRepository
    accounts: AccountRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
