"""The review-response inbox: reviews and mentions collected from many sources, triaged,
answered without disclosing PHI, on time. Import the modules directly
(``core.reviews.model``, ``core.reviews.service``…).

``from core.reviews import check_reply`` works too (the public API of ARCHITECTURE.md): it is
loaded on first use (PEP 562), so importing this package does not load the PHI scanner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.reviews.reply_check import check_reply as check_reply

__all__ = ["check_reply"]


def __getattr__(name: str) -> Any:
    if name == "check_reply":
        from core.reviews.reply_check import check_reply

        return check_reply
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
