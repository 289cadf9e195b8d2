"""Syndicated copies of one wire story, linked to one story id.

The same AP or Reuters story runs on many outlets with a different headline, a trimmed last
paragraph or an added local line. Word 5-shingles compared by MinHash (datasketch) find copies
whose texts mostly overlap; LSH keeps the lookup constant-time as the archive grows. The
signature is stored with the article, so later crawls match against earlier stories without
recomputing them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE = 5
# the permutation scheme is named, not left to the library's default: stored signatures are only
# comparable with signatures made by the same scheme, and datasketch 2 refuses to guess it
SCHEME = "affine32"
DTYPE = np.uint32
WORD = re.compile(r"\w+")
# drawn once from the fixed seed: every MinHash of ours has the same permutations, and drawing them again
# for each article was a tenth of the crawl's storage cost per page
PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def signature(text: str) -> MinHash:
    words = WORD.findall(text.lower())
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=PERMUTATIONS)
    shingles = [" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(max(1, len(words) - SHINGLE + 1))]
    minhash.update_batch(shingles)  # one call, not one per shingle: the crawl's largest cost otherwise
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(DTYPE).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(hashvalues=np.frombuffer(data, dtype=DTYPE), scheme=SCHEME, permutations=PERMUTATIONS)


class StoryIndex:
    """Article signatures by story; ``threshold`` is the estimated Jaccard similarity of shingles
    above which two articles are copies of one story. Headlines are part of the text, so a short
    story re-headlined and trimmed lands near 0.65; unrelated stories on one topic stay under 0.1."""

    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.story_of_article: dict[str, str] = {}
        self.signatures: dict[str, MinHash] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[dict], threshold: float = 0.5) -> StoryIndex:
        """From stored (id, story_id, minhash) rows."""
        index = cls(threshold)
        for row in rows:
            index.add(row["id"], row["story_id"] or row["id"], from_bytes(row["minhash"]))
        return index

    def story_for(self, article_id: str, minhash: MinHash) -> str:
        """The story an article belongs to: the story of a stored copy, else a new one (its own id)."""
        if article_id in self.story_of_article:
            return self.story_of_article[article_id]
        # LSH gives candidates; the estimated similarity confirms them, the closest copy wins
        scored = [(minhash.jaccard(self.signatures[c]), c) for c in self.lsh.query(minhash)]
        scored = [(score, c) for score, c in scored if score >= self.threshold]
        return self.story_of_article[max(scored)[1]] if scored else article_id

    def add(self, article_id: str, story_id: str, minhash: MinHash) -> None:
        if article_id not in self.story_of_article:
            self.lsh.insert(article_id, minhash)
            self.story_of_article[article_id] = story_id
            self.signatures[article_id] = minhash
