"""The extractor on the labelled sets: same figures as gold/score.py, and the accuracy floors."""

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.components.stances import FAMILY_RULE
from pipeline.evaluate import evaluate_file, evaluate_rows
from tests.conftest import GOLD_DIR, SHARED_GOLD, read_jsonl, run_cli, stance_finder_positions

SEEDS = SHARED_GOLD / "seeds.jsonl"


def test_eval_prints_the_same_figures_as_score_py(tmp_path):
    predicted = tmp_path / "predicted.jsonl"
    predicted.write_text(run_cli("extract", str(SEEDS)).stdout)
    reference = subprocess.run(
        [sys.executable, str(SHARED_GOLD / "score.py"), str(SEEDS), str(predicted), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(reference.stdout)
    ours = json.loads(run_cli("eval", str(SEEDS), "--json").stdout)
    for name in ("loose", "strict"):
        for figure in ("tp", "fp", "fn", "precision", "recall", "f1"):
            assert ours[name][figure] == pytest.approx(expected[name][figure])


def test_loose_f1_on_the_seeds_meets_the_target(extractor):
    figures = evaluate_file(SEEDS, extractor)
    assert figures["loose"]["f1"] >= 0.95, f"loose F1 {figures['loose']['f1']:.3f}; run: migtrack eval {SEEDS}"


def test_loose_f1_on_the_dev_set_meets_the_target(extractor):
    """The team's dev set: the labelled demo-corpus sentences and the wire-style sentences together."""
    rows = [row for name in ("dev_demo.jsonl", "dev_wire.jsonl") for row in read_jsonl(GOLD_DIR / name)]
    assert len(rows) >= 200
    figures = evaluate_rows(rows, extractor)
    assert figures["loose"]["f1"] >= 0.85, f"loose F1 {figures['loose']['f1']:.3f}; run: migtrack eval gold/dev_*.jsonl"


def test_non_mexicans_name_no_country(extractor):
    text = "Mexico is accepting non-Mexican deportees from the U.S., including Venezuelan nationals."
    result = extractor.extract_one(text)
    countries = {e.text: e.country for e in result.entities}
    assert countries["non-Mexican"] is None
    assert countries["Venezuelan"] == "VEN"
    (position,) = result.positions
    assert (position.actor, position.stance, position.counterpart) == ("MEX", "accept", "USA")
    assert position.nationalities == ["VEN"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Turks and Caicos Islands rejected U.S. deportation flights.", ("TCA", "refuse", "USA", False, False)),
        ("Kosovo agreed to take in 50 deportees from the United States.", ("XKX", "agree", "USA", False, False)),
        ("Panama may accept more migrants deported by the U.S.", ("PAN", "accept", "USA", False, True)),
        ("Honduras has not agreed to receive deportees from the U.S.", ("HND", "agree", "USA", True, False)),
        (
            "Bukele said El Salvador is considering taking deportees from the U.S.",
            ("SLV", "consider", "USA", False, True),
        ),
    ],
)
def test_guideline_cases(extractor, text, expected):
    positions = [(p.actor, p.stance, p.counterpart, p.negated, p.hedged) for p in extractor.extract_one(text).positions]
    assert expected in positions


def test_quantity_and_nationalities(extractor):
    positions = extractor.extract_one(
        "Mexico agreed to accept up to 30,000 a month of Cuban, Haitian, Nicaraguan and Venezuelan deportees "
        "from the U.S."
    ).positions
    accept = next(p for p in positions if p.stance == "accept")
    assert (accept.actor, accept.counterpart) == ("MEX", "USA")
    assert accept.quantity == "up to 30,000 a month"
    assert accept.nationalities == ["CUB", "HTI", "NIC", "VEN"]


def test_money_is_not_a_quantity_or_an_acceptance(extractor):
    result = extractor.extract_one("In 2020 alone, Mexico received more than $40 billion in remittances from migrants.")
    assert result.positions == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_extractor_never_raises_on_arbitrary_text(extractor, text):
    result = extractor.extract_one(text + " Mexico refused deportation flights from the U.S.")
    for position in result.positions:
        assert 0 <= position.start <= position.end


def test_rows_without_text_are_scored_as_predicting_nothing(extractor):
    figures = evaluate_rows([{"id": "x", "text": "", "positions": []}], extractor)
    assert figures["loose"]["tp"] == 0 and figures["sentences"] == 1


def test_the_relevance_gate_costs_no_recall(extractor):
    """The gate is for speed: every sentence the stance finder could read must still get through.

    Sentence by sentence the gate cannot cost anything (a lone sentence has no article whose topic it
    could judge, so it is given the benefit of the doubt), so the gold sentences are also read inside the
    demo articles they come from, as the gate reads text in production, where its article-topic check
    decides (issue 15: breaking that check lowered in-article recall from 0.795 to 0.664 and this test,
    then row by row only, passed). Gate on and off are compared with each other, not with fixed figures:
    the extractor changes, the gate must keep costing nothing."""
    from bench.extract_speed import in_article_check
    from pipeline.extract import Extractor

    ungated = Extractor(pipelines=extractor.pipelines, gate=False)
    rows = [row for name in ("dev_demo.jsonl", "dev_wire.jsonl") for row in read_jsonl(GOLD_DIR / name)]
    gated_recall = evaluate_rows(rows, extractor)["loose"]["recall"]
    assert gated_recall >= evaluate_rows(rows, ungated)["loose"]["recall"]

    in_articles = in_article_check(extractor, ungated)
    gated, no_gate = in_articles["dev_demo in articles/gate-on"], in_articles["dev_demo in articles/gate-off"]
    demo_rows = read_jsonl(GOLD_DIR / "dev_demo.jsonl")
    # nearly every gold sentence was found in its article, and they hold positions to lose
    assert gated["sentences_not_found"] <= len(demo_rows) // 10, gated["sentences_not_found"]
    assert no_gate["loose"]["tp"] + no_gate["loose"]["fn"] >= 50
    assert no_gate["loose"]["tp"] > 0
    # not one gold position the parser finds without the gate is lost with it
    assert gated["loose"]["tp"] >= no_gate["loose"]["tp"], (gated["loose"], no_gate["loose"])
    assert gated["loose"]["recall"] >= no_gate["loose"]["recall"]
    assert gated["strict"]["tp"] >= no_gate["strict"]["tp"], (gated["strict"], no_gate["strict"])


def test_a_lone_line_naming_a_country_is_parsed_without_a_stance_cue(extractor):
    """A line read by itself has no article to judge its topic by, and real reporting states positions in words
    no cue or family holds ("had frozen every asylum application"): read as lines, the real-reporting dev
    splits lost 6% of their gold positions to the cue check. In an article the cue is still needed."""

    def relevant(text: str) -> list[str]:
        doc = extractor.pipelines.scanner(text)
        return [sentence.text for sentence in doc.spans["relevant"]]

    lone = "Austria had frozen every asylum application since December."
    assert relevant(lone) == [lone]
    assert relevant("The ministry had frozen every asylum application since December.") == []
    assert relevant(lone + " Snow fell on Vienna for a third day.") == []


def test_a_phrasal_verb_is_read_with_its_particle(extractor):
    """ "called off" suspends and "turned down" refuses, though "call" and "turn" alone say neither."""
    from pipeline.components.stances import family_matches
    from pipeline.lexicons import family_index

    families = family_index("en")
    doc = extractor.pipelines.parser("Ghana called off the flights and Nigeria turned down the request.")
    called, turned = (next(t for t in doc if t.text == word) for word in ("called", "turned"))
    assert family_matches(called, families) == [("suspend", "call off")]
    assert ("refuse", "turn down") in family_matches(turned, families)
    assert ("demand", "call") not in family_matches(called, families)  # the phrase, where known, decides


def test_according_to_names_a_source_not_an_accord(extractor):
    """ "According to the office of the prime minister" has the lemma of "accord"; it made the Bahamas, which
    refused, a party to an agreement on gold/events/dev."""
    from pipeline.components.stances import family_matches
    from pipeline.lexicons import family_index

    text = "According to the office of Prime Minister Philip Davis, the Bahamas refused a proposal to accept flights."
    doc = extractor.pipelines.parser(text)
    assert family_matches(doc[0], family_index("en")) == []
    (result,) = extractor.extract([text])
    assert all(p.stance != "agree" for p in result.positions)


@pytest.mark.parametrize(
    "text",
    [
        "Close to 40,000 Bangladeshi workers without papers have gone home from Malaysia of their own accord.",
        "Even Christians who went back to northern Iraq of their own accord warn that it is not safe.",
        "Malaysian officials said the 1,086 people returned to Myanmar had left of their own accord.",
    ],
)
def test_of_their_own_accord_is_no_accord(extractor, text):
    """ "Of their own accord" says how people went home: it gave the country they left an agreement in 18 train
    and 3 dev sentences, as a family word and, where a pattern claims "accord", as a pattern's cue."""
    from pipeline.components.stances import family_matches
    from pipeline.lexicons import family_index

    doc = extractor.pipelines.parser(text)
    accord = next(token for token in doc if token.lower_ == "accord")
    assert family_matches(accord, family_index("en")) == []
    assert all(p["stance"] != "agree" for p in stance_finder_positions(extractor, text))
    (result,) = extractor.extract([text])
    assert all(p.stance != "agree" for p in result.positions)


def test_a_denied_report_is_the_stance_negated_and_refuses_nothing(extractor):
    """ "Rejected reports that Nairobi had signed a deal ... to take in deportees" denies an agreement to
    accept: agree and accept, both negated (gold/DECISIONS.md), and the rejecting is no refusal."""
    text = "Kenya's president rejected reports that Nairobi had signed a deal with Washington to take in deportees."
    positions = {(p.actor, p.stance, p.counterpart, p.negated) for p in extractor.extract_one(text).positions}
    assert {("KEN", "agree", "USA", True), ("KEN", "accept", "USA", True)} <= positions
    assert all(stance != "refuse" for _, stance, _, _ in positions)
    (refusal,) = extractor.extract_one("Mexico rejected the U.S. deportation flights.").positions
    assert (refusal.stance, refusal.negated) == ("refuse", False)


@pytest.mark.parametrize(
    ("text", "actor", "stance"),
    [
        ("Iraq and the British government have no agreement on the forced return of asylum seekers.", "IRQ", "agree"),
        ("Ghana and Togo both say they have no deal with Washington on deportees.", "TGO", "agree"),
        ("Officials in Kampala said no deal on deportees had been struck with the United States.", "USA", "agree"),
    ],
)
def test_a_stance_word_that_says_none_negates_the_position(extractor, text, actor, stance):
    """ "have no agreement", "no deal had been struck": the negation sits on the stance's word, not on the
    country's predicate ("have"), and a position only the scorer read is negated by it too."""
    positions = {(p.actor, p.stance): p.negated for p in extractor.extract_one(text).positions}
    assert positions[(actor, stance)] is True


@pytest.mark.parametrize(
    ("text", "actor", "reading"),
    [
        ("Abuja will take no deportees at all from America, the foreign minister announced.", "NGA", ("refuse", False)),
        ("Antigua will take in nobody with a criminal record, officials said.", "ATG", ("refuse", False)),
        ("Under no circumstances will Mexico take repatriations carried out by Texas.", "MEX", ("refuse", False)),
        ("Nigeria is in no position to take in deportees from Venezuela, the minister said.", "NGA", ("refuse", False)),
        ("Rabat had long been unwilling to receive people deported by the Dutch.", "MAR", ("refuse", False)),
        ("Mexico is not willing to accept deportees of other nationalities.", "MEX", ("refuse", False)),
        ("Trinidad did not give permission for the deportation flight to land.", "TTO", ("refuse", False)),
        # what did not happen is no refusal: a negated acceptance (gold/DECISIONS.md)
        ("Mexico has taken no deportees from other countries so far.", "MEX", ("accept", True)),
        ("Laos did not take back its nationals removed from the United States.", "LAO", ("accept", True)),
        ("Mexico has not accepted deportees from other countries.", "MEX", ("accept", True)),
        ("Venezuela will not accept deportation flights from the United States.", "VEN", ("refuse", False)),
        ("We are not taking deportations from Texas, Mexico's president said.", "MEX", ("refuse", False)),
        ("Mexico will take no more than 30,000 deportees a month.", "MEX", ("accept", False)),
    ],
)
def test_an_acceptance_said_as_a_refusal_is_a_refusal(extractor, text, actor, reading):
    """The guidelines: "will not accept", "cannot take" are one refuse, not a negated accept; so are a
    verb of accepting whose object is "no deportees", "under no circumstances", "in no position to" and
    "unwilling to"."""
    readings = {(p["stance"], p["negated"]) for p in stance_finder_positions(extractor, text) if p["actor"] == actor}
    assert reading in readings
    assert not {("accept", False), ("refuse", False)} - {reading} & readings


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Namibia had said no to a deal of this kind.", "NAM"),
        ("The Bahamas said no to the proposal to take in deportees.", "BHS"),
        ("Albania has said no to hosting the migrants.", "ALB"),
        # the parser hangs "no" from "to" here, and nothing hangs "to" from "no" in a bare "said no"
        ("Mexico said no to the U.S. request to take in deportees.", "MEX"),
        ("Asked to take the deportation flights, Malta said no.", "MLT"),
    ],
)
def test_saying_no_to_an_offer_is_a_refusal(extractor, text, actor):
    """ "Said no to" (refuse.say_no): the parser makes "no" an interjection of "say", which no family reads."""
    assert (actor, "refuse") in {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)}


