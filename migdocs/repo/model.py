"""What a document is: a symbol (or stable id), metadata, and its language versions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from migdocs.errors import NotFoundError

DocumentType = Literal["paper", "background", "presentation", "meeting"]
DOCUMENT_TYPES: tuple[str, ...] = get_args(DocumentType)
PartOfDay = Literal["morning", "afternoon", "evening"]
PARTS_OF_DAY: tuple[str, ...] = get_args(PartOfDay)

#: Flags a language version can carry; `get` shows them, `list` can filter on them later.
FLAG_NO_FILE = "no-file"
FLAG_NO_TEXT_LAYER = "no-text-layer"
FLAG_LANGUAGE_MISMATCH = "language-mismatch"
FLAG_MIXED_LANGUAGE = "mixed-language"
FLAG_COPY_PROTECTED = "copy-protected"
FLAG_PYPDF_FALLBACK = "extracted-with-pypdf"
FLAG_OCR = "ocr"  # some pages were read by OCR (Tesseract) from their pictures


@dataclass
class StoredFile:
    sha256: str
    original_name: str
    format: str
    size: int


@dataclass
class Page:
    number: int
    text: str
    language: str | None = None  # detected for this page when it has enough text


@dataclass
class LanguageVersion:
    language: str
    title: str | None = None
    file: StoredFile | None = None
    pages: list[Page] = field(default_factory=list)
    detected_language: str | None = None
    language_confidence: float | None = None
    flags: list[str] = field(default_factory=list)
    page_count: int = 0


@dataclass
class Document:
    id: str  # canonical symbol, or a stable id derived from the catalog when there is none
    symbol: str | None
    title: str | None
    type: str
    entity: str | None = None
    entity_name: str | None = None
    meeting: str | None = None
    sessions: list[str] = field(default_factory=list)
    date: str | None = None  # ISO: YYYY, YYYY-MM or YYYY-MM-DD
    url: str | None = None
    notes: str | None = None
    versions: list[LanguageVersion] = field(default_factory=list)
    #: catalog | metadata | first-line | file-name (migdocs.indexer.titles): a derived title
    #: gives way to a catalog's.
    title_source: str | None = None

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None

    def version(self, language: str) -> LanguageVersion | None:
        return next((v for v in self.versions if v.language == language), None)

    def require_version(self, language: str) -> LanguageVersion:
        """The version in `language`; NotFoundError naming the languages it does have."""
        found = self.version(language)
        if found is None:
            have = ", ".join(v.language for v in self.versions) or "none"
            raise NotFoundError(f"{self.symbol or self.id} has no {language} version (it has: {have})")
        return found

    def in_language(self, language: str | None) -> Document:
        """This document with only its `language` version (all of them for None)."""
        if language is None:
            return self
        return replace(self, versions=[self.require_version(language)])

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of a document (`get --json`, `list --json`, the web API)."""
        return {
            "id": self.id, "symbol": self.symbol, "title": self.title,
            "title_source": self.title_source, "entity": self.entity,
            "entity_name": self.entity_name, "type": self.type, "meeting": self.meeting,
            "sessions": self.sessions, "date": self.date, "notes": self.notes,
            "versions": [{
                "language": v.language, "detected_language": v.detected_language,
                "language_confidence": v.language_confidence, "title": v.title,
                "pages": v.page_count, "file": v.file.original_name if v.file else None,
                "format": v.file.format if v.file else None, "flags": v.flags,
            } for v in self.versions],
        }

    def reference(self) -> dict[str, Any]:
        """The short form of a document inside another shape (a meeting's session)."""
        return {"symbol": self.symbol, "id": self.id, "title": self.title, "type": self.type}


@dataclass
class Suggestion:
    """A completion of what someone is typing: a symbol, an entity or a title."""
    kind: Literal["symbol", "entity", "title"]
    value: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value}


@dataclass
class DocumentDetail:
    """One document as `get` shows it: with its related documents (parent, Rev./Add./Corr.)
    and, when `with_text`, the text of every page."""
    document: Document
    related: list[tuple[Document, str]] = field(default_factory=list)  # (document, relation)
    with_text: bool = False
    #: what was typed, when it was not the document's own spelling (`a/conf222/6`)
    resolved_from: str | None = None

    @property
    def notice(self) -> str | None:
        """`A/CONF.222/6 (you typed a/conf222/6)` for a forgiven spelling."""
        if self.resolved_from is None:
            return None
        return f"{self.document.symbol or self.document.id} (you typed {self.resolved_from})"

    def as_dict(self) -> dict[str, Any]:
        data = self.document.as_dict()
        data["resolved_from"] = self.resolved_from
        data["related"] = [{"symbol": d.symbol, "relation": r, "title": d.title}
                           for d, r in self.related]
        if self.with_text:
            for entry, v in zip(data["versions"], self.document.versions, strict=True):
                entry["text"] = [{"page": p.number, "language": p.language, "text": p.text}
                                 for p in v.pages]
        return data


@dataclass
class Person:
    name: str
    affiliation: str | None = None


@dataclass
class Talk:
    speaker: Person
    title: str | None = None


@dataclass
class Session:
    number: str | None  # roman numeral; None for programme items such as a special presentation
    title: str
    day: str
    part: str
    time: str | None = None
    moderator: Person | None = None
    talks: list[Talk] = field(default_factory=list)


@dataclass
class Meeting:
    code: str
    name: str
    start: str
    end: str
    place: str | None = None
    url: str | None = None
    sessions: list[Session] = field(default_factory=list)


@dataclass
class Programme:
    """A meeting with its documents by session (key None: documents tied to no session)."""
    meeting: Meeting
    by_session: dict[str | None, list[Document]] = field(default_factory=dict)

    def documents_of(self, session: Session) -> list[Document]:
        return self.by_session.get(session.number, []) if session.number else []

    @property
    def general_documents(self) -> list[Document]:
        return self.by_session.get(None, [])

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of a meeting (`meeting --json`, the web API)."""
        m = self.meeting
        return {
            "code": m.code, "name": m.name, "start": m.start, "end": m.end, "place": m.place,
            "sessions": [{
                "number": s.number, "title": s.title, "day": s.day, "part": s.part, "time": s.time,
                "moderator": s.moderator and {"name": s.moderator.name,
                                              "affiliation": s.moderator.affiliation},
                "speakers": [{"name": t.speaker.name, "affiliation": t.speaker.affiliation,
                              "talk": t.title} for t in s.talks],
                "documents": [d.reference() for d in self.documents_of(s)],
            } for s in m.sessions],
            "documents_without_session": [d.reference() for d in self.general_documents],
        }
