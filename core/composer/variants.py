"""Writing a post: the master text, per-platform variants, target platforms and media.

A platform's variant follows the master text until someone edits it; ``reset_to_master`` makes
it follow again. Every edit returns a new ``Post``. An edit that changes what would be published
(any platform's text, the platforms, the media) records the editor as ``last_editor_id``, and
in an approved, scheduled or failed post it also voids the approval: the post goes back to
review, unscheduled, with the approved snapshot kept so the approver sees what changed
(``reopened`` gives the ``Transition`` to audit). Content is locked while publishing, once
published and once withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from core.composer.errors import InactiveStaff, PlatformNotTargeted, PostLocked, UnknownPlatform
from core.composer.model import (
    APPROVED_STATES,
    EDITABLE_STATES,
    Post,
    PostState,
    Transition,
    Variant,
)
from core.errors import ValidationError
from core.platforms import PLATFORM_IDS
from core.staff.model import StaffMember

_Content = tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]


def new_post(
    author: StaffMember,
    master_text: str,
    platforms: Iterable[str],
    now: datetime,
    *,
    media_hashes: Iterable[str] = (),
) -> Post:
    """A new draft by ``author``; every platform's variant follows ``master_text``."""
    _require_active(author)
    _require_aware(now)
    targets = normalize_platforms(platforms)
    return Post(
        id=None,
        master_text=master_text,
        platforms=targets,
        variants=_variants({p: Variant(p, master_text) for p in targets}),
        state=PostState.DRAFT,
        author_id=author.id,
        last_editor_id=author.id,
        created_at=now,
        updated_at=now,
        media_hashes=normalize_media(media_hashes),
    )


def variant_text(post: Post, platform: str) -> str:
    """The text that goes out on ``platform``: the master text unless the variant was edited."""
    variant = _variant(post, platform)
    return variant.text if variant.edited else post.master_text


def published_texts(post: Post) -> dict[str, str]:
    """Each target platform's text, in platform order: what would be published."""
    return {p: variant_text(post, p) for p in post.platforms}


def set_master(post: Post, text: str, *, editor: StaffMember, now: datetime) -> Post:
    """Change the master text; variants that follow it change with it, edited ones keep theirs."""
    variants = {p: v if v.edited else Variant(p, text) for p, v in _ordered_variants(post).items()}
    return _edit(post, editor, now, master_text=text, variants=_variants(variants))


def edit_variant(
    post: Post, platform: str, text: str, *, editor: StaffMember, now: datetime
) -> Post:
    """Give ``platform`` its own text. Typing the master text into a variant that follows the
    master changes nothing (it keeps following)."""
    current = _variant(post, platform)
    if not current.edited and text == post.master_text:
        return _edit(post, editor, now)
    variants = _ordered_variants(post)
    variants[platform] = Variant(platform, text, edited=True)
    return _edit(post, editor, now, variants=_variants(variants))


def reset_to_master(post: Post, platform: str, *, editor: StaffMember, now: datetime) -> Post:
    """Make ``platform`` follow the master text again, dropping its own text."""
    _variant(post, platform)
    variants = _ordered_variants(post)
    variants[platform] = Variant(platform, post.master_text)
    return _edit(post, editor, now, variants=_variants(variants))


def set_platforms(
    post: Post, platforms: Iterable[str], *, editor: StaffMember, now: datetime
) -> Post:
    """Target these platforms. A new platform's variant follows the master text; a dropped
    platform's variant (and any text of its own) is discarded."""
    targets = normalize_platforms(platforms)
    old = post.variants
    variants = {p: old[p] if p in old else Variant(p, post.master_text) for p in targets}
    return _edit(post, editor, now, platforms=targets, variants=_variants(variants))


def set_media(
    post: Post, media_hashes: Iterable[str], *, editor: StaffMember, now: datetime
) -> Post:
    """Attach these images (vault content hashes, in display order)."""
    return _edit(post, editor, now, media_hashes=normalize_media(media_hashes))


def not_targeted(platform: str) -> PlatformNotTargeted:
    """The error for a platform the post does not target."""
    return PlatformNotTargeted(
        "the post does not target this platform", field="platform", platform=platform
    )


