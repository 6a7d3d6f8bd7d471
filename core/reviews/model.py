"""Reviews, mentions, their triage and replies: frozen dataclasses and enums.

``core.reviews.rules`` decides due times and what a step allows, ``core.reviews.service``
stores and changes them. Moments are aware UTC datetimes; ``version`` belongs to storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Source(StrEnum):
    GOOGLE = "google"
    FACEBOOK = "facebook"
    YELP = "yelp"
    HEALTHGRADES = "healthgrades"
    ZOCDOC = "zocdoc"
    VITALS = "vitals"
    RATEMDS = "ratemds"
    OTHER = "other"


class ItemKind(StrEnum):
    REVIEW = "review"
    MENTION = "mention"
    """An item from a feed (e.g. Google Alerts): someone wrote about the practice."""


class ReviewStatus(StrEnum):
    """Where an item is: discover → evaluate → respond."""

    NEW = "new"
    TRIAGED = "triaged"
    """Assessed; the decision is to respond (a reply is being written)."""
    AWAITING_APPROVAL = "awaiting_approval"
    """A reply to a negative review waits for an approver."""
    APPROVED = "approved"
    """The reply is approved; someone has to post it on the site."""
    REPLIED = "replied"
    NO_RESPONSE = "no_response"
    """Decided not to answer (a reason is recorded)."""
    ESCALATED = "escalated"
    """Passed to the manager or the doctor."""


class Authenticity(StrEnum):
    """Is it a real person? (the first assessment step)"""

    LIKELY_REAL = "likely_real"
    SUSPICIOUS = "suspicious"
    SPAM = "spam"


class ReviewType(StrEnum):
    PRAISE = "praise"
    MISUNDERSTANDING = "misunderstanding"
    FIXABLE_PROBLEM = "fixable_problem"
    """An unhappy patient with a problem the practice can fix."""
    TROLL = "troll"
    SPAM = "spam"


class Decision(StrEnum):
    RESPOND = "respond"
    NO_RESPONSE = "no_response"
    ESCALATE_MANAGER = "escalate_manager"
    ESCALATE_DOCTOR = "escalate_doctor"


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    """A review (or a mention) as collected. ``external_id`` is the source's own id when it
    has one; otherwise ``content_hash`` (source + author + date + text) de-duplicates it.
    ``rating`` is 1–5 stars, ``None`` for a mention or a source without stars. ``text`` is
    shown as plain text only, never as rich text or HTML. ``sentiment_score`` is VADER's
    compound score (−1…1); ``themes`` are theme ids from the editable keyword rules."""

    id: int | None
    kind: ItemKind
    source: Source
    external_id: str
    author: str
    rating: int | None
    posted_at: datetime
    text: str
    url: str
    content_hash: str
    collected_at: datetime
    status: ReviewStatus = ReviewStatus.NEW
    sentiment: Sentiment = Sentiment.NEUTRAL
    sentiment_score: float = 0.0
    themes: tuple[str, ...] = ()
    due_at: datetime | None = None
    assignee_id: int | None = None
    version: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """The evaluation, step by step, and the decision (``reason`` required for no response
    and for escalations)."""

    authenticity: Authenticity
    review_type: ReviewType
    reach: int
    """1 (a handful of readers) … 3 (a top review on a busy profile)."""
    severity: int
    """1 (mild) … 3 (serious accusation)."""
    decision: Decision
    reason: str
    assessed_by: int
    assessed_at: datetime


class RemoteState(StrEnum):
    """Where a reply posted through the site's API stands (the Google Business Profile's
    ``updateReply``); a reply posted by hand has none."""

    SENDING = "sending"
    """Recorded before the call: if nothing else follows, the app stopped mid-call and the
    next attempt asks the site first."""
    POSTED = "posted"
    FAILED = "failed"
    """The site refused, or could not be reached (nothing changed there): ``remote_error``
    says why; posting again is safe."""
    UNCERTAIN = "uncertain"
    """No answer came back: the next attempt asks the site before sending again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """The practice's answer. A reply to a negative review needs an approver
    (``approved_by``) before anyone posts it; ``posted_by``/``posted_at`` record that a person
    posted it on the site, by hand or with "Post to Google" (nothing is posted automatically).
    A reply someone wrote on the site itself (found when the review was collected) has no
    ``written_by``, ``approved_by`` or ``posted_by``: ``posted_at`` is the site's time of it.
    ``remote_state`` and the other ``remote_*`` fields: the outcome of posting it through the
    site's API (``remote_updated_at`` is the site's own time of the reply,
    ``remote_error_code``/``remote_error`` the last problem, in a code and the site's plain
    words)."""

    text: str
    written_by: int | None
    written_at: datetime
    approved_by: int | None = None
    approved_at: datetime | None = None
    posted_by: int | None = None
    posted_at: datetime | None = None
    remote_state: RemoteState | None = None
    remote_updated_at: datetime | None = None
    remote_error_code: str = ""
    remote_error: str = ""
