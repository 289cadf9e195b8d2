"""Sitemap spiders: for outlets without feeds, their Google News sitemaps; for backfills, their archives.

Scrapy's SitemapSpider keeps only ``<loc>`` and drops the ``news:`` fields, which are the point of a
news sitemap: every entry is dated and titled. This spider reads them itself and otherwise behaves
exactly as the feed spider (conditional requests, stored pages not fetched again, failures recorded).
A sitemap index is not followed: list an outlet's news sitemap itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import scrapy
from lxml import etree
from scrapy.http import Response

from db import store
from models import Failure, Feed, FeedCheck
from models.normalise import iso_published
from spiders.feeds import FeedSpider, describe
from spiders.urls import is_fetchable

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NAMESPACES = {"sm": SITEMAP, "news": NEWS}
# no entity expansion and no network: a sitemap is untrusted input
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _text(element, path: str) -> str | None:
    found = element.find(path, NAMESPACES)
    return found.text.strip() if found is not None and found.text else None


class NewsSitemapSpider(FeedSpider):
    name = "news_sitemaps"

    def read_entries(self, response: Response) -> tuple[list[dict], str | None]:
        try:
            root = etree.fromstring(response.body, parser=PARSER)
        except (etree.XMLSyntaxError, ValueError) as error:
            return [], f"not a news sitemap: {error}"
        if root is None or root.tag != f"{{{SITEMAP}}}urlset":
            tag = getattr(root, "tag", None)
            return [], f"not a news sitemap: root element {tag!r} (a sitemap index is not followed)"
        return [
            {
                "link": _text(url, "sm:loc"),
                "id": _text(url, "sm:loc"),
                "title": _text(url, "news:news/news:title"),
                "published": _text(url, "news:news/news:publication_date"),
            }
            for url in root.iterfind("sm:url", NAMESPACES)
        ], None


class ArchiveSitemapSpider(NewsSitemapSpider):
    """Full sitemaps of an outlet's archive (``kind = "sitemap"``), for backfills without an archive file.

    Outlets publish their archive as a sitemap index of monthly sitemaps. The index is followed one level:
    a child sitemap last modified before the feed's ``since`` holds nothing newer and is not fetched.
    Entries are kept when their ``<lastmod>`` falls between ``since`` and ``until`` (an entry without one
    only when the feed gives no range); ``lastmod`` is also the page's date when the page gives none.
    """

    name = "archive_sitemaps"

    def parse_feed(self, response: Response, feed: Feed) -> Iterator:
        root = _root(response)
        unchanged = hashlib.sha1(response.body).hexdigest() == self.feed_states.get(feed.url, {}).get("body_hash")
        if root is None or root.tag != f"{{{SITEMAP}}}sitemapindex" or unchanged:
            yield from super().parse_feed(response, feed)  # a sitemap itself, or nothing new
            return
        children = [(_text(s, "sm:loc"), _text(s, "sm:lastmod")) for s in root.iterfind("sm:sitemap", NAMESPACES)]
        wanted = [loc for loc, lastmod in children if is_fetchable(loc) and not _before(lastmod, feed.since)]
        self.crawler.stats.inc_value("migtrack/feeds_read")
        yield FeedCheck(feed.url, response.status, len(wanted), body_hash=hashlib.sha1(response.body).hexdigest())
        for loc in wanted:
            yield scrapy.Request(
                loc.strip(), callback=self.parse_child, errback=self.child_failed, cb_kwargs={"feed": feed}
            )

    def parse_child(self, response: Response, feed: Feed) -> Iterator:
        entries, error = self.read_entries(response)
        if error is not None:
            self.logger.warning("sitemap %s (of %s) unreadable: %s", response.url, feed.url, error)
            yield Failure(response.url, "feed", error, store.now(), feed_url=feed.url)
            return
        yield from self.follow_entries(entries, feed)

    def child_failed(self, failure) -> Iterator[Failure]:
        feed: Feed = failure.request.cb_kwargs["feed"]
        self.logger.warning("sitemap %s (of %s) failed: %s", failure.request.url, feed.url, describe(failure))
        yield Failure(failure.request.url, "feed", describe(failure), store.now(), feed_url=feed.url)

    def read_entries(self, response: Response) -> tuple[list[dict], str | None]:
        root = _root(response)
        if root is None or root.tag != f"{{{SITEMAP}}}urlset":
            return [], f"not a sitemap: root element {getattr(root, 'tag', None)!r}"
        return [
            {"link": _text(u, "sm:loc"), "id": _text(u, "sm:loc"), "title": None, "published": _text(u, "sm:lastmod")}
            for u in root.iterfind("sm:url", NAMESPACES)
        ], None

    def follow_entries(self, entries: list[dict], feed: Feed) -> Iterator:
        yield from super().follow_entries(self.in_range(entries, feed), feed)

    def in_range(self, entries: list[dict], feed: Feed) -> list[dict]:
        kept = [e for e in entries if _within(e["published"], feed.since, feed.until)]
        self.crawler.stats.inc_value("migtrack/sitemap_entries_out_of_range", len(entries) - len(kept))
        return kept


def _root(response: Response):
    try:
        return etree.fromstring(response.body, parser=PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _day(value: str | None) -> str | None:
    published = iso_published(value)
    return published[:10] if published else None


def _before(lastmod: str | None, since: str | None) -> bool:
    day = _day(lastmod)
    return bool(since and day and day < since)


def _within(lastmod: str | None, since: str | None, until: str | None) -> bool:
    """``since`` included, ``until`` excluded, compared by day; undated entries only without a range."""
    day = _day(lastmod)
    if day is None:
        return not (since or until)
    return (since is None or day >= since) and (until is None or day < until)
