"""``core.reviews.sentiment``: VADER's score combined with the stars."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.reviews.model import Sentiment
from core.reviews.sentiment import compound, from_text, sentiment

N, Z, P = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE


@pytest.mark.parametrize(
    ("text", "rating", "expected"),
    [
        ("Wonderful staff, best dentist in town!", None, P),
        ("Rude, dirty and they overcharged me. Awful.", None, N),
        ("The office is on Main Street.", None, Z),
        ("", None, Z),
        ("", 5, P),
        ("", 1, N),
        ("", 3, Z),
        ("It was fine.", 2, N),
        ("Okay visit.", 4, P),
        ("Great, loved it, friendly and kind!", 3, P),
        ("Terrible, rude, never again.", 3, N),
        # The text strongly disagrees with the stars: the text wins.
        ("Worst office ever. Rude, painful, horrible, never going back!", 5, N),
        ("Amazing, wonderful, friendly team, I love them, best care ever!", 1, P),
        # Mild disagreement: the stars win.
        ("A bit slow but okay.", 5, P),
        ("Nice people.", 2, N),
        ("Nice people.", 9, P),  # an impossible rating is ignored
    ],
)
def test_sentiment(text: str, rating: int | None, expected: Sentiment) -> None:
    label, score = sentiment(text, rating)
    assert label is expected
    assert -1.0 <= score <= 1.0


def test_thresholds() -> None:
    assert from_text(0.05) is P
    assert from_text(0.049) is Z
    assert from_text(-0.05) is N
    assert compound("   ") == 0.0


@given(st.text(max_size=300), st.one_of(st.none(), st.integers(-3, 9)))
@settings(max_examples=80, deadline=None)
def test_any_text(text: str, rating: int | None) -> None:
    label, score = sentiment(text, rating)
    assert label in Sentiment
    assert -1.0 <= score <= 1.0
