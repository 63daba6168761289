"""What a document is: a symbol (or stable id), metadata, and its language versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

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

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None

    def version(self, language: str) -> LanguageVersion | None:
        return next((v for v in self.versions if v.language == language), None)


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
