"""Item pipeline: hands every record the spiders yield to ``db/``, committed as it arrives."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from db import store
from db.schema import open_db
from models import Article, Failure, FeedCheck
from spiders.schedule import at, next_interval
from spiders.syndication import StoryIndex, from_bytes
from spiders.urls import normalize_url

logger = logging.getLogger(__name__)


class ArticleStore:
    """Stores articles as every way in does (feeds, sitemaps, URL lists, WARC files): an article's key
    held by another page falls back to its own address, and syndicated copies share a story id."""

    def __init__(self, db):
        self.db = db
        self._stories: StoryIndex | None = None

    @property
    def stories(self) -> StoryIndex:
        """Loaded at the first new article: a cycle over unchanged feeds never pays for reading every
        stored signature."""
        if self._stories is None:
            self._stories = StoryIndex.from_rows(
                self.db.query("select id, story_id, minhash from articles where minhash is not null")
            )
        return self._stories

    def store(self, article: Article) -> bool:
        """Store ``article``; returns True when it was new."""
        if store.key_held_by_another_page(self.db, article):
            article.url = normalize_url(article.fetched_url)
        minhash = from_bytes(article.minhash)  # signed where the page was read (spiders/articles.py)
        article.story_id = self.stories.story_for(article.id, minhash)
        is_new = store.upsert_article(self.db, article)
        self.stories.add(article.id, article.story_id, minhash)
        return is_new


class SQLitePipeline:
    """Writes Articles, Failures and FeedChecks into the database named by the MIGTRACK_DB setting."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.db = None
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("MIGTRACK_DB"))
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        self.db = open_db(self.db_path)
        self.pending_validators: dict[str, FeedCheck] = {}
        store.upsert_feeds(self.db, getattr(self.crawler.spider, "feeds", []))
        self.articles = ArticleStore(self.db)

    def close_spider(self):
        """The database stays open until spider_closed, the first moment the crawl's end reason is known."""

    def spider_closed(self, reason: str) -> None:
        # A feed's validators and body hash say "everything this body lists has been dealt with", so they
        # are written only when the crawl finished. Written on arrival (as before), a crawl killed or
        # stopped half-way left the hash behind, the next run saw the feed as not modified, and the pages
        # it had not reached were never fetched (issue 6, test_sigkill_during_a_crawl_...).
        if reason == "finished":
            for check in self.pending_validators.values():
                store.record_feed_validators(self.db, check)
        self.db.close()

    def record_feed(self, check: FeedCheck) -> None:
        settings = self.crawler.settings
        previous = store.feed_states(self.db).get(check.url, {})
        failures = (previous.get("consecutive_failures") or 0) + 1 if check.error else 0
        interval = next_interval(
            previous.get("interval_seconds"),
            check.changed,
            failures,
            settings.getint("MIGTRACK_FEED_MIN_INTERVAL"),
            settings.getint("MIGTRACK_FEED_MAX_INTERVAL"),
        )
        if check.error is None and check.changed:  # validators wait for the end of the crawl (spider_closed)
            self.pending_validators[check.url] = check
            check = dataclasses.replace(check, etag=None, last_modified=None, body_hash=None)
        store.record_feed_fetch(self.db, check, failures, interval, at(interval))
        if not check.changed:
            self.crawler.stats.inc_value("migtrack/feeds_not_modified")

    def process_item(self, item):
        try:
            return self.store_item(item)
        except sqlite3.OperationalError as error:
            # disk full or database read-only: nothing more can be stored, so the crawl stops and its
            # finish reason says why (the CLI exits 1); what was stored before is complete
            logger.error("cannot write to %s: %s; stopping the crawl", self.db_path, error)
            self.crawler.stats.inc_value("migtrack/storage_errors")
            if not self.stopping:
                self.stopping = True
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))
            raise DropItem(f"not stored: {error}") from error

    def store_item(self, item):
        stats = self.crawler.stats
        if isinstance(item, Article):
            is_new = self.articles.store(item)
            if item.story_id != item.id:
                stats.inc_value("migtrack/articles_syndicated")
            stats.inc_value("migtrack/articles_new" if is_new else "migtrack/articles_seen")
        elif isinstance(item, Failure):
            store.record_failure(self.db, item)
            stats.inc_value(f"migtrack/failures/{item.stage}")
        elif isinstance(item, FeedCheck):
            self.record_feed(item)
        return item
