"""A fixed Atom document and fetchers standing in for the network in the feed tests."""

from __future__ import annotations

from collections.abc import Callable

from gui.feeds import FeedFetchError

FEED_URL = "https://www.google.com/alerts/feeds/0123/4567"
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:google.com,2005:reader/user/0123/state/com.google/alerts/4567</id>
  <title>Google Alert - Maple Grove Family Dental</title>
  <updated>2026-11-01T12:00:00Z</updated>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:111</id>
    <title type="html">&lt;b&gt;Maple Grove&lt;/b&gt; dentist sponsors the 5K</title>
    <link href="https://news.example.com/maple-grove-5k"/>
    <published>2026-10-31T15:00:00Z</published>
    <content type="html">The practice sponsored the town's charity run.</content>
  </entry>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:222</id>
    <title type="html">Forum: anyone tried Maple Grove Family Dental?</title>
    <link href="https://forum.example.com/t/42"/>
    <published>2026-11-01T09:30:00Z</published>
    <content type="html">Looking for a new dentist in town.</content>
  </entry>
</feed>
"""


def fixed_fetch(calls: list[str]) -> Callable[[str], bytes]:
    """Returns ``ATOM`` for every address, recording the addresses asked for."""

    def fetch(url: str) -> bytes:
        calls.append(url)
        return ATOM

    return fetch


def failing_fetch(calls: list[str], status: int = 500) -> Callable[[str], bytes]:
    """Fails like a server error (or 429) would, recording the addresses asked for."""

    def fetch(url: str) -> bytes:
        calls.append(url)
        raise FeedFetchError("server", f"HTTP {status}", status=status)

    return fetch
