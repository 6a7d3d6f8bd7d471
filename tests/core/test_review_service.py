"""The review inbox's use cases over the in-memory ports: import in one transaction with
de-duplication, the assessment's required reasons, the reply gate (open findings block,
overrides with reasons), approval of negative replies by another approver, marking replied,
due and overdue times with an injected clock (and after a rules change), feeds of mentions,
the measures' arithmetic, Today's grouped items, and audit details without review text."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.composer.check import Override
from core.composer.errors import ApproverRoleRequired, OpenFindings, SelfApproval
from core.demo import DemoStaff, create_demo_practice
from core.errors import EditConflict, PermissionDenied, ValidationError
from core.practice.service import Versioned
from core.reviews.feeds import parse_feed, plain_text
from core.reviews.model import (
    Authenticity,
    Decision,
    ItemKind,
    Review,
    ReviewStatus,
    ReviewType,
    Sentiment,
    Source,
)
from core.reviews.ports import ReviewQuery
from core.reviews.service import ReviewService
from core.staff.model import Role
from core.staff.pins import fast_hasher
from tests.fakes import MemorySecrets, MemoryStore, _Reviews

# Monday 2 November 2026, 09:00 in Chicago (15:00 UTC): a business day, 8:00–17:00.
MONDAY_9 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
SAFE = (
    "We hold every patient visit to a high standard. Please call our office manager at "
    "(217) 555-0142 so we can talk."
)
UNSAFE = "As your dentist, we are sorry your root canal on October 3 hurt, Jordan."
NEGATIVE_TEXT = "Waited ninety minutes and the front desk was rude. My root canal still hurts."
CSV_FILE = (
    b"source,review id,author,rating,date,text,url\n"
    b"google,g-1,Jordan P.,1,2026-10-30,Waited an hour and nobody said sorry.,"
    b"https://g.example/1\n"
    b"yelp,y-7,Casey L.,5,2026-10-29,Lovely hygienist and a spotless office.,"
    b"https://y.example/7\n"
    b"google,g-2,Sam,not a rating,2026-10-28,Billing was confusing.,https://g.example/2\n"
    b"google,g-1,Jordan P.,1,2026-10-30,Waited an hour and nobody said sorry.,"
    b"https://g.example/1\n"
)
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Google Alert - Maple Grove Family Dental</title>
  <id>tag:google.com,2005:reader/user/1/state/com.google/alerts/1</id>
  <updated>2026-11-02T12:00:00Z</updated>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:111</id>
    <title type="html">&lt;b&gt;Maple Grove&lt;/b&gt; Family Dental sponsors the 5K</title>
    <link href="https://news.example/maple-grove-5k"/>
    <published>2026-11-01T10:00:00Z</published>
    <updated>2026-11-01T10:00:00Z</updated>
    <content type="html">The &lt;b&gt;practice&lt;/b&gt; sponsored the run &amp;amp; handed
      out water.</content>
  </entry>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:222</id>
    <title>Best dentists in Springfield</title>
    <link href="https://blog.example/best-dentists"/>
    <published>2026-10-31T10:00:00Z</published>
    <updated>2026-10-31T10:00:00Z</updated>
    <content type="html">Maple Grove made the list.</content>
  </entry>
</feed>"""
RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Mentions</title>
  <item><title>Maple Grove opens on Saturdays</title>
    <link>https://news.example/saturdays</link>
    <pubDate>Sat, 31 Oct 2026 08:00:00 GMT</pubDate>
    <description>&lt;p&gt;Now open &lt;a href="https://x.example"&gt;Saturdays&lt;/a&gt;.&lt;/p&gt;</description>
  </item>
  <item><title>Best dentists in Springfield</title>
    <guid>tag:google.com,2013:googlealerts/feed:222</guid>
    <link>https://blog.example/best-dentists</link>
  </item>
</channel></rss>"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_9)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def services(clock: ManualClock, store: MemoryStore) -> Services:
    return build_services(
        uow=store,
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        known_names=lambda: ("Odalys Brightwater",),
    )


@pytest.fixture
def staff(services: Services) -> DemoStaff:
    return create_demo_practice(services, with_posts=False)


