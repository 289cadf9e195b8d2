"""WARC files made from the demo corpus, for the tests, the benchmark and the worked example of
docs/backfill.md: the demo's articles (rewritten from real reporting) among generated pages on other
news, some of them traps for the prefilter (bird and database migration, Spanish sports pages, a menu
that links to an "Immigration" section).

Written by hand, one gzip member per record as archives are, so the tests can also write the damage
real archives have (a member cut short, headers that do not parse).
"""

from __future__ import annotations

import json
import random
import uuid
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from demo.server import PLACEHOLDER, SITE_DIR

BASE = "https://news.example"
TOPICS = {
    "sports": "The {team} beat their rivals {score} on {day}, with a late goal from the captain before a full stadium.",
    "markets": "Shares in {company} rose {pct} percent on {day} after quarterly earnings beat analysts' forecasts.",
    "weather": "Forecasters expect heavy rain across the region on {day}, with temperatures falling to {pct} degrees.",
    "culture": "The festival opened on {day} with a new production that critics called {adjective} and daring.",
    "technology": "{company} unveiled a new phone on {day}, promising a battery that lasts {pct} hours.",
}
TRAPS = {
    "birds": (
        "Millions of monarch butterflies and migratory birds began their annual migration to Mexico on {day}. "
        "Bird watchers counted {pct} species along the flyway, and wildlife officials said the migration of the "
        "songbirds was early this year."
    ),
    "database": (
        "Our engineers finished the database migration to Postgres on {day}. The schema migration took {pct} "
        "hours, and the data migration from the legacy system in the Mexico City office went without downtime."
    ),
    # a page that names a country and links to an "Immigration" section, on another subject
    "menu": (
        "<nav><a href='/immigration/'>Immigration</a></nav> Mexico City hosted a jazz festival on {day}, "
        "with {pct} bands on three stages."
    ),
    "deportes": (
        "Deportes: México venció {score} a Guatemala el {day} en el estadio Azteca, y la afición celebró el pase "
        "a la final de la Copa Oro."
    ),
}
WORDS = ("the", "a", "of", "and", "to", "in", "said", "on", "for", "with", "at", "by", "from", "new", "year")
SECTIONS = ("world", "politics", "sports", "business")


def demo_articles() -> list[tuple[str, bytes]]:
    """The demo corpus's article pages as (URL, HTML), with the placeholder filled in as ``BASE``."""
    pages = []
    for path in sorted(SITE_DIR.rglob("*.html")):
        if path.name == "index.html" or path.parent == SITE_DIR or "topics" in path.parts:
            continue
        url = f"{BASE}/{path.relative_to(SITE_DIR).as_posix()}"
        pages.append((url, path.read_text(encoding="utf-8").replace(PLACEHOLDER, BASE).encode("utf-8")))
    return pages


def other_page(rng: random.Random, topic: str, size: int) -> bytes:
    """A news page of about ``size`` bytes on ``topic`` (a key of TOPICS or TRAPS), made as news pages are:
    most of the bytes are script (the page's state as JSON), around a story of a few hundred words, a menu
    and a list of related links."""
    template = TOPICS.get(topic) or TRAPS[topic]
    values = {
        "team": rng.choice(["Lions", "Harriers", "Rovers"]),
        "score": f"{rng.randint(0, 4)}-{rng.randint(0, 3)}",
        "day": rng.choice(["Monday", "Tuesday", "Friday"]),
        "company": rng.choice(["Acme", "Globex", "Initech"]),
        "pct": rng.randint(2, 40),
        "adjective": rng.choice(["bold", "tender", "uneven"]),
    }
    menu = "".join(f'<li><a href="{BASE}/{s}/">{s.title()}</a></li>' for s in SECTIONS)
    story = "".join(f"<p>{template.format(**values)} {' '.join(rng.choices(WORDS, k=40))}.</p>" for _ in range(6))
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{topic.title()} news</title>'
        f'<meta property="article:published_time" content="2019-01-2{rng.randint(0, 8)}T08:00:00Z">'
        f'<script>window.config = {{"tracking": true, "region": "us"}};</script></head>'
        f"<body><nav><ul>{menu}</ul></nav><article><h1>{topic.title()} today</h1>{story}</article>"
    )
    related = "".join(
        f'<li><a href="{BASE}/{topic}/{rng.randint(0, 10**6)}.html">{" ".join(rng.choices(WORDS, k=8))}</a></li>'
        for _ in range(30)
    )
    state = []  # the page's state as a framework embeds it: most of a modern page's bytes
    filled = len(head) + len(related) + 120
    while filled < size:
        item = json.dumps({"id": rng.randint(0, 10**6), "section": topic, "tags": rng.choices(WORDS, k=6)})
        state.append(item)
        filled += len(item) + 1
    return (
        f'{head}<footer><ul class="related">{related}</ul></footer>'
        f'<script type="application/json" id="state">[{",".join(state)}]</script></body></html>'
    ).encode()


def record(url: str, html: bytes, date: str = "2019-01-28T10:00:00Z", status: int = 200,
           content_type: str = "text/html; charset=utf-8") -> bytes:  # fmt: skip
    """One WARC/1.0 response record holding an HTTP response."""
    http = (
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(html)}\r\n\r\n"
    ).encode() + html
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: {date}\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def gzip_member(data: bytes, level: int = 1) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def write_warc(path: Path, records: Iterable[bytes], compress: bool | None = None) -> Path:
    """Write ``records`` to ``path``, one gzip member each when compressed (by default when the name
    ends in .gz)."""
    compress = path.name.endswith(".gz") if compress is None else compress
    with path.open("wb") as out:
        for data in records:
            out.write(gzip_member(data) if compress else data)
    return path


def corpus(n_records: int, relevant_share: float = 0.015, trap_share: float = 0.04, seed: int = 13) -> Iterator[bytes]:
    """``n_records`` response records: the demo's articles, repeated under new URLs to make up
    ``relevant_share`` of them, among pages of 15 to 90 kB on other news, ``trap_share`` of which are
    traps (TRAPS, in turn)."""
    rng = random.Random(seed)
    articles = demo_articles()
    n_relevant = round(n_records * relevant_share)
    relevant_at = set(rng.sample(range(n_records), n_relevant))
    traps = 0
    for i in range(n_records):
        if i in relevant_at:
            url, html = articles[i % len(articles)]
            copy = i // len(articles)
            yield record(url if copy == 0 else f"{url}?copy={copy}", html)
            continue
        if rng.random() < trap_share:
            topic, traps = list(TRAPS)[traps % len(TRAPS)], traps + 1
        else:
            topic = list(TOPICS)[i % len(TOPICS)]
        yield record(f"{BASE}/{topic}/{i}.html", other_page(rng, topic, rng.randint(15_000, 90_000)))


def main() -> None:
    """``python -m demo.warcs OUT.warc.gz [--records N]``: a sample archive for trying ``migtrack import``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=2000, help="pages on other news (default 2000)")
    args = parser.parse_args()
    write_warc(args.out, [*corpus(args.records, relevant_share=0), *(record(u, h) for u, h in demo_articles())])
    print(f"{args.out}: {args.records} pages on other news and {len(demo_articles())} demo articles")


if __name__ == "__main__":
    main()