def test_no_obligation_is_no_negation(extractor):
    """ "A memorandum with Washington, which does not have to be ratified" says nothing need be done, not that
    nothing was: the labels keep such an agreement unnegated."""
    text = (
        "The government insists the arrangement rests on a memorandum of understanding with Washington, which "
        "does not have to be ratified."
    )
    readings = {(p["actor"], p["stance"]): p["negated"] for p in stance_finder_positions(extractor, text)}
    assert readings[("USA", "agree")] is False


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        (
            '"We have told London that our country will not take in any migrant from overseas," Costa Rican '
            "President Rodrigo Chaves wrote on X.",
            "CRI",
        ),  # fmt: skip
        (
            '"We told Washington that our government would not accept the flights," the Honduran foreign minister '
            "said.",
            "HND",
        ),  # fmt: skip
    ],
)
def test_our_country_in_a_quote_is_the_quoted_speakers(extractor, text, actor):
    """ "Our country" told to London is the country of whoever reports it (issue 10: "quotes whose speaker
    is an official"), not London's; "we told them this is their chance" leaves "their" to its antecedent."""
    assert {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)} == {(actor, "refuse")}
    other = (
        '"Myanmar has reacted positively, and we told them this is their chance to take their people back," '
        "AK Abdul Momen, the foreign minister, told reporters on Sunday."
    )
    assert "BGD" not in {p["actor"] for p in stance_finder_positions(extractor, other) if p["stance"] == "accept"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sending people back is the deporting country's removal, no position (the guidelines); sending back
        # the planes is a refusal, as turning them back is
        ("Britain will send irregular small-boat arrivals back to France under the deal.", set()),
        ("Colombia sent back two U.S. military planes carrying deportees.", {("COL", "refuse")}),
        ("The Bahamas turned back a U.S. deportation flight.", {("BHS", "refuse")}),
        # what a deal or a law lets someone do is no one's acceptance: the parties have the agreement
        ("Britain and Pakistan signed a deal letting London send back Pakistani offenders.", set()),
        ("Panama will let 112 deportees from the United States remain for 30 days.", {("PAN", "accept")}),
    ],
)
def test_sending_back_and_what_a_deal_permits(extractor, text, expected):
    """The cue patterns' readings; a family word's proposal ("send" is in the refuse family) is the scorer's
    to weigh."""
    positions = stance_finder_positions(extractor, text)
    readings = {(p["actor"], p["stance"]) for p in positions if not p["rule"].startswith(FAMILY_RULE)}
    assert {(actor, stance) for actor, stance in readings if stance in ("accept", "refuse")} == expected


