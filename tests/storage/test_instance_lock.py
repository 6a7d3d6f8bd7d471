"""One running copy per data folder, enforced by the OS, released when the process ends."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.errors import AlreadyRunning
from storage.instance_lock import InstanceLock

ROOT = Path(__file__).resolve().parents[2]

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from storage.instance_lock import InstanceLock
    lock = InstanceLock(Path(sys.argv[1])).acquire()
    print("held", flush=True)
    time.sleep(60)
""")

TRY = textwrap.dedent("""
    import sys
    from pathlib import Path
    from core.errors import AlreadyRunning
    from storage.instance_lock import InstanceLock
    try:
        InstanceLock(Path(sys.argv[1])).acquire()
    except AlreadyRunning:
        sys.exit(3)
""")


def run_python(code: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_second_acquire_in_this_process_is_refused(tmp_path: Path) -> None:
    with InstanceLock(tmp_path) as first:
        assert first.held
        with pytest.raises(AlreadyRunning) as info:
            InstanceLock(tmp_path).acquire()
        assert info.value.params["path"] == str(tmp_path)
    assert not first.held
    InstanceLock(tmp_path).acquire().release()  # free again


def test_second_process_is_refused(tmp_path: Path) -> None:
    with InstanceLock(tmp_path):
        assert run_python(TRY, tmp_path).returncode == 3
    assert run_python(TRY, tmp_path).returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_process_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(AlreadyRunning):
            InstanceLock(tmp_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        assert holder.stdout is not None
        holder.stdout.close()
    InstanceLock(tmp_path).acquire().release()
