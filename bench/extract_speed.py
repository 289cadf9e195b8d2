"""Is the gated extractor faster than just running spaCy, and does the gate cost recall?

The claim behind ``pipeline/extract.py`` is that scanning every sentence cheaply and parsing only the
ones the relevance gate passes beats running the full model over whole articles. This benchmark checks
that claim in one run, on one machine, with the same texts and the same spaCy model for every variant:

- ``baseline``: bare ``nlp.pipe`` of the model the Extractor loaded, no custom components;
- ``migtrack``: ``Extractor.extract``, the gated pipeline ``migtrack extract`` runs;
- ``no-gate``: the same Extractor with ``gate=False`` (every sentence parsed);
- ``migtrack-2proc``: the gated Extractor with ``n_process=2``, for scaling;
- ``baseline-2proc``: the bare model with ``n_process=2``: what a second process gives spaCy by itself.

Each timed pass runs in its own child process (this module with the hidden ``--child`` flag), so its
peak memory (``ru_maxrss``) is its own and not the sum of everything loaded before it. Variants run one
after the other, never at the same time, so they do not compete for the cores; passes are interleaved in
rounds (every variant once per round, in rotating order) so that a change in the machine's load during
the run hits every variant alike, and the median of the rounds is reported. CPU time is reported beside
wall time because it is less sensitive to other work on the machine. Timings are reported, never
asserted: they depend on the machine and its load.

    .venv/bin/python -m bench.extract_speed [--articles N] [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from bench.machine import describe

if TYPE_CHECKING:
    from pipeline.extract import Extractor

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "demo" / "site"
PLACEHOLDER, BASE_URL = "__BASE__", "http://news.migtrack-demo.example"
GOLD_FILES = {"dev_wire": REPO / "gold" / "dev_wire.jsonl", "dev_demo": REPO / "gold" / "dev_demo.jsonl"}
WARMUP_TEXTS = 5
CHILD_TIMEOUT = 1800  # seconds; a hung worker pool must not hang the benchmark

VARIANTS: dict[str, str] = {
    "migtrack": "Extractor.extract (gate on, n_process=1)",
    "baseline": "bare nlp.pipe of the same model",
    "no-gate": "Extractor.extract (gate=False)",
    "migtrack-2proc": "Extractor.extract (gate on, n_process=2)",
    "baseline-2proc": "bare nlp.pipe, n_process=2",
}


def log(message: str) -> None:
    print(f"[extract_speed] {message}", file=sys.stderr, flush=True)


def article_text(path: Path) -> str:
    """The main text of one demo page, ``__BASE__`` filled in as the demo server does."""
    import trafilatura  # only the parent needs it: importing it in a child would inflate its peak memory

    return trafilatura.extract(path.read_text(encoding="utf-8").replace(PLACEHOLDER, BASE_URL)) or ""


def load_texts(articles: int, language: str = "en") -> tuple[list[str], int]:
    """Main text of every demo article in ``language``, as the crawler would store it, repeated to at least
    ``articles``.

    Whole repetitions keep every article equally weighted. Returns (texts, distinct articles).
    """
    from models.normalise import detected_language

    texts = [
        text
        for path in sorted(SITE.glob("*/20*/*/*.html"))
        if (text := article_text(path)) and detected_language(text)[0] == language
    ]
    if not texts:
        raise SystemExit(f"no article text found under {SITE}")
    repeats = max(1, -(-articles // len(texts)))
    return texts * repeats, len(texts)


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """``ru_maxrss`` in MiB (Linux reports KiB). For RUSAGE_CHILDREN: the largest child, not a sum."""
    return resource.getrusage(who).ru_maxrss / 1024


def _error_line(error: BaseException) -> str:
    """The last line of an error: spaCy wraps worker failures in a message holding the whole traceback."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[-1] if lines else ''}"


# --- child side: one variant, timed and measured in its own process ---------------------------------


