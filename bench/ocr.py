"""OCR benchmark: word recall and speed of `migdocs.indexer.ocr` on scans of the 148 UNPC PDFs.

    python bench/ocr.py [--limit N] [--workers 2]     # writes docs/ocr.md

Each PDF of ../shared/data/unpc-pdf is rendered by PDFium to an image-only PDF at 200 dpi
(what a scanner makes: no text layer), then read back by OCR exactly as `migdocs ingest`
does, twice: with the language declared (as the file name or catalog gives it) and with no
language declared (all four, then langdetect decides). Word recall is measured against the
UN Parallel Corpus dev-set lines the PDF was made from (the MANIFEST names them), with the
same word counting as the PDF engines' recall (`migdocs.indexer.recall`).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")

from migdocs.indexer import extract, ocr  # noqa: E402
from migdocs.indexer.recall import word_recall  # noqa: E402

SCAN_DPI = 200


def sources() -> list[tuple[str, str, str]]:
    """(file, language, reference text) for every PDF of the MANIFEST."""
    devset: dict[str, list[str]] = {}
    for lang in ("ar", "en", "es", "fr"):
        path = SHARED / "unpc-2015" / f"UNv1.0.devset.{lang}"
        devset[lang] = path.read_text(encoding="utf-8").split("\n")
    out = []
    with open(SHARED / "unpc-pdf" / "MANIFEST.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            lines = [int(n) for n in row["devset_lines"].split(",")]
            text = "\n".join(devset[row["language"]][n - 1] for n in lines)
            out.append((row["file"], row["language"], text))
    return out


def one(job: tuple[str, str, str, str]) -> dict:
    name, lang, reference, folder = job
    scan = Path(folder) / name
    pages = extract.save_image_only(SHARED / "unpc-pdf" / name, scan, dpi=SCAN_DPI)
    empty = extract.pages(scan).pages
    assert not any(p.strip() for p in empty), f"{name}: the render has a text layer"
    row = {"file": name, "language": lang, "pages": pages}
    for mode, declared in (("declared", lang), ("undeclared", None)):
        start = time.perf_counter()
        result = ocr.read(scan, empty, list(range(1, pages + 1)), declared=declared)
        row[f"{mode}_seconds"] = time.perf_counter() - start
        row[f"{mode}_recall"] = word_recall(reference, "\n".join(result.pages))
        row[f"{mode}_language"] = result.language
    return row


def table(rows: list[dict], mode: str, wall: float, workers: int) -> list[str]:
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_lang[r["language"]].append(r)
    target = {"ar": 0.90}
    lines = ["| language | files | pages | mean recall | worst | target | met | "
             "language decided right | s per page, one worker |", "|---|---|---|---|---|---|---|---|---|"]
    for lang in sorted(by_lang):
        rs = by_lang[lang]
        recalls = [r[f"{mode}_recall"] for r in rs]
        mean = sum(recalls) / len(recalls)
        pages = sum(r["pages"] for r in rs)
        right = sum(r[f"{mode}_language"] == lang for r in rs)
        goal = target.get(lang, 0.95)
        lines.append(f"| {lang} | {len(rs)} | {pages} | {mean:.3f} | {min(recalls):.3f} | "
                     f">= {goal:.2f} | {'yes' if mean >= goal else 'NO'} | {right}/{len(rs)} | "
                     f"{sum(r[f'{mode}_seconds'] for r in rs) / pages:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, help="only the first N files (a quick look)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "ocr.md")
    args = parser.parse_args()
    if ocr.missing(None):
        sys.exit(f"{ocr.missing(None)}: {ocr.INSTALL}")
    jobs = sources()[: args.limit]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, ProcessPoolExecutor(args.workers) as pool:
        rows = []
        for n, row in enumerate(pool.map(one, [(*j, folder) for j in jobs]), 1):
            rows.append(row)
            print(f"{n}/{len(jobs)} {row['file']} {row['declared_recall']:.3f} "
                  f"{row['undeclared_recall']:.3f}", flush=True)
    wall = time.perf_counter() - start
    pages = sum(r["pages"] for r in rows)
    report = [
        "# OCR: word recall and speed on scans of the UNPC PDFs",
        "",
        f"`python bench/ocr.py` ({len(rows)} files, {pages} pages; one run on "
        f"{platform.machine()} with {os.cpu_count()} cores, {args.workers} worker processes, "
        f"Tesseract {ocr.version()}, `OMP_THREAD_LIMIT=1`).",
        "",
        f"Each PDF of `../shared/data/unpc-pdf` is rendered by PDFium to an image-only PDF at "
        f"{SCAN_DPI} dpi (no text layer, as a scanner makes it) and read back by "
        "`migdocs.indexer.ocr` as `migdocs ingest` does: pages rendered again by PDFium at "
        f"{ocr.DEFAULT_DPI} dpi ({ocr.DPI['ar']} for Arabic), Tesseract with one language. "
        "Word recall: share of the words of the UN Parallel Corpus dev-set lines each PDF was "
        "made from (the MANIFEST names them) found in the OCR text, counted with multiplicity "
        "after the same folding as the PDF engines' recall (NFKC, case, Arabic diacritics).",
        "",
        "## Language declared (catalog or file name: `A_69_720-AR.pdf`)",
        "",
        *table(rows, "declared", wall, args.workers),
        "",
        "## No language declared (all four languages, then langdetect decides)",
        "",
        *table(rows, "undeclared", wall, args.workers),
        "",
        f"Both passes together: {pages * 2} pages in {wall:.0f} s wall time on "
        f"{args.workers} workers = **{pages * 2 / wall:.2f} pages/s** (the undeclared pass "
        "reads the first page twice: once with all languages to decide, once with the one "
        "decided).",
        "",
        "Worst files (declared language):",
        "",
        *[f"- {r['file']}: {r['declared_recall']:.3f}"
          for r in sorted(rows, key=lambda r: r["declared_recall"])[:5]],
        "",
    ]
    args.out.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))


if __name__ == "__main__":
    main()
