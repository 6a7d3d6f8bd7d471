"""Readiness problems (which block) and advice (which never does), both ways."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from core.composer.advice import (
    advise,
    call_to_action_advice,
    has_call_to_action,
    is_self_promotional,
    platform_warnings,
    posting_frequency_advice,
    self_promotion_advice,
    visual_advice,
)
from core.composer.model import Advice, Post, PostState, Problem
from core.composer.readiness import problems
from core.composer.variants import new_post
from core.composer.workflow import transition
from core.platforms import default_rules, rules_from
from tests.core.test_composer_workflow import AUTHOR, CLEAN, NOW, approve, schedule, submit

EDUCATION = "Floss once a day to keep your gums healthy. Questions? Call us at (217) 555-0142."
PROMO = "Spring special: 20% off teeth whitening! Book now."


def published(text: str, days_ago: float, platforms: tuple[str, ...] = ("x",)) -> Post:
    post = approve(submit(new_post(AUTHOR, text, platforms, NOW)))
    post = transition(post, PostState.PUBLISHING, AUTHOR, NOW, **CLEAN)[0]
    post = transition(post, PostState.PUBLISHED, None, NOW)[0]
    return replace(post, published_at=NOW - timedelta(days=days_ago))


def scheduled(text: str, days_ahead: float) -> Post:
    post = approve(submit(new_post(AUTHOR, text, ("x",), NOW)))
    return schedule(post, NOW + timedelta(days=days_ahead))


# --- readiness (blocking) ----------------------------------------------------------------------
def test_a_good_post_has_no_problems() -> None:
    assert problems(new_post(AUTHOR, EDUCATION, ("x", "facebook", "gbp"), NOW)) == []


def test_instagram_requires_an_image() -> None:
    post = new_post(AUTHOR, EDUCATION, ("instagram",), NOW)
    assert problems(post) == [Problem("image_required", "instagram")]
    assert problems(replace(post, media_hashes=("h1",))) == []


def test_image_caps() -> None:
    post = new_post(AUTHOR, EDUCATION, ("bluesky", "gbp"), NOW, media_hashes=["a", "b"])
    assert problems(post) == [Problem("too_many_images", "gbp", {"limit": 1, "count": 2})]
    five = replace(post, media_hashes=("a", "b", "c", "d", "e"))
    assert [p.platform for p in problems(five)] == ["bluesky", "gbp"]


def test_text_problems_come_from_measure_per_platform() -> None:
    post = new_post(AUTHOR, "a" * 301, ("x", "bluesky", "facebook"), NOW)
    assert [(p.code, p.platform) for p in problems(post)] == [
        ("too_long", "x"),
        ("too_long", "bluesky"),
    ]
    assert problems(post)[0].params == {"length": 301, "limit": 280}
    assert problems(post, limits={"x": 400, "bluesky": 400}) == []
    assert problems(new_post(AUTHOR, "  ", ("x",), NOW)) == [
        Problem("empty", "x", {"length": 2, "limit": 280})
    ]
    assert problems(new_post(AUTHOR, EDUCATION, (), NOW)) == [Problem("no_platforms")]


def test_rules_from_settings_are_used() -> None:
    rules = rules_from({"platforms": {"x": {"limit": 10}}}, base=default_rules())
    post = new_post(AUTHOR, EDUCATION, ("x",), NOW)
    assert [p.code for p in problems(post, rules=rules)] == ["too_long"]


# --- call to action ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        EDUCATION,
        "Book your cleaning online.",
        "Stop by and say hi to our new hygienist!",
        "Learn more: https://maplegrove-dental.example/whitening",
        "Details at maplegrove-dental.com",
        "Questions? 217-555-0142",
        "Join us at the health fair on Saturday.",
    ],
)
def test_texts_with_a_call_to_action(text: str) -> None:
    assert has_call_to_action(text)


@pytest.mark.parametrize(
    "text",
    ["Floss once a day to keep your gums healthy.", "Happy Thanksgiving from our team!", ""],
)
def test_texts_without_a_call_to_action(text: str) -> None:
    assert not has_call_to_action(text)


def test_call_to_action_advice_per_platform() -> None:
    post = new_post(AUTHOR, "Floss once a day.", ("x", "facebook"), NOW)
    assert call_to_action_advice(post) == [
        Advice("no_call_to_action", "x"),
        Advice("no_call_to_action", "facebook"),
    ]
    assert call_to_action_advice(new_post(AUTHOR, EDUCATION, ("x",), NOW)) == []
    assert call_to_action_advice(new_post(AUTHOR, "", ("x",), NOW)) == []  # a problem instead


# --- images -------------------------------------------------------------------------------------
def test_text_only_on_facebook_is_advice_not_a_problem() -> None:
    post = new_post(AUTHOR, EDUCATION, ("x", "facebook", "instagram"), NOW)
    assert visual_advice(post) == [Advice("text_only_on_visual_platform", "facebook")]
    assert visual_advice(replace(post, media_hashes=("h",))) == []
    assert visual_advice(new_post(AUTHOR, EDUCATION, ("x",), NOW)) == []


def test_phone_numbers_on_google_are_a_warning() -> None:
    post = new_post(AUTHOR, EDUCATION, ("x", "gbp"), NOW)
    assert platform_warnings(post) == [Advice("phone_number", "gbp")]
    assert platform_warnings(new_post(AUTHOR, "Visit our website.", ("gbp",), NOW)) == []


# --- self-promotion ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "promotional"),
    [
        (PROMO, True),
        ("New patients welcome! Call today.", True),
        ("Ask about our holiday discount.", True),
        ("Cleanings from $79 this month.", True),
        ("Refer a friend and get a gift card.", True),
        (EDUCATION, False),
        ("Meet Jenna, our new front-desk coordinator!", False),
        ("We are closed Thursday for Thanksgiving.", False),
        ("Our specialist team keeps learning.", False),
    ],
)
def test_self_promotion_keywords(text: str, promotional: bool) -> None:
    assert is_self_promotional(text) is promotional


def test_self_promotion_share_above_a_third() -> None:
    history = [published(PROMO, 3), published(EDUCATION, 5), published(EDUCATION, 40)]
    post = new_post(AUTHOR, "Book now: whitening special!", ("x",), NOW)
    advice = self_promotion_advice(post, history, NOW)
    assert advice == Advice(
        "self_promotion_share", params={"promotional": 2, "total": 3, "threshold": 1 / 3}
    )
    assert self_promotion_advice(post, history, NOW, threshold=0.7) is None


def test_self_promotion_within_the_mix_is_fine() -> None:
    history = [published(EDUCATION, d) for d in (1, 4, 9, 15)] + [published(PROMO, 20)]
    post = new_post(AUTHOR, PROMO, ("x",), NOW)
    assert self_promotion_advice(post, history, NOW) is None  # 2 of 6
    education = new_post(AUTHOR, EDUCATION, ("x",), NOW)
    assert self_promotion_advice(education, [published(PROMO, 1)] * 5, NOW) is None


def test_too_few_posts_say_nothing_about_the_mix() -> None:
    post = new_post(AUTHOR, PROMO, ("x",), NOW)
    assert self_promotion_advice(post, [], NOW) is None
    drafts = [new_post(AUTHOR, PROMO, ("x",), NOW)] * 5  # drafts never went out
    assert self_promotion_advice(post, drafts, NOW) is None


# --- posting frequency --------------------------------------------------------------------------
def test_posting_less_often_than_planned() -> None:
    history = [published(EDUCATION, 3)]
    advice = posting_frequency_advice(history, NOW, 3)
    assert advice == Advice(
        "posting_frequency", params={"direction": "less", "per_week": 0.25, "target": 3}
    )


def test_posting_more_often_than_planned_counts_the_schedule() -> None:
    history = [published(EDUCATION, d) for d in range(1, 8)]
    history += [scheduled(EDUCATION, d / 2) for d in range(1, 10)]
    advice = posting_frequency_advice(history, NOW, 2)
    assert advice is not None
    assert advice.params["direction"] == "more"
    assert advice.params["per_week"] == 4.0


def test_posting_about_as_planned() -> None:
    history = [published(EDUCATION, d) for d in (2, 5, 9, 12)]
    history += [scheduled(EDUCATION, d) for d in (2, 6, 10)]
    assert posting_frequency_advice(history, NOW, 2) is None
    stale = [published(EDUCATION, d) for d in (20, 30, 40)]
    assert posting_frequency_advice(stale, NOW, 2) is not None
    with pytest.raises(ValueError, match="positive"):
        posting_frequency_advice(history, NOW, 0)


# --- everything together -----------------------------------------------------------------------
def test_advise_collects_everything_and_skips_the_post_itself() -> None:
    post = replace(new_post(AUTHOR, PROMO, ("facebook", "gbp"), NOW), id=7)
    history = [replace(published(PROMO, 1), id=7), published(PROMO, 2), published(PROMO, 3)]
    codes = [(a.code, a.platform) for a in advise(post, history=history, now=NOW, posts_per_week=5)]
    assert codes == [
        ("text_only_on_visual_platform", "facebook"),
        ("self_promotion_share", None),
        ("posting_frequency", None),
    ]


def test_advise_on_a_good_post_is_empty() -> None:
    post = new_post(AUTHOR, EDUCATION, ("x",), NOW, media_hashes=["h"])
    history = [published(EDUCATION, d) for d in (1, 4, 8, 11)]
    history += [scheduled(EDUCATION, d) for d in (1, 4, 8, 11)]
    assert advise(post, history=history, now=NOW, posts_per_week=2) == []
    assert advise(post, history=[], now=NOW) == []


def test_times_are_compared_as_instants() -> None:
    same_instant_in_chicago = datetime.fromisoformat("2026-11-02T03:00:00-06:00")  # 09:00 UTC
    history = [published(EDUCATION, d) for d in (1, 4, 8, 11)]
    assert posting_frequency_advice(history, same_instant_in_chicago, 1) is None
