"""The stance finder: country positions from the dependency parse.

Cue patterns (``lexicons/stances.jsonl``) anchor a ``DependencyMatcher`` on predicate lemmas:
verbs ("refused", "agreed", "turned back") and nouns ("refusal", "offer", "agreement"). For each
cue the finder then reads the parse around it, following ``lexicons/../GUIDELINES`` of the gold set:

- actor: the subject (or passive agent, possessor, or the controller of an infinitive), resolved
  to a country through the entity it names or the official or body that speaks for it;
- counterpart: the nearest other country that is not the deportees' nationality;
- negated: a ``neg`` child or "no"/"fail" on the cue's chain; hedged: "may/might/could", "would ...
  if", "is expected to", intent; an affirmative ``consider`` is always hedged;
- "X refused to accept" is one refuse, "X agreed to accept" is agree plus accept: a governing cue
  swallows the cue it controls unless it is an agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token

from models import Position
from pipeline.components.countries import NEGATED_PREFIX
from pipeline.lexicons import read_json, read_jsonl

if not Doc.has_extension("positions"):
    Doc.set_extension("positions", default=[])

CONTEXT_KEY = "migtrack_context"

GOVERNMENT_NOUNS = {
    "government",
    "administration",
    "ministry",
    "minister",
    "president",
    "officials",
    "official",
    "authorities",
    "authority",
    "embassy",
    "leader",
    "premier",
    "cabinet",
    "office",
    "department",
    "secretary",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "chancellor",
    "diplomat",
    "delegation",
    "negotiator",
    "team",
    "state",
    "country",
    "nation",
    "regime",
    "foreign",
    "prime",
    "envoy",
    "ambassador",
    "agency",
    "institute",
    "service",
    "police",
    "army",
    "military",
    "parliament",
    "congress",
    "senate",
    "court",
    "ministers",
    "counterpart",
    "vice",
    "head",
    "chief",
    "czar",
    "aide",
}
SPEAKING_BODIES = {
    "ministry",
    "office",
    "embassy",
    "department",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "agency",
    "institute",
    "presidency",
    "cabinet",
}
PRONOUNS = {"it", "she", "he", "they", "its", "their", "her", "his", "we"}
RELATIVE_PRONOUNS = {"that", "which", "who"}
PEOPLE_NOUNS = {
    "national",
    "citizen",
    "migrant",
    "deportee",
    "people",
    "person",
    "immigrant",
    "refugee",
    "returnee",
    "individual",
    "man",
    "woman",
    "child",
    "family",
    "detainee",
    "prisoner",
    "criminal",
    "asylum",
    "seeker",
    "worker",
    "resident",
    "member",
    "passenger",
    "native",
    "gang",
    "inmate",
}
REPORTING_VERBS = {
    "say",
    "tell",
    "announce",
    "state",
    "write",
    "confirm",
    "add",
    "note",
    "declare",
    "tweet",
    "post",
    "explain",
    "reply",
    "respond",
    "report",
    "insist",
    "stress",
    "indicate",
    "argue",
    "claim",
}
LIGHT_VERBS = {
    "make",
    "issue",
    "present",
    "extend",
    "submit",
    "put",
    "send",
    "deliver",
    "announce",
    "unveil",
    "table",
    "have",
    "hold",
    "float",
    "lay",
    "renew",
    "reach",
    "sign",
    "strike",
    "seal",
    "finalize",
    "conclude",
    "enter",
    "forge",
    "accept",
}
HEDGE_MODALS = {"may", "might", "could"}
HEDGE_GOVERNORS = {"expect", "appear", "seem", "likely", "possible", "plan", "intend", "poise"}
NEGATORS = {"not", "n't", "never", "no"}
AGREEMENT_NOUNS = {
    "agreement",
    "deal",
    "accord",
    "pact",
    "arrangement",
    "memorandum",
    "treaty",
    "understanding",
    "compact",
}
OBJECT_CHECKED_STANCES = {"accept", "refuse", "suspend", "resume"}
OBJECT_WORDS = {
    "proposal",
    "plan",
    "offer",
    "request",
    "agreement",
    "deal",
    "them",
    "it",
    "program",
    "programme",
    "policy",
    "cooperation",
    "arrangement",
    "pact",
    "accord",
    "scheme",
}
MAX_CLIMB = 8


@dataclass
class Mention:
    """A country-bearing entity in the sentence, and whether it names the deportees' nationality."""

    span: Span
    country: str
    nationality: bool


