"""The media vault: photos and signed-form scans, stored by content hash.

``root/ab/cdef…`` holds the file whose SHA-256 is ``abcdef…``; the database stores only the
hash and metadata. Files are owner-only and written atomically (a temporary file in the vault,
synced, then renamed), and every read checks the hash, so a damaged or altered file is
reported instead of shown or published. (Encrypting vault files is a later step.)
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from core.errors import NotFound, StorageError
from storage.files import FILE_MODE, ensure_private_dir, fsync_dir, os_error, temp_name

_HASH = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class MediaVault:
    """A content-addressed store of files under ``root`` (created owner-only)."""

    def __init__(self, root: Path) -> None:
        self.root = ensure_private_dir(root)

    def path(self, digest: str) -> Path:
        """Where the file with this SHA-256 (64 lowercase hex digits) lives."""
        if not _HASH.match(digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / digest[:2] / digest[2:]

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def openable(self, digest: str, suffix: str) -> Path:
        """The file again as ``root/open/<hash><suffix>`` (a hard link, or a copy where links
        are not possible), for programs that go by the extension (a PDF viewer on Windows).
        It stays inside the vault and owner-only: never a copy in the system's temp folder."""
        if not re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
            raise ValueError("not a file extension")
        source = self.path(digest)
        if not source.is_file():
            raise NotFound("That file is not in the media folder.", entity="media", id=digest)
        folder = ensure_private_dir(self.root / "open")
        target = folder / f"{digest}{suffix}"
        if target.is_file():
            return target
        try:
            try:
                os.link(source, target)
            except OSError:
                tmp = temp_name(folder, "open")
                fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
                with os.fdopen(fd, "wb") as out:
                    out.write(source.read_bytes())
                os.replace(tmp, target)
        except FileExistsError:
            pass
        except OSError as exc:
            raise os_error(exc, self.root) from exc
        return target

    def put(self, content: bytes | Path) -> str:
        """Store bytes, or a copy of the file at a path; returns its SHA-256. Storing
        content that is already there keeps the existing file."""
        tmp = temp_name(self.root, "put")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                if isinstance(content, bytes):
                    digest.update(content)
                    out.write(content)
                else:
                    with content.open("rb") as src:
                        while chunk := src.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            hex_digest = digest.hexdigest()
            final = self.path(hex_digest)
            if final.is_file():
                return hex_digest
            ensure_private_dir(final.parent)
            os.replace(tmp, final)
            fsync_dir(final.parent)
            return hex_digest
        except OSError as exc:
            raise os_error(exc, self.root) from exc
        finally:
            tmp.unlink(missing_ok=True)

    def open(self, digest: str) -> bytes:
        """The file's content, after checking it still has this hash.

        Raises ``NotFound`` when missing and ``StorageError`` (``reason="vault_damaged"``)
        when its content no longer matches."""
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(
                "The file is missing from the media vault.", entity="media", hash=digest
            ) from None
        except OSError as exc:
            raise os_error(exc, self.root) from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise StorageError(
                "A file in the media vault was changed or damaged.",
                reason="vault_damaged",
                hash=digest,
            )
        return data

    def delete(self, digest: str) -> None:
        """Remove a file and its named copies from ``openable`` (no error when gone)."""
        try:
            self.path(digest).unlink(missing_ok=True)
            opened = self.root / "open"
            if opened.is_dir():
                for copy in opened.glob(f"{digest}.*"):
                    copy.unlink(missing_ok=True)
        except OSError as exc:
            raise os_error(exc, self.root) from exc