@pytest.fixture
def reviews(services: Services) -> ReviewService:
    return services.reviews


def item(n: int = 1, **kw: object) -> Review:
    fields: dict[str, object] = {
        "id": None,
        "kind": ItemKind.REVIEW,
        "source": Source.GOOGLE,
        "external_id": f"g-{n}",
        "author": "Jordan P.",
        "rating": 1,
        "posted_at": MONDAY_9 - timedelta(hours=2),
        "text": NEGATIVE_TEXT,
        "url": f"https://g.example/{n}",
        "content_hash": "",
        "collected_at": MONDAY_9,
    }
    return Review(**(fields | kw))  # type: ignore[arg-type]


def add(reviews: ReviewService, staff: DemoStaff, n: int = 1, **kw: object) -> Review:
    return reviews.add_one(staff.front_desk, item(n, **kw))


def respond(reviews: ReviewService, staff: DemoStaff, r: Review) -> Review:
    assert r.id is not None
    return reviews.assess(
        staff.front_desk,
        r.id,
        r.version,
        Authenticity.LIKELY_REAL,
        ReviewType.FIXABLE_PROBLEM,
        2,
        2,
        Decision.RESPOND,
    )


def audit(services: Services, staff: DemoStaff) -> list[tuple[str, str, str]]:
    found, _ = services.audit.query(staff.admin, AuditQuery(limit=10_000))
    return [(e.action, e.entity_id, e.detail) for e in reversed(found)]


# --- collecting ------------------------------------------------------------------------------
def test_import_stores_good_rows_in_one_transaction_and_skips_duplicates(
    services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    preview = reviews.preview_import(CSV_FILE, "export.csv")
    assert reviews.count(ReviewQuery()) == 0  # a preview stores nothing
    result = reviews.import_reviews(staff.front_desk, preview)
    assert (result.added, result.duplicates, result.skipped_errors) == (2, 1, 1)
    page, total = reviews.list(ReviewQuery(order="posted_desc"))  # type: ignore[arg-type]
    assert total == 2
    assert {r.external_id for r in page} == {"g-1", "y-7"}
    negative = next(r for r in page if r.external_id == "g-1")
    assert negative.sentiment is Sentiment.NEGATIVE
    assert "wait_time" in negative.themes
    assert negative.status is ReviewStatus.NEW
    assert negative.collected_at == MONDAY_9
    assert negative.due_at is not None
    again = reviews.import_reviews(staff.front_desk, preview)
    assert (again.added, again.duplicates) == (0, 3)
    assert reviews.count(ReviewQuery()) == 2
    assert ("review.import", "import", "2 added, 1 duplicates, 1 rows with errors") in audit(
        services, staff
    )


def test_an_import_never_half_imports(
    reviews: ReviewService, staff: DemoStaff, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _Reviews.add_many

    def failing(self: _Reviews, batch: list[Review]) -> tuple[int, int]:
        real(self, batch[:1])  # one row stored, then the store fails
        raise RuntimeError("disk went away")

    monkeypatch.setattr(_Reviews, "add_many", failing)
    with pytest.raises(RuntimeError):
        reviews.import_reviews(staff.front_desk, reviews.preview_import(CSV_FILE, "x.csv"))
    monkeypatch.setattr(_Reviews, "add_many", real)
    assert reviews.count(ReviewQuery()) == 0


def test_add_one_refuses_a_duplicate_and_bad_input(
    reviews: ReviewService, staff: DemoStaff
) -> None:
    first = add(reviews, staff)
    with pytest.raises(ValidationError) as info:
        add(reviews, staff)  # same source and external id
    assert info.value.params == {
        "field": "review",
        "reason": "duplicate",
        "existing_id": first.id,
    }
    with pytest.raises(ValidationError):
        add(reviews, staff, 2, external_id="", author="Jordan P.")  # same content hash
    with pytest.raises(ValidationError) as info:
        add(reviews, staff, 3, text="   ")
    assert info.value.params["field"] == "text"
    with pytest.raises(ValidationError) as info:
        add(reviews, staff, 4, rating=6)
    assert info.value.params["field"] == "rating"


def test_a_pasted_review_is_parsed_not_stored(reviews: ReviewService, staff: DemoStaff) -> None:
    parsed = reviews.parse_pasted("Jordan P.\n★★☆☆☆\nWaited an hour past my appointment.")
    assert parsed.id is None
    assert reviews.count(ReviewQuery()) == 0
    saved = reviews.add_one(staff.front_desk, parsed)
    assert saved.id is not None


# --- triage ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (Decision.NO_RESPONSE, ReviewStatus.NO_RESPONSE),
        (Decision.ESCALATE_MANAGER, ReviewStatus.ESCALATED),
        (Decision.ESCALATE_DOCTOR, ReviewStatus.ESCALATED),
    ],
)
def test_decisions_other_than_respond_need_a_reason(
    reviews: ReviewService, staff: DemoStaff, decision: Decision, status: ReviewStatus
) -> None:
    r = add(reviews, staff)
    assert r.id is not None
    args = (Authenticity.SUSPICIOUS, ReviewType.TROLL, 1, 1, decision)
    for reason in ("", "   ", "troll"):
        with pytest.raises(ValidationError) as info:
            reviews.assess(staff.front_desk, r.id, r.version, *args, reason)
        assert info.value.params["field"] == "reason"
    saved = reviews.assess(
        staff.front_desk, r.id, r.version, *args, "Same text posted on 40 practices today"
    )
    assert saved.status is status
    detail = reviews.detail(r.id)
    assert detail.assessment is not None
    assert detail.assessment.reason == "Same text posted on 40 practices today"
    assert detail.assessment.assessed_by == staff.front_desk.id
    if status is ReviewStatus.NO_RESPONSE:
        assert saved.due_at is None
    else:
        assert saved.due_at == r.due_at
    assert (reviews.doctor_list() == [saved]) is (decision is Decision.ESCALATE_DOCTOR)


