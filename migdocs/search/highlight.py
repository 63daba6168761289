"""Snippets: the best window of a page for the query, with the matched words' offsets.

Matching uses the same analyzer as the index, so `remittance` highlights `Remittances`,
`developpement` highlights `développement` and `المهاجرين` highlights `والمهاجرين`; the offsets
cover the whole word as written (code points into the snippet text).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from migdocs.indexer.analysis import TERM, TOKEN
from migdocs.search.results import Snippet

SNIPPET_CHARS = 240
_SPACE = re.compile(r"\s+")


def matches(text: str, language: str, terms: dict[str, set[str]]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word of `text` whose analysed form is a query term.
    Which words those are comes from the analyzers' `_Vocabulary` (set operations in C over
    the page's whitespace-separated chunks), not from analysing each distinct word of each
    page: that was 0.6 of the 0.8 ms a hit took at 50,000 versions."""
    names = [n for n in [language] + (["ar_exact"] if language == "ar" else []) if terms.get(n)]
    if not names:
        return []
    chunks = set(text.split())
    hits: dict[str, str] = {}
    for name in names:  # the page's own language first: its term wins
        _vocabulary(name).find(chunks, terms[name], hits)
    if not hits:
        return []
    # Find just those words (a few per page) with str.find, kept where a whole token
    # matches: an alternation regex of them had to be compiled for each page, and a pass
    # over every token cost more still (pages of 3,000-10,000 characters in long papers).
    spans: list[tuple[int, int, str]] = []
    for word, found in hits.items():
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            whole = TOKEN.match(text, start)
            if (whole is not None and whole.end() == end
                    and (start == 0 or TOKEN.match(text, start - 1) is None)):
                spans.append((start, end, found))
            start = text.find(word, end)
    spans.sort()
    # A word found inside a longer matched token (`éducation` in `l'éducation`: the
    # apostrophe is no token character) is that token's: keep the first, longest span.
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


def chunk_tokens(chunk: str) -> list[str]:
    """The tokens (`TOKEN.findall`) of a whitespace-free chunk of text. A token never spans
    whitespace, so a page's tokens are those of its chunks; a chunk of letters only is one
    token whole, and so is one of letters between punctuation that is never part of a token
    (`(migrants),`): the (slow, Unicode-class) token pattern runs only over the others
    (numbers, `l'éducation`, `A/RES/70/1`)."""
    if chunk.isalpha():
        return [chunk]
    core = chunk.strip(_EDGE_PUNCTUATION)
    return [core] if core.isalpha() else TOKEN.findall(chunk)


#: Punctuation found around words, none of it a token character (`\w`, marks, joiners):
#: stripped from a chunk's ends, they leave its one word.
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'‘’“”«»¿¡،؛؟۔-–—/*%"


#: Chunks remembered per analyzer before it starts again, as many as its analyzer's cache
#: holds words: ~200 bytes a chunk, so at most ~13 MB per analyzer. The 130 queries of the
#: speed mix at 50,000 versions meet 14,000-21,000 distinct chunks per language.
VOCABULARY_CHUNKS = 1 << 16


#: What a vocabulary knows of a chunk: for a chunk of letters only (one word, most chunks),
#: its term (None: a stop word); for another, the (word, term) pairs of its words.
Known = str | tuple[tuple[str, str], ...] | None


