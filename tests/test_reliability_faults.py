"""Faults: SIGKILL during a crawl, during extraction and during database writes; a read-only database; a
full disk. After each, the next run must complete and leave the database an uninterrupted run would have
made. (A corrupt or foreign SQLite file as --db: tests/test_demo_pipeline.py,
test_a_foreign_sqlite_file_is_refused_not_overwritten and test_a_file_that_is_not_sqlite_is_refused.)
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import MIGTRACK, REPO
from tests.hostile.server import hostile_server, sleeping, static, url
from tests.test_reliability_inputs import page, rss

POSITION_KEY = (
    "select a.url, p.actor, p.stance, p.counterpart, p.start from positions p join articles a on a.id = p.article_id"
)
EVENT_KEY = "select actor, stance, counterpart, negated, event_month, n_articles, n_positions from events"


def readonly_query(db_path: Path, sql: str, params=()) -> list[tuple]:
    """Read the database the way a bystander would, without taking part in its writes."""
    if not db_path.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet, or its tables not yet
        return []


def popen_cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [str(MIGTRACK), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def wait_until(condition, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"ended before it could be killed: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("condition never met")
        time.sleep(0.05)


def sigkill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def integrity(db_path: Path) -> str:
    return sqlite3.connect(db_path).execute("pragma integrity_check").fetchone()[0]


# --- SIGKILL during a crawl ---------------------------------------------------------------------------------

N_PAGES = 10


def _slow_site(server) -> list[str]:
    links = [url("slow-site", f"/story-{n}.html") for n in range(N_PAGES)]
    for n, link in enumerate(links):
        server.route(link, sleeping(0.2, static(page(f"Story {n}"))))
    server.route(url("slow-feed", "/feed.xml"), static(rss([{"link": u} for u in links]), "application/rss+xml"))
    return links


def test_sigkill_during_a_crawl_then_a_rerun_equals_an_uninterrupted_crawl(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feeds]]\nurl = "{url("slow-feed", "/feed.xml")}"\noutlet = "Slow"\n')
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
    with hostile_server() as server:
        links = _slow_site(server)
        env = {"http_proxy": server.base, "no_proxy": ""}
        crawl = ("crawl", "--feeds", str(feeds), "--db")
        proc = popen_cli(*crawl, str(killed_db), env=env)
        wait_until(lambda: len(readonly_query(killed_db, "select id from articles")) >= 3, 120, proc)
        sigkill(proc)  # one page per second: most of the feed is still to come
        stored_at_kill = len(readonly_query(killed_db, "select id from articles"))
        assert stored_at_kill < N_PAGES
        assert integrity(killed_db) == "ok"
        # the feed's body hash is written only when a crawl finishes: the rerun reads the feed again
        assert readonly_query(killed_db, "select body_hash from feeds") == [(None,)]
        rerun = popen_cli(*crawl, str(killed_db), env=env)
        clean = popen_cli(*crawl, str(clean_db), env=env)
        for proc in (rerun, clean):
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err[-3000:]
            assert "crawl: 1 feeds read" in err, err[-3000:]
    killed = sqlite_utils.Database(killed_db)
    rows = [r["url"] for r in killed.query("select url from articles")]
    assert sorted(rows) == sorted(links), f"{stored_at_kill} stored before the kill; after the rerun: {rows}"
    clean_rows = [r["url"] for r in sqlite_utils.Database(clean_db).query("select url from articles")]
    assert sorted(rows) == sorted(clean_rows)


# --- SIGKILL during extraction and during its writes ---------------------------------------------------------

BATCH = "[settings]\nbatch_size = 2\n"  # small batches: writes every two articles, so a kill lands mid-run


def _unprocessed_copy(demo_db: Path, target: Path) -> Path:
    """The demo database with its articles only: extraction results and events gone, nothing processed."""
    source = sqlite3.connect(demo_db)
    dest = sqlite3.connect(target)
    source.backup(dest)
    source.close()
    with dest:
        for table in ("positions", "entities", "events"):
            dest.execute(f"delete from {table}")
        dest.execute("update articles set processed_at = null, extractor_version = null")
    dest.close()
    return target


def _positions(db_path: Path) -> list[tuple]:
    return sorted(sqlite3.connect(db_path).execute(POSITION_KEY).fetchall(), key=repr)


def _events(db_path: Path) -> list[tuple]:
    return sorted(sqlite3.connect(db_path).execute(EVENT_KEY).fetchall(), key=repr)


@pytest.fixture(scope="module")
def batch_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("faults-config") / "migtrack.toml"
    path.write_text(BATCH)
    return path


@pytest.fixture(scope="module")
def reference(demo_db, tmp_path_factory, batch_config) -> Path:
    """An uninterrupted ``migtrack process`` over the demo articles."""
    path = _unprocessed_copy(demo_db, tmp_path_factory.mktemp("reference") / "migtrack.db")
    proc = popen_cli("--config", str(batch_config), "process", "--db", str(path))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert _positions(path)
    return path


def test_sigkill_during_extraction_then_a_rerun_equals_an_uninterrupted_run(demo_db, reference, batch_config, tmp_path):
    path = _unprocessed_copy(demo_db, tmp_path / "migtrack.db")
    total = len(readonly_query(path, "select id from articles"))
    process = ("--config", str(batch_config), "process", "--db", str(path))
    proc = popen_cli(*process)
    done = "select id from articles where processed_at is not null"
    wait_until(lambda: len(readonly_query(path, done)) >= 6, 180, proc)
    sigkill(proc)
    processed_at_kill = len(readonly_query(path, done))
    assert 0 < processed_at_kill < total
    assert integrity(path) == "ok"
    proc = popen_cli(*process)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert _positions(path) == _positions(reference)
    assert _events(path) == _events(reference)


def _consistent_with(path: Path, reference: Path) -> None:
    """Every article marked processed has exactly the reference's positions; the others have none."""
    expected: dict[str, list] = {}
    for row in _positions(reference):
        expected.setdefault(row[0], []).append(row)
    conn = sqlite3.connect(path)
    processed = {url for (url,) in conn.execute("select url from articles where processed_at is not null")}
    actual: dict[str, list] = {}
    for row in _positions(path):
        actual.setdefault(row[0], []).append(row)
    for url_ in set(expected) | set(actual):
        assert actual.get(url_, []) == (expected.get(url_, []) if url_ in processed else []), url_


