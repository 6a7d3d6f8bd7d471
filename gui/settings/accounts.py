"""Settings → Accounts: the platform accounts the app publishes to by itself — connect one
(Mastodon: a server, then the browser; Bluesky: a handle and an app password; X, Facebook,
LinkedIn, Google: the practice's app registration, then the browser), reconnect one whose
sign-in ended, make one the platform's default, rename or remove one. Instagram and Threads
stay published by hand, and the section says why.

Signing in through the browser waits for the platform's redirect to 127.0.0.1 (a generator in
core, driven by the task runner) while "Continue in your browser" shows how long it still
waits and lets the person cancel. When the sign-in manages several Facebook Pages, LinkedIn
company pages or Google locations, a checklist asks which ones to connect; reconnecting an
account asks nothing (it renews that one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QWidget

from core.accounts.errors import ConnectFailed
from core.accounts.model import Account, AccountStatus
from core.app import Services
from core.connectors import manual_reasons
from core.errors import KnownError, ValidationError
from core.progress import Progress
from core.staff.model import Permission
from gui.account_errors import connect_failed_text
from gui.hub import SignalHub
from gui.settings import accounts_dialogs as dialogs
from gui.settings.accounts_model import AccountColumn, AccountsModel, platform_label
from gui.settings.messages import tr
from gui.settings.section import Section, make_table, read_only_note
from gui.style import Card, button, caption
from gui.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:  # the accounts service loads the OAuth and HTTP libraries: only on use
    from core.accounts.service import OAuthStart, SignIn

SIGN_IN_SECONDS = 300.0
"""How long the app waits for the browser to come back before giving up (5 minutes)."""


FIELD_TEXTS = {
    "label": "Give the account a name of at most 120 characters.",
    "account": "A removed account cannot receive posts; connect it again first.",
    "handle": "Enter the Bluesky handle, for example maplegrove.bsky.social.",
    "app_password": "Enter an app password made in Bluesky's settings.",
    "server": "Enter the server's address, for example mastodon.social (https:// only).",
    "client_id": "Enter the client ID of the practice's app registration.",
    "platform": "This platform does not sign in through the browser.",
    "choices": "Tick at least one of the pages or locations this sign-in offers.",
}
"""What to fix when core refuses an account field (``ValidationError.params['field']``)."""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def open_in_browser(url: str) -> bool:
    """Open ``url`` in the system browser (a seam: tests simulate the browser here)."""
    return QDesktopServices.openUrl(QUrl(url))


class AccountsSection(Section):
    """The connected accounts per platform, with Connect…, Reconnect…, Make default, Rename…
    and Remove…; read-only for roles without ``EDIT_SETTINGS``.

    Signals: none of its own; emits ``hub.data_changed("accounts")`` after a change.
    """

    key = "accounts"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Accounts"),
            intro=tr(
                "The platform accounts the app publishes to by itself. Posts for a platform go "
                "to its default account; connect several for several locations. The sign-ins "
                "stay in this computer's keychain, never in the practice data."
            ),
            parent=parent,
        )
        self.model = AccountsModel(self)
        self.waiting: dialogs.BrowserWait | None = None
        self._wait_handle: TaskHandle | None = None
        self._select_after_load: int | None = None
        self._platform = ""
        """The platform being connected (its name words a failure)."""
        self.busy = False

        self.list_card = Card(tr("Connected accounts"))
        self.connect_button = button(tr("Connect an account…"), "plus", "primary")
        self.list_card.header.addWidget(self.connect_button)
        self.table = make_table(self.model, 200)
        header = self.table.horizontalHeader()
        for column in AccountColumn:
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column in (AccountColumn.NAME, AccountColumn.HANDLE)
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        self.list_card.body.addWidget(self.table)
        self.empty_label = caption(
            tr(
                "No account is connected yet, so every post is published by hand. Connect one "
                "to let the app post on time by itself, even when it is closed."
            )
        )
        self.list_card.body.addWidget(self.empty_label)
        row = QHBoxLayout()
        self.reconnect_button = button(tr("Reconnect…"), "refresh")
        self.default_button = button(tr("Make default"), "check-circle")
        self.rename_button = button(tr("Rename…"), "edit")
        row.addWidget(self.reconnect_button)
        row.addWidget(self.default_button)
        row.addWidget(self.rename_button)
        row.addStretch(1)
        self.remove_button = button(tr("Remove…"), "trash", "danger")
        row.addWidget(self.remove_button)
        self.list_card.body.addLayout(row)
        self.content.addWidget(self.list_card)

        self.manual_card = Card(tr("Published by hand"))
        manual = sorted(platform_label(p) for p in manual_reasons())
        self.manual_label = caption(
            tr(
                "{platforms} only take photos from a public web address. The practice's photos "
                "stay private on this computer, so posts there are published by hand: the "
                "composer gives you the text and clean photos to post, and you paste back the "
                "link. Any platform without a connected account works the same way."
            ).format(platforms=tr("{first} and {last}").format(first=manual[0], last=manual[-1]))
            if len(manual) > 1
            else ""
        )
        self.manual_card.body.addWidget(self.manual_label)
        self.content.addWidget(self.manual_card)
        self.content.addStretch(1)

        self.connect_button.clicked.connect(self.connect_account)
        self.reconnect_button.clicked.connect(self.reconnect_selected)
        self.default_button.clicked.connect(self.make_default)
        self.rename_button.clicked.connect(self.rename_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.doubleClicked.connect(lambda _index: self._activate())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    # --- Section -----------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self.permitted(Permission.EDIT_SETTINGS)

    def apply_permissions(self) -> None:
        editable = self.editable
        for widget in (
            self.connect_button,
            self.reconnect_button,
            self.default_button,
            self.rename_button,
            self.remove_button,
        ):
            widget.setVisible(editable)
        self.show_read_only(
            None if editable or self.user is None else read_only_note(Permission.EDIT_SETTINGS)
        )
        # A sign-in in the browser belongs to whoever started it: locking or switching the
        # person ends it (results of other calls for the previous person are dropped anyway).
        self.cancel_sign_in()
        self._set_busy(False)
        if self.user is None:
            self.model.set_accounts([], self.model.zone, self.services.clock.now())
        self._update_buttons()

    def load(self) -> None:
        service, practice = self.services.accounts, self.services.practice
        now = self.services.clock.now()

        def read() -> tuple[list[Account], str, datetime]:
            # The shown status says "ends soon" a week ahead (``status_of``); these copies
            # are for showing only: actions send the account's id.
            shown = [replace(a, status=service.status_of(a, now)) for a in service.list()]
            return shown, practice.practice().value.timezone, now

        self.call(read, self._show)

    # --- internals ---------------------------------------------------------------------
    def _show(self, loaded: tuple[list[Account], str, datetime]) -> None:
        accounts, zone, now = loaded
        selected = self.selected()
        wanted = self._select_after_load or (selected.id if selected is not None else None)
        self._select_after_load = None
        self.model.set_accounts(accounts, _zone(zone), now)
        row = self.model.row_of(wanted)
        if row is not None:
            self.table.selectRow(row)
        self.empty_label.setVisible(not self.model.accounts)
        self.loaded = True

    def selected(self) -> Account | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.accounts[rows[0].row()] if rows else None

    def select_account(self, account_id: int | None) -> bool:
        """Select the account with ``account_id`` in the list (e.g. from a Today item)."""
        row = self.model.row_of(account_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _update_buttons(self) -> None:
        account = self.selected()
        idle = not self.busy
        self.connect_button.setEnabled(idle)
        self.reconnect_button.setEnabled(idle and account is not None)
        self.default_button.setEnabled(idle and account is not None and not account.is_default)
        self.rename_button.setEnabled(idle and account is not None)
        self.remove_button.setEnabled(idle and account is not None)
        self.empty_label.setVisible(not self.model.accounts)

    def _activate(self) -> None:
        account = self.selected()
        if account is not None and self.editable and account.status is not AccountStatus.CONNECTED:
            self.reconnect_selected()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    def _changed(self, text: str) -> Callable[[Any], None]:
        """On success: say ``text``, tell everyone accounts changed, reload."""

        def done(_result: object) -> None:
            self._set_busy(False)
            self.notify(text)
            self.hub.data_changed.emit("accounts")
            self.loaded = False  # until the list is read again
            self.refresh(force=True)

        return done

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._close_waiting()
        if isinstance(exc, ConnectFailed):
            if exc.reason == "cancelled":
                self.notify(tr("Connecting was cancelled. Nothing was connected."), "info")
            else:
                self.notify(connect_failed_text(exc, self._platform), "danger")
            return
        if isinstance(exc, KnownError):
            self.handle_error(exc)
            self.refresh(force=True)
            return
        self.hub.error.emit(exc)

    def handle_error(self, exc: BaseException) -> None:
        """The accounts' own fields are worded here; everything else as every section does."""
        field = str(exc.params.get("field", "")) if isinstance(exc, ValidationError) else ""
        if field in FIELD_TEXTS:
            self.notify(tr(FIELD_TEXTS[field]), "danger")
            return
        super().handle_error(exc)

    # --- connecting --------------------------------------------------------------------
    def connect_account(self) -> None:
        """Connect… : choose the platform, then that platform's way of signing in."""
        if not self.editable or self.busy:
            return
        platform = dialogs.PlatformChooser.ask(self)
        if platform is not None:
            self.connect_platform(platform)

    def reconnect_selected(self) -> None:
        """Sign in again to the selected account (same platform, same server or handle)."""
        account = self.selected()
        if account is None or not self.editable or self.busy:
            return
        self.connect_platform(account.platform, account)

    def connect_platform(self, platform: str, account: Account | None = None) -> None:
        """Sign in to ``platform``; with ``account``, as a reconnect of that account."""
        self.clear_notice()
        self._platform = platform
        if platform == "bluesky":
            self._connect_bluesky(account)
        elif platform == "mastodon":
            self._connect_mastodon(account)
        else:
            self._connect_oauth(platform, account)

    def _connect_bluesky(self, account: Account | None) -> None:
        login = dialogs.BlueskyDialog.ask(
            self,
            handle=account.handle.lstrip("@") if account else "",
            pds=account.base_url if account else "",
        )
        user = self.user
        if login is None or user is None:
            return
        service = self.services.accounts
        reconnect = account.id if account else None
        self._set_busy(True)
        self.call(
            lambda: [
                service.connect_bluesky(
                    user, login.handle, login.app_password, login.pds, reconnect=reconnect
                )
            ],
            self._connected(account),
            self._failed,
        )

    def _connect_mastodon(self, account: Account | None) -> None:
        # A reconnect goes back to the account's own server; a new account asks which.
        server = (
            account.base_url
            if account is not None and account.base_url
            else dialogs.MastodonDialog.ask(self)
        )
        user = self.user
        if server is None or user is None:
            return
        service = self.services.accounts
        reconnect = account.id if account else None
        self._set_busy(True)
        self.call(
            lambda: service.begin_mastodon(user, server, reconnect=reconnect),
            self._sign_in_in_browser,
            self._failed,
        )

    def _connect_oauth(self, platform: str, account: Account | None) -> None:
        """The practice's app registration (asked once), then the browser."""
        user = self.user
        if user is None:
            return
        service = self.services.accounts
        reconnect = account.id if account else None

        def begin() -> OAuthStart:
            return service.begin_oauth(user, platform, reconnect=reconnect)

        def registered(client: object) -> None:
            if client is not None:
                self.call(begin, self._sign_in_in_browser, self._failed)
                return
            credentials = dialogs.ClientDialog.ask(self, platform)
            if credentials is None:
                self._set_busy(False)
                return

            def store_then_begin() -> OAuthStart:
                service.set_client(user, platform, credentials.client_id, credentials.client_secret)
                return begin()

            self.call(store_then_begin, self._sign_in_in_browser, self._failed)

        self._set_busy(True)
        self.call(lambda: service.client(platform), registered, self._failed)

    def _sign_in_in_browser(self, start: OAuthStart) -> None:
        """Open the platform's sign-in page and wait (off the GUI thread) for its answer."""
        user = self.user
        if user is None:
            start.flow.close()
            return
        service = self.services.accounts
        before = (
            self.model.accounts[row]
            if (row := self.model.row_of(start.reconnect)) is not None
            else None
        )
        self.waiting = dialogs.BrowserWait(start.platform, start.url, self)
        self.waiting.cancelled.connect(self.cancel_sign_in)
        self.waiting.open()
        generation = self._generation

        def ok(signed: SignIn) -> None:
            if self._current(generation):
                self._signed_in(signed, before)

        def fail(exc: BaseException) -> None:
            if self._current(generation):
                self._failed(exc)

        def progress(step: Progress | int) -> None:
            if self._current(generation) and self.waiting is not None:
                self.waiting.show_progress(step)

        self._wait_handle = self.runner.run(
            lambda: service.sign_in(user, start, timeout=SIGN_IN_SECONDS),
            ok,
            fail,
            progress,
        )
        if not open_in_browser(start.url):
            self.waiting.status.setText(
                tr("The browser did not open. Press “Copy link” and paste it into a browser.")
            )

    def _signed_in(self, signed: SignIn, before: Account | None) -> None:
        """The browser came back: ask which pages or locations to connect when the sign-in
        offers several (not when reconnecting), then connect them off the GUI thread."""
        self._close_waiting()
        user = self.user
        if user is None:
            self._set_busy(False)
            return
        chosen = [c.remote_id for c in signed.choices]
        if signed.needs_choice:
            picked = dialogs.ChooseDialog.ask(self, signed)
            if not picked:
                self._set_busy(False)
                self.notify(tr("Connecting was cancelled. Nothing was connected."), "info")
                return
            chosen = picked
        service = self.services.accounts
        self.call(
            lambda: service.connect(user, signed, chosen), self._connected(before), self._failed
        )

    def cancel_sign_in(self) -> None:
        """Stop waiting for the browser (Cancel, signing out): the loopback port closes."""
        handle, self._wait_handle = self._wait_handle, None
        if handle is not None and not handle.done:
            handle.cancel()
            self.notify(tr("Connecting was cancelled. Nothing was connected."), "info")
        self._close_waiting()
        self._set_busy(False)

    def _close_waiting(self) -> None:
        waiting, self.waiting = self.waiting, None
        self._wait_handle = None
        if waiting is not None:
            waiting.finish()
            waiting.deleteLater()

    def _connected(self, before: Account | None) -> Callable[[list[Account]], None]:
        def done(accounts: list[Account]) -> None:
            self._close_waiting()
            self._select_after_load = accounts[0].id if accounts else None
            self._changed(self._connected_text(before, accounts))(accounts)

        return done

    @staticmethod
    def _connected_text(before: Account | None, accounts: list[Account]) -> str:
        name = platform_label(accounts[0].platform) if accounts else ""
        if len(accounts) > 1:
            default = next((a for a in accounts if a.is_default), None)
            text = tr("{n} {platform} accounts are connected.").format(
                n=len(accounts), platform=name
            )
            if default is not None:
                text += " " + tr("Posts to {platform} go to “{label}”.").format(
                    platform=name, label=default.label
                )
            return text
        account = accounts[0]
        if before is not None:
            text = tr("{platform} “{label}” is reconnected.")
        elif account.is_default:
            text = tr("{platform} “{label}” is connected: posts to {platform} go out here.")
        else:
            text = tr(
                "{platform} “{label}” is connected. Posts to {platform} still go to the "
                "default account; press “Make default” to change that."
            )
        return text.format(platform=name, label=account.label)

    # --- the other actions -------------------------------------------------------------
    def make_default(self) -> None:
        account, user = self.selected(), self.user
        if account is None or account.id is None or user is None or account.is_default:
            return
        service, account_id = self.services.accounts, account.id
        self.clear_notice()
        self._set_busy(True)
        text = tr("Posts to {platform} now go to “{label}”.").format(
            platform=platform_label(account.platform), label=account.label
        )
        self.call(lambda: service.set_default(user, account_id), self._changed(text), self._failed)

    def rename_selected(self) -> None:
        account, user = self.selected(), self.user
        if account is None or account.id is None or user is None:
            return
        label = dialogs.RenameDialog.ask(self, account)
        if label is None or label == account.label:
            return
        service, account_id = self.services.accounts, account.id
        self.clear_notice()
        self._set_busy(True)
        text = tr("The account is now called “{label}”.").format(label=label)
        self.call(
            lambda: service.rename(user, account_id, label), self._changed(text), self._failed
        )

    def remove_selected(self) -> None:
        account, user = self.selected(), self.user
        if account is None or account.id is None or user is None:
            return
        if not dialogs.RemoveDialog.ask(self, account):
            return
        service, account_id = self.services.accounts, account.id
        self.clear_notice()
        self._set_busy(True)
        text = tr("“{label}” was removed; the app no longer posts to it.").format(
            label=account.label
        )
        self.call(lambda: service.remove(user, account_id), self._changed(text), self._failed)