class _Vocabulary:
    """For one analyzer: each whitespace-separated chunk met so far -> its words' terms
    (`Known`), and each term -> the chunks holding a word with that term. A page's matching
    words are then found from its set of chunks by set operations in C (a page has ~600
    distinct chunks; only those never met before are analysed): 0.17-0.2 ms a page instead
    of 0.4 ms analysing each distinct word through the memoised analyzer. A new process
    pays for learning: its first pages cost up to a quarter more (~1.9 ms against ~1.5 for
    an unseen page, most of it analysis). The two maps are replaced together (never
    emptied in place) when full, so a search in another thread keeps a consistent pair."""

    def __init__(self, name: str, limit: int = VOCABULARY_CHUNKS) -> None:
        self.analyse, self.limit = TERM[name], limit
        self.lock = threading.Lock()
        self.maps: tuple[dict[str, Known], dict[str, list[str]]] = ({}, {})

    def find(self, chunks: set[str], wanted: set[str], hits: dict[str, str]) -> None:
        """Add to `hits` (word -> term) the words of `chunks` whose term is `wanted`, unless
        `hits` has them already."""
        known, holding = self.learn(chunks)
        for term in wanted:
            having = holding.get(term)
            if not having:
                continue
            for chunk in chunks.intersection(having):
                found = known[chunk]
                if isinstance(found, str):  # the chunk is the one word, with term `term`
                    if chunk not in hits:
                        hits[chunk] = found
                    continue
                for word, word_term in found or ():
                    if word_term in wanted and word not in hits:
                        hits[word] = word_term

    def learn(self, chunks: set[str]) -> tuple[dict[str, Known], dict[str, list[str]]]:
        """The maps, holding every chunk of `chunks`. Learning is locked and a chunk enters
        `holding` before the map of known chunks, so a search in another thread never
        takes a chunk as known before it is complete."""
        maps = self.maps
        new = chunks.difference(maps[0])
        if not new:
            return maps
        with self.lock:
            # (Another thread may have learnt some meanwhile, or started again.)
            new = chunks.difference(self.maps[0]) if self.maps is not maps else new.difference(
                maps[0])
            maps = self.maps
            if len(maps[0]) + len(new) > self.limit:
                maps = self.maps = ({}, {})
                new = chunks
            self._add(new, *maps)
        return maps

    def _add(self, new: set[str], known: dict[str, Known], holding: dict[str, list[str]]) -> None:
        """Learn the chunks `new`: 0.3-0.5 us a chunk besides analysing its words (pages of
        a new process meet ~600 new chunks each)."""
        analyse = self.analyse
        words = list(filter(str.isalpha, new))  # one word each (as in `chunk_tokens`)
        terms = list(map(analyse, words))  # called from C: most of learning's cost
        learnt: dict[str, Known] = dict(zip(words, terms, strict=True))
        held = [(term, chunk) for chunk, term in zip(words, terms, strict=True)
                if term is not None]
        for chunk in new.difference(learnt):
            tokens = chunk_tokens(chunk)
            if len(tokens) == 1:  # most of the rest: a word with punctuation
                term = analyse(tokens[0])
                learnt[chunk] = () if term is None else ((tokens[0], term),)
                if term is not None:
                    held.append((term, chunk))
                continue
            pairs = tuple((word, term) for word in tokens if (term := analyse(word)) is not None)
            learnt[chunk] = pairs
            held += [(term, chunk) for _, term in pairs]
        get = holding.get
        for term, chunk in held:
            having = get(term)
            if having is None:
                holding[term] = [chunk]
            else:
                having.append(chunk)
        known.update(learnt)


_VOCABULARIES: dict[str, _Vocabulary] = {}


def _vocabulary(name: str) -> _Vocabulary:
    found = _VOCABULARIES.get(name)
    if found is None:
        found = _VOCABULARIES.setdefault(name, _Vocabulary(name))
    return found


@dataclass(frozen=True)
class Window:
    """The best window of a page for the query, before it is cut out (`snippet`)."""

    text: str
    language: str
    page: int
    start: int
    end: int
    spans: list[tuple[int, int]]  # the matched words inside the window

    def words(self) -> set[str]:
        """The distinct words shown highlighted (as written, case folded)."""
        return {self.text[s:e].casefold() for s, e in self.spans}

    def snippet(self) -> Snippet:
        return _collapse(self.text, self.start, self.end, self.spans, language=self.language,
                         page=self.page)


