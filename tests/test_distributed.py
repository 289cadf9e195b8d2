"""Distributed mode: two crawler processes sharing a real redis fetch each page once between them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
import sqlite_utils

from tests.conftest import MIGTRACK

N_PAGES = 60
TEXT = (
    "Guatemala agreed on Monday to receive more deportation flights from the United States, including "
    "migrants of other nationalities, the foreign ministry said after talks with U.S. officials. "
) * 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server(workdir: Path):
    """A throwaway redis-server on 127.0.0.1 that keeps nothing on disk; yields its URL."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail("redis-server is not installed: run scripts/setup (as root it installs Debian's redis-server)")
    port = free_port()
    log = (workdir / "redis.log").open("w")
    server = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start: {(workdir / 'redis.log').read_text()[-2000:]}")
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


class CountingHandler(SimpleHTTPRequestHandler):
    """Static files, counting every GET per path (the server's threads share one counter)."""

    def __init__(self, *args, counts: Counter, lock: threading.Lock, **kwargs):
        self.counts, self.lock = counts, lock
        super().__init__(*args, **kwargs)

    def do_GET(self):
        with self.lock:
            self.counts[self.path] += 1
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
        pass


@contextmanager
def counting_site(site: Path):
    counts: Counter = Counter()
    handler = partial(CountingHandler, directory=str(site), counts=counts, lock=threading.Lock())
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counts
    finally:
        server.shutdown()
        server.server_close()


def write_site(site: Path, base: str, n_pages: int) -> list[str]:
    paths = [f"/story-{n:02d}.html" for n in range(n_pages)]
    for n, path in enumerate(paths):
        (site / path.lstrip("/")).write_text(
            f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
            f"<p>Report number {n} from the capital. {TEXT}</p></article></body></html>"
        )
    items = "".join(f"<item><title>Story {n}</title><link>{base}{path}</link></item>" for n, path in enumerate(paths))
    (site / "feed.rss").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>{base}/</link>{items}</channel></rss>'
    )
    return paths


@contextmanager
def shared_crawl(tmp_path: Path, n_pages: int = N_PAGES):
    """A redis-server and a counting site of ``n_pages`` stories with their feed: (redis URL, site URL,
    request counts, story paths, feeds file)."""
    site = tmp_path / "site"
    site.mkdir()
    with redis_server(tmp_path) as redis_url, counting_site(site) as (base, counts):
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{base}/feed.rss"\noutlet = "Test"\n')
        yield redis_url, base, counts, write_site(site, base, n_pages), feeds


def test_two_crawlers_sharing_redis_fetch_each_page_once(tmp_path):
    db_path = tmp_path / "migtrack.db"
    with shared_crawl(tmp_path) as (redis_url, base, counts, paths, feeds):
        command = [str(MIGTRACK), "crawl", "--redis", redis_url, "--feeds", str(feeds), "--db", str(db_path)]
        logs = [(tmp_path / f"crawler{n}.log").open("w+") for n in (1, 2)]
        crawlers = [subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True) for log in logs]
        try:
            statuses = [crawler.wait(timeout=300) for crawler in crawlers]
        finally:
            for crawler in crawlers:
                if crawler.poll() is None:
                    crawler.kill()
        outputs = []
        for log in logs:
            log.seek(0)
            outputs.append(log.read())
            log.close()

    tails = "\n----\n".join(output[-3000:] for output in outputs)
    assert statuses == [0, 0], tails
    assert not any("database is locked" in output for output in outputs), tails
    assert {path: counts[path] for path in paths} == dict.fromkeys(paths, 1), tails
    assert counts["/feed.rss"] == 2  # each crawler reads the feed itself (a conditional GET in later rounds)
    rows = list(sqlite_utils.Database(db_path).query("select url, count(*) as n from articles group by url"))
    assert sorted(row["url"] for row in rows) == sorted(base + path for path in paths)
    assert all(row["n"] == 1 for row in rows)


def test_watch_runs_its_cycles_through_redis(tmp_path):
    """``migtrack watch --redis`` hands the redis to every cycle it starts: the shared duplicate filter
    in redis then knows each page the cycle fetched."""
    db_path = tmp_path / "migtrack.db"
    with shared_crawl(tmp_path, n_pages=5) as (redis_url, _, _, paths, feeds):  # at the polite pace, 1 s a page
        watched = subprocess.run(
            [str(MIGTRACK), "-v", "watch", "--cycles", "1", "--every", "1s", "--redis", redis_url]  # -v: cycle ends
            + ["--feeds", str(feeds), "--db", str(db_path)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        claimed = list(redis.Redis.from_url(redis_url).scan_iter("migtrack:feeds:seen:*"))
    assert watched.returncode == 0 and "ended with status 0" in watched.stderr, watched.stderr[-3000:]
    assert len(claimed) == len(paths)
    assert sqlite_utils.Database(db_path)["articles"].count == len(paths)
