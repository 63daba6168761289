"""migdocs command line: parse, call the library, format the output."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from migdocs import repository
from migdocs.errors import MigdocsError, NotFoundError, UsageError
from migdocs.indexer.options import OCR_MODES, PDF_ENGINES
from migdocs.render import (
    SEARCH_COLUMNS,
    OutputFormat,
    describe,
    dictionaries_line,
    ingest_summary,
    programme,
    render,
    search_rows,
    search_text,
    translations_text,
    watch_line,
)
from migdocs.repo import failures, languages
from migdocs.repo.cite import CITE_FORMATS
from migdocs.repo.cite import cite as citation
from migdocs.repo.home import resolve_home
from migdocs.repo.lock import DEFAULT_WAIT
from migdocs.repo.model import DOCUMENT_TYPES
from migdocs.search.options import MAX_LIMIT, SORT_ORDERS

if TYPE_CHECKING:
    from migdocs.search.results import SearchResult


def _bold(text: str) -> str:
    return click.style(text, bold=True)


class MigdocsGroup(click.Group):
    """Turns library errors into one-line messages with the fix; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise click.UsageError(str(exc), ctx) from None
        except MigdocsError as exc:
            raise _failure(exc) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            state = ctx.find_object(State)
            known = failures.translate(exc, state.home_path() if state else None)
            if known is not None:
                raise _failure(known) from None
            if isinstance(exc, OSError):
                where = f"{exc.filename}: " if exc.filename else ""
                raise click.ClickException(f"{where}{exc.strerror or exc}; check that the path "
                                           "exists and is writable") from None
            if os.environ.get("MIGDOCS_DEBUG"):
                raise
            raise InternalError(exc) from None


def _failure(exc: MigdocsError) -> click.ClickException:
    """A library error as a one-line message with its exit code (README: Exit codes)."""
    failure = click.ClickException(str(exc))
    failure.exit_code = exc.exit_code  # type: ignore[misc]  # click types it a ClassVar
    return failure


class InternalError(click.ClickException):
    exit_code = 3

    def __init__(self, exc: Exception) -> None:
        super().__init__(f"internal error ({type(exc).__name__}: {exc}). Please report it with "
                         "the command you ran; MIGDOCS_DEBUG=1 shows the traceback.")


@dataclass
class State:
    home: Path | None
    _repo: repository.Repository | None = None
    #: Seconds a write waits for another process's write (--wait on writing commands).
    wait: float = DEFAULT_WAIT

    def home_path(self) -> Path:
        return resolve_home(self.home)

    def repo(self) -> repository.Repository:
        if self._repo is None:
            self._repo = repository.open(self.home, wait=self.wait,
                                         notify=lambda m: click.echo(m, err=True))
            # Closed when the command ends, not whenever it is garbage-collected: SQLite then
            # folds its write-ahead log into catalog.sqlite at once.
            click.get_current_context().call_on_close(self._repo.close)
        return self._repo


pass_state = click.make_pass_decorator(State)


def _set_wait(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None:
        ctx.ensure_object(State).wait = value
    return value


WAIT_OPTION = click.option(
    "--wait", type=click.FloatRange(0), metavar="SECONDS", callback=_set_wait, expose_value=False,
    help=f"If another migdocs process is writing to this repository, wait up to SECONDS for it "
         f"(default {DEFAULT_WAIT:g}), then exit with code 4 (busy).")


def output_options(*formats: OutputFormat) -> Callable:
    """--json / --csv flags that set `fmt`."""
    def decorate(f: Callable) -> Callable:
        for fmt in reversed(formats):
            f = click.option(f"--{fmt}", "fmt", flag_value=fmt, help=f"Print {fmt.upper()}.")(f)
        return click.option("--table", "fmt", flag_value="table", default=True, hidden=True)(f)
    return decorate


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        return languages.normalize(value) if value else None
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


LANG_OPTION = click.option("--lang", callback=_language, metavar="LANG",
                           help="ar, en, fr or es (AR EN FR SP accepted).")


@click.group(cls=MigdocsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path),
              help="Repository folder (default: $MIGDOCS_HOME, else your user data folder).")
