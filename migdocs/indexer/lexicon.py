"""The translation lexicon: learned from the repository's own translated documents.

Every document held in several languages is a human translation. Its versions are cut
into units (lines of a text file, paragraphs of a PDF or DOCX) and, where two versions have
the same number of units, unit i of one is taken as the translation of unit i of the other
(versions whose counts disagree are skipped, never guessed). Each unit is analysed with the
index's own analyzers, so the lexicon speaks in the terms the index holds (stems), and the
terms of each language pair are aligned with eflomal in both directions. A link found in
both directions counts 1, in one direction 0.5; p(t|s) = count(s, t) / (count(s) + 1), so
a word seen once is never certain. FreeDict dictionaries (when installed) add translations
the documents never showed, at half weight; pairs without their own dictionary or with few
learned translations go through English (pivot), at half weight. Each word keeps its
TOP_N best translations with score >= MIN_SCORE.

The lexicon is derived data (`HOME/lexicon.sqlite`), rebuilt from the catalog; it records
a fingerprint of the versions it learned from, so it knows when it is stale.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Literal

from migdocs.indexer.analysis import ELISION, TOKEN, term
from migdocs.repo import symbols
from migdocs.repo.catalog import Catalog
from migdocs.repo.languages import ANALYZED

LEXICON_FORMAT = 3
TOP_N = 3
MIN_SCORE = 0.1
#: A dictionary or pivot translation weighs this much of a learned one with the same score.
DICTIONARY_WEIGHT = 0.5
PIVOT_WEIGHT = 0.5
#: An English word without a translation taken as itself in the target language (pivot).
IDENTITY_WEIGHT = 0.5
#: A word whose best direct translation into a language scores below this is also
#: translated through English.
PIVOT_BELOW = 0.3
#: Dictionary translations per word considered (the first ones listed are the usual ones).
DICTIONARY_SENSES = 4
#: eflomal's relative iterations for an update (new units, context and priors): 2 s a pair
#: instead of 7-8 s, and the learned priors guide it.
UPDATE_ITERATIONS = 0.3
#: A unit longer than this many terms (a whole page) is not aligned: too vague.
MAX_UNIT_TERMS = 150
_SENTENCE_END = (".", "!", "?", ":", ";", "\u061f", "\u061b", "\u06d4")

Source = Literal["learned", "dictionary", "pivot", "transliterated"]
#: Whether a lexicon was built with FreeDict: they may be absent, or left out on purpose.
DictionaryState = Literal["used", "not installed", "not used"]
Pair = tuple[str, str]
Table = dict[str, dict[str, float]]  # source term -> target term -> score


@dataclass
class Translation:
    """One translation of a term: the target language's term as the index holds it, a word
    that shows it, its score (0-1) and where it came from."""

    language: str
    term: str
    word: str
    p: float
    source: Source

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class BuildReport:
    units: dict[str, int] = field(default_factory=dict)  # "en-fr" -> aligned units
    entries: int = 0
    dictionaries: list[str] = field(default_factory=list)  # "eng-fra", ...
    dictionary_state: DictionaryState = "not used"
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


# -- analysis -----------------------------------------------------------------------------
def analyse(text: str, language: str) -> list[tuple[str, str]]:
    """(term, word as written (case-folded, without a French elision)) for each indexed
    term of `text` in `language`: the same analysis the index applies."""
    out = []
    for word in TOKEN.findall(text):
        found = term(word, language)
        if found:
            out.append((found, ELISION.sub("", word.casefold())))
    return out


def _content(term: str) -> bool:
    return len(term) > 1 and not term.isdigit()


# -- aligned units ------------------------------------------------------------------------
def document_stamps(catalog: Catalog) -> dict[str, str]:
    """doc id -> its versions' `language:sha256`, for every document held in two or more
    languages (what the lexicon learns from)."""
    by_doc: dict[str, list[str]] = defaultdict(list)
    for doc_id, language, sha in catalog.version_files():
        if sha:
            by_doc[doc_id].append(f"{language}:{sha}")
    return {d: ",".join(sorted(v)) for d, v in by_doc.items() if len(v) >= 2}


def fingerprint(catalog: Catalog, stamps: dict[str, str] | None = None) -> str:
    """Changes when any version of a document held in two or more languages changes, or
    the analysis does (the lexicon holds analysed terms: Spanish `mujeres` was `mujer`,
    is `muj` since analysis 5)."""
    from migdocs.indexer.analysis import ANALYSIS_VERSION

    stamps = document_stamps(catalog) if stamps is None else stamps
    digest = hashlib.sha256(f"analysis {ANALYSIS_VERSION}\n".encode())
    for doc_id in sorted(stamps):
        digest.update(f"{doc_id}|{stamps[doc_id]}\n".encode())
    return digest.hexdigest()


def version_units(pages: Iterable[str], *, lines: bool, symbol: str | None) -> list[str]:
    """A version's text cut into units: lines of a text file (one sentence a line in UN
    text files; the symbol line skipped), paragraphs elsewhere (a line ending a sentence
    ends a paragraph, as do blank lines)."""
    units: list[str] = []
    current: list[str] = []
    for text in pages:
        for line in text.splitlines():
            line = line.strip()
            if symbol and symbols.key(line) == symbol:
                continue
            if lines:
                if line:
                    units.append(line)
                continue
            if not line:
                if current:
                    units.append(" ".join(current))
                    current = []
                continue
            current.append(line)
            if line.endswith(_SENTENCE_END):
                units.append(" ".join(current))
                current = []
    if current:
        units.append(" ".join(current))
    return units


Forms = dict[str, dict[str, Counter[str]]]  # language -> term -> words written -> count


def aligned_units(catalog: Catalog, forms: Forms, documents: Iterable[str] | None = None
                  ) -> dict[Pair, list[tuple[list[str], list[str]]]]:
    """For each language pair (a < b): the aligned units' terms of every document held in
    both (of `documents` when given), where the versions have the same number of units.
    Counts the words each term was written as into `forms` (to show a term as a word)."""
    pairs: dict[Pair, list[tuple[list[str], list[str]]]] = defaultdict(list)
    for doc_id in sorted(catalog.document_ids() if documents is None else documents):
        versions = catalog.versions(doc_id, with_pages=True)
        if len(versions) < 2:
            continue
        document = catalog.document(doc_id)
        key = symbols.key(document.symbol) if document and document.symbol else None
        by_language: dict[str, list[list[str]]] = {}
        for v in versions:
            if v.language not in ANALYZED or "language-mismatch" in v.flags or not v.pages:
                continue
            units = version_units((p.text for p in v.pages),
                                  lines=bool(v.file and v.file.format == "text"), symbol=key)
            analysed = [[(t, w) for t, w in analyse(u, v.language) if _content(t)] for u in units]
            for unit in analysed:
                for t, word in unit:
                    forms[v.language][t][word] += 1
            by_language[v.language] = [[t for t, _ in unit] for unit in analysed]
        for a, b in combinations(sorted(by_language), 2):
            ua, ub = by_language[a], by_language[b]
            if len(ua) != len(ub):
                continue
            pairs[(a, b)] += [(x, y) for x, y in zip(ua, ub, strict=True)
                              if x and y and len(x) <= MAX_UNIT_TERMS and len(y) <= MAX_UNIT_TERMS]
    return pairs


# -- learning -----------------------------------------------------------------------------
def learn(units: list[tuple[list[str], list[str]]], priors: Table | None = None,
          context: Sequence[tuple[list[str], list[str]]] = ()) -> tuple[Table, Table]:
    """Link counts (source term -> target term -> count) both ways, from eflomal's links
    over aligned units. For an incremental update: `priors`, the counts learned before, and
    `context`, units learned before aligned along (not counted again): a few new units
    aligned alone, even with priors, gave `syrian` -> `territoire`."""
    from migdocs.indexer import aligner

    forward: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    backward: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lines = None
    if priors:
        seen = {t for src, _ in units for t in src}
        lines = [f"LEX\t{s}\t{t}\t{c:g}\n" for s in seen for t, c in priors.get(s, {}).items()]
    everything = list(context) + units
    links = aligner.align([u[0] for u in everything], [u[1] for u in everything],
                          priors=lines or None,  # (eflomal fails on an empty priors file)
                          iterations=UPDATE_ITERATIONS if priors else aligner.RELATIVE_ITERATIONS
                          )[len(context):]
    for (src, trg), (both, either) in zip(units, links, strict=True):
        for i, j in either:
            if i >= len(src) or j >= len(trg):
                continue
            weight = 1.0 if (i, j) in both else 0.5
            forward[src[i]][trg[j]] += weight
            backward[trg[j]][src[i]] += weight
    return ({s: dict(ts) for s, ts in forward.items()},
            {s: dict(ts) for s, ts in backward.items()})


def _probabilities(counts: dict[str, dict[str, float]]) -> Table:
    out: Table = {}
    for s, targets in counts.items():
        total = sum(targets.values()) + 1.0
        out[s] = {t: c / total for t, c in targets.items()}
    return out


def dictionary_tables(forms: Forms, folder: Path | None = None
                      ) -> tuple[dict[Pair, Table], list[str]]:
    """Translations from the installed FreeDict dictionaries, analysed like the index, in
    both directions of each dictionary; scores 1/n over a word's first senses."""
    from migdocs.indexer import freedict

    folder = folder or freedict.DICTD_FOLDER
    tables: dict[Pair, dict[str, dict[str, float]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(float)))
    used = []
    for src, trg in freedict.available(folder):
        used.append(f"{freedict.CODES[src]}-{freedict.CODES[trg]}")
        for headword, translations in freedict.entries(src, trg, folder):
            heads = analyse(headword, src)
            if len(heads) != 1 or not _content(heads[0][0]):
                continue
            forms[src][heads[0][0]][headword.casefold()] += 1
            seen: list[str] = []
            for translation in translations:
                terms = analyse(translation, trg)
                if len(terms) == 1 and _content(terms[0][0]) and terms[0][0] not in seen:
                    seen.append(terms[0][0])
                    forms[trg][terms[0][0]][translation.casefold()] += 1
            head = heads[0][0]
            for sense in seen[:DICTIONARY_SENSES]:
                share = 1.0 / min(len(seen), DICTIONARY_SENSES)
                tables[(src, trg)][head][sense] = max(tables[(src, trg)][head][sense], share)
                tables[(trg, src)][sense][head] += share
    out: dict[Pair, Table] = {}
    for pair, table in tables.items():
        out[pair] = {s: {t: min(1.0, c) for t, c in targets.items()} for s, targets in table.items()}
    return out, used


