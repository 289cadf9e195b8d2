"""The published tables as a Frictionless Data Package researchers can cite and load.

``export_package`` writes one CSV per public table with a Parquet copy beside it, ``datapackage.json``
(schemas, keys, licence, sources, extractor version, date range), ``CITATION.cff`` and ``codebook.md``.
Every description comes from ``db/datasette/metadata.yml`` through ``db.serve.metadata_for``, and every
type, key and column from ``db.schema.TABLES``, so the released files and the Datasette publication
never disagree (ARCHITECTURE.md, "Exports follow research-data conventions").
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlite_utils
import yaml

from db.codebook import render_codebook
from db.schema import TABLES
from db.serve import metadata_for

# The tables a researcher needs, in the order a reader meets them; the others (feeds, runs, failures,
# entities, article_urls) describe the crawl, not the findings.
PUBLIC_TABLES = ("events", "positions", "articles", "countries", "stances", "outlets")
# Kept out of every export: a signature and the fetched page, both for re-processing, not reading.
INTERNAL_COLUMNS = {"articles": ("minhash", "raw_html")}
# The articles' full text is their publishers'; it is exported only when asked for (--with-text).
TEXT_COLUMNS = {"articles": ("text",)}
FLAGS = ("negated", "hedged")  # 0 or 1
ID_DESCRIPTION = "Row identifier (a hash of its content)."
FIELD_TYPES = {str: "string", int: "integer", float: "number"}
ARROW_TYPES = {str: pa.string(), int: pa.int64(), float: pa.float64()}
BATCH_ROWS = 10_000
DESCRIPTOR = "datapackage.json"
CITATION = "CITATION.cff"
CODEBOOK = "codebook.md"
TAG = re.compile(r"<[^>]+>")


@dataclass
class ExportSummary:
    directory: Path
    rows: dict[str, int]
    date_range: tuple[str | None, str | None]


def exported_columns(table: str, with_text: bool = False) -> list[str]:
    """The columns of ``table`` in the package, in the schema's order."""
    left_out = INTERNAL_COLUMNS.get(table, ()) + (() if with_text else TEXT_COLUMNS.get(table, ()))
    return [column for column in TABLES[table]["columns"] if column not in left_out]


def describe_package(db: sqlite_utils.Database, db_path: str | Path, extractor: str, with_text: bool = False) -> dict:
    """The ``datapackage.json`` descriptor of the database's public tables.

    ``extractor`` is the extractor's code version (``pipeline.extract.VERSION``); the full versions that
    produced the rows (code plus a hash of the lexicons) are listed beside it, read from the rows.
    """
    metadata = metadata_for(db_path)
    described = metadata["databases"][Path(db_path).stem]["tables"]
    start, end = date_range(db)
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "migtrack",
        "title": "migtrack: positions of countries on deportations, as reported in the news",
        # the first paragraph: the others guide a reader around the Datasette pages
        "description": " ".join(html.unescape(TAG.sub("", metadata["description_html"].split("</p>")[0])).split()),
        "version": datetime.now(UTC).strftime("%Y.%m.%d"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "homepage": metadata["source_url"],
        "licenses": [{"path": metadata["license_url"], "title": metadata["license"]}],
        "sources": [
            {"title": row["outlet"], "path": row["url"]}
            for row in db.query("select outlet, url from feeds where outlet is not null order by outlet, url")
        ],
        "keywords": ["deportation", "migration diplomacy", "event data", "CAMEO", "PLOVER", "news"],
        "temporal": {"start": start, "end": end, "of": "articles.published"},
        "extractor": {
            "version": extractor,
            "versions_in_rows": [
                row["extractor_version"]
                for row in db.query(
                    "select distinct extractor_version from positions where extractor_version is not null order by 1"
                )
            ],
        },
        "resources": [_resource(table, described[table], with_text) for table in PUBLIC_TABLES],
    }