@click.version_option(package_name="migdocs")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """migdocs: the documents of the UN Coordination Meeting on International Migration.

    \b
    Quick start:
      migdocs ingest corpus
      migdocs get UN/POP/MIG-16CM/2018/5
    """
    ctx.obj = State(home)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--pdf-engine", type=click.Choice(PDF_ENGINES), default="auto", show_default=True,
              help="auto: PDFium, and pypdf when PDFium cannot open a file.")
@click.option("--password", help="Password for encrypted PDFs.")
@click.option("--workers", type=click.IntRange(1, 64), help="Extraction processes (default: one per core).")
@click.option("--ocr", type=click.Choice(OCR_MODES), default="auto", show_default=True,
              help="Read scanned pages with Tesseract. auto: pages without text; always: "
                   "every PDF page; never: none.")
@WAIT_OPTION
@pass_state
def ingest(state: State, paths: tuple[Path, ...], pdf_engine: str, password: str | None,
           workers: int | None, ocr: str) -> None:
    """Ingest catalog files (catalog.toml), folders (recursively) and single files.

    Unchanged files are skipped; changed ones are re-extracted and re-indexed. Exit code 1
    when some files failed (everything else is still ingested).

    \b
    Example:
      migdocs ingest corpus
      migdocs ingest ~/Downloads/A_69_745-FR.pdf
    """
    repo = state.repo()
    started = time.monotonic()
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        report = repo.ingest(paths, pdf_engine=pdf_engine, password=password,  # type: ignore[arg-type]
                             workers=workers, progress=bar, ocr=ocr)  # type: ignore[arg-type]
    finally:
        if bar:
            bar.close()
    click.echo(ingest_summary(report, time.monotonic() - started))
    if report.failed:
        sys.exit(1)


class _ProgressBar:
    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Ingesting", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command()
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--settle", type=click.FloatRange(0.1, 3600), default=2.0, show_default=True,
              help="Seconds a file's size and time must stay still before it is ingested.")
@click.option("--ocr", type=click.Choice(OCR_MODES), default="auto", show_default=True,
              help="As for ingest.")
@pass_state
def watch(state: State, folders: tuple[Path, ...], settle: float, ocr: str) -> None:
    """Ingest files as they arrive in or change under FOLDERS, until Ctrl-C.

    Catches up with the folders first, then prints one line per file ingested. A file being
    copied is ingested once, when complete. Deleted files stay in the repository.

    \b
    Example:
      migdocs watch ~/inbox
    """
    import signal
    import threading

    from migdocs.indexer import watch as watching

    repo = state.repo()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    report = repo.ingest(folders, ocr=ocr)  # type: ignore[arg-type]
    _say(f"Caught up: {ingest_summary(report, 0).split(' (')[0]}.")
    watcher = watching.Watcher(folders, settle=settle)
    _say(f"Watching {', '.join(map(str, folders))} (Ctrl-C stops).")

    def ingest_one(path: Path) -> None:
        _say(watch_line(path, repo.ingest([path], workers=1, ocr=ocr)))  # type: ignore[arg-type]

    watching.run(watcher, ingest_one, stop)
    _say("Stopped watching.")


def _say(line: str) -> None:
    click.echo(line)
    sys.stdout.flush()  # a pipe is block-buffered: a reader sees each line when it happens


