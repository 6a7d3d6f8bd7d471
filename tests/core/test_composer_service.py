"""The composer's use cases over the in-memory ports: the whole two-person flow, PHI overrides
(audited without the text), autosave conflicts, the media hook, history and manual publishing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.composer.check import Override, span_hash
from core.composer.errors import (
    ApproverRoleRequired,
    OpenFindings,
    PostLocked,
    SelfApproval,
    TransitionNotAllowed,
    UnclearedMedia,
)
from core.composer.model import PostState
from core.composer.ports import PostOrder, PostQuery
from core.composer.service import DEFAULT_PLATFORMS, ComposerService, EditorState
from core.demo import DEMO_PRACTICE, DemoStaff, create_demo_practice
from core.errors import EditConflict, ValidationError
from core.staff.model import StaffMember
from core.staff.pins import fast_hasher
from tests.fakes import MemorySecrets, MemoryStore

PATIENT = "Rosalind Featherstone"
CLEAN = "Flu season is here: wash your hands and call us at (217) 555-0142 to book."
PLATFORMS = ("facebook", "gbp")
REASON = "She is our hygienist, not a patient."


@pytest.fixture
def services(clock: ManualClock) -> Services:
    return build_services(
        uow=MemoryStore(),
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        known_names=lambda: [PATIENT],
    )


@pytest.fixture
def staff(services: Services) -> DemoStaff:
    return create_demo_practice(services, with_posts=False)


def post_events(services: Services, staff: DemoStaff) -> list[tuple[str, str]]:
    events, _ = services.audit.query(staff.admin, AuditQuery(limit=1000))
    return [(e.action, e.detail) for e in reversed(events) if e.entity_type == "post"]


def test_the_whole_flow_is_checked_recorded_and_audited(
    services: Services, staff: DemoStaff, clock: ManualClock
) -> None:
    composer = services.composer
    front, manager = staff.front_desk, staff.manager
    draft = composer.new_draft(front, platforms=PLATFORMS)
    text = f"Thanks to {PATIENT} for the lovely flowers! Call (217) 555-0142 to book."
    post = composer.autosave(front, draft.id or 0, draft.version, master_text=text)

    result = composer.check(post)
    [finding] = result.open_findings  # the known name, never the practice phone
    assert (finding.platform, finding.finding.kind) == (None, "name")
    assert text[finding.finding.start : finding.finding.end] == PATIENT
    assert post.id is not None
    with pytest.raises(OpenFindings):
        composer.submit(front, post.id, post.version)
    with pytest.raises(ValidationError) as short:
        composer.submit(front, post.id, post.version, [Override("name", 10, 31, "ok fine")])
    assert short.value.params["field"] == "override_reason"
    f = finding.finding
    override = Override(f.kind, f.start, f.end, REASON, text_hash=finding.text_hash)
    post = composer.submit(front, post.id, post.version, [override])
    assert post.state is PostState.IN_REVIEW
    assert composer.check(post).blocking_findings == 0

    with pytest.raises(ApproverRoleRequired):
        composer.approve(front, post.id, post.version)
    with pytest.raises(SelfApproval):
        _approve_own(services, manager)
    post = composer.approve(manager, post.id, post.version)
    assert (post.state, post.approver_id) == (PostState.APPROVED, manager.id)

    at = clock.now() + timedelta(days=2)
    post = composer.schedule(front, post.id, post.version, at)
    assert (post.state, post.scheduled_at) == (PostState.SCHEDULED, at)
    assert composer.due(at - timedelta(minutes=1)) == []
    assert [p.id for p in composer.due(at)] == [post.id]

    clock.advance(timedelta(minutes=5))
    post = composer.autosave(front, post.id, post.version, variants={"gbp": "Call us to book."})
    assert (post.state, post.scheduled_at, post.approver_id) == (PostState.IN_REVIEW, None, None)
    composer.comment(manager, post.id, "Shorter on Google, good.")
    post = composer.withdraw(front, post.id, post.version, "The event was cancelled.")
    assert (post.state, post.withdrawn_reason) == (PostState.WITHDRAWN, "The event was cancelled.")

    history = composer.history(post.id)
    assert [t.action for t in history.transitions] == [
        "submit",
        "approve",
        "schedule",
        "reopen_after_edit",
        "withdraw",
    ]
    assert [c.text for c in history.comments] == ["Shorter on Google, good."]
    assert [(o.kind, o.text_hash, o.reason) for o in history.overrides] == [
        ("name", span_hash(PATIENT), REASON)
    ]
    events = post_events(services, staff)
    assert events == [
        ("post.create", "draft"),
        ("post.phi_override", f"override name: {len(REASON)} chars"),
        ("post.submit", "to in_review"),
        ("post.create", "draft"),
        ("post.submit", "to in_review"),
        ("post.approve", "to approved"),
        ("post.schedule", "to scheduled"),
        ("post.reopen_after_edit", "to in_review"),
        ("post.comment", "24 chars"),
        ("post.withdraw", "to withdrawn"),
    ]
    all_details = " ".join(detail for _, detail in events)
    assert PATIENT not in all_details
    assert "hygienist" not in all_details
    with pytest.raises(PostLocked):
        composer.autosave(front, post.id, post.version, master_text="again")


def _approve_own(services: Services, manager: StaffMember) -> None:
    """The manager writes and submits a post, then tries to approve it."""
    own = services.composer.new_draft(manager, CLEAN, platforms=PLATFORMS)
    assert own.id is not None
    own = services.composer.submit(manager, own.id, own.version)
    services.composer.approve(manager, own.id, own.version)


def test_an_override_for_other_words_is_refused(services: Services, staff: DemoStaff) -> None:
    text = f"Happy birthday {PATIENT}!"
    post = services.composer.new_draft(staff.front_desk, text, PLATFORMS)
    [finding] = services.composer.check(post).open_findings
    f = finding.finding
    assert post.id is not None
    stale = Override(f.kind, f.start, f.end, REASON, text_hash=span_hash("someone else"))
    with pytest.raises(ValidationError) as info:
        services.composer.submit(staff.front_desk, post.id, post.version, [stale])
    assert info.value.params["reason"] == "stale"
    assert services.composer.history(post.id).overrides == ()  # rolled back with the refusal


def test_a_stale_autosave_conflicts_and_keeps_the_first(
    services: Services, staff: DemoStaff
) -> None:
    post = services.composer.new_draft(staff.front_desk, "Hello", PLATFORMS)
    assert post.id is not None
    first = services.composer.autosave(staff.front_desk, post.id, post.version, master_text="A")
    assert first.version == post.version + 1
    with pytest.raises(EditConflict):
        services.composer.autosave(staff.manager, post.id, post.version, master_text="B")
    assert services.composer.get(post.id).master_text == "A"
    same = services.composer.autosave(staff.front_desk, post.id, first.version, master_text="A")
    assert same == first  # nothing changed, nothing saved


def test_variants_follow_until_edited_and_reset_to_master(
    services: Services, staff: DemoStaff
) -> None:
    front = staff.front_desk
    post = services.composer.new_draft(front, "Hi")
    assert post.platforms == DEFAULT_PLATFORMS
    assert post.id is not None
    post = services.composer.autosave(
        front, post.id, post.version, platforms=["x", "facebook"], variants={"x": "Hi on X"}
    )
    post = services.composer.autosave(front, post.id, post.version, master_text="Hello")
    assert {p: v.text for p, v in post.variants.items()} == {"x": "Hi on X", "facebook": "Hello"}
    post = services.composer.autosave(front, post.id, post.version, variants={"x": None})
    assert post.variants["x"].text == "Hello"
    assert not post.variants["x"].edited


def test_known_names_are_read_from_the_provider_on_every_check(
    clock: ManualClock, services: Services, staff: DemoStaff
) -> None:
    names: list[str] = []
    composer = ComposerService(MemoryStore(), clock, lambda: names, lambda: DEMO_PRACTICE)
    post = services.composer.new_draft(staff.front_desk, "Welcome, Tobias Quenneville!")
    assert composer.check(post).findings == ()
    names.append("Tobias Quenneville")
    assert [f.finding.kind for f in composer.check(post).findings] == ["name"]


def test_practice_contact_details_are_allowed_but_other_phones_are_not(
    services: Services, staff: DemoStaff
) -> None:
    ours = services.composer.new_draft(staff.front_desk, CLEAN, PLATFORMS)
    assert services.composer.check(ours).findings == ()
    theirs = services.composer.new_draft(staff.front_desk, "Call (312) 555-0199 today.")
    assert [f.finding.kind for f in services.composer.check(theirs).findings] == ["phone"]


def test_edited_variants_are_scanned_on_their_own(services: Services, staff: DemoStaff) -> None:
    post = services.composer.new_draft(staff.front_desk, CLEAN, PLATFORMS)
    assert post.id is not None
    post = services.composer.autosave(
        staff.front_desk, post.id, post.version, variants={"gbp": f"Hi {PATIENT}, call us."}
    )
    result = services.composer.check(post)
    assert [(f.platform, f.finding.kind) for f in result.findings] == [("gbp", "name")]
    assert {a.code for a in result.advice} >= {"text_only_on_visual_platform"}


def test_media_hook_blocks_uncleared_images(clock: ManualClock, staff: DemoStaff) -> None:
    seen: list[tuple[Sequence[str], Sequence[str]]] = []

    def uncleared(hashes: Sequence[str], platforms: Sequence[str]) -> int:
        seen.append((hashes, platforms))
        return sum(h.startswith("bad") for h in hashes)

    store = MemoryStore()
    services = build_services(
        uow=store,
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
    )
    people = create_demo_practice(services, with_posts=False)
    composer = ComposerService(store, clock, list, lambda: DEMO_PRACTICE, media_cleared=uncleared)
    post = composer.new_draft(people.front_desk, CLEAN, PLATFORMS)
    assert post.id is not None
    post = composer.autosave(people.front_desk, post.id, post.version, media=["bad1", "ok2"])
    with pytest.raises(UnclearedMedia):
        composer.submit(people.front_desk, post.id, post.version)
    post = composer.autosave(people.front_desk, post.id, post.version, media=["ok2"])
    assert composer.submit(people.front_desk, post.id, post.version).state is PostState.IN_REVIEW
    assert seen == [(("bad1", "ok2"), PLATFORMS), (("ok2",), PLATFORMS)]


def test_editor_state_is_kept_without_a_new_version(services: Services, staff: DemoStaff) -> None:
    post = services.composer.new_draft(staff.front_desk, "Hi")
    assert post.id is not None
    assert services.composer.editor_state(post.id) == EditorState()
    services.composer.save_editor_state(staff.front_desk, post.id, EditorState("gbp", 2))
    assert services.composer.editor_state(post.id) == EditorState("gbp", 2)
    assert services.composer.get(post.id).version == post.version
    assert EditorState.from_json("not json") == EditorState()
    assert EditorState.from_json('{"tab": 3, "cursor": "x"}') == EditorState()


def test_manual_publish_records_urls_and_completes_with_the_last(
    services: Services, staff: DemoStaff
) -> None:
    composer, front = services.composer, staff.front_desk
    post = composer.new_draft(front, CLEAN, PLATFORMS)
    assert post.id is not None
    post = composer.submit(front, post.id, post.version)
    post = composer.approve(staff.manager, post.id, post.version)
    with pytest.raises(ValidationError):
        composer.record_manual_publish(front, post.id, post.version, {"facebook": "not a url"})
    url = "https://facebook.com/maplegrove/posts/1"
    post = composer.record_manual_publish(front, post.id, post.version, {"facebook": url})
    assert post.state is PostState.PUBLISHING
    with pytest.raises(ValidationError):
        composer.record_manual_publish(front, post.id, post.version, {"facebook": url})
    post = composer.record_manual_publish(
        front, post.id, post.version, {"gbp": "https://g.page/maple/1"}
    )
    assert (post.state, post.published_at) == (PostState.PUBLISHED, services.clock.now())
    history = composer.history(post.id)
    assert [(p.platform, p.url) for p in history.publications] == [
        ("facebook", url),
        ("gbp", "https://g.page/maple/1"),
    ]
    assert [t.action for t in history.transitions][-2:] == ["publish", "mark_published"]
    with pytest.raises(TransitionNotAllowed):
        composer.approve(staff.manager, post.id, post.version)


def test_list_filters_and_pages(services: Services, staff: DemoStaff, clock: ManualClock) -> None:
    for n in range(5):
        clock.advance(timedelta(minutes=1))
        services.composer.new_draft(staff.front_desk, f"Tip {n}: floss daily", PLATFORMS)
    page, total = services.composer.list(PostQuery(text="TIP", limit=2, offset=1))
    assert total == 5
    assert [p.master_text[:5] for p in page] == ["Tip 3", "Tip 2"]
    oldest, _ = services.composer.list(PostQuery(order=PostOrder.CREATED_DESC, offset=4))
    assert [p.master_text[:5] for p in oldest] == ["Tip 0"]
    assert services.composer.list(PostQuery(states=(PostState.APPROVED,)))[1] == 0


def test_demo_posts_are_phi_free_and_ready(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    demo_practice()
    posts, total = memory_services.composer.list(PostQuery(limit=100))
    assert total >= 40
    for post in posts:
        result = memory_services.composer.check(post)
        assert result.findings == (), post.master_text
        assert result.problems == () or post.master_text == "", post.master_text
    in_review = [p for p in posts if p.state is PostState.IN_REVIEW]
    assert len(in_review) == 3  # one of them with a note asking the manager
    assert sum(bool(memory_services.composer.history(p.id or 0).comments) for p in in_review) == 1


def test_demo_posts_happened_in_the_past(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    demo_practice()
    now = memory_services.clock.now()
    posts, _total = memory_services.composer.list(PostQuery(limit=100))
    assert max(p.updated_at for p in posts) <= now
    assert all(p.created_at <= now for p in posts)
    soon = [p for p in posts if p.state is PostState.SCHEDULED]
    assert soon
    assert all(now < (p.scheduled_at or now) <= now + timedelta(days=7) for p in soon)