def run_variant(
    variant: str, texts: list[str], batch_size: int, model: str | None, with_gate_stats: bool, language: str = "en"
) -> dict:
    """Load, warm up on a few texts, then time one full pass over ``texts``."""
    run: Callable[[list[str]], int]
    extractor = None
    if variant.startswith("baseline"):
        import spacy

        nlp = spacy.load(model)
        model_name = model
        n_process = 2 if variant == "baseline-2proc" else 1

        def run(batch: list[str]) -> int:  # consume every doc
            return sum(len(doc) for doc in nlp.pipe(batch, batch_size=batch_size, n_process=n_process))

    else:
        from pipeline.config import Settings
        from pipeline.extract import Extractor

        extractor = Extractor(
            *Settings().models_for(language),
            batch_size=batch_size,
            gate=variant != "no-gate",
            n_process=2 if variant == "migtrack-2proc" else 1,
            language=language,
        )
        model_name = extractor.pipelines.model_name

        def run(batch: list[str]) -> int:
            return sum(len(result.positions) for result in extractor.extract(batch))

    result: dict = {"variant": variant, "model": model_name, "articles": len(texts), "batch_size": batch_size}
    if extractor is not None:
        result["extractor_version"] = extractor.version  # code version + lexicon digest: what was measured
    try:
        run(texts[:WARMUP_TEXTS])
        start, start_cpu = time.perf_counter(), time.process_time()
        produced = run(texts)
        result |= {"wall": time.perf_counter() - start, "cpu": time.process_time() - start_cpu, "output": produced}
    except Exception as error:  # reported in the table: a variant that fails is a finding, not a crash
        traceback.print_exc(file=sys.stderr)
        result["error"] = _error_line(error)
    result["peak_rss_mib"] = peak_rss_mib()
    result["workers_peak_rss_mib"] = peak_rss_mib(resource.RUSAGE_CHILDREN)
    if with_gate_stats and extractor is not None:
        result["gate"] = gate_stats(extractor, texts)
    return result


def gate_stats(extractor: Extractor, texts: list[str]) -> dict:
    """What the gate lets through, and where the gated extractor's time goes: where any speed-up comes from.

    Timed stage by stage, once, after the timed pass: the scan of every article, then the parser
    pipeline on the sentences the gate passed, first with the model's own components only (what the gate
    saves is the model's time on the other sentences), then adding migtrack's components.
    """
    import spacy.util

    pipelines = extractor.pipelines
    start = time.perf_counter()
    scans = list(pipelines.scanner.pipe(texts))
    stages = {"scan (sentencizer, gazetteer, gate), all articles": time.perf_counter() - start}
    relevant = [span for scan in scans for span in scan.spans.get("relevant", [])]
    sentences = [span.text for span in relevant]
    # the installed package's own meta: nlp.meta lists the components migtrack added as well
    shipped = spacy.util.get_model_meta(spacy.util.get_package_path(pipelines.model_name))["pipeline"]
    model_own = [name for name in pipelines.parser.pipe_names if name in shipped]
    added = [name for name in pipelines.parser.pipe_names if name not in model_own]
    for label, enabled in (
        ("model's own components, gated sentences", model_own),
        ("+ " + ", ".join(added[:-1]), pipelines.parser.pipe_names[: pipelines.parser.pipe_names.index(added[-1])]),
        ("+ " + added[-1] + " (the full parser pipeline)", pipelines.parser.pipe_names),
    ):
        with pipelines.parser.select_pipes(enable=enabled):
            start = time.perf_counter()
            for _ in pipelines.parser.pipe(sentences, batch_size=extractor.batch_size):
                pass
            stages[label] = time.perf_counter() - start
    return {
        "sentences": sum(1 for scan in scans for _ in scan.sents),
        "relevant_sentences": len(relevant),
        "tokens": sum(len(scan) for scan in scans),
        "relevant_tokens": sum(len(span) for span in relevant),
        "scan_seconds": stages["scan (sentencizer, gazetteer, gate), all articles"],
        "stages": stages,
    }


