"""Train the position scorer (``pipeline/components/scorer.py``) on a labelled train split, tune it on dev.

    python -m pipeline.train_scorer gold/real/en_train.jsonl gold/real/en_dev.jsonl \\
        --out pipeline/lexicons/scorer_en.json

Every (country, stance) candidate of every train sentence is described by the scorer's own features and
labelled by whether the gold sentence holds that pair; a logistic regression (scikit-learn, L2) learns the
weights. The regularisation strength and the threshold are the ones that give the best loose F1 on the dev
split, counted as ``score.py`` counts it; the dev split is never trained on, and the test split is never
read here. The weights are written as JSON, so extraction needs no scikit-learn. The file also records
the dev figures and a calibration table (measured precision of the kept positions by confidence band).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import click

from models.stances import STANCES
from pipeline.components.scorer import BARE, RULE, Candidate, PositionScorer, calibrate, threshold_for
from pipeline.config import Settings
from pipeline.extract import Extractor
from pipeline.jsonl import load_jsonl
from pipeline.lexicons import LANGUAGES

log = logging.getLogger(__name__)

C_VALUES = (0.03, 0.1, 0.3, 1.0, 3.0)
THRESHOLDS = tuple(round(0.1 + 0.025 * n, 3) for n in range(21))  # 0.1 .. 0.6
RULE_THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2)  # lowest first: the patterns' readings are kept if it costs nothing
BARE_THRESHOLDS = (1.01, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)  # highest first: pairs no rule read are the riskiest
MIN_GAIN = 0.003  # a stance's own threshold must earn at least this much dev F1
BANDS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def candidates_of(extractor: Extractor, items: list[dict]) -> list[list[Candidate]]:
    """Each item's candidates, read off the parse with the scorer itself switched off."""
    parser = extractor.pipelines.parser
    scorer: PositionScorer = parser.get_pipe("migtrack_position_scorer")
    out: list[list[Candidate]] = [[] for _ in items]
    with parser.select_pipes(disable=["migtrack_position_scorer"]):
        for index, doc, _ in extractor.parsed_sentences([item["text"] for item in items]):
            out[index].extend(scorer.candidates(doc))
    return out


def loose_f1(items: list[dict], candidates: list[list[Candidate]], probabilities, thresholds: dict) -> dict:
    """Precision, recall and F1 over (actor, stance) multisets, as score.py counts them."""
    tp = fp = fn = 0
    flat = iter(probabilities)
    for item, item_candidates in zip(items, candidates, strict=True):
        predicted: Counter = Counter()
        for candidate in item_candidates:
            if next(flat) >= threshold_for(candidate, thresholds):
                predicted[(candidate.actor, candidate.stance)] += max(1, len(candidate.rule_positions))
        gold = Counter((p["actor"], p["stance"]) for p in item["positions"])
        hit = sum((gold & predicted).values())
        tp, fp, fn = tp + hit, fp + sum(predicted.values()) - hit, fn + sum(gold.values()) - hit
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def labels_of(items: list[dict], candidates: list[list[Candidate]]) -> list[int]:
    labels = []
    for item, item_candidates in zip(items, candidates, strict=True):
        wanted = {(p["actor"], p["stance"]) for p in item["positions"]}
        labels += [int((c.actor, c.stance) in wanted) for c in item_candidates]
    return labels


def calibration_curve(labels: list[int], probabilities, kept: list[bool]) -> dict:
    """Isotonic regression of the dev split's outcomes on the scorer's probabilities, over the candidates it
    keeps: the confidence stored with a position is the precision measured at its probability."""
    from sklearn.isotonic import IsotonicRegression

    pairs = [(p, y) for p, y, k in zip(probabilities, labels, kept, strict=True) if k]
    fit = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    fit.fit([p for p, _ in pairs], [y for _, y in pairs])
    return {"x": [round(float(x), 4) for x in fit.X_thresholds_], "y": [round(float(y), 4) for y in fit.y_thresholds_]}


def calibrated(curve: dict, probabilities) -> list[float]:
    return [calibrate(curve, p) for p in probabilities]


