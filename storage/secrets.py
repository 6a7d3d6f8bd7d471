"""Secrets in the OS keyring (``core.secrets.SecretStore``), refusing insecure backends.

The database key must never land in a plaintext file or be silently dropped, so the ``fail``
and ``null`` backends, everything from ``keyrings.alt`` (plaintext or weakly encrypted files)
and chains made only of those are refused with ``InsecureKeyring``. A chain that mixes in an
insecure member is narrowed to its best secure member: the chain would otherwise fall back to
the weaker store whenever the secure one fails (Spyder's lesson: say so, never fall back).
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from core.errors import InsecureKeyring, KeyringLocked, SecretStoreError
from core.secrets import SERVICE_NAME, SecretStore
from storage.files import atomic_write, ensure_private_dir

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for the keyring before reporting it locked."""

_T = TypeVar("_T")

_FRIENDLY_NAMES = {
    "keyring.backends.SecretService": "GNOME Keyring / Secret Service",
    "keyring.backends.libsecret": "GNOME Keyring / Secret Service",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.kwallet": "KWallet",
}


_NATIVE = {
    "linux": ("keyring.backends.SecretService", "Keyring"),
    "darwin": ("keyring.backends.macOS", "Keyring"),
    "win32": ("keyring.backends.Windows", "WinVaultKeyring"),
}
"""Each platform's own store, tried before keyring's full detection."""


def detect_backend() -> KeyringBackend:
    """The keyring to use: the one the person configured (``PYTHON_KEYRING_BACKEND`` or
    ``keyringrc.cfg``), else this platform's own store when it is available, else what
    keyring's full detection picks.

    The shortcut matters at every start: full detection imports every backend it knows (on
    Linux even the macOS one, through ctypes), about 60 ms before the window can open.
    """
    configured = keyring.core.load_env() or keyring.core.load_config()
    if configured is not None:
        return configured
    native = _native_backend()
    return native if native is not None else keyring.get_keyring()


def _native_backend() -> KeyringBackend | None:
    module_name, class_name = _NATIVE.get(sys.platform, ("", ""))
    if not module_name:
        return None
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
        # ``priority`` raises (or is <= 0) when the store is not usable here, e.g. no D-Bus.
        if cls.priority > 0:
            backend: KeyringBackend = cls()
            return backend
    except Exception:  # any failure: let keyring's own detection decide
        return None
    return None


