"""The country vocabulary (models/countries.py) and the extractor's lexicon agree."""

from __future__ import annotations

from models.countries import country_rows
from pipeline.lexicons import read_jsonl


def test_every_code_the_lexicon_uses_is_a_country_row():
    codes = {row["iso3"] for row in country_rows()}
    assert {row["iso3"] for row in read_jsonl("countries.jsonl")} <= codes
    assert {row["iso3"] for row in read_jsonl("officials.jsonl")} <= codes


def test_country_rows_have_short_names_and_a_place_on_the_map():
    rows = {row["iso3"]: row for row in country_rows()}
    assert rows["VEN"]["name"] == "Venezuela" and rows["VEN"]["region"] == "Americas"
    assert rows["XKX"]["name"] == "Kosovo"
    assert rows["MEX"]["latitude"] and rows["MEX"]["longitude"]
