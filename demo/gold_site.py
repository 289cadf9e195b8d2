"""Write a labelled corpus of articles as a news site: one RSS feed per outlet and one HTML page per article.

``migtrack eval-events`` scores what the real crawl and the real processing make of a gold corpus, so the
corpus has to reach them the way news does: listed in feeds, fetched over HTTP, read out of HTML by
trafilatura. Pages and feeds are written with the demo server's ``__BASE__`` placeholder, and
``demo.server.serve_site`` serves them on 127.0.0.1 under the demo host, as it serves the bundled demo.

Every value that comes from the corpus is HTML- or XML-escaped: a gold file is data, never markup.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

from demo.server import DEMO_BASE, PLACEHOLDER

SITE_ROOT = "gold"  # the folder under the demo host that holds the corpus

PAGE = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{title} - {outlet}</title>
<meta property="og:title" content="{title}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="{published}T12:00:00+00:00">
<link rel="canonical" href="{url}">
</head>
<body>
<div class="header"><a href="{base}/{root}/{slug}/">{outlet}</a></div>
<article>
<h1>{title}</h1>
<p class="byline">Published {published}</p>
<div class="story-body">
{paragraphs}
</div>
</article>
<div class="footer"><p>&copy; {outlet}</p></div>
</body>
</html>
"""

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>{outlet}</title>
<link>{base}/{root}/{slug}/</link>
<description>{outlet}: stories of the labelled corpus</description>
{items}
</channel>
</rss>
"""

ITEM = """<item>
<title>{title}</title>
<link>{url}</link>
<guid isPermaLink="true">{url}</guid>
<pubDate>{date}</pubDate>
</item>"""


def slug(name: str) -> str:
    """A folder name for an outlet or a page ("The Spokesman-Review" -> "the-spokesman-review")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "outlet"


def article_url(article: dict, base: str = PLACEHOLDER) -> str:
    return f"{base}/{SITE_ROOT}/{slug(article['outlet'])}/{slug(article['id'])}.html"


def write_site(articles: list[dict], site_dir: Path) -> str:
    """Write the pages and feeds of ``articles`` under ``site_dir``; returns the feeds as TOML text, with
    the demo host filled in, ready for ``pipeline.config.parse_config``."""
    by_outlet: dict[str, list[dict]] = defaultdict(list)
    for article in articles:
        by_outlet[article["outlet"]].append(article)
    feeds_toml = []
    for outlet, stories in by_outlet.items():
        folder = site_dir / SITE_ROOT / slug(outlet)
        folder.mkdir(parents=True, exist_ok=True)
        for article in stories:
            (folder / f"{slug(article['id'])}.html").write_text(_page(article), encoding="utf-8")
        items = "\n".join(
            ITEM.format(title=escape(a["title"]), url=escape(article_url(a)), date=_rfc822(a["published"]))
            for a in stories
        )
        (folder / "rss.xml").write_text(
            FEED.format(outlet=escape(outlet), base=PLACEHOLDER, root=SITE_ROOT, slug=slug(outlet), items=items),
            encoding="utf-8",
        )
        language = stories[0].get("language", "en")
        feeds_toml.append(
            f'[[feeds]]\nurl = "{DEMO_BASE}/{SITE_ROOT}/{slug(outlet)}/rss.xml"\n'
            f"outlet = {_toml_string(outlet)}\nlanguage = {_toml_string(language)}\n"
        )
    return "\n".join(feeds_toml)


def _page(article: dict) -> str:
    paragraphs = "\n".join(f"<p>{escape(line)}</p>" for line in article["text"].splitlines() if line.strip())
    return PAGE.format(
        language=escape(article.get("language", "en")),
        title=escape(article["title"]),
        outlet=escape(article["outlet"]),
        published=escape(article["published"]),
        url=escape(article_url(article)),
        base=PLACEHOLDER,
        root=SITE_ROOT,
        slug=slug(article["outlet"]),
        paragraphs=paragraphs,
    )


def _rfc822(day: str) -> str:
    return format_datetime(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC))


def _toml_string(value: str) -> str:
    """A TOML basic string: backslashes and quotes escaped, control characters dropped."""
    cleaned = "".join(c for c in value if c >= " ")
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'
