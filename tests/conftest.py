"""Shared fixtures: the real spaCy pipeline (loaded once), the real CLI, real files in tmp_path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO / "gold"
SHARED_GOLD = REPO.parent / "shared" / "gold"
MIGTRACK = Path(sys.executable).parent / "migtrack"


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None, timeout: int = 900):
    """Run the installed ``migtrack`` console script, as a user would."""
    return subprocess.run(
        [str(MIGTRACK), *args], input=input, capture_output=True, text=True, cwd=cwd or REPO, timeout=timeout
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def extractor():
    from pipeline.extract import Extractor

    return Extractor()


def stance_finder_positions(extractor, text: str) -> list[dict]:
    """The positions the stance finder's rules read in a one-sentence ``text``, before the scorer weighs
    them (a retrained scorer may keep or drop a reading; the rules' reading is what a rule test checks)."""
    parser = extractor.pipelines.parser
    with parser.select_pipes(disable=["migtrack_position_scorer", "migtrack_counterpart_chooser"]):
        ((_, doc, _),) = extractor.parsed_sentences([text])
    return doc._.positions


def stance_finder_readings(extractor, lines: list[str], marker: str) -> set[tuple[str, str]]:
    """The (actor, stance) pairs the stance finder reads in the sentences that hold ``marker`` of ``lines``
    read as one page, before the scorer weighs them: what the article around a sentence lets the rules see."""
    parser = extractor.pipelines.parser
    with parser.select_pipes(disable=["migtrack_position_scorer", "migtrack_counterpart_chooser"]):
        parsed = extractor.parsed_sentences(lines, pages=["page"] * len(lines))
        docs = [doc for _, doc, _ in parsed if marker in doc.text]
    return {(p["actor"], p["stance"]) for doc in docs for p in doc._.positions}


def table_counts(db_path: Path) -> dict[str, int]:
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    return {name: db[name].count for name in ("feeds", "articles", "entities", "positions", "events", "failures")}


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory):
    """``migtrack demo --no-serve`` twice on one database: (path, first run, second run, counts after the first)."""
    db_path = tmp_path_factory.mktemp("demo") / "migtrack.db"
    first = run_cli("demo", "--no-serve", "--db", str(db_path))
    assert first.returncode == 0, first.stderr[-3000:]
    counts_after_first = table_counts(db_path)
    second = run_cli("demo", "--no-serve", "--db", str(db_path))
    assert second.returncode == 0, second.stderr[-3000:]
    return db_path, first, second, counts_after_first


@pytest.fixture(scope="session")
def demo_db(demo_runs) -> Path:
    return demo_runs[0]
