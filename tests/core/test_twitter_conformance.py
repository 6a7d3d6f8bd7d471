"""X's weighted length against twitter-text's own conformance suite (``validate.yml``).

The suite lives in ``../shared/conformance/twitter-text/`` next to the checkout. Without it these
tests skip locally, but fail under CI, which always has it. Sections run:

- ``WeightedTweetsWithDiscountedEmojiCounterTest`` and ``UnicodeDirectionalMarkerCounterTest``:
  twitter-text v3 (today's X), through ``core.platforms.measure`` and every expected field.
- ``WeightedTweetsCounterTest``: the v2 weighting (emoji parsing off), same fields.
- ``tweets``: validity under the v1 rules the section was written for (140 characters, each
  character 1). Under v3 two of its cases, "Invalid Tweet: 141 characters" and "(due to
  newline)", weigh 143 and are valid today, which ``test_v1_tweets_are_valid_on_today_x`` pins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.platforms import TwitterWeights, measure
from core.platforms.twitter import count_tweet

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT.parent / "shared" / "conformance" / "twitter-text" / "validate.yml"
V3_SECTIONS = (
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)
V1 = TwitterWeights(scale=1, default_weight=1, ranges=(), emoji_parsing=False)
V2 = TwitterWeights(emoji_parsing=False)
V3 = TwitterWeights()
LONGER_ON_V1 = {"Invalid Tweet: 141 characters", "Invalid Tweet: 141 characters (due to newline)"}


def _suite() -> dict[str, list[dict[str, Any]]]:
    if not SUITE.exists():
        return {}
    tests: dict[str, list[dict[str, Any]]] = yaml.safe_load(SUITE.read_text("utf-8"))["tests"]
    return tests


SECTIONS = _suite()


def _cases(*sections: str) -> list[Any]:
    """One pytest param per case, with its description as id; one ``None`` if the suite is gone."""
    if not SECTIONS:
        return [pytest.param(None, id="suite-missing")]
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section in sections
        for case in SECTIONS.get(section, [])
    ]


def _need(case: dict[str, Any] | None) -> dict[str, Any]:
    """The case; without the suite, skip, except under CI, which always has it."""
    if case is None:
        message = f"twitter-text conformance suite not found at {SUITE}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message)
        pytest.skip(message)
    return case


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _parse_tweet(text: str, weights: TwitterWeights) -> dict[str, object]:
    """twitter-text's ``parseTweet`` result fields, from our counter."""
    count = count_tweet(text, weights, 23, 280)
    return {
        "weightedLength": count.weighted_length,
        "valid": not count.has_invalid_characters and 0 < count.weight <= 280 * weights.scale,
        "permillage": count.weight * 1000 // (280 * weights.scale),
        "displayRangeStart": 0,
        "displayRangeEnd": max(_utf16(text) - 1, 0),
        "validRangeStart": 0,
        "validRangeEnd": max(_utf16(text[: count.fit_end]) - 1, 0),
    }


@pytest.mark.parametrize("section", [*V3_SECTIONS, "WeightedTweetsCounterTest", "tweets"])
def test_suite_has_the_section(section: str) -> None:
    if not SECTIONS:
        _need(None)
    assert SECTIONS.get(section), f"{section} is missing or empty in {SUITE}"


@pytest.mark.parametrize("case", _cases(*V3_SECTIONS))
def test_v3_counter(case: dict[str, Any] | None) -> None:
    case = _need(case)
    expected = case["expected"]
    assert _parse_tweet(case["text"], V3) == expected
    measured = measure(case["text"], "x")
    assert (measured.length, measured.valid) == (expected["weightedLength"], expected["valid"])


@pytest.mark.parametrize("case", _cases("WeightedTweetsCounterTest"))
def test_v2_counter(case: dict[str, Any] | None) -> None:
    case = _need(case)
    assert _parse_tweet(case["text"], V2) == case["expected"]


@pytest.mark.parametrize("case", _cases("tweets"))
def test_v1_tweet_validity(case: dict[str, Any] | None) -> None:
    case = _need(case)
    count = count_tweet(case["text"], V1, 23, 140)
    valid = not count.has_invalid_characters and 0 < count.weight <= 140
    assert valid is case["expected"]


@pytest.mark.parametrize("case", _cases("tweets"))
def test_v1_tweets_are_valid_on_today_x(case: dict[str, Any] | None) -> None:
    case = _need(case)
    expected = True if case["description"] in LONGER_ON_V1 else case["expected"]
    assert measure(case["text"], "x").valid is expected
