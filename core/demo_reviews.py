"""The demo practice's review inbox: about three hundred invented reviews across the review
sites in every state (replied, no response, escalated to the manager or the doctor, waiting
for approval, approved, drafts, new — some overdue), one troll with a recorded no-response
reason, and a Google Alert feed with a few mentions.

Every author is generated from the lists below: nobody real. Some reviewers disclose their own
treatment in their words (as real ones do), so their replies must not echo it: every demo reply
is general and passes the reply check. Built through the services (``ReviewService.as_of`` for
the history), so every record obeys the rules and is audited.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from core.app import Services
from core.clock import ManualClock
from core.demo import DemoStaff
from core.reviews.model import (
    Authenticity,
    Decision,
    ItemKind,
    Review,
    ReviewStatus,
    ReviewType,
    Source,
)
from core.reviews.ports import ReviewQuery
from core.reviews.service import ReviewService, is_negative

REVIEW_COUNT = 300
FEED_URL = "https://www.google.com/alerts/feeds/00000000000000000000/1111111111111111111"

_FIRST = (
    "Avery", "Blake", "Cam", "Dana", "Eli", "Frankie", "Gale", "Harper", "Indy", "Jules",
    "Kit", "Lane", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum",
)  # fmt: skip
_LAST = "ABCDFGHJKLMNPRSTVWYZ"
_MONIKERS = ("smile_seeker", "ToothFairy22", "springfield_mom", "CoffeeAndFloss", "J.")
_SOURCES = (
    (Source.GOOGLE, 55),
    (Source.FACEBOOK, 12),
    (Source.YELP, 12),
    (Source.HEALTHGRADES, 8),
    (Source.ZOCDOC, 7),
    (Source.VITALS, 3),
    (Source.RATEMDS, 3),
)
_GOOD = (
    "The front desk team was warm and got me in the same week.",
    "Spotless office and the hygienist explained everything.",
    "Dr. Okafor's team made my kids feel at ease.",
    "Easy online booking and reminders by text.",
    "Friendly staff, short wait, fair prices.",
    "I used to dread the dentist. Not anymore.",
    "My crown fits perfectly and the whole visit took under an hour.",
    "After my wisdom teeth came out they called the next day to check on me.",
)
_MIXED = (
    "Good care, but the wait was longer than promised.",
    "Nice people. The parking lot is tiny though.",
    "Cleaning was fine; the billing statement was confusing.",
    "Took two calls to reschedule, but the visit itself went well.",
)
_BAD = (
    "Waited fifty minutes past my appointment and nobody said sorry.",
    "Billing charged me twice and it took weeks to sort out.",
    "The receptionist was rude when I asked about costs.",
    "My filling fell out a month later and I had to pay again.",
    "They cancelled on me twice in one week.",
    "Front desk never returned my calls about my anxiety medication before the extraction.",
    "The waiting room was dirty and the magazines were from 2019.",
)
_TROLL = (
    "WORST DENTIST IN THE STATE!!! Go to my cousin's practice instead, link in bio "
    "https://spam.example/deal"
)
_THANKS = (
    "Thank you so much for the kind words! Our whole team is glad to hear it.",
    "Thank you for taking the time to write this. It means a lot to our team.",
)
_APOLOGY = (
    "Thank you for taking the time to share this. We hold every patient visit to a high "
    "standard and want to hear more. Please call our office manager at (217) 555-0142 so we "
    "can talk."
)
_PRIVACY = (
    "We take privacy seriously and cannot discuss anyone's care online. Please call our "
    "office manager at (217) 555-0142 so we can talk."
)
_MENTIONS = (
    (
        "tag:google.com,2013:googlealerts/feed:demo-1",
        "Maple Grove Family Dental sponsors the Springfield 5K",
        "https://news.example/springfield-5k",
    ),
    (
        "tag:google.com,2013:googlealerts/feed:demo-2",
        "Best family dentists in Springfield, IL (2026 list)",
        "https://blog.example/best-dentists-springfield",
    ),
    (
        "tag:google.com,2013:googlealerts/feed:demo-3",
        "Forum: anyone tried Maple Grove for a kid's first visit?",
        "https://forum.example/t/maple-grove-first-visit",
    ),
)


def _atom(now: datetime) -> bytes:
    entries = "".join(
        f"<entry><id>{key}</id><title>{title}</title><link href='{url}'/>"
        f"<published>{(now - timedelta(days=n + 1)).strftime('%Y-%m-%dT%H:%M:%SZ')}</published>"
        f"<content type='html'>A mention of the practice.</content></entry>"
        for n, (key, title, url) in enumerate(_MENTIONS)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Google Alert - Maple Grove Family Dental</title>{entries}</feed>"
    ).encode()


def _author(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(_MONIKERS)
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}."


def _text(rng: random.Random, rating: int) -> str:
    pool = _GOOD if rating >= 4 else _MIXED if rating == 3 else _BAD
    first = rng.choice(pool)
    second = rng.choice(pool)
    return first if first == second or rng.random() < 0.4 else f"{first} {second}"


class _Batch:
    """The reviews a site had for the practice on one day, as a connected source returns
    them (``ReviewService.collect``: one transaction for the lot)."""

    name = "demo"

    def __init__(self, reviews: list[Review]) -> None:
        self._reviews = reviews

    def fetch_new(self, since: datetime | None) -> list[Review]:
        return self._reviews


def _collect(services: Services, items: list[Review], now: datetime) -> list[Review]:
    """Collect the reviews day by day (the practice checked the sites every morning), then
    read them back as stored."""
    days: dict[object, list[Review]] = {}
    for item in items:
        days.setdefault(item.posted_at.date(), []).append(item)
    for _day, batch in sorted(days.items(), key=lambda kv: max(r.posted_at for r in kv[1])):
        collected = min(max(r.posted_at for r in batch) + timedelta(hours=1), now)
        _at(services, collected).collect(_Batch(batch))
    page, _total = services.reviews.list(ReviewQuery(limit=len(items) + 10))
    return [r for r in page if r.kind is ItemKind.REVIEW]


_FROZEN: dict[int, ReviewService] = {}


def _at(services: Services, when: datetime) -> ReviewService:
    """The inbox acting at ``when``, its providers read once per demo (fast)."""
    key = id(services)
    if key not in _FROZEN:
        _FROZEN.clear()
        _FROZEN[key] = services.reviews.frozen()
    return _FROZEN[key].as_of(ManualClock(when))


def create_demo_reviews(services: Services, staff: DemoStaff) -> None:
    """Fill the inbox (``REVIEW_COUNT`` reviews over the last fourteen months) and add the
    mentions feed, polled once."""
    rng = random.Random(6)  # noqa: S311 - sample data, not secrets
    now = services.clock.now()
    sources = [s for s, _ in _SOURCES]
    weights = [w for _, w in _SOURCES]
    items: list[tuple[Review, float]] = []
    for n in range(REVIEW_COUNT):
        age = rng.random()
        # Older reviews are spread over 14 months; a fifth arrived in the last week.
        days = rng.uniform(0, 7) if n % 5 == 0 else rng.uniform(7, 425)
        posted = now - timedelta(days=days, minutes=rng.randrange(0, 600))
        rating = rng.choices([1, 2, 3, 4, 5], weights=[9, 5, 8, 20, 58])[0]
        source = rng.choices(sources, weights)[0]
        text = _TROLL if n == 7 else _text(rng, rating)
        rating = 1 if n == 7 else rating
        item = Review(
            id=None,
            kind=ItemKind.REVIEW,
            source=source,
            external_id=f"demo-{source.value}-{n:04d}",
            author=_author(rng),
            rating=rating,
            posted_at=posted,
            text=text,
            url=f"https://reviews.example/{source.value}/demo-{n:04d}",
            content_hash="",
            collected_at=posted,
        )
        items.append((item, age))
    try:
        made = _collect(services, [i for i, _ in items], now)
        rolls = {i.external_id: age for i, age in items}
        troll = items[7][0].external_id
        for review in sorted(made, key=lambda r: r.id or 0):
            _play(
                services,
                staff,
                review,
                rolls[review.external_id],
                troll=review.external_id == troll,
            )
    finally:
        _FROZEN.clear()
    feed = services.reviews.add_feed(staff.admin, FEED_URL, "Mentions: Maple Grove Family Dental")
    data = _atom(now)
    services.reviews.poll_feeds(lambda url: data if url == feed.url else b"")


def _play(
    services: Services, staff: DemoStaff, review: Review, roll: float, *, troll: bool
) -> None:
    """Walk one review to a state: old ones mostly replied, recent ones anywhere."""
    assert review.id is not None
    start = max(review.posted_at, review.collected_at) + timedelta(hours=2)
    recent = services.clock.now() - review.posted_at < timedelta(days=7)
    later = _at(services, min(start, services.clock.now()))
    rid = review.id
    if troll:
        later.assess(
            staff.manager,
            rid,
            review.version,
            Authenticity.SPAM,
            ReviewType.TROLL,
            1,
            1,
            Decision.NO_RESPONSE,
            "Troll: same text posted on other practices' pages, advertises a link",
        )
        return
    if recent:
        _recent(services, staff, review, roll, later)
        return
    if roll < 0.06:
        later.assess(
            staff.manager,
            rid,
            review.version,
            Authenticity.SUSPICIOUS,
            ReviewType.SPAM,
            1,
            1,
            Decision.NO_RESPONSE,
            "Looks like spam: no visit on record matches the profile's pattern",
        )
        return
    _reply(services, staff, review, start, mark=True)


def _recent(
    services: Services,
    staff: DemoStaff,
    review: Review,
    roll: float,
    later: ReviewService,
) -> None:
    rid = review.id or 0
    if roll < 0.35:
        return  # new; the older of these are overdue
    if roll < 0.45:
        later.assess(
            staff.front_desk,
            rid,
            review.version,
            Authenticity.LIKELY_REAL,
            ReviewType.FIXABLE_PROBLEM,
            2,
            3,
            Decision.ESCALATE_DOCTOR if roll < 0.42 else Decision.ESCALATE_MANAGER,
            "Clinical complaint: the doctor should decide how we answer",
        )
        return
    start = max(review.posted_at, review.collected_at) + timedelta(hours=2)
    _reply(services, staff, review, min(start, services.clock.now()), mark=roll > 0.8)


def _reply(
    services: Services, staff: DemoStaff, review: Review, start: datetime, *, mark: bool
) -> None:
    rid = review.id or 0
    negative = is_negative(review)
    step: Callable[[int], ReviewService] = lambda hours: _at(  # noqa: E731
        services, min(start + timedelta(hours=hours), services.clock.now())
    )
    r = step(0).assess(
        staff.front_desk,
        rid,
        review.version,
        Authenticity.LIKELY_REAL,
        ReviewType.FIXABLE_PROBLEM if negative else ReviewType.PRAISE,
        1,
        2 if negative else 1,
        Decision.RESPOND,
    )
    text = (_PRIVACY if "medication" in review.text else _APOLOGY) if negative else _THANKS[rid % 2]
    r = step(1).save_reply(staff.front_desk, rid, r.version, text)
    if not mark and rid % 3 == 0:
        return  # a draft
    r = step(2).submit_reply(staff.front_desk, rid, r.version)
    if r.status is ReviewStatus.AWAITING_APPROVAL:
        if not mark and rid % 3 == 1:
            return  # waits for the manager
        r = step(5).approve_reply(staff.manager, rid, r.version)
    if mark:
        step(6).mark_replied(staff.front_desk, rid, r.version)
