"""Snippets: the best window of a page for the query, with the matched words' offsets.

Matching uses the same analyzer as the index, so `remittance` highlights `Remittances`,
`developpement` highlights `développement` and `المهاجرين` highlights `والمهاجرين`; the offsets
cover the whole word as written (code points into the snippet text).
"""

from __future__ import annotations

import re

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
    words = set(TOKEN.findall(text))
    for name in names:  # the page's own language first: its term wins
        wanted, analyse = terms[name], TERM[name]  # analysis is per word: as in context
        for word, found in zip(words, map(analyse, words), strict=True):
            if found in wanted and word not in hits:
                hits[word] = found  # (None, a stop word, is never wanted)
    if not hits:
        return []
    # Find just those words: an alternation of them, kept where a whole token matches.
    pattern = re.compile("|".join(re.escape(w) for w in sorted(hits, key=len, reverse=True)))
    spans: list[tuple[int, int, str]] = []
    for m in pattern.finditer(text):
        whole = TOKEN.match(text, m.start())
        if (whole is not None and whole.end() == m.end()
                and (m.start() == 0 or TOKEN.match(text, m.start() - 1) is None)):
            spans.append((m.start(), m.end(), hits[m.group()]))
    return spans


def snippet(text: str, *, language: str, page: int, terms: dict[str, set[str]],
            size: int = SNIPPET_CHARS) -> Snippet:
    """The window of about `size` characters holding the most distinct query terms."""
    spans = matches(text, language, terms)
    if not spans:
        start, end = 0, min(len(text), size)
    else:
        best, best_distinct = 0, -1
        for i, (s, _, _) in enumerate(spans):
            distinct = {t for s2, e2, t in spans[i:] if e2 - s <= size}
            if len(distinct) > best_distinct:
                best, best_distinct = i, len(distinct)
        first = spans[best][0]
        start = max(0, first - size // 4)
        end = min(len(text), start + size)
        start = max(0, min(start, end - size))
    start, end = _word_bounds(text, start, end)
    return _collapse(text, start, end, [(s, e) for s, e, _ in spans if s >= start and e <= end],
                     language=language, page=page)


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
