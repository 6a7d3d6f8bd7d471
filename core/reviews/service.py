"""Use cases of the review inbox: collect (import, paste, type, feeds, sources), triage,
reply without disclosing PHI, approve, mark replied, measure.

Like every core service: each use case re-reads the acting staff member as stored now, opens
one unit of work and commits the change together with its audit events (``review.*``,
``feed.*``). Audit details, history notes and log lines hold ids, counts, codes and states:
never a review's text, a reviewer's name or a reply's words. The providers (rules, time zone,
known names, practice) may open their own unit of work, so they are read *before* ours.

Due times: an open item is due ``N`` business days (the practice's rules of engagement, by
sentiment) after the practice had it — the later of its posting and its collection, so an
import of last year's reviews is not overdue the moment it lands. Items replied to or decided
not to answer have no due time. ``recompute_due`` recomputes every open item's due time; the
service does so by itself when it notices that the rules or the time zone changed.
"""

from __future__ import annotations

import builtins
import csv
import hashlib
import io
import logging
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.audit.service import append_event
from core.clock import Clock
from core.errors import EditConflict, PermissionDenied, ValidationError
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.practice.model import Practice, ResponseRules
from core.reviews.model import (
    Assessment,
    Authenticity,
    Decision,
    ItemKind,
    RemoteState,
    Reply,
    Review,
    ReviewStatus,
    ReviewType,
    Sentiment,
)
from core.reviews.ports import (
    OPEN_STATUSES,
    CollectedReview,
    Feed,
    PlaceFailure,
    PlacesSource,
    RemoteReply,
    ReplyOverride,
    ReplyTarget,
    ReviewEvent,
    ReviewOrder,
    ReviewQuery,
    ReviewSource,
    SourcePlace,
)
from core.staff.model import Permission, StaffMember
from core.staff.rules import can

if TYPE_CHECKING:
    from core.composer.check import Override
    from core.phi import Finding
    from core.publishing.connectors import PublishError
    from core.reviews.importing import ImportPreview

log = logging.getLogger(__name__)

MIN_REASON = 10
"""A reason shorter than this is not a reason ("no", "troll")."""
MAX_REASON = 2000
MAX_REPLY = 4096
"""Google's limit for a review reply; the other sites allow about as much."""
MAX_FEED_BYTES = 5_000_000
DUE_CHECK_SECONDS = 5.0
"""How often the service looks whether the rules of engagement changed (list, Today)."""
RULES_KEY = "review_due_rules"
"""The settings key remembering which rules the stored due times were computed with."""
SOURCES_KEY = "review_sources_collected"
"""The settings key remembering when each connected source was last collected from (by
name; a ``PlacesSource`` by ``"{name}:{place key}"``, one mark per Google location), so the
next collection asks only for what changed since."""
FAILURES_KEY = "review_sources_failed"
"""The settings key holding the places whose last collection failed (``PlaceFailure``), for
Today and Settings → Review sources; a place's entry goes when it is collected again."""
STUCK_AFTER_HOURS = 24
"""A place failing for passing reasons (Google down, rate limits) shows on Today only after
this long; one failing for good (sign-in refused, no access, location gone) at once."""

_REPLYABLE = (
    ReviewStatus.NEW,
    ReviewStatus.TRIAGED,
    ReviewStatus.AWAITING_APPROVAL,
    ReviewStatus.APPROVED,
    ReviewStatus.ESCALATED,
)
_SUBMITTABLE = (ReviewStatus.NEW, ReviewStatus.TRIAGED, ReviewStatus.ESCALATED)
_DECISION_STATUS = {
    Decision.RESPOND: ReviewStatus.TRIAGED,
    Decision.NO_RESPONSE: ReviewStatus.NO_RESPONSE,
    Decision.ESCALATE_MANAGER: ReviewStatus.ESCALATED,
    Decision.ESCALATE_DOCTOR: ReviewStatus.ESCALATED,
}


