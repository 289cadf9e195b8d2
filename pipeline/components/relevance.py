"""The relevance gate: which sentences are worth parsing.

A position needs a country and a matter of migration. Most sentences of a news article have
neither, and skipping the parser for them is where the extractor's speed comes from. A sentence
passes when it names a country and either says something about migration itself or, inside an
article that is about migration, carries a stance cue ("Trump threatened tariffs on Colombia" in a
story about turned-back flights). A lone sentence has no article to judge by, so its stance cue is
enough. Runs in the cheap scanning pipeline: no tagger, no parser.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.components.countries import NEGATED_PREFIX
from pipeline.lexicons import read_json, read_jsonl


class RelevanceGate:
    def __init__(self, migration_terms: list[str], cue_terms: list[str], min_topic_sentences: int):
        self.migration_terms = tuple(term.lower() for term in migration_terms)
        self.cue_terms = tuple(term.lower() for term in cue_terms)
        self.min_topic_sentences = min_topic_sentences

    def __call__(self, doc: Doc) -> Doc:
        sentences = list(doc.sents)
        # one pass over the entities: Span.ents per sentence would rescan the whole doc each time
        with_country = {
            ent.sent.start for ent in doc.ents if ent.ent_id_ and not ent.ent_id_.startswith(NEGATED_PREFIX)
        }
        lowered = [s.text.lower() for s in sentences]
        on_migration = [any(term in text for term in self.migration_terms) for text in lowered]
        # a text too short to have a topic (a lone sentence) is given the benefit of the doubt
        article_on_topic = sum(on_migration) >= self.min_topic_sentences or len(sentences) < self.min_topic_sentences
        doc.spans["relevant"] = [
            sentence
            for sentence, text, migration in zip(sentences, lowered, on_migration, strict=True)
            if sentence.start in with_country
            and (migration or (article_on_topic and any(term in text for term in self.cue_terms)))
        ]
        return doc


def cue_stems() -> list[str]:
    """Stems of every lemma a stance pattern anchors on ("refus" for refuse, refused, refusing), so
    the gate lets through every sentence the stance finder could read; the scanner has no lemmatizer."""
    stems = set()
    for row in read_jsonl("stances.jsonl"):
        lemmas = row["pattern"][0]["RIGHT_ATTRS"]["LEMMA"]
        for lemma in lemmas["IN"] if isinstance(lemmas, dict) else [lemmas]:
            stems.add(lemma[:-1] if lemma.endswith("e") and len(lemma) > 3 else lemma)
    return sorted(stems)


@Language.factory("migtrack_relevance_gate", assigns=["doc.spans"], requires=["doc.sents", "doc.ents"])
def make_relevance_gate(nlp: Language, name: str) -> RelevanceGate:
    vocabulary = read_json("relevance.json")
    cue_terms = vocabulary["cue_terms"] + cue_stems()
    return RelevanceGate(vocabulary["migration_terms"], cue_terms, vocabulary["min_topic_sentences"])


class ParagraphBreaks:
    """A line break ends a sentence: headlines, bylines and paragraphs carry no final full stop."""

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if "\n" in previous.whitespace_ or previous.is_space and "\n" in previous.text:
                token.is_sent_start = True
        return doc


@Language.factory("migtrack_paragraph_breaks", assigns=["token.is_sent_start"])
def make_paragraph_breaks(nlp: Language, name: str) -> ParagraphBreaks:
    return ParagraphBreaks()
