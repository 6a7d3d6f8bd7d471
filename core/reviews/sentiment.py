"""Sentiment of a review: VADER's compound score combined with the star rating.

VADER (vaderSentiment, tuned for short social-media text) gives a compound score from −1 to 1.
Text alone: ``compound >= 0.05`` is positive, ``<= -0.05`` negative, anything between neutral
(VADER's own published thresholds). With stars, the stars decide: 1–2 negative, 3 neutral
(the text then decides with the thresholds above, since a 3 can lean either way), 4–5
positive, unless the text strongly disagrees (``compound <= -0.6`` on 4–5 stars, ``>= 0.6`` on
1–2 stars): then the text wins, so a five-star rant ("worst office ever, never again") is
answered as fast as any negative review.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import Protocol

from core.reviews.model import Sentiment

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
STRONG = 0.6
"""How far the text must lean against the stars to overrule them."""
MAX_TEXT = 20_000
"""Only this much text is scored (VADER is linear, but a review is never longer)."""


class _Analyzer(Protocol):
    def polarity_scores(self, text: str) -> dict[str, float]: ...


@cache
def _analyzer() -> _Analyzer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        analyzer: _Analyzer = SentimentIntensityAnalyzer()
    return analyzer


def compound(text: str) -> float:
    """VADER's compound score for ``text`` (0.0 for empty text)."""
    if not text or text.isspace():
        return 0.0
    return float(_analyzer().polarity_scores(text[:MAX_TEXT])["compound"])


def from_text(score: float) -> Sentiment:
    """The sentiment of a compound score alone, by VADER's thresholds."""
    if score >= POSITIVE_THRESHOLD:
        return Sentiment.POSITIVE
    if score <= NEGATIVE_THRESHOLD:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def sentiment(text: str, rating: int | None) -> tuple[Sentiment, float]:
    """The review's sentiment and VADER's compound score (−1…1), combined with ``rating``
    (1–5 stars, ``None`` for a mention or a source without stars; other values are ignored)."""
    score = compound(text)
    by_text = from_text(score)
    if rating is None or not 1 <= rating <= 5:
        return by_text, score
    if rating <= 2:
        return (Sentiment.POSITIVE if score >= STRONG else Sentiment.NEGATIVE), score
    if rating >= 4:
        return (Sentiment.NEGATIVE if score <= -STRONG else Sentiment.POSITIVE), score
    return by_text, score
