"""Post templates with placeholders, from ``resources/templates.json`` (editable).

A template's text names placeholders in braces: ``{practice_name}``, ``{phone}`` and
``{website}`` come from the practice profile; ``{date}`` and ``{month_name}`` default to today's;
the rest (``{doctor}``, ``{service}``, ``{event}``…) are typed in by the user. Only placeholders
in ``ALLOWED_PLACEHOLDERS`` may appear: there is deliberately none for a patient (name, age,
visit, treatment), so a template cannot invite PHI. The rendered text still goes through the
PHI check like any other post.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from core.composer import _config
from core.composer.errors import InvalidTemplateValue, MissingTemplateValues
from core.errors import NotFound, ValidationError
from core.practice.model import Practice, Specialty

DEFAULT_PATH = _config.RESOURCES / "templates.json"

PRACTICE_PLACEHOLDERS = ("practice_name", "phone", "website")
"""Filled from the practice profile; values given by the caller do not replace them."""
DERIVED_PLACEHOLDERS = ("date", "month_name")
"""Filled from ``today`` unless the caller gives a value."""
USER_PLACEHOLDERS = frozenset(
    {
        "about",
        "doctor",
        "end_date",
        "event",
        "event_date",
        "event_place",
        "holiday",
        "link",
        "observance",
        "reopen_date",
        "service",
        "source",
        "staff_name",
        "staff_role",
        "start_date",
        "tip",
        "topic",
        "when",
    }
)
"""Typed in by the user: about the practice, its staff and its news, never about patients."""
ALLOWED_PLACEHOLDERS = frozenset(PRACTICE_PLACEHOLDERS + DERIVED_PLACEHOLDERS) | USER_PLACEHOLDERS

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_LINK = re.compile(r"https?://[^\s/]+\.[^\s]+")


@dataclass(frozen=True, slots=True)
class Template:
    """A ready-made post. ``category`` is one of education, introduction, news, event,
    awareness, reshare; ``specialties`` are the practices it suits."""

    id: str
    name: str
    category: str
    text: str
    specialties: frozenset[Specialty]

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Every placeholder in the text, in order of first appearance."""
        return tuple(dict.fromkeys(_PLACEHOLDER.findall(self.text)))

    @property
    def user_fields(self) -> tuple[str, ...]:
        """The placeholders the user must fill in (the form's fields)."""
        return tuple(p for p in self.placeholders if p in USER_PLACEHOLDERS)


@dataclass(frozen=True, slots=True)
class TrustedSource:
    """An organisation whose health advice the practice may reshare (CDC, Red Cross…)."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class TemplateLibrary:
    """The templates and trusted sources of ``templates.json``."""

    templates: tuple[Template, ...]
    sources: tuple[TrustedSource, ...]

    def get(self, template_id: str) -> Template:
        """The template with this id; ``NotFound`` otherwise."""
        for template in self.templates:
            if template.id == template_id:
                return template
        raise NotFound(f"no template {template_id!r}", template=template_id)

    def for_specialty(self, specialty: Specialty) -> tuple[Template, ...]:
        """The templates that suit a practice of this specialty."""
        return tuple(t for t in self.templates if specialty in t.specialties)


def render_template(
    template: Template, practice: Practice, values: Mapping[str, str], *, today: date
) -> str:
    """The template's text with every placeholder filled in.

    ``MissingTemplateValues`` (``params['missing']``) names each placeholder without a value,
    including practice details left empty in the profile; ``InvalidTemplateValue`` when
    ``link`` is not a web address.
    """
    filled = _values(template, practice, values, today)
    missing = [p for p in template.placeholders if not filled.get(p, "").strip()]
    if missing:
        raise MissingTemplateValues(
            f"values needed for: {', '.join(missing)}", field=missing[0], missing=tuple(missing)
        )
    link = filled.get("link")
    if link is not None and not _LINK.fullmatch(link.strip()):
        raise InvalidTemplateValue(
            "the link must be a web address", field="link", reason="not_a_link"
        )
    return _PLACEHOLDER.sub(lambda m: filled[m.group(1)].strip(), template.text)


def format_date(day: date) -> str:
    """A date as templates write it: "January 20, 2027"."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def load_templates(path: Path | None = None) -> TemplateLibrary:
    """Read templates from ``path`` (by default ``resources/templates.json``)."""
    return templates_from(_config.read_document(path or DEFAULT_PATH, "templates"))


@cache
def default_templates() -> TemplateLibrary:
    """The templates in ``resources/templates.json``, read on first use and then kept."""
    return load_templates()


def templates_from(document: Mapping[str, Any]) -> TemplateLibrary:
    """Templates from a mapping shaped like ``templates.json``; ``ValidationError`` naming the
    broken field otherwise (an unknown placeholder, a stray brace, a repeated id…)."""
    entries = _config.items(document.get("templates"), "templates")
    templates = tuple(_template(entry, f"templates[{i}]") for i, entry in enumerate(entries))
    ids = [t.id for t in templates]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError(f"repeated template id(s): {', '.join(repeated)}", field="templates")
    sources = tuple(
        _source(entry, f"sources[{i}]")
        for i, entry in enumerate(_config.items(document.get("sources", []), "sources"))
    )
    return TemplateLibrary(templates, sources)


def _values(
    template: Template, practice: Practice, values: Mapping[str, str], today: date
) -> dict[str, str]:
    filled = {k: v for k, v in values.items() if k in template.placeholders}
    filled.setdefault("date", format_date(today))
    filled.setdefault("month_name", MONTHS[today.month - 1])
    filled.update(practice_name=practice.name, phone=practice.phone, website=practice.website)
    return filled


def _template(value: Any, where: str) -> Template:
    entry = _config.mapping(value, where)
    _config.unknown_keys(entry, {"id", "name", "category", "text", "specialties"}, where)
    body = _config.text(entry.get("text"), f"{where}.text")
    for name in _PLACEHOLDER.findall(body):
        if name not in ALLOWED_PLACEHOLDERS:
            raise ValidationError(
                f"{where}.text: placeholder {{{name}}} is not allowed", field=f"{where}.text"
            )
    if "{" in _PLACEHOLDER.sub("", body) or "}" in _PLACEHOLDER.sub("", body):
        raise ValidationError(f"{where}.text has a stray brace", field=f"{where}.text")
    return Template(
        id=_config.text(entry.get("id"), f"{where}.id"),
        name=_config.text(entry.get("name"), f"{where}.name"),
        category=_config.text(entry.get("category"), f"{where}.category"),
        text=body,
        specialties=_config.specialties(entry.get("specialties", ["all"]), f"{where}.specialties"),
    )


def _source(value: Any, where: str) -> TrustedSource:
    entry = _config.mapping(value, where)
    _config.unknown_keys(entry, {"name", "url"}, where)
    url = _config.text(entry.get("url"), f"{where}.url")
    if not _LINK.fullmatch(url):
        raise ValidationError(f"{where}.url must be a web address", field=f"{where}.url")
    return TrustedSource(_config.text(entry.get("name"), f"{where}.name"), url)