@pytest.mark.parametrize(
    "text",
    [
        "Washington is piling pressure on Honduras to take in 300 deportees.",
        "The United States has been exerting pressure on Honduras to take back its nationals.",
        "The U.S. stepped up pressure on Honduras over deportation flights.",
    ],
)
def test_pressure_put_on_a_country_is_the_subjects_demand(extractor, text):
    """The issue's own example: piling pressure on Freedonia to take deportees is a U.S. demand, the verb that
    carries the noun saying whose it is, as "put" and "make" do."""
    readings = {(p["actor"], p["stance"], p["counterpart"]) for p in stance_finder_positions(extractor, text)}
    assert ("USA", "demand", "HND") in readings
    assert ("HND", "demand", "USA") not in readings


@pytest.mark.parametrize(
    "text",
    [
        "Mexico wants to reach an understanding with Washington capping how many deportees it takes.",
        "Earlier, Trump officials tried to conclude safe third-country pacts with Western hemisphere nations.",
        "Washington sent its envoy to Caracas to reach a deal on deportation flights.",
        # "close" said of a deal concludes it: read as closing something, it was a suspension
        "The U.S. administration is trying to close deals with several African states on taking deportees.",
        "The United States aimed at reaching a deal with Mexico on deportees.",  # "at" controls as "to" does
    ],
)
def test_an_agreement_sought_is_a_negotiation(extractor, text):
    """gold/DECISIONS.md: "hopes to strike a deal", "wants similar agreements" are negotiate, not agree."""
    stances = {p["stance"] for p in stance_finder_positions(extractor, text) if p["actor"] in ("MEX", "USA")}
    assert "negotiate" in stances and "agree" not in stances
    signed = stance_finder_positions(extractor, "Mexico signed an agreement with the United States on deportees.")
    assert {p["stance"] for p in signed} == {"agree"}
    closed = stance_finder_positions(extractor, "Germany closed a deal with Morocco.")
    assert {(p["actor"], p["stance"]) for p in closed} == {("DEU", "agree"), ("MAR", "agree")}


