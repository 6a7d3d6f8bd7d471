"""The dependency rule of ARCHITECTURE.md, checked on every test run.

``gui → core ← storage``: import-linter's contracts (pyproject.toml) forbid core from importing
Qt, SQLAlchemy, keyring, gui or storage; gui from importing SQLAlchemy, keyring or storage; and
storage from importing Qt or gui. On top of that, GUI feature packages must not import each
other (they talk through ``gui.hub``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_GUI_MODULES = {
    "app",
    "errors",
    "hub",
    "icons",
    "page",
    "placeholder",
    "run",
    "startup",
    "style",
    "tasks",
    "widgets",
    "window",
}


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_gui_feature_packages_do_not_import_each_other() -> None:
    features = {
        p.name for p in (ROOT / "gui").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    offenders = []
    for feature in features:
        for path in (ROOT / "gui" / feature).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] == "gui" and len(parts) > 1 and parts[1] in features - {feature}:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_core_and_storage_have_no_qt_by_scan() -> None:
    """A second, independent check that also sees imports inside functions."""
    offenders = []
    for layer, banned in (
        ("core", {"PySide6", "sqlalchemy", "alembic", "keyring", "gui", "storage"}),
        ("storage", {"PySide6", "gui"}),
        ("gui", {"sqlalchemy", "alembic", "keyring", "storage"}),
    ):
        for path in (ROOT / layer).rglob("*.py"):
            bad = {n for n in _imports(path) if n.split(".")[0] in banned}
            offenders += [f"{path.relative_to(ROOT)} imports {n}" for n in sorted(bad)]
    assert offenders == []
