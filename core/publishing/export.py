"""Clean copies of a post's photos for API connectors, kept only while an attempt needs them.

A connector uploads files, so the outbox needs the photos as files: the *clean export*
(``ImagingService.export_for_post``: upright, re-encoded, no metadata, redactions burned in),
never the original. The copies go into a private folder inside the data folder
(``vault/outgoing/``, owner-only), never the system's temp folder, where other users and
backup tools could read a photo of a patient. Each attempt gets its own sub-folder with
neutral names (``1.jpg``, ``2.png``: no file names, no hashes), which the outbox discards as
soon as the attempt is over; a process that died mid-attempt leaves one behind, which the next
run sweeps away.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

STALE_AFTER_SECONDS = 3600.0
"""A batch older than this belongs to no running attempt (the outbox's lease is minutes)."""

_PRIVATE_DIR = 0o700


class OutgoingImages:
    """The outbox's ``MediaExporter`` over a folder (``__call__``) and its ``discard``.

    ``export(hash, dst)`` writes the clean copy of one photo; ``suffix(hash)`` names its format
    (``.jpg`` or ``.png``, ``ImagingService.clean_suffix``).
    """

    def __init__(
        self,
        folder: Path,
        export: Callable[[str, Path], None],
        suffix: Callable[[str], str] = lambda digest: ".jpg",
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self._export = export
        self._suffix = suffix
        self._clock = clock
        self._swept = False

    def __call__(self, hashes: Sequence[str]) -> list[Path]:
        """Export every photo of ``hashes`` (in order) into a new private batch folder. On any
        failure nothing is left behind and the error goes to the outbox (nothing was sent)."""
        self._private(self.folder)
        if not self._swept:
            self._swept = True
            self.sweep()
        batch = self.folder / uuid.uuid4().hex
        self._private(batch)
        paths: list[Path] = []
        try:
            for number, digest in enumerate(hashes, start=1):
                target = batch / f"{number}{self._suffix(digest)}"
                self._export(digest, target)
                paths.append(target)
        except BaseException:
            shutil.rmtree(batch, ignore_errors=True)
            raise
        return paths

    def discard(self, paths: Sequence[Path]) -> None:
        """Delete the copies of one attempt and their batch folder (only inside ``folder``)."""
        for batch in {p.parent for p in paths}:
            if batch.parent == self.folder:
                shutil.rmtree(batch, ignore_errors=True)

    def sweep(self) -> int:
        """Remove batches left by a process that died mid-attempt (older than
        ``STALE_AFTER_SECONDS``). Returns how many."""
        removed = 0
        cutoff = self._clock() - STALE_AFTER_SECONDS
        try:
            batches = list(self.folder.iterdir())
        except FileNotFoundError:
            return 0
        for batch in batches:
            try:
                old = batch.stat().st_mtime < cutoff
            except FileNotFoundError:
                continue
            if old and batch.is_dir():
                shutil.rmtree(batch, ignore_errors=True)
                removed += 1
        if removed:
            log.info("outgoing images: removed %d batches left by an interrupted run", removed)
        return removed

    @staticmethod
    def _private(folder: Path) -> None:
        folder.mkdir(mode=_PRIVATE_DIR, parents=True, exist_ok=True)
        if os.name == "posix" and stat.S_IMODE(folder.stat().st_mode) != _PRIVATE_DIR:
            folder.chmod(_PRIVATE_DIR)
