"""How the composer words what core reports as codes: PHI finding kinds, readiness problems,
advice, platform names and post states. Core keeps codes and plain params; every sentence a
person reads is here, through ``tr`` (translatable)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QCoreApplication

from core.composer.calendar import platform_names
from core.composer.model import Advice, PostState, Problem

_CONTEXT = "ComposerWording"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


SHORT_PLATFORM_NAMES = {"gbp": "Google"}
"""For tabs and chips, where "Google Business Profile" does not fit; others use their name."""


def platform_name(platform: str | None, *, short: bool = False) -> str:
    """A platform's display name from ``resources/platforms.json`` (brand names are not
    translated); ``None`` is the main text, shared by all platforms."""
    if platform is None:
        return tr("All platforms")
    if short and platform in SHORT_PLATFORM_NAMES:
        return SHORT_PLATFORM_NAMES[platform]
    return platform_names([platform])[0]


def practice_zone(name: str) -> ZoneInfo:
    """The practice's time zone; UTC when the name is not a known zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def state_label(state: PostState) -> str:
    return {
        PostState.DRAFT: tr("Draft"),
        PostState.IN_REVIEW: tr("Waiting for approval"),
        PostState.APPROVED: tr("Approved"),
        PostState.SCHEDULED: tr("Scheduled"),
        PostState.PUBLISHING: tr("Publishing"),
        PostState.PUBLISHED: tr("Published"),
        PostState.FAILED: tr("Failed"),
        PostState.WITHDRAWN: tr("Withdrawn"),
    }[state]


def state_tone(state: PostState) -> str:
    """The ``Badge`` tone for a state."""
    return {
        PostState.DRAFT: "neutral",
        PostState.IN_REVIEW: "warning",
        PostState.APPROVED: "info",
        PostState.SCHEDULED: "info",
        PostState.PUBLISHING: "info",
        PostState.PUBLISHED: "success",
        PostState.FAILED: "danger",
        PostState.WITHDRAWN: "neutral",
    }[state]


def finding_title(kind: str) -> str:
    """What a PHI finding is, in a few words."""
    return {
        "name": tr("A person's name"),
        "date": tr("A date tied to a person"),
        "age": tr("A person's age"),
        "phone": tr("A phone number"),
        "email": tr("An e-mail address"),
        "address": tr("A street address"),
        "record_number": tr("A record or chart number"),
        "health_detail": tr("Someone's treatment or diagnosis"),
        "patient_relationship": tr("Says someone is a patient"),
        "visit_detail": tr("Who came in, or why"),
        "insurance": tr("Someone's insurance"),
    }.get(kind, tr("Possible patient information"))


def finding_explanation(kind: str) -> tuple[str, str]:
    """Why a finding matters, and what to do instead."""
    table = {
        "name": (
            tr("A patient or reviewer could be identified by this name."),
            tr("Remove the name, or use the first name only with the patient's written consent."),
        ),
        "date": (
            tr("A birthday, visit or treatment date tells people about one person."),
            tr('Leave the date out, or say it generally ("recently", "this spring").'),
        ),
        "age": (
            tr("An age, together with the photo or story, can identify a patient."),
            tr("Leave the age out."),
        ),
        "phone": (
            tr("This is not the practice's phone number."),
            tr("Give only the office number (it is in Settings → Practice)."),
        ),
        "email": (
            tr("This is not the practice's e-mail address."),
            tr("Give only the office's e-mail."),
        ),
        "address": (
            tr("A street address can point to where someone lives."),
            tr("Remove it. The practice's own address is always allowed."),
        ),
        "record_number": (
            tr("Chart, record, claim and account numbers are part of a patient's record."),
            tr("Remove the number."),
        ),
        "health_detail": (
            tr("A treatment, procedure or diagnosis tied to a person is health information."),
            tr('Talk about the treatment in general ("Root canals are nothing to fear").'),
        ),
        "patient_relationship": (
            tr("Saying that someone is a patient of the practice is itself protected."),
            tr("Talk about patients in general, not about someone in particular."),
        ),
        "visit_detail": (
            tr("Who came in, when or why tells people about someone's care."),
            tr("Describe the service in general, without who or when."),
        ),
        "insurance": (
            tr("Someone's insurance or payment details belong to their record."),
            tr("Remove it; talk about the plans the practice accepts in general."),
        ),
    }
    return table.get(
        kind,
        (tr("This may identify a patient."), tr("Remove it or say it in general terms.")),
    )


