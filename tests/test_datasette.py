"""Datasette over the demo database: through its own client, and as a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
import urllib.request

import pytest
import yaml
from datasette.app import Datasette

from db.serve import METADATA, SETTINGS, datasette_command


def get_json(ds: Datasette, path: str):
    async def fetch():
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()

    return asyncio.run(fetch())


@pytest.fixture(scope="module")
def datasette(demo_db):
    metadata = yaml.safe_load(METADATA.read_text())
    return Datasette([str(demo_db)], metadata=metadata, settings=dict(SETTINGS))


@pytest.mark.parametrize("table", ["feeds", "articles", "positions", "events"])
def test_every_column_is_described(demo_db, table):
    import sqlite_utils

    described = yaml.safe_load(METADATA.read_text())["databases"]["migtrack"]["tables"][table]
    assert described["description"]
    columns = set(sqlite_utils.Database(demo_db)[table].columns_dict) - {"id"}
    assert columns <= set(described["columns"]), (
        f"describe in db/datasette/metadata.yml: {columns - set(described['columns'])}"
    )


def test_tables_are_published(datasette):
    data = get_json(datasette, "/migtrack.json")
    names = {t["name"] for t in data["tables"]}
    assert {"feeds", "articles", "entities", "positions", "events", "failures"} <= names
    assert "timeline" in {v["name"] for v in data["views"]}


def test_timeline_canned_query_returns_stance(datasette):
    data = get_json(datasette, "/migtrack/timeline.json?country=&stance=&_shape=objects")
    rows = data["rows"]
    assert rows and "stance" in rows[0]
    assert [r["first_reported"] for r in rows] == sorted((r["first_reported"] for r in rows), reverse=True)
    refusals = get_json(datasette, "/migtrack/timeline.json?country=bhs&stance=refuse&_shape=objects")["rows"]
    assert refusals and all(r["stance"] == "refuse" and "BHS" in (r["actor"], r["counterpart"]) for r in refusals)


def test_positions_can_be_faceted_and_searched(datasette):
    data = get_json(datasette, "/migtrack/positions.json?_facet=stance&_shape=objects")
    stances = {item["value"] for item in data["facet_results"]["stance"]["results"]}
    assert {"accept", "refuse", "agree"} <= stances
    hits = get_json(datasette, "/migtrack/positions.json?_search=Bahamas&_shape=objects")["rows"]
    assert hits and all("Bahamas" in r["evidence"] or "Bahamas" in (r["subject"] or "") for r in hits)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_migtrack_serve_runs_a_real_datasette(demo_db):
    port = _free_port()
    process = subprocess.Popen(datasette_command(demo_db, port), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/metadata.json", timeout=5) as response:
                    metadata = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        assert metadata["title"] == "migtrack"
        url = f"http://127.0.0.1:{port}/migtrack/timeline.json?country=COL&stance=&_shape=objects"
        with urllib.request.urlopen(url, timeout=10) as response:
            rows = json.load(response)["rows"]
        assert {r["stance"] for r in rows} >= {"refuse", "accept"}
    finally:
        process.terminate()
        process.wait(timeout=30)
