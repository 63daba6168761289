"""The text shapes migdocs prints, one function per type, beside the `as_dict()` shapes the
JSON output and the web page use: the CLI parses and calls the library, and prints what these
functions return (as datasette's `renderer.py` serves every view). Plain strings only, no
terminal library: the CLI passes its own emphasis for highlighted words."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from migdocs.repo import languages
from migdocs.repo.names import printable

if TYPE_CHECKING:
    from migdocs.indexer.ingest import IngestReport
    from migdocs.indexer.lexicon_update import UpdateReport
    from migdocs.repo.model import Document, Programme
    from migdocs.search.results import SearchResult
    from migdocs.search.translate import WordTranslations

OutputFormat = Literal["table", "json", "csv"]


def render(rows: list[dict[str, Any]], fmt: OutputFormat, columns: list[str]) -> str:
    """One way to print rows: an aligned table, JSON (a list), or CSV with a header."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        import csv  # only for --csv: every command starts faster without it

        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return buffer.getvalue().rstrip("\n")
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)


def watch_line(path: Path, report: IngestReport) -> str:
    """One line per file: `added  report_2017.pdf -> international-covenant-... [ocr]`."""
    if report.failures:
        problem = report.failures[0]
        return f"failed     {path.name}: {problem.reason}" + (f" -> {problem.fix}" if problem.fix else "")
    what = "added" if report.added else "updated" if report.updated else "unchanged"
    line = f"{what:<10} {path.name}"
    if report.documents:
        line += " -> " + ", ".join(report.documents)
    if report.warnings:
        line += "; " + "; ".join(w.reason for w in report.warnings)
    return line


def ingest_summary(report: IngestReport, seconds: float) -> str:
    """What an ingest did: counts, then each warning and failure with its fix."""
    lines = [f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
             f"{report.failed} failed ({seconds:.1f} s)"]
    if report.ignored:
        lines.append(f"Ignored {len(report.ignored)} file(s) that are not PDF, DOCX, HTML or text.")
    for title, problems in (("Warnings", report.warnings), ("Failed", report.failures)):
        if problems:
            lines.append(f"{title}:")
            for p in problems:
                line = (f"  {printable(p.path)}: {printable(p.reason, keep_newlines=True)}"
                        + (f" -> {p.fix}" if p.fix else ""))
                lines.append(line.replace("\n", "\n    "))
    if report.lexicon is not None:
        lines.append(lexicon_update_line(report.lexicon))
    return "\n".join(lines)


def lexicon_update_line(report: UpdateReport) -> str:
    """What became of the translation lexicon after an ingest."""
    from migdocs.indexer.lexicon_update import REBUILD_REASONS

    if report.rebuild is not None:
        return (f"Lexicon: stale ({REBUILD_REASONS[report.rebuild]}); `migdocs lexicon build` "
                "relearns it (searches use it as it is until then).")
    if report.updated:
        line = (f"Lexicon: learned from {report.documents} new translated document(s) "
                f"({report.seconds:.1f} s)")
        return line + (f", but {report.error}." if report.error else ".")
    if report.error:
        return (f"Lexicon: not updated ({report.error}); searches use it as it was until "
                "`migdocs lexicon build`.")
    return "Lexicon: current (nothing new to learn)."


def describe(doc: Document, related: Sequence[tuple[Document, str]] = ()) -> str:
    """`migdocs get`: a document's fields, its language versions and its related documents."""
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
    if related:
        lines.append("Related:")
        lines += [f"  {d.symbol}  {relation}" + (f"  {d.title}" if d.title else "")
                  for d, relation in related]
    return "\n".join(lines)


def programme(p: Programme) -> str:
    """`migdocs meeting`: the sessions day by day, with speakers and documents."""
    m = p.meeting
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
        for d in p.documents_of(s):
            lines.append(f"      Document: {_document_line(d)}")
    if p.general_documents:
        lines += ["", "Documents not tied to a session:"]
        lines += [f"  {_document_line(d)}" for d in p.general_documents]
    return "\n".join(lines)


def _document_line(d: Document) -> str:
    title = d.title or d.id
    return f"{title} [{d.type}, {d.symbol}]" if d.symbol else f"{title} [{d.type}]"


