"""Settings → Accounts when one sign-in manages several places: the checklist asks which Google
locations to connect, cancelling it connects nothing, and reconnecting one asks nothing and
keeps one row. The real AccountService over real HTTP on 127.0.0.1: a local authorization
server with PKCE and Google's account and location listings
(tests/connectors/signin_server.py); the browser is simulated with a real request that follows
the redirect to the app's loopback port."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from core.accounts.model import Token
from core.accounts.service import AccountService, Choice, SignIn
from core.accounts.tokens import TokenProvider
from gui.settings import accounts as accounts_module
from gui.settings import accounts_dialogs
from gui.settings.accounts import AccountsSection
from gui.settings.accounts_dialogs import ChooseDialog, choice_question
from gui.settings.page import SettingsPage
from tests.connectors.servers.faults import serving
from tests.connectors.signin_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    MAPLE_GROVE,
    AuthServer,
    GoogleListings,
    google_token,
)
from tests.gui.page_env import PageEnv, open_section

MAIN = "accounts/111/locations/9001"
OAK = "accounts/111/locations/9002"
ELM = "accounts/222/locations/9003"


@pytest.fixture
def http() -> Iterator[HTTPServer]:
    with serving() as server:
        yield server


@pytest.fixture
def auth(http: HTTPServer, env: PageEnv) -> AuthServer:
    """Google sign-ins answering ``g-1``, then ``g-2``…, each seeing Maple Grove's locations;
    the section uses a real AccountService pointed at them."""
    server = AuthServer(http, tokens=[google_token("g-1"), google_token("g-2")]).install()
    GoogleListings(http, {"g-1": MAPLE_GROVE, "g-2": MAPLE_GROVE}).install()
    service = AccountService(
        env.store,
        env.clock,
        env.secrets,
        TokenProvider(env.secrets, env.store, clock=env.clock),
        endpoint_overrides={"gbp": server.endpoints("gbp", "Google", http.url_for("/v4/"))},
    )
    service.set_client(env.staff.admin, "gbp", CLIENT_ID, CLIENT_SECRET)
    env.services._accounts = service
    return server


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system browser: opens the page (a real request) and follows the redirect back."""
    opened: list[str] = []

    def open_url(url: str) -> bool:
        opened.append(url)
        requests.get(url, timeout=10)
        return True

    monkeypatch.setattr(accounts_module, "open_in_browser", open_url)
    return opened


