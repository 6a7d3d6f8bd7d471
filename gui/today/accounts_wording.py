"""How Today words the connected accounts' items (``core.accounts.today``): an account whose
sign-in expires within a week, or one the platform no longer accepts, both with a jump to
Settings → Accounts to reconnect it. Registered when ``gui.today.wording`` is imported.

The params carry the platform id, the account id, the account's label (the practice's own
wording, e.g. "Maple Grove – Main St", never a patient's), ``reason`` (``revoked``: the
platform refuses the sign-in already; ``expiring``: it ends within a week) and, when known,
``expires_at``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gui.today.posts_wording import platform_names
from gui.today.wording import Wording, WordingContext, local_text, register_wording, tr


def _account(params: Mapping[str, Any]) -> str:
    """ "the Mastodon account", or "the Mastodon account “Maple Grove – Main St”"."""
    where = platform_names([str(params["platform"])])
    label = str(params.get("label") or "").strip()
    if label:
        return tr("the {platform} account “{label}”").format(platform=where, label=label)
    return tr("the {platform} account").format(platform=where)


def _expires_at(params: Mapping[str, Any]) -> datetime | None:
    text = str(params.get("expires_at") or "")
    return datetime.fromisoformat(text) if text else None


def _reconnect(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    platform = platform_names([str(params["platform"])])
    account = _account(params)
    if params.get("reason") == "expiring":
        expires = _expires_at(params)
        if expires is not None and expires > ctx.now:
            detail = tr(
                "The app's sign-in to {account} ends on {when}. Reconnect it before then, or "
                "posts to {platform} cannot go out."
            ).format(account=account, when=local_text(expires, ctx.tz), platform=platform)
        else:
            detail = tr(
                "The app's sign-in to {account} ends soon. Reconnect it, or posts to "
                "{platform} cannot go out."
            ).format(account=account, platform=platform)
        return Wording(
            tr("Reconnect {platform} soon").format(platform=platform), detail, tr("Reconnect")
        )
    return Wording(
        tr("Reconnect {platform}").format(platform=platform),
        tr(
            "{platform} no longer accepts the app's sign-in to {account} (it was revoked or "
            "ran out), so posts there cannot go out until someone reconnects it."
        ).format(platform=platform, account=account),
        tr("Reconnect"),
    )


register_wording("account_reconnect", _reconnect)