# --- parent side: texts, children, recall check, report --------------------------------------------


def run_child(variant: str, texts_file: str, args: argparse.Namespace, model: str | None, first: bool) -> dict:
    command = [sys.executable, "-m", "bench.extract_speed", "--child", variant, "--texts-file", texts_file]
    command += ["--batch-size", str(args.batch_size), "--language", args.language]
    command += ["--model", model] if model else []
    command += ["--gate-stats"] if first and variant == "migtrack" else []
    try:
        done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"variant": variant, "error": f"timed out after {CHILD_TIMEOUT} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return {"variant": variant, "error": f"child exited with status {done.returncode}"}
    return json.loads(lines[-1])


def run_rounds(texts_file: str, args: argparse.Namespace) -> dict[str, dict]:
    """``args.repeat`` rounds of one pass per variant; per variant the median time and the largest peak.

    The Extractor runs first so the baseline loads exactly the model it resolved (model or fallback). A
    variant that fails is not run again: the failures found so far are deterministic, not load-dependent.
    """
    runs: dict[str, dict] = {}
    order = list(VARIANTS)
    for number in range(args.repeat):
        for variant in order[number % len(order) :] + order[: number % len(order)]:
            if "error" in runs.get(variant, {}):
                continue
            model = runs.get("migtrack", {}).get("model")
            if variant.startswith("baseline") and not model:
                runs[variant] = {"variant": variant, "error": "the Extractor did not report its model"}
                continue
            log(f"round {number + 1}/{args.repeat}: {variant} ({VARIANTS[variant]})")
            result = run_child(variant, texts_file, args, model, first=number == 0)
            merged = runs.setdefault(variant, result | {"times": [], "cpu_times": [], "peak_rss_mib": 0.0})
            if result.get("extractor_version") != merged.get("extractor_version"):
                log(
                    f"  WARNING: extractor changed during the run ({merged.get('extractor_version')} -> "
                    f"{result.get('extractor_version')}); rerun when pipeline/ is not being edited"
                )
                merged["extractor_changed"] = True
            if "error" in result:
                merged["error"] = result["error"]
            else:
                log(f"  {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, {result['peak_rss_mib']:.0f} MiB peak")
                merged["times"].append(result["wall"])
                merged["cpu_times"].append(result["cpu"])
            for peak in ("peak_rss_mib", "workers_peak_rss_mib"):
                merged[peak] = max(merged.get(peak) or 0.0, result.get(peak) or 0.0)
    for run in runs.values():
        if run.get("times"):
            run |= {"seconds": median(run["times"]), "cpu_seconds": median(run["cpu_times"])}
            run["articles_per_s"] = run["articles"] / run["seconds"]
        for transient in ("wall", "cpu"):
            run.pop(transient, None)
    return runs


def recall_check() -> dict:
    """Loose and strict figures on the dev sets, gate on vs off, sharing one loaded model."""
    from pipeline.evaluate import evaluate_file
    from pipeline.extract import Extractor

    gated = Extractor()
    ungated = Extractor(pipelines=gated.pipelines, gate=False)
    figures = {}
    for name, path in GOLD_FILES.items():
        for gate, extractor in (("on", gated), ("off", ungated)):
            log(f"recall check: {name}, gate {gate}")
            summary = evaluate_file(path, extractor)["summary"]
            figures[f"{name}/gate-{gate}"] = {"loose": summary["loose"], "strict": summary["strict"]}
    figures |= in_article_check(gated, ungated)
    return figures