def apply_edits(
    post: Post,
    *,
    editor: StaffMember,
    now: datetime,
    platforms: Iterable[str] | None = None,
    master_text: str | None = None,
    variants: Mapping[str, str | None] | None = None,
    media: Iterable[str] | None = None,
) -> Post:
    """The composer's edits applied in order: platforms first, then the master text, then each
    platform's own text (``None`` makes it follow the master again), then the images. What
    ``ComposerService.autosave`` stores, and what the editor checks before it is saved.
    ``PlatformNotTargeted`` for a text of a platform the post does not target."""
    if platforms is not None:
        post = set_platforms(post, platforms, editor=editor, now=now)
    if master_text is not None:
        post = set_master(post, master_text, editor=editor, now=now)
    for platform, text in (variants or {}).items():
        if platform not in post.variants:
            raise not_targeted(platform)
        if text is None:
            post = reset_to_master(post, platform, editor=editor, now=now)
        else:
            post = edit_variant(post, platform, text, editor=editor, now=now)
    if media is not None:
        post = set_media(post, media, editor=editor, now=now)
    return post


def reopened(before: Post, after: Post) -> Transition | None:
    """The ``reopen_after_edit`` transition when an edit sent an approved post back to review
    (the service audits it), else ``None``."""
    if before.state is after.state or after.state is not PostState.IN_REVIEW:
        return None
    return Transition(before.state, after.state, after.last_editor_id, after.updated_at)


def normalize_platforms(platforms: Iterable[str]) -> tuple[str, ...]:
    """Known platform ids without repeats, in ``PLATFORM_IDS`` order; ``UnknownPlatform``
    otherwise."""
    wanted = set()
    for platform in platforms:
        if platform not in PLATFORM_IDS:
            raise UnknownPlatform(
                f"unknown platform {platform!r}", field="platforms", platform=str(platform)
            )
        wanted.add(platform)
    return tuple(p for p in PLATFORM_IDS if p in wanted)


def normalize_media(media_hashes: Iterable[str]) -> tuple[str, ...]:
    """Content hashes without repeats, in the given order; each must be a non-empty word."""
    seen: dict[str, None] = {}
    for media_hash in media_hashes:
        if (
            not isinstance(media_hash, str)
            or not media_hash
            or media_hash != "".join(media_hash.split())
        ):
            raise ValidationError("a media hash must be a word", field="media_hashes")
        seen[media_hash] = None
    return tuple(seen)


def content_of(post: Post) -> _Content:
    """What would be published: platforms, each platform's text, media. Equal content means an
    approval still holds."""
    return post.platforms, tuple(published_texts(post).items()), post.media_hashes


def _edit(post: Post, editor: StaffMember, now: datetime, **changes: Any) -> Post:
    _require_active(editor)
    _require_aware(now)
    if post.state not in EDITABLE_STATES:
        raise PostLocked("this post can no longer be changed", state=post.state.value)
    candidate = replace(post, **changes)
    if candidate == post:
        return post
    if content_of(candidate) == content_of(post):
        return replace(candidate, updated_at=now)
    edited = replace(candidate, last_editor_id=editor.id, updated_at=now)
    if post.state in APPROVED_STATES:
        return replace(edited, state=PostState.IN_REVIEW, approver_id=None, scheduled_at=None)
    return edited


def _variant(post: Post, platform: str) -> Variant:
    try:
        return post.variants[platform]
    except KeyError:
        raise PlatformNotTargeted(
            f"the post does not target {platform!r}", field="platform", platform=str(platform)
        ) from None


def _ordered_variants(post: Post) -> dict[str, Variant]:
    return {p: post.variants[p] for p in post.platforms}


def _variants(variants: Mapping[str, Variant]) -> Mapping[str, Variant]:
    return MappingProxyType(dict(variants))


def _require_active(member: StaffMember) -> None:
    if not member.active:
        raise InactiveStaff("This staff member is deactivated.", action="edit_post")


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("times must be aware datetimes (UTC)")
