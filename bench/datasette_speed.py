"""Is Datasette fast enough on a big database? The timeline query and the facet pages over HTTP.

It generates a database of ``--positions`` positions (1,000,000) in ``--articles`` articles (100,000),
spread over ~60 countries, the ten stances and 2019-2026 with the skew of real coverage (a few
countries and the United States as counterpart in most rows), builds the events from them with the
pipeline's own ``build_events`` (``--events``, 200,000, planned so the 30-day windows give exactly that
many), then serves the file with the project's Datasette command (``db.serve.datasette_command``:
same metadata, settings, plugins) on 127.0.0.1 and times, after a warm-up, ``--requests`` requests
of each kind: the ``timeline`` canned query filtered by one country (countries cycled, busy and rare),
and the facet pages ``/migtrack/events?_facet=stance&_facet=actor`` and
``/migtrack/positions?_facet=stance``. It reports p50, p95 and max against the targets (p95 under
100 ms for the query, under 1 s for a page) and asserts nothing.

    .venv/bin/python -m bench.datasette_speed [--positions 1000000] [--events 200000] [--articles 100000]
        [--requests 200] [--dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from db import store
from db.schema import open_db
from db.serve import datasette_command
from models.countries import country_rows
from pipeline.events import WINDOW_DAYS, build_events

REPO = Path(__file__).resolve().parents[1]

# Actors, busiest first; weights fall off as 1/rank (coverage is dominated by a few countries).
COUNTRIES = [
    *("USA", "MEX", "GTM", "HND", "SLV", "COL", "VEN", "GBR", "RWA", "ITA", "ALB", "DEU", "FRA", "CUB", "HTI"),
    *("NIC", "PAN", "CRI", "ECU", "PER", "BRA", "ARG", "CHL", "DOM", "JAM", "BHS", "TUR", "GRC", "ESP", "NLD"),
    *("BEL", "SWE", "NOR", "DNK", "AUT", "CHE", "POL", "HUN", "AFG", "PAK", "IND", "BGD", "LKA", "IRQ", "IRN"),
    *("SYR", "LBN", "JOR", "EGY", "LBY", "TUN", "MAR", "DZA", "NGA", "GHA", "SEN", "ETH", "ERI", "SSD", "UGA"),
    *("KEN", "SWZ"),
]
STANCE_WEIGHTS = {
    "accept": 20,
    "refuse": 15,
    "agree": 12,
    "propose": 8,
    "negotiate": 10,
    "suspend": 6,
    "resume": 5,
    "consider": 6,
    "demand": 10,
    "threaten": 8,
}
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2026, 6, 30)
TARGETS_MS = {"query": 100.0, "page": 1000.0}
DATE_PHRASES = ("on Sunday", "last week", "in January", "on Jan. 26", "yesterday", "on Thursday", "in March")
VERBS = {
    "accept": "accepted",
    "refuse": "refused",
    "agree": "agreed to take back",
    "propose": "proposed to take",
    "negotiate": "is negotiating over",
    "suspend": "suspended",
    "resume": "resumed",
    "consider": "is considering taking",
    "demand": "demanded the return of",
    "threaten": "threatened to refuse",
}


def log(message: str) -> None:
    print(f"[datasette_speed] {message}", file=sys.stderr, flush=True)


def _day(days: int) -> str:
    return (FIRST_DAY + timedelta(days=days)).isoformat()


def _plan_events(rng: random.Random, n_events: int) -> list[tuple]:
    """(actor, stance, counterpart, negated, start day) with starts of one key over two windows apart.

    Two windows apart, each event's reports (start .. start + window) stay more than a window after the
    previous event's first report, so ``build_events`` finds exactly the planned events.
    """
    span = (LAST_DAY - FIRST_DAY).days - WINDOW_DAYS
    weights = [1 / rank for rank in range(1, len(COUNTRIES) + 1)]
    stances, stance_weights = list(STANCE_WEIGHTS), list(STANCE_WEIGHTS.values())
    taken: dict[tuple, list[int]] = {}
    events: list[tuple] = []
    while len(events) < n_events:
        actor = rng.choices(COUNTRIES, weights)[0]
        roll = rng.random()
        counterpart = None if roll < 0.15 else "USA" if roll < 0.55 else rng.choices(COUNTRIES, weights)[0]
        if counterpart == actor:
            continue
        key = (actor, rng.choices(stances, stance_weights)[0], counterpart, int(rng.random() < 0.05))
        start = rng.randrange(span)
        starts = taken.setdefault(key, [])
        if any(abs(start - other) <= 2 * WINDOW_DAYS + 1 for other in starts):
            continue  # a busy key is full near that day: draw again
        starts.append(start)
        events.append((*key, start))
    return events


def generate(path: Path, n_positions: int, n_events: int, n_articles: int, seed: int = 1) -> dict:
    """Write the articles and positions (executemany in one transaction each); returns timings."""
    rng = random.Random(seed)
    names = {row["iso3"]: row["name"] for row in country_rows()}
    outlets = [f"Outlet {i:02d}" for i in range(40)]
    started = time.perf_counter()
    db = open_db(path)  # the real schema: indexes, full-text triggers, views
    span = (LAST_DAY - FIRST_DAY).days + 1
    article_days = sorted(rng.randrange(span) for _ in range(n_articles))
    articles = [
        (f"a{i:07d}", f"https://news.example/{i}", f"Deportation news {i}", _day(d), rng.choice(outlets), "en")
        for i, d in enumerate(article_days)
    ]
    by_day: dict[int, list[int]] = {}
    for index, d in enumerate(article_days):
        by_day.setdefault(d, []).append(index)
    with db.conn:
        db.conn.executemany(
            "insert into articles (id, url, title, published, outlet, language, text) values (?, ?, ?, ?, ?, ?, ?)",
            [(*a, f"{a[2]}. Officials discussed flights and returns.") for a in articles],
        )
    articles_s = time.perf_counter() - started
    plan = _plan_events(rng, n_events)
    # Every event gets one position, the rest go to events at random (a few events get many reports).
    sizes = [1] * len(plan)
    for _ in range(n_positions - len(plan)):
        sizes[
            min(int(rng.paretovariate(1.2)) - 1, len(plan) - 1) if rng.random() < 0.3 else rng.randrange(len(plan))
        ] += 1
    positions = []
    for (actor, stance, counterpart, negated, start), size in zip(plan, sizes, strict=True):
        days = [start] + [start + rng.randrange(WINDOW_DAYS) for _ in range(size - 1)]
        for n, d in enumerate(days):
            candidates = by_day.get(d) or by_day.get(d + 1) or by_day[min(by_day, key=lambda k: abs(k - d))]
            phrase = f" {rng.choice(DATE_PHRASES)}" if rng.random() < 0.15 else ""
            evidence = (
                f"{names.get(actor, actor)} {VERBS[stance]} {rng.randrange(2, 400)} deportees"
                f"{' from ' + names.get(counterpart, counterpart) if counterpart else ''}{phrase}."
            )
            positions.append(
                (f"p{len(positions):08d}", articles[rng.choice(candidates)][0], n, actor, stance, counterpart)
                + (negated, evidence, 0, len(evidence), "bench", "bench")
            )
    started_positions = time.perf_counter()
    with db.conn:
        db.conn.executemany(
            "insert into positions (id, article_id, sentence_index, actor, stance, counterpart, negated, evidence,"
            " start, end, rule, extractor_version) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            positions,
        )
    positions_s = time.perf_counter() - started_positions
    db.close()
    return {"articles_s": articles_s, "positions_s": positions_s, "generate_s": time.perf_counter() - started}


# A new process, as each `migtrack process` run is: no date cache carried over from the first build.
# "cycle": the positions of CYCLE_ARTICLES articles are unlinked first, as processing new or changed
# articles leaves them, so their keys are rebuilt.
_REBUILD = """
import sys, time
from db.schema import open_db
from pipeline.events import build_events
db = open_db(sys.argv[1])
if sys.argv[2] == "cycle":
    with db.conn:
        db.execute(
            "update positions set event_id = null where article_id in "
            "(select id from articles order by id limit ?)", [int(sys.argv[3])]
        )
