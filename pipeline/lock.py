"""One cycle at a time per database: an advisory lock on a file beside it.

The lock is released by the operating system when the process ends, however it ends, so a killed
cycle never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class CycleRunning(Exception):
    """Another migtrack cycle holds the lock on this database."""


@contextmanager
def cycle_lock(db_path: str | Path) -> Iterator[Path]:
    path = Path(f"{db_path}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise CycleRunning(
                f"another migtrack cycle is running on {db_path} (lock {path} is held); try again when it ends"
            ) from error
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(handle)
