"""Which connector publishes each platform, from the connected accounts: the default account's
connector per platform, manual where there is none (and always for Instagram and Threads),
rebuilt only when the accounts change; the options the outbox adds; and the private folder the
clean photo copies wait in."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from core.accounts.model import Account, AccountStatus, AuthKind
from core.accounts.tokens import TokenProvider
from core.composer.model import Post
from core.connectors import build_registry, manual_reasons
from core.connectors.gbp import GbpConnector
from core.connectors.mastodon import MastodonConnector
from core.connectors.registry import RegistrySource, api_platforms, request_options
from core.connectors.x import XConnector
from core.publishing.connectors import ManualConnector
from core.publishing.export import STALE_AFTER_SECONDS, OutgoingImages
from tests.fakes import MemorySecrets, MemoryStore

MAIN = Account(
    id=1,
    platform="mastodon",
    label="Maple Grove – Main St",
    remote_id="109384767213857491",
    base_url="https://mastodon.example",
    token_ref="account-token:mastodon:1",
    auth_kind=AuthKind.MASTODON_APP,
)
ELM = replace(MAIN, id=2, label="Maple Grove – Elm St", remote_id="2", is_default=False)
X_GONE = Account(
    id=3, platform="x", label="@maplegrove", remote_id="42", status=AccountStatus.REMOVED
)
GBP = Account(id=4, platform="gbp", label="Main St", remote_id="accounts/1/locations/2")


@pytest.fixture
def tokens() -> TokenProvider:
    return TokenProvider(MemorySecrets(), MemoryStore())


def test_each_platform_publishes_through_its_default_account(tokens: TokenProvider) -> None:
    registry = build_registry([ELM, MAIN, X_GONE, GBP], tokens)
    mastodon = registry.get("mastodon")
    assert isinstance(mastodon, MastodonConnector)
    assert mastodon.account == MAIN
    assert registry.account_id("mastodon") == 1
    assert isinstance(registry.get("gbp"), GbpConnector)
    assert registry.account_id("gbp") == 4
    # A removed account publishes nothing: X is by hand again.
    assert registry.is_manual("x")
    assert isinstance(registry.get("x"), ManualConnector)
    assert registry.account_id("x") is None
    for platform in ("instagram", "threads", "facebook", "linkedin", "bluesky"):
        assert registry.is_manual(platform)
    assert set(registry.platforms()) == {"mastodon", "gbp"}


def test_without_a_default_the_first_connected_account_publishes(tokens: TokenProvider) -> None:
    registry = build_registry([replace(MAIN, is_default=False), ELM], tokens)
    assert registry.account_id("mastodon") == 1
    x = build_registry([replace(X_GONE, status=AccountStatus.NEEDS_RECONNECT)], tokens)
    # Needing a reconnect keeps the connector: publishing fails with "reconnect", not by hand.
    assert isinstance(x.get("x"), XConnector)


def test_a_connector_that_cannot_be_set_up_leaves_only_its_platform_manual(
    tokens: TokenProvider,
) -> None:
    def broken(account: Account, tokens: TokenProvider) -> MastodonConnector:
        raise ValueError("no server")

    registry = build_registry([MAIN, GBP], tokens, factories={"mastodon": broken})
    assert registry.is_manual("mastodon")
    assert registry.account_id("mastodon") is None
    assert not registry.is_manual("gbp")


def test_instagram_and_threads_stay_by_hand_and_say_why() -> None:
    assert dict(manual_reasons()) == {
        "instagram": "public_url_needed",
        "threads": "public_url_needed",
    }
    assert not set(manual_reasons()) & set(api_platforms())
    assert set(api_platforms()) == {"mastodon", "bluesky", "x", "facebook", "linkedin", "gbp"}


def test_the_registry_is_rebuilt_only_when_the_accounts_change(tokens: TokenProvider) -> None:
    accounts = [MAIN, ELM]
    asked: list[int] = []

    def tokens_once() -> TokenProvider:
        asked.append(1)
        return tokens

    source = RegistrySource(lambda: list(accounts), tokens_once)
    first = source()
    assert source() is first
    assert len(asked) == 1
    accounts[:] = [replace(MAIN, is_default=False), replace(ELM, is_default=True)]
    second = source()
    assert second is not first
    assert second.account_id("mastodon") == 2
    accounts[:] = [replace(a, status=AccountStatus.REMOVED) for a in accounts]
    assert source().is_manual("mastodon")


def test_google_posts_get_a_learn_more_button_to_the_practice_website() -> None:
    website = ["maplegrove-dental.example"]
    options = request_options(lambda: website[0])
    post = _post()
    assert options(post, "gbp") == {
        "cta_type": "LEARN_MORE",
        "cta_url": "https://maplegrove-dental.example",
    }
    assert options(post, "mastodon") == {}
    website[0] = "http://old.example"
    assert options(post, "gbp")["cta_url"] == "http://old.example"
    website[0] = "  "
    assert options(post, "gbp") == {}


def _post() -> Post:
    from datetime import UTC, datetime

    from core.composer.model import PostState, Variant

    now = datetime(2025, 3, 3, tzinfo=UTC)
    return Post(
        id=1,
        master_text="Hello",
        platforms=("gbp",),
        variants={"gbp": Variant("gbp", "Hello")},
        state=PostState.PUBLISHING,
        author_id=1,
        last_editor_id=1,
        created_at=now,
        updated_at=now,
    )


# --- the outgoing folder ------------------------------------------------------------------
def _writer(written: list[tuple[str, Path]]):  # type: ignore[no-untyped-def]
    def export(digest: str, dst: Path) -> None:
        written.append((digest, dst))
        if digest == "bad":
            raise ValueError("cannot read")
        dst.write_bytes(b"\xff\xd8 clean " + digest.encode())

    return export


def test_clean_copies_wait_in_a_private_folder_and_go_after_the_attempt(tmp_path: Path) -> None:
    written: list[tuple[str, Path]] = []
    folder = tmp_path / "vault" / "outgoing"
    outgoing = OutgoingImages(folder, _writer(written), lambda d: ".png" if d == "b" else ".jpg")
    paths = outgoing(["a", "b"])
    assert [p.name for p in paths] == ["1.jpg", "2.png"]
    assert [p.read_bytes() for p in paths] == [b"\xff\xd8 clean a", b"\xff\xd8 clean b"]
    batch = paths[0].parent
    assert batch.parent == folder
    if os.name == "posix":
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(batch.stat().st_mode) == 0o700
    outgoing.discard(paths)
    assert not batch.exists()
    assert list(folder.iterdir()) == []


def test_a_failed_export_leaves_nothing_behind(tmp_path: Path) -> None:
    written: list[tuple[str, Path]] = []
    folder = tmp_path / "outgoing"
    outgoing = OutgoingImages(folder, _writer(written))
    with pytest.raises(ValueError, match="cannot read"):
        outgoing(["a", "bad"])
    assert len(written) == 2
    assert list(folder.iterdir()) == []


def test_discard_never_deletes_outside_its_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    keep = elsewhere / "1.jpg"
    keep.write_bytes(b"x")
    OutgoingImages(tmp_path / "outgoing", _writer([])).discard([keep])
    assert keep.exists()


def test_batches_left_by_a_crashed_run_are_swept_on_the_next(tmp_path: Path) -> None:
    folder = tmp_path / "outgoing"
    now = [1_000_000.0]
    old = folder / "dead-batch"
    old.mkdir(parents=True)
    (old / "1.jpg").write_bytes(b"x")
    os.utime(old, (now[0] - STALE_AFTER_SECONDS - 5,) * 2)
    recent = folder / "running-batch"
    recent.mkdir()
    os.utime(recent, (now[0] - 10,) * 2)
    outgoing = OutgoingImages(folder, _writer([]), clock=lambda: now[0])
    paths = outgoing(["a"])
    assert not old.exists()
    assert recent.exists()  # may belong to an attempt still running
    assert paths[0].exists()
