"""``migtrack fetch --urls FILE.csv``: a list of article URLs, fetched by the crawl.

Researchers already hold lists of articles: exports of GDELT DOC and Media Cloud searches, or their own.
A list is read as CSV with a ``url`` column and optional ``outlet``, ``published`` and ``language``; the
columns of GDELT's and Media Cloud's exports are mapped onto those (``COLUMNS``), so their files load as
they are. Each URL is fetched by ``UrlListSpider``, the feed spider without feeds: the same politeness,
keys, page reader, failure records and refusal of private addresses (spiders/addresses.py). A list is
untrusted input: its hosts are never allowed to be private, as a configured feed's are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pycountry

from models import Article, Failure, Feed
from models.normalise import iso_published, primary_language
from spiders.feeds import FeedSpider

# our column: the names exports give it, ours first (matched without case)
COLUMNS = {
    "url": ("url", "link", "mobileurl", "url_mobile"),
    "outlet": ("outlet", "media_name", "domain", "source", "media_url"),
    "published": ("published", "publish_date", "seendate", "date", "indexed_date"),
    "language": ("language", "lang"),
    "title": ("title",),
}
MAX_FIELD = 1 << 20  # a cell over 1 MB is not a URL list's


class NotAUrlList(Exception):
    """The file is not CSV, or has no column that holds URLs."""


@dataclass
class ListedUrl:
    url: str
    outlet: str | None = None
    published: str | None = None
    language: str | None = None
    title: str | None = None
    line: int = 0


def read_url_list(path: Path) -> list[ListedUrl]:
    """The rows of a URL list (a row without an http(s) URL too: the spider records it as a failure)."""
    csv.field_size_limit(MAX_FIELD)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = _columns(reader.fieldnames or [], path)
            return [
                ListedUrl(
                    line=line, **{ours: (row.get(theirs) or "").strip() or None for ours, theirs in columns.items()}
                )
                for line, row in enumerate(reader, start=2)
            ]
    except (UnicodeDecodeError, csv.Error) as error:
        raise NotAUrlList(f"{path}: not a UTF-8 CSV file ({error})") from error


def _columns(fieldnames: list[str], path: Path) -> dict[str, str]:
    """Our column -> the file's, for the columns the file has."""
    by_name = {name.strip().lower(): name for name in fieldnames if name}
    found = {}
    for ours, names in COLUMNS.items():
        theirs = next((by_name[name] for name in names if name in by_name), None)
        if theirs is not None:
            found[ours] = theirs
    if "url" not in found:
        raise NotAUrlList(
            f"{path}: no URL column (looked for {', '.join(COLUMNS['url'])}; found {', '.join(fieldnames) or 'none'})"
        )
    return found


def language_code(value: str | None) -> str | None:
    """An ISO 639-1 code from what exports write: "en", "en-US", or GDELT's "English", "Spanish"."""
    if not value:
        return None
    try:
        return primary_language(value) if len(value) <= 3 or "-" in value or "_" in value else _named(value)
    except ValueError:
        return None


def _named(name: str) -> str | None:
    language = pycountry.languages.get(name=name.strip().title())
    return getattr(language, "alpha_2", None)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


class UrlListSpider(FeedSpider):
    """Fetches listed pages as the feed spider fetches the pages its feeds list. Pass ``listed`` (the
    rows), ``source`` (the list's file name) and ``known_urls``; it reads no feed and writes no feed row."""

    name = "url_list"

    def __init__(self, listed: list[ListedUrl] | None = None, source: str = "", **kwargs):
        super().__init__(feeds=[], feed_states={}, **kwargs)
        self.listed = listed or []
        self.source = source

    async def start(self):
        for listed in self.listed:
            entry = {
                "link": listed.url,
                "id": f"{self.source} line {listed.line}",
                "title": listed.title,
                "published": iso_published(listed.published),
            }
            for item in self.follow_entries([entry], self.feed_for(listed)):
                if isinstance(item, Failure):
                    item.feed_url = None
                yield item

    def feed_for(self, listed: ListedUrl) -> Feed:
        """The list stands in for a feed: the outlet it names (else the site's name on the page, as for an
        aggregator), in the language it gives (else the one the text reads in)."""
        return Feed(
            url=self.source,
            outlet=listed.outlet or _host(listed.url or ""),
            language=language_code(listed.language),
            aggregator=listed.outlet is None,
        )

    async def parse_article(self, response, feed: Feed, hints: dict | None = None):
        async for item in super().parse_article(response, feed, hints):
            if isinstance(item, Article):
                item.source, item.feed_url = self.source, None
            elif isinstance(item, Failure):
                item.feed_url = None
            yield item

    def page_failed(self, failure):
        for item in super().page_failed(failure):
            item.feed_url = None
            yield item
