"""migdocs command line: parse, call the library, format the output."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click

from migdocs import repository
from migdocs.errors import MigdocsError, NotFoundError, UsageError
from migdocs.indexer.extract import PDF_ENGINES
from migdocs.indexer.ingest import IngestReport
from migdocs.repo import languages
from migdocs.repo.model import DOCUMENT_TYPES, Document, Meeting

OutputFormat = Literal["table", "json", "csv"]


class MigdocsGroup(click.Group):
    """Turns library errors into one-line messages with the fix; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise click.UsageError(str(exc), ctx) from None
        except MigdocsError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}; check that the path "
                                       "exists, is writable and that the disk is not full") from None
        except Exception as exc:
            if os.environ.get("MIGDOCS_DEBUG"):
                raise
            raise InternalError(exc) from None


class InternalError(click.ClickException):
    exit_code = 3

    def __init__(self, exc: Exception) -> None:
        super().__init__(f"internal error ({type(exc).__name__}: {exc}). Please report it with "
                         "the command you ran; MIGDOCS_DEBUG=1 shows the traceback.")


@dataclass
class State:
    home: Path | None
    _repo: repository.Repository | None = None

    def repo(self) -> repository.Repository:
        if self._repo is None:
            self._repo = repository.open(self.home)
            for notice in self._repo.notices:
                click.echo(notice, err=True)
        return self._repo


pass_state = click.make_pass_decorator(State)


def output_options(*formats: OutputFormat) -> Callable:
    """--json / --csv flags that set `fmt`."""
    def decorate(f: Callable) -> Callable:
        for fmt in reversed(formats):
            f = click.option(f"--{fmt}", "fmt", flag_value=fmt, help=f"Print {fmt.upper()}.")(f)
        return click.option("--table", "fmt", flag_value="table", default=True, hidden=True)(f)
    return decorate