@pytest.mark.parametrize(
    "text",
    [
        "The men, from Vietnam, Jamaica, Laos, Cuba and Yemen, were sent to Eswatini because their home "
        "countries refused to take them back.",
        "All five were Vietnamese, Jamaican, Laotian, Cuban and Yemeni, and their countries of origin had "
        "refused to readmit them, the department said.",
    ],
)
def test_their_home_countries_are_the_nationalities_named(extractor, text):
    """gold/DECISIONS.md labels "their countries of origin had refused" as a refusal by each nationality."""
    positions = stance_finder_positions(extractor, text)
    assert {(p["actor"], p["stance"]) for p in positions} == {
        (country, "refuse") for country in ("VNM", "JAM", "LAO", "CUB", "YEM")
    }
    assert all(p["rule"].endswith("+homelands") for p in positions)


def test_its_own_government_is_the_country_named_not_the_nationalities(extractor):
    positions = stance_finder_positions(
        extractor, "Guatemala said its own government would refuse Honduran deportees sent by the United States."
    )
    assert {p["actor"] for p in positions} == {"GTM"}


@pytest.mark.parametrize(
    ("text", "actor", "reading"),
    [
        ("Venezuela has not ruled out resuming deportation flights from the United States.", "VEN", "resume"),
        ("Panama has not ruled out the proposal to shelter deportees.", "PAN", "consider"),
        ("Mexico did not rule out the idea of accepting deportees.", "MEX", "consider"),
    ],
)
def test_what_is_not_ruled_out_is_a_possibility(extractor, text, actor, reading):
    """gold/DECISIONS.md: "has not ruled out resuming" is a hedged resume, "did not rule out the idea" a hedged
    consider; neither is a negated refusal."""
    positions = stance_finder_positions(extractor, text)
    readings = {(p["stance"], p["negated"], p["hedged"]) for p in positions if p["actor"] == actor}
    assert readings == {(reading, False, True)}
    flatly = stance_finder_positions(extractor, "Libya flatly ruled out taking in deportees.")
    assert {(p["stance"], p["negated"]) for p in flatly} == {("refuse", False)}


