"""The practice's consent form: a versioned, plain-language template with the required
statements, from ``resources/consent_form.json`` until the practice saves its own (Settings).

Texts may hold ``{practice_name}``, ``{practice_address}`` and ``{practice_phone}``;
``render_text`` fills them in for printing and for the signed PDF.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from core.consent.rules import STATEMENTS
from core.errors import ValidationError

FORM_FILE = Path(__file__).resolve().parents[2] / "resources" / "consent_form.json"
PLACEHOLDERS = ("practice_name", "practice_address", "practice_phone")
ATTORNEY_NOTE = "Have the practice's attorney review this form before use."
MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class ConsentForm:
    """One version of the form. ``statements`` maps each code of
    ``core.consent.rules.STATEMENTS`` to its plain text; ``attorney_note`` is shown on the
    blank form and in Settings."""

    version: str
    title: str
    intro: str
    paragraphs: tuple[str, ...]
    statements: dict[str, str] = field(default_factory=dict)
    attorney_note: str = ATTORNEY_NOTE


def form_to_dict(form: ConsentForm) -> dict[str, Any]:
    return {
        "version": form.version,
        "title": form.title,
        "intro": form.intro,
        "paragraphs": list(form.paragraphs),
        "statements": dict(form.statements),
        "attorney_note": form.attorney_note,
    }


def form_from_dict(data: dict[str, Any]) -> ConsentForm:
    """A form from its JSON shape; ``ValidationError`` (field ``form``) when malformed."""
    try:
        statements = data["statements"]
        paragraphs = data.get("paragraphs", [])
        if not isinstance(statements, dict) or not isinstance(paragraphs, list):
            raise TypeError("statements must be an object and paragraphs a list")
        return ConsentForm(
            version=str(data["version"]),
            title=str(data["title"]),
            intro=str(data.get("intro", "")),
            paragraphs=tuple(str(p) for p in paragraphs),
            statements={str(k): str(v) for k, v in statements.items()},
            attorney_note=str(data.get("attorney_note", ATTORNEY_NOTE)),
        )
    except (KeyError, TypeError) as exc:
        raise ValidationError("The consent form could not be read.", field="form") from exc


@cache
def _shipped() -> str:
    return FORM_FILE.read_text(encoding="utf-8")


def default_form() -> ConsentForm:
    """The form shipped in ``resources/consent_form.json`` (a fresh copy each call)."""
    return form_from_dict(json.loads(_shipped()))


def validate_form(form: ConsentForm) -> None:
    """Every required statement present and worded; a title; nothing absurdly long;
    placeholders only the known ones."""
    if not form.title.strip():
        raise ValidationError("The form needs a title.", field="title")
    for code in STATEMENTS:
        if not form.statements.get(code, "").strip():
            raise ValidationError("Every required statement needs its text.", field=code)
    texts = [form.title, form.intro, *form.paragraphs, *form.statements.values()]
    if any(len(t) > MAX_TEXT for t in texts):
        raise ValidationError("A paragraph of the form is too long.", field="paragraphs")
    for text in texts:
        try:
            text.format_map(dict.fromkeys(PLACEHOLDERS, ""))
        except (KeyError, ValueError, IndexError) as exc:
            raise ValidationError(
                "Only {practice_name}, {practice_address} and {practice_phone} can be filled in.",
                field="placeholders",
            ) from exc


def render_text(
    form: ConsentForm, practice_name: str, practice_address: str, practice_phone: str
) -> ConsentForm:
    """The form with the practice's name, address and phone filled in."""
    values = {
        "practice_name": practice_name.strip() or "the practice",
        "practice_address": practice_address.strip(),
        "practice_phone": practice_phone.strip(),
    }

    def fill(text: str) -> str:
        try:
            return text.format_map(values)
        except (KeyError, ValueError, IndexError):
            return text

    return replace(
        form,
        title=fill(form.title),
        intro=fill(form.intro),
        paragraphs=tuple(fill(p) for p in form.paragraphs),
        statements={k: fill(v) for k, v in form.statements.items()},
    )


def next_version(current: str, today_iso: str) -> str:
    """The version string after ``current`` on the day ``today_iso``: ``"<day>.<n>"``."""
    day, _, number = current.partition(".")
    if day == today_iso and number.isdigit():
        return f"{today_iso}.{int(number) + 1}"
    return f"{today_iso}.1"