started = time.perf_counter()
build_events(db, full=sys.argv[2] == "full")
print(time.perf_counter() - started)
"""
CYCLE_ARTICLES = 200  # a busy cycle: about what 30 feeds bring in half an hour on a big news day


def time_rebuilds(path: Path) -> dict:
    """The first build (every position linked anew); then, each in a fresh process, a build with nothing
    new, one after a cycle's articles, and a full rebuild (what every `migtrack process` did before)."""
    db = open_db(path)
    started = time.perf_counter()
    n_events = build_events(db)
    first = time.perf_counter() - started
    store.refresh_statistics(db)  # as `migtrack process` does after every build
    db.close()
    timings = {}
    for mode in ("unchanged", "cycle", "full"):
        done = subprocess.run(
            [sys.executable, "-c", _REBUILD, str(path), mode, str(CYCLE_ARTICLES)],
            capture_output=True, text=True, check=True, cwd=REPO,
        )  # fmt: skip
        timings[f"{mode}_s"] = float(done.stdout.split()[-1])
    db = open_db(path)
    counts = {name: db[name].count for name in ("articles", "positions", "events")}
    db.execute("analyze")  # as a maintained database would have; the query planner reads it
    db.close()
    return {"build_s": first, **timings, "events": n_events, **counts}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max_ms": ordered[-1],
    }


