"""Secrets (the database key, later platform tokens) live only in the OS keyring.

``SecretStore`` is the port; ``storage.secrets`` implements it over ``keyring`` and refuses
insecure backends. The database stores only a reference (the secret's name).
"""

from __future__ import annotations

from typing import Protocol

SERVICE_NAME = "Front Desk Social"


def database_key_name(database_id: str) -> str:
    """The keyring entry that holds the key of the database with this id."""
    return f"database-key:{database_id}"


class SecretStore(Protocol):
    """Get, set and delete secrets by name. Implementations raise
    ``core.errors.SecretStoreError`` subclasses (insecure, locked or timed out)."""

    @property
    def description(self) -> str:
        """What backs the store, for Settings → About (e.g. "GNOME Keyring")."""
        ...

    @property
    def persistent(self) -> bool:
        """``True`` for the OS keyring; ``False`` for the demo's stand-in store."""
        ...

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...
