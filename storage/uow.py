"""The unit of work: one session and one transaction per use case (``core.ports``)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.clock import Clock, SystemClock
from core.composer.ports import PostRepository
from core.ports import (
    AuditRepository,
    SettingsRepository,
    StaffRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from storage.engine import Database
from storage.errors import translate_errors
from storage.repositories.accounts import SqlAccountRepository
from storage.repositories.audit import SqlAuditRepository
from storage.repositories.consent import (
    SqlAuthorizationRepository,
    SqlPatientRepository,
    SqlTakedownRepository,
)
from storage.repositories.images import SqlImageRepository, SqlPhotoSpotRepository
from storage.repositories.incentives import SqlIncentiveRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.posts import SqlPostRepository
from storage.repositories.reviews import SqlReviewRepository
from storage.repositories.settings import SqlSettingsRepository
from storage.repositories.staff import SqlStaffRepository

if TYPE_CHECKING:
    from core.accounts.ports import AccountRepository
    from core.consent.ports import (
        AuthorizationRepository,
        PatientRepository,
        TakedownRepository,
    )
    from core.imaging.ports import ImageRepository, PhotoSpotRepository
    from core.incentives.ports import IncentiveRepository
    from core.publishing.ports import OutboxRepository
    from core.reviews.ports import ReviewRepository


class SqlUnitOfWork:
    """``with uow as tx:`` opens a session whose repositories share one transaction:
    committed when the block ends normally, rolled back when it raises. Database failures
    raised inside the block or by the commit become ``core.errors`` known errors.

    One per use case and thread; not reusable after the block.
    """

    # Typed as core's ports: Protocol attributes are invariant, so a narrower type here
    # would make this class no ``core.ports.UnitOfWork``.
    staff: StaffRepository
    audit: AuditRepository
    settings: SettingsRepository
    posts: PostRepository
    outbox: OutboxRepository
    patients: PatientRepository
    authorizations: AuthorizationRepository
    takedowns: TakedownRepository
    reviews: ReviewRepository
    incentives: IncentiveRepository
    images: ImageRepository
    photo_spots: PhotoSpotRepository
    accounts: AccountRepository

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session (for storage code and tests that need raw SQL)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work is used once")
        session = self._db.sessionmaker()
        self._session = session
        self.staff = SqlStaffRepository(session, self._clock)
        self.audit = SqlAuditRepository(session, self._db.kind)
        self.settings = SqlSettingsRepository(session, self._clock)
        self.posts = SqlPostRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.patients = SqlPatientRepository(session, self._clock)
        self.authorizations = SqlAuthorizationRepository(session)
        self.takedowns = SqlTakedownRepository(session)
        self.reviews = SqlReviewRepository(session)
        self.incentives = SqlIncentiveRepository(session)
        self.images = SqlImageRepository(session)
        self.photo_spots = SqlPhotoSpotRepository(session)
        self.accounts = SqlAccountRepository(session, self._clock)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            with translate_errors(self._db.masked_location):
                if exc_type is None:
                    session.commit()
                else:
                    self._rollback(session)
                    if isinstance(exc, SQLAlchemyError):
                        # Re-raised here so the failure that ended the block is translated
                        # too (the with-statement then propagates the known error instead).
                        raise exc
        finally:
            session.close()

    @staticmethod
    def _rollback(session: Session) -> None:
        # The block's own exception matters more than a failed rollback (e.g. the server
        # went away); closing the session discards the connection either way.
        try:
            session.rollback()
        except SQLAlchemyError:
            session.invalidate()


def unit_of_work_factory(db: Database, clock: Clock | None = None) -> Callable[[], SqlUnitOfWork]:
    """The ``core.ports.UnitOfWorkFactory`` for ``db``. ``clock`` stamps ``created_at`` and
    ``updated_at`` (default: the system clock)."""
    clock = clock or SystemClock()

    def factory() -> SqlUnitOfWork:
        return SqlUnitOfWork(db, clock)

    return factory


if TYPE_CHECKING:  # mypy proves that these adapters implement core's ports
    _uow: type[UnitOfWork] = SqlUnitOfWork
    _staff: type[StaffRepository] = SqlStaffRepository
    _audit: type[AuditRepository] = SqlAuditRepository
    _settings: type[SettingsRepository] = SqlSettingsRepository
    _posts: type[PostRepository] = SqlPostRepository
    _outbox: type[OutboxRepository] = SqlOutboxRepository
    _patients: type[PatientRepository] = SqlPatientRepository
    _authorizations: type[AuthorizationRepository] = SqlAuthorizationRepository
    _takedowns: type[TakedownRepository] = SqlTakedownRepository
    _reviews: type[ReviewRepository] = SqlReviewRepository
    _incentives: type[IncentiveRepository] = SqlIncentiveRepository
    _images: type[ImageRepository] = SqlImageRepository
    _photo_spots: type[PhotoSpotRepository] = SqlPhotoSpotRepository
    _accounts: type[AccountRepository] = SqlAccountRepository

    def _factory(db: Database) -> UnitOfWorkFactory:
        return unit_of_work_factory(db)
