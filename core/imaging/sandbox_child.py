"""The child process of ``core.imaging.sandbox.ImageSandbox``: parses untrusted image files.

Run as ``python -m core.imaging.sandbox_child``. It reads one JSON request per line on stdin
(``{"path": ...}``) and answers one JSON line on stdout: ``{"ok": true,
"format", "width", "height", "thumbnail" (base64 JPEG), "taken_at"}`` or ``{"ok": false,
"reason", "params"}``. On POSIX it first caps its address space (``RLIMIT_AS``: a decoder that
runs away fails with ``MemoryError`` or dies, the app does not) and the size of any file it
writes to zero (``RLIMIT_FSIZE``: it writes nothing, not even by accident). Only the plugins of
``IMPORT_FORMATS`` ever parse a file (``core.imaging.reading.open_image``).

The protocol runs over a duplicate of the original stdout; file descriptor 1 itself is pointed
at stderr, so a library that prints cannot corrupt an answer.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from PIL import Image

from core.imaging.export import upright
from core.imaging.metadata import taken_at
from core.imaging.reading import ImageRejected, open_image, register_heif

THUMBNAIL_SIDE = 320
"""The long side of the thumbnail, in pixels."""

THUMBNAIL_QUALITY = 80


def main() -> None:
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    register_heif()
    _warm_up()
    out = _protocol_stream()
    _limit(memory)
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            answer = inspect(Path(request["path"]))
        except MemoryError:
            answer = _refusal("too_large", {})
        except (ValueError, KeyError, TypeError):
            answer = _refusal("unreadable", {})
        out.write(json.dumps(answer) + "\n")
        out.flush()


def inspect(path: Path) -> dict[str, Any]:
    """The answer for one file (see the module docstring)."""
    try:
        size = path.stat().st_size
        with open_image(path) as image:
            when = taken_at(image)
            fmt = str(image.format)
            thumbnail = _thumbnail(upright(image))
            width, height = thumbnail[1]
    except ImageRejected as rejected:
        params = {k: v for k, v in rejected.params.items() if k != "reason"}
        return _refusal(rejected.reason, params)
    except OSError:
        return _refusal("unreadable", {})
    return {
        "ok": True,
        "format": fmt,
        "width": width,
        "height": height,
        "size_bytes": size,
        "thumbnail": base64.b64encode(thumbnail[0]).decode("ascii"),
        "taken_at": when,
    }


def _thumbnail(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """A small upright JPEG without any metadata, and the upright size of the photo."""
    size = image.size
    small = image  # the decoded photo is not needed after this: shrink it in place
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    if small.mode in ("RGBA", "LA", "PA") or "transparency" in small.info:
        rgba = small.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        small = flat
    clean = Image.new("RGB", small.size)
    clean.paste(small.convert("RGB"), (0, 0))
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue(), size


def _refusal(reason: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"ok": False, "reason": reason, "params": params}


def _warm_up() -> None:
    """Load every plugin and codec now, before the limits: loading them later would be the
    first thing a small address-space cap breaks."""
    for fmt in ("JPEG", "PNG", "WEBP"):
        Image.new("RGB", (8, 8)).save(io.BytesIO(), fmt)


def _protocol_stream() -> IO[str]:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return protocol


def _limit(memory: int) -> None:
    if sys.platform == "win32":
        return
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails (EFBIG) instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


if __name__ == "__main__":
    main()
