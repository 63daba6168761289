"""The lexicon file (`HOME/lexicon.sqlite`) and looking words up in it at query time.

Learning it is `migdocs.indexer.lexicon`; this module owns its format (one SQLite file:
translations by source term, the words each term was written as, and what it was learned
from) and the lookups a search makes: a few indexed point queries per query word, cached.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from migdocs.errors import RepositoryError
from migdocs.indexer.lexicon import LEXICON_FORMAT, DictionaryState, Translation, analyse
from migdocs.indexer.normalise import fold_accents, fold_arabic
from migdocs.repo.languages import ANALYZED

if TYPE_CHECKING:
    from migdocs.search.backend import DocumentMatches, Reader
    from migdocs.search.compile import Compiled
    from migdocs.search.query import Query
    from migdocs.search.ranking import Found
    from migdocs.search.results import Hit

LexiconState = Literal["current", "stale", "missing"]
#: Word forms kept per term (the most frequent): to show it, and to tell which language a
#: typed word is in.
FORMS_PER_TERM = 50

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS translations (
    src_lang TEXT NOT NULL, src TEXT NOT NULL, tgt_lang TEXT NOT NULL, tgt TEXT NOT NULL,
    p REAL NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (src_lang, src, tgt_lang, tgt)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS forms (
    lang TEXT NOT NULL, term TEXT NOT NULL, word TEXT NOT NULL, count INTEGER NOT NULL,
    folded TEXT NOT NULL,  -- the word without accents/diacritics, as people may type it
    PRIMARY KEY (lang, term, word)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS forms_by_folded ON forms(folded);
"""


class LexiconWriter:
    """Writes a new lexicon file; a context manager: committed on success, nothing kept on
    error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")

    def __enter__(self) -> LexiconWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
            self.db.close()
        else:
            self.db.execute("ROLLBACK")
            self.db.close()
            self.path.unlink(missing_ok=True)

    def add(self, language: str, term: str, targets: list[tuple[str, str, float, str]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO translations VALUES (?,?,?,?,?,?)",
                            [(language, term, lang, t, round(p, 4), src) for lang, t, p, src in targets])

    def forms(self, forms: dict[str, dict[str, Counter[str]]]) -> None:
        rows = []
        for language, terms in forms.items():
            for term, words in terms.items():
                rows += [(language, term, w, c, fold_word(w))
                         for w, c in words.most_common(FORMS_PER_TERM)]
        self.db.executemany("INSERT OR REPLACE INTO forms VALUES (?,?,?,?,?)", rows)

    def meta(self, *, fingerprint: str, units: dict[str, int], dictionaries: list[str],
             dictionary_state: DictionaryState) -> None:
        values = {"format": str(LEXICON_FORMAT), "fingerprint": fingerprint,
                  "units": json.dumps(units), "dictionaries": json.dumps(dictionaries),
                  "dictionary_state": dictionary_state}
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())


class Lexicon:
    """A lexicon file opened for lookups (read-only; a missing file is an empty lexicon)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        if path.exists():
            try:
                self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
                self._meta = dict(self.db.execute("SELECT key, value FROM meta"))
            except sqlite3.DatabaseError as exc:
                raise RepositoryError(f"{path}: cannot read the lexicon ({exc}); rebuild it "
                                      "with `migdocs lexicon build`") from exc
        else:
            self._meta = {}
        self.lookup = lru_cache(maxsize=4096)(self._lookup)
        self.languages_of = lru_cache(maxsize=4096)(self._languages_of)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    @property
    def exists(self) -> bool:
        return self.db is not None and self._meta.get("format") == str(LEXICON_FORMAT)

    def state(self, fingerprint: str) -> LexiconState:
        if not self.exists:
            return "missing"
        return "current" if self._meta.get("fingerprint") == fingerprint else "stale"

    @property
    def units(self) -> dict[str, int]:
        return json.loads(self._meta.get("units", "{}"))

    @property
    def dictionaries(self) -> list[str]:
        return json.loads(self._meta.get("dictionaries", "[]"))

    @property
    def dictionary_state(self) -> DictionaryState:
        return self._meta.get("dictionary_state", "not used")

    def _lookup(self, language: str, term: str) -> tuple[Translation, ...]:
        """The translations of one analysed term of `language`, best first."""
        if self.db is None:
            return ()
        rows = self.db.execute(
            """SELECT tgt_lang, tgt, p, source FROM translations WHERE src_lang=? AND src=?
               ORDER BY tgt_lang, p DESC""", (language, term)).fetchall()
        return tuple(Translation(lang, t, self.word(lang, t), p, source)
                     for lang, t, p, source in rows)

    def word(self, language: str, term: str) -> str:
        """The word a term was most often written as (the term itself if never seen)."""
        if self.db is None:
            return term
        row = self.db.execute(  # `austérité` rather than `d'austérité`
            "SELECT word FROM forms WHERE lang=? AND term=? ORDER BY instr(word, '''') > 0 "
            "OR instr(word, ?) > 0, count DESC, word LIMIT 1",
            (language, term, "\u2019")).fetchone()
        return row[0] if row else term

    def _languages_of(self, word: str) -> dict[str, int]:
        """How often a word as typed (accents and case aside) was seen in each language."""
        if self.db is None:
            return {}
        rows = self.db.execute("SELECT lang, sum(count) FROM forms WHERE folded=? GROUP BY lang",
                               (fold_word(word),))
        return {lang: n for lang, n in rows if lang in ANALYZED}


