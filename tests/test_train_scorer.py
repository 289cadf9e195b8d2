"""Training the position scorer: real labelled files in, a weights file out that the scorer reads."""

from __future__ import annotations

import json
import math
import subprocess
import sys

from pipeline.components.scorer import Candidate, PositionScorer, calibrate
from pipeline.train_scorer import group_of
from tests.conftest import GOLD_DIR, REPO, SHARED_GOLD, read_jsonl


def test_the_trainer_writes_weights_the_scorer_reads_and_holds_its_guards(tmp_path):
    train, dev, team = tmp_path / "train.jsonl", tmp_path / "dev.jsonl", tmp_path / "team.jsonl"
    items = read_jsonl(GOLD_DIR / "real" / "en_train.jsonl")
    train.write_text("".join(json.dumps(item) + "\n" for item in items[:120]))
    dev.write_text("".join(json.dumps(item) + "\n" for item in items[120:180]))
    team.write_text("".join(json.dumps(item) + "\n" for item in read_jsonl(GOLD_DIR / "dev_wire.jsonl")[:40]))
    out = tmp_path / "scorer.json"
    result = run_cli_module(
        str(train), str(dev), "--also-train", str(team), "--out", str(out),
        "--guard", f"{SHARED_GOLD / 'seeds.jsonl'}:1.0", "--folds", "3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    model = json.loads(out.read_text())
    assert {"bias", "weights", "thresholds", "calibration_curve", "out_of_fold_loose", "sentence_stances"} <= set(model)
    assert any("|sentence=" in name for name in model["weights"])  # the sentence reader's bands were learnt
    assert model["tuned_on"] == 180 and model["trained_on"] == 220 and model["folds"] == 3
    assert 0 <= model["out_of_fold_loose"]["f1"] <= 1 and model["weights"]
    curve = model["calibration_curve"]
    assert curve["x"] == sorted(curve["x"]) and curve["y"] == sorted(curve["y"])  # isotonic: never decreasing
    found = Candidate("MEX", "agree", frozenset({"dep=nsubj"}), ["rule", "agree|rule"])
    nothing = Candidate("MEX", "agree", frozenset(), [])
    assert PositionScorer(model).probability(found) > PositionScorer(model).probability(nothing)


def test_a_candidate_scores_as_the_sum_of_its_features_weights_once_each(extractor):
    """The scorer reads shared features per stance without writing their names out; the weights it sums must
    be those the trainer fitted to the full names (``Candidate.features``)."""
    from pipeline.train_scorer import candidates_of

    parser = extractor.pipelines.parser
    scorer = parser.get_pipe("migtrack_position_scorer")
    weights, bias = scorer.model["weights"], scorer.model["bias"]
    items = read_jsonl(GOLD_DIR / "real" / "en_dev.jsonl")[:60]
    candidates = [c for cs in candidates_of(extractor, items) for c in cs]
    assert len(candidates) > 300  # every country of 60 sentences, ten stances each
    for candidate in candidates:
        expected = 1.0 / (1.0 + math.exp(-(bias + sum(weights.get(f, 0.0) for f in set(candidate.features)))))
        assert abs(scorer.probability(candidate) - expected) < 1e-9


def test_the_trainer_reads_the_candidates_the_scorer_reads_when_it_runs(extractor):
    """The counterpart chooser runs after the scorer. The trainer once read the candidates with the chooser
    on, so the scorer learnt from rule readings whose counterparts the chooser had already rewritten, which
    it never sees when it runs."""
    from pipeline.extract import pages_of
    from pipeline.train_scorer import candidates_of

    scorer = extractor.pipelines.parser.get_pipe("migtrack_position_scorer")
    items = read_jsonl(GOLD_DIR / "real" / "en_dev.jsonl")[:150]
    seen = []

    def recording(*args, **kwargs):
        found = type(scorer).candidates(scorer, *args, **kwargs)
        seen.extend(found)
        return found

    scorer.candidates = recording  # an instance attribute: the pipeline's own call goes through it
    try:
        list(extractor.extract([item["text"] for item in items], pages_of(items)))  # a page's lines together
    finally:
        del scorer.candidates
    trained = [c for cs in candidates_of(extractor, items) for c in cs]

    def described(candidates):
        return sorted((c.actor, c.stance, tuple(sorted(c.features))) for c in candidates)

    assert len(seen) > 500 and described(seen) == described(trained)


def test_folds_keep_a_pages_sentences_together():
    items = [{"id": f"s{n}", "source_url": f"https://example.com/{n // 3}"} for n in range(12)]
    items += [{"id": "team-1"}, {"id": "team-2"}]  # team-written sentences have no page: each stands alone
    assert [group_of(item) for item in items[:4]] == ["https://example.com/0"] * 3 + ["https://example.com/1"]
    assert group_of(items[-1]) == "team-2"


def test_a_guard_no_setting_can_hold_is_refused(tmp_path):
    items = read_jsonl(GOLD_DIR / "real" / "en_train.jsonl")[:40]
    data = tmp_path / "few.jsonl"
    data.write_text("".join(json.dumps(item) + "\n" for item in items))
    impossible = tmp_path / "impossible.jsonl"  # a gold position no extractor can find: F1 1.0 is out of reach
    gold = {"id": "x", "text": "It rained.", "positions": [{"actor": "MEX", "stance": "agree"}]}
    impossible.write_text(json.dumps(gold))
    result = run_cli_module(str(data), str(data), "--out", str(tmp_path / "s.json"), "--guard", f"{impossible}:1.0")
    assert result.returncode != 0 and "no setting keeps every guard set at its floor" in result.stderr


def test_calibration_reads_the_curve_between_and_beyond_its_points():
    curve = {"x": [0.2, 0.6], "y": [0.3, 0.9]}
    assert calibrate(curve, 0.1) == 0.3 and calibrate(curve, 0.9) == 0.9
    assert abs(calibrate(curve, 0.4) - 0.6) < 1e-9
    assert calibrate(None, 0.42) == 0.42


def run_cli_module(*args: str):
    """``python -m pipeline.train_scorer`` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.train_scorer", *args], capture_output=True, text=True, cwd=REPO, timeout=600
    )


def features_of(extractor, text: str, actor: str, stance: str) -> list[str]:
    from pipeline.train_scorer import candidates_of

    [candidates] = candidates_of(extractor, [{"text": text}])
    return next(c.features for c in candidates if c.actor == actor and c.stance == stance)


def test_a_family_word_says_which_family_controls_it(extractor):
    """ "Refused to accept": the accepting is what was refused, which the scorer can only learn if it sees
    the refusing word above the accepting one."""
    refused = features_of(extractor, "Honduras refused to accept deportation flights from the United States.",
                          "HND", "accept")  # fmt: skip
    agreed = features_of(extractor, "Honduras agreed to accept deportation flights from the United States.",
                         "HND", "accept")  # fmt: skip
    assert "accept|famtok_gov=refuse" in refused and "accept|famtok_gov=refuse" not in agreed
    assert "accept|famtok_gov=agree" in agreed


def test_a_family_word_says_what_it_is_about(extractor):
    """ "Accepted deportees" is a position and "received remittances" is not, whatever the verb: the scorer sees
    the stance word's object, by lemma and by kind, also after a noun ("the rejection of the flights")."""
    people = features_of(extractor, "Guatemala accepted 300 deportees from the United States.", "GTM", "accept")
    money = features_of(extractor, "Guatemala received $2 billion in remittances from the United States.",
                        "GTM", "accept")  # fmt: skip
    assert "accept|famobj=deportee" in people and "accept|famobj_kind=people" in people
    assert "accept|famobj_kind=money" in money and "accept|famobj_kind=people" not in money
    nominal = features_of(extractor, "Colombia announced its rejection of the deportation flights.", "COL", "refuse")
    assert "refuse|famobj=flight" in nominal


def test_a_country_listed_with_one_a_rule_read_is_told_so(extractor):
    """ "Received by Guatemala, Brazil and Mexico": the rules read Guatemala's acceptance only (the parser makes
    Brazil an apposition of Guatemala and Mexico a conjunct of Brazil)."""
    text = "Deportees have been received by Guatemala, Brazil and Mexico."
    assert "accept|listed_with_reader" in features_of(extractor, text, "MEX", "accept")
    assert "accept|listed_with_reader" in features_of(extractor, text, "BRA", "accept")
    assert "accept|listed_with_reader" not in features_of(extractor, text, "GTM", "accept")  # read by a rule
    assert "refuse|listed_with_reader" not in features_of(extractor, text, "MEX", "refuse")


def test_the_other_languages_sentences_are_read_by_their_own_pipeline(extractor):
    """The Spanish scorer learns from the English splits too: each also-trained line is read by the pipeline
    of its ``language``, so an English sentence brings the English pipeline's features (the lemma "accept"),
    and the English lemmas are not among the features of the trained language's own sentences."""
    from pipeline.extract import Extractor
    from pipeline.train_scorer import AlsoTrained, Featurised, reading_extractor

    spanish = reading_extractor("es")
    english = Extractor(pipelines=extractor.pipelines, gate=False)  # the trainer reads every sentence
    english_lines = read_jsonl(GOLD_DIR / "real" / "en_dev.jsonl")[:20]
    spanish_lines = read_jsonl(GOLD_DIR / "real" / "es_dev.jsonl")[:20]
    also = AlsoTrained(english_lines + spanish_lines, spanish, "es")
    languages = {lang: part for lang, part in also.parts}
    assert set(languages) == {"en", "es"}
    english_features = {name for row in languages["en"].rows for name in row}
    assert english_features == {name for row in Featurised(english_lines, english).rows for name in row}
    own = also.own_features()
    assert own == {name for row in languages["es"].rows for name in row}
    assert any("=el" in name or "=de" in name for name in own)  # Spanish words
    assert not any(name.endswith("|pred=the") for name in own)
    assert english_features & own  # the shared description: parse relations, rules, countries
