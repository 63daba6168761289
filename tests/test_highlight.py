"""Snippet windows on hand-made inputs: the sliding window picks what comparing every span
with every later one picked."""

from __future__ import annotations

import random

from migdocs.search import highlight


def reference_start(spans: list[tuple[int, int, str]], size: int) -> int:
    best, best_distinct = 0, -1
    for i, (start, _, _) in enumerate(spans):
        distinct = {t for _, end, t in spans[i:] if end - start <= size}
        if len(distinct) > best_distinct:
            best, best_distinct = i, len(distinct)
    return best


def test_best_start_agrees_with_comparing_every_pair() -> None:
    rng = random.Random(20261130)
    for _ in range(3000):
        spans, pos = [], 0
        for _ in range(rng.randint(1, 40)):
            pos += rng.randint(1, 60)
            length = rng.randint(1, 300 if rng.random() < 0.05 else 12)
            spans.append((pos, pos + length, rng.choice("abcde")))
            pos += length
        size = rng.choice([10, 50, 240])
        assert highlight._best_start(spans, size) == reference_start(spans, size)


def test_the_window_with_most_distinct_words_wins_over_repeats() -> None:
    text = "migrant " * 40 + "x " * 200 + "migrant workers remittances"
    window = highlight.window(text, language="en", page=3,
                              terms={"en": {"migrant", "worker", "remitt"}})
    assert window.words() == {"migrant", "workers", "remittances"}
    shown = window.snippet()
    assert shown.page == 3 and shown.text.endswith("migrant workers remittances")
    assert [shown.text[a:b] for a, b in shown.highlights][-2:] == ["workers", "remittances"]


def test_matches_a_french_elision_once() -> None:
    text = "Le droit à l'éducation et l'éducation des migrants; éducation."
    spans = highlight.matches(text, "fr", {"fr": {"educ"}})
    assert [text[a:b] for a, b, _ in spans] == ["l'éducation", "l'éducation", "éducation"]
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


def test_matches_whole_words_only() -> None:
    text = "Migrants, migrant and immigrants: MIGRANT."
    spans = highlight.matches(text, "en", {"en": {"migrant"}})
    assert [text[a:b] for a, b, _ in spans] == ["Migrants", "migrant", "MIGRANT"]


def test_chunk_tokens_are_the_token_patterns_words() -> None:
    from migdocs.indexer.analysis import TOKEN

    text = ("Les travailleurs migrants\u00a0(l'éducation, 2015) — d'un pays à l’autre; "
            "A/RES/70/1 e-mail word_with_underscore ١٢٣ والمهاجرين المُهاجرين ـــ  naïve\n"
            "Secretary-General’s 'quoted' x2 \u200cjoined\u200d cafe\u0301 end.")
    tokens = [t for chunk in text.split() for t in highlight.chunk_tokens(chunk)]
    assert tokens == TOKEN.findall(text)
    assert {"migrants", "l'éducation", "d'un", "l’autre", "2015", "cafe\u0301"} <= set(tokens)