# --- results ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import stored: new items, duplicates skipped (already stored or repeated in
    the file) and rows left out for their errors."""

    added: int
    duplicates: int
    skipped_errors: int


@dataclass(frozen=True, slots=True)
class ReviewDetail:
    """Everything the detail view shows about one item."""

    review: Review
    assessment: Assessment | None
    reply: Reply | None
    history: tuple[ReviewEvent, ...]
    overrides: tuple[ReplyOverride, ...] = ()
    reply_target: str = ""
    """The name of the connected source that can post the reply (``"google"``), or ``""``:
    it is posted by hand."""
    changed_after_reply: datetime | None = None
    """When the reviewer changed a replied review's words or stars on the site after the
    reply (the latest such change since the reply last changed): someone may want to read it
    again and change the reply there."""


@dataclass(frozen=True, slots=True)
class ReplyFinding:
    """A reply-check finding; ``overridden`` when a recorded override (same kind, same
    flagged words) lets it through. ``text_hash`` names it in an ``Override``."""

    finding: Finding
    text_hash: str
    overridden: bool = False


@dataclass(frozen=True, slots=True)
class MonthMeasure:
    """One month (``"YYYY-MM"`` in the practice's time zone) of reviews posted."""

    month: str
    reviews: int
    average_rating: float | None
    replied: int
    median_response_hours: float | None
    themes: dict[str, int]

    @property
    def response_rate(self) -> float | None:
        return self.replied / self.reviews if self.reviews else None


@dataclass(frozen=True, slots=True)
class Measures:
    """Over the last ``months`` months: ``response_rate`` = reviews replied to ÷ reviews
    (mentions left out; ``None`` without reviews); ``median_response_hours`` from when the
    practice had a review (see the module) to when its reply was marked posted."""

    months: tuple[MonthMeasure, ...]
    reviews: int
    replied: int
    median_response_hours: float | None

    @property
    def response_rate(self) -> float | None:
        return self.replied / self.reviews if self.reviews else None


@dataclass(frozen=True, slots=True)
class PollResult:
    """A poll of every feed: how many were read, how many items were new, and the ids of the
    feeds that failed (their ``last_error`` says why)."""

    feeds: int
    new_mentions: int
    failed: tuple[int, ...] = ()
    new_reviews: int = 0
    """Reviews collected from the connected sources (the GBP locations) in the same poll: new
    ones, and stored ones the site changed (edited by the reviewer, or answered there)."""


# --- helpers ---------------------------------------------------------------------------------
def _default_names() -> tuple[str, ...]:
    return ()


def _no_targets() -> tuple[ReplyTarget, ...]:
    return ()


def _no_sources() -> tuple[ReviewSource, ...]:
    return ()


def is_negative(review: Review) -> bool:
    """Negative reviews need an approver's approval before their reply goes out: negative
    sentiment, or one or two stars."""
    return review.sentiment is Sentiment.NEGATIVE or (
        review.rating is not None and review.rating <= 2
    )


def due_start(review: Review) -> datetime:
    """When the practice had the item: the later of its posting and its collection."""
    return max(review.posted_at, review.collected_at)


def _hash(review: Review) -> str:
    from core.reviews.importing import content_hash

    return content_hash(review.source, review.author, review.posted_at, review.text)


def _active(tx: UnitOfWork, actor: StaffMember, action: str) -> StaffMember:
    person = tx.staff.get(actor.id)
    if not person.active:
        raise PermissionDenied("This staff member is deactivated.", action=action)
    return person


def _load(tx: UnitOfWork, review_id: int, expected_version: int) -> Review:
    review = tx.reviews.get(review_id)
    if review.version != expected_version:
        raise EditConflict("Someone else changed this review first.", entity="review", id=review_id)
    return review


def _not_allowed(review: Review, action: str) -> ValidationError:
    return ValidationError(
        "This step is not possible in the item's current state.",
        field="status",
        reason="not_allowed",
        status=review.status.value,
        action=action,
    )


def _reason(text: str, field: str = "reason") -> str:
    reason = text.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError("Write down the reason.", field=field, minimum=MIN_REASON)
    if len(reason) > MAX_REASON:
        raise ValidationError("The reason is too long.", field=field, limit=MAX_REASON)
    return reason


def _rules_fingerprint(rules: ResponseRules, tz: ZoneInfo) -> str:
    return hashlib.sha256(f"{rules!r}|{tz.key}".encode()).hexdigest()


def _month(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def _months_back(now: datetime, tz: ZoneInfo, months: int) -> tuple[datetime, list[str]]:
    local = now.astimezone(tz)
    year, month = local.year, local.month
    labels = []
    for _ in range(max(1, months)):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    labels.reverse()
    first_year, first_month = (int(x) for x in labels[0].split("-"))
    start = datetime(first_year, first_month, 1, tzinfo=tz).astimezone(UTC)
    return start, labels


class ReviewService:
    """Reviews and mentions through discover → evaluate → respond.

    ``rules`` gives the practice's rules of engagement (due times), ``tz`` its time zone,
    ``known_names`` the patients' names the reply check looks for, ``practice`` the profile
    (templates' placeholders), ``reply_targets`` the connected sources that post replies
    through an API and ``sources`` those collected from with every feed poll (the GBP
    locations). Each is read when needed, before a unit of work opens.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        rules: Callable[[], ResponseRules],
        tz: Callable[[], ZoneInfo],
        known_names: Callable[[], Iterable[str]] = _default_names,
        practice: Callable[[], Practice] | None = None,
        audit_clock: Clock | None = None,
        reply_targets: Callable[[], Sequence[ReplyTarget]] = _no_targets,
        sources: Callable[[], Sequence[ReviewSource]] = _no_sources,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit_clock = audit_clock or clock
        self._rules = rules
        self._tz = tz
        self._known_names = known_names
        self._practice = practice
        self._reply_targets = reply_targets
        self._sources = sources
        self._due_lock = threading.Lock()
        self._due_checked: tuple[str, float] | None = None
        self._enriched_with = ""

    def as_of(self, clock: Clock) -> ReviewService:
        """This service acting at the times ``clock`` tells (the demo's history); the audit
        trail keeps the real time of writing."""
        return ReviewService(
            self._uow,
            clock,
            rules=self._rules,
            tz=self._tz,
            known_names=self._known_names,
            practice=self._practice,
            audit_clock=self._audit_clock,
            reply_targets=self._reply_targets,
            sources=self._sources,
        )

    def frozen(self) -> ReviewService:
        """This service with its providers (rules, time zone, known names, practice) read
        once now and kept: for recording many items in a row (the demo's history)."""
        rules, tz, names = self._rules(), self._tz(), self._names()
        practice = self._practice() if self._practice is not None else None
        return ReviewService(
            self._uow,
            self._clock,
            rules=lambda: rules,
            tz=lambda: tz,
            known_names=lambda: names,
            practice=(lambda: practice) if practice is not None else None,
            audit_clock=self._audit_clock,
            reply_targets=self._reply_targets,
            sources=self._sources,
        )

    def now(self) -> datetime:
        return self._clock.now()

    def zone(self) -> ZoneInfo:
        return self._tz()

    def practice(self) -> Practice | None:
        return self._practice() if self._practice is not None else None

    # --- reading ---------------------------------------------------------------------------
    def list(self, query: ReviewQuery) -> tuple[builtins.list[Review], int]:
        """A page of items and how many match in all (filters, sort and text search in SQL)."""
        self.ensure_due_current()
        query = self._with_now(query)
        with self._uow() as tx:
            return tx.reviews.query(query), tx.reviews.count(query)

    def count(self, query: ReviewQuery) -> int:
        with self._uow() as tx:
            return tx.reviews.count(self._with_now(query))

    def first_due(self, query: ReviewQuery) -> datetime | None:
        """The earliest due time among the matching items."""
        with self._uow() as tx:
            return tx.reviews.first_due(self._with_now(query))

    def due_soon_until(self, now: datetime) -> datetime:
        """The end of the "due soon" window: one business day from ``now``."""
        from core.reviews.deadlines import due_at

        rules = replace(self._rules(), negative_days=1)
        return due_at(now, Sentiment.NEGATIVE, rules, self._tz())

    def _with_now(self, query: ReviewQuery) -> ReviewQuery:
        if query.now is None:
            return replace(query, now=self._clock.now())
        return query

    def get(self, review_id: int) -> Review:
        with self._uow() as tx:
            return tx.reviews.get(review_id)

    def detail(self, review_id: int) -> ReviewDetail:
        with self._uow() as tx:
            review = tx.reviews.get(review_id)
            detail = ReviewDetail(
                review,
                tx.reviews.assessment(review_id),
                tx.reviews.reply(review_id),
                tuple(tx.reviews.events(review_id)),
                tuple(tx.reviews.overrides(review_id)),
            )
        detail = replace(detail, changed_after_reply=_changed_after_reply(detail))
        target = self.reply_target(review)
        return replace(detail, reply_target=target.name) if target is not None else detail

    def reply_target(self, review: Review) -> ReplyTarget | None:
        """The connected source that can post ``review``'s reply through its API, if any."""
        if review.kind is not ItemKind.REVIEW or not review.external_id:
            return None
        return next((t for t in self._reply_targets() if t.handles(review)), None)

    def doctor_list(self) -> builtins.list[Review]:
        """Every item escalated to the doctor and still waiting, oldest first."""
        query = ReviewQuery(
            statuses=(ReviewStatus.ESCALATED,),
            decision=Decision.ESCALATE_DOCTOR,
            order=ReviewOrder.POSTED_ASC,
            limit=10_000,
        )
        with self._uow() as tx:
            return tx.reviews.query(self._with_now(query))

    # --- collecting ------------------------------------------------------------------------
    def preview_import(self, data: bytes, filename: str) -> ImportPreview:
        """Parse a CSV/JSON export (nothing is stored): rows with their errors, and which
        column each field came from. Dates without a zone are the practice's time."""
        from core.reviews.importing import parse_import

        return parse_import(data, filename=filename, now=self._local_now())

    def import_reviews(self, actor: StaffMember, preview: ImportPreview) -> ImportResult:
        """Store the preview's good rows in one transaction (all or nothing), skipping
        duplicates. Audited with counts only."""
        good = [row.review for row in preview.rows if row.review is not None and not row.errors]
        repeated = sum(row.errors == ("duplicate",) for row in preview.rows)
        errors = len(preview.rows) - len(good) - repeated
        now = self._clock.now()
        enriched = self._enrich_all(good, now)
        with self._uow() as tx:
            person = _active(tx, actor, "import_reviews")
            added, skipped = tx.reviews.add_many(enriched)
            skipped += repeated
            self._remember_rules(tx)
            detail = f"{added} added, {skipped} duplicates, {errors} rows with errors"
            append_event(tx, self._audit_clock, person, "review.import", "review", "import", detail)
        log.info("reviews imported: %d added, %d duplicates, %d errors", added, skipped, errors)
        return ImportResult(added, skipped, errors)

    def parse_pasted(self, text: str) -> Review:
        """One review pasted from the clipboard, for the add form to show (not stored)."""
        from core.reviews.importing import parse_pasted

        return parse_pasted(text, now=self._local_now())

    def _local_now(self) -> datetime:
        """Now in the practice's zone: the zone of dates written without one."""
        return self._clock.now().astimezone(self._tz())

    def add_one(self, actor: StaffMember, review: Review) -> Review:
        """Store one typed or pasted item; ``ValidationError`` (field ``review``, reason
        ``duplicate``, ``existing_id``) when it is already in the inbox."""
        if review.id is not None:
            raise ValueError("add_one takes a new review")
        review = self._validated(review)
        [review] = self._enrich_all([review], self._clock.now())
        with self._uow() as tx:
            person = _active(tx, actor, "add_review")
            existing = tx.reviews.duplicate_of(review)
            if existing is not None:
                raise ValidationError(
                    "This review is already in the inbox.",
                    field="review",
                    reason="duplicate",
                    existing_id=existing,
                )
            saved = tx.reviews.add(review)
            self._remember_rules(tx)
            assert saved.id is not None
            self._event(tx, person, saved.id, "review.add", f"{saved.kind.value} {saved.source}")
            return saved

    def collect(self, source: ReviewSource, since: datetime | None = None) -> int:
        """Fetch new items from a connected source (the GBP API later) and store the new
        ones; returns how many were new. Runs without a signed-in person (audited as the
        system)."""
        fetched = source.fetch_new(since)
        enriched = self._enrich_all(
            [self._validated(replace(r, id=None), stars_only=True) for r in fetched],
            self._clock.now(),
        )
        with self._uow() as tx:
            added, skipped = tx.reviews.add_many(enriched)
            self._remember_rules(tx)
            if added:
                detail = f"{added} added, {skipped} duplicates from {source.name}"
                append_event(
                    tx, self._audit_clock, None, "review.collect", "review", "source", detail
                )
        return added

    def collect_connected(self) -> int:
        """Collect from every connected source (``sources``) what changed since its last
        successful collection; returns how many items were new or changed. A source (or one
        place of a ``PlacesSource``) that fails is logged, remembered for Today and Settings
        (``source_failures``) and asked again, from the same moment, next time.

        A ``PlacesSource`` (the Google locations) is collected place by place through
        ``store_collected``: a review Google shows with a reply comes in replied, one edited on
        Google takes in its new words and stars."""
        from core.publishing.connectors import PublishError

        total = 0
        present: set[tuple[str, str]] = set()
        for source in self._sources():
            if isinstance(source, PlacesSource):
                places = list(source.places())
                present.update((source.name, p.key) for p in places)
                for place in places:
                    total += self._collect_place(source, place)
                continue
            started = self._clock.now()
            since = self._collected_mark(source.name)
            try:
                total += self.collect(source, since)
            except PublishError as exc:
                log.warning("reviews: %s not collected (%s)", source.name, exc.code)
                continue
            self._update_marks(source.name, started, None)
        self._forget_failures(present)
        return total

    def _collect_place(self, source: PlacesSource, place: SourcePlace) -> int:
        from core.publishing.connectors import PermanentPublishError, PublishError

        key = f"{source.name}:{place.key}"
        started = self._clock.now()
        try:
            items = source.fetch_place(place, self._collected_mark(key))
        except PublishError as exc:
            log.warning("reviews: %s place %s not collected (%s)", source.name, place.key, exc.code)
            failure = PlaceFailure(
                source=source.name,
                key=place.key,
                account_id=place.account_id,
                label=place.label,
                code=exc.code,
                permanent=isinstance(exc, PermanentPublishError),
                since=started,
                last=started,
            )
            self._update_marks(key, None, failure)
            return 0
        count = self.store_collected(source.name, items)
        self._update_marks(key, started, None)
        return count

    def _collected_mark(self, key: str) -> datetime | None:
        with self._uow() as tx:
            stored = tx.settings.get(SOURCES_KEY)
        last = stored[0].get(key) if stored is not None else None
        return datetime.fromisoformat(last) if isinstance(last, str) else None

    def _update_marks(
        self, key: str, collected: datetime | None, failure: PlaceFailure | None
    ) -> None:
        """Remember a good collection of ``key`` (its mark moves on, its failure goes) or a
        failed one (the mark stays; the failure keeps the moment the run of failures began).
        Two workstations polling at once: the loser reads again and retries."""
        for attempt in range(3):
            try:
                with self._uow() as tx:
                    if collected is not None:
                        _put_entry(tx, SOURCES_KEY, key, collected.isoformat())
                    failed = tx.settings.get(FAILURES_KEY)
                    before = failed[0].get(key) if failed is not None else None
                    if failure is not None:
                        if isinstance(before, dict) and before.get("code") == failure.code:
                            failure = replace(
                                failure, since=datetime.fromisoformat(str(before["since"]))
                            )
                        _put_entry(tx, FAILURES_KEY, key, _failure_value(failure))
                    elif before is not None:
                        _put_entry(tx, FAILURES_KEY, key, None)
                return
            except EditConflict:
                if attempt == 2:
                    raise

    def _forget_failures(self, present: set[tuple[str, str]]) -> None:
        """Drop the failures of places no longer connected (a location removed)."""
        with self._uow() as tx:
            stored = tx.settings.get(FAILURES_KEY)
            if stored is None:
                return
            kept = {
                k: v
                for k, v in stored[0].items()
                if isinstance(v, dict) and (v.get("source"), v.get("key")) in present
            }
            if kept != stored[0]:
                tx.settings.put(FAILURES_KEY, kept, stored[1])

    def source_failures(self) -> builtins.list[PlaceFailure]:
        """The connected places whose last collection failed, by label."""
        with self._uow() as tx:
            stored = tx.settings.get(FAILURES_KEY)
        found = [_failure_of(v) for v in (stored[0].values() if stored is not None else ())]
        return sorted((f for f in found if f is not None), key=lambda f: (f.label.lower(), f.key))

    def store_collected(self, source_name: str, items: Sequence[CollectedReview]) -> int:
        """Store what a connected site shows now, in one transaction; returns how many
        items were new or changed.

        - New: stored as collected; with the site's reply (``CollectedReview.reply``, e.g.
          answered on Google before the practice connected the app) it comes in replied
          (no due time, nothing on Today) with that reply, written on the site.
        - Stored already (same source and external id): when the words or the stars differ,
          the reviewer edited it: text and rating are updated and the change is kept in its
          history (``review.edited``, the stars and "after the reply" when it was replied:
          ``ReviewDetail.changed_after_reply``). Sentiment and themes are recomputed from the
          new words; an open item's due time is recomputed with the new sentiment from the
          same start (``due_start``, like ``recompute_due``: a review turned negative may be
          overdue at once, it waited that long); a replied or not-answered item stays so.
          A reply approved without an approver for a review that turned negative goes back
          to waiting for one. The site's clock is not compared with ours: the listing only
          brings reviews Google changed since the last collection, and the words tell.
        - A stored open item the site shows a reply for was answered there: it becomes
          replied with that reply (an attempt of ours that went unanswered and has the same
          words counts as posted); a replied item whose reply was changed on the site takes
          the new words."""
        valid: builtins.list[CollectedReview] = []
        for item in items:
            try:
                review = self._validated(replace(item.review, id=None), stars_only=True)
            except ValidationError as exc:
                log.warning("reviews: an item from %s left out (%s)", source_name, exc.code)
                continue
            valid.append(replace(item, review=review))
        now = self._clock.now()
        enriched = self._enrich_all([c.review for c in valid], now)
        if not enriched:
            return 0
        rules, tz = self._rules(), self._tz()
        added = changed = answered = 0
        with self._uow() as tx:
            for item, review in zip(valid, enriched, strict=True):
                existing = tx.reviews.duplicate_of(review)
                if existing is None:
                    answered += self._add_collected(tx, source_name, item, review, now)
                    added += 1
                    continue
                stored = tx.reviews.get(existing)
                if (stored.source, stored.external_id) != (review.source, review.external_id):
                    continue  # the same words from elsewhere: a duplicate, nothing to update
                changed += self._update_collected(
                    tx, stored, item, review, source_name=source_name, now=now, rules_tz=(rules, tz)
                )
            self._remember_rules(tx)
            if added or changed:
                detail = (
                    f"{added} added ({answered} replied on {source_name}), {changed} changed, "
                    f"from {source_name}"
                )
                append_event(
                    tx, self._audit_clock, None, "review.collect", "review", "source", detail
                )
        return added + changed

    @staticmethod
    def _add_collected(
        tx: UnitOfWork, source_name: str, item: CollectedReview, review: Review, now: datetime
    ) -> int:
        if item.reply is None:
            tx.reviews.add(review)
            return 0
        saved = tx.reviews.add(replace(review, status=ReviewStatus.REPLIED, due_at=None))
        assert saved.id is not None
        tx.reviews.set_reply(saved.id, _site_reply(item.reply, now))
        detail = f"replied on {source_name} before it was collected"
        tx.reviews.add_event(saved.id, ReviewEvent(now, None, "review.replied", detail))
        return 1

    def _update_collected(
        self,
        tx: UnitOfWork,
        stored: Review,
        item: CollectedReview,
        fresh: Review,
        *,
        source_name: str,
        now: datetime,
        rules_tz: tuple[ResponseRules, ZoneInfo],
    ) -> int:
        """Apply an edit and a reply made on the site to a stored item (see
        ``store_collected``); 1 when something changed."""
        assert stored.id is not None
        review_id = stored.id
        reply = tx.reviews.reply(review_id)
        review, changed = stored, 0
        if (fresh.text, fresh.rating) != (stored.text, stored.rating):
            review = self._edited(
                tx, stored, fresh, reply, source_name=source_name, now=now, rules_tz=rules_tz
            )
            changed = 1
        remote = item.reply
        if remote is None:
            return changed
        same_words = reply is not None and reply.text.strip() == remote.comment.strip()
        if review.status is ReviewStatus.REPLIED:
            if reply is not None and not same_words:
                tx.reviews.set_reply(
                    review_id,
                    replace(reply, text=remote.comment, remote_updated_at=remote.updated_at),
                )
                detail = f"reply changed on {source_name}"
                tx.reviews.add_event(
                    review_id, ReviewEvent(now, None, "review.reply_edited", detail)
                )
                return 1
            if reply is not None and reply.remote_updated_at is None and same_words:
                # Marked replied by hand: Google confirms it, with its time.
                tx.reviews.set_reply(
                    review_id,
                    replace(
                        reply, remote_state=RemoteState.POSTED, remote_updated_at=remote.updated_at
                    ),
                )
            return changed
        ours = reply is not None and same_words and reply.remote_state is not None
        if ours and reply is not None:
            answer = replace(
                reply,
                remote_state=RemoteState.POSTED,
                remote_updated_at=remote.updated_at,
                posted_at=reply.posted_at or remote.updated_at or now,
                remote_error_code="",
                remote_error="",
            )
            detail = f"reply found on {source_name}"
        else:
            answer = _site_reply(remote, now)
            detail = f"replied on {source_name}"
            if reply is not None and reply.text:
                detail += f"; the draft of {len(reply.text)} chars was replaced"
        tx.reviews.set_reply(review_id, answer)
        self._save(tx, review, ReviewStatus.REPLIED, *rules_tz)
        tx.reviews.add_event(review_id, ReviewEvent(now, None, "review.replied", detail))
        return 1

    @staticmethod
    def _edited(
        tx: UnitOfWork,
        stored: Review,
        fresh: Review,
        reply: Reply | None,
        *,
        source_name: str,
        now: datetime,
        rules_tz: tuple[ResponseRules, ZoneInfo],
    ) -> Review:
        """Take in the words and stars the reviewer changed on the site (see
        ``store_collected``)."""
        from core.reviews.deadlines import due_at

        assert stored.id is not None
        revised = replace(
            stored,
            text=fresh.text,
            rating=fresh.rating,
            sentiment=fresh.sentiment,
            sentiment_score=fresh.sentiment_score,
            themes=fresh.themes,
        )
        status = stored.status
        if (
            status is ReviewStatus.APPROVED
            and reply is not None
            and reply.approved_by is None
            and is_negative(revised)
            and reply.remote_state not in {RemoteState.SENDING, RemoteState.UNCERTAIN}
        ):
            status = ReviewStatus.AWAITING_APPROVAL
        due = None
        if status in OPEN_STATUSES:
            due = due_at(due_start(revised), revised.sentiment, *rules_tz)
        saved = tx.reviews.revise(replace(revised, status=status, due_at=due), stored.version)
        what = []
        if fresh.text != stored.text:
            what.append("words")
        if fresh.rating != stored.rating:
            what.append(f"stars {stored.rating or '-'} to {fresh.rating or '-'}")
        detail = f"edited on {source_name}: {', '.join(what)}"
        if stored.status is ReviewStatus.REPLIED:
            detail += "; after the reply"
        if status is not stored.status:
            detail += f"; to {status.value}"
        tx.reviews.add_event(stored.id, ReviewEvent(now, None, "review.edited", detail))
        return saved

    @staticmethod
    def _validated(review: Review, *, stars_only: bool = False) -> Review:
        """A review fit to store; ``stars_only`` lets a rating without words through (a
        connected source's star-only reviews deserve an answer too)."""
        text = review.text.strip()
        if not text and not (stars_only and review.rating is not None):
            raise ValidationError("The review has no text.", field="text", reason="empty")
        if review.rating is not None and not 1 <= review.rating <= 5:
            raise ValidationError("Stars go from 1 to 5.", field="rating", reason="range")
        if review.posted_at.tzinfo is None:
            raise ValidationError("The date needs a time zone.", field="posted_at")
        return replace(review, text=text, author=review.author.strip())

    def _remember_rules(self, tx: UnitOfWork) -> None:
        """The first items stored: remember which rules their due times were computed with
        (once the key exists, only ``recompute_due`` changes it)."""
        if self._enriched_with and tx.settings.get(RULES_KEY) is None:
            tx.settings.put(RULES_KEY, {"fingerprint": self._enriched_with}, None)

    def _enrich_all(self, reviews: Sequence[Review], now: datetime) -> builtins.list[Review]:
        """Sentiment, themes, due time, status NEW, collected now (a hash when missing)."""
        if not reviews:
            return []
        from core.reviews.deadlines import due_at
        from core.reviews.sentiment import sentiment
        from core.reviews.themes import default_theme_rules, themes

        rules, tz = self._rules(), self._tz()
        self._enriched_with = _rules_fingerprint(rules, tz)
        theme_rules = default_theme_rules()
        out = []
        for review in reviews:
            mood, score = sentiment(review.text, review.rating)
            item = replace(
                review,
                id=None,
                status=ReviewStatus.NEW,
                sentiment=mood,
                sentiment_score=score,
                themes=themes(review.text, theme_rules),
                collected_at=now,
                assignee_id=None,
                version=1,
                content_hash=review.content_hash or _hash(review),
            )
            out.append(replace(item, due_at=due_at(due_start(item), mood, rules, tz)))
        return out

    # --- triage ----------------------------------------------------------------------------
    def assess(  # noqa: PLR0917 - the assessment's steps, one argument each
        self,
        actor: StaffMember,
        review_id: int,
        expected_version: int,
        authenticity: Authenticity,
        review_type: ReviewType,
        reach: int,
        severity: int,
        decision: Decision,
        reason: str = "",
    ) -> Review:
        """Record the assessment and its decision: respond → triaged; no response (reason
        required) → no response, no due time; escalate to the manager or the doctor (reason
        required) → escalated. A replied item is not assessed again."""
        if not 1 <= reach <= 3 or not 1 <= severity <= 3:
            raise ValidationError(
                "Reach and severity go from 1 to 3.",
                field="reach" if not 1 <= reach <= 3 else "severity",
            )
        decision = Decision(decision)
        reason = _reason(reason) if decision is not Decision.RESPOND else reason.strip()
        if len(reason) > MAX_REASON:
            raise ValidationError("The reason is too long.", field="reason", limit=MAX_REASON)
        rules, tz = self._rules(), self._tz()
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "assess_review")
            review = _load(tx, review_id, expected_version)
            if review.status is ReviewStatus.REPLIED:
                raise _not_allowed(review, "assess")
            status = _DECISION_STATUS[decision]
            reply = tx.reviews.reply(review_id)
            if status is ReviewStatus.TRIAGED and reply is not None and reply.approved_at:
                status = ReviewStatus.APPROVED
            tx.reviews.add_assessment(
                review_id,
                Assessment(
                    authenticity=Authenticity(authenticity),
                    review_type=ReviewType(review_type),
                    reach=reach,
                    severity=severity,
                    decision=decision,
                    reason=reason,
                    assessed_by=person.id,
                    assessed_at=now,
                ),
            )
            saved = self._save(tx, review, status, rules, tz)
            detail = f"{decision.value}; to {status.value}; reason {len(reason)} chars"
            self._event(tx, person, review_id, "review.assess", detail)
            return saved

    def assign(
        self, actor: StaffMember, review_id: int, expected_version: int, assignee_id: int | None
    ) -> Review:
        """Give the item to a staff member (``None``: nobody)."""
        with self._uow() as tx:
            person = _active(tx, actor, "assign_review")
            review = _load(tx, review_id, expected_version)
            if assignee_id is not None:
                assignee = tx.staff.get(assignee_id)
                if not assignee.active:
                    raise ValidationError(
                        "This staff member is deactivated.", field="assignee", reason="inactive"
                    )
            if review.assignee_id == assignee_id:
                return review
            saved = tx.reviews.save(replace(review, assignee_id=assignee_id), review.version)
            self._event(tx, person, review_id, "review.assign", f"to {assignee_id or 'nobody'}")
            return saved

    # --- replies ---------------------------------------------------------------------------
    def check(self, text: str, review: Review) -> builtins.list[Finding]:
        """``core.reviews.check_reply`` with the patients' names and the reviewer's name."""
        from core.reviews.reply_check import check_reply

        return check_reply(
            text,
            review_text=review.text,
            reviewer_name=review.author,
            known_names=self._names(),
        )

    def findings(self, review_id: int, text: str | None = None) -> builtins.list[ReplyFinding]:
        """The reply check on ``text`` (default: the stored reply), each finding marked
        overridden when a recorded override covers it."""
        with self._uow() as tx:
            review = tx.reviews.get(review_id)
            if text is None:
                reply = tx.reviews.reply(review_id)
                text = reply.text if reply is not None else ""
            overrides = tx.reviews.overrides(review_id)
        return self._reply_findings(text, review, overrides, self._names())

    def _names(self) -> tuple[str, ...]:
        names = self._known_names()
        return names if isinstance(names, tuple) else tuple(names)

    def _reply_findings(
        self,
        text: str,
        review: Review,
        overrides: Iterable[ReplyOverride],
        names: tuple[str, ...],
    ) -> builtins.list[ReplyFinding]:
        if not text.strip():
            return []
        from core.composer.check import span_hash
        from core.reviews.reply_check import check_reply

        covered = {(o.kind, o.text_hash) for o in overrides}
        found = []
        for f in check_reply(
            text, review_text=review.text, reviewer_name=review.author, known_names=names
        ):
            digest = span_hash(text[f.start : f.end])
            found.append(ReplyFinding(f, digest, (f.kind, digest) in covered))
        return found

    def save_reply(
        self, actor: StaffMember, review_id: int, expected_version: int, text: str
    ) -> Review:
        """Save the draft reply (the writer is whoever saved it last). Editing a reply that
        waits for approval or was approved takes it back to a draft (triaged)."""
        text = text.strip()
        if len(text) > MAX_REPLY:
            raise ValidationError("The reply is too long.", field="reply", limit=MAX_REPLY)
        rules, tz = self._rules(), self._tz()
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "write_reply")
            review = _load(tx, review_id, expected_version)
            if review.status not in _REPLYABLE:
                raise _not_allowed(review, "save_reply")
            before = tx.reviews.reply(review_id)
            if before is not None and before.text == text:
                return review
            tx.reviews.set_reply(review_id, Reply(text=text, written_by=person.id, written_at=now))
            status = review.status
            if status in {ReviewStatus.AWAITING_APPROVAL, ReviewStatus.APPROVED}:
                status = ReviewStatus.TRIAGED
            saved = self._save(tx, review, status, rules, tz, bump=True)
            self._event(tx, person, review_id, "review.reply_save", f"{len(text)} chars")
            return saved

    def submit_reply(
        self,
        actor: StaffMember,
        review_id: int,
        expected_version: int,
        overrides: Sequence[Override] = (),
    ) -> Review:
        """Submit the saved reply. Each override lets one finding through with its written
        reason (audited: kind and reason length); a finding left open blocks
        (``core.composer.errors.OpenFindings``). A reply to a negative review then waits for
        an approver; any other is approved at once (a person still posts it)."""
        from core.composer.errors import OpenFindings

        names = self._names()
        rules, tz = self._rules(), self._tz()
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "submit_reply")
            review = _load(tx, review_id, expected_version)
            if review.status not in _SUBMITTABLE:
                raise _not_allowed(review, "submit_reply")
            reply = tx.reviews.reply(review_id)
            if reply is None or not reply.text.strip():
                raise ValidationError("Write the reply first.", field="reply", reason="empty")
            found = self._reply_findings(reply.text, review, tx.reviews.overrides(review_id), names)
            for override in overrides:
                kind, digest = _resolve(override, found)
                reason = override.reason.strip()
                tx.reviews.add_override(
                    review_id, ReplyOverride(kind, digest, reason, person.id, now)
                )
                found = [
                    replace(f, overridden=True)
                    if (f.finding.kind, f.text_hash) == (kind, digest)
                    else f
                    for f in found
                ]
                detail = f"override {kind}: {len(reason)} chars"
                self._event(tx, person, review_id, "review.reply_override", detail)
            still_open = sum(not f.overridden for f in found)
            if still_open:
                raise OpenFindings("The reply check found possible PHI.", count=still_open)
            if is_negative(review):
                status = ReviewStatus.AWAITING_APPROVAL
                tx.reviews.set_reply(review_id, replace(reply, approved_by=None, approved_at=None))
            else:
                status = ReviewStatus.APPROVED
            saved = self._save(tx, review, status, rules, tz)
            self._event(tx, person, review_id, "review.reply_submit", f"to {status.value}")
            return saved

    def approve_reply(self, actor: StaffMember, review_id: int, expected_version: int) -> Review:
        """Approve a reply to a negative review: a person with the approve permission who
        did not write it (``ApproverRoleRequired``, ``SelfApproval``). Open findings block."""
        from core.composer.errors import ApproverRoleRequired, OpenFindings, SelfApproval

        names = self._names()
        rules, tz = self._rules(), self._tz()
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "approve_reply")
            if not can(person.role, Permission.APPROVE):
                raise ApproverRoleRequired(
                    "Approving a reply needs an approver.", action="approve_reply"
                )
            review = _load(tx, review_id, expected_version)
            if review.status is not ReviewStatus.AWAITING_APPROVAL:
                raise _not_allowed(review, "approve_reply")
            reply = tx.reviews.reply(review_id)
            assert reply is not None
            if reply.written_by == person.id:
                raise SelfApproval("Someone else must approve this reply.", reason="author")
            found = self._reply_findings(reply.text, review, tx.reviews.overrides(review_id), names)
            still_open = sum(not f.overridden for f in found)
            if still_open:
                raise OpenFindings("The reply check found possible PHI.", count=still_open)
            tx.reviews.set_reply(review_id, replace(reply, approved_by=person.id, approved_at=now))
            saved = self._save(tx, review, ReviewStatus.APPROVED, rules, tz)
            self._event(tx, person, review_id, "review.reply_approve", "approved")
            return saved

    def return_reply(
        self, actor: StaffMember, review_id: int, expected_version: int, note: str
    ) -> Review:
        """An approver sends a reply waiting for approval back to a draft, saying why (the
        note's length is audited, its words are kept in the history only as a length)."""
        from core.composer.errors import ApproverRoleRequired

        note = _reason(note, "note")
        rules, tz = self._rules(), self._tz()
        with self._uow() as tx:
            person = _active(tx, actor, "return_reply")
            if not can(person.role, Permission.APPROVE):
                raise ApproverRoleRequired("Returning a reply needs an approver.", action="return")
            review = _load(tx, review_id, expected_version)
            if review.status is not ReviewStatus.AWAITING_APPROVAL:
                raise _not_allowed(review, "return_reply")
            saved = self._save(tx, review, ReviewStatus.TRIAGED, rules, tz)
            self._event(tx, person, review_id, "review.reply_return", f"note {len(note)} chars")
            return saved

    def mark_replied(self, actor: StaffMember, review_id: int, expected_version: int) -> Review:
        """Record that a person posted the approved reply on the site (who, when)."""
        rules, tz = self._rules(), self._tz()
        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "mark_replied")
            review = _load(tx, review_id, expected_version)
            if review.status is not ReviewStatus.APPROVED:
                raise _not_allowed(review, "mark_replied")
            reply = tx.reviews.reply(review_id)
            assert reply is not None
            tx.reviews.set_reply(review_id, replace(reply, posted_by=person.id, posted_at=now))
            saved = self._save(tx, review, ReviewStatus.REPLIED, rules, tz)
            self._event(tx, person, review_id, "review.replied", "marked replied")
            return saved

    def post_reply(self, actor: StaffMember, review_id: int, expected_version: int) -> Review:
        """Post the approved reply through the review's connected source (Google's
        ``updateReply``), exactly once, and record the outcome on the reply.

        The intent is committed first (remote state ``sending``, the item's version claimed so
        a second workstation's click meets an ``EditConflict``). After a ``sending`` (the app
        stopped mid-call) or ``uncertain`` attempt, the site is asked first and a reply it
        already has with these words counts as posted, so it is never sent twice. Posted: the
        item is replied (by this person, now) with the site's time of the reply. Refused or
        unreachable: the item stays approved with the site's reason, to post again or by
        hand. Audited with codes only."""
        from core.publishing.connectors import PublishError, UncertainOutcome

        now = self._clock.now()
        with self._uow() as tx:
            person = _active(tx, actor, "post_reply")
            review = _load(tx, review_id, expected_version)
            if review.status is not ReviewStatus.APPROVED:
                raise _not_allowed(review, "post_reply")
            reply = tx.reviews.reply(review_id)
            assert reply is not None
        target = self.reply_target(review)
        if target is None:
            raise ValidationError(
                "This review is not from a connected place: post the reply by hand.",
                field="review",
                reason="not_connected",
            )
        ask_first = reply.remote_state in {RemoteState.SENDING, RemoteState.UNCERTAIN}
        with self._uow() as tx:
            person = _active(tx, actor, "post_reply")
            review = _load(tx, review_id, expected_version)
            if review.status is not ReviewStatus.APPROVED or tx.reviews.reply(review_id) != reply:
                raise EditConflict(
                    "Someone else changed this review first.", entity="review", id=review_id
                )
            sending = replace(
                reply, remote_state=RemoteState.SENDING, remote_error_code="", remote_error=""
            )
            tx.reviews.set_reply(review_id, sending)
            claimed = tx.reviews.save(review, review.version)
            self._event(tx, person, review_id, "review.reply_post", f"sending to {target.name}")
        remote: RemoteReply | None = None
        try:
            if ask_first:
                remote = target.remote_reply(review.external_id)
                if remote is not None and remote.comment.strip() != reply.text.strip():
                    remote = None
            if remote is None:
                remote = target.update_reply(review.external_id, reply.text)
        except UncertainOutcome as exc:
            return self._post_outcome(person, claimed, sending, RemoteState.UNCERTAIN, exc)
        except PublishError as exc:
            return self._post_outcome(person, claimed, sending, RemoteState.FAILED, exc)
        posted = replace(
            sending,
            remote_state=RemoteState.POSTED,
            remote_updated_at=remote.updated_at,
            posted_by=person.id,
            posted_at=now,
        )
        rules, tz = self._rules(), self._tz()
        with self._uow() as tx:
            current = tx.reviews.get(review_id)
            tx.reviews.set_reply(review_id, posted)
            saved = self._save(tx, current, ReviewStatus.REPLIED, rules, tz)
            self._event(tx, person, review_id, "review.replied", f"posted to {target.name}")
        log.info("review %s: reply posted to %s", review_id, target.name)
        return saved

    def _post_outcome(
        self,
        person: StaffMember,
        review: Review,
        reply: Reply,
        state: RemoteState,
        error: PublishError,
    ) -> Review:
        """Record a reply that did not go out (or may have): the item stays approved."""
        assert review.id is not None
        failed = replace(
            reply, remote_state=state, remote_error_code=error.code, remote_error=str(error)
        )
        with self._uow() as tx:
            current = tx.reviews.get(review.id)
            tx.reviews.set_reply(review.id, failed)
            saved = tx.reviews.save(current, current.version)
            self._event(tx, person, review.id, "review.reply_post", f"{state.value}: {error.code}")
        log.warning("review %s: reply not posted (%s, %s)", review.id, state.value, error.code)
        return saved

    def _save(
        self,
        tx: UnitOfWork,
        review: Review,
        status: ReviewStatus,
        rules: ResponseRules,
        tz: ZoneInfo,
        *,
        bump: bool = False,
    ) -> Review:
        """Save with ``status`` and the due time it implies (a new version)."""
        if status == review.status and not bump:
            return review
        due = review.due_at
        if status not in OPEN_STATUSES:
            due = None
        elif due is None:
            from core.reviews.deadlines import due_at

            due = due_at(due_start(review), review.sentiment, rules, tz)
        return tx.reviews.save(replace(review, status=status, due_at=due), review.version)

    def _event(
        self, tx: UnitOfWork, person: StaffMember | None, review_id: int, action: str, detail: str
    ) -> None:
        tx.reviews.add_event(
            review_id,
            ReviewEvent(self._clock.now(), person.id if person else None, action, detail),
        )
        append_event(tx, self._audit_clock, person, action, "review", review_id, detail)

    # --- due times -------------------------------------------------------------------------
    def recompute_due(self) -> int:
        """Recompute every open item's due time with the current rules (batched; versions
        stay). Returns how many items were updated."""
        from core.reviews.deadlines import due_at

        rules, tz = self._rules(), self._tz()
        fingerprint = _rules_fingerprint(rules, tz)
        count = 0
        with self._uow() as tx:
            for batch in tx.reviews.iter_open():
                dues = [
                    (
                        item.id,
                        due_at(max(item.posted_at, item.collected_at), item.sentiment, rules, tz),
                    )
                    for item in batch
                ]
                tx.reviews.set_due_many(dues)
                count += len(dues)
            stored = tx.settings.get(RULES_KEY)
            tx.settings.put(RULES_KEY, {"fingerprint": fingerprint}, stored[1] if stored else None)
        with self._due_lock:
            self._due_checked = (fingerprint, time.monotonic())
        log.info("review due times recomputed: %d open items", count)
        return count

    def ensure_due_current(self, *, force: bool = False) -> bool:
        """Recompute due times when the rules or the time zone changed since they were
        computed (looked at every ``DUE_CHECK_SECONDS`` at most, unless ``force``). Returns
        whether it recomputed."""
        with self._due_lock:
            checked = self._due_checked
        if not force and checked is not None and time.monotonic() - checked[1] < DUE_CHECK_SECONDS:
            return False
        fingerprint = _rules_fingerprint(self._rules(), self._tz())
        if checked is not None and checked[0] == fingerprint:
            with self._due_lock:
                self._due_checked = (fingerprint, time.monotonic())
            return False
        with self._uow() as tx:
            stored = tx.settings.get(RULES_KEY)
        if stored is not None and stored[0].get("fingerprint") == fingerprint:
            with self._due_lock:
                self._due_checked = (fingerprint, time.monotonic())
            return False
        try:
            self.recompute_due()
        except EditConflict:  # another workstation recomputed at the same moment
            return False
        return True

    # --- measures --------------------------------------------------------------------------
    def measures(self, *, months: int = 12) -> Measures:
        """Response rate, median response time, rating and themes per month, over the last
        ``months`` months (the practice's calendar months, this one included)."""
        tz = self._tz()
        start, labels = _months_back(self._clock.now(), tz, months)
        with self._uow() as tx:
            rows = tx.reviews.measure_rows(start)
        by_month: dict[str, builtins.list[object]] = {m: [] for m in labels}
        stars: dict[str, builtins.list[int]] = defaultdict(builtins.list)
        hours: dict[str, builtins.list[float]] = defaultdict(builtins.list)
        replied: Counter[str] = Counter()
        theme_counts: dict[str, Counter[str]] = defaultdict(Counter)
        all_hours: builtins.list[float] = []
        for row in rows:
            month = _month(row.posted_at, tz)
            if month not in by_month:
                continue
            by_month[month].append(row)
            if row.rating is not None:
                stars[month].append(row.rating)
            theme_counts[month].update(row.themes)
            if row.status is ReviewStatus.REPLIED and row.replied_at is not None:
                replied[month] += 1
                start_at = max(row.posted_at, row.collected_at)
                if row.replied_at < start_at:  # answered on the site before it was collected
                    start_at = row.posted_at
                h = max(0.0, (row.replied_at - start_at).total_seconds() / 3600)
                hours[month].append(h)
                all_hours.append(h)
        result = tuple(
            MonthMeasure(
                month=m,
                reviews=len(by_month[m]),
                average_rating=round(statistics.fmean(stars[m]), 2) if stars[m] else None,
                replied=replied[m],
                median_response_hours=round(statistics.median(hours[m]), 1) if hours[m] else None,
                themes=dict(sorted(theme_counts[m].items())),
            )
            for m in labels
        )
        return Measures(
            months=result,
            reviews=sum(m.reviews for m in result),
            replied=sum(m.replied for m in result),
            median_response_hours=round(statistics.median(all_hours), 1) if all_hours else None,
        )

    def measures_csv(self, *, months: int = 12) -> bytes:
        """The measures as CSV (UTF-8 with BOM, for spreadsheets): one line per month."""
        from core.reviews.themes import default_theme_rules

        m = self.measures(months=months)
        known = [t.id for t in default_theme_rules().themes]
        seen = sorted({t for month in m.months for t in month.themes} - set(known))
        theme_ids = [*known, *seen]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            [
                "month",
                "reviews",
                "average_rating",
                "replied",
                "response_rate",
                "median_response_hours",
                *(f"theme_{t}" for t in theme_ids),
            ]
        )
        for month in m.months:
            rate = month.response_rate
            writer.writerow(
                [
                    month.month,
                    month.reviews,
                    "" if month.average_rating is None else f"{month.average_rating:.2f}",
                    month.replied,
                    "" if rate is None else f"{rate:.3f}",
                    "" if month.median_response_hours is None else month.median_response_hours,
                    *(month.themes.get(t, 0) for t in theme_ids),
                ]
            )
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    # --- feeds -----------------------------------------------------------------------------
    def feeds(self) -> builtins.list[Feed]:
        with self._uow() as tx:
            return tx.reviews.feeds()

    def add_feed(self, actor: StaffMember, url: str, name: str) -> Feed:
        """Add an RSS/Atom feed of mentions (e.g. a Google Alert's feed address)."""
        url, name = url.strip(), name.strip()
        if not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url):
            raise ValidationError("Paste the feed's web address (https://…).", field="url")
        if len(url) > 2000:
            raise ValidationError("The address is too long.", field="url", limit=2000)
        if not name or len(name) > 100:
            raise ValidationError("Give the feed a short name.", field="name")
        with self._uow() as tx:
            person = _active(tx, actor, "add_feed")
            if any(f.url == url for f in tx.reviews.feeds()):
                raise ValidationError(
                    "This feed is already there.", field="url", reason="duplicate"
                )
            feed = tx.reviews.add_feed(
                Feed(id=None, url=url, name=name, added_by=person.id, added_at=self._clock.now())
            )
            append_event(tx, self._audit_clock, person, "feed.add", "feed", feed.id)
            return feed

    def remove_feed(self, actor: StaffMember, feed_id: int) -> None:
        """Stop polling a feed (its mentions stay in the inbox)."""
        with self._uow() as tx:
            person = _active(tx, actor, "remove_feed")
            tx.reviews.get_feed(feed_id)
            tx.reviews.remove_feed(feed_id)
            append_event(tx, self._audit_clock, person, "feed.remove", "feed", feed_id)

    def poll_feeds(self, fetch: Callable[[str], bytes]) -> PollResult:
        """Read every feed through ``fetch`` (URL → bytes; the caller does the HTTP) and add
        its new entries as mentions, de-duplicated by the entry's id (or link). A feed that
        fails records an error code and the others go on. Then the connected sources are
        collected from (``collect_connected``: the Google reviews)."""
        from core.reviews.feeds import FeedError, parse_feed

        feeds = self.feeds()
        failed: builtins.list[int] = []
        new = 0
        for feed in feeds:
            assert feed.id is not None
            now = self._clock.now()
            error = ""
            items: builtins.list[Review] = []
            try:
                data = fetch(feed.url)
                if len(data) > MAX_FEED_BYTES:
                    raise FeedError("too_big")
                items = parse_feed(data, now=now)
            except FeedError as exc:
                error = exc.code
            except Exception as exc:
                log.warning("feed %s: fetch failed (%s)", feed.id, type(exc).__name__)
                error = "fetch_failed"
            enriched = self._enrich_all(items, now) if items else []
            with self._uow() as tx:
                added = 0
                if enriched:
                    added, _skipped = tx.reviews.add_many(enriched)
                    self._remember_rules(tx)
                tx.reviews.mark_polled(feed.id, now, error)
                if added:
                    append_event(
                        tx, self._audit_clock, None, "feed.poll", "feed", feed.id, f"{added} new"
                    )
            new += added
            if error:
                failed.append(feed.id)
        return PollResult(len(feeds), new, tuple(failed), self.collect_connected())


