"""From the query tree to compiled (engine-neutral) queries, one language at a time.

Every word goes through the analyzer of each language written in its script and is looked
up in that language's fields, so one query finds `migrant workers`, `travailleurs
migrants`, `trabajadores migrantes` and `العمال المهاجرين` alike, while an Arabic word is not
looked up in French text nor a Latin one in Arabic text (half the lookups; a symbol-shaped
word, cited in every script, is looked up everywhere). Wildcard and fuzzy words are expanded
here, against the index's own vocabulary, with a cap on how many terms one word may become.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migdocs.errors import UsageError
from migdocs.indexer.analysis import analyze, is_arabic
from migdocs.indexer.entries import (
    ENTITY_NAME,
    FIELD_LANGUAGES,
    TEXT_AR_EXACT,
    TITLE_AR_EXACT,
    keyword,
)
from migdocs.indexer.normalise import fold_accents, fold_arabic
from migdocs.repo import languages, symbols
from migdocs.repo.model import DOCUMENT_TYPES
from migdocs.search import query as cq  # compiled (engine-neutral) queries
from migdocs.search.backend import Reader
from migdocs.search.query import any_of as _or
from migdocs.search.query import terms_query as _terms_query
from migdocs.search.syntax import Clause, Field, Group, Node, Phrase, Word

if TYPE_CHECKING:
    from migdocs.search.translate import QueryTranslator, WordTranslation

#: How many index terms one wildcard or fuzzy word may expand to (the most frequent win).
MAX_EXPANSIONS = 64
#: Stems shorter than this are matched within one edit, longer ones within two.
FUZZY_TWO_EDITS_FROM = 6
#: A symbol written in a query weighs this much more than a word.
SYMBOL_BOOST = 20.0
_STOP_CHECK_LANGUAGES = ("ar", "en", "fr", "es")
_SYMBOL_SHAPED = re.compile(r"[/_].*\d|\d.*[/_]")
_LATIN_LANGUAGES = tuple(lang for lang in FIELD_LANGUAGES if lang != "ar")

SymbolResolver = Callable[[str], "str | None"]


def field_languages(text: str) -> tuple[str, ...]:
    """The field languages a word is looked up in, by its script: Arabic letters -> Arabic
    (and `other`); other letters -> the Latin-script languages; digits only, or a symbol
    (cited in every script) -> all."""
    if _SYMBOL_SHAPED.search(text):
        return FIELD_LANGUAGES
    arabic = is_arabic(text)
    other_letters = any(c.isalpha() and not ("\u0600" <= c <= "\u06ff") for c in text)
    if arabic and not other_letters:
        return ("ar", "other")
    if other_letters and not arabic:
        return _LATIN_LANGUAGES
    return FIELD_LANGUAGES


def fold_prefix(text: str, language: str) -> str:
    """A wildcard prefix folded like the index folds words, but not stemmed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language == "ar":
        return fold_arabic(text)
    if language in ("en", "fr", "es"):
        return fold_accents(text)
    return text


@dataclass(frozen=True)
class Filters:
    """Metadata constraints; the options and `field:value` in the query mean the same."""

    lang: str | None = None
    session: str | None = None
    entity: str | None = None
    type: str | None = None
    year: str | None = None
    meeting: str | None = None
    symbol: str | None = None


@dataclass
class Compiled:
    """A top-level clause as Whoosh queries."""

    clause: Clause
    query: cq.Query
    #: Analysed terms by field language, for highlighting.
    terms: dict[str, set[str]] = field(default_factory=dict)
    is_word: bool = True  # words and phrases count for "contains all the words"
    #: When the word was also searched through its translations (`query` then includes
    #: them): the translations, and the query without them.
    translation: WordTranslation | None = None
    original: cq.Query | None = None


