"""Hand-written catalog files (TOML): a meeting's programme and its documents.

```toml
[meeting]
code = "16CM"
name = "Sixteenth Coordination Meeting on International Migration"
start = 2018-02-15
end = 2018-02-16

[[meeting.sessions]]
number = "I"
title = "The global compact for safe, orderly and regular migration: An overview"
day = 2018-02-15
part = "morning"
moderator = { name = "Laura Thompson", affiliation = "IOM" }
talks = [{ title = "Towards the global compact", speaker = "Juerg Lauber" }]

[defaults]            # applied to every [[document]] that leaves the key out
type = "paper"

[[document]]
symbol = "UN/POP/MIG-16CM/2018/1"
title = "United Nations World Food Programme (WFP)"
entity = "WFP"
entity_name = "United Nations World Food Programme"
sessions = []
languages = ["AR", "EN", "FR", "SP"]       # versions known without a file
files = { EN = "papers/UN_POP_MIG-16CM_2018_1-EN.pdf" }   # relative to this file
```
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migdocs.errors import CatalogFileError, UsageError
from migdocs.repo import languages, symbols
from migdocs.repo.model import DOCUMENT_TYPES, PARTS_OF_DAY, Document, Meeting, Person, Session, Talk

_DOCUMENT_KEYS = {"symbol", "id", "title", "type", "entity", "entity_name", "meeting",
                  "sessions", "date", "url", "notes", "languages", "files", "titles"}
_DEFAULT_KEYS = {"type", "entity", "entity_name", "meeting", "sessions", "date", "url"}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ROMAN = re.compile(r"^[IVXLC]+$")


@dataclass
class CatalogEntry:
    document: Document
    files: dict[str, Path]  # language -> path as written (relative to the catalog's folder)
    titles: dict[str, str]
    listed_languages: list[str]
    line: int
    record_hash: str


@dataclass
class CatalogFile:
    path: Path
    meeting: Meeting | None = None
    entries: list[CatalogEntry] = field(default_factory=list)


def is_catalog_file(path: Path) -> bool:
    return path.name == "catalog.toml" or path.name.endswith(".catalog.toml")


def load(path: Path) -> CatalogFile:
    """Parse and validate a catalog file; CatalogFileError lists every problem with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogFileError(str(path), None, f"cannot read the catalog ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise CatalogFileError(str(path), line, f"not valid TOML: {exc}") from exc
    lines = _document_lines(text)
    problems: list[tuple[int | None, str]] = []
    result = CatalogFile(path)
    unknown = set(data) - {"meeting", "defaults", "document"}
    if unknown:
        problems.append((None, f"unknown top-level key(s) {sorted(unknown)}; "
                               "expected [meeting], [defaults] and [[document]]"))
    if "meeting" in data:
        try:
            result.meeting = _meeting(data["meeting"])
        except _SHAPE_ERRORS as exc:
            problems.append((_header_line(text, "meeting"), f"[meeting]: {_describe(exc)}"))
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append((_header_line(text, "defaults"), "[defaults] must be a table"))
        defaults = {}
    if set(defaults) - _DEFAULT_KEYS:
        problems.append((_header_line(text, "defaults"),
                         f"[defaults] cannot set {sorted(set(defaults) - _DEFAULT_KEYS)}"))
    if result.meeting and "meeting" not in defaults:
        defaults = {**defaults, "meeting": result.meeting.code}
    seen: dict[str, int] = {}
    documents = data.get("document", [])
    if not isinstance(documents, list):
        problems.append((None, "documents are written [[document]] (an array of tables)"))
        documents = []
    for n, raw in enumerate(documents):
        line = lines[n] if n < len(lines) else None
        try:
            entry = _entry({**defaults, **raw}, line or 0)
        except _SHAPE_ERRORS as exc:
            problems.append((line, _describe(exc)))
            continue
        if entry.document.id in seen:
            problems.append((line, f"document {entry.document.id!r} is already defined at line "
                                   f"{seen[entry.document.id]}; give one of them an `id`"))
            continue
        seen[entry.document.id] = line or 0
        result.entries.append(entry)
    if problems:
        first = problems[0][0]
        detail = "\n".join(f"{path}:{ln}: {msg}" if ln else f"{path}: {msg}" for ln, msg in problems)
        raise CatalogFileError(str(path), first,
                               f"{len(problems)} problem(s); nothing from this catalog was "
                               f"ingested. Fix them and run ingest again:\n{detail}")
    return result


#: What validating a hand-written table can raise: the shapes in a catalog are the writer's.
_SHAPE_ERRORS = (UsageError, KeyError, TypeError, ValueError, AttributeError, IndexError)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc}"
    if isinstance(exc, (AttributeError, TypeError, IndexError)):
        return (f"a value has the wrong type ({exc}): a text where a table or a list is "
                "expected, or the other way round; compare with the README's catalog format")
    return str(exc)


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _document_lines(text: str) -> list[int]:
    return [i for i, ln in enumerate(text.splitlines(), 1)
            if re.match(r"^\s*\[\[\s*document\s*\]\]", ln)]


