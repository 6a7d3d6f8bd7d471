"""Versioned JSON settings (``core.ports.SettingsRepository``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock
from core.errors import EditConflict
from storage.models import SETTING, SettingRow

_CONFLICT = "Someone else saved these settings first: reload and try again."


class SqlSettingsRepository:
    """Settings rows. ``put`` is optimistic: ``UPDATE ... WHERE key = ? AND version = ?``
    must match exactly one row, and a new key must not exist yet."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def get(self, key: str) -> tuple[dict[str, Any], int] | None:
        row = self._session.execute(
            select(SettingRow.value, SettingRow.version).where(SettingRow.key == key)
        ).one_or_none()
        if row is None:
            return None
        value = json.loads(row.value)
        if not isinstance(value, dict):
            raise TypeError(f"setting {key!r} is not a JSON object")
        return value, row.version

    def put(self, key: str, value: dict[str, Any], expected_version: int | None) -> int:
        # Strict JSON (no NaN/Infinity), so PostgreSQL or another tool could read it too.
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
        now = self._clock.now()
        if expected_version is None:
            try:
                # In a savepoint: on PostgreSQL a failed INSERT would otherwise poison the
                # whole transaction.
                with self._session.begin_nested():
                    self._session.execute(
                        insert(SETTING).values(key=key, value=text, version=1, updated_at=now)
                    )
            except IntegrityError:
                raise EditConflict(_CONFLICT, entity="setting", key=key) from None
            return 1
        result = self._session.execute(
            update(SETTING)
            .where(SETTING.c.key == key, SETTING.c.version == expected_version)
            .values(value=text, version=expected_version + 1, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise EditConflict(_CONFLICT, entity="setting", key=key)
        return expected_version + 1
