"""Snippet offsets and matched words on hand-made inputs, and against the straightforward
versions they replaced (a per-character offset map; every distinct word analysed)."""

from __future__ import annotations

import random
import re

from migdocs.indexer.analysis import TERM, TOKEN
from migdocs.search import highlight
from migdocs.search.results import Snippet

_SPACE = re.compile(r"\s+")


def reference_collapse(text: str, start: int, end: int,
                       spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The per-character map `highlight._collapse` used until it mapped span ends only."""
    out: list[str] = []
    mapping: dict[int, int] = {}
    prefix = "…" if start > 0 else ""
    length = len(prefix)
    pos = start
    piece = text[start:end]
    pos += len(piece) - len(piece.lstrip())
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
    body = prefix + "".join(out) + ("…" if end < len(text) else "")
    return body, [(mapping[s], mapping[e]) for s, e in spans if s in mapping and e in mapping]


def collapse(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    return highlight._collapse(text, start, end, spans, language="en", page=4)


def span(text: str, word: str, after: int = 0) -> tuple[int, int]:
    at = text.index(word, after)
    return at, at + len(word)


def shown(snippet: Snippet) -> list[str]:
    return [snippet.text[a:b] for a, b in snippet.highlights]


def test_whitespace_runs_become_one_space_and_highlights_follow() -> None:
    text = "Alpha  beta\n\n gamma\tdelta"
    words = [span(text, w) for w in ("Alpha", "beta", "gamma", "delta")]
    snippet = collapse(text, 0, len(text), words)
    assert snippet.text == "Alpha beta gamma delta"
    assert snippet.highlights == [(0, 5), (6, 10), (11, 16), (17, 22)]
    assert (snippet.language, snippet.page) == ("en", 4)


def test_cut_edges_get_an_ellipsis_and_lose_their_whitespace() -> None:
    text = "xx  Alpha beta   gamma  yy"
    # The window starts inside the run before `Alpha` and ends after the run after `gamma`.
    start, end = 2, text.index("yy")
    snippet = collapse(text, start, end, [span(text, "Alpha"), span(text, "gamma")])
    assert snippet.text == "…Alpha beta gamma…"
    assert snippet.highlights == [(1, 6), (12, 17)]
    assert shown(snippet) == ["Alpha", "gamma"]


def test_highlights_at_the_window_edges() -> None:
    text = "xx Alpha beta gamma yy"
    start, end = span(text, "Alpha")[0], span(text, "gamma")[1]
    snippet = collapse(text, start, end, [span(text, "Alpha"), span(text, "gamma"), (end, end)])
    assert snippet.text == "…Alpha beta gamma…"
    assert snippet.highlights == [(1, 6), (12, 17), (17, 17)]
    whole = collapse(text, 0, len(text), [(0, 2), span(text, "yy")])
    assert whole.text == text and whole.highlights == [(0, 2), (20, 22)]


def test_spans_reaching_into_a_run_or_outside_the_window_are_dropped() -> None:
    text = "one  two   three"
    run_inside = text.index("two") - 1  # the second space of the run before `two`
    snippet = collapse(text, 0, len(text), [(run_inside, 8), (3, 8), span(text, "three"),
                                            (0, len(text) + 1)])
    assert snippet.text == "one two three"
    # (3, 8) starts where the run starts: it keeps the one space.
    assert snippet.highlights == [(3, 7), (8, 13)]
    assert shown(snippet) == [" two", "three"]
    cut = collapse(text, 5, len(text), [(0, 3), span(text, "two")])
    assert cut.text == "…two three" and cut.highlights == [(1, 4)]


def test_a_run_cut_by_the_window_end_leaves_no_space() -> None:
    text = "one two   three"
    end = text.index("three") - 1  # inside the run after `two`
    snippet = collapse(text, 0, end, [span(text, "two"), (text.index("two") + 3, end)])
    assert snippet.text == "one two…"
    assert snippet.highlights == [(4, 7), (7, 7)]


def test_arabic_text() -> None:
    text = "قال  المهاجرين\nوالمهاجرات   في البلدان"
    words = [span(text, "المهاجرين"), span(text, "والمهاجرات"), span(text, "البلدان")]
    snippet = collapse(text, 0, len(text), words)
    assert snippet.text == "قال المهاجرين والمهاجرات في البلدان"
    assert snippet.highlights == [(4, 13), (14, 24), (28, 35)]
    assert shown(snippet) == ["المهاجرين", "والمهاجرات", "البلدان"]
    cut = collapse(text, 3, text.index("في") + 2, words[:2])
    assert cut.text == "…المهاجرين والمهاجرات في…"
    assert cut.highlights == [(1, 10), (11, 21)]


def test_collapse_agrees_with_the_per_character_map() -> None:
    rng = random.Random(20261201)
    pieces = ["migrants", "المهاجرين", "l'éducation", "2015", "a", ".", "—"]
    spaces = [" ", " ", " ", "  ", "\n", "\t", " \n ", "\u00a0", "\u2003 "]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(spaces) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.3:
            text = rng.choice(spaces) + text
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        spans = []
        for _ in range(rng.randint(0, 6)):
            a = rng.randint(max(0, start - 2), min(len(text), end + 2))
            spans.append((a, rng.randint(a, min(len(text) + 1, a + 12))))
        snippet = collapse(text, start, end, spans)
        assert (snippet.text, snippet.highlights) == reference_collapse(text, start, end, spans), \
            (text, start, end, spans)


def reference_matches(text: str, language: str,
                      terms: dict[str, set[str]]) -> list[tuple[int, int, str]]:
    """The words to highlight found by analysing every token of the page."""
    names = [language] + (["ar_exact"] if language == "ar" else [])
    spans: list[tuple[int, int, str]] = []
    for token in TOKEN.finditer(text):
        for name in names:
            term = TERM[name](token.group())
            if term is not None and term in terms.get(name, ()):
                spans.append((token.start(), token.end(), term))
                break
    return spans


WORDS = {
    "en": "Migrants migrant migration MIGRANTS' workers worker's remittances women children "
          "the of and A/RES/70/1 2015 e-mail development developing countries (women) policy",
    "fr": "l'éducation éducation des migrants travailleurs d'un pays l’autre développement "
          "femmes enfants de la 2015 politique",
    "ar": "المهاجرين والمهاجرين المهاجرون الهجرة للمهاجرين العمال التنمية النساء الأطفال في من "
          "لبنان ١٢٣ بالتنمية",
}


def test_matches_agree_with_analysing_every_word() -> None:
    rng = random.Random(11)
    for language, pool in WORDS.items():
        words = pool.split()
        names = [language] + (["ar_exact"] if language == "ar" else [])
        every = {n: {t for w in words for t in map(TERM[n], TOKEN.findall(w)) if t} for n in names}
        for _ in range(300):
            text = "".join(rng.choice(words) + rng.choice([" ", ", ", ".\n", "; ", "  "])
                           for _ in range(rng.randint(1, 60)))
            terms = {n: set(rng.sample(sorted(every[n]), rng.randint(1, 4))) for n in names}
            if rng.random() < 0.2 and len(names) > 1:
                del terms[names[0]]  # Arabic typed words only
            assert highlight.matches(text, language, terms) == reference_matches(text, language,
                                                                                 terms)


def test_the_pages_own_language_term_wins() -> None:
    text = "والمهاجرين"
    ar, exact = TERM["ar"](text), TERM["ar_exact"](text)
    assert ar is not None and exact is not None and ar != exact
    assert highlight.matches(text, "ar", {"ar": {ar}, "ar_exact": {exact}}) == [(0, 10, ar)]
    assert highlight.matches(text, "ar", {"ar_exact": {exact}}) == [(0, 10, exact)]


def test_a_full_vocabulary_starts_again_and_still_finds_every_word() -> None:
    vocabulary = highlight._Vocabulary("en", limit=4)
    pages = ["Migrants and workers, migrant (workers).", "The remittances of migrants' families",
             "migrants migrants"]
    for page in pages:
        hits: dict[str, str] = {}
        vocabulary.find(set(page.split()), {"migrant", "worker", "remitt"}, hits)
        expected = {w: TERM["en"](w) for w in TOKEN.findall(page)
                    if TERM["en"](w) in {"migrant", "worker", "remitt"}}
        assert hits == expected
        assert len(vocabulary.maps[0]) <= max(4, len(set(page.split())))


def test_a_chunk_of_several_words_gives_each_its_own_term() -> None:
    text = "migrants/workers and (remittances), workers’ migrants"
    spans = highlight.matches(text, "en", {"en": {"worker", "remitt"}})
    assert [text[a:b] for a, b, _ in spans] == ["workers", "remittances", "workers"]
    assert spans == reference_matches(text, "en", {"en": {"worker", "remitt"}})


def test_chunk_tokens_are_the_token_patterns_words_for_any_chunk() -> None:
    rng = random.Random(7)
    parts = ["migrants", "é", "e\u0301", "المهاجرين", "ـ", "\u200c", "2015", "_", "'", "’", ",",
             ".", "(", ")", "«", "»", "¿", "،", "-", "—", "/", "*", "%", "“", "”", "x", "؟"]
    for _ in range(5000):
        chunk = "".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))
        assert highlight.chunk_tokens(chunk) == TOKEN.findall(chunk), chunk
