"""The publishing outbox under injected faults, with a manual clock: a crash between the
request and its record, timeouts reconciled (found and not found), 429 with Retry-After, 500
back-off, permanent refusals, replays, late posts, manual platforms, the check at publish, and
Today's items. Fake platforms never deduplicate: every ``publish`` that gets through creates a
post, so counting them proves exactly-once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.demo import DemoStaff, create_demo_practice
from core.errors import NotFound
from core.publishing.connectors import (
    ConnectorRegistry,
    ManualConnector,
    ManualPublishRequired,
    PermanentPublishError,
    PublishRequest,
    RemotePost,
    TransientPublishError,
    UncertainOutcome,
)
from core.publishing.model import OutboxEntry, OutboxStatus, RetryPolicy
from core.publishing.outbox import plain_message, retry_delay
from core.publishing.service import PublishingService
from core.staff.pins import fast_hasher
from core.today.model import Severity
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.imaging_support import cleared_photos

TEXT = "Flu shots are here! Walk in any weekday morning or call (217) 555-0142 to book."
PATIENT = "Rosalind Featherstone"
JITTER = 0.5  # every delay is 3/4 of its exponential step
POLICY = RetryPolicy(max_attempts=4)


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the app may catch it)."""


class CrashingStore(MemoryStore):
    """A store whose next unit of work dies, as a power cut would."""

    def __init__(self) -> None:
        super().__init__()
        self.crash_next = False

    def __call__(self):  # type: ignore[no-untyped-def]
        if self.crash_next:
            self.crash_next = False
            raise Crash
        return super().__call__()


class FakePlatform:
    """A platform's API in memory. ``faults`` are consumed one per ``publish`` call:
    an exception to raise before anything is created, ``"sent_then_timeout"`` (the post is
    created, then the answer is lost), or ``"sent_then_crash"`` (created, answered, and the
    app dies before it records the answer). ``find_faults`` likewise for ``find``."""

    def __init__(self, platform: str, store: CrashingStore | None = None) -> None:
        self.platform = platform
        self.store = store
        self.created: list[tuple[str, str]] = []  # (idempotency key, text)
        self.calls: list[str] = []
        self.faults: list[object] = []
        self.find_faults: list[BaseException] = []

    def _remote(self, n: int) -> RemotePost:
        return RemotePost(f"{self.platform}-{n}", f"https://{self.platform}.example/p/{n}")

    def publish(self, request: PublishRequest) -> RemotePost:
        self.calls.append("publish")
        assert request.platform == self.platform
        fault = self.faults.pop(0) if self.faults else None
        if isinstance(fault, BaseException):
            raise fault
        self.created.append((request.idempotency_key, request.text))
        remote = self._remote(len(self.created))
        if fault == "sent_then_timeout":
            raise UncertainOutcome("No answer within 30 seconds.", code="timeout")
        if fault == "sent_then_crash":
            assert self.store is not None
            self.store.crash_next = True
        return remote

    def find(self, request: PublishRequest) -> RemotePost | None:
        self.calls.append("find")
        if self.find_faults:
            raise self.find_faults.pop(0)
        for n, (key, _) in enumerate(self.created, start=1):
            if key == request.idempotency_key:
                return self._remote(n)
        return None


@pytest.fixture
def names() -> list[str]:
    return []


@pytest.fixture
def store() -> CrashingStore:
    return CrashingStore()


@pytest.fixture
def services(store: CrashingStore, clock: ManualClock, names: list[str]) -> Services:
    return build_services(
        uow=store,
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        known_names=lambda: list(names),
        media=MemoryMediaStore(),
    )


@pytest.fixture
def staff(services: Services) -> DemoStaff:
    return create_demo_practice(services, with_posts=False)


@pytest.fixture
def x(store: CrashingStore) -> FakePlatform:
    return FakePlatform("x", store)


@pytest.fixture
def facebook(store: CrashingStore) -> FakePlatform:
    return FakePlatform("facebook", store)


