"""How much does migtrack's crawl cost over just fetching the pages, and is a quiet cycle cheap?

Issue 5 asked two things of the crawler. First, that extraction, syndication and storage do not make it
much slower than the fetching it cannot avoid: migtrack's real crawl (``spiders.crawl.crawl``, what
``migtrack crawl`` and ``migtrack run`` call) against a bare Scrapy spider that reads the same feeds with
feedparser and fetches the same pages but keeps nothing. Issue 14 withdrew the 0.5x pages-per-second target
(reading a page costs more CPU than fetching it, which caps the ratio near 0.53x on two cores) and asks
instead for CPU-seconds per stored page against the bare spider's CPU-seconds per fetched page, and where
the difference goes. Second, that a cycle over unchanged feeds costs under 5% of the cycle that collected
them, because ``migtrack run`` is called every 30 minutes and most of those calls find nothing new.

Both are measured here in one run, on one machine, against one local site, so the ratio compares like
with like:

- the site is generated in a temporary directory: ``--articles`` (2,000) pages of 300-700 words built
  from the demo corpus's paragraphs (``demo/site``, main text extracted with trafilatura, numbers,
  countries, days and months swapped and sentences reordered so pages differ), each page with a
  masthead, navigation, byline, related links, newsletter box and footer as the demo pages have, a few
  wire stories republished by a second outlet (as real feeds have), and 10 RSS feeds listing them;
- it is served by ``demo.server``'s handler on a threaded ``http.server`` on 127.0.0.1 in this process
  (``demo.server.serve_site``, as the tests and ``migtrack demo`` use it),
  while each crawl runs in its own child process (this module with the hidden ``--child`` flag): Scrapy's
  reactor cannot restart in one process, and a child's peak memory (``ru_maxrss``) is then its own. The
  server's CPU time during each crawl is measured, and the server alone is load-tested by a threaded
  client, to show the server is not what limits the crawls;
- ``bare`` and ``migtrack`` get the same Scrapy settings: migtrack's (``spiders/settings.py``) with the
  overrides ``migtrack demo`` uses for its own loopback server (no delay, no AutoThrottle, 8 requests
  per domain); the bare spider runs no item pipeline;
- ``migtrack`` crawls into a fresh SQLite database, then crawls again into the same database with the
  feeds unchanged; the database is then checked (every generated page stored once, no duplicates).

With ``--repeat R``, rounds are interleaved (every crawl once per round, order rotating) and medians
are reported, so a change in machine load hits every variant alike. CPU time is reported beside wall
time because on a shared machine it is the steadier figure. Each step migtrack adds to a page
(trafilatura, and within it the language check; MinHash, SQLite, zlib, LSH) is also timed on its own,
after a warm-up, and the stored page's CPU is split into the bare fetch, those steps and the rest;
``--profile`` runs one more first cycle under cProfile (not timed), with pages read in the crawl's own
thread so that reading them is in the profile. A crawl that logged errors or
did not do what it should (every page new in the first cycle, every feed not modified in the second) is
reported as an anomaly, since its timing is not a cycle's cost. Timings are reported, never asserted:
they depend on the machine and its load.

    .venv/bin/python -m bench.crawl_speed [--articles 2000] [--repeat 1] [--profile] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from statistics import median

from bench.machine import describe
from demo.server import serve_site

REPO = Path(__file__).resolve().parents[1]
DEMO_SITE = REPO / "demo" / "site"
PLACEHOLDER, DEMO_BASE = "__BASE__", "http://news.migtrack-demo.example"
# the politeness overrides `migtrack demo` uses for its own loopback server (pipeline/cli.py)
OVERRIDES = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}
N_FEEDS = 10
WIRE_COPY_EVERY = 25  # one article in 25 is a wire story republished by a second outlet
CHILD_TIMEOUT = 900  # seconds: a stuck crawl must not hang the benchmark
CLIENT_THREADS = 8
SEED = 20261123
PROFILE_TOP = 25
# labels of per-step timings that are part of another step, or an alternative to one: not added up
OF_WHICH, COMPARISON = "of which: ", "(for comparison) "

OUTLETS = [
    ("Gulf Coast Courier", "USA", "Houston"),
    ("Northern Star Wire", "CAN", "Toronto"),
    ("Meridian Policy Review", "GBR", "London"),
    ("Frontera Daily", "MEX", "Tijuana"),
    ("Isthmus Herald", "PAN", "Panama City"),
    ("Caribbean Ledger", "DOM", "Santo Domingo"),
    ("Andes Observer", "COL", "Bogota"),
    ("Capitol Dispatch", "USA", "Washington"),
    ("Pacific Tribune", "USA", "San Diego"),
    ("Highlands Gazette", "GTM", "Guatemala City"),
]
SECTIONS = ["Border", "Politics & Policy", "World", "Business", "Opinion", "Weather", "Sports"]
AUTHORS = [
    "Ray Thibodeaux", "Tessa Marchand", "Luis Carrasco", "Jake Broussard", "Ana Lucia Ortega", "Priya Raman",
    "Daniel Okafor", "Marta Villalobos", "Owen Fairfax", "Sofia Quiroga", "Hannah Lindqvist", "Tomas Herrera",
]  # fmt: skip
COUNTRIES = [
    "Mexico", "Guatemala", "Honduras", "El Salvador", "Venezuela", "Colombia", "Haiti", "Cuba", "Ecuador",
    "Panama", "Costa Rica", "Nicaragua", "Brazil", "Peru", "Uganda", "Rwanda", "India", "China", "Canada",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]  # fmt: skip
SWAPS = [(re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b"), words) for words in (COUNTRIES, DAYS, MONTHS)]
NUMBER = re.compile(r"\b\d[\d,]*\b")
SENTENCE_END = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z\"])")
SLUG = re.compile(r"[^a-z0-9]+")
EXCEPTION_LINE = re.compile(r"^(builtins\.)?[A-Za-z_.]*(Error|Exception): ")


def log(message: str) -> None:
    print(f"[crawl_speed] {message}", file=sys.stderr, flush=True)


def peak_rss_mib() -> float:
    """``ru_maxrss`` in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User plus system CPU time of this process, every thread included (the server's threads too), or with
    ``RUSAGE_CHILDREN`` of its ended child processes (a crawl's page readers, ended when the crawl closes)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# --- the site -----------------------------------------------------------------------------------------


def demo_material() -> tuple[list[str], list[str]]:
    """Paragraphs (15 words or more) and headlines of the demo articles, as trafilatura extracts them.

    Reusing real article prose keeps trafilatura's work on the generated pages representative: sentence
    lengths, punctuation and quotes are those of news copy, not lorem ipsum.
    """
    import trafilatura

    paragraphs, titles = [], []
    for path in sorted(DEMO_SITE.glob("*/20*/*/*.html")):
        html = path.read_text(encoding="utf-8").replace(PLACEHOLDER, DEMO_BASE)
        document = trafilatura.bare_extraction(html, with_metadata=True)
        if document is None or not document.text:
            continue
        paragraphs += [p.strip() for p in document.text.split("\n") if len(p.split()) >= 15]
        if document.title:
            titles.append(document.title)
    if not paragraphs:
        raise SystemExit(f"no article text found under {DEMO_SITE}")
    return paragraphs, titles


def perturb(text: str, rng: random.Random) -> str:
    """The same prose with other countries, days, months and numbers, sentences sometimes reordered.

    Without this, 2,000 pages drawn from 240 paragraphs would share long word runs, and the syndication
    check (MinHash over word 5-shingles) would link unrelated pages as copies of one story.
    """
    for pattern, words in SWAPS:
        text = pattern.sub(lambda m, words=words: rng.choice(words) if rng.random() < 0.6 else m.group(0), text)
    text = NUMBER.sub(lambda m: str(rng.randint(2, 40 * (len(m.group(0)) ** 3))), text)
    sentences = SENTENCE_END.split(text)
    if len(sentences) > 2 and rng.random() < 0.5:
        head, tail = sentences[0], sentences[1:]
        rng.shuffle(tail)
        sentences = [head, *tail]
    return " ".join(sentences)


def article_paragraphs(pool: list[str], rng: random.Random) -> list[str]:
    """Perturbed paragraphs adding up to 300-700 words (a target drawn per article)."""
    target, words, chosen = rng.randint(300, 700), 0, []
    for _ in range(200):  # bounded: paragraphs are 15-150 words, so this ends long before
        if words >= target:
            break
        paragraph = perturb(rng.choice(pool), rng)
        length = len(paragraph.split())
        if words + length <= 700:
            chosen.append(paragraph)
            words += length
    return chosen


def slug(text: str) -> str:
    return SLUG.sub("-", text.lower()).strip("-")[:60]


PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {outlet}</title>
<meta name="description" content="{dek}">
<meta name="author" content="{author}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{outlet}">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{iso_date}">
<meta property="article:section" content="{section}">
<link rel="canonical" href="{url}">
<link rel="alternate" type="application/rss+xml" title="{outlet}" href="{feed_url}">
<style>body{{font-family:Georgia,serif;margin:0;color:#222}}.masthead{{border-bottom:4px solid #0a5c8c}}
.primary-nav ul{{list-style:none;display:flex;gap:1.2em}}.story{{max-width:720px;margin:2em auto}}</style>
</head>
<body class="article-page">
<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookie consent">
<p>We use cookies and similar technologies to improve your experience, measure traffic and show you relevant
offers. You can change your choices at any time in our <a href="#privacy">privacy center</a>.</p>
<button type="button" class="accept">Accept all</button> <button type="button" class="manage">Manage</button>
</div>
<header class="masthead">
<div class="top-strip"><span class="weather-widget">{city} &middot; {temperature}&deg;F</span>
<a href="#subscribe">Subscribe for $1</a> <a href="#signin">Sign in</a></div>
<a class="logo" href="/{outlet_slug}/index.html">{outlet}</a>
<nav class="primary-nav" aria-label="Sections"><ul>{nav}</ul></nav>
</header>
<main id="content">
<article class="story">
<header class="story-header">
<p class="kicker"><a href="/{outlet_slug}/index.html#{section_slug}">{section}</a></p>
<h1>{title}</h1>
<p class="dek">{dek}</p>
<div class="meta"><span class="byline">By <a rel="author" href="/{outlet_slug}/index.html#staff">{author}</a>,
Staff Writer</span> &middot; <time datetime="{iso_date}">{long_date}</time></div>
<div class="share"><a href="#share-facebook">Facebook</a> <a href="#share-x">X</a>
<a href="#share-email">Email</a></div>
</header>
<div class="article-body">
{body}
</div>
<footer class="story-footer">
<p class="tags">Filed under: <a href="/{outlet_slug}/index.html#{section_slug}">{section}</a></p>
<p class="corrections">Spotted an error? Email our newsroom at corrections@{outlet_slug}.example.</p>
</footer>
</article>
<aside class="related-links"><h2>More from {outlet}</h2><ul>{related}</ul></aside>
<section class="newsletter-signup" id="subscribe"><h2>The Morning Brief</h2>
<p>Get our weekday newsletter on immigration, trade and politics, free in your inbox.</p>
<form action="#subscribe" method="post"><label>Email <input type="email" name="email"></label>
<button type="submit">Sign up</button></form></section>
</main>
<footer class="site-footer">
<nav><a href="#about">About us</a> | <a href="#contact">Contact</a> | <a href="#advertise">Advertise</a> |
<a href="#terms">Terms of use</a> | <a href="#privacy">Privacy policy</a></nav>
<p>&copy; 2026 {outlet} Media LLC. All rights reserved. {city}.</p>
</footer>
<script>window.dataLayer = window.dataLayer || []; window.dataLayer.push({{"pageType": "article"}});</script>
</body>
</html>
"""

ITEM = """  <item>
    <title>{title}</title>
    <link>{url}</link>
    <guid isPermaLink="true">{url}</guid>
    <pubDate>{rfc_date}</pubDate>
    <dc:creator>{author}</dc:creator>
    <category>{section}</category>
    <description>{dek}</description>
  </item>
"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>{outlet} - Top Stories</title>
  <link>{base}/{outlet_slug}/index.html</link>
  <description>News from {outlet}.</description>
  <language>en-us</language>
  <atom:link href="{feed_url}" rel="self" type="application/rss+xml"/>
{items}</channel>
</rss>
"""


def build_site(root: Path, base: str, n_articles: int, seed: int = SEED) -> dict:
    """Write the pages, ``robots.txt`` and one RSS feed per outlet under ``root``; URLs start with ``base``.

    Article ``i`` belongs to outlet ``i % 10``, so each feed lists ``n_articles / 10`` items. Every 25th
    article is a wire copy of an earlier one from another outlet: a new headline, its last paragraph cut,
    a local line added, as republished wire stories look. Deterministic for a given seed.
    """
    rng = random.Random(seed)
    pool, titles = demo_material()
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    articles: list[dict] = []
    for index in range(n_articles):
        outlet, country, city = OUTLETS[index % N_FEEDS]
        if index % WIRE_COPY_EVERY == WIRE_COPY_EVERY - 1:
            original = articles[rng.randrange(max(1, index - 200), index)]
            paragraphs = [
                f"{city.upper()} - A local angle on this wire report will follow.",
                *original["paragraphs"][:-1],
            ]
            for _ in range(50):  # a local paragraph instead of the cut one, keeping 300-700 words
                words = sum(len(p.split()) for p in paragraphs)
                if words >= 300:
                    break
                extra = perturb(rng.choice(pool), rng)
                if words + len(extra.split()) <= 700:
                    paragraphs.append(extra)
            headline = f"{perturb(rng.choice(titles), rng)} (wire)"
        else:
            paragraphs = article_paragraphs(pool, rng)
            headline = perturb(rng.choice(titles), rng)
        published = start - timedelta(minutes=17 * index + rng.randint(0, 16))
        outlet_slug = slug(outlet)
        path = f"{outlet_slug}/{published:%Y/%m}/{slug(headline)}-{index:05d}.html"
        articles.append(
            {
                "index": index,
                "outlet": outlet,
                "country": country,
                "city": city,
                "outlet_slug": outlet_slug,
                "title": headline,
                "dek": paragraphs[-1].split(". ")[0][:200],
                "author": rng.choice(AUTHORS),
                "section": rng.choice(SECTIONS[:5]),
                "published": published,
                "path": path,
                "url": f"{base}/{path}",
                "paragraphs": paragraphs,
            }
        )
    by_outlet: dict[str, list[dict]] = {}
    for article in articles:
        by_outlet.setdefault(article["outlet_slug"], []).append(article)
    for article in articles:
        siblings = by_outlet[article["outlet_slug"]]
        related = rng.sample(siblings, min(3, len(siblings)))
        body = [f"<p>{escape(p)}</p>" for p in article["paragraphs"]]
        if len(body) > 3:  # an inline promo inside the text, as news sites put them
            promo = related[0]
            body.insert(
                3,
                f'<aside class="inline-promo"><strong>Read more:</strong> <a href="{promo["url"]}">'
                f"{escape(promo['title'])}</a></aside>",
            )
        page = PAGE.format(
            title=escape(article["title"]),
            outlet=escape(article["outlet"]),
            outlet_slug=article["outlet_slug"],
            dek=escape(article["dek"]),
            author=escape(article["author"]),
            url=article["url"],
            feed_url=f"{base}/{article['outlet_slug']}/rss.xml",
            iso_date=article["published"].isoformat(),
            long_date=f"{article['published']:%B} {article['published'].day}, {article['published']:%Y}",
            section=escape(article["section"]),
            section_slug=slug(article["section"]),
            city=article["city"],
            temperature=rng.randint(40, 95),
            nav="".join(
                f'<li><a href="/{article["outlet_slug"]}/index.html#{slug(s)}">{escape(s)}</a></li>' for s in SECTIONS
            ),
            body="\n".join(body),
            related="".join(
                f'<li><a href="{r["url"]}">{escape(r["title"])}</a> <span class="date">{r["published"]:%B %d, %Y}'
                "</span></li>"
                for r in related
            ),
        )
        target = root / article["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    feeds = []
    for outlet_slug, listed in by_outlet.items():
        feed_url = f"{base}/{outlet_slug}/rss.xml"
        items = "".join(
            ITEM.format(
                title=escape(a["title"]),
                url=a["url"],
                rfc_date=format_datetime(a["published"]),
                author=escape(a["author"]),
                section=escape(a["section"]),
                dek=escape(a["dek"]),
            )
            for a in listed
        )
        outlet = escape(listed[0]["outlet"])
        (root / outlet_slug / "rss.xml").write_text(
            FEED.format(outlet=outlet, outlet_slug=outlet_slug, base=base, feed_url=feed_url, items=items),
            encoding="utf-8",
        )
        feeds.append(
            {"url": feed_url, "outlet": listed[0]["outlet"], "language": "en", "country": listed[0]["country"]}
        )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    words = sorted(sum(len(p.split()) for p in a["paragraphs"]) for a in articles)
    sizes = sorted((root / a["path"]).stat().st_size for a in articles)
    return {
        "feeds": feeds,
        "urls": [a["url"] for a in articles],
        "paths": [str(root / a["path"]) for a in articles],
        "articles": n_articles,
        "wire_copies": sum(1 for a in articles if a["index"] % WIRE_COPY_EVERY == WIRE_COPY_EVERY - 1),
        "source_paragraphs": len(pool),
        "words": {"min": words[0], "median": words[len(words) // 2], "max": words[-1]},
        "page_kib": {"min": sizes[0] / 1024, "median": sizes[len(sizes) // 2] / 1024, "max": sizes[-1] / 1024},
    }


# --- child side: one crawl, timed and measured in its own process -------------------------------------


def bare_spider_class():
    """The bare spider: feedparser on each feed, every entry's page fetched, nothing extracted or kept.

    Defined inside a function so the parent, which never crawls, does not import Scrapy.
    """
    import feedparser
    import scrapy

    class BareFeedSpider(scrapy.Spider):
        name = "bare_feeds"

        def __init__(self, feed_urls: list[str] | None = None, **kwargs):
            from spiders.addresses import allow_feed_hosts

            super().__init__(**kwargs)
            self.feed_urls = feed_urls or []
            # it runs under migtrack's settings, private-address guard included: allowed what FeedSpider is
            allow_feed_hosts(self.feed_urls)

        async def start(self):
            for url in self.feed_urls:
                yield scrapy.Request(url, callback=self.parse_feed, dont_filter=True)

        def parse_feed(self, response):
            parsed = feedparser.parse(
                response.body,
                response_headers={
                    "content-location": response.url,
                    "content-type": response.headers.get("Content-Type", b"").decode("latin-1"),
                },
            )
            for entry in parsed.entries:
                if entry.get("link"):
                    yield scrapy.Request(entry["link"], callback=self.parse_page)

        def parse_page(self, response):
            self.crawler.stats.inc_value("bare/pages")

    return BareFeedSpider


def child_bare(spec: dict) -> dict:
    from scrapy.crawler import CrawlerProcess

    from spiders.crawl import crawl_settings

    settings = crawl_settings(spec["db"], OVERRIDES)
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    cpu, started = cpu_seconds(), time.perf_counter()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(bare_spider_class())
    process.crawl(crawler, feed_urls=[feed["url"] for feed in spec["feeds"]])
    process.start()
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    stats = crawler.stats.get_stats()
    return {
        "wall": wall,
        "cpu": cpu,
        "responses": stats.get("response_received_count", 0),
        "article_pages": stats.get("bare/pages", 0),
        "finish_reason": stats.get("finish_reason"),
    }


def child_migtrack(spec: dict) -> dict:
    import dataclasses

    from models import Feed
    from spiders.crawl import crawl

    feeds = [Feed(**feed) for feed in spec["feeds"]]
    profiler = None
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    overrides = OVERRIDES | ({"MIGTRACK_TEXT_WORKERS": spec["text_workers"]} if "text_workers" in spec else {})
    cpu, readers_cpu = cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    summary = crawl(feeds, spec["db"], overrides)
    wall = time.perf_counter() - started
    readers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - readers_cpu
    result = {
        "wall": wall,
        # the crawl's work is done in two places now: its own thread and its page readers
        "cpu": cpu_seconds() - cpu + readers_cpu,
        "readers_cpu": readers_cpu,
        "readers_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "responses": summary.pages_fetched,
        "summary": dataclasses.asdict(summary),
    }
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(spec["profile"])
    return result


def child_client(spec: dict) -> dict:
    """The server alone: every page fetched by ``CLIENT_THREADS`` threads, nothing done with it.

    A Python client is no faster than Scrapy, so its rate is a lower bound on what the server can serve.
    """
    from concurrent.futures import ThreadPoolExecutor
    from urllib.request import urlopen

    def fetch(url: str) -> int:
        with urlopen(url, timeout=30) as response:
            return len(response.read())

    cpu, started = cpu_seconds(), time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        sizes = list(pool.map(fetch, spec["urls"]))
    return {"wall": time.perf_counter() - started, "cpu": cpu_seconds() - cpu, "responses": len(sizes)}


def child_stages(spec: dict) -> dict:
    """Each step migtrack adds to a fetched page, timed alone over ``spec["pages"]`` (no profiler).

    cProfile charges every Python call, so it inflates the MinHash loop (a million small calls) against
    trafilatura's lxml work; timing the steps directly gives their real cost per page. The steps are those
    of ``FeedSpider.parse_article`` and ``SQLitePipeline.process_item``, called the same way, into a fresh
    database; ``MinHash.update_batch`` over the same shingles is timed for comparison.
    """
    import zlib

    import trafilatura
    from datasketch import MinHash

    from db import store
    from db.schema import open_db
    from models import Feed
    from models.normalise import reading_language
    from spiders.articles import article_from_html
    from spiders.syndication import NUM_PERM, SHINGLE, WORD, StoryIndex, signature, to_bytes

    feed = Feed(url=spec["feed_url"], outlet="Bench Outlet")
    pages = [(Path(path).read_bytes(), url) for path, url in spec["pages"]]
    timings: dict[str, float] = {}

    def timed(label: str, function, items):
        started = time.process_time()
        results = [function(item) for item in items]
        timings[label] = time.process_time() - started
        return results

    # loading trafilatura's and py3langid's models is paid once per process, not per page: before the clock
    first = article_from_html(pages[0][0].decode("utf-8"), pages[0][1], feed, "2026-11-23T00:00:00+00:00")
    reading_language("en", first.text)
    articles = timed(
        "trafilatura extraction (article_from_html)",
        lambda page: article_from_html(page[0].decode("utf-8"), page[1], feed, "2026-11-23T00:00:00+00:00"),
        pages,
    )
    # the two parts of article_from_html, alone: main text and metadata, then the language check
    timed(
        OF_WHICH + "trafilatura.bare_extraction",
        lambda page: trafilatura.bare_extraction(
            page[0].decode("utf-8"), url=page[1], with_metadata=True, include_comments=False, include_tables=False
        ),
        pages,
    )
    timed(OF_WHICH + "language id (reading_language, py3langid)", lambda a: reading_language("en", a.text), articles)
    timed("zlib.compress of the page", lambda page: zlib.compress(page[0]), pages)
    signatures = timed("MinHash signature (syndication.signature)", lambda a: signature(a.text), articles)

    def batch_signature(text: str) -> MinHash:
        words = WORD.findall(text.lower())
        minhash = MinHash(num_perm=NUM_PERM)
        shingles = [" ".join(words[i : i + SHINGLE]).encode() for i in range(max(1, len(words) - SHINGLE + 1))]
        minhash.update_batch(shingles)
        return minhash

    timed(COMPARISON + "the same signature with MinHash.update_batch", lambda a: batch_signature(a.text), articles)
    index = StoryIndex()

    def link(pair):
        article, minhash = pair
        article.story_id = index.story_for(article.id, minhash)
        index.add(article.id, article.story_id, minhash)
        article.minhash = to_bytes(minhash)

    timed("LSH lookup and insert (StoryIndex)", link, list(zip(articles, signatures, strict=True)))
    for article, page in zip(articles, pages, strict=True):
        article.raw_html = zlib.compress(page[0])
    db = open_db(spec["db"])
    timed(
        "SQLite upsert, one commit per article (store.upsert_article)", lambda a: store.upsert_article(db, a), articles
    )
    db.close()
    return {"pages": len(pages), "cpu_per_page_ms": {k: 1000 * v / len(pages) for k, v in timings.items()}}


CHILDREN = {"bare": child_bare, "migtrack": child_migtrack, "client": child_client, "stages": child_stages}


def child_main(kind: str, spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = CHILDREN[kind](spec)
    result["peak_rss_mib"] = peak_rss_mib()
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")


# --- parent side ---------------------------------------------------------------------------------------


def child_env() -> dict:
    """The environment without proxy variables: every request must go straight to 127.0.0.1."""
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def run_child(kind: str, spec: dict, work: Path, name: str) -> dict:
    """Run one child; adds the process's wall time (start-up and imports included) and the server's CPU."""
    spec_path, result_path = work / f"{name}.spec.json", work / f"{name}.result.json"
    result_path.unlink(missing_ok=True)
    spec_path.write_text(json.dumps(spec | {"result": str(result_path)}), encoding="utf-8")
    command = [sys.executable, "-m", "bench.crawl_speed", "--child", kind, "--spec", str(spec_path)]
    server_cpu, started = cpu_seconds(), time.perf_counter()
    with open(work / f"{name}.stderr", "w+", encoding="utf-8") as stderr:
        try:
            done = subprocess.run(
                command, cwd=REPO, env=child_env(), timeout=CHILD_TIMEOUT, stdout=subprocess.DEVNULL, stderr=stderr
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {CHILD_TIMEOUT} s"}
        process_wall, server_cpu = time.perf_counter() - started, cpu_seconds() - server_cpu
        stderr.seek(0)
        errors = logged_errors(stderr.read())
    if done.returncode or not result_path.exists():
        return {"error": f"child exited with status {done.returncode}", "logged_errors": errors}
    result = json.loads(result_path.read_text(encoding="utf-8"))
    return result | {"process_wall": process_wall, "server_cpu": server_cpu, "logged_errors": errors}


def logged_errors(text: str) -> list[str]:
    """The exception lines and ERROR/CRITICAL records a child logged: a crawl that "ends" after an error in
    ``open_spider`` returns normally and fetches nothing, so its timing alone would look like a fast cycle."""
    found = []
    for line in text.splitlines():
        record = line.strip()[:300]
        if (EXCEPTION_LINE.match(line) or " ERROR: " in line) and record not in found:
            found.append(record)
    return found


def verify(db_path: Path, urls: list[str]) -> dict:
    """What the database holds after both cycles: every generated page once, nothing else."""
    from spiders.urls import normalize_url

    with sqlite3.connect(db_path) as db:
        stored = [row[0] for row in db.execute("select url from articles")]
        failures = db.execute("select count(*) from failures").fetchone()[0]
        syndicated = db.execute("select count(*) from articles where story_id != id").fetchone()[0]
        stories = db.execute("select count(distinct story_id) from articles").fetchone()[0]
        words = sorted(len(row[0].split()) for row in db.execute("select text from articles"))
    expected = {normalize_url(url) for url in urls}
    size = sum(path.stat().st_size for path in db_path.parent.glob(db_path.name + "*"))  # with -wal and -shm
    return {
        "db_kib_per_article": size / 1024 / max(1, len(stored)),
        "articles": len(stored),
        "duplicates": len(stored) - len(set(stored)),
        "missing": len(expected - set(stored)),
        "unexpected": len(set(stored) - expected),
        "failures": failures,
        "syndicated": syndicated,
        "stories": stories,
        "stored_words": {"min": words[0], "median": words[len(words) // 2], "max": words[-1]} if words else None,
    }


def profile_summary(path: Path) -> dict:
    """Cumulative time of the steps a stored article goes through, and the top functions by own time.

    cProfile slows Python-level code more than C code, so these are shares, not timings.
    """
    import pstats

    stats = pstats.Stats(str(path))
    total = stats.total_tt
    steps = {
        "page reading (read_page: extraction, language, zlib, signature)": ("spiders/articles.py", "read_page"),
        "trafilatura extraction (article_from_html)": ("spiders/articles.py", "article_from_html"),
        "trafilatura.bare_extraction": ("trafilatura/core.py", "bare_extraction"),
        "language id (reading_language)": ("models/normalise.py", "reading_language"),
        "MinHash signature (syndication.signature)": ("spiders/syndication.py", "signature"),
        "LSH lookup and insert (StoryIndex.story_for, add)": ("spiders/syndication.py", ("story_for", "add")),
        "SQLite article upsert (store.upsert_article)": ("db/store.py", "upsert_article"),
        "zlib.compress of the page": ("~", "<built-in method zlib.compress>"),
        "feedparser.parse": ("feedparser/api.py", "parse"),
        "item pipeline (SQLitePipeline.process_item)": ("spiders/pipelines.py", "process_item"),
        "spider callback (FeedSpider.parse_article)": ("spiders/feeds.py", "parse_article"),
    }
    cumulative: dict[str, float] = {}
    for (filename, _, function), (_, _, _, ct, _) in stats.stats.items():
        for label, (file_suffix, names) in steps.items():
            names = names if isinstance(names, tuple) else (names,)
            if filename.endswith(file_suffix) and function in names:
                cumulative[label] = cumulative.get(label, 0.0) + ct
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:PROFILE_TOP]
    return {
        "total": total,
        "steps": {label: {"seconds": s, "share": s / total} for label, s in cumulative.items()},
        "top_own_time": [
            {"function": f"{Path(f).name}:{line}({fn})", "calls": nc, "own_s": tt, "cumulative_s": ct}
            for (f, line, fn), (_, nc, tt, ct, _) in top
        ],
    }


def machine() -> dict:
    import scrapy
    import trafilatura

    return describe(scrapy=scrapy.__version__, trafilatura=trafilatura.__version__)


def summarize(runs: list[dict]) -> dict:
    """Median of each timing over the rounds; the largest peak memory; the last round's counts."""
    good = [run for run in runs if "error" not in run]
    if not good:
        return {"error": runs[-1].get("error", "no run"), "rounds": 0}
    result = dict(good[-1])
    for key in ("wall", "cpu", "process_wall", "server_cpu", "readers_cpu"):
        if key in result:
            result[key] = median(run[key] for run in good)
    result["walls"] = [run["wall"] for run in good]
    result["peak_rss_mib"] = max(run["peak_rss_mib"] for run in good)
    result["rounds"] = len(good)
    result["pages_per_s"] = result["responses"] / result["wall"]
    result["pages_per_cpu_s"] = result["responses"] / result["cpu"] if result["cpu"] else None
    result["server_cpu_share"] = result["server_cpu"] / result["wall"]
    return result


def run_benchmark(args: argparse.Namespace) -> dict:
    report: dict = {
        "machine": machine(),
        "overrides": OVERRIDES,
        "repeat": args.repeat,
    }
    with tempfile.TemporaryDirectory(prefix="migtrack-crawl-speed-") as tmp:
        work, site = Path(tmp), Path(tmp) / "site"
        site.mkdir()
        with serve_site(site) as base:
            log(f"generating {args.articles} articles under {site}, served at {base}")
            report["site"] = build_site(site, base, args.articles)
            spec = {"feeds": report["site"]["feeds"]}
            log(f"server alone: {CLIENT_THREADS} client threads fetch every page")
            report["server_alone"] = summarize([run_child("client", {"urls": report["site"]["urls"]}, work, "client")])
            runs: dict[str, list[dict]] = {name: [] for name in ("bare", "migtrack_first", "migtrack_second")}
            runs["migtrack_inline"] = []
            checks = []
            for number in range(args.repeat):
                db = work / f"round{number}" / "migtrack.db"
                db.parent.mkdir()
                order = ["bare", "migtrack", "inline"]
                for kind in order[number % 3 :] + order[: number % 3]:
                    if kind == "bare":
                        log(f"round {number + 1}/{args.repeat}: bare spider")
                        runs["bare"].append(run_child("bare", spec | {"db": str(work / "unused.db")}, work, "bare"))
                        log_run(runs["bare"][-1])
                        continue
                    if kind == "inline":
                        log(f"round {number + 1}/{args.repeat}: migtrack crawl, first cycle, no page readers")
                        inline_spec = spec | {"db": str(db.with_name("inline.db")), "text_workers": 0}
                        runs["migtrack_inline"].append(run_child("migtrack", inline_spec, work, "inline"))
                        log_run(runs["migtrack_inline"][-1])
                        continue
                    for cycle in ("first", "second"):
                        log(f"round {number + 1}/{args.repeat}: migtrack crawl, {cycle} cycle")
                        runs[f"migtrack_{cycle}"].append(run_child("migtrack", spec | {"db": str(db)}, work, cycle))
                        log_run(runs[f"migtrack_{cycle}"][-1])
                checks.append(verify(db, report["site"]["urls"]))
                log(f"  database: {checks[-1]}")
            report["runs"] = {name: summarize(results) for name, results in runs.items()}
            report["anomalies"] = [
                problem
                for name, results in runs.items()
                for run in results
                for problem in anomalies(name, run, args.articles)
            ]
            report["verification"] = checks[-1]
            report["verification_all_rounds_ok"] = all(ok(check, args.articles) for check in checks)
            sample = list(zip(report["site"]["paths"], report["site"]["urls"], strict=True))[: args.stage_pages]
            log(f"stages: each step of a stored article timed alone over {len(sample)} pages")
            stage_spec = {"pages": sample, "feed_url": spec["feeds"][0]["url"], "db": str(work / "stages.db")}
            report["stages"] = run_child("stages", stage_spec, work, "stages")
            if args.profile:
                # pages read in the crawl's thread, so that reading them is in the profiled process too
                log("profile: one more first cycle, text_workers = 0, under cProfile (not timed)")
                db = work / "profile" / "migtrack.db"
                db.parent.mkdir()
                profile_spec = spec | {"db": str(db), "profile": str(work / "crawl.prof"), "text_workers": 0}
                profiled = run_child("migtrack", profile_spec, work, "prof")
                if "error" in profiled:
                    report["profile"] = {"error": profiled["error"]}
                else:
                    report["profile"] = profile_summary(work / "crawl.prof") | {"wall_under_profiler": profiled["wall"]}
    runs = report["runs"]
    if "error" not in runs["bare"] and "error" not in runs["migtrack_first"]:
        report["ratio_migtrack_over_bare"] = runs["migtrack_first"]["pages_per_s"] / runs["bare"]["pages_per_s"]
        # the same ratio in CPU time: on a shared machine wall time also counts the time other work held the core
        report["ratio_migtrack_over_bare_cpu"] = runs["bare"]["cpu"] / runs["migtrack_first"]["cpu"]
    if "error" not in runs["bare"] and "error" not in runs["migtrack_first"]:
        # what a stored page costs, against what fetching a page costs: the figure issue 14 asks for
        stored = runs["migtrack_first"]["summary"]["articles_new"]
        report["cpu_ms_per_stored_page"] = 1000 * runs["migtrack_first"]["cpu"] / max(1, stored)
        report["cpu_ms_per_fetched_page_bare"] = 1000 * runs["bare"]["cpu"] / max(1, runs["bare"]["article_pages"])
    if "error" not in runs["bare"] and "error" not in runs["migtrack_inline"]:
        report["ratio_inline_over_bare"] = runs["migtrack_inline"]["pages_per_s"] / runs["bare"]["pages_per_s"]
    if "error" not in runs["migtrack_first"] and "error" not in runs["migtrack_second"]:
        report["second_over_first"] = runs["migtrack_second"]["wall"] / runs["migtrack_first"]["wall"]
        report["second_over_first_process"] = (
            runs["migtrack_second"]["process_wall"] / runs["migtrack_first"]["process_wall"]
        )
    return report


def ok(check: dict, articles: int) -> bool:
    return check["articles"] == articles and not (check["duplicates"] or check["missing"] or check["unexpected"])


def anomalies(name: str, run: dict, articles: int) -> list[str]:
    """What a crawl did that it should not have: the figures of a crawl that failed are not a cycle's cost."""
    if "error" in run:
        return [f"{name}: {run['error']}"] + [f"{name} logged: {line}" for line in run.get("logged_errors", [])[:3]]
    found = [f"{name} logged: {line}" for line in run.get("logged_errors", [])[:3]]
    summary = run.get("summary")
    if name == "bare" and run.get("article_pages") != articles:
        found.append(f"bare: {run.get('article_pages')} article pages fetched, expected {articles}")
    if name in ("migtrack_first", "migtrack_inline") and (
        summary["articles_new"] != articles or summary["feeds_read"] != N_FEEDS
    ):
        found.append(f"{name}: {summary['articles_new']} new articles, {summary['feeds_read']} feeds read")
    if name == "migtrack_second" and (summary["feeds_not_modified"] != N_FEEDS or summary["articles_new"]):
        found.append(
            f"migtrack_second: {summary['feeds_not_modified']} of {N_FEEDS} feeds seen as not modified, "
            f"{summary['articles_new']} new articles"
        )
    return found


def log_run(run: dict) -> None:
    if "error" in run:
        log(f"  ERROR: {run['error']}")
    else:
        log(
            f"  {run['responses']} responses in {run['wall']:.2f} s ({run['responses'] / run['wall']:.0f}/s), "
            f"{run['cpu']:.2f} s CPU, server {run['server_cpu']:.2f} s CPU, peak {run['peak_rss_mib']:.0f} MiB"
        )


def markdown(report: dict) -> str:
    m, site, runs = report["machine"], report["site"], report["runs"]
    lines = [
        f"{site['articles']} articles ({site['words']['min']}-{site['words']['max']} words, median "
        f"{site['words']['median']}; pages {site['page_kib']['min']:.0f}-{site['page_kib']['max']:.0f} KiB, "
        f"{site['wire_copies']} wire copies) in {len(site['feeds'])} RSS feeds, served by demo.server.DemoHandler "
        f"(backlog 128) on 127.0.0.1; overrides {json.dumps(report['overrides'])}; "
        f"median of {report['repeat']} interleaved round(s), "
        f"each crawl in a fresh process; {m['cpus']} CPU(s) {m['cpu_model']}, Python {m['python']}, Scrapy "
        f"{m['scrapy']}, trafilatura {m['trafilatura']}, load average {m['load_average_at_start']:.2f} at start, "
        f"{m['date']}.",
        "",
        "| crawl | responses | wall (s) | CPU (s) | pages/s | pages per CPU-s | process wall (s) | server CPU (s) "
        "| peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "bare": "bare Scrapy spider (feedparser, fetch, nothing kept)",
        "migtrack_first": "migtrack crawl, first cycle (fresh DB)",
        "migtrack_second": "migtrack crawl, second cycle (feeds unchanged)",
        "migtrack_inline": "migtrack crawl, first cycle, pages read in the crawl's thread (text_workers = 0)",
    }
    for key, label in names.items():
        run = runs[key]
        if "error" in run:
            lines.append(f"| {label} | error: {run['error']} | | | | | | | |")
            continue
        per_cpu = f"{run['pages_per_cpu_s']:.0f}" if run["pages_per_cpu_s"] else "-"
        lines.append(
            f"| {label} | {run['responses']} | {run['wall']:.2f} | {run['cpu']:.2f} | {run['pages_per_s']:.1f} | "
            f"{per_cpu} | {run['process_wall']:.2f} | {run['server_cpu']:.2f} | {run['peak_rss_mib']:.0f} |"
        )
    lines.append("")
    if "cpu_ms_per_stored_page" in report:
        lines.append(
            f"CPU per page: **{report['cpu_ms_per_stored_page']:.2f} ms per stored page** (migtrack, first cycle, "
            f"crawl and page readers) against **{report['cpu_ms_per_fetched_page_bare']:.2f} ms per fetched page** "
            f"(bare spider): {report['cpu_ms_per_stored_page'] / report['cpu_ms_per_fetched_page_bare']:.1f} times."
        )
    if "ratio_migtrack_over_bare" in report:
        lines.append(
            f"migtrack / bare, pages per second: **{report['ratio_migtrack_over_bare']:.2f}x**; "
            f"per CPU-second: {report['ratio_migtrack_over_bare_cpu']:.2f}x (CPU counts the crawl and its page "
            f"readers: {runs['migtrack_first']['readers_cpu']:.2f} s of it in readers, whose peak RSS was "
            f"{runs['migtrack_first']['readers_peak_rss_mib']:.0f} MiB)."
        )
    if "ratio_inline_over_bare" in report:
        lines.append(f"Without page readers (text_workers = 0): **{report['ratio_inline_over_bare']:.2f}x**.")
    if "second_over_first" in report:
        lines.append(
            f"Second cycle / first cycle: **{100 * report['second_over_first']:.1f}%** of the crawl time "
            "(target < 5%); "
            f"{100 * report['second_over_first_process']:.1f}% counting process start-up and imports."
        )
    check = report["verification"]
    lines.append(
        f"Database after both cycles: {check['articles']} articles ({check['duplicates']} duplicate URLs, "
        f"{check['missing']} missing, {check['unexpected']} unexpected), {check['failures']} failures, "
        f"{check['syndicated']} linked as syndicated copies ({check['stories']} stories), "
        f"{check.get('db_kib_per_article', 0):.1f} KiB of database per article; stored text "
        f"{check['stored_words']['min']}-{check['stored_words']['max']} words (median "
        f"{check['stored_words']['median']}); every round "
        f"{'as expected' if report['verification_all_rounds_ok'] else 'NOT as expected'}."
    )
    alone = report["server_alone"]
    if "error" not in alone:
        bare = runs["bare"]
        lines.append(
            f"Server alone ({CLIENT_THREADS} threads of urllib, a lower bound on its capacity): "
            f"{alone['pages_per_s']:.0f} pages/s; during the bare crawl it used "
            f"{bare.get('server_cpu_share', 0):.0%} of one core."
        )
    if report["anomalies"]:
        lines += ["", "**Anomalies** (figures of a failed crawl are not a cycle's cost):", ""]
        lines += [f"- {problem}" for problem in report["anomalies"]]
    stages = report.get("stages", {})
    if "cpu_per_page_ms" in stages:
        per_page = {key: 1000 * runs[key]["cpu"] / runs[key]["responses"] for key in ("bare", "migtrack_first")}
        lines += [
            "",
            f"What each step migtrack adds costs, timed alone (no profiler) over {stages['pages']} of the pages; "
            f"for scale, CPU per response: bare crawl {per_page['bare']:.1f} ms, migtrack first cycle "
            f"{per_page['migtrack_first']:.1f} ms (difference {per_page['migtrack_first'] - per_page['bare']:.1f} ms):",
            "",
            "| step | CPU ms per page |",
            "|---|---:|",
        ]
        lines += [f"| {label} | {ms:.2f} |" for label, ms in stages["cpu_per_page_ms"].items()]
        if "cpu_ms_per_stored_page" in report:
            lines += ["", *where_the_rest_goes(report, stages["cpu_per_page_ms"])]
    elif stages:
        lines.append(f"Per-step timing failed: {stages.get('error')}")
    if report.get("profile") and "error" not in report["profile"]:
        profile = report["profile"]
        lines += [
            "",
            f"Where a first cycle's time goes (cProfile, {profile['total']:.1f} s profiled; shares of the profiled "
            "time, cumulative, so nested steps overlap):",
            "",
            "| step | seconds | share |",
            "|---|---:|---:|",
        ]
        for label, step in sorted(profile["steps"].items(), key=lambda item: -item[1]["seconds"]):
            lines.append(f"| {label} | {step['seconds']:.2f} | {step['share']:.0%} |")
        lines += ["", "| function (top by own time) | calls | own (s) | cumulative (s) |", "|---|---:|---:|---:|"]
        for row in profile["top_own_time"][:12]:
            lines.append(f"| `{row['function']}` | {row['calls']} | {row['own_s']:.2f} | {row['cumulative_s']:.2f} |")
    return "\n".join(lines)


def where_the_rest_goes(report: dict, steps_ms: dict[str, float]) -> list[str]:
    """A stored page's CPU as the bare spider's fetch plus each step migtrack adds (timed alone), and what is
    left: Scrapy's item handling, handing pages to the reader and back, the full-text triggers' share of
    commits, and whatever the steps cost more inside a busy crawl than alone."""
    bare, stored = report["cpu_ms_per_fetched_page_bare"], report["cpu_ms_per_stored_page"]
    added = {label: ms for label, ms in steps_ms.items() if not label.startswith((OF_WHICH, COMPARISON))}
    rest = stored - bare - sum(added.values())
    lines = [
        "Where a stored page's CPU goes (ms; the steps as timed alone above):",
        "",
        "| part | CPU ms per page | share |",
        "|---|---:|---:|",
        f"| fetching it, as the bare spider does (feed parsing, Scrapy, HTTP) | {bare:.2f} | {bare / stored:.0%} |",
    ]
    lines += [f"| {label} | {ms:.2f} | {ms / stored:.0%} |" for label, ms in added.items()]
    lines += [
        f"| the rest: Scrapy's item handling, the reader hand-over, measured in the crawl rather than alone "
        f"| {rest:.2f} | {rest / stored:.0%} |",
        f"| **a stored page** | **{stored:.2f}** | 100% |",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles on the generated site")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds; medians are reported")
    parser.add_argument("--profile", action="store_true", help="profile one more first cycle with cProfile")
    parser.add_argument("--stage-pages", type=int, default=500, help="pages the per-step timing reads")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a markdown table")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.spec)
        return
    if args.articles < N_FEEDS * WIRE_COPY_EVERY or args.repeat < 1:
        parser.error(f"--articles must be at least {N_FEEDS * WIRE_COPY_EVERY} and --repeat at least 1")
    report = run_benchmark(args)
    print(json.dumps(report, indent=2, default=str) if args.json else markdown(report))


if __name__ == "__main__":
    main()
