"""Google reviews of the connected Business Profile locations: list them into the inbox and
post approved replies (My Business API v4).

``GbpReviews`` is both the inbox's ``ReviewSource`` (``ReviewService.collect``) and its
``ReplyTarget`` (``ReviewService.post_reply``):

- listing: ``GET {location}/reviews?pageSize=50&orderBy=updateTime desc&pageToken=…`` per
  location, newest change first; with ``since`` it stops at the first review last changed
  before ``since`` (less ``SINCE_MARGIN``, for clock skew: the inbox de-duplicates by the
  review's ``name``, its external id, so an overlap costs nothing). As a ``PlacesSource``
  (``places``/``fetch_place``) each location is one place with its own "since" and its own
  failure, and each review comes with its ``updateTime`` and the ``reviewReply`` Google
  already shows (``CollectedReview``): the inbox stores a review answered on Google as
  replied, and takes in the new words or stars of a review edited later
  (``ReviewService.collect_connected``).
- replying: ``PUT {review name}/reply {comment}`` (``updateReply``). Google keeps one reply per
  review and a PUT replaces it, so even a repeated call cannot make two replies; the service
  still asks first (``remote_reply``: ``GET {review name}``) after an uncertain attempt, so it
  is sent once.

``fetch_new`` (the plain ``ReviewSource``): a location that fails (its token revoked, the API
down) does not stop the others: the reviews of the rest are returned and ``failures`` says
which failed and why; when every location fails the first error is raised. Messages never
hold a review's words or a token.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.clock import Clock, SystemClock
from core.connectors.gbp import API_BASE, NAME, location_name, pages, parse_time
from core.connectors.http import HttpClient
from core.publishing.connectors import PermanentPublishError, PublishError
from core.reviews.model import ItemKind, Review, Source
from core.reviews.ports import CollectedReview, RemoteReply, SourcePlace

if TYPE_CHECKING:
    from core.accounts.model import Account
    from core.accounts.tokens import TokenProvider

log = logging.getLogger(__name__)

REVIEW_PAGE = 50
"""Google's largest ``pageSize`` for reviews.list."""
MAX_PAGES = 400
"""At most 20,000 reviews per location and collection (a loop guard, far above real
profiles)."""
SINCE_MARGIN = timedelta(minutes=10)
ORDER = "updateTime desc"
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
ANONYMOUS = "A Google user"
"""The author of a review whose writer chose to stay anonymous (Google's own wording)."""
REVIEWS_PAGE_URL = "https://business.google.com/reviews"
"""Where the practice answers its Google reviews by hand (the API gives no per-review page)."""


@dataclass(frozen=True, slots=True)
class LocationFailure:
    """A location whose reviews could not be listed: its account id, the error's code and
    the platform's reason in plain words."""

    account_id: int | None
    code: str
    message: str


HttpFactory = Callable[["Account"], HttpClient]


