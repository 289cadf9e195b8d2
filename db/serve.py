"""Publish the database with Datasette, read-only, with the project's metadata."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DATASETTE_DIR = Path(__file__).parent / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,
    "max_returned_rows": 1000,
    "allow_download": False,
}


def datasette_command(db_path: str | Path, port: int, host: str = "127.0.0.1") -> list[str]:
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(METADATA),
        "--host",
        host,
        "--port",
        str(port),
    ]
    for key, value in SETTINGS.items():
        command += ["--setting", key, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return command


def serve(db_path: str | Path, port: int, host: str = "127.0.0.1") -> int:
    """Run Datasette in the foreground until interrupted; returns its exit status."""
    try:
        return subprocess.call(datasette_command(db_path, port, host), env=os.environ.copy())
    except KeyboardInterrupt:
        return 0