@pytest.fixture
def publishing(
    services: Services,
    store: CrashingStore,
    clock: ManualClock,
    x: FakePlatform,
    facebook: FakePlatform,
) -> PublishingService:
    """The app's publishing service (Today asks it too), with fake API connectors for X and
    Facebook, a fixed jitter and four attempts."""
    registry = ConnectorRegistry({"x": x, "facebook": facebook})
    services.publishing_factory = lambda: PublishingService(
        store, clock, services.composer, registry, policy=POLICY, random=lambda: JITTER
    )
    return services.publishing


def approved(
    services: Services, staff: DemoStaff, platforms: tuple[str, ...], text: str = TEXT
) -> Post:
    composer = services.composer
    post = composer.new_draft(staff.front_desk, text, platforms)
    post = composer.submit(staff.front_desk, _id(post), post.version)
    return composer.approve(staff.manager, _id(post), post.version)


def due_post(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    platforms: tuple[str, ...] = ("x", "facebook"),
    text: str = TEXT,
) -> Post:
    """An approved post scheduled an hour ahead, and the clock moved to its time."""
    post = approved(services, staff, platforms, text)
    at = clock.now() + timedelta(hours=1)
    post = services.composer.schedule(staff.front_desk, _id(post), post.version, at)
    clock.set(at)
    return post


def _id(post: Post) -> int:
    assert post.id is not None
    return post.id


def entry(publishing: PublishingService, post: Post, platform: str) -> OutboxEntry:
    return next(e for e in publishing.entries(_id(post)) if e.platform == platform)


def audit_details(services: Services, staff: DemoStaff) -> list[tuple[str, str]]:
    events, _ = services.audit.query(staff.admin, AuditQuery(limit=10_000))
    return [(e.action, e.detail) for e in reversed(events)]


def assert_no_post_text_in_audit(services: Services, staff: DemoStaff) -> None:
    for action, detail in audit_details(services, staff):
        assert "Flu" not in detail, action
        assert "walk in" not in detail.lower(), action
    assert services.audit.verify_now().ok


# --- the happy path and replays ------------------------------------------------------------
def test_a_due_post_goes_out_once_per_platform_and_is_published(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
    facebook: FakePlatform,
) -> None:
    post = due_post(services, staff, clock)
    report = publishing.publish_due()
    assert report.started == (post.id,)
    assert report.published == (post.id,)
    assert report.outbox.sent == 2
    assert (len(x.created), len(facebook.created)) == (1, 1)
    assert x.created[0][1] == TEXT
    sent = {e.platform: e for e in publishing.entries(_id(post))}
    assert {e.status for e in sent.values()} == {OutboxStatus.SENT}
    assert sent["x"].url == "https://x.example/p/1"
    assert sent["x"].remote_id == "x-1"
    assert sent["x"].attempts == 1
    assert x.created[0][0] == sent["x"].idempotency_key
    assert services.composer.get(_id(post)).state is PostState.PUBLISHED
    history = services.composer.history(_id(post))
    assert [t.action for t in history.transitions][-2:] == ["publish", "mark_published"]
    assert [t.actor_id for t in history.transitions][-2:] == [None, None]
    assert {p.platform: p.url for p in history.publications} == {
        "x": "https://x.example/p/1",
        "facebook": "https://facebook.example/p/1",
    }
    assert {p.recorded_by for p in history.publications} == {staff.manager.id}

    # Exactly once under replay: running again, and again later, sends nothing more.
    for _ in range(2):
        again = publishing.publish_due()
        assert (again.started, again.published, again.outbox.sent) == ((), (), 0)
        clock.advance(timedelta(hours=1))
    assert (len(x.created), len(facebook.created)) == (1, 1)
    actions = [a for a, _ in audit_details(services, staff)]
    assert actions.count("post.publication") == 2
    assert actions.count("post.publish_attempt") == 2
    assert_no_post_text_in_audit(services, staff)


def test_a_post_that_is_not_due_is_left_alone(
    services: Services, staff: DemoStaff, clock: ManualClock, publishing: PublishingService
) -> None:
    post = approved(services, staff, ("x",))
    services.composer.schedule(
        staff.front_desk, _id(post), post.version, clock.now() + timedelta(minutes=5)
    )
    report = publishing.publish_due()
    assert report.started == ()
    assert publishing.entries(_id(post)) == []


