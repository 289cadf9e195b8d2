"""Reading a whole JSON Lines file, with errors that name the file and the line."""

from __future__ import annotations

import json
from importlib.resources.abc import Traversable
from pathlib import Path


def load_jsonl(path: str | Path | Traversable) -> list[dict]:
    """Every non-blank line of ``path`` as JSON; a bad line raises ValueError saying where it is.

    ``path`` may be a file inside a zip (``importlib.resources``), as the lexicons are in a deployed egg.
    """
    rows = []
    text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON: {error}") from error
    return rows
