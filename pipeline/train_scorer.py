"""Train the position scorer (``pipeline/components/scorer.py``) on the labelled train and dev splits.

    python -m pipeline.train_scorer gold/real/en_train.jsonl gold/real/en_dev.jsonl \\
        --also-train gold/dev_wire.jsonl --out pipeline/lexicons/scorer.json

Every (country, stance) candidate of every sentence is described by the scorer's own features and
labelled by whether the gold sentence holds that pair; a logistic regression (scikit-learn, L2) learns the
weights. The regularisation strength and the thresholds are the ones that give the best loose F1, counted
as ``score.py`` counts it, over out-of-fold predictions: the labelled pages are cut into ``--folds`` groups
(a page's sentences stay together, as in the splits) and each group is predicted by a model fitted on the
others. One dev split of 300 sentences chose thresholds that held poorly on unseen pages; five folds over
every labelled page choose them on five times as many, and fit the calibration on predictions the model
did not train on. The chosen setting is then fitted on everything. The test split is never read here. The
weights are written as JSON, so extraction needs no scikit-learn.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click
import numpy as np
from spacy.tokens import Doc

from models.stances import STANCES
from pipeline import train_sentence_stances
from pipeline.components import sentence_stances
from pipeline.components.scorer import BARE, RULE, Candidate, PositionScorer, calibrate, threshold_for
from pipeline.components.stances import mentions
from pipeline.config import Settings
from pipeline.extract import Extractor, pages_of
from pipeline.jsonl import load_jsonl
from pipeline.lexicons import LANGUAGES

log = logging.getLogger(__name__)

C_VALUES = (0.1, 0.3, 1.0)  # 0.03 and 3.0 never won on either language
THRESHOLDS = tuple(round(0.1 + 0.025 * n, 3) for n in range(21))  # 0.1 .. 0.6
RULE_THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2)  # lowest first: the patterns' readings are kept if it costs nothing
BARE_THRESHOLDS = (1.01, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)  # highest first: pairs no rule read are the riskiest
MIN_GAIN = 0.003  # a stance's own threshold must earn at least this much dev F1
BANDS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def docs_before_scorer(extractor: Extractor, items: list[dict]) -> Iterator[tuple[int, Doc]]:
    """(item index, parsed sentence) for every sentence of the items, read as the scorer reads them in the
    pipeline: with the scorer and what comes after it switched off. The counterpart chooser comes after it;
    left on, it rewrote the rule readings' counterparts before the trainer read them, so the scorer learnt
    from counterparts it never sees when it runs."""
    parser = extractor.pipelines.parser
    after = parser.pipe_names[parser.pipe_names.index("migtrack_position_scorer") :]
    with parser.select_pipes(disable=after):
        for index, doc, _ in extractor.parsed_sentences([item["text"] for item in items], pages=pages_of(items)):
            yield index, doc


def candidates_of(extractor: Extractor, items: list[dict]) -> list[list[Candidate]]:
    """Each item's candidates, as the pipeline's scorer finds them (``docs_before_scorer``)."""
    scorer: PositionScorer = extractor.pipelines.parser.get_pipe("migtrack_position_scorer")
    out: list[list[Candidate]] = [[] for _ in items]
    for index, doc in docs_before_scorer(extractor, items):
        out[index].extend(scorer.candidates(doc, mentions(doc)))
    return out


class Kept:
    """A set of items' candidates as arrays, so that each threshold setting the tuner tries (840 on the first
    grid alone) is counted in one numpy pass instead of a Python loop over every candidate. Counts as
    ``score.py`` does: a candidate's (actor, stance) is unique in its sentence, so a kept one hits the gold's
    count of that pair up to the readings it brings."""

    def __init__(self, items: list[dict], candidates: list[list[Candidate]], probabilities):
        flat = [(item, candidate) for item, cs in zip(items, candidates, strict=True) for candidate in cs]
        gold = {id(item): Counter((p["actor"], p["stance"]) for p in item["positions"]) for item in items}
        position = {stance: n for n, stance in enumerate(STANCES)}
        self.probabilities = np.asarray(probabilities, dtype=float)
        self.stance = np.array([position[c.stance] for _, c in flat], dtype=int)
        self.rule = np.array([bool(c.rule_positions) for _, c in flat], dtype=bool)
        self.bare = np.array([not c.rule_positions and not c.proposed for _, c in flat], dtype=bool)
        self.readings = np.array([max(1, len(c.rule_positions)) for _, c in flat], dtype=int)
        self.hits = np.minimum(self.readings, [gold[id(item)][(c.actor, c.stance)] for item, c in flat])
        self.gold = sum(len(item["positions"]) for item in items)

    def f1(self, thresholds: dict) -> dict:
        """Precision, recall and F1 of the candidates at or above their bar (``threshold_for``)."""
        by_stance = np.array([thresholds[stance] for stance in STANCES])[self.stance]
        bars = np.where(self.bare, np.maximum(by_stance, thresholds.get(BARE, 0.0)), by_stance)
        kept = self.probabilities >= np.where(self.rule, thresholds[RULE], bars)
        tp, predicted = int(self.hits[kept].sum()), int(self.readings[kept].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def loose_f1(items: list[dict], candidates: list[list[Candidate]], probabilities, thresholds: dict) -> dict:
    """Precision, recall and F1 over (actor, stance) multisets, as score.py counts them."""
    return Kept(items, candidates, probabilities).f1(thresholds)


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
        self.dev = Kept(*dev)
        self.guards = [
            (Kept(items, candidates, probabilities), floor) for items, candidates, probabilities, floor in guards
        ]

    def __call__(self, thresholds: dict) -> float:
        for guard, floor in self.guards:
            if guard.f1(thresholds)["f1"] < floor:
                return -1.0
        return self.dev.f1(thresholds)["f1"]


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


def language_of(item: dict, default: str) -> str:
    """The pipeline that reads a labelled line: its own ``language``, else the trained one."""
    return item.get("language") or default


def group_of(item: dict) -> str:
    """Sentences of one page go to one fold; team-written sentences, which have no page, stand alone."""
    return item.get("source_url") or item["id"]


class Featurised:
    """Candidates and labels of a set of items, with the feature matrix a vectorizer gives them.

    ``sentence_reads`` are each item's probabilities from the sentence reader, whose band each candidate
    carries as a feature (``sentence_stances.features``); without them the candidates carry none."""

    def __init__(self, items: list[dict], extractor: Extractor, sentence_reads: list[dict] | None = None):
        self.items = items
        self.candidates = candidates_of(extractor, items)
        self.labels = labels_of(items, self.candidates)
        reads = sentence_reads if sentence_reads is not None else [None] * len(items)
        self.rows = [
            dict.fromkeys(c.features + (sentence_stances.features(c.stance, read[c.stance]) if read else []), 1)
            for cs, read in zip(self.candidates, reads, strict=True)
            for c in cs
        ]
        # which rows belong to which item, so folds can take whole items
        self.item_of_row = [n for n, cs in enumerate(self.candidates) for _ in cs]


class AlsoTrained:
    """Sentences to learn from but not to tune on, each read by the pipeline of its own ``language``.

    The other language's sentences teach what the two pipelines describe alike: the parse paths and
    relations, the rules and family readings, the countries and pairs (out of fold over the Spanish train
    and dev pages, 0.601 -> 0.606 with the English ones added). Their words never occur in the trained
    language's sentences; ``own_features`` lets the trainer drop those weights, which could never fire.
    The sentence reader (``reader``) is the trained language's, so only that language's sentences are read
    by it."""

    def __init__(
        self,
        items: list[dict],
        extractor: Extractor,
        language: str,
        reader: train_sentence_stances.SentenceReaderFit | None = None,
    ):
        by_language: dict[str, list[dict]] = {}
        for item in items:
            by_language.setdefault(language_of(item, language), []).append(item)
        self.parts = [
            (
                lang,
                Featurised(part, extractor, reader.probabilities(part) if reader else None)
                if lang == language
                else Featurised(part, reading_extractor(lang)),
            )
            for lang, part in by_language.items()
        ]
        self.language = language
        self.rows = [row for _, part in self.parts for row in part.rows]
        self.labels = [label for _, part in self.parts for label in part.labels]

    def own_features(self) -> set[str]:
        return {name for lang, part in self.parts if lang == self.language for row in part.rows for name in row}


def reading_extractor(language: str, model: str | None = None) -> Extractor:
    """The language's pipeline as the trainers read labelled sentences: every sentence, the gate off."""
    configured, fallback = Settings().models_for(language)
    return Extractor(model or configured, fallback, gate=False, language=language)


