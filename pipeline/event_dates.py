"""When a sentence says its event happened, read against the day it was published, and how precisely.

A report dates what it tells by the text ("on Sunday", "last month", "in late 2024", "Britain's 2022
agreement"; in Spanish "el jueves", "el pasado mes de noviembre", "a finales de 2024", "el acuerdo de 2022"),
by a recall with no date ("had been sealed before that", "during his first term", "ya había firmado"), or not
at all, in which case the event is as old as the report. ``stated_when`` gives the first date the sentence
states with its precision (day, month, year); ``recall_horizon`` says how far back an undated recall may
reach. ``pipeline.events`` clusters positions with both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser

from pipeline.lexicons import read_jsonl

PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class When:
    """A date known to a precision: ``first`` is the first day of the period (the day, the month, the year)."""

    first: date
    precision: str

    @property
    def last(self) -> date:
        if self.precision == "day":
            return self.first
        if self.precision == "month":
            return _months_before(self.first, -1) - timedelta(days=1)
        return date(self.first.year, 12, 31)


# Date expressions worth believing: a capitalised month or weekday (news style capitalises them, so the
# modal "may" and the verb "march" are not months) with its day and year if given, a full numeric date, or a
# relative day, week or month. An abbreviated month stands only with a day or a year ("Jan" alone is as often
# a first name), and a numeric date only with its year ("since 9/11" is no date of the report's year).
_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
_MONTH = rf"(?:{_FULL_MONTH[3:-3]}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?\b"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = rf"(?:{'|'.join(_WEEKDAYS)})\b"
_COUNT = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
DATE_EXPRESSION = re.compile(
    rf"\b(?:{_WEEKDAY}(?:,?\s+{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}}\b)?)?"
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}}\b)?"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}}\b)?|{_MONTH},?\s+\d{{4}}\b|(?:(?i:last)\s+)?{_FULL_MONTH}"
    r"|\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}/\d{4}\b"
    rf"|(?i:yesterday|today|tonight|{_COUNT}\s+(?:days?|weeks?|months?)\s+ago|last\s+(?:week|weekend|month)"
    r"|earlier\s+this\s+(?:week|month))\b)"
)
# A year with nothing finer: "in 2019", "in late 2024", "during 2020", "Britain's 2022 agreement", "last
# year". Background events go to their own year this way instead of the report's month (issue 12). A year
# standing alone ("until 2020", "since 2019", "2,019 people") is not read: it bounds or counts, it does not date.
YEAR_EXPRESSION = re.compile(
    r"\b(?:(?i:in|during|throughout)\s+(?:(?i:early|late|mid)[-\s]?)?(?P<year>(?:19|20)\d{2})\b(?![-/]\d)"
    r"|(?P<adjective>(?:19|20)\d{2})\s+(?i:deal|agreement|accord|pact|arrangement|memorandum|treaty|decision"
    r"|refusal|offer|proposal|plan|partnership|ban|suspension)s?\b"
    r"|(?P<last>(?i:last\s+year))\b)"
)
# The same in Spanish, which writes months and weekdays in lower case: "el jueves", "el sábado 22 de marzo",
# "el 19 de marzo de 2025", "en mayo", "el pasado mes de noviembre", "ayer", "la semana pasada", "hace dos
# meses". A weekday stands only after "el", "este" or "pasado" ("los lunes" is every Monday), and a month
# alone only after "en", "el mes de" or "a finales de" ("desde marzo" bounds, it does not date). The words
# never occur in English text, so both languages' expressions are searched in every sentence.
ES_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")  # fmt: skip
ES_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_ES_MONTH_NUMBERS = {name: n for n, name in enumerate(ES_MONTHS, start=1)} | {"setiembre": 9}  # Peru, Uruguay
_ES_MONTH = rf"(?:{'|'.join(_ES_MONTH_NUMBERS)})\b"
_ES_COUNT = r"(?:\d{1,2}|un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince)"
_ES_PART = r"a\s+(?:principios|finales|fines|mediados)\s+de"
ES_DATE_EXPRESSION = re.compile(
    rf"\b(?i:(?:el|este|esta|del)\s+(?:pasado\s+)?|pasado\s+)(?P<weekday>{'|'.join(ES_WEEKDAYS)})\b"
    rf"(?:\s+(?P<weekday_date>\d{{1,2}}\s+de\s+{_ES_MONTH}(?:\s+del?\s+\d{{4}}\b)?))?"
    rf"|\b(?P<date>\d{{1,2}}\s+de\s+{_ES_MONTH}(?:\s+del?\s+\d{{4}}\b)?)"
    rf"|\b(?i:en|el\s+(?:pasado\s+)?mes\s+de|{_ES_PART})\s+(?P<month>{_ES_MONTH}(?:\s+del?\s+\d{{4}}\b)?)"
    rf"(?P<past>\s+pasado)?"
    rf"|\b(?P<month_year>{_ES_MONTH}\s+del?\s+\d{{4}})\b"
    rf"|\b(?P<relative>(?i:anteayer|antier|ayer|hoy|la\s+(?:semana\s+(?:pasada|anterior|previa)|pasada\s+semana)|el\s+(?:mes\s+pasado|pasado\s+mes)"
    rf"|el\s+fin\s+de\s+semana(?:\s+(?:pasado|anterior))?|hace\s+{_ES_COUNT}\s+(?:días?|semanas?|mes(?:es)?)"
    r"|(?:a\s+principios\s+de\s+|en\s+lo\s+que\s+va\s+de\s+)?este\s+mes))\b"
)
ES_YEAR_EXPRESSION = re.compile(
    rf"\b(?:(?i:en|durante|{_ES_PART}|en\s+el\s+año)\s+(?P<year>(?:19|20)\d{{2}})\b(?![-/]\d)"
    r"|(?:acuerdo|convenio|pacto|memorando|memorándum|tratado|decisión|negativa|oferta|propuesta|plan|suspensión"
    r"|prohibición)\s+de\s+(?P<adjective>(?:19|20)\d{2})\b"
    r"|(?P<last>(?i:el\s+año\s+pasado|el\s+pasado\s+año)))\b"
)
# Spanish relative expressions are counted as the English ones they say (``_relative_date``)
_ES_RELATIVE = {"hoy": "today", "ayer": "yesterday", "anteayer": "2 days ago", "antier": "2 days ago",
                "la semana pasada": "last week", "la semana anterior": "last week", "la semana previa": "last week",
                "la pasada semana": "last week", "el mes pasado": "last month", "el pasado mes": "last month",
                "el fin de semana": "last weekend", "el fin de semana pasado": "last weekend",
                "el fin de semana anterior": "last weekend", "este mes": "earlier this month",
                "a principios de este mes": "earlier this month",
                "en lo que va de este mes": "earlier this month"}  # fmt: skip
_ES_UNITS = {"día": "days", "días": "days", "semana": "weeks", "semanas": "weeks", "mes": "months", "meses": "months"}
_ES_NUMBERS = {"un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
               "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15}  # fmt: skip

# A date without a year resolved to more than this many days before publication is a future date that
# PREFER_DATES_FROM='past' moved back a year; reports rarely name a past month that far back without one,
# unless they say "last November".
MAX_DAYS_BEFORE_WITHOUT_YEAR = 183
_YEAR = re.compile(r"\b\d{4}\b")
_WITH_DAY = re.compile(
    rf"{_MONTH}\s+{_DAY}|\d{{1,2}}\s+{_MONTH}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/|{_WEEKDAY}"
)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip

# Undated recalls of an earlier event, and how far back (days) the event they recall may lie: "during his
# first term" reaches years back, "had been sealed before that" or "in recent months" about a year.
RECALLS = (
    (
        re.compile(
            r"\b(?:(?:first|previous|last)\s+(?:term|presidency|administration)|primer\s+mandato"
            r"|(?:mandato|gobierno|administración)\s+anterior)\b",
            re.IGNORECASE,
        ),
        10 * 366,
    ),
    (
        re.compile(
            r"\b(?:previously|before\s+that|earlier|already|in\s+recent\s+(?:weeks|months|years)|recently"
            r"|had\s+(?:\w+ly\s+)?(?:been\s+)?[a-z]+(?:ed|en|ck|de|ot|un|ung)"
            r"|anteriormente|previamente|antes\s+de\s+eso|recientemente|ya\s+hab[íi]an?"
            r"|en\s+(?:los\s+)?últimos\s+(?:meses|años|semanas)|hab[íi]an?\s+(?:sido\s+)?[a-záéíóúñ]+(?:ado|ido|to|cho))\b",
            re.IGNORECASE,
        ),
        366,
    ),
)


# Where a sentence joins two clauses that may tell events of different times ("Last week El Salvador signed
# one, and a broader one had been sealed with Guatemala before that").
CLAUSE_BREAK = re.compile(
    r";|,\s+(?:and|but|while|whereas|y|pero|mientras|aunque)\s+|\s+(?:but|while|whereas|pero|mientras\s+que)\s+"
)


def position_time(
    evidence: str | None, published: str | None, names: Callable[[], frozenset[str]]
) -> tuple[When | None, int | None]:
    """The stated date and the recall horizon of one position: those of the clause naming its actor (one of
    ``names()``, lower case, asked for only then) when the sentence's clauses say different things, else the
    sentence's."""
    if evidence and published and CLAUSE_BREAK.search(evidence):
        clauses = CLAUSE_BREAK.split(evidence)
        readings = [(stated_when(c, published), recall_horizon(c)) for c in clauses]
        if len(set(readings)) > 1:
            actor = names()
            own = [r for c, r in zip(clauses, readings, strict=True) if _names_any(c, actor)]
            if len(set(own)) == 1:
                return own[0]
    when = stated_when(evidence, published)
    return when, (recall_horizon(evidence) if when is None else None)


