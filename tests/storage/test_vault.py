"""The media vault: content-addressed, owner-only, atomic, and checked on every read."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from core.errors import NotFound, StorageError
from storage.vault import MediaVault


def test_put_open_exists_delete(tmp_path: Path) -> None:
    vault = MediaVault(tmp_path / "vault")
    data = b"\xff\xd8 a photo" * 1000
    digest = vault.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert vault.path(digest) == tmp_path / "vault" / digest[:2] / digest[2:]
    assert vault.exists(digest)
    assert vault.open(digest) == data
    vault.delete(digest)
    assert not vault.exists(digest)
    vault.delete(digest)  # already gone: fine
    with pytest.raises(NotFound):
        vault.open(digest)


def test_files_and_folders_are_owner_only_and_no_temp_files_remain(tmp_path: Path) -> None:
    vault = MediaVault(tmp_path / "vault")
    digest = vault.put(b"scan of a signed consent form")
    assert stat.S_IMODE(vault.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(vault.path(digest).parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(vault.path(digest).stat().st_mode) == 0o600
    everything = sorted(p.relative_to(vault.root).as_posix() for p in vault.root.rglob("*"))
    assert everything == [digest[:2], f"{digest[:2]}/{digest[2:]}"]


def test_put_from_a_path_streams_and_deduplicates(tmp_path: Path) -> None:
    vault = MediaVault(tmp_path / "vault")
    source = tmp_path / "big.bin"
    source.write_bytes(bytes(range(256)) * 20_000)  # bigger than one copy chunk
    digest = vault.put(source)
    assert digest == hashlib.sha256(source.read_bytes()).hexdigest()
    before = vault.path(digest).stat().st_mtime_ns
    assert vault.put(source.read_bytes()) == digest
    assert vault.path(digest).stat().st_mtime_ns == before  # the stored file was kept


def test_a_changed_file_is_reported_not_returned(tmp_path: Path) -> None:
    vault = MediaVault(tmp_path / "vault")
    digest = vault.put(b"original photo")
    vault.path(digest).write_bytes(b"edited photo")
    with pytest.raises(StorageError) as info:
        vault.open(digest)
    assert info.value.params["reason"] == "vault_damaged"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "AB" * 32, "a" * 63, ""])
def test_only_sha256_digests_name_files(tmp_path: Path, bad: str) -> None:
    vault = MediaVault(tmp_path / "vault")
    with pytest.raises(ValueError, match="SHA-256"):
        vault.path(bad)


def test_openable_names_the_file_for_viewers_and_stays_in_the_vault(tmp_path: Path) -> None:
    vault = MediaVault(tmp_path / "vault")
    digest = vault.put(b"%PDF-1.4 a signed consent")
    opened = vault.openable(digest, ".pdf")
    assert opened.name == f"{digest}.pdf"
    assert opened.parent.parent == vault.root  # inside the vault, not the system temp folder
    assert opened.read_bytes() == b"%PDF-1.4 a signed consent"
    assert opened.stat().st_mode & 0o077 == 0
    assert vault.openable(digest, ".pdf") == opened
    with pytest.raises(ValueError, match="extension"):
        vault.openable(digest, ".pdf; rm -rf")
    with pytest.raises(NotFound):
        vault.openable("0" * 64, ".pdf")
    vault.delete(digest)
    assert not opened.exists()
