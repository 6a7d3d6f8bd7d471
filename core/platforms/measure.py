"""``measure``: a post's text against one platform's rules, for the composer's live counters."""

from __future__ import annotations

import re
from bisect import bisect_left

from core.platforms.links import find_links
from core.platforms.model import Counting, Measurement, PlatformRule, TwitterWeights
from core.platforms.rules import PlatformRules, default_rules
from core.platforms.scan import (
    emoji_spans,
    grapheme_start,
    grapheme_starts,
    has_phone_number,
    hashtag_count,
    is_blank,
    remote_mention_domains,
    utf8_size,
    utf16_size,
)
from core.platforms.twitter import count_tweet

_Entity = tuple[int, int, int]  # start, end, units it counts as
_ASTRAL = re.compile(r"[\U00010000-\U0010ffff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def measure(
    text: str, platform: str, *, limit: int | None = None, rules: PlatformRules | None = None
) -> Measurement:
    """Measure ``text`` for ``platform`` (``"x"``, ``"mastodon"``, ``"bluesky"``, ``"threads"``,
    ``"facebook"``, ``"instagram"``, ``"linkedin"`` or ``"gbp"``).

    ``limit`` replaces the platform's usual limit, e.g. a Mastodon server's
    ``configuration.statuses.max_characters`` or X Premium's longer posts (further caps such as
    Bluesky's 3,000 bytes stay as the rules say). ``rules`` defaults to
    ``resources/platforms.json``. Text that is empty or only spaces and invisible characters is
    never valid: no platform publishes a blank text post. Any string is accepted, lone surrogates
    and control characters included. ``ValueError`` for an unknown platform or a limit below 1.
    """
    rule = (rules or default_rules()).rule(platform)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a whole number of at least 1, not {limit!r}")
    cap = rule.limit if limit is None else limit
    problems: list[str] = []
    if is_blank(text):
        problems.append("empty")

    if rule.counting is Counting.TWITTER:
        tweet = count_tweet(text, rule.weights or TwitterWeights(), rule.url_length, cap)
        length, overflow = tweet.weighted_length, tweet.overflow_start
        if tweet.has_invalid_characters:
            problems.append("invalid_characters")
    else:
        length, overflow = _tally(text, _entities(text, rule), rule.counting, cap)

    if overflow is not None:
        problems.append("too_long")
    if rule.byte_limit is not None and utf8_size(text) > rule.byte_limit:
        problems.append("too_many_bytes")
        byte_overflow = grapheme_start(
            text, _cut(text, 0, len(text), Counting.UTF8, rule.byte_limit)
        )
        overflow = byte_overflow if overflow is None else min(overflow, byte_overflow)
    if rule.link_limit is not None and _unique_links(text) > rule.link_limit:
        problems.append("too_many_links")
    if rule.hashtag_limit is not None and hashtag_count(text) > rule.hashtag_limit:
        problems.append("too_many_hashtags")

    warnings: list[str] = []
    if rule.warn_phone_numbers and has_phone_number(text, rule.phone_region):
        warnings.append("phone_number")

    return Measurement(
        platform=rule.id,
        length=length,
        limit=cap,
        valid=not problems,
        overflow_start=overflow,
        problems=tuple(problems),
        warnings=tuple(warnings),
    )


def _unique_links(text: str) -> int:
    """Distinct links, as Threads counts them (the same URL twice is one link)."""
    return len({text[start:end] for start, end in find_links(text)})


def _entities(text: str, rule: PlatformRule) -> list[_Entity]:
    """Spans that count as a fixed number of units, in order and without overlaps."""
    found: list[_Entity] = []
    if rule.url_length is not None:
        found += [
            (start, end, rule.url_length)
            for start, end in find_links(text, need_protocol=rule.urls_need_protocol)
        ]
    if rule.remote_mentions_local_part:
        found += [(start, end, 0) for start, end in remote_mention_domains(text)]
    if rule.emoji_as_utf8_bytes:
        found += [(start, end, utf8_size(text[start:end])) for start, end in emoji_spans(text)]
    kept: list[_Entity] = []
    position = 0
    for entity in sorted(found):
        if entity[0] >= position:
            kept.append(entity)
            position = entity[1]
    return kept


def _tally(
    text: str, entities: list[_Entity], counting: Counting, limit: int
) -> tuple[int, int | None]:
    """Total units of ``text`` and where the part past ``limit`` starts (or ``None``): at the
    grapheme cluster or entity that holds the first unit past the limit."""
    used = 0
    overflow: int | None = None
    position = 0
    for start, end, units in [*entities, (len(text), len(text), 0)]:
        run = _units(text, position, start, counting)
        if overflow is None and used + run > limit:
            # The whole cluster goes, but never a piece of the entity before it.
            cut = _cut(text, position, start, counting, limit - used)
            overflow = max(grapheme_start(text, cut), position)
        used += run
        if overflow is None and used + units > limit:
            overflow = start
        used += units
        position = end
    return used, overflow


def _units(text: str, start: int, end: int, counting: Counting) -> int:
    """Units in ``text[start:end]`` counted the platform's way."""
    if counting is Counting.GRAPHEMES:
        starts = grapheme_starts(text)
        return bisect_left(starts, end) - bisect_left(starts, start)
    if counting is Counting.UTF16:
        return utf16_size(text[start:end])
    if counting is Counting.UTF8:
        return utf8_size(text[start:end])
    return end - start


def _cut(text: str, start: int, end: int, counting: Counting, budget: int) -> int:
    """Where in ``text[start:end]`` the unit that goes past ``budget`` units starts."""
    if counting is Counting.GRAPHEMES:
        starts = grapheme_starts(text)
        return starts[bisect_left(starts, start) + budget]
    if counting is Counting.CODE_POINTS:
        return start + budget
    # Only characters of more than one unit need a look: astral ones in UTF-16, non-ASCII in UTF-8.
    heavy, size = (_ASTRAL, utf16_size) if counting is Counting.UTF16 else (_NON_ASCII, utf8_size)
    used = 0
    position = start
    for match in heavy.finditer(text, start, end):
        if used + match.start() - position > budget:
            break
        used += match.start() - position + size(match.group())
        if used > budget:
            return match.start()
        position = match.end()
    return position + budget - used
