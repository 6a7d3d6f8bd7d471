"""Recognising a post among the account's recent posts, for ``find``.

X, Facebook and LinkedIn take no idempotency key, so after an outcome nobody could tell (a
timeout, a dropped connection) the connector lists the account's posts created since the
attempt began and compares texts. Platforms give the text back changed: X replaces every link
with a ``t.co`` link and appends one for attached media, escapes ``& < >`` as HTML entities;
LinkedIn stores its escaped "little" text; all of them may trim or re-normalise spaces. So the
comparison is on ``comparable`` forms: Unicode NFC, every link reduced to one marker, spaces
collapsed. Connectors undo their platform's own changes before calling it.

The look-up window starts at the request's ``not_before`` (the moment the outbox recorded the
intent, before any attempt) less ``CLOCK_SKEW``; without it, ``LOOKBACK`` before now. A post
with the same text created inside the window is taken as ours: a platform that refuses
duplicate texts (X, LinkedIn) would have refused a second one anyway, and the opposite mistake
— posting twice — is the one the outbox must never make.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from core.platforms.links import find_links
from core.publishing.connectors import PublishRequest

LINK = "\u2060link\u2060"
"""What every link becomes in a comparable text (word joiners keep it from matching text)."""
LOOKBACK = timedelta(days=3)
"""How far back ``find`` looks when the request does not say when the attempt began."""
CLOCK_SKEW = timedelta(minutes=10)
"""This computer's clock may run ahead of the platform's: look this much earlier."""

_SPACE = re.compile(r"\s+")


def comparable(text: str) -> str:
    """``text`` as compared: NFC, links replaced by ``LINK``, whitespace runs as one space,
    trimmed."""
    text = unicodedata.normalize("NFC", text)
    parts: list[str] = []
    last = 0
    for start, end in find_links(text):
        parts += [text[last:start], f" {LINK} "]
        last = end
    parts.append(text[last:])
    return _SPACE.sub(" ", "".join(parts)).strip()


def same_text(sent: str, remote: str, *, drop_trailing_link: bool = False) -> bool:
    """Whether ``remote`` (as the platform gives it back) is the text ``sent``.
    ``drop_trailing_link``: the platform appended one link of its own (X's media link)."""
    theirs = comparable(remote)
    if drop_trailing_link and theirs.endswith(LINK):
        theirs = theirs[: -len(LINK)].rstrip()
    return comparable(sent) == theirs


def lookup_since(request: PublishRequest, now: datetime) -> datetime:
    """Where ``find`` starts looking (see the module docstring)."""
    if request.not_before is None:
        return now - LOOKBACK
    return request.not_before - CLOCK_SKEW
