"""The position scorer: a learned check on every (country, stance) the sentence could hold.

The stance finder's rules read the parse precisely but only where a cue pattern matches: on real reporting
they found four positions in ten, missing predicates outside the lexicon ("consented", "balked at"), actors
reached through pressure and control constructions, and parties listed together. The scorer looks at every
country the sentence names (and the one a pronoun or "the government" stands for) paired with each of the
ten stances, describes the pair by features of the parse (which predicate the country hangs from and by
which path, what that predicate governs and is governed by, negation, modals, which stance family each of
those words belongs to, and whether a rule found the pair), by the words either side of the country
(which hold where the parse does not), and by which country it is and with whom (the stances reporting
gives each country and pair), and by the band of the sentence reader's probability for the stance (the
sentence read as a whole, ``sentence_stances.py``), and keeps the pairs a logistic regression trained on the
labelled train and dev splits (``pipeline/train_scorer.py``) scores at or above its threshold.

A kept pair that a rule found keeps the rule's reading (counterpart, negation, hedge, speaker); a pair
only the scorer found is given them from the parse around its predicate. Either way its ``confidence`` is
the precision measured at the scorer's probability on predictions it did not train on (out of fold over
the train and dev splits, ``calibrate``), so researchers can leave out rows the scorer doubts. The weights
are data (``lexicons/scorer.json``, ``lexicons/es/scorer.json``), read without scikit-learn at run time.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import repeat

from spacy.language import Language
from spacy.tokens import Doc, Token

from models.stances import STANCES
from pipeline.components import sentence_stances
from pipeline.components.stances import (
    CONTEXT_KEY,
    FAMILY_RULE,
    PAIR_KEY,
    PERSON_LABELS,
    ROLES,
    SPANISH_NEGATIONS,
    Mention,
    both_of,
    denied,
    denies_a_claim,
    family_matches,
    hedged_at,
    leaves_open,
    mentions,
    names_both,
    negated_at,
    negating_conjunction,
    none_of,
)
from pipeline.lexicons import family_index, read_trained

# how a country's mention attaches to the predicate it takes part in: climbed through these
NOMINAL_ATTACHMENTS = frozenset(
    {"compound", "poss", "appos", "conj", "nmod", "amod", "det", "pobj", "prep", "case", "flat", "nummod", "cc"}
)
# how a predicate hangs from a governing one ("agreed to accept", "said it would refuse")
GOVERNED_BY = frozenset({"xcomp", "ccomp", "advcl", "relcl", "acl", "conj", "dobj", "obj", "pcomp", "pobj", "prep"})
GOVERNS = frozenset({"xcomp", "ccomp", "dobj", "obj", "attr", "acomp", "pcomp", "advcl", "nsubjpass", "conj"})
PREDICATE_POS = frozenset({"VERB", "NOUN", "AUX", "ADJ"})
WORD_POS = frozenset({"VERB", "NOUN", "ADJ"})  # the sentence's content words, read as such ("w=")
MAX_CLIMB = 4
# how a predicate hangs from the one that controls it ("refused to accept", "rechazó recibir", "the offer to take")
CONTROLLED = frozenset({"xcomp", "advcl", "acl", "pcomp", "pobj", "obj", "dobj"})
# what a stance word is about: its object, the subject of its passive, or what follows "of"/"de" after a noun
OBJECT_DEPS = frozenset({"dobj", "obj", "nsubjpass", "nsubj:pass"})
OF_WORDS = frozenset({"of", "de", "del"})
SUBJECTS = frozenset({"nsubj", "nsubjpass", "nsubj:pass"})  # active and passive, in both parsers' labels
WINDOW = 5  # words either side of a country the scorer reads as such
DISTANCE_BANDS = (1, 3, 6, 10)  # how many words lie between a country and a stance family's word, in bands
SCORER_FILE = "scorer.json"  # in the language's lexicon folder
RULE = "rule"  # the thresholds' key for candidates a pattern rule found
BARE = "bare"  # and for candidates no rule read at all (never below their stance's)
NEGATIONS = frozenset({"not", "n't", "never", "ni"}) | SPANISH_NEGATIONS  # the stance finder's Spanish ones


@dataclass
class Candidate:
    """One (country, stance) pair of a sentence, described for the model.

    Most features are the country's and the sentence's, the same under every stance but weighted per stance
    (``shared``, one set for the country's ten candidates); the rest are this stance's own (``own``). Kept
    apart, the ten candidates of a country are scored without writing out ten copies of each name."""

    actor: str
    stance: str
    shared: frozenset[str]
    own: list[str]
    rule_positions: list[dict] = field(default_factory=list)
    predicate: Token | None = None
    # what the stance finder read off a family word no pattern claims: kept when nothing better is there
    proposed: list[dict] = field(default_factory=list)

    @property
    def features(self) -> list[str]:
        """Every feature by its full name ("accept|pred=take"), as the trainer's vectorizer reads them."""
        return [f"{self.stance}|{name}" for name in self.shared] + self.own


class PositionScorer:
    """Scores every candidate pair of a parsed sentence and rewrites ``doc._.positions`` with the kept ones."""

    def __init__(self, model: dict | None, language: str = "en"):
        self.model = model
        self.family_index = family_index(language)
        # "accept|pred=take" is read as shared_weights["pred=take"][position["accept"]]: one look-up
        # gives a shared feature's weight under every stance (see Candidate)
        position = {stance: n for n, stance in enumerate(STANCES)}
        by_name: dict[str, list[float]] = {}
        for name, weight in (model or {}).get("weights", {}).items():
            stance, _, rest = name.partition("|")
            if stance in position:
                by_name.setdefault(rest, [0.0] * len(position))[position[stance]] = weight
        self.shared_weights: dict[str, tuple[float, ...]] = {name: tuple(w) for name, w in by_name.items()}
        # a country's ten candidates share one frozenset: its sums are made once, for the ten stances together
        self.shared_scores = functools.lru_cache(maxsize=64)(self._shared_scores)
        reader = (model or {}).get("sentence_stances")
        self.sentence_reader = sentence_stances.SentenceStances(reader) if reader else None

    def __call__(self, doc: Doc) -> Doc:
        if not self.model:  # untrained: the patterns alone decide
            doc._.positions = [p for p in doc._.positions if not p["rule"].startswith(FAMILY_RULE)]
            return doc
        kept: list[dict] = []
        sentence_mentions = mentions(doc)
        tokens = list(doc)  # one pass: every Token object is made once
        tree = _Tree(tokens)
        read = self.sentence_reader.probabilities(doc.text) if self.sentence_reader else None
        for candidate in self.candidates(doc, sentence_mentions, tokens, tree):
            sentence = sentence_stances.features(candidate.stance, read[candidate.stance]) if read else ()
            probability = self.probability(candidate, sentence)
            if probability < threshold_for(candidate, self.model["thresholds"]):
                continue
            # a pattern's reading, else the first reading of a family word, else one made from the parse
            readings = (
                candidate.rule_positions
                or candidate.proposed[:1]
                or [self._new_position(candidate, doc, sentence_mentions, tree)]
            )
            confidence = round(calibrate(self.model.get("calibration_curve"), probability), 3)
            kept.extend({**position, "confidence": confidence} for position in readings)
        doc._.positions = sorted(kept, key=lambda p: (p["start"], p["actor"], p["stance"]))
        return doc

    def probability(self, candidate: Candidate, sentence: Iterable[str] = ()) -> float:
        """The candidate's probability from its own features and its sentence's (the sentence reader's band)."""
        # each feature counts once, as the trainer's DictVectorizer saw it
        score = self.model["bias"] + self.shared_scores(candidate.shared)[candidate.stance]
        score += sum(map(self.model["weights"].get, set(candidate.own).union(sentence), repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-score))

    def _shared_scores(self, shared: frozenset[str]) -> dict[str, float]:
        """The weights of a country's shared features summed under each stance, in one pass over them."""
        vectors = [vector for vector in map(self.shared_weights.get, shared) if vector is not None]
        return dict(zip(STANCES, map(sum, zip(*vectors, strict=True)) if vectors else repeat(0.0), strict=False))

    # ---- candidates ----------------------------------------------------------------------------
    def candidates(
        self,
        doc: Doc,
        sentence_mentions: list[Mention],
        tokens: list[Token] | None = None,
        tree: _Tree | None = None,
    ) -> list[Candidate]:
        """Every (country, stance) pair of the sentence: countries named (``mentions(doc)``), and the
        countries a pronoun, a bare "the government" or an unknown person may stand for (the last two the
        previous sentences named).
        ``tokens`` and ``tree`` are the sentence's, when the caller has already read them."""
        rule_positions = [p for p in doc._.positions if not p["rule"].startswith(FAMILY_RULE)]
        proposals = [p for p in doc._.positions if p["rule"].startswith(FAMILY_RULE)]
        by_country: dict[str, list[Mention]] = {}
        for mention in sentence_mentions:
            by_country.setdefault(mention.country, []).append(mention)
        countries = list(dict.fromkeys([*by_country, *(p["actor"] for p in rule_positions + proposals)]))
        context = doc.user_data.get(CONTEXT_KEY)
        tokens = tokens if tokens is not None else list(doc)
        refers_back = any(t.lower_ in ROLES.pronouns or t.lemma_.lower() in ROLES.government_nouns for t in tokens)
        # "Monsalve said they would ...": a person the gazetteer does not know often speaks for a country the
        # article named before; so may a pronoun or "the minister" for the country named before the last one
        # (on the dev splits, a fifth of the Spanish and a third of the English gold actors no candidate held)
        by_person = not refers_back and _names_an_unknown_person(tokens, sentence_mentions)
        earlier: list[str] = []
        if refers_back or by_person:
            earlier = [context] if context else []
            earlier += [c for c in doc.user_data.get(PAIR_KEY) or () if c not in earlier][: 2 - len(earlier)]
            countries.extend(country for country in earlier if country not in countries)
        # "the two countries", "ambos gobiernos": the two named last, in the sentence or before it
        # in the order read: a set's order follows the run's string hashing, and a country's place among the
        # candidates is one of its features, so two runs scored "ambos lo hablaron" differently
        paired = list(
            dict.fromkeys(country for t in tokens if names_both(t) for country, _ in both_of(t, sentence_mentions))
        )
        countries.extend(country for country in paired if country not in countries)
        words = frozenset(f"w={t.lemma_.lower()}" for t in tokens if t.pos_ in WORD_POS and not t.is_stop)
        out = []
        order = {country: n for n, country in enumerate(countries)}
        families_of = _FamiliesOf(self.family_index)
        tree = tree if tree is not None else _Tree(tokens)
        family_words = [
            _FamilyWord.of(t, tree, families_of) for t in tokens if t.pos_ in PREDICATE_POS and families_of[t]
        ]
        # readings grouped once by (actor, stance), not searched again for each of the ten stances
        found_by, proposed_by, countered = {}, {}, set()
        for p in rule_positions:
            found_by.setdefault((p["actor"], p["stance"]), []).append(p)
        for p in proposals:
            proposed_by.setdefault((p["actor"], p["stance"]), []).append(p)
        for p in rule_positions + proposals:
            countered.add((p["counterpart"], p["stance"]))
        rule_actors = {p["actor"] for p in rule_positions}
        rule_stances = {p["stance"] for p in rule_positions}
        # "received by Guatemala, Brazil and Mexico": a rule often reads only one of the listed countries
        listed_with = _coordinated(by_country)
        read_as: dict[str, set[str]] = {}
        for p in rule_positions + proposals:
            read_as.setdefault(p["actor"], set()).add(p["stance"])
        # "their home countries refused" makes the people's nationalities the actors (stances.py): their
        # mentions are read as any actor's, not as the deportees' nationality that is never one
        homelands = {p["actor"] for p in rule_positions + proposals if "+homelands" in p["rule"]}
        for country in countries:
            own = by_country.get(country, [])
            if country in homelands:
                own = [replace(mention, nationality=False) for mention in own]
            described, predicate = self._describe(country, own, doc, tree, context, order[country], len(countries))
            # what the reporting says of whom: the United States demands and threatens, Mexico accepts, and
            # some pairs recur (out of fold over train and dev pages: +0.02 F1 in each language)
            described += [f"actor={country}", *(f"pair={country}>{other}" for other in countries if other != country)]
            if country in paired:
                described.append("both" if own else "both_antecedent")
            if country in earlier and not own:
                described += ["by_person"] if by_person else []
                described += ["antecedent_second"] if country != context else []
            evidence = self._family_evidence(own, predicate, family_words, families_of, tree)
            family_by_stance = _family_features(evidence)
            shared = frozenset(described) | words
            for stance in STANCES:
                found = found_by.get((country, stance), [])
                proposed = proposed_by.get((country, stance), [])
                features = list(family_by_stance.get(stance, ()))
                # the other party of a reading: "X signed a pact with Y" presents Y as a party too
                if (country, stance) in countered:
                    features.append(f"{stance}|counterpart_of_same_stance")
                if found:
                    features += ["rule", f"{stance}|rule", f"{stance}|rule={found[0]['rule'].split('+')[0]}"]
                elif country in rule_actors:
                    features.append(f"{stance}|rule_other_stance")
                elif stance in rule_stances:
                    features.append(f"{stance}|rule_other_actor")
                if not found and any(stance in read_as.get(other, ()) for other in listed_with.get(country, ())):
                    features.append(f"{stance}|listed_with_reader")
                if any("+homelands" in p["rule"] for p in found + proposed):
                    features.append(f"{stance}|homelands")  # "their home countries refused": see stances.py
                for p in proposed:
                    lemma = p["rule"].rsplit(".", 1)[-1]
                    features += [f"{stance}|proposed", f"{stance}|proposed={lemma}"]
                    features += ["proposed_neg"] if p["negated"] else []
                out.append(Candidate(country, stance, shared, features, found, predicate, proposed))
        return out

    def _describe(
        self, country: str, own: list[Mention], doc: Doc, tree: _Tree, context: str | None, rank: int, n_countries: int
    ) -> tuple[list[str], Token | None]:
        """Stance-independent features of one country in the sentence, and its main predicate."""
        features = [f"n_countries={min(n_countries, 4)}", f"rank={min(rank, 3)}"]
        if rank == n_countries - 1:
            features.append("last_country")
        if not own:
            features.append("antecedent" if country == context else "no_mention")
        predicate = None
        for mention in own:
            features.append(f"label={mention.span.label_}")
            if mention.nationality:
                features.append("nationality")
                continue
            root = mention.span.root
            path, head = attachment(root)
            features += [f"dep={root.dep_}", f"path={path}", f"pred={head.lemma_.lower()}",
                         f"pred_path={head.lemma_.lower()}|{path}"]  # fmt: skip
            for word in (head, *tree.governors(head)):
                features.append(f"up={word.lemma_.lower()}")
            for word in tree.governed(head):
                features.append(f"down={word.lemma_.lower()}")
            if tree.negated(head):
                features.append("neg")
            # "rejected reports that it had signed": the one denies a claim, the other is in what is denied
            if denies_a_claim(head):
                features.append("denies_claim")
            elif denied(head):
                features.append("denied")
            for modal in tree.modals(head):
                features.append(f"modal={modal}")
            # the words just before and after the country, read whatever the parse made of them: long news
            # sentences are often misparsed (with the family words' distance bands, out of fold over train and
            # dev: +0.012 F1 English, +0.016 Spanish)
            span = mention.span
            features += [
                f"L={w.lemma_.lower()}" for w in doc[max(0, span.start - WINDOW) : span.start] if not w.is_punct
            ]
            features += [f"R={w.lemma_.lower()}" for w in doc[span.end : span.end + WINDOW] if not w.is_punct]
            for child in tree.children(root):
                if child.dep_ == "prep" or child.dep_ == "case":
                    features.append(f"own_prep={child.lower_}")
            if path.startswith("pobj"):
                features.append(f"pobj_of={root.head.lower_}")
            if predicate is None:
                predicate = head
        return features, predicate

    def _family_evidence(
        self,
        own: list[Mention],
        predicate: Token | None,
        family_words: list[_FamilyWord],
        families_of: _FamiliesOf,
        tree: _Tree,
    ) -> tuple[list, list]:
        """The words of any stance family around one country, read once for all ten stances: every such
        predicate word of the sentence with the shape of the parse path from the country to it, and the
        country's own predicate, its governors and what it governs, with their families."""
        roots = [m.span.root for m in own if not m.nationality]
        in_sentence = []
        for word in family_words if roots else []:
            paths = (parse_path(root, word.token, tree.chain) for root in roots)
            up, down = min(paths, key=lambda p: len(p[0]) + len(p[1]))
            where = distance_band(min((word.token.i - root.i for root in roots), key=abs))
            in_sentence.append((word.families, word.lemma, f"{min(len(up), 3)}/{min(len(down), 3)}",
                                up[0] if up else "self", word.negated, word.hedged, where,
                                word.governed_by, word.objects))  # fmt: skip
        around = []
        if predicate is not None:
            roles = [("pred", [predicate]), ("up", tree.governors(predicate)), ("down", tree.governed(predicate))]
            around = [(role, families_of[w], tree.negated(w)) for role, words in roles for w in words]
        return in_sentence, around

    def _new_position(self, candidate: Candidate, doc: Doc, sentence_mentions: list[Mention], tree: _Tree) -> dict:
        """A pair no rule read: the counterpart is the other country nearest its predicate, negation and
        hedging are read off that predicate, and the evidence is the sentence."""
        predicate = candidate.predicate
        others = [m for m in sentence_mentions if m.country != candidate.actor and not m.nationality]
        anchor = predicate.i if predicate is not None else 0
        counterpart = min(others, key=lambda m: abs(m.span.root.i - anchor)).country if others else None
        possible = predicate is not None and leaves_open(predicate)  # "has not ruled out", "no descarta"
        families_of = _FamiliesOf(self.family_index)
        word = self._stance_word(candidate.stance, doc, anchor, families_of)
        # a relative copula's negation says what someone is not ("deportees who are not Mexican"), not what the
        # country did; "Manila is not ready to take them back" keeps its negation. A predicate of another stance
        # says that stance did not happen ("no lo aceptaría México ..., que además pedirá más detalles"): its
        # negation is not this stance's
        another_stance = (
            predicate is not None
            and word is not None
            and word is not predicate
            and bool(families_of[predicate])
            and candidate.stance not in families_of[predicate]
        )
        negated = (
            predicate is not None
            and not possible
            and not another_stance
            and not (predicate.pos_ == "AUX" and predicate.dep_ == "relcl")
            and ((candidate.stance != "refuse" and tree.negated(predicate)) or denied(predicate))
        )
        if word is not None and not negated and not possible and candidate.stance != "refuse":
            negated = _says_none(word, tree)
        modal = (
            possible
            or (predicate is not None and any(m in ROLES.hedge_modals for m in tree.modals(predicate)))
            or (word is not None and hedged_at(word, modals_only=negated))
        )
        text = doc.text  # Doc.text joins every token: read once
        return {
            "actor": candidate.actor,
            "stance": candidate.stance,
            "counterpart": counterpart,
            "subject": None,
            "nationalities": list(dict.fromkeys(m.country for m in sentence_mentions if m.nationality)),
            "quantity": None,
            "negated": negated,
            "hedged": modal or (candidate.stance == "consider" and not negated),
            "speaker": None,
            "evidence": text,
            "start": 0,
            "end": len(text),
            "rule": "scorer",
            "sentence_index": 0,
        }

    def _stance_word(self, stance: str, doc: Doc, anchor: int, families_of: _FamiliesOf) -> Token | None:
        """The word of ``stance``'s family nearest the candidate's predicate: the country's predicate ("have"
        in "Iraq and Britain have no agreement") is often not the stance's word, and negation and modals sit
        on the word ("no deal has been struck", "for not taking back", "could sign")."""
        words = [t for t in doc if t.pos_ in PREDICATE_POS and stance in families_of[t]]
        return min(words, key=lambda t: abs(t.i - anchor)) if words else None


def _says_none(word: Token, tree: _Tree) -> bool:
    """Whether a stance word says the stance did not happen, read as the stance finder reads its cues
    (``negated_at``: "no deal", "ningún pacto", "for not taking back", "negó haber pactado"), and "no deal has
    been struck"; not a possibility left open (10% of the English dev split's negated gold positions were read
    unnegated before the word was read)."""
    if leaves_open(word):
        return False
    nothing_done = any(c.dep_ in SUBJECTS and none_of(c) for c in tree.children(word))
    return nothing_done or negated_at(word)


def _coordinated(by_country: dict[str, list[Mention]]) -> dict[str, set[str]]:
    """The countries each country is listed with ("Guatemala, Brazil and Mexico"): mentions whose roots are
    conjuncts of one head (the parser often makes the second of a list an apposition of the first)."""
    heads: dict[str, set[int]] = {}
    for country, own in by_country.items():
        for mention in own:
            root = mention.span.root
            while root.dep_ in ("conj", "appos") and root.head.i != root.i:
                root = root.head
            heads.setdefault(country, set()).add(root.i)
    return {
        country: {other for other, theirs in heads.items() if other != country and theirs & mine}
        for country, mine in heads.items()
    }


def _names_an_unknown_person(tokens: list[Token], sentence_mentions: list[Mention]) -> bool:
    """A person the gazetteer does not know: a people entity outside every country mention ("Monsalve")."""
    people = [t.i for t in tokens if t.ent_type_ in PERSON_LABELS]
    if not people:  # most sentences: no need to collect the mentions' words
        return False
    named = {i for mention in sentence_mentions for i in range(mention.span.start, mention.span.end)}
    return any(i not in named for i in people)


def calibrate(curve: dict | None, probability: float) -> float:
    """The precision measured on the dev split at this probability (the trainer's isotonic curve, read by
    linear interpolation); the probability itself where no curve was fitted."""
    if not curve or not curve["x"]:
        return probability
    xs, ys = curve["x"], curve["y"]
    if probability <= xs[0]:
        return ys[0]
    if probability >= xs[-1]:
        return ys[-1]
    right = bisect.bisect_right(xs, probability)
    x0, x1, y0, y1 = xs[right - 1], xs[right], ys[right - 1], ys[right]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (probability - x0) / (x1 - x0)


def _family_features(evidence: tuple[list, list]) -> dict[str, list[str]]:
    """Whether the words around the country belong to a stance's family of verbs, nouns and adjectives,
    for each stance at once: what lets the model read a predicate it never saw in training. Every word of
    the family in the sentence counts, by the shape of the parse path from the country to it. Each feature
    comes with a copy that leaves its stance out, so rare stances borrow strength from common ones."""
    in_sentence, around = evidence
    by_stance: dict[str, list[str]] = {}
    for families, lemma, shape, first, negated, hedged, where, governed_by, objects in in_sentence:
        names = [f"famdist={where}", f"famtok={shape}", f"famtok_first={first}", f"famtok_first={first}|{shape}",
                 f"famtok_lemma={lemma}|{first}"]  # fmt: skip
        names += [f"famtok_neg={shape}"] if negated else []
        names += ["famtok_modal"] if hedged else []
        names += [f"famtok_gov={family}" for family in sorted(governed_by)]
        names += [f"famobj={word}" for word in objects]
        names += [f"famobj_kind={kind}" for kind in sorted({_object_kind(word) for word in objects})]
        for stance in families:
            by_stance.setdefault(stance, []).extend(f"{stance}|{name}" for name in names)
            by_stance[stance].extend(names)
    for role, families, negated in around:
        if not families:  # most words belong to no family: nothing to say under any stance
            continue
        others = {other: f"other_fam_{role}={other}" for other in sorted(families)}
        for stance in STANCES:
            features = by_stance.setdefault(stance, [])
            if stance in families:
                names = [f"fam_{role}", f"fam_{role}_neg"] if negated else [f"fam_{role}"]
                features.extend(f"{stance}|{name}" for name in names)
                features.extend(names)
            names = [name for other, name in others.items() if other != stance]
            features.extend(f"{stance}|{name}" for name in names)
            features.extend(names)
    return by_stance


class _FamiliesOf(dict):
    """The stances whose family each word of the sentence belongs to, read the first time it is asked for:
    most words are never asked about."""

    def __init__(self, index: dict[str, tuple[str, ...]]):
        super().__init__()
        self.index = index

    def __missing__(self, token: Token) -> frozenset[str]:
        self[token] = families = frozenset(stance for stance, _ in family_matches(token, self.index))
        return families


@dataclass
class _FamilyWord:
    """A word of some stance family, read once per sentence however many countries it is measured from."""

    token: Token
    families: frozenset[str]
    lemma: str
    negated: bool
    hedged: bool
    # the families of the predicate that controls this word ("refused" over "to accept", "se negó a recibir")
    governed_by: frozenset[str]
    # what the word is about: "accepted deportees" is a position, "accepted remittances" and "received
    # 2 billion" are not, whatever the verb (the look-alike rounds of gold/DECISIONS.md)
    objects: tuple[str, ...]

    @classmethod
    def of(cls, token: Token, tree: _Tree, families_of: _FamiliesOf) -> _FamilyWord:
        hedged = any(m in ROLES.hedge_modals for m in tree.modals(token))
        controller = token.head if token.dep_ in CONTROLLED and token.head.i != token.i else None
        if controller is not None and controller.pos_ == "ADP":  # "talks about receiving", "the idea of taking"
            controller = controller.head if controller.head.i != controller.i else None
        governed_by = families_of[controller] if controller is not None else frozenset()
        objects = tuple(_object_word(child) for child in tree.children(token) if child.dep_ in OBJECT_DEPS)
        if token.pos_ == "NOUN":  # "the acceptance of deportees", "el rechazo de los vuelos"
            objects += tuple(
                _object_word(grandchild)
                for child in tree.children(token)
                if child.lower_ in OF_WORDS
                for grandchild in tree.children(child)
            )
            objects += tuple(
                _object_word(child)
                for child in tree.children(token)
                if child.dep_ == "nmod" and any(c.lower_ in OF_WORDS for c in tree.children(child))
            )
        return cls(token, families_of[token], token.lemma_.lower(), tree.negated(token), hedged, governed_by, objects)


def _object_word(token: Token) -> str:
    """A money amount ("$2 billion", "500 million euros") reads as one word, whatever its figure. The entity
    recogniser's MONEY label is not there to read: the country finder sets the sentence's entities."""
    if any(w.is_currency or w.lemma_.lower() in ROLES.money_words for w in (token, *token.children)):
        return "MONEY"
    return token.lemma_.lower()


def _object_kind(word: str) -> str:
    """The kind of thing a stance word is about, so that an object never seen in training still counts."""
    if word in ROLES.people_nouns:
        return "people"
    if word in ROLES.object_words:
        return "arrangement"
    if word == "MONEY":
        return "money"
    return "other"


def distance_band(gap: int) -> str:
    """Where a family word stands from the country: "before3" is two or three words before it, "after+" more
    than ten after; linear distance holds where the parse path does not."""
    side = "after" if gap > 0 else "before"
    return side + next((str(band) for band in DISTANCE_BANDS if abs(gap) <= band), "+")


def threshold_for(candidate: Candidate, thresholds: dict[str, float]) -> float:
    """The bar a candidate must reach: the patterns' own where a pattern rule found it, else its stance's."""
    if candidate.rule_positions:
        return thresholds[RULE]
    if not candidate.proposed:  # no rule read the pair: nothing filtered money, conditions, unnamed parties
        return max(thresholds[candidate.stance], thresholds.get(BARE, 0.0))
    return thresholds[candidate.stance]


def attachment(root: Token) -> tuple[str, Token]:
    """The path from a mention's root up to the first word that is not part of its noun phrase."""
    path, token = [], root
    for _ in range(MAX_CLIMB):
        if token.dep_ not in NOMINAL_ATTACHMENTS or token.head is token:
            break
        path.append(token.dep_)
        token = token.head
    if token is root:
        path.append(root.dep_)
        token = root.head if root.head is not root else root
    return ">".join(path), token


def parse_path(
    start: Token, end: Token, chain: Callable[[Token], list[Token]] = lambda token: [token, *token.ancestors]
) -> tuple[list[str], list[str]]:
    """The dependency relations climbed from ``start`` to the lowest common head, and those descended
    from it to ``end``. ``chain`` gives a word and its heads up to the root (``_Tree.chain`` remembers them)."""
    up_chain = chain(start)
    down_chain = chain(end)
    common = next((t for t in up_chain if t in down_chain), None)
    if common is None:
        return [t.dep_ for t in up_chain], [t.dep_ for t in down_chain]
    up = [t.dep_ for t in up_chain[: up_chain.index(common)]]
    down = [t.dep_ for t in down_chain[: down_chain.index(common)]]
    return up, down[::-1]


class _Tree:
    """One sentence's parse, read once for the questions the scorer asks of its words. spaCy makes new Token
    objects, walking the word's edges, every time ``Token.children`` or ``Token.ancestors`` is read, and the
    scorer asks about the same predicates for every country and every family word of the sentence."""

    def __init__(self, tokens: list[Token]):
        self.kids: list[list[Token]] = [[] for _ in tokens]
        for token in tokens:  # in order, so each word's children are in order, as Token.children gives them
            head = token.head.i
            if head != token.i:
                self.kids[head].append(token)
        self._governors: dict[int, list[Token]] = {}
        self._governed: dict[tuple[int, int], list[Token]] = {}
        self._negated: dict[int, bool] = {}
        self._chains: dict[int, list[Token]] = {}

    def children(self, token: Token) -> list[Token]:
        return self.kids[token.i]

    def chain(self, token: Token) -> list[Token]:
        """The word and its heads up to the root."""
        if token.i not in self._chains:
            self._chains[token.i] = [token, *token.ancestors]
        return self._chains[token.i]

    def governors(self, token: Token) -> list[Token]:
        """The predicates above the word: "agreed" above "to accept", "said" above "it would refuse"."""
        if token.i not in self._governors:
            out, word = [], token
            for _ in range(MAX_CLIMB):
                if word.dep_ not in GOVERNED_BY or word.head.i == word.i:
                    break
                word = word.head
                if word.pos_ in PREDICATE_POS:
                    out.append(word)
            self._governors[token.i] = out
        return self._governors[token.i]

    def governed(self, token: Token, depth: int = 2) -> list[Token]:
        """The predicates the word governs, two levels down, and the objects of its prepositions."""
        key = (token.i, depth)
        if key not in self._governed:
            out = []
            for child in self.kids[token.i]:
                if child.dep_ in GOVERNS and child.pos_ in PREDICATE_POS:
                    out.append(child)
                    if depth > 1:
                        out.extend(self.governed(child, depth - 1))
                elif child.dep_ == "prep":
                    out.extend(g for g in self.kids[child.i] if g.dep_ in ("pobj", "pcomp") and g.pos_ in PREDICATE_POS)
            self._governed[key] = out
        return self._governed[key]

    def negated(self, token: Token) -> bool:
        if token.i not in self._negated:
            children = self.kids[token.i]
            self._negated[token.i] = any(
                c.dep_ in ("neg", "advmod") and c.lower_ in NEGATIONS for c in children
            ) or any((c.dep_ == "det" and c.lower_ == "no") or negating_conjunction(c) for c in children)
        return self._negated[token.i]

    def modals(self, token: Token) -> list[str]:
        found = []
        for word in [token, *self.governors(token)]:
            found += [c.lower_ for c in self.kids[word.i] if c.dep_ == "aux" and c.tag_ == "MD"]
        return found


@Language.factory(
    "migtrack_position_scorer",
    assigns=["doc._.positions"],
    requires=["doc._.positions"],
    default_config={"language": "en"},
)
def make_position_scorer(nlp: Language, name: str, language: str) -> PositionScorer:
    return PositionScorer(read_trained(SCORER_FILE, language), language)