@cli.command()
@click.argument("symbol")
@LANG_OPTION
@click.option("--text", is_flag=True, help="Print the text, page by page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def get(state: State, symbol: str, lang: str | None, text: bool, as_json: bool) -> None:
    """Show one document by symbol (any spelling, or a UN file name) or id.

    \b
    Example:
      migdocs get UN/POP/MIG-16CM/2018/5
      migdocs get a/69/767 --json
      migdocs get A_69_767-FR.pdf --text --lang fr
    """
    detail = state.repo().detail(symbol, language=lang, with_text=text)
    doc = detail.document
    if as_json:
        click.echo(json.dumps(detail.as_dict(), ensure_ascii=False, indent=2))
        return
    if detail.notice:  # JSON has it as `resolved_from`
        click.echo(detail.notice, err=True)
    if text:
        for v in doc.versions:
            for p in v.pages:
                click.echo(f"--- {doc.symbol or doc.id} [{v.language}] page {p.number} ---")
                click.echo(p.text)
        return
    click.echo(describe(doc, detail.related))


def filter_options(*, year: bool = True) -> Callable:
    """The metadata filters shared by `list`, `search` and `similar`."""
    def decorate(f: Callable) -> Callable:
        options = [
            LANG_OPTION,
            click.option("--session", help="Session number, e.g. I or III."),
            click.option("--entity", help="Author entity acronym, e.g. IOM."),
            click.option("--type", "doc_type", type=click.Choice(DOCUMENT_TYPES)),
            click.option("--meeting", help="Meeting code, e.g. 16CM."),
            click.option("--symbol", help="A symbol, or a pattern such as 'A/RES/71/*'."),
        ]
        if year:
            options.append(click.option("--year", help="Year of the document, e.g. 2018."))
        for option in reversed(options):
            f = option(f)
        return f
    return decorate


@cli.command(name="list")
@filter_options(year=False)
@output_options("json", "csv")
@pass_state
def list_documents(state: State, session: str | None, entity: str | None, lang: str | None,
                   doc_type: str | None, meeting: str | None, symbol: str | None,
                   fmt: OutputFormat) -> None:
    """List documents, in natural symbol order, filtered by metadata.

    \b
    Example:
      migdocs list --session I
      migdocs list --type paper --csv
      migdocs list --symbol 'UN/POP/MIG-16CM/2018/*'
    """
    docs = state.repo().list(session=session, entity=entity, language=lang, type=doc_type,
                             meeting=meeting, symbol=symbol)
    if fmt == "json":
        click.echo(json.dumps([d.as_dict() for d in docs], ensure_ascii=False, indent=2))
        return
    if not docs:
        click.echo("No documents match.", err=True)
        return
    rows = [{"symbol": d.symbol or d.id, "type": d.type, "entity": d.entity,
             "sessions": ",".join(d.sessions), "languages": ",".join(v.language for v in d.versions),
             "title": d.title} for d in docs]
    click.echo(render(rows, fmt, ["symbol", "type", "entity", "sessions", "languages", "title"]))


@cli.command()
@click.argument("code", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def meeting(state: State, code: str | None, as_json: bool) -> None:
    """Show a meeting's programme: sessions in order, speakers and documents.

    \b
    Example:
      migdocs meeting 16CM
    """
    found = state.repo().meeting(code)
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(programme(found))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def stats(state: State, as_json: bool) -> None:
    """Counts of documents, versions, pages and index entries.

    \b
    Example:
      migdocs stats
    """
    data = state.repo().stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
        click.echo(f"{key.replace('_', ' ')}: {value}")


@cli.command()
@click.argument("symbol")
@LANG_OPTION
@WAIT_OPTION
@pass_state
def remove(state: State, symbol: str, lang: str | None) -> None:
    """Remove a document, or only its version in one language.

    \b
    Example:
      migdocs remove A/69/767 --lang fr
    """
    for removed in state.repo().remove(symbol, language=lang):
        click.echo(f"Removed {removed}")


@cli.command()
@WAIT_OPTION
@pass_state
def reindex(state: State) -> None:
    """Rebuild the search index from the catalog (no file is read again).

    \b
    Example:
      migdocs reindex
    """
    started = time.monotonic()
    count = state.repo().reindex()
    click.echo(f"Reindexed {count} documents ({time.monotonic() - started:.1f} s)")


@cli.command()
@pass_state
def check(state: State) -> None:
    """Check that the catalog, the stored files and the index agree (exit 1 if not).

    \b
    Example:
      migdocs check
    """
    problems = state.repo().check()
    if not problems:
        click.echo("OK: catalog, stored files and index agree.")
        return
    for p in problems:
        click.echo(f"{p.what} -> {p.fix}")
    click.echo(f"{len(problems)} problem(s)", err=True)
    sys.exit(1)


@cli.group()
def lexicon() -> None:
    """The translation lexicon that lets a query in one language find documents in another.

    \b
    Example:
      migdocs lexicon build
      migdocs lexicon show migrants --from en
    """


@lexicon.command(name="build")
@click.option("--no-dictionaries", is_flag=True, help="Learn from the documents only, without FreeDict.")
@pass_state
def lexicon_build(state: State, no_dictionaries: bool) -> None:
    """Learn the lexicon from every document held in several languages (rebuilds it whole).

    \b
    Example:
      migdocs lexicon build
    """
    report = state.repo().lexicon_build(dictionaries=not no_dictionaries)
    units = ", ".join(f"{pair} {n}" for pair, n in report.units.items()) or "none"
    click.echo(f"Learned {report.entries} translations ({report.seconds:.1f} s).")
    click.echo(f"Aligned units per language pair: {units}.")
    click.echo(dictionaries_line(report.dictionary_state, report.dictionaries))


@lexicon.command(name="show")
@click.argument("word")
@click.option("--from", "language", callback=_language, metavar="LANG",
              help="Read WORD as a word of this language (default: every language).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def lexicon_show(state: State, word: str, language: str | None, as_json: bool) -> None:
    """Translations of a word, with their probabilities and where they come from.

    \b
    Example:
      migdocs lexicon show remittances --from en
    """
    found = state.repo().translations(word, language=language)
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
        return
    if found.state == "missing":
        raise NotFoundError("there is no lexicon yet; run `migdocs lexicon build`")
    if found.state == "stale":
        click.echo("Note: documents (or migdocs's text analysis) changed since the lexicon "
                   "was built; `migdocs lexicon build` relearns it.", err=True)
    if found.dictionary_state != "used":
        click.echo(dictionaries_line(found.dictionary_state, found.dictionaries), err=True)
    lines = translations_text(word, found)
    if not lines:
        raise NotFoundError(f"no translation of {word!r} in the lexicon")
    click.echo("\n".join(lines))


@cli.command()
@click.argument("words", nargs=-1)
@filter_options()
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance", show_default=True,
              help="date: newest first; symbol: natural order.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True,
              help="Documents per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--no-translate", is_flag=True,
              help="Search the words as typed only, not also through their translations.")
@click.option("--facets", "show_facets", is_flag=True,
              help="Also count the matches by language, session, entity, type and year.")
@output_options("json", "csv")
@pass_state
def search(state: State, words: tuple[str, ...], lang: str | None, session: str | None, entity: str | None,
           doc_type: str | None, meeting: str | None, symbol: str | None, year: str | None,
           sort: str, limit: int, page: int, no_translate: bool, show_facets: bool,
           fmt: OutputFormat) -> None:
    """Search all documents, in all four languages at once. Exit code 1 when nothing matches.

    The query is the words given (quote it to keep quotes and parentheses from the shell).
    With no words, the filters alone list documents.

    Documents that contain all the words come first; one missing a word still follows.
    +word or AND: required. OR. -word or NOT: excluded. "exact phrase". (grouping).
    migra*: trailing wildcard. remitances~: fuzzy. Fields: lang:fr session:III entity:IOM
    type:paper year:2018 meeting:16CM symbol:A/RES/71/*. A symbol (any spelling) puts its
    document first.

    \b
    Example:
      migdocs search "migrant workers"
      migdocs search "travailleurs migrants" --lang fr --facets
      migdocs search "remittances session:V" --json
      migdocs search "symbol:UN/POP/MIG-16CM/2018/*" --sort symbol --limit 20
      migdocs search --session V
    """
    query = " ".join(words)
    result = state.repo().search(query, lang=lang, session=session, entity=entity, type=doc_type,
                                 year=year, meeting=meeting, symbol=symbol, sort=sort,  # type: ignore[arg-type]
                                 limit=limit, page=page, translate=not no_translate)
    show_results(result, fmt, show_facets=show_facets)


@cli.command()
@click.argument("symbol")
@LANG_OPTION
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True)
@output_options("json", "csv")
@pass_state
def similar(state: State, symbol: str, lang: str | None, limit: int, fmt: OutputFormat) -> None:
    """Documents most like one document (more like this), in any language.

    \b
    Example:
      migdocs similar A/69/767
      migdocs similar A/CONF.222/11 --lang fr --limit 5
    """
    result = state.repo().similar(symbol, lang=lang, limit=limit)
    show_results(result, fmt, show_facets=False,
                 heading=f"Documents most like {symbol} (1-{len(result.hits)} of {result.total})")


def show_results(result: SearchResult, fmt: OutputFormat, *, show_facets: bool,
                 heading: str | None = None) -> None:
    for notice in result.notices:
        click.echo(f"Note: {notice}", err=True)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(render(search_rows(result), "csv", SEARCH_COLUMNS))
    else:
        click.echo(search_text(result, show_facets=show_facets, heading=heading, emphasise=_bold))
    if result.total == 0:
        sys.exit(1)


@cli.command()
@click.argument("symbol")
@click.option("--format", "fmt", type=click.Choice(CITE_FORMATS), default="un", show_default=True,
              help="un: UN style; bibtex or ris for reference managers.")
@pass_state
def cite(state: State, symbol: str, fmt: str) -> None:
    """Print the citation of a document.

    \b
    Example:
      migdocs cite UN/POP/MIG-16CM/2018/5
      migdocs cite A/69/767 --format bibtex
    """
    repo = state.repo()
    document = repo.get(symbol)
    meeting = repo.catalog.meeting(document.meeting) if document.meeting else None
    click.echo(citation(document, meeting=meeting, format=fmt))  # type: ignore[arg-type]


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens it to the network.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@pass_state
def serve(state: State, host: str, port: int) -> None:
    """Serve the read-only search page and JSON API in a browser.

    \b
    Example:
      migdocs serve            # then open http://127.0.0.1:8000/
      migdocs serve --port 8080
    """
    repo = state.repo()  # opens (and repairs) the repository once, before any request
    from migdocs.web import serve as run_server  # the web framework loads only here

    click.echo(f"Serving {repo.home} on http://{host}:{port}/ (Ctrl+C stops)", err=True)
    run_server(repo.home, host=host, port=port)


@cli.group()
def engine() -> None:
    """The search engine behind a home, and configuration for a Sphinx/Manticore cluster."""


@engine.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def engine_show(state: State, as_json: bool) -> None:
    """Which search engine this home uses, whether it answers, and its index format.

    \b
    Example:
      migdocs engine show
    """
    from migdocs.search.engine_info import engine_info

    info = engine_info(state.repo())
    click.echo(json.dumps(info.as_dict(), ensure_ascii=False, indent=2) if as_json
               else "\n".join(info.lines()))
    if info.state == "unreachable":
        sys.exit(1)


@engine.command("set")
@click.argument("engine_url", metavar="ENGINE")
@pass_state
def engine_set(state: State, engine_url: str) -> None:
    """Use ENGINE for this home's search index: `whoosh` (embedded, the default) or
    sphinxql://HOST:PORT/INDEX (Sphinx or Manticore; see docs/scale-out.md). The catalog and
    files stay; the index is rebuilt from the catalog by `migdocs reindex` or the next command.

    \b
    Examples:
      migdocs engine set sphinxql://127.0.0.1:9306/migdocs && migdocs reindex
      migdocs engine set whoosh
    """
    state.repo().set_engine(engine_url)
    click.echo(f"This home now uses {engine_url}; run `migdocs reindex` to build its index now "
               "(otherwise the next command does).")


@engine.command("sphinx-config")
@click.option("--nodes", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Shards: one real-time index per node.")
@click.option("--port", type=click.IntRange(1, 65535), default=9306, show_default=True,
              help="SphinxQL port of the front; nodes use the ports after it.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the .conf files and the engine's data.")
def sphinx_config(nodes: int, port: int, directory: Path) -> None:
    """Write DIR/node-1.conf ... DIR/node-N.conf (one real-time shard each) and DIR/front.conf
    (SphinxQL on 127.0.0.1:PORT, a distributed index `migdocs` over the nodes).

    \b
    Example:
      migdocs engine sphinx-config --nodes 2 --port 9306 --dir /srv/migdocs-sphinx
      for f in /srv/migdocs-sphinx/node-*.conf /srv/migdocs-sphinx/front.conf; do searchd --config $f; done
    """
    from migdocs.search.sphinx_config import write_cluster

    try:
        cluster = write_cluster(directory, nodes=nodes, port=port)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    for conf in cluster.configs:
        click.echo(f"Wrote {conf}")
    click.echo(f"Start each with `searchd --config FILE` (nodes first); the engine URL is {cluster.url}")


def main() -> None:
    cli(prog_name="migdocs")
