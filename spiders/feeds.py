"""The feed spider: reads RSS and Atom feeds with feedparser and follows every entry to its page."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator

import feedparser
import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure as TwistedFailure

from db import store
from db.schema import open_db
from models import Article, Failure, Feed, FeedCheck
from models.normalise import iso_published
from pipeline.config import load_config
from spiders.addresses import REFUSED, allow_feed_hosts, refused
from spiders.articles import ExtractionTimeout, NoArticleText
from spiders.readers import PageReaders, ReaderDied
from spiders.schedule import due_feeds
from spiders.urls import is_fetchable, normalize_url


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _entry_date(entry: dict) -> str | None:
    """An entry's date as ISO 8601: feedparser reads the many ways feeds write dates into a UTC struct."""
    return iso_published(entry.get("published_parsed") or entry.get("updated_parsed")) or iso_published(
        entry.get("published")
    )


def describe(failure: TwistedFailure) -> str:
    """A one-line reason for a failed request: the HTTP status, or the network error's message."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


class FeedSpider(scrapy.Spider):
    """Crawls the configured feeds. Pass ``feeds`` (a list of :class:`models.Feed`) when crawling, or
    ``feeds_file``, the path of a TOML file with ``[[feeds]]`` tables: Scrapyd passes spider arguments as
    strings (``curl .../schedule.json -d spider=feeds -d feeds_file=/srv/migtrack/feeds.toml``).

    ``spiders.crawl`` hands over the feeds' saved state and the stored URLs; a spider started without
    them (by Scrapyd) reads them from the database itself, so its cycles are as cheap as ``migtrack
    run``'s, and with ``only_due`` (``-d only_due=1``) it skips feeds whose next fetch time has not come."""

    name = "feeds"

    def __init__(
        self,
        feeds: list[Feed] | None = None,
        feed_states: dict[str, dict] | None = None,
        known_urls: set[str] | None = None,
        feeds_file: str | None = None,
        only_due: bool | str = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.feeds = feeds or (load_config(feeds_file).feeds if feeds_file else [])
        allow_feed_hosts([feed.url for feed in self.feeds])  # a configured feed may live on a private host
        self.feed_states = feed_states or {}
        self.known_urls = known_urls or set()
        self.state_given = feed_states is not None
        self.only_due = only_due not in (False, "", "0", "false", "no")
        self.requested: set[str] = set()  # pages asked for in this crawl (see parse_feed)
        self.aggregators_scheduled = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.schedule_aggregators, signal=signals.spider_idle)
        spider.readers = PageReaders(crawler.settings.getint("MIGTRACK_TEXT_WORKERS"))
        crawler.signals.connect(spider.readers.close, signal=signals.spider_closed)
        return spider

    async def start(self):
        if not self.state_given:
            self.read_saved_state()
        for feed in self.feeds:
            if not feed.aggregator:
                yield self.feed_request(feed)

    def read_saved_state(self) -> None:
        db = open_db(self.settings.get("MIGTRACK_DB"))
        try:
            self.feed_states, self.known_urls = store.feed_states(db), store.known_article_urls(db)
        finally:
            db.close()
        if self.only_due:
            self.feeds = due_feeds(self.feeds, self.feed_states)
        self.logger.info(
            "read the saved state: %d feeds known, %d pages stored, %d feeds to fetch",
            len(self.feed_states), len(self.known_urls), len(self.feeds),
        )  # fmt: skip

    def schedule_aggregators(self) -> None:
        """Aggregator feeds go last, so every article is first claimed by its publisher's own feed
        (the duplicate filter then drops the aggregator's copy of the link)."""
        if self.aggregators_scheduled:
            return
        self.aggregators_scheduled = True
        aggregators = [feed for feed in self.feeds if feed.aggregator]
        for feed in aggregators:
            self.crawler.engine.crawl(self.feed_request(feed))
        if aggregators:
            raise DontCloseSpider

    def feed_request(self, feed: Feed) -> scrapy.Request:
        """A conditional GET when the last fetch left validators; 304 comes back to parse_feed."""
        state = self.feed_states.get(feed.url, {})
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        return scrapy.Request(
            feed.url,
            callback=self.parse_feed,
            errback=self.feed_failed,
            cb_kwargs={"feed": feed},
            headers=headers,
            meta={"handle_httpstatus_list": [304]},
            dont_filter=True,
        )

    def parse_feed(self, response: Response, feed: Feed) -> Iterator:
        body_hash = hashlib.sha1(response.body).hexdigest()
        if response.status == 304 or body_hash == self.feed_states.get(feed.url, {}).get("body_hash"):
            # nothing new: an unchanged body counts as not modified even without validators
            yield FeedCheck(feed.url, response.status, 0, changed=False)
            return
        entries, error = self.read_entries(response)
        if error is not None:
            self.logger.warning("feed %s unreadable: %s", feed.url, error)
            self.crawler.stats.inc_value("migtrack/feeds_failed")
            yield FeedCheck(feed.url, response.status, 0, error)
            yield Failure(feed.url, "feed", error, store.now(), feed_url=feed.url)
            return
        self.crawler.stats.inc_value("migtrack/feeds_read")
        yield FeedCheck(
            feed.url,
            response.status,
            len(entries),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            body_hash=body_hash,
        )
        yield from self.follow_entries(entries, feed)

    def follow_entries(self, entries: list[dict], feed: Feed) -> Iterator:
        """A request for each listed page not stored yet; a failure for each link that is not http(s)."""
        for entry in entries:
            link = entry.get("link")
            if not is_fetchable(link):
                self.crawler.stats.inc_value("migtrack/links_skipped")
                yield Failure(
                    str(link or entry.get("id") or feed.url),
                    "link",
                    f"not an http(s) link: {link!r}",
                    store.now(),
                    feed_url=feed.url,
                )
                continue
            url = normalize_url(link)  # the key; the request goes to the link as published
            if url in self.known_urls:  # stored already: a page is fetched once
                self.crawler.stats.inc_value("migtrack/links_known")
                continue
            # The spider deduplicates pages itself and sends them with dont_filter: Scrapy's duplicate filter
            # also applies to redirects, so a redirect loop (A -> B -> A) was dropped silently at its second
            # visit of A, with no failure recorded. Redirects inherit dont_filter, so a loop now runs into
            # REDIRECT_MAX_TIMES and reaches page_failed (issue 6).
            if url in self.requested:
                continue
            self.requested.add(url)
            self.crawler.stats.inc_value("migtrack/pages_requested")
            hints = {"title": entry.get("title"), "published": entry.get("published")}
            yield scrapy.Request(
                link.strip(),
                callback=self.parse_article,
                errback=self.page_failed,
                cb_kwargs={"feed": feed, "hints": hints},
                dont_filter=True,
            )

    def read_entries(self, response: Response) -> tuple[list[dict], str | None]:
        """The entries a feed lists (link, id, title, published), or why it cannot be read. Spiders
        for other kinds of source override this and inherit everything else."""
        parsed = feedparser.parse(
            response.body,
            response_headers={
                "content-location": response.url,
                "content-type": response.headers.get("Content-Type", b"").decode("latin-1"),
            },
        )
        # .get, not .version: feedparser sets no "version" key at all for an empty body, and the attribute
        # lookup raised AttributeError, so an empty feed was neither recorded nor counted (issue 6)
        if not parsed.get("version") and not parsed.entries:
            return [], f"not a feed: {parsed.get('bozo_exception') or 'no RSS or Atom content'}"
        return [
            {"link": e.get("link"), "id": e.get("id"), "title": e.get("title"), "published": _entry_date(e)}
            for e in parsed.entries
        ], None

    async def parse_article(
        self, response: Response, feed: Feed, hints: dict | None = None
    ) -> AsyncIterator[Article | Failure]:
        self.crawler.stats.inc_value("migtrack/pages_answered")
        if not isinstance(response, scrapy.http.TextResponse):
            yield Failure(response.url, "extract", "response is not text", store.now(), feed_url=feed.url)
            return
        try:
            article = await self.readers.read(
                response.text,
                response.body,
                response.url,
                feed,
                hints or {},
                store.now(),
                self.settings.getfloat("MIGTRACK_EXTRACT_TIMEOUT"),
            )
        except (NoArticleText, ExtractionTimeout, ReaderDied) as error:
            self.crawler.stats.inc_value("migtrack/pages_without_text")
            yield Failure(response.url, "extract", str(error), store.now(), feed_url=feed.url)
            return
        # the link as listed and every address on the way: a feed lists the link before its redirects
        article.aliases = sorted({normalize_url(u) for u in [*response.meta.get("redirect_urls", []), response.url]})
        yield article

    def feed_failed(self, failure: TwistedFailure) -> Iterator:
        feed: Feed = failure.request.cb_kwargs["feed"]
        reason = describe(failure)
        self.logger.warning("feed %s failed: %s", feed.url, reason)
        self.crawler.stats.inc_value("migtrack/feeds_failed")
        response = getattr(failure.value, "response", None)
        yield FeedCheck(feed.url, response.status if response is not None else None, 0, reason)
        yield Failure(feed.url, "feed", reason, store.now(), feed_url=feed.url)

    def page_failed(self, failure: TwistedFailure) -> Iterator[Failure]:
        feed: Feed = failure.request.cb_kwargs["feed"]
        reason = describe(failure)
        self.crawler.stats.inc_value("migtrack/pages_answered")
        if refused(failure.request.url):  # a link into the crawler's own network: never fetched
            self.logger.warning("link %s refused: %s", failure.request.url, reason)
            self.crawler.stats.inc_value("migtrack/links_refused")
            yield Failure(failure.request.url, "link", REFUSED, store.now(), feed_url=feed.url)
            return
        self.logger.warning("page %s failed: %s", failure.request.url, reason)
        self.crawler.stats.inc_value("migtrack/pages_failed")
        # keyed as articles are: one failure row per page, whatever tracking parameters its links carried
        yield Failure(normalize_url(failure.request.url), "fetch", reason, store.now(), feed_url=feed.url)