def _resource(table: str, described: dict, with_text: bool) -> dict:
    spec = TABLES[table]
    fields = []
    for column in exported_columns(table, with_text):
        field = {
            "name": column,
            "type": FIELD_TYPES[spec["columns"][column]],
            # metadata.yml describes every column but some ids (tests/test_datasette.py checks it)
            "description": described["columns"][column]
            if column != "id"
            else described["columns"].get("id", ID_DESCRIPTION),
        }
        if column in FLAGS:
            field["constraints"] = {"enum": [0, 1]}
        fields.append(field)
    schema: dict = {"fields": fields, "primaryKey": [spec["pk"]], "missingValues": [""]}
    keys = [
        {"fields": [column], "reference": {"resource": other, "fields": [other_column]}}
        for column, other, other_column in spec.get("foreign_keys", [])
        if other in PUBLIC_TABLES
    ]
    if keys:
        schema["foreignKeys"] = keys
    return {
        "name": table,
        "path": f"{table}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": " ".join(described["description"].split()),
        "parquet": f"{table}.parquet",
        "schema": schema,
    }


def date_range(db: sqlite_utils.Database) -> tuple[str | None, str | None]:
    """The first and last day articles were published (YYYY-MM-DD), or (None, None) when none has a date."""
    row = db.execute("select min(substr(published, 1, 10)), max(substr(published, 1, 10)) from articles").fetchone()
    return row[0], row[1]


def export_package(
    db_path: str | Path, directory: str | Path, extractor: str, with_text: bool = False
) -> ExportSummary:
    """Write the package into ``directory`` (created if needed; earlier exports there are replaced).

    Each file is written beside its final name and moved into place, ``datapackage.json`` last, so a
    Datasette serving the directory never hands out half a file.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(db_path)
    try:
        descriptor = describe_package(db, db_path, extractor, with_text)
        rows = {table: _write_table(db, table, directory, with_text) for table in PUBLIC_TABLES}
        with _replacing(directory / CODEBOOK) as path:
            path.write_text(render_codebook(db, descriptor), encoding="utf-8")
        with _replacing(directory / CITATION) as path:
            path.write_text(citation(descriptor), encoding="utf-8")
        with _replacing(directory / DESCRIPTOR) as path:
            path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    finally:
        db.close()
    return ExportSummary(directory, rows, (descriptor["temporal"]["start"], descriptor["temporal"]["end"]))


def _write_table(db: sqlite_utils.Database, table: str, directory: Path, with_text: bool) -> int:
    """One pass over the table, in primary-key order, into its CSV and its Parquet file."""
    columns = exported_columns(table, with_text)
    types = TABLES[table]["columns"]
    schema = pa.schema([(column, ARROW_TYPES[types[column]]) for column in columns])
    select = ", ".join(f"[{column}]" for column in columns)  # names from db.schema, never from input
    cursor = db.execute(f"select {select} from [{table}] order by [{TABLES[table]['pk']}]")
    count = 0
    with (
        _replacing(directory / f"{table}.csv") as csv_path,
        _replacing(directory / f"{table}.parquet") as parquet_path,
        open(csv_path, "w", encoding="utf-8", newline="") as handle,
        pq.ParquetWriter(parquet_path, schema) as parquet,
    ):
        writer = csv.writer(handle)
        writer.writerow(columns)
        while batch := cursor.fetchmany(BATCH_ROWS):
            writer.writerows(batch)
            by_column = [list(values) for values in zip(*batch, strict=True)]
            parquet.write_batch(pa.RecordBatch.from_arrays(by_column, schema=schema))
            count += len(batch)
    return count


@contextmanager
def _replacing(final: Path) -> Iterator[Path]:
    """A temporary path beside ``final``, moved over it when the block succeeds, removed when it fails."""
    temporary = final.with_name(f".{final.name}.partial")
    try:
        yield temporary
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def citation(descriptor: dict) -> str:
    """``CITATION.cff`` (Citation File Format 1.2.0) for this export of the dataset."""
    start, end = descriptor["temporal"]["start"], descriptor["temporal"]["end"]
    licence = descriptor["licenses"][0]
    cff = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below, and cite each row's article as its source "
        "(docs/citing.md).",
        "type": "dataset",
        "title": descriptor["title"],
        "abstract": f"{descriptor['description']} Articles published from {start} to {end}; "
        f"extractor {descriptor['extractor']['version']}.",
        "authors": [{"name": "migtrack contributors"}],
        "version": descriptor["version"],
        "date-released": descriptor["created"][:10],
        "url": descriptor["homepage"],
        "license-url": licence["path"],
        "keywords": descriptor["keywords"],
    }
    return yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=120)
