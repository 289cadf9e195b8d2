"""The counterpart chooser: its choice rule, its trainer, and what the trained weights do to real sentences."""

from __future__ import annotations

import json
import subprocess
import sys

from pipeline.components.counterparts import CHOSEN, Choice, CounterpartChooser
from pipeline.components.stances import mentions
from pipeline.evaluate import LOOSE, STRICT, score
from tests.conftest import GOLD_DIR, REPO, read_jsonl


def reading(counterpart: str | None, rule: str = "accept.take_back") -> dict:
    return {"actor": "MEX", "stance": "accept", "counterpart": counterpart, "start": 0, "rule": rule}


def test_the_best_option_replaces_a_reading_and_says_so_in_its_rule():
    choice = Choice("MEX", "accept", [reading("GTM")], [None, "GTM", "USA"], [[], [], []])
    [position] = CounterpartChooser.chosen(choice, [0.1, 0.3, 0.8], threshold=0.9)
    assert position["counterpart"] == "USA" and position["rule"] == "accept.take_back" + CHOSEN


def test_a_reading_that_named_the_chosen_country_is_kept_as_it_was():
    readings = [reading("USA", "accept.take_deportees"), reading("GTM")]
    choice = Choice("MEX", "accept", readings, [None, "GTM", "USA", "SLV"], [[], [], [], []])
    # two readings named two countries: two positions stay, the best two, each a reading or the first one
    chosen = CounterpartChooser.chosen(choice, [0.1, 0.2, 0.9, 0.6], threshold=0.95)
    assert chosen == [readings[0], {**readings[0], "counterpart": "SLV", "rule": "accept.take_deportees" + CHOSEN}]


def test_no_counterpart_is_never_chosen_beside_a_named_one():
    readings = [reading("USA", "accept.take_deportees"), reading(None)]
    choice = Choice("MEX", "accept", readings, [None, "GTM", "USA"], [[], [], []])
    # the two best are "none" and USA: USA alone stays, as read
    assert CounterpartChooser.chosen(choice, [0.6, 0.2, 0.9], threshold=0.95) == [readings[0]]
    # "none" alone is a choice like any other
    alone = Choice("MEX", "accept", [reading(None)], [None, "GTM", "USA"], [[], [], []])
    assert [p["counterpart"] for p in CounterpartChooser.chosen(alone, [0.9, 0.2, 0.3], threshold=0.95)] == [None]


def test_options_at_or_above_the_threshold_are_added():
    choice = Choice("MEX", "accept", [reading(None)], [None, "GTM", "USA"], [[], [], []])
    chosen = CounterpartChooser.chosen(choice, [0.2, 0.7, 0.9], threshold=0.6)
    assert [p["counterpart"] for p in chosen] == ["GTM", "USA"]


def parsed_without_chooser(extractor, texts: list[str]) -> list[tuple[int, object]]:
    with extractor.pipelines.parser.select_pipes(disable=["migtrack_counterpart_chooser"]):
        return [(index, doc) for index, doc, _ in extractor.parsed_sentences(texts)]


def test_untrained_the_chooser_leaves_the_positions_as_found(extractor):
    text = "Mexico agreed to take back Cuban migrants deported from the United States."
    [(_, doc)] = parsed_without_chooser(extractor, [text])
    found = [dict(p) for p in doc._.positions]
    assert found and CounterpartChooser(None)(doc)._.positions == found


def test_a_sentence_naming_no_other_country_offers_the_one_named_before_it(extractor):
    """ "Honduras signed the agreement on Tuesday": the other party is the country the article named before."""
    texts = [
        "The United States and Honduras have negotiated a deportation deal for months.",
        "Honduras signed the agreement on Tuesday, its foreign minister said.",
        "Honduras signed the agreement with Guatemala on Tuesday.",
    ]
    pages = ["https://example.org/deal"] * 3
    with extractor.pipelines.parser.select_pipes(disable=["migtrack_counterpart_chooser"]):
        docs = [doc for _, doc, _ in extractor.parsed_sentences(texts, pages=pages)]
    signed, alone = (CounterpartChooser.choices(doc, mentions(doc)) for doc in docs[1:])
    assert [c.options for c in signed if c.actor == "HND" and c.stance == "agree"] == [[None, "USA"]]
    # a sentence that names another country offers the sentence's countries only
    assert [c.options for c in alone if c.actor == "HND" and c.stance == "agree"] == [[None, "GTM"]]
    chosen = {}
    for index, doc, _ in extractor.parsed_sentences(texts[:2], pages=pages[:2]):
        chosen.setdefault(index, []).extend(doc._.positions)
    assert ("HND", "agree", "USA") in {(p["actor"], p["stance"], p["counterpart"]) for p in chosen[1]}


def test_the_trained_chooser_reads_counterparts_better_than_nearness_on_the_dev_split(extractor):
    """In sample (the dev split is trained on), so a regression check, not a measurement: README
    "Accuracy" gives the out-of-fold and test figures."""
    items = read_jsonl(GOLD_DIR / "real" / "en_dev.jsonl")[:300]
    gold = {item["id"]: item["positions"] for item in items}
    texts = [item["text"] for item in items]
    found, chosen = {}, {}
    for index, doc, _ in extractor.parsed_sentences(texts):
        chosen.setdefault(items[index]["id"], []).extend(doc._.positions)
    for index, doc in parsed_without_chooser(extractor, texts):
        found.setdefault(items[index]["id"], []).extend(doc._.positions)
    assert score(gold, chosen, STRICT)["f1"] > score(gold, found, STRICT)["f1"] + 0.02
    assert score(gold, chosen, LOOSE)["f1"] >= score(gold, found, LOOSE)["f1"] - 0.01


def test_the_trainer_writes_weights_the_chooser_reads(tmp_path):
    labelled = tmp_path / "labelled.jsonl"
    items = read_jsonl(GOLD_DIR / "real" / "en_train.jsonl")[:200]
    labelled.write_text("".join(json.dumps(item) + "\n" for item in items))
    out = tmp_path / "counterparts.json"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.train_counterparts", str(labelled), "--out", str(out), "--folds", "3"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "out-of-fold strict F1" in result.stdout
    model = json.loads(out.read_text())
    assert model["trained_on"] == 200 and model["folds"] == 3 and model["weights"]
    assert 0 <= model["out_of_fold_strict"]["chosen"]["f1"] <= 1
    chooser = CounterpartChooser(model)
    choice = Choice("MEX", "accept", [reading(None)], [None, "USA"], [["none"], ["country", "prep=from"]])
    assert all(0 < p < 1 for p in chooser.probabilities(choice))


def test_the_trainer_refuses_files_without_positions(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"id": "x", "text": "Nothing here.", "positions": []}) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.train_counterparts", str(empty), "--out", str(tmp_path / "o.json")],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    assert result.returncode != 0 and "no positions" in result.stderr
