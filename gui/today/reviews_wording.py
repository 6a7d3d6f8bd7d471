"""How Today words the review inbox's items (``core.reviews.today``): reviews past their
promised reply time, reviews due within the next business day, replies waiting for an
approver, reviews escalated to the doctor, and a connected Google location whose reviews
cannot be collected. Registered when ``gui.today.wording`` is imported.

Each review item is a count for the whole inbox, never one item per review, and its params
hold counts and ISO moments only: no review text and no reviewer's name. A location's item
holds its account id, the practice's label for it, the error code and when it began.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def _count(params: Mapping[str, Any]) -> int:
    count = int(params["count"])
    if count < 1:
        raise ValueError("an item counts at least one review")
    return count


def _title(count: int, one: str, many: str) -> str:
    """``one`` for a single item, else ``many`` with the count ("{n} reviews …")."""
    return one if count == 1 else many.format(n=f"{count:,}")


def _moment(params: Mapping[str, Any], key: str) -> datetime | None:
    text = str(params.get(key) or "")
    return datetime.fromisoformat(text) if text else None


def _overdue(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    count = _count(params)
    title = _title(
        count, tr("A review is past its reply time"), tr("{n} reviews are past their reply time")
    )
    oldest = _moment(params, "oldest_due")
    if oldest is None:
        when = ""
    elif count == 1:
        when = tr("It was due {ago}.").format(ago=relative_past(oldest, ctx.now)) + " "
    else:
        when = tr("The oldest was due {ago}.").format(ago=relative_past(oldest, ctx.now)) + " "
    detail = when + (
        tr("Answer it, or decide not to and write down why.")
        if count == 1
        else tr("Answer them, or decide not to and write down why.")
    )
    return Wording(title, detail, tr("Show overdue reviews"))


def _due_soon(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    count = _count(params)
    title = _title(
        count, tr("A review is due for a reply soon"), tr("{n} reviews are due for a reply soon")
    )
    first = _moment(params, "first_due")
    lead = tr("It is due by {when}.") if count == 1 else tr("The first is due by {when}.")
    detail = (lead.format(when=local_text(first, ctx.tz)) + " " if first else "") + tr(
        "Reply before then to keep the time frame the practice promises."
    )
    return Wording(title, detail, tr("Open the inbox"))


def _reply_approval(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    count = _count(params)
    title = _title(
        count, tr("A reply waits for your approval"), tr("{n} replies wait for your approval")
    )
    detail = tr(
        "Replies to negative reviews need an approver before anyone posts them. Read each "
        "one and approve it when it is safe to post."
    )
    return Wording(title, detail, tr("Review the replies"))


def _escalated_doctor(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    count = _count(params)
    title = _title(
        count, tr("A review waits for the doctor"), tr("{n} reviews wait for the doctor")
    )
    detail = tr(
        "They were escalated to the doctor. The doctor's list shows them oldest first, on one "
        "page to print."
    )
    return Wording(title, detail, tr("Open the doctor's list"))


SOURCE_NAMES = {"google": "Google"}


def _source_failed(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    """A connected location whose reviews do not come in: why, and what fixes it."""
    site = SOURCE_NAMES.get(str(params.get("source") or ""), tr("The site"))
    label = str(params.get("label") or "").strip()
    place = (
        tr("{site} location “{label}”").format(site=site, label=label)
        if label
        else tr("{site} location").format(site=site)
    )
    code = str(params["code"])
    since = _moment(params, "since")
    ago = (
        " " + tr("This began {ago}.").format(ago=relative_past(since, ctx.now))
        if since is not None
        else ""
    )
    title = tr("Reviews of the {place} are not coming in").format(place=place)
    if code in {"token_revoked", "http_401"}:
        detail = tr(
            "{site} no longer accepts the app's sign-in for this location, so new reviews "
            "and replies there stay out of the inbox. Reconnect it in Settings → Accounts."
        ).format(site=site)
        return Wording(title, detail + ago, tr("Reconnect"))
    if code == "http_403":
        detail = tr(
            "{site} says the connected account may no longer manage this location. Ask the "
            "location's owner on {site} to give it access again, or reconnect with an account "
            "that manages it."
        ).format(site=site)
    elif code == "http_404":
        detail = tr(
            "{site} cannot find this location any more: it may have been removed, merged or "
            "moved to another account. Check it on {site}, then reconnect or remove it in "
            "Settings → Accounts."
        ).format(site=site)
    else:
        detail = tr(
            "{site} has not answered the app's requests for a day. The app keeps asking; "
            "nothing is lost, the missing reviews come in once {site} answers again."
        ).format(site=site)
    return Wording(title, detail + ago, tr("See review sources"))


register_wording("review_overdue", _overdue)
register_wording("review_due_soon", _due_soon)
register_wording("review_reply_approval", _reply_approval)
register_wording("review_escalated_doctor", _escalated_doctor)
register_wording("review_source_failed", _source_failed)
