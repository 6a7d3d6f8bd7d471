"""How Today words the review inbox's items (``core.reviews.today``): reviews past their
promised reply time, reviews due within the next business day, replies waiting for an
approver, and reviews escalated to the doctor. Registered when ``gui.today.wording`` is
imported.

Each item is a count for the whole inbox, never one item per review, and its params hold
counts and ISO moments only: no review text and no reviewer's name.
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


register_wording("review_overdue", _overdue)
register_wording("review_due_soon", _due_soon)
register_wording("review_reply_approval", _reply_approval)
register_wording("review_escalated_doctor", _escalated_doctor)
