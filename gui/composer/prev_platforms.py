"""How each platform shows a post, from ``resources/previews.json``, and the text work the
previews need: where links, hashtags and mentions are, and where a platform cuts a long text.

The numbers are editable data, like ``resources/platforms.json``. ``PreviewLook`` documents
each field. ``see_more_after`` is roughly how many characters a platform's feed shows before
it cuts the text with its marker (measured on each platform's desktop web feed, 2025):

=========  ==================  ======================
platform   see_more_after      what the feed shows
=========  ==================  ======================
facebook   477                 "… See more"
instagram  125                 "… more" (under the photo)
linkedin   210                 "…see more"
gbp        250                 "… More"
x          none                over 280 is refused: the overflow is shown in red
others     none                shown whole up to their limit; overflow in red
=========  ==================  ======================

Pure Python (no widgets), so the rules are easy to test; ``gui.composer.preview`` draws them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.platforms.links import find_links
from core.platforms.scan import grapheme_start

PREVIEWS_PATH = Path(__file__).resolve().parents[2] / "resources" / "previews.json"

MARKERS = ("see_more", "more", "see_more_lower")
ACTIONS = ("like", "comment", "share", "reply", "repost", "boost", "favourite", "send")
ACTIONS_ALL = (*ACTIONS, "learn_more")

_HASHTAG = re.compile(r"(?<![\w&#＃])[#＃](?![\uFE0F\u20E3])\w*[^\W\d]\w*")
_MENTION = re.compile(r"(?<![\w@/=.])@\w+(?:\.\w+)*(?:@\w+(?:[.-]\w+)+)?")
_WORD_BREAK_WINDOW = 20
"""A cut backs off to the last space within this many characters, as the feeds do."""


@dataclass(frozen=True, slots=True)
class PreviewLook:
    """One platform's feed card.

    ``see_more_after``: characters shown before the ``marker`` (``None``: shown whole).
    ``max_images``: tiles in the grid (more show as ``+N`` on the last; with 1, a ``1/N``
    counter as in a carousel). ``image_first``: the photo sits above the text (Instagram,
    Google). ``name_in_caption``: the account name starts the caption, in bold (Instagram).
    ``handle``: an ``@handle`` follows the account name. ``actions``: the buttons
    under the post. ``link_light`` / ``link_dark``: the colour of links, hashtags and mentions.
    ``live_domains``: hosts a live post's link is on (subdomains too); empty: any host.
    """

    platform: str
    see_more_after: int | None
    marker: str
    max_images: int
    image_first: bool
    name_in_caption: bool
    handle: bool
    actions: tuple[str, ...]
    link_light: str
    link_dark: str
    live_domains: tuple[str, ...]

    def link_colour(self, dark: bool) -> str:
        return self.link_dark if dark else self.link_light


@cache
def looks(path: Path = PREVIEWS_PATH) -> Mapping[str, PreviewLook]:
    """Every platform's look, read once."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {pid: _look(pid, entry) for pid, entry in document["platforms"].items()}


def look(platform: str) -> PreviewLook:
    """The look of ``platform``; ``KeyError`` for an unknown id."""
    return looks()[platform]


def _look(platform: str, entry: Mapping[str, Any]) -> PreviewLook:
    after = entry.get("see_more_after")
    marker = str(entry.get("marker", "more"))
    actions = tuple(str(a) for a in entry.get("actions", ()))
    if after is not None and (not isinstance(after, int) or after < 1):
        raise ValueError(f"{platform}: see_more_after must be a positive whole number or null")
    if marker not in MARKERS or any(a not in ACTIONS_ALL for a in actions):
        raise ValueError(f"{platform}: unknown marker or action")
    return PreviewLook(
        platform=platform,
        see_more_after=after,
        marker=marker,
        max_images=max(1, int(entry.get("max_images", 4))),
        image_first=bool(entry.get("image_first", False)),
        name_in_caption=bool(entry.get("name_in_caption", False)),
        handle=bool(entry.get("handle", False)),
        actions=actions,
        link_light=str(entry["link_light"]),
        link_dark=str(entry["link_dark"]),
        live_domains=tuple(str(d).lower() for d in entry.get("live_domains", ())),
    )


def entities(text: str, platform: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of links, hashtags and mentions in ``text``, in order and
    never overlapping (a link wins over a ``#fragment`` inside it)."""
    links = list(find_links(text, need_protocol=platform == "mastodon"))
    spans = list(links)
    for pattern in (_HASHTAG, _MENTION):
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(a < end and start < b for a, b in spans):
                spans.append((start, end))
    return sorted(spans)


def see_more_cut(text: str, limit: int | None) -> int | None:
    """Where a feed cuts ``text`` that is longer than ``limit`` characters (at the last space
    shortly before the limit, never inside an emoji), or ``None`` when it shows it whole."""
    if limit is None or len(text) <= limit:
        return None
    cut = grapheme_start(text, limit)
    space = max(text.rfind(" ", 0, cut + 1), text.rfind("\n", 0, cut + 1))
    if space > 0 and cut - space <= _WORD_BREAK_WINDOW:
        cut = space
    while cut > 0 and text[cut - 1].isspace():
        cut -= 1
    return cut


def initials(name: str) -> str:
    """Up to two initials for an account's avatar: "Maple Grove Family Dental" → "MG"."""
    skip = {"the", "and", "of", "&", "dr", "dr."}
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in skip]
    letters = [next((c for c in w if c.isalnum()), "") for w in words]
    return "".join(c for c in letters if c)[:2].upper() or "?"


def handle(name: str) -> str:
    """An ``@handle`` for the preview, from the account name: letters and digits only."""
    compact = "".join(c for c in name.lower() if c.isalnum())
    return "@" + (compact[:30] or "practice")


def on_live_domain(url: str, platform: str) -> bool:
    """Whether ``url``'s host is one of ``platform``'s ``live_domains`` (or a subdomain of
    one); always true for a platform that lists none (any Mastodon server)."""
    domains = look(platform).live_domains
    if not domains:
        return True
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return any(host == d or host.endswith("." + d) for d in domains)
