"""What does the extractor add over "NER plus cue words"?

The naive baseline is the first thing anyone would try: for each sentence, if the spaCy NER finds a
country (a GPE or NORP entity that maps to an ISO3 code) and a cue word of one of the ten stances
appears, predict that the first country takes that stance towards the second (or towards no one),
never negated, never hedged. It uses the bare model (no gazetteer, no parse rules) and the cue words of
the table in ``GUIDELINES.md``, and nothing else.

Scoring it with the same ``pipeline.evaluate.score`` as the real extractor, gate on and gate off, on the
same gold files shows what each part adds: the parse rules (actor, counterpart, negation, hedging)
over the naive rows, and the relevance gate's cost in recall over the ungated rows.

    .venv/bin/python -m bench.naive_baseline [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Span

from pipeline.components.countries import country_of_text
from pipeline.evaluate import LOOSE, STRICT, read_gold, score
from pipeline.extract import Extractor

REPO = Path(__file__).resolve().parents[1]
GOLD_FILES = {
    "seeds": REPO.parent / "shared" / "gold" / "seeds.jsonl",
    "dev_wire": REPO / "gold" / "dev_wire.jsonl",
    "dev_demo": REPO / "gold" / "dev_demo.jsonl",
}

# The "cue words" column of GUIDELINES.md's table of the ten stances, as written there ("take (back)"
# is "take"). A word matches a token's lower-case form or its lemma, so "held talks" is "hold talks".
CUES: dict[str, tuple[str, ...]] = {
    "accept": ("accept", "receive", "take", "admit", "allow flights to land"),
    "refuse": ("refuse", "reject", "decline", "turn back", "deny landing", "will not accept"),
    "agree": ("agree", "sign", "reach a deal", "strike an agreement"),
    "propose": ("propose", "suggest", "offer", "put forward", "float"),
    "negotiate": ("negotiate", "hold talks", "discuss", "seek to collaborate", "engage"),
    "suspend": ("suspend", "halt", "pause", "stop", "end"),
    "resume": ("resume", "restart", "reinstate"),
    "consider": ("consider", "weigh", "study", "evaluate"),
    "demand": ("demand", "call for", "urge", "ask", "press for", "advocate for"),
    "threaten": ("threaten", "warn of"),
}
COUNTRY_LABELS = ("GPE", "NORP")


def log(message: str) -> None:
    print(f"[naive_baseline] {message}", file=sys.stderr, flush=True)


def first_cue(sentence: Span, cue: str) -> int | None:
    """Index of the first token where every word of ``cue`` matches in sequence, or None."""
    words = cue.split()
    forms = [(token.lower_, token.lemma_.lower()) for token in sentence]
    for start in range(len(forms) - len(words) + 1):
        if all(word in forms[start + k] for k, word in enumerate(words)):
            return start
    return None


def naive_positions(sentence: Span) -> list[dict]:
    """One position per stance cued in the sentence (in order of appearance), if it names a country."""
    countries: list[str] = []
    for ent in sentence.ents:
        code = country_of_text(ent.text) if ent.label_ in COUNTRY_LABELS else None
        if code and code not in countries:
            countries.append(code)
    if not countries:
        return []
    found = {}
    for stance, cues in CUES.items():
        hits = [index for cue in cues if (index := first_cue(sentence, cue)) is not None]
        if hits:
            found[stance] = min(hits)
    counterpart = countries[1] if len(countries) > 1 else None
    return [
        {"actor": countries[0], "stance": stance, "counterpart": counterpart, "negated": False, "hedged": False}
        for stance in sorted(found, key=found.get)
    ]


def predict_naive(nlp: Language, rows: list[dict]) -> dict[str, list[dict]]:
    docs = nlp.pipe(r["text"] for r in rows)
    return {str(r["id"]): [p for s in doc.sents for p in naive_positions(s)] for r, doc in zip(rows, docs, strict=True)}


def predict_extractor(extractor: Extractor, rows: list[dict]) -> dict[str, list[dict]]:
    results = extractor.extract(r["text"] for r in rows)
    return {str(r["id"]): [p.to_json() for p in result.positions] for r, result in zip(rows, results, strict=True)}


def run() -> dict:
    import spacy

    extractor = Extractor()
    ungated = Extractor(pipelines=extractor.pipelines, gate=False)
    nlp = spacy.load(extractor.pipelines.model_name)  # bare: its NER has no gazetteer in front of it
    variants = {
        "naive: NER + cue words": lambda rows: predict_naive(nlp, rows),
        "migtrack extractor (gate on)": lambda rows: predict_extractor(extractor, rows),
        "migtrack extractor (gate off)": lambda rows: predict_extractor(ungated, rows),
    }
    figures: dict = {"model": extractor.pipelines.model_name, "scores": {}}
    for file_name, path in GOLD_FILES.items():
        rows = read_gold(path)
        gold = {str(r["id"]): r.get("positions") or [] for r in rows}
        for variant, predict in variants.items():
            log(f"{file_name} ({len(rows)} sentences): {variant}")
            predicted = predict(rows)
            loose, strict = score(gold, predicted, LOOSE), score(gold, predicted, STRICT)
            figures["scores"].setdefault(variant, {})[file_name] = {
                "loose": {k: loose[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")},
                "strict_f1": strict["f1"],
            }
    return figures


def markdown(figures: dict) -> str:
    names = list(GOLD_FILES)
    head = "| variant | " + " | ".join(f"{n} P | {n} R | {n} F1 | {n} strict F1" for n in names) + " |"
    out = [f"Model {figures['model']}; loose = (actor, stance), strict adds counterpart, negated, hedged.", ""]
    out += [head, "|---|" + "---:|" * 4 * len(names)]
    for variant, by_file in figures["scores"].items():
        cells = []
        for name in names:
            s = by_file[name]
            loose = s["loose"]
            cells += [
                f"{loose['precision']:.3f}",
                f"{loose['recall']:.3f}",
                f"{loose['f1']:.3f}",
                f"{s['strict_f1']:.3f}",
            ]
        out.append(f"| {variant} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.naive_baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of markdown")
    args = parser.parse_args(argv)
    figures = run()
    print(json.dumps(figures, indent=2) if args.json else markdown(figures))


if __name__ == "__main__":
    main()
