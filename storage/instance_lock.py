"""One running copy of the app per data folder.

Two copies writing the same SQLite file, vault and backups would each think they own them
(daily backups twice, a restore under the other's feet). An exclusive OS lock on
``data_dir/.lock`` says who does; the OS releases it when the process ends, even on a crash,
so there is never a stale lock to clean up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

from core.errors import AlreadyRunning
from storage.files import FILE_MODE, os_error

LOCK_NAME = ".lock"


class InstanceLock:
    """An exclusive, non-blocking lock on ``data_dir/.lock``.

    ``acquire()`` raises ``AlreadyRunning`` when another process, or another ``InstanceLock``
    in this process, holds it. Use as a context manager or call ``acquire``/``release``.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> Self:
        if self._fd is not None:
            raise RuntimeError("this lock is already held")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise os_error(exc, self.path) from exc
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise AlreadyRunning(
                "Front Desk Social is already running with this data folder.",
                path=str(self.path.parent),
            ) from None
        self._fd = fd
        return self

    def release(self) -> None:
        """Release the lock (closing the file releases it; no error when not held)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _unlock(fd)
            os.close(fd)

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        # Locks one byte (past the end of the empty file is allowed); LK_NBLCK fails at once.
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        # flock locks belong to the open file description: a second open() of the same file
        # in this very process is refused too, not silently shared.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
