"""Owner-only files and folders, written atomically.

The data folder holds PHI (encrypted, but still): nothing in it may be readable by other
accounts on the machine. Modes are given explicitly at creation instead of relying on the
process umask, which is process-wide and not ours to change.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from core.errors import DiskFull, ReadOnlyStorage, StorageError

DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only, or tighten an existing folder."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if os.name == "posix" and path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create an empty owner-only file; ``FileExistsError`` when it already exists."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))


def make_private(path: Path) -> None:
    """Tighten an existing file to owner-only (no-op when it does not exist)."""
    if os.name == "posix":
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mode & 0o777 != FILE_MODE:
                path.chmod(FILE_MODE)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (POSIX; Windows has no directory fds)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(folder: Path, stem: str) -> Path:
    """A fresh hidden name in ``folder`` for a file that is renamed into place when complete."""
    return folder / f".{stem}.{secrets.token_hex(8)}.partial"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` owner-only, all or nothing: a temporary file in the same
    folder is filled, synced and renamed over ``path``."""
    tmp = temp_name(path.parent, path.name)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise os_error(exc, path) from exc
    fsync_dir(path.parent)


def os_error(exc: OSError, path: Path) -> StorageError:
    """The known error for a failed file operation (``path`` is ours, never PHI)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFull("The disk is full.", path=str(path))
    if exc.errno == errno.EROFS:
        return ReadOnlyStorage("The data folder is on read-only storage.", path=str(path))
    return StorageError(
        "A file in the data folder could not be used.",
        path=str(path),
        reason=errno.errorcode.get(exc.errno or 0, type(exc).__name__),
    )
