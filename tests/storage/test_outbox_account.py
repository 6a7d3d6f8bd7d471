"""The account an outbox entry goes out through (``post_outbox.account_id``, revision 0010) on
SQLCipher and PostgreSQL: it round-trips, it must name an account that exists, and the
revision goes up and down — filling in the account of older attempted entries when the
platform only ever had one, and turning Facebook's versioned Graph base into the bare host."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from core.accounts.model import Account, AuthKind
from core.clock import ManualClock
from core.composer.model import Post
from core.composer.variants import new_post
from core.publishing.model import OutboxEntry, OutboxStatus
from core.staff.model import Role
from storage.engine import Database
from storage.migrate import alembic_config, current_revision, migrate
from storage.uow import SqlUnitOfWork, unit_of_work_factory

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def an_account(platform: str, remote_id: str, base_url: str = "") -> Account:
    return Account(
        id=None,
        platform=platform,
        label=f"Maple Grove on {platform}",
        remote_id=remote_id,
        base_url=base_url,
        token_ref=f"account-token:{platform}:{remote_id}",
        auth_kind=AuthKind.MASTODON_APP if platform == "mastodon" else AuthKind.OAUTH2_PKCE,
        connected_at=T0,
    )


def a_post(uow: Uow, platforms: list[str]) -> Post:
    with uow() as tx:
        author = tx.staff.add("Jenna Ortiz", Role.FRONT_DESK, "h")
        return tx.posts.add(new_post(author, "Floss daily!", platforms, T0))


def an_entry(post: Post, platform: str, **changes: object) -> OutboxEntry:
    assert post.id is not None
    entry = OutboxEntry(
        id=None,
        post_id=post.id,
        platform=platform,
        status=OutboxStatus.PENDING,
        idempotency_key=f"key-{post.id}-{platform}",
        created_at=T0,
        updated_at=T0,
        next_attempt_at=T0,
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


def test_the_account_round_trips_and_must_exist(db: Database) -> None:
    uow = unit_of_work_factory(db, ManualClock(T0))
    post = a_post(uow, ["mastodon", "x"])
    with uow() as tx:
        main = tx.accounts.add(an_account("mastodon", "1"))
        fresh = tx.outbox.add(an_entry(post, "mastodon"))
    assert fresh.account_id is None  # no connector called yet
    with uow() as tx:
        claimed = tx.outbox.save(replace(fresh, account_id=main.id), fresh.version)
    assert claimed.account_id == main.id
    with uow() as tx:
        assert tx.outbox.get(fresh.id or 0).account_id == main.id
        assert tx.outbox.for_post(post.id or 0) == [claimed]
    with pytest.raises(IntegrityError), uow() as tx:
        tx.outbox.save(replace(claimed, account_id=999), claimed.version)
    with uow() as tx:
        assert tx.outbox.get(fresh.id or 0) == claimed


def test_0010_goes_up_and_down_and_fills_in_what_it_can(empty_db: Database) -> None:
    migrate(empty_db, backup=lambda: None)
    uow = unit_of_work_factory(empty_db, ManualClock(T0))
    post = a_post(uow, ["mastodon", "x", "facebook", "bluesky"])
    with uow() as tx:
        mastodon = tx.accounts.add(an_account("mastodon", "1"))
        tx.accounts.add(an_account("x", "10"))
        tx.accounts.add(an_account("x", "11"))
        page = tx.accounts.add(
            an_account("facebook", "555", base_url="https://graph.facebook.com/v21.0/")
        )
        other = tx.accounts.add(an_account("bluesky", "did:plc:x", base_url="https://pds.example/"))
        attempted = tx.outbox.add(an_entry(post, "mastodon", attempts=2))
        two_accounts = tx.outbox.add(an_entry(post, "x", attempts=1))
        never_tried = tx.outbox.add(an_entry(post, "facebook"))
        no_account = tx.outbox.add(an_entry(post, "bluesky", attempts=1))

    with empty_db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
    assert current_revision(empty_db) == "0009"
    columns = {c["name"] for c in inspect(empty_db.engine).get_columns("post_outbox")}
    assert "account_id" not in columns
    with empty_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM platform_account WHERE id = :i"), {"i": other.id})

    migrate(empty_db, backup=lambda: None)
    columns = {c["name"] for c in inspect(empty_db.engine).get_columns("post_outbox")}
    assert "account_id" in columns
    foreign = inspect(empty_db.engine).get_foreign_keys("post_outbox")
    assert {"platform_account"} <= {f["referred_table"] for f in foreign}
    with uow() as tx:
        # The only Mastodon account ever connected: the attempt can only have used it.
        assert tx.outbox.get(attempted.id or 0).account_id == mastodon.id
        # Two X accounts: nobody can tell which one the attempt used.
        assert tx.outbox.get(two_accounts.id or 0).account_id is None
        # Never attempted: no account yet, whatever the platform has.
        assert tx.outbox.get(never_tried.id or 0).account_id is None
        assert tx.outbox.get(no_account.id or 0).account_id is None
        # Facebook's base is the bare Graph host: the connector names the version itself.
        assert tx.accounts.get(page.id or 0).base_url == "https://graph.facebook.com/"
