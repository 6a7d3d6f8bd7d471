"""The review repository on SQLCipher and PostgreSQL: de-duplication, the text search (all
words, the last as a prefix, the same on both), filters, sorts, stable paging, versions,
replies and feeds, and the 0004 -> 0005 upgrade keeping data."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text

from core.clock import ManualClock
from core.errors import EditConflict, NotFound
from core.reviews.model import (
    Assessment,
    Authenticity,
    Decision,
    ItemKind,
    Reply,
    Review,
    ReviewStatus,
    ReviewType,
    Sentiment,
    Source,
)
from core.reviews.ports import (
    Feed,
    ReplyOverride,
    ReviewEvent,
    ReviewOrder,
    ReviewQuery,
)
from core.staff.model import Role, StaffMember
from storage.engine import Database
from storage.migrate import HEAD_REVISION, MigrationOutcome, alembic_config, migrate
from storage.uow import SqlUnitOfWork, unit_of_work_factory

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def someone(uow: Uow, name: str = "Dana Whitfield") -> StaffMember:
    with uow() as tx:
        return tx.staff.add(name, Role.ADMIN, "hash")


def review(n: int, **kw: object) -> Review:
    body = str(kw.pop("text", f"Review number {n}: friendly staff and a short wait."))
    author = str(kw.pop("author", f"Reviewer {n}"))
    fields: dict[str, object] = {
        "id": None,
        "kind": ItemKind.REVIEW,
        "source": Source.GOOGLE,
        "external_id": f"g-{n}",
        "author": author,
        "rating": 1 + n % 5,
        "posted_at": T0 - timedelta(hours=n),
        "text": body,
        "url": f"https://example.com/r/{n}",
        "content_hash": hashlib.sha256(f"{n}|{author}|{body}".encode()).hexdigest(),
        "collected_at": T0,
        "sentiment": Sentiment.POSITIVE,
        "sentiment_score": 0.5,
        "themes": ("praise",),
        "due_at": T0 + timedelta(hours=n),
    }
    return Review(**(fields | kw))  # type: ignore[arg-type]


def add(uow: Uow, *reviews: Review) -> list[Review]:
    with uow() as tx:
        return [tx.reviews.add(r) for r in reviews]


def ids(uow: Uow, **kw: object) -> list[int]:
    with uow() as tx:
        return [r.id or 0 for r in tx.reviews.query(ReviewQuery(**kw))]  # type: ignore[arg-type]


def count(uow: Uow, **kw: object) -> int:
    with uow() as tx:
        return tx.reviews.count(ReviewQuery(**kw))  # type: ignore[arg-type]


def test_round_trip_and_versions(uow: Uow) -> None:
    dana = someone(uow)
    [stored] = add(uow, review(1, themes=("wait_time", "billing"), rating=None))
    assert stored.id is not None
    assert stored == replace(review(1, themes=("wait_time", "billing"), rating=None), id=stored.id)
    with uow() as tx:
        saved = tx.reviews.save(
            replace(stored, status=ReviewStatus.TRIAGED, assignee_id=dana.id), stored.version
        )
    assert (saved.version, saved.status, saved.assignee_id) == (2, ReviewStatus.TRIAGED, dana.id)
    with pytest.raises(EditConflict), uow() as tx:
        tx.reviews.save(replace(stored, status=ReviewStatus.NEW), stored.version)
    with pytest.raises(NotFound), uow() as tx:
        tx.reviews.get(999)
    with uow() as tx:
        assert tx.reviews.get(saved.id or 0) == saved


def test_add_many_skips_duplicates_by_external_id_or_hash(uow: Uow) -> None:
    add(uow, review(1))
    batch = [
        review(1, text="edited on the site: same external id"),  # same source + id
        replace(review(2), external_id="", content_hash=review(1).content_hash),  # same hash
        review(3),
        review(3),  # repeated in the batch
        review(4, source=Source.YELP, external_id="g-1"),  # another site may reuse an id
        replace(review(5), external_id=""),
        replace(review(5), external_id=""),  # no id, same hash
    ]
    with uow() as tx:
        assert tx.reviews.add_many(batch) == (3, 4)
    with uow() as tx:
        assert tx.reviews.count(ReviewQuery()) == 4
        assert tx.reviews.duplicate_of(review(3)) is not None
        assert tx.reviews.duplicate_of(review(9)) is None
        with pytest.raises(EditConflict):
            tx.reviews.add(review(4, source=Source.YELP, external_id="g-1"))


def test_a_failing_batch_stores_nothing(uow: Uow) -> None:
    def import_then_fail() -> None:
        with uow() as tx:
            tx.reviews.add_many([review(n) for n in range(1, 1200)])
            raise RuntimeError("the row store failed half way")

    with pytest.raises(RuntimeError):
        import_then_fail()
    assert count(uow) == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("parking", [1]),
        ("PARKING lot", [1]),
        ("park", [1]),  # the last word is a prefix
        ("par lot", []),  # only the last word is a prefix
        ("lot par", [1]),
        ("wait", [2, 3]),
        ("waiting", [3]),
        ("script", [4]),  # markup is text, its words are words
        ("alert xss", [4]),
        ("b", [4]),  # "<b>" is a word "b"
        ("example", [5]),
        ("https example com", [5]),
        ("sofia", [2]),  # the author counts too
        ("café", [6]),
        ("o'neil", [6]),
        ("neil", [6]),
        ("great—really", [7]),
        ("really", [7]),
        ("", [1, 2, 3, 4, 5, 6, 7]),
        ("!!!", [1, 2, 3, 4, 5, 6, 7]),
        ("zebra", []),
    ],
)
def test_text_search_is_the_same_on_both_databases(
    uow: Uow, query: str, expected: list[int]
) -> None:
    add(
        uow,
        review(1, text="The PARKING lot was full."),
        review(2, text="Short wait, friendly.", author="Sofia R."),
        review(3, text="Waiting room was cold."),
        review(4, text='<script>alert("xss")</script> <b>bold</b> claims'),
        review(5, text="See https://example.com/page?x=1 for more"),
        review(6, text="Went to the café with Dr. O'Neil after."),
        review(7, text="Great—really great!"),
    )
    assert sorted(ids(uow, text=query)) == expected
    assert count(uow, text=query) == len(expected)


def test_a_common_word_pages_and_counts_alike_whichever_plan(uow: Uow) -> None:
    """SQLite reads the page in index order when the search matches many items (over a
    thousand) and by id when it matches few: the same rows either way."""
    common = [
        review(n, text=f"Friendly team {n}", due_at=T0 + timedelta(minutes=n % 97))
        for n in range(1, 1301)
    ]
    rare = [review(n, text=f"Friendly but rare {n}") for n in range(2001, 2011)]
    with uow() as tx:
        tx.reviews.add_many([*common, *rare])
    with uow() as tx:
        every = tx.reviews.query(ReviewQuery(limit=5000))
    far = datetime.max.replace(tzinfo=UTC)
    by_due = sorted(every, key=lambda r: (r.due_at or far, r.id))
    friendly = [r.id for r in by_due]
    assert ids(uow, text="friendl", limit=100) == friendly[:100]
    assert ids(uow, text="friendl", offset=1250, limit=100) == friendly[1250:1350]
    assert count(uow, text="friendl") == 1310
    assert count(uow, text="friendl", ratings=(1,)) == sum(r.rating == 1 for r in every)
    assert count(uow, text="rare") == 10
    assert (
        ids(uow, text="team", order=ReviewOrder.POSTED_DESC, limit=3)
        == [
            r.id
            for r in sorted(every, key=lambda r: (-r.posted_at.timestamp(), -(r.id or 0)))
            if "team" in r.text
        ][:3]
    )


def test_text_search_follows_edits_and_deletes(uow: Uow, db: Database) -> None:
    [first] = add(uow, review(1, text="A gentle hygienist."))
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE review SET text = 'A brisk hygienist.' WHERE id = :i"), {"i": first.id}
        )
    assert ids(uow, text="gentle") == []
    assert ids(uow, text="brisk") == [first.id]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM review WHERE id = :i"), {"i": first.id})
    assert ids(uow, text="brisk") == []


def test_filters(uow: Uow) -> None:
    dana = someone(uow)
    stored = add(
        uow,
        review(1, status=ReviewStatus.NEW, rating=1),
        review(2, status=ReviewStatus.TRIAGED, source=Source.YELP, rating=5),
        review(3, status=ReviewStatus.REPLIED, due_at=None, rating=2),
        review(4, kind=ItemKind.MENTION, rating=None, source=Source.OTHER),
        review(5, status=ReviewStatus.NO_RESPONSE, due_at=None, rating=3),
    )
    with uow() as tx:
        tx.reviews.save(replace(stored[1], assignee_id=dana.id), 1)
        tx.reviews.add_assessment(
            stored[0].id or 0,
            Assessment(
                authenticity=Authenticity.LIKELY_REAL,
                review_type=ReviewType.FIXABLE_PROBLEM,
                reach=2,
                severity=3,
                decision=Decision.ESCALATE_DOCTOR,
                reason="Clinical complaint for the doctor",
                assessed_by=dana.id,
                assessed_at=T0,
            ),
        )
    i = [r.id for r in stored]
    assert sorted(ids(uow, statuses=(ReviewStatus.NEW, ReviewStatus.TRIAGED))) == [i[0], i[1], i[3]]
    assert ids(uow, sources=(Source.YELP,)) == [i[1]]
    assert sorted(ids(uow, ratings=(1, 2))) == [i[0], i[2]]
    assert ids(uow, kind=ItemKind.MENTION) == [i[3]]
    assert ids(uow, assignee_id=dana.id) == [i[1]]
    assert ids(uow, decision=Decision.ESCALATE_DOCTOR) == [i[0]]
    # due: review n is due at T0 + n hours; replied / no response have none
    assert ids(uow, overdue=True, now=T0 + timedelta(hours=2, minutes=30)) == [i[0], i[1]]
    assert ids(uow, overdue=True, now=T0) == []
    window = {"due_from": T0 + timedelta(hours=2), "due_to": T0 + timedelta(hours=5)}
    assert ids(uow, **window) == [i[1], i[3]]
    with uow() as tx:
        q = ReviewQuery(overdue=True, now=T0 + timedelta(days=1))
        assert tx.reviews.first_due(q) == T0 + timedelta(hours=1)
        assert tx.reviews.first_due(ReviewQuery(statuses=(ReviewStatus.REPLIED,))) is None
        with pytest.raises(ValueError, match="now"):
            tx.reviews.query(ReviewQuery(overdue=True))


def test_sorts_and_stable_pages(uow: Uow) -> None:
    items = [
        review(
            n,
            rating=None if n % 7 == 0 else 1 + n % 5,
            due_at=None if n % 4 == 0 else T0 + timedelta(hours=n % 6),
            posted_at=T0 - timedelta(hours=n % 9),
        )
        for n in range(1, 61)
    ]
    with uow() as tx:
        assert tx.reviews.add_many(items) == (60, 0)
    with uow() as tx:
        stored = tx.reviews.query(ReviewQuery(limit=1000))
    far = datetime.max.replace(tzinfo=UTC)

    def expect(key: Callable[[Review], tuple[object, ...]]) -> list[int]:
        return [r.id or 0 for r in sorted(stored, key=key)]

    def ts(r: Review) -> float:
        return r.posted_at.timestamp()

    orders = {
        ReviewOrder.DUE_ASC: expect(lambda r: (r.due_at or far, r.id)),
        ReviewOrder.POSTED_DESC: expect(lambda r: (-ts(r), -(r.id or 0))),
        ReviewOrder.POSTED_ASC: expect(lambda r: (ts(r), r.id)),
        ReviewOrder.RATING_ASC: expect(lambda r: (r.rating or 0, ts(r), r.id)),
        ReviewOrder.RATING_DESC: expect(lambda r: (-(r.rating or 0), -ts(r), -(r.id or 0))),
    }
    for order, expected in orders.items():
        paged: list[int] = []
        for offset in range(0, 60, 7):
            paged += ids(uow, order=order, offset=offset, limit=7)
        assert paged == expected, order


def test_triage_records_replies_events_and_overrides(uow: Uow) -> None:
    dana = someone(uow)
    lee = someone(uow, "Lee Park")
    [item] = add(uow, review(1))
    rid = item.id or 0
    assessment = Assessment(
        authenticity=Authenticity.SUSPICIOUS,
        review_type=ReviewType.TROLL,
        reach=1,
        severity=1,
        decision=Decision.NO_RESPONSE,
        reason="Troll: posts the same text everywhere",
        assessed_by=dana.id,
        assessed_at=T0,
    )
    reply = Reply(text="Thank you.", written_by=dana.id, written_at=T0)
    with uow() as tx:
        assert tx.reviews.assessment(rid) is None
        assert tx.reviews.reply(rid) is None
        tx.reviews.add_assessment(rid, replace(assessment, decision=Decision.RESPOND, reason=""))
        tx.reviews.add_assessment(rid, assessment)
        tx.reviews.set_reply(rid, reply)
        tx.reviews.set_reply(rid, replace(reply, approved_by=lee.id, approved_at=T0))
        tx.reviews.add_override(
            rid, ReplyOverride("name", "f" * 64, "The practice name", dana.id, T0)
        )
        tx.reviews.add_event(rid, ReviewEvent(T0, dana.id, "review.assess", "no_response"))
        tx.reviews.add_event(rid, ReviewEvent(T0, None, "review.collect", "1 added"))
    with uow() as tx:
        assert tx.reviews.assessment(rid) == assessment
        assert tx.reviews.reply(rid) == replace(reply, approved_by=lee.id, approved_at=T0)
        assert tx.reviews.overrides(rid) == [
            ReplyOverride("name", "f" * 64, "The practice name", dana.id, T0)
        ]
        assert [e.action for e in tx.reviews.events(rid)] == ["review.assess", "review.collect"]
        tx.reviews.set_reply(rid, None)
    with uow() as tx:
        assert tx.reviews.reply(rid) is None


def test_due_batches_and_measure_rows(uow: Uow) -> None:
    dana = someone(uow)
    stored = add(
        uow,
        review(1),
        review(2, status=ReviewStatus.REPLIED, due_at=None),
        review(3, kind=ItemKind.MENTION, rating=None),
    )
    with uow() as tx:
        batches = list(tx.reviews.iter_open(batch=1))
        assert [[d.id for d in b] for b in batches] == [[stored[0].id], [stored[2].id]]
        tx.reviews.set_due_many(
            [(stored[0].id or 0, T0 + timedelta(days=3)), (stored[2].id or 0, None)]
        )
        tx.reviews.set_reply(
            stored[1].id or 0,
            Reply(
                text="Thanks!", written_by=dana.id, written_at=T0, posted_by=dana.id, posted_at=T0
            ),
        )
    with uow() as tx:
        assert tx.reviews.get(stored[0].id or 0).due_at == T0 + timedelta(days=3)
        assert tx.reviews.get(stored[0].id or 0).version == 1
        assert tx.reviews.get(stored[2].id or 0).due_at is None
        rows = tx.reviews.measure_rows(T0 - timedelta(days=1))
    assert [(r.rating, r.status, r.replied_at) for r in rows] == [
        (3, ReviewStatus.REPLIED, T0),
        (2, ReviewStatus.NEW, None),
    ]


def test_feeds(uow: Uow) -> None:
    dana = someone(uow)
    with uow() as tx:
        b = tx.reviews.add_feed(Feed(None, "https://b.example/feed", "b alerts", dana.id, T0))
        a = tx.reviews.add_feed(Feed(None, "https://a.example/feed", "A alerts", dana.id, T0))
        tx.reviews.mark_polled(b.id or 0, T0, "fetch_failed")
    with uow() as tx:
        assert [f.name for f in tx.reviews.feeds()] == ["A alerts", "b alerts"]
        assert tx.reviews.get_feed(b.id or 0).last_error == "fetch_failed"
        tx.reviews.remove_feed(a.id or 0)
        with pytest.raises(NotFound):
            tx.reviews.get_feed(a.id or 0)


def test_a_0004_database_upgrades_to_0005_keeping_its_data(empty_db: Database) -> None:
    with empty_db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0004")
        conn.execute(
            text(
                "INSERT INTO staff (display_name, role, active, pin_hash, failed_attempts,"
                " version, created_at) VALUES ('Dana Whitfield', 'admin', true, 'h', 0, 1,"
                " '2026-11-22 09:00:00')"
            )
        )
    outcome = migrate(empty_db, backup=lambda: None)
    assert outcome == MigrationOutcome("0004", HEAD_REVISION, backed_up=True)
    uow = unit_of_work_factory(empty_db, ManualClock())
    with uow() as tx:
        [dana] = tx.staff.list()
        stored = tx.reviews.add(review(1, text="Lovely hygienist", assignee_id=dana.id))
    with uow() as tx:
        assert tx.reviews.query(ReviewQuery(text="hygien")) == [stored]
