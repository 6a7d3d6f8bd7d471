"""Review inbox benchmark: the inbox over 100,000 reviews (target <= 100 ms per step).

Builds an encrypted SQLCipher database in a temporary folder through the real storage (the
migrations, the review table with its indexes and FTS5 triggers, written by the repository's
bulk ``add_many``), then times ``ReviewService`` end to end (a unit of work, the SQL, the rows
turned into ``Review``s): opening the inbox to its first rows (the default query: every item,
soonest due first, first page of 100, with the total count), a text filter, sorting by date,
sorting by rating, and opening one review (its detail: assessment, reply, history). Each
line's value is the median over the runs, each run cycling through several queries.

Prints JSON lines: {"name", "value", "unit", "baseline", "ratio"}.

    uv run python bench/inbox.py [--reviews 100000] [--runs 30]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.clock import ManualClock  # noqa: E402
from core.practice.model import ResponseRules  # noqa: E402
from core.reviews.model import (  # noqa: E402
    ItemKind,
    Review,
    ReviewStatus,
    Sentiment,
    Source,
)
from core.reviews.ports import ReviewOrder, ReviewQuery  # noqa: E402
from core.reviews.service import ReviewService  # noqa: E402
from storage.engine import DatabaseConfig, open_database  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from storage.uow import unit_of_work_factory  # noqa: E402

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
OPENINGS = [
    "Front desk was friendly",
    "Waited almost an hour past my appointment",
    "The hygienist was gentle and thorough",
    "Billing sent me a confusing statement",
    "Parking was impossible on a weekday",
    "Clean office, modern equipment",
    "Scheduling a cleaning took three phone calls",
    "Staff seemed rushed and short with me",
    "Great with my kids, very patient",
    "The waiting room music was too loud",
]
MIDDLES = [
    "and the receptionist explained everything",
    "but nobody said sorry for the delay",
    "and they called back the next day",
    "though the online form kept crashing",
    "and the reminders by text were helpful",
    "but the coffee machine was broken",
    "and I would recommend them to friends",
    "yet the prices surprised me",
]
CLOSINGS = ["Five stars.", "Never again.", "Will be back.", "Mixed feelings.", "Thanks team!", ""]
FIRST = ["Ana", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal"]
LAST = ["Smith", "Nguyen", "Garcia", "Okafor", "Rossi", "Kim", "Haddad", "Novak", "Silva", "Berg"]
SOURCES = [Source.GOOGLE] * 6 + [Source.YELP] * 2 + [Source.FACEBOOK, Source.HEALTHGRADES]


def _review(n: int, rng: random.Random) -> Review:
    rating = rng.choices([1, 2, 3, 4, 5], weights=[10, 6, 8, 20, 56])[0]
    text = " ".join(
        part
        for part in (rng.choice(OPENINGS), rng.choice(MIDDLES) + ".", rng.choice(CLOSINGS))
        if part
    )
    text += f" (visit note {n})"
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)[0]}."
    posted = NOW - timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
    source = rng.choice(SOURCES)
    roll = rng.random()
    status = (
        ReviewStatus.REPLIED
        if roll < 0.85
        else ReviewStatus.NO_RESPONSE
        if roll < 0.9
        else rng.choice([ReviewStatus.NEW, ReviewStatus.TRIAGED, ReviewStatus.AWAITING_APPROVAL])
    )
    mood = (
        Sentiment.NEGATIVE
        if rating <= 2
        else Sentiment.NEUTRAL
        if rating == 3
        else Sentiment.POSITIVE
    )
    open_ = status not in {ReviewStatus.REPLIED, ReviewStatus.NO_RESPONSE}
    return Review(
        id=None,
        kind=ItemKind.REVIEW,
        source=source,
        external_id=f"{source.value}-{n}",
        author=author,
        rating=rating,
        posted_at=posted,
        text=text,
        url=f"https://reviews.example/{source.value}/{n}",
        content_hash=hashlib.sha256(f"{n}|{text}".encode()).hexdigest(),
        collected_at=posted,
        status=status,
        sentiment=mood,
        sentiment_score=0.0,
        themes=("wait_time",) if "Waited" in text else (),
        due_at=posted + timedelta(days=1) if open_ else None,
    )


def build(reviews: int, folder: Path) -> tuple[ReviewService, float]:
    db = open_database(DatabaseConfig.sqlite(folder / "bench.db", secrets.token_bytes(32)))
    migrate(db)
    clock = ManualClock(NOW)
    uow = unit_of_work_factory(db, clock)
    rng = random.Random(100_000)
    with uow() as tx:
        for start in range(0, reviews, 10_000):
            batch = [_review(n, rng) for n in range(start, min(reviews, start + 10_000))]
            tx.reviews.add_many(batch)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    service = ReviewService(uow, clock, rules=ResponseRules, tz=lambda: ZoneInfo("America/Chicago"))
    started = time.perf_counter()
    service.ensure_due_current(force=True)  # the first start computes every open due time
    return service, round((time.perf_counter() - started) * 1000, 1)


def median_ms(step: Callable[[int], object], runs: int) -> float:
    times = []
    for n in range(runs):
        start = time.perf_counter()
        step(n)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def line(name: str, value: float) -> str:
    return json.dumps({"name": name, "value": value, "unit": "ms", "baseline": None, "ratio": None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    n = args.reviews
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        service, recompute_ms = build(n, Path(folder))
        build_ms = round((time.perf_counter() - start) * 1000, 1)
        page, total = service.list(ReviewQuery())
        assert total == n, total
        print(line(f"inbox_build_{n}_reviews", build_ms))
        print(line(f"inbox_recompute_due_{n}", recompute_ms))
        texts = [
            "wait",
            "billing statement",
            "friendly recep",
            "parki",
            "hygienist gentle",
            "xyzzy",
        ]
        ids = [
            r.id or 0
            for r in service.list(ReviewQuery(limit=1000, order=ReviewOrder.POSTED_ASC))[0]
        ]
        ids += [r.id or 0 for r in page]
        cases: dict[str, Callable[[int], object]] = {
            "inbox_open_first_rows": lambda i: service.list(ReviewQuery()),
            "inbox_text_filter": lambda i: service.list(ReviewQuery(text=texts[i % len(texts)])),
            "inbox_sort_by_date": lambda i: service.list(
                ReviewQuery(order=(ReviewOrder.POSTED_DESC, ReviewOrder.POSTED_ASC)[i % 2])
            ),
            "inbox_sort_by_rating": lambda i: service.list(
                ReviewQuery(order=(ReviewOrder.RATING_ASC, ReviewOrder.RATING_DESC)[i % 2])
            ),
            "inbox_open_review": lambda i: service.detail(ids[(i * 37) % len(ids)]),
        }
        for name, step in cases.items():
            step(0)  # warm the page cache, as the first look does
            print(line(f"{name}_{n}", median_ms(step, args.runs)))


if __name__ == "__main__":
    main()
