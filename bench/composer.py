"""Composer benchmark: ``measure`` for all eight platforms plus ``core.phi.scan_text`` on a
2,000-character post with 500 known names, per keystroke (target <= 5 ms), and each part alone;
the same with 100,000 known names (50,000 patients' name forms).

Each timed call scans a text that differs from the one before, as typing makes it, so the
whole-text cache in ``core.phi`` never helps; what does help is what stays the same between
keystrokes (the 500-name index, the phone numbers already parsed). The ``_cold`` line clears
those per-text caches before every call (a post pasted in at once), and
``known_names_index_500`` is the one-off cost of indexing a new set of names. The post mixes
education, practice news, a patient story with names, dates and treatments, a phone number,
an e-mail address, links, emoji and hashtags.

Prints JSON lines: {"name", "value", "unit", "baseline", "ratio"}; ``value`` is the median in
milliseconds. Target: ``per_keystroke_measure_and_scan`` <= 5 ms.

    uv run python bench/composer.py [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.phi import scan_text  # noqa: E402  (after the path set-up)
from core.phi.names import known_names  # noqa: E402
from core.phi.numbers import _phones_in  # noqa: E402
from core.phi.scan import _scan, default_rules  # noqa: E402
from core.platforms import PLATFORM_IDS, measure  # noqa: E402

PARAGRAPH = (
    "Flu shots are here! Walk in Monday to Friday, 8am-5pm, or book online at "
    "https://example-dental.com/appointments?ref=social \U0001f637\U0001f489 "
    "Questions? Call (415) 555-2671. Root canals are nothing to fear, and flossing prevents "
    "gum disease. Huge congrats to Olivia Park, who finished her Invisalign treatment on "
    "March 3! Mrs. Alvarez, 78, came in yesterday for her crown. Email maria.lopez@example.com "
    "#FluSeason #HealthyHabits #Smile. "
)
LENGTH = 2000
T = TypeVar("T")
FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
]
LAST = [
    "Adams",
    "Brooks",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "García",
    "Hughes",
    "Ito",
    "Jones",
    "Kowalski",
    "Lopez",
    "Müller",
]


def names(count: int) -> list[str]:
    """``count`` invented patient names, some with middle initials or accents."""
    return [
        f"{FIRST[i % len(FIRST)]} {chr(65 + i % 26)}. {LAST[i // len(FIRST) % len(LAST)]}{i}"
        for i in range(count)
    ]


def posts(count: int) -> list[str]:
    """``count`` different 2,000-character posts, each a keystroke or two from the one before."""
    base = (PARAGRAPH * (LENGTH // len(PARAGRAPH) + 1))[: LENGTH - 6]
    return [f"{base}{n:06d}" for n in range(count)]


def median_ms(items: list[T], work: Callable[[T], object], before: Callable[[], object]) -> float:
    """The median time of ``work(item)`` over ``items``, in ms; ``before`` runs untimed first."""
    times = []
    for item in items:
        before()
        start = time.perf_counter()
        work(item)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 3)


def line(name: str, value: float) -> str:
    return json.dumps({"name": name, "value": value, "unit": "ms", "baseline": None, "ratio": None})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    known = names(500)
    texts = posts(runs * 3 + 20)
    for text in texts[:20]:  # warm-up: imports, word lists, pattern compilation, the index
        scan_text(text, known)
        for platform in PLATFORM_IDS:
            measure(text, platform)

    def scan(text: str) -> None:
        scan_text(text, known)

    def keystroke(text: str) -> None:
        for platform in PLATFORM_IDS:
            measure(text, platform)
        scan_text(text, known)

    def cold() -> None:
        _scan.cache_clear()
        _phones_in.cache_clear()

    typing, both, pasted = texts[20 : 20 + runs], texts[20 + runs : 20 + 2 * runs], texts[-runs:]
    print(line("scan_text_2000_chars_500_names", median_ms(typing, scan, lambda: None)))
    print(line("per_keystroke_measure_and_scan", median_ms(both, keystroke, lambda: None)))
    print(line("scan_text_2000_chars_500_names_cold", median_ms(pasted, scan, cold)))
    # A practice of 50,000 patients: about 100,000 name forms (first + last, preferred + last),
    # the same tuple keystroke after keystroke, as ConsentService.known_names gives it.
    many = tuple(f"{first} {last}{n}" for n in range(520) for first in FIRST for last in LAST)
    many = many[:100_000]
    scan_text(texts[0], many)  # the one-off index of these names (printed below)

    def keystroke_many(text: str) -> None:
        for platform in PLATFORM_IDS:
            measure(text, platform)
        scan_text(text, many)

    print(
        line(
            "per_keystroke_measure_and_scan_100000_names",
            median_ms(both, keystroke_many, lambda: None),
        )
    )
    start = time.perf_counter()
    known_names(frozenset(f"{name}!" for name in many), default_rules().names.stopwords)
    print(line("known_names_index_100000", round((time.perf_counter() - start) * 1000, 3)))
    stopwords = default_rules().names.stopwords
    name_sets = [frozenset(f"{name} {n}" for name in known) for n in range(max(5, runs // 20))]
    print(
        line(
            "known_names_index_500",
            median_ms(name_sets, lambda names: known_names(names, stopwords), lambda: None),
        )
    )


if __name__ == "__main__":
    main()