def section_for(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> AccountsSection:
    page.set_user(env.staff.admin)
    return open_section(qtbot, page, "accounts", AccountsSection)


def choose(monkeypatch: pytest.MonkeyPatch, answer: list[str] | None) -> list[SignIn]:
    """Stub the checklist: record what it was asked with, answer ``answer``."""
    asked: list[SignIn] = []

    def ask(_parent: object, sign_in: SignIn) -> list[str] | None:
        asked.append(sign_in)
        return answer

    monkeypatch.setattr(accounts_dialogs.ChooseDialog, "ask", ask)
    return asked


def connect_google(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, section: AccountsSection) -> None:
    monkeypatch.setattr(accounts_dialogs.PlatformChooser, "ask", lambda _parent: "gbp")
    section.connect_button.click()
    qtbot.waitUntil(lambda: section.waiting is None and not section.busy, timeout=15000)
    qtbot.waitUntil(lambda: section.loaded, timeout=15000)


def token_entries(env: PageEnv) -> dict[str, str]:
    return {
        name: json.loads(value)["access_token"]
        for name, value in env.secrets.values.items()
        if name.startswith("account-token:")
    }


def test_the_person_chooses_which_locations_to_connect(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    auth: AuthServer,
    browser: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = section_for(qtbot, page, env)
    asked = choose(monkeypatch, [MAIN, ELM])
    connect_google(qtbot, monkeypatch, section)

    assert len(browser) == 1
    assert len(auth.exchanged) == 1
    [offer] = asked
    assert [(c.remote_id, c.label, c.connected) for c in offer.choices] == [
        (MAIN, "Maple Grove – Main St", False),
        (OAK, "Oak Ave", False),
        (ELM, "Maple Grove – Elm", False),
    ]
    accounts = section.model.accounts
    assert sorted(a.remote_id for a in accounts) == [MAIN, ELM]
    assert section.notice_text() == (
        "2 Google Business Profile accounts are connected. Posts to Google Business Profile "
        "go to “Maple Grove – Main St”."
    )
    # One sign-in, one token, shared by both locations.
    assert {a.token_ref for a in accounts} == set(token_entries(env))
    assert list(token_entries(env).values()) == ["g-1"]
    assert not section.busy


def test_cancelling_the_checklist_connects_nothing(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    auth: AuthServer,
    browser: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = section_for(qtbot, page, env)
    asked = choose(monkeypatch, None)
    connect_google(qtbot, monkeypatch, section)
    assert len(asked) == 1
    assert section.model.rowCount() == 0
    assert section.notice_text() == "Connecting was cancelled. Nothing was connected."
    assert token_entries(env) == {}
    assert section.connect_button.isEnabled()
    assert len(auth.exchanged) == 1


def test_reconnecting_a_location_asks_nothing_and_keeps_one_row(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    auth: AuthServer,
    browser: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = section_for(qtbot, page, env)
    choose(monkeypatch, [MAIN, ELM])
    connect_google(qtbot, monkeypatch, section)
    main = next(a for a in section.model.accounts if a.remote_id == MAIN)
    asked = choose(monkeypatch, [OAK])  # must not be asked

    assert section.select_account(main.id)
    section.reconnect_button.click()
    qtbot.waitUntil(lambda: "is reconnected" in section.notice_text(), timeout=15000)
    qtbot.waitUntil(lambda: not section.busy and section.loaded, timeout=15000)
    assert asked == []
    assert len(browser) == 2
    assert section.model.rowCount() == 2
    assert (
        section.notice_text() == "Google Business Profile “Maple Grove – Main St” is reconnected."
    )
    assert list(token_entries(env).values()) == ["g-2"]  # renewed in place for both


def offer(*choices: Choice) -> SignIn:
    return SignIn("gbp", choices, token=Token("never-shown"))


def test_the_checklist_starts_with_the_connected_ones_and_needs_one_tick(qtbot: QtBot) -> None:
    dialog = ChooseDialog(
        offer(
            Choice(MAIN, "Maple Grove – Main St", "Maple Grove – Main St", account_id=4),
            Choice(OAK, "Oak Ave"),
            Choice(ELM, "Maple Grove – Elm", "maple-grove-elm"),
        )
    )
    qtbot.addWidget(dialog)
    texts = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    assert texts == [
        "Maple Grove – Main St — already connected; its sign-in is renewed",
        "Oak Ave",
        "Maple Grove – Elm (maple-grove-elm)",
    ]
    assert dialog.chosen() == [MAIN]
    assert dialog.connect_button.isEnabled()

    dialog.set_checked(MAIN, False)
    assert dialog.chosen() == []
    assert not dialog.connect_button.isEnabled()
    assert not dialog.hint.isHidden()
    dialog.accept()  # nothing ticked: the dialog stays open
    assert dialog.result() != ChooseDialog.DialogCode.Accepted

    dialog.set_checked(ELM, True)
    dialog._toggle(dialog.list.item(1))  # Enter / double-click on Oak Ave ticks it
    assert dialog.chosen() == [OAK, ELM]  # in the order offered
    assert dialog.connect_button.isEnabled()
    assert dialog.hint.isHidden()
    dialog.accept()
    assert dialog.result() == ChooseDialog.DialogCode.Accepted
    assert "never-shown" not in repr(dialog.sign_in)


@pytest.mark.parametrize(
    ("platform", "question"),
    [
        ("facebook", "Which Facebook Pages should the app post to?"),
        ("linkedin", "Which LinkedIn company pages should the app post to?"),
        ("gbp", "Which Google Business Profile locations should the app post to?"),
        ("x", "Which accounts should the app post to?"),
    ],
)
def test_the_question_names_what_the_platform_offers(platform: str, question: str) -> None:
    assert choice_question(platform) == question


def test_an_offer_of_one_or_a_reconnect_needs_no_choice() -> None:
    one = offer(Choice(MAIN, "Main St"))
    two = offer(Choice(MAIN, "Main St"), Choice(OAK, "Oak Ave"))
    assert not one.needs_choice
    assert two.needs_choice
    assert not SignIn("gbp", two.choices, reconnect=4).needs_choice
