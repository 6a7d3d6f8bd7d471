"""Settings → Accounts' dialogs: which platform to connect, a Mastodon server, a Bluesky handle
and app password, the practice's own app registration for an OAuth platform, which of the
sign-in's pages or locations to connect, a new name, and removing an account; plus the
"Continue in your browser" window shown while the sign-in waits.

The asking dialogs expose ``ask(parent, ...) -> result | None`` (``None``: cancelled), so the
section's tests stub ``ask`` instead of clicking through a blocking ``exec()``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.accounts.model import Account
from core.progress import Progress
from gui.settings.accounts_model import platform_label
from gui.settings.dialogs import _FormDialog
from gui.settings.messages import tr
from gui.style import Banner, button, caption, heading

if TYPE_CHECKING:  # the accounts service loads the OAuth and HTTP libraries: only on use
    from core.accounts.service import Choice, SignIn

API_PLATFORMS = ("mastodon", "bluesky", "x", "facebook", "linkedin", "gbp")
"""Platforms the app publishes to through their API once an account is connected, in the
order the chooser lists them."""

OAUTH_PLATFORMS = frozenset({"x", "facebook", "linkedin", "gbp"})
"""Platforms connected by signing in through the practice's own app registration."""

MAX_LABEL = 80
"""The longest account name (what people see in lists and on Today)."""
BLUESKY_APP_PASSWORDS = "https://bsky.app/settings/app-passwords"
DEFAULT_PDS = "https://bsky.social"
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}(-[a-z0-9]{4}){3}$")
"""Bluesky's app passwords are four groups of four lower-case letters and digits."""
HANDLE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

DEVELOPER_SITES = {
    "x": "https://developer.x.com/en/portal/dashboard",
    "facebook": "https://developers.facebook.com/apps/",
    "linkedin": "https://www.linkedin.com/developers/apps",
    "gbp": "https://console.cloud.google.com/apis/credentials",
}
"""Where the practice registers its own app with each OAuth platform (client ID and secret)."""


def platform_blurb(platform: str) -> str:
    """One line under the platform's name in the chooser: what connecting it needs."""
    return {
        "mastodon": tr("Your server's address (e.g. mastodon.social), then sign in there."),
        "bluesky": tr("The practice's handle and an app password made for this app."),
        "x": tr("Sign in in your browser, with the practice's X developer app."),
        "facebook": tr("A Facebook Page the practice manages; sign in in your browser."),
        "linkedin": tr("The practice's LinkedIn company page; sign in in your browser."),
        "gbp": tr("A Google Business Profile location: posts, and replies to reviews."),
    }.get(platform, "")


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_address(text: str) -> tuple[str | None, str]:
    """The normalised server address (``https://host[:port]``) from what someone typed — a
    name like ``mastodon.social``, a full address, or their own ``@name@server`` — or
    ``(None, why)``. Plain ``http://`` is refused except on this computer (a test server):
    the sign-in must not cross the network unencrypted."""
    text = text.strip()
    if text.startswith("@") or ("@" in text and "://" not in text):
        text = text.rsplit("@", 1)[-1]
    if not text:
        return None, tr("Enter the server's address, for example mastodon.social.")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None, tr("That is not a web address. Enter one like mastodon.social.")
    host = (parts.hostname or "").lower()
    if any(c.isspace() for c in text) or not host or ("." not in host and not _is_local(host)):
        return None, tr("That is not a web address. Enter one like mastodon.social.")
    if parts.scheme not in ("https", "http"):
        return None, tr("Use the server's https:// address.")
    if parts.scheme == "http" and not _is_local(host):
        return None, tr("Use the server's https:// address: the sign-in must be encrypted.")
    netloc = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{netloc}", ""


@dataclass(frozen=True, slots=True)
class BlueskyLogin:
    """What the Bluesky dialog collected; ``app_password`` goes to the keyring only."""

    handle: str
    app_password: str
    pds: str = DEFAULT_PDS

    def __repr__(self) -> str:
        return f"BlueskyLogin(handle={self.handle!r}, app_password=<redacted>, pds={self.pds!r})"


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The practice's own app registration with an OAuth platform; kept in the keyring."""

    client_id: str
    client_secret: str = ""

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=<redacted>)"


