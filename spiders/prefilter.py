"""A cheap test on raw bytes: could this archived page be coverage of migration between countries?

A news archive (CC-NEWS) holds a few pages on migration among hundreds of thousands on everything else,
and main-text extraction costs milliseconds a page, so ``migtrack import`` reads a record only when its
bytes pass this test. Every term is searched for in one pass over the bytes, case folded as ASCII, by
Hyperscan (about 20 us for a 50 kB page; an Aho-Corasick automaton over lower-cased bytes took 90 us, more than
fastwarc takes to read the record, and one ``in`` per term 500 us). The terms are data, in
``pipeline/lexicons/prefilter.json`` and ``es/prefilter.json``.

Menus and lists of related stories name "Immigration" on pages about anything, so a term in a link
(its address or its label) takes back what it scores: the page must speak of migration in its own text.
The same test runs again on the extracted text, so a page that passed through a link the test cannot
see as one (a label inside a ``<span>``) is still not stored.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import hyperscan

from pipeline.lexicons import LANGUAGES, read_json, read_jsonl

MIN_COUNTRY_TERM = 4  # shorter names and codes ("US", "EU") match inside ordinary words
# a term in a link's label, or in its address (after "href=", up to the closing quote)
LINK_CONTEXTS = (rb"<a\s[^>]*>[^<]*", rb"href\s*=\s*[\"']?[^\"'\s>]*")


def _database(expressions: list[bytes], flags: int) -> hyperscan.Database:
    database = hyperscan.Database()
    database.compile(
        expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
        flags=[flags | hyperscan.HS_FLAG_CASELESS] * len(expressions),
    )  # fmt: skip
    return database


def _literals(terms: list[str]) -> list[bytes]:
    return [re.escape(term.encode("utf-8")) for term in dict.fromkeys(term.lower() for term in terms)]


class Prefilter:
    """Terms of three kinds (coverage, ambiguous, other_sense) and country names, compiled for Hyperscan."""

    KINDS = ("coverage", "ambiguous", "other_sense")

    def __init__(self, terms: dict[str, list[str]], countries: list[str]):
        expressions: list[bytes] = []
        self.kind_of: list[str] = []
        for kind in self.KINDS:
            for term in _literals(terms[kind]):
                contexts = (b"",) if kind == "other_sense" else (b"", *LINK_CONTEXTS)
                expressions += [context + term for context in contexts]
                self.kind_of += [kind] + [f"{kind} in a link"] * (len(contexts) - 1)
        self.terms = _database(expressions, 0)
        # one country suffices: the first match ends the scan
        self.countries = _database(_literals(countries), hyperscan.HS_FLAG_SINGLEMATCH)

    def passes(self, data: bytes) -> bool:
        """Whether ``data`` (a page's bytes, or a text encoded as UTF-8) may be coverage of migration.

        Each coverage term scores 1, each ambiguous term 1 when no other_sense term is present, and each
        in a link takes 1 back; the page passes when it scores more than it holds other_sense terms
        ("migration" of birds or of databases) and names a country."""
        found: Counter[str] = Counter()

        def count(index: int, *_: object) -> None:
            found[self.kind_of[index]] += 1

        self.terms.scan(data, match_event_handler=count)
        ambiguous = 0 if found["other_sense"] else found["ambiguous"] - found["ambiguous in a link"]
        score = found["coverage"] - found["coverage in a link"] + ambiguous
        return score > found["other_sense"] and self._names_a_country(data)

    def _names_a_country(self, data: bytes) -> bool:
        try:
            self.countries.scan(data, match_event_handler=lambda *_: True)  # True stops the scan
        except hyperscan.ScanTerminated:
            return True
        return False


@cache
def prefilter() -> Prefilter:
    """The English and Spanish terms together: an archive's language is known only after reading a page."""
    terms: dict[str, list[str]] = {kind: [] for kind in Prefilter.KINDS}
    countries: list[str] = []
    for language in LANGUAGES:
        data = read_json("prefilter.json", language)
        for kind, words in terms.items():
            words += data[kind]
        for row in read_jsonl("countries.jsonl", language):
            countries += [n for key in ("names", "demonyms", "capitals") for n in row.get(key, [])]
    return Prefilter(terms, [name for name in countries if len(name) >= MIN_COUNTRY_TERM])
