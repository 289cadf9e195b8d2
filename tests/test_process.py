"""``migtrack process`` over stored articles: a failing article is recorded and loses nothing it had."""

from __future__ import annotations

from db.schema import open_db
from pipeline.process import process_articles

FLIGHTS = "Colombia refused two U.S. military deportation flights on Sunday, the foreign ministry said."
DEAL = "Mexico agreed to accept up to 30,000 Venezuelan deportees a month from the United States."


class NextVersionFailingOn:
    """The real extractor under a new version that raises on one text, as a bug in a new rule would."""

    def __init__(self, extractor, failing_text: str):
        self.extractor, self.failing_text = extractor, failing_text
        self.version, self.batch_size = extractor.version + "+next", extractor.batch_size
        self.language = extractor.language

    def extract(self, texts):
        texts = list(texts)
        if self.failing_text in texts:
            raise RuntimeError("a rule crashed")
        return self.extractor.extract(texts)

    def extract_one(self, text):
        if text == self.failing_text:
            raise RuntimeError("a rule crashed")
        return self.extractor.extract_one(text)


def test_an_article_whose_new_extraction_raises_keeps_its_earlier_positions(tmp_path, extractor):
    db = open_db(tmp_path / "migtrack.db")
    db["articles"].insert_all(
        [
            {"id": "flights", "url": "http://x.example/1", "text": FLIGHTS, "language": "en"},
            {"id": "deal", "url": "http://x.example/2", "text": DEAL, "language": "en"},
        ]
    )
    first = process_articles(db, extractor)
    assert first.failed == 0
    before = {r["id"] for r in db.query("select id from positions where article_id = 'flights'")}
    assert before

    second = process_articles(db, NextVersionFailingOn(extractor, FLIGHTS))
    assert (second.articles, second.failed) == (1, 1)
    assert {r["id"] for r in db.query("select id from positions where article_id = 'flights'")} == before
    failure = db.execute("select stage, error from failures where url = 'flights'").fetchone()
    assert failure == ("process", "RuntimeError: a rule crashed")
    # the failed article is not retried in a loop by the same version, and the other one was re-extracted
    assert (
        db.execute(
            "select count(*) from articles where extractor_version != ?", [extractor.version + "+next"]
        ).fetchone()[0]
        == 0
    )
