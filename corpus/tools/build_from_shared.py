"""Rebuild corpus/un-pdf and corpus/unpc from the project's shared data folder.

Maintainers only: migdocs never reads the shared folder at run time or in tests.
    python corpus/tools/build_from_shared.py ../shared/data
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections import defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1]
LANGS = ("ar", "en", "es", "fr")


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def file_stem(symbol: str) -> str:
    return symbol.replace("/", "_").replace(" ", "")


def build_un_pdf(data: Path) -> None:
    out = CORPUS / "un-pdf"
    out.mkdir(exist_ok=True)
    rows = list(csv.DictReader(open(data / "un-pdf" / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"))
    lines = ["# Twelve English UN PDFs as published. Source of each: corpus/README.md.",
             '[defaults]\ntype = "background"\n']
    for row in rows:
        shutil.copyfile(data / "un-pdf" / row["file"], out / row["file"])
        symbol = row["symbol"]
        lines.append("[[document]]")
        if symbol and not symbol.startswith("("):
            lines.append(f"symbol = {toml_string(symbol)}")
        else:
            lines.append(f"id = {toml_string(Path(row['file']).stem.lower())}")
        title = row["title"]
        if title.startswith("(") and title.endswith(")"):
            title = title[1:-1]
        lines.append(f"title = {toml_string(title)}")
        if symbol.startswith("(") and symbol.endswith(")"):
            lines.append(f"notes = {toml_string(symbol[1:-1])}")
        lines.append(f"files = {{ EN = {toml_string(row['file'])} }}\n")
    (out / "catalog.toml").write_text("\n".join(lines), encoding="utf-8")


def build_unpc(data: Path) -> None:
    unpc = data / "unpc-2015"
    symbols = dict(csv.reader(open(unpc / "symbols.tsv", encoding="utf-8"), delimiter="\t"))
    symbols.pop("unpc_id", None)
    ids = [line.split()[0] for line in open(unpc / "UNv1.0.devset.ids", encoding="utf-8")]
    sentences = {lang: open(unpc / f"UNv1.0.devset.{lang}", encoding="utf-8").read().split("\n")
                 for lang in LANGS}
    docs: dict[str, list[int]] = defaultdict(list)
    for n, doc_id in enumerate(ids):
        docs[doc_id].append(n)
    with_pdf = {row["unpc_doc_id"] for row in csv.DictReader(
        open(data / "unpc-pdf" / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t")}
    pdf_dir, text_dir = CORPUS / "unpc" / "pdf", CORPUS / "unpc" / "text"
    for d in (pdf_dir, text_dir):
        d.mkdir(parents=True, exist_ok=True)
    lines = ["# UN Parallel Corpus v1.0 development set: 732 documents of 2015 in ar/en/es/fr.",
             "# 37 as PDFs (pdf/), the others as UTF-8 text (text/). Source: corpus/README.md.",
             '[defaults]\ntype = "background"\ndate = "2015"\n']
    for doc_id in sorted(docs, key=lambda d: symbols[d]):
        symbol = symbols[doc_id]
        stem = file_stem(symbol)
        files = {}
        for lang in LANGS:
            if doc_id in with_pdf:
                name = f"{stem}-{lang.upper()}.pdf"
                shutil.copyfile(data / "unpc-pdf" / name, pdf_dir / name)
                files[lang] = f"pdf/{name}"
            else:
                name = f"{stem}-{lang.upper()}.txt"
                body = "\n".join(sentences[lang][n] for n in docs[doc_id])
                (text_dir / name).write_text(f"{symbol}\n{body}\n", encoding="utf-8")
                files[lang] = f"text/{name}"
        table = ", ".join(f"{lang.upper()} = {toml_string(path)}" for lang, path in files.items())
        lines += ["[[document]]", f"symbol = {toml_string(symbol)}", f"files = {{ {table} }}\n"]
    (CORPUS / "unpc" / "catalog.toml").write_text("\n".join(lines), encoding="utf-8")


def build_test_data(data: Path) -> None:
    """tests/data: the hard cases, and the source sentences of the PDFs in corpus/unpc/pdf
    (what the word-recall test compares extracted text against)."""
    tests = CORPUS.parent / "tests" / "data"
    shutil.copytree(data / "hard-cases", tests / "hard-cases", dirs_exist_ok=True)
    unpc = data / "unpc-2015"
    sentences = {lang: open(unpc / f"UNv1.0.devset.{lang}", encoding="utf-8").read().split("\n")
                 for lang in LANGS}
    rows = ["file\tlanguage\tsymbol\tsentence"]
    for row in csv.DictReader(open(data / "unpc-pdf" / "MANIFEST.tsv", encoding="utf-8"),
                              delimiter="\t"):
        for n in row["devset_lines"].split(","):
            rows.append(f"{row['file']}\t{row['language']}\t{row['symbol']}\t"
                        f"{sentences[row['language']][int(n) - 1]}")
    (tests / "unpc-pdf-sentences.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    build_un_pdf(shared)
    build_unpc(shared)
    build_test_data(shared)
