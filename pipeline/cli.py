"""The ``migtrack`` command: crawl feeds, extract positions, store them, publish them."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from db.schema import DatabaseNotWritable, NotAMigtrackDatabase, open_db
from pipeline.config import Config, ConfigError, load_config

log = logging.getLogger("migtrack")


LOG_LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)


def _setup_logging(verbosity: int) -> None:
    """One handler on stderr, which crawls share (see _crawl_overrides). Its level is the handler's own,
    not only the root logger's: Scrapy resets the root logger's level and sets its loggers to DEBUG.

    By default warnings and errors only, beside the summary lines the commands print: Scrapy's start-up
    logs and stats dump were a hundred lines around the four a person reads (issue 14). -v adds INFO,
    -vv DEBUG, for migtrack and Scrapy alike."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(LOG_LEVELS[min(verbosity, len(LOG_LEVELS) - 1)])
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=handler.level, handlers=[handler])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="migtrack")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="MIGTRACK_CONFIG",
    help="Configuration file ([settings] and [[feeds]]). Default: ./migtrack.toml if present.",
)
@click.option("-v", "--verbose", count=True, help="Log what happens (-v: INFO, -vv: DEBUG); default: warnings only.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Track which country agreed to, refused, proposed or demanded what on deportations.

    Data flows one way: crawl (feeds -> articles) -> process (articles -> entities, positions,
    events) -> serve (Datasette).
    """
    _setup_logging(verbose)
    try:
        ctx.obj = load_config(config_path)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help="SQLite database. Default: the configured one, data/migtrack.db.",
)
feeds_option = click.option(
    "--feeds",
    "feeds_path",
    type=click.Path(exists=True, dir_okay=False),
    help="TOML file with [[feeds]] tables (url, outlet, language, country).",
)
redis_option = click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Share the crawl frontier and duplicate filter with other crawlers through this redis "
    "(redis://host:6379/0): each page is fetched once across all of them.",
)


def _db_path(config: Config, db_path: str | None) -> str:
    return db_path or config.settings.db


def _open(path: str, create: bool = True):
    try:
        return open_db(path, create=create)
    except (NotAMigtrackDatabase, DatabaseNotWritable, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"cannot open database {path}: {error}") from error
    except sqlite3.OperationalError as error:  # read-only file or folder, full disk: a message, not a traceback
        raise click.ClickException(f"cannot write database {path}: {error}") from error


def _feeds(config: Config, feeds_path: str | None):
    if feeds_path:
        try:
            feeds = load_config(feeds_path).feeds
        except ConfigError as error:
            raise click.ClickException(str(error)) from error
    else:
        feeds = config.feeds
    if not feeds:
        raise click.ClickException("no feeds: pass --feeds FILE with [[feeds]] tables, or list them in migtrack.toml")
    return feeds


def _crawl_overrides(config: Config) -> dict:
    s = config.settings
    return {
        "USER_AGENT": s.user_agent,
        "DOWNLOAD_TIMEOUT": s.download_timeout,
        "DOWNLOAD_MAXSIZE": s.max_response_size,
        "MIGTRACK_TEXT_WORKERS": s.text_workers,
        "MIGTRACK_ALLOW_PRIVATE_HOSTS": list(s.allow_private_hosts),
        # the CLI's handler prints the crawl's records; Scrapy's own would print each one a second time
        "LOG_INSTALL_ROOT_HANDLER": False,
    }


def _redis_overrides(redis_url: str | None) -> dict:
    from spiders.crawl import distributed_overrides

    return distributed_overrides(redis_url) if redis_url else {}


def _extractors(config: Config):
    """One extractor per language, loaded when a text in that language first comes."""
    from pipeline.extract import Extractor, Extractors
    from pipeline.nlp import ModelNotInstalled

    s = config.settings

    def make(language: str) -> Extractor:
        model, fallback = s.models_for(language)
        try:
            return Extractor(
                model, fallback, batch_size=s.batch_size, n_process=s.n_process, exclude=tuple(s.model_exclude),
                language=language,
            )  # fmt: skip
        except ModelNotInstalled as error:
            raise click.ClickException(str(error)) from error

    return Extractors(make, exclude=tuple(s.model_exclude))


def _do_crawl(config: Config, feeds, db_path: str, overrides: dict | None = None, only_due: bool = False):
    from spiders.crawl import CrawlProgress, crawl

    _open(db_path).close()  # refuse a foreign file before Scrapy starts
    started = time.monotonic()
    with _progress() as bars:
        feed_bar, page_bar = bars.task("feeds", None), bars.task("pages", None)

        def show(progress: CrawlProgress) -> None:
            feed_bar(completed=progress.feeds_done, total=progress.feeds_total)
            page_bar(completed=progress.pages_done, total=progress.pages_total)

        summary = crawl(feeds, db_path, {**_crawl_overrides(config), **(overrides or {})}, only_due, show)
    click.echo(
        f"crawl: {summary.feeds_read} feeds read, {summary.feeds_not_modified} not modified, "
        f"{summary.feeds_failed} failed, {summary.feeds_not_due} not due; "
        f"{summary.articles_new} new articles, {summary.articles_seen} unchanged; "
        f"{summary.failures} failures recorded ({time.monotonic() - started:.1f}s)",
        err=True,
    )
    if summary.errors:
        click.echo(
            f"crawl: did not complete (finish reason {summary.finish_reason!r}, "
            f"{summary.errors} error(s) in the crawl itself); see the log above",
            err=True,
        )
    return summary


def _do_process(config: Config, db_path: str):
    from db import store
    from pipeline.events import build_events
    from pipeline.process import process_articles

    db = _open(db_path)
    started = time.monotonic()
    extractors = _extractors(config)
    pending = sum(store.count_unprocessed(db, extractors.version(code), code) for code in extractors.languages)
    try:
        with _progress() as bars:
            update = bars.task("extracting", pending)
            summary = process_articles(db, extractors, lambda n: update(advance=n))
        events = build_events(db, min_confidence=config.settings.event_min_confidence)
        store.refresh_outlets(db)
        store.refresh_statistics(db)
    except sqlite3.OperationalError as error:  # disk full mid-run: each article's write is one transaction,
        # so what is stored is whole; say so instead of a traceback (issue 6)
        raise click.ClickException(
            f"cannot write database {db_path}: {error}; articles stored so far are complete, run again to go on"
        ) from error
    totals = {name: db[name].count for name in ("articles", "entities", "positions", "events", "failures")}
    click.echo(
        f"process: {summary.articles} articles processed ({summary.failed} failed), "
        f"{summary.entities} entities, {summary.positions} positions, {events} events "
        f"({time.monotonic() - started:.1f}s)",
        err=True,
    )
    click.echo("database: " + ", ".join(f"{v} {k}" for k, v in totals.items()), err=True)
    db.close()
    return summary, totals


class _progress:
    """Rich progress bars on a terminal; on a pipe or in a scheduler, nothing but the log lines.

    ``task(label, total)`` adds a bar and returns its updater, which takes rich's ``advance``,
    ``completed`` and ``total``; without a terminal the updater does nothing."""

    def __init__(self):
        self.bar = None
        self.log_handlers: list[logging.StreamHandler] = []

    def __enter__(self) -> _progress:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            terminal = sys.stderr
            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()  # sys.stderr is now rich's proxy, which prints above the bars
            # log records (a page that failed) go through it too, instead of being drawn over by the bars
            self.log_handlers = [
                h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and h.stream is terminal
            ]
            for handler in self.log_handlers:
                handler.setStream(sys.stderr)
        return self

    def task(self, label: str, total: int | None) -> Callable[..., None]:
        if self.bar is None:
            return lambda **_: None
        task = self.bar.add_task(label, total=total)
        return lambda **change: self.bar.update(task, **change)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
            for handler in self.log_handlers:
                handler.setStream(sys.stderr)


@cli.command()
@feeds_option
@db_option
@redis_option
@click.pass_obj
def crawl(config: Config, feeds_path: str | None, db_path: str | None, redis_url: str | None) -> None:
    """Collect the articles of every listed feed into the database. Exits 1 if any feed failed.

    Unchanged feeds cost one conditional request; pages already stored are not fetched again. With
    --redis, several crawlers (on one machine or several) share the work.

    Example: migtrack crawl --feeds feeds.toml --db data/migtrack.db --redis redis://127.0.0.1:6379/0
    """
    summary = _do_crawl(config, _feeds(config, feeds_path), _db_path(config, db_path), _redis_overrides(redis_url))
    if summary.feeds_failed or summary.errors:
        sys.exit(1)


@cli.command()
@db_option
@click.pass_obj
def process(config: Config, db_path: str | None) -> None:
    """Extract entities and positions from stored articles not yet processed, then rebuild events.

    Example: migtrack process --db data/migtrack.db
    """
    _do_process(config, _db_path(config, db_path))


@cli.command()
@feeds_option
@db_option
@redis_option
@click.pass_obj
def run(config: Config, feeds_path: str | None, db_path: str | None, redis_url: str | None) -> None:
    """One cycle for schedulers: crawl the feeds that are due, then process. Exits 1 if any feed failed.

    A feed is due when its adaptive interval (10 minutes to a day, longer after repeated failures)
    has passed since its last fetch.

    Example: migtrack run --feeds feeds.toml
    """
    sys.exit(_cycle(config, _feeds(config, feeds_path), _db_path(config, db_path), _redis_overrides(redis_url)))


def _cycle(config: Config, feeds, path: str, overrides: dict | None = None) -> int:
    """One locked cycle; returns the exit status (1 when a feed failed)."""
    from db import store
    from pipeline.lock import CycleRunning, cycle_lock

    try:
        with cycle_lock(path):
            started = store.now()
            crawled = _do_crawl(config, feeds, path, overrides, only_due=True)
            processed, _ = _do_process(config, path)
            status = 1 if crawled.feeds_failed or crawled.errors else 0
            db = _open(path)
            store.record_run(db, started, status, crawled, processed.positions)
            db.close()
    except CycleRunning as error:
        raise click.ClickException(str(error)) from error
    return status


def _parse_every(value: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        seconds = int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)
    except (ValueError, IndexError):
        raise click.BadParameter(f"{value!r}: use a number with s, m, h or d, e.g. 30m") from None
    if seconds <= 0:
        raise click.BadParameter(f"{value!r}: must be positive")
    return seconds


@cli.command()
@feeds_option
@db_option
@click.option("--every", default="30m", show_default=True, help="Time between cycles: 90s, 30m, 6h, 1d.")
@click.option("--cycles", type=int, default=0, help="Stop after this many cycles (0: run until Ctrl-C).")
@redis_option
@click.pass_context
def watch(
    ctx: click.Context, feeds_path: str | None, db_path: str | None, every: str, cycles: int, redis_url: str | None
) -> None:
    """Run a cycle (as 'migtrack run') every so often, for people without cron.

    Each cycle is its own 'migtrack run' process: Scrapy's reactor cannot restart within one
    process, and a fresh process keeps memory flat over days.

    Example: migtrack watch --every 30m --feeds migtrack.toml
    """
    import subprocess

    interval = _parse_every(every)
    command = [sys.executable, "-m", "pipeline.cli"]
    if ctx.parent.params.get("config_path"):
        command += ["--config", ctx.parent.params["config_path"]]
    command += ["run", "--db", _db_path(ctx.obj, db_path)] + (["--feeds", feeds_path] if feeds_path else [])
    command += ["--redis", redis_url] if redis_url else []
    done = 0
    while True:
        status = subprocess.call(command)
        done += 1
        log.info("cycle %d ended with status %d; next in %ds", done, status, interval)
        if cycles and done >= cycles:
            return
        time.sleep(interval)


@cli.command()
@click.argument("source", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
@click.pass_obj
def extract(config: Config, source) -> None:
    """Extract positions from JSON Lines {"id", "text"} (FILE or - for stdin), one JSON line out per line in.

    An optional "language" ("en" or "es") chooses the pipeline; without it the language is detected. Lines
    with the same "source_url" are read together as sentences of one article, so a pronoun or "the
    ministry" in one can stand for a country an earlier one names. A line that cannot be read, or is in a
    language no pipeline reads, gets {"id": ..., "error": ...} and the run goes on.

    Example: echo '{"id": 1, "text": "The Bahamas refused U.S. deportation flights."}' | migtrack extract
    """
    from pipeline.extract_jsonl import extract_jsonl

    for row in extract_jsonl(source, _extractors(config)):
        click.echo(json.dumps(row, ensure_ascii=False))


@cli.command()
@click.option(
    "--urls",
    "urls_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with a url column; optional outlet, published, language (GDELT and Media Cloud exports too).",
)
@db_option
@click.pass_obj
def fetch(config: Config, urls_path: Path, db_path: str | None) -> None:  # fmt: skip
    """Fetch the articles of a URL list through the crawl (politeness, keys, failures recorded).

    Pages already stored are not fetched again. Exits 1 if the crawl itself did not complete.

    Example: migtrack fetch --urls gdelt-2019-01.csv --db data/migtrack.db
    """
    from spiders.crawl import fetch_urls
    from spiders.urllists import NotAUrlList, read_url_list

    path = _db_path(config, db_path)
    _open(path).close()
    try:
        listed = read_url_list(urls_path)
    except (NotAUrlList, OSError) as error:
        raise click.ClickException(str(error)) from error
    started = time.monotonic()
    summary = fetch_urls(listed, urls_path.name, path, _crawl_overrides(config))
    click.echo(
        f"fetch: {len(listed)} rows; {summary.articles_new} new articles, {summary.articles_seen} "
        f"unchanged; {summary.failures} failures recorded ({time.monotonic() - started:.1f}s)",
        err=True,
    )
    if summary.errors:
        click.echo(f"fetch: did not complete (finish reason {summary.finish_reason!r}); see the log above", err=True)
        sys.exit(1)


@cli.group()
def discover() -> None:
    """Find articles in other services' indexes and write them as a URL list for 'migtrack fetch --urls'.

    Example: migtrack discover gdelt --query deportation --since 2026-10-01 --until 2026-10-08 --out urls.csv
    """


@discover.command()
@click.option("--query", "queries", multiple=True, required=True,
              help="Keyword or phrase; repeat for several (OR-ed).")  # fmt: skip
@click.option("--since", required=True, help="First day, YYYY-MM-DD (UTC).")
@click.option("--until", required=True, help="Day after the last, YYYY-MM-DD (UTC).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV to write (url, outlet, published, language, title).")  # fmt: skip
@click.option("--language", help="Only articles in this language, as GDELT names it (e.g. spanish).")
@click.option("--api-url", default=None, help="The DOC 2.0 API's address, for a mirror. Default: GDELT's.")
@click.pass_obj
def gdelt(config: Config, queries: tuple[str, ...], since: str, until: str, out_path: Path,
          language: str | None, api_url: str | None) -> None:  # fmt: skip
    """Write the articles GDELT's DOC 2.0 API lists for a query (the last three months) as a URL list.

    Example: migtrack discover gdelt --query "deportation flights" --since 2026-10-01 --until 2026-11-01 --out urls.csv
    """
    from spiders.gdelt import GDELT_DOC_API, GdeltError, discover, doc_api, parse_day, write_url_list

    try:
        start, end = parse_day(since), parse_day(until)
    except ValueError as error:
        raise click.BadParameter(f"{error}; use YYYY-MM-DD", param_hint="--since/--until") from error
    if start >= end:
        raise click.BadParameter(f"--since {since} is not before --until {until}")
    api = doc_api(api_url or GDELT_DOC_API, config.settings.user_agent, config.settings.download_timeout)
    try:
        count = write_url_list(discover(list(queries), start, end, api, language), out_path)
    except GdeltError as error:
        raise click.ClickException(f"GDELT DOC API: {error}") from error
    click.echo(f"discover: {count} articles written to {out_path}", err=True)


@cli.command(name="import")
@click.argument("warcs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@feeds_option
@db_option
@click.option("--workers", type=int, help="Processes that read pages beside the import. Default: text_workers.")
@click.pass_obj
def import_(config: Config, warcs: tuple[Path, ...], feeds_path: str | None, db_path: str | None,
            workers: int | None) -> None:  # fmt: skip
    """Store the articles on migration found in WARC files (.warc or .warc.gz), as crawled pages are.

    Only HTML pages with status 200 whose bytes name a country and speak of migration are read. A rerun
    goes on after the last record done; damaged records are recorded in failures and skipped. Pages on
    a configured outlet's host are credited to that outlet. Then run 'migtrack process'.

    Example: migtrack import CC-NEWS-20190128101412-00026.warc.gz --db data/migtrack.db
    """
    from spiders.warc_import import import_warcs

    path = _db_path(config, db_path)
    _open(path).close()
    feeds = load_config(feeds_path).feeds if feeds_path else config.feeds
    s = config.settings
    started = time.monotonic()
    with _progress() as bars:
        update = bars.task("importing", sum(w.stat().st_size for w in warcs))
        try:
            summary = import_warcs(
                list(warcs), path, feeds, s.text_workers if workers is None else workers, s.max_response_size,
                progress=lambda n: update(advance=n),
            )  # fmt: skip
        except sqlite3.OperationalError as error:
            raise click.ClickException(
                f"cannot write database {path}: {error}; what is stored is complete, run again to go on"
            ) from error
    click.echo(f"import: {summary.line()} ({time.monotonic() - started:.1f}s)", err=True)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def evaluate(config: Config, gold: str, as_json: bool) -> None:
    """Score the extractor against a labelled JSON Lines file, as gold/score.py does.

    Example: migtrack eval gold/dev_wire.jsonl
    """
    from pipeline.evaluate import evaluate_file, report

    figures = evaluate_file(gold, _extractors(config))
    click.echo(json.dumps(figures["summary"]) if as_json else report(figures))


@cli.command(name="eval-events")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), help="Keep the database here (default: a temporary one)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def eval_events(config: Config, gold_dir: str, db_path: str | None, as_json: bool) -> None:
    """Serve a gold corpus as feeds on 127.0.0.1, crawl and process it, and score the events table.

    GOLD_DIR holds articles.jsonl and events.jsonl (gold/events/README.md). Prints precision, recall and F1
    with the month within one and exact, and fragmentation (event rows per real event found).

    Example: migtrack eval-events gold/events/dev
    """
    import tempfile
    from pathlib import Path

    from demo.gold_site import write_site
    from demo.server import proxied_through, serve_site
    from pipeline.config import parse_config
    from pipeline.gold_events import GoldError, load_gold, report, score_events

    try:
        articles, gold = load_gold(gold_dir)
    except GoldError as error:
        raise click.ClickException(str(error)) from error
    with tempfile.TemporaryDirectory(prefix="migtrack-gold-") as work:
        site = Path(work) / "site"
        feeds = parse_config(write_site(articles, site), f"{gold_dir} feeds").feeds
        path = db_path or str(Path(work) / "gold.db")
        with serve_site(site) as server_url, proxied_through(server_url):
            _do_crawl(config, feeds, path, {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False})
        _do_process(config, path)
        db = _open(path, create=False)
        figures = score_events(db, gold)
        db.close()
    click.echo(json.dumps(figures) if as_json else report(figures))


@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True, help="Port for Datasette on 127.0.0.1.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--export-dir",
    type=click.Path(file_okay=False),
    help="A 'migtrack export' directory to offer for download. Default: the database's own, "
    "data/migtrack-export/ for data/migtrack.db (no link when it holds no export).",
)
@click.pass_obj
def serve(config: Config, db_path: str | None, port: int, host: str, export_dir: str | None) -> None:
    """Publish the database with Datasette and the project's metadata, and its latest export for download.

    Example: migtrack serve --port 8001
    """
    from db.serve import default_export_dir

    path = _db_path(config, db_path)
    _open(path, create=False).close()
    _serve(path, port, host, export_dir or default_export_dir(path))


def _serve(db_path: str, port: int, host: str, export_dir: str | Path) -> None:
    """Run Datasette until Ctrl-C, saying first where it is and whether it offers an export for download."""
    from db.serve import published_export
    from db.serve import serve as run_datasette

    export = published_export(export_dir)
    offer = (
        f"offering {export}/ for download at /download/"
        if export is not None
        else f"no export in {export_dir}/ to offer for download: run 'migtrack export' first"
    )
    click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop), {offer}", err=True)
    sys.exit(run_datasette(db_path, port, host, export_dir))


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@db_option
@click.option("--with-text", is_flag=True, help="Include the articles' full text (their publishers' copyright).")
@click.pass_obj
def export(config: Config, directory: str | None, db_path: str | None, with_text: bool) -> None:
    """Write the public tables as a Frictionless Data Package: CSV and Parquet per table, datapackage.json,
    CITATION.cff and codebook.md. DIRECTORY defaults to the database's own export directory
    (data/migtrack-export/ for data/migtrack.db), which 'migtrack serve' links to.

    Example: migtrack export data/migtrack-export --db data/migtrack.db
    """
    from db.serve import default_export_dir

    path = _db_path(config, db_path)
    _open(path, create=False).close()
    _do_export(path, directory or default_export_dir(path), with_text)


def _do_export(db_path: str, directory: str | Path, with_text: bool = False) -> None:
    from db.export import export_package
    from pipeline.extract import VERSION

    started = time.monotonic()
    try:
        summary = export_package(db_path, directory, VERSION, with_text=with_text)
    except OSError as error:
        raise click.ClickException(f"cannot write the export into {directory}: {error}") from error
    click.echo(
        f"export: {', '.join(f'{n} {table}' for table, n in summary.rows.items())} "
        f"(articles published {summary.date_range[0]} to {summary.date_range[1]}) to {summary.directory}/ "
        f"as CSV and Parquet, with datapackage.json, CITATION.cff and codebook.md "
        f"({time.monotonic() - started:.1f}s)",
        err=True,
    )


@cli.command()
@db_option
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout)."
)
@click.pass_obj
def codebook(config: Config, db_path: str | None, output) -> None:
    """Print the codebook (every exported field, stance and flag, with example rows) as Markdown.

    docs/codebook.md is this command's output for the demo database.

    Example: migtrack codebook --db /tmp/demo/migtrack.db --output docs/codebook.md
    """
    from db.codebook import render_codebook
    from db.export import describe_package
    from pipeline.extract import VERSION

    path = _db_path(config, db_path)
    db = _open(path, create=False)
    output.write(render_codebook(db, describe_package(db, path, VERSION)))
    db.close()


@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True, help="Port for Datasette after the run.")
@click.option("--no-serve", is_flag=True, help="Stop after storing; do not start Datasette.")
@click.pass_obj
def demo(config: Config, db_path: str | None, port: int, no_serve: bool) -> None:
    """Crawl the bundled demo corpus over loopback HTTP, extract, store, export, then serve Datasette.

    Running it twice on the same database adds nothing the second time.

    Example: migtrack demo --no-serve --db /tmp/demo/migtrack.db
    """
    from demo.server import demo_config, proxied_through, serve_site

    path = _db_path(config, db_path)
    with serve_site() as server_url, proxied_through(server_url):
        click.echo(f"demo corpus served at {server_url}/ (as {demo_config().feeds[0].url.split('/')[2]})", err=True)
        # our own loopback server: no politeness delay needed
        _do_crawl(
            config,
            demo_config().feeds,
            path,
            {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8},
        )
    _do_process(config, path)
    from db.serve import default_export_dir

    # the data package too, so the Datasette home page offers it for download from the first run
    _do_export(path, default_export_dir(path))
    if not no_serve:
        _serve(path, port, "127.0.0.1", default_export_dir(path))


def main() -> None:  # pragma: no cover
    cli(prog_name="migtrack")


if __name__ == "__main__":  # pragma: no cover
    main()
