"""Politeness, for real: robots.txt is obeyed and a 429's Retry-After is waited out."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlite_utils

from spiders.middlewares import retry_after_seconds
from tests.conftest import run_cli

STORY = (
    "<html><head><title>Panama receives deportees</title></head><body><article><p>"
    + "Panama agreed to receive migrants of other nationalities deported from the United States. " * 6
    + "</p></article></body></html>"
)


class Site(BaseHTTPRequestHandler):
    """A feed, one story that first answers 429, and a page robots.txt forbids; logs every GET."""

    requests: list[tuple[str, float]] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.requests.append((self.path, time.monotonic()))
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/robots.txt":
            self._send(200, "User-agent: *\nDisallow: /private/\n", "text/plain")
        elif self.path == "/feed.xml":
            items = "".join(
                f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in ("/story.html", "/private/x.html")
            )
            self._send(200, f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>', "application/xml")
        elif self.path == "/story.html" and [p for p, _ in self.requests].count("/story.html") == 1:
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/story.html":
            self._send(200, STORY, "text/html")
        else:
            self._send(404, "not found", "text/plain")

    def _send(self, status: int, body: str, content_type: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_robots_txt_is_obeyed_and_retry_after_waited_out(tmp_path):
    Site.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "http://127.0.0.1:{server.server_address[1]}/feed.xml"\noutlet = "T"\n')
        # -v: the Retry-After wait is an INFO record, which the default (warnings only) leaves out
        result = run_cli("-v", "crawl", "--feeds", str(feeds), "--db", str(tmp_path / "migtrack.db"))
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    story = [t for p, t in Site.requests if p == "/story.html"]
    assert len(story) == 2, Site.requests
    assert story[1] - story[0] >= 0.9, "the retry came before the server's Retry-After had passed"
    assert "honouring Retry-After of 1s" in result.stderr
    assert not [p for p, _ in Site.requests if p.startswith("/private/")], "robots.txt disallowed it"
    db = sqlite_utils.Database(tmp_path / "migtrack.db")
    assert db["articles"].count == 1
    (blocked,) = db.query("select url, stage, error from failures")
    assert blocked["url"].endswith("/private/x.html") and "robots.txt" in blocked["error"]


def test_retry_after_is_read_as_seconds_or_a_date():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None
