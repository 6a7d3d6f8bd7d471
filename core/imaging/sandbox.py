"""Untrusted image files parsed in a child process with resource limits.

An imported file comes from anywhere (a phone's sync folder, an e-mail attachment) and image
decoders are where parser bugs live. ``ImageSandbox.inspect`` first does what needs no parser
(the size cap, the first bytes: EPS, PDF, text renamed ``.jpg``, ... are refused here), then
asks a persistent child process (``core.imaging.sandbox_child``) to open the file with only
the ``IMPORT_FORMATS`` plugins, check the pixel count, decode it fully and make a thumbnail.
The child runs with a capped address space and may not write files (POSIX ``setrlimit``); when
it takes longer than ``timeout``, or dies, it is killed and restarted for the next file, and
that file is refused (``malformed``). The app's own process never decodes an unchecked file.

Requests and answers are JSON lines over the child's stdin and stdout; a reader thread turns
the answers into a queue so a wait can time out on every platform. Refusals never carry the
path or file name.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from core.imaging.reading import ImageRejected, check_file

ROOT = Path(__file__).resolve().parent.parent.parent
"""The project root: the child runs ``python -m core.imaging.sandbox_child`` from here."""

START_TIMEOUT = 60.0
"""How long the child may take to start (imports, codecs) before it counts as broken."""


@dataclass(frozen=True, slots=True)
class Inspected:
    """What the sandbox learned about an acceptable image file: its format (a Pillow name),
    upright size in pixels, size in bytes, a small upright JPEG thumbnail (long side at most
    320 px, no metadata) and the capture time (EXIF DateTimeOriginal, ISO) if any."""

    format: str
    width: int
    height: int
    size_bytes: int
    thumbnail: bytes
    taken_at: str | None


class ImageSandbox:
    """A child process that inspects untrusted image files (see the module docstring).

    ``memory_bytes`` caps the child's address space (POSIX), ``timeout`` the seconds one file
    may take. Started on the first ``inspect``; ``close`` (or leaving a ``with`` block) stops
    it. Not for use from two threads at once (a lock makes that safe, but serial).
    """

    def __init__(self, *, memory_bytes: int = 2 << 30, timeout: float = 30.0) -> None:
        self.memory_bytes = memory_bytes
        self.timeout = timeout
        self._lock = threading.Lock()
        self._child: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()

    def inspect(self, path: Path) -> Inspected:
        """Inspect the file at ``path``; raises ``ImageRejected`` when it will not be read."""
        size = check_file(path)
        with self._lock:
            answer = self._ask({"path": str(Path(path).resolve())})
        if not answer.get("ok"):
            reason = str(answer.get("reason") or "malformed")
            params = answer.get("params")
            raise ImageRejected(
                f"refused ({reason})", reason=reason, **(params if isinstance(params, dict) else {})
            )
        try:
            thumbnail = base64.b64decode(str(answer["thumbnail"]), validate=True)
            taken = answer.get("taken_at")
            return Inspected(
                format=str(answer["format"]),
                width=int(answer["width"]),
                height=int(answer["height"]),
                size_bytes=size,
                thumbnail=thumbnail,
                taken_at=str(taken) if taken else None,
            )
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise ImageRejected("the inspection answer was garbled", reason="malformed") from None

    def close(self) -> None:
        """Stop the child process (it is started again by the next ``inspect``)."""
        with self._lock:
            self._stop()

    def __enter__(self) -> ImageSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- the child ---------------------------------------------------------------------------

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        child = self._running_child()
        assert child.stdin is not None
        try:
            child.stdin.write(json.dumps(request) + "\n")
            child.stdin.flush()
        except OSError:
            self._stop(kill=True)
            raise ImageRejected("the image reader stopped", reason="malformed") from None
        try:
            line = self._answers.get(timeout=self.timeout)
        except queue.Empty:
            self._stop(kill=True)
            raise ImageRejected(
                "the image took too long to read", reason="malformed", seconds=self.timeout
            ) from None
        if line is None:  # the child died on this file (a crash, or killed for its memory)
            self._stop(kill=True)
            raise ImageRejected("the image reader crashed on the file", reason="malformed")
        try:
            answer = json.loads(line)
        except ValueError:
            self._stop(kill=True)
            raise ImageRejected("the inspection answer was garbled", reason="malformed") from None
        if not isinstance(answer, dict):
            raise ImageRejected("the inspection answer was garbled", reason="malformed")
        return answer

    def _running_child(self) -> subprocess.Popen[str]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        self._stop()
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # it may not write files at all
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        # S603: our own interpreter running our own module; the file path goes over stdin.
        child = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "core.imaging.sandbox_child", str(self.memory_bytes)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            creationflags=flags,
        )
        answers: queue.Queue[str | None] = queue.Queue()
        assert child.stdout is not None
        threading.Thread(
            target=_read_lines, args=(child.stdout, answers), name="image-sandbox", daemon=True
        ).start()
        try:
            ready = answers.get(timeout=max(START_TIMEOUT, self.timeout))
        except queue.Empty:
            ready = None
        self._child, self._answers = child, answers
        if ready is None or not ready.startswith('{"ready"'):
            self._stop(kill=True)
            raise ImageRejected("the image reader did not start", reason="unreadable")
        return child

    def _stop(self, *, kill: bool = False) -> None:
        """End the child: politely (its stdin closed) or, when it is stuck or broken, killed."""
        child, self._child = self._child, None
        if child is None:
            return
        if kill and child.poll() is None:
            child.kill()
        if child.stdin is not None:
            with contextlib.suppress(OSError):
                child.stdin.close()
        try:
            child.wait(2)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


def _read_lines(stream: IO[str], answers: queue.Queue[str | None]) -> None:
    """Feed each line the child writes into ``answers``; ``None`` when it closes its end."""
    try:
        for line in stream:
            answers.put(line)
    except (OSError, ValueError):
        pass
    answers.put(None)
