"""The services the GUI is given, built once by ``main.py`` (the composition root)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.accounts.today import AccountsAttention
from core.audit.service import AuditService
from core.backup.model import BackupStore
from core.backup.service import BackupService
from core.clock import Clock
from core.consent.today import ConsentAttention
from core.incentives.today import IncentiveAttention
from core.ports import UnitOfWorkFactory
from core.practice.service import PracticeService
from core.reviews.today import ReviewAttention
from core.secrets import SecretStore
from core.security import SecurityService
from core.staff.model import Permission
from core.staff.pins import PinHasher
from core.staff.service import StaffService
from core.today.model import AttentionItem, Severity
from core.today.service import TodayService

if TYPE_CHECKING:
    from core.accounts.model import Account
    from core.accounts.service import AccountService
    from core.accounts.tokens import TokenProvider
    from core.composer.service import ComposerService
    from core.consent.ports import MediaStore
    from core.consent.service import ConsentService
    from core.imaging.service import ImagingService
    from core.incentives.service import IncentiveService
    from core.publishing.service import PublishingService
    from core.reviews.service import ReviewService

_LAZY = threading.RLock()
"""Serialises building the lazy services: the Today worker and the scheduler may both ask."""


class DatabaseKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """What Settings → About shows about where data lives (passwords masked)."""

    kind: DatabaseKind
    location: str
    encrypted: bool
    schema_revision: str
    data_dir: str


@dataclass(frozen=True, slots=True)
class RecoveryKeyNotice:
    """Set once, right after a new database was created: the recovery key to show once."""

    recovery_key: str


@dataclass(slots=True)
class Services:
    """Everything the GUI may call. ``backups`` is ``None`` on a shared PostgreSQL server,
    whose administrator backs it up."""

    clock: Clock
    practice: PracticeService
    staff: StaffService
    audit: AuditService
    today: TodayService
    backups: BackupService | None
    secrets: SecretStore
    security: SecurityService
    database: DatabaseInfo
    composer_factory: Callable[[], ComposerService]
    demo: bool = False
    recovery_notice: RecoveryKeyNotice | None = None
    version: str = "0.1.0"
    publishing_factory: Callable[[], PublishingService] | None = None
    consent_factory: Callable[[], ConsentService] | None = None
    reviews_factory: Callable[[], ReviewService] | None = None
    incentives_factory: Callable[[], IncentiveService] | None = None
    _composer: ComposerService | None = None
    _publishing: PublishingService | None = None
    _consent: ConsentService | None = None
    images_factory: Callable[[], ImagingService] | None = None
    _images: ImagingService | None = None
    _reviews: ReviewService | None = None
    _incentives: IncentiveService | None = None
    accounts_factory: Callable[[], AccountService] | None = None
    _accounts: AccountService | None = None

    @property
    def composer(self) -> ComposerService:
        """Posts: drafts, checks, approval, scheduling. Built on first use, since it loads
        the PHI scanner and the platforms' rules (~100 ms) that start-up does not need."""
        if self._composer is None:
            with _LAZY:
                if self._composer is None:
                    self._composer = self.composer_factory()
        return self._composer

    @property
    def publishing(self) -> PublishingService:
        """Publishing: the scheduler's run, the outbox, the manual connector's last step.
        Built on first use, like the composer it works with."""
        if self._publishing is None:
            if self.publishing_factory is None:
                raise RuntimeError("these services were built without publishing")
            with _LAZY:  # re-entrant: the factory asks for the composer
                if self._publishing is None:
                    self._publishing = self.publishing_factory()
        assert self._publishing is not None
        return self._publishing

    @property
    def consent(self) -> ConsentService:
        """The consent tracker: patients, authorizations, revocations, takedowns. Built on
        first use, like the composer, whose PHI check and media gate it feeds."""
        if self._consent is None:
            if self.consent_factory is None:
                raise RuntimeError("these services were built without the consent tracker")
            with _LAZY:
                if self._consent is None:
                    self._consent = self.consent_factory()
        assert self._consent is not None
        return self._consent

    @property
    def images(self) -> ImagingService:
        """The image checklist: the photo library, scans, sign-offs, photo spots, and the
        clean export of cleared photos. Built on first use (it loads Pillow, OpenCV and the
        PHI scanner that start-up does not need)."""
        if self._images is None:
            if self.images_factory is None:
                raise RuntimeError("these services were built without the image checklist")
            with _LAZY:
                if self._images is None:
                    self._images = self.images_factory()
        assert self._images is not None
        return self._images

    @property
    def reviews(self) -> ReviewService:
        """The review inbox: import, triage, replies with the reply check, approval,
        measures, feeds of mentions. Built on first use (it loads the PHI scanner, VADER and
        the holiday calendars that start-up does not need)."""
        if self._reviews is None:
            if self.reviews_factory is None:
                raise RuntimeError("these services were built without the review inbox")
            with _LAZY:
                if self._reviews is None:
                    self._reviews = self.reviews_factory()
        assert self._reviews is not None
        return self._reviews

    @property
    def incentives(self) -> IncentiveService:
        """The staff incentive log: contributions credited from the audit trail, rewards,
        redemptions, goals. Built on first use."""
        if self._incentives is None:
            if self.incentives_factory is None:
                raise RuntimeError("these services were built without the incentive log")
            with _LAZY:
                if self._incentives is None:
                    self._incentives = self.incentives_factory()
        assert self._incentives is not None
        return self._incentives

    @property
    def accounts(self) -> AccountService:
        """Connected platform accounts. Built on first use (it loads the HTTP and OAuth
        libraries); building it registers the token refreshers on ``tokens``."""
        if self._accounts is None:
            if self.accounts_factory is None:
                raise RuntimeError("accounts are not available in this build")
            with _LAZY:
                if self._accounts is None:
                    self._accounts = self.accounts_factory()
        assert self._accounts is not None
        return self._accounts

    @property
    def tokens(self) -> TokenProvider:
        """The one ``TokenProvider`` of this process (its locks make refreshes
        single-flight), with every platform's refresher registered."""
        return self.accounts.tokens