def fit(rows: list[dict], labels: list[int], c_value: float):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    model = LogisticRegression(C=c_value, max_iter=2000).fit(vectorizer.fit_transform(rows), labels)
    return vectorizer, model


def predict(fitted, rows: list[dict]):
    vectorizer, model = fitted
    return model.predict_proba(vectorizer.transform(rows))[:, 1] if rows else []


def out_of_fold(labelled: Featurised, always: AlsoTrained | None, c_value: float, folds: int) -> list[float]:
    """Each labelled row's probability from a model fitted on the other folds (and the always-trained items)."""
    from sklearn.model_selection import GroupKFold

    groups = [group_of(item) for item in labelled.items]
    probabilities = [0.0] * len(labelled.rows)
    extra_rows, extra_labels = (always.rows, always.labels) if always else ([], [])
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for _, held_items in splitter.split(labelled.items, groups=groups):
        held = set(held_items)
        inside = [r for r, item in enumerate(labelled.item_of_row) if item not in held]
        outside = [r for r, item in enumerate(labelled.item_of_row) if item in held]
        fitted = fit([labelled.rows[r] for r in inside] + extra_rows,
                     [labelled.labels[r] for r in inside] + extra_labels, c_value)  # fmt: skip
        for r, p in zip(outside, predict(fitted, [labelled.rows[r] for r in outside]), strict=True):
            probabilities[r] = float(p)
    return probabilities


