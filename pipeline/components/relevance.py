"""The relevance gate: which sentences are worth parsing.

A position needs a country, a stance cue and a matter of migration, and skipping the parser for
sentences without them is where the extractor's speed comes from. A sentence passes when it names
a country, carries a cue word of some stance pattern (no pattern can fire without one), and either
says something about migration itself or stands in an article that is about migration ("Trump
threatened tariffs on Colombia" in a story about turned-back flights). A lone sentence has no
article to judge by and is parsed when it names a country: the position scorer reads positions in words no
cue or family holds ("Austria had frozen every asylum application"), and parsing one sentence costs nothing.
Runs in the cheap scanning pipeline: no tagger, no parser.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.components.countries import names_country
from pipeline.lexicons import common_family_words, read_json, read_jsonl, stance_families

# the span group of sentences the article reader (article.py) found saying "the two countries" after two were
# named: they name no country of their own, and pass as if they did
PAIR_REFERENCES = "pair_references"
# and those saying "those four nations" after a list of countries
GROUP_REFERENCES = "group_references"


def _word_start_pattern(terms: list[str]) -> re.Pattern:
    """One expression matching any term at the start of a word: "ban" must not match "urban"."""
    return re.compile(r"\b(?:" + "|".join(re.escape(term.lower()) for term in sorted(set(terms))) + ")")


class RelevanceGate:
    """``cue_terms`` open the gate in an article; a text too short to have a topic passes whenever it names a
    country, since parsing one sentence more costs nothing and missing its position is the whole answer."""

    def __init__(self, migration_terms: list[str], cue_terms: list[str], min_topic_sentences: int):
        self.migration = _word_start_pattern(migration_terms)
        self.cues = _word_start_pattern(cue_terms)
        self.min_topic_sentences = min_topic_sentences

    def __call__(self, doc: Doc) -> Doc:
        sentences = list(doc.sents)
        lowered = [s.text.lower() for s in sentences]
        # one pass over the entities: Span.ents per sentence would rescan the whole doc each time
        with_country = {ent.sent.start for ent in doc.ents if names_country(ent)}
        for references in (PAIR_REFERENCES, GROUP_REFERENCES):
            with_country.update(span.start for span in doc.spans.get(references, []))
        on_migration = [self.migration.search(text) is not None for text in lowered]
        # a text too short to have a topic (a lone sentence) is given the benefit of the doubt: read as
        # lines, the real-reporting dev splits lost 6% of their gold positions to the cue check (English
        # 0.792 -> 0.799 loose without it, Spanish 0.750 -> 0.759)
        lone = len(sentences) < self.min_topic_sentences
        article_on_topic = sum(on_migration) >= self.min_topic_sentences
        doc.spans["relevant"] = [
            sentence
            for sentence, text, migration in zip(sentences, lowered, on_migration, strict=True)
            # in an article no stance pattern fires without its cue word, so a sentence without one is not parsed
            if sentence.start in with_country
            and (lone or (self.cues.search(text) is not None and (migration or article_on_topic)))
        ]
        return doc


def cue_lemmas(pattern_row: dict) -> list[str]:
    """The lemmas a cue pattern's first word (its cue) may have: every pattern anchors on lemmas."""
    lemma = pattern_row["pattern"][0]["RIGHT_ATTRS"]["LEMMA"]
    return lemma["IN"] if isinstance(lemma, dict) else [lemma]


def cue_stems(language: str = "en") -> list[str]:
    """Stems of every lemma a stance pattern anchors on ("refus" for refuse, refused, refusing) and of
    every word of the stance families (``stance_families.json``), so the gate lets through every sentence
    the stance finder could read; the scanner has no lemmatizer. A Spanish verb loses its infinitive
    ending ("rechaz" for rechazó, rechaza, rechazaron)."""
    lemmas: set[str] = set()
    for row in read_stance_patterns(language):
        lemmas.update(cue_lemmas(row))
    too_common = common_family_words(language)
    for words in stance_families(language).values():
        # a phrase ("call off") opens the gate through its verb, which is a family word or too common
        lemmas.update(word for word in words if word not in too_common and " " not in word)
    return sorted({_stem(lemma, language) for lemma in lemmas})


def _stem(lemma: str, language: str) -> str:
    if language == "es" and lemma.endswith(("ar", "er", "ir")) and len(lemma) > 4:
        return lemma[:-2]
    return lemma[:-1] if lemma.endswith("e") and len(lemma) > 3 else lemma


def read_stance_patterns(language: str) -> list[dict]:
    """The language's cue patterns; a language without a pattern file reads stances through its families."""
    try:
        return read_jsonl("stances.jsonl", language)
    except FileNotFoundError:
        return []


@Language.factory(
    "migtrack_relevance_gate",
    assigns=["doc.spans"],
    requires=["doc.sents", "doc.ents"],
    default_config={"language": "en"},
)
def make_relevance_gate(nlp: Language, name: str, language: str) -> RelevanceGate:
    vocabulary = read_json("relevance.json", language)
    cue_terms = vocabulary["cue_terms"] + cue_stems(language)
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
