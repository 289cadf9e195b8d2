"""The stance finder: country positions read off the dependency parse.

Cue patterns (``lexicons/stances.jsonl``) anchor a ``DependencyMatcher`` on predicate lemmas: verbs
("refused", "agreed", "turned back") and nouns ("refusal", "offer", "agreement"); a pattern of one word
needs no tree and goes to a token ``Matcher``, which reads it several times faster. For each cue the
finder reads the parse around it, following the labelling guidelines (``gold/GUIDELINES.md``):

- actor: the subject, passive agent, possessor, or controller of an infinitive, resolved to a country
  through the entity it names or the official or body that speaks for it; a pronoun or a bare "the
  government" is the reporting clause's subject, else the last country named before it;
- counterpart: the nearest other country that is not the deportees' nationality (one position per
  country when the object is a list of them);
- negated: ``neg``, "no" or "fail(ure) to" on the cue's chain, or a denial of it ("denied that it had
  agreed", "rejected reports that it signed a deal", "negó que"; the denying verb is then no refusal);
  hedged: "may/might/could", "would" with a condition, "is expected to", intent; an affirmative
  ``consider`` is always hedged;
- a governing cue swallows the one it controls ("refused to accept" is one refuse) unless it is an
  agreement ("agreed to accept" is agree and accept, and a denied agreement denies both); nothing
  inside an "if"/"unless" clause is a position; "will not accept" is a refusal, not a negated acceptance.

Word lists live in ``lexicons/roles.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Span, Token

from models import Position
from pipeline.components.countries import NEGATED_PREFIX
from pipeline.components.relevance import cue_lemmas, read_stance_patterns
from pipeline.lexicons import common_family_words, family_index, read_json

if not Doc.has_extension("positions"):
    Doc.set_extension("positions", default=[])

CONTEXT_KEY = "migtrack_context"
ORIGINS_KEY = "migtrack_origins"  # the nationalities of the nearest sentence before that names some
PAIR_KEY = "migtrack_pair"  # the two countries named last before the sentence
GROUP_KEY = "migtrack_group"  # the last list of two or more countries named before the sentence
MAX_LIST_GAP = 3  # words between two listed countries: ", and the"
Listed = TypeVar("Listed")  # a country mention, or an entity of the scan
PARTICLE_DEPS = frozenset({"prt", "compound:prt"})
ASKING_STANCES = frozenset({"demand", "propose"})  # what such a word asks of another is not the other's stance
OBJECT_DEPS = frozenset({"dobj", "obj"})
ASKED_DEPS = OBJECT_DEPS | {"iobj", "dative"}  # whom a verb asks: "pidió a Washington", "asked Mexico"
COMPLEMENTIZERS = frozenset({"that", "que"})
FAMILY_RULE = "family."
MAX_CLIMB = 8
# how a cue hangs from what governs it: _chain climbs these; _controller only control ("failed to accept")
GOVERNING_RELATIONS = frozenset({"xcomp", "acl", "pcomp", "prep", "pobj", "dobj", "advcl"})
CONTROL_PREPOSITIONS = frozenset({"of", "about", "on", "to", "for", "at"})
NOMINAL = ("NOUN", "PROPN")
SUBJECT_DEPS = ("nsubj", "csubj")
PERSON_LABELS = frozenset({"PERSON", "PER"})  # the English and the Spanish models' label for people
MAX_REPORTERS = 2  # a quote within a quote: "'We told them ...', the president wrote"
# prepositions that mark a noun's owner ("la propuesta de México", "the offer by Panama"), not its other party
# ("entre" too: "las conversaciones entre Caracas y Washington" are both's)
OWNER_PREPOSITIONS = frozenset({"de", "del", "por", "entre", "of", "by", "from"})
# prepositions that mark the partner of an agreement: "an agreement with Y", "un acuerdo con Y"
PARTNER_PREPOSITIONS = frozenset({"with", "between", "among", "con"})
SUBJECT_DROPPING = frozenset({"es"})  # languages whose finite verbs carry their subject in the ending
Actor = tuple[str, str | None]  # (ISO3, speaker as written)


class Roles:
    """The word lists of ``lexicons/roles.json`` as sets, one attribute per list."""

    def __init__(self, data: dict):
        for name, words in data.items():
            if not name.startswith("_"):
                setattr(self, name, frozenset(words))


ROLE_WORDS = read_json("roles.json")
ROLES = Roles(ROLE_WORDS)
GROUP_SIZES: dict[str, int] = ROLE_WORDS["group_sizes"]  # "those four nations" is a list of four
GROUP_MARKERS = ROLES.group_words | ROLES.group_sizes  # "those", "estos", "four": a noun after one may be a group
# unions the checks below read for every word: made once, not per word
COMPOUND_NOT_CUE = ROLES.people_nouns | {"asylum", "visa"}  # a cue noun with such a compound is no position
MIGRATION_OBJECTS = ROLES.people_nouns | ROLES.object_words
PERMITTING_NOUNS = ROLES.agreement_nouns | ROLES.instrument_nouns  # "a deal letting ...", "a statute permitting ..."


def family_matches(token: Token, index: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """The (stance, key) pairs a word belongs to. A phrasal verb is read with its particle first ("turn
    down", "call off") and a light verb with its object ("dar luz" verde, "poner fin", "give" the green
    "light"), whose meaning the lemma alone does not carry; the lemma alone counts only where no such
    phrase is in a family. ``index`` is ``family_index(language)``."""
    if token.lower_ in ROLES.source_forms:  # "according to the ministry" is no accord
        return []
    if _of_own_accord(token):
        return []
    lemma = token.lemma_.lower()
    phrases = [
        f"{lemma} {child.lower_ if child.dep_ in PARTICLE_DEPS else child.lemma_.lower()}"
        for child in token.children
        if child.dep_ in PARTICLE_DEPS or (child.dep_ in OBJECT_DEPS and "Rel" not in child.morph.get("PronType"))
    ] + [  # "pretende que México acepte": wanting that another do something is demanding it
        f"{lemma} que"
        for child in token.children
        if child.dep_ == "ccomp" and any(c.dep_ == "mark" and c.lower_ == "que" for c in child.children)
    ]
    for key in (*phrases, lemma):
        if key in index:
            return [(stance, key) for stance in index[key]]
    return []


def _of_own_accord(token: Token) -> bool:
    """ "Went home of their own accord": how they went, no agreement."""
    return token.head.lower_ == "of" and any(child.lower_ in ROLES.own_words for child in token.children)


@dataclass
class Mention:
    """A country-bearing entity in the sentence, and whether it names the deportees' nationality."""

    span: Span
    country: str
    nationality: bool


@dataclass
class Cue:
    token: Token
    rule: str
    stance: str
    requires_object: bool
    requires_counterpart: bool


# ---- entities ----------------------------------------------------------------------------------
def _ent_of(token: Token) -> Span | None:
    if token.ent_iob_ == "O":
        return None
    return next((ent for ent in token.doc.ents if ent.start <= token.i < ent.end), None)


def _is_nationality(span: Span) -> bool:
    """ "Venezuelan nationals", "citizens of Haiti", "Cuban, Haitian and Venezuelan nationals"."""
    root = span.root
    if span.label_ == "NORP":
        first = root
        while first.dep_ == "conj" and first.head is not first:
            first = first.head
        if first is not root and first.ent_type_ == "NORP":
            return True  # listed with other demonyms: "Cuban, Haitian, Nicaraguan and Venezuelan"
        if first.dep_ in ("amod", "compound", "nmod") and first.head.lemma_.lower() in ROLES.people_nouns:
            return True
        # a demonym standing alone as a noun is people ("Cubans", "deporting Venezuelans")
        return root.pos_ in NOMINAL and root.dep_ not in ("compound", "amod", "nmod", "poss")
    while root.dep_ == "conj":
        root = root.head
    if root.dep_ == "pobj" and root.head.lower_ in ("of", "from"):
        holder = root.head.head
        holders = {holder.lemma_.lower()} | ({holder.head.lemma_.lower()} if holder.pos_ == "NOUN" else set())
        return bool(holders & ROLES.nationality_holders)
    return False


def mentions(doc: Doc) -> list[Mention]:
    return [
        Mention(ent, ent._.country, _is_nationality(ent))
        for ent in doc.ents
        if ent._.country and not ent.ent_id_.startswith(NEGATED_PREFIX)
    ]


def _mention_of(token: Token, sent_mentions: list[Mention]) -> Mention | None:
    return next((m for m in sent_mentions if m.span.start <= token.i < m.span.end), None)


