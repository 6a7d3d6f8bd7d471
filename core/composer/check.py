"""Checking a post before it moves on: PHI findings per text, overrides, problems and advice.

Pure functions over a ``Post``; ``core.composer.service`` feeds them the practice's known
names and its own contact details. A finding is *open* until someone overrides it with a
written reason; open findings block submitting, approving and publishing
(``core.composer.workflow``). An override names a finding by kind and by a hash of the flagged
words, so it keeps holding when the text around them changes, and it holds wherever the same
words are flagged again (the master text and every platform's text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.composer.model import Advice, Post, PostState, Problem
from core.composer.ports import PhiOverride, PostOrder, PostQuery
from core.composer.variants import not_targeted, variant_text
from core.errors import ValidationError
from core.phi import Finding, scan_text

MIN_OVERRIDE_REASON = 10
"""A reason shorter than this is not a reason ("ok", "fine")."""


@dataclass(frozen=True, slots=True)
class Override:
    """A request to let one finding through: the finding as ``check`` reported it (``kind``,
    ``start``, ``end`` in the text of ``platform``; ``None`` for the master text) and why.
    ``text_hash`` (``PostFinding.text_hash``), when given, must still match the flagged
    words: an override meant for other words is refused rather than applied."""

    kind: str
    start: int
    end: int
    reason: str
    platform: str | None = None
    text_hash: str | None = None


@dataclass(frozen=True, slots=True)
class PostFinding:
    """A PHI finding in one of the post's texts: the master text (``platform`` ``None``) or a
    platform's own text (only variants that differ from the master are scanned on their
    own). ``overridden`` when a recorded override covers it."""

    platform: str | None
    finding: Finding
    text_hash: str
    overridden: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything the composer shows about a post: PHI findings, problems that block it and
    advice that never does."""

    findings: tuple[PostFinding, ...]
    problems: tuple[Problem, ...]
    advice: tuple[Advice, ...] = ()

    @property
    def open_findings(self) -> tuple[PostFinding, ...]:
        return tuple(f for f in self.findings if not f.overridden)

    @property
    def blocking_findings(self) -> int:
        """The count ``core.composer.workflow.transition`` takes as ``blocking_findings``."""
        return len(self.open_findings)


def span_hash(text: str) -> str:
    """The hash naming flagged words: whitespace-normalised and case-folded, so "Ann  Lee"
    and "ann lee" are the same finding."""
    normal = " ".join(text.split()).casefold()
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()


def texts_to_scan(post: Post) -> dict[str | None, str]:
    """The master text (key ``None``), then each platform's text where it differs from it."""
    texts: dict[str | None, str] = {None: post.master_text}
    for platform in post.platforms:
        text = variant_text(post, platform)
        if text != post.master_text:
            texts[platform] = text
    return texts


def find_phi(
    post: Post,
    *,
    known_names: Iterable[str],
    allowed: Iterable[str],
    staff_names: Iterable[str] = (),
    overrides: Iterable[PhiOverride] = (),
) -> tuple[PostFinding, ...]:
    """Every PHI finding in the post's texts, marked overridden where an override covers it."""
    names, allow, staff = tuple(known_names), tuple(allowed), tuple(staff_names)
    covered = {(o.kind, o.text_hash) for o in overrides}
    found: list[PostFinding] = []
    for platform, text in texts_to_scan(post).items():
        for finding in scan_text(text, names, allowed=allow, staff_names=staff):
            digest = span_hash(text[finding.start : finding.end])
            found.append(PostFinding(platform, finding, digest, (finding.kind, digest) in covered))
    return tuple(found)


def resolve_override(
    post: Post, override: Override, findings: Sequence[PostFinding]
) -> tuple[str, str]:
    """The ``(kind, text_hash)`` an override covers. Raises ``ValidationError`` when the
    reason is too short (field ``override_reason``) or no current finding matches (field
    ``overrides``, reason ``stale``: the text changed since the check; check again)."""
    if len(override.reason.strip()) < MIN_OVERRIDE_REASON:
        raise ValidationError(
            "Say why this finding is not PHI.",
            field="override_reason",
            minimum=MIN_OVERRIDE_REASON,
        )
    for item in findings:
        f = item.finding
        if (item.platform, f.kind, f.start, f.end) != (
            override.platform,
            override.kind,
            override.start,
            override.end,
        ):
            continue
        if override.text_hash is not None and override.text_hash != item.text_hash:
            break
        return f.kind, item.text_hash
    raise ValidationError(
        "The text changed since it was checked: check it again.", field="overrides", reason="stale"
    )


def contact_details(phone: str, website: str, address: str) -> tuple[str, ...]:
    """The practice's own details that the PHI check must never flag (the non-empty ones)."""
    return tuple(value for value in (phone, website, address) if value.strip())


ADVICE_WINDOW = timedelta(days=30)
"""How far back (and, for the frequency advice, ahead) ``check`` looks at other posts."""


def advice_history(now: datetime) -> tuple[PostQuery, PostQuery]:
    """The posts ``core.composer.advice`` compares with: those published in the last 30 days
    and those scheduled from 30 days ago to 30 days ahead."""
    went_out = PostQuery(
        states=(PostState.PUBLISHED,),
        published_from=now - ADVICE_WINDOW,
        published_to=now,
        limit=1000,
    )
    planned = PostQuery(
        states=(PostState.SCHEDULED, PostState.PUBLISHING),
        scheduled_from=now - ADVICE_WINDOW,
        scheduled_to=now + ADVICE_WINDOW,
        limit=1000,
        order=PostOrder.SCHEDULED_ASC,
    )
    return went_out, planned


def check_publication(post: Post, platform: str, url: str, done: set[str]) -> None:
    """Refuse a live URL for a platform the post does not target, one already recorded
    (``done``), or something that is not a web address."""
    if platform not in post.platforms:
        raise not_targeted(platform)
    if platform in done:
        raise ValidationError("This platform's URL is already recorded.", field="url")
    if not url.strip().lower().startswith(("https://", "http://")) or any(
        c.isspace() for c in url.strip()
    ):
        raise ValidationError("Paste the post's web address (https://…).", field="url")
