"""What the platform rules look for in post text: grapheme clusters, emoji, mentions, hashtags
and phone numbers.

Grapheme clusters and emoji come from the ``regex`` package (``\\X`` and the Unicode emoji
properties), which follows the current Unicode release, so new emoji and ZWJ sequences count as
one cluster without a code change here. Every scan is cached for the last few texts: the composer
measures the same text for eight platforms on each key press.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

import phonenumbers
import regex

_GRAPHEME = regex.compile(r"\X")
_BLANK = regex.compile(r"[\p{White_Space}\p{Cf}\p{Cc}]*")

# An emoji as twitter-text counts it (one unit however many code points): a flag, a keycap, a
# pictograph with its modifier, presentation selector or tag sequence, or a ZWJ sequence of those.
# A text-style pictograph on its own (©, ™, ♥ without U+FE0F) is an ordinary character.
_TAGS = r"[\U000E0020-\U000E007E]+\U000E007F"
_ANY_PART = (
    rf"(?:\p{{Extended_Pictographic}}|\p{{Emoji_Presentation}})"
    rf"(?:\p{{Emoji_Modifier}}|\uFE0F|{_TAGS})?"
)
_EMOJI_PART = (
    rf"(?:\p{{Emoji_Presentation}}(?:\p{{Emoji_Modifier}}|\uFE0F|{_TAGS})?"
    rf"|\p{{Extended_Pictographic}}(?:\p{{Emoji_Modifier}}|\uFE0F|{_TAGS}))"
)
_EMOJI = regex.compile(
    rf"\p{{Regional_Indicator}}{{2}}"
    rf"|[#*0-9]\uFE0F?\u20E3"
    rf"|{_ANY_PART}(?:\u200D{_ANY_PART})+"
    rf"|{_EMOJI_PART}"
)

# Mastodon's mention syntax (Account::MENTION_RE): @user or @user@example.social. Mastodon
# counts a remote mention as its local part only, so the "@domain" tail is what gets dropped.
_MENTION = regex.compile(
    r"(?<![=/\w])@[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_])?(@\w+(?:[.-]+\w+)*)(?![@\w]|://)",
    regex.IGNORECASE,
)
_HASHTAG = regex.compile(r"(?<![\w&])[#＃](?![\uFE0F\u20E3])\w*[^\W\d]\w*")


@lru_cache(maxsize=16)
def grapheme_starts(text: str) -> Sequence[int]:
    """The index in ``text`` where each grapheme cluster (user-perceived character) starts."""
    if text.isascii() and "\r\n" not in text:
        return range(len(text))  # every ASCII character but CR LF is a cluster of its own
    return tuple([match.start() for match in _GRAPHEME.finditer(text)])


def grapheme_start(text: str, index: int) -> int:
    """The start of the grapheme cluster that holds ``text[index]``."""
    starts = grapheme_starts(text)
    return starts[bisect_right(starts, index) - 1] if starts else 0


@lru_cache(maxsize=16)
def emoji_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The ``(start, end)`` spans of the emoji in ``text``, each counted as one unit."""
    return tuple(match.span() for match in _EMOJI.finditer(text))


@lru_cache(maxsize=16)
def remote_mention_domains(text: str) -> tuple[tuple[int, int], ...]:
    """The spans of the ``@domain`` tails of remote mentions such as ``@ana@example.social``."""
    return tuple(match.span(1) for match in _MENTION.finditer(text))


@lru_cache(maxsize=16)
def hashtag_count(text: str) -> int:
    """How many hashtags ``text`` holds; a hashtag repeated counts each time."""
    return sum(1 for _ in _HASHTAG.finditer(text))


@lru_cache(maxsize=16)
def has_phone_number(text: str, region: str) -> bool:
    """Whether ``text`` holds a valid phone number, as dialled from ``region`` (e.g. "US")."""
    matches = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return matches.has_next()


def is_blank(text: str) -> bool:
    """Whether ``text`` has nothing visible: only spaces, line breaks and invisible controls."""
    return _BLANK.fullmatch(text) is not None


def utf8_size(text: str) -> int:
    """Bytes in UTF-8; a lone surrogate counts 3, as its replacement character would."""
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_size(text: str) -> int:
    """UTF-16 code units, the "length" of a JavaScript or Java string."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