# ---- the component -----------------------------------------------------------------------------
class StanceFinder:
    """Finds positions in every sentence of a parsed Doc and stores them on ``doc._.positions``."""

    def __init__(self, nlp: Language, migration_terms: list[str], language: str = "en"):
        self.matcher = DependencyMatcher(nlp.vocab)
        # the DependencyMatcher's cost is per pattern and per Doc, whatever the tree: half the patterns are one
        # word, and it is not run at all on a Doc without the cue lemma of some tree pattern (half of them)
        self.word_matcher = Matcher(nlp.vocab)
        self.tree_cue_lemmas: set[str] = set()
        self.rules: dict[str, dict] = {}
        for row in read_stance_patterns(language):
            if len(row["pattern"]) == 1:
                self.word_matcher.add(row["rule"], [[row["pattern"][0]["RIGHT_ATTRS"]]])
            else:
                self.matcher.add(row["rule"], [row["pattern"]])
                self.tree_cue_lemmas.update(cue_lemmas(row))
            self.rules[row["rule"]] = row
        self.priority = {rule: n for n, rule in enumerate(self.rules)}
        self.migration_terms = tuple(migration_terms)
        # words of a stance's family that no pattern claims are read the same way, as proposals the position
        # scorer keeps or drops (their rule starts with FAMILY_RULE); the scorer drops them all when untrained
        self.family_index = family_index(language)
        self.common_family_words = common_family_words(language)

    def __call__(self, doc: Doc) -> Doc:
        all_mentions = mentions(doc)
        cues: dict[int, Cue] = {}
        for match_id, anchor in self._anchors(doc):
            rule = doc.vocab.strings[match_id]
            # rules are ordered specific-first in the data file; the first that claims a token wins
            if anchor not in cues or self.priority[rule] < self.priority[cues[anchor].rule]:
                row = self.rules[rule]
                cues[anchor] = Cue(
                    doc[anchor],
                    rule,
                    row["stance"],
                    row.get("requires_object", False),
                    row.get("requires_counterpart", False),
                )
        positions: list[Position] = []
        for sentence_index, sentence in enumerate(doc.sents):
            sent_mentions = [m for m in all_mentions if sentence.start <= m.span.start < sentence.end]
            sent_cues = {i: cue for i, cue in cues.items() if sentence.start <= i < sentence.end}
            family_cues = self._family_cues(sentence, sent_cues)
            # a family word controls another as a pattern cue does: "se negó a recibir" is one refusal. Over a
            # pattern's cue only a refusing word or talks govern ("balked at taking in", "talks about taking in"):
            # wanting, consenting or holding a deal over one is read by the pattern's own rules ("wants to reach a
            # deal" is a negotiation)
            governing_families = {
                cue.token.i: cue
                for cue in family_cues
                if (
                    cue.stance == "refuse"
                    and not _has_neg(cue.token)
                    and cue.rule.removeprefix(f"{FAMILY_RULE}refuse.") not in self.common_family_words
                )
                or (cue.stance == "negotiate" and cue.token.pos_ == "NOUN")
            }
            found = []
            for _, cue in sorted(sent_cues.items()):
                found.extend(self.positions_for_cue(cue, {**governing_families, **sent_cues}, sent_mentions, sentence))
            patterned = _deduplicate(_without_co_actors(found))
            have = {(p.actor, p.stance) for p in patterned}
            governors = {**{cue.token.i: cue for cue in family_cues}, **sent_cues}
            proposed = [
                position
                for cue in family_cues
                for position in self.positions_for_cue(cue, {**governors, cue.token.i: cue}, sent_mentions, sentence)
                if (position.actor, position.stance) not in have
            ]
            for position in patterned + _deduplicate(proposed):
                position.sentence_index = sentence_index
                positions.append(position)
        # plain dicts: Doc extensions must survive Doc.to_bytes when nlp.pipe runs n_process > 1
        # (shallow: dataclasses.asdict deep-copies every field, which costs more than finding the positions)
        doc._.positions = [{**vars(p), "nationalities": list(p.nationalities)} for p in positions]
        return doc

    def _anchors(self, doc: Doc) -> list[tuple[int, int]]:
        """(rule, cue token) for every pattern that matches, one-word and tree patterns alike."""
        if not self.rules:
            return []
        found = [(match_id, start) for match_id, start, _ in self.word_matcher(doc)]
        if not self.tree_cue_lemmas.isdisjoint(token.lemma_ for token in doc):
            found += [(match_id, token_ids[0]) for match_id, token_ids in self.matcher(doc)]
        return found

    def _family_cues(self, sentence: Span, pattern_cues: dict[int, Cue]) -> list[Cue]:
        """A cue for every verb or noun of a stance's family that no pattern claimed, one per stance."""
        return [
            Cue(token, f"{FAMILY_RULE}{stance}.{key}", stance, False, False)
            for token in sentence
            if token.i not in pattern_cues and token.pos_ in ("VERB", "NOUN") and not _periphrasis(token)
            for stance, key in family_matches(token, self.family_index)
        ]

    def positions_for_cue(
        self, cue: Cue, cues: dict[int, Cue], sent_mentions: list[Mention], sentence: Span
    ) -> list[Position]:
        token, rule, stance = cue.token, cue.rule, cue.stance
        governor = _governing_cue(token, cues)
        # "has not ruled out resuming flights": the resuming is a possibility, read hedged and not negated
        possible = leaves_open(token) and not _not_ruled_out(token)
        if (
            governor is not None
            and not possible
            and (governor.stance != "agree" or _refused_by_not_agreeing(governor.token))
        ):
            return []  # "refused to accept", "will not agree to take": one refusal, the governing cue's
        # "denied that it had agreed to take deportees": the accepting is denied with the agreement
        agreement_negated = governor is not None and negated_at(governor.token)
        if _conditional_clause(token) or _participle_modifier(token) or _not_confirmed(token):
            return []
        if _of_own_accord(token):
            return []
        if self._demanded_of_another(token):
            return []
        if self._wished_not_done(token):
            return []
        if stance == "accept" and (_permitted_by_an_instrument(token) or _admits_a_fact(token)):
            return []
        if stance == "agree" and token.pos_ in NOMINAL and _object_of_cue(token, cues) and not _between(token):
            return []
        if token.pos_ in NOMINAL and any(c.dep_ == "compound" and c.lower_ in COMPOUND_NOT_CUE for c in token.children):
            return []
        if stance == "demand" and any(t.lemma_.lower() in ROLES.press_boilerplate for t in token.subtree):
            return []  # "did not respond to requests for comment"
        if cue.requires_object and not any(c.dep_ in ("dobj", "nsubjpass") for c in token.children):
            return []
        if stance == "refuse" and denies_a_claim(token):
            return []  # "rejected reports that Kenya signed a deal": the deal is denied, nothing refused
        if token.pos_ not in NOMINAL and not self._about_migration(token, stance, governed=governor is not None):
            return []
        negated = _has_neg(token) if possible else agreement_negated or negated_at(token)
        if stance == "refuse" and _not_ruled_out(token):
            if self._controls_a_stance(token, cues):
                return []  # what it leaves open speaks, hedged
            stance, negated, possible, rule = "consider", False, True, rule + "+not_ruled_out"
        if stance == "accept" and token.pos_ not in NOMINAL:
            if refusal := _said_as_refusal(token):
                stance, negated, rule = "refuse", False, f"{rule}+{refusal}"
            elif _accepts_an_agreement(token):
                stance, rule = "agree", rule + "+accepted_agreement"
        elif stance == "agree" and _refused_by_not_agreeing(token):
            stance, negated, rule = "refuse", False, rule + "+will_not_agree"
        elif stance == "agree" and _sought(token):
            stance, rule = "negotiate", rule + "+sought"
        if stance == "agree":
            pairs = _agreement_pairs(token, sent_mentions, reciprocal=not negated)
        else:
            actors = _noun_actors(token, sent_mentions) if token.pos_ in NOMINAL else _actors(token, sent_mentions)
            pairs = [
                (actor, counterpart)
                for actor in actors
                for counterpart in _counterparts(token, actor[0], {a for a, _ in actors}, sent_mentions)
            ]
        if stance != "agree" and any(
            subject is not None and _names_homelands(subject) for subject in map(_subject_of, _control_chain(token))
        ):
            rule += "+homelands"  # the actors are the people's nationalities: the scorer weighs such readings apart
        if stance == "demand":
            pairs = [(actor, counterpart) for actor, counterpart in pairs if counterpart is not None]
        if cue.requires_counterpart:  # "work with governments in the region" names no country to negotiate with
            pairs = [(actor, counterpart) for actor, counterpart in pairs if counterpart is not None]
        if not pairs:  # a demand needs someone named to demand it from ("asked for international help")
            return []
        # "has no plans to consider": the negation, not "plans", is what the sentence says
        hedged = possible or hedged_at(token, modals_only=negated) or (stance == "consider" and not negated)
        speaker_of_report = _reported_speaker(token)
        quantity = _quantity(sentence)
        nationalities = list(dict.fromkeys(m.country for m in sent_mentions if m.nationality))
        subject = _subject_phrase(token)
        return [
            Position(
                actor=code, stance=stance, counterpart=counterpart, subject=subject, nationalities=nationalities,
                quantity=quantity, negated=negated, hedged=hedged, speaker=speaker or speaker_of_report,
                evidence=sentence.text, start=sentence.start_char, end=sentence.end_char, rule=rule,
            )
            for (code, speaker), counterpart in pairs
        ]  # fmt: skip

    def _controls_a_stance(self, verb: Token, cues: dict[int, Cue]) -> bool:
        """Whether a cue or a word of a stance's family is controlled by ``verb`` ("not ruled out resuming")."""
        return any(
            (t.i in cues or family_matches(t, self.family_index)) and verb in _control_chain(t)[1:]
            for t in verb.subtree
            if t is not verb
        )

    def _demanded_of_another(self, cue: Token) -> bool:
        """ "demanded that Honduras accept the flights", "wants Mexico to take in", "exigió que Honduras
        reciba", "a U.S. proposal that it take in deportees": what one country asks or proposes that another
        do is the asker's demand or proposal, and no stance of the other's."""
        for node in _control_chain(cue):
            complement = node.dep_ == "ccomp" or (node.dep_ in ("acl", "relcl") and node.head.pos_ == "NOUN")
            if (complement and _wished_clause(node)) or (node.dep_ == "advcl" and _purpose_clause(node)):
                # "solicitó a las autoridades que suspendan": the parser may hang the clause from the one asked
                askers = [node.head, *([node.head.head] if node.head.dep_ in ASKED_DEPS else [])]
                stances = {stance for asker in askers for stance, _ in family_matches(asker, self.family_index)}
                return not stances.isdisjoint(ASKING_STANCES)
        return False

    def _wished_not_done(self, cue: Token) -> bool:
        """ "No sería justo que Nigeria acogiera", "excluyó que su país acoja", "logren que Caracas dé permiso":
        a Spanish clause in the subjunctive that complements another word is wished, judged, feared or denied,
        not done; what an agreement settles ("acordaron que México reciba") is the one that holds."""
        if "Sub" not in cue.morph.get("Mood"):
            return False
        top = _control_chain(cue)[-1]
        if top.dep_ not in ("ccomp", "csubj"):
            return False
        return not any(stance == "agree" for stance, _ in family_matches(top.head, self.family_index))

    def _about_migration(self, cue: Token, stance: str, governed: bool) -> bool:
        """Accepting money, refusing allegations, stopping "the flow": not positions on migration."""
        objects = [c for c in cue.children if c.dep_ in ("dobj", "nsubjpass")]
        patients = _spanish_patients(cue)
        if cue.dep_ == "relcl":
            objects.append(cue.head)
        if any(t.ent_type_ == "MONEY" or t.lemma_.lower() in ROLES.money_words for obj in objects for t in obj.subtree):
            return False
        if stance in ("suspend", "resume"):
            if cue.lemma_.lower() in ROLES.periphrastic_verbs and not any(c.dep_ in OBJECT_DEPS for c in cue.children):
                return False  # "volvieron 240 hondureños": people came back, nothing resumed
            words = [t for obj in objects + patients for t in obj.subtree] or [t for t in cue.subtree if t.i > cue.i]
            if cue.dep_ == "conj" and any(c.pos_ == "PRON" and c.dep_ in OBJECT_DEPS for c in cue.children):
                # "habían frenado esos vuelos, pero los reanudaron": the pronoun is the first verb's object
                words += [t for c in cue.head.children if c.dep_ in OBJECT_DEPS for t in c.subtree]
            return any(
                t.lemma_.lower() in ROLES.arrangement_words or t.lower_ in ROLES.arrangement_words for t in words
            )
        if stance not in ("accept", "refuse") or governed:
            return True
        subject = _subject_of(cue)
        if subject is not None and _names_homelands(subject):
            return True  # "their home countries refused to take them back": the people are the deportees
        # a passive's subject is its patient: the words below it are in the cue's subtree already
        words = [t for t in cue.subtree if not (t.dep_ in SUBJECT_DEPS and t.head.i == cue.i)] + patients
        if cue.dep_ == "relcl":
            words.append(cue.head)
        text = " ".join(t.lower_ for t in words)
        return any(term in text for term in self.migration_terms) or any(
            t.lemma_.lower() in MIGRATION_OBJECTS or t.ent_type_ == "NORP" for t in words
        )


