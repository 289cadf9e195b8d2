"""migtrack discover gdelt, against a local server standing in for GDELT's DOC 2.0 API."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.conftest import run_cli


def _article(n: str, day: str) -> dict:
    return {
        "url": f"https://wire.example/{n}.html",
        "url_mobile": "",
        "title": f"Story {n}",
        "seendate": f"{day}T101500Z",
        "socialimage": "",
        "domain": "wire.example",
        "language": "Spanish",
        "sourcecountry": "Guatemala",
    }


def _answer(query: dict[str, str]) -> tuple[str, bytes]:
    """What the DOC API says, as we wrote it: a full day on the 27th (250 articles, the API's most), which
    the client must ask for again in halves; an invalid query answered, as the API does, with HTML."""
    if "invalid" in query["query"]:
        return "text/html", b"Your search contained a keyword that was too short."
    start, end = query["startdatetime"], query["enddatetime"]
    if start.startswith("20190726"):
        articles = [_article("a", "20190726"), _article("b", "20190726")]
    elif (start, end) == ("20190727000000", "20190728000000"):
        articles = [_article(f"full-{i}", "20190727") for i in range(250)]
    else:  # a half of the 27th; "b" listed again, as GDELT lists a story it sees twice
        articles = [_article("c" if start.endswith("000000") else "b", "20190727")]
    return "application/json; charset=utf-8", json.dumps({"articles": articles}).encode()


@contextmanager
def doc_api() -> Iterator[tuple[str, list[dict]]]:
    asked: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            asked.append(query)
            content_type, body = _answer(query)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2/doc/doc", asked
    finally:
        server.shutdown()
        server.server_close()


def test_discover_writes_a_url_list_that_fetch_reads_splitting_full_windows(tmp_path):
    out = tmp_path / "urls.csv"
    with doc_api() as (api, asked):
        result = run_cli(
            "discover", "gdelt", "--query", "deportation flights", "--query", "deportados",
            "--since", "2019-07-26", "--until", "2019-07-28", "--out", str(out), "--api-url", api,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "discover: 3 articles written" in result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["url"] for r in rows] == [f"https://wire.example/{n}.html" for n in "abc"]
    assert rows[0] == {
        "url": "https://wire.example/a.html",
        "outlet": "wire.example",
        "published": "2019-07-26T10:15:00+00:00",
        "language": "Spanish",
        "title": "Story a",
    }
    assert asked[0]["query"] == '("deportation flights" OR deportados) '
    assert [(q["startdatetime"], q["enddatetime"]) for q in asked] == [
        ("20190726000000", "20190727000000"),
        ("20190727000000", "20190728000000"),
        ("20190727000000", "20190727120000"),
        ("20190727120000", "20190728000000"),
    ]
    assert {q["maxrecords"] for q in asked} == {"250"} and {q["mode"] for q in asked} == {"artlist"}


def test_a_query_the_api_refuses_is_a_clear_error_and_leaves_no_list(tmp_path):
    out = tmp_path / "urls.csv"
    with doc_api() as (api, _):
        result = run_cli(
            "discover", "gdelt", "--query", "invalid", "--since", "2019-07-26", "--until", "2019-07-27",
            "--out", str(out), "--api-url", api,
        )  # fmt: skip
    assert result.returncode == 1
    assert "GDELT DOC API: the DOC API refused the query: Your search contained a keyword" in result.stderr
    assert list(tmp_path.iterdir()) == []
