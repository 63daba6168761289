"""Ingest benchmark: each measurement beside its baseline in the same run, as ratios.

    python bench/ingest.py            # writes docs/ingest-benchmark.md

1. PDF text extraction, pages/s: PDFium (default) vs pypdf, same files (corpus/un-pdf and
   corpus/unpc/pdf).
2. First ingest of the whole corpus: 2 worker processes vs 1.
3. Re-ingest of the unchanged corpus vs the first ingest.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import migdocs  # noqa: E402
from migdocs.indexer import extract  # noqa: E402


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def extraction() -> list[str]:
    files = sorted((ROOT / "corpus" / "un-pdf").glob("*.pdf")) + sorted(
        (ROOT / "corpus" / "unpc" / "pdf").glob("*.pdf"))
    rows, rates = [], {}
    for engine in ("pdfium", "pypdf"):
        seconds, pages = timed(lambda e=engine: sum(len(extract.pages(f, engine=e).pages) for f in files))
        rates[engine] = pages / seconds
        rows.append(f"| {engine} | {len(files)} | {pages} | {seconds:.2f} | {pages / seconds:.0f} |")
    return ["| engine | files | pages | seconds | pages/s |", "|---|---|---|---|---|", *rows, "",
            f"PDFium / pypdf speed ratio: **{rates['pdfium'] / rates['pypdf']:.1f}×**"]


def ingest() -> list[str]:
    results = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as home:
            with migdocs.open(home) as repo:
                first, report = timed(lambda w=workers: repo.ingest([ROOT / "corpus"], workers=w))
                again, second = timed(lambda w=workers: repo.ingest([ROOT / "corpus"], workers=w))
            results[workers] = (first, again, report, second)
    f1, f2 = results[1][0], results[2][0]
    again, first = results[2][1], results[2][0]
    report, second = results[2][2], results[2][3]
    return [
        "| run | seconds |", "|---|---|",
        f"| first ingest, 1 worker | {f1:.1f} |",
        f"| first ingest, 2 workers | {f2:.1f} |",
        f"| re-ingest (unchanged), 2 workers | {again:.2f} |", "",
        f"First ingest: {report.added} added, {report.failed} failed; re-ingest: "
        f"{second.unchanged} unchanged.",
        f"2 workers / 1 worker speed-up: **{f1 / f2:.2f}×**; "
        f"re-ingest takes **{again / first:.1%}** of a first ingest.",
    ]


def main() -> None:
    lines = ["# Ingest benchmark", "",
             f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
             f"{__import__('os').cpu_count()} cores. Rerun: `python bench/ingest.py`.", "",
             "## PDF text extraction", "", *extraction(), "",
             "## Ingesting the bundled corpus", "", *ingest(), ""]
    out = ROOT / "docs" / "ingest-benchmark.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
