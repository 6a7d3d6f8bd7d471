"""The incentive log's use cases over the in-memory ports: crediting from each source event
exactly once (also when the audit trail is replayed, or two syncs run at once), who is
credited, hand-logged contributions and their rights, balance arithmetic, redemption approval
rights, rules that refuse review incentives, goals, the leaderboard, the export and Today."""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.demo import DemoStaff, create_demo_practice
from core.errors import EditConflict, NotFound, PermissionDenied, ValidationError
from core.incentives.errors import (
    AutomaticCredit,
    NotEnoughPoints,
    OwnRedemption,
    RedemptionNotPending,
    RuleRefused,
)
from core.incentives.model import (
    Contribution,
    ContributionKind,
    CustomKind,
    Goal,
    PointRules,
    RedemptionStatus,
    Reward,
)
from core.incentives.rules import new_custom_kind
from core.incentives.service import CURSOR_KEY, IncentiveService
from core.reviews.model import ItemKind, Reply, Review, Sentiment, Source
from core.staff.model import Permission
from core.staff.pins import fast_hasher
from tests.fakes import MemorySecrets, MemoryStore

K = ContributionKind
# Monday 2 November 2026, 09:00 in Chicago (15:00 UTC): a business day.
MONDAY_9 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
CLEAN = "Our new hygienist Sam joins us Monday. Call (217) 555-0142 to book a cleaning."


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
def inc(services: Services) -> IncentiveService:
    return services.incentives


def credits(inc: IncentiveService, staff_id: int) -> list[tuple[str, int, str]]:
    return sorted((c.kind, c.points, c.source_key) for c in inc.history(staff_id))


def audit_actions(services: Services, staff: DemoStaff) -> list[tuple[str, str]]:
    events, _ = services.audit.query(staff.admin, AuditQuery(limit=10_000))
    return [(e.action, e.detail) for e in reversed(events) if e.action.startswith("incentive.")]


def published_post(services: Services, staff: DemoStaff) -> int:
    """A post through the real workflow: drafted and submitted by the front desk, approved by
    the manager, published by hand by the admin."""
    composer = services.composer
    post = composer.new_draft(staff.front_desk, CLEAN, ["facebook"])
    assert post.id is not None
    post_id = post.id
    post = composer.submit(staff.front_desk, post_id, post.version)
    post = composer.approve(staff.manager, post_id, post.version)
    composer.record_manual_publish(
        staff.admin, post_id, post.version, {"facebook": "https://facebook.com/p/1"}
    )
    return post_id


