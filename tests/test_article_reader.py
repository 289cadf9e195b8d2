"""Reading an article as a whole (pipeline/components/article.py): datelines, descriptions, the country a
pronoun or "the president" stands for, through the real extractor."""

from __future__ import annotations

import pytest

from pipeline.components.article import (
    CONTEXTS_KEY,
    GROUPS_BY_SENTENCE_KEY,
    ORIGINS_BY_SENTENCE_KEY,
    PAIRS_BY_SENTENCE_KEY,
)
from pipeline.components.relevance import GROUP_REFERENCES, PAIR_REFERENCES
from tests.conftest import stance_finder_readings


def _positions(extractor, text):
    return {(p.actor, p.stance) for p in extractor.extract_one(text).positions}


def test_a_description_stands_for_the_one_recent_country_it_fits(extractor):
    text = (
        "Bahamas turns down U.S. plan\n"
        "The Bahamas received a proposal from the Trump transition team on deportation flights.\n"
        "The Caribbean holiday destination said it had firmly rejected the plan to accept deported migrants."
    )
    scan = extractor.pipelines.scanner(text)
    resolved = [(e.text, e.ent_id_) for e in scan.ents if e.text.startswith("The Caribbean")]
    assert resolved == [("The Caribbean holiday destination", "BHS")]
    assert ("BHS", "refuse") in _positions(extractor, text)


@pytest.mark.parametrize(
    ("text", "description", "country"),
    [
        ("Fiji took in deportees.\nThe Pacific island nation signed a pact.", "The Pacific island", "FJI"),
        ("Denmark opened an office in Kigali.\nThe Nordic nation plans an asylum centre.", "The Nordic nation", "DNK"),
        (
            "Cooper flew to Iraq.\nShe signed the deal in the Middle Eastern country.",
            "the Middle Eastern country",
            "IRQ",
        ),
    ],
)
def test_a_regional_description_stands_for_the_country_named_before(extractor, text, description, country):
    scan = extractor.pipelines.scanner(text)
    assert (description, country) in [(e.text, e.ent_id_) for e in scan.ents]


def test_a_description_two_recent_countries_fit_stays_unresolved(extractor):
    text = "Jamaica and the Bahamas discussed deportation flights.\nThe Caribbean nation refused to accept them."
    scan = extractor.pipelines.scanner(text)
    assert not [e for e in scan.ents if e.text.startswith("The Caribbean")]


def test_a_description_no_named_country_fits_stands_for_the_one_people_it_fits(extractor):
    """ "Washington stops issuing visas to South Sudanese because the African country will not take them back":
    only the people are named, and no named country is African; a named country that fits still comes first."""
    text = "Washington stops issuing visas to South Sudanese because the African country will not take them back."
    scan = extractor.pipelines.scanner(text)
    assert [(e.text, e.ent_id_) for e in scan.ents if "African" in e.text] == [("the African country", "SSD")]
    text = "Ghana deported Nigerians, and the African country said it would do so again."
    scan = extractor.pipelines.scanner(text)
    assert [(e.text, e.ent_id_) for e in scan.ents if "African" in e.text] == [("the African country", "GHA")]


def test_the_central_american_nation_is_not_the_united_states(extractor):
    text = (
        "PANAMA CITY (AP) - Panama has taken in the first U.S. flight of deportees from other countries, "
        "the Central American nation's leader said on Thursday."
    )
    scan = extractor.pipelines.scanner(text)
    assert [e.ent_id_ for e in scan.ents if "Central American" in e.text] == ["PAN"]