def calibration(labels: list[int], confidences, kept: list[bool]) -> list[dict]:
    """Measured precision of kept candidates per confidence band: what a confidence of 0.8 means."""
    table = []
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        inside = [y for y, c, k in zip(labels, confidences, kept, strict=True) if k and low <= c < high]
        if inside:
            table.append({"from": low, "to": min(high, 1.0), "n": len(inside),
                          "precision": round(sum(inside) / len(inside), 3)})  # fmt: skip
    return table


class Tuning:
    """Dev F1 of a set of thresholds, held to the guard sets' floors: a setting that costs a guard set (the
    seeds, the team's regression sets) its floor is never chosen, whatever it gains on dev."""

    def __init__(self, dev: tuple, guards: list[tuple]):
        self.dev, self.guards = dev, guards

    def __call__(self, thresholds: dict) -> float:
        items, candidates, probabilities = self.dev
        for guard_items, guard_candidates, guard_probabilities, floor in self.guards:
            if loose_f1(guard_items, guard_candidates, guard_probabilities, thresholds)["f1"] < floor:
                return -1.0
        return loose_f1(items, candidates, probabilities, thresholds)["f1"]


def tune(tuning: Tuning) -> tuple[float, dict]:
    """One threshold for all, then each stance's own where it clearly helps, then the bars of pattern
    readings and of pairs no rule read."""
    grid = (
        {**dict.fromkeys(STANCES, x), RULE: rule, BARE: bare}
        for x in THRESHOLDS
        for rule in RULE_THRESHOLDS
        for bare in BARE_THRESHOLDS
    )
    best = max(((tuning(t), t) for t in grid), key=lambda pair: pair[0])
    f1, thresholds = best
    for key, values in [
        *((stance, THRESHOLDS) for stance in STANCES),
        (RULE, RULE_THRESHOLDS),
        (BARE, BARE_THRESHOLDS),
    ]:
        for value in values:
            trial = {**thresholds, key: value}
            trial_f1 = tuning(trial)
            if trial_f1 > f1 + MIN_GAIN or (key in (RULE, BARE) and trial_f1 >= f1 - MIN_GAIN and trial_f1 >= 0):
                f1, thresholds = trial_f1, trial
                if key in (RULE, BARE):
                    break
    return f1, thresholds


