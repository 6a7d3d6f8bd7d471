"""How long a post is on each platform, and whether the platform will take it.

``measure(text, platform)`` is the public entry point (ARCHITECTURE.md, "Public core API"); the
numbers come from ``resources/platforms.json`` through ``PlatformRules``. Pure and Qt-free: the
composer calls it on every key press for every target platform, so it does no file I/O per call
and caches its scans of the last few texts.
"""

from core.platforms.measure import measure
from core.platforms.model import Counting, Measurement, PlatformRule, TwitterWeights, WeightRange
from core.platforms.rules import (
    PLATFORM_IDS,
    PlatformRules,
    default_rules,
    load_rules,
    rules_from,
)

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
