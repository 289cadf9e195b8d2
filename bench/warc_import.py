"""How fast does ``migtrack import`` read a WARC file, against fastwarc alone, and in how much memory?

Issue 13 asks that the import read a news archive at no less than half the records per second of a bare
fastwarc loop that only reads every payload, and that its peak memory stay under 500 MB whatever the
file size. Both are measured here, in one run, on one machine, from one generated file:

- the file (``demo.warcs.corpus``) holds ``--records`` (20,000) response records, one gzip member each
  as CC-NEWS writes them: HTML pages of 15 to 90 kB (head, script, menu, six paragraphs, a footer of
  related links), of which ``--relevant`` (1.5%) are the demo corpus's articles (rewritten from real
  reporting, repeated under new URLs), 4% are traps for the prefilter (bird and database migration,
  Spanish sports pages, a page on a jazz festival in Mexico City whose menu links to "Immigration") and
  the rest other news;
- ``bare`` is ``for record in ArchiveIterator(path, record_types=response): record.reader.read()``;
  ``migtrack`` is ``spiders.warc_import.import_warcs`` (what ``migtrack import`` runs) into a fresh
  database, with one page-reader process, the default (``text_workers = 1``). Each runs in its own
  child process (this module with the hidden ``--child`` flag), so its peak memory (``ru_maxrss``) is its
  own; migtrack's is reported for the importing process and, apart, for its page reader;
- rounds are interleaved (``--repeat``, default 3, medians reported), so a change in machine load hits
  both alike. CPU time is reported beside wall time.

``--memory-records`` (100,000) generates a second, larger file and imports it once, for memory: peak
memory must not grow with the file. A bare pass over it gives the ratio at that size too, where the page
reader's start-up (about a second, once per run) weighs five times less. Timings are reported, never
asserted.

    .venv/bin/python -m bench.warc_import [--records 20000] [--memory-records 100000] [--repeat 3] [--json]
        [--workers 1] [--scan]

``--scan`` writes a file where no page passes the prefilter (no relevant pages, no traps): the ratio then
says what the import costs on the pages it skips, apart from reading the ones it keeps. ``--workers``
sets the import's page-reader processes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from bench.machine import describe

MB = 1024  # ru_maxrss is in kB on Linux


def _bare(path: Path) -> dict:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    records = 0
    for record in ArchiveIterator(str(path), record_types=WarcRecordType.response):
        record.reader.read()
        records += 1
    return {"records": records}


def _migtrack(path: Path, workers: int) -> dict:
    from spiders.warc_import import import_warcs

    with tempfile.TemporaryDirectory() as folder:
        summary = import_warcs([path], str(Path(folder) / "bench.db"), workers=workers)
    return {"records": summary.records, "summary": summary.line(), "stored": summary.stored}


def child(variant: str, path: Path, workers: int) -> None:
    """One timed pass, printed as JSON on stdout. Modules are imported before the clock starts: loading
    trafilatura, lxml and Scrapy takes seconds once per process, not per record (a CC-NEWS file takes half
    an hour), and it is reported apart as ``startup_seconds``."""
    loading = time.perf_counter()
    import fastwarc.warc  # noqa: F401

    if variant == "migtrack":
        import spiders.warc_import  # noqa: F401
    startup = time.perf_counter() - loading
    started, cpu = time.perf_counter(), time.process_time()
    result = _bare(path) if variant == "bare" else _migtrack(path, workers)
    result.update(
        seconds=time.perf_counter() - started,
        startup_seconds=startup,
        cpu_seconds=time.process_time() - cpu,
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB,
        # the page reader, ended with the import: its peak is the largest of the waited-for children
        readers_peak_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / MB,
    )
    print(json.dumps(result))


def run_child(variant: str, path: Path, workers: int = 1) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.warc_import", "--child", variant, str(path), str(workers)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def generate(path: Path, records: int, relevant: float, traps: float = 0.04) -> float:
    from demo.warcs import corpus, write_warc

    started = time.perf_counter()
    write_warc(path, corpus(records, relevant_share=relevant, trap_share=traps))
    return time.perf_counter() - started


def measure(records: int, memory_records: int, relevant: float, repeat: int, workers: int, scan: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"bench-{records}.warc.gz"
        print(f"generating {records} records ...", file=sys.stderr)
        # --scan: no page passes the prefilter, so what is timed is the import's cost on the pages it skips
        generated = generate(path, records, 0 if scan else relevant, 0 if scan else 0.04)
        runs: dict[str, list[dict]] = {"bare": [], "migtrack": []}
        for round_ in range(repeat):
            order = ["bare", "migtrack"] if round_ % 2 == 0 else ["migtrack", "bare"]
            for variant in order:
                runs[variant].append(run_child(variant, path, workers))
                print(f"round {round_ + 1}: {variant} {runs[variant][-1]['seconds']:.1f}s", file=sys.stderr)
        result = {
            "file": {"records": records, "bytes": path.stat().st_size, "generated_seconds": round(generated, 1)},
            **{variant: _summary(passes, records) for variant, passes in runs.items()},
        }
        result["ratio"] = round(result["migtrack"]["records_per_second"] / result["bare"]["records_per_second"], 3)
        result["migtrack"]["summary"] = runs["migtrack"][-1]["summary"]
        if memory_records:
            path.unlink()
            big = Path(folder) / f"bench-{memory_records}.warc.gz"
            print(f"generating {memory_records} records ...", file=sys.stderr)
            generate(big, memory_records, relevant)
            one, bare = run_child("migtrack", big, workers), run_child("bare", big, workers)
            result["memory"] = {
                "records": memory_records,
                "bytes": big.stat().st_size,
                **_summary([one], memory_records),
                "summary": one["summary"],
                "bare": _summary([bare], memory_records),
            }
            # the page reader's start-up (a second, once per run) weighs less on a file of CC-NEWS size
            result["memory"]["ratio"] = round(
                result["memory"]["records_per_second"] / result["memory"]["bare"]["records_per_second"], 3
            )
    return result


def _summary(passes: list[dict], records: int) -> dict:
    seconds = median(p["seconds"] for p in passes)
    return {
        "seconds": round(seconds, 2),
        "startup_seconds": round(median(p["startup_seconds"] for p in passes), 2),
        "cpu_seconds": round(median(p["cpu_seconds"] for p in passes), 2),
        "records_per_second": round(records / seconds),
        "peak_mb": round(max(p["peak_mb"] for p in passes), 1),
        "readers_peak_mb": round(max(p["readers_peak_mb"] for p in passes), 1),
    }


def table(result: dict) -> str:
    rows = [
        "| pass | records | s (median) | CPU s | records/s | peak MB (import) | peak MB (page reader) |",
        "|---|---|---|---|---|---|---|",
    ]
    for variant in ("bare", "migtrack"):
        r = result[variant]
        rows.append(
            f"| {variant} | {result['file']['records']:,} | {r['seconds']} | {r['cpu_seconds']} | "
            f"{r['records_per_second']:,} | {r['peak_mb']} | {r['readers_peak_mb'] if variant == 'migtrack' else ''} |"
        )
    if "memory" in result:
        m, b = result["memory"], result["memory"]["bare"]
        rows.append(f"| bare | {m['records']:,} | {b['seconds']} | {b['cpu_seconds']} | {b['records_per_second']:,} | "
                    f"{b['peak_mb']} |  |")  # fmt: skip
        rows.append(
            f"| migtrack | {m['records']:,} | {m['seconds']} | {m['cpu_seconds']} | {m['records_per_second']:,} | "
            f"{m['peak_mb']} | {m['readers_peak_mb']} |"
        )
    rows.append("")
    rows.append(f"ratio migtrack / bare records per second: **{result['ratio']}** (target >= 0.5)")
    if "memory" in result:
        rows.append(f"the same at {result['memory']['records']:,} records (one round): **{result['memory']['ratio']}**")
    rows.append(f"import summary ({result['file']['records']:,} records): {result['migtrack']['summary']}")
    if "memory" in result:
        rows.append(f"import summary ({result['memory']['records']:,} records): {result['memory']['summary']}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--memory-records", type=int, default=100_000)
    parser.add_argument("--relevant", type=float, default=0.015)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="page-reader processes of the import (default 1)")
    parser.add_argument("--scan", action="store_true", help="a file where no page passes the prefilter")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "PATH", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), int(args.child[2]))
        return
    import fastwarc

    machine = describe(fastwarc=fastwarc.__version__ if hasattr(fastwarc, "__version__") else "2")
    measured = measure(args.records, args.memory_records, args.relevant, args.repeat, args.workers, args.scan)
    result = {"machine": machine, "workers": args.workers, "scan": args.scan, **measured}
    print(json.dumps(result, indent=1) if args.json else f"{json.dumps(machine)}\n\n{table(result)}")


if __name__ == "__main__":
    main()
