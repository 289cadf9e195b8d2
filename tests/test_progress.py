"""``migtrack crawl`` shows progress bars (feeds, pages) on a terminal only: cron and pipes get the
summary lines and nothing else (issue 14)."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest

from demo.server import serve_site
from tests.conftest import MIGTRACK, REPO, run_cli

PARAGRAPH = (
    "Guatemala agreed on Tuesday to accept more deportation flights from the United States, officials said, "
    "after talks between the two governments over the arrangement. "
)
ESCAPE = "\x1b["  # how rich draws and clears its bars


@pytest.fixture
def small_site(tmp_path):
    """A feed of five pages on 127.0.0.1, and its feeds file."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    for n in range(5):
        (site / f"story-{n}.html").write_text(
            f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
            f"<p>{PARAGRAPH * 3}</p></article></body></html>"
        )
    with serve_site(site) as base:
        items = "".join(f"<item><title>Story {n}</title><link>{base}/story-{n}.html</link></item>" for n in range(5))
        (site / "feed.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{base}/feed.xml"\noutlet = "Test"\nlanguage = "en"\n')
        yield feeds


def test_a_crawl_into_a_pipe_prints_the_summary_and_no_bar(small_site, tmp_path):
    result = run_cli("crawl", "--feeds", str(small_site), "--db", str(tmp_path / "migtrack.db"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert ESCAPE not in result.stderr and "━" not in result.stderr
    [summary] = result.stderr.splitlines()  # no warnings here: the summary line alone
    assert summary.startswith("crawl: 1 feeds read") and "5 new articles" in summary


def test_a_crawl_on_a_terminal_draws_feed_and_page_bars_then_the_summary(small_site, tmp_path):
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [str(MIGTRACK), "crawl", "--feeds", str(small_site), "--db", str(tmp_path / "migtrack.db")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, cwd=REPO, env=env,
    )  # fmt: skip
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the crawl has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.wait(timeout=300) == 0
    text = shown.decode("utf-8", errors="replace")
    assert ESCAPE in text and "feeds" in text and "pages" in text
    assert "crawl: 1 feeds read" in text and "5 new articles" in text
