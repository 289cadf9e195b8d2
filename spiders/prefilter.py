"""A cheap test on raw bytes: could this archived page be coverage of migration between countries?

A news archive (CC-NEWS) holds a few pages on migration among hundreds of thousands on everything else,
and main-text extraction costs milliseconds a page, so ``migtrack import`` reads a record only when its
bytes pass this test: every term searched for in one pass over the lower-cased bytes (``bytes.lower``
folds ASCII only) by an Aho-Corasick automaton (ahocorasick-rs: 70 us for a 50 kB page, where one ``in``
per term took 500 us, more than fastwarc takes to read the record). The terms are data, in
``pipeline/lexicons/prefilter.json`` and ``es/prefilter.json``. The same test runs again on the
extracted text, so a page that passed only through its menus ("World | Immigration | Sports") is not
stored.
"""

from __future__ import annotations

from functools import cache

from ahocorasick_rs import MATCHKIND_LEFTMOST_LONGEST, BytesAhoCorasick

from pipeline.lexicons import LANGUAGES, read_json, read_jsonl

MIN_COUNTRY_TERM = 4  # shorter names and codes ("US", "EU") match inside ordinary words


def _encoded(terms: list[str]) -> tuple[bytes, ...]:
    return tuple(dict.fromkeys(term.lower().encode("utf-8") for term in terms))


class Prefilter:
    """Terms of three kinds (coverage, ambiguous, other_sense) and country names, as lower-cased bytes."""

    KINDS = ("coverage", "ambiguous", "other_sense")

    def __init__(self, terms: dict[str, list[str]], countries: list[str]):
        encoded = {kind: _encoded(terms[kind]) for kind in self.KINDS}
        patterns = [term for kind in self.KINDS for term in encoded[kind]]
        self.kind_of = [kind for kind in self.KINDS for _ in encoded[kind]]
        # leftmost-longest: "data migration" is one other_sense match, not also an ambiguous "migration"
        self.terms = BytesAhoCorasick(patterns, matchkind=MATCHKIND_LEFTMOST_LONGEST)
        self.countries = BytesAhoCorasick(list(_encoded(countries)))

    def passes(self, data: bytes) -> bool:
        """Whether ``data`` (a page's bytes, or a text encoded as UTF-8) may be coverage of migration."""
        lowered = data.lower()
        found = dict.fromkeys(self.KINDS, 0)
        for index, _, _ in self.terms.find_matches_as_indexes(lowered):
            found[self.kind_of[index]] += 1
        score = found["coverage"] + (0 if found["other_sense"] else found["ambiguous"])
        return score > found["other_sense"] and bool(self.countries.find_matches_as_indexes(lowered))


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
