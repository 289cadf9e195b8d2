"""The article reader: what a sentence cannot say alone, read off the article around it (issue 12).

Sentences are parsed one at a time, so "the Caribbean nation", "the president" or "she" needs the article
to say whose it is. This component runs in the cheap scanner, after the gazetteer and before the relevance
gate, over the whole text:

- **dateline**: "MEXICO CITY (Reuters) -", "KIGALI, Rwanda -" at the start of a line names the country the
  report is written from, through the gazetteer's capitals and names;
- **descriptions**: "the Caribbean holiday destination", "the small Western Balkan country", "the East
  African nation" are looked up in ``lexicons/descriptions.json`` (per language), which lists the countries
  each word can denote. A description becomes a country entity only when exactly one country named in the
  last few sentences (or the dateline's) is in the set every word of it allows; it replaces the demonyms
  the gazetteer found inside it ("American" in "the Central American nation" is not the United States).
  As an entity it also opens the relevance gate for its sentence. A demonstrative one ("ese país", "that
  country", "esa nación centroamericana") is the country named last before it, its people's included;
- **origins**: for every sentence, the nationalities named in the nearest sentence before it that names
  some (demonyms, and countries after "from"/"de"), for "their home countries" and "sus países de origen"
  (``doc.user_data[ORIGINS_BY_SENTENCE_KEY]``, one tuple per sentence);
- **pairs**: for every sentence, the last two countries named before it, for "the two countries", "both
  governments" and "ambos gobiernos" (``doc.user_data[PAIRS_BY_SENTENCE_KEY]``);
- **groups**: for every sentence, the last list of two or more countries ("Guinea, Sierra Leone, Cambodia and
  Eritrea") of the nearest sentence before it that has one, for "those four nations", "these states" and "estos
  países" (``doc.user_data[GROUPS_BY_SENTENCE_KEY]``);
- **context**: for every sentence, the country a pronoun, "the president" or "the government" with no
  country in its own sentence most likely stands for: the subject-most (first) country of the nearest
  sentence before that names one outside quotation marks, or the dateline's country when that sentence names
  it too. Stored in ``doc.user_data[CONTEXTS_KEY]``, one entry per sentence, for ``pipeline.extract`` to hand
  to the parser.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.components.countries import alias_table, names_country
from pipeline.components.relevance import GROUP_REFERENCES, PAIR_REFERENCES
from pipeline.components.stances import GROUP_MARKERS, ROLES, listed_runs
from pipeline.lexicons import read_json

CONTEXTS_KEY = "migtrack_article_contexts"
PAIRS_BY_SENTENCE_KEY = "migtrack_article_pairs"
GROUPS_BY_SENTENCE_KEY = "migtrack_article_groups"
ORIGINS_BY_SENTENCE_KEY = "migtrack_article_origins"
ORIGIN_PREPOSITIONS = {"from", "de", "of"}  # "eight men from Cuba, Laos and Vietnam"
ORIGIN_ADJECTIVES = {"procedentes", "provenientes", "originarios", "originarias", "oriundos", "naturales"}
PEOPLE = ROLES.people_nouns | ROLES.nationality_holders
RECENT_SENTENCES = 10  # how far back a description looks for its country (a wire story may name it once, in its lead)
# a demonym names its country when a title of office or a government noun follows it ("Colombian President
# Gustavo Petro", "Mexican officials"), or in Spanish comes just before it ("el gobierno venezolano")
TITLES = {"president", "prime", "foreign", "interior", "minister", "government", "authorities", "premier"}
DATELINE = re.compile(
    r"^(?P<city>[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'’-]{1,30}?)(?:,\s*(?P<region>[A-Z][\w.' -]{1,40}?))?\s*"
    r"(?:\([^)\n]{1,60}\))?\s*(?:[-–—]{1,2}|:)\s",
    re.MULTILINE,
)
DATELINE_LINES = 3  # the headline, maybe a byline, then the dateline


class ArticleReader:
    def __init__(self, language: str):
        self.language = language
        data = read_json("descriptions.json", language)
        self.words: dict[str, frozenset[str]] = {w: frozenset(c) for w, c in data["words"].items()}
        nouns = "|".join(re.escape(n) for n in sorted(data["nouns"], key=len, reverse=True))
        words = "|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True))
        # "el país centroamericano", "esta nación caribeña": the noun comes before its adjectives; "la isla"
        # alone as "the island" in English
        if language == "es":
            self.pattern = re.compile(
                rf"\b(?:el|la|los|las|este|esta|estos|estas|dicho|dicha)\s+(?:{nouns})"
                rf"(?:(?P<words>(?:\s+(?:{words}))+)\b|\b(?!\s+(?:de|del|unido)\b))",
                re.IGNORECASE,
            )
        else:  # "the small Western Balkan country", "this island nation": up to two other words among the known
            self.pattern = re.compile(
                rf"\b(?:the|this)\s+(?P<words>(?:[\w-]+\s+){{0,4}}?)(?:{nouns})\b(?!\s+of\b)", re.IGNORECASE
            )
        self.word_pattern = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
        # "ese país", "that country": the country named last before it, whatever words follow
        demonstratives = "|".join(re.escape(d) for d in data["demonstratives"])
        self.demonstrative_pattern = re.compile(
            rf"\b(?:{demonstratives})\s+(?:{nouns})\b(?!\s+(?:of|de|del)\b)", re.IGNORECASE
        )

    def __call__(self, doc: Doc) -> Doc:
        sentences = list(doc.sents)
        topic = self._dateline_country(doc)
        self._resolve_descriptions(doc, sentences, topic)
        named = _countries_by_sentence(doc, sentences, _names)
        doc.user_data[CONTEXTS_KEY] = _contexts(_countries_by_sentence(doc, sentences, _names, unquoted=True), topic)
        pairs = _pairs(named)
        doc.user_data[PAIRS_BY_SENTENCE_KEY] = pairs
        # "the two countries were still working out the details" names no country of its own: the relevance
        # gate lets it through when the article has named two
        doc.spans[PAIR_REFERENCES] = [s for s, pair in zip(sentences, pairs, strict=True) if pair and _names_a_pair(s)]
        groups = _groups(doc, sentences)
        doc.user_data[GROUPS_BY_SENTENCE_KEY] = groups
        doc.spans[GROUP_REFERENCES] = [
            s for s, group in zip(sentences, groups, strict=True) if group and _names_a_group(s)
        ]
        doc.user_data[ORIGINS_BY_SENTENCE_KEY] = _origins(doc, sentences)
        return doc

    def _dateline_country(self, doc: Doc) -> str | None:
        head = "\n".join(doc.text.split("\n", DATELINE_LINES)[:DATELINE_LINES])
        match = DATELINE.search(head)
        if match is None:
            return None
        table = _plain_aliases(self.language)
        for place in (match.group("region"), match.group("city")):
            if place and _plain(place) in table:
                return table[_plain(place)]
        return None

    def _resolve_demonstratives(self, doc: Doc, sentences: list[Span], resolved: list[Span]) -> list[Span]:
        taken = {i for span in resolved for i in range(span.start, span.end)}
        added = []
        for match in self.demonstrative_pattern.finditer(doc.text):
            span = doc.char_span(match.start(), match.end(), label="GPE", alignment_mode="expand")
            if span is None or any(i in taken for i in range(span.start, span.end)):
                continue
            country = _nearest_country(doc, sentences, span)
            if country is not None:
                added.append(_country_span(span, country))
        return added

    def _resolve_descriptions(self, doc: Doc, sentences: list[Span], topic: str | None) -> None:
        added = []
        for match in self.pattern.finditer(doc.text):
            # "the island nation" by its words; "the kingdom", "the island" by the noun alone, which some
            # words are ("the United Kingdom" has a word of its own, so stays the country it names)
            words = match.group("words") if (match.group("words") or "").strip() else match.group(0)
            found = self.word_pattern.findall(words)
            if not found:
                continue
            allowed = frozenset.intersection(*(self.words[w.lower()] for w in found))
            span = doc.char_span(match.start(), match.end(), label="GPE", alignment_mode="expand")
            if span is None:
                continue
            recent = _recent_countries(doc, sentences, span, topic)
            fitting = {country for country in recent if country in allowed}
            if not fitting:  # "visas to South Sudanese because the African country ...": only its people named
                fitting = {c for c in _recent_countries(doc, sentences, span, None, names_country) if c in allowed}
            if len(fitting) == 1:
                (country,) = fitting
                added.append(_country_span(span, country))
        added += self._resolve_demonstratives(doc, sentences, added)
        if added:
            covered = {i for span in added for i in range(span.start, span.end)}
            kept = [e for e in doc.ents if not any(i in covered for i in range(e.start, e.end))]
            doc.ents = sorted(kept + added, key=lambda e: e.start)


def _country_span(span: Span, country: str) -> Span:
    """``span`` as an entity of ``country``, as the gazetteer's are."""
    entity = Span(span.doc, span.start, span.end, label="GPE", span_id=country)
    entity._.country = country
    return entity


