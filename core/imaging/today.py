"""Today's items about photos: photos whose checklist needs attention, and photos imported
more than a day ago that nobody has checked. Params hold counts only (never a file name).

Kinds:
    images_need_attention  photos the scan found something in, or whose sign-off a change
                           undid: one item with the count, pointing at the Images page's
                           "needs attention" list
    images_unchecked       photos imported over ``UNCHECKED_AFTER`` ago still unchecked
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.imaging.model import ImageStatus
from core.imaging.ports import ImageQuery
from core.today.model import AttentionItem, Severity

if TYPE_CHECKING:
    from core.imaging.service import ImagingService

PAGE = "images"
UNCHECKED_AFTER = timedelta(days=1)
"""How long a photo may wait unchecked before Today mentions it."""


class ImageAttention:
    """The image checklist's Today source (the service loads on the first call, off the GUI
    thread)."""

    def __init__(self, images: Callable[[], ImagingService]) -> None:
        self._images = images

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        images = self._images()
        items: list[AttentionItem] = []
        waiting = images.count_images(ImageQuery(statuses=(ImageStatus.NEEDS_ATTENTION,)))
        if waiting:
            items.append(
                AttentionItem(
                    key="images.needs_attention",
                    kind="images_need_attention",
                    severity=Severity.INFO,
                    page=PAGE,
                    target=ImageStatus.NEEDS_ATTENTION.value,
                    params={"count": waiting},
                )
            )
        old = images.count_images(
            ImageQuery(statuses=(ImageStatus.UNCHECKED,), imported_before=now - UNCHECKED_AFTER)
        )
        if old:
            items.append(
                AttentionItem(
                    key="images.unchecked",
                    kind="images_unchecked",
                    severity=Severity.INFO,
                    page=PAGE,
                    target=ImageStatus.UNCHECKED.value,
                    params={"count": old},
                )
            )
        return items
