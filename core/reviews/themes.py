"""Themes of a review (wait time, billing, staff attitude…) from editable keyword rules.

The rules live in ``resources/review_themes.json``: each theme has an ``id``, a ``label`` and
``keywords``, plus optional ``exclude`` phrases that cancel a keyword inside them ("not great"
is not praise). Keywords follow the PHI word-list conventions (``core.phi.lexicon``): matched
whole-word whatever the case, ``{a,b}`` expands to both forms, a hyphen also matches a space
or nothing, and a plural "s"/"es" is allowed. ``load_theme_rules`` validates the file like the
composer's templates: a ``ValidationError`` names the broken field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from core.errors import ValidationError
from core.phi.lexicon import phrase_pattern
from core.phi.text import lowered

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "review_themes.json"
THEME_IDS = (
    "wait_time",
    "billing",
    "staff_attitude",
    "clinical_outcome",
    "cleanliness",
    "scheduling",
    "praise",
)
"""The themes of issue 6; a rules file may add more, with ids of the same shape."""
MAX_TEXT = 20_000
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True, slots=True, eq=False)
class Theme:
    """One theme: ``id`` (stored with each review), ``label`` (shown), and its patterns."""

    id: str
    label: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...]
    pattern: re.Pattern[str]
    exclude_pattern: re.Pattern[str] | None

    def found_in(self, lower: str) -> bool:
        """Whether a keyword occurs in ``lower`` (lowered text) outside every exclusion."""
        blocked = (
            [m.span() for m in self.exclude_pattern.finditer(lower)]
            if self.exclude_pattern is not None
            else []
        )
        for match in self.pattern.finditer(lower):
            start, end = match.span()
            if not any(lo <= start and end <= hi for lo, hi in blocked):
                return True
        return False


@dataclass(frozen=True, slots=True, eq=False)
class ThemeRules:
    """Every theme, in the order the inbox shows them."""

    themes: tuple[Theme, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def label(self, theme_id: str) -> str:
        """The label of ``theme_id``; the id itself when it is unknown (an old rule)."""
        return next((t.label for t in self.themes if t.id == theme_id), theme_id)


def themes(text: str, rules: ThemeRules | None = None) -> tuple[str, ...]:
    """The ids of the themes ``text`` touches, in the rules' order (``()`` for none)."""
    if not text or text.isspace():
        return ()
    lower = lowered(text[:MAX_TEXT])
    return tuple(t.id for t in (rules or default_theme_rules()).themes if t.found_in(lower))


def load_theme_rules(path: Path | None = None) -> ThemeRules:
    """Read the rules from ``path`` (default ``resources/review_themes.json``)."""
    file = path or DEFAULT_PATH
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(f"cannot read themes from {file}: {error}", field="themes") from error
    return theme_rules_from(document)


@cache
def default_theme_rules() -> ThemeRules:
    """The rules in ``resources/review_themes.json``, read on first use and then kept."""
    return load_theme_rules()


def theme_rules_from(document: Any) -> ThemeRules:
    """Rules from a mapping shaped like ``review_themes.json``; ``ValidationError`` naming
    the broken field otherwise (a bad or repeated id, an empty keyword list, unknown keys…)."""
    if not isinstance(document, Mapping):
        raise ValidationError("the themes file must hold a JSON object", field="themes")
    unknown = set(document) - {"about", "themes"}
    if unknown:
        raise ValidationError(f"unknown field(s) {sorted(unknown)}", field=min(unknown))
    entries = document.get("themes")
    if not isinstance(entries, list) or not entries:
        raise ValidationError("themes must be a non-empty list", field="themes")
    parsed = tuple(_theme(entry, f"themes[{i}]") for i, entry in enumerate(entries))
    ids = [t.id for t in parsed]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError(f"repeated theme id(s): {', '.join(repeated)}", field="themes")
    return ThemeRules(parsed)


def _theme(value: Any, where: str) -> Theme:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where} must be a JSON object", field=where)
    unknown = set(value) - {"id", "label", "keywords", "exclude"}
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {sorted(unknown)}", field=where)
    theme_id = value.get("id")
    if not isinstance(theme_id, str) or not _ID.fullmatch(theme_id):
        raise ValidationError(
            f"{where}.id must be lower-case letters, digits and _", field=f"{where}.id"
        )
    label = value.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ValidationError(f"{where}.label must be non-empty text", field=f"{where}.label")
    keywords = _phrases(value.get("keywords"), f"{where}.keywords", required=True)
    exclude = _phrases(value.get("exclude", []), f"{where}.exclude", required=False)
    return Theme(
        id=theme_id,
        label=label.strip(),
        keywords=keywords,
        exclude=exclude,
        pattern=_compile(keywords),
        exclude_pattern=_compile(exclude) if exclude else None,
    )


def _phrases(value: Any, where: str, *, required: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or (required and not value):
        raise ValidationError(f"{where} must be a non-empty list", field=where)
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"{where}[{i}] must be non-empty text", field=f"{where}[{i}]")
        if item.count("{") != item.count("}"):
            raise ValidationError(f"{where}[{i}] has a stray brace", field=f"{where}[{i}]")
    return tuple(item.strip() for item in value)


def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{phrase_pattern(phrases)})(?:e?s)?(?!\w)")
