"""The geometry of the /timeline page (db/datasette/templates/pages/timeline.html), computed here.

The page is inline SVG drawn on the server: it works offline, with JavaScript off, and a test can
count its marks in the HTML. It reads the events through the ``timeline`` canned query, with the
page's own country, stance, since and until parameters, so the chart and the query always agree.
Loaded with ``datasette --plugins-dir db/datasette/plugins`` (see db/serve.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from urllib.parse import urlencode

from datasette import hookimpl

TEMPLATE = "pages/timeline.html"
PARAMS = ("country", "stance", "since", "until", "min_confidence")
MAX_MARKS = 3000  # newest first; a broader selection is cut and the page says so

# One colour per stance: reds and oranges for refusing and pressing, greens and blues for yes.
STANCE_COLOURS = {
    "accept": "#2ca02c",
    "agree": "#1f77b4",
    "resume": "#17becf",
    "negotiate": "#9467bd",
    "propose": "#bcbd22",
    "consider": "#7f7f7f",
    "demand": "#ff7f0e",
    "threaten": "#8c564b",
    "suspend": "#e377c2",
    "refuse": "#d62728",
}

LABEL_WIDTH = 200
PLOT_WIDTH = 1000
RIGHT_MARGIN = 20
AXIS_HEIGHT = 28
RADIUS = 5
STEP = 2 * RADIUS + 1  # vertical distance between dodged marks
MAX_LEVELS = 6  # dodged rows on each side of a lane's centre before marks may overlap
BARS_HEIGHT = 110


@hookimpl
def extra_template_vars(template, datasette, request):
    if template != TEMPLATE:
        return None

    async def inner():
        return {"timeline": await timeline_chart(datasette, request)}

    return inner


async def timeline_chart(datasette, request) -> dict:
    """Everything the template draws, in pixels: lanes, event marks, month bars, axis and legend."""
    db = datasette.get_database()
    params = {name: (request.args.get(name) or "").strip() for name in PARAMS}
    query = await datasette.get_canned_query(db.name, "timeline", None)
    if query is None:
        return {
            "error": f"database {db.name!r} has no 'timeline' canned query: serve it with db/datasette/metadata.yml"
        }
    result = await db.execute(f"select * from ({query['sql']}) limit {MAX_MARKS + 1}", params)
    rows = [dict(row) for row in result.rows]
    truncated = len(rows) > MAX_MARKS
    rows = rows[:MAX_MARKS]
    dated = [(row, _day(row["first_reported"])) for row in rows]
    undated = [row for row, day in dated if day is None]
    dated = [(row, day) for row, day in dated if day is not None]
    chart = {
        "params": params,
        "query_url": datasette.urls.database(db.name) + "/timeline?" + urlencode(params),
        "stances": list(STANCE_COLOURS),
        "truncated": truncated,
        "max_marks": MAX_MARKS,
        "n_events": len(dated),
        "undated": len(undated),
        "legend": _legend(rows),
    }
    if not dated:
        return chart
    first, last = _month_start(min(day for _, day in dated)), _next_month(max(day for _, day in dated))
    span = (last - first).days

    def x_of(day: date) -> float:
        return round(LABEL_WIDTH + PLOT_WIDTH * (day - first).days / span, 1)

    lanes, marks, lanes_bottom = _lanes_and_marks(datasette, db.name, dated, x_of)
    ticks = _ticks(first, last, x_of)
    bars, bars_top = _bars(datasette, db.name, params["country"], dated, first, last, x_of, top=10)
    chart.update(
        width=LABEL_WIDTH + PLOT_WIDTH + RIGHT_MARGIN,
        lanes_top=AXIS_HEIGHT,
        lanes_height=lanes_bottom + AXIS_HEIGHT,
        lanes_bottom=lanes_bottom,
        lanes=lanes,
        marks=marks,
        ticks=ticks,
        bars=bars,
        bars_top=bars_top,
        bars_bottom=bars_top + BARS_HEIGHT,
        bars_height=bars_top + BARS_HEIGHT + AXIS_HEIGHT,
        bars_max=max(Counter(_month_key(day) for _, day in dated).values()),
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
    )
    return chart


def _lanes_and_marks(datasette, database: str, dated: list, x_of) -> tuple[list[dict], list[dict], int]:
    """One lane per actor, busiest first; marks in a lane dodge each other vertically."""
    by_actor: dict[str, list] = defaultdict(list)
    for row, day in dated:
        by_actor[row["actor"]].append((row, day))
    order = sorted(by_actor, key=lambda actor: (-len(by_actor[actor]), by_actor[actor][0][0]["actor_name"] or actor))
    lanes, marks, top = [], [], AXIS_HEIGHT  # the year labels sit above the first lane
    for index, actor in enumerate(order):
        placed = _dodge([(x_of(day), row) for row, day in sorted(by_actor[actor], key=lambda item: item[1])])
        reach = max(abs(level) for _, level, _ in placed)
        height = max(26, (2 * reach + 1) * STEP + 8)
        centre = top + height / 2
        name = by_actor[actor][0][0]["actor_name"] or actor
        lanes.append(
            {
                "y": top,
                "height": height,
                "centre": centre,
                "label": f"{name} ({len(placed)})",
                "href": datasette.urls.database(database) + f"/country_profile?country={actor}",
                "shade": index % 2 == 0,
            }
        )
        for x, level, row in placed:
            marks.append(
                {
                    "x": x,
                    "y": round(centre + level * STEP, 1),
                    "r": RADIUS,
                    "colour": STANCE_COLOURS.get(row["stance"], "#000000"),
                    "negated": bool(row["negated"]),
                    # a denial and the event it denies: both ringed, so a contested fact is visible at a glance
                    "contested": bool(row.get("contradicts") or row.get("contradicted_by")),
                    "stance": row["stance"],
                    "href": datasette.urls.row(database, "events", row["event_id"]),
                    "title": _mark_title(row),
                }
            )
        top += height
    return lanes, marks, top


def _dodge(points: list[tuple[float, dict]]) -> list[tuple[float, int, dict]]:
    """Give each mark (sorted by x) the level nearest the centre (0, -1, 1, -2 ...) that no close mark holds."""
    placed: list[tuple[float, int, dict]] = []
    levels = [0] + [sign * step for step in range(1, MAX_LEVELS + 1) for sign in (-1, 1)]
    for x, row in points:
        taken = {level for other_x, level, _ in placed if x - other_x < STEP}
        level = next((candidate for candidate in levels if candidate not in taken), 0)
        placed.append((x, level, row))
    return placed


def _bars(
    datasette, database: str, country: str, dated: list, first: date, last: date, x_of, top: int
) -> tuple[list[dict], int]:
    """Events per month, stacked by stance in the legend's order; each piece opens that month's events of
    the page's country (a hard-coded empty country opened every country's rows, issue 15)."""
    counts = Counter((_month_key(day), row["stance"]) for row, day in dated)
    totals = Counter(_month_key(day) for _, day in dated)
    scale = BARS_HEIGHT / max(totals.values())
    bars = []
    month = first
    while month < last:
        key = _month_key(month)
        x0, x1 = x_of(month), x_of(_next_month(month))
        bottom = top + BARS_HEIGHT
        for stance, colour in STANCE_COLOURS.items():
            n = counts.get((key, stance), 0)
            if not n:
                continue
            height = round(n * scale, 1)
            bars.append(
                {
                    "x": x0 + 0.5,
                    "y": round(bottom - height, 1),
                    "width": max(1.0, round(x1 - x0 - 1, 1)),
                    "height": height,
                    "colour": colour,
                    "title": f"{key}: {n} {stance}",
                    "href": datasette.urls.database(database)
                    + "/timeline?"
                    + urlencode({"country": country, "stance": stance, "since": key, "until": key}),
                }
            )
            bottom -= height
        month = _next_month(month)
    return bars, top


def _ticks(first: date, last: date, x_of) -> list[dict]:
    """Years when the chart spans more than two years, else quarters (or months for a short span)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    every = 12 if months > 24 else 3 if months > 8 else 1
    ticks, month = [], first
    while month <= last:
        if (month.month - 1) % every == 0:
            label = str(month.year) if every == 12 else month.strftime("%b %Y")
            ticks.append({"x": x_of(month), "label": label, "year": month.month == 1})
        month = _next_month(month)
    return ticks


def _legend(rows: list[dict]) -> list[dict]:
    counts = Counter(row["stance"] for row in rows)
    return [
        {"stance": stance, "colour": colour, "n": counts.get(stance, 0)} for stance, colour in STANCE_COLOURS.items()
    ]


def _mark_title(row: dict) -> str:
    """The tooltip: who, what, towards whom, when, how widely reported, and the sentence itself."""
    actor = row["actor_name"] or row["actor"]
    counterpart = row["counterpart_name"] or row["counterpart"]
    stance = ("did not " if row["negated"] else "") + row["stance"]
    towards = f" (towards {counterpart})" if counterpart else ""
    return (
        f"{row['first_reported']}: {actor} {stance}{towards}; {row['n_articles']} article(s), "
        f"{row['n_outlets']} outlet(s)"
        + ("; contradicted by a denial" if row.get("contradicted_by") else "")
        + ("; denies another report" if row.get("contradicts") else "")
        + f"\n{row['evidence']}"
    )


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _month_key(day: date) -> str:
    return day.strftime("%Y-%m")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
