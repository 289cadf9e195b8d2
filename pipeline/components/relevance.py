"""The relevance gate: which sentences are worth parsing.

Only a sentence with a migration term and a country mention can carry a position, and most
sentences of a news article have neither; skipping the parser for them is where the extractor's
speed comes from. Runs in the cheap scanning pipeline (tokenizer, sentencizer, gazetteer).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.lexicons import read_json


class RelevanceGate:
    def __init__(self, terms: list[str]):
        self.terms = tuple(term.lower() for term in terms)

    def is_relevant(self, sentence: Span) -> bool:
        if not any(ent.ent_id_ and not ent.ent_id_.startswith("NOT:") for ent in sentence.ents):
            return False
        lowered = sentence.text.lower()
        return any(term in lowered for term in self.terms)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["relevant"] = [sentence for sentence in doc.sents if self.is_relevant(sentence)]
        return doc


@Language.factory("migtrack_relevance_gate", assigns=["doc.spans"], requires=["doc.sents", "doc.ents"])
def make_relevance_gate(nlp: Language, name: str) -> RelevanceGate:
    return RelevanceGate(read_json("relevance.json")["prefixes"])
