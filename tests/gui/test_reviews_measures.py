"""The measures tab: the figures shown are the service's, the charts have a bar per rated
month and a line per theme, and "Export CSV…" writes the service's CSV off the GUI thread."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.reviews.model import Authenticity, Decision, ItemKind, Review, ReviewType, Source
from gui.reviews import charts
from gui.reviews.charts import MeasuresView, rate_text, response_time_text
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv

REPLY = "Thank you for the kind words! Please call our office at (217) 555-0142 anytime."


def add(env: PageEnv, text: str, rating: int, days_ago: int) -> Review:
    posted = env.clock.now() - timedelta(days=days_ago)
    return env.services.reviews.add_one(
        env.staff.front_desk,
        Review(
            id=None,
            kind=ItemKind.REVIEW,
            source=Source.GOOGLE,
            external_id=f"m-{days_ago}-{rating}",
            author="A reviewer",
            rating=rating,
            posted_at=posted,
            text=text,
            url="",
            content_hash="",
            collected_at=posted,
        ),
    )


def reply_to(env: PageEnv, review: Review, after: timedelta) -> None:
    reviews, desk = env.services.reviews, env.staff.front_desk
    assert review.id is not None
    r = reviews.assess(
        desk,
        review.id,
        review.version,
        Authenticity.LIKELY_REAL,
        ReviewType.PRAISE,
        1,
        1,
        Decision.RESPOND,
    )
    r = reviews.save_reply(desk, review.id, r.version, REPLY)
    r = reviews.submit_reply(desk, review.id, r.version)
    env.clock.advance(after)
    reviews.mark_replied(desk, review.id, r.version)


@pytest.fixture
def view(qtbot: QtBot, env: PageEnv, runner: TaskRunner) -> MeasuresView:
    praise = add(env, "Friendly staff and a spotless office, thank you!", 5, 40)
    add(env, "The wait was long and billing was confusing.", 2, 10)
    add(env, "Quick cleaning, kind hygienist.", 4, 3)
    reply_to(env, praise, timedelta(hours=5))
    widget = MeasuresView(env.services, runner)
    qtbot.addWidget(widget)
    widget.resize(1100, 900)
    widget.show()
    widget.set_user(env.staff.manager)
    widget.refresh()
    qtbot.waitUntil(lambda: widget.loaded, timeout=10_000)
    return widget


def test_the_figures_are_the_services(view: MeasuresView, env: PageEnv) -> None:
    m = env.services.reviews.measures(months=charts.MONTHS)
    assert m.reviews >= 3
    assert m.replied >= 1
    assert view.rate.value.text() == rate_text(m.response_rate)
    assert view.rate.value.text() == f"{round(m.replied / m.reviews * 100)}%"
    assert view.rate.detail.text() == (f"{m.replied} of {m.reviews} reviews were answered.")
    assert view.response_time.value.text() == response_time_text(m.median_response_hours)
    assert view.response_time.value.text().startswith("about ")
    rated = [(x.average_rating, x.reviews) for x in m.months if x.average_rating is not None]
    average = sum(a * n for a, n in rated) / sum(n for _a, n in rated)
    assert view.rating.value.text() == f"{average:.1f} ★"


def test_the_charts_show_each_month_and_theme(view: MeasuresView, env: PageEnv) -> None:
    m = env.services.reviews.measures(months=charts.MONTHS)
    ticks = view.month_ticks
    assert len(ticks) == charts.MONTHS
    assert ticks[0][1].endswith(m.months[0].month[:4])  # the first month names its year
    assert view.bar_heights == [x.average_rating for x in m.months if x.average_rating]
    themes = {t for month in m.months for t in month.themes}
    assert set(view.theme_lines) == themes
    assert len(view.themes_plot.listDataItems()) == len(themes)
    for theme, counts in view.theme_lines.items():
        assert counts == [month.themes.get(theme, 0) for month in m.months]
    assert "Praise" in view.legend.text()


def test_plain_words_for_response_times() -> None:
    assert response_time_text(None) == "—"
    assert response_time_text(0.4) == "under an hour"
    assert response_time_text(1.2) == "about 1 hour"
    assert response_time_text(27.4) == "about 27 hours"
    assert response_time_text(80) == "about 3 days"
    assert rate_text(None) == "—"
    assert rate_text(0.825) == "82%"


def test_export_writes_the_services_csv(
    qtbot: QtBot, view: MeasuresView, env: PageEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "measures.csv"
    asked: list[str] = []

    def choose(_parent: object, suggested: str) -> str:
        asked.append(suggested)
        return str(target)

    monkeypatch.setattr(charts, "ask_save_path", choose)
    view.export_button.click()
    qtbot.waitUntil(lambda: bool(view.notice_text()), timeout=10_000)
    assert asked == ["review-measures-2026-11-02.csv"]
    assert view.notice_text() == f"The measures were saved to {target}."
    assert target.read_bytes() == env.services.reviews.measures_csv(months=charts.MONTHS)
    assert target.read_bytes().startswith("\ufeffmonth,reviews,".encode())


def test_export_to_a_folder_that_cannot_be_written_says_so(
    qtbot: QtBot, view: MeasuresView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such-folder" / "measures.csv"
    monkeypatch.setattr(charts, "ask_save_path", lambda _p, _s: str(missing))
    view.export_button.click()
    qtbot.waitUntil(lambda: bool(view.notice_text()), timeout=10_000)
    assert view.notice_text().startswith("The file could not be saved there (")
    assert not view.problem.isHidden()


def test_cancelling_the_save_dialog_writes_nothing(
    view: MeasuresView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "ask_save_path", lambda _p, _s: None)
    view.export_button.click()
    assert view.notice_text() == ""


def test_signing_out_clears_the_figures(view: MeasuresView) -> None:
    view.set_user(None)
    assert view.rate.value.text() == "—"
    assert not view.export_button.isEnabled()
    assert view.themes_plot.listDataItems() == []
    assert view.bar_heights == []
