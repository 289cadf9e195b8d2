"""The counterpart chooser: towards which country a kept position is taken, if any.

The stance finder names as counterpart the other country nearest its cue, and a position only the scorer
found is given the other country nearest its predicate. Real reporting defeats nearness often: on the
English train and dev pages one found position in four had the wrong counterpart (another country of the
sentence, none where the gold names one, or one where it names none), the largest gap between loose and
strict F1. "Officials from Mexico said the United States had asked them to take in Cubans" puts the
counterpart before the actor and the nationality between them.

So every other country the sentence names, and "none", is scored as the counterpart of each kept (actor,
stance): by how the country attaches (the preposition it is the object of, the word it hangs from, its
dependency), how far it stands from the actor and the actor's predicate in words and along the parse,
whether it is the nearest, whether a rule read it, whether it acts in the sentence itself, and which pair
it makes with the actor. A logistic regression trained on the labelled train and dev pages
(``pipeline/train_counterparts.py``) gives the weights (``lexicons/counterparts.json``, and per language).
When the sentence names no other country, the country named last before it is an option too.
The best option is kept, with as many more as the readings named (a list of countries gives one position
each) and any other at or above the trained threshold. A reading that named the chosen country keeps its
reading; otherwise the position's first reading is given the chosen counterpart and its rule says so
(``+counterpart``). Untrained, the chooser changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import repeat

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.components.scorer import attachment, distance_band, parse_path
from pipeline.components.stances import FAMILY_RULE, PAIR_KEY, Mention, mentions
from pipeline.lexicons import read_trained

COUNTERPARTS_FILE = "counterparts.json"  # in the language's lexicon folder
CHOSEN = "+counterpart"  # added to the rule of a reading whose counterpart the chooser changed
MAX_COUNT = 4  # "four or more other countries" reads as four


@dataclass
class Choice:
    """The counterpart options of one kept (actor, stance) of a sentence, each described for the model."""

    actor: str
    stance: str
    readings: list[dict]
    options: list[str | None]
    features: list[list[str]]


class CounterpartChooser:
    """Rewrites the counterpart of every position in ``doc._.positions`` with the model's choice."""

    def __init__(self, model: dict | None):
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        if not self.model or not doc._.positions:
            return doc
        kept: list[dict] = []
        for choice in self.choices(doc, mentions(doc)):
            kept.extend(self.chosen(choice, self.probabilities(choice), self.model["threshold"]))
        doc._.positions = sorted(kept, key=lambda p: (p["start"], p["actor"], p["stance"]))
        return doc

    def probabilities(self, choice: Choice) -> list[float]:
        weights = self.model["weights"]
        scores = [self.model["bias"] + sum(map(weights.get, set(names), repeat(0.0))) for names in choice.features]
        return [1.0 / (1.0 + math.exp(-score)) for score in scores]

    @staticmethod
    def chosen(choice: Choice, probabilities: list[float], threshold: float) -> list[dict]:
        """The positions for the best options: as many as the readings named, and any other at or above
        ``threshold``. "None" stands only alone: beside a named counterpart, a position without one would
        say the sentence both names and leaves unnamed the other party of the same stance (and
        ``score.py`` cannot sort None beside a country code when it lists the two as misses)."""
        named = len({reading["counterpart"] for reading in choice.readings})
        ranked = sorted(range(len(choice.options)), key=lambda n: -probabilities[n])
        picked = [n for rank, n in enumerate(ranked) if rank < named or probabilities[n] >= threshold]
        if len(picked) > 1:
            picked = [n for n in picked if choice.options[n] is not None]
        positions = []
        for n in sorted(picked):
            option = choice.options[n]
            reading = next((r for r in choice.readings if r["counterpart"] == option), None)
            if reading is None:
                first = choice.readings[0]
                reading = {**first, "counterpart": option, "rule": first["rule"] + CHOSEN}
            positions.append(reading)
        return positions

    @staticmethod
    def choices(doc: Doc, sentence_mentions: list[Mention]) -> list[Choice]:
        """One Choice per (actor, stance, sentence) of ``doc._.positions``, in their order."""
        grouped: dict[tuple, list[dict]] = {}
        for position in doc._.positions:
            grouped.setdefault((position["actor"], position["stance"], position["start"]), []).append(position)
        out = []
        named_before = doc.user_data.get(PAIR_KEY) or ()
        for (actor, stance, _), readings in grouped.items():
            options = [None, *sorted({m.country for m in sentence_mentions if m.country != actor})]
            # "the deal was signed on Tuesday" after a paragraph on Mexico and the United States: the other
            # party is often named only in the sentences before
            if len(options) == 1:
                options += [country for country in named_before if country != actor][:1]
            out.append(
                Choice(actor, stance, readings, options, options_features(doc, sentence_mentions, readings, options))
            )
        return out


