"""Running the GUI once ``main.py`` has built the services: setup or sign-in, the main window,
and the ``--screenshot`` mode."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from core.app import Services
from core.staff.model import StaffMember
from gui.errors import install_excepthook
from gui.housekeeping import Housekeeping
from gui.hub import SignalHub
from gui.lazy_page import LazyPage
from gui.page import Page
from gui.placeholder import PlaceholderPage
from gui.settings.page import SettingsPage
from gui.setup import SetupWizard
from gui.tasks import TaskRunner
from gui.today.page import TodayPage
from gui.window import MainWindow

SCREENSHOT_SIZE = (1366, 768)
SETTLE_SECONDS = 15.0

PageFactory = Callable[[Services, SignalHub, TaskRunner], Page]


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One navigation entry: its id (``today`` … ``settings``), title, icon and how to build
    its page."""

    page_id: str
    title: str
    icon_name: str
    factory: PageFactory


def _placeholder(page_id: str, title: str, icon_name: str) -> PageFactory:
    def make(services: Services, hub: SignalHub, runner: TaskRunner) -> Page:
        return PlaceholderPage(
            services, hub, runner, page_id=page_id, title=title, icon_name=icon_name
        )

    return make


def _lazy(page_id: str, load: Callable[[], PageFactory]) -> PageFactory:
    """A page built the first time it is shown (``LazyPage``); ``load`` imports its class."""

    def make(services: Services, hub: SignalHub, runner: TaskRunner) -> Page:
        def build(services: Services, hub: SignalHub, runner: TaskRunner) -> Page:
            return load()(services, hub, runner)

        return LazyPage(services, hub, runner, page_id=page_id, build=build)

    return make


def _composer_page() -> PageFactory:
    from gui.composer.page import ComposerPage

    return ComposerPage


def _reviews_page() -> PageFactory:
    from gui.reviews.page import ReviewsPage

    return ReviewsPage


def _consent_page() -> PageFactory:
    from gui.consent.page import ConsentPage

    return ConsentPage


def _images_page() -> PageFactory:
    from gui.images.page import ImagesPage

    return ImagesPage


def _incentives_page() -> PageFactory:
    from gui.incentives.page import IncentivesPage

    return IncentivesPage


def default_pages() -> list[PageSpec]:
    """The seven pages in navigation order (Ctrl+1 … Ctrl+7)."""
    t = QCoreApplication.translate
    today = t("Navigation", "Today")
    images = t("Navigation", "Images")
    incentives = t("Navigation", "Incentives")
    settings = t("Navigation", "Settings")
    return [
        PageSpec("today", today, "today", TodayPage),
        PageSpec(
            "composer", t("Navigation", "Composer"), "composer", _lazy("composer", _composer_page)
        ),
        PageSpec("images", images, "images", _lazy("images", _images_page)),
        PageSpec("consent", t("Navigation", "Consent"), "consent", _lazy("consent", _consent_page)),
        PageSpec("reviews", t("Navigation", "Reviews"), "reviews", _lazy("reviews", _reviews_page)),
        PageSpec("incentives", incentives, "incentives", _lazy("incentives", _incentives_page)),
        PageSpec("settings", settings, "settings", SettingsPage),
    ]


def build_window(
    services: Services,
    hub: SignalHub,
    runner: TaskRunner,
    pages: Sequence[PageSpec] | None = None,
    settings: QSettings | None = None,
) -> MainWindow:
    """The main window with every page registered."""
    window = MainWindow(services, hub, runner, settings=settings)
    for spec in pages if pages is not None else default_pages():
        page = spec.factory(services, hub, runner)
        page.page_id = page.page_id or spec.page_id
        window.add_page(page, spec.title, spec.icon_name)
    return window


def needs_setup(services: Services) -> bool:
    """Whether this is the first start: no practice profile or nobody to sign in."""
    return not services.practice.is_set_up() or not services.staff.has_staff()


def settle(runner: TaskRunner, timeout: float = SETTLE_SECONDS) -> bool:
    """Process events until no task is running (tasks may start further tasks); ``False``
    when still busy after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if runner.busy:
            quiet_rounds = 0
            runner.wait(50)
            continue
        quiet_rounds += 1
        if quiet_rounds >= 3:
            return True
        time.sleep(0.01)
    return False


def take_screenshot(
    window: MainWindow,
    runner: TaskRunner,
    path: Path,
    *,
    page: str | None,
    signed_in: StaffMember | None,
    setup: QWidget | None = None,
) -> bool:
    """Render the window (or ``setup``, the first-run wizard) at 1366×768 to a PNG."""
    target: QWidget = setup if setup is not None else window
    window.resize(*SCREENSHOT_SIZE)
    if setup is None:
        if signed_in is not None:
            window.sign_in(signed_in)
        else:
            window.show_sign_in()
    target.show()
    settle(runner)
    if page and setup is None:
        window.go_to(page)
        settle(runner)
    saved = target.grab().save(str(path), "PNG")
    target.hide()  # not close(): a screenshot must not overwrite the remembered geometry
    return saved


def run(
    app: QApplication,
    services: Services,
    *,
    signed_in: StaffMember | None = None,
    page: str | None = None,
    screenshot: Path | None = None,
    pages: Sequence[PageSpec] | None = None,
    settings: QSettings | None = None,
) -> int:
    """Show the app and run the event loop; returns the exit code.

    First start: the setup wizard, then the window signed in as the new admin. Otherwise the
    sign-in screen, or straight in as ``signed_in`` (the demo). ``page`` opens that page.
    With ``screenshot``, render to that PNG and return instead of running the loop.
    ``pages`` replaces the default page list (tests); ``settings`` where geometry is kept.
    """
    install_excepthook()
    QCoreApplication.setApplicationVersion(services.version)
    hub = SignalHub()
    runner = TaskRunner()
    window = build_window(services, hub, runner, pages, settings)
    first_start = needs_setup(services)
    housekeeping = Housekeeping(services, hub, runner, window)
    if not first_start:
        housekeeping.start()
    if screenshot is not None:
        wizard = SetupWizard(services, runner) if first_start else None
        if wizard is not None:
            wizard.resize(*SCREENSHOT_SIZE)
        ok = take_screenshot(
            window, runner, screenshot, page=page, signed_in=signed_in, setup=wizard
        )
        settle(runner)
        for widget in (window, wizard):
            if widget is not None:
                widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return 0 if ok else 1

    if first_start:
        wizard = SetupWizard(services, runner)

        def set_up(admin: StaffMember) -> None:
            services.recovery_notice = None  # shown and confirmed: keep it in memory no longer
            window.sign_in(admin)
            window.show()
            housekeeping.start()

        wizard.completed.connect(set_up)
        wizard.rejected.connect(app.quit)
        wizard.show()
    else:
        if signed_in is not None:
            window.sign_in(signed_in)
        else:
            window.show_sign_in()
        window.show()
        if page:
            window.go_to(page)
    code = app.exec()
    runner.wait(10000)
    return code