def in_article_check(gated: Extractor, ungated: Extractor) -> dict:
    """dev_demo again, but each gold sentence scored inside the demo article it comes from.

    Row by row, each sentence is a text of its own, and the gate gives a lone sentence the benefit of
    the doubt (it has no article to judge the topic by); in production the gate sees whole articles.
    Here the Extractor reads each whole article, and a position counts for the gold sentence its offset
    falls in. Sentences not found verbatim in their article are left out (their number is reported).
    """
    from pipeline.evaluate import LOOSE, STRICT, read_gold, score

    rows = read_gold(GOLD_FILES["dev_demo"])
    articles = {source: article_text(SITE / source) for source in dict.fromkeys(r["source"] for r in rows)}
    spans = {}
    for row in rows:
        start = articles[row["source"]].find(row["text"])
        if start >= 0:
            spans[str(row["id"])] = (row["source"], start, start + len(row["text"]))
    gold = {str(r["id"]): r.get("positions") or [] for r in rows if str(r["id"]) in spans}
    figures = {}
    for gate, extractor in (("on", gated), ("off", ungated)):
        log(f"recall check: dev_demo inside its {len(articles)} articles, gate {gate}")
        results = dict(zip(articles, extractor.extract(articles.values()), strict=True))
        predicted = {
            doc_id: [p.to_json() for p in results[source].positions if start <= p.start < end]
            for doc_id, (source, start, end) in spans.items()
        }
        figures[f"dev_demo in articles/gate-{gate}"] = {
            name: {k: v for k, v in score(gold, predicted, fields).items() if k != "mismatches"}
            for name, fields in (("loose", LOOSE), ("strict", STRICT))
        } | {"sentences_not_found": len(rows) - len(spans)}
    return figures


def machine() -> dict:
    import spacy

    return describe(spacy=spacy.__version__)