def train(
    labelled_items: list[dict],
    extractor: Extractor,
    guards: list[tuple[list[dict], float]] = (),
    also_train: list[dict] = (),
    folds: int = 5,
    sentence_reader: bool = True,
) -> dict:
    """Choose the regularisation and thresholds on out-of-fold predictions over ``labelled_items``, under
    the guards' floors ((items, minimum loose F1) pairs, scored by the model fitted on everything), then fit
    that setting on ``labelled_items`` and ``also_train`` (sentences to learn from but not to tune on).
    With ``sentence_reader`` the scorer stacks on the sentence reader, fitted on ``labelled_items`` and the
    ``also_train`` sentences of its language: each labelled sentence carries the reader's out-of-fold
    probabilities, the others those of the reader fitted on all of them."""
    reader, out_of_fold_reads = None, None
    if sentence_reader:
        own_language = [item for item in also_train if language_of(item, extractor.language) == extractor.language]
        reader = train_sentence_stances.SentenceReaderFit(labelled_items + own_language)
        out_of_fold_reads = train_sentence_stances.out_of_fold(labelled_items, folds, group_of, own_language)
    labelled = Featurised(labelled_items, extractor, out_of_fold_reads)
    always = AlsoTrained(list(also_train), extractor, extractor.language, reader) if also_train else None
    read_guard = reader.probabilities if reader else lambda items: None
    guard_sets = [(Featurised(items, extractor, read_guard(items)), floor) for items, floor in guards]
    all_rows = labelled.rows + (always.rows if always else [])
    all_labels = labelled.labels + (always.labels if always else [])
    best = None
    for c_value in C_VALUES:
        probabilities = out_of_fold(labelled, always, c_value, folds)
        fitted = fit(all_rows, all_labels, c_value)
        tuning = Tuning(
            (labelled.items, labelled.candidates, probabilities),
            [(g.items, g.candidates, predict(fitted, g.rows), floor) for g, floor in guard_sets],
        )
        f1, thresholds = tune(tuning)
        log.info("C=%s out-of-fold loose F1 %.3f thresholds %s", c_value, f1, thresholds)
        if best is None or f1 > best[0]:
            best = (f1, c_value, thresholds, fitted, probabilities)
    f1, c_value, thresholds, (vectorizer, model), probabilities = best
    if f1 < 0:
        raise click.ClickException("no setting keeps every guard set at its floor")
    flat = [c for cs in labelled.candidates for c in cs]
    kept = [p >= threshold_for(c, thresholds) for c, p in zip(flat, probabilities, strict=True)]
    curve = calibration_curve(labelled.labels, probabilities, kept)
    names = vectorizer.get_feature_names_out()
    # a feature only the other language's sentences have never fires in this language's
    own = {name for row in labelled.rows for name in row} | (always.own_features() if always else set())
    weights = {
        str(name): round(float(w), 4)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= 1e-3 and name in own
    }
    return {
        "_why": "Weights of the position scorer (pipeline/components/scorer.py), written by pipeline/train_scorer.py.",
        "trained_on": len(labelled_items) + len(also_train),
        "tuned_on": len(labelled_items),
        "folds": folds,
        "C": c_value,
        "threshold": min(thresholds[stance] for stance in STANCES),
        "thresholds": thresholds,
        "out_of_fold_loose": loose_f1(labelled.items, labelled.candidates, probabilities, thresholds),
        "calibration_curve": curve,
        "calibration": calibration(labelled.labels, calibrated(curve, probabilities), kept),
        "bias": round(float(model.intercept_[0]), 4),
        "weights": dict(sorted(weights.items())),
        **({"sentence_stances": reader.exported()} if reader else {}),
    }