# a name after one of these is where something is, goes or comes from, not who acts
_NOT_A_PLACE = r"(?<!\bin )(?<!\bto )(?<!\bfrom )(?<!\binto )(?<!\ben )(?<!\bdesde )(?<!\bhacia )"


def _names_any(clause: str, names: frozenset[str]) -> bool:
    """Whether the clause names the country other than as a place ("not entitled to remain in Britain")."""
    words = clause.lower()
    return any(re.search(rf"(?<!\w){_NOT_A_PLACE}{re.escape(name)}\b", words) for name in names if name in words)


def stated_when(evidence: str | None, published: str | None) -> When | None:
    """The first date the sentence states, with its precision, read relative to its publication day.

    "on Sunday", "in January", "last week" are resolved against the publication date, preferring the
    past (a report tells what happened); "in 2019", "a 2022 deal", "last year" give a year. Returns None when
    the sentence states no date, or only a coming one (a plan, not what the report is about): after the
    publication day, or a day without a year that the past preference put over half a year back.
    English and Spanish expressions are read, as the extractor reads both languages.
    """
    return _first_date(evidence, published, (DATE_EXPRESSION, YEAR_EXPRESSION, ES_DATE_EXPRESSION, ES_YEAR_EXPRESSION))


def stated_date(evidence: str | None, published: str | None) -> str | None:
    """The day (YYYY-MM-DD, the 1st for a month) the sentence states, as ``stated_when`` reads it; a year
    alone gives None, as it names no month."""
    when = _first_date(evidence, published, (DATE_EXPRESSION, ES_DATE_EXPRESSION))
    return when.first.isoformat() if when else None