class QueryCompiler:
    def __init__(self, reader: Reader, *, resolve_symbol: SymbolResolver,
                 notices: list[str], translator: QueryTranslator | None = None) -> None:
        self.reader = reader
        self.resolve_symbol = resolve_symbol
        self.notices = notices
        self.translator = translator

    # -- fields -------------------------------------------------------------------------------
    def field_query(self, f: Field) -> cq.Query | None:
        value = f.value.strip()
        if f.name == "lang":
            try:
                code = languages.normalize(value)
            except UsageError:
                code = None
            if code not in languages.NAMES:
                self.notices.append(f"Ignored lang:{value}: use ar, en, fr or es.")
                return None
            return cq.Term("language", keyword("language", code))
        if f.name == "type":
            if value.lower() not in DOCUMENT_TYPES:
                self.notices.append(f"Ignored type:{value}: use one of {', '.join(DOCUMENT_TYPES)}.")
                return None
            return cq.Term("type", value.lower())
        if f.name == "year":
            if not re.fullmatch(r"\d{4}", value):
                self.notices.append(f"Ignored year:{value}: write a year as four digits, e.g. 2018.")
                return None
            return cq.Term("year", value)
        if f.name == "symbol":
            return self.symbol_query(value)
        fieldname = {"session": "sessions", "entity": "entity", "meeting": "meeting"}[f.name]
        return cq.Term(fieldname, keyword(fieldname, value))

    def symbol_query(self, value: str) -> cq.Query:
        """`A/RES/71/*` on the symbol key; a messy spelling of an existing symbol is resolved;
        a symbol that does not exist matches nothing (never a neighbour)."""
        if "*" in value or "?" in value:
            pattern = symbols.key(value)
            if pattern.endswith("*") and not any(c in pattern[:-1] for c in "*?"):
                return cq.Prefix("symbol", pattern[:-1])
            return cq.Wildcard("symbol", pattern)
        resolved = self.resolve_symbol(value)
        return cq.Term("symbol", resolved or symbols.key(value))

    def filter_query(self, filters: Filters) -> cq.Query | None:
        queries = [self.field_query(Field(name, value)) for name, value in vars(filters).items()
                   if value]
        parts = [p for p in queries if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else cq.And(tuple(parts))

    # -- words --------------------------------------------------------------------------------
    def is_stop_word(self, word: Word) -> bool:
        """A plain word some analyzed language drops (the, de, la, في): it says nothing about
        which document is meant, so best-match ignores it."""
        if word.wildcard or word.fuzzy or len(word.text.split()) > 1:
            return False
        return any(not analyze(word.text, lang) for lang in _STOP_CHECK_LANGUAGES)

    def compile_clause(self, clause: Clause) -> Compiled | None:
        terms: dict[str, set[str]] = {}
        q = self.compile_node(clause.node, terms)
        if q is None:
            return None
        compiled = Compiled(clause, q, terms, is_word=not isinstance(clause.node, Field))
        node = clause.node
        if (self.translator is not None and isinstance(node, Word) and not node.wildcard
                and not node.fuzzy and not _SYMBOL_SHAPED.search(node.text)):
            # The word's translations count as the word (one clause: best match, required
            # and excluded words), each weighted below it. Phrases are not translated.
            translation = self.translator.translate(node.text)
            if translation is not None:
                compiled.translation, compiled.original = translation, q
                compiled.query = cq.Or((q, translation.query()))
                for lang, found in translation.terms().items():
                    terms.setdefault(lang, set()).update(found)
        return compiled

    def compile_node(self, node: Node, terms: dict[str, set[str]]) -> cq.Query | None:
        if isinstance(node, Field):
            return self.field_query(node)
        if isinstance(node, Phrase):
            return self.text_query(node.text, terms)
        if isinstance(node, Word):
            if node.wildcard:
                return self.wildcard_query(node, terms)
            if node.fuzzy:
                return self.fuzzy_query(node, terms)
            return self.text_query(node.text, terms)
        return self.group_query(node, terms)

    def group_query(self, group: Group, terms: dict[str, set[str]]) -> cq.Query | None:
        """A nested group, evaluated page by page (top-level clauses are evaluated per
        document by the engine)."""
        must: list[cq.Query] = []
        should: list[cq.Query] = []
        must_not: list[cq.Query] = []
        for clause in group.clauses:
            q = self.compile_node(clause.node, terms if clause.occur != "must_not" else {})
            if q is None:
                continue
            occur = clause.occur
            if occur == "should" and isinstance(clause.node, Field):
                occur = "must"
            {"must": must, "should": should, "must_not": must_not}[occur].append(q)
        if group.operator == "any":
            positive: cq.Query | None = _or(must + should)
        elif must:
            positive = cq.all_of(must)
            maybe = _or(should)
            if positive is not None and maybe is not None:
                positive = cq.AndMaybe(positive, maybe)
        else:
            positive = _or(should)
        negative = _or(must_not)
        if positive is None:
            return None
        if negative is not None:
            positive = cq.AndNot(positive, negative)
        return positive

    def text_query(self, text: str, terms: dict[str, set[str]], *,
                   spelled: bool = False) -> cq.Query | None:
        """A word or phrase, analysed per language; a symbol also matches its document, and
        texts that cite it in its canonical spelling (`a69/720` -> `A/69/720`)."""
        subqueries: list[cq.Query] = []
        if not spelled and _SYMBOL_SHAPED.search(text):
            for spelling in symbols.spellings(text):
                if spelling != text:
                    q = self.text_query(spelling, terms, spelled=True)
                    if q is not None:
                        subqueries.append(q)
        looked_up = field_languages(text)
        symbol_shaped = bool(_SYMBOL_SHAPED.search(text))
        for lang in looked_up:
            tokens = analyze(text, lang)
            if not tokens:
                continue
            terms.setdefault(lang, set()).update(tokens)
            # A symbol in a title or entity is its document's own: the symbol term finds it.
            kinds = ("text",) if symbol_shaped and len(tokens) > 1 else ("text", "title")
            for fieldname in (f"{kind}_{lang}" for kind in kinds):
                subqueries.append(_terms_query(fieldname, tokens))
        exact = analyze(text, "ar_exact") if "ar" in looked_up else []
        if exact and any(is_arabic(t) for t in exact):
            terms.setdefault("ar_exact", set()).update(exact)
            subqueries.append(_terms_query(TEXT_AR_EXACT, exact))
            if not symbol_shaped:
                subqueries.append(_terms_query(TITLE_AR_EXACT, exact))
        entity = analyze(text, "en") if "en" in looked_up and not symbol_shaped else []
        if entity:
            subqueries.append(_terms_query(ENTITY_NAME, entity))
        if not spelled and _SYMBOL_SHAPED.search(text):
            key = self.resolve_symbol(text)
            if key:
                subqueries.append(cq.Term("symbol", key, boost=SYMBOL_BOOST))
        return _or(subqueries)

    def wildcard_query(self, word: Word, terms: dict[str, set[str]]) -> cq.Query | None:
        candidates: list[tuple[int, str, str]] = []  # (doc frequency, field, term)
        exact: list[cq.Query] = []
        for lang in field_languages(word.text):
            prefix = fold_prefix(word.text, lang)
            if not prefix:
                continue
            for fieldname in (f"text_{lang}", f"title_{lang}"):
                for text, frequency in self.reader.expand_prefix(fieldname, prefix):
                    candidates.append((frequency, fieldname, text))
            stemmed = analyze(word.text, lang)
            if len(stemmed) == 1:  # `migrations*` also matches the stem `migrat`
                exact += [cq.Term(f"text_{lang}", stemmed[0]), cq.Term(f"title_{lang}", stemmed[0])]
                terms.setdefault(lang, set()).add(stemmed[0])
        return self._expanded(f"{word.text}*", candidates, exact, terms)

    def fuzzy_query(self, word: Word, terms: dict[str, set[str]]) -> cq.Query | None:
        candidates: list[tuple[int, str, str]] = []
        exact: list[cq.Query] = []
        for lang in field_languages(word.text):
            tokens = analyze(word.text, lang)
            if len(tokens) != 1:
                continue
            token = tokens[0]
            terms.setdefault(lang, set()).add(token)
            # Edits apply to the stem: a short stem (`remitances` -> `remit`) takes one edit,
            # or two edits would match half the vocabulary (`rem`, `reit`, `emit`, ...).
            distance = min(word.fuzzy, 1 if len(token) < FUZZY_TWO_EDITS_FROM else 2)
            for fieldname in (f"text_{lang}", f"title_{lang}"):
                exact.append(cq.Term(fieldname, token))
                for text, frequency in self.reader.expand_fuzzy(fieldname, token, distance):
                    candidates.append((frequency, fieldname, text))
        return self._expanded(f"{word.text}~", candidates, exact, terms)

    def _expanded(self, shown: str, candidates: list[tuple[int, str, str]], exact: list[cq.Query],
                  terms: dict[str, set[str]]) -> cq.Query | None:
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        distinct = {text for _, _, text in candidates}
        if len(distinct) > MAX_EXPANSIONS:
            kept: list[tuple[int, str, str]] = []
            seen: set[str] = set()
            for candidate in candidates:
                if candidate[2] in seen or len(seen) < MAX_EXPANSIONS:
                    seen.add(candidate[2])
                    kept.append(candidate)
            candidates = kept
            self.notices.append(f"{shown} matches {len(distinct)} words; searched the "
                                f"{MAX_EXPANSIONS} most frequent. Type more letters to narrow it.")
        for _, fieldname, text in candidates:
            terms.setdefault(fieldname.split("_", 1)[1], set()).add(text)
        return _or(exact + [cq.Term(f, t) for _, f, t in candidates])


