"""Datasette over the demo database: through its own client, and as a real server on 127.0.0.1.

The in-process Datasette is ``db.serve.datasette_app``: the metadata, templates and plugins that
``migtrack serve`` publishes, so every view, canned query and plugin is tested as researchers see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
import sqlite_utils
import yaml

from db.schema import TABLES, VIEWS, open_db
from db.serve import METADATA, datasette_app, datasette_command

ATOM = "{http://www.w3.org/2005/Atom}"
QUERIES = yaml.safe_load(METADATA.read_text())["databases"]["migtrack"]["queries"]


def get(ds, path: str):
    async def fetch():
        return await ds.client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response


def get_json(ds, path: str):
    return get(ds, path).json()


def rows_of(ds, path: str) -> list[dict]:
    separator = "&" if "?" in path else "?"
    return get_json(ds, f"{path}{separator}_shape=objects&_size=max")["rows"]


def query_db(demo_db, sql: str, params=()) -> list[dict]:
    return list(sqlite_utils.Database(demo_db).query(sql, params))


@pytest.fixture(scope="module")
def datasette(demo_db):
    return datasette_app(demo_db)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_column_is_described(demo_db, table):
    described = yaml.safe_load(METADATA.read_text())["databases"]["migtrack"]["tables"][table]
    assert described["description"]
    columns = set(sqlite_utils.Database(demo_db)[table].columns_dict) - {"id"}
    assert columns <= set(described["columns"]), (
        f"describe in db/datasette/metadata.yml: {columns - set(described['columns'])}"
    )


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_every_view_column_is_described(demo_db, view):
    described = yaml.safe_load(METADATA.read_text())["databases"]["migtrack"]["tables"][view]
    assert described["description"]
    assert set(sqlite_utils.Database(demo_db)[view].columns_dict) <= set(described["columns"])


def test_tables_and_views_are_published(datasette):
    data = get_json(datasette, "/migtrack.json")
    assert set(TABLES) <= {t["name"] for t in data["tables"]}
    assert set(VIEWS) == {"timeline", "agreements", "refusals", "proposals"}
    assert set(VIEWS) <= {v["name"] for v in data["views"]}


def test_countries_are_filled_from_pycountry_and_our_lexicon(demo_db):
    countries = {row["iso3"]: row for row in query_db(demo_db, "select * from countries")}
    assert len(countries) >= 249
    assert countries["VEN"]["name"] == "Venezuela"
    assert countries["COL"]["region"] == "Americas" and countries["COL"]["latitude"] is not None
    assert countries["XKX"]["name"] == "Kosovo"
    unnamed = query_db(demo_db, "select distinct actor from events where actor not in (select iso3 from countries)")
    assert unnamed == []


def test_foreign_keys_show_country_names(datasette):
    rows = get_json(datasette, "/migtrack/events.json?_shape=objects&_labels=on&actor=COL&counterpart=USA")["rows"]
    assert rows
    assert rows[0]["actor"] == {"value": "COL", "label": "Colombia"}
    assert rows[0]["counterpart"] == {"value": "USA", "label": "United States"}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_views_name_countries_and_run_newest_first(datasette, demo_db, view):
    rows = rows_of(datasette, f"/migtrack/{view}.json")
    stance = {"agreements": "agree", "refusals": "refuse", "proposals": "propose"}.get(view)
    expected = query_db(
        demo_db,
        "select count(*) as n from events where ? is null or (stance = ? and negated = 0)",
        (stance, stance),
    )[0]["n"]
    assert len(rows) == expected > 0
    assert [r["first_reported"] for r in rows] == sorted((r["first_reported"] for r in rows), reverse=True)
    assert all(r["actor_name"] for r in rows)
    assert all(r["counterpart_name"] for r in rows if r["counterpart"])
    if stance:
        assert {(r["stance"], r["negated"]) for r in rows} == {(stance, 0)}


@pytest.mark.parametrize("view", ["agreements", "refusals", "proposals"])
def test_stance_views_read_an_index_not_the_whole_table(demo_db, view):
    plan = " ".join(row[-1] for row in sqlite3.connect(demo_db).execute(f"explain query plan select * from {view}"))
    assert "USING INDEX idx_events_stance_negated_first_reported" in plan, plan


def test_an_old_database_gains_foreign_keys_countries_and_views(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old["articles"].create({"id": str, "url": str}, pk="id")
    old["positions"].create({"id": str, "article_id": str, "evidence": str, "subject": str}, pk="id")
    old["events"].create({"id": str, "actor": str, "stance": str, "first_article_id": str}, pk="id")
    old["events"].insert({"id": "e1", "actor": "COL", "stance": "refuse", "first_article_id": "a1"})
    old.create_view("timeline", "select * from events")
    old.close()
    for _ in range(2):  # the second open finds nothing to do
        db = open_db(path)
        assert {(fk.column, fk.other_table) for fk in db["events"].foreign_keys} >= {
            ("actor", "countries"),
            ("first_article_id", "articles"),
        }
        assert db["events"].get("e1")["actor"] == "COL"
        assert set(VIEWS) <= set(db.view_names())
        assert next(db.query("select actor_name from timeline"))["actor_name"] == "Colombia"
        db.close()


def test_every_canned_query_is_read_only_described_and_declares_its_parameters():
    """The form Datasette shows follows ``params``; it must list exactly what the SQL uses, as Datasette reads it."""
    from datasette.utils import derive_named_parameters

    assert set(QUERIES) == {"timeline", "country_profile", "between", "latest_refusals", "search", "new_events"}
    for name, query in QUERIES.items():
        assert query["title"] and query["description"], name
        assert not query.get("write"), f"{name}: no write queries may be published"
        assert set(query["params"]) == set(asyncio.run(derive_named_parameters(None, query["sql"]))), name


def test_timeline_canned_query_returns_stance(datasette):
    data = get_json(datasette, "/migtrack/timeline.json?country=&stance=&_shape=objects")
    rows = data["rows"]
    assert rows and "stance" in rows[0]
    assert [r["first_reported"] for r in rows] == sorted((r["first_reported"] for r in rows), reverse=True)
    refusals = get_json(datasette, "/migtrack/timeline.json?country=bhs&stance=refuse&_shape=objects")["rows"]
    assert refusals and all(r["stance"] == "refuse" and "BHS" in (r["actor"], r["counterpart"]) for r in refusals)


def test_timeline_takes_names_and_a_date_range(datasette, demo_db):
    by_name = rows_of(datasette, "/migtrack/timeline.json?country=colombia")
    by_code = rows_of(datasette, "/migtrack/timeline.json?country=COL")
    assert by_name == by_code and by_name
    since_until = rows_of(datasette, "/migtrack/timeline.json?since=2025-01&until=2025-02")
    # since and until read the first report's date; an event recalled then may have happened long before
    expected = query_db(
        demo_db, "select count(*) as n from events where substr(first_reported, 1, 7) in ('2025-01', '2025-02')"
    )
    assert len(since_until) == expected[0]["n"] > 0
    assert {r["first_reported"][:7] for r in since_until} == {"2025-01", "2025-02"}
    assert rows_of(datasette, "/migtrack/timeline.json?until=2019") == [
        r for r in rows_of(datasette, "/migtrack/timeline.json") if r["first_reported"] < "2020"
    ]


def test_timeline_leaves_out_events_below_a_confidence(datasette, demo_db):
    """Issue 10: a researcher can leave out rows the position scorer doubts."""
    every = rows_of(datasette, "/migtrack/timeline.json")
    sure = rows_of(datasette, "/migtrack/timeline.json?min_confidence=0.9")
    assert 0 < len(sure) < len(every)
    assert all(r["confidence"] >= 0.9 for r in sure)
    assert get(datasette, "/timeline?min_confidence=0.9").text.count('class="event-mark ') == len(sure)
    facet = get_json(datasette, "/migtrack/positions.json?_facet=confidence_band")["facet_results"]
    bands = {item["value"] for item in facet["confidence_band"]["results"]}
    assert bands and bands <= {f"{n / 10:.1f}-{(n + 1) / 10:.1f}" for n in range(10)}
    positions = query_db(demo_db, "select count(*) n from positions where confidence is null")
    assert positions == [{"n": 0}]  # every position the demo stored was scored


def test_country_profile_reads_as_a_sequence(datasette):
    rows = rows_of(datasette, "/migtrack/country_profile.json?country=COL")
    assert rows == rows_of(datasette, "/migtrack/country_profile.json?country=Colombia")
    order = [(r["event_date"], r["first_reported"]) for r in rows]
    assert order == sorted(order)
    towards_usa = [r for r in rows if r["counterpart"] == "USA"]
    stances = [r["stance"] for r in towards_usa]
    assert "refuse" in stances and "accept" in stances  # January 2025: turned back, then took the flights
    assert towards_usa[0]["previous_stance_towards_counterpart"] is None
    # a negated event ("did not accept") is not a status of its own: the next event follows the one before it
    previous = None
    for row in towards_usa:
        assert row["previous_stance_towards_counterpart"] == previous
        previous = previous if row["negated"] else row["stance"]


def test_country_profile_keeps_same_day_stances_in_the_order_reported(tmp_path):
    """Issue 15: ordered by first report, then stance, a refusal and the acceptance that reversed it on the
    same day read accept -> refuse, the alphabetical order."""
    db = open_db(tmp_path / "migtrack.db")
    db["articles"].insert({"id": "a1", "url": "http://x.example/1", "text": "t", "published": "2025-01-26"})
    for n, stance in enumerate(["refuse", "accept"]):
        db["events"].insert(
            {"id": f"e{n}", "actor": "COL", "stance": stance, "counterpart": "USA", "negated": 0,
             "event_date": "2025-01-26", "first_reported": "2025-01-26", "first_article_id": "a1",
             "report_order": json.dumps(["2025-01-26", "2025-01-26", "a1", n * 100]),
             "previous_stance": None if n == 0 else "refuse"}
        )  # fmt: skip
    rows = rows_of(datasette_app(tmp_path / "migtrack.db"), "/migtrack/country_profile.json?country=COL")
    assert [(r["stance"], r["previous_stance_towards_counterpart"]) for r in rows] == [
        ("refuse", None),
        ("accept", "refuse"),
    ]


def test_between_returns_both_directions_and_nothing_else(datasette):
    rows = rows_of(datasette, "/migtrack/between.json?country_a=usa&country_b=Colombia")
    assert {(r["actor"], r["counterpart"]) for r in rows} == {("USA", "COL"), ("COL", "USA")}
    assert rows == rows_of(datasette, "/migtrack/between.json?country_a=COL&country_b=USA")


def test_latest_refusals(datasette, demo_db):
    rows = rows_of(datasette, "/migtrack/latest_refusals.json")
    refusals = query_db(demo_db, "select id from events where stance = 'refuse' and negated = 0")
    assert {r["event_id"] for r in rows} == {r["id"] for r in refusals}
    recent = rows_of(datasette, "/migtrack/latest_refusals.json?since=2025")
    assert recent and all(r["first_reported"] >= "2025" for r in recent) and len(recent) < len(rows)


def test_search_is_ranked_with_snippets_and_takes_any_input(datasette):
    rows = rows_of(datasette, "/migtrack/search.json?q=Bahamas")
    assert rows and all("[Bahamas]" in r["snippet"] for r in rows)
    assert rows[0]["source_url"].startswith("http://news.migtrack-demo.example/")
    for odd in ['"unbalanced', "AND OR NOT", "(", "*", '"', "", " "]:
        assert get_json(datasette, "/migtrack/search.json?" + urllib.parse.urlencode({"q": odd}))["ok"]
    # the home page links to the query without q (issue 15: HTTP 400, "fts5: syntax error")
    assert rows_of(datasette, "/migtrack/search.json") == []
    assert get(datasette, "/migtrack/search").status_code == 200


def test_positions_can_be_faceted_and_searched(datasette):
    data = get_json(datasette, "/migtrack/positions.json?_facet=stance&_shape=objects")
    stances = {item["value"] for item in data["facet_results"]["stance"]["results"]}
    assert {"accept", "refuse", "agree"} <= stances
    hits = get_json(datasette, "/migtrack/positions.json?_search=Bahamas&_shape=objects")["rows"]
    assert hits and all("Bahamas" in r["evidence"] or "Bahamas" in (r["subject"] or "") for r in hits)


def test_atom_feed_of_new_refusals(datasette, demo_db):
    response = get(datasette, "/migtrack/new_events.atom?stance=refuse&country=")
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == QUERIES["new_events"]["title"]
    entries = feed.findall(f"{ATOM}entry")
    refusals = query_db(demo_db, "select id, evidence from events where stance = 'refuse'")
    assert len(entries) == min(100, len(refusals)) > 0
    by_id = {f"urn:migtrack:event:{r['id']}": r for r in refusals}
    for entry in entries:
        event = by_id[entry.find(f"{ATOM}id").text]
        assert "refuse" in entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}content").text.startswith(event["evidence"])
        assert entry.find(f"{ATOM}link").get("href").startswith("http://news.migtrack-demo.example/")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\+00:00", entry.find(f"{ATOM}updated").text)


def test_robots_are_kept_out(datasette):
    assert get(datasette, "/robots.txt").text.splitlines() == ["User-agent: *", "Disallow: /"]


def test_search_all_lists_the_searchable_tables(datasette):
    page = get(datasette, "/-/search?q=Bahamas").text
    assert "/migtrack/positions" in page and "/migtrack/articles" in page


def test_timeline_page_draws_one_mark_per_event(datasette, demo_db):
    page = get(datasette, "/timeline").text
    events = query_db(demo_db, "select id from events")
    assert len(re.findall(r'class="event-mark ', page)) == len(events)
    linked = set(re.findall(r'<a href="/migtrack/events/(\w+)"><circle class="event-mark', page))
    assert linked == {e["id"] for e in events}
    assert 'class="month-bar"' in page


def test_timeline_page_takes_the_timeline_query_parameters(datasette):
    page = get(datasette, "/timeline?country=col&stance=refuse").text
    rows = rows_of(datasette, "/migtrack/timeline.json?country=col&stance=refuse")
    assert len(re.findall(r'class="event-mark ', page)) == len(rows) > 0
    assert get(datasette, "/timeline?country=nowhere").text.count("No events match") == 1


def test_month_bars_of_a_filtered_timeline_open_that_country_only(datasette):
    """Issue 15: a month bar's link hard-coded ``country=``, so on /timeline?country=COL it opened every
    country's events of that month."""
    page = get(datasette, "/timeline?country=COL").text
    links = [html.unescape(h) for h in re.findall(r'<a href="([^"]*)"><rect class="month-bar"', page)]
    assert links
    for link in links:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
        assert query["country"] == ["COL"]
        rows = rows_of(datasette, "/migtrack/timeline.json?" + urllib.parse.urlsplit(link).query)
        assert rows and all("COL" in (r["actor"], r["counterpart"]) for r in rows)
        assert all(r["first_reported"].startswith(query["since"][0]) for r in rows)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], port: int):
    """Run a real Datasette and yield its base URL once it answers; stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=5):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"datasette exited: {process.stdout.read().decode()[-2000:]}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_migtrack_serve_runs_a_real_datasette(demo_db):
    port = _free_port()
    with serving(datasette_command(demo_db, port), port) as base:
        assert fetch_json(f"{base}/-/metadata.json")["title"] == "migtrack"
        rows = fetch_json(f"{base}/migtrack/timeline.json?country=COL&stance=&_shape=objects")["rows"]
        assert {r["stance"] for r in rows} >= {"refuse", "accept"}
        plugins = {p["name"] for p in fetch_json(f"{base}/-/plugins.json")}
        assert {"datasette-atom", "datasette-block-robots", "datasette-search-all", "migtrack_timeline.py"} <= plugins


def test_a_database_under_another_name_keeps_its_metadata_queries_timeline_and_feed(demo_db, tmp_path):
    """Issue 14: served as news.db, the tables lost their descriptions and canned queries and /timeline said
    "database 'news' has no 'timeline' canned query"."""
    news = tmp_path / "news.db"
    source = sqlite3.connect(demo_db)
    with sqlite3.connect(news) as target:
        source.backup(target)
    source.close()
    port = _free_port()
    with serving(datasette_command(news, port), port) as base:
        described = fetch_json(f"{base}/-/metadata.json")["databases"]["news"]["tables"]["events"]["description"]
        assert described.startswith("Positions clustered")
        rows = fetch_json(f"{base}/news/timeline.json?country=COL&_shape=objects")["rows"]
        assert {r["stance"] for r in rows} >= {"refuse", "accept"}
        page = urllib.request.urlopen(f"{base}/timeline?country=COL", timeout=10).read().decode()
        assert "has no 'timeline' canned query" not in page and 'class="event-mark ' in page
        assert "/news/new_events.atom" in urllib.request.urlopen(f"{base}/", timeout=10).read().decode()
        atom = urllib.request.urlopen(f"{base}/news/new_events.atom?stance=refuse&country=", timeout=10).read()
        assert ET.fromstring(atom).findall(f"{ATOM}entry")


def test_a_published_snapshot_serves_immutable_with_an_inspect_file(demo_db, tmp_path):
    snapshot = tmp_path / "migtrack.db"
    source = sqlite3.connect(demo_db)
    with sqlite3.connect(snapshot) as target:
        source.backup(target)
    source.close()
    inspect_file = tmp_path / "counts.json"
    datasette = [sys.executable, "-m", "datasette"]
    subprocess.run([*datasette, "inspect", str(snapshot), "--inspect-file", str(inspect_file)], check=True)
    assert json.loads(inspect_file.read_text())["migtrack"]["tables"]["events"]["count"] > 0
    port = _free_port()
    with serving(datasette_command(snapshot, port, immutable=True, inspect_file=inspect_file), port) as base:
        database = fetch_json(f"{base}/-/databases.json")[0]
        assert database["name"] == "migtrack" and database["is_mutable"] is False
        with urllib.request.urlopen(f"{base}/timeline", timeout=10) as response:
            assert html.unescape(response.read().decode()).count('class="event-mark ') > 0
