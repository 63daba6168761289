"""What a search index holds, engine-neutral: entries with analysed terms per field.

Granularity: one entry per page of every language version (so hits carry page numbers) plus
one `meta` entry per catalog document (symbol, titles, entity: what makes metadata-only
records findable). Every field name is decided here, once; backends map them to their own
schema. Text fields carry the terms of `migdocs.indexer.analysis`, so every backend matches
the same entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from migdocs.indexer.analysis import analyze
from migdocs.repo import symbols
from migdocs.repo.languages import ANALYZED, field_language
from migdocs.repo.model import Document

EntryKind = Literal["meta", "page"]
#: Languages with their own text and title fields.
FIELD_LANGUAGES: tuple[str, ...] = (*ANALYZED, "other")
#: Arabic text and titles folded but not stemmed (the form as typed ranks a little higher).
TEXT_AR_EXACT = "text_ar_exact"
TITLE_AR_EXACT = "title_ar_exact"
#: The author entity's acronym and name (English analysis).
ENTITY_NAME = "entity_name"
#: Keyword fields: exact values, for filters. Values are case-folded by `keyword()`.
KEYWORD_FIELDS: tuple[str, ...] = ("doc_id", "kind", "symbol", "language", "sessions",
                                   "entity", "type", "meeting", "year")
#: Title fields weigh twice a page's text.
TITLE_BOOST = 2.0


def text_field(language: str | None) -> str:
    return f"text_{field_language(language)}"


def title_field(language: str | None) -> str:
    return f"title_{field_language(language)}"


def text_fields() -> list[str]:
    """Every text field, titles included."""
    out = [f"{kind}_{lang}" for lang in FIELD_LANGUAGES for kind in ("text", "title")]
    return out + [TEXT_AR_EXACT, TITLE_AR_EXACT, ENTITY_NAME]


def field_boost(fieldname: str) -> float:
    return TITLE_BOOST if fieldname.startswith("title_") else 1.0


def analyzer_of(fieldname: str) -> str:
    """The analyzer a text field's terms come from."""
    if fieldname in (TEXT_AR_EXACT, TITLE_AR_EXACT):
        return "ar_exact"
    if fieldname == ENTITY_NAME:
        return "en"
    return fieldname.split("_", 1)[1]


def keyword(fieldname: str, value: str) -> str:
    """A keyword value as indexed and as looked up: sessions, entities and meetings ignore
    case; symbols use their lookup key."""
    if fieldname == "symbol":
        return symbols.key(value)
    if fieldname in ("sessions", "entity", "meeting"):
        return value.strip().lower()
    return value.strip()


@dataclass
class PageTerms:
    """A page's analysed text: made in the ingest workers, used when its entry is built."""

    language: str  # the language the text was analysed in
    terms: list[str]
    exact: list[str] | None = None  # Arabic pages: the unstemmed terms


def analyse_page(text: str, language: str) -> PageTerms:
    name = field_language(language)
    return PageTerms(language, analyze(text, name), analyze(text, "ar_exact") if name == "ar" else None)


def page_language(page_language: str | None, version_detected: str | None, version_language: str) -> str:
    """The language a page's text is analysed in: the page's own detected language, else its
    version's detected language, else the declared one."""
    return page_language or version_detected or version_language


@dataclass
class Entry:
    key: str  # unique: `DOC#meta` or `DOC#LANG#PAGE`
    doc_id: str
    kind: EntryKind
    languages: tuple[str, ...]  # a page: its version's; the record: every version's
    page: int = 0
    page_language: str | None = None  # the language a page's text was analysed in
    keywords: dict[str, list[str]] = field(default_factory=dict)  # KEYWORD_FIELDS values
    text: dict[str, list[str]] = field(default_factory=dict)  # text field -> terms

    def as_fields(self) -> dict[str, list[str]]:
        """Keywords with kind, doc id and languages, for backends that store everything as
        fields."""
        return {**self.keywords, "doc_id": [self.doc_id], "kind": [self.kind],
                "language": list(self.languages)}


def _keywords(document: Document) -> dict[str, list[str]]:
    values = {
        "symbol": [document.symbol] if document.symbol else [],
        "sessions": document.sessions,
        "entity": [document.entity] if document.entity else [],
        "type": [document.type],
        "meeting": [document.meeting] if document.meeting else [],
        "year": [document.year] if document.year else [],
    }
    return {name: [keyword(name, v) for v in vs] for name, vs in values.items()}


def document_entries(document: Document,
                     analysed: Mapping[tuple[str, int], PageTerms] | None = None) -> list[Entry]:
    """The entries of one document with its versions and pages. `analysed` holds page terms
    made earlier (in the ingest workers), by (version language, page number); pages missing
    there, or analysed in another language, are analysed here."""
    keywords = _keywords(document)
    meta = Entry(f"{document.id}#meta", document.id, "meta",
                 tuple(v.language for v in document.versions), keywords=keywords)
    entity = " ".join(filter(None, [document.entity, document.entity_name]))
    if entity:
        meta.text[ENTITY_NAME] = analyze(entity, "en")
    titles: dict[str, list[str]] = {}
    if document.title:
        titles.setdefault(_title_language(document), []).append(document.title)
    for version in document.versions:
        if version.title:
            titles.setdefault(version.language, []).append(version.title)
    for language, texts in titles.items():
        joined = "\n".join(texts)
        name = field_language(language)
        meta.text[title_field(language)] = analyze(joined, name)
        if name == "ar":
            meta.text[TITLE_AR_EXACT] = analyze(joined, "ar_exact")
    out = [meta]
    for version in document.versions:
        for page in version.pages:
            if not page.text.strip():
                continue
            language = page_language(page.language, version.detected_language, version.language)
            terms = (analysed or {}).get((version.language, page.number))
            if terms is None or terms.language != language:
                terms = analyse_page(page.text, language)
            entry = Entry(f"{document.id}#{version.language}#{page.number}", document.id, "page",
                          (version.language,), page.number, language, keywords)
            entry.text[text_field(language)] = terms.terms
            if terms.exact is not None:
                entry.text[TEXT_AR_EXACT] = terms.exact
            out.append(entry)
    return out


def _title_language(document: Document) -> str:
    """Catalog titles are written in English unless the only version says otherwise."""
    if len(document.versions) == 1:
        return document.versions[0].language
    return "en"


def expected_pages(document: Document) -> int:
    """How many page entries a document with its pages should have (for `check`)."""
    return sum(1 for v in document.versions for p in v.pages if p.text.strip())
