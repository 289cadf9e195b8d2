"""Outlets without feeds: their Google News sitemaps, read with their news: fields."""

from __future__ import annotations

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


def test_an_unknown_source_kind_is_a_clear_error(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nurl = "https://example.org/x.xml"\noutlet = "X"\nkind = "podcast"\n')
    result = run_cli("crawl", "--feeds", str(feeds), "--db", str(tmp_path / "m.db"))
    assert result.returncode == 1
    assert "kind 'podcast' is not one of feed, news-sitemap" in result.stderr
