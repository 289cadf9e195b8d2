"""migtrack fetch --urls: a URL list (ours, GDELT's or Media Cloud's CSV) fetched by the crawl."""

from __future__ import annotations

import os
import subprocess

import sqlite_utils

from tests.conftest import MIGTRACK, REPO, run_cli
from tests.hostile.server import hostile_server, static, url
from tests.test_reliability_inputs import page

STORY = "Guatemala agreed on Monday to receive more deportation flights from the United States, officials said. " * 4


def _fetch(tmp_path, csv_text: str, server, name: str = "list.csv"):
    """``migtrack fetch`` with the hostile server as its proxy, which answers for the made-up hosts."""
    listing = tmp_path / name
    listing.write_text(csv_text, encoding="utf-8")
    env = {**os.environ, "http_proxy": server.base, "no_proxy": ""}
    return subprocess.run(
        [str(MIGTRACK), "fetch", "--urls", str(listing), "--db", str(tmp_path / "m.db")],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )  # fmt: skip


def test_a_url_list_is_fetched_with_its_outlets_and_dates_and_its_bad_rows_recorded(tmp_path):
    with hostile_server() as server:
        server.route(url("wire", "/guatemala.html"), static(page("Guatemala takes flights", STORY)))
        server.route(url("wire", "/gone.html"), static("<html><body>gone</body></html>", status=404))
        rows = [
            "url,outlet,published,language",
            f"{url('wire', '/guatemala.html')},Prensa Test,2019-07-26,en",
            f"{url('wire', '/guatemala.html')}?utm_source=x,Prensa Test,2019-07-26,en",  # the same article
            f"{url('wire', '/gone.html')},Prensa Test,,",
            "javascript:alert(1),Prensa Test,,",
            "http://169.254.169.254/latest/meta-data/,Metadata,,",  # the cloud's metadata address
        ]
        first = _fetch(tmp_path, "\n".join(rows) + "\n", server)
        assert first.returncode == 0, first.stderr[-3000:]
        assert "fetch: 5 rows; 1 new articles, 0 unchanged; 3 failures recorded" in first.stderr
        again = _fetch(tmp_path, "\n".join(rows) + "\n", server)
        assert "fetch: 5 rows; 0 new articles" in again.stderr, again.stderr[-2000:]
        assert server.hits[("wire.hostile.example", "/guatemala.html")] == 1  # stored: not fetched again
    db = sqlite_utils.Database(tmp_path / "m.db")
    (article,) = db.query("select url, outlet, published, language, source, feed_url from articles")
    assert article == {
        "url": url("wire", "/guatemala.html"),
        "outlet": "Prensa Test",
        "published": "2019-07-26",
        "language": "en",
        "source": "list.csv",
        "feed_url": None,
    }
    errors = {r["url"]: (r["stage"], r["error"]) for r in db.query("select url, stage, error from failures")}
    assert errors == {
        url("wire", "/gone.html"): ("fetch", "HTTP 404"),
        "javascript:alert(1)": ("link", "not an http(s) link: 'javascript:alert(1)'"),
        "http://169.254.169.254/latest/meta-data/": ("link", "private address refused"),
    }
    assert db["feeds"].count == 0


def test_gdelt_and_media_cloud_exports_load_as_they_are(tmp_path):
    gdelt = (
        "URL,MobileURL,Title,SeenDate,Domain,Language,SourceCountry\n"
        f"{url('gdelt', '/a.html')},,Guatemala takes flights,20190726T101500Z,gdelt.hostile.example,Spanish,Guatemala\n"
    )
    media_cloud = (
        "id,indexed_date,language,media_name,media_url,publish_date,title,url\n"
        f"7,2019-07-27 00:00:00,en,Wire Test,wire.example,2019-07-26 08:00:00,Guatemala,{url('mc', '/b.html')}\n"
    )
    spanish = "El gobierno de Guatemala aceptó recibir más vuelos de deportación de Estados Unidos, dijeron. " * 4
    with hostile_server() as server:
        server.route(url("gdelt", "/a.html"), static(page("Guatemala acepta vuelos", spanish)))
        server.route(url("mc", "/b.html"), static(page("Guatemala takes flights", STORY)))
        for name, text in (("gdelt.csv", gdelt), ("media-cloud.csv", media_cloud)):
            result = _fetch(tmp_path, text, server, name)
            assert "1 new articles" in result.stderr, result.stderr[-3000:]
    rows = {r["source"]: r for r in sqlite_utils.Database(tmp_path / "m.db").query("select * from articles")}
    assert (rows["gdelt.csv"]["outlet"], rows["gdelt.csv"]["language"]) == ("gdelt.hostile.example", "es")
    assert rows["gdelt.csv"]["published"] == "2019-07-26T10:15:00+00:00"
    assert (rows["media-cloud.csv"]["outlet"], rows["media-cloud.csv"]["published"]) == (
        "Wire Test",
        "2019-07-26T08:00:00",
    )


def test_a_file_without_a_url_column_is_a_clear_error(tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text("name,when\nx,y\n")
    result = run_cli("fetch", "--urls", str(listing), "--db", str(tmp_path / "m.db"))
    assert result.returncode == 1
    assert "no URL column (looked for url, link, mobileurl, url_mobile; found name, when)" in result.stderr