def test_assess_checks_its_input_and_versions(reviews: ReviewService, staff: DemoStaff) -> None:
    r = add(reviews, staff)
    assert r.id is not None
    with pytest.raises(ValidationError):
        reviews.assess(
            staff.front_desk,
            r.id,
            r.version,
            Authenticity.LIKELY_REAL,
            ReviewType.PRAISE,
            4,
            1,
            Decision.RESPOND,
        )
    respond(reviews, staff, r)
    with pytest.raises(EditConflict):
        respond(reviews, staff, r)  # read before the first assessment


def test_assign_to_staff(reviews: ReviewService, staff: DemoStaff) -> None:
    r = add(reviews, staff)
    assert r.id is not None
    saved = reviews.assign(staff.front_desk, r.id, r.version, staff.manager.id)
    assert saved.assignee_id == staff.manager.id
    assert reviews.list(ReviewQuery(assignee_id=staff.manager.id))[1] == 1
    cleared = reviews.assign(staff.front_desk, r.id, saved.version, None)
    assert cleared.assignee_id is None


# --- replies --------------------------------------------------------------------------------
def test_a_negative_reply_needs_another_approver(
    services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    r = respond(reviews, staff, add(reviews, staff))
    assert r.id is not None
    r = reviews.save_reply(staff.manager, r.id, r.version, SAFE)  # the manager writes it
    r = reviews.submit_reply(staff.manager, r.id, r.version)
    assert r.status is ReviewStatus.AWAITING_APPROVAL
    with pytest.raises(ApproverRoleRequired):
        reviews.approve_reply(staff.front_desk, r.id, r.version)
    with pytest.raises(SelfApproval) as info:
        reviews.approve_reply(staff.manager, r.id, r.version)  # the writer
    assert info.value.params["reason"] == "author"
    r = reviews.approve_reply(staff.admin, r.id, r.version)
    assert r.status is ReviewStatus.APPROVED
    reply = reviews.detail(r.id).reply
    assert reply is not None
    assert (reply.written_by, reply.approved_by) == (staff.manager.id, staff.admin.id)
    with pytest.raises(ValidationError):  # only an approved reply is marked replied
        reviews.submit_reply(staff.manager, r.id, r.version)


def test_a_positive_reply_needs_no_approver(reviews: ReviewService, staff: DemoStaff) -> None:
    r = add(reviews, staff, 9, rating=5, text="Lovely hygienist and a spotless office!")
    assert r.id is not None
    r = reviews.save_reply(staff.front_desk, r.id, r.version, "Thank you for the kind words!")
    r = reviews.submit_reply(staff.front_desk, r.id, r.version)
    assert r.status is ReviewStatus.APPROVED


def test_open_findings_block_submit_until_overridden_with_a_reason(
    services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    r = respond(reviews, staff, add(reviews, staff))
    assert r.id is not None
    r = reviews.save_reply(staff.front_desk, r.id, r.version, UNSAFE)
    findings = reviews.findings(r.id)
    assert findings
    assert {f.finding.kind for f in findings} & {"patient_relationship", "health_detail"}
    with pytest.raises(OpenFindings) as info:
        reviews.submit_reply(staff.front_desk, r.id, r.version)
    assert info.value.params["count"] == len(findings)
    assert reviews.get(r.id).status is ReviewStatus.TRIAGED
    first = findings[0]
    one = Override(first.finding.kind, first.finding.start, first.finding.end, "It is fine")
    with pytest.raises(ValidationError) as short:
        reviews.submit_reply(staff.front_desk, r.id, r.version, [replace(one, reason="ok")])
    assert short.value.params["field"] == "override_reason"
    stale = replace(one, start=one.start + 1, reason="The words are general, not PHI")
    with pytest.raises(ValidationError) as info2:
        reviews.submit_reply(staff.front_desk, r.id, r.version, [stale])
    assert info2.value.params["reason"] == "stale"
    reasons = [
        Override(f.finding.kind, f.finding.start, f.finding.end, "Reviewed with the manager")
        for f in findings
    ]
    r = reviews.submit_reply(staff.front_desk, r.id, r.version, reasons)
    assert r.status is ReviewStatus.AWAITING_APPROVAL
    assert all(f.overridden for f in reviews.findings(r.id))
    overrides = [e for e in audit(services, staff) if e[0] == "review.reply_override"]
    assert len(overrides) == len(findings)
    assert all(e[2].endswith(f"{len('Reviewed with the manager')} chars") for e in overrides)


def test_the_safe_reply_passes_clean_and_check_uses_known_names(
    reviews: ReviewService, staff: DemoStaff
) -> None:
    r = add(reviews, staff)
    assert reviews.check(SAFE, r) == []
    named = reviews.check("Odalys Brightwater, thank you for coming in.", r)
    assert "name" in {f.kind for f in named}


def test_editing_an_approved_reply_takes_it_back_to_a_draft(
    reviews: ReviewService, staff: DemoStaff
) -> None:
    r = respond(reviews, staff, add(reviews, staff))
    assert r.id is not None
    r = reviews.save_reply(staff.front_desk, r.id, r.version, SAFE)
    r = reviews.submit_reply(staff.front_desk, r.id, r.version)
    r = reviews.approve_reply(staff.manager, r.id, r.version)
    r = reviews.save_reply(staff.front_desk, r.id, r.version, SAFE + " Thank you.")
    assert r.status is ReviewStatus.TRIAGED
    r = reviews.submit_reply(staff.front_desk, r.id, r.version)
    assert r.status is ReviewStatus.AWAITING_APPROVAL
    reply = reviews.detail(r.id).reply
    assert reply is not None
    assert reply.approved_by is None


def test_mark_replied_records_who_and_when(
    clock: ManualClock, reviews: ReviewService, staff: DemoStaff
) -> None:
    r = respond(reviews, staff, add(reviews, staff))
    assert r.id is not None
    r = reviews.save_reply(staff.front_desk, r.id, r.version, SAFE)
    with pytest.raises(ValidationError) as info:
        reviews.mark_replied(staff.front_desk, r.id, r.version)
    assert info.value.params["reason"] == "not_allowed"
    r = reviews.submit_reply(staff.front_desk, r.id, r.version)
    r = reviews.approve_reply(staff.manager, r.id, r.version)
    clock.advance(timedelta(hours=1))
    r = reviews.mark_replied(staff.front_desk, r.id, r.version)
    assert r.status is ReviewStatus.REPLIED
    assert r.due_at is None
    detail = reviews.detail(r.id)
    assert detail.reply is not None
    assert (detail.reply.posted_by, detail.reply.posted_at) == (staff.front_desk.id, clock.now())
    assert [e.action for e in detail.history] == [
        "review.add",
        "review.assess",
        "review.reply_save",
        "review.reply_submit",
        "review.reply_approve",
        "review.replied",
    ]
    with pytest.raises(ValidationError):
        respond(reviews, staff, r)  # a replied item is not assessed again


def test_a_deactivated_member_can_do_nothing(
    reviews: ReviewService, staff: DemoStaff, services: Services
) -> None:
    r = add(reviews, staff)
    services.staff.update(staff.admin, replace(staff.front_desk, active=False))
    with pytest.raises(PermissionDenied):
        respond(reviews, staff, r)


# --- due times ------------------------------------------------------------------------------
def test_due_and_overdue_follow_the_clock_and_business_days(
    clock: ManualClock, services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    # Friday 6 November 2026, 16:00 in Chicago: one business hour left that day.
    friday_4pm = datetime(2026, 11, 6, 22, 0, tzinfo=UTC)
    clock.set(friday_4pm)
    negative = add(reviews, staff, 1, posted_at=friday_4pm)
    positive = add(reviews, staff, 2, rating=5, text="Lovely hygienist!", posted_at=friday_4pm)
    # negative: 1 business day (9 h): Friday 16–17, then Monday 8–16 → Monday 16:00 Chicago
    assert negative.due_at == datetime(2026, 11, 9, 22, 0, tzinfo=UTC)
    # positive: 3 business days → Wednesday 11 November is Veterans Day (a US public
    # holiday): Friday 16–17, Monday, Tuesday, Thursday 8–16 → Thursday 12 November 16:00
    assert positive.due_at == datetime(2026, 11, 12, 22, 0, tzinfo=UTC)
    assert reviews.list(ReviewQuery(overdue=True))[1] == 0
    clock.set(datetime(2026, 11, 9, 22, 30, tzinfo=UTC))
    page, total = reviews.list(ReviewQuery(overdue=True))
    assert (total, page) == (1, [negative])


def test_due_times_follow_a_change_of_the_rules(
    services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    r = add(reviews, staff)
    assert r.id is not None
    assert not reviews.ensure_due_current(force=True)
    before = reviews.get(r.id).due_at
    rules = services.practice.response_rules()
    services.practice.save_response_rules(
        staff.admin, Versioned(replace(rules.value, negative_days=3), rules.version)
    )
    assert reviews.ensure_due_current(force=True)
    after = reviews.get(r.id)
    assert before is not None
    assert after.due_at is not None
    assert after.due_at > before
    assert after.version == r.version  # not an edit
    assert not reviews.ensure_due_current(force=True)
    assert reviews.recompute_due() == 1


# --- Today ----------------------------------------------------------------------------------
def test_today_groups_items_into_counts(
    clock: ManualClock, services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    for n in range(1, 6):
        add(reviews, staff, n, text=f"{NEGATIVE_TEXT} ({n})")
    r = respond(reviews, staff, reviews.get(1))
    r = reviews.save_reply(staff.front_desk, 1, r.version, SAFE)
    reviews.submit_reply(staff.front_desk, 1, r.version)
    doc = reviews.get(2)
    reviews.assess(
        staff.front_desk,
        2,
        doc.version,
        Authenticity.LIKELY_REAL,
        ReviewType.FIXABLE_PROBLEM,
        2,
        3,
        Decision.ESCALATE_DOCTOR,
        "A clinical complaint for the doctor",
    )
    from core.reviews.today import ReviewAttention

    source = ReviewAttention(lambda: reviews)
    kinds = {i.kind: i for i in source.attention_items(clock.now())}
    assert kinds["review_due_soon"].params["count"] == 5
    assert kinds["review_reply_approval"].params["count"] == 1
    assert kinds["review_reply_approval"].target == "filter:awaiting_approval"
    assert kinds["review_escalated_doctor"].target == "doctor"
    assert "review_overdue" not in kinds
    clock.advance(timedelta(days=3))
    kinds = {i.kind: i for i in source.attention_items(clock.now())}
    overdue = kinds["review_overdue"]
    assert overdue.params["count"] == 5
    assert overdue.target == "filter:overdue"
    assert overdue.due == min(reviews.get(n).due_at for n in range(1, 6))  # type: ignore[type-var]
    assert all("Waited" not in str(i.params) for i in kinds.values())


# --- feeds ----------------------------------------------------------------------------------
def test_poll_feeds_adds_new_entries_once(
    services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    atom = reviews.add_feed(staff.front_desk, "https://alerts.example/atom", "Google Alert")
    rss = reviews.add_feed(staff.front_desk, "https://news.example/rss", "Local news")
    reviews.add_feed(staff.front_desk, "https://down.example/rss", "Broken")
    bodies = {atom.url: ATOM, rss.url: RSS}

    def fetch(url: str) -> bytes:
        if url not in bodies:
            raise OSError("connection refused")
        return bodies[url]

    result = reviews.poll_feeds(fetch)
    # 2 in the Atom feed, 2 in RSS of which one is the same alert (same entry id)
    assert (result.feeds, result.new_mentions) == (3, 3)
    assert len(result.failed) == 1
    assert {f.name: f.last_error for f in reviews.feeds()} == {
        "Broken": "fetch_failed",
        "Google Alert": "",
        "Local news": "",
    }
    again = reviews.poll_feeds(fetch)
    assert again.new_mentions == 0
    page, total = reviews.list(ReviewQuery(kind=ItemKind.MENTION, order="posted_desc"))  # type: ignore[arg-type]
    assert total == 3
    sponsor = next(m for m in page if "5K" in m.text)
    assert sponsor.text == (
        "Maple Grove Family Dental sponsors the 5K — The practice sponsored the run & handed "
        "out water."
    )
    assert sponsor.url == "https://news.example/maple-grove-5k"
    assert sponsor.rating is None
    assert sponsor.status is ReviewStatus.NEW
    assert sponsor.due_at is not None
    saturdays = next(m for m in page if "Saturdays" in m.text)
    assert "<" not in saturdays.text
    events = [e for e in audit(services, staff) if e[0].startswith("feed.")]
    assert [e[0] for e in events] == ["feed.add", "feed.add", "feed.add", "feed.poll", "feed.poll"]


def test_bad_feeds_and_feed_addresses(reviews: ReviewService, staff: DemoStaff) -> None:
    with pytest.raises(ValidationError):
        reviews.add_feed(staff.front_desk, "javascript:alert(1)", "x")
    feed = reviews.add_feed(staff.front_desk, "https://a.example/feed", "A")
    with pytest.raises(ValidationError):
        reviews.add_feed(staff.front_desk, "https://a.example/feed", "A again")
    result = reviews.poll_feeds(lambda url: b"this is not a feed at all")
    assert result.failed == (feed.id,)
    assert reviews.feeds()[0].last_error == "parse_failed"
    reviews.remove_feed(staff.front_desk, feed.id or 0)
    assert reviews.feeds() == []


def test_plain_text_of_feed_markup() -> None:
    assert plain_text("<p>Hi&nbsp;<b>there</b><br>you &amp; me</p>") == "Hi there you & me"
    assert parse_feed(RSS, now=MONDAY_9)[1].posted_at == MONDAY_9  # no date: polled now


# --- measures -------------------------------------------------------------------------------
def test_measures_arithmetic(clock: ManualClock, reviews: ReviewService, staff: DemoStaff) -> None:
    october = datetime(2026, 10, 10, 15, 0, tzinfo=UTC)
    past = reviews.as_of(ManualClock(october))
    a = past.add_one(staff.front_desk, item(1, rating=1, posted_at=october))
    b = past.add_one(
        staff.front_desk,
        item(2, rating=5, text="Lovely hygienist, no wait at all.", posted_at=october),
    )
    past.add_one(
        staff.front_desk, item(3, rating=4, text="Friendly staff overall.", posted_at=october)
    )
    reviews.add_one(
        staff.front_desk, item(4, rating=2, text="Billing was wrong.", posted_at=MONDAY_9)
    )
    reviews.add_one(staff.front_desk, item(5, kind=ItemKind.MENTION, rating=None, text="A mention"))
    for first, hours in ((a, 4), (b, 10)):
        later = reviews.as_of(ManualClock(october + timedelta(hours=hours)))
        r = respond(later, staff, first)
        rid = r.id or 0
        r = later.save_reply(staff.front_desk, rid, r.version, SAFE)
        r = later.submit_reply(staff.front_desk, rid, r.version)
        if r.status is ReviewStatus.AWAITING_APPROVAL:
            r = later.approve_reply(staff.manager, rid, r.version)
        later.mark_replied(staff.front_desk, rid, r.version)
    m = reviews.measures(months=3)
    assert [x.month for x in m.months] == ["2026-09", "2026-10", "2026-11"]
    sep, oct_, nov = m.months
    assert (sep.reviews, sep.average_rating, sep.response_rate) == (0, None, None)
    assert (oct_.reviews, oct_.replied, oct_.average_rating) == (3, 2, round(10 / 3, 2))
    assert oct_.median_response_hours == 7.0  # median of 4 h and 10 h
    assert (nov.reviews, nov.replied, nov.average_rating) == (1, 0, 2.0)
    assert (m.reviews, m.replied, m.median_response_hours) == (4, 2, 7.0)
    assert m.response_rate == 0.5
    assert oct_.themes.get("wait_time", 0) >= 1
    rows = list(csv.reader(io.StringIO(reviews.measures_csv(months=3).decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "month",
        "reviews",
        "average_rating",
        "replied",
        "response_rate",
        "median_response_hours",
    ]
    assert rows[2][:6] == ["2026-10", "3", "3.33", "2", "0.667", "7.0"]
    assert rows[1][:6] == ["2026-09", "0", "", "0", "", ""]


# --- audit ----------------------------------------------------------------------------------
def test_audit_details_hold_no_review_text_or_names(
    services: Services, reviews: ReviewService, staff: DemoStaff
) -> None:
    reviews.import_reviews(staff.front_desk, reviews.preview_import(CSV_FILE, "x.csv"))
    r = respond(reviews, staff, add(reviews, staff, 5, author="Odalys Brightwater"))
    assert r.id is not None
    r = reviews.save_reply(staff.front_desk, r.id, r.version, UNSAFE)
    overrides = [
        Override(f.finding.kind, f.finding.start, f.finding.end, "Jordan asked us to say it")
        for f in reviews.findings(r.id)
    ]
    r = reviews.submit_reply(staff.front_desk, r.id, r.version, overrides)
    reviews.return_reply(staff.manager, r.id, r.version, "Jordan's root canal must not show")
    trail = audit(services, staff)
    actions = {a for a, _, _ in trail}
    assert {
        "review.import",
        "review.add",
        "review.assess",
        "review.reply_save",
        "review.reply_override",
        "review.reply_submit",
        "review.reply_return",
    } <= actions
    text = " ".join(d for _, _, d in trail).lower()
    for word in ("jordan", "odalys", "waited", "root canal", "hygienist", "dentist", "october"):
        assert word not in text
    history = " ".join(e.detail for e in reviews.detail(r.id).history).lower()
    assert "jordan" not in history
    assert "root" not in history


def test_staff_roles_exist() -> None:
    assert Role.APPROVER.value == "approver"


def test_reviews_service_is_built_lazily(tmp_path: Path, services: Services) -> None:
    assert services._reviews is None
    assert services.reviews is services.reviews


def test_dates_without_a_zone_are_the_practices_days(
    reviews: ReviewService, staff: DemoStaff
) -> None:
    """An export's "2026-10-01" is that day at the practice (Chicago), not in UTC: it counts in
    October's measures, not September's."""
    preview = reviews.preview_import(b"text,date,rating\nGreat visit,2026-10-01,5\n", "a.csv")
    posted = preview.rows[0].review.posted_at  # type: ignore[union-attr]
    local = posted.astimezone(reviews._tz())
    assert str(reviews._tz()) == "America/Chicago"
    assert (local.year, local.month, local.day, local.hour) == (2026, 10, 1, 0)
