"""Snippets: the best window of a page for the query, with the matched words' offsets.

Matching uses the same analyzer as the index, so `remittance` highlights `Remittances`,
`developpement` highlights `développement` and `المهاجرين` highlights `والمهاجرين`; the offsets
cover the whole word as written (code points into the snippet text).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import compress

from migdocs.indexer.analysis import TERM, TOKEN
from migdocs.search.results import Snippet

SNIPPET_CHARS = 240
_SPACE = re.compile(r"\s+")


def matches(text: str, language: str, terms: dict[str, set[str]]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word of `text` whose analysed form is a query term.
    Each distinct word is analysed once (a page repeats most of its words), through the
    memoised analyzer called from C (`map`): this loop ran 9,000 words a query at 20,000
    versions, 3 of the mix's 17 s under cProfile when called word by word."""
    names = [n for n in [language] + (["ar_exact"] if language == "ar" else []) if terms.get(n)]
    if not names:
        return []
    hits: dict[str, str] = {}
    words = distinct_tokens(text)
    for name in names:  # the page's own language first: its term wins
        wanted, analyse = terms[name], TERM[name]  # analysis is per word: as in context
        # The few wanted words picked in C (`compress`): a Python test per distinct word
        # was half of this function's time. (None, a stop word, is never wanted.)
        for word in compress(words, map(wanted.__contains__, map(analyse, words))):
            found = analyse(word)
            if found is not None and word not in hits:
                hits[word] = found
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


def distinct_tokens(text: str) -> set[str]:
    """The set of `TOKEN.findall(text)`, a fifth faster on real pages (0.19 ms for the 0.23 of
    a 6,800-character page): a token never spans whitespace, and a whitespace-separated
    chunk of letters only is one token whole, so the (slow, Unicode-class) token pattern
    runs only over the other distinct chunks (numbers, punctuated words)."""
    chunks = set(text.split())
    words = set(filter(str.isalpha, chunks))
    chunks -= words
    words.update(TOKEN.findall(" ".join(chunks)))
    return words


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
    """The window with whitespace runs as one space and `…` at cut edges; spans follow."""
    out: list[str] = []
    mapping: dict[int, int] = {}
    prefix = "…" if start > 0 else ""
    length = len(prefix)
    pos = start
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    pos += lead
    for match in _SPACE.finditer(text, pos, end):
        chunk = text[pos:match.start()]
        for k in range(len(chunk)):
            mapping[pos + k] = length + k
        out.append(chunk)
        length += len(chunk)
        mapping[match.start()] = length
        if match.end() < end:
            out.append(" ")
            length += 1
        pos = match.end()
    chunk = text[pos:end]
    for k in range(len(chunk) + 1):
        mapping[pos + k] = length + k
    out.append(chunk)
    length += len(chunk)
    mapping.setdefault(end, length)
    body = prefix + "".join(out)
    suffix = "…" if end < len(text) else ""
    highlights = [(mapping[s], mapping[e]) for s, e in spans if s in mapping and e in mapping]
    return Snippet(language, page, body + suffix, highlights)
