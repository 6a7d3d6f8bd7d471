"""The words around connected accounts: Today's reconnect item and its jump to Settings →
Accounts, the composer saying why Instagram and Threads are published by hand, the dialogs'
checks of a server address and a Bluesky app password, and failed connections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from core.accounts.errors import AccountNotFound, ConnectFailed
from core.accounts.model import Account
from gui.composer.editor import PostEditor
from gui.errors import message_for
from gui.hub import SignalHub
from gui.settings.accounts_dialogs import (
    BlueskyDialog,
    BlueskyLogin,
    BrowserWait,
    MastodonDialog,
    bluesky_problem,
    server_address,
)
from gui.settings.messages import action_label
from gui.tasks import TaskRunner
from gui.today.page import TodayPage
from gui.today.wording import WordingContext, word
from tests.gui.page_env import PageEnv

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
CTX = WordingContext(NOW, CHICAGO)


# --- Today -----------------------------------------------------------------------------------
def test_today_words_a_revoked_and_an_expiring_sign_in(env: PageEnv) -> None:
    from core.accounts.today import account_items

    now = env.clock.now()
    with env.store() as tx:
        revoked = tx.accounts.add(
            Account(None, "facebook", "Maple Grove – Main St", "1", token_ref="t1")
        )
        tx.accounts.add(
            Account(
                None,
                "linkedin",
                "Maple Grove Dental",
                "2",
                token_ref="t2",
                expires_at=now + timedelta(days=3),
            )
        )
    env.services.accounts.tokens.reconnect_needed(revoked)
    items = {i.params["platform"]: i for i in account_items(env.services.accounts, now)}
    ctx = WordingContext(now, CHICAGO)
    gone = word(items["facebook"], ctx)
    assert gone.title == "Reconnect Facebook"
    assert gone.detail == (
        "Facebook no longer accepts the app's sign-in to the Facebook account “Maple Grove – "
        "Main St” (it was revoked or ran out), so posts there cannot go out until someone "
        "reconnects it."
    )
    assert gone.action == "Reconnect"
    soon = word(items["linkedin"], ctx)
    assert soon.title == "Reconnect LinkedIn soon"
    assert soon.detail.startswith(
        "The app's sign-in to the LinkedIn account “Maple Grove Dental” ends on "
    )
    assert soon.detail.endswith("Reconnect it before then, or posts to LinkedIn cannot go out.")


def test_an_expiring_item_without_a_date_still_reads_well() -> None:
    from core.today.model import AttentionItem, Severity

    item = AttentionItem(
        "account.reconnect.4",
        "account_reconnect",
        Severity.WARNING,
        "settings",
        target="accounts",
        params={"platform": "gbp", "account_id": 4, "reason": "expiring"},
    )
    assert word(item, CTX).detail == (
        "The app's sign-in to the Google Business Profile account ends soon. Reconnect it, or "
        "posts to Google Business Profile cannot go out."
    )


def test_the_reconnect_action_opens_settings_accounts(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    with env.store() as tx:
        account = tx.accounts.add(Account(None, "x", "Maple Grove", "77", token_ref="t"))
    env.services.accounts.tokens.reconnect_needed(account)
    page = TodayPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.set_user(env.staff.admin)
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)
    rows = {row.item.kind: row for row in page.view.rows()}
    row = rows["account_reconnect"]
    assert row.title_label.text() == "Reconnect X"
    with qtbot.waitSignal(hub.navigate, timeout=2000) as blocker:
        row.action_button.click()
    assert blocker.args == ["settings", "accounts"]
    # The front desk cannot reconnect, so Today does not show them the item.
    page.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)
    assert "account_reconnect" not in {row.item.kind for row in page.view.rows()}


# --- the composer ----------------------------------------------------------------------------
def test_the_composer_says_why_instagram_and_threads_are_published_by_hand(
    qtbot: QtBot, env: PageEnv, editor: PostEditor
) -> None:
    post = env.services.composer.new_draft(env.staff.front_desk, "", ("x",))
    assert post.id is not None
    editor.open_post(post.id)
    qtbot.waitUntil(lambda: editor.post is not None and editor.post.id == post.id)
    chip = editor.platform_buttons["instagram"]
    assert chip.toolTip() == (
        "Instagram\nPublished by hand: Instagram only takes photos from a public web address."
    )
    assert editor.platform_buttons["mastodon"].toolTip() == "Mastodon"
    assert editor.manual_note.isHidden()
    editor.platform_buttons["facebook"].click()
    assert editor.manual_note.isHidden()
    chip.click()
    editor.platform_buttons["threads"].click()
    assert not editor.manual_note.isHidden()
    # In the composer's platform order, like the chips.
    assert editor.manual_note.text() == (
        "Published by hand: Threads and Instagram only take photos from a public web address."
    )
    tab = editor._tab_keys.index("threads")
    assert editor.tabs.tabToolTip(tab).endswith(
        "\nPublished by hand: Threads only takes photos from a public web address."
    )
    chip.click()
    editor.platform_buttons["threads"].click()
    assert editor.manual_note.isHidden()


# --- dialogs ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("  https://Mastodon.Social/  ", "https://mastodon.social"),
        ("@maplegrove@dental.social", "https://dental.social"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("https://social.example.org:8443/", "https://social.example.org:8443"),
    ],
)
def test_server_addresses_are_normalised(typed: str, address: str) -> None:
    assert server_address(typed) == (address, "")


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "Enter the server's address, for example mastodon.social."),
        ("mastodon", "That is not a web address. Enter one like mastodon.social."),
        ("masto don.social", "That is not a web address. Enter one like mastodon.social."),
        ("ftp://mastodon.social", "Use the server's https:// address."),
        (
            "http://mastodon.social",
            "Use the server's https:// address: the sign-in must be encrypted.",
        ),
    ],
)
def test_bad_server_addresses_say_what_to_fix(typed: str, why: str) -> None:
    assert server_address(typed) == (None, why)


def test_bluesky_refuses_the_account_password_before_sending_it() -> None:
    pds = "https://bsky.social"
    assert bluesky_problem("@maplegrove.bsky.social", "abcd-efgh-ijkl-mnop", pds) is None
    assert bluesky_problem("did:plc:abc", "abcd-efgh-ijkl-mnop", pds) is None
    assert "app password" in (bluesky_problem("maplegrove.bsky.social", "hunter2", pds) or "")
    assert bluesky_problem("", "abcd-efgh-ijkl-mnop", pds) == (
        "Enter the practice's Bluesky handle, for example maplegrove.bsky.social."
    )
    assert bluesky_problem("maple grove", "abcd-efgh-ijkl-mnop", pds) == (
        "A handle looks like maplegrove.bsky.social (or the practice's own domain)."
    )


def test_the_bluesky_dialog_shows_its_problem_and_returns_a_clean_login(qtbot: QtBot) -> None:
    dialog = BlueskyDialog("@MapleGrove.bsky.social")
    qtbot.addWidget(dialog)
    dialog.app_password.setText("not-an-app-password")
    dialog.ok_button.click()
    assert dialog.result() == 0
    assert not dialog.error.isHidden()
    assert dialog.error.text().startswith("That is not an app password")
    dialog.app_password.setText(" abcd-efgh-ijkl-mnop ")
    dialog.ok_button.click()
    assert dialog.result() == 1
    login = dialog.login()
    assert login == BlueskyLogin("maplegrove.bsky.social", "abcd-efgh-ijkl-mnop")
    assert "abcd" not in repr(login)
    assert 'href="https://bsky.app/settings/app-passwords"' in dialog.link.text()


def test_the_mastodon_dialog_normalises_the_server(qtbot: QtBot) -> None:
    dialog = MastodonDialog()
    qtbot.addWidget(dialog)
    dialog.ok_button.click()
    assert dialog.error.text() == "Enter the server's address, for example mastodon.social."
    dialog.server.setText("@maplegrove@mastodon.social")
    dialog.ok_button.click()
    assert dialog.result() == 1
    assert dialog.address() == "https://mastodon.social"


def test_the_browser_window_counts_down_and_reports_a_cancel(qtbot: QtBot) -> None:
    from core.progress import Progress

    wait = BrowserWait("linkedin", "https://www.linkedin.com/oauth/v2/authorization?x=1")
    qtbot.addWidget(wait)
    wait.show_progress(Progress(30, 300, "waiting_for_browser"))
    assert wait.status.text() == "Waiting for your sign-in (up to 5 more minutes)…"
    assert (wait.progress.value(), wait.progress.maximum()) == (30, 300)
    wait.show_progress(Progress(250, 300, "waiting_for_browser"))
    assert wait.status.text() == "Waiting for your sign-in (about 1 more minute)…"
    with qtbot.waitSignal(wait.cancelled, timeout=1000):
        wait.cancel_button.click()
    finished = BrowserWait("x", "https://x.com/i/oauth2/authorize")
    qtbot.addWidget(finished)
    with qtbot.assertNotEmitted(finished.cancelled):
        finished.finish()


# --- errors and the audit trail ----------------------------------------------------------------
def test_failed_connections_are_worded_without_codes() -> None:
    title, text = message_for(
        ConnectFailed("x", reason="server_unreachable", server="mastodon.example")
    )
    assert title == "The account was not connected"
    assert text == (
        "Could not reach mastodon.example. Check the address and the network connection, then "
        "try again."
    )
    _title, text = message_for(ConnectFailed("x", reason="denied", platform="gbp"))
    assert text.startswith("Access was not granted in the browser.")
    assert "Google Business Profile asks" in text
    _title, text = message_for(ConnectFailed("x", reason="brand-new-reason"))
    assert text.startswith("Connecting to the platform did not work.")
    assert message_for(AccountNotFound("x"))[0] == "This account is gone"


def test_account_audit_actions_are_worded() -> None:
    assert action_label("account.connect") == "Connected a platform account"
    assert action_label("account.client_set") == (
        "Entered the practice's app registration for a platform"
    )
