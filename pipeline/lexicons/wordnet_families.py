"""Propose words for the stance families from WordNet 3.0, and check the kept ones still come from it.

    python -m pipeline.lexicons.wordnet_families            # candidates per stance, kept ones marked
    python -m pipeline.lexicons.wordnet_families --check    # exit 1 if a kept word is not a candidate

Reporting states positions with verbs the train split never showed ("acquiesced", "called off",
"rescinded"): WordNet's synonyms and hyponyms of each family's verbs, in their first senses and only in
the verb files where a government's acts live, and the nouns derived from them, are the candidates.
Most are wrong for this field ("cook" under accept), so a person keeps the right ones in
``stance_families_wordnet.json``; run time reads that file and needs no WordNet.

Needs nltk and WordNet 3.0, which nltk's downloader cannot fetch here: install Debian's ``wordnet-base``
and ``wordnet-sense-index``, copy ``/usr/share/wordnet`` to ``$NLTK_DATA/corpora/wordnet`` and add the
``lexnames`` file of the lexnames(5WN) manual page (``--write-lexnames`` does).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.lexicons import WORDNET_FAMILIES, lexicon_path, read_json

SENSES = 3  # a seed's most frequent senses; later ones are rarely what reporting means
VERB_FILES = frozenset(
    {
        "verb.communication",
        "verb.social",
        "verb.possession",
        "verb.change",
        "verb.stative",
        "verb.cognition",
        "verb.competition",
    }  # fmt: skip
)
LEXNAMES = [
    "adj.all",
    "adj.pert",
    "adv.all",
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
    "verb.body",
    "verb.change",
    "verb.cognition",
    "verb.communication",
    "verb.competition",
    "verb.consumption",
    "verb.contact",
    "verb.creation",
    "verb.emotion",
    "verb.motion",
    "verb.perception",
    "verb.possession",
    "verb.social",
    "verb.stative",
    "verb.weather",
    "adj.ppl",
]


def _write_lexnames(wordnet_dir: Path) -> None:
    """The lexnames file nltk's reader wants and Debian's package lacks: number, name, syntactic category."""
    category = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
    lines = [f"{n:02d}\t{name}\t{category[name.split('.')[0]]}" for n, name in enumerate(LEXNAMES)]
    (wordnet_dir / "lexnames").write_text("\n".join(lines) + "\n", encoding="utf-8")


def candidates(seeds: frozenset[str]) -> dict[str, set[str]]:
    """Each candidate word (space for underscore) with the seeds it came from."""
    from nltk.corpus import wordnet

    found: dict[str, set[str]] = {}
    for seed in sorted(seeds):
        for synset in wordnet.synsets(seed.replace(" ", "_"), "v")[:SENSES]:
            if synset.lexname() not in VERB_FILES:
                continue
            for related in [synset, *synset.hyponyms()]:
                if related.lexname() not in VERB_FILES:
                    continue
                for lemma in related.lemmas():
                    forms = [lemma, *(d for d in lemma.derivationally_related_forms() if d.synset().pos() == "n")]
                    for form in forms:
                        word = form.name().lower().replace("_", " ")
                        if word not in seeds:
                            found.setdefault(word, set()).add(seed)
    return found


@click.command()
@click.option("--check", is_flag=True, help="Only check that every kept word is still a WordNet candidate.")
@click.option(
    "--write-lexnames",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Write the lexnames file into this copy of /usr/share/wordnet, and stop.",
)
def main(check: bool, write_lexnames: Path | None) -> None:
    """List WordNet candidates for each stance family, the kept ones marked with '*'.

    Example: NLTK_DATA=~/nltk_data python -m pipeline.lexicons.wordnet_families --check
    """
    if write_lexnames is not None:
        _write_lexnames(write_lexnames)
        return
    seeds = read_json("stance_families.json")
    kept = read_json(WORDNET_FAMILIES) if lexicon_path(WORDNET_FAMILIES).is_file() else {}
    stray = []
    for stance, words in seeds.items():
        if stance.startswith("_"):
            continue
        found = candidates(frozenset(words))
        stray += [f"{stance}: {word}" for word in kept.get(stance, []) if word not in found]
        if not check:
            marked = [f"{'*' if word in kept.get(stance, []) else ''}{word}" for word in sorted(found)]
            click.echo(f"{stance} ({len(found)}): {', '.join(marked)}")
    if stray:
        click.echo("kept but not WordNet candidates: " + "; ".join(stray), err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
