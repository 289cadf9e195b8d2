"""A crawl that breaks must say so: exit status 1 and a message, never a quiet '0 feeds read'."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_a_crawl_whose_storage_cannot_start_fails_loudly(tmp_path):
    # a sitecustomize on the path breaks the item pipeline's set-up in the child process only
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import spiders.pipelines as p\n"
        "def _broken(*args, **kwargs):\n"
        "    raise RuntimeError('storage cannot start')\n"
        "p.StoryIndex.from_rows = _broken\n"
    )
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\noutlet = "T"\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(REPO)])}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "crawl", "--feeds", str(feeds), "--db", str(tmp_path / "m.db")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-2000:]
    assert "crawl: did not complete (finish reason None" in result.stderr


def test_a_crawl_that_cannot_store_stops_and_says_so(tmp_path):
    from demo.server import serve_site

    site = tmp_path / "site"
    site.mkdir()
    (site / "story.html").write_text(
        "<html><body><p>" + "Mexico agreed to accept deportees. " * 20 + "</p></body></html>"
    )
    hook = tmp_path / "hook"
    hook.mkdir()
    # the disk fills up at the first article: what SQLite raises then, raised where the pipeline writes
    (hook / "sitecustomize.py").write_text(
        "import sqlite3\n"
        "import db.store as store\n"
        "def _full(*args, **kwargs):\n"
        "    raise sqlite3.OperationalError('database or disk is full')\n"
        "store.upsert_article = _full\n"
    )
    with serve_site(site) as base:
        (site / "feed.rss").write_text(
            f'<rss version="2.0"><channel><title>T</title><item><link>{base}/story.html</link></item></channel></rss>'
        )
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nurl = "{base}/feed.rss"\noutlet = "T"\n')
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(REPO)])}
        result = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "crawl", "--feeds", str(feeds), "--db", str(tmp_path / "m.db")],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
        )  # fmt: skip
    assert result.returncode == 1, result.stderr[-2000:]
    assert "database or disk is full; stopping the crawl" in result.stderr
    assert "crawl: did not complete (finish reason 'storage_error'" in result.stderr
