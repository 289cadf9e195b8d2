"""Retuning the scorer's thresholds on rounds newer than its training data: real labelled lines and a copy
of the real weights file in tmp_path, the real extractor reading them."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from models.stances import STANCES
from pipeline.retune_thresholds import newer_than
from tests.conftest import GOLD_DIR, REPO, SHARED_GOLD, read_jsonl

SCORER = REPO / "pipeline" / "lexicons" / "scorer.json"


def run_retune(*arguments: str) -> subprocess.CompletedProcess:
    """``python -m pipeline.retune_thresholds ARGUMENTS`` in the repository, as a user runs it."""
    command = [sys.executable, "-m", "pipeline.retune_thresholds", *arguments]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)


def one_item_file(tmp_path, item_id: str):
    """A labelled file of one item of part ``item_id`` names."""
    labelled = tmp_path / "rounds.jsonl"
    labelled.write_text(json.dumps({"id": item_id, "text": "x", "positions": []}) + "\n", encoding="utf-8")
    return labelled


def test_only_the_parts_numbered_after_the_boundary_are_new():
    items = [{"id": "en_more102-0007"}, {"id": "en_more103-0001"}, {"id": "en_more140-0012"}, {"id": "es_more150-0001"},
             {"id": "enmx-0001"}, {"id": "en9-0001"}]  # fmt: skip
    assert [item["id"] for item in newer_than(items, "en_more102")] == ["en_more103-0001", "en_more140-0012"]
    with pytest.raises(click.BadParameter):
        newer_than(items, "more")


def test_the_retuned_thresholds_are_written_and_the_weights_kept(tmp_path):
    scorer = tmp_path / "scorer.json"
    scorer.write_text(SCORER.read_text(encoding="utf-8"), encoding="utf-8")
    labelled = tmp_path / "rounds.jsonl"
    dev = read_jsonl(GOLD_DIR / "real" / "en_dev.jsonl")
    new = newer_than(dev, "en_more99")[:80]
    old = [item for item in dev if item["id"].startswith("en_more") and item not in newer_than(dev, "en_more99")][:20]
    labelled.write_text("".join(json.dumps(item) + "\n" for item in old + new), encoding="utf-8")
    result = run_retune(str(scorer), str(labelled), "--newer-than", "en_more99",
                        "--guard", f"{SHARED_GOLD / 'seeds.jsonl'}:1.0", "--min-items", "50", "--write")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "80 items newer than en_more99" in result.stdout
    before = json.loads(SCORER.read_text(encoding="utf-8"))
    after = json.loads(scorer.read_text(encoding="utf-8"))
    assert after["weights"] == before["weights"] and after["bias"] == before["bias"]
    assert set(after["thresholds"]) == {*STANCES, "rule", "bare"}
    assert after["retuned_on"]["newer_than"] == "en_more99" and after["retuned_on"]["items"] == 80
    assert after["threshold"] == min(after["thresholds"][stance] for stance in STANCES)


def test_nothing_newer_than_the_boundary_is_a_clear_error(tmp_path):
    result = run_retune(str(SCORER), str(one_item_file(tmp_path, "en_more5-0001")), "--newer-than", "en_more102")
    assert result.returncode != 0 and "no labelled item is newer than en_more102" in result.stderr


def test_a_boundary_at_the_newest_part_leaves_the_thresholds_as_they_are(tmp_path):
    """Right after a retraining the boundary is the newest part: nothing to tune on yet, and no error."""
    result = run_retune(str(SCORER), str(one_item_file(tmp_path, "en_more102-0001")), "--newer-than", "en_more102")
    assert result.returncode == 0 and "0 items newer than en_more102, fewer than 1000" in result.stdout


def test_too_few_new_items_leave_the_thresholds_as_they_are(tmp_path):
    """A grid searched on a round or two would fit their noise: below --min-items nothing is written."""
    scorer = tmp_path / "scorer.json"
    original = SCORER.read_text(encoding="utf-8")
    scorer.write_text(original, encoding="utf-8")
    labelled = tmp_path / "rounds.jsonl"
    new = newer_than(read_jsonl(GOLD_DIR / "real" / "en_dev.jsonl"), "en_more99")[:30]
    labelled.write_text("".join(json.dumps(item) + "\n" for item in new), encoding="utf-8")
    result = run_retune(str(scorer), str(labelled), "--newer-than", "en_more99", "--write")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "30 items newer than en_more99, fewer than 1000" in result.stdout
    assert scorer.read_text(encoding="utf-8") == original
