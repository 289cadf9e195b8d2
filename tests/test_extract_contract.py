"""``migtrack extract``: JSON Lines in, one line out per line in, in order, with the documented keys."""

import json

from models import Position
from tests.conftest import SHARED_GOLD, read_jsonl, run_cli

CONTRACT_KEYS = list(Position.CONTRACT_KEYS)
ENTITY_KEYS = ["text", "label", "start", "end", "country"]
SEEDS = SHARED_GOLD / "seeds.jsonl"


def test_seeds_come_out_line_by_line_with_the_contract_keys(tmp_path):
    rows = read_jsonl(SEEDS)
    result = run_cli("extract", str(SEEDS))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in rows]
    for row, line in zip(rows, out, strict=True):
        assert list(line) == ["id", "positions", "entities"]
        for position in line["positions"]:
            assert list(position) == CONTRACT_KEYS
            assert row["text"][position["start"] : position["end"]] == position["evidence"]
        for entity in line["entities"]:
            assert list(entity) == ENTITY_KEYS
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]
    sheinbaum = out[1]["positions"]
    assert sheinbaum[0]["actor"] == "MEX" and sheinbaum[0]["stance"] == "propose"
    assert sheinbaum[0]["counterpart"] == "USA" and sheinbaum[0]["speaker"] == "Claudia Sheinbaum"


def test_bad_lines_get_an_error_and_the_run_goes_on():
    lines = [
        '{"id": "ok1", "text": "The Bahamas has refused to accept U.S. deportation flights."}',
        "this is not json",
        '{"id": "no-text"}',
        '{"id": "not-a-string", "text": 42}',
        "[1, 2, 3]",
        '{"id": "empty", "text": ""}',
        json.dumps({"id": "garbage", "text": "\x00\ufffd\x07ÿþ" * 200}),
        json.dumps({"id": "spanish", "text": "México rechazó los vuelos de deportación de Estados Unidos."}),
        '{"id": "ok2", "text": "Venezuela resumed repatriation flights from the United States."}',
    ]
    result = run_cli("extract", "-", input="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    by_id = {o["id"]: o for o in out if o["id"] is not None}
    assert by_id["ok1"]["positions"][0]["stance"] == "refuse"
    assert by_id["ok2"]["positions"][0]["stance"] == "resume"
    assert 'no "text" string' in by_id["no-text"]["error"]
    assert 'no "text" string' in by_id["not-a-string"]["error"]
    assert "not JSON" in out[1]["error"] and out[1]["id"] is None
    assert "expected a JSON object" in out[4]["error"]
    assert by_id["empty"] == {"id": "empty", "positions": [], "entities": []}
    assert by_id["garbage"]["positions"] == []
    assert "line 2: not JSON" in result.stderr


def test_two_megabytes_of_text_are_processed():
    sentence = "Officials met in the capital on Tuesday to discuss the budget. "
    text = sentence * (2_000_000 // len(sentence))
    text += "Mexico agreed to accept Venezuelan deportees from the United States."
    result = run_cli("extract", "-", input=json.dumps({"id": "big", "text": text}) + "\n")
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert line["id"] == "big"
    assert "truncated" in result.stderr


def test_lines_of_one_page_are_read_together():
    """A line's "the ministry ... it" stands for the country an earlier line of its page names, as the
    labelling guidelines read it; a line of another page, or one with no page, is read alone. Offsets stay
    each line's own."""
    page = "https://example.org/honduras-talks"
    first = "Honduras's foreign minister met U.S. officials in Washington on Tuesday."
    second = "The ministry said afterwards that it would accept deportees of other nationalities."
    lines = [
        {"id": "a", "source_url": page, "text": first},
        {"id": "elsewhere", "source_url": "https://example.org/other", "text": second},
        {"id": "b", "source_url": page, "text": second},
        {"id": "alone", "text": second},
    ]
    result = run_cli("extract", "-", input="".join(json.dumps(line) + "\n" for line in lines))
    assert result.returncode == 0, result.stderr
    out = {o["id"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert ("HND", "accept") in {(p["actor"], p["stance"]) for p in out["b"]["positions"]}
    for position in out["b"]["positions"]:
        assert second[position["start"] : position["end"]] == position["evidence"]
    for entity in out["a"]["entities"]:
        assert first[entity["start"] : entity["end"]] == entity["text"]
    assert out["elsewhere"]["positions"] == [] and out["alone"]["positions"] == []
