"""Publish the database with Datasette, read-only, with the project's metadata, templates and plugins.

``datasette_command`` (a real server) and ``datasette_app`` (in-process, for tests and scripts) are
built from the same constants, so what the tests see is what ``migtrack serve`` publishes.
"""

from __future__ import annotations

import html
import json
import os
import signal
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
EXPORT_MOUNT = "download"  # an export directory is served at /download/ (datasette --static)
PACKAGE = "datapackage.json"
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,
    "max_returned_rows": 1000,
    "allow_download": False,
}


def default_export_dir(db_path: str | Path) -> Path:
    """Where ``migtrack export`` writes, and ``migtrack serve`` looks for, a database's data package:
    beside it, named after it (data/migtrack.db: data/migtrack-export/), so two databases in one folder
    never link each other's export."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}-export")


def published_export(export_dir: str | Path | None) -> Path | None:
    """The export directory when it holds a finished package (``datapackage.json`` is written last)."""
    if export_dir is None or not (Path(export_dir) / PACKAGE).is_file():
        return None
    return Path(export_dir)


def metadata_for(db_path: str | Path, export_dir: str | Path | None = None) -> dict:
    """The project's metadata for a database file of any name, with a link to its latest export if any.

    Datasette names a database after its file, and ``metadata.yml`` describes the one called
    ``migtrack``: served as ``news.db``, the tables lost their descriptions and canned queries and
    /timeline found no query (issue 14). The metadata is keyed, and its links written, by the file's name.
    """
    name = Path(db_path).stem
    text = METADATA.read_text(encoding="utf-8")
    metadata = yaml.safe_load(text if name == DEFAULT_NAME else text.replace(f"/{DEFAULT_NAME}/", f"/{name}/"))
    metadata["databases"] = {name: metadata["databases"].pop(DEFAULT_NAME)}
    export = published_export(export_dir)
    if export is not None:  # on the home page and on the database's page
        download = download_html(export)
        metadata["description_html"] += "\n" + download
        metadata["databases"][name]["description_html"] = download
    return metadata


def download_html(export_dir: Path) -> str:
    """The home page's "download this dataset" paragraph: the package, its codebook and citation, and each
    table as CSV and Parquet, named from the package's own descriptor."""
    descriptor = json.loads((export_dir / PACKAGE).read_text(encoding="utf-8"))

    def link(path: str, text: str) -> str:
        return f'<a href="/{EXPORT_MOUNT}/{html.escape(path)}">{html.escape(text)}</a>'

    tables = [
        f"{html.escape(r['name'])} ({link(r['path'], 'CSV')}, {link(r['parquet'], 'Parquet')})"
        for r in descriptor["resources"]
    ]
    coverage = descriptor.get("temporal", {})
    return (
        f"<p><strong>{link(PACKAGE, 'Download this dataset')}</strong> (Frictionless Data Package exported "
        f"{html.escape(str(descriptor.get('created', ''))[:10])}, articles published "
        f"{html.escape(str(coverage.get('start')))} to {html.escape(str(coverage.get('end')))}; "
        f"{link('codebook.md', 'codebook')}, {link('CITATION.cff', 'how to cite')}): {', '.join(tables)}.</p>"
    )


def metadata_file(db_path: str | Path, export_dir: str | Path | None = None) -> Path:
    """``metadata.yml`` itself for ``migtrack.db`` without an export; otherwise the same metadata written to
    a file of its own in the temporary directory, for ``datasette serve --metadata``."""
    name = Path(db_path).stem
    if name == DEFAULT_NAME and published_export(export_dir) is None:
        return METADATA
    path = Path(tempfile.gettempdir()) / f"migtrack-metadata-{name}.json"
    path.write_text(json.dumps(metadata_for(db_path, export_dir)), encoding="utf-8")
    return path


def datasette_command(
    db_path: str | Path,
    port: int,
    host: str = "127.0.0.1",
    *,
    immutable: bool = False,
    inspect_file: str | Path | None = None,
    export_dir: str | Path | None = None,
) -> list[str]:
    """The ``datasette serve`` command line.

    ``immutable`` opens the file as a published snapshot (``-i``: no locking, no change detection);
    ``inspect_file`` is the JSON ``datasette inspect`` wrote for it, so table counts are not recomputed
    at start-up (docs/publishing.md). ``export_dir``, when it holds a package, is served at /download/ and
    linked from the home page; a later export into it replaces the files served.
    """
    command = [sys.executable, "-m", "datasette", "serve", *(["-i"] if immutable else []), str(db_path)]
    metadata = metadata_file(db_path, export_dir)
    command += ["--metadata", str(metadata), "--template-dir", str(TEMPLATES), "--plugins-dir", str(PLUGINS)]
    export = published_export(export_dir)
    if export is not None:
        command += ["--static", f"{EXPORT_MOUNT}:{export}"]
    command += ["--host", host, "--port", str(port)]
    if inspect_file is not None:
        command += ["--inspect-file", str(inspect_file)]
    for key, value in SETTINGS.items():
        command += ["--setting", key, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return command


def datasette_app(db_path: str | Path, export_dir: str | Path | None = None):
    """The Datasette ``datasette_command`` serves, in this process (use its ``.client``)."""
    from datasette.app import Datasette

    export = published_export(export_dir)
    return Datasette(
        [str(db_path)],
        metadata=metadata_for(db_path, export),
        settings=dict(SETTINGS),
        template_dir=str(TEMPLATES),
        plugins_dir=str(PLUGINS),
        static_mounts=[(EXPORT_MOUNT, str(export))] if export is not None else None,
    )


def serve(db_path: str | Path, port: int, host: str = "127.0.0.1", export_dir: str | Path | None = None) -> int:
    """Run Datasette in the foreground until interrupted; returns its exit status.

    Datasette ends with this process: on Ctrl-C the terminal interrupts both, and on SIGTERM (``kill``, a
    service manager stopping only the main process) it is stopped here; before, a terminated ``migtrack
    serve`` left Datasette running, holding its port."""
    process = subprocess.Popen(datasette_command(db_path, port, host, export_dir=export_dir), env=os.environ.copy())
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
