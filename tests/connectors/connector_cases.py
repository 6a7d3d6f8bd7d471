"""What the connectors' own tests share: the clean exports they publish, the fault cases every
platform meets, and the checks on what a connector raises for each.

A platform's own wording, codes and requests stay in its test; these only play the fault and
hand back what happened, or check what is the same on every platform (no answer to the create
is uncertain, and ``find`` tells whether the post exists; no error message holds the post's text
or the token).
"""

from __future__ import annotations

from collections.abc import Callable, Sized
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from PIL import Image

from core.publishing.connectors import (
    ApiConnector,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    TransientPublishError,
    UncertainOutcome,
)
from tests.connectors.servers.faults import (
    DROP_AFTER_CREATE,
    TIMEOUT,
    TIMEOUT_AFTER_CREATE,
    Fault,
    PlatformServer,
)
from tests.imaging_support import photo_png

LOST_ANSWERS = pytest.mark.parametrize(
    ("fault", "created"), [(TIMEOUT, 0), (TIMEOUT_AFTER_CREATE, 1), (DROP_AFTER_CREATE, 1)]
)
"""The create gets no answer: it died first (nothing made), or after the post was made."""

RETRY_DATE = 90.0
"""Seconds ahead of the clock that a ``Retry-After: date`` case's HTTP date says."""


def clean_pngs(tmp_path: Path, count: int) -> tuple[Path, ...]:
    """``count`` distinct PNG photos as the outbox's clean exports (``clean-<n>.png``)."""
    paths = []
    for n in range(count):
        path = tmp_path / f"clean-{n}.png"
        path.write_bytes(photo_png(n + 1))
        paths.append(path)
    return tuple(paths)


def jpeg(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    """A small JPEG at ``path``."""
    Image.new("RGB", size, (200, 120, 40)).save(path, "JPEG")
    return path


def refused_with(
    connector: ApiConnector, server: PlatformServer, fault: Fault, request: PublishRequest
) -> PermanentPublishError:
    """The refusal a create that meets ``fault`` raises."""
    server.inject("create", fault)
    with pytest.raises(PermanentPublishError) as refused:
        connector.publish(request)
    return refused.value


def assert_uncertain_then_found(
    connector: ApiConnector,
    server: PlatformServer,
    request: PublishRequest,
    fault: Fault,
    posts: Callable[[], Sized],
    created: int,
) -> None:
    """A create that meets ``fault`` (no answer) is uncertain; the platform then holds
    ``created`` posts (``posts``: its posts now) and ``find`` tells whether it does."""
    server.inject("create", fault)
    with pytest.raises(UncertainOutcome):
        connector.publish(request)
    assert len(posts()) == created
    assert (connector.find(request) is not None) == bool(created)


def typed_error_cases(
    create: str, upload: str, refusals: tuple[int, ...]
) -> list[tuple[str, Fault, type[PublishError], str, int]]:
    """``(route, fault, error, code, created)`` for every fault on the create (route
    ``create``): 429 with ``Retry-After`` in seconds and as a date (``"date"``: see ``dated``),
    500, 503, a gateway's 502 (uncertain), the platform's ``refusals``, no answer; and on the
    image upload (route ``upload``): a timeout and a 413. Nothing was created unless the
    create's answer alone was lost."""
    transient, permanent, uncertain = TransientPublishError, PermanentPublishError, UncertainOutcome
    return [
        (create, Fault(429, headers={"Retry-After": "120"}), transient, "http_429", 0),
        (create, Fault(429, headers={"Retry-After": "date"}), transient, "http_429", 0),
        (create, Fault(500), transient, "http_500", 0),
        (create, Fault(503, headers={"Retry-After": "30"}), transient, "http_503", 0),
        (create, Fault(502), uncertain, "http_502", 0),
        *((create, Fault(status), permanent, f"http_{status}", 0) for status in refusals),
        (create, TIMEOUT, uncertain, "timeout", 0),
        (create, TIMEOUT_AFTER_CREATE, uncertain, "timeout", 1),
        (create, DROP_AFTER_CREATE, uncertain, "connection_dropped", 1),
        (upload, TIMEOUT, transient, "timeout", 0),
        (upload, Fault(413), permanent, "http_413", 0),
    ]


def dated(fault: Fault, now: datetime) -> Fault:
    """``fault`` with a ``Retry-After: date`` made an HTTP date ``RETRY_DATE`` seconds after
    ``now``; any other fault as it is."""
    if fault.headers.get("Retry-After") != "date":
        return fault
    when = now + timedelta(seconds=RETRY_DATE)
    return Fault(fault.status, headers={"Retry-After": format_datetime(when, usegmt=True)})


def assert_typed_error(
    raised: PublishError,
    error: type[PublishError],
    code: str,
    fault: Fault,
    secrets: tuple[str, ...],
) -> None:
    """``raised`` is exactly ``error`` with ``code``; none of ``secrets`` (the post's text,
    the token) is in its message; a 429 waits as its ``Retry-After`` said (120 seconds or
    the date), a 503 the 30 seconds its ``Retry-After`` said."""
    assert type(raised) is error
    assert raised.code == code
    message = str(raised)
    for secret in secrets:
        assert secret not in message
    retry_after = raised.retry_after if isinstance(raised, TransientPublishError) else None
    if fault.status == 429:
        expected = RETRY_DATE if "GMT" in str(fault.headers["Retry-After"]) else 120
        assert retry_after == pytest.approx(expected, abs=1)
    if fault.status == 503:
        assert retry_after == 30
