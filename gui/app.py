"""Creating the ``QApplication``: names, style, icon and the theme that follows the system."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from gui import icons, style

APP_NAME = "Front Desk Social"


def create_application(argv: Sequence[str], *, dark: bool | None = None) -> QApplication:
    """The application object, styled: Fusion, the app icon, and a light or dark theme that
    follows the system's colour scheme (``dark`` forces one, e.g. for screenshots)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setStyle("Fusion")
    app.setWindowIcon(icons.app_icon())
    style.apply_theme(app, dark)
    if dark is None:
        style.follow_system_scheme(app)
    return app
