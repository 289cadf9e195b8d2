"""The news-sitemap spider: for outlets without feeds, their Google News sitemaps.

Scrapy's SitemapSpider keeps only ``<loc>`` and drops the ``news:`` fields, which are the point of a
news sitemap: every entry is dated and titled. This spider reads them itself and otherwise behaves
exactly as the feed spider (conditional requests, stored pages not fetched again, failures recorded).
A sitemap index is not followed: list an outlet's news sitemap itself.
"""

from __future__ import annotations

from lxml import etree
from scrapy.http import Response

from spiders.feeds import FeedSpider

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
# no entity expansion and no network: a sitemap is untrusted input
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _text(element, path: str) -> str | None:
    found = element.find(path, {"sm": SITEMAP, "news": NEWS})
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
            for url in root.iterfind("sm:url", {"sm": SITEMAP})
        ], None