def _entities_before(doc: Doc, sentences: list[Span], span: Span, keep: Callable[[Span], bool]) -> list[Span]:
    """The entities ``keep`` accepts before ``span``, in its sentence and the few before it, in text order."""
    index = next(i for i, s in enumerate(sentences) if s.start <= span.start < s.end)
    start = sentences[max(0, index - RECENT_SENTENCES)].start
    return [ent for ent in doc.ents if start <= ent.start and ent.end <= span.start and keep(ent)]


def _nearest_country(doc: Doc, sentences: list[Span], span: Span) -> str | None:
    """The country of the last entity before ``span`` that names one, in its sentence or the few before."""
    before = _entities_before(doc, sentences, span, names_country)
    return before[-1].ent_id_ if before else None


def _recent_countries(
    doc: Doc, sentences: list[Span], span: Span, topic: str | None, keep: Callable[[Span], bool] | None = None
) -> set[str]:
    """Countries named (``_names``, or as ``keep`` says) in the sentence before the description and in the few
    sentences before it, and the dateline's."""
    found = {ent.ent_id_ for ent in _entities_before(doc, sentences, span, keep or _names)}
    return found | ({topic} if topic else set())


def _countries_by_sentence(
    doc: Doc, sentences: list[Span], keep: Callable[[Span], bool], unquoted: bool = False
) -> list[list[str]]:
    """The countries of the entities ``keep`` accepts, per sentence, in one pass over the entities
    (``Span.ents`` walks all of them for every sentence); with ``unquoted``, only those outside the quotation
    marks their sentence opened before them (``_quoted``)."""
    by_sentence: list[list[str]] = [[] for _ in sentences]
    starts = [s.start for s in sentences]
    text = doc.text if unquoted else ""  # Doc.text joins every token again on each call
    index = 0
    for ent in doc.ents:
        while index + 1 < len(starts) and ent.start >= starts[index + 1]:
            index += 1
        if keep(ent) and not (unquoted and _quoted(text[sentences[index].start_char : ent.start_char])):
            by_sentence[index].append(ent.ent_id_)
    return by_sentence


