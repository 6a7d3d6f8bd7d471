"""The LinkedIn connector against a local LinkedIn REST server
(tests/connectors/servers/linkedin.py): the version headers on every call, image uploads, the
escaped "little" commentary, reconciliation, withdraw, and the faults' typed errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account
from core.clock import ManualClock
from core.connectors.linkedin import LINKEDIN_VERSION, LinkedInConnector, little_text, plain_text
from core.publishing.connectors import (
    PermanentPublishError,
    PublishRequest,
    RemotePost,
    TransientPublishError,
)
from tests.connectors.connector_cases import (
    LOST_ANSWERS,
    assert_uncertain_then_found,
    clean_pngs,
    refused_with,
)
from tests.connectors.outbox_harness import TEXT, FixedTokens
from tests.connectors.servers.faults import (
    CLIENT_TIMEOUT,
    DROP_AFTER_CREATE,
    Fault,
    serving,
)
from tests.connectors.servers.linkedin import (
    ORGANIZATION,
    TOKEN,
    TOKEN_AFTER_REFRESH,
    LinkedInServer,
)

CREATE = "POST /rest/posts"
LIST = "GET /rest/posts"
INIT = "POST /rest/images"


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LinkedInServer]:
    with serving() as http:
        yield LinkedInServer(http, clock.now)


@pytest.fixture
def tokens() -> FixedTokens:
    return FixedTokens([TOKEN])


@pytest.fixture
def li(server: LinkedInServer, tokens: FixedTokens, clock: ManualClock) -> LinkedInConnector:
    account = Account(5, "linkedin", "Maple Grove Dental", "2414183", base_url=server.base_url)
    return LinkedInConnector(account, tokens, timeout=CLIENT_TIMEOUT, clock=clock)  # type: ignore[arg-type]


def request(
    text: str = TEXT, images: tuple[Path, ...] = (), alts: tuple[str, ...] = ()
) -> PublishRequest:
    return PublishRequest(1, "linkedin", text, images, "key-1", alt_texts=alts)


# --- the commentary ----------------------------------------------------------------------------
def test_little_text_escapes_reserved_characters_but_not_links_or_hashtags() -> None:
    text = "Walk-ins (8–11 am) @ Main_St #FluSeason! See https://a.com/flu_(2026) ~ 50% * # \\"
    escaped = little_text(text)
    assert escaped == (
        "Walk-ins \\(8–11 am\\) \\@ Main\\_St #FluSeason! See https://a.com/flu_(2026) \\~ 50% "
        "\\* \\# \\\\"
    )
    assert plain_text(escaped) == text
    assert plain_text("Flu {hashtag|\\#|FluSeason} time") == "Flu #FluSeason time"


def test_the_whole_text_arrives_escaped(li: LinkedInConnector, server: LinkedInServer) -> None:
    li.publish(request())
    [post] = server.posts
    assert plain_text(post.commentary) == TEXT  # unescaped, LinkedIn would cut it at "("


# --- publishing ----------------------------------------------------------------------------
def test_a_text_post_names_the_version_and_the_organization(
    li: LinkedInConnector, server: LinkedInServer
) -> None:
    remote = li.publish(request())
    assert server.lines() == [CREATE]
    [sent] = server.requests
    assert sent.headers["linkedin-version"] == LINKEDIN_VERSION
    assert sent.headers["x-restli-protocol-version"] == "2.0.0"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.json() == {
        "author": ORGANIZATION,
        "commentary": little_text(TEXT),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    [post] = server.posts
    assert remote == RemotePost(post.urn, f"https://www.linkedin.com/feed/update/{post.urn}/")


def test_one_image_is_media_several_are_multi_image(
    li: LinkedInConnector, server: LinkedInServer, tmp_path: Path
) -> None:
    [one] = clean_pngs(tmp_path, 1)
    li.publish(request(images=(one,), alts=("The new hygiene room",)))
    assert server.lines() == [INIT, "PUT /dms-uploads/7141790000000000001", CREATE]
    assert server.requests[0].args == {"action": "initializeUpload"}
    assert server.requests[0].json() == {"initializeUploadRequest": {"owner": ORGANIZATION}}
    assert server.requests[1].body == one.read_bytes()
    urn = "urn:li:image:C4E10AQ7141790000000000001"
    assert server.posts[0].content == {"media": {"id": urn, "altText": "The new hygiene room"}}

    paths = clean_pngs(tmp_path, 2)
    li.publish(request("Two photos from the open day", images=paths))
    content = server.posts[1].content
    assert [server.images[m["id"]] for m in content["multiImage"]["images"]] == [
        p.read_bytes() for p in paths
    ]


def test_validate_lists_what_linkedin_would_refuse(
    li: LinkedInConnector, server: LinkedInServer, tmp_path: Path
) -> None:
    assert li.validate(request()) == []
    assert li.validate(request("a" * 3001)) == ["too_long"]
    assert li.validate(request(images=clean_pngs(tmp_path, 21))) == ["too_many_images"]
    odd = tmp_path / "photo.webp"
    odd.write_bytes(b"RIFF\0\0\0\0WEBPVP8 ")
    assert li.validate(request(images=(odd,))) == ["unsupported"]
    with pytest.raises(PermanentPublishError, match="LinkedIn would refuse this post"):
        li.publish(request(images=(odd,)))
    assert server.requests == []


# --- reconciling and withdraw ----------------------------------------------------------------
def test_find_lists_the_organizations_posts_and_compares_the_unescaped_text(
    li: LinkedInConnector, server: LinkedInServer, clock: ManualClock
) -> None:
    sent = li.publish(request())
    began = replace(request(), not_before=clock.now())
    assert li.find(began) == sent
    lookup = server.requests[-1]
    assert lookup.line == LIST
    assert lookup.args == {
        "author": ORGANIZATION,
        "q": "author",
        "count": "50",
        "sortBy": "CREATED",
    }
    assert lookup.headers["x-restli-method"] == "FINDER"
    assert li.find(request("Something else")) is None
    clock.advance(timedelta(hours=1))
    assert li.find(replace(request(), not_before=clock.now())) is None  # older than the attempt


def test_withdraw_deletes_by_urn_and_a_missing_post_counts_as_gone(
    li: LinkedInConnector, server: LinkedInServer
) -> None:
    sent = li.publish(request())
    assert li.withdraw(sent.remote_id) is True
    assert server.posts == []
    delete = server.requests[-1]
    assert delete.line == f"DELETE /rest/posts/{sent.remote_id}"
    assert delete.headers["x-restli-method"] == "DELETE"
    assert li.withdraw(sent.remote_id) is True


# --- faults ----------------------------------------------------------------------------------
def test_a_token_refused_twice_means_reconnect(server: LinkedInServer, clock: ManualClock) -> None:
    tokens = FixedTokens([TOKEN, TOKEN_AFTER_REFRESH])
    server.tokens = {"someone-else"}
    account = Account(5, "linkedin", "Maple Grove", ORGANIZATION, base_url=server.base_url)
    with pytest.raises(ReconnectNeeded):
        LinkedInConnector(account, tokens, clock=clock).publish(request())  # type: ignore[arg-type]
    assert server.lines() == [CREATE, CREATE]
    assert tokens.invalidated == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (403, "LinkedIn does not allow this account to do that: Not enough permissions"),
        (404, "LinkedIn could not find it: Not Found"),
        (413, "LinkedIn says it is too large: Request entity too large"),
        (422, "LinkedIn refused the content: ERROR :: /commentary :: is too long"),
    ],
)
def test_refusals_keep_linkedins_words(
    li: LinkedInConnector, server: LinkedInServer, status: int, words: str
) -> None:
    refused = refused_with(li, server, Fault(status), request())
    assert refused.code == f"http_{status}"
    assert str(refused).startswith(words)


def test_a_duplicate_is_refused_in_linkedins_words(
    li: LinkedInConnector, server: LinkedInServer
) -> None:
    li.publish(request())
    with pytest.raises(PermanentPublishError, match="Content is a duplicate of urn:li:share:"):
        li.publish(request())


def test_429_and_5xx_are_transient(li: LinkedInConnector, server: LinkedInServer) -> None:
    server.inject("create", Fault(429), Fault(500), Fault(503, headers={"Retry-After": "30"}))
    codes = []
    for _ in range(3):
        with pytest.raises(TransientPublishError) as busy:
            li.publish(request())
        codes.append((busy.value.code, busy.value.retry_after))
    assert codes == [("http_429", None), ("http_500", None), ("http_503", 30)]
    assert server.posts == []


@LOST_ANSWERS
def test_no_answer_is_uncertain_and_find_tells(
    li: LinkedInConnector, server: LinkedInServer, fault: Fault, created: int
) -> None:
    assert_uncertain_then_found(li, server, request(), fault, lambda: server.posts, created)


def test_an_upload_without_an_answer_is_transient(
    li: LinkedInConnector, server: LinkedInServer, tmp_path: Path
) -> None:
    server.inject("upload", DROP_AFTER_CREATE)
    with pytest.raises(TransientPublishError):
        li.publish(request(images=clean_pngs(tmp_path, 1)))
    assert server.lines() == [INIT, "PUT /dms-uploads/7141790000000000001"]
    assert server.posts == []