def test_the_kingdom_named_in_the_lead_is_the_kingdom_paragraphs_later(extractor):
    """ "The kingdom" is a description by its noun alone, and the country a wire story names once, in its
    lead, is still the one it stands for ten sentences on; "the United Kingdom" stays Britain."""
    filler = "Officials gave no further details about the men or the crimes they had committed. " * 6
    text = (
        "CAPE TOWN, South Africa (AP) - The United States sent five immigrants to Eswatini last week.\n"
        + filler
        + "\nWith a border with South Africa, the kingdom is the latest country to take in deportees of "
        "other nationalities from the United States, unlike the United Kingdom."
    )
    scan = extractor.pipelines.scanner(text)
    resolved = [(e.text, e.ent_id_) for e in scan.ents if "ingdom" in e.text]
    assert resolved == [("the kingdom", "SWZ"), ("the United Kingdom", "GBR")]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Headline\nBOGOTA (APP/AFP) - The president spoke.", "COL"),
        ("Headline\nKIGALI, Rwanda - The government spoke.", "RWA"),
        ("Headline\nWASHINGTON -- The president spoke.", "USA"),
        ("Headline\nThe president spoke.", None),
    ],
)
def test_the_dateline_names_the_country_a_report_is_written_from(extractor, text, topic):
    scan = extractor.pipelines.scanner(text)
    assert scan.user_data[CONTEXTS_KEY][-1] == topic


def test_the_president_of_the_sentence_before_is_its_first_country_not_its_last(extractor):
    text = (
        "Colombian President Gustavo Petro said on Sunday he had sent back deportation planes, arguing that "
        "Washington could not treat migrants as criminals.\n"
        "Writing on X, the president said he was barring U.S. aircraft with Colombian migrants from landing."
    )
    assert ("COL", "refuse") in _positions(extractor, text)


@pytest.mark.parametrize("quote", ['"{}"', "“{}”"])
def test_a_country_named_inside_a_quote_leaves_the_speakers_country_in_context(extractor, quote):
    lines = [
        "Mexico's foreign minister spoke in Tegucigalpa on Monday about deportations.",
        quote.format("We will not admit those the United States deports,") + " the diplomat told reporters.",
        "The country will accept the deportees, he added.",
    ]
    assert extractor.pipelines.scanner("\n".join(lines)).user_data[CONTEXTS_KEY][-1] == "MEX"
    last = list(extractor.extract(lines, pages=["page"] * len(lines)))[-1]
    assert ("MEX", "accept") in {(p.actor, p.stance) for p in last.positions}


def test_their_countries_of_origin_are_the_nationalities_of_the_sentence_before(extractor):
    """ "The men's countries of origin had refused" names no country: the sentence before says where the men
    come from (gold/DECISIONS.md labels each as refusing)."""
    text = (
        "Five men from Vietnam, Jamaica, Laos, Cuba and Yemen were deported to Eswatini on Tuesday.\n"
        "Mexican officials were not consulted about the deportation flight.\n"
        "Washington said the men's countries of origin had refused to take them back."
    )
    scan = extractor.pipelines.scanner(text)
    five = ("VNM", "JAM", "LAO", "CUB", "YEM")
    origins = scan.user_data[ORIGINS_BY_SENTENCE_KEY]
    assert origins[0] == () and origins[-1] == five  # "Mexican officials" speak for a government: no origin
    assert stance_finder_readings(extractor, text.split("\n"), "origin") >= {(country, "refuse") for country in five}


def test_the_two_countries_are_the_two_named_last(extractor):
    """Lines of one page, as ``migtrack extract`` reads them: "the two countries" names none of its own."""
    text = (
        "Mexico's foreign minister met U.S. officials in Washington on Monday.\n"
        "Immigration was on the table.\n"
        "The two countries signed a memorandum on returns."
    )
    scan = extractor.pipelines.scanner(text)
    assert set(scan.user_data[PAIRS_BY_SENTENCE_KEY][-1]) == {"MEX", "USA"}
    # it names no country of its own, and the relevance gate lets it through all the same
    assert [s.text for s in scan.spans[PAIR_REFERENCES]] == ["The two countries signed a memorandum on returns."]
    assert stance_finder_readings(extractor, text.split("\n"), "two countries") >= {("MEX", "agree"), ("USA", "agree")}


