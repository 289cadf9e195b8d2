"""Numbers of people, flights or a share, as written ("up to 30,000 a month"); never money."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.lexicons import read_jsonl

MONEY_MARKERS = {
    "$",
    "dollars",
    "dollar",
    "usd",
    "pesos",
    "euros",
    "€",
    "£",
    "tariff",
    "tariffs",
    "duties",
    "duty",
    "tax",
    "taxes",
    "levy",
}


class QuantityMatcher:
    def __init__(self, nlp: Language):
        self.matcher = Matcher(nlp.vocab)
        for number, row in enumerate(read_jsonl("quantities.jsonl")):
            self.matcher.add(f"{row['label']}_{number}", [row["pattern"]])

    def __call__(self, doc: Doc) -> Doc:
        # every pattern needs a number: most sentences have none, and the patterns' optional leading words
        # ("up to", "some") make the Matcher try every token
        if not any(token.like_num for token in doc):
            doc.spans["quantities"] = []
            return doc
        spans = [doc[start:end] for _, start, end in self.matcher(doc)]
        doc.spans["quantities"] = [
            span
            for span in filter_spans(spans)
            if not any(t.lower_ in MONEY_MARKERS for t in doc[max(span.start - 1, 0) : span.end + 1])
        ]
        return doc


@Language.factory("migtrack_quantities", assigns=["doc.spans"])
def make_quantity_matcher(nlp: Language, name: str) -> QuantityMatcher:
    return QuantityMatcher(nlp)
