"""What collecting Google reviews stores beyond round one, through the SQL repository on
SQLCipher and PostgreSQL: a reply written on Google itself (no writer in the app, migration
0011) round-trips, and ``revise`` takes in a reviewer's edited words and stars (the text
search follows them, the version moves on, a stale version is refused) while the author, the
dates and the content hash stay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ManualClock
from core.errors import EditConflict
from core.reviews.model import (
    ItemKind,
    RemoteState,
    Reply,
    Review,
    ReviewStatus,
    Sentiment,
    Source,
)
from core.reviews.ports import ReviewQuery
from storage.engine import Database
from storage.uow import SqlUnitOfWork, unit_of_work_factory

# The storage tests' database fixtures (SQLCipher, then PostgreSQL), shared, not copied.
from tests.storage.conftest import (  # noqa: F401 - pytest finds fixtures by name
    _pg_module_db,
    db,
    pg_server_url,
    sqlite_db,
)

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
NAME = "accounts/1/locations/2/reviews/abc"


@pytest.fixture
def sql(db: Database) -> Callable[[], SqlUnitOfWork]:  # noqa: F811 - the imported fixture
    return unit_of_work_factory(db, ManualClock(T0))


def google_review(text: str, rating: int | None) -> Review:
    return Review(
        id=None,
        kind=ItemKind.REVIEW,
        source=Source.GOOGLE,
        external_id=NAME,
        author="Casey L.",
        rating=rating,
        posted_at=T0,
        text=text,
        url="https://business.google.com/reviews",
        content_hash="c" * 64,
        collected_at=T0,
        sentiment=Sentiment.POSITIVE,
        sentiment_score=0.8,
        themes=("praise",),
        due_at=T0 + timedelta(days=3),
    )


def test_a_reply_written_on_google_round_trips(sql: Callable[[], SqlUnitOfWork]) -> None:
    with sql() as tx:
        review = tx.reviews.add(
            replace(google_review("Lovely office.", 5), status=ReviewStatus.REPLIED, due_at=None)
        )
        assert review.id is not None
        answered = T0 - timedelta(days=3)
        reply = Reply(
            text="Thank you!",
            written_by=None,
            written_at=answered,
            posted_at=answered,
            remote_state=RemoteState.POSTED,
            remote_updated_at=answered,
        )
        tx.reviews.set_reply(review.id, reply)
    with sql() as tx:
        assert tx.reviews.reply(review.id) == reply
        [row] = tx.reviews.measure_rows(T0 - timedelta(days=30))
        assert (row.status, row.replied_at) == (ReviewStatus.REPLIED, answered)


def test_revise_takes_in_edited_words_and_stars(sql: Callable[[], SqlUnitOfWork]) -> None:
    with sql() as tx:
        first = tx.reviews.add(google_review("Lovely office and a gentle hygienist.", 5))
    assert first.id is not None
    edited = replace(
        first,
        text="Waited an hour and the front desk was rude.",
        rating=1,
        sentiment=Sentiment.NEGATIVE,
        sentiment_score=-0.6,
        themes=("wait_time", "staff_attitude"),
        due_at=T0 + timedelta(days=1),
        # What a site cannot change stays as stored, whatever is passed:
        author="Someone else",
        content_hash="d" * 64,
    )
    with sql() as tx:
        saved = tx.reviews.revise(edited, first.version)
    assert saved.version == first.version + 1
    with sql() as tx:
        stored = tx.reviews.get(first.id)
        assert (stored.text, stored.rating, stored.sentiment, stored.themes, stored.due_at) == (
            edited.text,
            1,
            Sentiment.NEGATIVE,
            ("wait_time", "staff_attitude"),
            T0 + timedelta(days=1),
        )
        assert (stored.author, stored.content_hash, stored.posted_at) == (
            "Casey L.",
            "c" * 64,
            T0,
        )
        assert tx.reviews.count(ReviewQuery(text="front desk rude")) == 1
        assert tx.reviews.count(ReviewQuery(text="gentle hygienist")) == 0
        assert [r.id for r in tx.reviews.query(ReviewQuery(ratings=(1,)))] == [first.id]
    with sql() as tx, pytest.raises(EditConflict):
        tx.reviews.revise(replace(edited, text="Stale."), first.version)