def _ent_of(token: Token) -> Span | None:
    doc = token.doc
    if token.ent_iob_ == "O":
        return None
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _is_nationality(span: Span) -> bool:
    """ "Venezuelan nationals", "citizens of Haiti", "Cuban, Haitian and Venezuelan nationals"."""
    root = span.root
    if span.label_ == "NORP":
        head = root.head
        while head.dep_ == "conj" and head.head is not head:
            head = head.head
        if root.dep_ in ("amod", "compound", "nmod") and head.lemma_.lower() in PEOPLE_NOUNS:
            return True
        if root.dep_ in ("pobj", "conj", "appos", "dobj", "nsubj", "nsubjpass") and root.pos_ in ("PROPN", "NOUN"):
            return True
        siblings = [t for t in root.head.children if t.lemma_.lower() in PEOPLE_NOUNS]
        return bool(siblings) and root.dep_ == "conj"
    if root.dep_ == "pobj" and root.head.lower_ in ("of", "from"):
        holder = root.head.head
        return holder.lemma_.lower() in {"national", "citizen", "native", "migrant", "refugee", "immigrant"}
    return False


def mentions(doc: Doc) -> list[Mention]:
    found = []
    for ent in doc.ents:
        country = ent._.country
        if country and not ent.ent_id_.startswith(NEGATED_PREFIX):
            found.append(Mention(ent, country, _is_nationality(ent)))
    return found


class StanceFinder:
    """Finds positions in every sentence of a parsed Doc and stores them on ``doc._.positions``."""

    def __init__(self, nlp: Language, migration_terms: list[str]):
        self.matcher = DependencyMatcher(nlp.vocab)
        self.stance_of_rule: dict[str, str] = {}
        for row in read_jsonl("stances.jsonl"):
            self.matcher.add(row["rule"], [row["pattern"]])
            self.stance_of_rule[row["rule"]] = row["stance"]
        self.migration_terms = tuple(migration_terms)

    # ---- entry point ---------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        all_mentions = mentions(doc)
        cues: dict[int, tuple[str, str]] = {}
        for match_id, token_ids in self.matcher(doc):
            rule = doc.vocab.strings[match_id]
            anchor = token_ids[0]
            # the first rule that claims a token wins, in file order: specific rules come first
            if anchor not in cues or list(self.stance_of_rule).index(rule) < list(self.stance_of_rule).index(
                cues[anchor][0]
            ):
                cues[anchor] = (rule, self.stance_of_rule[rule])
        positions: list[Position] = []
        for sentence_index, sentence in enumerate(doc.sents):
            sent_mentions = [m for m in all_mentions if sentence.start <= m.span.start < sentence.end]
            sent_cues = {i: cue for i, cue in cues.items() if sentence.start <= i < sentence.end}
            found = []
            for i, (rule, stance) in sorted(sent_cues.items()):
                found.extend(self.positions_for_cue(doc[i], rule, stance, sent_cues, sent_mentions, sentence))
            for position in _deduplicate(found):
                position.sentence_index = sentence_index
                positions.append(position)
        doc._.positions = positions
        return doc

    # ---- one cue -------------------------------------------------------------------------------
    def positions_for_cue(
        self, cue: Token, rule: str, stance: str, cues: dict, sent_mentions: list[Mention], sentence: Span
    ) -> list[Position]:
        governor = _governing_cue(cue, cues)
        if governor is not None and cues[governor.i][1] != "agree":
            return []
        if stance in OBJECT_CHECKED_STANCES and not self._about_migration(cue):
            return []
        negated = _negated(cue)
        if stance == "accept" and _has_neg(cue) and not _perfect(cue):
            stance, negated, rule = "refuse", False, rule + "+negated_accept"
        if stance == "agree":
            parties = _agreement_parties(cue, sent_mentions)
            if cue.pos_ in ("NOUN", "PROPN") and not parties:
                return []
            actors = parties or _actors(cue, sent_mentions)
        elif cue.pos_ in ("NOUN", "PROPN"):
            actors = _noun_actors(cue, sent_mentions)
        else:
            actors = _actors(cue, sent_mentions)
        if not actors:
            return []
        hedged = _hedged(cue) or (stance == "consider" and not negated)
        speaker_override = _reported_speaker(cue)
        quantity = _quantity(sentence)
        nationalities = _unique(m.country for m in sent_mentions if m.nationality)
        subject = _subject_phrase(cue)
        results = []
        actor_codes = {code for code, _ in actors}
        for code, speaker in actors:
            counterpart = _counterpart(cue, code, actor_codes, sent_mentions)
            results.append(
                Position(
                    actor=code,
                    stance=stance,
                    counterpart=counterpart,
                    subject=subject,
                    nationalities=nationalities,
                    quantity=quantity,
                    negated=negated,
                    hedged=hedged,
                    speaker=speaker or speaker_override,
                    evidence=sentence.text,
                    start=sentence.start_char,
                    end=sentence.end_char,
                    rule=rule,
                )
            )
        return results

    def _about_migration(self, cue: Token) -> bool:
        """Accepting money, refusing allegations, halting rate cuts: not positions on migration."""
        objects = [c for c in cue.children if c.dep_ in ("dobj", "nsubjpass")]
        if any(t.ent_type_ == "MONEY" or t.lower_ == "$" for obj in objects for t in obj.subtree):
            return False
        words = [t for t in cue.subtree if t.dep_ not in ("nsubj", "nsubjpass") or t.head is not cue]
        text = " ".join(t.lower_ for t in words)
        if any(term in text for term in self.migration_terms):
            return True
        return any(t.lower_ in OBJECT_WORDS for t in cue.children) or any(
            t.lemma_.lower() in OBJECT_WORDS for t in cue.subtree if t.i > cue.i
        )