def test_a_demonym_before_a_government_noun_names_its_country(extractor):
    """ "Mexican officials" and "the Haitian embassy" speak for governments, as "Mexican President" does."""
    text = "Cuban officials met the Haitian embassy on Monday.\nThe two countries signed a memorandum on returns."
    scan = extractor.pipelines.scanner(text)
    assert set(scan.user_data[PAIRS_BY_SENTENCE_KEY][-1]) == {"CUB", "HTI"}


def test_this_island_nation_is_a_description_too(extractor):
    scan = extractor.pipelines.scanner("Jamaica spoke with U.S. officials.\nThis Caribbean nation took two flights.")
    assert [(e.text, e.ent_id_) for e in scan.ents if "Caribbean" in e.text] == [("This Caribbean nation", "JAM")]


def test_a_pronoun_may_stand_for_either_of_the_two_countries_named_last(extractor):
    """The scorer weighs both readings of "he" (the last country named, and the one before it), each with
    features that say which it is."""
    from pipeline.train_scorer import candidates_of

    lines = ["Chile's government held talks with Venezuela on Monday.", "He added that they would take 60 people."]
    items = [{"text": line, "source_url": "https://example.org/page"} for line in lines]
    described = {c.actor: c.shared for c in candidates_of(extractor, items)[1]}
    assert set(described) == {"CHL", "VEN"}
    assert ["antecedent_second" in described[country] for country in ("CHL", "VEN")] == [False, True]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Back in 2019 Washington sanctioned Ghana, since that country was not taking back its citizens.", "GHA"),
        ("Deportees reached Mexico from Texas.\nThat nation has refused to take more Cubans.", "MEX"),
    ],
)
def test_that_country_is_the_country_named_last(extractor, text, country):
    """ "That country", unlike "the country", points back: to the country named last, not the subject-most."""
    scan = extractor.pipelines.scanner(text)
    assert [e.ent_id_ for e in scan.ents if e.text.lower().startswith("that")] == [country]


def test_that_country_of_stays_a_phrase_of_its_own(extractor):
    """ "That country of origin" is whatever country the deportees come from, not the one named last."""
    scan = extractor.pipelines.scanner("Canada deported him to Haiti; that country of origin was unsafe.")
    assert not [e for e in scan.ents if e.text.lower().startswith("that")]


def test_those_four_nations_are_the_four_listed_before(extractor):
    """ "Those four nations" names none of its own: each country of the list before it holds the stance."""
    text = (
        "The State Department stopped some visas for nationals of Guinea, Sierra Leone, Cambodia and Eritrea.\n"
        "Officials said those four nations were refusing to take back their deported citizens."
    )
    scan = extractor.pipelines.scanner(text)
    assert scan.user_data[GROUPS_BY_SENTENCE_KEY][-1] == ("GIN", "SLE", "KHM", "ERI")
    # like "the two countries", the gate lets the sentence through
    assert [s.text for s in scan.spans[GROUP_REFERENCES]] == [text.split("\n")[1]]
    readings = stance_finder_readings(extractor, text.split("\n"), "four nations")
    assert {actor for actor, stance in readings if stance == "refuse"} == {"GIN", "SLE", "KHM", "ERI"}


@pytest.mark.parametrize(
    ("lines", "marker"),
    [
        # a number says how many: a list of three is not "those four nations"
        (
            ["Britain signed returns deals with Angola, Namibia and Congo.", "Those four nations now accept returns."],
            "four",
        ),
        # "third countries" are any such countries, not the ones listed
        (["Washington deported men to Cuba and Laos.", "Those third countries must agree to take them."], "third"),
    ],
)
def test_a_group_that_does_not_fit_the_list_names_no_one(extractor, lines, marker):
    readings = stance_finder_readings(extractor, lines, marker)
    assert not {actor for actor, _ in readings} & {"AGO", "NAM", "COD", "CUB", "LAO"}
