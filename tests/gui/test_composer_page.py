"""The Composer page as a whole: the list, a new post, jumping to a post, the tabs, signing out,
and being built only when first shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from core.composer.model import PostState
from core.composer.ports import PostQuery
from core.practice.model import PostingPlan
from core.practice.service import Versioned
from gui.composer.page import ComposerPage
from gui.composer.post_list import FILTERS, PostRole
from gui.hub import SignalHub
from gui.lazy_page import LazyPage
from gui.page import Page
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv


@pytest.fixture
def composer_page(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> Iterator[ComposerPage]:
    page = ComposerPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.set_user(env.staff.front_desk)
    yield page
    page.set_user(None)
    runner.wait()


def rows(page: ComposerPage) -> int:
    return page.post_list.model.rowCount()


def test_the_list_shows_posts_that_need_work_first(
    qtbot: QtBot, env: PageEnv, composer_page: ComposerPage
) -> None:
    _label, states, _order = FILTERS[0]
    expected = env.services.composer.list(PostQuery(states=states))[1]
    qtbot.waitUntil(lambda: rows(composer_page) == expected)
    assert expected > 0
    posts = [
        composer_page.post_list.model.index(r).data(PostRole) for r in range(rows(composer_page))
    ]
    assert {p.state for p in posts} <= set(states)


def test_filter_and_search_narrow_the_list_in_sql(
    qtbot: QtBot, env: PageEnv, composer_page: ComposerPage
) -> None:
    scheduled = [label for label, *_ in FILTERS].index("Scheduled")
    composer_page.post_list.filter.setCurrentIndex(scheduled)
    count = env.services.composer.list(PostQuery(states=(PostState.SCHEDULED,)))[1]
    qtbot.waitUntil(lambda: rows(composer_page) == count)
    composer_page.post_list.filter.setCurrentIndex(len(FILTERS) - 1)
    composer_page.post_list.search.setText("zzz-no-such-words")
    qtbot.waitUntil(lambda: rows(composer_page) == 0)


def test_new_post_opens_an_empty_draft_in_the_editor(
    qtbot: QtBot, env: PageEnv, composer_page: ComposerPage
) -> None:
    before = env.services.composer.list(PostQuery(states=(PostState.DRAFT,)))[1]
    composer_page.post_list.new_button.click()
    qtbot.waitUntil(lambda: composer_page.editor.post is not None)
    assert composer_page.editor.post.state is PostState.DRAFT
    assert composer_page.editor_stack.currentWidget() is composer_page.editor
    assert env.services.composer.list(PostQuery(states=(PostState.DRAFT,)))[1] == before + 1
    qtbot.waitUntil(lambda: composer_page.post_list.model.row_of(composer_page.editor.post.id) >= 0)


def test_a_today_item_opens_its_post(
    qtbot: QtBot, env: PageEnv, composer_page: ComposerPage
) -> None:
    waiting = env.services.composer.list(PostQuery(states=(PostState.IN_REVIEW,)))[0][0]
    composer_page.show_target(str(waiting.id))
    qtbot.waitUntil(lambda: composer_page.editor.post is not None)
    assert composer_page.editor.post.id == waiting.id
    composer_page.show_target("calendar")
    assert composer_page.tabs.currentWidget() is composer_page.calendar
    composer_page.show_target("published")
    assert composer_page.tabs.currentWidget() is composer_page.published


def test_signing_out_leaves_nothing_on_screen(
    qtbot: QtBot, env: PageEnv, composer_page: ComposerPage
) -> None:
    qtbot.waitUntil(lambda: rows(composer_page) > 0)
    composer_page.open_post(env.services.composer.list(PostQuery(limit=1))[0][0].id)
    qtbot.waitUntil(lambda: composer_page.editor.post is not None)
    composer_page.set_user(None)
    assert rows(composer_page) == 0
    assert composer_page.editor.text.toPlainText() == ""
    assert composer_page.editor_stack.currentWidget() is composer_page.empty


def test_the_page_is_built_only_when_first_shown(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    built: list[Page] = []

    def build(services, hub_, runner_) -> Page:
        page = Page(services, hub_, runner_)
        built.append(page)
        return page

    holder = LazyPage(env.services, hub, runner, page_id="composer", build=build)
    qtbot.addWidget(holder)
    holder.set_user(env.staff.manager)
    assert built == []
    holder.show()
    assert len(built) == 1
    assert built[0].user == env.staff.manager
    holder.set_user(None)
    assert built[0].user is None
    holder.refresh()
    assert len(built) == 1


def test_after_sign_in_the_post_changed_last_is_open(
    qtbot: QtBot, env: PageEnv, composer_page: ComposerPage
) -> None:
    _label, states, order = FILTERS[0]
    latest = env.services.composer.list(PostQuery(states=states, order=order, limit=1))[0][0]
    qtbot.waitUntil(lambda: composer_page.editor.post is not None)
    assert composer_page.editor.post.id == latest.id
    assert composer_page.post_list.view.currentIndex().row() == 0


def test_opening_the_calendar_at_once_stays_on_the_calendar(
    qtbot: QtBot, env: PageEnv, composer_page: ComposerPage, runner: TaskRunner
) -> None:
    composer_page.show_target("calendar")
    qtbot.waitUntil(lambda: composer_page.editor.post is not None)
    runner.wait()
    qtbot.wait(20)
    assert composer_page.tabs.currentWidget() is composer_page.calendar


def test_a_posting_plan_saved_in_settings_reaches_the_open_editor(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, composer_page: ComposerPage
) -> None:
    qtbot.waitUntil(lambda: composer_page.editor.post is not None)
    current = env.services.practice.posting_plan()
    env.services.practice.save_posting_plan(
        env.staff.admin, Versioned(PostingPlan(mastodon_limit=2000), current.version)
    )
    hub.data_changed.emit("settings")
    qtbot.waitUntil(lambda: composer_page.editor.plan.mastodon_limit == 2000)
