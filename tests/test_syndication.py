"""Syndicated copies of one wire story are linked to one story, each kept with its outlet; the raw
page is kept, compressed, for re-extraction; each scheduled cycle leaves a row in ``runs``."""

from __future__ import annotations

import zlib

import sqlite_utils

from demo.server import serve_site
from tests.conftest import run_cli

WIRE = (
    "PANAMA CITY (Wire) - Panama will receive migrants of other nationalities deported from the United "
    "States, President José Raúl Mulino said on Thursday, after a visit by Secretary of State Marco Rubio. "
    "The deportees, most of them from Asia, will be held at a camp near the Darién jungle until they can be "
    "flown to their home countries, officials said. Costa Rica agreed to a similar arrangement a day later. "
    "Human rights groups criticized the plan, saying the migrants had no access to lawyers. "
)
OTHER = (
    "Venezuela resumed repatriation flights from the United States on Monday after a pause of several "
    "weeks, the government in Caracas said, and a first plane carrying 190 migrants landed near the capital. "
) * 3


def _page(outlet: str, title: str, body: str) -> str:
    return (
        f"<html><head><title>{title} - {outlet}</title></head><body><nav>{outlet} | World | Business</nav>"
        f"<article><h1>{title}</h1><p>{body}</p></article><footer>(c) {outlet}</footer></body></html>"
    )


def test_wire_copies_share_a_story_and_runs_are_recorded(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text(_page("Daily A", "Panama to take U.S. deportees", WIRE))
    # the same wire copy, re-headlined, trimmed of its last sentence, with a local line added
    edited = WIRE.rsplit("Human rights", 1)[0] + "Local officials in our state were not consulted. "
    (site / "b.html").write_text(_page("Gazette B", "Panama agrees to receive deportees", edited))
    (site / "c.html").write_text(_page("Daily A", "Venezuela resumes flights", OTHER))
    with serve_site(site) as base:
        for name, links in (("a.rss", ["a.html", "c.html"]), ("b.rss", ["b.html"])):
            items = "".join(f"<item><title>{link}</title><link>{base}/{link}</link></item>" for link in links)
            (site / name).write_text(f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>')
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            f'[[feeds]]\nurl = "{base}/a.rss"\noutlet = "Daily A"\n\n'
            f'[[feeds]]\nurl = "{base}/b.rss"\noutlet = "Gazette B"\n'
        )
        db_path = tmp_path / "migtrack.db"
        result = run_cli("run", "--feeds", str(feeds), "--db", str(db_path))
    assert result.returncode == 0, result.stderr[-2000:]
    db = sqlite_utils.Database(db_path)
    rows = {r["url"].rsplit("/", 1)[1]: r for r in db.query("select url, outlet, story_id, raw_html from articles")}
    assert rows["a.html"]["story_id"] == rows["b.html"]["story_id"]
    assert rows["c.html"]["story_id"] != rows["a.html"]["story_id"]
    assert (rows["a.html"]["outlet"], rows["b.html"]["outlet"]) == ("Daily A", "Gazette B")
    assert b"Panama to take U.S. deportees" in zlib.decompress(rows["a.html"]["raw_html"])
    (run,) = db.query("select * from runs")
    assert (run["status"], run["feeds_read"], run["articles_new"], run["feeds_failed"]) == (0, 2, 3, 0)
    assert run["positions_new"] >= 1 and run["ended"] >= run["started"]