def _site_reply(remote: RemoteReply, now: datetime) -> Reply:
    """A reply written on the site itself, as the inbox keeps it."""
    at = remote.updated_at or now
    return Reply(
        text=remote.comment,
        written_by=None,
        written_at=at,
        posted_at=at,
        remote_state=RemoteState.POSTED,
        remote_updated_at=remote.updated_at,
    )


def _changed_after_reply(detail: ReviewDetail) -> datetime | None:
    """The latest edit of a replied review since its reply last changed (``None``: none)."""
    if detail.review.status is not ReviewStatus.REPLIED or detail.reply is None:
        return None
    edited: datetime | None = None
    for event in detail.history:
        if event.action == "review.edited":
            edited = event.at
        elif event.action in {"review.replied", "review.reply_edited"}:
            edited = None
    if edited is None:
        return None
    answered = detail.reply.posted_at
    return edited if answered is None or edited > answered else None


def _put_entry(tx: UnitOfWork, key: str, name: str, value: object) -> None:
    """Set (``None``: remove) one entry of the settings value ``key``."""
    stored = tx.settings.get(key)
    current = dict(stored[0]) if stored is not None else {}
    if value is None:
        current.pop(name, None)
    else:
        current[name] = value
    tx.settings.put(key, current, stored[1] if stored is not None else None)


