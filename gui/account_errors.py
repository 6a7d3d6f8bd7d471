"""How connecting platform accounts can fail (``core.accounts.errors``), in plain words: what
happened and what to do next. Merged into ``gui.errors.message_for``; Settings → Accounts also
words a failed connection inline with ``connect_failed_text``.

Core's messages never carry a token or a client secret, and nothing here shows them either:
only the platform's name and the server's address.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from core.errors import KnownError

Wording = Callable[[KnownError], tuple[str, str]]


def t(text: str) -> str:
    return QCoreApplication.translate("AccountErrors", text)


def _platform(error: KnownError, platform: str = "") -> str:
    from core.composer.calendar import platform_names

    platform = platform or str(error.params.get("platform") or "")
    return platform_names([platform])[0] if platform else t("the platform")


def _server(error: KnownError) -> str:
    return str(error.params.get("server") or error.params.get("url") or "") or t("the server")


_CONNECT_REASONS: dict[str, str] = {
    "state_mismatch": (
        "The answer that came back to the app did not belong to this sign-in, so it was "
        "refused. Press Connect again and finish the sign-in in the browser window that opens."
    ),
    "denied": (
        "Access was not granted in the browser. Press Connect again and choose “Allow” "
        "(or “Authorize”) when {platform} asks."
    ),
    "timeout": (
        "The sign-in was not finished in time. Press Connect again and complete it in the "
        "browser within a few minutes."
    ),
    "cancelled": "The sign-in was cancelled. Nothing was connected.",
    "token_exchange": (
        "{platform} did not accept the sign-in when the app asked for its key. Check the app's "
        "client ID and secret in Settings → Accounts, then connect again."
    ),
    "server_unreachable": (
        "Could not reach {server}. Check the address and the network connection, then try again."
    ),
    "bad_server": (
        "{server} does not answer like a {platform} server. Check the address (for example "
        "mastodon.social), then try again."
    ),
    "bad_credentials": (
        "{platform} did not accept the handle and app password. Check both (an app password "
        "looks like xxxx-xxxx-xxxx-xxxx), then try again."
    ),
    "no_client_id": (
        "The app's client ID for {platform} is missing. Enter the ID from the practice's "
        "developer account for {platform}, then connect again."
    ),
    "rate_limited": "{platform} asked the app to slow down. Wait a few minutes, then try again.",
    "keyring": (
        "The sign-in worked, but the system keychain could not keep it, so nothing was "
        "connected. Unlock the keychain, then connect again."
    ),
    "other_account": (
        "The browser signed in to a different {platform} account than the one being "
        "reconnected, so nothing changed. Sign out of {platform} in the browser, then "
        "reconnect and sign in as the practice's account."
    ),
    "identify": (
        "Signed in, but {platform} did not say which account it was. Try again in a few minutes."
    ),
    "no_accounts": (
        "Signed in, but that {platform} login manages no page or location the app could post "
        "to. Sign in as someone who manages the practice's page."
    ),
    "unsupported": "{platform} cannot be connected in this version of the app.",
}


def connect_failed_text(error: KnownError, platform: str = "") -> str:
    """What went wrong connecting an account (``ConnectFailed.params['reason']``), worded;
    ``platform`` is the id of the platform being connected, when the caller knows it."""
    reason = str(error.params.get("reason") or "")
    name = _platform(error, platform)
    template = _CONNECT_REASONS.get(reason)
    if template is None:
        text = t(
            "Connecting to {platform} did not work. Try again; if it keeps failing, check "
            "the account on {platform}'s website."
        ).format(platform=name)
    else:
        text = t(template).format(platform=name, server=_server(error))
    return text[:1].upper() + text[1:]


def account_wording() -> dict[str, Wording]:
    """Wording per account error code."""
    return {
        "account_connect_failed": lambda e: (
            t("The account was not connected"),
            connect_failed_text(e),
        ),
        "account_not_found": lambda _e: (
            t("This account is gone"),
            t(
                "It was removed, perhaps on another workstation. The list shows the accounts "
                "connected now."
            ),
        ),
    }