@pytest.mark.parametrize(
    ("text", "word", "is_denied"),
    [
        ("Uganda denied that it had agreed to receive migrants deported from Israel.", "agreed", True),
        ("Libya dismissed claims that it would take in migrants expelled by the United States.", "take", True),
        # contesting or brushing aside a report denies it as rejecting it does
        ("Ankara contested reports that Turkey had agreed to take back migrants from Germany.", "agreed", True),
        ("The minister brushed aside reports that Somalia had struck a deal with Britain.", "deal", True),
        ("Guyana did not deny that it had agreed to take deportees from the United States.", "agreed", False),
        # what the denier says in its own voice stands: the parser hangs "saying" inside the claim
        (
            "The minister rejected claims that the move endorsed Trump's agenda, saying Ghana had received "
            "the deportees.",
            "received",
            False,
        ),
    ],
)
def test_what_a_denial_covers(extractor, text, word, is_denied):
    from pipeline.components.stances import denied

    doc = extractor.pipelines.parser(text)
    assert denied(next(t for t in doc if t.text == word)) is is_denied


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("She pointed to a precedent for taking in deportees who are not Mexican.", False),
        ("Manila is not ready to take them back.", True),
    ],
)
def test_a_relative_copulas_negation_does_not_negate_a_position_the_scorer_read(extractor, text, negated):
    """A pair no rule read takes its negation from its predicate; "who are not Mexican" says who the deportees
    are, and gave Mexico a negated acceptance in events dev (with "she" read from the article)."""
    from pipeline.components.scorer import Candidate, _Tree

    parser = extractor.pipelines.parser
    with parser.select_pipes(disable=["migtrack_position_scorer", "migtrack_counterpart_chooser"]):
        ((_, doc, _),) = extractor.parsed_sentences([text])
    predicate = next(t for t in doc if t.lower_ in ("are", "is"))
    candidate = Candidate(actor="MEX", stance="accept", shared=frozenset(), own=[], predicate=predicate)
    scorer = parser.get_pipe("migtrack_position_scorer")
    assert scorer._new_position(candidate, doc, [], _Tree(list(doc)))["negated"] is negated


