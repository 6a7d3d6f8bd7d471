"""Start-up benchmark: process start to the first painted main window, against bare Qt.

Both sides are measured the same way, as whole processes on the offscreen platform: our app runs
``main.py --demo --data-dir D --screenshot out.png`` (start, open and check the encrypted
database, build services, sign in the demo user, lay out and paint the main window, write the
PNG, exit); the baseline is a bare PySide6 script that shows a QMainWindow of the same size,
grabs it to a PNG and exits. "Warm" means what a person gets from the second start on: the demo
data folder exists, the files are in the page cache, and Python's bytecode caches are written
(``PYTHONDONTWRITEBYTECODE`` is dropped for the runs, as some CI images set it). Two untimed
runs of each come first.

Prints JSON lines: {"name", "value", "unit", "baseline", "ratio"}. Target: ratio <= 2.

    uv run python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setCentralWidget(QLabel("Hello")); w.resize(1366, 768); w.show()
app.processEvents()
w.grab().save(sys.argv[1])
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="fds-bench-") as tmp:
        data = Path(tmp) / "demo"
        png = str(Path(tmp) / "out.png")
        app_cmd = [
            sys.executable,
            "main.py",
            "--demo",
            "--data-dir",
            str(data),
            "--screenshot",
            png,
            "--page",
            "today",
        ]
        bare_cmd = [sys.executable, "-c", BARE, png]
        for _ in range(2):  # creates the demo practice; writes bytecode; warms the page cache
            timed(app_cmd, env)
            timed(bare_cmd, env)
        app_times, bare_times = [], []
        for _ in range(runs):  # interleaved, so drift in machine load hits both alike
            app_times.append(timed(app_cmd, env))
            bare_times.append(timed(bare_cmd, env))
    app_ms = statistics.median(app_times) * 1000
    bare_ms = statistics.median(bare_times) * 1000
    print(
        json.dumps(
            {
                "name": "startup_to_first_paint_bare_qt",
                "value": round(bare_ms, 1),
                "unit": "ms",
                "baseline": None,
                "ratio": None,
            }
        )
    )
    print(
        json.dumps(
            {
                "name": "startup_to_first_paint_demo_warm",
                "value": round(app_ms, 1),
                "unit": "ms",
                "baseline": round(bare_ms, 1),
                "ratio": round(app_ms / bare_ms, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
