"""``migtrack eval-events``: a gold corpus served as feeds, crawled, processed, and the events table scored."""

from __future__ import annotations

import json

from demo.gold_site import write_site
from pipeline.config import parse_config
from pipeline.gold_events import GoldEvent, score
from tests.conftest import run_cli

TINY_ARTICLES = [
    {
        "id": "bhs-1", "source_url": "https://example.org/1", "outlet": "Island Wire", "published": "2024-12-05",
        "original_sha1": "0" * 40, "language": "en", "title": "Bahamas turns down deportation flights",
        "text": "NASSAU - The Bahamas has refused to accept U.S. deportation flights of migrants from other "
        "countries, the prime minister's office said on Thursday.\nThe island nation lacks the resources, "
        "the statement said.",
    },
    {
        "id": "bhs-2", "source_url": "https://example.org/2", "outlet": "Gulf Daily", "published": "2024-12-06",
        "original_sha1": "1" * 40, "language": "en", "title": "Nassau says no to Trump team",
        "text": "The Bahamas rejected a proposal from the Trump transition team to accept deportation flights, "
        "Prime Minister Philip Davis said.",
    },
]  # fmt: skip
TINY_EVENTS = [
    {"id": "e1", "actor": "BHS", "stance": "refuse", "counterpart": "USA", "negated": False, "month": "2024-12",
     "articles": ["bhs-1", "bhs-2"]},
]  # fmt: skip


def _gold_dir(tmp_path, articles=TINY_ARTICLES, events=TINY_EVENTS):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    (gold / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return gold


def _event(actor, stance, counterpart, month, negated=False):
    return GoldEvent(f"{actor}-{stance}-{month}", actor, stance, counterpart, negated, month, ("a",))


def _row(actor, stance, counterpart, month, negated=0):
    return {"actor": actor, "stance": stance, "counterpart": counterpart, "negated": negated, "event_month": month}


def test_score_pairs_rows_and_events_one_to_one_and_counts_fragments_apart():
    gold = [_event("COL", "refuse", "USA", "2025-01"), _event("BHS", "refuse", "USA", "2024-12")]
    rows = [
        _row("COL", "refuse", "USA", "2025-01"),
        _row("COL", "refuse", None, "2025-02"),  # counterpart missing, a month late: the same event, a fragment
        _row("COL", "refuse", "VEN", "2025-01"),  # another counterpart: wrong
        _row("BHS", "refuse", "USA", "2024-12", negated=1),  # a denial is not the refusal
    ]
    loose = score(rows, gold, month_slack=1)
    assert (loose.rows_matched, loose.gold_found, loose.fragmentation) == (1, 1, 2.0)  # one row per real event
    assert (loose.precision, loose.recall) == (0.25, 0.5)
    exact = score(rows, gold, month_slack=0)
    assert (exact.rows_matched, exact.fragmentation) == (1, 1.0)


def test_the_site_escapes_what_the_gold_says_and_lists_each_outlet_as_a_feed(tmp_path):
    article = {**TINY_ARTICLES[0], "title": 'Bahamas <script>alert("x")</script>', "outlet": 'Wire "A" & B'}
    feeds = parse_config(write_site([article, TINY_ARTICLES[1]], tmp_path), "gold feeds").feeds
    assert [f.outlet for f in feeds] == ['Wire "A" & B', "Gulf Daily"]
    page = next(tmp_path.glob("gold/wire-a-b/*.html")).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Thu, 05 Dec 2024 12:00:00 +0000" in (tmp_path / "gold/wire-a-b/rss.xml").read_text(encoding="utf-8")


def test_eval_events_crawls_and_scores_a_tiny_gold(tmp_path):
    db_path = tmp_path / "gold.db"
    result = run_cli("eval-events", str(_gold_dir(tmp_path)), "--db", str(db_path), "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crawl: 2 feeds read" in result.stderr
    figures = json.loads(result.stdout)
    assert figures["month_within_one"]["gold_found"] == 1
    assert figures["month_within_one"]["recall"] == 1.0
    assert figures["month_within_one"]["fragmentation"] == 1.0
    assert set(figures["month_exact"]) >= {"precision", "recall", "f1", "fragmentation"}
    assert figures["missed_events"] == []


def test_a_gold_event_naming_an_unknown_article_is_a_clear_error(tmp_path):
    events = [{**TINY_EVENTS[0], "articles": ["bhs-1", "nowhere"]}]
    result = run_cli("eval-events", str(_gold_dir(tmp_path, events=events)))
    assert result.returncode == 1
    assert "events.jsonl line 1: articles ['nowhere'] are not in articles.jsonl" in result.stderr