def _contexts(named: list[list[str]], topic: str | None) -> list[str | None]:
    """Per sentence, the country a referring expression without a country in its own sentence stands for."""
    contexts: list[str | None] = []
    last: str | None = topic
    for countries in named:
        contexts.append(last)
        if countries:
            last = topic if topic in countries else countries[0]
    return contexts


def _pairs(named: list[list[str]]) -> list[tuple[str, ...]]:
    """Per sentence, the two countries named last before it (the latest first), or () while fewer have been:
    whom "the two countries" or "ambos gobiernos" stands for when its own sentence names fewer."""
    pairs: list[tuple[str, ...]] = []
    recent: list[str] = []
    for countries in named:
        pairs.append(tuple(recent[:2]) if len(recent) >= 2 else ())
        for country in countries:
            recent = [country, *(c for c in recent if c != country)][:2]
    return pairs


def _groups(doc: Doc, sentences: list[Span]) -> list[tuple[str, ...]]:
    """Per sentence, the last list of two or more countries in the nearest sentence before it (within
    ``RECENT_SENTENCES``) that has one: whom "those four nations" or "estos países" stands for."""
    lists: list[tuple[str, ...]] = [() for _ in sentences]
    index = 0
    starts = [s.start for s in sentences]
    for run in _country_lists(list(doc.ents)):
        while index + 1 < len(starts) and run[0].start >= starts[index + 1]:
            index += 1
        lists[index] = tuple(dict.fromkeys(ent.ent_id_ for ent in run))
    return _carried_forward(lists, minimum=2)


def _country_lists(ents: list[Span]) -> list[list[Span]]:
    """Runs of entities naming two or more countries with only list words between them, in text order."""
    runs = listed_runs([ent for ent in ents if names_country(ent)], lambda ent: ent)
    return [run for run in runs if len({ent.ent_id_ for ent in run}) >= 2]


def _origins(doc: Doc, sentences: list[Span]) -> list[tuple[str, ...]]:
    """Per sentence, the nationalities of the nearest sentence before it (within ``RECENT_SENTENCES``) that
    names some: who "their countries of origin" are when the sentence saying so names none."""
    named = _countries_by_sentence(doc, sentences, _names_an_origin)
    return _carried_forward([tuple(dict.fromkeys(countries)) for countries in named], minimum=1)


def _carried_forward(found: list[tuple[str, ...]], minimum: int) -> list[tuple[str, ...]]:
    """Per sentence, the countries ``found`` in the nearest sentence before it (within ``RECENT_SENTENCES``)
    that has at least ``minimum`` of them, or () when none has."""
    carried: list[tuple[str, ...]] = []
    last: tuple[str, ...] = ()
    age = 0
    for countries in found:
        carried.append(last if age <= RECENT_SENTENCES else ())
        last, age = (countries, 1) if len(countries) >= minimum else (last, age + 1)
    return carried


