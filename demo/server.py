"""Serve the demo site on 127.0.0.1 so the real crawler can fetch it over real HTTP.

Pages and feeds are written with the placeholder ``__BASE__`` for scheme and host; the server puts
its own address there, so the corpus works on whatever ephemeral port it gets.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.config import Config, parse_config

DEMO_DIR = Path(__file__).parent
SITE_DIR = DEMO_DIR / "site"
FEEDS_FILE = DEMO_DIR / "feeds.toml"
PLACEHOLDER = "__BASE__"
TEMPLATED_SUFFIXES = {".html", ".xml", ".txt"}


class DemoHandler(SimpleHTTPRequestHandler):
    """Static files, with ``__BASE__`` replaced in HTML, XML and text files."""

    base_url = ""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix not in TEMPLATED_SUFFIXES or not path.is_file():
            return super().send_head()
        body = path.read_bytes().replace(PLACEHOLDER.encode(), self.base_url.encode())
        self.send_response(200)
        content_type = {".xml": "application/xml", ".txt": "text/plain"}.get(path.suffix, "text/html")
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        pass


@contextmanager
def serve_site(site_dir: Path = SITE_DIR, port: int = 0) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 in a background thread; yields the base URL."""
    handler = type("BoundDemoHandler", (DemoHandler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(site_dir)))
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield handler.base_url
    finally:
        server.shutdown()
        server.server_close()


def demo_config(base_url: str) -> Config:
    """The demo feeds, pointed at a running demo server."""
    return parse_config(FEEDS_FILE.read_text(encoding="utf-8").replace(PLACEHOLDER, base_url), str(FEEDS_FILE))
