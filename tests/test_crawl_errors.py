"""A crawl that breaks must say so: exit status 1 and a message, never a quiet '0 feeds read'."""

from __future__ import annotations

import os
import subprocess
import sys

from demo.server import serve_site
from tests.conftest import REPO


def _crawl_with(tmp_path, sabotage: str, feeds_text: str) -> subprocess.CompletedProcess:
    """Run ``migtrack crawl`` in a child process where ``sabotage`` (Python) runs first, via sitecustomize."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(sabotage)
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(feeds_text)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(REPO)])}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "crawl", "--feeds", str(feeds), "--db", str(tmp_path / "m.db")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip


def test_a_crawl_whose_storage_cannot_start_fails_loudly(tmp_path):
    result = _crawl_with(
        tmp_path,
        "import spiders.pipelines as p\n"
        "def _broken(*args, **kwargs):\n"
        "    raise RuntimeError('storage cannot start')\n"
        "p.ArticleStore.stories = property(_broken)\n"
        "p.store.upsert_feeds = _broken\n",
        '[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\noutlet = "T"\n',
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "crawl: did not complete (finish reason None" in result.stderr


def test_a_crawl_that_cannot_store_stops_and_says_so(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "story.html").write_text(
        "<html><body><p>" + "Mexico agreed to accept deportees. " * 20 + "</p></body></html>"
    )
    with serve_site(site) as base:
        (site / "feed.rss").write_text(
            f'<rss version="2.0"><channel><title>T</title><item><link>{base}/story.html</link></item></channel></rss>'
        )
        # the disk fills up at the first article: what SQLite raises then, raised where the pipeline writes
        result = _crawl_with(
            tmp_path,
            "import sqlite3\n"
            "import db.store as store\n"
            "def _full(*args, **kwargs):\n"
            "    raise sqlite3.OperationalError('database or disk is full')\n"
            "store.upsert_article = _full\n",
            f'[[feeds]]\nurl = "{base}/feed.rss"\noutlet = "T"\n',
        )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "database or disk is full; stopping the crawl" in result.stderr
    assert "crawl: did not complete (finish reason 'storage_error'" in result.stderr
