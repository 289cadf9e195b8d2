"""A programmable HTTP server on 127.0.0.1 for the reliability tests.

It answers for made-up hosts under ``.hostile.example`` (a reserved name that never resolves) when the
crawler uses it as its HTTP proxy, exactly as ``demo/server.py`` does for the demo corpus. Giving every
hostile page its own host gives it its own Scrapy download slot, so the polite one-second delay per host
does not serialize a crawl of thirty broken pages into a minute. It never forwards anything anywhere.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

DOMAIN = "hostile.example"
Responder = Callable[[BaseHTTPRequestHandler], None]


def host(name: str) -> str:
    return f"{name}.{DOMAIN}"


def url(name: str, path: str = "/") -> str:
    return f"http://{host(name)}{path}"


def static(body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200) -> Responder:
    data = body.encode("utf-8") if isinstance(body, str) else body

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return respond


def redirect(location: str, status: int = 302) -> Responder:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


def sleeping(seconds: float, then: Responder) -> Responder:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(handler)

    return respond


class Streamed:
    """An endless-looking body (``total`` bytes, no Content-Length unless ``declare``) written in chunks;
    counts what it managed to send before the client hung up. Bounded in bytes and in time."""

    def __init__(self, total: int, declare: bool = False, chunk: int = 256 * 1024, max_seconds: float = 30):
        self.total, self.declare, self.chunk, self.max_seconds = total, declare, chunk, max_seconds
        self.sent = 0

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if self.declare:
            handler.send_header("Content-Length", str(self.total))
        handler.send_header("Connection", "close")
        handler.end_headers()
        block = b"<p>" + b"a" * (self.chunk - 7) + b"</p>\n"
        deadline = time.monotonic() + self.max_seconds
        try:
            while self.sent < self.total and time.monotonic() < deadline:
                handler.wfile.write(block)
                self.sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[tuple[str, str], Responder] = {}
        self.hits: Counter[tuple[str, str]] = Counter()
        self.requests: list[str] = []

    def handle_error(self, request, client_address):
        """A crawler hanging up on an endless or slow answer is the point of the test, not an error."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def route(self, target: str, responder: Responder) -> None:
        """Serve ``responder`` at ``target``, a full URL under .hostile.example."""
        parts = urlsplit(target)
        self.routes[(parts.hostname, parts.path or "/")] = responder


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        target = urlsplit(self.path)
        hostname = target.hostname if target.scheme else (self.headers.get("Host") or "").split(":")[0]
        key = (hostname, target.path or "/")
        query = f"?{target.query}" if target.query else ""
        self.server.requests.append(f"http://{hostname}{target.path}{query}")
        self.server.hits[key] += 1
        responder = self.server.routes.get(key)
        if responder is None:
            static(b"<html><body>not here</body></html>", status=404)(self)
        else:
            responder(self)

    def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
        pass


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, name="hostile", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
