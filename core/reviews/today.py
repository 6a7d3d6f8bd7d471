"""Today's items about reviews, grouped into counts (never one item per review). Params hold
counts and ISO moments only: no review text, no reviewer's name.

Kinds:
    review_overdue            open items past their due time (count, oldest due)
    review_due_soon           open items due within the next business day (count, first due)
    review_reply_approval     replies to negative reviews waiting for an approver (count)
    review_escalated_doctor   items escalated to the doctor (count): the doctor's list
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.errors import KnownError
from core.reviews.model import Decision, ReviewStatus
from core.reviews.ports import OPEN_STATUSES, ReviewQuery
from core.staff.model import Permission
from core.today.model import AttentionItem, Severity

if TYPE_CHECKING:
    from core.reviews.service import ReviewService

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
        return review_items(reviews, now)


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