class GbpReviews:
    """The Google reviews of ``accounts`` (the connected GBP locations): a ``ReviewSource``
    and a ``ReplyTarget`` (see the module docstring). ``http`` builds each location's client
    (tests, a shared session); by default one ``HttpClient`` per location with its token."""

    name = "google"

    def __init__(
        self,
        accounts: Sequence[Account],
        tokens: TokenProvider,
        *,
        base_url: str | None = None,
        http: HttpFactory | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.accounts = tuple(a for a in accounts if a.platform == "gbp" and a.active)
        self._tokens = tokens
        self._base_url = base_url
        self._http_factory = http
        self._clients: dict[int | None, HttpClient] = {}
        self._clock = clock or SystemClock()
        self.failures: tuple[LocationFailure, ...] = ()

    def _http(self, account: Account) -> HttpClient:
        client = self._clients.get(account.id)
        if client is None:
            if self._http_factory is not None:
                client = self._http_factory(account)
            else:
                base = self._base_url or account.base_url or API_BASE
                client = HttpClient(base, self._tokens, account=account, name=NAME)
            self._clients[account.id] = client
        return client

    # --- ReviewSource ----------------------------------------------------------------------
    def fetch_new(self, since: datetime | None) -> list[Review]:
        """The reviews of every location changed since ``since`` (all when ``None``)."""
        found: list[Review] = []
        failures: list[LocationFailure] = []
        errors: list[PublishError] = []
        for account in self.accounts:
            try:
                found.extend(self.location_reviews(account, since))
            except PublishError as exc:
                log.warning("gbp location %s: reviews not listed (%s)", account.id, exc.code)
                failures.append(LocationFailure(account.id, exc.code, str(exc)))
                errors.append(exc)
        self.failures = tuple(failures)
        if errors and len(errors) == len(self.accounts):
            raise errors[0]
        return found

    def location_reviews(self, account: Account, since: datetime | None) -> list[Review]:
        """One location's reviews, newest change first, down to ``since``."""
        return [c.review for c in self.location_changes(account, since)]

    def location_changes(self, account: Account, since: datetime | None) -> list[CollectedReview]:
        """One location's reviews with their time of change and Google's reply, newest
        change first, down to ``since``."""
        location = location_name(account)
        stop = since - SINCE_MARGIN if since is not None else None
        now = self._clock.now()
        params = {"pageSize": str(REVIEW_PAGE), "orderBy": ORDER}
        found: list[CollectedReview] = []
        for item in pages(self._http(account), f"{location}/reviews", "reviews", params, MAX_PAGES):
            updated = parse_time(item.get("updateTime")) or parse_time(item.get("createTime"))
            if stop is not None and updated is not None and updated < stop:
                break
            review = to_review(item, location, now)
            if review is not None:
                found.append(
                    CollectedReview(review, updated, _remote_reply(item.get("reviewReply")))
                )
        return found

    # --- PlacesSource ----------------------------------------------------------------------
    def places(self) -> list[SourcePlace]:
        """Each connected location, named by its account id."""
        return [SourcePlace(str(a.id), a.id, a.label) for a in self.accounts]

    def fetch_place(self, place: SourcePlace, since: datetime | None) -> list[CollectedReview]:
        """The reviews of one location changed since ``since`` (typed errors: see
        ``core.connectors.http``; a token Google refuses for good is ``ReconnectNeeded``)."""
        account = next((a for a in self.accounts if str(a.id) == place.key), None)
        if account is None:
            raise PermanentPublishError(
                "This Google location is no longer connected.", code="not_connected"
            )
        return self.location_changes(account, since)

    # --- ReplyTarget -----------------------------------------------------------------------
    def handles(self, review: Review) -> bool:
        return self._account_of(review.external_id) is not None and review.source is Source.GOOGLE

    def update_reply(self, review_name: str, comment: str) -> RemoteReply:
        account = self._owner(review_name)
        response = self._http(account).request(
            "PUT", f"{review_name}/reply", json={"comment": comment}
        )
        return _remote_reply(response.json()) or RemoteReply(comment, None)

    def remote_reply(self, review_name: str) -> RemoteReply | None:
        account = self._owner(review_name)
        body = self._http(account).request("GET", review_name).json()
        return _remote_reply(body.get("reviewReply")) if isinstance(body, dict) else None

    def _account_of(self, review_name: str) -> Account | None:
        for account in self.accounts:
            try:
                location = location_name(account)
            except PermanentPublishError:
                continue
            rest = review_name.removeprefix(location + "/reviews/")
            if rest != review_name and rest and "/" not in rest:
                return account
        return None

    def _owner(self, review_name: str) -> Account:
        account = self._account_of(review_name)
        if account is None:
            raise PermanentPublishError(
                "This review's Google location is not connected: reconnect it in Settings → "
                "Accounts, or post the reply by hand.",
                code="not_connected",
            )
        return account


def to_review(item: dict[str, Any], location: str, collected_at: datetime) -> Review | None:
    """A v4 ``Review`` as an inbox item (``None`` when it is not one of ``location``'s or has
    neither words nor stars)."""
    name = str(item.get("name") or "")
    if not name.startswith(location + "/reviews/"):
        return None
    rating = STARS.get(str(item.get("starRating") or ""))
    text = str(item.get("comment") or "").strip()
    posted = parse_time(item.get("createTime")) or parse_time(item.get("updateTime"))
    if posted is None or (not text and rating is None):
        return None
    reviewer = item.get("reviewer") if isinstance(item.get("reviewer"), dict) else {}
    assert isinstance(reviewer, dict)
    author = str(reviewer.get("displayName") or "").strip()
    if reviewer.get("isAnonymous") or not author:
        author = ANONYMOUS
    return Review(
        id=None,
        kind=ItemKind.REVIEW,
        source=Source.GOOGLE,
        external_id=name,
        author=author,
        rating=rating,
        posted_at=posted,
        text=text,
        url=REVIEWS_PAGE_URL,
        content_hash=name_hash(name),
        collected_at=collected_at.astimezone(UTC),
    )


def name_hash(name: str) -> str:
    """The content hash of a Google review: from its name, Google's own unique id, not from
    its words. The inbox's usual fingerprint (author, day, text) would make two anonymous
    star-only reviews of one day, or one reviewer's same words at two locations, one item;
    and a review's words may change (edited later) while its name stays."""
    return hashlib.sha256(f"google\x1f{name}".encode()).hexdigest()


def _remote_reply(data: object) -> RemoteReply | None:
    if not isinstance(data, dict) or not isinstance(data.get("comment"), str):
        return None
    return RemoteReply(data["comment"], parse_time(data.get("updateTime")))


class ConnectedGoogleReviews:
    """``ReviewService``'s ``reply_targets`` and ``sources``: the ``GbpReviews`` of the GBP
    locations connected now (``accounts`` lists every account, ``tokens`` gives the token
    provider; both asked lazily), rebuilt only when those accounts change."""

    def __init__(
        self,
        accounts: Callable[[], Sequence[Account]],
        tokens: Callable[[], TokenProvider],
    ) -> None:
        self._accounts = accounts
        self._tokens = tokens
        self._lock = threading.Lock()
        self._key: tuple[tuple[object, ...], ...] = ()
        self._reviews: GbpReviews | None = None

    def current(self) -> GbpReviews | None:
        """The reviews of the connected locations, or ``None`` when none is connected."""
        locations = [a for a in self._accounts() if a.platform == "gbp" and a.active]
        key = tuple((a.id, a.remote_id, a.base_url, a.token_ref, a.status.value) for a in locations)
        with self._lock:
            if not locations:
                self._key, self._reviews = (), None
            elif self._reviews is None or key != self._key:
                self._reviews = GbpReviews(locations, self._tokens())
                self._key = key
            return self._reviews

    def __call__(self) -> tuple[GbpReviews, ...]:
        current = self.current()
        return (current,) if current is not None else ()