def bluesky_problem(handle: str, app_password: str, pds: str) -> str | None:
    """Why the Bluesky form cannot be sent, worded, or ``None``."""
    name = handle.strip().lstrip("@").lower()
    if not name:
        return tr("Enter the practice's Bluesky handle, for example maplegrove.bsky.social.")
    if not (name.startswith("did:") or HANDLE.match(name)):
        return tr("A handle looks like maplegrove.bsky.social (or the practice's own domain).")
    if not app_password.strip():
        return tr("Enter an app password. Create one in Bluesky under Settings → App passwords.")
    if not APP_PASSWORD.match(app_password.strip()):
        return tr(
            "That is not an app password (they look like abcd-efgh-ijkl-mnop). Do not use the "
            "account's own password: create an app password in Bluesky's settings."
        )
    address, why = server_address(pds or DEFAULT_PDS)
    if address is None:
        return why
    return None


class PlatformChooser(QDialog):
    """Pick the platform to connect; Instagram and Threads are explained, not offered.

    Signals: QDialog's.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Connect an account"))
        self.setMinimumWidth(560)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(10)
        column.addWidget(heading(tr("Connect an account"), 2))
        column.addWidget(caption(tr("Which platform should the app publish to?")))
        self.group = QButtonGroup(self)
        self.options: dict[str, QRadioButton] = {}
        for index, platform in enumerate(API_PLATFORMS):
            option = QRadioButton(platform_label(platform))
            self.group.addButton(option, index)
            self.options[platform] = option
            column.addWidget(option)
            blurb = caption(platform_blurb(platform), wrap=False)
            blurb.setContentsMargins(26, 0, 0, 4)
            column.addWidget(blurb)
        self.options[API_PLATFORMS[0]].setChecked(True)
        self.manual_note = Banner(
            tr(
                "Instagram and Threads are published by hand: they only take photos from a "
                "public web address, and the app keeps photos on this computer."
            ),
            "info",
        )
        # Wrapped text gets its height from the width: keep the note's two lines whole.
        self.manual_note.setMinimumHeight(self.manual_note.heightForWidth(512))
        column.addWidget(self.manual_note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.next_button = button(tr("Next"), kind="primary")
        buttons.addButton(self.next_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def platform(self) -> str:
        return API_PLATFORMS[self.group.checkedId()]

    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        dialog = cls(parent)
        return dialog.platform() if dialog.exec() == QDialog.DialogCode.Accepted else None


class MastodonDialog(_FormDialog):
    """The Mastodon server the practice's account lives on. Signals: QDialog's."""

    def __init__(self, server: str = "", parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Connect Mastodon"),
            tr(
                "Enter the server the practice's account is on. The app registers itself "
                "there, then your browser opens so you can sign in and allow it to post."
            ),
            tr("Continue"),
            parent,
        )
        self.server = QLineEdit(server)
        self.server.setPlaceholderText("mastodon.social")
        self.form.addRow(tr("Server"), self.server)

    def problem(self) -> str | None:
        address, why = server_address(self.server.text())
        return why if address is None else None

    def address(self) -> str:
        address, _why = server_address(self.server.text())
        assert address is not None
        return address

    @classmethod
    def ask(cls, parent: QWidget | None, server: str = "") -> str | None:
        dialog = cls(server, parent)
        return dialog.address() if dialog.exec() == QDialog.DialogCode.Accepted else None


class BlueskyDialog(_FormDialog):
    """A Bluesky handle and an app password (never the account's own password).

    Signals: QDialog's.
    """

    def __init__(self, handle: str = "", pds: str = "", parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Connect Bluesky"),
            tr(
                "Bluesky lets apps post with an app password, which you can revoke at any time "
                "without changing the account's own password."
            ),
            tr("Connect"),
            parent,
        )
        self.handle = QLineEdit(handle)
        self.handle.setPlaceholderText("maplegrove.bsky.social")
        self.form.addRow(tr("Handle"), self.handle)
        self.app_password = QLineEdit()
        self.app_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.app_password.setPlaceholderText("xxxx-xxxx-xxxx-xxxx")
        self.form.addRow(tr("App password"), self.app_password)
        self.link = QLabel(
            tr(
                '<a href="{url}">Create an app password</a> (Settings → Privacy and security → '
                "App passwords)."
            ).format(url=BLUESKY_APP_PASSWORDS)
        )
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setOpenExternalLinks(True)
        self.link.setWordWrap(True)
        self.form.addRow("", self.link)
        self.pds = QLineEdit(pds or DEFAULT_PDS)
        self.pds.setToolTip(tr("Change only if the account lives on its own server (PDS)."))
        self.form.addRow(tr("Server"), self.pds)

    def problem(self) -> str | None:
        return bluesky_problem(self.handle.text(), self.app_password.text(), self.pds.text())

    def login(self) -> BlueskyLogin:
        pds, _why = server_address(self.pds.text() or DEFAULT_PDS)
        return BlueskyLogin(
            self.handle.text().strip().lstrip("@").lower(),
            self.app_password.text().strip(),
            pds or DEFAULT_PDS,
        )

    @classmethod
    def ask(cls, parent: QWidget | None, handle: str = "", pds: str = "") -> BlueskyLogin | None:
        dialog = cls(handle, pds, parent)
        return dialog.login() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ClientDialog(_FormDialog):
    """The practice's own app registration (client ID, and secret when the platform gave
    one) for an OAuth platform, asked once; it is kept in the keychain. Signals: QDialog's."""

    def __init__(self, platform: str, parent: QWidget | None = None) -> None:
        name = platform_label(platform)
        super().__init__(
            tr("{platform}: the practice's app").format(platform=name),
            tr(
                "{platform} lets an app post only through an app registered by the account's "
                "owner. Register one in {platform}'s developer site with the redirect address "
                "http://127.0.0.1 and paste its client ID (and secret, if it has one) here. "
                "This is asked once; the keychain keeps them."
            ).format(platform=name),
            tr("Continue"),
            parent,
        )
        self.client_id = QLineEdit()
        self.form.addRow(tr("Client ID"), self.client_id)
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.setPlaceholderText(tr("If the platform gave one"))
        self.form.addRow(tr("Client secret"), self.client_secret)
        site = DEVELOPER_SITES.get(platform)
        if site:
            link = QLabel(
                tr('<a href="{url}">Open {platform}\'s developer site</a>').format(
                    url=site, platform=name
                )
            )
            link.setTextFormat(Qt.TextFormat.RichText)
            link.setOpenExternalLinks(True)
            self.form.addRow("", link)

    def problem(self) -> str | None:
        text = self.client_id.text().strip()
        if not text:
            return tr("Enter the client ID of the practice's app.")
        if any(c.isspace() for c in text):
            return tr("A client ID has no spaces; copy it again from the developer site.")
        return None

    def credentials(self) -> ClientCredentials:
        return ClientCredentials(self.client_id.text().strip(), self.client_secret.text().strip())

    @classmethod
    def ask(cls, parent: QWidget | None, platform: str) -> ClientCredentials | None:
        dialog = cls(platform, parent)
        return dialog.credentials() if dialog.exec() == QDialog.DialogCode.Accepted else None


