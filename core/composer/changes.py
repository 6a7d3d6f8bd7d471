"""What changed since a post was approved: what the next approver must look at again."""

from __future__ import annotations

import difflib
import re

from core.composer.model import Change, ChangeKind, DiffOp, DiffSegment, Post
from core.composer.variants import published_texts
from core.platforms import PLATFORM_IDS

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]+")
"""Words, runs of spaces, runs of punctuation and symbols: every character is in one token."""


def changes_since_approval(post: Post) -> list[Change]:
    """Per platform (in platform order), then per image: how the post differs from what its
    last approver approved. ``[]`` when it was never approved or nothing changed."""
    snapshot = post.approved_text_snapshot
    if snapshot is None:
        return []
    now = published_texts(post)
    found: list[Change] = []
    for platform in PLATFORM_IDS:
        before, after = snapshot.texts.get(platform), now.get(platform)
        if before is None and after is not None:
            found.append(
                Change(ChangeKind.PLATFORM_ADDED, platform, (DiffSegment(DiffOp.INSERT, after),))
            )
        elif before is not None and after is None:
            found.append(
                Change(ChangeKind.PLATFORM_REMOVED, platform, (DiffSegment(DiffOp.DELETE, before),))
            )
        elif before is not None and after is not None and before != after:
            found.append(Change(ChangeKind.TEXT_CHANGED, platform, word_diff(before, after)))
    found.extend(
        Change(ChangeKind.MEDIA_REMOVED, media_hash=h)
        for h in snapshot.media_hashes
        if h not in post.media_hashes
    )
    found.extend(
        Change(ChangeKind.MEDIA_ADDED, media_hash=h)
        for h in post.media_hashes
        if h not in snapshot.media_hashes
    )
    return found


def word_diff(before: str, after: str) -> tuple[DiffSegment, ...]:
    """A word-level diff (``difflib``): the ``equal`` and ``delete`` segments joined give
    ``before``, the ``equal`` and ``insert`` ones ``after``. A replaced stretch is its
    ``delete`` followed by its ``insert``; a lone space between two changed words belongs to
    the change, so "twice a day" -> "after every meal" reads as one replacement."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    blocks: list[tuple[bool, str, str]] = []  # (changed, old text, new text)
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        old_text, new_text = "".join(old[i1:i2]), "".join(new[j1:j2])
        between_changes = 0 < k < len(opcodes) - 1 and old_text.isspace()
        changed = tag != "equal" or between_changes
        if changed and blocks and blocks[-1][0]:
            _, old_before, new_before = blocks.pop()
            old_text, new_text = old_before + old_text, new_before + new_text
        blocks.append((changed, old_text, new_text))
    segments: list[DiffSegment] = []
    for changed, old_text, new_text in blocks:
        if not changed:
            _add(segments, DiffOp.EQUAL, old_text)
            continue
        _add(segments, DiffOp.DELETE, old_text)
        _add(segments, DiffOp.INSERT, new_text)
    return tuple(segments)


def _add(segments: list[DiffSegment], op: DiffOp, text: str) -> None:
    if text:
        segments.append(DiffSegment(op, text))