def dictionaries_line(state: str, names: list[str]) -> str:
    """Which general dictionaries back the lexicon, and what to do when none is installed."""
    if state == "used":
        return "Dictionaries: " + ", ".join(names)
    if state == "not installed":
        return ("Dictionaries: none installed, translations are learned from the documents only "
                "(apt-get install dict-freedict-eng-fra and the others in the README adds them).")
    return "Dictionaries: not used (--no-dictionaries): translations are learned from the documents only."


SEARCH_COLUMNS = ["rank", "symbol", "title", "entity", "type", "sessions", "languages", "date",
                  "score", "page", "language", "snippet"]


def search_rows(result: SearchResult) -> list[dict[str, Any]]:
    """A result page as rows of SEARCH_COLUMNS (for --csv): the best snippet of each hit."""
    rows = []
    first = (result.page - 1) * result.limit
    for rank, hit in enumerate(result.hits, first + 1):
        best = hit.snippets[0] if hit.snippets else None
        rows.append({"rank": rank, "symbol": hit.symbol or hit.id, "title": hit.title,
                     "entity": hit.entity, "type": hit.type, "sessions": ",".join(hit.sessions),
                     "languages": ",".join(hit.languages), "date": hit.date, "score": hit.score,
                     "page": best.page if best else None, "language": best.language if best else None,
                     "snippet": best.text if best else None})
    return rows


def search_text(result: SearchResult, *, show_facets: bool, heading: str | None = None,
                emphasise: Callable[[str], str] = str) -> str:
    """A result page as text; `emphasise` marks the highlighted words (bold on a terminal)."""
    if heading and result.total:
        lines = [heading]
    elif result.total == 0:
        lines = [f"No documents match {result.query!r}."]
    else:
        first = (result.page - 1) * result.limit + 1
        last = first + len(result.hits) - 1
        noun = "document matches" if result.total == 1 else "documents match"
        shown = f"{first}-{last}" if result.hits else f"none on page {result.page}"
        what = repr(result.query) if result.query.strip() else "the filters"
        lines = [f"{result.total} {noun} {what} ({shown}, by {result.sort})"]
    for rank, hit in enumerate(result.hits, (result.page - 1) * result.limit + 1):
        about = ", ".join(filter(None, [
            hit.type, hit.entity,
            ("session " if len(hit.sessions) == 1 else "sessions ") + ", ".join(hit.sessions)
            if hit.sessions else None, hit.date]))
        langs = f"[{' '.join(hit.languages)}]" if hit.languages else "[no file]"
        lines += ["", f"{rank}. {hit.symbol or hit.id}  {langs}  {about}"]
        if hit.title:
            lines.append(f"   {hit.title}")
        for s in hit.snippets:
            lines.append(f"   p. {s.page} ({s.language}): {_marked(s.text, s.highlights, emphasise)}")
        for via in hit.matched_via:
            lines.append(f"   matched in {languages.NAMES[via.language]}: "
                         f"{', '.join(via.words)} (for {via.word})")
    if result.suggestion:
        lines += ["", f"Did you mean: {result.suggestion}"]
    pages = -(-result.total // result.limit)
    if result.page < pages:
        lines += ["", f"Page {result.page} of {pages}; --page {result.page + 1} for more."]
    if show_facets and result.total:
        lines += ["", "Facets:"]
        for name, counts in result.facets.items():
            if counts:
                lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "\n".join(lines)


def _marked(text: str, spans: list[tuple[int, int]], emphasise: Callable[[str], str]) -> str:
    out, pos = [], 0
    for start, end in spans:
        out += [text[pos:start], emphasise(text[start:end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def translations_text(word: str, found: WordTranslations) -> list[str]:
    """`migdocs lexicon show`: each reading of the word with its translations, best first."""
    lines = []
    for reading in found.readings:
        name = languages.NAMES[reading.language]
        if not reading.translations:
            lines.append(f"{word} ({name}, term {reading.term}): no translation known")
            continue
        lines.append(f"{word} ({name}, term {reading.term}):")
        for t in reading.translations:
            lines.append(f"  {t.language}  {t.word:<24} {t.p:.2f}  {t.source}  (term {t.term})")
    return lines
