"""Retune a trained position scorer's thresholds on labelled rounds it never trained on.

    python -m pipeline.retune_thresholds pipeline/lexicons/scorer.json gold/real/en_train.jsonl \\
        gold/real/en_dev.jsonl --newer-than en_more102 --guard ../shared/gold/seeds.jsonl:1.0 --write

``train_scorer`` chooses the thresholds on out-of-fold predictions over the pages it trains on. Reporting the
scorer has never seen reads differently: its constructions are rarer in the training pages, so the scorer is
less sure of them, and on the English rounds labelled after its training the thresholds it chose kept too
few (recall 0.47 to 0.50 at precision 0.69 to 0.79 on the forty-fifth and forty-seventh rounds). Those
rounds are the nearest thing to the reporting a user brings, so the bars are tuned again on them: the same
grid the trainer's first stage searches (one bar for every stance, one for pattern readings, one for pairs
no rule read), read by the extractor as ``migtrack eval`` runs it (the gate on, the sentences of a page
together), under the guard sets' floors. The weights are not touched.

Which labelled items are new to the scorer is said by their part: ``--newer-than en_more102`` keeps the
items of the parts numbered above it (``en_more103-0001`` and later), the labelling rounds that came after
the scorer's training data. The test splits are never given to it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from models.stances import STANCES
from pipeline import train_scorer
from pipeline.components import sentence_stances
from pipeline.components.scorer import BARE, RULE, Candidate, PositionScorer
from pipeline.components.stances import mentions
from pipeline.config import Settings
from pipeline.extract import Extractor
from pipeline.jsonl import load_jsonl
from pipeline.lexicons import LANGUAGES

PART = re.compile(r"^(?P<name>[a-z_]+?)(?P<number>\d+)-\d+$")
# the trainer's bars for pairs no rule read stop at 0.3, which unseen rounds may want lower
# a round brings about 250 train and dev items per language: the bars move only on several rounds' worth (the
# first retuning read 1,421 English items; 257 Spanish ones picked bars no other round had judged)
MIN_ITEMS = 1000
BARE_GRID = (*train_scorer.BARE_THRESHOLDS, 0.25, 0.2)


def newer_than(items: list[dict], part: str, including: bool = False) -> list[dict]:
    """The items of the parts named like ``part`` and numbered above it (or from it, ``including``)."""
    boundary = PART.match(f"{part}-0")
    if boundary is None:
        raise click.BadParameter(f"{part!r}: expected a part name ending in its number, e.g. en_more102")
    lowest = int(boundary["number"]) + (0 if including else 1)
    kept = []
    for item in items:
        match = PART.match(str(item.get("id", "")))
        if match and match["name"] == boundary["name"] and int(match["number"]) >= lowest:
            kept.append(item)
    return kept


def scored_candidates(
    extractor: Extractor, scorer: PositionScorer, items: list[dict]
) -> tuple[list[list[Candidate]], list[float]]:
    """Each item's candidates, read by the extractor up to its scorer, and their probabilities under
    ``scorer`` (with its sentence reader's reading of each sentence), flat in item order (as
    ``train_scorer.Kept`` reads them)."""
    candidates: list[list[Candidate]] = [[] for _ in items]
    probabilities: list[list[float]] = [[] for _ in items]
    for index, doc in train_scorer.docs_before_scorer(extractor, items):
        read = scorer.sentence_reader.probabilities(doc.text) if scorer.sentence_reader else None
        for candidate in scorer.candidates(doc, mentions(doc)):
            sentence = sentence_stances.features(candidate.stance, read[candidate.stance]) if read else ()
            candidates[index].append(candidate)
            probabilities[index].append(scorer.probability(candidate, sentence))
    return candidates, [p for item in probabilities for p in item]


def retune(
    extractor: Extractor, scorer: PositionScorer, items: list[dict], guards: list[tuple[list[dict], float]]
) -> tuple[dict, dict]:
    """The thresholds of the trainer's first-stage grid with the best loose F1 on ``items`` that keep every
    guard set at its floor, and the F1 of the scorer's own thresholds on them, for comparison."""
    tuning = train_scorer.Tuning(
        (items, *scored_candidates(extractor, scorer, items)),
        [(guard, *scored_candidates(extractor, scorer, guard), floor) for guard, floor in guards],
    )
    grid = (
        {**dict.fromkeys(STANCES, x), RULE: rule, BARE: bare}
        for x in train_scorer.THRESHOLDS
        for rule in train_scorer.RULE_THRESHOLDS
        for bare in BARE_GRID
    )
    best_f1, best = max(((tuning(t), t) for t in grid), key=lambda pair: pair[0])
    if best_f1 < 0:
        raise click.ClickException("no setting keeps every guard set at its floor")
    return best, {"before": tuning.dev.f1(scorer.model["thresholds"]), "after": tuning.dev.f1(best)}


@click.command()
@click.argument("scorer_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("labelled_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Pipeline to read.")
@click.option(
    "--newer-than",
    "boundary",
    required=True,
    metavar="PART",
    help="The last labelling part the scorer trained on (e.g. en_more102): only later parts are read.",
)
@click.option(
    "--guard",
    "guards",
    multiple=True,
    metavar="FILE:F1",
    help="A labelled file whose loose F1 must stay at or above F1 (repeatable), as for train_scorer.",
)
@click.option(
    "--min-items",
    default=MIN_ITEMS,
    show_default=True,
    type=click.IntRange(1),
    help="Fewer new items than this leave the thresholds as they are: a grid searched on them would fit their noise.",
)
@click.option("--write/--dry-run", default=False, show_default=True, help="Write the thresholds into SCORER_FILE.")
def main(
    scorer_file: Path,
    labelled_files: tuple[Path, ...],
    language: str,
    boundary: str,
    guards: tuple[str, ...],
    min_items: int,
    write: bool,
) -> None:
    """Tune SCORER_FILE's thresholds on the items of LABELLED_FILES newer than its training data.

    Example: python -m pipeline.retune_thresholds pipeline/lexicons/scorer.json gold/real/en_train.jsonl
    gold/real/en_dev.jsonl --newer-than en_more102 --write
    """
    labelled = [item for path in labelled_files for item in load_jsonl(path)]
    # a boundary the files never reach is a wrong boundary or the wrong files; right after a retraining the
    # boundary is the newest part, and nothing newer simply means nothing to tune on yet
    if not newer_than(labelled, boundary, including=True):
        raise click.ClickException(f"no labelled item is newer than {boundary}")
    items = newer_than(labelled, boundary)
    if len(items) < min_items:
        click.echo(f"{len(items)} items newer than {boundary}, fewer than {min_items}: {scorer_file} left as it is")
        return
    model = json.loads(scorer_file.read_text(encoding="utf-8"))
    configured, fallback = Settings().models_for(language)
    extractor = Extractor(configured, fallback, language=language)
    scorer = PositionScorer(model, language)
    thresholds, figures = retune(extractor, scorer, items, train_scorer.read_guards(guards))
    click.echo(
        f"{len(items)} items newer than {boundary}: loose F1 {figures['before']['f1']} with {model['thresholds']}, "
        f"{figures['after']['f1']} with {thresholds}"
    )
    if write:
        model["thresholds"] = thresholds
        model["threshold"] = min(thresholds[stance] for stance in STANCES)
        model["retuned_on"] = {"newer_than": boundary, "items": len(items), "loose": figures["after"]}
        scorer_file.write_text(json.dumps(model, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        click.echo(f"{scorer_file}: thresholds written")


if __name__ == "__main__":
    main()
