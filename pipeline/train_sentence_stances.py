"""Fit the sentence reader (``pipeline/components/sentence_stances.py``) that the position scorer stacks on.

The scorer learns what each band of the reader's probability is worth, so the bands it trains on must be the
ones it will see: probabilities for sentences the reader did not learn from. ``out_of_fold`` gives each
labelled sentence its probabilities from a reader fitted on the other pages' folds (a page's sentences stay
together, as everywhere in training); the guard sets are read by the reader fitted on all of it, as text is
at run time.

The reader learns from the same sentences as the scorer: the labelled ones and the always-trained ones of its
language (``--also-train``; the other language's words would never occur in its sentences).
"""

from __future__ import annotations

from collections.abc import Callable

from models.stances import STANCES

# inverse regularisation of each stance's regression; out of fold over the English train and dev pages, with
# the thresholds free, the scorer stacked on it (band and probability) gave 0.655 at 0.3, 0.661 at 1, 0.666 at 3
SENTENCE_C = 3.0
MIN_POSITIVES = 3  # a stance with fewer labelled sentences gets no regression (and never a high band)
NEVER = -30.0  # such a stance's bias: a probability of 1e-13


class SentenceReaderFit:
    """The vectorizer and one logistic regression per stance (None for a stance too rare to learn)."""

    def __init__(self, items: list[dict]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = [item["text"] for item in items]
        # min_df 2: a word pair seen once is a name or a typo more often than a construction
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2 if len(texts) > 50 else 1, sublinear_tf=True)
        matrix = self.vectorizer.fit_transform(texts)
        self.models = []
        for stance in STANCES:
            labels = [int(any(p["stance"] == stance for p in item["positions"])) for item in items]
            if sum(labels) < MIN_POSITIVES or sum(labels) == len(labels):
                self.models.append(None)
                continue
            self.models.append(LogisticRegression(C=SENTENCE_C, max_iter=2000).fit(matrix, labels))

    def probabilities(self, items: list[dict]) -> list[dict[str, float]]:
        """Each item's probability per stance."""
        if not items:
            return []
        matrix = self.vectorizer.transform([item["text"] for item in items])
        columns = [model.predict_proba(matrix)[:, 1] if model else [0.0] * len(items) for model in self.models]
        rows = zip(*columns, strict=True)
        return [{stance: float(p) for stance, p in zip(STANCES, row, strict=True)} for row in rows]

    def exported(self) -> dict:
        """The weights as the run-time reader reads them: each known term's idf followed by its weight under
        each stance, and one bias per stance."""
        idf = self.vectorizer.idf_
        coefficients = [model.coef_[0] if model else None for model in self.models]
        terms = {
            term: [round(float(idf[column]), 4)]
            + [round(float(c[column]), 4) if c is not None else 0.0 for c in coefficients]
            for term, column in sorted(self.vectorizer.vocabulary_.items())
        }
        return {
            "_why": "tf-idf of words and word pairs, one logistic regression per stance, in the order of STANCES",
            "C": SENTENCE_C,
            "terms": terms,
            "bias": [round(float(model.intercept_[0]), 4) if model else NEVER for model in self.models],
        }


def out_of_fold(
    items: list[dict], folds: int, group_of: Callable[[dict], str], also: list[dict] = ()
) -> list[dict[str, float]]:
    """Each item's probabilities from a reader fitted on the folds its page is not in (and on ``also``)."""
    from sklearn.model_selection import GroupKFold

    groups = [group_of(item) for item in items]
    probabilities: list[dict[str, float]] = [dict.fromkeys(STANCES, 0.0) for _ in items]
    for inside, held in GroupKFold(n_splits=min(folds, len(set(groups)))).split(items, groups=groups):
        fitted = SentenceReaderFit([items[n] for n in inside] + list(also))
        for n, read in zip(held, fitted.probabilities([items[n] for n in held]), strict=True):
            probabilities[n] = read
    return probabilities
