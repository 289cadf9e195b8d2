"""``migtrack eval``: the figures of ``gold/score.py`` (loose and strict P/R/F1, mismatches), plus
per-stance figures, computed on the extractor's own output for a labelled file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from models.records import confidence_band
from models.stances import STANCES
from pipeline.extract import Extraction, Extractor, Extractors, pages_of
from pipeline.jsonl import load_jsonl

LOOSE = ("actor", "stance")
STRICT = ("actor", "stance", "counterpart", "negated", "hedged")


def key(position: dict, fields: tuple[str, ...]) -> tuple:
    """Normalized as score.py does: booleans for flags, upper-case codes, lower-case strings."""
    out = []
    for name in fields:
        value = position.get(name)
        if name in ("negated", "hedged"):
            value = bool(value)
        elif isinstance(value, str):
            value = value.strip().upper() if name in ("actor", "counterpart") else value.strip().lower()
        out.append(value)
    return tuple(out)


def score(
    gold: dict[str, list], predicted: dict[str, list], fields: tuple[str, ...], stance: str | None = None
) -> dict:
    tp = fp = fn = 0
    mismatches = []
    for doc_id, gold_positions in gold.items():
        g = Counter(key(p, fields) for p in gold_positions if stance in (None, p.get("stance")))
        p = Counter(key(q, fields) for q in predicted.get(doc_id, []) if stance in (None, q.get("stance")))
        hit = sum((g & p).values())
        tp += hit
        fp += sum(p.values()) - hit
        fn += sum(g.values()) - hit
        if g != p:
            mismatches.append((doc_id, sorted(g - p, key=str), sorted(p - g, key=str)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1, "mismatches": mismatches}


def read_gold(path: str | Path) -> list[dict]:
    return load_jsonl(path)


def evaluate_rows(rows: list[dict], extractor: Extractor | Extractors) -> dict:
    """Score one language's extractor on every row, or each row in its own language (its ``language``
    key, else the detected one) with ``Extractors``. Rows of one page (``source_url``) are read together,
    as ``migtrack extract`` reads them."""
    gold = {str(r["id"]): r.get("positions") or [] for r in rows}
    texts = [r["text"] for r in rows]
    pages = pages_of(rows)
    if isinstance(extractor, Extractors):
        results = extractor.read(texts, [r.get("language") for r in rows], pages)
    else:
        results = list(extractor.extract(texts, pages))
    predicted = {
        str(r["id"]): [p.to_json() for p in result.positions] if isinstance(result, Extraction) else []
        for r, result in zip(rows, results, strict=True)
    }
    named = {
        str(r["id"]): {e.country for e in result.entities if e.country} if isinstance(result, Extraction) else set()
        for r, result in zip(rows, results, strict=True)
    }
    loose, strict = score(gold, predicted, LOOSE), score(gold, predicted, STRICT)
    bands = confidence_bands(gold, predicted)
    errors = error_classes(gold, predicted, named)
    per_stance = {name: score(gold, predicted, LOOSE, stance=name) for name in STANCES}
    strip = lambda s: {k: v for k, v in s.items() if k != "mismatches"}  # noqa: E731
    return {
        "loose": loose,
        "strict": strict,
        "per_stance": per_stance,
        "sentences": len(gold),
        "confidence": bands,
        "errors": errors,
        "summary": {
            "confidence": bands,
            "errors": errors,
            "loose": strip(loose),
            "strict": strip(strict),
            "sentences": len(gold),
            "per_stance": {k: strip(v) for k, v in per_stance.items()},
        },
    }


ERROR_CLASSES = {
    "missed: the actor is not recognised in the sentence": "unrecognised",
    "missed: the actor is recognised, the stance is not read": "unread",
    "wrong: the actor takes no position in the sentence": "no_position",
    "wrong: the actor takes another stance in the sentence": "other_stance",
}


def error_classes(
    gold: dict[str, list[dict]], predicted: dict[str, list[dict]], named: dict[str, set[str]]
) -> dict[str, int]:
    """Loose errors by kind: what the gazetteer did not find, what the stance reading missed, and wrong
    rows whose actor holds no position or another one."""
    counts = dict.fromkeys(ERROR_CLASSES, 0)
    labels = {short: long for long, short in ERROR_CLASSES.items()}
    for doc_id, gold_positions in gold.items():
        wanted = Counter((p["actor"], p["stance"]) for p in gold_positions)
        found = Counter((p["actor"], p["stance"]) for p in predicted.get(doc_id, []))
        gold_actors = {actor for actor, _ in wanted}
        for (actor, _), n in (wanted - found).items():
            counts[labels["unrecognised" if actor not in named.get(doc_id, set()) else "unread"]] += n
        for (actor, _), n in (found - wanted).items():
            counts[labels["other_stance" if actor in gold_actors else "no_position"]] += n
    return counts


def confidence_bands(gold: dict[str, list[dict]], predicted: dict[str, list[dict]]) -> dict[str, dict]:
    """How often a predicted position is right (its actor and stance in the gold sentence), per tenth of the
    confidence scale: whether a confidence of 0.8 means eight in ten."""
    bands: dict[str, list[int]] = {}
    for doc_id, positions in predicted.items():
        wanted = Counter((p["actor"], p["stance"]) for p in gold.get(doc_id, []))
        for position in sorted(positions, key=lambda p: -(p.get("confidence") or 0)):
            key = (position["actor"], position["stance"])
            right = wanted[key] > 0
            wanted[key] -= right
            band = confidence_band(position.get("confidence")) or "none"
            bands.setdefault(band, []).append(int(right))
    return {band: {"n": len(n), "precision": round(sum(n) / len(n), 3)} for band, n in sorted(bands.items())}


def evaluate_file(path: str | Path, extractor: Extractor | Extractors) -> dict:
    return evaluate_rows(read_gold(path), extractor)


def report(figures: dict) -> str:
    lines = [f"{doc_id}: missed {missed} extra {extra}" for doc_id, missed, extra in figures["loose"]["mismatches"]]
    for name in ("strict", "loose"):
        s = figures[name]
        lines.append(
            f"{name}: P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f} "
            f"(tp={s['tp']} fp={s['fp']} fn={s['fn']}, {figures['sentences']} sentences)"
        )
    lines.append("precision by confidence: " + ", ".join(
        f"{band} {b['precision']:.2f} (n={b['n']})" for band, b in figures["confidence"].items()
    ))  # fmt: skip
    lines.append("loose errors: " + "; ".join(f"{name} {n}" for name, n in figures["errors"].items()))
    lines.append("per stance (loose):")
    for stance, s in figures["per_stance"].items():
        if s["tp"] + s["fp"] + s["fn"]:
            lines.append(
                f"  {stance:<10} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f} "
                f"(tp={s['tp']} fp={s['fp']} fn={s['fn']})"
            )
    return "\n".join(lines)
