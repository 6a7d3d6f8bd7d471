"""The recovery key: round trip, typo detection, forgiving input; revealing it again."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.app import DatabaseInfo, DatabaseKind, build_services
from core.clock import ManualClock
from core.demo import DEMO_PIN, create_demo_practice
from core.errors import InvalidRecoveryKey, MissingDatabaseKey, PermissionDenied, WrongPin
from core.keys import KEY_BYTES, key_from_recovery, new_database_key, recovery_key
from core.staff.pins import fast_hasher
from tests.fakes import MemorySecrets, MemoryStore


@given(st.binary(min_size=KEY_BYTES, max_size=KEY_BYTES))
def test_round_trip(key: bytes) -> None:
    text = recovery_key(key)
    assert key_from_recovery(text) == key
    assert key_from_recovery(text.lower().replace("-", " ")) == key


def test_lookalikes_forgiven_and_typos_caught() -> None:
    key = new_database_key()
    text = recovery_key(key)
    assert key_from_recovery(text.replace("0", "O").replace("1", "l")) == key
    index = next(i for i, ch in enumerate(text) if ch not in "-")
    typo = text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]
    with pytest.raises(InvalidRecoveryKey) as err:
        key_from_recovery(typo)
    assert err.value.params["reason"] == "checksum"
    with pytest.raises(InvalidRecoveryKey) as err:
        key_from_recovery("not-a-key")
    assert err.value.params["reason"] == "format"


def test_reveal_recovery_key_needs_admin_and_pin() -> None:
    secrets = MemorySecrets()
    key = new_database_key()
    secrets.set("database-key:test", key.hex())
    services = build_services(
        uow=MemoryStore(),
        clock=ManualClock(),
        secrets=secrets,
        backup_store=None,
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        hasher=fast_hasher(),
        database_key_name="database-key:test",
    )
    staff = create_demo_practice(services, with_posts=False)
    assert services.security.available
    with pytest.raises(PermissionDenied):
        services.security.reveal_recovery_key(staff.manager, DEMO_PIN)
    with pytest.raises(WrongPin):
        services.security.reveal_recovery_key(staff.admin, "0000")
    assert services.security.reveal_recovery_key(staff.admin, DEMO_PIN) == recovery_key(key)
    assert "security.reveal_recovery_key" in services.audit.actions()
    secrets.delete("database-key:test")
    with pytest.raises(MissingDatabaseKey):
        services.security.reveal_recovery_key(staff.admin, DEMO_PIN)