def problem_text(problem: Problem) -> str:
    """One line saying what blocks the post on a platform (or as a whole)."""
    p = problem.params
    where = platform_name(problem.platform) if problem.platform else ""
    texts = {
        "no_platforms": tr("Choose at least one platform."),
        "empty": tr("{where}: the text is empty."),
        "too_long": tr("{where}: {length} of {limit} characters; shorten the marked part."),
        "too_many_bytes": tr("{where}: the text is too long (too many special characters)."),
        "too_many_links": tr("{where}: too many links; keep at most {limit}."),
        "too_many_hashtags": tr("{where}: too many hashtags; keep at most {limit}."),
        "invalid_characters": tr("{where}: the text has characters the platform refuses."),
        "image_required": tr("{where}: needs a photo; it takes no text-only posts."),
        "too_many_images": tr("{where}: at most {limit} photo(s); this post has {count}."),
    }
    template = texts.get(problem.code, tr("{where}: not ready ({code})."))
    return template.format(
        where=where,
        code=problem.code,
        length=p.get("length", "?"),
        limit=p.get("limit", "?"),
        count=p.get("count", "?"),
    )


def advice_text(advice: Advice, platforms: Sequence[str] = ()) -> str:
    """A friendly hint that never blocks. ``platforms`` names every platform the same advice
    was given for (one line instead of one per platform)."""
    p: Mapping[str, Any] = advice.params
    names = [platform_name(x) for x in platforms] or (
        [platform_name(advice.platform)] if advice.platform else []
    )
    where = ", ".join(names)
    if advice.code == "no_call_to_action":
        return tr("Tell readers what to do next, e.g. \u201cCall us to book\u201d.")
    if advice.code == "text_only_on_visual_platform":
        return tr("{where}: posts with a photo reach more people.").format(where=where)
    if advice.code == "phone_number":
        return tr(
            "{where}: Google may reject posts with a phone number in the text; use the "
            "call button instead."
        ).format(where=where)
    if advice.code == "self_promotion_share":
        return tr(
            "{promotional} of the last {total} posts are about the practice itself. Mix in "
            "helpful tips so people keep reading."
        ).format(promotional=p.get("promotional", "?"), total=p.get("total", "?"))
    if advice.code == "posting_frequency":
        per_week = float(p.get("per_week", 0))
        target = float(p.get("target", 0))
        if p.get("direction") == "more":
            text = tr("About {n:.1f} posts a week are planned, more than the plan of {t:g}.")
        else:
            text = tr("About {n:.1f} posts a week are planned, fewer than the plan of {t:g}.")
        return text.format(n=per_week, t=target)
    return tr("Worth a look: {code}").format(code=advice.code)


def manual_reason_text(platforms: Sequence[str], reasons: Mapping[str, str]) -> str:
    """Why those of ``platforms`` that ``reasons`` names (``core.connectors.manual_reasons()``:
    platform id → code) are published by hand, one sentence per reason; "" when none is."""
    by_code: dict[str, list[str]] = {}
    for platform in platforms:
        if platform in reasons:
            by_code.setdefault(reasons[platform], []).append(platform_name(platform))
    sentences = []
    for code, names in by_code.items():
        where = (
            names[0]
            if len(names) == 1
            else tr("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])
        )
        if code == "public_url_needed":
            text = (
                tr("Published by hand: {where} only takes photos from a public web address.")
                if len(names) == 1
                else tr("Published by hand: {where} only take photos from a public web address.")
            )
        else:
            text = tr("Published by hand: {where} cannot be posted to from the app.")
        sentences.append(text.format(where=where))
    return " ".join(sentences)