# ---- actors ------------------------------------------------------------------------------------
def _is_gov(token: Token) -> bool:
    if token.lemma_.lower() in ROLES.government_nouns or token.lower_ in ROLES.government_nouns:
        return True
    # "los Ejecutivos peruano y chileno": a capitalised plural keeps its form as its lemma
    return (
        token.pos_ == "PROPN"
        and token.lower_.removesuffix("s") in ROLES.government_nouns
        and any(c.dep_ == "amod" and c.ent_type_ for c in token.children)
    )


def _modifiers(token: Token) -> list[Token]:
    """Tokens that say whose a government noun is: "Mexican", "Mexico's", "of Honduras", "Biden"."""
    out = []
    for child in token.children:
        if child.dep_ in ("amod", "compound", "poss", "nmod", "appos") or (
            child.dep_ == "prep" and child.lower_ in ("of", "in", "from")
        ):
            out.extend(child.subtree)
    return out


def _speaker_text(token: Token, ent: Span | None) -> str | None:
    if ent is not None and ent.label_ in ("PERSON", "ORG"):
        return ent.text
    if token.lemma_.lower() in ROLES.speaking_bodies:
        return token.doc[token.left_edge.i : token.i + 1].text
    return None


def _country_of_token(token: Token, sent_mentions: list[Mention]) -> Actor | None:
    """A country, an official, or a body of a country, named by a nominal head."""
    mention = _mention_of(token, sent_mentions)
    if mention is not None and not (mention.span.label_ == "NORP" and token.pos_ in NOMINAL and not _is_gov(token)):
        return mention.country, _speaker_text(token, mention.span)
    if _is_gov(token) or token.ent_type_ == "PERSON" or _titled_name(token):
        for child in _modifiers(token):
            found = _mention_of(child, sent_mentions)
            if found is not None:
                return found.country, _speaker_text(token, _ent_of(token))
    return None


def _titled_name(token: Token) -> bool:
    """ "Foreign Minister Yusuf Tuggar", "Honduran President X": a name under a title of office, known
    to the gazetteer or not."""
    return token.pos_ == "PROPN" and any(c.dep_ == "compound" and _is_gov(c) for c in token.children)


def _refers_back(token: Token) -> bool:
    """A pronoun, "the government", "the East African country": whose it is, is said elsewhere."""
    if token.lower_ in ROLES.pronouns:
        return True
    if token.tag_ == "NNS" and token.lemma_.lower() in ROLES.unnamed_plurals:
        return False  # "more than a dozen countries", "several African governments": unnamed
    if any(c.dep_ == "det" and c.lower_ in ROLES.indefinite_determiners for c in token.children):
        return False  # "the second time a Latin American government has blocked such flights": any one
    return _is_gov(token) and not any(_ent_of(t) is not None and _ent_of(t)._.country for t in _modifiers(token))


def _antecedent(token: Token, sent_mentions: list[Mention]) -> Actor | None:
    """The reporting clause's subject ("Panama said it ..."), else the nearest country named as a
    subject before the pronoun, else any country named before it, else the article's context."""
    if any(c.dep_ == "poss" and c.lower_ in ("his", "her") for c in token.children):
        people = [m for m in sent_mentions if m.span.end <= token.i and m.span.label_ == "PERSON"]
        if people:  # "his new government": the person's country
            return people[-1].country, None
    reported = _reporter_country(token, sent_mentions)
    if reported is not None:
        return reported
    before = [m for m in sent_mentions if m.span.end <= token.i and not m.nationality]
    subjects = [m for m in before if any(a.dep_ in SUBJECT_DEPS for a in [m.span.root, *m.span.root.ancestors][:3])]
    if subjects or before:
        return (subjects or before)[-1].country, None
    context = token.doc.user_data.get(CONTEXT_KEY)
    return (context, None) if context else None


def _reporter_country(token: Token, sent_mentions: list[Mention]) -> Actor | None:
    """The country of the subject of the clause reporting the token's ("Panama said it ..."). A reporter in
    the first person is whoever reports it in turn: in "'We told London that our country will not take them,'
    Costa Rica's president wrote", "our country" is Costa Rica's, not London's."""
    reporter = _reporting_subject(token)
    for _ in range(MAX_REPORTERS):
        if reporter is None or reporter is token:
            return None
        resolved = _country_of_token(reporter, sent_mentions)
        if resolved is not None:
            return resolved[0], None
        if reporter.lower_ not in ROLES.first_person or not _in_first_person(token):
            return None  # "we told them this is their chance": "their" is not the speaker's
        token, reporter = reporter, _reporting_subject(reporter)
    return None


def _in_first_person(token: Token) -> bool:
    """ "We", "our country", "nuestro gobierno"."""
    return token.lower_ in ROLES.first_person or any(c.lower_ in ROLES.first_person for c in token.children)


def _resolve_nominal(token: Token, sent_mentions: list[Mention]) -> list[Actor]:
    found: list[Actor] = []
    for part in [token, *token.conjuncts]:
        # "the two countries", and "delegates of the two states"; "those four nations", "the governments of
        # these states"
        if _names_or_governs(part, names_both):
            actors = both_of(part, sent_mentions)
        elif _names_or_governs(part, names_group) and (listed := group_of(part, sent_mentions)):
            actors = listed
        elif _names_homelands(part):
            actors = _homelands(part, sent_mentions)
        else:
            resolved = _country_of_token(part, sent_mentions)
            if resolved is None and _refers_back(part):
                resolved = _antecedent(part, sent_mentions)
            actors = [resolved, *_coordinated_owners(part, sent_mentions)] if resolved is not None else []
        found.extend(actor for actor in actors if actor[0] not in {code for code, _ in found})
    return found


