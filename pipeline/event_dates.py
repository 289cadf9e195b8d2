"""When a sentence says its event happened, read against the day it was published, and how precisely.

A report dates what it tells by the text ("on Sunday", "last month", "in late 2024", "Britain's 2022
agreement"), by a recall with no date ("had been sealed before that", "during his first term"), or not at
all, in which case the event is as old as the report. ``stated_when`` gives the first date the sentence
states with its precision (day, month, year); ``recall_horizon`` says how far back an undated recall may
reach. ``pipeline.events`` clusters positions with both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser

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
    (re.compile(r"\b(?:first|previous|last)\s+(?:term|presidency|administration)\b", re.IGNORECASE), 10 * 366),
    (
        re.compile(
            r"\b(?:previously|before\s+that|earlier|already|in\s+recent\s+(?:weeks|months|years)|recently"
            r"|had\s+(?:\w+ly\s+)?(?:been\s+)?[a-z]+(?:ed|en|ck|de|ot|un|ung))\b",
            re.IGNORECASE,
        ),
        366,
    ),
)


# Where a sentence joins two clauses that may tell events of different times ("Last week El Salvador signed
# one, and a broader one had been sealed with Guatemala before that").
CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas)\s+|\s+(?:but|while|whereas)\s+")


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


def _names_any(clause: str, names: frozenset[str]) -> bool:
    words = clause.lower()
    return any(re.search(rf"\b{re.escape(name)}\b", words) for name in names if name in words)


def stated_when(evidence: str | None, published: str | None) -> When | None:
    """The first date the sentence states, with its precision, read relative to its publication day.

    "on Sunday", "in January", "last week" are resolved against the publication date, preferring the
    past (a report tells what happened); "in 2019", "a 2022 deal", "last year" give a year. Returns None when
    the sentence states no date, or only a coming one (a plan, not what the report is about): after the
    publication day, or a day without a year that the past preference put over half a year back.
    Only English expressions are read, as the extractor reads English.
    """
    return _first_date(evidence, published, (DATE_EXPRESSION, YEAR_EXPRESSION))


def stated_date(evidence: str | None, published: str | None) -> str | None:
    """The day (YYYY-MM-DD, the 1st for a month) the sentence states, as ``stated_when`` reads it; a year
    alone gives None, as it names no month."""
    when = _first_date(evidence, published, (DATE_EXPRESSION,))
    return when.first.isoformat() if when else None


def recall_horizon(evidence: str | None) -> int | None:
    """How many days back an undated recall in the sentence may reach, or None for no recall."""
    if not evidence:
        return None
    horizons = [days for pattern, days in RECALLS if pattern.search(evidence)]
    return max(horizons) if horizons else None


def _first_date(evidence: str | None, published: str | None, patterns: tuple[re.Pattern, ...]) -> When | None:
    if not evidence or not published:
        return None
    try:
        base = date.fromisoformat(published[:10])
    except ValueError:
        return None
    matches = sorted((m for pattern in patterns for m in pattern.finditer(evidence)), key=lambda m: m.start())
    for match in matches:
        when = _resolve_year(match, base) if match.re is YEAR_EXPRESSION else _resolve(match.group(), base)
        if when is not None:
            return when
    return None


def _resolve_year(match: re.Match, base: date) -> When | None:
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
        if when is not None and when > base and not has_year:
            when = _year_before(when)  # PREFER_DATES_FROM='past': "March" in a January report is last March
        precision = "day" if _WITH_DAY.search(expression) else "month"
    else:
        when = _relative_date(expression.lower(), base)
        precision = "month" if "month" in expression.lower() else "day"
    if when is None or when > base:
        return None
    if (base - when).days > MAX_DAYS_BEFORE_WITHOUT_YEAR and not (has_year or last):
        return None  # "starting Feb. 13" in a report of Feb. 1: a coming date the past preference misread
    return When(when, precision)


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
