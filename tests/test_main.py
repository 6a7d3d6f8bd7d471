"""main.py end to end, as a person starts it: real processes, real files, the offscreen
platform."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("today", "composer", "images", "consent", "reviews", "incentives", "settings")


def run_main(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    base["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_version() -> None:
    result = run_main("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "Front Desk Social 0.1.0"


def test_no_display_gives_a_clear_message_and_exit_2() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "main.py", "--demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "needs a graphical display" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "Aborted" not in result.stderr


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.mark.parametrize("page", PAGES)
def test_screenshot_of_every_page(demo_dir: Path, tmp_path: Path, page: str) -> None:
    out = tmp_path / f"{page}.png"
    result = run_main(
        "--demo", "--data-dir", str(demo_dir), "--screenshot", str(out), "--page", page
    )
    assert result.returncode == 0, result.stderr
    from PIL import Image

    with Image.open(out) as image:
        assert image.size[0] >= 1280
        assert image.size[1] >= 720
        # A real rendering has many colours; a blank or black window has one or two.
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50


def test_demo_data_dir_is_created_once_and_reused(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    for _ in range(2):
        result = run_main(
            "--demo", "--data-dir", str(data), "--screenshot", str(tmp_path / "a.png")
        )
        assert result.returncode == 0, result.stderr
    assert (data / "practice.db").exists()
    head = (data / "practice.db").read_bytes()[:16]
    assert head != b"SQLite format 3\x00"  # encrypted


def test_insecure_keyring_is_refused_with_exit_2(tmp_path: Path) -> None:
    result = run_main(
        "--data-dir",
        str(tmp_path / "real"),
        "--screenshot",
        str(tmp_path / "x.png"),
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert result.returncode == 2
    assert "keyring" in result.stderr.lower()
    assert not (tmp_path / "real" / "practice.db").exists()


def test_unreachable_postgres_masks_the_password(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://frontdesk:SuperSecret42@127.0.0.1:{port}/fds"
    result = run_main(
        "--database-url", url, "--data-dir", str(tmp_path), "--screenshot", str(tmp_path / "x.png")
    )
    assert result.returncode == 2
    assert "SuperSecret42" not in result.stderr + result.stdout
    assert "***" in result.stderr
    assert f"127.0.0.1:{port}" in result.stderr


def test_demo_cannot_point_at_a_shared_server(tmp_path: Path) -> None:
    result = run_main("--demo", "--database-url", "postgresql://u:p@127.0.0.1/x")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr
