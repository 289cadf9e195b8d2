"""Train the counterpart chooser (``pipeline/components/counterparts.py``) on the labelled train and dev splits.

    python -m pipeline.train_counterparts gold/real/en_train.jsonl gold/real/en_dev.jsonl \\
        --out pipeline/lexicons/counterparts.json

The extractor, with its trained scorer and the chooser switched off, reads every labelled sentence. Each
(actor, stance) it keeps that the gold sentence holds too, where the gold's counterpart is one of the
sentence's options, gives a row per option labelled by whether the gold names it; a logistic regression
(scikit-learn) learns the weights. The regularisation and the threshold for further counterparts are the
ones with the best strict F1, counted as ``score.py`` counts it, over out-of-fold predictions (the pages cut
into folds as for the scorer, ``pipeline/train_scorer.py``). Train the scorer first: the chooser learns from
the positions it keeps. The test split is never read here.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from pipeline.components.counterparts import Choice, CounterpartChooser
from pipeline.components.stances import mentions
from pipeline.evaluate import STRICT, score
from pipeline.extract import Extractor, pages_of
from pipeline.jsonl import load_jsonl
from pipeline.lexicons import LANGUAGES
from pipeline.train_scorer import fit, group_of, predict, reading_extractor

log = logging.getLogger(__name__)

C_VALUES = (0.3, 1.0, 3.0)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 1.01)  # 1.01: never more counterparts than the readings named


def choices_of(extractor: Extractor, items: list[dict]) -> list[list[Choice]]:
    """Each item's choices, from the positions the extractor keeps with the chooser switched off."""
    parser = extractor.pipelines.parser
    out: list[list[Choice]] = [[] for _ in items]
    with parser.select_pipes(disable=["migtrack_counterpart_chooser"]):
        for index, doc, _ in extractor.parsed_sentences([item["text"] for item in items], pages=pages_of(items)):
            out[index].extend(CounterpartChooser.choices(doc, mentions(doc)))
    return out


class Options:
    """Every option of every choice as a feature row, and which of them the gold names where it can tell."""

    def __init__(self, items: list[dict], choices: list[list[Choice]]):
        self.items, self.choices = items, choices
        self.rows = [dict.fromkeys(f, 1) for cs in choices for c in cs for f in c.features]
        self.item_of_row = [n for n, cs in enumerate(choices) for c in cs for _ in c.options]
        # a row teaches only where the gold holds its (actor, stance) with a counterpart among the options
        self.labels: list[int | None] = []
        for item, item_choices in zip(items, choices, strict=True):
            gold: dict[tuple, set] = {}
            for position in item["positions"]:
                gold.setdefault((position["actor"], position["stance"]), set()).add(position.get("counterpart"))
            for choice in item_choices:
                named = gold.get((choice.actor, choice.stance), set())
                teaches = bool(named & set(choice.options))
                self.labels += [int(option in named) if teaches else None for option in choice.options]

    def taught(self, rows: list[int]) -> tuple[list[dict], list[int]]:
        kept = [r for r in rows if self.labels[r] is not None]
        return [self.rows[r] for r in kept], [self.labels[r] for r in kept]


def out_of_fold(options: Options, c_value: float, folds: int) -> list[float]:
    """Each row's probability from a model fitted on the other folds' pages."""
    from sklearn.model_selection import GroupKFold

    groups = [group_of(item) for item in options.items]
    probabilities = [0.0] * len(options.rows)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for _, held_items in splitter.split(options.items, groups=groups):
        held = set(held_items)
        inside = [r for r, item in enumerate(options.item_of_row) if item not in held]
        outside = [r for r, item in enumerate(options.item_of_row) if item in held]
        fitted = fit(*options.taught(inside), c_value)
        for r, p in zip(outside, predict(fitted, [options.rows[r] for r in outside]), strict=True):
            probabilities[r] = float(p)
    return probabilities


def strict_f1(options: Options, probabilities: list[float] | None, threshold: float) -> dict:
    """Strict precision, recall and F1 of the positions chosen at ``threshold`` (None: the readings as found)."""
    flat = iter(probabilities or [])
    predicted = {}
    for item, item_choices in zip(options.items, options.choices, strict=True):
        positions = []
        for choice in item_choices:
            if probabilities is None:
                positions += choice.readings
            else:
                positions += CounterpartChooser.chosen(choice, [next(flat) for _ in choice.options], threshold)
        predicted[item["id"]] = positions
    figures = score({item["id"]: item["positions"] for item in options.items}, predicted, STRICT)
    return {name: round(figures[name], 4) for name in ("precision", "recall", "f1")}


def train(items: list[dict], extractor: Extractor, folds: int = 5) -> dict:
    """Choose the regularisation and threshold on out-of-fold strict F1, then fit that setting on everything."""
    options = Options(items, choices_of(extractor, items))
    before = strict_f1(options, None, 1.01)
    best = None
    for c_value in C_VALUES:
        probabilities = out_of_fold(options, c_value, folds)
        for threshold in THRESHOLDS:
            figures = strict_f1(options, probabilities, threshold)
            log.info("C=%s threshold=%s out-of-fold strict F1 %.4f", c_value, threshold, figures["f1"])
            if best is None or figures["f1"] > best[0]["f1"]:
                best = (figures, c_value, threshold)
    figures, c_value, threshold = best
    vectorizer, model = fit(*options.taught(list(range(len(options.rows)))), c_value)
    names = vectorizer.get_feature_names_out()
    weights = {str(name): round(float(w), 4) for name, w in zip(names, model.coef_[0], strict=True) if abs(w) >= 1e-3}
    return {
        "_why": "Weights of the counterpart chooser (pipeline/components/counterparts.py), written by "
        "pipeline/train_counterparts.py.",
        "trained_on": len(items),
        "taught_rows": sum(label is not None for label in options.labels),
        "folds": folds,
        "C": c_value,
        "threshold": threshold,
        "out_of_fold_strict": {"readings": before, "chosen": figures},
        "bias": round(float(model.intercept_[0]), 4),
        "weights": dict(sorted(weights.items())),
    }


@click.command()
@click.argument("labelled_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Weights file to write.")
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Pipeline to train.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2), help="Cross-validation folds, by page.")
def main(labelled_files: tuple[Path, ...], out: Path, language: str, folds: int) -> None:
    """Train the counterpart chooser on LABELLED_FILES (JSON Lines; the train and dev splits), choosing its
    settings by cross-validation over their pages. Train the position scorer first.

    Example: python -m pipeline.train_counterparts gold/real/es_train.jsonl gold/real/es_dev.jsonl
    --language es --out pipeline/lexicons/es/counterparts.json
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    extractor = reading_extractor(language)
    items = [item for path in labelled_files for item in load_jsonl(path)]
    if not any(item["positions"] for item in items):
        raise click.ClickException("the labelled files hold no positions to learn counterparts from")
    result = train(items, extractor, folds)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    readings, chosen = result["out_of_fold_strict"]["readings"], result["out_of_fold_strict"]["chosen"]
    click.echo(
        f"{out}: {len(result['weights'])} weights, C={result['C']}, threshold={result['threshold']}, "
        f"out-of-fold strict F1 {readings['f1']} (readings) -> {chosen['f1']} (chosen)"
    )


if __name__ == "__main__":
    main()