# ---- actors ------------------------------------------------------------------------------------
def _country_of_token(token: Token, sent_mentions: list[Mention]) -> tuple[str, str | None] | None:
    """A (country, speaker) for a nominal head: a country, an official, or a body of a country."""
    ent = _ent_of(token)
    mention = next((m for m in sent_mentions if ent is not None and m.span == ent), None)
    if mention is not None and not (ent.label_ == "NORP" and token.pos_ in ("NOUN", "PROPN") and not _is_gov(token)):
        speaker = ent.text if ent.label_ in ("PERSON", "ORG") and ent.label_ != "GPE" else None
        return mention.country, speaker
    lowered = token.lower_
    if lowered in PRONOUNS or lowered in RELATIVE_PRONOUNS and token.head is not token:
        return None
    if _is_gov(token) or (ent is not None and ent.label_ == "PERSON"):
        for child in _modifiers(token):
            child_ent = _ent_of(child)
            found = next((m for m in sent_mentions if child_ent is not None and m.span == child_ent), None)
            if found is not None:
                return found.country, _speaker_text(token, ent)
    return None


def _is_gov(token: Token) -> bool:
    return token.lemma_.lower() in GOVERNMENT_NOUNS or token.lower_ in GOVERNMENT_NOUNS


def _modifiers(token: Token) -> list[Token]:
    """Tokens that say whose a government noun is: "Mexican", "Mexico's", "of Honduras", "Biden"."""
    out = []
    for child in token.children:
        if (
            child.dep_ in ("amod", "compound", "poss", "nmod", "appos")
            or child.dep_ == "prep"
            and child.lower_ in ("of", "in", "from")
        ):
            out.extend(child.subtree)
    return out


def _speaker_text(token: Token, ent: Span | None) -> str | None:
    if ent is not None and ent.label_ == "PERSON":
        return ent.text
    if token.lemma_.lower() in SPEAKING_BODIES:
        left = token.left_edge.i
        return token.doc[left : token.i + 1].text
    return None


def _context_actor(token: Token, sent_mentions: list[Mention]) -> tuple[str, str | None] | None:
    """A pronoun or bare "the government": the last country named before it, here or earlier."""
    before = [m for m in sent_mentions if m.span.end <= token.i and not m.nationality]
    if before:
        return before[-1].country, None
    context = token.doc.user_data.get(CONTEXT_KEY)
    return (context, None) if context else None


def _resolve_nominal(token: Token, sent_mentions: list[Mention]) -> list[tuple[str, str | None]]:
    found = []
    for part in [token, *token.conjuncts]:
        resolved = _country_of_token(part, sent_mentions)
        if resolved is None and (part.lower_ in PRONOUNS or (_is_gov(part) and not _modifiers(part))):
            resolved = _context_actor(part, sent_mentions)
        if resolved is not None and resolved[0] not in {code for code, _ in found}:
            found.append(resolved)
    return found


def _subject_of(token: Token) -> Token | None:
    for child in token.children:
        if child.dep_ in ("nsubj", "csubj", "expl") and child.dep_ != "expl":
            return child
    return None


