"""A web server on 127.0.0.1 that misbehaves on purpose: one route per fault.

pytest-httpserver answers with whole werkzeug responses, which cannot cut a body with a TCP
reset or drip a header a byte at a time; this server writes to the socket itself, so each fault
is what a broken or hostile site does on the wire. Routes are keyed by host name and path, and
``loopback_resolver`` sends every ``*.example`` name here, so one server stands for many sites,
each with its own robots.txt and pacing. An unknown route answers 404, like a site without
robots.txt. Every request is logged as (host, path with query).

Nothing here waits without an end: a drip stops when the client goes away, when the server
stops, or after ``PATIENCE_SECONDS``. A client that stays that long is in ``outlasted`` (and
then gets the rest of the response), so a test can tell a fetch that was cut off in time from
one that hung, without measuring how long anything took.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.waiting import PATIENCE_SECONDS

Route = Callable[["_Handler"], None]
DRIP_INTERVAL = 0.05  # far below any read timeout, so only a limit on the whole response helps


def loopback_resolver(host: str, port: int) -> list[str]:
    """``*.example`` and ``localhost`` are 127.0.0.1 and IP literals are themselves; for the
    Fetcher's ``resolver``, so no DNS server is ever asked and no packet leaves the machine."""
    if host == "localhost" or host.endswith(".example"):
        return ["127.0.0.1"]
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        raise socket.gaierror(f"the test resolver knows no {host}") from None
    return [host]


class FaultServer(ThreadingHTTPServer):
    """The server; ``route`` adds a site's page, ``log`` is every request it got."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[tuple[str, str], Route] = {}
        self.log: list[tuple[str, str]] = []
        self.outlasted: list[tuple[str, str]] = []  # drips whose client never went away
        self.stopping = threading.Event()
        self._log_guard = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, host: str, path: str, answer: Route) -> None:
        self.routes[(host, path)] = answer

    def requests_to(self, host: str, path: str) -> int:
        """How many requests asked for exactly ``path`` (query included) on ``host``."""
        with self._log_guard:
            return self.log.count((host, path))

    def _record(self, host: str, path: str) -> None:
        with self._log_guard:
            self.log.append((host, path))


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    """A started server; stopping it ends every drip still running."""
    server = FaultServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        self.server._record(host, self.path)
        self.asked = (host, self.path)
        answer = self.server.routes.get((host, urlsplit(self.path).path))
        (answer or respond("not here", status=404, content_type="text/plain"))(self)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is ``FaultServer.log``."""

    def keep_dripping(self) -> bool:
        return not self.server.stopping.wait(DRIP_INTERVAL)


def respond(
    body: bytes | str,
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Route:
    """A plain, complete response."""
    data = body.encode() if isinstance(body, str) else body

    def answer(handler: _Handler) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": content_type, **(headers or {})}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return answer


def redirect(location: str) -> Route:
    return respond("", status=302, headers={"Location": location})


def once_then(first: Route, then: Route) -> Route:
    """``first`` for the first request, ``then`` for every later one."""
    calls = itertools.count()
    return lambda handler: (first if next(calls) == 0 else then)(handler)


def changing_etag(body: bytes | str, content_type: str) -> Route:
    """A new ETag on every request, whatever If-None-Match says: never a 304."""
    versions = itertools.count(1)
    return lambda handler: respond(
        body, content_type=content_type, headers={"ETag": f'"v{next(versions)}"'}
    )(handler)


def _html_headers(handler: _Handler, length: int) -> None:
    """A prompt 200 for an HTML body of ``length`` bytes."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(length))
    handler.end_headers()


def reset_mid_body(body: bytes | str) -> Route:
    """Half the promised body, then a TCP reset (SO_LINGER 0), as a crashing proxy does."""
    data = body.encode() if isinstance(body, str) else body

    def answer(handler: _Handler) -> None:
        _html_headers(handler, len(data))
        handler.wfile.write(data[: len(data) // 2])
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True

    return answer


def drip_headers(body: bytes | str) -> Route:
    """The status line, then one header byte at a time: the headers never seem to end."""
    data = body.encode() if isinstance(body, str) else body

    def answer(handler: _Handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Drip: ")
        _drip(handler, b"z" * 60_000)  # under http.client's 64 KiB line limit
        _write(handler, f"\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)

    return answer


def drip_body(body: bytes | str) -> Route:
    """Prompt headers, then the body one byte at a time."""
    data = body.encode() if isinstance(body, str) else body

    def answer(handler: _Handler) -> None:
        _html_headers(handler, len(data))
        sent = _drip(handler, data)
        _write(handler, data[sent:])

    return answer


def endless_body(chunk: bytes = b"<p>" + b"x" * 8189 + b"</p>") -> Route:
    """A body with no Content-Length that does not end until the client stops reading."""

    def answer(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        deadline = time.monotonic() + PATIENCE_SECONDS
        while _write(handler, chunk):
            if time.monotonic() >= deadline:
                handler.server.outlasted.append(handler.asked)
                return

    return answer


def gzip_bomb(inflated_bytes: int) -> Route:
    """A small gzip body (Content-Encoding) that inflates to ``inflated_bytes`` of spaces."""
    bomb = gzip.compress(b" " * inflated_bytes, compresslevel=9)
    return respond(bomb, headers={"Content-Encoding": "gzip"})


def _drip(handler: _Handler, data: bytes) -> int:
    """Write ``data`` a byte every DRIP_INTERVAL until it is out, the client leaves, the server
    stops or patience runs out; how many bytes were written."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    sent = 0
    while sent < len(data):
        if time.monotonic() >= deadline:
            handler.server.outlasted.append(handler.asked)
            break
        if not (handler.keep_dripping() and _write(handler, data[sent : sent + 1])):
            break
        sent += 1
    return sent


def _write(handler: _Handler, data: bytes) -> bool:
    """False once the client has gone away."""
    try:
        handler.wfile.write(data)
    except OSError:
        return False
    return True
