"""Publish the database with Datasette, read-only, with the project's metadata, templates and plugins.

``datasette_command`` (a real server) and ``datasette_app`` (in-process, for tests and scripts) are
built from the same constants, so what the tests see is what ``migtrack serve`` publishes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

DATASETTE_DIR = Path(__file__).parent / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
TEMPLATES = DATASETTE_DIR / "templates"  # pages/timeline.html is served at /timeline
PLUGINS = DATASETTE_DIR / "plugins"  # the timeline page's geometry
DEFAULT_NAME = "migtrack"  # the database metadata.yml describes: data/migtrack.db
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,
    "max_returned_rows": 1000,
    "allow_download": False,
}


def metadata_for(db_path: str | Path) -> dict:
    """The project's metadata for a database file of any name.

    Datasette names a database after its file, and ``metadata.yml`` describes the one called
    ``migtrack``: served as ``news.db``, the tables lost their descriptions and canned queries and
    /timeline found no query (issue 14). The metadata is keyed, and its links written, by the file's name.
    """
    name = Path(db_path).stem
    text = METADATA.read_text(encoding="utf-8")
    if name == DEFAULT_NAME:
        return yaml.safe_load(text)
    metadata = yaml.safe_load(text.replace(f"/{DEFAULT_NAME}/", f"/{name}/"))
    metadata["databases"] = {name: metadata["databases"].pop(DEFAULT_NAME)}
    return metadata


def metadata_file(db_path: str | Path) -> Path:
    """``metadata.yml`` itself for ``migtrack.db``; for another name, the same metadata written to a file of
    its own in the temporary directory, for ``datasette serve --metadata``."""
    name = Path(db_path).stem
    if name == DEFAULT_NAME:
        return METADATA
    path = Path(tempfile.gettempdir()) / f"migtrack-metadata-{name}.json"
    path.write_text(json.dumps(metadata_for(db_path)), encoding="utf-8")
    return path


def datasette_command(
    db_path: str | Path,
    port: int,
    host: str = "127.0.0.1",
    *,
    immutable: bool = False,
    inspect_file: str | Path | None = None,
) -> list[str]:
    """The ``datasette serve`` command line.

    ``immutable`` opens the file as a published snapshot (``-i``: no locking, no change detection);
    ``inspect_file`` is the JSON ``datasette inspect`` wrote for it, so table counts are not recomputed
    at start-up (docs/publishing.md).
    """
    command = [sys.executable, "-m", "datasette", "serve", *(["-i"] if immutable else []), str(db_path)]
    metadata = metadata_file(db_path)
    command += ["--metadata", str(metadata), "--template-dir", str(TEMPLATES), "--plugins-dir", str(PLUGINS)]
    command += ["--host", host, "--port", str(port)]
    if inspect_file is not None:
        command += ["--inspect-file", str(inspect_file)]
    for key, value in SETTINGS.items():
        command += ["--setting", key, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return command


def datasette_app(db_path: str | Path):
    """The Datasette ``datasette_command`` serves, in this process (use its ``.client``)."""
    from datasette.app import Datasette

    return Datasette(
        [str(db_path)],
        metadata=metadata_for(db_path),
        settings=dict(SETTINGS),
        template_dir=str(TEMPLATES),
        plugins_dir=str(PLUGINS),
    )


def serve(db_path: str | Path, port: int, host: str = "127.0.0.1") -> int:
    """Run Datasette in the foreground until interrupted; returns its exit status."""
    try:
        return subprocess.call(datasette_command(db_path, port, host), env=os.environ.copy())
    except KeyboardInterrupt:
        return 0