def options_features(
    doc: Doc, sentence_mentions: list[Mention], readings: list[dict], options: list[str | None]
) -> list[list[str]]:
    """What makes each option (a country code, or None for "no counterpart") the counterpart of the
    readings' (actor, stance). What the options share (the actor, its predicate, the other countries) is
    read once for all of them."""
    actor, stance, rule = readings[0]["actor"], readings[0]["stance"], readings[0]["rule"]
    kind = "scorer" if rule.startswith("scorer") else "family" if rule.startswith(FAMILY_RULE) else "rule"
    read = {reading["counterpart"] for reading in readings}
    others = {m.country for m in sentence_mentions if m.country != actor}
    count = f"others={min(len(others), MAX_COUNT)}"
    named_actor = next((m.span.root for m in sentence_mentions if m.country == actor and not m.nationality), None)
    predicate = attachment(named_actor)[1] if named_actor is not None else None
    candidates = [m.span.root.i for m in sentence_mentions if m.country != actor and not m.nationality]
    nearest = {
        name: min(candidates, key=lambda i: abs(i - to.i))
        for name, to in (("nearest", named_actor), ("nearest_predicate", predicate))
        if candidates and to is not None
    }
    out = []
    for option in options:
        if option is None:
            features = ["none", f"none|{kind}", f"none|{count}", f"none|{stance}", f"none|{stance}|{kind}"]
            out.append(features + (["none|read"] if None in read else []))
            continue
        if option not in others:  # named before the sentence (``choices``)
            out.append(["earlier", f"earlier|{kind}", f"earlier|{stance}", f"pair={actor}>{option}", f"to={option}"])
            continue
        features = [
            "country", f"country|{kind}", count, f"to={option}", f"{stance}|to={option}", f"pair={actor}>{option}"
        ]  # fmt: skip
        if option in read:
            features += ["read", f"read|{kind}", f"read|{stance}"]
        own = [m for m in sentence_mentions if m.country == option]
        if all(m.nationality for m in own):
            features.append("nationality_only")
        anchor = named_actor.i if named_actor is not None else 0
        root = min((m.span.root for m in own), key=lambda r: abs(r.i - anchor))
        path, head = attachment(root)
        features += [f"path={path}", f"head={head.lemma_.lower()}", f"{stance}|head={head.lemma_.lower()}",
                     f"dep={root.dep_}", f"{stance}|dep={root.dep_}"]  # fmt: skip
        # "with Mexico", "to Venezuela", "con México": the preposition says most about a counterpart
        prepositions = [root.head.lower_] if root.dep_ == "pobj" and root.head.dep_ == "prep" else []
        prepositions += [child.lower_ for child in root.children if child.dep_ == "case"]
        features += [name for word in prepositions for name in (f"prep={word}", f"{stance}|prep={word}")]
        acting = [p for p in doc._.positions if p["actor"] == option]
        if acting:
            features.append("acts_same_stance" if any(p["stance"] == stance for p in acting) else "acts")
        if named_actor is None:
            out.append(features + ["actor_unnamed"])
            continue
        up, down = parse_path(predicate, root)
        shape = f"{min(len(up), 3)}/{min(len(down), 3)}"
        features += [f"words={distance_band(root.i - named_actor.i)}", f"tree={shape}", f"{stance}|tree={shape}",
                     f"tree_first={down[0] if down else 'self'}",
                     "before_actor" if root.i < named_actor.i else "after_actor"]  # fmt: skip
        if predicate is not None and head.i == predicate.i:
            features += ["same_head", f"{stance}|same_head"]
        option_roots = {m.span.root.i for m in own}
        features += [f for name, i in nearest.items() if i in option_roots for f in (name, f"{stance}|{name}")]
        out.append(features)
    return out


@Language.factory(
    "migtrack_counterpart_chooser",
    assigns=["doc._.positions"],
    requires=["doc._.positions"],
    default_config={"language": "en"},
)
def make_counterpart_chooser(nlp: Language, name: str, language: str) -> CounterpartChooser:
    return CounterpartChooser(read_trained(COUNTERPARTS_FILE, language))
