"""Settings → Staff: the admin's staff list, the last-admin rule, and changing PINs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from core.demo import DEMO_PIN
from core.errors import WrongPin
from core.staff.model import Role, StaffMember
from gui.hub import SignalHub
from gui.settings.dialogs import PinChange, PinDialog, StaffDialog, StaffDraft, new_pin_problem
from gui.settings.models import ItemRole, StaffColumn, StaffModel
from gui.settings.page import SettingsPage
from gui.settings.staff import StaffSection
from tests.gui.page_env import PageEnv, open_section


def staff_section(qtbot: QtBot, page: SettingsPage, user: StaffMember) -> StaffSection:
    page.set_user(user)
    return open_section(qtbot, page, "staff", StaffSection)


def names(section: StaffSection) -> list[str]:
    return [section.model.member(r).display_name for r in range(section.model.rowCount())]


def select(section: StaffSection, name: str) -> None:
    section.table.selectRow(names(section).index(name))


def test_staff_model_passes_the_model_tester(qtmodeltester: object, env: PageEnv) -> None:
    model = StaffModel()
    model.set_staff(env.services.staff.list(include_inactive=True))
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    row = names_of(model).index("Jenna Ortiz")
    assert model.index(row, StaffColumn.ROLE).data() == "Front desk"
    assert model.index(row, StaffColumn.STATUS).data() == "Yes"
    assert model.index(row, StaffColumn.NAME).data(ItemRole.ITEM) == env.staff.front_desk
    assert model.index(row, StaffColumn.NAME).data(ItemRole.SORT) == "jenna ortiz"


def names_of(model: StaffModel) -> list[str]:
    return [model.member(r).display_name for r in range(model.rowCount())]


def test_admin_adds_a_person(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = staff_section(qtbot, page, env.staff.admin)
    assert names(section) == ["Dr. Helen Okafor", "Jenna Ortiz", "Marcus Bell", "Priya Raman"]
    monkeypatch.setattr(
        StaffDialog,
        "ask",
        lambda parent, member=None: StaffDraft("Sam Lee", Role.FRONT_DESK, True, "3579"),
    )
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "staff"
    ):
        section.add_button.click()
    qtbot.waitUntil(lambda: "Sam Lee" in names(section), timeout=5000)
    assert section.notice_text() == "Sam Lee was added. They can sign in now."
    sam = next(m for m in env.services.staff.list() if m.display_name == "Sam Lee")
    assert env.services.staff.sign_in(sam.id, "3579") == sam


def test_cancelled_dialog_changes_nothing(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = staff_section(qtbot, page, env.staff.admin)
    monkeypatch.setattr(StaffDialog, "ask", lambda parent, member=None: None)
    section.add_button.click()
    select(section, "Jenna Ortiz")
    section.edit_button.click()
    assert len(env.services.staff.list()) == 4
    assert section.notice_text() == ""


def test_admin_renames_changes_role_and_deactivates(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = staff_section(qtbot, page, env.staff.admin)
    assert not section.edit_button.isEnabled()
    select(section, "Jenna Ortiz")
    assert section.edit_button.isEnabled()
    monkeypatch.setattr(
        StaffDialog,
        "ask",
        lambda parent, member=None: StaffDraft("Jenna Ortiz-Reyes", Role.APPROVER, True),
    )
    section.edit_button.click()
    qtbot.waitUntil(lambda: "Jenna Ortiz-Reyes" in names(section), timeout=5000)
    jenna = env.services.staff.list()[names(section).index("Jenna Ortiz-Reyes")]
    assert jenna.role is Role.APPROVER

    select(section, "Jenna Ortiz-Reyes")
    monkeypatch.setattr(
        StaffDialog,
        "ask",
        lambda parent, member=None: StaffDraft("Jenna Ortiz-Reyes", Role.APPROVER, False),
    )
    section.edit_button.click()
    row = names(section).index("Jenna Ortiz-Reyes")
    qtbot.waitUntil(
        lambda: section.model.index(row, StaffColumn.STATUS).data() == "No (deactivated)",
        timeout=5000,
    )
    assert "Jenna Ortiz-Reyes" not in [m.display_name for m in env.services.staff.list()]

    select(section, "Jenna Ortiz-Reyes")
    monkeypatch.setattr(
        StaffDialog,
        "ask",
        lambda parent, member=None: StaffDraft("Jenna Ortiz-Reyes", Role.APPROVER, True),
    )
    section.edit_button.click()
    qtbot.waitUntil(
        lambda: "Jenna Ortiz-Reyes" in [m.display_name for m in env.services.staff.list()],
        timeout=5000,
    )


def test_the_last_admin_cannot_be_demoted(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = staff_section(qtbot, page, env.staff.admin)
    select(section, "Priya Raman")
    monkeypatch.setattr(
        StaffDialog,
        "ask",
        lambda parent, member=None: StaffDraft("Priya Raman", Role.FRONT_DESK, True),
    )
    section.edit_button.click()
    qtbot.waitUntil(lambda: "at least one active admin" in section.notice_text(), timeout=5000)
    assert "Make someone else an admin first" in section.notice_text()
    assert env.services.staff.list()[3].role is Role.ADMIN


def test_admin_resets_someone_elses_pin(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = staff_section(qtbot, page, env.staff.admin)
    select(section, "Marcus Bell")
    asked: list[tuple[str, bool]] = []

    def ask(parent: object, title: str, intro: str = "", need_current: bool = True) -> PinChange:
        asked.append((title, need_current))
        return PinChange("8642")

    monkeypatch.setattr(PinDialog, "ask", ask)
    section.reset_button.click()
    qtbot.waitUntil(
        lambda: section.notice_text() == "The PIN for Marcus Bell was reset.", timeout=5000
    )
    assert asked == [("Reset PIN for Marcus Bell", False)]
    assert env.services.staff.sign_in(env.staff.manager.id, "8642") == env.staff.manager


def test_front_desk_changes_their_own_pin(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = staff_section(qtbot, page, env.staff.front_desk)
    assert section.list_card.isHidden()
    assert section.note.text_label.text().startswith("Only an admin can add people")
    assert section.model.rowCount() == 0
    monkeypatch.setattr(
        PinDialog,
        "ask",
        lambda parent, title, intro="", need_current=True: PinChange("1357", "0000"),
    )
    section.change_pin_button.click()
    qtbot.waitUntil(lambda: "not right" in section.notice_text(), timeout=5000)
    with pytest.raises(WrongPin):
        env.services.staff.sign_in(env.staff.front_desk.id, "1357")

    monkeypatch.setattr(
        PinDialog,
        "ask",
        lambda parent, title, intro="", need_current=True: PinChange("1357", DEMO_PIN),
    )
    section.change_pin_button.click()
    qtbot.waitUntil(lambda: section.notice_text().startswith("Your PIN is changed"), timeout=5000)
    assert env.services.staff.sign_in(env.staff.front_desk.id, "1357") == env.staff.front_desk


def test_pin_rules_are_checked_in_the_dialog(qtbot: QtBot) -> None:
    assert new_pin_problem("1234", "1234") is not None  # a simple run
    assert new_pin_problem("12", "12") is not None
    assert (
        new_pin_problem("7391", "7390") == "The two PINs are not the same. Type the new PIN twice."
    )
    assert new_pin_problem("7391", "7391") is None
    dialog = StaffDialog()
    qtbot.addWidget(dialog)
    dialog.name.setText("Ana Ruiz")
    dialog.pin.setText("1111")
    dialog.confirm.setText("1111")
    dialog.ok_button.click()
    assert not dialog.error.isHidden()
    assert dialog.result() == 0
    dialog.pin.setText("7391")
    dialog.confirm.setText("7391")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.DOCTOR))
    dialog.ok_button.click()
    assert dialog.result() == 1
    assert dialog.draft() == StaffDraft("Ana Ruiz", Role.DOCTOR, True, "7391")


def test_a_conflicting_staff_edit_is_reported_and_reloaded(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = staff_section(qtbot, page, env.staff.admin)
    select(section, "Jenna Ortiz")
    # Meanwhile, on another workstation, Jenna is renamed.
    env.services.staff.update(
        env.staff.admin, replace(env.staff.front_desk, display_name="Jenna Ortiz-Reyes")
    )
    monkeypatch.setattr(
        StaffDialog,
        "ask",
        lambda parent, member=None: StaffDraft("Jenna O.", Role.FRONT_DESK, True),
    )
    section.edit_button.click()
    qtbot.waitUntil(lambda: "Someone else saved" in section.notice_text(), timeout=5000)
    qtbot.waitUntil(lambda: "Jenna Ortiz-Reyes" in names(section), timeout=5000)
    assert "Jenna O." not in [m.display_name for m in env.services.staff.list()]
