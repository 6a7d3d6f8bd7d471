"""Reading the mentions feeds in the background (``gui.housekeeping``) and fetching a feed
over HTTP (``gui.feeds``): new mentions reach the inbox, a failing feed never crashes and is
read again next time, and logs never carry an address's query string."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from core.reviews.model import ItemKind
from core.reviews.ports import ReviewQuery
from gui import feeds
from gui.feeds import FeedFetchError, fetch_feed, loggable_url
from gui.housekeeping import FEED_POLL_MS, FIRST_FEED_POLL_MS, Housekeeping
from gui.hub import SignalHub
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv
from tests.gui.reviews_feed_env import ATOM, FEED_URL, failing_fetch, fixed_fetch


def mentions(env: PageEnv) -> int:
    return env.services.reviews.count(ReviewQuery(kind=ItemKind.MENTION, limit=10_000))


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def feed(env: PageEnv) -> int:
    added = env.services.reviews.add_feed(env.staff.admin, FEED_URL, "Alert")
    assert added.id is not None
    return added.id


def keeper(
    env: PageEnv, hub: SignalHub, runner: TaskRunner, window: QWidget, fetch: Any
) -> Housekeeping:
    return Housekeeping(env.services, hub, runner, window, fetch=fetch)


def test_the_feed_timer_runs_only_while_someone_is_signed_in(
    env: PageEnv, hub: SignalHub, runner: TaskRunner, window: QWidget
) -> None:
    housekeeping = keeper(env, hub, runner, window, fixed_fetch([]))
    assert not housekeeping.feed_timer.isActive()
    hub.signed_in.emit(env.staff.front_desk)
    assert housekeeping.feed_timer.isActive()
    assert housekeeping.feed_timer.interval() == FIRST_FEED_POLL_MS
    hub.signed_out.emit()
    assert not housekeeping.feed_timer.isActive()


def test_a_poll_brings_new_mentions_and_says_so(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, window: QWidget, feed: int
) -> None:
    calls: list[str] = []
    housekeeping = keeper(env, hub, runner, window, fixed_fetch(calls))
    hub.signed_in.emit(env.staff.front_desk)
    before = mentions(env)
    areas: list[str] = []
    hub.data_changed.connect(areas.append)
    with qtbot.waitSignal(housekeeping.feeds_polled, timeout=10_000) as blocker:
        housekeeping.feed_timer.timeout.emit()
    assert FEED_URL in calls
    assert blocker.args[0].new_mentions == 2
    assert mentions(env) == before + 2
    assert areas == ["feeds", "reviews"]
    # the next read is an hour on, and brings nothing twice
    assert housekeeping.feed_timer.isActive()
    assert housekeeping.feed_timer.interval() > FEED_POLL_MS - 60_000
    areas.clear()
    with qtbot.waitSignal(housekeeping.feeds_polled, timeout=10_000) as again:
        housekeeping.poll_feeds()
    assert again.args[0].new_mentions == 0
    assert areas == ["feeds"]
    assert mentions(env) == before + 2


def test_a_failing_feed_does_not_crash_and_is_read_again_next_time(
    qtbot: QtBot,
    env: PageEnv,
    hub: SignalHub,
    runner: TaskRunner,
    window: QWidget,
    feed: int,
    shown_errors: list[BaseException],
) -> None:
    calls: list[str] = []
    network = {"fetch": failing_fetch(calls, 500)}

    def fetch(url: str) -> bytes:
        return network["fetch"](url)

    housekeeping = keeper(env, hub, runner, window, fetch)
    hub.signed_in.emit(env.staff.front_desk)
    errors: list[object] = []
    hub.error.connect(errors.append)
    with qtbot.waitSignal(housekeeping.feeds_polled, timeout=10_000) as blocker:
        housekeeping.poll_feeds()
    assert feed in blocker.args[0].failed
    assert errors == []
    assert shown_errors == []
    stored = next(f for f in env.services.reviews.feeds() if f.id == feed)
    assert stored.last_error == "fetch_failed"
    assert housekeeping.feed_timer.isActive()  # tried again next time

    network["fetch"] = fixed_fetch(calls)
    with qtbot.waitSignal(housekeeping.feeds_polled, timeout=10_000) as retried:
        housekeeping.feed_timer.timeout.emit()
    assert retried.args[0].new_mentions == 2
    assert next(f for f in env.services.reviews.feeds() if f.id == feed).last_error == ""


def test_signing_in_again_keeps_counting_the_hour(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, window: QWidget
) -> None:
    housekeeping = keeper(env, hub, runner, window, fixed_fetch([]))
    hub.signed_in.emit(env.staff.front_desk)
    with qtbot.waitSignal(housekeeping.feeds_polled, timeout=10_000):
        housekeeping.poll_feeds()
    hub.signed_out.emit()  # locked
    hub.signed_in.emit(env.staff.front_desk)  # unlocked: not another two-minute wait
    assert FEED_POLL_MS - 60_000 < housekeeping.feed_timer.interval() <= FEED_POLL_MS


# --- fetching over HTTP -----------------------------------------------------------------------
class FakeResponse:
    def __init__(self, status: int, chunks: list[bytes], length: str = "") -> None:
        self.status_code = status
        self.headers = {"Content-Length": length} if length else {}
        self._chunks = chunks

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def iter_content(self, _size: int) -> Iterator[bytes]:
        yield from self._chunks


class FakeSession:
    def __init__(self, outcome: FakeResponse | BaseException) -> None:
        self.outcome = outcome
        self.asked: list[dict[str, Any]] = []

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        self.asked.append({"url": url, **kwargs})
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def test_fetch_reads_the_feed_with_a_time_limit() -> None:
    session = FakeSession(FakeResponse(200, [ATOM[:100], ATOM[100:]]))
    assert fetch_feed(FEED_URL, session=session) == ATOM  # type: ignore[arg-type]
    assert session.asked[0]["timeout"] == (10.0, 10.0)
    assert session.asked[0]["stream"] is True


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (FakeResponse(429, []), "rate_limited"),
        (FakeResponse(500, []), "server"),
        (FakeResponse(503, []), "server"),
        (FakeResponse(404, []), "not_found"),
        (FakeResponse(403, []), "refused"),
        (FakeResponse(200, [], length=str(6 * 1024 * 1024)), "too_big"),
        (FakeResponse(200, [b"x" * (1024 * 1024)] * 6), "too_big"),
        (requests.ConnectionError("reset by peer"), "connection"),
        (requests.exceptions.ChunkedEncodingError("dropped"), "connection"),
        (requests.ReadTimeout("slow"), "timeout"),
        (requests.exceptions.InvalidURL("bad"), "bad_address"),
    ],
)
def test_fetch_failures_are_one_clear_error(
    outcome: FakeResponse | BaseException, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = FEED_URL + "?token=SECRET123&x=1"
    with (
        caplog.at_level(logging.WARNING, logger=feeds.__name__),
        pytest.raises(FeedFetchError) as raised,
    ):
        fetch_feed(url, session=FakeSession(outcome))  # type: ignore[arg-type]
    assert raised.value.reason == reason
    assert "SECRET123" not in str(raised.value)
    assert "SECRET123" not in caplog.text
    assert FEED_URL in caplog.text


def test_only_web_addresses_are_fetched() -> None:
    with pytest.raises(FeedFetchError) as raised:
        fetch_feed("file:///etc/passwd")
    assert raised.value.reason == "bad_address"


def test_loggable_urls_lose_query_fragment_and_password() -> None:
    assert loggable_url("https://user:pw@example.com:8443/a/b?token=x#frag") == (
        "https://example.com:8443/a/b"
    )
    assert loggable_url(FEED_URL) == FEED_URL
