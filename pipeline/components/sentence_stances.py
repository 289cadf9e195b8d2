"""How likely a sentence, read as a whole, is to hold each stance: a second opinion for the position scorer.

The scorer describes one (country, stance) pair by the parse around that country, so a sentence whose stance
lies in wording the parse does not tie to the country ("the deal, which Kampala signed on Friday, covers ...")
leaves each pair with little to go on. A bag of the sentence's words and word pairs, weighted by tf-idf, with
one logistic regression per stance, reads the sentence without the parse; the scorer takes the band its
probability falls in for the candidate's stance as a feature (``features``), and learns what that band is
worth beside the parse. Out of fold over the train and dev pages this took the Spanish scorer from 0.609 to
0.617 loose F1, and the English one from 0.639 to 0.660 with its thresholds free; English is trained without
it, because under the seed sentences' floor it cost more than it gave (README, "Accuracy").

The trainer fits the regressions with scikit-learn (``pipeline/train_scorer.py``); at run time the weights are
read from the scorer's JSON file and applied here in plain Python, term for term as scikit-learn's
``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` and ``LogisticRegression`` compute them, so that
extraction needs no scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from models.stances import STANCES

# scikit-learn's default token pattern: words of two or more characters, lower-cased
TOKEN = re.compile(r"(?u)\b\w\w+\b")
BANDS = 5  # the probability's band (0-0.2, ..., 0.8-1) is the scorer's feature


def terms(text: str) -> list[str]:
    """The sentence's words and adjacent word pairs, as the vectorizer counts them."""
    words = TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def features(stance: str, probability: float) -> list[str]:
    """The scorer's feature for a candidate of ``stance`` in a sentence read at ``probability``."""
    return [f"{stance}|sentence={min(int(probability * BANDS), BANDS - 1)}"]


class SentenceStances:
    """Applies the trained regressions to a sentence's text. ``model["terms"]`` gives each term the
    vectorizer knew its idf followed by its weight under each stance, and ``model["bias"]`` each stance's
    bias, in the order of ``STANCES``. The weights are held as one matrix, so that a sentence costs one
    product over its own terms' rows (tens of microseconds) instead of a Python loop over ten stances."""

    def __init__(self, model: dict):
        self.row = {term: n for n, term in enumerate(model["terms"])}
        table = np.array(list(model["terms"].values()), dtype=float).reshape(len(self.row), len(STANCES) + 1)
        self.idf, self.weights = table[:, 0], table[:, 1:]
        self.bias = np.array(model["bias"], dtype=float)

    def probabilities(self, text: str) -> dict[str, float]:
        counts = Counter(n for n in map(self.row.get, terms(text)) if n is not None)
        rows = np.fromiter(counts, dtype=int, count=len(counts))
        # sublinear term frequency times idf, scaled to unit length: only terms the vectorizer knew count
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * self.idf[rows]
        norm = math.sqrt(float(values @ values)) or 1.0
        scores = self.bias + (values / norm) @ self.weights[rows]
        return dict(zip(STANCES, (1.0 / (1.0 + np.exp(-scores))).tolist(), strict=True))
