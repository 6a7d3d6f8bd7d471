"""Reading the composer's editable JSON files with errors that name the broken field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.errors import ValidationError
from core.practice.model import Specialty

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
ALL_SPECIALTIES = "all"


def read_document(path: Path, what: str) -> Mapping[str, Any]:
    """The JSON object in ``path``; ``ValidationError`` (field ``what``) when unreadable."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(f"cannot read {what} from {path}: {error}", field=what) from error
    return mapping(document, what)


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where} must be a JSON object", field=where)
    return value


def items(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValidationError(f"{where} must be a list", field=where)
    return value


def text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{where} must be non-empty text", field=where)
    return value


def integer(value: Any, where: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError(
            f"{where} must be a whole number from {minimum} to {maximum}", field=where
        )
    return value


def texts(value: Any, where: str) -> tuple[str, ...]:
    return tuple(text(item, f"{where}[{i}]") for i, item in enumerate(items(value, where)))


def specialties(value: Any, where: str) -> frozenset[Specialty]:
    """A list of ``Specialty`` values, or ``["all"]`` for every specialty."""
    names = texts(value, where)
    if ALL_SPECIALTIES in names:
        return frozenset(Specialty)
    try:
        return frozenset(Specialty(name) for name in names)
    except ValueError:
        choices = ", ".join([ALL_SPECIALTIES, *(s.value for s in Specialty)])
        raise ValidationError(f"{where} must hold only {choices}", field=where) from None


def unknown_keys(values: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}",
            field=f"{where}.{min(unknown)}",
        )