def markdown(report: dict) -> str:
    runs, m = report["runs"], report["machine"]

    def ratio(numerator: float | None, denominator: float | None) -> str:
        return f"{numerator / denominator:.2f}x" if numerator and denominator else "n/a"

    def timing(run: dict) -> list[str]:
        if "seconds" not in run:
            return ["failed", "-", "-"]
        return [f"{run['seconds']:.2f}", f"{run['cpu_seconds']:.2f}", f"{run['articles_per_s']:.1f}"]

    def rss(run: dict) -> str:
        return f"{run['peak_rss_mib']:.0f}" if run.get("peak_rss_mib") else "n/a"

    base, one = runs["baseline"], runs["migtrack"]
    out = [
        f"{report['articles']} articles ({report['distinct_articles']} distinct demo articles repeated), "
        f"extractor {one.get('extractor_version')}, model {one.get('model')}, batch size {report['batch_size']}; "
        f"median of {report['repeat']} interleaved "
        f"round(s), each pass in a fresh process after a warm-up; {m['cpus']} CPU(s) {m['cpu_model']}, "
        f"Python {m['python']}, spaCy {m['spacy']}, load average {m['load_average_at_start']:.2f} at start.",
        "",
        "| variant | what runs | wall (s) | CPU (s) | articles/s | speed-up wall (CPU) | peak RSS (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name in ("baseline", "migtrack", "no-gate"):
        run = runs[name]
        wall = ratio(base.get("seconds"), run.get("seconds"))
        speed_up = f"{wall} ({ratio(base.get('cpu_seconds'), run.get('cpu_seconds'))})"
        out.append(f"| {name} | {VARIANTS[name]} | " + " | ".join(timing(run)) + f" | {speed_up} | {rss(run)} |")
    out += [
        "",
        f"Speed-up of migtrack over the baseline (baseline wall time / migtrack wall time): "
        f"{ratio(base.get('seconds'), one.get('seconds'))}; target >= 2x.",
    ]
    gate = one.get("gate")
    if gate:
        out[-1] += (
            f" The gate passed {gate['relevant_sentences']} of {gate['sentences']} sentences "
            f"({gate['relevant_sentences'] / gate['sentences']:.0%}), holding {gate['relevant_tokens']} of "
            f"{gate['tokens']} tokens ({gate['relevant_tokens'] / gate['tokens']:.0%})."
        )
        out += [
            "",
            "Where the migtrack time goes (each stage timed once after the passes; parser stages are cumulative):",
            "",
            "| stage | seconds |",
            "|---|---:|",
            *(f"| {stage} | {seconds:.2f} |" for stage, seconds in gate.get("stages", {}).items()),
        ]
    out += [
        "",
        "| variant | n_process | wall (s) | CPU, main process (s) | articles/s | scaling (n=1 / n wall) "
        "| peak RSS (MiB) main / worker |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n, name, single in (
        (1, "migtrack", one),
        (2, "migtrack-2proc", one),
        (1, "baseline", base),
        (2, "baseline-2proc", base),
    ):
        run = runs[name]
        worker = f"{run['workers_peak_rss_mib']:.0f}" if run.get("workers_peak_rss_mib") else "-"
        scaling = ratio(single.get("seconds"), run.get("seconds"))
        out.append(f"| {name} | {n} | " + " | ".join(timing(run)) + f" | {scaling} | {rss(run)} / {worker} |")
    if any(run.get("extractor_changed") for run in runs.values()):
        out += ["", "WARNING: the extractor's version changed during the run; these timings mix two versions."]
    errors = [f"- {name}: {run['error']}" for name, run in runs.items() if "error" in run]
    if errors:
        out += ["", "Failed variants:", *errors]
    if report.get("recall"):
        out += [
            "",
            "| gold file | gate | loose P | loose R | loose F1 | strict F1 | tp | fp | fn |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key, figures in report["recall"].items():
            name, gate_state = key.split("/gate-")
            s = figures["loose"]
            out.append(
                f"| {name} | {gate_state} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
                f"{figures['strict']['f1']:.3f} | {s['tp']} | {s['fp']} | {s['fn']} |"
            )
        verdicts = []
        for name in dict.fromkeys(key.split("/gate-")[0] for key in report["recall"]):
            on, off = (report["recall"][f"{name}/gate-{g}"]["loose"]["recall"] for g in ("on", "off"))
            verdicts.append(f"{name} {on:.3f} vs {off:.3f} ({'no lower' if on >= off else 'LOWER'})")
        out += ["", "Loose recall, gate on vs off (target: no lower with the gate): " + "; ".join(verdicts) + "."]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.extract_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="at least this many articles (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds: timed passes per variant, median reported")
    parser.add_argument("--batch-size", type=int, default=64, help="as the Extractor and migtrack.toml default")
    parser.add_argument("--no-recall", action="store_true", help="skip the gate on/off recall check")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of markdown")
    parser.add_argument(
        "--language", choices=("en", "es"), default="en", help="the demo articles and pipeline of this language"
    )
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--texts-file", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--gate-stats", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        texts = json.loads(Path(args.texts_file).read_text(encoding="utf-8"))
        print(json.dumps(run_variant(args.child, texts, args.batch_size, args.model, args.gate_stats, args.language)))
        return

    texts, distinct = load_texts(args.articles, args.language)
    log(f"{len(texts)} articles ({distinct} distinct, {sum(map(len, texts)) // len(texts)} characters on average)")
    report: dict = {
        "machine": machine(),
        "articles": len(texts),
        "distinct_articles": distinct,
        "batch_size": args.batch_size,
        "repeat": args.repeat,
        "runs": {},
    }
    with tempfile.TemporaryDirectory(prefix="migtrack-bench-") as tmp:
        texts_file = str(Path(tmp) / "texts.json")
        Path(texts_file).write_text(json.dumps(texts), encoding="utf-8")
        report["runs"] = run_rounds(texts_file, args)
    if not args.no_recall and args.language == "en":  # the gate's recall is checked on the English dev sets
        report["recall"] = recall_check()
    print(json.dumps(report, indent=2) if args.json else markdown(report))


if __name__ == "__main__":
    main()
