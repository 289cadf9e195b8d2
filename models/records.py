"""Records passed between stages.

Each stage reads and writes these and nothing else, so a stage can be replaced without the others
noticing. They are plain dataclasses: Scrapy's ``ItemAdapter`` reads them as items, and ``asdict``
turns them into rows for sqlite-utils.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


def stable_id(*parts: object) -> str:
    """A short id derived from content, so re-running a stage upserts instead of duplicating."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:16]


@dataclass
class Feed:
    """One source of links: an RSS or Atom feed listed in the configuration.

    An aggregator feed (a topic or search feed) lists other outlets' articles: it is read after the
    outlets' own feeds, and its articles are credited to the site that publishes them.
    """

    url: str
    outlet: str
    language: str = "en"
    country: str | None = None
    aggregator: bool = False
    # "feed" (RSS or Atom), "news-sitemap" (a Google News sitemap, for outlets without feeds) or "sitemap" (an
    # archive's full sitemap or sitemap index, read between ``since`` and ``until``, ISO dates, by lastmod)
    kind: str = "feed"
    since: str | None = None
    until: str | None = None


@dataclass
class FeedCheck:
    """The outcome of fetching one feed: what came back, how many entries it listed, and what the
    next conditional request needs (validators and a hash of the body)."""

    url: str
    status: int | None
    entries: int
    error: str | None = None
    changed: bool = True
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass
class Article:
    """One news page, after main-text extraction. Keyed by its canonical URL."""

    url: str
    title: str | None
    text: str
    outlet: str
    language: str = "en"
    published: str | None = None
    author: str | None = None
    fetched_url: str | None = None
    feed_url: str | None = None
    fetched_at: str | None = None
    # the page as fetched, zlib-compressed, so text can be re-extracted when extraction improves
    raw_html: bytes | None = None
    # syndicated copies of one wire story share a story id (spiders/syndication.py)
    story_id: str | None = None
    minhash: bytes | None = None
    # every key this page is known by besides ``url``: the link a feed listed and the address it was
    # fetched from after redirects, so a listed link behind a redirect is not fetched again
    aliases: list[str] = field(default_factory=list)
    # the file it came from, for articles not crawled from a feed: a WARC file or a URL list
    source: str | None = None

    @property
    def id(self) -> str:
        return stable_id(self.url)

    def row(self) -> dict[str, Any]:
        row = {"id": self.id, **asdict(self)}
        del row["aliases"]  # stored in article_urls, one row each
        return row


@dataclass
class Entity:
    """A named entity found in a text; ``country`` is its ISO3 code when it names or stands for one."""

    text: str
    label: str
    start: int
    end: int
    country: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Position:
    """A country's stance on a matter of deportation, as one sentence reports it.

    The first fields are the labelling guidelines' keys; ``evidence``/``start``/``end`` locate the
    sentence in the input text, and ``rule`` says which component found it, so every row can be
    explained and recomputed.
    """

    actor: str
    stance: str
    counterpart: str | None = None
    subject: str | None = None
    nationalities: list[str] = field(default_factory=list)
    quantity: str | None = None
    negated: bool = False
    hedged: bool = False
    speaker: str | None = None
    evidence: str = ""
    start: int = 0
    end: int = 0
    rule: str = ""
    sentence_index: int = 0
    # the position scorer's probability that the sentence holds this (actor, stance), calibrated on the dev
    # split (README, "Confidence"); None where no trained scorer ran
    confidence: float | None = None

    CONTRACT_KEYS = (
        "actor",
        "stance",
        "counterpart",
        "subject",
        "nationalities",
        "quantity",
        "negated",
        "hedged",
        "speaker",
        "evidence",
        "start",
        "end",
        "confidence",
    )

    def to_json(self) -> dict[str, Any]:
        """The ``migtrack extract`` contract: exactly the documented keys, in order."""
        data = asdict(self)
        return {key: data[key] for key in self.CONTRACT_KEYS}


@dataclass
class Failure:
    """Something that could not be read, fetched, extracted or processed; stored, never dropped."""

    url: str
    stage: str
    error: str
    occurred_at: str
    feed_url: str | None = None

    @property
    def id(self) -> str:
        return stable_id(self.url, self.stage)

    def row(self) -> dict[str, Any]:
        return {"id": self.id, **asdict(self)}


def confidence_band(confidence: float | None) -> str | None:
    """A tenth of the confidence scale ("0.8-0.9"), so Datasette can facet positions by it."""
    if confidence is None:
        return None
    low = min(int(confidence * 10), 9) / 10
    return f"{low:.1f}-{low + 0.1:.1f}"