def read_guards(guards: tuple[str, ...]) -> list[tuple[list[dict], float]]:
    floors = []
    for guard in guards:
        path, _, floor = guard.rpartition(":")
        if not path or not Path(path).is_file():
            raise click.BadParameter(f"{guard!r}: expected FILE:F1 with an existing file", param_hint="--guard")
        floors.append((load_jsonl(path), float(floor)))
    return floors


@click.command()
@click.argument("labelled_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Weights file to write.")
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Pipeline to train.")
@click.option("--model", default=None, help="spaCy model (default: the configured one for the language).")
@click.option(
    "--also-train",
    "also_train",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A labelled file to learn from but not to tune on (repeatable), e.g. the team-written sets or the "
    "other language's splits; a line's 'language' chooses the pipeline that reads it.",
)
@click.option(
    "--guard",
    "guards",
    multiple=True,
    metavar="FILE:F1",
    help="A labelled file whose loose F1 must stay at or above F1 (repeatable), e.g. gold/dev_wire.jsonl:0.85.",
)
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2), help="Cross-validation folds, by page.")
@click.option(
    "--sentence-reader/--no-sentence-reader",
    default=True,
    show_default=True,
    help="Stack the scorer on a sentence reader (pipeline/components/sentence_stances.py).",
)
def main(
    labelled_files: tuple[Path, ...],
    out: Path,
    language: str,
    model: str | None,
    also_train: tuple[Path, ...],
    guards: tuple[str, ...],
    folds: int,
    sentence_reader: bool,
) -> None:
    """Train the position scorer on LABELLED_FILES (JSON Lines; the train and dev splits), choosing its
    settings by cross-validation over their pages.

    Example: python -m pipeline.train_scorer gold/real/es_train.jsonl gold/real/es_dev.jsonl
    --language es --out pipeline/lexicons/es/scorer.json
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    extractor = reading_extractor(language, model)
    labelled = [item for path in labelled_files for item in load_jsonl(path)]
    extra = [item for path in also_train for item in load_jsonl(path)]
    result = train(labelled, extractor, read_guards(guards), extra, folds, sentence_reader)
    # by file name: a path (scripts/train-scorers' temporary folder) would change the weights file, and so the
    # extractor version, at every retraining that changes nothing else
    result["guards"] = [f"{Path(path).name}:{floor}" for path, _, floor in (guard.rpartition(":") for guard in guards)]
    out.write_text(json.dumps(result, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    click.echo(
        f"{out}: {len(result['weights'])} weights, C={result['C']}, threshold={result['threshold']}, "
        "out-of-fold loose P={precision} R={recall} F1={f1}".format(**result["out_of_fold_loose"])
    )


if __name__ == "__main__":
    main()