def time_http(path: Path, n_requests: int, warmup: int) -> list[dict]:
    """Serve the file with the project's command and time each kind of request over HTTP."""
    port = _free_port()
    server = subprocess.Popen(datasette_command(path, port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(300):
                try:
                    if client.get("/-/versions.json").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                raise RuntimeError(f"Datasette did not start on {base}: {server.stderr.read().decode()[-2000:]}")
            kinds = [
                (
                    "timeline query, one country",
                    "query",
                    [f"/migtrack/timeline.json?country={c}&stance=&since=&until=&_shape=objects" for c in COUNTRIES],
                ),
                ("events facet page (stance, actor)", "page", ["/migtrack/events?_facet=stance&_facet=actor"]),
                ("positions facet page (stance)", "page", ["/migtrack/positions?_facet=stance"]),
            ]
            results = []
            for name, target, urls in kinds:
                for i in range(warmup):
                    client.get(urls[i % len(urls)]).raise_for_status()
                samples, rows = [], []
                for i in range(n_requests):
                    started = time.perf_counter()
                    response = client.get(urls[i % len(urls)])
                    samples.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    if target == "query":
                        rows.append(len(response.json()["rows"]))
                result = {"request": name, "url": urls[0], **_percentiles(samples), "target_ms": TARGETS_MS[target]}
                if rows:
                    result["rows_min_max"] = [min(rows), max(rows)]
                results.append(result)
                log(f"{name}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms")
            return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def markdown(report: dict) -> str:
    g = report["generation"]
    lines = [
        f"{g['positions']:,} positions, {g['events']:,} events, {g['articles']:,} articles; "
        f"generated in {g['generate_s']:.1f} s (articles {g['articles_s']:.1f} s, positions {g['positions_s']:.1f} s, "
        f"full-text triggers included); build_events {g['build_s']:.1f} s (every position linked), "
        f"then with nothing new {g['unchanged_s']:.1f} s, after a cycle of {CYCLE_ARTICLES} articles "
        f"{g['cycle_s']:.1f} s, rebuilt in full {g['full_s']:.1f} s; database {g['size_mb']:.0f} MB. "
        f"{report['requests']} requests of each kind after {report['warmup']} warm-up; {report['machine']}.",
        "",
        "| request | p50 (ms) | p95 (ms) | max (ms) | target p95 (ms) | met |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in report["http"]:
        met = "yes" if r["p95_ms"] < r["target_ms"] else "no"
        figures = " | ".join(f"{r[k]:.1f}" for k in ("p50_ms", "p95_ms", "max_ms"))
        lines.append(f"| {r['request']} | {figures} | {r['target_ms']:.0f} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.datasette_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--dir", type=Path, help="keep the database as DIR/migtrack.db and reuse it when there (default: a temp dir)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of markdown")
    args = parser.parse_args(argv)
    if args.events > args.positions:
        parser.error("--events must not exceed --positions: every event has at least one position")
    workdir = None if args.dir else tempfile.TemporaryDirectory(prefix="migtrack-bench-")
    # Datasette names a database after its file, and the metadata's canned queries are for "migtrack".
    path = (args.dir or Path(workdir.name)) / "migtrack.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        generation = {}
        if not path.exists():
            log(f"generating {args.positions:,} positions, {args.events:,} events in {path}")
            generation = generate(path, args.positions, args.events, args.articles)
            log(f"generated in {generation['generate_s']:.1f} s; building events")
            generation.update(time_rebuilds(path))
            log(
                f"build_events {generation['build_s']:.1f} s; unchanged {generation['unchanged_s']:.1f} s, "
                f"cycle {generation['cycle_s']:.1f} s, full {generation['full_s']:.1f} s"
            )
        generation["size_mb"] = path.stat().st_size / 1e6
        report = {
            "generation": generation,
            "requests": args.requests,
            "warmup": args.warmup,
            "machine": f"{os.cpu_count()} CPU(s), Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.2f} at start",
            "http": time_http(path, args.requests, args.warmup),
        }
        print(json.dumps(report, indent=2) if args.json else markdown(report))
    finally:
        if workdir is not None:
            workdir.cleanup()


if __name__ == "__main__":
    main()