def render(rows: list[dict[str, Any]], fmt: OutputFormat, columns: list[str]) -> str:
    """One way to print rows: an aligned table, JSON (a list), or CSV with a header."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return buffer.getvalue().rstrip("\n")
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)


def document_json(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id, "symbol": doc.symbol, "title": doc.title, "entity": doc.entity,
        "entity_name": doc.entity_name, "type": doc.type, "meeting": doc.meeting,
        "sessions": doc.sessions, "date": doc.date, "notes": doc.notes,
        "versions": [{
            "language": v.language, "detected_language": v.detected_language,
            "language_confidence": v.language_confidence, "title": v.title,
            "pages": v.page_count, "file": v.file.original_name if v.file else None,
            "format": v.file.format if v.file else None, "flags": v.flags,
        } for v in doc.versions],
    }


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
@pass_state
def ingest(state: State, paths: tuple[Path, ...], pdf_engine: str, password: str | None,
           workers: int | None) -> None:
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
                             workers=workers, progress=bar)
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


def ingest_summary(report: IngestReport, seconds: float) -> str:
    lines = [f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
             f"{report.failed} failed ({seconds:.1f} s)"]
    if report.ignored:
        lines.append(f"Ignored {len(report.ignored)} file(s) that are not PDF, DOCX, HTML or text.")
    for title, problems in (("Warnings", report.warnings), ("Failed", report.failures)):
        if problems:
            lines.append(f"{title}:")
            for p in problems:
                line = f"  {p.path}: {p.reason}" + (f" -> {p.fix}" if p.fix else "")
                lines.append(line.replace("\n", "\n    "))
    return "\n".join(lines)


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
    doc = state.repo().get(symbol, with_pages=text)
    versions = [v for v in doc.versions if lang is None or v.language == lang]
    if lang and not versions:
        have = ", ".join(v.language for v in doc.versions) or "none"
        raise NotFoundError(f"{doc.symbol or doc.id} has no {lang} version (it has: {have})")
    doc.versions = versions
    if as_json:
        data = document_json(doc)
        if text:
            for entry, v in zip(data["versions"], versions):
                entry["text"] = [{"page": p.number, "language": p.language, "text": p.text}
                                 for p in v.pages]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if text:
        for v in versions:
            for p in v.pages:
                click.echo(f"--- {doc.symbol or doc.id} [{v.language}] page {p.number} ---")
                click.echo(p.text)
        return
    click.echo(describe(doc))


def describe(doc: Document) -> str:
    entity = " - ".join(filter(None, [doc.entity, doc.entity_name]))
    rows = [("Symbol", doc.symbol or "(none)"), ("Id", doc.id if doc.id != doc.symbol else None),
            ("Title", doc.title), ("Entity", entity or None), ("Type", doc.type),
            ("Meeting", doc.meeting), ("Sessions", ", ".join(doc.sessions) or None),
            ("Date", doc.date), ("Notes", doc.notes)]
    lines = [f"{k + ':':<10}{v}" for k, v in rows if v]
    lines.append("Versions:" if doc.versions else "Versions: none")
    for v in doc.versions:
        if v.file:
            detected = (f"detected {v.detected_language} ({v.language_confidence:.2f})"
                        if v.detected_language else "language not detected")
            pages = f"{v.page_count} page" + ("s" if v.page_count != 1 else "")
            line = f"  {v.language}  {v.file.original_name}  {v.file.format}, {pages}, {detected}"
        else:
            line = f"  {v.language}  (no file)"
        flags = [f for f in v.flags if f != "no-file"]
        if flags:
            line += "  [" + ", ".join(flags) + "]"
        if v.title:
            line += f"\n      {v.title}"
        lines.append(line)
    return "\n".join(lines)


@cli.command(name="list")
@click.option("--session", help="Session number, e.g. I or III.")
@click.option("--entity", help="Author entity acronym, e.g. IOM.")
@LANG_OPTION
@click.option("--type", "doc_type", type=click.Choice(DOCUMENT_TYPES))
@click.option("--meeting", help="Meeting code, e.g. 16CM.")
@output_options("json", "csv")
@pass_state
def list_documents(state: State, session: str | None, entity: str | None, lang: str | None,
                   doc_type: str | None, meeting: str | None, fmt: OutputFormat) -> None:
    """List documents, in natural symbol order, filtered by metadata.

    \b
    Example:
      migdocs list --session I
      migdocs list --type paper --csv
    """
    docs = state.repo().list(session=session, entity=entity, language=lang, type=doc_type,
                             meeting=meeting)
    if fmt == "json":
        click.echo(json.dumps([document_json(d) for d in docs], ensure_ascii=False, indent=2))
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
    found, by_session = state.repo().meeting(code)
    if as_json:
        click.echo(json.dumps(meeting_json(found, by_session), ensure_ascii=False, indent=2))
    else:
        click.echo(programme(found, by_session))


def meeting_json(m: Meeting, by_session: dict[str | None, list[Document]]) -> dict[str, Any]:
    def doc_ref(d: Document) -> dict[str, Any]:
        return {"symbol": d.symbol, "id": d.id, "title": d.title, "type": d.type}

    return {
        "code": m.code, "name": m.name, "start": m.start, "end": m.end, "place": m.place,
        "sessions": [{
            "number": s.number, "title": s.title, "day": s.day, "part": s.part, "time": s.time,
            "moderator": s.moderator and {"name": s.moderator.name,
                                          "affiliation": s.moderator.affiliation},
            "speakers": [{"name": t.speaker.name, "affiliation": t.speaker.affiliation,
                          "talk": t.title} for t in s.talks],
            "documents": [doc_ref(d) for d in by_session.get(s.number, [])] if s.number else [],
        } for s in m.sessions],
        "documents_without_session": [doc_ref(d) for d in by_session.get(None, [])],
    }


def programme(m: Meeting, by_session: dict[str | None, list[Document]]) -> str:
    lines = [m.name + (f" ({m.code})" if m.code else ""),
             f"{m.start} to {m.end}" + (f", {m.place}" if m.place else "")]
    day = None
    for s in m.sessions:
        if s.day != day:
            day = s.day
            lines += ["", day]
        head = f"{s.number}. {s.title}" if s.number else s.title
        lines.append(f"  [{s.part}{', ' + s.time if s.time else ''}] {head}")
        if s.moderator:
            aff = f", {s.moderator.affiliation}" if s.moderator.affiliation else ""
            lines.append(f"      Moderator: {s.moderator.name}{aff}")
        for t in s.talks:
            who = t.speaker.name + (f", {t.speaker.affiliation}" if t.speaker.affiliation else "")
            lines.append(f"      - {t.title}: {who}" if t.title else f"      - {who}")
        for d in by_session.get(s.number, []) if s.number else []:
            lines.append(f"      Document: {_document_line(d)}")
    general = by_session.get(None, [])
    if general:
        lines += ["", "Documents not tied to a session:"]
        lines += [f"  {_document_line(d)}" for d in general]
    return "\n".join(lines)


def _document_line(d: Document) -> str:
    title = d.title or d.id
    return f"{title} [{d.type}, {d.symbol}]" if d.symbol else f"{title} [{d.type}]"


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


def main() -> None:
    cli(prog_name="migdocs")