def combine(learned: dict[Pair, Table], dictionary: dict[Pair, Table], forms: Forms
            ) -> dict[Pair, dict[str, dict[str, tuple[float, Source]]]]:
    """Per ordered pair and source term: target term -> (score, source), learned first,
    then the dictionary at DICTIONARY_WEIGHT, then English pivots at PIVOT_WEIGHT (an
    English word with no translation into the target goes as itself: names and
    cognates, `Manama`, `fascism` -> `fascisme`, at IDENTITY_WEIGHT)."""
    direct: dict[Pair, dict[str, dict[str, tuple[float, Source]]]] = {}
    for a in ANALYZED:
        for b in ANALYZED:
            if a == b:
                continue
            table: dict[str, dict[str, tuple[float, Source]]] = defaultdict(dict)
            for s, targets in dictionary.get((a, b), {}).items():
                for t, p in targets.items():
                    table[s][t] = (p * DICTIONARY_WEIGHT, "dictionary")
            for s, targets in learned.get((a, b), {}).items():
                for t, p in targets.items():
                    if p >= table[s].get(t, (0.0, ""))[0]:
                        table[s][t] = (p, "learned")
            direct[(a, b)] = table
    combined = {pair: {s: dict(ts) for s, ts in table.items()} for pair, table in direct.items()}
    for (a, b), table in combined.items():
        if "en" in (a, b):
            continue
        to_en, from_en = direct[(a, "en")], direct[("en", b)]
        for s, via in to_en.items():
            if max((p for p, _ in table.get(s, {}).values()), default=0.0) >= PIVOT_BELOW:
                continue
            scores: dict[str, float] = defaultdict(float)
            total = sum(p for p, _ in via.values())
            for e, (pe, _) in via.items():
                onward = from_en.get(e)
                if not onward:
                    for t in _as_itself(e, b, forms):
                        scores[t] += (pe / total) * IDENTITY_WEIGHT
                    continue
                norm = sum(p for p, _ in onward.values())
                for t, (pt, _) in onward.items():
                    scores[t] += (pe / total) * (pt / norm)
            for t, p in scores.items():
                if p * PIVOT_WEIGHT > table.setdefault(s, {}).get(t, (0.0, ""))[0]:
                    table[s][t] = (p * PIVOT_WEIGHT, "pivot")
    return combined


