"""Polling again: a conditional GET answered 304, stored pages not fetched again, due feeds only."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from demo.server import serve_site
from tests.conftest import run_cli

TEXT = (
    "Guatemala agreed on Monday to receive more deportation flights from the United States, including "
    "migrants of other nationalities, the foreign ministry said after talks with U.S. officials. "
) * 3


@contextmanager
def one_story_feed(tmp_path: Path) -> Iterator[Path]:
    """A site of one story and the RSS feed listing it, served on 127.0.0.1; yields the feeds file.

    ".rss" is served as a plain static file, which carries Last-Modified and answers 304."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "story.html").write_text(f"<html><head><title>Guatemala</title></head><body><p>{TEXT}</p></body></html>")
    with serve_site(site) as base:
        (site / "feed.rss").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>{base}/</link>'
            f"<item><title>Guatemala</title><link>{base}/story.html</link></item></channel></rss>"
        )
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{base}/feed.rss"\noutlet = "Test"\n')
        yield feeds


def add_entry(feeds: Path, name: str) -> str:
    """Another story on the site of ``one_story_feed``, listed first in its feed; returns its URL.

    The feed's modification time moves two seconds on, so Last-Modified (whole seconds) changes even
    when the feed is rewritten within the second of its last fetch."""
    site = feeds.parent / "site"
    feed = site / "feed.rss"
    base = feed.read_text().split("<link>", 1)[1].split("</link>", 1)[0].rstrip("/")
    (site / name).write_text(
        f"<html><head><title>Honduras</title></head><body><p>{TEXT.replace('Guatemala', 'Honduras')}</p></body></html>"
    )
    item = f"<item><title>Honduras</title><link>{base}/{name}</link></item>"
    feed.write_text(feed.read_text().replace("<item>", item + "<item>", 1))
    later = time.time() + 2
    os.utime(feed, (later, later))
    return f"{base}/{name}"


def test_second_poll_is_conditional_and_fetches_no_stored_page(tmp_path):
    with one_story_feed(tmp_path) as feeds:
        db_path = tmp_path / "migtrack.db"
        first = run_cli("run", "--feeds", str(feeds), "--db", str(db_path))
        db = sqlite_utils.Database(db_path)
        (feed,) = db.query("select * from feeds")
        assert first.returncode == 0, first.stderr[-2000:]
        assert feed["last_modified"] and feed["last_status"] == 200

        not_due = run_cli("run", "--feeds", str(feeds), "--db", str(db_path))
        assert "1 not due" in not_due.stderr  # polled a moment ago: run leaves it alone

        polled = run_cli("crawl", "--feeds", str(feeds), "--db", str(db_path))
        (feed,) = db.query("select * from feeds")
        articles_after_304 = db["articles"].count

        # The feed gains an entry: now it is read, and its entry for the stored story must be skipped. A feed
        # answering 304 or the same body never reaches that check (issue 15).
        new_story = add_entry(feeds, "second.html")
        # -v: the crawl's stats dump, read below, is an INFO record
        gained = run_cli("-v", "crawl", "--feeds", str(feeds), "--db", str(db_path))
    assert polled.returncode == 0, polled.stderr[-2000:]
    assert "0 feeds read, 1 not modified" in polled.stderr
    assert feed["last_status"] == 304
    assert feed["entries"] == 1  # kept from the last fetch that had a body
    assert articles_after_304 == 1
    assert db["positions"].count >= 1

    assert gained.returncode == 0, gained.stderr[-2000:]
    assert "1 feeds read, 0 not modified" in gained.stderr and "1 new articles" in gained.stderr, gained.stderr[-500:]
    assert "'migtrack/links_known': 1," in gained.stderr, gained.stderr[-3000:]
    # robots.txt, the feed and the new story: the stored one is not requested again
    assert "'downloader/request_count': 3," in gained.stderr, gained.stderr[-3000:]
    assert [row["url"] for row in db.query("select url from articles order by url")] == [
        new_story,
        new_story.replace("second.html", "story.html"),
    ]
    (feed,) = db.query("select * from feeds")
    assert feed["last_status"] == 200 and feed["entries"] == 2


def test_a_cycle_refuses_to_overlap_another(tmp_path):
    from pipeline.lock import cycle_lock

    db_path = tmp_path / "migtrack.db"
    with one_story_feed(tmp_path) as feeds:
        with cycle_lock(db_path):
            blocked = run_cli("run", "--feeds", str(feeds), "--db", str(db_path))
        assert blocked.returncode == 1
        assert "another migtrack cycle is running" in blocked.stderr
        watched = run_cli("watch", "--every", "1s", "--cycles", "2", "--feeds", str(feeds), "--db", str(db_path))
    assert watched.returncode == 0, watched.stderr[-2000:]
    assert watched.stderr.count("crawl: ") == 2
    assert "1 not due" in watched.stderr  # the second cycle, a second later, leaves the feed alone
    assert sqlite_utils.Database(db_path)["articles"].count == 1
