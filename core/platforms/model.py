"""Platform text rules and the result of measuring a post against them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Counting(StrEnum):
    """What one unit of a platform's text limit is."""

    TWITTER = "twitter"  # twitter-text v3 weighted length (see ``TwitterWeights``)
    GRAPHEMES = "graphemes"  # user-perceived characters: a ZWJ family emoji is one
    CODE_POINTS = "code_points"  # Unicode code points: a ZWJ family emoji is seven
    UTF16 = "utf16"  # UTF-16 code units, a JavaScript string's length: most emoji are two
    UTF8 = "utf8"  # UTF-8 bytes


@dataclass(frozen=True, slots=True)
class WeightRange:
    """Code points ``start``..``end`` (inclusive) weigh ``weight`` (in ``scale`` units)."""

    start: int
    end: int
    weight: int


@dataclass(frozen=True, slots=True)
class TwitterWeights:
    """twitter-text's weighting (its ``config/v3.json``): most Latin text weighs 1, the rest 2.

    A character's weight is that of the first range holding it, else ``default_weight``; the
    length is the sum of the weights divided by ``scale``. With ``emoji_parsing`` an emoji sequence
    (a ZWJ family, a flag, a skin-toned hand) weighs ``default_weight`` as a whole.
    """

    scale: int = 100
    default_weight: int = 200
    ranges: tuple[WeightRange, ...] = (
        WeightRange(0, 4351, 100),
        WeightRange(8192, 8205, 100),
        WeightRange(8208, 8223, 100),
        WeightRange(8242, 8247, 100),
    )
    emoji_parsing: bool = True


@dataclass(frozen=True, slots=True)
class PlatformRule:
    """How one platform limits the text of a post. Values come from ``resources/platforms.json``.

    ``url_length`` set: every link counts as that many units whatever its length (links without
    ``http(s)://`` only when ``urls_need_protocol`` is false). ``remote_mentions_local_part``:
    ``@ana@example.social`` counts as ``@ana``. ``emoji_as_utf8_bytes``: an emoji counts its UTF-8
    bytes (Threads). ``byte_limit``, ``link_limit`` and ``hashtag_limit`` are further caps;
    ``warn_phone_numbers`` flags text holding a phone number valid in ``phone_region``.
    ``compose_url`` opens the platform's composer; ``{server}`` stands for a Mastodon server.
    """

    id: str
    name: str
    limit: int
    counting: Counting
    compose_url: str = ""
    url_length: int | None = None
    urls_need_protocol: bool = False
    remote_mentions_local_part: bool = False
    emoji_as_utf8_bytes: bool = False
    byte_limit: int | None = None
    link_limit: int | None = None
    hashtag_limit: int | None = None
    warn_phone_numbers: bool = False
    phone_region: str = "US"
    weights: TwitterWeights | None = None


@dataclass(frozen=True, slots=True)
class Measurement:
    """A post's text measured against one platform's rules.

    ``length`` and ``limit`` are in the platform's own units (X: weighted characters; Bluesky:
    grapheme clusters). ``overflow_start`` is the index in the measured text where the part past
    the limit begins (always at the start of a grapheme cluster; ``None`` when it fits), for
    highlighting. ``problems`` are codes that make the text unpublishable: ``empty``,
    ``too_long``, ``too_many_bytes``, ``too_many_links``, ``too_many_hashtags``,
    ``invalid_characters``. ``warnings`` are codes worth a look that do not block it:
    ``phone_number``. The GUI words the codes.
    """

    platform: str
    length: int
    limit: int
    valid: bool
    overflow_start: int | None = None
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def remaining(self) -> int:
        """Units left before the limit; negative when over it."""
        return self.limit - self.length
