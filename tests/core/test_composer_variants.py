"""Writing a post: variants follow the master until edited, edits after approval go back to
review, and the approver sees a word-level diff of what changed."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.composer.changes import changes_since_approval, word_diff
from core.composer.errors import (
    InactiveStaff,
    PlatformNotTargeted,
    PostLocked,
    UnknownPlatform,
)
from core.composer.model import Change, ChangeKind, DiffOp, DiffSegment, PostState, Variant
from core.composer.variants import (
    edit_variant,
    new_post,
    published_texts,
    reopened,
    reset_to_master,
    set_master,
    set_media,
    set_platforms,
    variant_text,
)
from core.composer.workflow import inconsistencies
from core.errors import ValidationError
from tests.core.test_composer_workflow import (
    AUTHOR,
    COLLEAGUE,
    FORMER,
    MANAGER,
    NOW,
    TEXT,
    approve,
    draft,
    post_in,
    submit,
)

S = PostState
LATER = NOW + timedelta(minutes=5)


# --- variants --------------------------------------------------------------------------------
def test_a_new_post_is_a_draft_whose_variants_follow_the_master() -> None:
    post = new_post(AUTHOR, TEXT, ["facebook", "x", "x"], NOW, media_hashes=["h1", "h1"])
    assert post.platforms == ("x", "facebook")  # PLATFORM_IDS order, no repeats
    assert post.media_hashes == ("h1",)
    assert (post.state, post.author_id, post.last_editor_id, post.id) == (
        S.DRAFT,
        AUTHOR.id,
        AUTHOR.id,
        None,
    )
    assert dict(post.variants) == {"x": Variant("x", TEXT), "facebook": Variant("facebook", TEXT)}
    assert inconsistencies(post) == []


def test_unknown_platforms_and_bad_media_are_refused() -> None:
    with pytest.raises(UnknownPlatform) as raised:
        new_post(AUTHOR, TEXT, ["x", "myspace"], NOW)
    assert raised.value.params == {"field": "platforms", "platform": "myspace"}
    with pytest.raises(ValidationError):
        new_post(AUTHOR, TEXT, ["x"], NOW, media_hashes=["two words"])


def test_master_changes_carry_to_following_variants_only() -> None:
    post = edit_variant(draft(), "x", "Short for X. Call us!", editor=AUTHOR, now=LATER)
    assert post.variants["x"].edited
    post = set_master(post, "New master. Call us!", editor=AUTHOR, now=LATER)
    assert variant_text(post, "x") == "Short for X. Call us!"
    assert variant_text(post, "facebook") == "New master. Call us!"
    assert post.updated_at == LATER
    assert inconsistencies(post) == []


def test_reset_to_master_follows_again() -> None:
    post = edit_variant(draft(), "x", "Short for X.", editor=AUTHOR, now=LATER)
    post = reset_to_master(post, "x", editor=AUTHOR, now=LATER)
    assert post.variants["x"] == Variant("x", TEXT)
    post = set_master(post, "Changed. Call us!", editor=AUTHOR, now=LATER)
    assert variant_text(post, "x") == "Changed. Call us!"


def test_typing_the_master_text_into_a_variant_keeps_it_following() -> None:
    post = draft()
    assert edit_variant(post, "x", TEXT, editor=AUTHOR, now=LATER) is post


def test_platforms_added_follow_and_dropped_ones_lose_their_text() -> None:
    post = edit_variant(draft(), "x", "X only. Call us!", editor=AUTHOR, now=LATER)
    post = set_platforms(post, ["facebook", "linkedin"], editor=AUTHOR, now=LATER)
    assert published_texts(post) == {"facebook": TEXT, "linkedin": TEXT}
    post = set_platforms(post, ["x", "facebook", "linkedin"], editor=AUTHOR, now=LATER)
    assert variant_text(post, "x") == TEXT


def test_variant_of_a_platform_not_targeted() -> None:
    with pytest.raises(PlatformNotTargeted):
        variant_text(draft(), "gbp")
    with pytest.raises(PlatformNotTargeted):
        edit_variant(draft(), "gbp", "hi", editor=AUTHOR, now=LATER)


def test_unchanged_edits_change_nothing() -> None:
    post = draft()
    assert set_master(post, TEXT, editor=COLLEAGUE, now=LATER) is post
    assert set_media(post, (), editor=COLLEAGUE, now=LATER) is post


def test_editors_must_be_active() -> None:
    with pytest.raises(InactiveStaff):
        set_master(draft(), "Hello", editor=FORMER, now=LATER)


@pytest.mark.parametrize("state", [S.PUBLISHING, S.PUBLISHED, S.WITHDRAWN])
def test_content_is_locked_once_it_leaves(state: PostState) -> None:
    with pytest.raises(PostLocked) as raised:
        set_master(post_in(state), "Changed", editor=AUTHOR, now=LATER)
    assert raised.value.params == {"state": state.value}


# --- edit after approval ----------------------------------------------------------------------
@pytest.mark.parametrize("state", [S.APPROVED, S.SCHEDULED, S.FAILED])
def test_an_edit_after_approval_goes_back_to_review(state: PostState) -> None:
    before = post_in(state)
    after = edit_variant(before, "x", TEXT.replace("twice", "two times"), editor=AUTHOR, now=LATER)
    assert after.state is S.IN_REVIEW
    assert (after.approver_id, after.scheduled_at, after.last_editor_id) == (None, None, AUTHOR.id)
    assert after.approved_text_snapshot == before.approved_text_snapshot
    step = reopened(before, after)
    assert step is not None
    assert (step.from_state, step.to_state, step.actor_id, step.at) == (
        state,
        S.IN_REVIEW,
        AUTHOR.id,
        LATER,
    )
    assert step.action == "reopen_after_edit"
    assert inconsistencies(after) == []


def test_the_approver_sees_a_word_level_diff() -> None:
    approved = post_in(S.APPROVED)
    changed = edit_variant(
        approved, "x", TEXT.replace("twice a day", "after every meal"), editor=AUTHOR, now=LATER
    )
    assert changes_since_approval(changed) == [
        Change(
            ChangeKind.TEXT_CHANGED,
            "x",
            (
                DiffSegment(DiffOp.EQUAL, "Brushing "),
                DiffSegment(DiffOp.DELETE, "twice a day"),
                DiffSegment(DiffOp.INSERT, "after every meal"),
                DiffSegment(DiffOp.EQUAL, TEXT.split("day", 1)[1]),
            ),
        )
    ]
    assert approve(changed, MANAGER).state is S.APPROVED


def test_platform_and_media_changes_are_shown() -> None:
    approved = post_in(S.APPROVED)
    changed = set_platforms(approved, ["x", "linkedin"], editor=AUTHOR, now=LATER)
    changed = set_media(changed, ["img1"], editor=AUTHOR, now=LATER)
    assert changes_since_approval(changed) == [
        Change(ChangeKind.PLATFORM_REMOVED, "facebook", (DiffSegment(DiffOp.DELETE, TEXT),)),
        Change(ChangeKind.PLATFORM_ADDED, "linkedin", (DiffSegment(DiffOp.INSERT, TEXT),)),
        Change(ChangeKind.MEDIA_ADDED, media_hash="img1"),
    ]
    assert changes_since_approval(draft()) == []
    assert changes_since_approval(approved) == []


def test_a_master_change_that_publishes_nothing_new_keeps_the_approval() -> None:
    post = edit_variant(draft(), "x", "For X. Call us!", editor=AUTHOR, now=NOW)
    post = edit_variant(post, "facebook", "For Facebook. Call us!", editor=AUTHOR, now=NOW)
    approved = approve(submit(post))
    after = set_master(approved, "Notes for myself", editor=MANAGER, now=LATER)
    assert after.state is S.APPROVED
    assert after.master_text == "Notes for myself"
    assert reopened(approved, after) is None
    assert inconsistencies(after) == []


def test_undoing_an_edit_still_needs_a_new_approval_but_shows_no_change() -> None:
    approved = post_in(S.APPROVED)
    edited = set_master(approved, TEXT + "!", editor=AUTHOR, now=LATER)
    undone = set_master(edited, TEXT, editor=AUTHOR, now=LATER)
    assert undone.state is S.IN_REVIEW
    assert changes_since_approval(undone) == []


# --- word diff ----------------------------------------------------------------------------------
def test_word_diff_examples() -> None:
    assert word_diff("", "") == ()
    assert word_diff("a b", "a b") == (DiffSegment(DiffOp.EQUAL, "a b"),)
    assert word_diff("Call us today.", "Call us tomorrow!") == (
        DiffSegment(DiffOp.EQUAL, "Call us "),
        DiffSegment(DiffOp.DELETE, "today."),
        DiffSegment(DiffOp.INSERT, "tomorrow!"),
    )


@given(st.text(), st.text())
def test_word_diff_rebuilds_both_texts(before: str, after: str) -> None:
    segments = word_diff(before, after)
    assert "".join(s.text for s in segments if s.op is not DiffOp.INSERT) == before
    assert "".join(s.text for s in segments if s.op is not DiffOp.DELETE) == after
    assert all(s.text for s in segments)
    assert all(a.op is not b.op for a, b in pairwise(segments))
