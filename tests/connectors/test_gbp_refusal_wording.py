"""Google's refusals that the practice fixes in this app are kept in words that say where:
a phone number in a Google post (take it out of the post's Google text) and a "Learn more"
button whose link is not https (Settings → Practice's website), through the real outbox with a
local GBP API; nothing reaches Google."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.clock import ManualClock
from core.connectors.registry import request_options
from core.publishing.connectors import ConnectorRegistry
from core.publishing.model import OutboxStatus
from core.publishing.outbox import REFUSAL_WORDING, refusal_message
from core.publishing.service import PublishingService
from tests.connectors import test_gbp as base
from tests.connectors.outbox_harness import JITTER, POLICY, FixedTokens, OutboxHarness
from tests.connectors.servers.gbp import GbpServer

# The GBP connector tests' fixtures (a local GBP API), shared.
http_server, clock, gbp, tokens = base.http_server, base.clock, base.gbp, base.tokens


class WithWebsite(OutboxHarness):
    """The harness, its outbox adding the "Learn more" button to ``website`` like the app."""

    website = ""

    def publishing(self, platform: str) -> PublishingService:
        return PublishingService(
            self.store,
            self.clock,
            self.services.composer,
            ConnectorRegistry({platform: self.make_connector()}),
            policy=POLICY,
            random=lambda: JITTER,
            options=request_options(lambda: self.website),
        )


@pytest.fixture
def harness(clock: ManualClock, tmp_path: Path, gbp: GbpServer, tokens: FixedTokens) -> WithWebsite:
    return WithWebsite(clock, tmp_path, lambda: base.connector(gbp, tokens, clock))


def test_a_phone_number_in_a_google_post_says_to_take_it_out(
    harness: WithWebsite, gbp: GbpServer
) -> None:
    post = harness.due_post("gbp", "Call us at (217) 555-0142 to book your cleaning this fall.")
    harness.run("gbp")
    entry = harness.entry(post)
    assert (entry.status, entry.error_code) == (OutboxStatus.FAILED, "phone_number")
    assert entry.error_message == (
        "Google Business Profile turns down posts with a phone number in the text. Take the "
        "number out of the post's Google Business Profile text (the profile shows the "
        "practice's phone already), then publish it again."
    )
    assert gbp.requests == []


def test_a_button_to_a_website_without_https_says_where_to_correct_it(
    harness: WithWebsite, gbp: GbpServer
) -> None:
    harness.website = "http://maplegrovedental.example"
    post = harness.due_post("gbp")
    harness.run("gbp")
    entry = harness.entry(post)
    assert (entry.status, entry.error_code) == (OutboxStatus.FAILED, "bad_call_to_action")
    assert "Settings → Practice" in entry.error_message
    assert "https://" in entry.error_message
    assert gbp.requests == []


def test_other_refusals_keep_the_platforms_words() -> None:
    assert refusal_message("gbp", "http_403", "Google said no.") == "Google said no."
    assert set(REFUSAL_WORDING) == {"phone_number", "bad_call_to_action"}
