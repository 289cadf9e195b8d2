"""``migtrack export`` and ``migtrack codebook`` on the real demo database, checked as their readers would:
the package with the ``frictionless`` library, the Parquet files with pyarrow, the download link with
Datasette's own client and a real ``datasette serve``."""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlite_utils
import yaml
from frictionless import validate

from db.codebook import render_codebook
from db.export import PUBLIC_TABLES, describe_package, exported_columns
from db.schema import TABLES
from db.serve import METADATA, datasette_app, datasette_command
from models.stances import STANCES
from pipeline.extract import VERSION
from tests.conftest import MIGTRACK, REPO, run_cli
from tests.test_datasette import _free_port, serving

CODEBOOK = REPO / "docs" / "codebook.md"
DESCRIBED = yaml.safe_load(METADATA.read_text())["databases"]["migtrack"]["tables"]


@pytest.fixture(scope="module")
def exported(demo_db, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("export") / "package"
    result = run_cli("export", str(directory), "--db", str(demo_db))
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"to {directory}/ as CSV and Parquet" in result.stderr
    return directory


def test_the_export_is_a_valid_data_package(exported):
    report = validate(exported / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:20]


def test_the_package_describes_tables_keys_licence_sources_version_and_dates(exported, demo_db):
    package = json.loads((exported / "datapackage.json").read_text())
    db = sqlite_utils.Database(demo_db)
    assert [r["name"] for r in package["resources"]] == list(PUBLIC_TABLES)
    for resource in package["resources"]:
        table = resource["name"]
        assert resource["description"] == " ".join(DESCRIBED[table]["description"].split())
        assert resource["schema"]["primaryKey"] == [TABLES[table]["pk"]]
        for field in resource["schema"]["fields"]:
            if field["name"] != "id":
                assert field["description"] == DESCRIBED[table]["columns"][field["name"]], (table, field["name"])
    positions = next(r for r in package["resources"] if r["name"] == "positions")
    assert {"fields": ["event_id"], "reference": {"resource": "events", "fields": ["id"]}} in positions["schema"][
        "foreignKeys"
    ]
    assert package["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {s["title"] for s in package["sources"]} == {r["outlet"] for r in db.query("select outlet from feeds")}
    assert package["extractor"]["version"] == VERSION
    versions = {r["extractor_version"] for r in db.query("select distinct extractor_version from positions")}
    assert set(package["extractor"]["versions_in_rows"]) == versions
    first, last = db.execute("select min(published), max(published) from articles").fetchone()
    assert (package["temporal"]["start"], package["temporal"]["end"]) == (first[:10], last[:10])
    citation = yaml.safe_load((exported / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "dataset"
    assert citation["date-released"] == package["created"][:10]
    assert f"from {first[:10]} to {last[:10]}" in citation["abstract"]


@pytest.mark.parametrize("table", PUBLIC_TABLES)
def test_each_parquet_file_loads_back_as_its_table(exported, demo_db, table):
    loaded = pq.read_table(exported / f"{table}.parquet")
    columns = exported_columns(table)
    assert loaded.column_names == columns
    pk = TABLES[table]["pk"]
    select = ", ".join(f"[{c}]" for c in columns)
    stored = [dict(zip(columns, row, strict=True)) for row in sqlite_utils.Database(demo_db).execute(
        f"select {select} from [{table}] order by [{pk}]"
    ).fetchall()]  # fmt: skip
    assert loaded.to_pylist() == stored
    with open(exported / f"{table}.csv", encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.reader(handle)) == len(stored) + 1


def test_articles_full_text_only_when_asked(exported, demo_db, tmp_path):
    with open(exported / "articles.csv", encoding="utf-8", newline="") as handle:
        assert "text" not in next(csv.reader(handle))
    assert not {"minhash", "raw_html"} & set(pq.read_table(exported / "articles.parquet").column_names)
    result = run_cli("export", str(tmp_path), "--db", str(demo_db), "--with-text")
    assert result.returncode == 0, result.stderr[-3000:]
    texts = pq.read_table(tmp_path / "articles.parquet").column("text").to_pylist()
    assert len(texts) == 63 and all(texts)
    assert validate(tmp_path / "datapackage.json").valid


def test_a_second_export_replaces_the_first_and_leaves_no_partial_file(exported, demo_db):
    before = sorted(p.name for p in exported.iterdir())
    result = run_cli("export", str(exported), "--db", str(demo_db))
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in exported.iterdir()) == before
    assert not [p for p in exported.iterdir() if p.name.startswith(".")]


def test_export_refuses_a_missing_database(tmp_path):
    result = run_cli("export", str(tmp_path / "out"), "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1
    assert "does not exist: run 'migtrack crawl' or 'migtrack demo' first" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_committed_codebook_is_what_the_generator_writes(demo_db):
    db = sqlite_utils.Database(demo_db)
    current = render_codebook(db, describe_package(db, demo_db, VERSION))
    assert CODEBOOK.read_text(encoding="utf-8") == current, (
        "docs/codebook.md is out of date: run 'migtrack demo --no-serve --db /tmp/demo/migtrack.db' then "
        "'migtrack codebook --db /tmp/demo/migtrack.db --output docs/codebook.md'"
    )


def test_the_codebook_has_every_field_every_stance_and_every_flag_with_an_example(exported):
    text = CODEBOOK.read_text(encoding="utf-8")
    for table in PUBLIC_TABLES:
        assert f"### {table}" in text
        for column in exported_columns(table):
            assert f"| `{column}` |" in text, (table, column)
    for stance in STANCES.values():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{stance.name}` |"))
        assert f"| {stance.cameo} | {stance.plover} |" in row and "(none" not in row
    for flag in ("negated", "hedged", "confidence", "confidence_band"):
        section = text.split(f"### `{flag}`", 1)[1].split("###", 1)[0]
        assert "| actor | stance |" in section, flag
    assert (exported / "codebook.md").read_text(encoding="utf-8") == text


def _get(ds, path: str):
    async def fetch():
        return await ds.client.get(path)

    return asyncio.run(fetch())


def test_datasette_links_the_latest_export_for_download(demo_db, exported):
    ds = datasette_app(demo_db, exported)
    home = _get(ds, "/").text
    assert '<a href="/download/datapackage.json">Download this dataset</a>' in home
    assert '<a href="/download/events.parquet">Parquet</a>' in home
    package = _get(ds, "/download/datapackage.json")
    assert package.status_code == 200
    assert package.json() == json.loads((exported / "datapackage.json").read_text())
    assert _get(ds, "/download/positions.csv").content == (exported / "positions.csv").read_bytes()
    parquet = _get(ds, "/download/events.parquet")
    assert parquet.headers["content-type"] == "application/vnd.apache.parquet"
    assert parquet.content == (exported / "events.parquet").read_bytes()
    assert '<a href="/download/datapackage.json">Download this dataset</a>' in _get(ds, "/migtrack").text


def test_no_download_link_without_an_export(demo_db, tmp_path):
    home = _get(datasette_app(demo_db, tmp_path / "never-exported"), "/").text
    assert "Download this dataset" not in home
    assert _get(datasette_app(demo_db, tmp_path / "never-exported"), "/download/datapackage.json").status_code == 404


def test_migtrack_serve_offers_the_export_it_was_given(demo_db, exported):
    port = _free_port()
    with serving(datasette_command(demo_db, port, export_dir=exported), port) as base:
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            assert "/download/datapackage.json" in response.read().decode()
        with urllib.request.urlopen(f"{base}/download/CITATION.cff", timeout=10) as response:
            assert response.read() == (exported / "CITATION.cff").read_bytes()


def _serve_cli_says(*args: str) -> str:
    """What ``migtrack serve`` prints before Datasette's own lines, once it answers."""
    port = _free_port()
    command = [str(MIGTRACK), "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "migtrack serve did not answer"
                time.sleep(0.3)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    return stderr.splitlines()[0]


def test_migtrack_serve_says_whether_it_offers_an_export(demo_db, exported, tmp_path):
    offering = _serve_cli_says("--db", str(demo_db), "--export-dir", str(exported))
    assert offering.endswith(f"offering {exported}/ for download at /download/")
    missing = _serve_cli_says("--db", str(demo_db), "--export-dir", str(tmp_path / "none"))
    assert missing.endswith(f"no export in {tmp_path / 'none'}/ to offer for download: run 'migtrack export' first")