def _names_an_origin(ent: Span) -> bool:
    """A demonym that is not a title's ("Cuban", not "Cuban President"), or a country listed after "from"
    ("men from Cuba, Laos and Vietnam"): read off the words, since the scan has no parse."""
    if not names_country(ent):
        return False
    doc = ent.doc
    if ent.label_ == "NORP":
        return not _titled(ent)
    while True:  # back along the list to the word before its first country
        gap = 0
        while ent.start - gap > 0 and doc[ent.start - gap - 1].lower_ in ROLES.list_words:
            gap += 1
        if gap == 0:
            return ent.start > 1 and doc[ent.start - 1].lower_ in ORIGIN_PREPOSITIONS and _people(doc[ent.start - 2])
        previous = next((e for e in doc.ents if e.end == ent.start - gap), None)
        if previous is None:
            return False
        ent = previous


def _people(token: Token) -> bool:
    """ "men", "deportees", "migrantes", "procedentes": the word before "from"/"de" in a list of origins."""
    word = token.lower_
    return word in ORIGIN_ADJECTIVES or any(word.removesuffix(ending) in PEOPLE for ending in ("", "s", "es"))


def _quoted(before: str) -> bool:
    """Whether a sentence's text ``before`` an entity leaves a quotation open: the country a speaker names in a
    quote ("We will not admit those the United States deports," the minister said) is seldom the one the next
    sentence's "we" or "the minister" speaks for."""
    opened = before.count("“") + before.count("«") - before.count("”") - before.count("»")
    return opened > 0 or before.count('"') % 2 == 1


def _names(ent: Span) -> bool:
    """A name, an official or a body of a country; a demonym only with a title ("Colombian President",
    "el gobierno venezolano")."""
    if not names_country(ent):
        return False
    return ent.label_ != "NORP" or _titled(ent)


def _titled(demonym: Span) -> bool:
    """ "Colombian President", "Mexican officials", "the Cuban embassy"; "el gobierno venezolano", "las
    autoridades cubanas"."""
    doc = demonym.doc
    following = doc[demonym.end].lower_ if demonym.end < len(doc) else ""
    preceding = doc[demonym.start - 1].lower_ if demonym.start > 0 else ""
    return following in TITLES or following in ROLES.government_nouns or preceding in ROLES.government_nouns


def _names_a_pair(sentence: Span) -> bool:
    """ "The two countries", "both governments", "los dos Estados": one of the pair words and a party noun just
    after it, read off the words (the scan has neither parse nor lemmas; plurals lose their ending)."""
    return _word_before_noun(sentence, ROLES.pair_words, PARTY_NOUNS)


def _names_a_group(sentence: Span) -> bool:
    """ "Those four nations", "these states", "estos países": one of the group words and a plural country noun
    just after it, read off the words as ``_names_a_pair`` reads them."""
    return _word_before_noun(sentence, GROUP_MARKERS, GROUP_NOUNS, plural=True)


def _word_before_noun(sentence: Span, words: frozenset[str], nouns: frozenset[str], plural: bool = False) -> bool:
    """One of ``words`` with one of ``nouns`` among the two words after it (a plural one with ``plural``). The
    words have no accents: only the nouns after one are made plain."""
    lowered = [t.lower_ for t in sentence]
    return any(
        word in words
        and any(
            (not plural or _plain(later).endswith("s")) and _singular_forms(_plain(later)) & nouns
            for later in lowered[n + 1 : n + 3]
        )
        for n, word in enumerate(lowered)
    )


def _singular_forms(word: str) -> set[str]:
    forms = {word, word.removesuffix("s"), word.removesuffix("es")}
    return forms | {word[:-3] + "y"} if word.endswith("ies") else forms  # "countries"


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower().strip()


PARTY_NOUNS = frozenset(_plain(noun) for noun in ROLES.party_nouns)
GROUP_NOUNS = frozenset(_plain(noun) for noun in ROLES.unnamed_plurals)


@cache
def _plain_aliases(language: str) -> dict[str, str]:
    """Names and capitals, lower case and without accents ("SAN JOSE" is San José): what a dateline holds."""
    return {
        _plain(alias): iso3
        for alias, (iso3, kind) in alias_table(language).items()
        if kind in ("name", "capital") and not iso3.startswith("NOT:")
    }


@Language.factory("migtrack_article_reader", default_config={"language": "en"})
def make_article_reader(nlp: Language, name: str, language: str) -> ArticleReader:
    return ArticleReader(language)
