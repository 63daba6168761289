"""Word recall of the PDF engines on the 148 UNPC PDFs of the corpus, against the sentences
they were made from. The default engine must reach >= 0.98 mean and >= 0.95 worst per
language; pypdf's figures are reported beside it."""

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from migdocs.indexer import extract
from migdocs.indexer.recall import word_recall
from tests.conftest import CORPUS, DATA, REPORT


def _sources() -> dict[str, tuple[str, str]]:
    sentences: dict[str, list[str]] = defaultdict(list)
    languages = {}
    with open(DATA / "unpc-pdf-sentences.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            sentences[row["file"]].append(row["sentence"])
            languages[row["file"]] = row["language"]
    return {f: (languages[f], "\n".join(s)) for f, s in sentences.items()}


def _recall(engine: str) -> dict[str, list[float]]:
    by_language: dict[str, list[float]] = defaultdict(list)
    for name, (language, source) in sorted(_sources().items()):
        pages = extract.pages(CORPUS / "unpc" / "pdf" / name, engine=engine).pages  # type: ignore[arg-type]
        by_language[language].append(word_recall(source, "\n".join(pages)))
    return by_language


@pytest.fixture(scope="module")
def recall() -> dict[str, dict[str, list[float]]]:
    figures = {engine: _recall(engine) for engine in ("auto", "pypdf")}
    REPORT.append("PDF word recall on corpus/unpc/pdf (mean / worst), default engine vs pypdf:")
    for language in sorted(figures["auto"]):
        cells = [f"{sum(v) / len(v):.3f} / {min(v):.3f}"
                 for v in (figures["auto"][language], figures["pypdf"][language])]
        REPORT.append(f"  {language}: default {cells[0]}   pypdf {cells[1]}   "
                      f"({len(figures['auto'][language])} files)")
    return figures


@pytest.mark.parametrize("language", ["ar", "en", "es", "fr"])
def test_default_engine_word_recall(recall: dict, language: str) -> None:
    values = recall["auto"][language]
    assert len(values) == 37
    assert sum(values) / len(values) >= 0.98
    assert min(values) >= 0.95


def test_pypdf_is_measured_too_and_is_worse_on_arabic(recall: dict) -> None:
    pypdf, default = recall["pypdf"]["ar"], recall["auto"]["ar"]
    assert len(pypdf) == 37
    assert sum(pypdf) / len(pypdf) < sum(default) / len(default)


def test_recall_counts_words_with_multiplicity() -> None:
    assert word_recall("the cat and the dog", "the cat and dog") == 0.8
    assert word_recall("المكرَّسة", "المكرسة") == 1.0
    assert word_recall("", "anything") == 1.0


def test_corpus_has_the_pdfs() -> None:
    assert len(list((CORPUS / "unpc" / "pdf").glob("*.pdf"))) == 148
    assert isinstance(CORPUS, Path)