KILL_MARGIN = 12  # articles left to do at the latest kill: more than a run gets through in the 0.3 s after it


def test_sigkill_at_random_moments_of_extraction_leaves_no_half_written_article(
    demo_db, reference, batch_config, tmp_path
):
    path = _unprocessed_copy(demo_db, tmp_path / "migtrack.db")
    process = ("--config", str(batch_config), "process", "--db", str(path))
    total = len(readonly_query(path, "select id from articles"))
    done = "select id from articles where processed_at is not null"
    rng = random.Random(6)
    for _ in range(3):
        # a random moment by progress, not by the clock: while the model loads (no new article yet) or between
        # and during the writes that follow every two articles, always with articles left to do, so the kill
        # lands on a running process however fast the machine is (a clock-timed kill could come just after the
        # last article and find the run finished)
        before = len(readonly_query(path, done))
        target = before + rng.randint(0, max(0, total - before - KILL_MARGIN))
        proc = popen_cli(*process)
        wait_until(lambda target=target: len(readonly_query(path, done)) >= target, 180, proc)
        time.sleep(rng.uniform(0.0, 0.3))
        sigkill(proc)
        assert integrity(path) == "ok"
        _consistent_with(path, reference)
    proc = popen_cli(*process)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert _positions(path) == _positions(reference)
    assert _events(path) == _events(reference)


# --- a read-only database, a full disk -----------------------------------------------------------------------


def _as_unprivileged(command: list[str]) -> list[str]:
    """Root ignores file modes; drop CAP_DAC_OVERRIDE so chmod 0444 binds root too (util-linux setpriv)."""
    if os.geteuid() != 0:
        return command
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: a read-only file cannot be made read-only for root")
    return ["setpriv", "--bounding-set", "-dac_override", "--inh-caps", "-dac_override", *command]


@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_read_only_database_is_a_clear_error_and_is_left_untouched(reference, tmp_path, what):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "migtrack.db"
    shutil.copy(reference, path)
    with sqlite3.connect(path) as conn:  # one article to do, so process has something to write
        conn.execute("update articles set processed_at = null where rowid = (select min(rowid) from articles)")
    conn.close()
    before = path.read_bytes()
    (path if what == "file" else folder).chmod(0o444 if what == "file" else 0o555)
    try:
        result = subprocess.run(
            _as_unprivileged([str(MIGTRACK), "process", "--db", str(path)]),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    print(what, result.returncode, result.stderr[-600:])
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "Error: " in result.stderr and "read" in result.stderr.lower(), result.stderr[-3000:]
    assert "not a SQLite database" not in result.stderr, "a read-only database is not a foreign file"
    assert path.read_bytes() == before


def _can_mount_a_private_tmpfs() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k none /mnt && umount /mnt"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


def test_a_full_disk_is_a_clear_error_and_nothing_is_half_written(demo_db, reference, batch_config, tmp_path):
    """A real ENOSPC: the database sits on a tmpfs a few hundred KB larger than itself, mounted in a private
    mount namespace (``unshare -m``) that disappears with the command; nothing outside it is touched."""
    if not _can_mount_a_private_tmpfs():
        pytest.skip("needs unshare and CAP_SYS_ADMIN to mount a tiny private tmpfs; disk-full not simulated")
    source = _unprocessed_copy(demo_db, tmp_path / "source.db")
    mount, out = tmp_path / "tiny", tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    size = source.stat().st_size + 768 * 1024
    script = (
        f"mount -t tmpfs -o size={size} none {mount} && cp {source} {mount}/migtrack.db && "
        f"{MIGTRACK} --config {batch_config} process --db {mount}/migtrack.db; rc=$?; "
        f"cp {mount}/migtrack.db* {out}/; exit $rc"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "Error: cannot write database" in result.stderr and "full" in result.stderr, result.stderr[-3000:]
    path = out / "migtrack.db"
    assert integrity(path) == "ok"
    done = len(readonly_query(path, "select id from articles where processed_at is not null"))
    assert done < len(readonly_query(path, "select id from articles"))  # it did run out of space
    _consistent_with(path, reference)
    print(f"disk full after {done} articles: {result.stderr.strip().splitlines()[-1]}")
    rerun = popen_cli("--config", str(batch_config), "process", "--db", str(path))  # space again: it completes
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err[-3000:]
    assert _positions(path) == _positions(reference)
