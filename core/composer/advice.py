"""Advice on a post: hints worth a look that never block it (DOMAIN.md, "Content planning").

Codes (the GUI words them; ``Advice.params`` has the numbers):

- ``no_call_to_action`` (per platform): nothing invites the reader to call, book, visit or follow
  a link.
- ``text_only_on_visual_platform`` (Facebook): no image; text-only posts get little reach.
  (Instagram without an image is a *problem*, see ``core.composer.readiness``.)
- Platform warnings from ``core.platforms.measure`` (per platform), e.g. ``phone_number`` on a
  Google Business Profile post, which Google tends to reject.
- ``self_promotion_share``: the post is self-promotional and so were more than ``threshold`` of
  the posts of the last 30 days (``params``: ``promotional``, ``total``, ``threshold``).
- ``posting_frequency``: posting more or less often than the practice's plan (``params``:
  ``direction`` ``"more"``/``"less"``, ``per_week``, ``target``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from core.composer.model import Advice, Post, PostState
from core.composer.variants import published_texts
from core.platforms import PlatformRules, measure

VISUAL_PLATFORMS = frozenset({"facebook"})
"""Platforms that take text-only posts but show them to few people."""

_CALL_TO_ACTION = re.compile(
    r"""
    \b(?:call|phone\s+us|text\s+us|book|schedule|visit|stop\s+by|drop\s+by|come\s+(?:in|see)|contact
       |reach\s+out|ask\s+us|message\s+us|dm\s+us|email\s+us|sign\s+up|register|rsvp
       |reserve|join\s+us|learn\s+more|read\s+more|find\s+out|click|tap|link|website)\b
    | https?://\S+ | \bwww\.\S+ | \b[\w-]+\.(?:com|org|net|gov|edu|health|dental|clinic)\b
    | \(?\b\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

_SELF_PROMOTION = re.compile(
    r"""
    \b(?:discounts?|specials?|promo(?:tion)?s?|coupons?|sale|savings?|save\s+\$?\d+
       |\d+\s*%\s*off|off\s+your|free\s+(?:consultation|exam|whitening|cleaning|gift)
       |book\s+(?:now|today|online)|new\s+patients?\s+welcome|accepting\s+new\s+patients
       |limited[\s-]time|gift\s+cards?|refer\s+a\s+friend|referral\s+(?:program|reward)
       |financing|payment\s+plans?|award[\s-]winning|best\s+in\s+town)\b
    | \$\s?\d+
    """,
    re.IGNORECASE | re.VERBOSE,
)

SELF_PROMOTION_WINDOW = timedelta(days=30)
SELF_PROMOTION_THRESHOLD = 1 / 3
SELF_PROMOTION_MIN_POSTS = 3
"""Fewer posts than this in the window say too little about the mix to advise on it."""
FREQUENCY_HALF_WINDOW = timedelta(days=14)
FREQUENCY_TOLERANCE = 0.5
"""Advise when the posting rate is off the plan by more than this share of the target."""

_COUNTED_STATES = frozenset({PostState.SCHEDULED, PostState.PUBLISHING, PostState.PUBLISHED})


def advise(
    post: Post,
    *,
    history: Iterable[Post],
    now: datetime,
    posts_per_week: float | None = None,
    rules: PlatformRules | None = None,
    limits: Mapping[str, int] | None = None,
) -> list[Advice]:
    """All advice for ``post``, given the practice's other posts (``history``; ``post`` itself
    is skipped there by id) and its plan (``posts_per_week``; ``None`` means no plan)."""
    others = [p for p in history if post.id is None or p.id != post.id]
    found = call_to_action_advice(post) + visual_advice(post)
    found += platform_warnings(post, rules=rules, limits=limits)
    share = self_promotion_advice(post, others, now)
    if share is not None:
        found.append(share)
    if posts_per_week is not None:
        frequency = posting_frequency_advice(others, now, posts_per_week)
        if frequency is not None:
            found.append(frequency)
    return found


def has_call_to_action(text: str) -> bool:
    """Whether ``text`` asks the reader to do something: call, book, visit, follow a link…"""
    return _CALL_TO_ACTION.search(text) is not None


def is_self_promotional(text: str) -> bool:
    """Whether ``text`` advertises the practice (offers, discounts, "book now", "new patients
    welcome"…) rather than informing. Simple keyword rules: good enough to keep a mix."""
    return _SELF_PROMOTION.search(text) is not None


def post_is_self_promotional(post: Post) -> bool:
    """Whether any of the texts of ``post`` is self-promotional."""
    return any(is_self_promotional(t) for t in (post.master_text, *published_texts(post).values()))


def call_to_action_advice(post: Post) -> list[Advice]:
    """``no_call_to_action`` for each platform whose text has none (not for empty texts)."""
    return [
        Advice("no_call_to_action", platform)
        for platform, text in published_texts(post).items()
        if text.strip() and not has_call_to_action(text)
    ]


def visual_advice(post: Post) -> list[Advice]:
    """``text_only_on_visual_platform`` for Facebook when the post has no image."""
    if post.media_hashes:
        return []
    return [
        Advice("text_only_on_visual_platform", p) for p in post.platforms if p in VISUAL_PLATFORMS
    ]


def platform_warnings(
    post: Post, *, rules: PlatformRules | None = None, limits: Mapping[str, int] | None = None
) -> list[Advice]:
    """The warnings of ``core.platforms.measure`` per platform, e.g. ``phone_number`` (gbp)."""
    found: list[Advice] = []
    for platform, text in published_texts(post).items():
        limit = (limits or {}).get(platform)
        measured = measure(text, platform, limit=limit, rules=rules)
        found.extend(Advice(code, platform) for code in measured.warnings)
    return found


def post_time(post: Post) -> datetime | None:
    """When a post went or goes out: published time, or scheduled time while pending; ``None``
    for posts that are not (yet) on the calendar."""
    if post.state is PostState.PUBLISHED:
        return post.published_at
    if post.state in _COUNTED_STATES:
        return post.scheduled_at
    return None


def self_promotion_advice(
    post: Post,
    history: Iterable[Post],
    now: datetime,
    *,
    threshold: float = SELF_PROMOTION_THRESHOLD,
    min_posts: int = SELF_PROMOTION_MIN_POSTS,
) -> Advice | None:
    """``self_promotion_share`` when ``post`` is self-promotional and, counting it, more than
    ``threshold`` of the posts that went out in the last 30 days were too."""
    if not post_is_self_promotional(post):
        return None
    since = now - SELF_PROMOTION_WINDOW
    recent = [p for p in history if _within(post_time(p), since, now)]
    total = len(recent) + 1
    promotional = sum(post_is_self_promotional(p) for p in recent) + 1
    if total < min_posts or promotional / total <= threshold:
        return None
    return Advice(
        "self_promotion_share",
        params={"promotional": promotional, "total": total, "threshold": threshold},
    )


def posting_frequency_advice(
    history: Iterable[Post],
    now: datetime,
    posts_per_week: float,
    *,
    tolerance: float = FREQUENCY_TOLERANCE,
) -> Advice | None:
    """``posting_frequency`` when the posts of the two weeks before ``now`` and those scheduled
    for the two weeks after it average more or fewer per week than ``posts_per_week``, by more
    than ``tolerance`` of it."""
    if posts_per_week <= 0:
        raise ValueError("posts_per_week must be positive")
    start, end = now - FREQUENCY_HALF_WINDOW, now + FREQUENCY_HALF_WINDOW
    count = sum(_within(post_time(p), start, end) for p in history)
    per_week = count / ((end - start) / timedelta(weeks=1))
    if per_week > posts_per_week * (1 + tolerance):
        direction = "more"
    elif per_week < posts_per_week * (1 - tolerance):
        direction = "less"
    else:
        return None
    return Advice(
        "posting_frequency",
        params={"direction": direction, "per_week": per_week, "target": posts_per_week},
    )


def _within(when: datetime | None, start: datetime, end: datetime) -> bool:
    return when is not None and start <= when <= end