class ImagesAttention:
    """Today: photos whose checklist waits (``core.imaging.today``). The imaging service
    loads on the first call, off the GUI thread."""

    def __init__(self, images: Callable[[], ImagingService]) -> None:
        self._images = images

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        from core.imaging.today import ImageAttention

        return ImageAttention(self._images).attention_items(now)


class AuditChainAttention:
    """Today: a loud item when the last verification found the audit chain broken."""

    def __init__(self, audit: AuditService) -> None:
        self._audit = audit

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        report = self._audit.last_report
        if report is None or report.ok:
            return []
        return [
            AttentionItem(
                key="audit.broken",
                kind="audit_broken",
                severity=Severity.CRITICAL,
                page="settings",
                target="audit",
                params={"seq": report.first_bad_seq, "reason": report.reason},
                permission=Permission.VIEW_AUDIT,
            )
        ]


class PracticeProfileAttention:
    """Today: ask for the practice phone number, which safe review replies need."""

    def __init__(self, practice: PracticeService) -> None:
        self._practice = practice

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        if self._practice.practice().value.phone.strip():
            return []
        return [
            AttentionItem(
                key="practice.phone",
                kind="practice_phone_missing",
                severity=Severity.INFO,
                page="settings",
                target="practice",
                permission=Permission.EDIT_PRACTICE,
            )
        ]


class PostsAttention:
    """Today: posts waiting for approval, to be published by hand, late, held back, failed,
    or with an outcome nobody could tell (``core.publishing.today``). The publishing service
    (and with it the composer) loads on the first call, off the GUI thread."""

    def __init__(self, publishing: Callable[[], PublishingService]) -> None:
        self._publishing = publishing

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        return self._publishing().attention_items(now)


def _any_accounts(uow: UnitOfWorkFactory) -> bool:
    """Whether any platform account is connected (a cheap look, without the accounts
    service and the HTTP/OAuth libraries it loads)."""
    with uow() as tx:
        return bool(tx.accounts.list())