def fold_word(word: str) -> str:
    """Case, accents, Arabic diacritics and alef/yeh variants folded, as the index folds
    them: `Formación` -> `formacion`."""
    return fold_arabic(fold_accents(unicodedata.normalize("NFKC", word).casefold()))


@dataclass
class Reading:
    """A typed word read as a word of one language: its term there and its translations."""

    language: str
    term: str
    translations: list[Translation]

    def as_dict(self) -> dict:
        return {"language": self.language, "term": self.term,
                "translations": [t.as_dict() for t in self.translations]}


@dataclass
class WordTranslations:
    """What `lexicon show WORD` prints: the word's readings and the state of the lexicon."""

    word: str
    state: LexiconState
    dictionaries: list[str]
    dictionary_state: DictionaryState
    readings: list[Reading] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"word": self.word, "state": self.state, "dictionaries": self.dictionaries,
                "dictionary_state": self.dictionary_state,
                "readings": [r.as_dict() for r in self.readings]}


def readings(lexicon: Lexicon, word: str, language: str | None = None) -> list[Reading]:
    """The word read in `language`, or in every analysed language whose reading the lexicon
    knows (a word typed without a language may be any of them: `pension` is English,
    French and Spanish)."""
    out = []
    for lang in [language] if language else ANALYZED:
        terms = [t for t, _ in analyse(word, lang)]
        if len(terms) != 1:
            continue
        found = lexicon.lookup(lang, terms[0])
        if found or language:
            out.append(Reading(lang, terms[0], list(found)))
    return out


#: A translated term weighs this much of the word itself, times its score (< 1): the word
#: itself still weighs more, and a confident translation beats a doubtful one. Measured on
#: bench/crosslingual (B in French): 0.5 -> 1.0 raised ar->fr 0.38 -> 0.47, es->fr 0.73 ->
#: 0.80, en->fr 0.78 -> 0.81 (tuned on the benchmark's own queries: see docs/crosslingual.md).
TRANSLATION_WEIGHT = 1.0
#: The score of a name matched by its consonants (`migdocs.search.transliterate`).
TRANSLITERATION_P = 0.5
#: Translations per word and target language used at query time.
QUERY_TRANSLATIONS = 3


