"""The composer's two-person workflow: every step allowed and refused, who may take it, gates,
reasons, scheduling, and random action sequences that never reach an inconsistent post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import product
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from core.clock import ManualClock
from core.composer.errors import (
    ApproverRoleRequired,
    CommentEmpty,
    InactiveStaff,
    OpenFindings,
    PostNotReady,
    ReasonRequired,
    ScheduleInPast,
    ScheduleRequired,
    SelfApproval,
    StaffRequired,
    TextTooLong,
    TransitionNotAllowed,
    UnclearedMedia,
)
from core.composer.model import ACTIONS, Post, PostState
from core.composer.variants import edit_variant, new_post, reset_to_master, set_master, set_media
from core.composer.variants import set_platforms as set_targets
from core.composer.workflow import (
    TRANSITIONS,
    allowed_targets,
    inconsistencies,
    is_due,
    new_comment,
    transition,
)
from core.errors import KnownError, PermissionDenied, ValidationError
from core.staff.model import Role, StaffMember

S = PostState
NOW = ManualClock().now()
AUTHOR = StaffMember(1, "Jenna Ortiz", Role.FRONT_DESK)
MANAGER = StaffMember(2, "Marcus Bell", Role.APPROVER)
DOCTOR = StaffMember(3, "Dr. Helen Okafor", Role.DOCTOR)
COLLEAGUE = StaffMember(4, "Sam Lee", Role.FRONT_DESK)
ADMIN = StaffMember(5, "Priya Raman", Role.ADMIN)
FORMER = StaffMember(6, "Alex Former", Role.APPROVER, active=False)
TEXT = "Brushing twice a day keeps cavities away. Call us at (217) 555-0142 to book a cleaning!"
CLEAN = {"blocking_findings": 0, "uncleared_media": 0}


def draft(text: str = TEXT, platforms: tuple[str, ...] = ("x", "facebook")) -> Post:
    return new_post(AUTHOR, text, platforms, NOW)


def submit(post: Post, actor: StaffMember = AUTHOR) -> Post:
    return transition(post, S.IN_REVIEW, actor, NOW, **CLEAN)[0]


def approve(post: Post, actor: StaffMember = MANAGER) -> Post:
    return transition(post, S.APPROVED, actor, NOW, **CLEAN)[0]


def schedule(post: Post, when: datetime = NOW + timedelta(days=1)) -> Post:
    return transition(post, S.SCHEDULED, AUTHOR, NOW, scheduled_at=when)[0]


def post_in(state: PostState) -> Post:
    """A consistent post in ``state``, reached through the workflow."""
    post = draft()
    path = {
        S.DRAFT: [],
        S.IN_REVIEW: [S.IN_REVIEW],
        S.APPROVED: [S.IN_REVIEW, S.APPROVED],
        S.SCHEDULED: [S.IN_REVIEW, S.APPROVED, S.SCHEDULED],
        S.PUBLISHING: [S.IN_REVIEW, S.APPROVED, S.SCHEDULED, S.PUBLISHING],
        S.PUBLISHED: [S.IN_REVIEW, S.APPROVED, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED],
        S.FAILED: [S.IN_REVIEW, S.APPROVED, S.SCHEDULED, S.PUBLISHING, S.FAILED],
        S.WITHDRAWN: [S.WITHDRAWN],
    }[state]
    for to in path:
        post = attempt(post, to)[0]
    assert post.state is state
    return post


def attempt(post: Post, to: PostState) -> tuple[Post, Any]:
    """Try ``post`` -> ``to`` with everything the step needs."""
    actor = MANAGER if (post.state, to) == (S.IN_REVIEW, S.APPROVED) else AUTHOR
    extra: dict[str, Any] = {"note": "why"}
    if to is S.SCHEDULED:
        extra["scheduled_at"] = NOW + timedelta(days=2)
    return transition(post, to, actor, NOW, **CLEAN, **extra)


# --- the table -------------------------------------------------------------------------------
ALLOWED = {
    pair
    for pair, action in ACTIONS.items()
    if action not in ("reopen_after_edit", "consent_withdrawn")
}


@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
def test_every_allowed_step(start: PostState, to: PostState) -> None:
    post, step = attempt(post_in(start), to)
    assert post.state is to
    assert (step.from_state, step.to_state, step.at) == (start, to, NOW)
    assert step.action == ACTIONS[(start, to)]
    assert inconsistencies(post) == []


@pytest.mark.parametrize(
    ("start", "to"), sorted(p for p in product(PostState, PostState) if p not in ALLOWED)
)
def test_every_refused_step(start: PostState, to: PostState) -> None:
    with pytest.raises(TransitionNotAllowed) as raised:
        attempt(post_in(start), to)
    assert raised.value.params == {"from_state": start.value, "to_state": to.value}


def test_table_shape() -> None:
    assert len(ALLOWED) == 18
    assert allowed_targets(S.PUBLISHING) == {S.PUBLISHED, S.FAILED}
    assert allowed_targets(S.WITHDRAWN) == frozenset()
    assert S.WITHDRAWN not in TRANSITIONS[S.PUBLISHING]  # outcome first, then take down
    assert all(S.WITHDRAWN in TRANSITIONS[s] for s in S if s not in (S.PUBLISHING, S.WITHDRAWN))


# --- approval ----------------------------------------------------------------------------------
def test_approval_records_approver_and_snapshot() -> None:
    post, step = transition(submit(draft()), S.APPROVED, DOCTOR, NOW, **CLEAN)
    assert (post.approver_id, step.actor_id, step.action) == (DOCTOR.id, DOCTOR.id, "approve")
    snapshot = post.approved_text_snapshot
    assert snapshot is not None
    assert dict(snapshot.texts) == {"x": TEXT, "facebook": TEXT}
    assert (snapshot.approver_id, snapshot.at) == (DOCTOR.id, NOW)


@pytest.mark.parametrize("approver", [MANAGER, DOCTOR, ADMIN])
def test_roles_with_approve_permission_may_approve(approver: StaffMember) -> None:
    assert approve(submit(draft()), approver).state is S.APPROVED


def test_no_self_approval_even_for_an_admin() -> None:
    post = new_post(ADMIN, TEXT, ["x"], NOW)
    with pytest.raises(SelfApproval) as raised:
        approve(submit(post, ADMIN), ADMIN)
    assert raised.value.params["reason"] == "author"
    assert raised.value.code == "post_self_approval"
    assert isinstance(raised.value, PermissionDenied)


def test_front_desk_cannot_approve() -> None:
    with pytest.raises(ApproverRoleRequired):
        approve(submit(draft()), COLLEAGUE)


def test_the_last_editor_cannot_approve_their_own_change() -> None:
    post = submit(draft())
    post = set_master(post, TEXT + " See you soon!", editor=MANAGER, now=NOW)
    with pytest.raises(SelfApproval) as raised:
        approve(post)
    assert raised.value.params["reason"] == "last_editor"
    assert approve(post, DOCTOR).approver_id == DOCTOR.id


def test_the_submitter_vouches_for_the_text() -> None:
    edited = set_master(draft(), TEXT + " Thanks!", editor=MANAGER, now=NOW)
    assert edited.last_editor_id == MANAGER.id
    resubmitted = submit(edited, AUTHOR)
    assert resubmitted.last_editor_id == AUTHOR.id
    assert approve(resubmitted).approver_id == MANAGER.id


def test_inactive_staff_cannot_act() -> None:
    with pytest.raises(InactiveStaff):
        approve(submit(draft()), FORMER)


# --- gates ------------------------------------------------------------------------------------
@pytest.mark.parametrize("to", [S.IN_REVIEW, S.APPROVED, S.PUBLISHING])
def test_open_findings_and_uncleared_media_block_the_gates(to: PostState) -> None:
    start = {S.IN_REVIEW: S.DRAFT, S.APPROVED: S.IN_REVIEW, S.PUBLISHING: S.APPROVED}[to]
    post = post_in(start)
    with pytest.raises(OpenFindings) as raised:
        transition(post, to, MANAGER, NOW, blocking_findings=2, uncleared_media=0)
    assert raised.value.params == {"count": 2}
    with pytest.raises(UnclearedMedia):
        transition(post, to, MANAGER, NOW, blocking_findings=0, uncleared_media=1)
    with pytest.raises(ValueError, match="required"):
        transition(post, to, MANAGER, NOW)


def test_a_post_that_cannot_be_published_cannot_be_submitted() -> None:
    with pytest.raises(PostNotReady) as raised:
        submit(draft("x" * 281, ("x", "instagram")))
    assert raised.value.params["problems"] == ("x:too_long", "instagram:image_required")
    with pytest.raises(PostNotReady):
        submit(draft(platforms=()))


# --- reasons --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "to"),
    [(S.IN_REVIEW, S.DRAFT)] + [(s, S.WITHDRAWN) for s in S if S.WITHDRAWN in TRANSITIONS[s]],
)
def test_reason_required(start: PostState, to: PostState) -> None:
    post = post_in(start)
    with pytest.raises(ReasonRequired) as raised:
        transition(post, to, AUTHOR, NOW, note="  \n ")
    assert raised.value.params["field"] == "note"
    with pytest.raises(TextTooLong):
        transition(post, to, AUTHOR, NOW, note="x" * 1001)
    assert transition(post, to, AUTHOR, NOW, note=" Wrong date ")[1].note == "Wrong date"


def test_changes_requested_go_back_to_draft_with_the_note() -> None:
    post, step = transition(submit(draft()), S.DRAFT, MANAGER, NOW, note="Please add our phone")
    assert (post.state, step.action, step.note) == (
        S.DRAFT,
        "request_changes",
        "Please add our phone",
    )
    assert post.approver_id is None


def test_withdrawal_of_a_published_post_is_a_takedown() -> None:
    published = post_in(S.PUBLISHED)
    assert published.published_at == NOW
    later = NOW + timedelta(hours=3)
    post, step = transition(published, S.WITHDRAWN, COLLEAGUE, later, note="Wrong phone number")
    assert (post.state, post.withdrawn_reason, step.action) == (
        S.WITHDRAWN,
        "Wrong phone number",
        "take_down",
    )
    assert post.published_at == NOW
    assert post.approver_id == MANAGER.id
    assert inconsistencies(post) == []


# --- scheduling and publishing ------------------------------------------------------------------
def test_scheduling_needs_a_future_time_and_keeps_it_in_utc() -> None:
    approved = post_in(S.APPROVED)
    with pytest.raises(ScheduleRequired):
        transition(approved, S.SCHEDULED, AUTHOR, NOW)
    for past in (NOW, NOW - timedelta(minutes=1)):
        with pytest.raises(ScheduleInPast) as raised:
            schedule(approved, past)
        assert isinstance(raised.value, ValidationError)
    chicago = timezone(timedelta(hours=-6))
    when = datetime(2026, 11, 3, 8, 30, tzinfo=chicago)
    scheduled = schedule(approved, when)
    assert scheduled.scheduled_at == when
    assert scheduled.scheduled_at.tzinfo is UTC
    with pytest.raises(ValueError, match="aware"):
        schedule(approved, datetime(2026, 11, 3, 8, 30))


def test_scheduling_in_the_past_uses_the_injected_clock() -> None:
    clock = ManualClock()
    approved = post_in(S.APPROVED)
    when = clock.now() + timedelta(hours=1)
    clock.advance(timedelta(hours=2))
    with pytest.raises(ScheduleInPast):
        transition(approved, S.SCHEDULED, AUTHOR, clock.now(), scheduled_at=when)


def test_reschedule_unschedule_and_retry() -> None:
    scheduled = post_in(S.SCHEDULED)
    moved, step = transition(
        scheduled, S.SCHEDULED, AUTHOR, NOW, scheduled_at=NOW + timedelta(days=5)
    )
    assert (moved.scheduled_at, step.action) == (NOW + timedelta(days=5), "reschedule")
    unscheduled, step = transition(moved, S.APPROVED, AUTHOR, NOW)
    assert (unscheduled.scheduled_at, step.action) == (None, "unschedule")
    retried = attempt(post_in(S.FAILED), S.SCHEDULED)[0]
    assert retried.state is S.SCHEDULED
    assert retried.approver_id == MANAGER.id
    redrafted = attempt(post_in(S.FAILED), S.DRAFT)[0]
    assert (redrafted.approver_id, redrafted.scheduled_at) == (None, None)


def test_the_scheduler_publishes_only_due_posts() -> None:
    scheduled = schedule(post_in(S.APPROVED), NOW + timedelta(hours=1))
    assert not is_due(scheduled, NOW)
    with pytest.raises(TransitionNotAllowed) as raised:
        transition(scheduled, S.PUBLISHING, None, NOW, **CLEAN)
    assert raised.value.params["reason"] == "not_due"
    later = NOW + timedelta(hours=1)
    assert is_due(scheduled, later)
    publishing, step = transition(scheduled, S.PUBLISHING, None, later, **CLEAN)
    assert step.actor_id is None
    published = transition(publishing, S.PUBLISHED, None, later)[0]
    assert published.published_at == later


@pytest.mark.parametrize(
    ("start", "to"),
    [(S.DRAFT, S.IN_REVIEW), (S.IN_REVIEW, S.APPROVED), (S.APPROVED, S.PUBLISHING)],
)
def test_the_scheduler_cannot_act_for_a_person(start: PostState, to: PostState) -> None:
    with pytest.raises(StaffRequired):
        transition(post_in(start), to, None, NOW, **CLEAN)


def test_naive_now_and_stray_schedule_are_bugs() -> None:
    with pytest.raises(ValueError, match="aware"):
        transition(draft(), S.IN_REVIEW, AUTHOR, datetime(2026, 1, 1), **CLEAN)
    with pytest.raises(ValueError, match="scheduled_at"):
        transition(draft(), S.IN_REVIEW, AUTHOR, NOW, scheduled_at=NOW, **CLEAN)


# --- comments -------------------------------------------------------------------------------
def test_comments() -> None:
    comment = new_comment(MANAGER, "  Looks good, but add the phone.  ", NOW)
    assert (comment.author_id, comment.at, comment.text) == (
        MANAGER.id,
        NOW,
        "Looks good, but add the phone.",
    )
    with pytest.raises(CommentEmpty):
        new_comment(MANAGER, " ", NOW)
    with pytest.raises(TextTooLong):
        new_comment(MANAGER, "x" * 2001, NOW)
    with pytest.raises(InactiveStaff):
        new_comment(FORMER, "hi", NOW)


# --- random sequences -------------------------------------------------------------------------
STAFF = [AUTHOR, MANAGER, DOCTOR, COLLEAGUE, ADMIN, FORMER]
TEXTS = [
    TEXT,
    TEXT + " Thanks!",
    "",
    "Call (217) 555-0142 today! " * 12,
    "Happy holidays from all of us. Call us!",
]
PLATFORM_SETS = [("x",), ("x", "facebook"), ("instagram",), ("gbp", "bluesky"), ()]


class PostLifecycle(RuleBasedStateMachine):
    """Any order of steps and edits by anyone leaves a consistent post."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.post = new_post(AUTHOR, TEXT, ("x", "facebook"), self.clock.now())

    @rule(
        to=st.sampled_from(PostState),
        actor=st.sampled_from([*STAFF, None]),
        note=st.sampled_from(["", "", "", "Wrong date"]),
        findings=st.sampled_from([0, 0, 1]),
        media=st.sampled_from([0, 0, 1]),
        offset=st.sampled_from([None, timedelta(hours=-1), timedelta(hours=1), timedelta(days=2)]),
    )
    def step(
        self,
        to: PostState,
        actor: StaffMember | None,
        note: str,
        findings: int,
        media: int,
        offset: timedelta | None,
    ) -> None:
        now = self.clock.now()
        when = now + offset if offset is not None and to is S.SCHEDULED else None
        before = self.post
        try:
            self.post, step = transition(
                before,
                to,
                actor,
                now,
                note=note,
                blocking_findings=findings,
                uncleared_media=media,
                scheduled_at=when,
            )
        except KnownError:
            return
        assert (step.from_state, step.to_state) == (before.state, to)
        if step.action in ("submit", "approve", "publish"):
            assert findings == media == 0

    @rule(choice=st.integers(min_value=0, max_value=5), system=st.booleans())
    def progress(self, choice: int, system: bool) -> None:
        """A plausible next step by a suitable person, so runs get far along the workflow."""
        now = self.clock.now()
        options = sorted(allowed_targets(self.post.state) - {S.WITHDRAWN})
        if not options:
            return
        to = options[choice % len(options)]
        busy = {self.post.author_id, self.post.last_editor_id}
        actor: StaffMember | None = next(s for s in (MANAGER, DOCTOR) if s.id not in busy)
        if to is not S.APPROVED:
            actor = None if system and to in (S.PUBLISHING, S.PUBLISHED, S.FAILED) else AUTHOR
        when = now + timedelta(hours=1) if to is S.SCHEDULED else None
        try:
            self.post = transition(
                self.post, to, actor, now, note="ok", scheduled_at=when, **CLEAN
            )[0]
        except KnownError:
            return

    @rule(
        kind=st.sampled_from(["master", "variant", "reset", "platforms", "media"]),
        editor=st.sampled_from(STAFF),
        text=st.sampled_from(TEXTS),
        platforms=st.sampled_from(PLATFORM_SETS),
        media=st.sampled_from([(), ("a1",), ("a1", "b2")]),
    )
    def edit(
        self,
        kind: str,
        editor: StaffMember,
        text: str,
        platforms: tuple[str, ...],
        media: tuple[str, ...],
    ) -> None:
        now = self.clock.now()
        post = self.post
        target = post.platforms[0] if post.platforms else "x"
        try:
            if kind == "master":
                self.post = set_master(post, text, editor=editor, now=now)
            elif kind == "variant":
                self.post = edit_variant(post, target, text, editor=editor, now=now)
            elif kind == "reset":
                self.post = reset_to_master(post, target, editor=editor, now=now)
            elif kind == "platforms":
                self.post = set_targets(post, platforms, editor=editor, now=now)
            else:
                self.post = set_media(post, media, editor=editor, now=now)
        except KnownError:
            return
        if post.state in (S.APPROVED, S.SCHEDULED, S.FAILED) and self.post.state != post.state:
            assert self.post.state is S.IN_REVIEW

    @rule(minutes=st.integers(min_value=1, max_value=60 * 24 * 3))
    def wait(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @invariant()
    def consistent(self) -> None:
        post = self.post
        assert inconsistencies(post) == []
        if post.state in (S.APPROVED, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED):
            assert post.approver_id not in (None, post.author_id)
        if post.state is S.SCHEDULED:
            assert post.scheduled_at is not None


TestPostLifecycle = PostLifecycle.TestCase
TestPostLifecycle.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
