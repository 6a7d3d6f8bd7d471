"""A local platform server with injectable faults, over pytest-httpserver.

Each platform server (``x.py``, ``facebook.py``, ``linkedin.py``) declares its routes (method,
path pattern, a handler speaking the platform's documented JSON) and keeps the platform's state
(the posts it holds). ``PlatformServer`` dispatches every request to the routes, records it
(``requests``: what the client really sent), and consumes one queued ``Fault`` per request of a
route when some are queued (``inject``):

- a status fault answers with that status, the platform's error body and headers, and creates
  nothing;
- ``TIMEOUT`` stalls past the client's read timeout and creates nothing (the request died in
  the platform);
- ``TIMEOUT_AFTER_CREATE`` creates the post, then stalls (the answer comes too late);
- ``DROP_AFTER_CREATE`` creates the post, then closes the connection without an answer.

The server is threaded so that a stalled request does not hold up the client's next one.
"""

from __future__ import annotations

import atexit
import email.utils
import json
import re
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

STALL_SECONDS = 1.0
"""How long a timeout fault stalls; clients under test read with a shorter timeout."""

CLIENT_TIMEOUT = (2.0, 0.4)
"""The (connect, read) timeout the tests give the connectors' HttpClient."""

Handler = Callable[[Request, re.Match[str]], Response]


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure (see the module docstring)."""

    status: int = 0
    body: Any = None
    headers: Mapping[str, str | Callable[[], str]] = field(default_factory=dict)
    """Header values may be computed when the answer goes out (a date "in five minutes")."""
    stall: bool = False
    drop: bool = False
    after_create: bool = False

    @property
    def name(self) -> str:
        if self.status:
            return f"http_{self.status}"
        what = "drop" if self.drop else "timeout"
        return f"{what}_after_create" if self.after_create else what


TIMEOUT = Fault(stall=True)
TIMEOUT_AFTER_CREATE = Fault(stall=True, after_create=True)
DROP_AFTER_CREATE = Fault(drop=True, after_create=True)


def http_date_in(seconds: float) -> Callable[[], str]:
    """An HTTP date ``seconds`` from when the answer goes out (``Retry-After`` as a date)."""
    return lambda: email.utils.formatdate(time.time() + seconds, usegmt=True)


def epoch_in(seconds: float) -> Callable[[], str]:
    """Epoch seconds ``seconds`` from when the answer goes out (X's ``x-rate-limit-reset``)."""
    return lambda: str(int(time.time() + seconds))


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    args: dict[str, str]
    headers: dict[str, str]
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def line(self) -> str:
        """``METHOD /path`` — what the tests compare request sequences by."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body), status=status, headers=dict(headers or {}), mimetype="application/json"
    )


class PlatformServer:
    """Routes, the request log and the fault queues of one platform's local server."""

    def __init__(self, http: HTTPServer) -> None:
        self.http = http
        self.routes: list[Route] = []
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[Recorded] = []
        http.expect_request(re.compile(r"^/.*")).respond_with_handler(self._dispatch)

    @property
    def base_url(self) -> str:
        return self.http.url_for("").rstrip("/")

    def route(self, name: str, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append(Route(name, method, re.compile(f"^{pattern}$"), handler))

    def inject(self, route: str, *faults: Fault) -> None:
        """Queue ``faults`` for the next requests of ``route`` (one each)."""
        if route not in {r.name for r in self.routes}:
            raise KeyError(route)
        self.faults.setdefault(route, []).extend(faults)

    def lines(self) -> list[str]:
        """Every request so far as ``METHOD /path``."""
        return [r.line for r in self.requests]

    def url_of(self, remote_id: str) -> str:
        """The live URL the platform gives the post ``remote_id``."""
        raise NotImplementedError

    def error_body(self, fault: Fault) -> Any:
        """The platform's JSON error for a status fault without its own ``body``."""
        return {"status": fault.status, "message": f"Injected {fault.status}"}

    def _dispatch(self, request: Request) -> Response:
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                dict(request.args.items()),
                {k.lower(): v for k, v in request.headers.items()},
                request.get_data(),
                request.content_type or "",
            )
        )
        for route in self.routes:
            match = route.pattern.match(request.path)
            if match is None or route.method != request.method:
                continue
            queue = self.faults.get(route.name) or []
            fault = queue.pop(0) if queue else None
            return self._answer(route, request, match, fault)
        return json_response({"message": f"No route for {request.method} {request.path}"}, 404)

    def _answer(
        self, route: Route, request: Request, match: re.Match[str], fault: Fault | None
    ) -> Response:
        if fault is None:
            return route.handler(request, match)
        if fault.status:
            body = fault.body if fault.body is not None else self.error_body(fault)
            headers = {k: v() if callable(v) else v for k, v in fault.headers.items()}
            return json_response(body, fault.status, headers)
        if not fault.after_create:
            time.sleep(STALL_SECONDS)
            return json_response({"message": "too late"}, 504)
        response = route.handler(request, match)
        if fault.drop:
            sock: socket.socket = request.environ["werkzeug.socket"]
            sock.shutdown(socket.SHUT_RDWR)
        else:
            time.sleep(STALL_SECONDS)
        return response


_shared: list[HTTPServer] = []


@contextmanager
def serving() -> Iterator[HTTPServer]:
    """A threaded pytest-httpserver on 127.0.0.1, cleared before and after each use. One server
    is shared by every test of the run (stopping one takes half a second) and stopped at exit."""
    if not _shared:
        http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        http.start()
        atexit.register(http.stop)
        _shared.append(http)
    http = _shared[0]
    http.clear()
    try:
        yield http
        http.check_handler_errors()  # a bug in a test server fails the test
    finally:
        http.clear()
