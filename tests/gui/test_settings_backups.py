"""Settings → Backups and About."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from core.backup.model import BackupInfo
from core.clock import ManualClock
from gui.hub import SignalHub
from gui.settings.about import AboutSection
from gui.settings.backups import BackupsSection
from gui.settings.dialogs import RestoreDialog
from gui.settings.models import BackupColumn, BackupModel, ItemRole
from gui.settings.page import SettingsPage
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, build_env, open_section


def backups_section(qtbot: QtBot, page: SettingsPage) -> BackupsSection:
    return open_section(qtbot, page, "backups", BackupsSection)


def test_backup_model_passes_the_model_tester(
    qtmodeltester: object, env: PageEnv, clock: ManualClock
) -> None:
    infos = [
        BackupInfo("b-2", clock.now(), 3 * 1024 * 1024, False),
        BackupInfo("b-1", clock.now() - timedelta(days=1), 2048, True),
    ]
    model = BackupModel()
    model.set_backups(infos, ZoneInfo("America/Chicago"))
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    assert model.index(0, BackupColumn.SIZE).data() == "3.00 MiB"
    assert model.index(0, BackupColumn.KIND).data() == "A person (Back up now)"
    assert model.index(1, BackupColumn.KIND).data() == "Daily schedule"
    assert model.index(1, BackupColumn.WHEN).data(ItemRole.ITEM) == infos[1]
    assert model.index(0, BackupColumn.WHEN).data() == "Monday, November 2, 2026 3:00\u202fAM"


def test_back_up_now_adds_a_backup(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub
) -> None:
    page.set_user(env.staff.manager)
    section = backups_section(qtbot, page)
    assert section.model.rowCount() == 0
    assert not section.empty_label.isHidden()
    assert section.restore_button.isHidden()  # only an admin restores
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "backups"
    ):
        section.backup_button.click()
    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=5000)
    assert section.notice_text().startswith("Backup made (")
    assert section.empty_label.isHidden()
    assert env.backups is not None
    assert [b.automatic for b in env.backups.backups] == [False]


def test_restore_asks_first_then_signs_everyone_out(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert env.services.backups is not None
    assert env.backups is not None
    made = env.services.backups.back_up_now(env.staff.admin)
    page.set_user(env.staff.admin)
    section = backups_section(qtbot, page)
    assert not section.restore_button.isEnabled()
    section.table.selectRow(0)
    assert section.restore_button.isEnabled()

    asked: list[str] = []

    def decline(parent: object, when: str) -> bool:
        asked.append(when)
        return False

    monkeypatch.setattr(RestoreDialog, "ask", decline)
    section.restore_button.click()
    assert asked == [section.model.when_text(made)]
    assert env.backups.restored == []

    monkeypatch.setattr(RestoreDialog, "ask", lambda parent, when: True)
    areas: list[str] = []
    hub.data_changed.connect(areas.append)
    # "restored" is the window's cue to sign everyone out (tested in test_window).
    with qtbot.waitSignal(
        hub.data_changed, timeout=5000, check_params_cb=lambda area: area == "restored"
    ):
        section.restore_button.click()
    assert env.backups.restored == [made.name]
    assert "restored" in areas


def test_restore_dialog_says_what_happens(qtbot: QtBot) -> None:
    dialog = RestoreDialog("11/2/26 3:00 AM")
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "replaced by the backup from 11/2/26 3:00 AM" in texts
    assert "safety backup" in texts
    assert "signed out" in texts


def test_automatic_backup_settings_are_saved(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.admin)
    section = backups_section(qtbot, page)
    assert section.automatic.isChecked()
    assert section.keep_days.value() == 14
    section.keep_days.setValue(30)
    section.save_button.click()
    qtbot.waitUntil(lambda: section.notice_text() == "Backup settings are saved.", timeout=5000)
    section.automatic.setChecked(False)
    assert not section.keep_days.isEnabled()
    section.save_button.click()
    qtbot.waitUntil(
        lambda: not env.services.practice.settings().value.automatic_backups, timeout=5000
    )
    saved = env.services.practice.settings().value
    assert saved.backup_keep_days == 30
    assert saved.auto_lock_minutes == 5  # untouched


def test_a_shared_server_is_backed_up_by_its_administrator(
    qtbot: QtBot, clock: ManualClock, hub: SignalHub, runner: TaskRunner
) -> None:
    env = build_env(clock, backups=False)
    settings = SettingsPage(env.services, hub, runner)
    qtbot.addWidget(settings)
    settings.set_user(env.staff.admin)
    section = backups_section(qtbot, settings)
    assert not section.server_card.isHidden()
    assert section.list_card.isHidden()
    assert section.auto_card.isHidden()


def test_about_names_the_database_and_keychain(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    page.set_user(env.staff.front_desk)
    page.show_target("about")
    section = page.section("about")
    assert isinstance(section, AboutSection)
    qtbot.waitUntil(lambda: section.loaded, timeout=5000)
    assert section.value("version") == env.services.version
    assert section.value("database") == "SQLite file on this computer"
    assert section.value("location") == "/data/practice.db"
    assert section.value("encrypted") == "Yes (SQLCipher)"
    assert section.value("schema") == "0001"
    assert section.value("data_dir") == "/data"
    assert section.value("keyring") == "memory (tests)"
    assert section.value("qt").startswith("Qt 6.")