# --- crediting from the audit trail ------------------------------------------------------------
def test_each_post_step_credits_the_right_person_once(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    post_id = published_post(services, staff)

    assert inc.sync() == 3
    key = f"post:{post_id}"
    assert credits(inc, staff.front_desk.id) == [
        ("post_approved", 3, f"post_approved:{key}"),  # the author, not the approver
        ("post_idea", 1, f"post_idea:{key}"),
    ]
    assert credits(inc, staff.admin.id) == [("post_published", 3, f"post_published:{key}")]
    assert credits(inc, staff.manager.id) == []
    assert inc.sync() == 0
    assert ("incentive.sync", "3") in audit_actions(services, staff)


def test_a_replayed_trail_and_a_post_approved_twice_credit_nothing_more(
    services: Services, staff: DemoStaff, inc: IncentiveService, store: MemoryStore
) -> None:
    published_post(services, staff)
    assert inc.sync() == 3
    # A crash after crediting but before the cursor moved, or a restored settings row:
    with store() as tx:
        tx.settings.put(CURSOR_KEY, {"seq": 0}, tx.settings.get(CURSOR_KEY)[1])  # type: ignore[index]
    assert inc.sync() == 0
    # The same kind of event for the same post again (approved again after an edit):
    services.audit.record(staff.manager, "post.approve", "post", 1, "to approved")
    assert inc.sync() == 0
    assert inc.balance(staff.front_desk.id).earned == 4


def test_two_syncs_at_once_credit_each_event_once(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    for n in range(30):
        services.audit.record(staff.front_desk, "post.submit", "post", n + 1, "to in_review")
    results: list[int] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        results.append(inc.sync())

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 30
    assert inc.balance(staff.front_desk.id).earned == 30


def test_consent_credits_only_a_complete_authorization(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    services.audit.record(
        staff.front_desk, "consent.capture", "authorization", 7, "patient 3; complete"
    )
    services.audit.record(
        staff.front_desk,
        "consent.capture",
        "authorization",
        8,
        "patient 4; incomplete: signature, expiry",
    )
    services.audit.record(
        staff.front_desk, "consent.capture", "authorization", 7, "patient 3; complete"
    )
    assert inc.sync() == 1
    assert credits(inc, staff.front_desk.id) == [
        ("consent_collected", 3, "consent_collected:authorization:7")
    ]


def test_an_image_signoff_credits_who_signed_it_off(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    # The image checklist emits ``image.signoff`` (core.imaging); synthetic here.
    services.audit.record(staff.manager, "image.signoff", "image", 12, "checklist complete")
    services.audit.record(staff.manager, "image.signoff", "image", 12, "checklist complete")
    assert inc.sync() == 1
    assert credits(inc, staff.manager.id) == [("image_checked", 2, "image_checked:image:12")]


def review(
    store: MemoryStore, n: int, *, rating: int, sentiment: Sentiment, posted: datetime
) -> int:
    with store() as tx:
        saved = tx.reviews.add(
            Review(
                id=None,
                kind=ItemKind.REVIEW,
                source=Source.GOOGLE,
                external_id=f"g-{n}",
                author="Jordan P.",
                rating=rating,
                posted_at=MONDAY_9 - timedelta(hours=1),
                text="Some words.",
                url=f"https://g.example/{n}",
                content_hash=f"{n:064d}",
                collected_at=MONDAY_9,
                sentiment=sentiment,
            )
        )
        assert saved.id is not None
        tx.reviews.set_reply(
            saved.id,
            Reply(
                text="Thank you.", written_by=1, written_at=MONDAY_9, posted_by=1, posted_at=posted
            ),
        )
        return saved.id


def test_a_reply_counts_when_posted_by_its_due_time_whatever_the_stars(
    services: Services, staff: DemoStaff, inc: IncentiveService, store: MemoryStore
) -> None:
    # Negative reviews are due in one business day, positive ones in three (the defaults).
    on_time_one_star = review(
        store, 1, rating=1, sentiment=Sentiment.NEGATIVE, posted=MONDAY_9 + timedelta(hours=3)
    )
    late_five_stars = review(
        store, 2, rating=5, sentiment=Sentiment.POSITIVE, posted=MONDAY_9 + timedelta(days=9)
    )
    on_time_five_stars = review(
        store, 3, rating=5, sentiment=Sentiment.POSITIVE, posted=MONDAY_9 + timedelta(days=2)
    )
    for review_id in (on_time_one_star, late_five_stars, on_time_five_stars):
        services.audit.record(
            staff.front_desk, "review.replied", "review", review_id, "marked replied"
        )
    assert inc.sync() == 2
    assert credits(inc, staff.front_desk.id) == [
        ("reply_on_time", 2, f"reply_on_time:review:{on_time_one_star}"),
        ("reply_on_time", 2, f"reply_on_time:review:{on_time_five_stars}"),
    ]


def test_events_that_credit_nobody_are_skipped(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    services.audit.record(staff.manager, "post.approve", "post", 999, "to approved")  # gone
    services.audit.record(None, "post.submit", "post", 3, "to in_review")  # nobody
    services.audit.record(staff.front_desk, "review.import", "review", "import", "3 rows")
    assert inc.sync() == 0
    assert inc.leaderboard(2026, 11)[0].points == 0


def test_a_kind_set_to_zero_points_credits_nothing_and_old_credits_keep_their_points(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    services.audit.record(staff.front_desk, "post.submit", "post", 1, "to in_review")
    assert inc.sync() == 1
    rules = inc.rules()
    points = dict(rules.value.points) | {K.POST_IDEA.value: 0}
    inc.save_rules(staff.admin, PointRules(points, ()), rules.version)
    services.audit.record(staff.front_desk, "post.submit", "post", 2, "to in_review")
    assert inc.sync() == 0
    assert [c.points for c in inc.history(staff.front_desk.id)] == [1]


# --- hand-logged contributions -----------------------------------------------------------------
def test_anyone_logs_asking_a_patient_for_feedback_for_themselves_only(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    c = inc.add_manual(staff.front_desk, staff.front_desk.id, K.FEEDBACK_ASKED, "")
    assert (c.kind, c.points, c.added_by, c.entity_type) == ("feedback_asked", 1, c.staff_id, "")
    with pytest.raises(PermissionDenied):
        inc.add_manual(staff.front_desk, staff.manager.id, K.FEEDBACK_ASKED, "")
    with pytest.raises(PermissionDenied):
        inc.add_manual(staff.front_desk, staff.front_desk.id, K.FEEDBACK_ASKED, "", points=5)
    with pytest.raises(PermissionDenied):
        inc.add_manual(staff.front_desk, staff.front_desk.id, K.MANUAL, "made a video", points=5)
    inc.add_manual(staff.manager, staff.front_desk.id, K.FEEDBACK_ASKED, "")
    assert inc.balance(staff.front_desk.id).earned == 2


def test_a_manual_credit_needs_a_manager_points_and_a_note(
    services: Services, staff: DemoStaff, inc: IncentiveService, clock: ManualClock
) -> None:
    with pytest.raises(ValidationError) as no_points:
        inc.add_manual(staff.manager, staff.front_desk.id, K.MANUAL, "filmed the video")
    assert no_points.value.params["field"] == "points"
    with pytest.raises(ValidationError) as no_note:
        inc.add_manual(staff.manager, staff.front_desk.id, K.MANUAL, " ok ", points=5)
    assert no_note.value.params["field"] == "note"
    with pytest.raises(ValidationError):
        inc.add_manual(staff.manager, staff.front_desk.id, K.MANUAL, "video", points=100_000)
    with pytest.raises(ValidationError) as future:
        inc.add_manual(
            staff.manager,
            staff.front_desk.id,
            K.MANUAL,
            "video",
            points=5,
            at=clock.now() + timedelta(days=1),
        )
    assert future.value.params["field"] == "at"
    with pytest.raises(AutomaticCredit):
        inc.add_manual(staff.manager, staff.front_desk.id, K.POST_APPROVED, "extra", points=3)
    note = "Filmed the new-hygienist intro video"
    c = inc.add_manual(staff.manager, staff.front_desk.id, K.MANUAL, note, points=8)
    assert (c.points, c.note, c.added_by) == (8, note, staff.manager.id)
    # The audit detail says what and how much, never the note's words.
    assert audit_actions(services, staff)[-1] == (
        "incentive.add",
        f"manual 8 points for staff {staff.front_desk.id}; note {len(note)} chars",
    )


def test_only_hand_logged_credits_are_removed_and_only_by_managers(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    services.audit.record(staff.front_desk, "post.submit", "post", 1, "to in_review")
    inc.sync()
    [auto] = inc.history(staff.front_desk.id)
    manual = inc.add_manual(staff.manager, staff.front_desk.id, K.MANUAL, "video", points=8)
    assert manual.id is not None
    assert auto.id is not None
    with pytest.raises(PermissionDenied):
        inc.remove_manual(staff.front_desk, manual.id, "a mistake")
    with pytest.raises(AutomaticCredit):
        inc.remove_manual(staff.manager, auto.id, "a mistake")
    with pytest.raises(ValidationError):
        inc.remove_manual(staff.manager, manual.id, "")
    inc.remove_manual(staff.manager, manual.id, "logged twice")
    assert [c.id for c in inc.history(staff.front_desk.id)] == [auto.id]
    with pytest.raises(NotFound):
        inc.remove_manual(staff.manager, manual.id, "logged twice")
    assert inc.balance(staff.front_desk.id).earned == 1


def test_custom_kinds_are_logged_at_their_rule_points(
    staff: DemoStaff, inc: IncentiveService
) -> None:
    video = new_custom_kind("Filmed a video", "A short clip for social media", 5)
    rules = inc.rules()
    inc.save_rules(staff.admin, replace(rules.value, custom=(video,)), rules.version)
    c = inc.add_manual(staff.front_desk, staff.front_desk.id, video.kind, "the tour")
    assert (c.kind, c.points) == ("custom:filmed-a-video", 5)
    with pytest.raises(ValidationError):
        inc.add_manual(staff.front_desk, staff.front_desk.id, "custom:nope", "x")


# --- rules ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "description", "reason"),
    [
        ("5-star review bonus", "", "review_sentiment"),
        ("Positive reviews", "", "review_sentiment"),
        ("Good Google review", "", "review_sentiment"),
        ("Star rating", "", "review_rating"),
        ("Review count", "", "review_count"),
        ("Most reviews this month", "", "review_count"),
        ("Wrote a Google review", "", "staff_review"),
        ("Ask happy patients", "only the satisfied ones", "review_gating"),
        ("Review gating", "", "review_gating"),
        ("Helpful", "for each review we get", "review_count"),
        ("Yelp", "", "review_incentive"),
    ],
)
def test_the_rule_editor_refuses_review_incentives_with_the_reason(
    staff: DemoStaff, inc: IncentiveService, name: str, description: str, reason: str
) -> None:
    rules = inc.rules()
    bad = PointRules(rules.value.points, (new_custom_kind(name, description, 3),))
    with pytest.raises(RuleRefused) as refused:
        inc.save_rules(staff.admin, bad, rules.version)
    assert reason in refused.value.params["reasons"]
    assert inc.rules().value.custom == ()


def test_rules_are_validated_and_versioned(staff: DemoStaff, inc: IncentiveService) -> None:
    rules = inc.rules()
    assert rules.version is None
    assert rules.value.points_for(K.POST_APPROVED) == 3
    with pytest.raises(PermissionDenied):
        inc.save_rules(staff.front_desk, rules.value, rules.version)
    for bad in (
        PointRules({"stars": 5}, ()),
        PointRules({K.POST_IDEA.value: -1}, ()),
        PointRules(rules.value.points, (CustomKind("x", "Other", "", 3),)),  # slug ≠ name
        PointRules(
            rules.value.points,
            (new_custom_kind("Video", "", 3), new_custom_kind("video", "", 2)),
        ),
    ):
        with pytest.raises(ValidationError):
            inc.save_rules(staff.admin, bad, rules.version)
    saved = inc.save_rules(staff.manager, rules.value, rules.version)
    with pytest.raises(EditConflict):
        inc.save_rules(staff.admin, rules.value, rules.version)
    assert inc.rules().version == saved.version == 1


# --- balances and redemptions ------------------------------------------------------------------
def test_balance_arithmetic_through_request_decline_cancel_and_approve(
    staff: DemoStaff, inc: IncentiveService
) -> None:
    front = staff.front_desk
    inc.add_manual(staff.manager, front.id, K.MANUAL, "organised the open day", points=50)
    coffee = inc.save_reward(staff.manager, Reward(None, "Coffee card", 10))
    lunch = inc.save_reward(staff.manager, Reward(None, "Team lunch", 40))
    assert (coffee.id, lunch.id) != (None, None)
    assert coffee.id is not None
    assert lunch.id is not None

    first = inc.request_redemption(front, lunch.id)
    b = inc.balance(front.id)
    assert (b.earned, b.spent, b.pending, b.available) == (50, 0, 40, 10)
    with pytest.raises(NotEnoughPoints) as short:
        inc.request_redemption(front, lunch.id)
    assert dict(short.value.params) == {"available": 10, "cost": 40}
    second = inc.request_redemption(front, coffee.id)
    assert inc.balance(front.id).available == 0
    assert second.id is not None
    assert first.id is not None

    inc.decide_redemption(staff.manager, second.id, approve=False, note="Out of cards")
    assert inc.balance(front.id).available == 10
    inc.cancel_redemption(front, first.id)
    b = inc.balance(front.id)
    assert (b.spent, b.pending, b.available) == (0, 0, 50)

    third = inc.request_redemption(front, lunch.id)
    assert third.id is not None
    approved = inc.decide_redemption(staff.admin, third.id, approve=True)
    assert (approved.status, approved.decided_by) == (RedemptionStatus.APPROVED, staff.admin.id)
    b = inc.balance(front.id)
    assert (b.earned, b.spent, b.pending, b.available) == (50, 40, 0, 10)
    # Renaming or repricing the reward leaves past requests as they were.
    inc.save_reward(staff.manager, replace(lunch, name="Team pizza", cost=60))
    assert [r.cost for r in inc.redemptions(staff_id=front.id)] == [40, 10, 40]


def test_who_may_decide_and_cancel_requests(staff: DemoStaff, inc: IncentiveService) -> None:
    for person in (staff.front_desk, staff.manager):
        inc.add_manual(staff.admin, person.id, K.MANUAL, "helped at the health fair", points=20)
    reward = inc.save_reward(staff.admin, Reward(None, "Coffee card", 10))
    assert reward.id is not None
    mine = inc.request_redemption(staff.manager, reward.id)
    theirs = inc.request_redemption(staff.front_desk, reward.id)
    assert mine.id is not None
    assert theirs.id is not None
    with pytest.raises(OwnRedemption):
        inc.decide_redemption(staff.manager, mine.id, approve=True)
    with pytest.raises(PermissionDenied):
        inc.decide_redemption(staff.front_desk, theirs.id, approve=True)
    with pytest.raises(PermissionDenied):
        inc.decide_redemption(staff.doctor, theirs.id, approve=True)
    with pytest.raises(PermissionDenied):
        inc.cancel_redemption(staff.manager, theirs.id)
    inc.decide_redemption(staff.admin, mine.id, approve=True)
    with pytest.raises(RedemptionNotPending):
        inc.decide_redemption(staff.admin, mine.id, approve=False)
    with pytest.raises(RedemptionNotPending):
        inc.cancel_redemption(staff.manager, mine.id)
    assert [r.id for r in inc.redemptions(status=RedemptionStatus.PENDING)] == [theirs.id]


def test_rewards_are_for_managers_and_never_tied_to_reviews(
    staff: DemoStaff, inc: IncentiveService
) -> None:
    with pytest.raises(PermissionDenied):
        inc.save_reward(staff.front_desk, Reward(None, "Coffee card", 10))
    with pytest.raises(RuleRefused):
        inc.save_reward(staff.admin, Reward(None, "Gift card per 5-star review", 10))
    with pytest.raises(ValidationError):
        inc.save_reward(staff.admin, Reward(None, "Coffee card", 0))
    old = inc.save_reward(staff.admin, Reward(None, "Movie tickets", 30))
    inc.save_reward(staff.admin, replace(old, active=False))
    assert inc.rewards() == []
    with pytest.raises(EditConflict):
        inc.save_reward(staff.admin, replace(old, cost=25))
    assert old.id is not None
    inc.add_manual(staff.admin, staff.front_desk.id, K.MANUAL, "helped a lot", points=50)
    with pytest.raises(ValidationError):
        inc.request_redemption(staff.front_desk, old.id)


def test_removing_a_credit_below_a_pending_request_blocks_its_approval(
    staff: DemoStaff, inc: IncentiveService
) -> None:
    credit = inc.add_manual(staff.admin, staff.front_desk.id, K.MANUAL, "fair", points=10)
    reward = inc.save_reward(staff.admin, Reward(None, "Coffee card", 10))
    assert reward.id is not None
    assert credit.id is not None
    pending = inc.request_redemption(staff.front_desk, reward.id)
    inc.remove_manual(staff.admin, credit.id, "logged by mistake")
    assert inc.balance(staff.front_desk.id).available == -10
    assert pending.id is not None
    with pytest.raises(NotEnoughPoints):
        inc.decide_redemption(staff.manager, pending.id, approve=True)


# --- views, goals, export, Today ---------------------------------------------------------------
def test_leaderboard_and_monthly_chart_count_in_the_practices_months(
    services: Services, staff: DemoStaff, inc: IncentiveService, clock: ManualClock
) -> None:
    # 31 October 23:30 in Chicago is already 1 November in UTC: it counts for October.
    late_october = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)
    inc.add_manual(staff.admin, staff.manager.id, K.MANUAL, "october", points=7, at=late_october)
    inc.add_manual(staff.admin, staff.front_desk.id, K.MANUAL, "november", points=4)
    inc.add_manual(staff.front_desk, staff.front_desk.id, K.FEEDBACK_ASKED, "")
    november = inc.leaderboard(2026, 11)
    assert [(r.name, r.points) for r in november][:2] == [
        ("Jenna Ortiz", 5),
        ("Dr. Helen Okafor", 0),
    ]
    assert november[0].counts == {"manual": 1, "feedback_asked": 1}
    assert {r.name for r in november} == {m.display_name for m in services.staff.list()}
    assert inc.leaderboard(2026, 10)[0].points == 7
    chart = inc.monthly_by_kind(2026)
    assert (chart[10], chart[11], chart[12]) == (
        {"manual": 7},
        {"manual": 4, "feedback_asked": 1},
        {},
    )
    assert inc.monthly_by_kind(2026, staff.manager.id)[11] == {}
    assert [
        c.note
        for c in inc.history(staff.manager.id, start=date(2026, 10, 31), end=date(2026, 10, 31))
    ] == ["october"]
    assert inc.history(staff.manager.id, start=date(2026, 11, 1)) == []


def test_goals_count_in_their_period(staff: DemoStaff, inc: IncentiveService) -> None:
    with pytest.raises(PermissionDenied):
        inc.save_goal(
            staff.front_desk, Goal(None, staff.front_desk.id, K.POST_APPROVED, 4, "month", 2026)
        )
    with pytest.raises(RuleRefused):
        inc.save_goal(
            staff.admin,
            Goal(
                None,
                staff.front_desk.id,
                K.FEEDBACK_ASKED,
                4,
                "month",
                2026,
                "10 five-star reviews",
            ),
        )
    with pytest.raises(ValidationError):
        inc.save_goal(
            staff.admin, Goal(None, staff.front_desk.id, K.POST_APPROVED, 4, "week", 2026)
        )
    monthly = inc.save_goal(
        staff.admin, Goal(None, staff.front_desk.id, K.FEEDBACK_ASKED, 2, "month", 2026)
    )
    inc.save_goal(
        staff.admin, Goal(None, staff.front_desk.id, K.FEEDBACK_ASKED, 10, "quarter", 2026)
    )
    inc.save_goal(staff.admin, Goal(None, staff.front_desk.id, K.FEEDBACK_ASKED, 9, "year", 2025))
    for _ in range(3):
        inc.add_manual(staff.front_desk, staff.front_desk.id, K.FEEDBACK_ASKED, "")
    progress = inc.goal_progress(staff.front_desk.id, date(2026, 11, 2))
    assert [(p.period_label, p.done, p.reached) for p in progress] == [
        ("2026-11", 3, True),
        ("2026-Q4", 3, False),
    ]
    edited = inc.save_goal(staff.admin, replace(monthly, active=False))
    with pytest.raises(EditConflict):
        inc.save_goal(staff.admin, monthly)
    assert edited.version == 2
    assert len(inc.goal_progress(staff.front_desk.id, date(2026, 11, 2))) == 1


def test_export_is_for_managers_audited_and_safe_in_spreadsheets(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    inc.add_manual(staff.admin, staff.front_desk.id, K.MANUAL, "=HYPERLINK(x)", points=4)
    inc.add_manual(staff.front_desk, staff.front_desk.id, K.FEEDBACK_ASKED, "")
    with pytest.raises(PermissionDenied):
        inc.export_csv(staff.front_desk, 2026, 11)
    data = inc.export_csv(staff.manager, 2026, 11)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["date"], r["staff"], r["kind"], r["points"], r["note"]) for r in rows] == [
        ("2026-11-02", "Jenna Ortiz", "manual", "4", "'=HYPERLINK(x)"),
        ("2026-11-02", "Jenna Ortiz", "feedback_asked", "1", ""),
    ]
    assert len(list(csv.reader(io.StringIO(inc.export_csv(staff.admin, 2026).decode())))) == 3
    assert inc.export_csv(staff.admin, 2026, 10).decode("utf-8-sig").count("\n") == 1
    assert audit_actions(services, staff)[-3:] == [
        ("incentive.export", "2026-11: 2 rows"),
        ("incentive.export", "2026: 2 rows"),
        ("incentive.export", "2026-10: 0 rows"),
    ]


def test_today_shows_pending_requests_to_managers(
    services: Services, staff: DemoStaff, inc: IncentiveService, clock: ManualClock
) -> None:
    assert not [i for i in services.today.items(staff.admin) if i.kind.startswith("incentive")]
    inc.add_manual(staff.admin, staff.front_desk.id, K.MANUAL, "health fair", points=30)
    reward = inc.save_reward(staff.admin, Reward(None, "Coffee card", 10))
    assert reward.id is not None
    inc.request_redemption(staff.front_desk, reward.id)
    inc.request_redemption(staff.front_desk, reward.id)
    [item] = [i for i in services.today.items(staff.manager) if i.kind.startswith("incentive")]
    assert (item.kind, item.page, item.target, dict(item.params)) == (
        "incentive_redemptions_pending",
        "incentives",
        "redemptions",
        {"count": 2},
    )
    assert item.permission is Permission.MANAGE_INCENTIVES
    assert not [i for i in services.today.items(staff.front_desk) if i.kind.startswith("incentive")]


def test_contributions_keep_their_points(staff: DemoStaff, inc: IncentiveService) -> None:
    c = inc.add_manual(staff.front_desk, staff.front_desk.id, K.FEEDBACK_ASKED, "")
    rules = inc.rules()
    inc.save_rules(staff.admin, PointRules(rules.value.points | {"feedback_asked": 5}, ()), None)
    assert inc.history(staff.front_desk.id) == [c]
    assert isinstance(c, Contribution)


def test_today_credits_new_events_before_listing(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    services.audit.record(staff.front_desk, "post.submit", "post", 5, "to in_review")
    services.today.items(staff.front_desk)
    assert inc.balance(staff.front_desk.id).earned == 1


def test_the_demo_year_is_seeded_once_with_a_pending_request(
    services: Services, staff: DemoStaff, inc: IncentiveService
) -> None:
    from core.demo_incentives import create_demo_incentives, demo_contributions

    services.audit.record(staff.front_desk, "post.submit", "post", 5, "to in_review")
    create_demo_incentives(services, staff)
    assert inc.sync() == 0  # the sample year stands for the trail so far
    assert inc.seed(demo_contributions(services, staff)) == 0
    months = inc.monthly_by_kind(2026)
    assert sum(1 for m in months.values() if m) >= 10
    assert not any(
        kind.startswith("review") or "star" in kind for m in months.values() for kind in m
    )
    [pending] = inc.redemptions(status=RedemptionStatus.PENDING)
    assert pending.staff_id == staff.front_desk.id
    assert all(inc.balance(m.id).available >= 0 for m in services.staff.list())
