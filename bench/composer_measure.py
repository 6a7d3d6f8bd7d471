"""Composer benchmark, counters part: ``measure`` for all eight platforms on a 2,000-character post.

That is the work the composer does on every key press (``core.phi.scan_text`` joins this
benchmark when it lands). Each timed call measures a text that differs from the one before, as
typing makes it, so the per-text caches in ``core.platforms`` never help. The post mixes prose,
links, emoji, a ZWJ sequence, hashtags, a remote mention and a phone number.

Prints JSON lines: {"name", "value", "unit", "baseline", "ratio"}; ``value`` is the median in
milliseconds. Target: <= 5 ms.

    uv run python bench/composer_measure.py [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.platforms import PLATFORM_IDS, measure  # noqa: E402  (after the path set-up)

PARAGRAPH = (
    "Flu shots are here! Walk in Monday to Friday, 8am-5pm, or book online at "
    "https://example-dental.com/appointments?ref=social \U0001f637\U0001f489 "
    "Questions? Call (415) 555-2671. Thanks to @ana@dental.social for the tip "
    "\U0001f9d1\u200d\u2695\ufe0f #FluSeason #HealthyHabits #Smile. Café hours change in "
    "winter; see smilesdental.com for details. "
)
LENGTH = 2000


def posts(count: int) -> list[str]:
    """``count`` different 2,000-character posts, each a keystroke or two from the one before."""
    base = (PARAGRAPH * (LENGTH // len(PARAGRAPH) + 1))[: LENGTH - 6]
    return [f"{base}{n:06d}" for n in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    texts = posts(runs + 20)
    for text in texts[:20]:  # warm-up: imports, regex compilation, the rules file
        for platform in PLATFORM_IDS:
            measure(text, platform)
    times = []
    for text in texts[20:]:
        start = time.perf_counter()
        for platform in PLATFORM_IDS:
            measure(text, platform)
        times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "name": "measure_all_platforms_2000_chars",
                "value": round(statistics.median(times) * 1000, 3),
                "unit": "ms",
                "baseline": None,
                "ratio": None,
            }
        )
    )


if __name__ == "__main__":
    main()
