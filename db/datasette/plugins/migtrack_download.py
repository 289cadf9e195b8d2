"""Media types for the files of a ``migtrack export`` served at /download/ (db/serve.py).

Datasette serves static files with the type ``mimetypes`` guesses and ``text/plain`` for what it does not
know, so a browser showed a Parquet file as text instead of saving it.
"""

from __future__ import annotations

import mimetypes

from datasette import hookimpl

TYPES = {".parquet": "application/vnd.apache.parquet", ".cff": "application/x-yaml", ".md": "text/markdown"}


@hookimpl
def startup(datasette):
    for suffix, media_type in TYPES.items():
        mimetypes.add_type(media_type, suffix)
