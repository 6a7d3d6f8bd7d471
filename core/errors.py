"""The small error hierarchy shared by every layer.

``KnownError`` subclasses describe the environment or the user's input (a locked database, a
full disk, a wrong PIN): the GUI turns them into a plain sentence that says what to do next.
Anything else that escapes is a bug and becomes one crash report (without PHI).

Every known error carries a stable ``code`` and ``params`` (plain data, never PHI); the GUI words
them through ``tr()``. ``str(error)`` is an English fallback for logs and the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FrontDeskError(Exception):
    """Base of every error this application raises on purpose."""


class KnownError(FrontDeskError):
    """An expected failure with a message a person can act on."""

    code: str = "known"

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.params: Mapping[str, Any] = params


# --- storage and environment -------------------------------------------------------------
class StorageError(KnownError):
    """The database or the data folder could not be used."""

    code = "storage"


class DatabaseLocked(StorageError):
    code = "database_locked"


class DiskFull(StorageError):
    code = "disk_full"


class ReadOnlyStorage(StorageError):
    code = "read_only"


class DatabaseCorrupt(StorageError):
    code = "database_corrupt"


class WrongDatabaseKey(StorageError):
    """The key (from the keyring or the recovery key) does not open this database."""

    code = "wrong_key"


class DatabaseTooNew(StorageError):
    """The database was written by a newer version of the app."""

    code = "database_too_new"


class DatabaseUnreachable(StorageError):
    """A database server did not answer; ``params['url']`` has its password masked."""

    code = "database_unreachable"


class AlreadyRunning(StorageError):
    """Another copy of the app already has this data folder open."""

    code = "already_running"


class EditConflict(StorageError):
    """Someone else saved the same record first (optimistic locking)."""

    code = "edit_conflict"


class NotFound(KnownError):
    code = "not_found"


# --- secrets ---------------------------------------------------------------------------
class SecretStoreError(KnownError):
    """The OS keyring could not be used."""

    code = "keyring"


class InsecureKeyring(SecretStoreError):
    """Only an insecure keyring backend (fail, null, plaintext file) is available."""

    code = "keyring_insecure"


class KeyringLocked(SecretStoreError):
    """The keyring is locked, or did not answer in time."""

    code = "keyring_locked"


class MissingDatabaseKey(SecretStoreError):
    """The keyring has no entry for this database's key: the recovery key is needed."""

    code = "keyring_missing_key"


class InvalidRecoveryKey(KnownError):
    code = "recovery_key_invalid"


# --- people and permissions ---------------------------------------------------------------
class SignInError(KnownError):
    code = "sign_in"


class WrongPin(SignInError):
    """``params['attempts_left']`` says how many tries remain before a lockout."""

    code = "wrong_pin"


class SignInLockedOut(SignInError):
    """Too many wrong PINs; ``params['until']`` is when the next try is allowed."""

    code = "locked_out"


class InvalidPin(KnownError):
    """A new PIN that does not meet the rules; ``params['reason']`` says which."""

    code = "invalid_pin"


class PermissionDenied(KnownError):
    """The signed-in person's role may not do this; ``params['action']`` names it."""

    code = "permission_denied"


class ValidationError(KnownError):
    """User input that cannot be saved; ``params['field']`` names the field."""

    code = "validation"