@dataclass
class WordTranslation:
    """What one query word was also searched as: translations by target language."""

    word: str
    read_as: tuple[str, ...]  # the languages the word was read in
    #: The query's languages (`query_languages`): a document holding a version in one of
    #: them is ranked on its own matches only, never on translations.
    query_languages: tuple[str, ...]
    targets: dict[str, list[Translation]]

    def terms(self) -> dict[str, set[str]]:
        return {lang: {t.term for t in ts} for lang, ts in self.targets.items()}

    def query(self) -> Query:
        """The translations in their languages' text and title fields, each weighted
        TRANSLATION_WEIGHT x its score."""
        from migdocs.indexer.entries import text_field, title_field
        from migdocs.search import query as q

        parts: list[Query] = []
        for lang, found in self.targets.items():
            for t in found:
                boost = TRANSLATION_WEIGHT * t.p
                parts += [q.Term(text_field(lang), t.term, boost),
                          q.Term(title_field(lang), t.term, boost)]
        return q.Or(tuple(parts))


def query_languages(lexicon: Lexicon, words: list[str]) -> tuple[str, ...]:
    """The language(s) the query is written in, decided once for the whole query: by
    script first (Arabic letters can only be Arabic; Latin letters only English, French or
    Spanish), then by the lexicon's word forms: the languages in which most of the query's
    words were seen (a word alone says little: `pension` is English, French and Spanish);
    every language of the script when no word was seen."""
    from migdocs.indexer.analysis import is_arabic

    letters = [w for w in words if any(c.isalpha() for c in w)]
    arabic = [w for w in letters if is_arabic(w)]
    if letters and len(arabic) == len(letters):
        return ("ar",)
    possible = tuple(lang for lang in ANALYZED if lang != "ar") if not arabic else ANALYZED
    votes: Counter[str] = Counter()
    for word in words:
        votes.update(set(lexicon.languages_of(word)) & set(possible))
    best = max(votes.values(), default=0)
    return tuple(lang for lang in possible if votes[lang] == best) if best else possible


class QueryTranslator:
    """Chooses, for each query word, its best translations out of the query's languages
    (`query_languages`) into the others."""

    def __init__(self, lexicon: Lexicon, words: list[str],
                 held: Callable[[tuple[str, ...]], frozenset[str]] | None = None,
                 reader: Reader | None = None) -> None:
        """`held(query languages)`: the languages of the documents that hold no version in
        the query's languages (translations into other languages could only lift documents
        that are ranked on their own matches anyway, and cost most of the time)."""
        self.lexicon = lexicon
        self.reader = reader  # for names matched by transliteration
        self.languages = query_languages(lexicon, words)
        others = frozenset(ANALYZED) - set(self.languages)
        self.targets = others if held is None else others & held(self.languages)

    def _add_names(self, word: str, chosen: dict[str, list[Translation]]) -> None:
        """An Arabic word may be a name, which the lexicon rarely knows (it learned
        `أنغيلا` -> `cayman`): the index's words of each language with its consonants are
        added (`أنغيلا` -> `anguilla`)."""
        from migdocs.indexer.entries import text_field
        from migdocs.search.transliterate import latin_names

        assert self.reader is not None
        for lang in sorted(self.targets - {"ar"}):
            known = {t.term for t in chosen.get(lang, [])}
            chosen.setdefault(lang, []).extend(
                Translation(lang, name, name, TRANSLITERATION_P, "transliterated")
                for name in latin_names(self.reader, word, text_field(lang)) if name not in known)
            if not chosen[lang]:
                del chosen[lang]

    def translate(self, word: str) -> WordTranslation | None:
        """The word's translations out of the query's languages, or None when it has none."""
        targets: dict[str, dict[str, Translation]] = {}
        own: dict[str, set[str]] = {lang: {t for t, _ in analyse(word, lang)} for lang in ANALYZED}
        read_as = []
        for lang in self.languages:
            terms = own[lang]
            if len(terms) != 1:
                continue
            read_as.append(lang)
            for t in self.lexicon.lookup(lang, next(iter(terms))):
                if t.language not in self.targets or t.term in own[t.language]:
                    continue  # no document to find there, or the word itself is searched
                kept = targets.setdefault(t.language, {})
                if t.term not in kept or kept[t.term].p < t.p:
                    kept[t.term] = t
        chosen = {lang: sorted(ts.values(), key=lambda t: -t.p)[:QUERY_TRANSLATIONS]
                  for lang, ts in targets.items()}
        if self.languages == ("ar",) and self.reader is not None:
            self._add_names(word, chosen)
        if not chosen:
            return None
        return WordTranslation(word, tuple(read_as), self.languages, chosen)


