"""A crawl over broken feeds and pages, served on 127.0.0.1: every failure is recorded with its
stage, and everything else is stored."""

from __future__ import annotations

import sqlite_utils

from demo.server import serve_site
from tests.conftest import run_cli

PARAGRAPH = (
    "Mexico agreed on Friday to accept migrants of other nationalities deported from the United States, "
    "officials said, after weeks of talks over the new arrangement between the two governments. "
)


def _page(title: str, body: str, charset: str = "utf-8") -> str:
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><nav>Home</nav><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    )


def _rss(base: str, links: list[str]) -> str:
    items = "".join(f"<item><title>Story {n}</title><link>{link}</link></item>" for n, link in enumerate(links))
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>{base}/</link>{items}</channel></rss>'
    )


def test_broken_feeds_and_pages_are_recorded_and_the_rest_is_stored(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (site / "good.html").write_text(_page("Mexico accepts deportees", PARAGRAPH * 3))
    (site / "empty.html").write_text(_page("Nothing here", "Subscribe."))
    # declared UTF-8, written in Latin-1: decoded with replacement characters, still stored
    (site / "latin1.html").write_bytes(
        _page("Bogotá accepts flights", PARAGRAPH.replace("Mexico", "Bogotá") * 3).encode("latin-1")
    )
    (site / "not-a-feed.xml").write_text("<html><body><p>This is a web page, not a feed.</p></body></html>")
    with serve_site(site) as base:
        links = [
            f"{base}/good.html?utm_source=rss",
            f"{base}/empty.html",
            f"{base}/latin1.html",
            "javascript:alert(1)",
            f"{base}/gone.html",
        ]
        (site / "feed.xml").write_text(_rss(base, links))
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            "".join(
                f'[[feeds]]\nurl = "{base}/{name}"\noutlet = "Test"\nlanguage = "en"\n\n'
                for name in ("feed.xml", "not-a-feed.xml", "missing.xml")
            )
        )
        db_path = tmp_path / "migtrack.db"
        result = run_cli("crawl", "--feeds", str(feeds), "--db", str(db_path))
    assert result.returncode == 1, result.stderr[-2000:]  # some feeds failed: the scheduler must notice
    assert "1 feeds read, 0 not modified, 2 failed" in result.stderr
    db = sqlite_utils.Database(db_path)
    urls = sorted(r["url"] for r in db.query("select url from articles"))
    assert urls == [f"{base}/good.html", f"{base}/latin1.html"]
    failures = {(r["stage"], r["url"].replace(base, "")): r["error"] for r in db.query("select * from failures")}
    assert failures[("fetch", "/gone.html")] == "HTTP 404"
    assert failures[("feed", "/missing.xml")] == "HTTP 404"
    assert failures[("feed", "/not-a-feed.xml")].startswith("not a feed")
    assert failures[("extract", "/empty.html")].startswith("no article text found")
    assert failures[("link", "javascript:alert(1)")] == "not an http(s) link: 'javascript:alert(1)'"
    feed_rows = {r["url"].replace(base, ""): r for r in db.query("select * from feeds")}
    assert feed_rows["/feed.xml"]["entries"] == 5 and feed_rows["/feed.xml"]["last_error"] is None
    assert feed_rows["/missing.xml"]["last_status"] == 404


def test_a_failing_feed_exits_non_zero(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    with serve_site(site) as base:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{base}/nothing.xml"\noutlet = "Test"\n')
        result = run_cli("crawl", "--feeds", str(feeds), "--db", str(tmp_path / "migtrack.db"))
    assert result.returncode == 1
    assert "0 feeds read, 0 not modified, 1 failed" in result.stderr
