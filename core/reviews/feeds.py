"""Mentions from RSS/Atom feeds (e.g. Google Alerts): feed bytes → new ``Review`` items of
kind ``mention``.

``feedparser`` reads bytes the caller fetched (it never fetches anything itself here). Each
entry becomes one mention: its title and summary as plain text (markup removed, entities
decoded: the text is shown as plain text anyway), its link, its author, its date (the time of
polling when it has none). The entry's id — or its link when it has none — is the mention's
external id, so polling the same feed again (or another feed with the same article) adds
nothing twice.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from core.reviews.model import ItemKind, Review, Source

MAX_TEXT = 5000
MAX_FIELD = 500


class FeedError(Exception):
    """A feed that could not be read; ``code`` is stored as the feed's ``last_error``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p", "div", "li"}:
            self.parts.append(" ")


def plain_text(markup: str) -> str:
    """``markup`` without tags, entities decoded, whitespace collapsed."""
    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    except Exception:
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return " ".join(text.split())


def _when(entry: Any, now: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                y, mo, d, h, mi, sec = (int(x) for x in parsed[:6])
                moment = datetime(y, mo, d, h, mi, min(sec, 59), tzinfo=UTC)
            except (TypeError, ValueError):
                continue
            return min(moment, now)
    return now


def parse_feed(data: bytes, *, now: datetime) -> list[Review]:
    """The feed's entries as new mentions (``id`` ``None``, status new; the service fills in
    sentiment, themes and due times). ``FeedError("parse_failed")`` when ``data`` is no feed."""
    import feedparser

    from core.reviews.importing import content_hash

    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    entries = list(parsed.get("entries") or [])
    if not entries and (parsed.get("bozo") or not parsed.get("feed")):
        raise FeedError("parse_failed")
    found: list[Review] = []
    for entry in entries:
        link = str(entry.get("link") or "").strip()[:2000]
        key = str(entry.get("id") or link).strip()[:MAX_FIELD]
        title = plain_text(str(entry.get("title") or ""))
        summary = plain_text(str(entry.get("summary") or ""))
        text = " — ".join(t for t in (title, summary) if t)[:MAX_TEXT]
        if not key or not text:
            continue
        author = plain_text(str(entry.get("author") or ""))[:200]
        posted = _when(entry, now)
        found.append(
            Review(
                id=None,
                kind=ItemKind.MENTION,
                source=Source.OTHER,
                external_id=key,
                author=author,
                rating=None,
                posted_at=posted,
                text=text,
                url=link if link.lower().startswith(("https://", "http://")) else "",
                content_hash=content_hash(Source.OTHER, author, posted, text),
                collected_at=now,
            )
        )
    return found
