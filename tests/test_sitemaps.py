"""Outlets without feeds: their Google News sitemaps, read with their news: fields."""

from __future__ import annotations

import pytest
import sqlite_utils

from demo.server import serve_site
from tests.conftest import run_cli

TEXT = "Guatemala agreed on Monday to receive more deportation flights from the United States, officials said. " * 4


def test_a_news_sitemap_is_crawled_with_its_dates_and_titles(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    # the page itself carries no date and no title: the sitemap supplies them
    (site / "story.html").write_text(f"<html><body><article><p>{TEXT}</p></article></body></html>")
    (site / "broken.xml").write_text("<html><body>not a sitemap</body></html>")
    with serve_site(site) as base:
        (site / "news-sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"<url><loc>{base}/story.html</loc><news:news><news:publication><news:name>Prensa Test</news:name>"
            "<news:language>en</news:language></news:publication>"
            "<news:publication_date>2025-02-03T08:00:00Z</news:publication_date>"
            "<news:title>Guatemala to take more deportation flights</news:title></news:news></url>"
            f"<url><loc>javascript:alert(1)</loc></url>"
            "</urlset>"
        )
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            f'[[feeds]]\nurl = "{base}/news-sitemap.xml"\noutlet = "Prensa Test"\nkind = "news-sitemap"\n\n'
            f'[[feeds]]\nurl = "{base}/broken.xml"\noutlet = "Prensa Test"\nkind = "news-sitemap"\n'
        )
        db_path = tmp_path / "migtrack.db"
        result = run_cli("crawl", "--feeds", str(feeds), "--db", str(db_path))
    assert result.returncode == 1, result.stderr[-2000:]  # the broken sitemap is a failed source
    assert "1 feeds read, 0 not modified, 1 failed" in result.stderr
    db = sqlite_utils.Database(db_path)
    (article,) = db.query("select title, published, outlet from articles")
    assert article == {
        "title": "Guatemala to take more deportation flights",
        "published": "2025-02-03T08:00:00+00:00",  # stored as ISO 8601, one form for every source
        "outlet": "Prensa Test",
    }
    errors = {r["stage"]: r["error"] for r in db.query("select stage, error from failures")}
    assert errors["feed"].startswith("not a news sitemap")
    assert errors["link"] == "not an http(s) link: 'javascript:alert(1)'"


def _urlset(entries: list[tuple[str, str | None]]) -> str:
    urls = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>" for loc, lastmod in entries
    )
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def test_an_archive_sitemap_index_is_read_between_since_and_until_by_lastmod(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("a", "b", "c", "d"):  # pages without a date of their own
        (site / f"{name}.html").write_text(f"<html><body><article><p>{name}: {TEXT}</p></article></body></html>")
    with serve_site(site) as base:
        (site / "index.xml").write_text(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            # last modified before `since`: holds nothing in range, and is not fetched (it does not exist)
            f"<sitemap><loc>{base}/2018-11.xml</loc><lastmod>2018-12-01</lastmod></sitemap>"
            f"<sitemap><loc>{base}/2019-01.xml</loc><lastmod>2019-02-01T00:00:00Z</lastmod></sitemap>"
            f"<sitemap><loc>{base}/2019-02.xml</loc></sitemap>"
            "</sitemapindex>"
        )
        (site / "2019-01.xml").write_text(
            _urlset([(f"{base}/a.html", "2019-01-15"), (f"{base}/b.html", "2018-12-30"), (f"{base}/c.html", None)])
        )
        (site / "2019-02.xml").write_text(_urlset([(f"{base}/d.html", "2019-02-10T09:00:00+00:00")]))
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            f'[[feeds]]\nurl = "{base}/index.xml"\noutlet = "Archivo"\nkind = "sitemap"\n'
            "since = 2019-01-01\nuntil = 2019-02-01\n"
        )
        db_path = tmp_path / "migtrack.db"
        result = run_cli("crawl", "--feeds", str(feeds), "--db", str(db_path))
    assert result.returncode == 0, result.stderr[-2000:]
    db = sqlite_utils.Database(db_path)
    assert list(db.query("select url, published, outlet from articles")) == [
        {"url": f"{base}/a.html", "published": "2019-01-15", "outlet": "Archivo"}
    ]
    assert db["failures"].count == 0  # the sitemap of 2018-11 was never asked for


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('kind = "podcast"\n', "kind 'podcast' is not one of feed, news-sitemap, sitemap"),
        ("since = 2019-01-01\n", "since and until apply to kind = \"sitemap\" only, not 'feed'"),
    ],
)
def test_a_source_the_crawl_cannot_read_is_a_clear_error(tmp_path, source, message):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nurl = "https://example.org/x.xml"\noutlet = "X"\n' + source)
    result = run_cli("crawl", "--feeds", str(feeds), "--db", str(tmp_path / "m.db"))
    assert result.returncode == 1
    assert message in result.stderr
