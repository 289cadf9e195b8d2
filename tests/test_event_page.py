"""An event's page lists its reports oldest first with their sentences, and links a denial both ways; the
timeline rings contested marks. Real SQLite file, real Datasette with the project's templates and plugins."""

from __future__ import annotations

import asyncio

import sqlite_utils

from db.schema import ensure_schema
from db.serve import datasette_app
from pipeline.events import build_events


def _report(db, article_id, published, outlet, evidence, negated=0):
    db["articles"].insert({"id": article_id, "url": f"https://example.org/{article_id}", "published": published,
                           "outlet": outlet, "title": f"Story {article_id}"})  # fmt: skip
    db["positions"].insert({"id": f"p-{article_id}", "article_id": article_id, "actor": "UGA", "stance": "agree",
                            "counterpart": "USA", "negated": negated, "evidence": evidence, "start": 0})  # fmt: skip


def _get(app, path):
    async def fetch():
        return await app.client.get(path)

    return asyncio.run(fetch())


def test_the_event_page_lists_reports_oldest_first_and_links_the_denial(tmp_path):
    path = tmp_path / "migtrack.db"
    db = sqlite_utils.Database(path)
    ensure_schema(db)
    _report(db, "b", "2025-08-21T12:00:00", "TRT World", "Uganda has reached a deal with Washington.")
    _report(db, "a", "2025-08-21T07:00:00", "Newsmax", "Uganda has struck a deal with the United States.")
    _report(db, "d", "2025-08-20", "TimesLIVE", "Uganda has not agreed to take deportees, a minister said.", 1)
    assert build_events(db) == 2
    (deal,) = db.query("select id, contradicted_by from events where negated = 0")
    db.close()
    app = datasette_app(path)
    page = _get(app, f"/migtrack/events/{deal['id']}").text
    assert "Reports, oldest first (2)" in page
    reports = page[page.index("Reports, oldest first") :]
    assert reports.index("Uganda has struck a deal") < reports.index("Uganda has reached a deal")  # 07:00 first
    assert f"/migtrack/events/{deal['contradicted_by']}" in page
    denial = _get(app, f"/migtrack/events/{deal['contradicted_by']}").text
    assert "This denial contradicts" in denial and f"/migtrack/events/{deal['id']}" in denial
    timeline = _get(app, "/timeline").text
    assert timeline.count('class="contested-ring"') == 2
    assert "contradicted by a denial" in timeline
