"""Reply templates for the review inbox, from ``resources/reply_templates.json`` (editable).

Four kinds (issue 6): thank for praise; a general apology that takes the conversation offline;
a privacy policy statement; a correction of misinformation without details. A template names
placeholders in braces; only ``PLACEHOLDERS`` are accepted, and none of them is about the
reviewer or a patient, so a template cannot invite PHI. The filled-in text still goes through
``check_reply`` like any other reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from core.errors import NotFound, ValidationError
from core.practice.model import Practice

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "reply_templates.json"
PLACEHOLDERS = frozenset({"practice_name", "office_phone", "manager"})
CATEGORIES = ("praise", "apology", "privacy", "correction")
DEFAULT_MANAGER = "our office manager"
"""What ``{manager}`` becomes when no manager's name is given."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    """A ready-made reply; ``category`` is one of ``CATEGORIES``."""

    id: str
    name: str
    category: str
    text: str

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_PLACEHOLDER.findall(self.text)))


def reply_templates() -> tuple[ReplyTemplate, ...]:
    """The templates of ``resources/reply_templates.json`` (read once, then kept)."""
    return _default()


def get_template(template_id: str) -> ReplyTemplate:
    """The template with this id; ``NotFound`` otherwise."""
    for template in reply_templates():
        if template.id == template_id:
            return template
    raise NotFound(f"no reply template {template_id!r}", template=template_id)


def render_reply(template: ReplyTemplate, *, practice: Practice, manager: str = "") -> str:
    """The template filled in from the practice profile. ``manager``: the office manager's
    name or title (default "our office manager"). ``ValidationError`` (field
    ``office_phone`` or ``practice_name``, reason ``missing``) when the profile lacks a value
    the template needs."""
    values = {
        "practice_name": practice.name.strip(),
        "office_phone": practice.phone.strip(),
        "manager": manager.strip() or DEFAULT_MANAGER,
    }
    for name in template.placeholders:
        if not values.get(name):
            raise ValidationError(
                f"the practice profile has no {name.replace('_', ' ')}",
                field=name,
                reason="missing",
            )
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template.text)


def load_reply_templates(path: Path | None = None) -> tuple[ReplyTemplate, ...]:
    """Read and validate templates from ``path`` (default ``resources/reply_templates.json``)."""
    file = path or DEFAULT_PATH
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(
            f"cannot read reply templates from {file}: {error}", field="templates"
        ) from error
    return reply_templates_from(document)


def reply_templates_from(document: Any) -> tuple[ReplyTemplate, ...]:
    """Templates from a mapping shaped like ``reply_templates.json``; ``ValidationError``
    naming the broken field otherwise (unknown placeholder, stray brace, repeated id…)."""
    if not isinstance(document, Mapping):
        raise ValidationError("reply templates must be a JSON object", field="templates")
    entries = document.get("templates")
    if not isinstance(entries, list) or not entries:
        raise ValidationError("templates must be a non-empty list", field="templates")
    templates = tuple(_template(entry, f"templates[{i}]") for i, entry in enumerate(entries))
    ids = [t.id for t in templates]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError(f"repeated template id(s): {', '.join(repeated)}", field="templates")
    return templates


@cache
def _default() -> tuple[ReplyTemplate, ...]:
    return load_reply_templates()


def _template(value: Any, where: str) -> ReplyTemplate:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where} must be a JSON object", field=where)
    unknown = set(value) - {"id", "name", "category", "text"}
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {sorted(unknown)}", field=where)
    fields: dict[str, str] = {}
    for key in ("id", "name", "category", "text"):
        item = value.get(key)
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"{where}.{key} must be non-empty text", field=f"{where}.{key}")
        fields[key] = item.strip()
    if fields["category"] not in CATEGORIES:
        raise ValidationError(
            f"{where}.category must be one of {', '.join(CATEGORIES)}", field=f"{where}.category"
        )
    body = fields["text"]
    for name in _PLACEHOLDER.findall(body):
        if name not in PLACEHOLDERS:
            raise ValidationError(
                f"{where}.text: placeholder {{{name}}} is not allowed", field=f"{where}.text"
            )
    rest = _PLACEHOLDER.sub("", body)
    if "{" in rest or "}" in rest:
        raise ValidationError(f"{where}.text has a stray brace", field=f"{where}.text")
    return ReplyTemplate(fields["id"], fields["name"], fields["category"], body)
