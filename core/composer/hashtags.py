"""Hashtag sets per practice specialty, from ``resources/hashtags.json`` (editable)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from core.composer import _config
from core.errors import ValidationError
from core.practice.model import Specialty

DEFAULT_PATH = _config.RESOURCES / "hashtags.json"
DEFAULT_LIMIT = 5
"""Instagram's hashtag cap (DOMAIN.md): a suggestion that fits everywhere."""

_HASHTAG = re.compile(r"#\w*[^\W\d_]\w*")


@dataclass(frozen=True, slots=True)
class HashtagSets:
    """The hashtags of each specialty."""

    by_specialty: Mapping[Specialty, tuple[str, ...]]

    def for_specialty(self, specialty: Specialty) -> tuple[str, ...]:
        """The hashtags for a practice of this specialty."""
        return self.by_specialty[specialty]


def suggested_hashtags(
    specialty: Specialty,
    extra: Iterable[str] = (),
    *,
    limit: int = DEFAULT_LIMIT,
    sets: HashtagSets | None = None,
) -> tuple[str, ...]:
    """Up to ``limit`` hashtags: ``extra`` first (e.g. an observance's), then the specialty's,
    without repeats (ignoring case)."""
    seen: dict[str, str] = {}
    for tag in (*extra, *(sets or default_hashtags()).for_specialty(specialty)):
        seen.setdefault(tag.casefold(), tag)
    return tuple(seen.values())[:limit]


def check_hashtag(tag: str, where: str) -> str:
    """``tag`` if it is one hashtag (``#`` then letters, digits or ``_``, not only digits)."""
    if not _HASHTAG.fullmatch(tag):
        raise ValidationError(f"{where} must be a hashtag such as #OralHealth", field=where)
    return tag


def load_hashtags(path: Path | None = None) -> HashtagSets:
    """Read the sets from ``path`` (by default ``resources/hashtags.json``)."""
    return hashtags_from(_config.read_document(path or DEFAULT_PATH, "hashtags"))


@cache
def default_hashtags() -> HashtagSets:
    """The sets in ``resources/hashtags.json``, read on first use and then kept."""
    return load_hashtags()


def hashtags_from(document: Mapping[str, Any]) -> HashtagSets:
    """Sets from a mapping shaped like ``hashtags.json``: every specialty needs a list."""
    where = "specialties"
    entries = _config.mapping(document.get(where), where)
    _config.unknown_keys(entries, {s.value for s in Specialty}, where)
    sets: dict[Specialty, tuple[str, ...]] = {}
    for specialty in Specialty:
        field = f"{where}.{specialty.value}"
        if specialty.value not in entries:
            raise ValidationError(f"{field} is required", field=field)
        tags = _config.texts(entries[specialty.value], field)
        sets[specialty] = tuple(check_hashtag(t, f"{field}[{i}]") for i, t in enumerate(tags))
    return HashtagSets(MappingProxyType(sets))
