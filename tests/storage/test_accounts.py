"""Connected accounts on SQLCipher and PostgreSQL: round trips, optimistic versions, the
refresh claim (exactly one of two claimants wins; a lapsed claim can be taken), and that no
token ever reaches the database file or the log."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import text

from core.accounts.model import Account, AccountStatus, AuthKind, Token
from core.accounts.service import AccountService
from core.accounts.tokens import TokenProvider
from core.clock import ManualClock
from core.errors import EditConflict, NotFound
from core.staff.model import Role
from storage.engine import Database
from storage.models import Base
from storage.uow import SqlUnitOfWork, unit_of_work_factory
from tests.fakes import MemorySecrets

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def account(**kw: object) -> Account:
    fields: dict[str, object] = {
        "id": None,
        "platform": "gbp",
        "label": "Maple Grove – Main St",
        "remote_id": "accounts/1/locations/2",
        "handle": "Maple Grove Dental",
        "base_url": "",
        "token_ref": "account-token:gbp:abc",
        "expires_at": T0 + timedelta(days=60),
        "scopes": ("https://www.googleapis.com/auth/business.manage",),
        "connected_at": T0,
        "auth_kind": AuthKind.OAUTH2_PKCE,
    }
    return Account(**(fields | kw))  # type: ignore[arg-type]


def test_round_trip_and_versions(db: Database) -> None:
    uow = unit_of_work_factory(db, ManualClock(T0))
    with uow() as tx:
        staff = tx.staff.add("Dana", Role.ADMIN, "h")
        saved = tx.accounts.add(account(connected_by=staff.id))
    assert saved.id is not None
    assert saved.version == 1
    with uow() as tx:
        loaded = tx.accounts.get(saved.id)
    assert loaded == saved
    assert loaded.expires_at == T0 + timedelta(days=60)
    with uow() as tx:
        renamed = tx.accounts.update(replace_label(loaded, "Main St"))
    assert renamed.version == 2
    assert renamed.label == "Main St"
    with pytest.raises(EditConflict), uow() as tx:
        tx.accounts.update(replace_label(loaded, "stale"))
    with uow() as tx:
        tx.accounts.update(
            Account(**{**_fields(renamed), "status": AccountStatus.REMOVED})  # type: ignore[arg-type]
        )
    with uow() as tx:
        assert tx.accounts.list() == []
        [removed] = tx.accounts.list(include_removed=True)
        assert removed.status is AccountStatus.REMOVED
        with pytest.raises(NotFound):
            tx.accounts.get(999)


def _fields(a: Account) -> dict[str, object]:
    return {name: getattr(a, name) for name in Account.__slots__}  # type: ignore[attr-defined]


def replace_label(a: Account, label: str) -> Account:
    return Account(**{**_fields(a), "label": label})  # type: ignore[arg-type]


def test_the_refresh_claim_has_one_winner_and_lapses(db: Database) -> None:
    uow = unit_of_work_factory(db, ManualClock(T0))
    with uow() as tx:
        saved = tx.accounts.add(account())
    assert saved.id is not None
    until = T0 + timedelta(seconds=60)
    with uow() as tx:
        assert tx.accounts.claim_refresh(saved.id, 1, T0, until)
    with uow() as tx:  # same version read before the claim: loses
        assert not tx.accounts.claim_refresh(saved.id, 1, T0, until)
    with uow() as tx:  # the current version, but the claim is running
        assert not tx.accounts.claim_refresh(saved.id, 2, T0 + timedelta(seconds=30), until)
    with uow() as tx:  # lapsed: a crashed claimant blocks no one for long
        assert tx.accounts.claim_refresh(
            saved.id, 2, T0 + timedelta(seconds=61), T0 + timedelta(minutes=2)
        )
    with uow() as tx:
        tx.accounts.release_refresh(
            saved.id, status=AccountStatus.CONNECTED, expires_at=None, clear_expiry=True
        )
    with uow() as tx:
        released = tx.accounts.get(saved.id)
        assert released.version == 4
        assert released.expires_at is None
        assert tx.accounts.claim_refresh(saved.id, 4, T0, until)  # free again


def test_no_token_reaches_the_database_or_the_log(
    sqlite_db: Database, httpserver: HTTPServer, tmp_path: Path
) -> None:
    access, refresh, password = "AccessJwtSecret123", "RefreshJwtSecret456", "app-pass-secret-789"
    n = {"sessions": 0}

    def session(_request: object) -> object:
        from werkzeug import Response

        n["sessions"] += 1
        return Response(
            json.dumps(
                {
                    "accessJwt": f"{access}{n['sessions']}",
                    "refreshJwt": f"{refresh}{n['sessions']}",
                    "handle": "maple.bsky.social",
                    "did": "did:plc:maple",
                }
            ),
            200,
            content_type="application/json",
        )

    httpserver.expect_request("/xrpc/com.atproto.server.createSession").respond_with_handler(
        session
    )  # type: ignore[arg-type]
    httpserver.expect_request("/xrpc/com.atproto.server.refreshSession").respond_with_handler(
        session
    )  # type: ignore[arg-type]
    log_file = tmp_path / "app.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        clock = ManualClock(T0)
        uow = unit_of_work_factory(sqlite_db, clock)
        with uow() as tx:
            admin = tx.staff.add("Dana", Role.ADMIN, "h")
        secrets = MemorySecrets()
        service = AccountService(uow, clock, secrets, TokenProvider(secrets, uow, clock=clock))
        connected = service.connect_bluesky(
            admin, "maple.bsky.social", password, httpserver.url_for("/")
        )
        service.tokens.invalidate(connected)  # as after a 401: a refresh follows
        assert service.tokens.access(connected).access_token == f"{access}2"
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    secrets_used = [f"{access}1", f"{access}2", f"{refresh}1", f"{refresh}2", password]
    with sqlite_db.engine.connect() as conn:
        dump = "\n".join(
            repr(row)
            for table in Base.metadata.sorted_tables
            for row in conn.execute(text(f"SELECT * FROM {table.name}"))
        )
    assert "did:plc:maple" in dump  # the dump does see the account
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("test.db*"))  # with -wal / -journal
    assert raw
    logged = log_file.read_text(encoding="utf-8")
    assert "refreshed the token of account" in logged  # the log did record the refresh
    for secret in secrets_used:
        assert secret not in dump
        assert secret.encode() not in raw
        assert secret not in logged
    stored = Token.from_json(secrets.values[connected.token_ref])
    assert (stored.access_token, stored.extra["app_password"]) == (f"{access}2", password)
