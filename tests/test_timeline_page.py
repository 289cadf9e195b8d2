"""The /timeline page in a real browser: Debian's headless chromium against a real ``datasette serve``.

It checks what a reader sees: one mark per event in the DOM the browser built, a mark that leads to
its event page with the evidence sentence, and a screenshot. Set MIGTRACK_SCREENSHOT=docs/timeline.png
to refresh the picture the README shows.
"""

from __future__ import annotations

import html
import os
import shutil
import sqlite3
import subprocess
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from db.serve import datasette_command
from tests.test_datasette import _free_port, serving

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class EventMarks(HTMLParser):
    """Collects the href of the link around each ``<circle class="event-mark ...">`` of the page."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str | None] = []
        self._links: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._links.append(attrs.get("href"))
        elif tag == "circle" and "event-mark" in (attrs.get("class") or "").split():
            self.hrefs.append(self._links[-1] if self._links else None)

    def handle_endtag(self, tag):
        if tag == "a" and self._links:
            self._links.pop()


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: run `bash scripts/setup` as root (it installs Debian's chromium)")
    return path


@pytest.fixture(scope="module")
def site(demo_db):
    port = _free_port()
    with serving(datasette_command(demo_db, port), port) as base:
        yield base


def run_chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_the_browser_draws_one_mark_per_event_each_linking_to_its_evidence(chromium, site, demo_db, tmp_path):
    dom = run_chromium(chromium, tmp_path, "--dump-dom", f"{site}/timeline").stdout
    marks = EventMarks()
    marks.feed(dom)
    with sqlite3.connect(demo_db) as db:
        (n_events,) = db.execute("select count(*) from events").fetchone()
        evidence = dict(db.execute("select id, evidence from events"))
    assert len(marks.hrefs) == n_events > 0
    assert all(href and href.startswith("/migtrack/events/") for href in marks.hrefs)
    assert {href.rsplit("/", 1)[1] for href in marks.hrefs} == set(evidence)

    href = marks.hrefs[0]
    with urllib.request.urlopen(site + href, timeout=10) as response:
        page = " ".join(html.unescape(response.read().decode()).split())
    assert " ".join(evidence[href.rsplit("/", 1)[1]].split()) in page


def test_the_page_looks_like_a_chart(chromium, site, tmp_path):
    screenshot = tmp_path / "timeline.png"
    run_chromium(chromium, tmp_path, f"--screenshot={screenshot}", "--window-size=1400,900", f"{site}/timeline")
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1400 and int.from_bytes(data[20:24], "big") == 900
    assert len(data) > 30_000, "a blank page compresses to a few kilobytes; the chart did not draw"
    if os.environ.get("MIGTRACK_SCREENSHOT"):
        shutil.copyfile(screenshot, os.environ["MIGTRACK_SCREENSHOT"])
