"""Countries in text: gazetteer patterns, and a linker that gives every entity its ISO3 code.

The patterns come from pycountry's ISO 3166 names under our own alias table
(``lexicons/countries.jsonl``: short forms, demonyms, capitals used for governments, and combining forms
that name a country before a hyphen, "Franco-British") and the
officials and agencies who speak for a country (``lexicons/officials.jsonl``). "non-Mexicans" gets
its own pattern with no country: it excludes Mexico rather than naming it.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from pipeline.lexicons import read_json, read_jsonl

NEGATED_PREFIX = "NOT:"
COUNTRY_LABELS = {"GPE", "NORP", "PERSON", "ORG", "LOC", "FAC"}

if not Span.has_extension("country"):
    Span.set_extension("country", default=None)


@cache
def alias_table(language: str = "en") -> dict[str, tuple[str, str]]:
    """Lower-cased alias -> (ISO3, kind), kind being name, demonym, capital, person or org.

    Another language's table is the English one (officials' names, "Washington", "EE.UU." in quotes of
    English) under that language's own: pycountry's translations of the ISO names, then the alias table
    of ``lexicons/<language>/``."""
    table = dict(alias_table("en")) if language != "en" else {}
    for iso3, name in _pycountry_names(language):
        table.setdefault(name.lower(), (iso3, "name"))
    for row in read_jsonl("countries.jsonl", language):
        for kind, key in (("name", "names"), ("demonym", "demonyms"), ("capital", "capitals")):
            for alias in row.get(key, []):
                table[alias.lower()] = (row["iso3"], kind)
    for alias in read_json("not_countries.json", language)["names"]:
        table[alias.lower()] = (NEGATED_PREFIX, "name")
    for row in read_jsonl("officials.jsonl", language):
        for alias in [row["name"], *row.get("aliases", [])]:
            table[alias.lower()] = (row["iso3"], row.get("kind", "person"))
    return table


@cache
def _pycountry_names(language: str) -> list[tuple[str, str]]:
    """(ISO3, name as pycountry writes it) for the ISO names in ``language``; the inverted forms ("Korea,
    Republic of") are left out, as no text writes them."""
    translate = (
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
        if language != "en"
        else str
    )
    names = []
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            name = translate(name) if name else None
            if name and "," not in name:
                names.append((country.alpha_3, name))
    return names


LABEL_OF_KIND = {"name": "GPE", "capital": "GPE", "demonym": "NORP", "person": "PERSON", "org": "ORG"}


@registry.misc("migtrack.country_patterns.v1")
def country_patterns(language: str = "en") -> list[dict]:
    """EntityRuler patterns for every alias, with the ISO3 code as the pattern id."""
    patterns = []
    for alias, (iso3, kind) in alias_table(language).items():
        variants = {alias.title(), _as_written(alias, language)}
        # Spanish writes demonyms in lower case, but a lower-case name is often a word ("maduro", "chile",
        # and in English "us", "ice")
        if kind == "demonym":
            variants.add(alias)
        for variant in variants:
            patterns.append({"label": LABEL_OF_KIND[kind], "pattern": variant, "id": iso3})
        if kind == "demonym":
            # phrase patterns, not token patterns: the PhraseMatcher costs nothing per pattern, token
            # patterns are tried at every token (these were most of the scan's time)
            for form in {alias.title(), _as_written(alias, language)}:
                for prefix in ("non-", "Non-"):
                    patterns.append({"label": "NORP", "id": NEGATED_PREFIX + iso3, "pattern": prefix + form})
    for form, iso3 in combining_forms(language).items():
        # "the Franco-British deal", "el pacto hispano-mauritano": a word that names its country only before a
        # hyphen ("Franco" alone is a name, "franco" a word), so a token pattern that takes the hyphen too
        patterns.append({"label": "NORP", "pattern": [{"LOWER": form}, {"ORTH": "-"}], "id": iso3})
    return patterns


@cache
def combining_forms(language: str = "en") -> dict[str, str]:
    """Lower-cased combining form -> ISO3 ("franco" -> FRA, "sino" -> CHN), another language's on top of
    English's, as ``alias_table``'s."""
    forms = dict(combining_forms("en")) if language != "en" else {}
    for row in read_jsonl("countries.jsonl", language):
        forms.update({form.lower(): row["iso3"] for form in row.get("combining_forms", [])})
    return forms


@cache
def _written_forms(language: str = "en") -> dict[str, str]:
    forms: dict[str, str] = dict(_written_forms("en")) if language != "en" else {}
    # a name pycountry spells is written as it spells it: its lower-case form is often a word ("reunión")
    forms.update({name.lower(): name for _, name in _pycountry_names(language)})
    forms.update({alias.lower(): alias for alias in read_json("not_countries.json", language)["names"]})
    for row in read_jsonl("countries.jsonl", language):
        for key in ("names", "demonyms", "capitals"):
            for alias in row.get(key, []):
                forms[alias.lower()] = alias
    for row in read_jsonl("officials.jsonl", language):
        for alias in [row["name"], *row.get("aliases", [])]:
            forms[alias.lower()] = alias
    return forms


def _as_written(alias: str, language: str = "en") -> str:
    return _written_forms(language).get(alias, alias)


def names_country(ent: Span) -> bool:
    """A gazetteer entity that names or speaks for a country (not "non-Mexicans", which excludes one)."""
    return bool(ent.ent_id_) and not ent.ent_id_.startswith(NEGATED_PREFIX)


def country_of_text(text: str) -> str | None:
    """ISO3 for an entity's text, tolerant of a leading "the" and a possessive ending."""
    key = text.strip().lower()
    for suffix in ("'s", "’s", "'", "’"):
        key = key.removesuffix(suffix)
    key = key.strip()
    found = alias_table().get(key) or alias_table().get(key.removeprefix("the ").strip())
    return found[0] if found and found[0] != NEGATED_PREFIX else None


class CountryLinker:
    """Sets ``span._.country`` on every entity that names or speaks for a country."""

    def __call__(self, doc: Doc) -> Doc:
        for ent in doc.ents:
            if ent.label_ not in COUNTRY_LABELS:
                continue
            if ent.ent_id_.startswith(NEGATED_PREFIX):
                ent._.country = None
            else:
                ent._.country = ent.ent_id_ or country_of_text(ent.text)
        return doc


@Language.factory("migtrack_country_linker", assigns=["span._.country"], requires=["doc.ents"])
def make_country_linker(nlp: Language, name: str) -> CountryLinker:
    return CountryLinker()