def train(
    train_items: list[dict],
    dev_items: list[dict],
    extractor: Extractor,
    guards: list[tuple[list[dict], float]] = (),
    refit: bool = False,
) -> dict:
    """Fit on ``train_items``; choose the regularisation and thresholds on ``dev_items`` under the guards'
    floors ((items, minimum loose F1) pairs); with ``refit``, fit the chosen setting again on both."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    train_candidates, dev_candidates = candidates_of(extractor, train_items), candidates_of(extractor, dev_items)
    guard_candidates = [(items, candidates_of(extractor, items), floor) for items, floor in guards]
    vectorizer = DictVectorizer()
    x_train = vectorizer.fit_transform([dict.fromkeys(c.features, 1) for cs in train_candidates for c in cs])

    def probabilities_of(model, vectorizer, candidates: list[list[Candidate]]):
        flat = [dict.fromkeys(c.features, 1) for cs in candidates for c in cs]
        return model.predict_proba(vectorizer.transform(flat))[:, 1] if flat else []

    y_train = labels_of(train_items, train_candidates)
    best = None
    for c_value in C_VALUES:
        model = LogisticRegression(C=c_value, max_iter=2000)
        model.fit(x_train, y_train)
        probabilities = probabilities_of(model, vectorizer, dev_candidates)
        tuning = Tuning(
            (dev_items, dev_candidates, probabilities),
            [
                (items, cands, probabilities_of(model, vectorizer, cands), floor)
                for items, cands, floor in guard_candidates
            ],
        )
        f1, thresholds = tune(tuning)
        log.info("C=%s dev loose F1 %.3f thresholds %s", c_value, f1, thresholds)
        if best is None or f1 > best[0]:
            best = (f1, c_value, thresholds, model, probabilities)
    _, c_value, thresholds, model, probabilities = best
    if best[0] < 0:
        raise click.ClickException("no setting keeps every guard set at its floor")
    threshold = min(thresholds[stance] for stance in STANCES)
    y_dev = labels_of(dev_items, dev_candidates)
    flat = [c for cs in dev_candidates for c in cs]
    kept = [p >= threshold_for(c, thresholds) for c, p in zip(flat, probabilities, strict=True)]
    curve = calibration_curve(y_dev, probabilities, kept)
    dev_figures = loose_f1(dev_items, dev_candidates, probabilities, thresholds)
    refitted = False
    if refit:
        # with the settings chosen, the dev split's labels are too few to leave unused: fit again on train and
        # dev, and keep the refit only if every guard set still holds its floor
        vectorizer_all = DictVectorizer()
        both = train_candidates + dev_candidates
        x_all = vectorizer_all.fit_transform([dict.fromkeys(c.features, 1) for cs in both for c in cs])
        model_all = LogisticRegression(C=c_value, max_iter=2000).fit(x_all, y_train + y_dev)
        if all(
            loose_f1(items, cands, probabilities_of(model_all, vectorizer_all, cands), thresholds)["f1"] >= floor
            for items, cands, floor in guard_candidates
        ):
            model, vectorizer, refitted = model_all, vectorizer_all, True
    names = vectorizer.get_feature_names_out()
    weights = {str(name): round(float(w), 4) for name, w in zip(names, model.coef_[0], strict=True) if abs(w) >= 1e-3}
    return {
        "_why": "Weights of the position scorer (pipeline/components/scorer.py), written by pipeline/train_scorer.py.",
        "trained_on": len(train_items),
        "tuned_on": len(dev_items),
        "C": c_value,
        "threshold": threshold,
        "thresholds": thresholds,
        "dev_loose": dev_figures,  # of the model fitted on train alone, before any refit
        "refitted_on_dev": refitted,
        "calibration_curve": curve,
        "calibration": calibration(y_dev, calibrated(curve, probabilities), kept),
        "bias": round(float(model.intercept_[0]), 4),
        "weights": dict(sorted(weights.items())),
    }


@click.command()
@click.argument("train_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("dev_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Weights file to write.")
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Pipeline to train.")
@click.option("--model", default=None, help="spaCy model (default: the configured one for the language).")
@click.option(
    "--guard",
    "guards",
    multiple=True,
    metavar="FILE:F1",
    help="A labelled file whose loose F1 must stay at or above F1 (repeatable), e.g. gold/dev_wire.jsonl:0.85.",
)
@click.option("--refit", is_flag=True, help="Fit the chosen setting again on train and dev together.")
def main(
    train_file: Path, dev_file: Path, out: Path, language: str, model: str | None, guards: tuple[str, ...], refit: bool
) -> None:
    """Train the position scorer on TRAIN_FILE and tune it on DEV_FILE (labelled JSON Lines).

    Example: python -m pipeline.train_scorer gold/real/es_train.jsonl gold/real/es_dev.jsonl
    --language es --out pipeline/lexicons/es/scorer.json
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    settings = Settings()
    model = model or (settings.model if language == "en" else settings.model_es)
    fallback = settings.fallback_model if language == "en" else None
    extractor = Extractor(model, fallback, gate=False, language=language)
    floors = []
    for guard in guards:
        path, _, floor = guard.rpartition(":")
        if not path or not Path(path).is_file():
            raise click.BadParameter(f"{guard!r}: expected FILE:F1 with an existing file", param_hint="--guard")
        floors.append((load_jsonl(path), float(floor)))
    result = train(load_jsonl(train_file), load_jsonl(dev_file), extractor, floors, refit)
    # by file name: a path (scripts/train-scorers' temporary folder) would change the weights file, and so the
    # extractor version, at every retraining that changes nothing else
    result["guards"] = [f"{Path(path).name}:{floor}" for path, _, floor in (guard.rpartition(":") for guard in guards)]
    out.write_text(json.dumps(result, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    click.echo(
        f"{out}: {len(result['weights'])} weights, C={result['C']}, threshold={result['threshold']}, "
        "dev loose P={precision} R={recall} F1={f1}".format(**result["dev_loose"])
    )


if __name__ == "__main__":
    main()