@pytest.mark.parametrize(
    "text",
    [
        "Ghana balked at taking in deportees from the United States.",
        "Ghana baulked at accepting the deportation flights from the United States.",
    ],
)
def test_a_refusing_word_governs_the_acceptance_it_refuses(extractor, text):
    """Issue 10: "balked at" is a refusal, and what it refuses is no acceptance, though "balk" is a stance
    family's word and "taking in" a pattern's."""
    readings = {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)}
    assert readings == {("GHA", "refuse")}


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("Mexico accepted that the number of deportees from the United States had risen.", set()),
        ("Guatemala admitted it had no room for more deportees from the United States.", set()),
        ("Mexico accepted deportees from the United States.", {("MEX", "accept")}),
    ],
)
def test_accepting_a_fact_accepts_no_one(extractor, text, readings):
    """ "Accepted that", "admitted it had": a fact conceded, not people taken in."""
    assert {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)} == readings


def test_nobody_with_an_exception_takes_those_excepted(extractor):
    """ "Would readmit nobody but their own nationals" says who they take: no refusal, no negated acceptance."""
    from pipeline.components.stances import none_of

    doc = extractor.pipelines.parser("Panama said it would readmit nobody but its own nationals.")
    assert not none_of(next(token for token in doc if token.lower_ == "nobody"))
    doc = extractor.pipelines.parser("Antigua will take in nobody with a criminal record.")
    assert none_of(next(token for token in doc if token.lower_ == "nobody"))


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        # "a Latin American government" is any one of them: the United States refused its own flights
        (
            "Colombia refused entry to two U.S. military planes with deportees, a U.S. official said, at least the "
            "second time a Latin American government has blocked such flights.",
            {("COL", "refuse")},
            ("USA", "refuse"),
        ),
        # "every country" states a rule for all of them (the labels read it as the speaker's demand)
        (
            "Jaishankar said every country is obliged to take back its nationals living abroad illegally.",
            set(),
            ("IND", "accept"),
        ),
    ],
)
def test_an_indefinite_or_universal_government_is_no_country_in_particular(extractor, text, kept, dropped):
    """An indefinite or universal government noun was read as the reporting official's country."""
    readings = {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)}
    assert kept <= readings
    assert dropped not in readings


