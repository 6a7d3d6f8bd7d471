"""Today's items about reviews, grouped into counts (never one item per review). Params hold
counts and ISO moments only: no review text, no reviewer's name.

Kinds:
    review_overdue            open items past their due time (count, oldest due)
    review_due_soon           open items due within the next business day (count, first due)
    review_reply_approval     replies to negative reviews waiting for an approver (count)
    review_escalated_doctor   items escalated to the doctor (count): the doctor's list
    review_source_failed      a connected place (a Google location) whose reviews cannot be
                              collected: params ``source``, ``account_id``, ``label`` (the
                              practice's name for the location), ``code`` (``token_revoked`` or
                              ``http_401``: reconnect; ``http_403``: no access; ``http_404``: the
                              location is gone; others: Google did not answer for a day) and
                              ``since`` (ISO). At once when asking again cannot help, after
                              ``STUCK_AFTER_HOURS`` otherwise. One per place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.errors import KnownError
from core.reviews.model import Decision, ReviewStatus
from core.reviews.ports import OPEN_STATUSES, PlaceFailure, ReviewQuery
from core.reviews.service import STUCK_AFTER_HOURS
from core.staff.model import Permission
from core.today.model import AttentionItem, Severity

if TYPE_CHECKING:
    from core.reviews.service import ReviewService

RECONNECT_CODES = frozenset({"token_revoked", "http_401"})
"""Failures a person fixes by signing in again (Settings → Accounts); the others are
explained in Settings → Review sources."""

log = logging.getLogger(__name__)

PAGE = "reviews"


class ReviewAttention:
    """The review inbox's Today source. The service loads on the first call (off the GUI
    thread); each call first brings due times up to date with the rules of engagement."""

    def __init__(self, reviews: Callable[[], ReviewService]) -> None:
        self._reviews = reviews

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        reviews = self._reviews()
        try:
            reviews.ensure_due_current()
        except KnownError as exc:  # the items still show; the next call tries again
            log.warning("reviews: recomputing due times failed (%s)", exc.code)
        return [*review_items(reviews, now), *source_items(reviews.source_failures(), now)]


def source_items(failures: list[PlaceFailure], now: datetime) -> list[AttentionItem]:
    """One item per connected place whose reviews cannot be collected (see the module)."""
    items = []
    for failure in failures:
        if not failure.permanent and now - failure.since < timedelta(hours=STUCK_AFTER_HOURS):
            continue
        reconnect = failure.code in RECONNECT_CODES
        items.append(
            AttentionItem(
                key=f"review.source_failed.{failure.source}.{failure.key}",
                kind="review_source_failed",
                severity=Severity.CRITICAL if reconnect else Severity.WARNING,
                page="settings",
                target="accounts" if reconnect else "review_sources",
                params={
                    "source": failure.source,
                    "account_id": failure.account_id,
                    "label": failure.label,
                    "code": failure.code,
                    "since": failure.since.isoformat(),
                },
                permission=Permission.EDIT_SETTINGS,
            )
        )
    return items


def review_items(reviews: ReviewService, now: datetime) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    overdue = ReviewQuery(overdue=True, now=now, limit=1)
    count = reviews.count(overdue)
    if count:
        oldest = reviews.first_due(overdue)
        items.append(
            AttentionItem(
                key="review.overdue",
                kind="review_overdue",
                severity=Severity.URGENT,
                page=PAGE,
                due=oldest,
                target="filter:overdue",
                params={"count": count, "oldest_due": oldest.isoformat() if oldest else ""},
            )
        )
    until = reviews.due_soon_until(now) + timedelta(seconds=1)  # due at that moment: soon
    soon = ReviewQuery(statuses=OPEN_STATUSES, due_from=now, due_to=until, now=now, limit=1)
    count = reviews.count(soon)
    if count:
        first = reviews.first_due(soon)
        items.append(
            AttentionItem(
                key="review.due_soon",
                kind="review_due_soon",
                severity=Severity.WARNING,
                page=PAGE,
                due=first,
                target=None,
                params={"count": count, "first_due": first.isoformat() if first else ""},
            )
        )
    count = reviews.count(ReviewQuery(statuses=(ReviewStatus.AWAITING_APPROVAL,), now=now))
    if count:
        items.append(
            AttentionItem(
                key="review.reply_approval",
                kind="review_reply_approval",
                severity=Severity.WARNING,
                page=PAGE,
                target="filter:awaiting_approval",
                params={"count": count},
                permission=Permission.APPROVE,
            )
        )
    doctor = ReviewQuery(
        statuses=(ReviewStatus.ESCALATED,), decision=Decision.ESCALATE_DOCTOR, now=now
    )
    count = reviews.count(doctor)
    if count:
        items.append(
            AttentionItem(
                key="review.escalated_doctor",
                kind="review_escalated_doctor",
                severity=Severity.INFO,
                page=PAGE,
                target="doctor",
                params={"count": count},
            )
        )
    return items