def backend_id(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_insecure(backend: KeyringBackend) -> bool:
    """Whether a (non-chain) backend would lose the secret or keep it in a weak file."""
    return isinstance(backend, fail.Keyring | null.Keyring) or type(backend).__module__.startswith(
        "keyrings.alt"
    )


def secure_backend(backend: KeyringBackend) -> KeyringBackend:
    """The backend to use in place of ``backend``; ``InsecureKeyring`` when there is none."""
    if isinstance(backend, chainer.ChainerBackend):
        members: list[KeyringBackend] = [b for b in backend.backends if not is_insecure(b)]
        if members:
            return members[0]  # the chain lists its members best first
    elif not is_insecure(backend):
        return backend
    raise InsecureKeyring(
        "Only an insecure keyring is available: install or unlock the system keyring.",
        backend=backend_id(backend),
    )


def describe(backend: KeyringBackend) -> str:
    """A name people recognise for the backend (for Settings → About)."""
    return _FRIENDLY_NAMES.get(type(backend).__module__, backend.name)


class KeyringSecretStore:
    """``core.secrets.SecretStore`` over the OS keyring (service ``SERVICE_NAME``).

    ``backend`` defaults to the one ``keyring`` detects. Raises ``InsecureKeyring`` when
    only an insecure backend is available, ``KeyringLocked`` when the keyring is locked or
    does not answer within ``timeout`` seconds, ``SecretStoreError`` for other failures.
    """

    def __init__(
        self, backend: KeyringBackend | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self._timeout = timeout
        self._backend_id = "auto-detect"
        chosen = backend if backend is not None else self._call("detect", detect_backend)
        self._backend = secure_backend(chosen)
        self._backend_id = backend_id(self._backend)

    @property
    def description(self) -> str:
        return describe(self._backend)

    @property
    def persistent(self) -> bool:
        return True

    @property
    def backend(self) -> KeyringBackend:
        return self._backend

    def get(self, name: str) -> str | None:
        return self._call("get", lambda: self._backend.get_password(SERVICE_NAME, name))

    def set(self, name: str, value: str) -> None:
        self._call("set", lambda: self._backend.set_password(SERVICE_NAME, name, value))

    def delete(self, name: str) -> None:
        """Remove a secret; no error when there is none."""
        if self.get(name) is not None:
            self._call("delete", lambda: self._backend.delete_password(SERVICE_NAME, name))

    def _call(self, operation: str, call: Callable[[], _T]) -> _T:
        """Run one keyring call in a worker thread and wait at most ``timeout`` seconds.

        Storage code otherwise never starts threads (the GUI's task runner owns them), but a
        keyring can block indefinitely: a locked Secret Service collection waits for an
        unlock prompt nobody sees, a wedged D-Bus never replies. Waiting here turns that into
        ``KeyringLocked`` instead of a frozen caller. The thread is a daemon, started per
        call (a ``ThreadPoolExecutor``'s workers are joined at exit, so one stuck call
        would keep the app from quitting); it finishes on its own if the keyring answers.
        """
        future: Future[_T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to the waiting caller
                future.set_exception(exc)

        threading.Thread(target=run, name=f"keyring-{operation}", daemon=True).start()
        try:
            return future.result(timeout=self._timeout)
        except TimeoutError:
            future.cancel()
            raise KeyringLocked(
                "The keyring did not answer in time: unlock it and try again.",
                operation=operation,
                timeout=self._timeout,
            ) from None
        except keyring.errors.KeyringLocked as exc:
            raise KeyringLocked(
                "The keyring is locked: unlock it and try again.", operation=operation
            ) from exc
        except keyring.errors.NoKeyringError as exc:
            raise InsecureKeyring(
                "No secure keyring is available.", backend=self._backend_id
            ) from exc
        except Exception as exc:
            # keyring.errors.* and the backends' own failures (D-Bus, Security framework)
            # all mean the same to the user: the keyring could not be used.
            raise SecretStoreError(
                "The keyring could not be used.", operation=operation, reason=type(exc).__name__
            ) from exc


class InMemorySecretStore:
    """Secrets held in memory, for ``--demo`` on machines without a secure keyring; never
    for real practice data.

    With ``file`` (see :meth:`for_demo`) they are also mirrored into that owner-only JSON
    file, so a demo folder reopens on the next start. That is a plaintext key on disk, which
    is acceptable only because demo data is invented.
    """

    DEMO_FILE = "demo-secrets.json"

    def __init__(self, file: Path | None = None) -> None:
        self._file = file
        self._lock = threading.Lock()
        self._values: dict[str, str] = {}
        if file is not None and file.exists():
            loaded = json.loads(file.read_text(encoding="utf-8"))
            self._values = {str(k): str(v) for k, v in dict(loaded).items()}

    @classmethod
    def for_demo(cls, demo_dir: Path) -> InMemorySecretStore:
        """The demo's store, kept in ``demo_dir/demo-secrets.json``."""
        return cls(Path(demo_dir) / cls.DEMO_FILE)

    @property
    def description(self) -> str:
        return "In memory (demo only)"

    @property
    def persistent(self) -> bool:
        return False

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            self._values[name] = value
            self._save()

    def delete(self, name: str) -> None:
        with self._lock:
            self._values.pop(name, None)
            self._save()

    def _save(self) -> None:
        if self._file is not None:
            ensure_private_dir(self._file.parent)
            atomic_write(self._file, json.dumps(self._values, indent=2).encode())


if TYPE_CHECKING:  # mypy proves that both stores implement core's port
    _keyring: type[SecretStore] = KeyringSecretStore
    _memory: type[SecretStore] = InMemorySecretStore