def _coordinated_owners(noun: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """The countries coordinated with the one a government noun is first said to be of: "the Lebanese and
    Syrian authorities", "ministers of Colombia and Panama" speak for both."""
    if not _is_gov(noun):
        return []
    owner = next((m for t in _modifiers(noun) if (m := _mention_of(t, sent_mentions)) is not None), None)
    if owner is None:
        return []
    coordinated = (_mention_of(t, sent_mentions) for t in owner.span.root.conjuncts)
    return [(m.country, None) for m in coordinated if m is not None and m.country != owner.country]


def names_both(token: Token) -> bool:
    """ "The two countries", "both governments", "ambos Ejecutivos", or "both"/"ambos" as a subject: the two
    countries the sentence or the article was speaking of."""
    if token.lower_ in ROLES.pair_words:
        return token.dep_ in SUBJECT_DEPS
    if _their_states(token):
        return True
    form = token.lower_  # "los dos Estados": a capitalised plural keeps its form as its lemma
    if not {token.lemma_.lower(), form.removesuffix("s"), form.removesuffix("es")} & ROLES.party_nouns:
        return False
    # the words before the noun in its phrase, not its children: "Los dos países" hangs "dos" from "Los"
    return any(word.lower_ in ROLES.pair_words for word in token.doc[token.left_edge.i : token.i])


def _their_states(token: Token) -> bool:
    """ "Colombia and Panama said their countries would cooperate"; not "their countries of origin"."""
    return (
        token.dep_ in SUBJECT_DEPS
        and token.tag_ == "NNS"
        and token.lemma_.lower() in ROLES.unnamed_plurals
        and any(c.dep_ == "poss" and c.lower_ == "their" for c in token.children)
        and not _names_homelands(token)
    )


def both_of(token: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """The two countries named last before ``token`` in its sentence, else with the article's last two
    (``PAIR_KEY``): nothing unless two are found."""
    named = [m.country for m in sent_mentions if m.span.end <= token.i and not m.nationality]
    recent: list[str] = []
    for country in [*reversed(named), *(token.doc.user_data.get(PAIR_KEY) or ())]:
        if country not in recent:
            recent.append(country)
    return [(country, None) for country in recent[:2]] if len(recent) >= 2 else []


def _names_or_governs(noun: Token, names: Callable[[Token], bool]) -> bool:
    """The noun is such a reference ("the two countries"), or a government noun governs one ("the governments
    of these states", "delegates of the two states")."""
    return names(noun) or (_is_gov(noun) and any(names(word) for word in _modifiers(noun)))


def names_group(token: Token) -> bool:
    """ "Those four nations", "these states", "all three African states", "estos países": a plural country noun
    after one of the group words, with none of the generic ones ("those third countries", "such states")."""
    if token.lemma_.lower() not in ROLES.unnamed_plurals or token.morph.get("Number") != ["Plur"]:
        return False
    before = {word.lower_ for word in token.doc[token.left_edge.i : token.i]}
    return bool(before & GROUP_MARKERS) and not before & ROLES.generic_group_words


def group_of(token: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """The last list of two or more countries before ``token`` in its sentence ("visas for nationals of Guinea,
    Sierra Leone and Cambodia, since those nations ..."), else the article's (``GROUP_KEY``); with a number
    ("those four nations"), only a list of that many."""
    runs = listed_runs([m for m in sent_mentions if m.span.end <= token.i], lambda mention: mention.span)
    lists = [tuple(dict.fromkeys(m.country for m in run)) for run in runs]
    lists = [countries for countries in lists if len(countries) >= 2]
    countries = lists[-1] if lists else tuple(token.doc.user_data.get(GROUP_KEY) or ())
    words = token.doc[token.left_edge.i : token.i]
    size = next((GROUP_SIZES[word.lower_] for word in words if word.lower_ in GROUP_SIZES), None)
    if len(countries) < 2 or (size is not None and len(countries) != size):
        return []
    return [(country, None) for country in countries]


def listed_runs(items: list[Listed], span_of: Callable[[Listed], Span]) -> list[list[Listed]]:
    """Runs of ``items`` (in text order) whose spans have only list words between them: "Guinea, Sierra Leone
    and Cambodia", "Cuban and Haitian". Read off the words, so the scan, which has no parse, reads lists as the
    stance finder does."""
    runs: list[list[Listed]] = []
    for item in items:
        span = span_of(item)
        between = span.doc[span_of(runs[-1][-1]).end : span.start] if runs else None
        if between is not None and len(between) <= MAX_LIST_GAP and all(t.lower_ in ROLES.list_words for t in between):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _names_homelands(noun: Token) -> bool:
    """ "Their home countries", "the men's countries of origin", "their own nations", "sus países de origen",
    "homelands": the countries the people in question come from, which the sentence or the article names
    as their nationalities ("the Eswatini five's countries had refused to take them back")."""
    if noun.lemma_.lower() in ROLES.homeland_nouns or noun.lower_ in ROLES.homeland_nouns:
        return True
    if noun.lemma_.lower() not in ROLES.unnamed_plurals or _owner_word(noun) is None:
        return False  # "make countries of origin take back deportees" speaks of any such country
    # "its own government" is the country named before it; "their own governments" are the people's
    words = {c.lower_ for c in noun.children if c.dep_ in ("amod", "compound", "nmod")} | {
        g.lower_ for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
    }
    origins = words & ROLES.origin_words
    return bool(origins - {"own", "propio"}) or bool(origins and noun.morph.get("Number") == ["Plur"])


def _owner_word(noun: Token) -> Token | None:
    """Whose the countries are: "their", "the men's", "whose", "sus"."""
    return next((c for c in noun.children if c.dep_ == "poss" or c.lower_ in ("su", "sus")), None)


def _homelands(noun: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """The nationalities the sentence names, else those of the last sentence before it that names some; not
    for "deportees whose home countries refuse them", which speaks of any deportee."""
    countries = [m.country for m in sent_mentions if _names_people(m) and not m.span.start <= noun.i < m.span.end]
    owner = _owner_word(noun)
    if not countries and owner is not None and owner.lower_ != "whose":
        countries = list(noun.doc.user_data.get(ORIGINS_KEY) or ())
    return [(country, None) for country in dict.fromkeys(countries)]


def _names_people(mention: Mention) -> bool:
    """A nationality: "Venezuelan nationals", "were Cuban and Laotian", "hombres de Vietnam y Laos"; not
    "Mexican officials" or "the Colombian president", who speak for a government."""
    if mention.nationality:
        return True
    root = mention.span.root
    while root.dep_ == "conj" and root.head is not root:
        root = root.head
    if mention.span.label_ == "NORP":  # "were Cuban and Laotian"; not "Swedish aid", "American flights"
        return root.dep_ not in ("amod", "compound", "nmod", "poss")
    holder = root.head.head if root.dep_ == "pobj" else root.head if root.dep_ == "nmod" else None
    return holder is not None and holder.lemma_.lower() in ROLES.people_nouns


def _subject_of(token: Token) -> Token | None:
    subject = next((child for child in token.children if child.dep_ in SUBJECT_DEPS), None)
    # "the vice-president of Iraq called on": split at its hyphen, each part a subject; the last is the noun
    while (
        subject is not None
        and subject.i + 2 < len(subject.doc)
        and subject.nbor().text == "-"
        and not subject.whitespace_
        and subject.nbor(2).head == token
        and subject.nbor(2).dep_ in SUBJECT_DEPS
    ):
        subject = subject.nbor(2)
    return subject


def _actors(cue: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """Walk up from the cue to the first clause with a subject: control, coordination, "by -ing"."""
    token = cue
    for _ in range(MAX_CLIMB):
        passive = _spanish_passive(token)
        if token is cue and passive:
            agent = _por_agent(cue)
            by_agent = _resolve_nominal(agent, sent_mentions) if agent is not None else []
            if by_agent:  # "por un acuerdo" is a cause, not an agent: read on
                return by_agent
        subject = None if passive else _subject_of(token)
        if subject is not None:
            if subject.lower_ in ROLES.relative_pronouns and token.dep_ == "relcl":
                subject = token.head
            return _resolve_nominal(subject, sent_mentions)
        agent = next((c for c in token.children if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            return _resolve_nominal(pobj, sent_mentions) if pobj is not None else []
        patient = ("nsubjpass", "nsubj") if passive else ("nsubjpass",)
        passive_subject = next((c for c in token.children if c.dep_ in patient), None)
        if passive_subject is not None:
            if token is not cue:  # "Colombia was forced to accept": the controller
                return _resolve_nominal(passive_subject, sent_mentions)
            # "the office said the proposal had been rejected": the reporter's country; the cue's own
            # patient is never its actor
            reporter = _reporting_subject(cue) if cue.dep_ in ("ROOT", "ccomp", "conj") else None
            return _resolve_nominal(reporter, sent_mentions) if reporter is not None else []
        if token.pos_ in NOMINAL and token is not cue:
            owners = _owners(token, sent_mentions)
            if owners:
                return owners
        if token.dep_ in ("ROOT", "ccomp", "parataxis") or token.head is token:
            return _unexpressed_subject(token, sent_mentions)
        controlled, controller = _object_control(token)
        if controlled:
            return _resolve_nominal(controller, sent_mentions) if controller is not None else []
        token = token.head
    return []


def _periphrasis(verb: Token) -> bool:
    """ "Volvió a admitir", "dejó entrar": the verb says "again" of its infinitive, or lets it happen, and the
    infinitive holds the stance; it neither resumes nor suspends anything, nor governs the infinitive's stance.
    "Dejó de acoger" stops the accepting: a stance of its own."""
    return verb.lemma_.lower() in ROLES.periphrastic_verbs and any(
        c.dep_ == "xcomp" and not any(m.dep_ == "mark" and m.lower_ == "de" for m in c.children) for c in verb.children
    )


def _spanish_passive(verb: Token) -> bool:
    """A Spanish passive participle: "fueron rechazadas", "el convenio, rechazado por México". The Spanish
    model has no passive labels: its subject is the patient, labelled ``nsubj``, and the agent an object.
    A participle of "haber" is a compound tense ("a quienes México había aceptado recibir"; the model labels
    relative clauses ``acl``), and one with a subject of its own is no modifier."""
    if verb.lang_ not in SUBJECT_DROPPING or verb.morph.get("VerbForm") != ["Part"]:
        return False
    if _perfect(verb):
        return False
    auxiliaries = {c.lemma_ for c in verb.children if c.dep_ == "aux"}
    modifier = verb.dep_ in ("amod", "acl") and not any(c.dep_ == "nsubj" for c in verb.children)
    return "ser" in auxiliaries or modifier


def _spanish_patients(verb: Token) -> list[Token]:
    """What a Spanish passive participle was done to: its subject ("las deportaciones fueron rechazadas"), or
    the noun it modifies ("el convenio, rechazado por México")."""
    if not _spanish_passive(verb):
        return []
    if verb.dep_ in ("amod", "acl"):
        return [verb.head]
    return [c for c in verb.children if c.dep_ == "nsubj"]


def _por_agent(verb: Token) -> Token | None:
    """The "por" phrase of a Spanish passive: "rechazada por México"."""
    return next(
        (
            c
            for c in verb.children
            if c.dep_ in ("obj", "obl", "nmod") and any(k.dep_ == "case" and k.lower_ == "por" for k in c.children)
        ),
        None,
    )


def _unexpressed_subject(verb: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """Whose a finite verb without a subject is, where the language drops subjects its verb endings carry
    ("Aceptó recibirlos", "dijo que aceptaría"): a reported clause's is its reporting clause's subject's (a
    first person's, when that names no country, the article's), else the country the article was speaking of
    (``CONTEXT_KEY``). English keeps its subjects: none."""
    if verb.lang_ not in SUBJECT_DROPPING or not _finite(verb):
        return []
    if verb.dep_ == "ccomp" and verb.head is not verb:
        reporting = _actors(verb.head, sent_mentions)
        # "«No recibiremos a los deportados», dijo el diplomático": a first person speaks for the country the
        # article is about, as "we" does in English, when the reporter names no country
        if reporting or verb.morph.get("Person") != ["1"]:
            return reporting
    context = verb.doc.user_data.get(CONTEXT_KEY)
    return [(context, None)] if context else []


def _finite(verb: Token) -> bool:
    """A finite verb, or one a finite auxiliary carries ("han rechazado", "hemos pedido"): its subject is in
    the ending."""
    return verb.morph.get("VerbForm") == ["Fin"] or any(
        c.dep_.startswith("aux") and c.morph.get("VerbForm") == ["Fin"] for c in verb.children
    )


def _object_control(token: Token) -> tuple[bool, Token | None]:
    """Whether a clause hangs under a verb with an object ("urged Colombia to accept", "accused Juba
    of refusing", "approached Ghana about taking"), and the object when the verb reports what the
    object did (accuse, praise); otherwise no one has done it yet."""
    if token.dep_ == "xcomp":
        verb = token.head
    elif (
        token.dep_ == "pcomp"
        and token.head.dep_ == "prep"
        and token.head.lower_ in ("of", "about", "into", "on", "for")
    ):
        verb = token.head.head  # "helps the U.S. by accepting" is the subject's own means: not here
    else:
        return False, None
    obj = next((c for c in verb.children if c.dep_ in ("dobj", "dative")), None)
    if obj is None or verb.pos_ not in ("VERB", "AUX"):
        return False, None
    return True, obj if verb.lemma_.lower() in ROLES.attributing_verbs else None


def _owners(noun: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """Whose a noun is: "Mexico's offer", "the Bahamas' decision", "a U.S. request", "offer by Panama"."""
    found: list[Actor] = []
    for child in noun.children:
        if child.dep_ == "nmod" and _marked_as_other_party(child):
            continue
        if child.dep_ in ("poss", "nmod", "compound", "amod"):
            candidates = [child]
        elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
            candidates = [c for c in child.children if c.dep_ == "pobj"]
        elif child.dep_ == "acl" and child.tag_ == "VBN":  # "a list drawn up by Trump's team"
            candidates = [c for agent in child.children if agent.dep_ == "agent" for c in agent.children]
        else:
            continue
        for candidate in candidates:
            for actor in _resolve_nominal(candidate, sent_mentions) + _hyphen_joined(candidate, sent_mentions):
                if actor[0] not in {code for code, _ in found}:
                    found.append(actor)
    return found


def _hyphen_joined(token: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """The countries hyphens join to this word, either side: "the Franco-British deal", "el pacto
    hispano-mauritano", whichever of the two the parser hangs from the noun (it hangs the other from it, or
    elsewhere, and often as a noun, which a demonym alone is not: people)."""
    doc, joined = token.doc, []
    if _mention_of(token, sent_mentions) is None:
        return []  # "the Beijing-brokered accord" is brokered, not Beijing's
    for step in (2, -2):
        i = token.i
        while 0 <= i + step < len(doc) and doc[i + step // 2].text == "-":
            i += step
            mention = _mention_of(doc[i], sent_mentions)
            if mention is not None:
                joined.append((mention.country, None))
    return joined


def _marked_as_other_party(nominal: Token) -> bool:
    """A noun's country its preposition marks as the other party, not the owner: "presión sobre Caracas",
    "una petición a Washington", "el acuerdo con Guatemala"; "la propuesta de México" is Mexico's own."""
    case = next((c for c in nominal.children if c.dep_ == "case" and c.pos_ == "ADP"), None)
    return case is not None and case.lower_ not in OWNER_PREPOSITIONS


def _noun_actors(cue: Token, sent_mentions: list[Mention]) -> list[Actor]:
    """Owners of the noun; else the subject of a light verb ("Mexico made an offer") or of the clause
    the noun sits in through prepositions ("Rwanda is in talks with ...", "with an offer to ...")."""
    owners = _owners(cue, sent_mentions)
    if owners:
        return owners
    token = cue
    for _ in range(4):
        head = token.head
        if (token.dep_ in OBJECT_DEPS or token.dep_ == "nsubjpass") and head.lemma_.lower() in ROLES.light_verbs:
            return _actors(head, sent_mentions)
        if token.dep_ == "pobj" and head.dep_ == "prep":
            token = head.head
            if token.pos_ in ("VERB", "AUX"):
                return _actors(token, sent_mentions)
            continue
        if token.dep_ == "obl" and any(c.dep_ == "case" for c in token.children):  # "bajo el acuerdo con ..."
            return _actors(head, sent_mentions) if head.pos_ in ("VERB", "AUX") else []
        return []
    return []


def _agreement_noun(verb: Token) -> Token | None:
    """The agreement a verb is about: "signed an accord", "agreed to a deal"."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass") and child.lemma_.lower() in ROLES.agreement_nouns:
            return child
        if child.dep_ == "prep" and child.lower_ in ("to", "on"):
            noun = next((c for c in child.children if c.dep_ == "pobj"), None)
            if noun is not None and noun.lemma_.lower() in ROLES.agreement_nouns:
                return noun
    return None


def _with_each_other(cue: Token) -> bool:
    """Coordinated parties agreeing with each other, not each doing the same with someone else."""
    if any(c.dep_ == "xcomp" for c in cue.children):
        return False
    noun = cue if cue.pos_ in NOMINAL else _agreement_noun(cue)
    if noun is None:
        return True
    return noun.tag_ != "NNS" and not any(c.lower_ in ("similar", "separate", "own") for c in noun.children)


def _agreement_pairs(cue: Token, sent_mentions: list[Mention], reciprocal: bool) -> list[tuple[Actor, str | None]]:
    """Every party the sentence presents as having the agreement, each with its partner: owners or
    signers on one side, "with"/"between" partners on the other ("X's agreement with Y and Z").
    A partner gets its own agree only when the agreement was reached, not when it was not."""
    noun = cue if cue.pos_ in NOMINAL else _agreement_noun(cue)
    owners = _owners(cue, sent_mentions) if cue.pos_ in NOMINAL else []
    partners: list[Actor] = []
    for holder in [cue] + ([noun] if noun is not None and noun is not cue else []):
        for nominal in _partner_phrases(holder):
            partners.extend(p for p in _resolve_nominal(nominal, sent_mentions) if p not in partners)
    if cue.pos_ not in NOMINAL:
        holders = _actors(cue, sent_mentions)
    elif owners:
        holders = owners
    else:
        # "Under the agreement with X, Y is accepting": the clause's subject holds it, if a partner is named
        holders = _noun_actors(cue, sent_mentions) if partners else []
    partner_codes = {code for code, _ in partners}
    holders = [h for h in holders if h[0] not in partner_codes]
    if not holders and len(partners) > 1 and (_between(cue) or (noun is not None and _between(noun))):
        # "the agreement between Guatemala and the United States"
        return [(p, other[0]) for p in partners for other in partners if other is not p]
    if not holders:
        # "an agreement with Guatemala, El Salvador and Honduras": the other party is not named
        return []
    if partners:
        pairs = [(h, p[0]) for h in holders for p in partners]
        if reciprocal:
            pairs += [(p, h[0]) for p in partners for h in holders]
        return pairs
    if len(holders) > 1 and _with_each_other(cue):  # "X and Y signed an agreement"
        return [(h, other[0]) for h in holders for other in holders if other is not h]
    if len(holders) > 1:  # "X and Y agreed to take in ...", "signed similar deals": each with a third party
        codes = {h[0] for h in holders}
        return [(h, c) for h in holders for c in _counterparts(cue, h[0], codes, sent_mentions)]
    return [(holders[0], c) for c in _counterparts(cue, holders[0][0], {holders[0][0]}, sent_mentions)]


# ---- counterpart -------------------------------------------------------------------------------
def _counterparts(cue: Token, actor: str, actors: set[str], sent_mentions: list[Mention]) -> list[str | None]:
    """The nearest other country in the cue's phrase, else in the sentence; all of them when it is
    one of a coordinated list ("warned Angola, Namibia and Congo")."""
    others = [m for m in sent_mentions if not m.nationality and m.country not in actors | {actor}]
    if not others:
        return [None]
    deporting = [m for m in others if _deporting_country(m)]
    subtree = {t.i for t in cue.subtree}
    inside = [m for m in others if m.span.root.i in subtree]
    nearest = min(deporting or inside or others, key=lambda m: abs(m.span.root.i - cue.i))
    listed = [nearest.country]
    for conjunct in nearest.span.root.conjuncts:
        mention = _mention_of(conjunct, others)
        if mention is not None and mention.country not in listed:
            listed.append(mention.country)
    return listed


def _deporting_country(mention: Mention) -> bool:
    """ "deported by the United States", "flights from the U.S.": the country whose deportees they are."""
    root = mention.span.root
    prep = root.head if root.dep_ == "pobj" else None
    if prep is None or prep.lower_ not in ("by", "from") or prep.dep_ not in ("agent", "prep"):
        return False
    return prep.head.lemma_.lower() in ROLES.deporting_words


# ---- how the cue is governed -------------------------------------------------------------------
def _governing_cue(token: Token, cues: dict[int, Cue]) -> Cue | None:
    """The cue this one is controlled by ("refused to accept", "offer to take", "talks about
    receiving"), if any."""

    def governor(node: Token) -> Token | None:
        if node.dep_ == "advcl" and _infinitive(node):
            return node.head
        if _for_a_purpose(node):
            return node.head  # "dialoga con Washington para acoger", "conversaciones con el fin de que acoja"
        if node.dep_ in ("dobj", "pobj") and node.pos_ in NOMINAL and node.head.i in cues and node is not token:
            return node.head  # "rejected the idea of taking"; a rejected proposal stays a proposal
        return _controller(node, CONTROL_PREPOSITIONS | {"over"})

    return next((cues[t.i] for t in _climb(token, governor, limit=3, through_nouns=True)[1:] if t.i in cues), None)


def _infinitive(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _object_of_cue(noun: Token, cues: dict[int, Cue]) -> bool:
    """ "signed an agreement" is the verb's; "suspended the agreements" or "considering an
    arrangement" is not an agreement being reached."""
    return noun.dep_ in ("dobj", "nsubjpass") and noun.head.i in cues


def _partner_phrases(holder: Token) -> list[Token]:
    """The nominals a preposition of partnership attaches to a word: "with Y" (the preposition heads the
    phrase in English's parse), "con Y" (it marks the nominal in Spanish's)."""
    english = [
        pobj
        for prep in holder.children
        if prep.dep_ == "prep" and prep.lower_ in PARTNER_PREPOSITIONS
        for pobj in prep.children
        if pobj.dep_ == "pobj"
    ]
    spanish = [
        child
        for child in holder.children
        if child.dep_ in ("nmod", "obl")
        and any(c.dep_ == "case" and c.lower_ in PARTNER_PREPOSITIONS for c in child.children)
    ]
    return english + spanish


def _between(noun: Token) -> bool:
    return any(c.dep_ == "prep" and c.lower_ == "between" for c in noun.children)


def _said_as_refusal(verb: Token) -> str | None:
    """How an accepting verb says the accepting will not be done, where it says it as a refusal (the
    guidelines: "will not accept", "cannot take" are one refuse, not a negated accept); None otherwise.
    What did not happen ("has not accepted them", "did not take them back", "failed to take back") stays a
    negated accept."""
    if _did_not_happen(verb):
        return None
    if _has_neg(verb):
        return "will_not_accept"
    if _lacks_capacity(verb):
        return "lacks_capacity"
    if _takes_none(verb):
        return "takes_none"  # "will readmit no deportee", "will take no deportees from America"
    # "under no circumstances will Mexico take" (a preposition's object), "en ningún caso aceptará" (obl)
    phrases = [n for c in verb.children for n in (c.children if c.dep_ == "prep" else (c,))]
    if any(n.lemma_.lower() in ROLES.manner_nouns and none_of(n) for n in phrases):
        return "under_no_circumstances"
    if verb.dep_ not in ("xcomp", "acl"):  # "incapaz de recibir" is an acl in Spanish
        return None
    controller = verb.head
    if controller.lemma_.lower() in ROLES.refusing_governors:
        return "unwilling"  # "unwilling to receive", "unable to admit"
    if controller.lemma_.lower() in ROLES.intending_verbs and _has_neg(controller):
        return "will_not_accept"  # "is not going to take", "does not want to receive"
    # "is not willing to accept", "no está dispuesto a recibir", "neither ... nor ... is ready to take"
    holders = (controller, controller.head) if controller.dep_ == "acomp" else (controller,)
    if controller.lemma_.lower() in ROLES.willing_words and (
        any(_has_neg(word) for word in holders) or _neither_subject(holders[-1])
    ):
        return "not_willing"
    return None


def _sought(cue: Token) -> bool:
    """ "hopes to strike a deal", "is chasing agreements with", "aspira a pactar", "sent an envoy to reach a
    deal": an agreement sought, not made (gold/DECISIONS.md reads it as a negotiation)."""
    if _for_a_purpose(cue):
        return True  # "viajó para pactar", "una misión para pactar", "a fin de pactar": a purpose
    if cue.dep_ == "advcl" and _infinitive(cue) and _subject_of(cue.head) is not None:
        return True  # "sent its envoy to reach a deal"
    if _progressive(cue):
        return True  # "están cerrando un pacto", "estaría pactando": still being made
    seeker = _controller(cue, CONTROL_PREPOSITIONS | {"en", "de", "toward", "towards"})
    if seeker is None and cue.pos_ in NOMINAL and cue.dep_ in OBJECT_DEPS:
        seeker = cue.head  # "wants similar agreements"
    if seeker is None and cue.pos_ in NOMINAL and cue.dep_ == "pobj" and cue.head.lower_ in ROLES.seeking_prepositions:
        seeker = cue.head.head  # "working towards a returns accord", "looks for further agreements"
    return seeker is not None and seeker.lemma_.lower() in ROLES.seeking_verbs


def _for_a_purpose(clause: Token) -> bool:
    """A clause or modifier that says what its head is for: "viajó para pactar", "una misión para pactar"."""
    return clause.dep_ in ("advcl", "acl") and any(_purpose_mark(c) for c in clause.children)


def _purpose_mark(token: Token) -> bool:
    """ "para", "a fin de", "con el fin de": a mark that says what a clause is for."""
    if token.dep_ != "mark":
        return False
    return " ".join([token.lower_, *(c.lower_ for c in token.children if c.dep_ == "fixed")]) in ROLES.purpose_marks


def _progressive(verb: Token) -> bool:
    """ "están cerrando", "estaría pactando": a verb said as under way. English "is signing" reports the
    signing itself as often as talks (train: six more wrong with it), so only the Spanish periphrasis counts."""
    return "Ger" in verb.morph.get("VerbForm") and any(
        c.dep_ == "aux" and c.lemma_.lower() in ROLES.progressive_auxiliaries for c in verb.children
    )


def _not_ruled_out(verb: Token) -> bool:
    """ "has not ruled out", "no descarta": a refusing verb under a negation leaves a possibility open
    (gold/DECISIONS.md: a hedged consider, or the stance it governs, hedged)."""
    particles = [c.lower_ for c in verb.children if c.dep_ in PARTICLE_DEPS]
    phrase = " ".join([verb.lemma_.lower(), *particles])
    return phrase in ROLES.ruling_out_verbs and _has_neg(verb)


def leaves_open(token: Token) -> bool:
    """Whether ``token`` is, or is controlled by, a refusing verb under a negation ("has not ruled out
    resuming", "no descarta que Honduras admita"): what it says is a possibility, hedged and not negated."""
    chain = _control_chain(token)
    clause = chain[-1].dep_ in ("ccomp", "csubj")  # the Spanish parser makes "que ..." a csubj too
    return any(_not_ruled_out(t) for t in chain) or (clause and _not_ruled_out(chain[-1].head))


def _refused_by_not_agreeing(verb: Token) -> bool:
    """ "will not agree to take", "would not consent": a refusal phrased with agree (gold/DECISIONS.md), where
    "has not agreed" or "did not agree" says an agreement did not happen (a negated agree)."""
    return (
        verb.pos_ not in NOMINAL
        and _has_neg(verb)
        and any(c.dep_ == "aux" and c.lower_ in ROLES.future_modals for c in verb.children)
    )


def _takes_none(verb: Token) -> bool:
    """ "will take no deportees", "signed no agreement": the verb's object is none of its kind."""
    return any(c.dep_ in OBJECT_DEPS and none_of(c) for c in verb.children)


def none_of(noun: Token) -> bool:
    """ "no deportees", "ningún caso": a noun whose determiner says there is none of it; "nobody", "none", unless
    an exception follows ("readmit nobody but their own nationals" takes those)."""
    if noun.lower_ in ROLES.none_pronouns:
        around = [*noun.children, *(c for c in noun.head.children if c.i > noun.i)]
        return not any(c.lower_ in ROLES.exception_words for c in around)
    return any(c.dep_ == "det" and c.lemma_.lower() in ROLES.none_determiners for c in noun.children)


def _lacks_capacity(verb: Token) -> bool:
    """ "did not have the capacity to take in", "lacked the facilities to receive", "in no position to
    take", "no tiene capacidad para recibir": a refusal."""
    noun = verb.head
    if verb.dep_ not in ("acl", "xcomp") and not (verb.dep_ == "relcl" and _infinitive(verb)):
        return False
    if noun.lemma_.lower() == "position" and none_of(noun):
        return True
    if noun.lemma_.lower() not in ROLES.capacity_nouns:
        return False
    holder = noun.head.lemma_.lower()
    return holder in ROLES.lacking_verbs or (holder in ROLES.having_verbs and _has_neg(noun.head))


def _accepts_an_agreement(verb: Token) -> bool:
    return _agreement_noun(verb) is not None


def _conditional_clause(token: Token) -> bool:
    """Inside "if ..." or "unless ...": a condition, not a position."""
    for node in _chain(token):
        if any(c.dep_ == "mark" and c.lower_ in ROLES.conditional_marks for c in node.children):
            return True
        if node.dep_ == "pcomp" and node.head.lower_ in ROLES.conditional_marks:
            return True
    return False


def _wished_clause(clause: Token) -> bool:
    """A complement clause that says what is wished for, not what is done: in the subjunctive ("que
    reciba"), or an English bare verb with a subject of its own and no auxiliary but "to" ("that Honduras
    accept", "Mexico to take"; not "that it would accept" or "that Mexico accepts", which report a stance)."""
    if "Sub" in clause.morph.get("Mood"):
        return True
    return (
        clause.tag_ in ("VB", "VBP")
        and any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)
        and not any(c.dep_ in ("aux", "auxpass") and c.lower_ != "to" for c in clause.children)
    )


def _purpose_clause(clause: Token) -> bool:
    """ "para que acepte": the purpose a demand is made for."""
    marks = {c.lower_ for c in clause.children if c.dep_ == "mark"}
    return {"para", "que"} <= marks


def _not_confirmed(token: Token) -> bool:
    """ "did not say where the deportees would be housed", "declined to say whether": not a position."""
    top = _chain(token)[-1]
    if top.dep_ not in ("ccomp", "xcomp") or top.head.lemma_.lower() not in ROLES.reporting_verbs | {"disclose"}:
        return False
    reporting = top.head
    return _has_neg(reporting) or (reporting.dep_ == "xcomp" and reporting.head.lemma_.lower() == "decline")


def _permitted_by_an_instrument(token: Token) -> bool:
    """ "a deal letting Britain send back offenders", "a statute permitting the return of felons": what the deal
    or the law permits, which no party accepts by it (the deal's parties have its agreement)."""
    return (
        token.lemma_.lower() in ROLES.permitting_verbs
        and token.dep_ in ("acl", "relcl")
        and token.head.lemma_.lower() in PERMITTING_NOUNS
    )


def _admits_a_fact(verb: Token) -> bool:
    """ "Guatemala admitted it lacks the funds", "el INM admite que podrían aterrizar aviones": admitting as
    conceding a fact, no one admitted in. A Spanish subjunctive clause is what is let happen ("no admitirá que
    lleguen vuelos"), an accepting."""
    if verb.lemma_.lower() not in ROLES.acknowledging_verbs or any(c.dep_ in OBJECT_DEPS for c in verb.children):
        return False
    for clause in verb.children:
        marked = any(c.dep_ == "mark" and c.lower_ in COMPLEMENTIZERS for c in clause.children)
        if clause.dep_ not in ("ccomp", "csubj", "xcomp") or (clause.dep_ != "ccomp" and not marked):
            continue  # "admitió recibir a los deportados" is an accepting
        finite = [clause, *(c for c in clause.children if c.dep_ == "aux")]
        if not any("Sub" in t.morph.get("Mood") for t in finite):
            return True
    return False


def _participle_modifier(token: Token) -> bool:
    """ "migrants turned away at the border", "the number discussed": the noun is the patient."""
    return (
        token.tag_ == "VBN"
        and token.dep_ in ("acl", "amod")
        and _subject_of(token) is None
        and not any(c.dep_ == "agent" for c in token.children)  # "destinations being weighed by Trump's team"
    )


def _climb(
    token: Token, governor: Callable[[Token], Token | None], limit: int = MAX_CLIMB, through_nouns: bool = False
) -> list[Token]:
    """``token`` and the tokens governing it, each found by ``governor`` from the one before, up to the
    first with a subject of its own or, unless ``through_nouns``, the first noun (which owns the clause)."""
    chain = [token]
    for _ in range(limit):
        if _subject_of(token) is not None:
            break
        token = governor(token)
        if token is None:
            break
        chain.append(token)
        if token.pos_ in NOMINAL and not through_nouns:
            break
    return chain


def _controller(token: Token, prepositions: frozenset[str] = CONTROL_PREPOSITIONS) -> Token | None:
    """What controls a verb: "failed to accept", "has no plans to consider", "refusal of taking"."""
    if token.dep_ in ("xcomp", "acl"):
        return token.head
    if token.dep_ == "pcomp" and token.head.lower_ in prepositions:
        return token.head.head
    return None


def _chain(cue: Token, through_conjuncts: bool = True) -> list[Token]:
    """The cue and the tokens that govern it, through clauses and prepositions, up to a subject or a noun."""
    relations = GOVERNING_RELATIONS | ({"conj"} if through_conjuncts else set())
    return _climb(cue, lambda token: token.head if token.dep_ in relations else None)


def _control_chain(cue: Token) -> list[Token]:
    """The cue and what controls it: negation reaches through these, not through "since halting them" or
    a coordinated clause."""
    return _climb(cue, _controller)


SPANISH_NEGATIONS = frozenset({"no", "nunca", "jamás", "tampoco"})  # advmod in Universal Dependencies


def _is_obligation(verb: Token) -> bool:
    """ "Have to", "need to", "tener que", "tener por qué": a verb of obligation over the one it controls."""
    return verb.lemma_.lower() in ROLES.obligation_verbs and any(
        c.dep_ in ("xcomp", "ccomp") and any(m.lower_ in ("to", "que", "qué") for m in c.children)
        for c in verb.children
    )


def _neither_subject(verb: Token) -> bool:
    """ "Neither Malta nor Italy agreed": the subject's "neither" negates the verb."""
    subject = _subject_of(verb)
    return subject is not None and any(c.dep_ in ("preconj", "det") and c.lower_ == "neither" for c in subject.children)


def negating_conjunction(child: Token) -> bool:
    """ "Ni" negates the conjunct it hangs from ("no cedió nada ni pactó", "ni aceptó ni recibirá"): the parser
    attaches it as "cc" or "advmod"."""
    return child.lower_ == "ni" and child.dep_ in ("cc", "advmod")


def _has_neg(token: Token) -> bool:
    # "no deal" and "ningún pacto" (none_of) negate a noun as "not" and "no" negate a verb
    return none_of(token) or any(
        c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ in SPANISH_NEGATIONS) or negating_conjunction(c)
        for c in token.children
    )


def _did_not_happen(verb: Token) -> bool:
    """ "has not accepted", "did not take back", "does not accept": English tenses that report what was (not)
    done, a negated accept in the labels (11 of 14 English train and dev sentences with "did", "does" or "do
    not" before an accepting verb), where "will not" and "would not" announce a refusal (82 of 89). "We are
    not taking deportations" is a refusal too, said of a policy. Spanish is left alone: its labels read "no
    aceptó" and "no acepta" as refusals (40 of 46). Permission not given ("did not give permission to land") is
    withheld: a refusal (gold/DECISIONS.md)."""
    if any(c.dep_ in OBJECT_DEPS and c.lemma_.lower() in ROLES.permission_nouns for c in verb.children):
        return False
    return any(c.dep_ == "aux" and c.lemma_ in ("have", "do") for c in verb.children)


def denied(token: Token) -> bool:
    """Whether the word stands in what its sentence denies: the clause a denying verb governs ("denied
    that any deal existed", "negó que México hubiera aceptado", "denied having agreed") or the clause of
    a claim that verb takes as object ("rejected reports that Kenya signed a deal", "dismissed claims
    that ..."). A denial is the stance, negated (gold/DECISIONS.md); "did not deny that ..." is none."""
    if token.pos_ not in ("VERB", "NOUN"):
        return False
    if token.dep_ in SUBJECT_DEPS and token.head.lemma_.lower() not in ROLES.existence_verbs:
        return False  # "negó que el pacto suponga abrir ...": what the deal does is denied, not the deal
    below, word = None, token
    for _ in range(MAX_CLIMB):
        head = word.head
        lemma = head.lemma_.lower()
        if head.i == word.i:
            return False
        if lemma in ROLES.denying_verbs and not _has_neg(head):
            return _denies(head, word, below)
        if head.pos_ == "VERB" and lemma in ROLES.reporting_verbs:
            return False  # "rejected claims that ..., saying Ghana had received them": what is said stands
        if head.pos_ in NOMINAL and lemma not in ROLES.claim_nouns and lemma not in ROLES.agreement_nouns:
            return False  # another noun's clause: "posibilidad que las autoridades rechazan"
        below, word = word, head
    return False


def denies_a_claim(verb: Token) -> bool:
    """Whether a denying verb denies something said, not something asked: "denied that ...", "rejected
    reports that ...", against "rejected the flights"."""
    if verb.lemma_.lower() not in ROLES.denying_verbs:
        return False
    return any((c.dep_ == "ccomp" and _denies(verb, c, None)) or _a_claim_taken(c) for c in verb.children)


def _denies(verb: Token, word: Token, below: Token | None) -> bool:
    """Whether ``verb`` denies what hangs from it through ``word`` (and ``below`` under that)."""
    marks = [c.lower_ for c in word.children if c.dep_ == "mark"]
    if word.dep_ == "ccomp":  # "denied that ...", "denied any deal existed"; not a misparsed "a quien ..."
        return all(mark in COMPLEMENTIZERS for mark in marks)
    if word.dep_ == "xcomp":
        # "desmintió que Argentina vaya a recibir" is a clause all the same; with an infinitive, "denied
        # having agreed" and "negó haber firmado" deny, "se negó a recibir" refuses; a perfect infinitive
        # reports a deed, so "rechazó haber pactado" denies it where "rechaza recibir" refuses
        return (
            "que" in marks
            or _perfect(word)
            or (
                verb.lemma_.lower() in ROLES.denying_with_infinitive
                and not any(c.lower_ == "se" for c in verb.children)
            )
        )
    # the claim's "that" clause or its "of" ("the existence of a deal"), not a participle the parser hung
    # from it ("rejected claims ..., saying Ghana had received them")
    return (
        _a_claim_taken(word)
        and below is not None
        and (below.dep_ == "prep" or any(c.dep_ == "mark" for c in below.children))
    )


def _perfect(verb: Token) -> bool:
    """ "haber firmado", "having agreed": an infinitive or gerund with the perfect's auxiliary."""
    return any(c.dep_ == "aux" and c.lemma_.lower() in ("haber", "have") for c in verb.children)


def _a_claim_taken(word: Token) -> bool:
    """ "reports", "claims", "versiones" as the object of the verb they hang from."""
    return word.dep_ in OBJECT_DEPS and word.lemma_.lower() in ROLES.claim_nouns


def negated_at(cue: Token) -> bool:
    """Whether a stance word says the stance did not happen: denied, its agreement noun or what controls it
    negated ("failed to accept", "has no plans to"), none of its object ("signed no agreement"), "neither X nor Y".
    "Will not accept" is left to the refusal readings."""
    if denied(cue):
        return True
    if cue.dep_ in OBJECT_DEPS and cue.head.lemma_.lower() in ROLES.lacking_verbs:
        return True  # "lacks an agreement with Chile", "carece de convenio"
    if (
        cue.dep_ in (*OBJECT_DEPS, *SUBJECT_DEPS)
        and cue.head.lemma_.lower() in ROLES.having_verbs
        and _has_neg(cue.head)
    ):
        return True  # "no hay convenio alguno", "no existe acuerdo", "does not have an agreement"
    agreement = _agreement_noun(cue) if cue.pos_ not in NOMINAL else None
    if agreement is not None and _has_neg(agreement):
        return True  # "no agreement was reached"
    if _neither_subject(_chain(cue)[-1]):
        return True
    if _takes_none(cue):
        return True  # "has taken no deportees", "signed no agreement"
    for token in _control_chain(cue):
        if token is cue and cue.lemma_ == "accept" and not _did_not_happen(cue):
            continue  # "will not accept" becomes a refusal instead
        if token is not cue and _is_obligation(token):
            break  # "an MoU which does not have to be ratified": no obligation, not no ratification
        if _has_neg(token):
            return True
        if token is not cue and token.lemma_.lower() in ROLES.negating_governors:
            return True
    return False


def hedged_at(cue: Token, modals_only: bool = False) -> bool:
    """Whether a stance word is said as a possibility: a hedging modal on it or on what governs it ("could
    sign", "may be willing to take"), "would" under a condition, "possibly", or a hedging governor ("expects
    to", "appears to be moving towards"). Under a negation only the modals count: "has no plans to consider"
    says the negation, not the plan."""
    chain = _chain(cue)
    if modals_only:
        return any(c.dep_ == "aux" and c.lower_ in ROLES.hedge_modals for token in chain for c in token.children)
    for token in chain:
        for child in token.children:
            if child.dep_ == "aux" and child.lower_ in ROLES.hedge_modals:
                return True
            if child.dep_ == "aux" and child.lower_ in ("would", "'d") and _has_condition(token):
                return True
            if child.dep_ == "advmod" and child.lower_ in ("possibly", "perhaps", "potentially"):
                return True
        if token is not cue and token.lemma_.lower() in ROLES.hedge_governors:
            return True
    top = chain[-1]
    return top.dep_ == "xcomp" and top.head.lemma_.lower() in ROLES.hedge_governors


def _has_condition(token: Token) -> bool:
    clauses = [token, *[c for c in token.children if c.dep_ == "advcl"]]
    return any(c.dep_ == "mark" and c.lower_ in ROLES.conditional_marks for clause in clauses for c in clause.children)


# ---- speaker -----------------------------------------------------------------------------------
def _reporting_subject(token: Token) -> Token | None:
    """The subject of the "said"/"told" clause this token's clause is reported by, if any."""
    node = token
    for _ in range(MAX_CLIMB):
        if node.dep_ in ROLES.quoted_speaker_dependencies and node.head.lemma_.lower() in ROLES.reporting_verbs:
            return _speaker_of(node.head)
        if node.lemma_.lower() in ROLES.reporting_verbs and node is not token:
            if node.dep_ == "ROOT":
                return _speaker_of(node)
            if node.dep_ == "advcl" and _subject_of(node) is None:  # "..., confirming that ..."
                return _subject_of(node.head)
        if node.head is node:
            return None
        node = node.head
    return None


def _speaker_of(verb: Token) -> Token | None:
    """Who says what a reporting verb reports: its subject, else the speaker after it that the Spanish
    parser makes its object ("..., publicó en X el mandatario costarricense")."""
    subject = _subject_of(verb)
    if subject is not None:
        return subject
    return next((c for c in verb.rights if c.dep_ == "obj" and (_is_gov(c) or c.ent_type_ in PERSON_LABELS)), None)


def _reported_speaker(cue: Token) -> str | None:
    subject = _reporting_subject(cue)
    if subject is not None and subject.lower_ not in ROLES.pronouns:
        ent = _ent_of(subject)
        if ent is not None and ent.label_ in ("PERSON", "ORG"):
            return ent.text
        return subject.doc[subject.left_edge.i : subject.i + 1].text
    for token in cue.sent:
        if token.lower_ == "according" and token.i + 2 < len(token.doc) and token.nbor().lower_ == "to":
            ent = _ent_of(token.nbor(2))
            return ent.text if ent is not None else None
    return None


# ---- the other fields --------------------------------------------------------------------------
def _subject_phrase(cue: Token) -> str | None:
    target = next((c for c in cue.children if c.dep_ == "xcomp"), cue)
    obj = next((c for c in target.children if c.dep_ in ("dobj", "attr")), None)
    if obj is None:
        prep = next(
            (c for c in target.children if c.dep_ == "prep" and c.lower_ in ("for", "on", "to", "of", "in")), None
        )
        obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep is not None else None
    if obj is None:
        return cue.text if cue.pos_ in NOMINAL else None
    tokens = list(obj.subtree)[:15]
    return cue.doc[tokens[0].i : tokens[-1].i + 1].text


def _quantity(sentence: Span) -> str | None:
    for span in sentence.doc.spans.get("quantities", []):
        if sentence.start <= span.start < sentence.end:
            return span.text
    return None


def _without_co_actors(positions: list[Position]) -> list[Position]:
    """ "The Bahamas' refusal, followed by a rebuff from Turks and Caicos": a country taking the same
    stance in the same sentence is a co-actor, not the counterpart (agreements excepted: their
    parties are each other's counterparts)."""
    actors_by_stance: dict[str, set[str]] = {}
    for position in positions:
        actors_by_stance.setdefault(position.stance, set()).add(position.actor)
    for position in positions:
        if position.stance != "agree" and position.counterpart in actors_by_stance[position.stance]:
            position.counterpart = None
    return positions


def _deduplicate(positions: list[Position]) -> list[Position]:
    """One position per (actor, stance, counterpart); a counterpart-less copy of a fuller one goes."""
    by_key: dict[tuple, Position] = {}
    for position in positions:
        by_key.setdefault((position.actor, position.stance, position.counterpart), position)
    kept = list(by_key.values())
    with_counterpart = {(p.actor, p.stance) for p in kept if p.counterpart}
    return [p for p in kept if p.counterpart or (p.actor, p.stance) not in with_counterpart]


@Language.factory(
    "migtrack_stance_finder",
    assigns=["doc._.positions"],
    requires=["token.dep", "token.lemma", "doc.ents"],
    default_config={"language": "en"},
)
def make_stance_finder(nlp: Language, name: str, language: str) -> StanceFinder:
    return StanceFinder(nlp, read_json("relevance.json", language)["migration_terms"], language)
