#!/usr/bin/env python3
"""Split labelled sentences from real reporting into train, dev and test, by source page.

    python gold/split_by_page.py OUT_PREFIX FILE.jsonl [FILE.jsonl ...]

Every sentence of one page (``source_url``) goes to the same split, so the test split measures reading
pages the extractor has never seen. The split is a hash of the page's URL (about 60% train, 20% dev,
20% test), so it is the same on every run and for every file a page appears in, and running the script
on its own output gives the same files. Lines are kept as they are, in input order; writes
``OUT_PREFIX_train.jsonl``, ``OUT_PREFIX_dev.jsonl`` and ``OUT_PREFIX_test.jsonl`` and prints the counts.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

SPLITS = (("train", 60), ("dev", 20), ("test", 20))


def split_of(source_url: str) -> str:
    bucket = int(hashlib.sha1(source_url.encode("utf-8")).hexdigest(), 16) % 100
    for name, share in SPLITS:
        if bucket < share:
            return name
        bucket -= share
    raise AssertionError("shares add up to 100")


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        sys.exit(__doc__)
    prefix, files = argv[1], argv[2:]
    out: dict[str, list[str]] = {name: [] for name, _ in SPLITS}
    seen: set[str] = set()
    for path in files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item["id"] in seen:
                sys.exit(f"{path}: id {item['id']} appears twice")
            seen.add(item["id"])
            out[split_of(item["source_url"])].append(json.dumps(item, ensure_ascii=False))
    for name, lines in out.items():
        Path(f"{prefix}_{name}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        pages = {json.loads(line)["source_url"] for line in lines}
        print(f"{prefix}_{name}.jsonl: {len(lines)} sentences from {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
