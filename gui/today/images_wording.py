"""How Today words the image checklist's items (``core.imaging.today``): photos whose checklist
needs attention, and photos imported a while ago that nobody has checked. Registered when
``gui.today.wording`` is imported.

The params carry counts only, never a file name: Today is read at a shared front desk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gui.today.wording import Wording, WordingContext, register_wording, tr


def _count(params: Mapping[str, Any]) -> int:
    count = int(params["count"])
    if count < 1:
        raise ValueError("an item about no photos")
    return count


def _need_attention(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    count = _count(params)
    if count == 1:
        return Wording(
            tr("A photo needs checking"),
            tr(
                "The scan found faces, text or location data in it, or a change undid its "
                "sign-off. Go through its checklist before it is used in a post."
            ),
            tr("Check the photo"),
        )
    return Wording(
        tr("{n} photos need checking").format(n=count),
        tr(
            "The scan found faces, text or location data in them, or a change undid their "
            "sign-off. Go through each checklist before they are used in posts."
        ),
        tr("Check the photos"),
    )


def _unchecked(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    count = _count(params)
    if count == 1:
        return Wording(
            tr("A photo has waited over a day unchecked"),
            tr("Nobody has looked at it since it was imported. It cannot be posted until then."),
            tr("Open unchecked photos"),
        )
    return Wording(
        tr("{n} photos have waited over a day unchecked").format(n=count),
        tr("Nobody has looked at them since they were imported. They cannot be posted until then."),
        tr("Open unchecked photos"),
    )


register_wording("images_need_attention", _need_attention)
register_wording("images_unchecked", _unchecked)
