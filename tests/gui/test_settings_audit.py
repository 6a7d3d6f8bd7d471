"""Settings → Audit trail: verification, and the viewer paging and filtering in the service."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from core.audit.model import AuditQuery
from core.clock import ManualClock
from gui.hub import SignalHub
from gui.settings.audit import AuditSection
from gui.settings.audit_filters import Period, period_bounds
from gui.settings.audit_model import PAGE_SIZE, AuditColumn, AuditModel
from gui.settings.models import ItemRole
from gui.settings.page import SettingsPage
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, build_env

CHICAGO = ZoneInfo("America/Chicago")
OCTOBER = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def busy_env(clock: ManualClock) -> PageEnv:
    """1,200 extra events: 300 by the manager on 1 October, 900 by the front desk today."""
    env = build_env(clock)
    clock.set(OCTOBER)
    for i in range(300):
        env.services.audit.record(env.staff.manager, "test.export", "staff", i % 4 + 1)
    clock.set(NOVEMBER)
    for i in range(900):
        env.services.audit.record(
            env.staff.front_desk, "test.ping", "staff", i % 4 + 1, f"ping {i}"
        )
    return env


@pytest.fixture
def page(
    qtbot: QtBot, hub: SignalHub, runner: TaskRunner, request: pytest.FixtureRequest
) -> SettingsPage:
    env_name = "busy_env" if "busy_env" in request.fixturenames else "env"
    env: PageEnv = request.getfixturevalue(env_name)
    settings = SettingsPage(env.services, hub, runner)
    qtbot.addWidget(settings)
    return settings


def open_audit(qtbot: QtBot, env: PageEnv, page: SettingsPage) -> AuditSection:
    page.set_user(env.staff.admin)
    page.show_target("audit")
    section = page.section("audit")
    assert isinstance(section, AuditSection)
    qtbot.waitUntil(lambda: section.loaded and section.model.total > 0, timeout=5000)
    return section


def total(env: PageEnv, **filters: object) -> int:
    return env.services.audit.query(env.staff.admin, AuditQuery(limit=1, **filters))[1]  # type: ignore[arg-type]


# --- verification ------------------------------------------------------------------------
def test_verify_reports_an_intact_chain(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, page: SettingsPage
) -> None:
    section = open_audit(qtbot, env, page)
    count = total(env)
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "audit_check"
    ):
        section.verify_button.click()
    assert section.result_tone() == "success"
    assert section.result_text().startswith(f"Chain intact — {count:,} events checked")
    assert section.report is not None
    assert section.report.ok


def test_verify_shows_a_loud_warning_when_the_chain_is_broken(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, page: SettingsPage
) -> None:
    section = open_audit(qtbot, env, page)
    env.tamper(2)
    section.verify_now()
    qtbot.waitUntil(lambda: section.report is not None, timeout=5000)
    assert section.result_tone() == "danger"
    text = section.result_text()
    assert "broken at event #2" in text
    assert "changed after it was written" in text
    assert env.services.audit.last_report is not None
    assert not env.services.audit.last_report.ok


def test_front_desk_cannot_see_the_audit_trail(
    qtbot: QtBot, env: PageEnv, page: SettingsPage
) -> None:
    page.set_user(env.staff.front_desk)
    page.show_target("audit")
    section = page.section("audit")
    assert isinstance(section, AuditSection)
    qtbot.waitUntil(lambda: section.loaded, timeout=5000)
    assert section.viewer_card.isHidden()
    assert section.verify_card.isHidden()
    assert section.model.rowCount() == 0


# --- viewer ------------------------------------------------------------------------------
def test_viewer_loads_pages_lazily(
    qtbot: QtBot, busy_env: PageEnv, hub: SignalHub, page: SettingsPage
) -> None:
    section = open_audit(qtbot, busy_env, page)
    model = section.model
    assert model.total == total(busy_env)
    assert model.total > 1200
    assert model.loaded == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    assert section.count_label.text() == (
        f"Showing the newest 200 of {model.total:,} events; scroll down for more."
    )
    newest = model.audit_event(0)
    assert newest.action == "test.ping"
    assert model.index(0, AuditColumn.DETAIL).data() == "ping 899"
    assert model.index(0, AuditColumn.PERSON).data() == "Jenna Ortiz"
    assert model.index(0, AuditColumn.ACTION).data() == "test.ping"  # no wording: the code
    assert model.index(0, AuditColumn.RECORD).data().startswith("Staff: ")

    model.fetchMore(QModelIndex())
    assert not model.canFetchMore(QModelIndex())  # one page at a time
    qtbot.waitUntil(lambda: model.loaded == 2 * PAGE_SIZE, timeout=5000)
    seqs = [model.audit_event(r).seq for r in range(model.loaded)]
    assert seqs == sorted(seqs, reverse=True)
    assert len(set(seqs)) == len(seqs)
    assert seqs[0] - seqs[-1] == 2 * PAGE_SIZE - 1


def test_viewer_filters_by_person_action_and_date(
    qtbot: QtBot, busy_env: PageEnv, hub: SignalHub, page: SettingsPage
) -> None:
    env = busy_env
    section = open_audit(qtbot, env, page)
    model, filters = section.model, section.filters

    filters.select_person(env.staff.manager.id)
    qtbot.waitUntil(lambda: model.total == total(env, actor_id=env.staff.manager.id), timeout=5000)
    assert all(model.audit_event(r).actor_id == env.staff.manager.id for r in range(model.loaded))

    filters.select_person(None)
    filters.select_action("test.ping")
    qtbot.waitUntil(lambda: model.total == 900, timeout=5000)
    assert {model.audit_event(r).action for r in range(model.loaded)} == {"test.ping"}

    filters.select_action(None)
    filters.select_period(Period.CUSTOM, date(2026, 10, 1), date(2026, 10, 1))
    qtbot.waitUntil(lambda: model.total == 300, timeout=5000)
    assert {model.audit_event(r).action for r in range(model.loaded)} == {"test.export"}

    filters.select_period(Period.TODAY)
    qtbot.waitUntil(lambda: model.total == total(env) - 300, timeout=5000)

    filters.select_person(env.staff.doctor.id)
    filters.select_period(Period.CUSTOM, date(2020, 1, 1), date(2020, 1, 1))  # before the demo
    qtbot.waitUntil(lambda: model.total == 0 and model.rowCount() == 0, timeout=5000)
    assert section.count_label.text() == "No events match these filters."


def test_filter_lists_come_from_the_services(
    qtbot: QtBot, busy_env: PageEnv, hub: SignalHub, page: SettingsPage
) -> None:
    section = open_audit(qtbot, busy_env, page)
    people = [section.filters.person.itemText(i) for i in range(section.filters.person.count())]
    assert people == ["Everyone", "Dr. Helen Okafor", "Jenna Ortiz", "Marcus Bell", "Priya Raman"]
    actions = [section.filters.action.itemData(i) for i in range(section.filters.action.count())]
    assert actions[0] is None
    assert set(actions[1:]) == set(busy_env.services.audit.actions())
    labels = [section.filters.action.itemText(i) for i in range(section.filters.action.count())]
    assert "Added a staff member" in labels
    assert not section.filters.start.isVisibleTo(section)
    section.filters.select_period(Period.CUSTOM)
    assert section.filters.start.isVisibleTo(section)


def test_period_bounds_are_whole_days_in_the_practice_zone() -> None:
    today = date(2026, 11, 2)
    assert period_bounds(Period.ANY, today, today, today, CHICAGO) == (None, None)
    since, until = period_bounds(Period.WEEK, today, today, today, CHICAGO)
    assert since == datetime(2026, 10, 27, tzinfo=CHICAGO)
    assert until == datetime(2026, 11, 3, tzinfo=CHICAGO)
    since, until = period_bounds(
        Period.CUSTOM, today, date(2026, 10, 5), date(2026, 10, 1), CHICAGO
    )
    assert (since, until) == (
        datetime(2026, 10, 1, tzinfo=CHICAGO),
        datetime(2026, 10, 6, tzinfo=CHICAGO),
    )


def test_audit_model_passes_the_model_tester(qtmodeltester: object, busy_env: PageEnv) -> None:
    events, count = busy_env.services.audit.query(busy_env.staff.admin, AuditQuery(limit=PAGE_SIZE))
    model = AuditModel()
    asked: list[int] = []
    model.more_wanted.connect(asked.append)
    model.reset(events, count, CHICAGO, {busy_env.staff.front_desk.id: "Jenna Ortiz"})
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    model.fetchMore(QModelIndex())
    assert asked[-1] == PAGE_SIZE
    more, _ = busy_env.services.audit.query(
        busy_env.staff.admin, AuditQuery(offset=PAGE_SIZE, limit=PAGE_SIZE)
    )
    model.append_page(PAGE_SIZE, more)
    assert model.loaded == 2 * PAGE_SIZE
    model.append_page(0, more)  # a stale page is ignored
    assert model.loaded == 2 * PAGE_SIZE
    assert model.index(0, AuditColumn.TIME).data(ItemRole.SORT) == events[0].seq
    assert model.index(0, AuditColumn.TIME).data().startswith("11/2/26")


def test_every_audit_action_core_writes_is_worded() -> None:
    """The audit viewer words each action; a new one in core without words shows its code."""
    import re
    from pathlib import Path

    from core.composer.model import ACTIONS
    from gui.settings.messages import action_label

    root = Path(__file__).resolve().parents[2] / "core"
    pattern = re.compile(
        r'"((?:session|staff|settings|backup|security|post|patient|consent|account)'
        r'\.[a-z_]+)"'
    )
    written = {m for path in root.rglob("*.py") for m in pattern.findall(path.read_text())}
    written |= {f"post.{action}" for action in ACTIONS.values()}
    today_keys = {"backup.stale", "consent.expiring"}  # Today item keys, not audit actions
    written = {code for code in written - today_keys if not code.startswith("post.review")}
    assert "post.approve" in written
    assert "consent.revoke" in written
    assert sorted(code for code in written if action_label(code) == code) == []


@pytest.mark.parametrize(
    ("kind", "ident", "label"),
    [
        ("image", "12", "Photo #12"),
        ("patient", "7", "Patient #7"),
        ("redemption", "3", "Reward request #3"),
        ("authorization", "40", "Consent #40"),
        ("something_new", "5", "something_new 5"),
    ],
)
def test_every_record_kind_is_named_by_number(kind: str, ident: str, label: str) -> None:
    """The audit viewer names records by kind and number, never by a patient's name."""
    from core.audit.model import AuditEvent
    from gui.settings.messages import record_label

    event = AuditEvent(
        1, datetime(2026, 11, 2, tzinfo=UTC), 1, "Jenna", "x.y", kind, ident, "", "", ""
    )
    assert record_label(event, {}) == label
