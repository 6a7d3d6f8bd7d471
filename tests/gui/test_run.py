"""``gui.run``: the ``--screenshot`` mode for every page, the sign-in screen and first start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from core.app import Services
from core.demo import DemoStaff
from gui.run import SCREENSHOT_SIZE, needs_setup, run

PAGES = ["today", "composer", "images", "consent", "reviews", "incentives", "settings"]


@pytest.fixture(autouse=True)
def _keep_excepthook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)


def shot(path: Path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == SCREENSHOT_SIZE
    return image


@pytest.mark.parametrize("page", PAGES)
def test_screenshot_of_every_page(
    qapp: QApplication, memory_services: Services, demo: DemoStaff, tmp_path: Path, page: str
) -> None:
    path = tmp_path / f"{page}.png"
    code = run(qapp, memory_services, signed_in=demo.front_desk, page=page, screenshot=path)
    assert code == 0
    shot(path)


def test_screenshot_without_a_user_shows_sign_in(
    qapp: QApplication, memory_services: Services, demo: DemoStaff, tmp_path: Path
) -> None:
    path = tmp_path / "signin.png"
    assert run(qapp, memory_services, screenshot=path) == 0
    shot(path)


def test_first_start_shows_the_setup_wizard(
    qapp: QApplication, memory_services: Services, tmp_path: Path
) -> None:
    assert needs_setup(memory_services)
    path = tmp_path / "setup.png"
    assert run(qapp, memory_services, screenshot=path) == 0
    shot(path)
