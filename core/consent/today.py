"""Today's items about consent: authorizations about to expire (re-consent) and every open
takedown. Params hold ids, platform ids, URLs, ISO dates and codes; never a patient's name.

Kinds:
    consent_expiring   an authorization expires within the practice's warning window
    consent_expiring_many  more than ``GROUP_ABOVE`` do: one item with the count, pointing at
                       the Consent page's "expiring" list, instead of a flood of items
    consent_takedown   a published post must come down from a platform (revoked or expired
                       consent); stays until someone confirms the removal
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.consent.model import AuthorizationStatus
from core.consent.ports import AuthorizationQuery
from core.errors import KnownError
from core.today.model import AttentionItem, Severity

if TYPE_CHECKING:
    from core.consent.service import ConsentService

log = logging.getLogger(__name__)

PAGE = "consent"
MAX_EXPIRING = 200
GROUP_ABOVE = 3


class ConsentAttention:
    """The consent tracker's Today source. The service loads on the first call (off the GUI
    thread); each call first opens the takedowns that expiry calls for
    (``ConsentService.review_expired``, idempotent)."""

    def __init__(self, consent: Callable[[], ConsentService]) -> None:
        self._consent = consent

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        consent = self._consent()
        try:
            consent.review_expired()
        except KnownError as exc:  # the list still shows; the next call tries again
            log.warning("consent: reviewing expired authorizations failed (%s)", exc.code)
        return [*_expiring(consent), *_takedowns(consent)]


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    """When a consent valid through ``day`` (the practice's day) stops being valid, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def _expiring(consent: ConsentService) -> list[AttentionItem]:
    query = AuthorizationQuery(statuses=(AuthorizationStatus.EXPIRING,), limit=MAX_EXPIRING)
    page, total = consent.list_authorizations(query)
    zone = consent.zone()
    days = sorted(auth.expires_on for auth, _patient in page if auth.expires_on is not None)
    if total > GROUP_ABOVE and days:
        return [
            AttentionItem(
                key="consent.expiring",
                kind="consent_expiring_many",
                severity=Severity.WARNING,
                page=PAGE,
                due=_end_of(days[0], zone),
                target="status:expiring",
                params={"count": total, "first_expires_on": days[0].isoformat()},
            )
        ]
    items = []
    for auth, _patient in page:
        assert auth.id is not None
        assert auth.expires_on is not None
        due = _end_of(auth.expires_on, zone)
        items.append(
            AttentionItem(
                key=f"consent.expiring.{auth.id}",
                kind="consent_expiring",
                severity=Severity.WARNING,
                page=PAGE,
                due=due,
                target=f"patient:{auth.patient_id}",
                params={
                    "authorization_id": auth.id,
                    "patient_id": auth.patient_id,
                    "expires_on": auth.expires_on.isoformat(),
                },
            )
        )
    return items


def _takedowns(consent: ConsentService) -> list[AttentionItem]:
    return [
        AttentionItem(
            key=f"consent.takedown.{t.id}",
            kind="consent_takedown",
            severity=Severity.URGENT,
            page=PAGE,
            due=t.created_at,
            target=f"takedown:{t.id}",
            params={
                "takedown_id": t.id,
                "post_id": t.post_id,
                "platform": t.platform,
                "url": t.url,
                "reason": t.reason,
            },
        )
        for t in consent.takedowns(open_only=True)
    ]