def choice_question(platform: str) -> str:
    """The checklist's question, in the platform's own words for what it offers."""
    return {
        "facebook": tr("Which Facebook Pages should the app post to?"),
        "linkedin": tr("Which LinkedIn company pages should the app post to?"),
        "gbp": tr("Which Google Business Profile locations should the app post to?"),
    }.get(platform, tr("Which accounts should the app post to?"))


def choice_text(choice: Choice) -> str:
    """One line of the checklist: the name, the handle when it says more, and whether it is
    already connected (connecting it again renews its sign-in)."""
    text = choice.label
    if choice.handle and choice.handle != choice.label:
        text = tr("{label} ({handle})").format(label=text, handle=choice.handle)
    if choice.connected:
        text = tr("{text} — already connected; its sign-in is renewed").format(text=text)
    return text


class ChooseDialog(QDialog):
    """The pages, organizations or locations one sign-in may post as, as a checklist: the
    person ticks the ones the practice posts to. Already connected ones start ticked (their
    sign-in is renewed); nothing else does. "Connect" needs at least one tick.

    Signals: QDialog's.
    """

    def __init__(self, sign_in: SignIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sign_in = sign_in
        name = platform_label(sign_in.platform)
        self.setWindowTitle(tr("Connect {platform}").format(platform=name))
        self.setMinimumWidth(520)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(10)
        column.addWidget(heading(choice_question(sign_in.platform), 2))
        column.addWidget(
            caption(
                tr(
                    "This sign-in manages {n} of them. Tick the ones that belong to the "
                    "practice; the others stay untouched. You can connect more later."
                ).format(n=len(sign_in.choices))
            )
        )
        self.list = QListWidget()
        for choice in sign_in.choices:
            item = QListWidgetItem(choice_text(choice))
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            item.setCheckState(
                Qt.CheckState.Checked if choice.connected else Qt.CheckState.Unchecked
            )
            item.setData(Qt.ItemDataRole.UserRole, choice.remote_id)
            self.list.addItem(item)
        column.addWidget(self.list)
        self.hint = caption(tr("Tick at least one to connect."))
        column.addWidget(self.hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = button(tr("Connect"), kind="primary")
        buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.list.itemChanged.connect(lambda _item: self._update())
        self.list.itemActivated.connect(self._toggle)
        self._update()

    def chosen(self) -> list[str]:
        """The ticked remote ids, in the order offered."""
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.list.item(row) for row in range(self.list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, remote_id: str, checked: bool) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == remote_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _toggle(self, item: QListWidgetItem) -> None:
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _update(self) -> None:
        some = bool(self.chosen())
        self.connect_button.setEnabled(some)
        self.hint.setVisible(not some)

    def accept(self) -> None:
        if self.chosen():
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, sign_in: SignIn) -> list[str] | None:
        """The remote ids to connect, or ``None`` when the person cancelled."""
        dialog = cls(sign_in, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


class RenameDialog(_FormDialog):
    """A new name for an account, as the practice calls it. Signals: QDialog's."""

    def __init__(self, account: Account, parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Rename account"),
            tr("The name everyone here sees, e.g. the location: “Maple Grove – Main St”."),
            tr("Save"),
            parent,
        )
        self.name = QLineEdit(account.label)
        self.name.setMaxLength(MAX_LABEL)
        self.form.addRow(tr("Name"), self.name)

    def problem(self) -> str | None:
        return None if self.name.text().strip() else tr("Enter a name for the account.")

    @classmethod
    def ask(cls, parent: QWidget | None, account: Account) -> str | None:
        dialog = cls(account, parent)
        return dialog.name.text().strip() if dialog.exec() == QDialog.DialogCode.Accepted else None


class RemoveDialog(QDialog):
    """Says what removing an account does before it happens. Signals: QDialog's."""

    def __init__(self, account: Account, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name = platform_label(account.platform)
        self.setWindowTitle(tr("Remove account"))
        self.setMinimumWidth(460)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(12)
        column.addWidget(
            heading(
                tr("Remove “{label}” ({platform})?").format(label=account.label, platform=name), 2
            )
        )
        for line in (
            tr("The app forgets its sign-in to this account and can no longer post there."),
            tr(
                "Posts already published stay on {platform}, and their history stays here. "
                "Scheduled posts for {platform} wait until another account is connected, or "
                "can be published by hand."
            ).format(platform=name),
            tr(
                "To cut the app off on {platform}'s side too, remove its access in the "
                "account's settings there."
            ).format(platform=name),
        ):
            column.addWidget(caption(line))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.remove_button = button(tr("Remove"), "trash", "danger")
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, account: Account) -> bool:
        """``True`` when the person confirmed."""
        return cls(account, parent).exec() == QDialog.DialogCode.Accepted


class BrowserWait(QDialog):
    """ "Continue in your browser": shown while the app waits for the platform to send the
    sign-in back (the loopback redirect), with how long it still waits, the page's link to
    open again or copy, and Cancel.

    Signals:
        cancelled(): the person gave up (Cancel, Escape or closing the window).
    """

    cancelled = Signal()

    def __init__(self, platform: str, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self._finished = False
        name = platform_label(platform)
        self.setWindowTitle(tr("Continue in your browser"))
        self.setMinimumWidth(480)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(12)
        column.addWidget(heading(tr("Continue in your browser"), 2))
        column.addWidget(
            caption(
                tr(
                    "A {platform} page opened in your web browser. Sign in there with the "
                    "practice's account and allow Front Desk Social to post. Come back here "
                    "afterwards: this window closes by itself."
                ).format(platform=name)
            )
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        column.addWidget(self.progress)
        self.status = caption(tr("Waiting for {platform}…").format(platform=name))
        column.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.open_button = button(tr("Open the page again"), kind="ghost")
        self.copy_button = button(tr("Copy link"), "copy", kind="ghost")
        self.cancel_button = button(tr("Cancel"))
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self.open_page)
        self.copy_button.clicked.connect(self.copy_link)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def open_page(self) -> None:
        QDesktopServices.openUrl(QUrl(self.url))

    def copy_link(self) -> None:
        QGuiApplication.clipboard().setText(self.url)
        self.copy_button.setText(tr("Copied"))

    def show_progress(self, step: Progress | int) -> None:
        """What the waiting sign-in reported: seconds waited of how many, and a label."""
        if not isinstance(step, Progress):
            return
        if step.total:
            self.progress.setRange(0, step.total)
            self.progress.setValue(min(step.done, step.total))
            left = max(0, step.total - step.done)
            minutes = (left + 59) // 60
            self.status.setText(
                tr("Waiting for your sign-in (about 1 more minute)…")
                if minutes <= 1
                else tr("Waiting for your sign-in (up to {n} more minutes)…").format(n=minutes)
            )
        elif step.label:
            self.status.setText(step.label)

    def finish(self) -> None:
        """The wait ended (signed in, failed or timed out): close without ``cancelled``."""
        self._finished = True
        self.accept()

    def reject(self) -> None:
        if not self._finished:
            self._finished = True
            self.cancelled.emit()
        super().reject()
