"""Scrapyd: the project deployed with scrapyd-deploy to a real Scrapyd, the feed spider scheduled over HTTP."""

from __future__ import annotations

import configparser
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils

from demo.server import serve_site
from tests.conftest import REPO
from tests.test_incremental import TEXT, add_entry

BIN = Path(sys.executable).parent
# what pyproject.toml packs: the egg is built from a copy, because scrapyd-deploy writes setup.py and build/
PROJECT_FILES = ["scrapy.cfg", "pyproject.toml", "README.md", "spiders", "pipeline", "models", "db", "demo"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api(base: str, endpoint: str, **form: str) -> dict:
    """GET (no form) or POST one Scrapyd endpoint; its JSON answer."""
    data = urllib.parse.urlencode(form).encode() if form else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=data, timeout=30) as response:
        return json.load(response)


@contextmanager
def scrapyd(workdir: Path):
    """A Scrapyd on 127.0.0.1 whose eggs, logs and job database stay in ``workdir``; yields its URL."""
    port = free_port()
    (workdir / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {workdir / 'eggs'}\nlogs_dir = {workdir / 'logs'}\ndbs_dir = {workdir / 'dbs'}\n"
        "items_dir =\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    log = (workdir / "scrapyd.log").open("w")
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                api(base, "daemonstatus.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"scrapyd did not start: {(workdir / 'scrapyd.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def deploy(project_copy: Path, base: str) -> None:
    """``scrapyd-deploy local``, as README says, with the target's url pointed at this test's Scrapyd."""
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project_copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project_copy / name)
    cfg = configparser.ConfigParser()
    cfg.read(project_copy / "scrapy.cfg")
    assert cfg["deploy:local"]["project"] == "migtrack"
    cfg["deploy:local"]["url"] = f"{base}/"
    with (project_copy / "scrapy.cfg").open("w") as handle:
        cfg.write(handle)
    result = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "local"], cwd=project_copy, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0 and '"status": "ok"' in result.stdout, result.stdout + result.stderr


def test_scrapyd_runs_the_feed_spider_into_the_database(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("one", "two"):
        (site / f"{name}.html").write_text(f"<html><head><title>{name}</title></head><body><p>{TEXT}</p></body></html>")
    db_path = tmp_path / "migtrack.db"
    (tmp_path / "scrapyd").mkdir()
    (tmp_path / "project").mkdir()
    with serve_site(site) as site_url, scrapyd(tmp_path / "scrapyd") as base:
        (site / "feed.rss").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>{site_url}/</link>'
            f"<item><title>one</title><link>{site_url}/one.html</link></item>"
            f"<item><title>two</title><link>{site_url}/two.html</link></item></channel></rss>"
        )
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{site_url}/feed.rss"\noutlet = "Test"\n')
        deploy(tmp_path / "project", base)
        assert "feeds" in api(base, "listspiders.json?project=migtrack")["spiders"]

        first = run_job(base, tmp_path, feeds_file=str(feeds), setting=f"MIGTRACK_DB={db_path}")
        # the next job reads what the first left in the database: the feed is unchanged, no page is fetched
        (site / "one.html").write_text("<html><body>changed, but not to be fetched again</body></html>")
        second = run_job(base, tmp_path, feeds_file=str(feeds), setting=f"MIGTRACK_DB={db_path}")
        # the feed gains an entry: now it is read, and of its three pages only the new one is fetched (a feed
        # answering 304 never reaches the check that skips stored pages, issue 15)
        gained = add_entry(feeds, "three.html")
        (site / "two.html").write_text("<html><body>changed, but not to be fetched again</body></html>")
        after_gain = run_job(base, tmp_path, feeds_file=str(feeds), setting=f"MIGTRACK_DB={db_path}")
        # with only_due, the feed is not due for ten minutes or more: nothing is requested at all
        third = run_job(base, tmp_path, feeds_file=str(feeds), setting=f"MIGTRACK_DB={db_path}", only_due="1")

    db = sqlite_utils.Database(db_path)
    urls = sorted(row["url"] for row in db.query("select url from articles"))
    assert urls == [f"{site_url}/one.html", gained, f"{site_url}/two.html"], first[-3000:]
    assert "'finish_reason': 'finished'" in first
    assert "1 feeds known, 2 pages stored, 1 feeds to fetch" in second, second[-3000:]
    assert "'migtrack/feeds_not_modified': 1" in second and "'response_received_count': 2" in second  # robots, feed
    assert "'migtrack/feeds_read': 1" in after_gain and "'migtrack/links_known': 2" in after_gain, after_gain[-3000:]
    assert "'migtrack/articles_new': 1" in after_gain
    assert "'response_received_count': 3" in after_gain  # robots, feed, three.html
    assert "1 feeds to fetch" not in third and "0 feeds to fetch" in third, third[-3000:]
    assert "response_received_count" not in third
    assert "changed" not in next(db.query("select text from articles where url like '%one.html'"))["text"]
    assert "changed" not in next(db.query("select text from articles where url like '%two.html'"))["text"]


def run_job(base: str, tmp_path: Path, **arguments: str) -> str:
    """Schedule the feed spider through Scrapyd's HTTP API, wait for the job to finish; its log."""
    job = api(base, "schedule.json", project="migtrack", spider="feeds", **arguments)
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 120
    while not any(j["id"] == job["jobid"] for j in api(base, "listjobs.json?project=migtrack")["finished"]):
        assert time.monotonic() < deadline, "the Scrapyd job did not finish within 120 s"
        time.sleep(0.5)
    job_log = tmp_path / "scrapyd" / "logs" / "migtrack" / "feeds" / f"{job['jobid']}.log"
    return job_log.read_text() if job_log.exists() else "(no job log)"
