"""Hostile input, served from 127.0.0.1 and crawled through the real ``migtrack crawl``.

Every hostile feed and page lives on its own made-up host under ``.hostile.example``; the test server is
the crawler's HTTP proxy and answers for those hosts only (``tests/hostile/server.py``). For every input
the crawl must finish, every other article must be stored exactly once, and the failure must be in the
``failures`` table (url, stage, error, occurred_at) and counted in the summary line on stderr.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spiders.urls import normalize_url
from tests.conftest import MIGTRACK, REPO
from tests.hostile.server import Streamed, hostile_server, redirect, sleeping, static, url

MAX_RSS_BYTES = 1536 * 1024 * 1024  # 1.5 GiB: loose, the crawl's usual peak is a fraction of it

PARAGRAPH = (
    "Guatemala agreed on Tuesday to receive more deportation flights from the United States, including "
    "migrants of other nationalities, the foreign ministry said after two days of talks with U.S. officials. "
)


def page(title: str, text: str = PARAGRAPH * 3, charset: str = "utf-8") -> str:
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><nav>Home</nav><article><h1>{title}</h1><p>{text}</p></article></body></html>"
    )


def rss(items: list[dict], title: str = "Hostile") -> str:
    def item(entry: dict) -> str:
        parts = [f"<title>{entry.get('title', 'Story')}</title>"]
        if "link" in entry:
            parts.append(f"<link>{entry['link']}</link>")
        if "guid" in entry:
            parts.append(f'<guid isPermaLink="false">{entry["guid"]}</guid>')
        return "<item>" + "".join(parts) + "</item>"

    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.org/</link>{''.join(item(e) for e in items)}</channel></rss>"
    )


def feeds_toml(feed_urls: list[str], language: str = "en") -> str:
    return "".join(f'[[feeds]]\nurl = "{u}"\noutlet = "Hostile"\nlanguage = "{language}"\n\n' for u in feed_urls)


def run_crawl(
    tmp_path: Path, server, feed_urls: list[str], settings: str = "", timeout: int = 240, language: str = "en"
):
    """``migtrack crawl`` in a child process through the hostile proxy; returns (result, max RSS in bytes).

    ``os.wait4`` gives the rusage of exactly this child (RUSAGE_CHILDREN would mix in every earlier child).
    """
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(feeds_toml(feed_urls, language))
    config = tmp_path / "migtrack.toml"
    config.write_text(f"[settings]\n{settings}\n")
    db_path = tmp_path / "migtrack.db"
    env = {**os.environ, "http_proxy": server.base, "no_proxy": "", "HTTP_PROXY": server.base}
    command = [str(MIGTRACK), "--config", str(config), "crawl", "--feeds", str(feeds), "--db", str(db_path)]
    with open(tmp_path / "stdout", "wb") as out, open(tmp_path / "stderr", "wb") as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=env)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                pytest.fail(f"crawl did not finish in {timeout}s")
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = subprocess.CompletedProcess(command, proc.returncode, "", (tmp_path / "stderr").read_text())
    return result, usage.ru_maxrss * 1024, sqlite_utils.Database(db_path)


def summary(stderr: str) -> dict[str, int]:
    line = re.search(r"^crawl: .*$", stderr, re.M)
    assert line, stderr[-3000:]
    return {name: int(n) for n, name in re.findall(r"(\d+) ([a-z ]+?)(?=[,;(]| \()", line.group(0) + " (")}


def articles_by_url(db) -> dict[str, int]:
    return {r["url"]: r["n"] for r in db.query("select url, count(*) n from articles group by url")}


def failures(db) -> dict[tuple[str, str], dict]:
    return {(r["stage"], r["url"]): r for r in db.query("select * from failures")}


# --- feeds --------------------------------------------------------------------------------------------------

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
    + "x" * 64
    + '">\n'
    + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">\n' for n in range(9))
    + ']>\n<rss version="2.0"><channel><title>&j;</title>'
    "<item><title>Bomb &j;</title><link>"
    + url("bomb-article", "/story.html")
    + "</link><description>&j;</description></item>"
    "</channel></rss>"
)

MALFORMED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & unescaped</title>'
    "<item><title>First <b>unclosed</title><link>" + url("malformed-a", "/story.html") + "</link></item>"
    "<item><title>Second</title><link>" + url("malformed-b", "/story.html") + "</link><description>&nbsp; &bogus;"
    "</item></channel>\x00\x01 trailing garbage <rss"
)


@pytest.fixture(scope="module")
def feed_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("hostile-feeds")
    with hostile_server() as server:
        good = [url(f"good-{n}", "/story.html") for n in range(2)]
        for n, link in enumerate(good):
            server.route(link, static(page(f"Good story {n}")))
        for name in ("malformed-a", "malformed-b", "bomb-article", "links-ok", "dup-a", "dup-b", "tracked"):
            server.route(url(name, "/story.html"), static(page(f"Story on {name}")))
        feeds = {
            "good": rss([{"link": link} for link in good] + [{"link": url("tracked", "/story.html?utm_source=x")}]),
            "malformed": MALFORMED,
            "bomb": BOMB,
            "empty": "",
            "html": "<!doctype html><html><head><title>Home</title></head><body><p>Welcome!</p></body></html>",
            "links": rss(
                [
                    {"link": "javascript:alert(document.cookie)", "guid": "js"},
                    {"link": "file:///etc/passwd", "guid": "file"},
                    {"link": "ftp://" + url("links-ftp")[7:] + "story.txt", "guid": "ftp"},
                    {"guid": "no-link-at-all"},
                    {"link": url("links-ok", "/story.html"), "guid": "ok"},
                ]
            ),
            "dupguid": rss(
                [
                    {"link": url("dup-a", "/story.html"), "guid": "same"},
                    {"link": url("dup-a", "/story.html"), "guid": "same"},
                    {"link": url("dup-b", "/story.html"), "guid": "same"},
                ]
            ),
            "tracking": rss(
                [
                    {"link": url("tracked", "/story.html?utm_source=rss&utm_medium=feed")},
                    {"link": url("tracked", "/story.html?fbclid=abc123#comments")},
                    {"link": "HTTP://TRACKED.HOSTILE.EXAMPLE:80/story.html?ref=homepage&amp;gclid=zzz"},
                    {"link": url("tracked", "/story.html")},
                ]
            ),
        }
        types = {"empty": "application/rss+xml", "html": "text/html; charset=utf-8"}
        for name, body in feeds.items():
            server.route(url(f"feed-{name}", "/feed.xml"), static(body, types.get(name, "application/rss+xml")))
        result, max_rss, db = run_crawl(tmp_path, server, [url(f"feed-{name}", "/feed.xml") for name in feeds])
        requests = list(server.requests)
    return result, max_rss, db, requests


def test_feed_crawl_finishes_and_stores_every_good_article_once(feed_crawl):
    result, _, db, _ = feed_crawl
    assert result.returncode == 1, result.stderr[-3000:]  # feeds failed (empty, html): the scheduler must notice
    expected = [url(f"good-{n}", "/story.html") for n in range(2)]
    expected += [url(n, "/story.html") for n in ("malformed-a", "malformed-b", "links-ok", "dup-a", "dup-b")]
    expected += [url("tracked", "/story.html")]
    stored = articles_by_url(db)
    assert {u: 1 for u in expected}.items() <= stored.items()
    assert all(n == 1 for n in stored.values())
    counts = summary(result.stderr)
    assert counts["failures recorded"] == db["failures"].count, result.stderr[-2000:]
    for row in db.query("select * from failures"):
        assert row["url"] and row["stage"] and row["error"] and row["occurred_at"]


def test_malformed_xml_keeps_what_feedparser_can_read(feed_crawl):
    _, _, db, _ = feed_crawl
    stored = articles_by_url(db)
    assert stored.get(url("malformed-a", "/story.html")) == 1
    assert stored.get(url("malformed-b", "/story.html")) == 1


def test_an_entity_expansion_bomb_does_not_blow_memory(feed_crawl):
    result, max_rss, db, _ = feed_crawl
    assert max_rss < MAX_RSS_BYTES, f"crawl peaked at {max_rss / 2**20:.0f} MiB"
    feed = url("feed-bomb", "/feed.xml")
    (state,) = db.query("select * from feeds where url = ?", [feed])
    # feedparser reads it without expanding the entities: its one entry is read and its article stored, so
    # a feed is not refused for declaring entities (rejecting every feed with <!ENTITY passed before, issue 15)
    bomb_failure = failures(db).get(("feed", feed))
    assert bomb_failure is None and state["last_error"] is None, (bomb_failure, state)
    assert state["entries"] == 1 and state["last_status"] == 200, state
    assert articles_by_url(db).get(url("bomb-article", "/story.html")) == 1
    titles = [r["title"] or "" for r in db.query("select title from articles")]
    assert all(len(t) < 10_000 for t in titles)
    print(f"entity bomb: max RSS {max_rss / 2**20:.0f} MiB; feed state {state}; failure {bomb_failure}")


def test_an_empty_body_is_a_recorded_feed_failure(feed_crawl):
    _, _, db, _ = feed_crawl
    failure = failures(db)[("feed", url("feed-empty", "/feed.xml"))]
    assert failure["error"].startswith("not a feed")


def test_an_html_page_instead_of_a_feed_is_a_recorded_feed_failure(feed_crawl):
    _, _, db, _ = feed_crawl
    failure = failures(db)[("feed", url("feed-html", "/feed.xml"))]
    assert failure["error"].startswith("not a feed")
    (state,) = db.query("select * from feeds where url = ?", [url("feed-html", "/feed.xml")])
    assert state["last_error"].startswith("not a feed") and state["consecutive_failures"] == 1


def test_non_http_links_are_recorded_and_never_fetched(feed_crawl):
    result, _, db, requests = feed_crawl
    recorded = failures(db)
    assert recorded[("link", "javascript:alert(document.cookie)")]["error"].startswith("not an http(s) link")
    assert ("link", "file://etc/passwd") in recorded  # as feedparser resolves it
    assert ("link", "ftp://links-ftp.hostile.example/story.txt") in recorded
    assert recorded[("link", "no-link-at-all")]["error"] == "not an http(s) link: None"
    assert not [r for r in requests if "links-ftp" in r or "passwd" in r]
    assert not re.search(r"Crawled \(\d+\) <GET (file|ftp|javascript):", result.stderr)
    assert not [u for u in articles_by_url(db) if not u.startswith("http")]


def test_duplicate_guids_store_each_page_once(feed_crawl):
    _, _, db, requests = feed_crawl
    stored = articles_by_url(db)
    assert stored[url("dup-a", "/story.html")] == 1 and stored[url("dup-b", "/story.html")] == 1
    assert requests.count(url("dup-a", "/story.html")) == 1  # fetched once, too


def test_the_same_article_under_tracking_parameters_is_stored_once(feed_crawl):
    _, _, db, requests = feed_crawl
    assert [u for u in articles_by_url(db) if "tracked" in u] == [url("tracked", "/story.html")]
    # fetched once, at the link as the feed published it (issue 15: the request is not re-encoded)
    assert [r.split("?")[0] for r in requests].count(url("tracked", "/story.html")) == 1


def test_a_feed_of_ten_thousand_items(tmp_path):
    """10,000 entries, each a distinct link to one of 100 pages on 100 hosts (20 articles, 80 missing), so the
    feed, the duplicate filter and the failure log all see 10,000 items. Fetching 10,000 distinct pages is
    not what this checks: the shipped politeness (1 s between requests to a host, not configurable from
    migtrack.toml) would make that an hour-long test."""
    hosts = [f"big-{n}" for n in range(100)]
    with hostile_server() as server:
        for n, name in enumerate(hosts[:20]):
            server.route(url(name, "/story.html"), static(page(f"Article {n}")))
        items = [
            {"link": url(hosts[n % 100], f"/story.html?utm_source=feed&utm_content={n}"), "guid": f"item-{n}"}
            for n in range(10_000)
        ]
        server.route(url("feed-big", "/feed.xml"), static(rss(items), "application/rss+xml"))
        started = time.monotonic()
        result, max_rss, db = run_crawl(tmp_path, server, [url("feed-big", "/feed.xml")])
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    (state,) = db.query("select * from feeds")
    assert state["entries"] == 10_000
    stored = articles_by_url(db)
    assert stored == {url(name, "/story.html"): 1 for name in hosts[:20]}
    missing = {r["url"] for r in db.query("select url from failures where stage = 'fetch' and error = 'HTTP 404'")}
    assert missing == {url(name, "/story.html") for name in hosts[20:]}
    assert summary(result.stderr)["failures recorded"] == 80
    assert max_rss < MAX_RSS_BYTES
    print(f"10,000-item feed: {elapsed:.1f}s, max RSS {max_rss / 2**20:.0f} MiB")


# --- pages --------------------------------------------------------------------------------------------------

HUGE = 500 * 1024 * 1024  # what the endless pages would send if nobody stopped them
PAGE_SETTINGS = "download_timeout = 2\nmax_response_size = 1048576\n"
LOOP_HOSTS = [f"loop-{n}" for n in range(4)]


@pytest.fixture(scope="module")
def page_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("hostile-pages")
    rng = random.Random(6)
    with hostile_server() as server:
        pages = {
            "ok-1": static(page("A good story")),
            "ok-2": static(page("Another good story")),
            "missing": static("<html><body>Not found</body></html>", status=404),
            "error": static("<html><body>Internal error</body></html>", status=500),
            "slow": sleeping(6, static(page("Too late"))),
            "huge-streamed": Streamed(HUGE),
            "huge-declared": Streamed(HUGE, declare=True),
            "random-bytes": static(bytes(rng.getrandbits(8) for _ in range(200_000)), "text/html"),
            "unknown-charset": static(page("Unknown charset"), "text/html; charset=x-no-such-charset"),
            "utf16-declared": static(page("Declared UTF-16, sent as UTF-8"), "text/html; charset=utf-16"),
            "no-text": static(page("Subscribe", "Sign in to read more.")),
        }
        for name, responder in pages.items():
            server.route(url(name, "/story.html"), responder)
        for n, name in enumerate(LOOP_HOSTS):  # a redirect cycle across four hosts, back to the first
            server.route(url(name, "/story.html"), redirect(url(LOOP_HOSTS[(n + 1) % 4], "/story.html")))
        links = [url(name, "/story.html") for name in [*pages, LOOP_HOSTS[0]]]
        server.route(url("feed-pages", "/feed.xml"), static(rss([{"link": u} for u in links]), "application/rss+xml"))
        started = time.monotonic()
        result, max_rss, db = run_crawl(tmp_path, server, [url("feed-pages", "/feed.xml")], PAGE_SETTINGS)
        elapsed = time.monotonic() - started
        hits = dict(server.hits)
        sent = {name: pages[name].sent for name in ("huge-streamed", "huge-declared")}
    print(f"hostile pages crawl: {elapsed:.1f}s, max RSS {max_rss / 2**20:.0f} MiB, bytes sent {sent}")
    return result, max_rss, db, hits, sent, links


def outcome(db, name: str) -> tuple[str, str]:
    """What became of a page: ("article", url) or (stage, error)."""
    link = url(name, "/story.html")
    stored = list(db.query("select url from articles where fetched_url = ? or url = ?", [link, link]))
    recorded = [r for r in db.query("select stage, error from failures where url = ?", [link])]
    assert len(stored) + len(recorded) == 1, (name, stored, recorded)
    return ("article", stored[0]["url"]) if stored else (recorded[0]["stage"], recorded[0]["error"])


def test_page_crawl_finishes_and_accounts_for_every_link(page_crawl):
    result, max_rss, db, _, _, links = page_crawl
    assert result.returncode == 0, result.stderr[-3000:]  # the feed itself was read: pages failing is not fatal
    assert articles_by_url(db)[url("ok-1", "/story.html")] == 1
    assert articles_by_url(db)[url("ok-2", "/story.html")] == 1
    for link in links:  # every link is an article or a failure, never silently dropped
        outcome(db, link.split("//")[1].split(".")[0])
    assert summary(result.stderr)["failures recorded"] == db["failures"].count
    assert max_rss < MAX_RSS_BYTES


def test_a_404_is_recorded(page_crawl):
    assert outcome(page_crawl[2], "missing") == ("fetch", "HTTP 404")


def test_a_500_is_retried_then_recorded(page_crawl):
    _, _, db, hits, _, _ = page_crawl
    assert outcome(db, "error") == ("fetch", "HTTP 500")
    assert hits[("error.hostile.example", "/story.html")] == 3  # RETRY_TIMES = 2


def test_a_redirect_loop_is_recorded(page_crawl):
    _, _, db, hits, _, _ = page_crawl
    stage, error = outcome(db, LOOP_HOSTS[0])
    assert stage == "fetch" and "redirect" in error.lower(), error
    assert sum(hits[(f"{name}.hostile.example", "/story.html")] for name in LOOP_HOSTS) <= 25


def test_a_page_slower_than_the_download_timeout_is_recorded(page_crawl):
    _, _, db, hits, _, _ = page_crawl
    stage, error = outcome(db, "slow")
    assert stage == "fetch" and "TimeoutError" in error, error
    assert hits[("slow.hostile.example", "/story.html")] == 3  # timeouts are retried too


@pytest.mark.parametrize("name", ["huge-streamed", "huge-declared"])
def test_a_response_of_hundreds_of_megabytes_is_stopped_at_the_maximum_size(page_crawl, name):
    _, _, db, _, sent, _ = page_crawl
    stage, error = outcome(db, name)
    assert stage == "fetch" and error, error
    assert sent[name] < 64 * 1024 * 1024, f"{sent[name] / 2**20:.0f} MiB sent before the crawler hung up"


def test_random_bytes_served_as_html_are_recorded(page_crawl):
    stage, error = outcome(page_crawl[2], "random-bytes")
    assert stage == "extract", error


@pytest.mark.parametrize("name", ["unknown-charset", "utf16-declared"])
def test_a_wrong_charset_declaration_is_stored_or_recorded(page_crawl, name):
    kind, detail = outcome(page_crawl[2], name)
    assert kind in ("article", "extract"), detail


def test_a_page_without_article_text_is_recorded(page_crawl):
    stage, error = outcome(page_crawl[2], "no-text")
    assert stage == "extract" and error.startswith("no article text found"), error


# --- property-based: the feed reader, URL normalization, country linking ------------------------------------
# (the extractor on arbitrary Unicode: tests/test_extractor.py, test_extractor_never_raises_on_arbitrary_text)


def _feed_spider():
    from scrapy.utils.test import get_crawler

    from spiders.feeds import FeedSpider

    crawler = get_crawler(FeedSpider)
    return FeedSpider.from_crawler(crawler)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(
            st.sampled_from(
                ["<rss>", "<item>", "<link>", "javascript:x", "http://a.invalid/", "</item>", "&amp;", "\x00"]
            )
        ).map(lambda parts: ('<?xml version="1.0"?><rss version="2.0"><channel>' + "".join(parts)).encode()),
    )
)
def test_the_feed_reader_never_raises_on_arbitrary_bytes(body):
    import scrapy
    from scrapy.http import Response

    from models import Failure, Feed, FeedCheck

    spider = _feed_spider()
    feed = Feed(url="http://feed.hostile.example/feed.xml", outlet="Hostile")
    response = Response(feed.url, status=200, body=body, headers={"Content-Type": "application/rss+xml"})
    out = list(spider.parse_feed(response, feed))
    assert out and isinstance(out[0], FeedCheck)
    assert all(isinstance(o, FeedCheck | Failure | scrapy.Request) for o in out)
    assert all(o.url.startswith(("http://", "https://")) for o in out if isinstance(o, scrapy.Request))


@given(st.text(), st.sampled_from(["http", "https", "HTTP", "Https"]), st.text(max_size=30))
def test_url_normalization_is_idempotent_and_drops_tracking(path, scheme, tracking):
    from urllib.parse import parse_qs, quote, urlsplit

    from spiders.urls import is_fetchable

    url_ = f"{scheme}://News.Example.org/{quote(path)}?utm_source={quote(tracking)}&fbclid=x#frag"
    once = normalize_url(url_)
    assert normalize_url(once) == once
    parameters = parse_qs(urlsplit(once).query, keep_blank_values=True)
    assert "utm_source" not in parameters and "fbclid" not in parameters and "#" not in once
    assert is_fetchable(once)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_country_linking_never_raises_on_arbitrary_text(text):
    from pipeline.components.countries import country_of_text

    result = country_of_text(text)
    assert result is None or isinstance(result, str)
