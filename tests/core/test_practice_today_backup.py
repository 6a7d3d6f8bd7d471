"""Practice settings, the Today list and backup scheduling."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.app import Services
from core.backup.model import BackupInfo
from core.backup.service import due_for_automatic, to_prune
from core.clock import ManualClock
from core.demo import DEMO_PRACTICE, create_demo_practice
from core.errors import EditConflict, PermissionDenied, ValidationError
from core.practice import codec
from core.practice.model import AppSettings, BusinessHours, ResponseRules
from core.practice.service import Versioned
from core.today.model import AttentionItem, Severity
from core.today.service import urgency_order


def test_practice_round_trip_and_conflict(memory_services: Services) -> None:
    staff = create_demo_practice(memory_services, with_posts=False)
    first = memory_services.practice.practice()
    assert first.value == DEMO_PRACTICE
    saved = memory_services.practice.save_practice(
        staff.admin, replace(first, value=replace(first.value, phone="(217) 555-0199"))
    )
    assert memory_services.practice.practice().value.phone == "(217) 555-0199"
    # A second workstation that read the old version must not overwrite silently.
    with pytest.raises(EditConflict):
        memory_services.practice.save_practice(
            staff.admin, replace(first, value=replace(first.value, website="x"))
        )
    assert saved.version == memory_services.practice.practice().version


def test_practice_validation_and_permission(memory_services: Services) -> None:
    staff = create_demo_practice(memory_services, with_posts=False)
    current = memory_services.practice.practice()
    with pytest.raises(ValidationError) as err:
        memory_services.practice.save_practice(
            staff.admin, replace(current, value=replace(current.value, name=" "))
        )
    assert err.value.params["field"] == "name"
    with pytest.raises(ValidationError):
        memory_services.practice.save_practice(
            staff.admin, replace(current, value=replace(current.value, timezone="Mars/Base"))
        )
    with pytest.raises(PermissionDenied):
        memory_services.practice.save_practice(staff.front_desk, current)


def test_settings_defaults_and_bounds(memory_services: Services) -> None:
    staff = create_demo_practice(memory_services, with_posts=False)
    settings = memory_services.practice.settings()
    assert settings == Versioned(AppSettings(), None)
    with pytest.raises(ValidationError):
        memory_services.practice.save_settings(
            staff.admin, Versioned(AppSettings(auto_lock_minutes=0), None)
        )
    memory_services.practice.save_settings(
        staff.manager, Versioned(AppSettings(auto_lock_minutes=10), None)
    )
    assert memory_services.practice.settings().value.auto_lock_minutes == 10


rules_strategy = st.builds(
    ResponseRules,
    negative_days=st.integers(0, 30),
    neutral_days=st.integers(0, 30),
    positive_days=st.integers(0, 30),
    hours=st.builds(
        BusinessHours,
        st.dictionaries(
            st.integers(0, 6),
            st.tuples(
                st.times().map(lambda t: t.replace(second=0, microsecond=0)),
                st.times().map(lambda t: t.replace(second=0, microsecond=0)),
            ),
        ),
    ),
    holiday_country=st.sampled_from(["US", "CA", "GB"]),
    closed_days=st.lists(st.dates(), max_size=5).map(tuple),
)


@given(rules_strategy)
def test_rules_codec_round_trip(rules: ResponseRules) -> None:
    assert codec.rules_from_dict(codec.rules_to_dict(rules)) == rules


def test_rules_saved_and_validated(memory_services: Services) -> None:
    staff = create_demo_practice(memory_services, with_posts=False)
    rules = ResponseRules(
        negative_days=1,
        closed_days=(date(2026, 12, 24),),
        hours=BusinessHours({0: (time(9), time(17))}),
    )
    memory_services.practice.save_response_rules(staff.manager, Versioned(rules, None))
    assert memory_services.practice.response_rules().value == rules
    bad = ResponseRules(hours=BusinessHours({0: (time(17), time(9))}))
    with pytest.raises(ValidationError):
        memory_services.practice.save_response_rules(staff.admin, Versioned(bad, 1))
    with pytest.raises(ValidationError):
        codec.rules_from_dict({"hours": {"0": ["nine", "five"]}})


NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _item(key: str, severity: Severity, due: datetime | None) -> AttentionItem:
    return AttentionItem(key=key, kind="k", severity=severity, page="today", due=due)


def test_urgency_order() -> None:
    items = [
        _item("info-undated", Severity.INFO, None),
        _item("warn-later", Severity.WARNING, NOW + timedelta(hours=5)),
        _item("warn-soon", Severity.WARNING, NOW + timedelta(hours=1)),
        _item("warn-undated", Severity.WARNING, None),
        _item("critical", Severity.CRITICAL, None),
        _item("info-overdue-2d", Severity.INFO, NOW - timedelta(days=2)),
    ]
    order = [i.key for i in urgency_order(items, NOW)]
    assert order == [
        "critical",
        "info-overdue-2d",
        "warn-soon",
        "warn-later",
        "warn-undated",
        "info-undated",
    ]


def _backup(hours_ago: float, automatic: bool = True) -> BackupInfo:
    return BackupInfo(f"b{hours_ago}", NOW - timedelta(hours=hours_ago), 1, automatic)


def test_daily_backup_due_and_pruning() -> None:
    assert due_for_automatic([], NOW)
    assert not due_for_automatic([_backup(3, automatic=False)], NOW)
    assert due_for_automatic([_backup(25)], NOW)
    backups = [_backup(24 * d) for d in (1, 5, 15, 20)] + [_backup(24 * 30, automatic=False)]
    assert [b.name for b in to_prune(backups, NOW, keep_days=14)] == ["b480", "b360"]
    # The newest automatic backup survives however old it is.
    assert to_prune([_backup(24 * 100)], NOW, keep_days=14) == []


def test_backup_service_and_today(memory_services: Services, clock: ManualClock) -> None:
    staff = create_demo_practice(memory_services, with_posts=False)
    backups = memory_services.backups
    assert backups is not None
    assert [i.kind for i in memory_services.today.items()] == ["backup_stale"]
    made = backups.run_daily(keep_days=14)
    assert made is not None
    assert made.automatic
    assert backups.run_daily(keep_days=14) is None  # not due again the same day
    assert memory_services.today.items() == []
    clock.advance(timedelta(days=3))
    assert [i.kind for i in memory_services.today.items()] == ["backup_stale"]
    with pytest.raises(PermissionDenied):
        backups.restore(staff.manager, made.name)
    backups.restore(staff.admin, made.name)
    assert "backup.restore" in memory_services.audit.actions()


def test_practice_phone_missing_is_on_today(memory_services: Services) -> None:
    staff = create_demo_practice(memory_services, with_posts=False)
    memory_services.backups.run_daily(14)  # type: ignore[union-attr]
    current = memory_services.practice.practice()
    memory_services.practice.save_practice(
        staff.admin, replace(current, value=replace(current.value, phone=""))
    )
    assert [i.kind for i in memory_services.today.items()] == ["practice_phone_missing"]


def test_today_hides_items_the_viewer_cannot_act_on(memory_services: Services) -> None:
    staff = create_demo_practice(memory_services, with_posts=False)
    assert [i.kind for i in memory_services.today.items(staff.admin)] == ["backup_stale"]
    assert [i.kind for i in memory_services.today.items(staff.manager)] == ["backup_stale"]
    assert memory_services.today.items(staff.front_desk) == []


def test_effective_severity_escalates_after_a_day() -> None:
    from core.today.service import effective_severity

    item = _item("x", Severity.WARNING, NOW - timedelta(hours=23))
    assert effective_severity(item, NOW) is Severity.WARNING
    item = _item("x", Severity.WARNING, NOW - timedelta(hours=25))
    assert effective_severity(item, NOW) is Severity.URGENT
    item = _item("x", Severity.CRITICAL, NOW - timedelta(days=9))
    assert effective_severity(item, NOW) is Severity.CRITICAL
