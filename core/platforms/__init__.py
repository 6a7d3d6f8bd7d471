"""How long a post is on each platform, and whether the platform will take it.

``measure(text, platform)`` is the public entry point (ARCHITECTURE.md, "Public core API"); the
numbers come from ``resources/platforms.json`` through ``PlatformRules``. Pure and Qt-free: the
composer calls it on every key press for every target platform, so it does no file I/O per call
and caches its scans of the last few texts.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.platforms.measure import measure
    from core.platforms.model import (
        Counting,
        Measurement,
        PlatformRule,
        TwitterWeights,
        WeightRange,
    )
    from core.platforms.rules import (
        PLATFORM_IDS,
        PlatformRules,
        default_rules,
        load_rules,
        rules_from,
    )

_HOMES = {
    "measure": "core.platforms.measure",
    **dict.fromkeys(
        ("Counting", "Measurement", "PlatformRule", "TwitterWeights", "WeightRange"),
        "core.platforms.model",
    ),
    **dict.fromkeys(
        ("PLATFORM_IDS", "PlatformRules", "default_rules", "load_rules", "rules_from"),
        "core.platforms.rules",
    ),
}


def __getattr__(name: str) -> Any:
    """Load each name from its module on first use (PEP 562): storage needs only
    ``PLATFORM_IDS`` at start-up, and ``measure`` pulls in regex and phonenumbers."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'core.platforms' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "PLATFORM_IDS",
    "Counting",
    "Measurement",
    "PlatformRule",
    "PlatformRules",
    "TwitterWeights",
    "WeightRange",
    "default_rules",
    "load_rules",
    "measure",
    "rules_from",
]
