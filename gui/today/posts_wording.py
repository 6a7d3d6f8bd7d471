"""How Today words the items about posts (``core.publishing.today``): waiting for approval,
to publish by hand, late, held back, failed, and outcomes nobody could tell. Registered when
``gui.today.wording`` is imported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from gui.today.wording import (
    Wording,
    WordingContext,
    local_text,
    register_wording,
    relative_past,
    tr,
)


def platform_names(platforms: Iterable[str]) -> str:
    """ "Facebook", "Facebook and Google Business Profile", "X, Facebook and LinkedIn"."""
    from core.platforms import default_rules

    rules = default_rules()
    names = []
    for platform in platforms:
        try:
            names.append(rules.rule(str(platform)).name)
        except ValueError:
            names.append(str(platform))
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return tr("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])


def _when(value: Any, ctx: WordingContext) -> str | None:
    return local_text(datetime.fromisoformat(str(value)), ctx.tz) if value else None


def _review(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    submitted = datetime.fromisoformat(str(params["submitted_at"]))
    author = str(params.get("author") or "") or tr("Someone")
    return Wording(
        tr("A post is waiting for your approval"),
        tr(
            "{author} sent it for approval {ago}. A second person checks every post before it "
            "goes out."
        ).format(author=author, ago=relative_past(submitted, ctx.now)),
        tr("Review the post"),
    )


def _by_hand(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    where = platform_names(params["platforms"])
    due = _when(params.get("due"), ctx)
    if due:
        detail = tr(
            "It was due {when} on {platforms}. Copy the text, publish it there, then paste the "
            "link back here."
        ).format(when=due, platforms=where)
    else:
        detail = tr(
            "It still needs to go out on {platforms}. Copy the text, publish it there, then "
            "paste the link back here."
        ).format(platforms=where)
    return Wording(tr("Publish a post by hand"), detail, tr("Publish it"))


def _late(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    return Wording(
        tr("A scheduled post did not go out on time"),
        tr(
            "It was due {when} on {platforms}, while the app was closed. Publish it now, or "
            "choose a new time."
        ).format(when=_when(params["due"], ctx), platforms=platform_names(params["platforms"])),
        tr("Decide what to do"),
    )


_HELD_BACK = {
    "post_open_findings": (
        "The check before publishing found what may be patient information. Open the post and "
        "fix or explain each highlighted passage."
    ),
    "post_uncleared_media": (
        "One of its photos is not cleared for use yet (background checklist or consent)."
    ),
    "post_not_ready": "It cannot go out as it is. Open the post to see what to change.",
}


def _blocked(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    reason = _HELD_BACK.get(str(params.get("reason")), _HELD_BACK["post_not_ready"])
    return Wording(tr("A scheduled post was held back"), tr(reason), tr("Open the post"))


def _failed(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    where = platform_names(params.get("platforms") or ())
    if where:
        detail = tr(
            "{platforms} did not take it. Open the post to read why, then try again or withdraw it."
        ).format(platforms=where)
    else:
        detail = tr("Open the post to read why, then try again or withdraw it.")
    return Wording(tr("A post could not be published"), detail, tr("See what happened"))


def _uncertain(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    where = platform_names(params["platforms"])
    return Wording(
        tr("Check whether a post went out"),
        tr(
            "The app could not tell whether it was published on {platforms}. Look there, then "
            "paste its link, or send it again if it is not there."
        ).format(platforms=where),
        tr("Check the post"),
    )


register_wording("post_review", _review)
register_wording("post_publish_by_hand", _by_hand)
register_wording("post_late", _late)
register_wording("post_blocked", _blocked)
register_wording("post_failed", _failed)
register_wording("post_uncertain", _uncertain)