def _failure_value(failure: PlaceFailure) -> dict[str, object]:
    return {
        "source": failure.source,
        "key": failure.key,
        "account_id": failure.account_id,
        "label": failure.label,
        "code": failure.code,
        "permanent": failure.permanent,
        "since": failure.since.isoformat(),
        "last": failure.last.isoformat(),
    }


def _failure_of(value: object) -> PlaceFailure | None:
    if not isinstance(value, dict):
        return None
    try:
        account = value.get("account_id")
        return PlaceFailure(
            source=str(value["source"]),
            key=str(value["key"]),
            account_id=int(account) if account is not None else None,
            label=str(value.get("label") or ""),
            code=str(value["code"]),
            permanent=bool(value.get("permanent")),
            since=datetime.fromisoformat(str(value["since"])),
            last=datetime.fromisoformat(str(value["last"])),
        )
    except (KeyError, ValueError, TypeError):
        return None


def _resolve(override: Override, findings: Sequence[ReplyFinding]) -> tuple[str, str]:
    """The ``(kind, text_hash)`` an override covers (``core.composer.check.resolve_override``
    for a reply: too short a reason, or no current finding at that place, is refused)."""
    if len(override.reason.strip()) < MIN_REASON:
        raise ValidationError(
            "Say why this finding is not PHI.", field="override_reason", minimum=MIN_REASON
        )
    for item in findings:
        f = item.finding
        if (f.kind, f.start, f.end) != (override.kind, override.start, override.end):
            continue
        if override.text_hash is not None and override.text_hash != item.text_hash:
            break
        return f.kind, item.text_hash
    raise ValidationError(
        "The text changed since it was checked: check it again.", field="overrides", reason="stale"
    )


__all__ = [
    "ImportResult",
    "Measures",
    "MonthMeasure",
    "PollResult",
    "ReplyFinding",
    "ReviewDetail",
    "ReviewQuery",
    "ReviewService",
]
