"""What a feed and its pages say about keys, dates and languages, crawled for real through the hostile proxy
on 127.0.0.1 and then processed (issue 15, defects 1, 2, 5, 6 and 8).

Each of these once lost or corrupted data without an error: an RFC 822 ``pubDate`` stored as written stopped
every later events build; a canonical link to the home page or to another host merged different stories
into one row; a feed tagged "en-US" was stored and never processed; a link with ``;`` in its query was
requested re-encoded; a listed link behind a redirect was fetched again at every change of its feed.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.hostile.server import hostile_server, redirect, static, url
from tests.test_reliability_inputs import run_crawl

STORY = (
    "Honduras agreed on Monday to accept deportation flights carrying migrants of other nationalities from the "
    "United States, the foreign ministry said after a week of talks with officials in Washington. "
)


def page(title: str, canonical: str | None = None, dated: bool = False) -> str:
    """A story page; ``dated`` adds date metadata, which the undated pages leave to their feed."""
    head = f"<title>{title}</title>"
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    if dated:
        head += '<meta property="article:published_time" content="2025-01-02T08:00:00Z">'
    body = (STORY.replace("Monday", title) + " ") * 3
    return f"<html><head>{head}</head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>"


def rss(items: list[tuple[str, str | None]]) -> str:
    """Items of (link, pubDate), pubDate written as given ("" for an empty element, None for none)."""
    entries = "".join(
        f"<item><title>{link.rsplit('/', 1)[-1]}</title><link>{link}</link>"
        + ("" if published is None else f"<pubDate>{published}</pubDate>")
        + "</item>"
        for link, published in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{entries}</channel></rss>'


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl and one process over a feed that exercises every defect, then a second crawl after the
    feed gained an entry: (server, first database, crawl results, process result, the link requests)."""
    tmp_path = tmp_path_factory.mktemp("keys-and-dates")
    site = "keys"
    with hostile_server() as server:
        server.route(url(site, "/robots.txt"), static("User-agent: *\nAllow: /\n", "text/plain"))
        server.route(url(site, "/"), static(page("Home page")))
        server.route(url(site, "/rfc822.html"), static(page("Tuesday")))
        server.route(url(site, "/empty-date.html"), static(page("Wednesday")))
        for name in ("one", "two", "three"):  # three stories that all call the home page canonical
            server.route(url(site, f"/home-canonical-{name}.html"), static(page(f"Home {name}", url(site, "/"))))
        server.route(url(site, "/foreign.html"), static(page("Foreign", url("victim", "/their-story.html"))))
        server.route(url(site, "/query.html"), static(page("Thursday")))
        server.route(url(site, "/old-address.html"), redirect(url(site, "/new-address.html"), 301))
        server.route(url(site, "/new-address.html"), static(page("Friday", dated=True)))
        server.route(url("victim", "/robots.txt"), static("User-agent: *\nAllow: /\n", "text/plain"))
        server.route(url("victim", "/their-story.html"), static(page("Saturday")))
        items = [
            (url(site, "/rfc822.html"), "Tue, 07 Jan 2025 11:00:00 GMT"),
            (url(site, "/empty-date.html"), ""),
            *[(url(site, f"/home-canonical-{name}.html"), None) for name in ("one", "two", "three")],
            (url(site, "/query.html") + "?id=5;sec=2", None),
            (url(site, "/old-address.html"), None),
        ]
        server.route(url(site, "/feed.xml"), static(rss(items), "application/rss+xml"))
        server.route(url("victim", "/feed.xml"), static(rss([(url("victim", "/their-story.html"), None)])))
        server.route(url(site, "/more.xml"), static(rss([(url(site, "/foreign.html"), None)])))
        feeds = [url("victim", "/feed.xml"), url(site, "/feed.xml"), url(site, "/more.xml")]
        first, _, db = run_crawl(tmp_path, server, feeds, language="en-US")
        processed = run_cli("process", "--db", str(tmp_path / "migtrack.db"))
        unprocessed = db.execute("select count(*) from articles where processed_at is null").fetchone()[0]
        requests_after_first = list(server.requests)
        # the feed changes (one new entry): its stored pages, the redirected one included, are not fetched again
        server.route(url(site, "/late.html"), static(page("Sunday")))
        server.route(url(site, "/feed.xml"), static(rss([*items, (url(site, "/late.html"), None)])))
        second, _, db = run_crawl(tmp_path, server, feeds, language="en-US")
        yield {
            "db": db,
            "first": first,
            "second": second,
            "processed": processed,
            "unprocessed": unprocessed,
            "requests_first": requests_after_first,
            "requests_second": server.requests[len(requests_after_first) :],
        }


def test_feed_dates_are_stored_as_iso_8601_and_events_build(crawled):
    db = crawled["db"]
    published = {r["url"].rsplit("/", 1)[-1]: r["published"] for r in db.query("select url, published from articles")}
    assert published["rfc822.html"] == "2025-01-07T11:00:00+00:00"
    assert published["empty-date.html"] is None  # an empty pubDate is missing, not ''
    assert published["new-address.html"].startswith("2025-01-02")
    assert crawled["processed"].returncode == 0, crawled["processed"].stderr[-2000:]
    assert db["events"].count > 0
    assert all(r["event_year"] is None or 2000 < r["event_year"] < 2100 for r in db.query("select * from events"))
    # the query planner has statistics of the tables the build read (store.refresh_statistics)
    analysed = {row[0] for row in db.execute("select tbl from sqlite_stat1")}
    assert {"positions", "events"} <= analysed


def test_a_database_holding_rfc_822_dates_is_mended_when_opened(tmp_path):
    from db.schema import open_db

    db = open_db(tmp_path / "old.db")
    db["articles"].insert_all(
        [
            {"id": "a", "url": "http://x.example/a", "text": "t", "published": "Mon, 06 Jan 2025 11:00:00 GMT"},
            {"id": "b", "url": "http://x.example/b", "text": "t", "published": "", "language": "en-US"},
        ]
    )
    db.close()
    db = open_db(tmp_path / "old.db")
    rows = {r["id"]: r for r in db.query("select id, published, language from articles")}
    assert rows["a"]["published"] == "2025-01-06T11:00:00+00:00"
    assert rows["b"]["published"] is None and rows["b"]["language"] == "en"


def test_a_canonical_to_the_home_page_or_another_host_does_not_merge_stories(crawled):
    db = crawled["db"]
    rows = {r["url"]: r for r in db.query("select url, text, fetched_url from articles")}
    for name in ("one", "two", "three"):
        assert url("keys", f"/home-canonical-{name}.html") in rows
    assert url("keys", "/") not in rows
    # the victim's own story keeps its own text, and the foreign page is stored under its own address
    assert "Saturday" in rows[url("victim", "/their-story.html")]["text"]
    assert "Foreign" in rows[url("keys", "/foreign.html")]["text"]


def test_a_regional_language_tag_is_processed(crawled):
    db = crawled["db"]
    assert {r["language"] for r in db.query("select distinct language from articles")} == {"en"}
    assert crawled["unprocessed"] == 0


def test_the_request_goes_to_the_link_as_published(crawled):
    assert url("keys", "/query.html") + "?id=5;sec=2" in crawled["requests_first"]


def test_a_listed_link_behind_a_redirect_is_not_fetched_again(crawled):
    second = crawled["requests_second"]
    assert url("keys", "/late.html") in second  # the feed's new entry was read
    assert url("keys", "/old-address.html") not in second
    assert not [r for r in second if r.endswith(("rfc822.html", "query.html?id=5;sec=2", "home-canonical-one.html"))]
