"""X's weighted length, as twitter-text v3 ``parseTweet`` computes it.

The text is NFC-normalised; every link counts ``url_length``; every emoji sequence (with emoji
parsing on) counts ``default_weight``; every other code point weighs what its range says. The
result agrees with twitter-text's conformance suite (``tests/core/test_twitter_conformance.py``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from core.platforms.links import INVALID_CHARS, find_links
from core.platforms.model import TwitterWeights
from core.platforms.scan import emoji_spans, grapheme_start

_INVALID = re.compile(f"[{INVALID_CHARS}]")


@dataclass(frozen=True, slots=True)
class TweetCount:
    """The outcome of weighing a post for X.

    ``weight`` is in ``scale`` units (``weighted_length`` is what X shows). ``fit_end`` is where
    twitter-text's valid range ends (exclusive) in the original text: before the first invalid
    character or the first unit past the limit. ``overflow_start`` is where the part past the
    limit starts in the original text (at the grapheme cluster holding the first unit past it),
    ``None`` when it fits.
    """

    weighted_length: int
    weight: int
    has_invalid_characters: bool
    fit_end: int
    overflow_start: int | None


class _Weigher:
    """Weighs runs of ordinary characters quickly: one regex count per weight class."""

    def __init__(self, weights: TwitterWeights) -> None:
        self.default = weights.default_weight
        self.ranges = weights.ranges
        by_weight: dict[int, list[str]] = {}
        for span in weights.ranges:
            by_weight.setdefault(span.weight, []).append(
                f"{_escape(span.start)}-{_escape(span.end)}"
            )
        # A code point takes the first range that holds it, so later classes drop earlier ones.
        self.classes: list[tuple[int, re.Pattern[str]]] = []
        earlier: list[str] = []
        for weight, parts in by_weight.items():
            exclude = f"(?![{''.join(earlier)}])" if earlier else ""
            self.classes.append((weight, re.compile(f"{exclude}[{''.join(parts)}]")))
            earlier += parts

    def run(self, text: str, start: int, end: int) -> int:
        total = self.default * (end - start)
        for weight, pattern in self.classes:
            if weight != self.default:
                total += (weight - self.default) * len(pattern.findall(text, start, end))
        return total

    def char(self, char: str) -> int:
        code = ord(char)
        for span in self.ranges:
            if span.start <= code <= span.end:
                return span.weight
        return self.default


def _escape(code: int) -> str:
    return f"\\U{min(code, 0x10FFFF):08x}"


@lru_cache(maxsize=8)
def _weigher(weights: TwitterWeights) -> _Weigher:
    return _Weigher(weights)


def _entities(
    normalized: str, weights: TwitterWeights, url_length: int | None
) -> list[tuple[int, int, int]]:
    """Links and emoji as ``(start, end, weight)``, as twitter-text's left-to-right walk takes
    them: a link wins over an emoji starting at the same place, and nothing inside a taken
    entity starts another. With no ``url_length``, links count as written."""
    candidates: list[tuple[int, int, int, int]] = []
    if url_length is not None:
        candidates += [
            (start, 0, end, url_length * weights.scale) for start, end in find_links(normalized)
        ]
    if weights.emoji_parsing:
        candidates += [
            (start, 1, end, weights.default_weight) for start, end in emoji_spans(normalized)
        ]
    taken: list[tuple[int, int, int]] = []
    position = 0
    for start, _, end, weight in sorted(candidates):
        if start >= position:
            taken.append((start, end, weight))
            position = end
    return taken


def _original_index(text: str, normalized: str, index: int) -> int:
    """Where position ``index`` of the NFC form of ``text`` falls in ``text`` itself.

    That is the longest prefix of ``text`` whose NFC form is ``index`` long, so combining marks
    that NFC folds into the character before ``index`` stay before it.
    """
    if normalized == text:
        return index
    return (
        bisect_right(
            range(len(text) + 1),
            index,
            key=lambda end: len(unicodedata.normalize("NFC", text[:end])),
        )
        - 1
    )


def count_tweet(
    text: str, weights: TwitterWeights, url_length: int | None, limit: int
) -> TweetCount:
    """Weigh ``text`` for X with a limit of ``limit`` weighted characters."""
    normalized = unicodedata.normalize("NFC", text)
    weigher = _weigher(weights)
    entities = _entities(normalized, weights, url_length)
    total = 0
    position = 0
    for start, end, weight in entities:
        total += weigher.run(normalized, position, start) + weight
        position = end
    total += weigher.run(normalized, position, len(normalized))

    invalid = _INVALID.search(normalized)
    fit_end = invalid.start() if invalid else len(normalized)
    overflow = None
    if total > limit * weights.scale:
        first_past, overflow = _first_unit_past(
            normalized, entities, weigher, limit * weights.scale
        )
        fit_end = min(fit_end, first_past)
    return TweetCount(
        weighted_length=-(-total // weights.scale),
        weight=total,
        has_invalid_characters=invalid is not None,
        fit_end=_original_index(text, normalized, fit_end),
        overflow_start=None if overflow is None else _original_index(text, normalized, overflow),
    )


def _first_unit_past(
    normalized: str, entities: list[tuple[int, int, int]], weigher: _Weigher, budget: int
) -> tuple[int, int]:
    """Where the character or entity that takes the weight over ``budget`` starts, and where
    the part to highlight starts: the grapheme cluster holding that character."""
    used = 0
    position = 0
    for start, end, weight in [*entities, (len(normalized), len(normalized), 0)]:
        run = weigher.run(normalized, position, start)
        if used + run > budget:
            for index in range(position, start):
                used += weigher.char(normalized[index])
                if used > budget:  # the whole cluster goes, but never a piece of an entity
                    return index, max(grapheme_start(normalized, index), position)
        used += run + weight
        if used > budget:
            return start, start
        position = end
    return len(normalized), len(normalized)
