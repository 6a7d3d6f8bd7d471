"""The practice's posting plan: defaults, validation, saving with versions and audit, and the
composer's checks and gates that use it (the Mastodon server's limit, how often to post)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.app import Services
from core.audit.model import AuditQuery
from core.composer.errors import PostNotReady
from core.composer.model import Post, PostState
from core.demo import DemoStaff
from core.errors import EditConflict, PermissionDenied, ValidationError
from core.practice import codec
from core.practice.model import PostingPlan
from core.practice.service import POSTING_PLAN_KEY, Versioned

LONG = ("Brush twice a day, floss once, and see us twice a year. " * 12)[:600]
"""600 characters for Mastodon: over the default 500, within a 1,000-character server."""


@pytest.fixture
def staff(demo_practice: Callable[..., DemoStaff]) -> DemoStaff:
    return demo_practice()


def save_plan(services: Services, staff: DemoStaff, plan: PostingPlan) -> Versioned[PostingPlan]:
    current = services.practice.posting_plan()
    return services.practice.save_posting_plan(staff.admin, replace(current, value=plan))


def mastodon_draft(services: Services, staff: DemoStaff, text: str = LONG) -> Post:
    return services.composer.new_draft(staff.front_desk, text, ["mastodon"])


# --- the plan itself --------------------------------------------------------------------------
def test_defaults_and_limits() -> None:
    plan = PostingPlan()
    assert (plan.posts_per_week, plan.mastodon_limit) == (3.0, 500)
    assert plan.limits == {"mastodon": 500}
    assert plan.frequency == 3.0
    assert PostingPlan(posts_per_week=0).frequency is None
    assert PostingPlan(mastodon_limit=11_000).limits == {"mastodon": 11_000}


def test_nothing_saved_reads_the_defaults(memory_services: Services, staff: DemoStaff) -> None:
    assert memory_services.practice.posting_plan() == Versioned(PostingPlan(), None)


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (PostingPlan(posts_per_week=-1), "posts_per_week"),
        (PostingPlan(posts_per_week=50.5), "posts_per_week"),
        (PostingPlan(posts_per_week=float("nan")), "posts_per_week"),
        (PostingPlan(mastodon_limit=99), "mastodon_limit"),
        (PostingPlan(mastodon_limit=100_001), "mastodon_limit"),
    ],
)
def test_out_of_range_is_refused_with_the_field(
    memory_services: Services, staff: DemoStaff, plan: PostingPlan, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        save_plan(memory_services, staff, plan)
    assert refused.value.params["field"] == field
    assert memory_services.practice.posting_plan().version is None


@pytest.mark.parametrize(
    "plan",
    [
        PostingPlan(posts_per_week=0, mastodon_limit=100),
        PostingPlan(posts_per_week=50, mastodon_limit=100_000),
        PostingPlan(posts_per_week=2.5, mastodon_limit=11_000),
    ],
)
def test_the_edges_are_allowed(
    memory_services: Services, staff: DemoStaff, plan: PostingPlan
) -> None:
    assert save_plan(memory_services, staff, plan).value == plan
    assert memory_services.practice.posting_plan().value == plan


@given(
    st.builds(
        PostingPlan,
        posts_per_week=st.floats(0, 50, allow_nan=False),
        mastodon_limit=st.integers(100, 100_000),
    )
)
def test_codec_round_trip(plan: PostingPlan) -> None:
    assert codec.posting_plan_from_dict(codec.posting_plan_to_dict(plan)) == plan


def test_codec_fills_in_missing_keys_and_refuses_garbage() -> None:
    assert codec.posting_plan_from_dict({}) == PostingPlan()
    assert codec.posting_plan_from_dict({"mastodon_limit": 1000}) == PostingPlan(
        mastodon_limit=1000
    )
    with pytest.raises(ValidationError) as refused:
        codec.posting_plan_from_dict({"posts_per_week": "often"})
    assert refused.value.params["field"] == "posting_plan"


# --- saving ----------------------------------------------------------------------------------
def test_saved_with_versions_permission_and_audit(
    memory_services: Services, staff: DemoStaff
) -> None:
    practice = memory_services.practice
    first = practice.posting_plan()
    saved = practice.save_posting_plan(
        staff.manager, replace(first, value=PostingPlan(posts_per_week=1, mastodon_limit=1000))
    )
    assert saved.version is not None
    assert practice.posting_plan() == saved
    # A second workstation that read before the save must not overwrite it silently.
    with pytest.raises(EditConflict):
        practice.save_posting_plan(staff.admin, replace(first, value=PostingPlan(2, 700)))
    again = practice.save_posting_plan(staff.admin, replace(saved, value=PostingPlan(2, 700)))
    assert again.version != saved.version
    assert practice.posting_plan().value == PostingPlan(2, 700)
    with pytest.raises(PermissionDenied):
        practice.save_posting_plan(staff.front_desk, replace(again, value=PostingPlan(4, 500)))
    assert practice.posting_plan() == again

    events, _ = memory_services.audit.query(staff.admin, AuditQuery(limit=1000))
    updates = [
        (e.actor_id, e.action)
        for e in reversed(events)
        if (e.entity_type, e.entity_id) == ("setting", POSTING_PLAN_KEY)
    ]
    assert updates == [
        (staff.manager.id, "settings.update"),
        (staff.admin.id, "settings.update"),
    ]


# --- the composer's checks ---------------------------------------------------------------------
def test_the_mastodon_limit_comes_from_the_plan(
    memory_services: Services, staff: DemoStaff
) -> None:
    composer = memory_services.composer
    post = mastodon_draft(memory_services, staff)
    [problem] = composer.check(post).problems
    assert (problem.code, problem.platform) == ("too_long", "mastodon")
    assert problem.params == {"length": 600, "limit": 500}

    save_plan(memory_services, staff, PostingPlan(mastodon_limit=1000))
    assert composer.check(post).problems == ()
    # Read on every check: a smaller server makes the same post too long again.
    save_plan(memory_services, staff, PostingPlan(mastodon_limit=550))
    [problem] = composer.check(post).problems
    assert problem.params == {"length": 600, "limit": 550}


def test_the_gates_use_the_plan_s_limit(memory_services: Services, staff: DemoStaff) -> None:
    composer = memory_services.composer
    post = mastodon_draft(memory_services, staff)
    assert post.id is not None
    with pytest.raises(PostNotReady) as refused:
        composer.submit(staff.front_desk, post.id, post.version)
    assert refused.value.params["problems"] == ("mastodon:too_long",)

    save_plan(memory_services, staff, PostingPlan(mastodon_limit=1000))
    submitted = composer.submit(staff.front_desk, post.id, post.version)
    approved = composer.approve(staff.manager, post.id, submitted.version)
    assert approved.state is PostState.APPROVED

    # The check at publish uses the same limit: with a smaller server the post is held back.
    save_plan(memory_services, staff, PostingPlan(mastodon_limit=500))
    with pytest.raises(PostNotReady):
        memory_services.publishing.publish_now(staff.manager, post.id, approved.version)
    save_plan(memory_services, staff, PostingPlan(mastodon_limit=1000))
    report = memory_services.publishing.publish_now(staff.manager, post.id, approved.version)
    assert report.started == (post.id,)
    assert composer.get(post.id).state is PostState.PUBLISHING  # waiting: no connector yet


def frequency(services: Services, post: Post) -> list[dict[str, object]]:
    return [a.params for a in services.composer.check(post).advice if a.code == "posting_frequency"]


def test_frequency_advice_follows_the_plan(memory_services: Services, staff: DemoStaff) -> None:
    post = mastodon_draft(memory_services, staff, "Flu shots are in. Call us to book yours.")
    # The demo practice posts about twice a week: within the default plan of three.
    assert frequency(memory_services, post) == []

    save_plan(memory_services, staff, PostingPlan(posts_per_week=1))
    [advice] = frequency(memory_services, post)
    assert advice["direction"] == "more"
    assert advice["target"] == 1

    save_plan(memory_services, staff, PostingPlan(posts_per_week=0))
    assert frequency(memory_services, post) == []