# --- crashes and unknown outcomes --------------------------------------------------------
def test_a_crash_between_request_and_record_is_reconciled_not_sent_again(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x",))
    x.faults = ["sent_then_crash"]
    with pytest.raises(Crash):
        publishing.publish_due()
    # The intent and the claim were committed before the call; the answer was lost.
    claimed = entry(publishing, post, "x")
    assert claimed.status is OutboxStatus.SENDING
    assert claimed.next_attempt_at == clock.now() + POLICY.lease
    assert len(x.created) == 1
    assert services.composer.get(_id(post)).state is PostState.PUBLISHING

    # Restarted at once: the lease still holds, nothing is sent (it may still be in flight).
    report = publishing.publish_due()
    assert report.outbox.sent == 0
    assert x.calls == ["publish"]

    clock.advance(POLICY.lease)
    report = publishing.publish_due()
    assert x.calls == ["publish", "find"]  # reconciled; never published again
    assert len(x.created) == 1
    assert (report.outbox.sent, report.outbox.reconciled, report.published) == (1, 1, (post.id,))
    done = entry(publishing, post, "x")
    assert (done.status, done.url, done.attempts) == (
        OutboxStatus.SENT,
        "https://x.example/p/1",
        2,
    )
    assert services.composer.get(_id(post)).state is PostState.PUBLISHED
    assert ("post.publication", "x found after an unknown outcome") in audit_details(
        services, staff
    )
    assert_no_post_text_in_audit(services, staff)


def test_a_timeout_after_sending_is_found_and_recorded(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x",))
    x.faults = ["sent_then_timeout"]
    report = publishing.publish_due()
    assert report.outbox.uncertain == 1
    unsure = entry(publishing, post, "x")
    assert (unsure.status, unsure.error_code) == (OutboxStatus.UNCERTAIN, "timeout")
    assert unsure.next_attempt_at == clock.now() + timedelta(seconds=22.5)

    clock.advance(timedelta(seconds=22))
    publishing.publish_due()
    assert x.calls == ["publish"]  # not before its time
    clock.advance(timedelta(seconds=1))
    publishing.publish_due()
    assert x.calls == ["publish", "find"]
    assert len(x.created) == 1
    assert entry(publishing, post, "x").status is OutboxStatus.SENT
    assert services.composer.get(_id(post)).state is PostState.PUBLISHED


def test_a_timeout_before_it_arrived_is_checked_then_sent(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x",))
    x.faults = [TimeoutError("read timed out")]
    publishing.publish_due()
    assert entry(publishing, post, "x").status is OutboxStatus.UNCERTAIN
    assert entry(publishing, post, "x").error_code == "timeout"
    clock.advance(timedelta(minutes=1))
    publishing.publish_due()
    assert x.calls == ["publish", "find", "publish"]
    assert len(x.created) == 1
    assert services.composer.get(_id(post)).state is PostState.PUBLISHED


def test_an_outcome_nobody_can_tell_goes_to_a_person(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x",))
    x.faults = [UncertainOutcome("Connection reset after sending.", code="connection_reset")]
    x.find_faults = [TransientPublishError("busy", code="http_503")] * POLICY.max_attempts
    publishing.publish_due()
    for _ in range(POLICY.max_attempts):
        clock.advance(POLICY.max_delay)
        publishing.publish_due()
    unsure = entry(publishing, post, "x")
    assert unsure.needs_person
    assert unsure.attempts == POLICY.max_attempts
    assert x.calls == ["publish"] + ["find"] * (POLICY.max_attempts - 1)
    [item] = [i for i in services.today.items() if i.kind == "post_uncertain"]
    assert (item.key, item.page, item.target) == (
        f"post.uncertain.{post.id}",
        "composer",
        str(post.id),
    )
    assert item.params == {"post_id": post.id, "platforms": ["x"]}
    assert item.severity is Severity.URGENT

    # The person looked: it is not on the platform. It goes out again, once.
    with pytest.raises(NotFound):
        publishing.confirm_not_published(staff.front_desk, _id(post), "facebook")
    publishing.confirm_not_published(staff.front_desk, _id(post), "x")
    assert not [i for i in services.today.items() if i.kind == "post_uncertain"]
    publishing.publish_due()
    assert len(x.created) == 1
    assert services.composer.get(_id(post)).state is PostState.PUBLISHED
    assert ("post.publish_confirmed_missing", "x not on the platform") in audit_details(
        services, staff
    )


# --- retries -------------------------------------------------------------------------------
def test_429_waits_for_retry_after(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x",))
    x.faults = [TransientPublishError("Too many requests.", code="http_429", retry_after=120)]
    report = publishing.publish_due()
    assert report.outbox.retrying == 1
    waiting = entry(publishing, post, "x")
    assert (waiting.status, waiting.error_code) == (OutboxStatus.PENDING, "http_429")
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=120)
    clock.advance(timedelta(seconds=119))
    publishing.publish_due()
    assert x.calls == ["publish"]
    clock.advance(timedelta(seconds=1))
    publishing.publish_due()
    assert x.calls == ["publish", "publish"]  # nothing went out the first time: no find
    assert len(x.created) == 1
    assert services.composer.get(_id(post)).state is PostState.PUBLISHED
    assert ("post.publish_retry", "x http_429: next try in 120 s") in audit_details(services, staff)


def test_500_backs_off_exponentially_then_fails(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x",))
    x.faults = [TransientPublishError("Server error.", code="http_500")] * POLICY.max_attempts
    waits = []
    for _ in range(POLICY.max_attempts - 1):
        publishing.publish_due()
        waiting = entry(publishing, post, "x")
        assert waiting.status is OutboxStatus.PENDING
        assert waiting.next_attempt_at is not None
        waits.append((waiting.next_attempt_at - clock.now()).total_seconds())
        clock.set(waiting.next_attempt_at)
    assert waits == [22.5, 45.0, 90.0]
    report = publishing.publish_due()
    assert report.failed == (post.id,)
    failed = entry(publishing, post, "x")
    assert (failed.status, failed.error_code) == (OutboxStatus.FAILED, "http_500")
    assert failed.error_message == "It did not accept the post after 4 tries. Server error."
    current = services.composer.get(_id(post))
    assert current.state is PostState.FAILED
    note = services.composer.history(_id(post)).transitions[-1].note
    assert note == "X: It did not accept the post after 4 tries. Server error."
    assert x.created == []


def test_retry_delay_is_capped_jittered_and_honours_retry_after() -> None:
    policy = RetryPolicy(base=timedelta(seconds=10), max_delay=timedelta(minutes=5))
    assert retry_delay(policy, 1, None, 0.0) == timedelta(seconds=5)
    assert retry_delay(policy, 1, None, 0.999999) < timedelta(seconds=10)
    assert retry_delay(policy, 3, None, 0.5) == timedelta(seconds=30)
    assert retry_delay(policy, 20, None, 0.0) == timedelta(minutes=2, seconds=30)
    assert retry_delay(policy, 1, 90, 0.0) == timedelta(seconds=90)
    assert retry_delay(policy, 1, 86_400, 0.0) == timedelta(minutes=5)


# --- permanent failures --------------------------------------------------------------------
def test_a_permanent_refusal_fails_the_post_and_a_retry_sends_only_the_rest(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
    facebook: FakePlatform,
) -> None:
    post = due_post(services, staff, clock)
    facebook.faults = [
        PermanentPublishError(
            f'The access token has expired. Your post "{TEXT}" was not published.',
            code="token_expired",
        )
    ]
    report = publishing.publish_due()
    assert report.failed == (post.id,)
    assert len(x.created) == 1
    refused = entry(publishing, post, "facebook")
    assert (refused.status, refused.error_code) == (OutboxStatus.FAILED, "token_expired")
    assert TEXT not in refused.error_message
    assert refused.error_message.startswith("The access token has expired.")
    current = services.composer.get(_id(post))
    assert current.state is PostState.FAILED
    note = services.composer.history(_id(post)).transitions[-1].note
    assert note.startswith("Facebook: The access token has expired.")
    assert TEXT not in note
    [item] = [i for i in services.today.items() if i.kind == "post_failed"]
    assert item.params == {
        "post_id": post.id,
        "platforms": ["facebook"],
        "codes": ["token_expired"],
    }

    # The person fixes the account and schedules it again: only Facebook goes out.
    later = clock.now() + timedelta(minutes=10)
    services.composer.schedule(staff.front_desk, _id(post), current.version, later)
    clock.set(later)
    report = publishing.publish_due()
    assert report.published == (post.id,)
    assert (len(x.created), len(facebook.created)) == (1, 1)
    assert entry(publishing, post, "facebook").attempts == 1
    assert not [i for i in services.today.items() if i.kind == "post_failed"]
    assert_no_post_text_in_audit(services, staff)


def test_plain_message_cuts_the_post_text_and_long_messages() -> None:
    assert plain_message(f"Rejected: {TEXT}", TEXT) == "Rejected: [the post]"
    assert plain_message("a\n  b", "") == "a b"
    assert len(plain_message("x" * 2000, "")) == 500


def test_a_post_with_images_and_no_exporter_fails_in_plain_words(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    [photo] = cleared_photos(services, staff.front_desk, [1])
    post = services.composer.new_draft(staff.front_desk, TEXT, ("x",))
    post = services.composer.autosave(staff.front_desk, _id(post), post.version, media=[photo])
    post = services.composer.submit(staff.front_desk, _id(post), post.version)
    post = services.composer.approve(staff.manager, _id(post), post.version)
    at = clock.now() + timedelta(minutes=1)
    services.composer.schedule(staff.front_desk, _id(post), post.version, at)
    clock.set(at)
    report = publishing.publish_due()
    assert report.failed == (post.id,)
    assert entry(publishing, post, "x").error_code == "media_unavailable"
    assert x.calls == []


# --- late posts ----------------------------------------------------------------------------
def test_late_posts_wait_for_a_person_and_publish_now_sends_them(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x",))
    clock.advance(timedelta(hours=3, minutes=1))
    report = publishing.publish_due()
    [late] = report.late
    assert (late.post_id, late.scheduled_at, late.platforms) == (
        post.id,
        post.scheduled_at,
        ("x",),
    )
    assert report.started == ()
    assert x.calls == []
    assert services.composer.get(_id(post)).state is PostState.SCHEDULED
    assert publishing.late_posts() == [late]
    [item] = [i for i in services.today.items() if i.kind == "post_late"]
    assert item.params == {
        "post_id": post.id,
        "platforms": ["x"],
        "due": post.scheduled_at.isoformat() if post.scheduled_at else None,
    }
    assert item.due == post.scheduled_at

    now = publishing.publish_now(staff.front_desk, late.post_id, late.version)
    assert now.published == (post.id,)
    assert len(x.created) == 1
    history = services.composer.history(_id(post))
    assert [(t.action, t.actor_id) for t in history.transitions][-2:] == [
        ("publish", staff.front_desk.id),
        ("mark_published", None),
    ]
    assert publishing.late_posts() == []
    assert not [i for i in services.today.items() if i.kind == "post_late"]


# --- manual platforms ----------------------------------------------------------------------
def test_manual_platforms_wait_for_the_person_and_their_urls_complete_the_entries(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
) -> None:
    post = due_post(services, staff, clock, ("x", "linkedin", "gbp"))
    report = publishing.publish_due()
    assert report.started == (post.id,)
    assert report.by_hand == (post.id,)
    assert len(x.created) == 1
    statuses = {e.platform: e.status for e in publishing.entries(_id(post))}
    assert statuses == {
        "x": OutboxStatus.SENT,
        "linkedin": OutboxStatus.MANUAL,
        "gbp": OutboxStatus.MANUAL,
    }
    [item] = [i for i in services.today.items() if i.kind == "post_publish_by_hand"]
    assert (item.key, item.severity, item.target) == (
        f"post.publish_by_hand.{post.id}",
        Severity.URGENT,
        str(post.id),
    )
    assert item.params["platforms"] == ["linkedin", "gbp"]
    assert post.scheduled_at is not None
    assert item.params["due"] == post.scheduled_at.isoformat()
    assert item.permission is None

    current = services.composer.get(_id(post))
    url = "https://www.linkedin.com/feed/update/urn:li:activity:1"
    after = publishing.record_manual_publish(
        staff.front_desk, _id(post), current.version, {"linkedin": url}
    )
    assert after.state is PostState.PUBLISHING
    assert entry(publishing, post, "linkedin").status is OutboxStatus.SENT
    assert entry(publishing, post, "linkedin").url == url
    [item] = [i for i in services.today.items() if i.kind == "post_publish_by_hand"]
    assert item.params["platforms"] == ["gbp"]

    # Recorded through the composer directly: the next run brings the outbox in line.
    services.composer.record_manual_publish(
        staff.front_desk, _id(post), after.version, {"gbp": "https://g.page/r/maple/1"}
    )
    assert services.composer.get(_id(post)).state is PostState.PUBLISHED
    publishing.publish_due()
    assert {e.status for e in publishing.entries(_id(post))} == {OutboxStatus.SENT}
    assert not [i for i in services.today.items() if i.kind == "post_publish_by_hand"]
    assert len(x.created) == 1


def test_the_manual_flow_can_start_before_the_posts_time(
    services: Services, staff: DemoStaff, clock: ManualClock, publishing: PublishingService
) -> None:
    post = approved(services, staff, ("facebook", "gbp"))  # facebook has an API (fake) here
    post = services.composer.schedule(
        staff.front_desk, _id(post), post.version, clock.now() + timedelta(days=2)
    )
    url = "https://g.page/r/maple/2"
    after = publishing.record_manual_publish(
        staff.front_desk, _id(post), post.version, {"gbp": url}
    )
    assert after.state is PostState.PUBLISHING
    statuses = {e.platform: e.status for e in publishing.entries(_id(post))}
    assert statuses == {"facebook": OutboxStatus.PENDING, "gbp": OutboxStatus.SENT}
    report = publishing.publish_due()  # the API platform goes out with the next run
    assert report.published == (post.id,)


def test_the_manual_connector_never_publishes_itself() -> None:
    manual = ManualConnector()
    request = PublishRequest(1, "gbp", TEXT, (), "k")
    with pytest.raises(ManualPublishRequired):
        manual.publish(request)
    assert manual.find(request) is None
    assert manual.compose_url("x").startswith("https://")
    assert manual.compose_url("mastodon") == ""
    assert manual.compose_url("mastodon", server="mastodon.social/") == (
        "https://mastodon.social/share"
    )
    registry = ConnectorRegistry()
    assert registry.is_manual("facebook")
    assert registry.get("facebook") is registry.manual


# --- the check at publish ----------------------------------------------------------------
def test_a_due_post_with_a_new_phi_finding_is_held_back(
    services: Services,
    staff: DemoStaff,
    clock: ManualClock,
    publishing: PublishingService,
    x: FakePlatform,
    names: list[str],
) -> None:
    text = f"Congratulations to {PATIENT} on the marathon!"
    post = due_post(services, staff, clock, ("x",), text=text)
    names.append(PATIENT)  # since approval, she became a patient in the consent tracker
    for _ in range(2):
        report = publishing.publish_due()
        assert report.blocked == ((post.id, "post_open_findings"),)
        clock.advance(timedelta(minutes=1))
    assert x.calls == []
    assert services.composer.get(_id(post)).state is PostState.SCHEDULED
    [item] = [i for i in services.today.items() if i.kind == "post_blocked"]
    assert item.params["reason"] == "post_open_findings"
    blocked = [d for a, d in audit_details(services, staff) if a == "post.publish_blocked"]
    assert blocked == ["post_open_findings"]  # audited once, not every minute
    assert PATIENT not in str(audit_details(services, staff))


# --- Today ---------------------------------------------------------------------------------
def test_a_post_waiting_for_approval_is_on_today_for_approvers_only(
    services: Services, staff: DemoStaff, clock: ManualClock
) -> None:
    composer = services.composer
    post = composer.new_draft(staff.front_desk, TEXT, ("facebook",))
    clock.advance(timedelta(minutes=3))
    post = composer.submit(staff.front_desk, _id(post), post.version)
    [item] = services.today.items(staff.manager)
    assert (item.key, item.kind, item.page, item.target) == (
        f"post.review.{post.id}",
        "post_review",
        "composer",
        str(post.id),
    )
    assert item.params == {
        "post_id": post.id,
        "submitted_at": clock.now().isoformat(),
        "author": "Jenna Ortiz",
    }
    assert services.today.items(staff.front_desk) == []
    composer.approve(staff.manager, _id(post), post.version)
    assert services.today.items(staff.manager) == []