def word_documents(reader: Reader, compiled: Compiled, filter_q: Query | None,
                   foreign: Callable[[str], bool]) -> tuple[DocumentMatches, DocumentMatches]:
    """(documents matching a translated word, those matching the word itself). Translated
    evidence counts only for `foreign` documents (no version in the query's language): a
    document the user can read in their own language is judged on that, as untranslated
    search would (on the full corpus, translations of a French query lifted English and
    Spanish versions of other documents above the French one: MRR 1.000 -> 0.975)."""
    assert compiled.translation is not None and compiled.original is not None
    direct = reader.documents(compiled.original, filter=filter_q)
    merged = dict(direct)
    for doc_id, langs in reader.documents(compiled.translation.query(), filter=filter_q).items():
        if foreign(doc_id):
            merged[doc_id] = merged.get(doc_id, frozenset()) | langs
    return merged, direct


def explain(words: list[Compiled], per_word: list[DocumentMatches],
            direct_per_word: list[DocumentMatches | None], hits: list[Hit]) -> None:
    """Sets `matched_via` on each hit that has a query word only through its translations:
    the word, the language and the translated words (as highlighted in its snippets, else
    as the lexicon writes them). `words` are the compiled clauses, `per_word` the documents
    each matched, `direct_per_word` those matching the word itself (no lookup here)."""
    from migdocs.indexer.analysis import ELISION, term
    from migdocs.search.results import MatchedVia

    for compiled, matched, direct in zip(words, per_word, direct_per_word, strict=True):
        translation = compiled.translation
        if translation is None or direct is None:
            continue
        for hit in hits:
            if hit.id in direct or hit.id not in matched:
                continue
            for lang in sorted(set(matched[hit.id]) & set(translation.targets)):
                wanted = {t.term for t in translation.targets[lang]}
                seen: dict[str, str] = {}
                for snip in hit.snippets:
                    if snip.language != lang:
                        continue
                    for start, end in snip.highlights:
                        text = snip.text[start:end]
                        if term(text, lang) in wanted:
                            text = ELISION.sub("", text)  # `austérité`, not `d'austérité`
                            seen.setdefault(text.casefold(), text)
                shown_words = list(seen.values()) or [t.word for t in translation.targets[lang]]
                hit.matched_via.append(MatchedVia(translation.word, lang, shown_words))


#: Documents ranked through translations whose words-together count is computed (those
#: matching the most words first); the rest keep their coverage. On sphinxql every matching
#: page of each comes back as a row per word, and a search may read at most 200,000 rows.
TOGETHER_DOCUMENTS = 2_000


def rank_together(reader: Reader, words: list[Compiled], found: Found,
                  foreign: Callable[[str], bool], filter_q: Query | None) -> None:
    """Sets `together` (see ranking.tiers) on the documents ranked through translations
    that match two words or more: one entry list per word, among those documents only."""
    matched = found.matched
    chosen = sorted((d for d, n in matched.items() if n > 1 and foreign(d)),
                    key=lambda d: -matched[d])[:TOGETHER_DOCUMENTS]
    if not chosen:
        return
    levels = reader.together([c.query for c in words], documents=chosen, filter=filter_q)
    found.together = {d: levels.get(d, 0) for d in chosen}
