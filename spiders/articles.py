"""A fetched page becomes an Article: main text, title, date, author and canonical URL (trafilatura)."""

from __future__ import annotations

import signal
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import trafilatura

from models import Article, Feed
from models.normalise import reading_language
from spiders.syndication import signature, to_bytes
from spiders.urls import is_fetchable, is_site_root, normalize_url, same_site


class ExtractionTimeout(Exception):
    """Extracting one page took longer than its time limit (a pathological page, not a slow network)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of wall time. Scrapy runs callbacks on the main thread,
    where a POSIX interval timer can interrupt trafilatura; elsewhere, or with 0, no limit applies."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise ExtractionTimeout(f"extraction took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class NoArticleText(Exception):
    """trafilatura found no main text on the page (an index page, an error page, or not HTML)."""


def _usable_canonical(canonical: str | None, url: str) -> bool:
    """A canonical link keys the article only when it names a page of the same site: one pointing at the
    home page stored three stories as one row, and one on another host let any page replace another
    outlet's article (issue 15)."""
    return is_fetchable(canonical) and same_site(canonical, url) and not is_site_root(canonical)


def article_from_html(html: str | bytes, url: str, feed: Feed, fetched_at: str, min_characters: int = 200) -> Article:
    """Extract the article on a page, keyed by its canonical URL when the page declares a usable one."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    text = (document.text or "").strip() if document else ""
    if len(text) < min_characters:
        raise NoArticleText(f"no article text found ({len(text)} characters after extraction)")
    canonical = document.url if _usable_canonical(document.url, url) else url
    return Article(
        url=normalize_url(canonical),
        title=document.title,
        text=text,
        outlet=(document.sitename or feed.outlet) if feed.aggregator else feed.outlet,
        # the feed's language unless the text is surely in another: aggregators mix languages (issue 11)
        language=reading_language(feed.language, text)[0],
        published=document.date,
        author=document.author,
        fetched_url=url,
        feed_url=feed.url,
        fetched_at=fetched_at,
    )


def read_page(
    html: str, body: bytes, url: str, feed: Feed, hints: dict, fetched_at: str, seconds_allowed: float
) -> Article:
    """All the CPU a fetched page costs, in one picklable call, so a worker process can do it while the
    crawl goes on fetching (spiders/readers.py): main text and metadata within ``seconds_allowed``,
    what the page leaves out taken from the feed's ``hints`` (a news sitemap always dates its entries),
    the page compressed for re-extraction, and the text's syndication signature."""
    with time_limit(seconds_allowed):
        article = article_from_html(html, url, feed, fetched_at)
    article.raw_html = zlib.compress(body)
    article.published = article.published or hints.get("published")
    article.title = article.title or hints.get("title")
    article.minhash = to_bytes(signature(article.text))
    return article
