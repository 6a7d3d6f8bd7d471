"""A reply's remote state (migration 0009) round-trips through the SQL repository on SQLCipher
and PostgreSQL, and a reply written before it (no remote state) reads back as posted by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ManualClock
from core.reviews.model import ItemKind, RemoteState, Reply, Review, Source
from core.staff.model import Role
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


@pytest.fixture
def sql(db: Database) -> Callable[[], SqlUnitOfWork]:  # noqa: F811 - the imported fixture
    return unit_of_work_factory(db, ManualClock(T0))


def test_the_remote_state_of_a_reply_round_trips(sql: Callable[[], SqlUnitOfWork]) -> None:
    with sql() as tx:
        person = tx.staff.add("Dana Whitfield", Role.ADMIN, "hash")
        review = tx.reviews.add(
            Review(
                id=None,
                kind=ItemKind.REVIEW,
                source=Source.GOOGLE,
                external_id="accounts/1/locations/2/reviews/abc",
                author="Casey L.",
                rating=5,
                posted_at=T0,
                text="",
                url="https://business.google.com/reviews",
                content_hash="h" * 64,
                collected_at=T0,
            )
        )
        assert review.id is not None
        plain = Reply(text="Thank you.", written_by=person.id, written_at=T0)
        tx.reviews.set_reply(review.id, plain)
    with sql() as tx:
        assert tx.reviews.reply(review.id) == plain
        assert plain.remote_state is None
        failed = replace(
            plain,
            remote_state=RemoteState.FAILED,
            remote_error_code="http_403",
            remote_error="Google does not allow this account to do that.",
        )
        tx.reviews.set_reply(review.id, failed)
    with sql() as tx:
        assert tx.reviews.reply(review.id) == failed
        posted = replace(
            failed,
            remote_state=RemoteState.POSTED,
            remote_updated_at=T0 + timedelta(seconds=3),
            remote_error_code="",
            remote_error="",
            posted_by=person.id,
            posted_at=T0 + timedelta(seconds=4),
        )
        tx.reviews.set_reply(review.id, posted)
    with sql() as tx:
        assert tx.reviews.reply(review.id) == posted