def _actors(cue: Token, sent_mentions: list[Mention]) -> list[tuple[str, str | None]]:
    """Walk up from the cue to the first clause with a subject: control, coordination, "by -ing"."""
    token = cue
    for _ in range(MAX_CLIMB):
        subject = _subject_of(token)
        if subject is not None:
            if subject.lower_ in RELATIVE_PRONOUNS and token.dep_ == "relcl":
                subject = token.head
            return _resolve_nominal(subject, sent_mentions)
        agent = next((c for c in token.children if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            return _resolve_nominal(pobj, sent_mentions) if pobj is not None else []
        passive_subject = next((c for c in token.children if c.dep_ == "nsubjpass"), None)
        if passive_subject is not None:
            if token is cue:
                return []
            return _resolve_nominal(passive_subject, sent_mentions)
        if token.pos_ in ("NOUN", "PROPN") and token is not cue:
            owners = _owners(token, sent_mentions)
            if owners:
                return owners
        if token.dep_ in ("ROOT", "ccomp", "parataxis") or token.head is token:
            return []
        token = token.head
    return []


def _owners(noun: Token, sent_mentions: list[Mention]) -> list[tuple[str, str | None]]:
    """Whose a noun is: "Mexico's offer", "the Bahamas' decision", "a U.S. proposal", "offer by Panama"."""
    found = []
    for child in noun.children:
        candidates = []
        if child.dep_ in ("poss", "nmod", "compound", "amod"):
            candidates = [child]
        elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
            candidates = [c for c in child.children if c.dep_ == "pobj"]
        for candidate in candidates:
            for code, speaker in _resolve_nominal(candidate, sent_mentions):
                if code not in {c for c, _ in found}:
                    found.append((code, speaker))
    return found


def _noun_actors(cue: Token, sent_mentions: list[Mention]) -> list[tuple[str, str | None]]:
    owners = _owners(cue, sent_mentions)
    if owners:
        return owners
    head = cue.head
    if cue.dep_ in ("dobj", "nsubjpass") and head.lemma_.lower() in LIGHT_VERBS:
        return _actors(head, sent_mentions)
    if cue.dep_ == "pobj" and head.lower_ == "in" and head.head.pos_ in ("AUX", "VERB"):
        return _actors(head.head, sent_mentions)
    return []


def _agreement_parties(cue: Token, sent_mentions: list[Mention]) -> list[tuple[str, str | None]]:
    """Everyone the sentence presents as having an agreement: owners, "with"/"between" partners,
    and the subject of the clause the agreement is in or signed by."""
    noun = (
        cue
        if cue.lemma_.lower() in AGREEMENT_NOUNS
        else next(
            (c for c in cue.children if c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in AGREEMENT_NOUNS), None
        )
    )
    parties: list[tuple[str, str | None]] = []

    def add(items):
        for code, speaker in items:
            if code not in {c for c, _ in parties}:
                parties.append((code, speaker))

    if cue.pos_ == "VERB":
        add(_actors(cue, sent_mentions))
        partners_of = [cue] + ([noun] if noun is not None else [])
    else:
        add(_owners(cue, sent_mentions))
        partners_of = [cue]
        head = cue.head
        if cue.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
            add(_actors(head.head, sent_mentions))
        elif cue.dep_ in ("dobj", "nsubjpass") and head.pos_ == "VERB" and head.lemma_.lower() in LIGHT_VERBS:
            add(_actors(head, sent_mentions))
    for holder in partners_of:
        for prep in holder.children:
            if prep.dep_ == "prep" and prep.lower_ in ("with", "between", "among"):
                for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                    add(_resolve_nominal(pobj, sent_mentions))
    return parties


# ---- counterpart, governor, negation, hedging --------------------------------------------------
def _counterpart(cue: Token, actor: str, actors: set[str], sent_mentions: list[Mention]) -> str | None:
    others = [m for m in sent_mentions if not m.nationality and m.country != actor]
    if len(actors) > 1:
        partners = [code for code in actors if code != actor]
        return partners[0]
    if not others:
        return None
    subtree = {t.i for t in cue.subtree}
    inside = [m for m in others if m.span.root.i in subtree]
    pool = inside or others
    return min(pool, key=lambda m: abs(m.span.root.i - cue.i)).country


def _governing_cue(cue: Token, cues: dict) -> Token | None:
    """The cue this one is controlled by ("refused to accept", "offer to take", "by accepting")."""
    if _subject_of(cue) is not None:
        return None
    token = cue
    for _ in range(3):
        if token.dep_ in ("xcomp", "acl"):
            token = token.head
        elif token.dep_ == "pcomp" and token.head.dep_ == "prep":
            token = token.head.head
        else:
            return None
        if token.i in cues:
            return token
        if _subject_of(token) is not None:
            return None
    return None


def _chain(cue: Token) -> list[Token]:
    """The cue and the tokens that govern it, up to the first with a subject or a noun that owns it."""
    chain = [cue]
    token = cue
    for _ in range(MAX_CLIMB):
        if _subject_of(token) is not None or token.dep_ in ("ROOT", "ccomp", "relcl", "parataxis"):
            break
        if token.dep_ not in ("xcomp", "acl", "pcomp", "prep", "pobj", "dobj", "conj", "advcl"):
            break
        token = token.head
        chain.append(token)
        if token.pos_ in ("NOUN", "PROPN") and token.i != cue.i:
            break
    return chain


def _has_neg(token: Token) -> bool:
    return any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in token.children)


def _perfect(token: Token) -> bool:
    return any(c.dep_ == "aux" and c.lemma_ == "have" for c in token.children)


def _negated(cue: Token) -> bool:
    for token in _chain(cue):
        if _has_neg(token) and not (token is cue and cue.lemma_ == "accept" and not _perfect(cue)):
            return True
        if token is not cue and token.lemma_.lower() == "fail":
            return True
    return False


def _hedged(cue: Token) -> bool:
    chain = _chain(cue)
    for token in chain:
        for child in token.children:
            if child.dep_ == "aux" and child.lower_ in HEDGE_MODALS:
                return True
            if child.dep_ == "aux" and child.lower_ in ("would", "'d") and _conditional(token):
                return True
            if child.dep_ == "advmod" and child.lower_ in ("possibly", "perhaps", "potentially"):
                return True
        if token is not cue and token.lemma_.lower() in HEDGE_GOVERNORS:
            return True
    top = chain[-1]
    return top.dep_ == "xcomp" and top.head.lemma_.lower() in HEDGE_GOVERNORS


def _conditional(token: Token) -> bool:
    clauses = [token, *[c for c in token.children if c.dep_ == "advcl"]]
    return any(c.lower_ in ("if", "unless") for clause in clauses for c in clause.children if c.dep_ == "mark") or any(
        t.lower_ in ("if", "unless") for t in token.sent
    )


def _reported_speaker(cue: Token) -> str | None:
    top = _chain(cue)[-1]
    if top.dep_ == "ccomp" and top.head.lemma_.lower() in REPORTING_VERBS:
        subject = _subject_of(top.head)
        if subject is not None:
            ent = _ent_of(subject)
            if ent is not None and ent.label_ == "PERSON":
                return ent.text
            return subject.doc[subject.left_edge.i : subject.i + 1].text
    for token in cue.sent:
        if token.lower_ == "according" and token.i + 2 < len(token.doc) and token.nbor().lower_ == "to":
            obj = token.nbor(2)
            ent = _ent_of(obj)
            return ent.text if ent is not None else None
    return None


# ---- the other fields --------------------------------------------------------------------------
def _subject_phrase(cue: Token) -> str | None:
    target = next((c for c in cue.children if c.dep_ in ("xcomp",)), cue)
    obj = next((c for c in target.children if c.dep_ in ("dobj", "attr")), None)
    if obj is None:
        prep = next(
            (c for c in target.children if c.dep_ == "prep" and c.lower_ in ("for", "on", "to", "of", "in")), None
        )
        obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep is not None else None
    if obj is None and cue.pos_ in ("NOUN", "PROPN"):
        return cue.text
    if obj is None:
        return None
    tokens = list(obj.subtree)[:15]
    return cue.doc[tokens[0].i : tokens[-1].i + 1].text


def _quantity(sentence: Span) -> str | None:
    for span in sentence.doc.spans.get("quantities", []):
        if sentence.start <= span.start < sentence.end:
            return span.text
    return None


def _unique(items) -> list:
    seen: list = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _deduplicate(positions: list[Position]) -> list[Position]:
    """One position per (actor, stance, counterpart); a counterpart-less copy of a fuller one goes."""
    by_key: dict[tuple, Position] = {}
    for position in positions:
        by_key.setdefault((position.actor, position.stance, position.counterpart), position)
    kept = list(by_key.values())
    with_counterpart = {(p.actor, p.stance) for p in kept if p.counterpart}
    return [p for p in kept if p.counterpart or (p.actor, p.stance) not in with_counterpart]


@Language.factory(
    "migtrack_stance_finder", assigns=["doc._.positions"], requires=["token.dep", "token.lemma", "doc.ents"]
)
def make_stance_finder(nlp: Language, name: str) -> StanceFinder:
    return StanceFinder(nlp, read_json("relevance.json")["migration_terms"])
