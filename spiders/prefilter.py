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

Compiling the databases takes a tenth of a second, as long as scanning 4,000 pages, so the compiled
databases are kept in the user's cache folder (keyed by their expressions and Hyperscan's version) and
a small archive's import does not pay it at every run.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path

import hyperscan
import platformdirs

from pipeline.lexicons import LANGUAGES, read_json, read_jsonl

MIN_COUNTRY_TERM = 4  # shorter names and codes ("US", "EU") match inside ordinary words
# a term in a link's label, or in its address (after "href=", up to the closing quote)
LINK_CONTEXTS = (rb"<a\s[^>]*>[^<]*", rb"href\s*=\s*[\"']?[^\"'\s>]*")


def _database(expressions: list[bytes], flags: list[int]) -> hyperscan.Database:
    """The compiled database of ``expressions`` (caseless, each with its ``flags``), from the cache when
    an earlier run compiled it; a cache entry that will not load (another CPU, a damaged file) is compiled again."""
    flags = [flag | hyperscan.HS_FLAG_CASELESS for flag in flags]
    key = hashlib.sha1(repr((expressions, flags, hyperscan.__version__)).encode()).hexdigest()
    cached = Path(platformdirs.user_cache_dir("migtrack")) / f"prefilter-{key}.hs"
    try:
        database = hyperscan.loadb(cached.read_bytes(), hyperscan.HS_MODE_BLOCK)
        database.scratch = hyperscan.Scratch(database)
        return database
    except (OSError, hyperscan.error):
        pass
    database = hyperscan.Database()
    database.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions), flags=flags)
    try:  # written aside then renamed, so two imports starting together never read half a file
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(hyperscan.dumpb(database))
        partial.replace(cached)
    except OSError:  # a read-only home: compiled at each run, as before
        pass
    return database


def _literals(terms: list[str]) -> list[bytes]:
    return [re.escape(term.encode("utf-8")) for term in dict.fromkeys(term.lower() for term in terms)]


class Prefilter:
    """Terms of three kinds (coverage, ambiguous, other_sense) and country names, compiled for Hyperscan."""

    KINDS = ("coverage", "ambiguous", "other_sense")
    # what each match counts as: a term, or a term in a link (which takes back what the term scores)
    COUNTS = ("coverage", "coverage in a link", "ambiguous", "ambiguous in a link", "other_sense")

    def __init__(self, terms: dict[str, list[str]], countries: list[str]):
        expressions: list[bytes] = []
        flags: list[int] = []
        self.count_of: list[int] = []  # by expression, its index in COUNTS
        for kind in self.KINDS:
            # an other-sense term counts once however often it occurs: a page's state, repeated in a
            # script, names its section ("birds") hundreds of times, each a Python call per match
            single = kind == "other_sense"
            for term in _literals(terms[kind]):
                expressions.append(term)
                flags.append(hyperscan.HS_FLAG_SINGLEMATCH if single else 0)
                self.count_of.append(self.COUNTS.index(kind))
                for context in () if single else LINK_CONTEXTS:
                    expressions.append(context + term)
                    flags.append(0)
                    self.count_of.append(self.COUNTS.index(f"{kind} in a link"))
        self.terms = _database(expressions, flags)
        # one country suffices: the first match ends the scan
        country_terms = _literals(countries)
        self.countries = _database(country_terms, [hyperscan.HS_FLAG_SINGLEMATCH] * len(country_terms))

    def passes(self, data: bytes) -> bool:
        """Whether ``data`` (a page's bytes, or a text encoded as UTF-8) may be coverage of migration.

        Each coverage term scores 1, each ambiguous term 1 when no other_sense term is present, and each
        in a link takes 1 back; the page passes when it scores more than it holds distinct other_sense terms
        ("migration" of birds or of databases) and names a country."""
        found = [0] * len(self.COUNTS)
        count_of = self.count_of

        def count(index: int, *_: object) -> None:
            found[count_of[index]] += 1

        self.terms.scan(data, match_event_handler=count)
        coverage, coverage_in_link, ambiguous, ambiguous_in_link, other_sense = found
        score = coverage - coverage_in_link + (0 if other_sense else ambiguous - ambiguous_in_link)
        return score > other_sense and self._names_a_country(data)

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
