"""A feed cannot turn the crawler on its own network (issue 14): links to loopback, private, link-local
and reserved addresses are refused and recorded, crawled for real from a feed served on 127.0.0.1."""

from __future__ import annotations

import pytest
import sqlite_utils

from demo.server import serve_site
from spiders.addresses import is_private
from tests.conftest import run_cli
from tests.test_crawl_bad_input import PARAGRAPH, _page, _rss


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("127.0.0.2", True),
        ("[::1]", True),
        ("10.1.2.3", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),  # cloud metadata
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.216.34", False),
        ("news.example", False),  # a name: checked where it resolves
    ],
)
def test_private_addresses(host, private):
    assert is_private(host) is private


def test_links_into_the_crawlers_own_network_are_refused_and_recorded(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (site / "good.html").write_text(_page("Mexico accepts deportees", PARAGRAPH * 3))
    (site / "inside.html").write_text(_page("What only the machine should see", PARAGRAPH * 3))
    with serve_site(site) as base:
        port = base.rsplit(":", 1)[1]
        refused = [
            f"http://127.0.0.2:{port}/inside.html",
            f"http://[::1]:{port}/inside.html",
            f"http://localhost:{port}/inside.html",  # a name the crawl's resolver turns into 127.0.0.1
            "http://169.254.169.254/latest/meta-data/",
        ]
        (site / "feed.xml").write_text(_rss(base, [f"{base}/good.html", *refused]))
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{base}/feed.xml"\noutlet = "Test"\nlanguage = "en"\n')
        result = run_cli("crawl", "--feeds", str(feeds), "--db", str(tmp_path / "migtrack.db"))
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite_utils.Database(tmp_path / "migtrack.db")
    # the feed's own host is allowed: its article arrives
    assert [r["url"] for r in db.query("select url from articles")] == [f"{base}/good.html"]
    failures = {r["url"]: (r["stage"], r["error"]) for r in db.query("select url, stage, error from failures")}
    for link in refused:
        assert failures.get(link) == ("link", "private address refused"), (link, failures)


def test_a_host_the_configuration_allows_is_fetched(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (site / "story.html").write_text(_page("Guatemala receives flights", PARAGRAPH * 3))
    with serve_site(site) as base:
        port = base.rsplit(":", 1)[1]
        (site / "feed.xml").write_text(_rss(base, [f"http://localhost:{port}/story.html"]))
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{base}/feed.xml"\noutlet = "Test"\nlanguage = "en"\n')
        config = tmp_path / "migtrack.toml"
        config.write_text('[settings]\nallow_private_hosts = ["localhost"]\n')
        result = run_cli("--config", str(config), "crawl", "--feeds", str(feeds), "--db", str(tmp_path / "migtrack.db"))
    assert result.returncode == 0, result.stderr[-3000:]
    urls = [r["url"] for r in sqlite_utils.Database(tmp_path / "migtrack.db").query("select url from articles")]
    assert urls == [f"http://localhost:{port}/story.html"]