def window(text: str, *, language: str, page: int, terms: dict[str, set[str]],
           size: int = SNIPPET_CHARS) -> Window:
    """The window of about `size` characters holding the most distinct query terms. A hit
    weighs six pages and shows two: only those two are cut out (`Window.snippet`)."""
    spans = matches(text, language, terms)
    if not spans:
        start, end = 0, min(len(text), size)
    else:
        first = spans[_best_start(spans, size)][0]
        start = max(0, first - size // 4)
        end = min(len(text), start + size)
        start = max(0, min(start, end - size))
    start, end = _word_bounds(text, start, end)
    return Window(text, language, page, start, end,
                  [(s, e) for s, e, _ in spans if s >= start and e <= end])


def _best_start(spans: list[tuple[int, int, str]], size: int) -> int:
    """The index of the first span of the window of `size` characters (starting at a span)
    with the most distinct terms, the earliest of equals. A sliding window over the sorted,
    non-overlapping spans: comparing every span with all those after it was quadratic, a
    third of the snippet time on pages where a common word occurs 50 times."""
    best, best_distinct = 0, -1
    inside: Counter[str] = Counter()
    j = 0
    for i, (start, _, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= size:
            inside[spans[j][2]] += 1
            j += 1
        if len(inside) > best_distinct:
            best, best_distinct = i, len(inside)
        if j > i:  # span i leaves the window
            term = spans[i][2]
            inside[term] -= 1
            if not inside[term]:
                del inside[term]
        else:
            j = i + 1
    return best


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the window's edges to spaces so no word is cut."""
    if start > 0:
        space = text.find(" ", start, min(len(text), start + 30))
        nl = text.find("\n", start, min(len(text), start + 30))
        cut = min([c for c in (space, nl) if c != -1], default=-1)
        if cut != -1:
            start = cut + 1
    if end < len(text):
        cut = max(text.rfind(" ", max(start, end - 30), end), text.rfind("\n", max(start, end - 30), end))
        if cut > start:
            end = cut
    return start, end


def _collapse(text: str, start: int, end: int, spans: list[tuple[int, int]], *, language: str,
              page: int) -> Snippet:
    """The window with whitespace runs as one space and `…` at cut edges; spans follow.
    Only the spans' ends are mapped (`_Shift`): a per-character map of the window was 0.6 of
    a hit's 0.8 ms at 50,000 versions, once the page's words were found faster."""
    prefix = "…" if start > 0 else ""
    piece = text[start:end]
    kept = piece.lstrip()
    first = start + len(piece) - len(kept)  # the window's leading whitespace is dropped
    runs = [m.span() for m in _SPACE.finditer(text, first, end)]
    body = _SPACE.sub(" ", kept)
    if runs and runs[-1][1] == end:  # a run cut by the window's end leaves no space
        body = body[:-1]
    shift = _Shift(runs, first, end, len(prefix))
    highlights = []
    for s, e in spans:
        a, b = shift.offset(s), shift.offset(e)
        if a is not None and b is not None:
            highlights.append((a, b))
    suffix = "…" if end < len(text) else ""
    return Snippet(language, page, prefix + body + suffix, highlights)


class _Shift:
    """Where a position of the page lands in the collapsed window: the window's first kept
    character lands at `base`, and each whitespace run wholly before a position shortens
    the text by its length less the one space it becomes (less nothing for a run cut by the
    window's end). Defined, as in the per-character map this replaced, for the positions
    from the first kept character to the window's end except those inside a run (past its
    first character)."""

    def __init__(self, runs: list[tuple[int, int]], first: int, end: int, base: int) -> None:
        self.runs, self.first, self.end, self.base = runs, first, end, base
        self.ends = [e for _, e in runs]
        self.removed = [0]
        for s, e in runs:
            self.removed.append(self.removed[-1] + (e - s) - (1 if e < end else 0))

    def offset(self, position: int) -> int | None:
        if position < self.first or position > self.end:
            return None
        before = bisect_right(self.ends, position)  # runs ending at or before `position`
        if before < len(self.runs) and self.runs[before][0] < position:
            return None  # inside a run
        return self.base + position - self.first - self.removed[before]
