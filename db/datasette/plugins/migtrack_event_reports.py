"""An event's page lists its reports in date order, each with its evidence, and the events it contradicts.

Datasette's row page for ``events`` shows the row; this adds, through ``templates/row.html`` (which extends
Datasette's own), the positions of the event with their article's date, outlet, link and sentence, oldest
first, so a researcher sees who reported it when and in which words, and the denial it carries (issue 12).
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_decode

REPORTS_SQL = """
select a.published, a.outlet, a.url, a.title, p.evidence, p.counterpart, p.confidence
from positions p join articles a on a.id = p.article_id
where p.event_id = :event
order by coalesce(a.published, a.fetched_at), a.id, p.start
"""
LINKS_SQL = "select contradicts, contradicted_by from events where id = :event"


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "events" or request is None:
        return None

    async def inner():
        event = tilde_decode(request.url_vars.get("pks", ""))
        db = datasette.get_database(database)
        reports = [dict(row) for row in (await db.execute(REPORTS_SQL, {"event": event})).rows]
        links = (await db.execute(LINKS_SQL, {"event": event})).first()
        related = {
            name: datasette.urls.row(database, "events", links[name])
            for name in ("contradicts", "contradicted_by")
            if links is not None and links[name]
        }
        return {"event_reports": reports, "event_links": related}

    return inner