def recall_horizon(evidence: str | None) -> int | None:
    """How many days back an undated recall in the sentence may reach, or None for no recall."""
    if not evidence:
        return None
    horizons = [days for pattern, days in RECALLS if pattern.search(evidence)]
    return max(horizons) if horizons else None


# Words that speak of a leader's time in office as past: "former President Joe Biden", "her predecessor,
# López Obrador", "under Biden", "the Biden administration", "el expresidente", "durante el gobierno de".
_PAST_LEADER = re.compile(
    r"\b(?:former|ex|then|predecessor|under|administration|government|term|presidency"
    r"|expresidente|expresidenta|exmandatari[oa]|antecesora?|predecesora?|entonces|bajo|administración|gobierno"
    r"|mandato)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _departed_officials() -> dict[str, list[tuple[str, tuple[date, date]]]]:
    """The officials of the gazetteer who held one term of office and have left it: their lower-case aliases
    with that term, longest first, by the alias's first word. A name of two terms ("Trump", in office in
    2017-2021 and again from 2025) says no term by itself."""
    held: defaultdict[str, set[tuple[date, date | None]]] = defaultdict(set)
    for row in read_jsonl("officials.jsonl"):
        if row.get("kind") == "person" and row.get("from"):
            term = (date.fromisoformat(row["from"]), date.fromisoformat(row["to"]) if row.get("to") else None)
            for alias in (row["name"], *row.get("aliases", ())):
                held[alias.lower()].add(term)
    by_first_word: defaultdict[str, list[tuple[str, tuple[date, date]]]] = defaultdict(list)
    for alias, spans in sorted(held.items(), key=lambda item: -len(item[0])):
        first, last = next(iter(spans))
        if len(spans) == 1 and last is not None and (words := _WORD.findall(alias)):
            by_first_word[words[0]].append((alias, (first, last)))
    return dict(by_first_word)


def past_terms(evidence: str | None, published: str | None) -> list[tuple[date, date]]:
    """The terms of office of the leaders the sentence speaks of as past, who had left office by the day it was
    published: what "Mexico agreed with the administration of former President Joe Biden" tells happened
    within Biden's term, whatever day the report came out."""
    if not evidence or not published or not _PAST_LEADER.search(evidence):
        return []
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return []
    officials, text = _departed_officials(), evidence.lower()
    found = []
    for word in _WORD.finditer(text):
        for alias, term in officials.get(word.group(), ()):
            end = word.start() + len(alias)
            if text.startswith(alias, word.start()) and not text[end : end + 1].isalnum():
                around = evidence[max(0, word.start() - 40) : end + 25]
                if term[1] <= day and _PAST_LEADER.search(around) and term not in found:
                    found.append(term)
                break
    return found


def _first_date(evidence: str | None, published: str | None, patterns: tuple[re.Pattern, ...]) -> When | None:
    if not evidence or not published:
        return None
    try:
        base = date.fromisoformat(published[:10])
    except ValueError:
        return None
    matches = sorted((m for pattern in patterns for m in pattern.finditer(evidence)), key=lambda m: m.start())
    for match in matches:
        if match.re is DATE_EXPRESSION:
            when = _resolve(match.group(), base)
        elif match.re is ES_DATE_EXPRESSION:
            when = _resolve_spanish(match, base)
        else:
            when = _resolve_year(match, base)
        if when is not None:
            return when
    return None


def _resolve_year(match: re.Match, base: date) -> When | None:
    """ "in 2019", "a 2022 deal", "last year" (and their Spanish forms): the year, if not after the report's."""
    year = base.year - 1 if match.group("last") else int(match.group("year") or match.group("adjective"))
    return When(date(year, 1, 1), "year") if year <= base.year else None


def _resolve(expression: str, base: date) -> When | None:
    """One expression on one publication day, or None for a date after it.

    Calendar dates are read by dateparser once per expression and year (cached: calling it for every
    sentence made a rebuild of a million positions take minutes); relative ones are counted from the
    publication day here, by calendar rules rather than dateparser's fixed day counts, which put "last
    month" 44 to 50 days back, in the wrong month on 197 days of 2025 (issue 15).
    """
    has_year = bool(_YEAR.search(expression))
    last = expression[:5].lower() == "last "
    if _CALENDAR.search(expression):
        when = _calendar_date(expression[5:] if last else expression, base.year)
        precision = "day" if _WITH_DAY.search(expression) else "month"
    else:
        when = _relative_date(expression.lower(), base)
        precision = "month" if "month" in expression.lower() else "day"
    when = _in_the_past(when, base, has_year, last)
    return When(when, precision) if when else None


def _in_the_past(when: date | None, base: date, has_year: bool, last: bool) -> date | None:
    """A date as the report means it: a day without a year that falls after publication is last year's
    (PREFER_DATES_FROM='past': "March" in a January report is last March). None for a date after
    publication, or for one without a year that the past preference put over half a year back unless the
    text says "last" ("starting Feb. 13" in a report of Feb. 1 is a coming date, not last year's)."""
    if when is not None and when > base and not has_year:
        when = _year_before(when)
    if when is None or when > base:
        return None
    if (base - when).days > MAX_DAYS_BEFORE_WITHOUT_YEAR and not (has_year or last):
        return None
    return when


def _resolve_spanish(match: re.Match, base: date) -> When | None:
    """A Spanish expression on one publication day, or None for a date after it, under the English rules."""
    if match.group("weekday") and not match.group("weekday_date"):
        return _resolve(_WEEKDAYS[ES_WEEKDAYS.index(match.group("weekday"))], base)
    if match.group("relative"):
        return _resolve(_in_english(" ".join(match.group("relative").lower().split())), base)
    calendar = match.group("weekday_date") or match.group("date") or match.group("month") or match.group("month_year")
    words = calendar.split()
    day = int(words[0]) if words[0].isdigit() else 1
    month = next(_ES_MONTH_NUMBERS[word] for word in words if word in _ES_MONTH_NUMBERS)
    year = int(words[-1]) if words[-1].isdigit() and len(words[-1]) == 4 else None
    try:
        when = _in_the_past(date(year or base.year, month, day), base, year is not None, bool(match.group("past")))
    except ValueError:  # "31 de febrero"
        return None
    return When(when, "day" if words[0].isdigit() else "month") if when else None


def _in_english(expression: str) -> str:
    """ "ayer" -> "yesterday", "hace dos meses" -> "2 months ago": what ``_resolve`` reads."""
    if not expression.startswith("hace "):
        return _ES_RELATIVE[expression]
    count, unit = expression.split()[1:3]
    return f"{_ES_NUMBERS.get(count, count)} {_ES_UNITS[unit]} ago"


_CALENDAR = re.compile(rf"{_MONTH}|\d{{1,2}}/\d{{1,2}}|\d{{4}}-\d{{2}}-\d{{2}}")
_SETTINGS = {"PREFER_DAY_OF_MONTH": "first"}  # a month without a day gives the 1st


@lru_cache(maxsize=1 << 16)
def _calendar_date(expression: str, year: int) -> date | None:
    """A month, day or full date as dateparser reads it in that year."""
    settings = {**_SETTINGS, "RELATIVE_BASE": datetime(year, 12, 31)}
    when = dateparser.parse(expression.replace(".", ""), languages=["en"], settings=settings)
    return when.date() if when else None


def _relative_date(expression: str, base: date) -> date | None:
    """A weekday or a relative expression (lower case) on the publication day ``base``.

    A weekday is the latest such day on or before publication: "on Sunday" in a Sunday report is that day,
    not the week before (issue 12). Months count by the calendar and give the 1st ("last month" in a report
    of 31 March is February); weeks give the day seven days back, as a report means by "last week".
    """
    if expression in ("today", "tonight"):
        return base
    if expression == "yesterday":
        return base - timedelta(days=1)
    for index, name in enumerate(_WEEKDAYS):
        if expression.startswith(name.lower()):
            return base - timedelta(days=(base.weekday() - index) % 7)
    if expression == "earlier this month":
        return base.replace(day=1)
    if expression == "earlier this week":
        return base - timedelta(days=base.weekday())
    if expression in ("last week", "last weekend"):
        return base - timedelta(days=7 if expression == "last week" else base.weekday() + 2)
    if expression == "last month":
        return _months_before(base, 1)
    count, unit = expression.split()[:2]
    n = _NUMBERS.get(count) or int(count)
    if unit.startswith("month"):
        return _months_before(base, n)
    return base - timedelta(days=n * (7 if unit.startswith("week") else 1))


def _months_before(day: date, months: int) -> date:
    """The 1st of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _year_before(day: date) -> date | None:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return None
