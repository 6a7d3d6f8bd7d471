"""How the post composer's known errors (``core.composer.errors``) read to a person: what
happened and what to do next. Merged into ``gui.errors.message_for``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from core.errors import KnownError

Wording = Callable[[KnownError], tuple[str, str]]
_STATES = {
    "draft": "a draft",
    "in_review": "waiting for approval",
    "approved": "approved",
    "scheduled": "scheduled",
    "publishing": "being published",
    "published": "published",
    "failed": "failed to publish",
    "withdrawn": "withdrawn",
}


def t(text: str) -> str:
    return QCoreApplication.translate("PostErrors", text)


def state_text(state: object) -> str:
    """A post state as a person says it."""
    text = _STATES.get(str(getattr(state, "value", state)))
    return t(text) if text else str(state)


def _count(params: Mapping[str, Any]) -> int:
    count = params.get("count", 0)
    return count if isinstance(count, int) else 0


def _plain(title: str, text: str) -> Wording:
    return lambda error: (title, text)


def post_wording() -> dict[str, Wording]:
    """Wording per composer error code."""
    return {
        "post_transition_not_allowed": lambda e: (
            t("That step is not possible now"),
            t("The post is {state}, so it cannot be {target} from here.").format(
                state=state_text(e.params.get("from_state")),
                target=state_text(e.params.get("to_state")),
            ),
        ),
        "post_open_findings": lambda e: (
            t("Patient information may be in this post"),
            t(
                "{n} highlighted passage(s) still need attention. Remove them, or explain in "
                "writing why each one is not patient information."
            ).format(n=_count(e.params)),
        ),
        "post_uncleared_media": lambda e: (
            t("A photo is not cleared yet"),
            t(
                "{n} attached photo(s) still need their background checklist or the patient's "
                "consent. Finish those on the Images page, or remove the photo."
            ).format(n=_count(e.params)),
        ),
        "post_not_ready": _plain(
            t("The post is not ready for every platform"),
            t("Fix what is marked on each platform's tab (too long, missing image…)."),
        ),
        "post_locked": lambda e: (
            t("This post can no longer be changed"),
            t("It is {state}. Withdraw it first, or start a new post from a copy.").format(
                state=state_text(e.params.get("state"))
            ),
        ),
        "post_staff_inactive": _plain(
            t("This staff member is deactivated"),
            t("Ask an admin to reactivate the account, or sign in as someone else."),
        ),
        "post_staff_required": _plain(
            t("Someone must be signed in"),
            t("Sign in, then try again."),
        ),
        "post_approver_role_required": _plain(
            t("Only an approver can approve posts"),
            t("Ask the office manager or the doctor to approve it."),
        ),
        "post_self_approval": _plain(
            t("A second person must approve this post"),
            t(
                "You wrote or last changed it. Two people check every post before it goes out: "
                "ask a colleague with approval rights."
            ),
        ),
        "post_reason_required": _plain(
            t("Please add a short reason"),
            t("Say in a few words why, so the team knows what to change or why it was pulled."),
        ),
        "post_schedule_required": _plain(
            t("Choose when to publish"),
            t("Pick a date and time for the post."),
        ),
        "post_schedule_in_past": _plain(
            t("That time has already passed"),
            t("Pick a publishing time in the future."),
        ),
        "post_unknown_platform": lambda e: (
            t("Unknown platform"),
            t("“{p}” is not a platform the app can post to.").format(p=e.params.get("platform")),
        ),
        "post_platform_not_targeted": lambda e: (
            t("That platform is not selected"),
            t("Add “{p}” to the post's platforms first.").format(p=e.params.get("platform")),
        ),
        "post_comment_empty": _plain(
            t("The comment is empty"),
            t("Write something before posting the comment."),
        ),
        "post_text_too_long": lambda e: (
            t("That is too long"),
            t("Keep it under {n} characters.").format(n=e.params.get("limit", "?")),
        ),
        "template_values_missing": lambda e: (
            t("The template needs more details"),
            t("Fill in: {fields}.").format(
                fields=", ".join(str(m) for m in e.params.get("missing", ()))
            ),
        ),
        "template_value_invalid": lambda e: (
            t("A template detail cannot be used"),
            t("Check “{field}”.").format(field=e.params.get("field", "?")),
        ),
    }
