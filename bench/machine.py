"""The machine a benchmark ran on: its figures are only comparable with it."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path


def describe(**versions: str) -> dict:
    """CPU count and model, Python, the given library versions, load average and date."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        **versions,
        "load_average_at_start": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
