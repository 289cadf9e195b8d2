#!/usr/bin/env python3
"""Describe labelled sets as Markdown tables: sizes per file, positions per stance, actors, outlets, years.

    python gold/describe.py gold/real/en_train.jsonl gold/real/en_dev.jsonl gold/real/en_test.jsonl

The tables in gold/README.md are this script's output.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

STANCES = ("accept", "refuse", "agree", "propose", "negotiate", "suspend", "resume", "consider", "demand", "threaten")


def read(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows])


def main(paths: list[str]) -> int:
    if not paths:
        sys.exit(__doc__)
    sets = {Path(p).stem: read(p) for p in paths}
    everything = [item for items in sets.values() for item in items]
    rows = []
    for name, items in sets.items():
        positions = [p for i in items for p in i["positions"]]
        rows.append([name, len(items), len({i["source_url"] for i in items}), len({i["outlet"] for i in items}),
                     f"{sum(not i['positions'] for i in items) / len(items):.0%}", len(positions),
                     sum(p["negated"] for p in positions), sum(p["hedged"] for p in positions)])  # fmt: skip
    print(table(["file", "sentences", "pages", "outlets", "no position", "positions", "negated", "hedged"], rows))
    print()
    per_stance = {name: Counter(p["stance"] for i in items for p in i["positions"]) for name, items in sets.items()}
    print(table(["stance", *sets, "all"], [[s, *(per_stance[n][s] for n in sets), sum(per_stance[n][s] for n in sets)]
                                           for s in STANCES]))  # fmt: skip
    print()
    actors = Counter(p["actor"] for i in everything for p in i["positions"])
    print(table(["actor", "positions"], [[a, n] for a, n in actors.most_common(15)]))
    print()
    outlets = Counter(i["outlet"] for i in everything)
    print(table(["outlet", "sentences"], [[o, n] for o, n in outlets.most_common(10)]))
    print()
    years = Counter((i.get("published") or "unknown")[:4] for i in everything)
    print(table(["year", "sentences"], [[y, years[y]] for y in sorted(years)]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
