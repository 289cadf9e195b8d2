"""The sentence reader the position scorer stacks on: trained with scikit-learn, read without it."""

from __future__ import annotations

import math

import pytest
from sklearn.model_selection import GroupKFold

from models.stances import STANCES
from pipeline.components.sentence_stances import BANDS, SentenceStances, features, terms
from pipeline.train_scorer import group_of
from pipeline.train_sentence_stances import SentenceReaderFit, out_of_fold
from tests.conftest import GOLD_DIR, read_jsonl


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return read_jsonl(GOLD_DIR / "real" / "en_train.jsonl")[:600]


def test_the_run_time_reader_gives_scikit_learns_probabilities(labelled):
    """Extraction reads the exported weights in plain Python; they must give what the fitted models give,
    or the scorer would see other bands than it was trained on."""
    fitted = SentenceReaderFit(labelled)
    reader = SentenceStances(fitted.exported())
    unseen = read_jsonl(GOLD_DIR / "real" / "en_dev.jsonl")[:150]
    for item, expected in zip(unseen, fitted.probabilities(unseen), strict=True):
        read = reader.probabilities(item["text"])
        assert set(read) == set(STANCES)
        assert all(abs(read[stance] - expected[stance]) < 1e-3 for stance in STANCES)
    # a sentence of words it never saw is read at each stance's prior, not refused
    assert set(reader.probabilities("Zzyzx qwerty.")) == set(STANCES)


def test_each_labelled_sentence_is_read_by_a_reader_that_never_saw_its_page(labelled):
    """The scorer learns what a band is worth from the training sentences' bands; bands from a reader that
    had learnt those very sentences would all look sure, and teach it to trust the reader too much."""
    reads = out_of_fold(labelled, 3, group_of)
    groups = [group_of(item) for item in labelled]
    inside, held = next(iter(GroupKFold(n_splits=3).split(labelled, groups=groups)))
    assert not {groups[n] for n in inside} & {groups[n] for n in held}  # whole pages
    fold_reader = SentenceReaderFit([labelled[n] for n in inside])
    for n, expected in zip(held[:40], fold_reader.probabilities([labelled[n] for n in held[:40]]), strict=True):
        assert all(abs(reads[n][stance] - expected[stance]) < 1e-9 for stance in STANCES)
    # read in sample, the labelled sentences would look surer of their own stances
    in_sample = SentenceReaderFit(labelled).probabilities(labelled)
    own = [(n, p["stance"]) for n, item in enumerate(labelled) for p in item["positions"]]
    assert sum(in_sample[n][s] for n, s in own) > sum(reads[n][s] for n, s in own)


def test_the_band_is_the_candidates_stance_feature():
    assert terms("Mexico agreed to take them.") == [
        "mexico", "agreed", "to", "take", "them", "mexico agreed", "agreed to", "to take", "take them",
    ]  # fmt: skip
    assert features("accept", 0.0) == ["accept|sentence=0"]
    assert features("refuse", 0.59) == ["refuse|sentence=2"]
    assert features("refuse", 1.0) == [f"refuse|sentence={BANDS - 1}"]


def test_the_spanish_scorer_stacks_on_its_sentence_reader_and_the_english_one_does_not():
    """The Spanish scorer carries a reader, and a sentence read as sure of a stance raises its candidates. The
    English one is trained without it (``scripts/train-scorers`` says why)."""
    from pipeline.lexicons import read_trained

    assert "sentence_stances" not in read_trained("scorer.json", "en")
    model = read_trained("scorer.json", "es")
    reader = SentenceStances(model["sentence_stances"])
    assert len(reader.bias) == len(STANCES)
    weights = model["weights"]
    for stance in ("accept", "refuse", "agree"):
        assert weights.get(f"{stance}|sentence={BANDS - 1}", 0.0) > weights.get(f"{stance}|sentence=0", 0.0)
    read = reader.probabilities("Honduras se negó a recibir los vuelos de deportación de Estados Unidos.")
    assert read["refuse"] > read["threaten"] and not math.isnan(sum(read.values()))
