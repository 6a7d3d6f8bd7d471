"""How Today words the consent tracker's items (``core.consent.today``): a patient's consent
that expires soon, and a published post that has to come down because its photo's consent was
withdrawn or expired. Registered when ``gui.today.wording`` is imported.

The params carry ids, dates and the platform only, never a patient's name: Today is read at a
shared front desk.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QDate

from gui.today.posts_wording import platform_names
from gui.today.wording import Wording, WordingContext, app_locale, register_wording, tr


def day_text(day: date, ctx: WordingContext) -> str:
    """A day in the user's locale, e.g. "Tue, Dec 1"; with the year when it is not this
    year's ("Tue, Jan 5, 2027")."""
    this_year = ctx.now.astimezone(ctx.tz).year
    pattern = "ddd, MMM d" if day.year == this_year else "ddd, MMM d, yyyy"
    return app_locale().toString(QDate(day.year, day.month, day.day), pattern)


def _expiring(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    # The item's due badge already says how soon; the detail names the day, the last one on
    # which the consent is valid.
    expires_on = date.fromisoformat(str(params["expires_on"]))
    return Wording(
        tr("A photo consent expires soon"),
        tr(
            "A patient's consent runs out on {day}. Ask them to sign a new one, or their photos "
            "can no longer be used after that day."
        ).format(day=day_text(expires_on, ctx)),
        tr("Ask to re-consent"),
    )


def _expiring_many(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    first = date.fromisoformat(str(params["first_expires_on"]))
    return Wording(
        tr("{n} photo consents expire soon").format(n=params.get("count", "?")),
        tr(
            "The first runs out on {day}. Ask those patients to sign a new one when they next "
            "come in; their photos cannot be used after that."
        ).format(day=day_text(first, ctx)),
        tr("See who"),
    )


def _takedown(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    where = platform_names([str(params["platform"])])
    if params.get("reason") == "expired":
        detail = tr(
            "The consent for a photo in a post on {platform} has expired. Remove the post, then "
            "confirm it here."
        )
    else:
        detail = tr(
            "A patient withdrew consent for a photo in a post on {platform}. Remove the post, "
            "then confirm it here."
        )
    return Wording(
        tr("Take a post down"), detail.format(platform=where), tr("Open the takedown list")
    )


register_wording("consent_expiring", _expiring)
register_wording("consent_expiring_many", _expiring_many)
register_wording("consent_takedown", _takedown)
