"""Live counter rules per platform (``core.platforms.measure``) and the editable rules file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.platforms import (
    PLATFORM_IDS,
    Counting,
    default_rules,
    load_rules,
    measure,
    rules_from,
)
from core.platforms.rules import DEFAULT_PATH

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦: 7 code points
HEALTH_WORKER = "\U0001f9d1\u200d\U0001fa7a"  # 🧑‍🩺
MASK = "\U0001f637"  # 😷
LIMITS = {
    "x": 280,
    "mastodon": 500,
    "bluesky": 300,
    "threads": 500,
    "facebook": 63206,
    "instagram": 2200,
    "linkedin": 3000,
    "gbp": 1500,
}


# --- limits -----------------------------------------------------------------------------------
@pytest.mark.parametrize("platform", PLATFORM_IDS)
def test_default_limits_match_domain_md(platform: str) -> None:
    assert measure("Hi", platform).limit == LIMITS[platform]


@pytest.mark.parametrize("platform", PLATFORM_IDS)
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_limit_boundaries(platform: str, delta: int) -> None:
    size = LIMITS[platform] + delta
    measured = measure("a" * size, platform)
    assert measured.length == size
    assert measured.valid is (delta <= 0)
    assert measured.problems == (() if delta <= 0 else ("too_long",))
    assert measured.overflow_start == (LIMITS[platform] if delta > 0 else None)


@pytest.mark.parametrize("platform", PLATFORM_IDS)
@pytest.mark.parametrize("text", ["", " ", "\n\t  ", "\u200b\u200d", "\x00"])
def test_blank_text_is_never_valid(platform: str, text: str) -> None:
    measured = measure(text, platform)
    assert not measured.valid
    assert "empty" in measured.problems


def test_limit_override_replaces_the_platform_limit() -> None:
    text = "a" * 600
    assert not measure(text, "mastodon").valid
    custom = measure(text, "mastodon", limit=1000)
    assert (custom.valid, custom.limit, custom.length) == (True, 1000, 600)
    assert measure("a" * 300, "x", limit=25_000).valid  # X Premium


@pytest.mark.parametrize("limit", [0, -5, True, 2.5])
def test_bad_limit_override_is_refused(limit: object) -> None:
    with pytest.raises(ValueError, match="limit"):
        measure("Hi", "x", limit=limit)  # type: ignore[arg-type]


def test_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="tiktok") as raised:
        measure("Hi", "tiktok")
    assert all(platform in str(raised.value) for platform in PLATFORM_IDS)


# --- X ----------------------------------------------------------------------------------------
def test_x_counts_every_link_as_23() -> None:
    long_link = "https://example-dental.com/appointments/new-patients/book-online?ref=social"
    assert measure(f"Book now: {long_link}", "x").length == 10 + 23
    assert measure("Book at smilesdental.com today", "x").length == 8 + 23 + 6
    assert measure("see t.co", "x").length == 4 + 23


def test_x_weighs_cjk_and_emoji_double() -> None:
    assert measure("日本語", "x").length == 6
    assert measure(FAMILY + HEALTH_WORKER + MASK, "x").length == 6  # each emoji sequence is 2


def test_x_overflow_highlights_whole_emoji() -> None:
    text = "a" * 279 + MASK
    measured = measure(text, "x")
    assert (measured.length, measured.overflow_start) == (281, 279)


def test_x_invalid_characters() -> None:
    measured = measure("Hello\ufffe", "x")
    assert measured.problems == ("invalid_characters",)


# --- Mastodon ---------------------------------------------------------------------------------
def test_mastodon_counts_links_with_protocol_as_23() -> None:
    link = "https://example-dental.com/appointments/new-patients/book-online"
    assert measure(f"Book: {link}", "mastodon").length == 6 + 23
    assert measure("Book at smilesdental.com", "mastodon").length == 24  # no protocol: as written


def test_mastodon_remote_mention_counts_only_the_local_part() -> None:
    assert measure("Thanks @ana@dental.social!", "mastodon").length == len("Thanks @ana!")
    assert measure("Thanks @ana!", "mastodon").length == 12
    assert measure("mail ana@example.com", "mastodon").length == 20  # an address, not a mention


def test_mastodon_counts_grapheme_clusters() -> None:
    assert measure(FAMILY * 3, "mastodon").length == 3
    assert measure("e\u0301", "mastodon").length == 1


def test_mastodon_overflow_at_a_link_starts_at_the_link() -> None:
    text = "a" * 490 + " https://example.com/page"
    measured = measure(text, "mastodon")
    assert measured.length == 491 + 23
    assert measured.overflow_start == 491
    assert measure(text[:491], "mastodon").length <= 500


# --- Bluesky ----------------------------------------------------------------------------------
def test_bluesky_family_emoji_is_one_grapheme_but_25_bytes() -> None:
    measured = measure(FAMILY, "bluesky")
    assert (measured.length, measured.valid) == (1, True)
    assert len(FAMILY.encode()) == 25


def test_bluesky_byte_cap_can_bite_before_the_grapheme_limit() -> None:
    text = FAMILY * 121  # 121 graphemes, 3025 bytes
    measured = measure(text, "bluesky")
    assert measured.length == 121
    assert measured.problems == ("too_many_bytes",)
    assert measured.overflow_start == 120 * len(FAMILY)  # the 121st family does not fit
    assert measure(FAMILY * 120, "bluesky").valid  # exactly 3000 bytes


def test_bluesky_grapheme_limit() -> None:
    measured = measure("の" * 301, "bluesky")  # 903 bytes: only the grapheme limit bites
    assert (measured.problems, measured.overflow_start) == (("too_long",), 300)


# --- Threads ----------------------------------------------------------------------------------
def test_threads_allows_five_distinct_links() -> None:
    five = " ".join(f"https://example{n}.com" for n in range(5))
    assert measure(five, "threads").valid
    assert measure(five + " https://example0.com", "threads").valid  # a repeat is the same link
    measured = measure(five + " www.example5.com", "threads")
    assert measured.problems == ("too_many_links",)


def test_threads_counts_emoji_as_utf8_bytes() -> None:
    assert measure("Hi " + MASK, "threads").length == 3 + 4
    assert measure(FAMILY, "threads").length == 25


# --- Instagram, Facebook, LinkedIn ------------------------------------------------------------
def test_instagram_hashtag_cap() -> None:
    five = "Smile! #dentist #teeth #smile #floss #health"
    assert measure(five, "instagram").valid
    measured = measure(five + " #care", "instagram")
    assert measured.problems == ("too_many_hashtags",)
    assert measure("#1 in town, see &#39; and #️⃣", "instagram").valid  # none of these count


def test_hashtag_cap_is_configurable() -> None:
    rules = rules_from({"platforms": {"instagram": {"hashtag_limit": 30}}}, base=default_rules())
    text = " ".join(f"#tag{n}x" for n in range(30))
    assert measure(text, "instagram", rules=rules).valid
    assert not measure(text, "instagram").valid


@pytest.mark.parametrize("platform", ["facebook", "instagram", "linkedin", "gbp"])
def test_utf16_platforms_count_emoji_as_javascript_does(platform: str) -> None:
    assert measure(MASK, platform).length == 2
    assert measure(FAMILY, platform).length == 11


# --- Google Business Profile ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["Call (415) 555-2671 to book", "Call 415-555-2671", "Text +1 650 253 0000 today"]
)
def test_gbp_warns_about_phone_numbers(text: str) -> None:
    measured = measure(text, "gbp")
    assert measured.warnings == ("phone_number",)
    assert measured.valid  # a warning, not a problem
    assert measure(text, "facebook").warnings == ()


@pytest.mark.parametrize(
    "text", ["Happy new year 2026!", "Serving zip 94103 since 1998", "Open 8-5, suite 200"]
)
def test_gbp_does_not_warn_about_years_or_zip_codes(text: str) -> None:
    assert measure(text, "gbp").warnings == ()


# --- overflow_start ---------------------------------------------------------------------------
@pytest.mark.parametrize("platform", PLATFORM_IDS)
def test_text_before_overflow_start_measures_exactly_the_limit(platform: str) -> None:
    text = "Our new patient special. " * (LIMITS[platform] // 25 + 3)
    measured = measure(text, platform)
    assert measured.overflow_start is not None
    assert measure(text[: measured.overflow_start], platform).length == LIMITS[platform]


@pytest.mark.parametrize("platform", ["x", "threads", "facebook"])
def test_overflow_never_splits_an_emoji(platform: str) -> None:
    text = "a" * (LIMITS[platform] - 1) + FAMILY
    measured = measure(text, platform)
    assert measured.overflow_start == LIMITS[platform] - 1


# --- the rules file ---------------------------------------------------------------------------
def test_rules_file_describes_every_platform() -> None:
    rules = load_rules()
    assert set(PLATFORM_IDS) <= set(rules.ids)
    assert rules.rule("x").compose_url == "https://x.com/compose/post"
    assert "{server}" in rules.rule("mastodon").compose_url
    assert rules.rule("bluesky").counting is Counting.GRAPHEMES


def test_rules_from_a_whole_document(tmp_path: Path) -> None:
    document = json.loads(DEFAULT_PATH.read_text("utf-8"))
    document["platforms"]["linkedin"]["limit"] = 1300
    path = tmp_path / "platforms.json"
    path.write_text(json.dumps(document), "utf-8")
    assert measure("a" * 1301, "linkedin", rules=load_rules(path)).problems == ("too_long",)


@pytest.mark.parametrize(
    ("platforms", "field"),
    [
        ({"x": {"limit": 0}}, "platforms.x.limit"),
        ({"x": {"limit": "280"}}, "platforms.x.limit"),
        ({"x": {"counting": "words"}}, "platforms.x.counting"),
        ({"x": {"limt": 280}}, "platforms.x.limt"),
        ({"gbp": {"warn_phone_numbers": "yes"}}, "platforms.gbp.warn_phone_numbers"),
        (
            {"x": {"weights": {"ranges": [{"start": 5, "end": 1, "weight": 100}]}}},
            "platforms.x.weights.ranges[0].end",
        ),
    ],
)
def test_bad_rules_name_the_field(platforms: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        rules_from({"platforms": platforms}, base=default_rules())
    assert raised.value.params["field"] == field


def test_a_whole_document_must_describe_every_platform() -> None:
    with pytest.raises(ValidationError, match="missing"):
        rules_from({"platforms": {"x": {"name": "X", "limit": 280, "counting": "graphemes"}}})


def test_unreadable_rules_file_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "platforms.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(ValidationError):
        load_rules(path)


# --- properties -------------------------------------------------------------------------------
PIECES = [
    "a",
    " ",
    "\n",
    "\r\n",
    "é",
    "e\u0301",
    "\u0301",
    "\u0300\u0316",
    "日",
    "の",
    MASK,
    FAMILY,
    HEALTH_WORKER,
    "\u200d",
    "\u200b",
    "\ufe0f",
    "\U0001f3fd",
    "\U0001f1fa",
    "\u202e",
    "\u200f",
    "\u2066",
    "\x00",
    "\ud800",
    "\udfff",
    "\ufffe",
    "\ufeff",
    "https://example.com/a",
    "http://t.co/abc",
    "example.org",
    "xn--",
    ".",
    "/",
    "@",
    "@ana@example.social",
    "#tag",
    "#",
    "(415) 555-2671",
    "1\u20e3",
    "\U000e0067",
    "\U0001f3f4",
    "\u0627\u0644",
    "ﷺ",
]
ANY_TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=())),
    st.lists(st.sampled_from(PIECES), max_size=80).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(
    text=ANY_TEXT,
    platform=st.sampled_from(PLATFORM_IDS),
    limit=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
)
@example(text="a\ud800" + FAMILY * 3, platform="bluesky", limit=2)
@example(text="http://example.org\u0301" * 3, platform="x", limit=30)
def test_measure_never_crashes_and_is_consistent(
    text: str, platform: str, limit: int | None
) -> None:
    measured = measure(text, platform, limit=limit)
    assert measured.length >= 0
    assert measured.limit == (limit or LIMITS[platform])
    if measured.valid:
        assert 0 < measured.length <= measured.limit
    over = "too_long" in measured.problems or "too_many_bytes" in measured.problems
    assert (measured.overflow_start is not None) is over
    if measured.overflow_start is not None:
        assert 0 <= measured.overflow_start <= len(text)
        assert (
            measure(text[: measured.overflow_start], platform, limit=limit).length <= measured.limit
        )
