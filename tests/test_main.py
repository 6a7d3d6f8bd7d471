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


# --- --publish-due ---------------------------------------------------------------------------
def test_publish_due_without_a_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "nowhere"
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = run_main("--publish-due", "--data-dir", str(folder), env=env)
    assert result.returncode == 2
    assert "no practice database" in result.stderr
    assert "Start the app once" in result.stderr
    assert not folder.exists()


def test_publish_due_without_a_secure_keyring_exits_2_without_asking(tmp_path: Path) -> None:
    from storage.open import open_local_store
    from storage.secrets import InMemorySecretStore

    data = tmp_path / "practice"
    with open_local_store(data, InMemorySecretStore()):
        pass  # a real, encrypted database whose key is not in any keyring here
    result = run_main(
        "--publish-due",
        "--data-dir",
        str(data),
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
        timeout=60,
    )
    assert result.returncode == 2
    assert "keyring" in result.stderr.lower()
    assert result.stdout == ""


def _practice_with_due_posts(uow: object, clock: object) -> tuple[int, int]:
    """The demo staff, one post due half an hour ago and one five hours ago (late); both
    for Facebook and Google, which are published by hand. Returns their ids."""
    from datetime import timedelta

    from core.app import DatabaseInfo, DatabaseKind, build_services
    from core.clock import ManualClock
    from core.demo import create_demo_practice
    from core.staff.pins import fast_hasher
    from storage.secrets import InMemorySecretStore

    assert isinstance(clock, ManualClock)
    services = build_services(
        uow=uow,  # type: ignore[arg-type]
        clock=clock,
        secrets=InMemorySecretStore(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "test", True, "0003", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
    )
    staff = create_demo_practice(services, with_posts=False)
    composer = services.composer
    ids = []
    for hours in (0.5, 5):
        start = clock.now()
        clock.set(start - timedelta(hours=hours + 1))
        post = composer.new_draft(staff.front_desk, "Flu shots are here!", ("facebook", "gbp"))
        post = composer.submit(staff.front_desk, post.id or 0, post.version)
        post = composer.approve(staff.manager, post.id or 0, post.version)
        post = composer.schedule(
            staff.front_desk, post.id or 0, post.version, start - timedelta(hours=hours)
        )
        clock.set(start)
        ids.append(post.id or 0)
    return ids[0], ids[1]


def _state(uow: object, post_id: int) -> str:
    with uow() as tx:  # type: ignore[operator]
        return str(tx.posts.get(post_id).state.value)


def test_publish_due_in_process_opens_the_local_store_with_the_keyring_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    import main
    from core.clock import ManualClock
    from storage.open import open_local_store
    from storage.secrets import InMemorySecretStore

    secrets = InMemorySecretStore()
    data = tmp_path / "practice"
    with open_local_store(data, secrets) as store:
        due, late = _practice_with_due_posts(store.uow_factory, ManualClock(_now()))
    monkeypatch.setattr(main, "open_secrets", lambda demo, data_dir: secrets)
    before = list(logging.getLogger().handlers)
    try:
        assert main.main(["--publish-due", "--data-dir", str(data)]) == 0
        first = capsys.readouterr()
        assert main.main(["--publish-due", "--data-dir", str(data)]) == 0
        second = capsys.readouterr()
    finally:
        for handler in logging.getLogger().handlers[:]:
            if handler not in before:
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert first.out.splitlines() == [
        "Started publishing 1 post; 0 posts published, 0 posts failed.",
        "1 post to publish by hand: see Today in the app.",
        "1 post more than a few hours late: left for the app to ask whether to publish now.",
    ]
    assert second.out.startswith("Started publishing 0 posts;")
    assert "Flu" not in first.out + second.out
    with open_local_store(data, secrets, create=False) as store:
        assert _state(store.uow_factory, due) == "publishing"
        assert _state(store.uow_factory, late) == "scheduled"
        with store.uow_factory() as tx:
            assert {e.status.value for e in tx.outbox.for_post(due)} == {"manual"}
    log_text = (data / "logs" / "frontdesk.log").read_text()
    assert "publish-due started=1" in log_text
    assert "Flu" not in log_text


def _now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)


@pytest.fixture(scope="module")
def pg_url() -> object:
    from tests import services

    try:
        with services.postgres_server() as url:
            yield url
    except services.ServiceUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unavailable: {exc} (CI is set: nothing may skip in CI)")
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@pytest.mark.postgres
def test_publish_due_against_a_shared_server_as_the_os_scheduler_runs_it(
    pg_url: str, tmp_path: Path
) -> None:
    from core.clock import ManualClock
    from storage.open import open_server_store
    from tests import services

    with services.fresh_database(pg_url) as url:
        with open_server_store(url, tmp_path / "setup") as store:
            due, late = _practice_with_due_posts(store.uow_factory, ManualClock(_now()))
        result = run_main(
            "--publish-due",
            "--database-url",
            url,
            "--data-dir",
            str(tmp_path / "workstation"),
            env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
        )
        assert result.returncode == 0, result.stderr
        assert "Started publishing 1 post;" in result.stdout
        assert "1 post to publish by hand" in result.stdout
        assert "1 post more than a few hours late" in result.stdout
        with open_server_store(url, tmp_path / "check") as store:
            assert _state(store.uow_factory, due) == "publishing"
            assert _state(store.uow_factory, late) == "scheduled"
