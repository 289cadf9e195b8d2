"""Page readers: main-text extraction in worker processes gives what the crawl's own thread gives, and
a reader that dies or a page that takes too long costs one page, not the crawl."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from models import Feed
from spiders.articles import ExtractionTimeout, NoArticleText
from spiders.readers import PageReaders, ReaderDied
from tests.conftest import REPO, run_cli

FEED = Feed(url="http://news.example/feed.xml", outlet="Example News")
STORY = (
    "<html><head><title>Mexico accepts deportees</title>"
    '<link rel="canonical" href="http://news.example/story?utm_source=feed"></head><body><article><p>'
    + "Mexico agreed on Friday to accept deportees of other nationalities from the United States. " * 8
    + "</p></article></body></html>"
)


def page(html: str, seconds_allowed: float = 20) -> tuple:
    return (html, html.encode(), "http://news.example/story", FEED, {"published": "2025-01-31"}, "now", seconds_allowed)


def read(readers: PageReaders, *pages: tuple) -> list:
    async def all_pages():
        return await asyncio.gather(*(readers.read(*p) for p in pages), return_exceptions=True)

    return asyncio.run(all_pages())


@pytest.fixture
def readers():
    pool = PageReaders(workers=1)
    yield pool
    pool.close()


def test_a_worker_reads_a_page_as_the_crawls_own_thread_does(readers):
    [in_worker] = read(readers, page(STORY))
    [in_thread] = read(PageReaders(workers=0), page(STORY))
    assert in_worker == in_thread
    assert in_worker.url == "http://news.example/story"  # canonical, tracking parameter dropped
    assert in_worker.published == "2025-01-31"  # the feed's date, since the page has none
    assert in_worker.minhash and in_worker.raw_html


def test_no_text_and_too_slow_come_back_as_the_errors_they_are(readers):
    empty, slow = read(readers, page("<html><body><nav>Home</nav></body></html>"), page(STORY * 400, 0.001))
    assert isinstance(empty, NoArticleText)
    assert isinstance(slow, ExtractionTimeout)
    [article] = read(readers, page(STORY))  # the worker is still there for the next page
    assert article.text


def die_reading(deaths: str, times: int) -> None:
    """Run in the reader as it unpacks a page: SIGKILL the reader itself, the first ``times`` times."""
    log = Path(deaths)
    if len(log.read_text().split()) < times:
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        os.kill(os.getpid(), signal.SIGKILL)


class KillsItsReader:
    """A page's hint that kills the reader process reading the page (``times`` times), as a page that makes
    trafilatura or lxml crash in C would; each death is logged to ``deaths`` with the reader's pid."""

    def __init__(self, deaths: Path, times: int):
        deaths.touch()
        self.deaths, self.times = deaths, times

    def __reduce__(self):
        return die_reading, (str(self.deaths), self.times)


def killer_page(deaths: Path, times: int) -> tuple:
    html, body, url, feed, hints, fetched_at, seconds_allowed = page(STORY)
    return html, body, url, feed, {**hints, "dies": KillsItsReader(deaths, times)}, fetched_at, seconds_allowed


def test_a_killed_reader_is_replaced_and_its_page_read_again(readers, tmp_path, caplog):
    """The reader dies while it reads the page (not idle between pages): a new reader reads that page."""
    read(readers, page(STORY))
    [first] = multiprocessing.active_children()
    deaths = tmp_path / "deaths"
    [article] = read(readers, killer_page(deaths, times=1))
    assert not isinstance(article, Exception), article
    assert article.text and article.published == "2025-01-31"
    assert deaths.read_text().split() == [str(first.pid)]  # the reader reading it was killed, once
    [second] = multiprocessing.active_children()
    assert second.pid != first.pid and second.is_alive()
    assert "a page reader process died" in caplog.text


def test_a_page_that_kills_its_reader_twice_is_a_failure_and_the_next_page_is_read(readers, tmp_path):
    """Read twice, by two readers, then given up as ReaderDied; the pool goes on with a third reader."""
    deaths = tmp_path / "deaths"
    [failed] = read(readers, killer_page(deaths, times=100))
    assert isinstance(failed, ReaderDied), failed
    assert str(failed).startswith("page reader processes died twice reading this page")
    killed = deaths.read_text().split()
    assert len(killed) == 2 and len(set(killed)) == 2, killed
    [article] = read(readers, page(STORY))
    assert article.text
    assert [child.pid for child in multiprocessing.active_children() if str(child.pid) in killed] == []


def test_a_page_that_kills_its_reader_twice_is_a_failures_row(tmp_path):
    """What the crawl does with it: the feed spider yields an ``extract`` failure, stored as a row."""
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from db import store
    from db.schema import open_db
    from models import Failure
    from spiders.feeds import FeedSpider

    spider = FeedSpider.from_crawler(get_crawler(FeedSpider, {"MIGTRACK_TEXT_WORKERS": 1}))
    html, _, url, feed, hints, _, _ = killer_page(tmp_path / "deaths", times=100)
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8")

    async def parsed():
        return [item async for item in spider.parse_article(response, feed, hints)]

    try:
        [failure] = asyncio.run(parsed())
    finally:
        spider.readers.close()
    assert isinstance(failure, Failure) and (failure.stage, failure.url) == ("extract", url)
    db = open_db(tmp_path / "migtrack.db")
    store.record_failure(db, failure)
    (row,) = db.query("select * from failures")
    assert (row["stage"], row["url"], row["feed_url"]) == ("extract", url, feed.url)
    assert row["error"].startswith("page reader processes died twice"), row
    assert len((tmp_path / "deaths").read_text().split()) == 2


def test_a_crawl_without_page_readers_stores_what_one_with_them_stores(demo_db, tmp_path):
    """The demo crawled with ``text_workers = 0`` equals the demo crawled with the default reader."""
    (tmp_path / "migtrack.toml").write_text("[settings]\ntext_workers = 0\n")
    result = run_cli("demo", "--no-serve", "--db", str(tmp_path / "inline.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    columns = "url, title, published, outlet, author, text, story_id, minhash"
    query = f"select {columns} from articles order by url"
    assert list(sqlite_utils.Database(tmp_path / "inline.db").query(query)) == list(
        sqlite_utils.Database(demo_db).query(query)
    )


def test_readers_end_when_the_crawl_that_started_them_is_killed(tmp_path):
    """A crawl killed with SIGKILL cannot stop its readers; they must notice and go."""
    script = (
        "import asyncio, sys\n"
        "from tests.test_page_readers import STORY, page\n"
        "from spiders.readers import PageReaders\n"
        "asyncio.run(PageReaders(1).read(*page(STORY)))\n"
        "import multiprocessing\n"
        "print(multiprocessing.active_children()[0].pid, flush=True)\n"
        "import time; time.sleep(600)\n"
    )
    crawl = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    reader_pid = int(crawl.stdout.readline())
    crawl.kill()
    crawl.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{reader_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{reader_pid}").exists(), "the reader outlived its crawl"


def test_readers_are_forked_only_for_a_caller_with_one_thread():
    """A WARC import asks for forked readers (they start with trafilatura loaded); a process with another
    thread running, which a fork could catch holding a lock, gets spawned ones, as the crawl always does."""
    script = (
        "import threading, time\n"
        "from spiders.readers import reader_pool\n"
        "print(reader_pool(1)._mp_context.get_start_method())\n"
        "print(reader_pool(1, fork=True)._mp_context.get_start_method())\n"
        "threading.Thread(target=time.sleep, args=(2,), daemon=True).start()\n"
        "print(reader_pool(1, fork=True)._mp_context.get_start_method())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["spawn", "fork", "spawn"]