def _header_line(text: str, name: str) -> int | None:
    for i, ln in enumerate(text.splitlines(), 1):
        if re.match(rf"^\s*\[\s*{name}\s*\]", ln):
            return i
    return None


def _date(value: Any, what: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and _DATE.match(value):
        return value
    raise ValueError(f"{what} must be a date such as 2018-02-15 or a year such as \"2015\", "
                     f"not {value!r}")


def _text(raw: dict, key: str, *, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ValueError(f"`{key}` is required")
        return None
    if not isinstance(value, str):
        raise ValueError(f"`{key}` must be a string, not {value!r}")
    return value.strip() or None


def _session_name(value: Any) -> str:
    name = str(value).strip().upper()
    if not _ROMAN.match(name):
        raise ValueError(f"session {value!r} must be a roman numeral such as \"III\"")
    return name


def slug(text: str, *, limit: int = 40) -> str:
    """`Global compact ... Zero draft` -> `global-compact-for-safe-orderly-and`: ASCII words,
    cut at a word boundary."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(words) <= limit:
        return words
    cut = words[: limit + 1].rsplit("-", 1)[0]
    return cut or words[:limit]


def _entry(raw: dict, line: int) -> CatalogEntry:
    unknown = set(raw) - _DOCUMENT_KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_DOCUMENT_KEYS)}")
    symbol = symbols.canonical(raw["symbol"], keep_case=True) if raw.get("symbol") else None
    title = _text(raw, "title")
    doc_type = raw.get("type")
    if doc_type not in DOCUMENT_TYPES:
        raise ValueError(f"`type` must be one of {', '.join(DOCUMENT_TYPES)}, not {doc_type!r}")
    meeting = _text(raw, "meeting")
    doc_id = _text(raw, "id") or symbol
    if doc_id is None:
        if not title:
            raise ValueError("a document needs a `symbol`, an `id` or a `title`")
        doc_id = f"{meeting.lower()}-{slug(title)}" if meeting else slug(title)
    sessions = raw.get("sessions", [])
    if not isinstance(sessions, list):
        raise ValueError("`sessions` must be a list such as [\"V\", \"VI\"]")
    files_raw = raw.get("files", {})
    titles_raw = raw.get("titles", {})
    listed = raw.get("languages", [])
    if not isinstance(files_raw, dict) or not isinstance(titles_raw, dict) or not isinstance(listed, list):
        raise ValueError("`files` and `titles` are tables keyed by language, `languages` a list")
    files = {languages.normalize(k): Path(v) for k, v in files_raw.items()}
    titles = {languages.normalize(k): str(v) for k, v in titles_raw.items()}
    listed_languages = [languages.normalize(x) for x in listed]
    document = Document(
        id=doc_id, symbol=symbol, title=title, type=doc_type,
        entity=_text(raw, "entity"), entity_name=_text(raw, "entity_name"), meeting=meeting,
        sessions=[_session_name(s) for s in sessions],
        date=_date(raw["date"], "`date`") if raw.get("date") is not None else None,
        url=_text(raw, "url"), notes=_text(raw, "notes"),
        title_source="catalog" if title else None,
    )
    fingerprint = json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False)
    return CatalogEntry(document, files, titles, listed_languages, line,
                        hashlib.sha256(fingerprint.encode()).hexdigest())


def _person(value: Any) -> Person | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Person(value)
    return Person(value["name"], value.get("affiliation"))


def _meeting(raw: dict) -> Meeting:
    sessions = []
    for s in raw.get("sessions", []):
        talks = [Talk(Person(t["speaker"], t.get("affiliation")), t.get("title"))
                 for t in s.get("talks", [])]
        if s["part"] not in PARTS_OF_DAY:
            raise ValueError(f"session `part` must be one of {', '.join(PARTS_OF_DAY)}, "
                             f"not {s['part']!r}")
        sessions.append(Session(
            number=_session_name(s["number"]) if s.get("number") else None,
            title=s["title"], day=_date(s["day"], "session `day`"), part=s["part"],
            time=s.get("time"), moderator=_person(s.get("moderator")), talks=talks))
    return Meeting(code=raw["code"], name=raw["name"], start=_date(raw["start"], "`start`"),
                   end=_date(raw["end"], "`end`"), place=raw.get("place"), url=raw.get("url"),
                   sessions=sessions)
