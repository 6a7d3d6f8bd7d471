"""The keyring secret store: insecure backends refused, a hanging keyring reported as locked
instead of freezing the app, and the real Secret Service (gnome-keyring) round trip."""

from __future__ import annotations

import contextlib
import json
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, chainer, fail, null

from core.errors import InsecureKeyring, KeyringLocked, SecretStoreError
from core.secrets import SERVICE_NAME, database_key_name
from storage.secrets import InMemorySecretStore, KeyringSecretStore, describe
from tests import services
from tests.storage.conftest import unavailable


class _TestBackend(KeyringBackend):
    """Keyring backends written for these tests; never chosen by keyring's detection
    (negative priority) and never part of its chain."""

    priority = -10

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        return None


class HangingKeyring(_TestBackend):
    """Never answers until released, like a keyring waiting for an unseen unlock prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None


class LockedKeyring(_TestBackend):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class BrokenKeyring(_TestBackend):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise OSError("the D-Bus connection broke")


class PlaintextFileKeyring(_TestBackend):
    """Stands for keyrings.alt's file backends (not installed here): judged by module."""


PlaintextFileKeyring.__module__ = "keyrings.alt.file"


def chain_of(*members: KeyringBackend) -> chainer.ChainerBackend:
    class Chain(chainer.ChainerBackend):
        backends = members

    return Chain()


@pytest.mark.parametrize(
    ("backend", "name"),
    [
        (fail.Keyring(), "keyring.backends.fail.Keyring"),
        (null.Keyring(), "keyring.backends.null.Keyring"),
        (PlaintextFileKeyring(), "keyrings.alt.file.PlaintextFileKeyring"),
    ],
)
def test_insecure_backends_are_refused(backend: KeyringBackend, name: str) -> None:
    with pytest.raises(InsecureKeyring) as info:
        KeyringSecretStore(backend)
    assert info.value.params["backend"] == name


def test_a_chain_of_only_insecure_backends_is_refused() -> None:
    with pytest.raises(InsecureKeyring):
        KeyringSecretStore(chain_of(PlaintextFileKeyring(), null.Keyring()))
    with pytest.raises(InsecureKeyring):
        KeyringSecretStore(chain_of())


def test_a_mixed_chain_uses_only_its_secure_member() -> None:
    """Never fall back to the plaintext member when the secure one fails."""
    secure = BrokenKeyring()
    store = KeyringSecretStore(chain_of(PlaintextFileKeyring(), secure))
    assert store.backend is secure


def test_a_hanging_keyring_is_reported_as_locked_in_time() -> None:
    hanging = HangingKeyring()
    store = KeyringSecretStore(hanging, timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(KeyringLocked) as info:
            store.get(database_key_name("x"))
        assert time.monotonic() - started < 5
        assert info.value.params["operation"] == "get"
    finally:
        hanging.release.set()


def test_keyring_errors_become_known_errors() -> None:
    with pytest.raises(KeyringLocked):
        KeyringSecretStore(LockedKeyring()).get("x")
    with pytest.raises(SecretStoreError) as info:
        KeyringSecretStore(BrokenKeyring()).set("x", "value")
    assert info.value.params["reason"] == "OSError"


def test_descriptions_people_recognise() -> None:
    assert describe(SecretService.Keyring()) == "GNOME Keyring / Secret Service"
    assert describe(BrokenKeyring()) == BrokenKeyring().name


def test_in_memory_store() -> None:
    store = InMemorySecretStore()
    assert not store.persistent
    assert store.get("a") is None
    store.set("a", "1")
    assert store.get("a") == "1"
    store.delete("a")
    store.delete("a")
    assert store.get("a") is None


def test_demo_store_survives_a_restart_in_an_owner_only_file(tmp_path: Path) -> None:
    InMemorySecretStore.for_demo(tmp_path).set("database-key:demo", "ab" * 32)
    reopened = InMemorySecretStore.for_demo(tmp_path)
    assert reopened.get("database-key:demo") == "ab" * 32
    file = tmp_path / InMemorySecretStore.DEMO_FILE
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert json.loads(file.read_text()) == {"database-key:demo": "ab" * 32}


@pytest.fixture(scope="module")
def gnome_keyring() -> Iterator[None]:
    """A private D-Bus session with an unlocked gnome-keyring, applied to os.environ."""
    with contextlib.ExitStack() as stack:
        try:
            env = stack.enter_context(services.gnome_keyring_session())
        except services.ServiceUnavailable as exc:
            unavailable(f"gnome-keyring unavailable: {exc}")
        stack.enter_context(services.apply_env(env))
        yield


@pytest.mark.keyring
@pytest.mark.usefixtures("gnome_keyring")
def test_real_secret_service_stores_the_database_key() -> None:
    store = KeyringSecretStore(SecretService.Keyring())
    name = database_key_name("3f0c2d8e-0000-4000-8000-000000000001")
    assert store.description == "GNOME Keyring / Secret Service"
    assert store.persistent
    assert store.get(name) is None
    store.set(name, "ab" * 32)
    assert KeyringSecretStore(SecretService.Keyring()).get(name) == "ab" * 32
    assert SecretService.Keyring().get_password(SERVICE_NAME, name) == "ab" * 32
    store.delete(name)
    assert store.get(name) is None
    store.delete(name)  # already gone: fine


@pytest.mark.keyring
@pytest.mark.usefixtures("gnome_keyring")
def test_the_platform_store_is_found_without_full_detection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Linux the Secret Service is taken directly; keyring's detection (which imports every
    backend it knows) is not needed."""

    def no_detection() -> object:
        raise AssertionError("full keyring detection was used")

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring, "get_keyring", no_detection)
    store = KeyringSecretStore()
    assert isinstance(store.backend, SecretService.Keyring)


def test_a_configured_backend_wins_over_the_platform_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(InsecureKeyring):
        KeyringSecretStore()


def test_without_a_usable_platform_store_keyring_detection_decides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No D-Bus session here: the shortcut steps aside and full detection finds nothing
    secure, which is refused rather than used."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    detected: list[bool] = []
    real = keyring.get_keyring

    def spy() -> KeyringBackend:
        detected.append(True)
        return real()

    monkeypatch.setattr(keyring, "get_keyring", spy)
    with contextlib.suppress(InsecureKeyring):
        KeyringSecretStore()
    assert detected == [True]
