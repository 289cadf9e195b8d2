"""Serve the demo corpus over loopback HTTP, under a stable host name.

Pages and feeds are written with the placeholder ``__BASE__`` for scheme and host. The server puts
``DEMO_BASE`` there, a host under the reserved ``.example`` domain that never resolves, and the
crawler reaches it by using this server (on 127.0.0.1, an ephemeral port) as its HTTP proxy. So
article URLs do not change with the port, and running the demo twice stores nothing twice. The
server answers for the demo host only; it never forwards anything anywhere.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pipeline.config import Config, parse_config

DEMO_DIR = Path(__file__).parent
SITE_DIR = DEMO_DIR / "site"
FEEDS_FILE = DEMO_DIR / "feeds.toml"
PLACEHOLDER = "__BASE__"
DEMO_HOST = "news.migtrack-demo.example"
DEMO_BASE = f"http://{DEMO_HOST}"
TEMPLATED_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain"}


class DemoHandler(SimpleHTTPRequestHandler):
    """Static files of the demo site, with ``__BASE__`` filled in, for direct and proxy requests."""

    def send_head(self):
        target = urlsplit(self.path)
        if target.scheme:  # absolute-form request line: we are being used as a proxy
            if target.netloc != DEMO_HOST:
                self.send_error(404, f"this server only serves {DEMO_HOST}")
                return None
            self.path = urlunsplit(("", "", target.path or "/", target.query, ""))
        path = Path(self.translate_path(self.path))
        if path.suffix not in TEMPLATED_TYPES or not path.is_file():
            return super().send_head()
        body = path.read_bytes().replace(PLACEHOLDER.encode(), DEMO_BASE.encode())
        self.send_response(200)
        self.send_header("Content-Type", f"{TEMPLATED_TYPES[path.suffix]}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
        pass


@contextmanager
def serve_site(site_dir: Path = SITE_DIR, port: int = 0) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 in a background thread; yields the server's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(DemoHandler, directory=str(site_dir)), False)
    server.request_queue_size = 128  # the default 5 stalls a crawler's 8 concurrent connections for a second
    server.server_bind()
    server.server_activate()
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def proxied_through(server_url: str) -> Iterator[None]:
    """Route plain-HTTP requests of this process (Scrapy's HttpProxyMiddleware reads the environment)
    through the demo server, for the duration of the block."""
    saved = {key: os.environ.get(key) for key in ("http_proxy", "no_proxy")}
    os.environ["http_proxy"] = server_url
    os.environ["no_proxy"] = ""
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def demo_config() -> Config:
    """The demo feeds, at the demo host."""
    text = FEEDS_FILE.read_text(encoding="utf-8").replace(PLACEHOLDER, DEMO_BASE)
    return parse_config(text, str(FEEDS_FILE))
