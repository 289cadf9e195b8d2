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