def _as_itself(term: str, target: str, forms: Forms) -> list[str]:
    """An English term as a word of `target` (its usual written form analysed there)."""
    words = forms["en"].get(term)
    if not words:
        return []
    found = analyse(words.most_common(1)[0][0], target)
    return [found[0][0]] if len(found) == 1 else []


def cached_dictionaries(cache: Path, folder: Path | None = None
                        ) -> tuple[dict[Pair, Table], Forms, list[str]]:
    """The dictionary tables, analysed once and kept in `cache` until a dictionary or the
    analysis changes (analysing the 200k FreeDict entries takes 8-40 s here; loading the
    cache about a second)."""
    from migdocs.indexer import freedict
    from migdocs.indexer.analysis import ANALYSIS_VERSION

    stamp = f"{LEXICON_FORMAT}|{ANALYSIS_VERSION}|{freedict.signature(folder or freedict.DICTD_FOLDER)}"
    try:
        with cache.open("rb") as f:
            found = pickle.load(f)
        if found[0] == stamp:
            return found[1], found[2], found[3]
    except (OSError, EOFError, pickle.UnpicklingError, IndexError, TypeError, ValueError):
        pass  # no cache, or an unreadable one: rebuilt below
    forms: Forms = {lang: defaultdict(Counter) for lang in ANALYZED}
    tables, used = dictionary_tables(forms, folder)
    plain_forms = {lang: {t: Counter(w) for t, w in terms.items()} for lang, terms in forms.items()}
    tmp = cache.with_name(cache.name + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump((stamp, tables, plain_forms, used), f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cache)
    return tables, plain_forms, used


def build(catalog: Catalog, path: Path, *, dictionaries: Path | None = None,
          use_dictionaries: bool = True) -> BuildReport:
    """Learn the lexicon from the catalog and write it to `path` (atomically: a failed
    build leaves the previous lexicon in place)."""
    from migdocs.indexer import lexicon_update

    started = time.monotonic()
    report = BuildReport()
    stamps = document_stamps(catalog)
    forms: Forms = {lang: defaultdict(Counter) for lang in ANALYZED}
    units = aligned_units(catalog, forms)
    counts: dict[Pair, Table] = {}
    pairs = sorted(units)
    # eflomal runs as a child process: one pair per core at a time.
    with ThreadPoolExecutor(max_workers=max(1, min(len(pairs), os.cpu_count() or 1))) as pool:
        for (a, b), tables in zip(pairs, pool.map(learn, [units[p] for p in pairs]), strict=True):
            report.units[f"{a}-{b}"] = len(units[(a, b)])
            counts[(a, b)], counts[(b, a)] = tables
    write(path, counts, forms, report, fingerprint(catalog, stamps), dictionaries=dictionaries,
          use_dictionaries=use_dictionaries)
    lexicon_update.save_state(path, stamps=stamps, counts=counts, forms=forms,
                              units=report.units, aligned=dict(units),
                              use_dictionaries=use_dictionaries, dictionaries=dictionaries)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def write(path: Path, counts: dict[Pair, Table], forms: Forms, report: BuildReport, stamp: str,
          *, dictionaries: Path | None, use_dictionaries: bool) -> None:
    """The lexicon from learned link counts (and the dictionaries), written to `path`
    atomically; fills `report`'s dictionaries and entries."""
    from migdocs.search.translate import LexiconWriter

    learned = {pair: _probabilities(table) for pair, table in counts.items()}
    dictionary: dict[Pair, Table] = {}
    if use_dictionaries:
        cache = path.with_name(path.stem + "-dictionaries.pickle")
        dictionary, dictionary_forms, report.dictionaries = cached_dictionaries(cache, dictionaries)
        report.dictionary_state = "used" if report.dictionaries else "not installed"
        forms = {lang: defaultdict(Counter, terms) for lang, terms in forms.items()}
        for lang, terms in dictionary_forms.items():
            for term_, words in terms.items():
                forms[lang][term_] = forms[lang][term_] + words
    combined = combine(learned, dictionary, forms)
    tmp = path.with_name(path.name + ".building")
    tmp.unlink(missing_ok=True)
    with LexiconWriter(tmp) as writer:
        for (a, b), table in combined.items():
            for s, targets in table.items():
                best = sorted(((p, t, src) for t, (p, src) in targets.items() if p >= MIN_SCORE),
                              reverse=True)[:TOP_N]
                report.entries += len(best)
                writer.add(a, s, [(b, t, p, src) for p, t, src in best])
        writer.forms(forms)
        writer.meta(fingerprint=stamp, units=report.units, dictionaries=report.dictionaries,
                    dictionary_state=report.dictionary_state)
    os.replace(tmp, path)