def build_services(
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    secrets: SecretStore,
    database: DatabaseInfo,
    backup_store: BackupStore | None,
    hasher: PinHasher | None = None,
    database_key_name: str | None = None,
    demo: bool = False,
    recovery_notice: RecoveryKeyNotice | None = None,
    known_names: Callable[[], Iterable[str]] | None = None,
    media: MediaStore | None = None,
    outgoing: Path | None = None,
) -> Services:
    """Wire the services over the given ports and register the Today sources.

    ``known_names`` lists the people the PHI check looks for; read on every check. Default:
    the consent tracker's patients (``ConsentService.known_names``, cached). ``media`` is the
    media vault (signatures, scans, signed PDFs, images); without one the consent tracker
    cannot keep files. ``outgoing`` is the private folder (inside the data folder) where clean
    copies of photos wait while an API connector uploads them; without it posts with photos
    cannot go out through an API.
    """
    audit = AuditService(uow, clock)
    practice = PracticeService(uow, clock)
    backups = BackupService(backup_store, clock, audit) if backup_store is not None else None
    today = TodayService(clock, [AuditChainAttention(audit), PracticeProfileAttention(practice)])
    if backups is not None:
        today.register(backups)
    staff = StaffService(uow, clock, hasher or PinHasher())

    def patient_names() -> Iterable[str]:
        return services.consent.known_names()

    def media_cleared(hashes: Sequence[str], platforms: Sequence[str]) -> int:
        """How many images a post may not use: not cleared by the image checklist, or (the
        cleared ones) showing a patient whose consent does not cover them."""
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return 0
        images = services.images
        unchecked = [h for h in wanted if images.uncleared([h])]
        rest = [h for h in wanted if h not in unchecked]
        return len(unchecked) + (services.consent.uncovered_media(rest, platforms) if rest else 0)

    def composer() -> ComposerService:
        from core.composer.service import ComposerService

        return ComposerService(
            uow,
            clock,
            known_names or patient_names,
            lambda: practice.practice().value,
            media_cleared=media_cleared,
            posting=lambda: practice.posting_plan().value,
        )

    def publishing() -> PublishingService:
        from core.connectors.registry import RegistrySource, request_options
        from core.publishing.export import OutgoingImages
        from core.publishing.service import PublishingService

        def export(digest: str, dst: Path) -> None:  # the image checklist loads on first use
            services.images.export_for_post(digest, dst)

        def suffix(digest: str) -> str:
            return services.images.clean_suffix(digest)

        def alt_texts(digests: Sequence[str]) -> tuple[str, ...]:
            """Each photo's description for screen readers, read when the post goes out."""
            return services.images.alt_texts(digests)

        def connected() -> list[Account]:
            # Straight from storage (what AccountService.list reads): asked before every run,
            # it must not load the accounts service and its OAuth/HTTP libraries while no
            # account is connected.
            with uow() as tx:
                return tx.accounts.list()

        exporter = OutgoingImages(outgoing, export, suffix) if outgoing is not None else None
        return PublishingService(
            uow,
            clock,
            services.composer,
            media_cleared=media_cleared,
            media=exporter,
            discard_media=exporter.discard if exporter is not None else None,
            options=request_options(lambda: practice.practice().value.website),
            alt_texts=alt_texts,
            # Asked before every run: an account connected or removed counts from the next.
            registry_source=RegistrySource(
                connected,
                lambda: services.tokens,
                mastodon_limit=lambda: practice.posting_plan().value.mastodon_limit,
            ),
        )

    def consent() -> ConsentService:
        from core.consent.service import ConsentService

        return ConsentService(
            uow,
            clock,
            tz=lambda: ZoneInfo(practice.practice().value.timezone),
            media=media,
            settings=lambda: practice.consent_settings().value,
            remote=lambda: services.publishing,
        )

    def images() -> ImagingService:
        from core.imaging.service import ImagingService

        return ImagingService(
            uow,
            clock,
            media=media,
            known_names=known_names or patient_names,
            consent=lambda: services.consent,
        )

    def reviews() -> ReviewService:
        from core.connectors.gbp_reviews import ConnectedGoogleReviews
        from core.reviews.service import ReviewService

        # The connected Google locations: their reviews come in with each feed poll, and
        # approved replies to them can be posted with "Post to Google".
        google = ConnectedGoogleReviews(
            lambda: services.accounts.list(),  # noqa: PLW0108 - the accounts load on first use
            lambda: services.tokens,
        )
        return ReviewService(
            uow,
            clock,
            rules=lambda: practice.response_rules().value,
            tz=lambda: ZoneInfo(practice.practice().value.timezone),
            known_names=known_names or patient_names,
            practice=lambda: practice.practice().value,
            reply_targets=google,
            sources=google,
        )

    def incentives() -> IncentiveService:
        from core.incentives.service import IncentiveService

        return IncentiveService(
            uow,
            clock,
            tz=lambda: ZoneInfo(practice.practice().value.timezone),
            response_rules=lambda: practice.response_rules().value,
        )

    def accounts() -> AccountService:
        from core.accounts.service import AccountService
        from core.accounts.tokens import TokenProvider

        return AccountService(uow, clock, secrets, TokenProvider(secrets, uow, clock=clock))

    services = Services(
        clock=clock,
        practice=practice,
        staff=staff,
        audit=audit,
        today=today,
        backups=backups,
        secrets=secrets,
        security=SecurityService(secrets, database_key_name, staff, audit),
        database=database,
        composer_factory=composer,
        demo=demo,
        recovery_notice=recovery_notice,
        publishing_factory=publishing,
        consent_factory=consent,
        images_factory=images,
        reviews_factory=reviews,
        incentives_factory=incentives,
        accounts_factory=accounts,
    )
    today.register(PostsAttention(lambda: services.publishing))
    today.register(ConsentAttention(lambda: services.consent))
    today.register(ImagesAttention(lambda: services.images))
    today.register(ReviewAttention(lambda: services.reviews))
    today.register(IncentiveAttention(lambda: services.incentives))
    today.register(AccountsAttention(lambda: services.accounts, lambda: _any_accounts(uow)))
    return services