@pytest.mark.parametrize(
    "text",
    [
        "Washington demanded that Honduras accept the deportation flights.",
        "Sweden has requested that Iraq take back around 6,000 of its nationals.",
        "Washington wants Palau to take in third-country nationals.",
    ],
)
def test_what_one_country_demands_of_another_is_no_stance_of_the_other(extractor, text):
    """ "Requested that Iraq take back" is Sweden's demand: it read as Iraq's acceptance too (15 such
    readings on the English train and dev splits, all wrong)."""
    actors = {p["actor"] for p in stance_finder_positions(extractor, text) if p["stance"] != "demand"}
    assert actors == set()


@pytest.mark.parametrize(
    ("text", "refusing"),
    [
        ("Burkina Faso has flatly turned down a U.S. proposal that it take in deportees.", "BFA"),
        ("Ghana pushed back against U.S. demands that it take deportees.", "GHA"),
    ],
)
def test_what_a_request_or_proposal_asks_is_no_stance_of_the_country_asked(extractor, text, refusing):
    """The clause of a demanding or proposing noun (the parser may label it a relative clause) read as the
    asked country's acceptance beside its refusal (eleven such readings on the English train and dev splits)."""
    readings = {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)}
    assert (refusing, "accept") not in readings


def test_a_country_insisting_on_its_own_refusal_still_refuses(extractor):
    """A clause with a modal reports the subject's own stance; only a bare verb is what is demanded."""
    text = "Mexico insisted that it would not accept the deportees."
    assert ("MEX", "refuse") in {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)}


@pytest.mark.parametrize(
    "text",
    [
        "The British government said it was still open to working towards a returns accord with France.",
        "Britain looks for further agreements with France on returns.",
    ],
)
def test_an_agreement_sought_through_a_preposition_is_a_negotiation(extractor, text):
    """ "Working towards an accord" and "looks for agreements" seek a deal, as "wants a deal" does
    (gold/DECISIONS.md): the accord under "towards" read as agreed."""
    readings = {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)}
    assert ("GBR", "negotiate") in readings
    assert ("GBR", "agree") not in readings


def test_talks_about_taking_in_are_talks(extractor):
    """ "At an early stage of talks about taking in immigrants": what is talked over is not yet done, and it
    read as Rwanda's acceptance (a pattern's cue was governed by refusing words alone)."""
    text = (
        "Rwanda's foreign minister said his country was at an early stage of talks about taking in immigrants "
        "deported from the US."
    )
    readings = {(p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)}
    assert ("RWA", "negotiate") in readings
    assert ("RWA", "accept") not in readings


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        (
            "Since April 2019 the Lebanese and Syrian authorities have been working together on a scheme for "
            "Syrian refugees to return home.",
            {"LBN", "SYR"},
        ),
        ("Officials of Mexico and Guatemala discussed the return of deportees on Monday.", {"MEX", "GTM"}),
        (
            "The foreign ministers of Colombia and Panama said their countries would cooperate on the return of "
            "the migrants.",
            {"COL", "PAN"},
        ),
    ],
)
def test_a_government_of_two_countries_speaks_for_both(extractor, text, actors):
    """ "The Lebanese and Syrian authorities", "their countries" after two named countries: each is an actor."""
    assert actors <= {p["actor"] for p in stance_finder_positions(extractor, text) if p["stance"] == "negotiate"}


def test_their_countries_of_origin_are_the_deportees_homelands(extractor):
    """ "Their countries of origin" are the people's, never the two states the sentence named before."""
    text = (
        "Mexico and Guatemala will take in migrants sent from the U.S. whenever their countries of origin refuse "
        "to take them back."
    )
    assert not {("MEX", "refuse"), ("GTM", "refuse")} & {
        (p["actor"], p["stance"]) for p in stance_finder_positions(extractor, text)
    }


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("The vice-president of Iraq has called on Denmark to rethink forcibly returning Iraqis who failed.", "IRQ"),
        ("The ex-president of Honduras had urged Washington to halt the deportation flights.", "HND"),
    ],
)
def test_a_hyphenated_title_is_one_subject(extractor, text, actor):
    """The tokenizer splits "vice-president" at its hyphen and the parser makes each part a subject: the
    title is the last part, whose "of Iraq" names the country."""
    assert {p["actor"] for p in stance_finder_positions(extractor, text) if p["stance"] == "demand"} == {actor}
