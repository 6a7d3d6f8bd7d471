"""Publishing by hand (the manual connector): for each platform, copy the text, save clean
photos, open the platform, post, and paste the link of the live post back here.

Most platforms a small practice uses have no publishing API it can get, so a person publishes
and the app records where the post went live (``PublishingService.record_manual_publish``,
which also keeps the outbox in step).
Recording is allowed platform by platform: the post stays "publishing" until every platform
has its link, then it is published. Platforms already recorded (here, or on another
workstation) show as done with their link. Everything slow (reading the post, recording,
saving photos) runs through the task runner. Photos are saved through the image library
(``ImagingService.export_for_post``): redactions burned in, metadata gone, the copy verified,
and a photo whose sign-off no longer holds is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from core.app import Services
from core.composer.check import check_publication
from core.composer.model import Post, PostState
from core.composer.ports import Publication
from core.composer.variants import variant_text
from core.errors import KnownError
from core.progress import Progress
from core.staff.model import StaffMember
from gui import errors
from gui.composer import manual_steps
from gui.composer.manual_steps import ExportReport, PlatformSteps, export_photos
from gui.composer.prev_platforms import on_live_domain
from gui.tasks import TaskRunner
from gui.widgets import Banner, button, caption, heading

PUBLISHABLE = frozenset({PostState.APPROVED, PostState.SCHEDULED, PostState.PUBLISHING})
"""States in which a post may be published by hand."""


class ManualPublishDialog(QDialog):
    """The numbered steps to publish ``post`` by hand on each of its platforms, and the
    "Mark published" button that records the links pasted so far.

    Signals:
        recorded(object): links were recorded; the argument is the ``Post`` as saved.
        published(object): every platform has its link: the ``Post`` is published.
    """

    recorded = Signal(object)
    published = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        post: Post,
        user: StaffMember,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if post.id is None:
            raise ValueError("only a saved post can be published")
        self._services = services
        self._runner = runner
        self._post = post
        self._user = user
        self._folder: Path | None = None
        self._loaded = False
        self._busy = False
        self._publications: dict[str, Publication] = {}
        self.setWindowTitle(self.tr("Publish by hand"))
        self.resize(680, 780)
        self._build()
        self._show_post(post)
        self.reload()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.setSpacing(12)
        outer.addWidget(heading(self.tr("Publish by hand"), 2))
        outer.addWidget(
            caption(
                self.tr(
                    "For each place below: copy the text, save the photos, open the site and "
                    "post it there. Then paste the link of the live post here and press "
                    "“Mark published”. You can do one place now and the others later."
                )
            )
        )
        self.banner_holder = QVBoxLayout()
        self.banner: Banner | None = None
        outer.addLayout(self.banner_holder)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 4, 0)
        column.setSpacing(16)
        self.cards: dict[str, PlatformSteps] = {}
        for platform in self._post.platforms:
            card = PlatformSteps(
                platform,
                number_of_photos=len(self._post.media_hashes),
                runner=self._runner,
                export=partial(self._export_job, platform),
                choose_folder=self.choose_folder,
                validate=self.url_problem,
            )
            card.url_changed.connect(self._update_actions)
            self.cards[platform] = card
            column.addWidget(card)
        column.addStretch(1)
        scroll.setWidget(holder)
        outer.addWidget(scroll, 1)

        footer = QHBoxLayout()
        self.status_label = caption(wrap=False)
        footer.addWidget(self.status_label, 1)
        self.close_button = button(self.tr("Close"), kind="ghost")
        self.close_button.clicked.connect(self.reject)
        footer.addWidget(self.close_button)
        self.mark_button = button(self.tr("Mark published"), "check-circle", "primary")
        self.mark_button.setMinimumHeight(40)
        self.mark_button.clicked.connect(self.mark_published)
        footer.addWidget(self.mark_button)
        outer.addLayout(footer)

    # --- reading --------------------------------------------------------------------------
    @property
    def post(self) -> Post:
        """The post as last read or saved."""
        return self._post

    @property
    def loaded(self) -> bool:
        """Whether the post and its recorded links have been read (at least once)."""
        return self._loaded

    @property
    def busy(self) -> bool:
        return self._busy

    def card(self, platform: str) -> PlatformSteps:
        return self.cards[platform]

    def reload(self) -> None:
        """Read the post and the links recorded so far again (off the GUI thread)."""
        post_id, services = self._post_id(), self._services

        def read() -> tuple[Post, tuple[Publication, ...]]:
            composer = services.composer
            return composer.get(post_id), composer.history(post_id).publications

        self._set_busy(True)
        self._runner.run(read, self._read_done, self._failed)

    def _read_done(self, result: tuple[Post, Sequence[Publication]]) -> None:
        if not Shiboken.isValid(self):
            return
        post, publications = result
        self._publications = {p.platform: p for p in publications}
        self._loaded = True
        self._set_busy(False)
        self._show_post(post)

    def _show_post(self, post: Post) -> None:
        self._post = post
        publishable = post.state in PUBLISHABLE
        for platform, card in self.cards.items():
            if platform in post.platforms:
                card.set_text(variant_text(post, platform))
            done = self._publications.get(platform)
            card.set_done(done.url if done is not None else None)
            card.steps.setEnabled(publishable)
        self._show_banner(post)
        self._update_actions()

    def _show_banner(self, post: Post) -> None:
        texts = {
            PostState.PUBLISHED: (
                self.tr("Published everywhere. You can close this window."),
                "success",
            ),
            PostState.DRAFT: (
                self.tr(
                    "This post is not approved yet: a second person must approve it before "
                    "it goes out."
                ),
                "warning",
            ),
            PostState.WITHDRAWN: (
                self.tr("This post was withdrawn, so it cannot be published."),
                "warning",
            ),
            PostState.FAILED: (
                self.tr("Publishing this post failed. Schedule it again in the composer first."),
                "warning",
            ),
        }
        texts[PostState.IN_REVIEW] = texts[PostState.DRAFT]
        if self.banner is not None:
            self.banner_holder.removeWidget(self.banner)
            self.banner.deleteLater()
            self.banner = None
        if post.state in texts:
            text, tone = texts[post.state]
            self.banner = Banner(text, tone)
            self.banner_holder.addWidget(self.banner)

    # --- links ----------------------------------------------------------------------------
    def url_problem(self, platform: str, url: str) -> str | None:
        """What is wrong with ``url`` as the live post on ``platform`` (``None``: fine)."""
        try:
            check_publication(self._post, platform, url, set())
        except KnownError:
            return self.tr("Paste the whole web address of the post, starting with https://")
        if not on_live_domain(url, platform):
            name = self.cards[platform].title_label.text()
            return self.tr(
                "This link is not on {platform}. Open the post on {platform} and copy the "
                "address from the browser's address bar."
            ).format(platform=name)
        return None

    def pending_urls(self) -> dict[str, str]:
        """The links pasted for platforms not recorded yet, by platform."""
        return {
            platform: card.url()
            for platform, card in self.cards.items()
            if not card.done and card.url()
        }

    def _update_actions(self) -> None:
        pending = self.pending_urls()
        problems = any(self.cards[p].url_problem() for p in pending)
        self.mark_button.setEnabled(
            self._loaded
            and not self._busy
            and self._post.state in PUBLISHABLE
            and bool(pending)
            and not problems
        )
        done = sum(card.done for card in self.cards.values())
        self.status_label.setText(
            self.tr("{done} of {total} done").format(done=done, total=len(self.cards))
        )

    # --- recording ------------------------------------------------------------------------
    def mark_published(self) -> None:
        """Record the pasted links (off the GUI thread)."""
        urls = self.pending_urls()
        if not urls or any(self.cards[p].url_problem() for p in urls):
            return
        services, user, post_id, version = (
            self._services,
            self._user,
            self._post_id(),
            self._post.version,
        )
        self._set_busy(True)
        self._runner.run(
            lambda: services.publishing.record_manual_publish(user, post_id, version, urls),
            lambda post: self._recorded(post, urls),
            self._record_failed,
        )

    def _recorded(self, post: Post, urls: dict[str, str]) -> None:
        if not Shiboken.isValid(self):
            return
        for platform, url in urls.items():
            self.cards[platform].url_edit.clear()
            self.cards[platform].set_done(url)
        self._set_busy(False)
        self.recorded.emit(post)
        if post.state is PostState.PUBLISHED:
            self.published.emit(post)
        self.reload()

    def _record_failed(self, exc: BaseException) -> None:
        if not Shiboken.isValid(self):
            return
        self._set_busy(False)
        errors.show_error(self, exc)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        if not Shiboken.isValid(self):
            return
        self._set_busy(False)
        errors.show_error(self, exc)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_actions()

    # --- photos ---------------------------------------------------------------------------
    def choose_folder(self) -> Path | None:
        """Ask once where clean photos go; every platform then saves there too."""
        if self._folder is not None and self._folder.is_dir():
            return self._folder
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        chosen = manual_steps.ask_folder(
            self, self.tr("Where should the clean photos go?"), Path(start or Path.home())
        )
        if chosen is not None:
            self._folder = chosen
        return chosen

    def _export_job(self, platform: str, folder: Path) -> Generator[Progress, None, ExportReport]:
        post = self._post
        return export_photos(
            self._post_id(), platform, post.media_hashes, self._services.images, folder
        )

    def _post_id(self) -> int:
        assert self._post.id is not None
        return self._post.id


def open_manual_publish(
    services: Services,
    runner: TaskRunner,
    post: Post,
    user: StaffMember,
    *,
    parent: QWidget | None = None,
) -> ManualPublishDialog:
    """Open the dialog (window-modal, without blocking) and return it; it deletes itself when
    closed. Callers' tests stub this function."""
    dialog = ManualPublishDialog(services, runner, post, user, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
