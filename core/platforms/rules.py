"""Loading the platform rules from ``resources/platforms.json`` (or from Settings).

The file is plain JSON so the numbers can be edited when a platform changes them. It is read
once; ``rules_from`` builds rules from any mapping of the same shape, and with ``base`` it lays a
partial mapping (only the changed fields, e.g. a Mastodon server's own limit) over other rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from core.errors import ValidationError
from core.platforms.model import Counting, PlatformRule, TwitterWeights, WeightRange

PLATFORM_IDS = ("x", "mastodon", "bluesky", "threads", "facebook", "instagram", "linkedin", "gbp")
"""The platforms the app knows; a rules document must describe each of them."""

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "platforms.json"

_OPTIONAL_INTS = ("url_length", "byte_limit", "link_limit", "hashtag_limit")
_BOOLS = (
    "urls_need_protocol",
    "remote_mentions_local_part",
    "emoji_as_utf8_bytes",
    "warn_phone_numbers",
)
_STRINGS = ("name", "compose_url", "phone_region")
_FIELDS = frozenset(f.name for f in fields(PlatformRule)) - {"id"}


@dataclass(frozen=True, slots=True)
class PlatformRules:
    """Every platform's rule, by platform id."""

    platforms: Mapping[str, PlatformRule]

    @property
    def ids(self) -> tuple[str, ...]:
        """The platform ids, in the order of the rules document."""
        return tuple(self.platforms)

    def rule(self, platform: str) -> PlatformRule:
        """The rule for ``platform``; ``ValueError`` naming the known ids when there is none."""
        try:
            return self.platforms[platform]
        except (KeyError, TypeError):
            raise ValueError(
                f"unknown platform {platform!r}; known platforms: {', '.join(self.ids)}"
            ) from None


def load_rules(path: Path | None = None) -> PlatformRules:
    """Read the rules from ``path`` (by default ``resources/platforms.json``)."""
    source = DEFAULT_PATH if path is None else path
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(
            f"cannot read platform rules from {source}: {error}", field="platforms"
        ) from error
    return rules_from(document)


@cache
def default_rules() -> PlatformRules:
    """The rules in ``resources/platforms.json``, read on first use and then kept."""
    return load_rules()


def rules_from(mapping: Mapping[str, Any], *, base: PlatformRules | None = None) -> PlatformRules:
    """Rules from a mapping shaped like ``platforms.json``: ``{"platforms": {id: {...}}}``.

    Without ``base`` the mapping must describe every platform in full. With ``base`` it holds
    only changes: ``{"platforms": {"instagram": {"hashtag_limit": 30}}}``. A wrong field, type or
    value raises ``ValidationError`` whose ``field`` names it (``platforms.instagram.limit``).
    """
    platforms = _mapping(mapping.get("platforms"), "platforms")
    rules: dict[str, PlatformRule] = dict(base.platforms) if base else {}
    for platform_id, entry in platforms.items():
        where = f"platforms.{platform_id}"
        values = _mapping(entry, where)
        unknown = set(values) - _FIELDS
        if unknown:
            raise ValidationError(
                f"{where}: unknown field(s) {', '.join(sorted(unknown))}",
                field=f"{where}.{min(unknown)}",
            )
        previous = rules.get(platform_id)
        rules[platform_id] = (
            _rule(platform_id, values, where)
            if previous is None
            else replace(previous, **_changes(values, where))
        )
        _check(rules[platform_id], where)
    missing = [p for p in PLATFORM_IDS if p not in rules]
    if missing:
        raise ValidationError(
            f"platform rules missing for: {', '.join(missing)}", field=f"platforms.{missing[0]}"
        )
    return PlatformRules(MappingProxyType(rules))


def _rule(platform_id: str, values: Mapping[str, Any], where: str) -> PlatformRule:
    for required in ("name", "limit", "counting"):
        if required not in values:
            raise ValidationError(f"{where}.{required} is required", field=f"{where}.{required}")
    return PlatformRule(id=platform_id, **_changes(values, where))


def _changes(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The fields in ``values``, type-checked and converted to what ``PlatformRule`` holds."""
    changes: dict[str, Any] = {}
    for key, value in values.items():
        field = f"{where}.{key}"
        if key == "limit":
            changes[key] = _int(value, field, minimum=1)
        elif key in _OPTIONAL_INTS:
            changes[key] = None if value is None else _int(value, field, minimum=0)
        elif key in _BOOLS:
            if not isinstance(value, bool):
                raise ValidationError(f"{field} must be true or false", field=field)
            changes[key] = value
        elif key in _STRINGS:
            if not isinstance(value, str):
                raise ValidationError(f"{field} must be text", field=field)
            changes[key] = value
        elif key == "counting":
            try:
                changes[key] = Counting(value)
            except ValueError:
                choices = ", ".join(c.value for c in Counting)
                raise ValidationError(f"{field} must be one of {choices}", field=field) from None
        elif key == "weights":
            changes[key] = None if value is None else _weights(value, field)
    return changes


def _weights(value: Any, where: str) -> TwitterWeights:
    values = _mapping(value, where)
    default = TwitterWeights()
    ranges = default.ranges
    if "ranges" in values:
        if not isinstance(values["ranges"], list):
            raise ValidationError(f"{where}.ranges must be a list", field=f"{where}.ranges")
        ranges = tuple(
            _weight_range(item, f"{where}.ranges[{i}]") for i, item in enumerate(values["ranges"])
        )
    emoji_parsing = values.get("emoji_parsing", default.emoji_parsing)
    if not isinstance(emoji_parsing, bool):
        raise ValidationError(
            f"{where}.emoji_parsing must be true or false", field=f"{where}.emoji_parsing"
        )
    return TwitterWeights(
        scale=_int(values.get("scale", default.scale), f"{where}.scale", minimum=1),
        default_weight=_int(
            values.get("default_weight", default.default_weight),
            f"{where}.default_weight",
            minimum=1,
        ),
        ranges=ranges,
        emoji_parsing=emoji_parsing,
    )


def _weight_range(value: Any, where: str) -> WeightRange:
    values = _mapping(value, where)
    start = _int(values.get("start"), f"{where}.start", minimum=0)
    end = _int(values.get("end"), f"{where}.end", minimum=start)
    return WeightRange(
        start, min(end, 0x10FFFF), _int(values.get("weight"), f"{where}.weight", minimum=1)
    )


def _check(rule: PlatformRule, where: str) -> None:
    if rule.counting is Counting.TWITTER and rule.weights is None:
        raise ValidationError(
            f"{where}.weights is required when counting is twitter", field=f"{where}.weights"
        )


def _int(value: Any, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(f"{field} must be a whole number of at least {minimum}", field=field)
    return value


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where} must be a JSON object", field=where)
    return value
