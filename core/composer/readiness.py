"""Whether a post can go out as it is: the problems that block submitting, approving and
publishing (advice that never blocks lives in ``core.composer.advice``).

Text problems come from ``core.platforms.measure`` per platform (``empty``, ``too_long``,
``too_many_bytes``, ``too_many_links``, ``too_many_hashtags``, ``invalid_characters``). On top:
``no_platforms``; ``image_required`` (Instagram takes no text-only posts); ``too_many_images``
(``params['limit']``) where DOMAIN.md gives a cap: Bluesky 4, Google Business Profile 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.composer.model import Post, Problem
from core.composer.variants import variant_text
from core.platforms import PlatformRules, measure

IMAGE_REQUIRED: frozenset[str] = frozenset({"instagram"})
"""Platforms that publish no post without an image."""

MAX_IMAGES: Mapping[str, int] = MappingProxyType({"bluesky": 4, "gbp": 1})
"""Most images a post may carry, where the platform caps it (DOMAIN.md, "Platforms")."""


def problems(
    post: Post,
    *,
    rules: PlatformRules | None = None,
    limits: Mapping[str, int] | None = None,
) -> list[Problem]:
    """Everything that stops ``post`` from being published, in platform order; ``[]`` when it
    is ready. ``rules`` and ``limits`` (per-platform limit overrides, e.g. the Mastodon
    server's) are passed to ``measure``."""
    if not post.platforms:
        return [Problem("no_platforms")]
    found: list[Problem] = []
    images = len(post.media_hashes)
    for platform in post.platforms:
        limit = (limits or {}).get(platform)
        measured = measure(variant_text(post, platform), platform, limit=limit, rules=rules)
        found.extend(
            Problem(code, platform, {"length": measured.length, "limit": measured.limit})
            for code in measured.problems
        )
        if platform in IMAGE_REQUIRED and not images:
            found.append(Problem("image_required", platform))
        cap = MAX_IMAGES.get(platform)
        if cap is not None and images > cap:
            found.append(Problem("too_many_images", platform, {"limit": cap, "count": images}))
    return found


def problem_codes(found: list[Problem]) -> tuple[str, ...]:
    """``"platform:code"`` (or the bare code) for each problem: plain data for error params."""
    return tuple(f"{p.platform}:{p.code}" if p.platform else p.code for p in found)
