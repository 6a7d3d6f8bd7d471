"""Reading and saving the practice profile and settings, with optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.audit.service import append_event
from core.clock import Clock
from core.ports import UnitOfWorkFactory
from core.practice import codec
from core.practice.model import (
    AppSettings,
    ConsentSettings,
    PostingPlan,
    Practice,
    ResponseRules,
)
from core.practice.rules import (
    validate_consent_settings,
    validate_posting_plan,
    validate_practice,
    validate_rules,
    validate_settings,
)
from core.staff.model import Permission, StaffMember
from core.staff.service import require

T = TypeVar("T")

PRACTICE_KEY = "practice"
SETTINGS_KEY = "app_settings"
RULES_KEY = "response_rules"
POSTING_PLAN_KEY = "posting_plan"
CONSENT_SETTINGS_KEY = "consent_settings"


@dataclass(frozen=True, slots=True)
class Versioned(Generic[T]):
    """A value and the version it was read at; saving it back checks the version."""

    value: T
    version: int | None


@dataclass(frozen=True, slots=True)
class _Kind(Generic[T]):
    key: str
    to_dict: Callable[[T], dict[str, Any]]
    from_dict: Callable[[dict[str, Any]], T]
    validate: Callable[[T], None]
    default: Callable[[], T]
    permission: Permission


_PRACTICE = _Kind(
    PRACTICE_KEY,
    codec.practice_to_dict,
    codec.practice_from_dict,
    validate_practice,
    lambda: Practice(name=""),
    Permission.EDIT_PRACTICE,
)
_SETTINGS = _Kind(
    SETTINGS_KEY,
    codec.settings_to_dict,
    codec.settings_from_dict,
    validate_settings,
    AppSettings,
    Permission.EDIT_SETTINGS,
)
_RULES = _Kind(
    RULES_KEY,
    codec.rules_to_dict,
    codec.rules_from_dict,
    validate_rules,
    ResponseRules,
    Permission.EDIT_SETTINGS,
)
_POSTING_PLAN = _Kind(
    POSTING_PLAN_KEY,
    codec.posting_plan_to_dict,
    codec.posting_plan_from_dict,
    validate_posting_plan,
    PostingPlan,
    Permission.EDIT_SETTINGS,
)

_CONSENT = _Kind(
    CONSENT_SETTINGS_KEY,
    codec.consent_settings_to_dict,
    codec.consent_settings_from_dict,
    validate_consent_settings,
    ConsentSettings,
    Permission.EDIT_SETTINGS,
)


class PracticeService:
    """The practice profile, app settings, rules of engagement, posting plan and consent
    settings.

    Reads return ``Versioned`` values; a save whose version is stale raises
    ``core.errors.EditConflict`` instead of overwriting another workstation's change.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def _read(self, kind: _Kind[T]) -> Versioned[T]:
        with self._uow() as tx:
            row = tx.settings.get(kind.key)
        if row is None:
            return Versioned(kind.default(), None)
        return Versioned(kind.from_dict(row[0]), row[1])

    def _save(self, kind: _Kind[T], actor: StaffMember | None, value: Versioned[T]) -> Versioned[T]:
        if actor is not None:
            require(actor, kind.permission)
        kind.validate(value.value)
        with self._uow() as tx:
            version = tx.settings.put(kind.key, kind.to_dict(value.value), value.version)
            append_event(tx, self._clock, actor, "settings.update", "setting", kind.key)
        return Versioned(value.value, version)

    def practice(self) -> Versioned[Practice]:
        return self._read(_PRACTICE)

    def is_set_up(self) -> bool:
        return bool(self.practice().value.name)

    def save_practice(
        self, actor: StaffMember | None, value: Versioned[Practice]
    ) -> Versioned[Practice]:
        """``actor`` is ``None`` only in the setup wizard, before anyone exists."""
        return self._save(_PRACTICE, actor, value)

    def settings(self) -> Versioned[AppSettings]:
        return self._read(_SETTINGS)

    def save_settings(
        self, actor: StaffMember, value: Versioned[AppSettings]
    ) -> Versioned[AppSettings]:
        return self._save(_SETTINGS, actor, value)

    def response_rules(self) -> Versioned[ResponseRules]:
        return self._read(_RULES)

    def save_response_rules(
        self, actor: StaffMember, value: Versioned[ResponseRules]
    ) -> Versioned[ResponseRules]:
        return self._save(_RULES, actor, value)

    def posting_plan(self) -> Versioned[PostingPlan]:
        """How often the practice aims to post and its Mastodon server's limit, for the
        composer's checks."""
        return self._read(_POSTING_PLAN)

    def save_posting_plan(
        self, actor: StaffMember, value: Versioned[PostingPlan]
    ) -> Versioned[PostingPlan]:
        return self._save(_POSTING_PLAN, actor, value)

    def consent_settings(self) -> Versioned[ConsentSettings]:
        """When a consent shows as expiring, and what expiry does to published posts."""
        return self._read(_CONSENT)

    def save_consent_settings(
        self, actor: StaffMember, value: Versioned[ConsentSettings]
    ) -> Versioned[ConsentSettings]:
        return self._save(_CONSENT, actor, value)
